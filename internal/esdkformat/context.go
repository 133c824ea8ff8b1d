package esdkformat

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MarshalContext serializes an encryption context as
// framework/structures.md#serialization specifies: nothing for an empty
// context, else a two-byte pair count and the pairs sorted by the UTF-8 bytes
// of their keys, each key and value two-byte length prefixed. This is the
// canonical form the AWS KMS RSA keyring hashes, the Raw ECDH keyring puts in
// its KDF input, and the header stores (behind its own two-byte length).
//
// Keys and values must be valid UTF-8 and at most MaxFieldSize bytes, and
// there must be at most MaxFieldSize pairs; anything else is an *Error with
// Part "encryption context". How large a context the header can hold is
// checked by [Header.MarshalBody].
func MarshalContext(ec map[string]string) ([]byte, error) {
	if len(ec) == 0 {
		return nil, nil
	}
	if len(ec) > MaxFieldSize {
		return nil, errorf("encryption context", "has %d pairs; at most %d fit the format", len(ec), MaxFieldSize)
	}
	keys := make([]string, 0, len(ec))
	size := 2
	for k, v := range ec {
		if err := checkContextString("key", k, k); err != nil {
			return nil, err
		}
		if err := checkContextString("value", k, v); err != nil {
			return nil, err
		}
		keys = append(keys, k)
		size += 4 + len(k) + len(v)
	}
	// Go compares strings bytewise: the UTF-8 binary order the spec asks for.
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = appendUint16(b, len(keys))
	for _, k := range keys {
		b = appendLengthPrefixed(b, []byte(k))
		b = appendLengthPrefixed(b, []byte(ec[k]))
	}
	return b, nil
}

func checkContextString(what, key, s string) error {
	switch {
	case !utf8.ValidString(s):
		return errorf("encryption context", "a %s is not valid UTF-8", what)
	case len(s) > MaxFieldSize:
		return errorf("encryption context", "the %s of key %s is %d bytes; at most %d fit the format", what, quoteKey(key), len(s), MaxFieldSize)
	}
	return nil
}

// quoteKey quotes an encryption context key for an error message, cut at
// 64 bytes: keys are not secret, but may be long.
func quoteKey(k string) string {
	if len(k) > 64 {
		k = strings.ToValidUTF8(k[:64], "") + "…"
	}
	return fmt.Sprintf("%q", k)
}

// ParseContext parses a serialized encryption context (the header's Key
// Value Pairs field). Empty input is the empty context. It refuses what the
// official SDKs refuse: a zero pair count, lengths that overrun the field or
// leave bytes over, keys or values that are not UTF-8, and a key twice. It
// accepts pairs out of order, as the SDKs do: the header's bytes, in
// whatever order, are what its authentication tag covers.
func ParseContext(b []byte) (map[string]string, error) {
	const part = "encryption context"
	if len(b) == 0 {
		return map[string]string{}, nil
	}
	if len(b) < 2 {
		return nil, errorf(part, "is %d byte long, too short for a pair count", len(b))
	}
	count := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if count == 0 {
		return nil, errorf(part, "has a pair count of 0 but is not empty")
	}
	// Each pair takes at least 4 bytes: no allocation beyond what b holds.
	if count > len(b)/4 {
		return nil, errorf(part, "states %d pairs in %d bytes", count, len(b))
	}
	ec := make(map[string]string, count)
	for i := range count {
		k, rest, err := cutLengthPrefixed(b, part, i, "key")
		if err != nil {
			return nil, err
		}
		v, rest, err := cutLengthPrefixed(rest, part, i, "value")
		if err != nil {
			return nil, err
		}
		b = rest
		if !utf8.Valid(k) || !utf8.Valid(v) {
			return nil, errorf(part, "pair %d is not valid UTF-8", i+1)
		}
		if _, dup := ec[string(k)]; dup {
			return nil, errorf(part, "has the key %s twice", quoteKey(string(k)))
		}
		ec[string(k)] = string(v)
	}
	if len(b) != 0 {
		return nil, errorf(part, "has %d bytes after its %d pairs", len(b), count)
	}
	return ec, nil
}

func cutLengthPrefixed(b []byte, part string, i int, what string) (field, rest []byte, err error) {
	if len(b) < 2 {
		return nil, nil, errorf(part, "ends inside the %s length of pair %d", what, i+1)
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b)-2 < n {
		return nil, nil, errorf(part, "the %s of pair %d overruns the field", what, i+1)
	}
	return b[2 : 2+n], b[2+n:], nil
}
