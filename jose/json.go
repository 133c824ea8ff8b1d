package jose

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// A strict, allocation-light reader for the JSON objects JOSE puts on the
// verification path (headers, claims, JWKs). It accepts exactly RFC 8259
// JSON (FuzzJSONObject checks it against encoding/json), refuses invalid
// UTF-8 and duplicate member names at the top level, and returns each
// member's raw value for decoding on demand. encoding/json's Decoder would
// do the same in several times the time and allocations, which on the hot
// path of a JWT verification is the difference between the cost of the
// signature and a visible overhead.

// member is one top-level member of an object, as offsets into the
// object's data: no pointer into the data is stored, so a header decoded
// into a stack buffer stays on the stack.
type member struct {
	name             []byte // the decoded name, only when the raw one has escapes
	nameOff, nameEnd int    // the raw name, between its quotes
	valOff, valEnd   int    // the raw value
}

// object is a decoded JSON object: its data and its top-level members, in
// order.
type object struct {
	data    []byte
	members []member
}

// maxDepth bounds nesting, so that hostile input cannot recurse deeply.
const maxDepth = 64

var (
	errNotObject  = errors.New("not a JSON object")
	errNotUTF8    = errors.New("not UTF-8")
	errTrailing   = errors.New("data after the JSON object")
	errTooDeep    = errors.New("JSON nested too deeply")
	errDuplicated = errors.New("a member appears twice")
)

func (o object) name(m *member) []byte {
	if m.name != nil {
		return m.name
	}
	return o.data[m.nameOff:m.nameEnd]
}

// scanObject reads one JSON object (surrounding whitespace allowed),
// appending its members to dst.
func scanObject(data []byte, dst []member) (object, error) {
	if !utf8.Valid(data) {
		return object{}, errNotUTF8
	}
	o := object{data: data, members: dst}
	s := scanner{data: data}
	s.space()
	if !s.consume('{') {
		return object{}, errNotObject
	}
	s.space()
	if !s.consume('}') {
		for {
			s.space()
			m, ok := s.name()
			if !ok {
				return object{}, errNotObject
			}
			for i := range o.members {
				if bytes.Equal(o.name(&o.members[i]), o.name(&m)) {
					return object{}, errDuplicated
				}
			}
			s.space()
			if !s.consume(':') {
				return object{}, errNotObject
			}
			s.space()
			m.valOff = s.pos
			if err := s.value(0); err != nil {
				return object{}, err
			}
			m.valEnd = s.pos
			o.members = append(o.members, m)
			s.space()
			if s.consume(',') {
				continue
			}
			if s.consume('}') {
				break
			}
			return object{}, errNotObject
		}
	}
	s.space()
	if s.pos != len(data) {
		return object{}, errTrailing
	}
	return o, nil
}

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) space() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// value skips one JSON value, checking its syntax.
func (s *scanner) value(depth int) error {
	if depth > maxDepth {
		return errTooDeep
	}
	if s.pos >= len(s.data) {
		return errNotObject
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		if !s.skipString() {
			return errNotObject
		}
	case c == '{':
		s.pos++
		return s.members(depth, '}')
	case c == '[':
		s.pos++
		return s.members(depth, ']')
	case c == '-' || '0' <= c && c <= '9':
		if !s.skipNumber() {
			return errNotObject
		}
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.data[s.pos:], []byte(lit)) {
				s.pos += len(lit)
				return nil
			}
		}
		return errNotObject
	}
	return nil
}

// members skips the members of an object (close '}') or the elements of
// an array (close ']') after the opening bracket, and the closing one.
func (s *scanner) members(depth int, close byte) error {
	s.space()
	if s.consume(close) {
		return nil
	}
	for {
		s.space()
		if close == '}' {
			if !s.skipString() {
				return errNotObject
			}
			s.space()
			if !s.consume(':') {
				return errNotObject
			}
			s.space()
		}
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.space()
		if s.consume(',') {
			continue
		}
		if s.consume(close) {
			return nil
		}
		return errNotObject
	}
}

// skipString skips a string, reporting whether it is well formed, and
// whether it has escapes via s.escaped.
func (s *scanner) skipString() bool {
	_, ok := s.str()
	return ok
}

// str skips a string and returns its raw content (between the quotes) and
// whether it is well formed.
func (s *scanner) str() ([]byte, bool) {
	if !s.consume('"') {
		return nil, false
	}
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.data[start : s.pos-1], true
		case c < 0x20:
			return nil, false
		case c == '\\':
			s.pos++
			if s.pos >= len(s.data) {
				return nil, false
			}
			switch s.data[s.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.pos++
			case 'u':
				if s.pos+5 > len(s.data) {
					return nil, false
				}
				for _, h := range s.data[s.pos+1 : s.pos+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return nil, false
					}
				}
				s.pos += 5
			default:
				return nil, false
			}
		default:
			s.pos++
		}
	}
	return nil, false
}

// name reads a member name: its raw offsets, and the decoded name when it
// has escapes.
func (s *scanner) name() (member, bool) {
	start := s.pos
	raw, ok := s.str()
	if !ok {
		return member{}, false
	}
	m := member{nameOff: start + 1, nameEnd: s.pos - 1}
	if bytes.IndexByte(raw, '\\') >= 0 {
		var v string
		if json.Unmarshal(bytes.Clone(s.data[start:s.pos]), &v) != nil {
			return member{}, false
		}
		m.name = []byte(v)
	}
	return m, true
}

// skipNumber skips -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (s *scanner) skipNumber() bool {
	s.consume('-')
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	if s.consume('0') {
		// no more integer digits
	} else if digits() == 0 {
		return false
	}
	if s.consume('.') && digits() == 0 {
		return false
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		s.pos++
		if !s.consume('+') {
			s.consume('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// jsonStringValue decodes a raw JSON value that must be a string: without
// escapes by slicing, with them through encoding/json.
func jsonStringValue(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var v string
	if json.Unmarshal(bytes.Clone(raw), &v) != nil {
		return "", false
	}
	return v, true
}

// get returns the raw value of the member called name.
func (o object) get(name string) ([]byte, bool) {
	for i := range o.members {
		m := &o.members[i]
		if string(o.name(m)) == name {
			return o.data[m.valOff:m.valEnd], true
		}
	}
	return nil, false
}

// len is the number of members.
func (o object) len() int { return len(o.members) }

// decodeObject reads one JSON object; see scanObject.
func decodeObject(data []byte) (object, error) {
	return scanObject(data, nil)
}

// decodeStrings decodes a JSON array of strings; null is not one.
func decodeStrings(raw []byte) ([]string, error) {
	var v []string
	if err := json.Unmarshal(bytes.Clone(raw), &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errNotObject
	}
	return v, nil
}
