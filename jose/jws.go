package jose

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// DefaultMaxSize bounds a token (compact or JSON) before anything in it is
// decoded: generous for any JWT (an ML-DSA-87 signature is 6.2 KB of
// base64url), small enough that a hostile token costs little memory. See
// [WithMaxSize].
const DefaultMaxSize = 256 << 10

// Header is a JWS's JOSE Header, as verified.
type Header struct {
	Algorithm   string   // "alg"
	KeyID       string   // "kid", or "" when absent
	Type        string   // "typ", or ""
	ContentType string   // "cty", or ""
	Critical    []string // "crit", or nil

	// Protected is the JWS Protected Header exactly as it was signed (the
	// decoded JSON). Members of a JSON serialization's unprotected "header"
	// are not in it, and are not integrity protected.
	Protected json.RawMessage

	members map[string]json.RawMessage // protected and unprotected together
}

// Member returns the raw JSON value of a header member, protected or not.
func (h *Header) Member(name string) (json.RawMessage, bool) {
	v, ok := h.members[name]
	return v, ok
}

// signed is one parsed JWS signature with what it covers.
type signed struct {
	header       Header
	unprotected  map[string]json.RawMessage
	signingInput []byte // ASCII(BASE64URL(protected) '.' BASE64URL(payload))
	payload      []byte
	signature    []byte
}

// parse reads a JWS in compact or JSON (flattened or general) serialization.
// A JSON serialization is recognised by its first byte, '{', which no
// compact serialization starts with.
func parse(token []byte, maxSize int) (*signed, error) {
	if len(token) > maxSize {
		return nil, newError(ErrMalformed, fmt.Sprintf("token is %d bytes, over the %d-byte limit", len(token), maxSize), nil)
	}
	if len(token) == 0 {
		return nil, newError(ErrMalformed, "empty token", nil)
	}
	if token[0] == '{' {
		return parseJSON(token)
	}
	return parseCompact(token)
}

// parseCompact reads BASE64URL(header) '.' BASE64URL(payload) '.'
// BASE64URL(signature) (RFC 7515 §7.1).
func parseCompact(token []byte) (*signed, error) {
	first := bytes.IndexByte(token, '.')
	if first < 0 {
		return nil, newError(ErrMalformed, "a compact JWS has three parts separated by '.'; this has one", nil)
	}
	second := bytes.IndexByte(token[first+1:], '.')
	if second < 0 {
		return nil, newError(ErrMalformed, "a compact JWS has three parts separated by '.'; this has two", nil)
	}
	second += first + 1
	if bytes.IndexByte(token[second+1:], '.') >= 0 {
		return nil, newError(ErrMalformed, "a compact JWS has three parts separated by '.'; this has more (a JWE has five)", nil)
	}
	s := &signed{signingInput: token[:second]}
	protected, err := decodeSegment("header", token[:first])
	if err != nil {
		return nil, err
	}
	if s.payload, err = decodeSegment("payload", token[first+1:second]); err != nil {
		return nil, err
	}
	if s.signature, err = decodeSegment("signature", token[second+1:]); err != nil {
		return nil, err
	}
	if err := s.setHeader(protected, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// parseJSON reads the JWS JSON Serialization (RFC 7515 §7.2): flattened,
// or general with exactly one signature — kmspub verifies a token under one
// algorithm, so a token signed several ways is refused rather than judged
// by whichever signature verifies.
func parseJSON(token []byte) (*signed, error) {
	top, err := decodeObject(token)
	if err != nil {
		return nil, newError(ErrMalformed, "JWS JSON serialization: "+err.Error(), nil)
	}
	payload, ok := top["payload"]
	if !ok {
		return nil, newError(ErrMalformed, `JWS JSON serialization without "payload" (a detached payload is not supported)`, nil)
	}
	sigObj := top
	if sigs, ok := top["signatures"]; ok {
		for _, m := range []string{"signature", "protected", "header"} {
			if _, ok := top[m]; ok {
				return nil, newError(ErrMalformed, fmt.Sprintf(`JWS JSON serialization with both "signatures" and %q`, m), nil)
			}
		}
		var list []json.RawMessage
		if err := json.Unmarshal(sigs, &list); err != nil {
			return nil, newError(ErrMalformed, `"signatures" is not an array`, nil)
		}
		if len(list) != 1 {
			return nil, newError(ErrMalformed, fmt.Sprintf(`"signatures" has %d entries; kmspub verifies a JWS with exactly one signature`, len(list)), nil)
		}
		if sigObj, err = decodeObject(list[0]); err != nil {
			return nil, newError(ErrMalformed, `"signatures"[0]: `+err.Error(), nil)
		}
	}
	encPayload, err := jsonString(payload, "payload")
	if err != nil {
		return nil, err
	}
	rawProtected, ok := sigObj["protected"]
	if !ok {
		return nil, newError(ErrMalformed, `no "protected" header: "alg" must be integrity protected`, nil)
	}
	encProtected, err := jsonString(rawProtected, "protected")
	if err != nil {
		return nil, err
	}
	rawSig, ok := sigObj["signature"]
	if !ok {
		return nil, newError(ErrMalformed, `no "signature"`, nil)
	}
	encSig, err := jsonString(rawSig, "signature")
	if err != nil {
		return nil, err
	}
	var unprotected map[string]json.RawMessage
	if h, ok := sigObj["header"]; ok {
		if unprotected, err = decodeObject(h); err != nil {
			return nil, newError(ErrMalformed, `"header": `+err.Error(), nil)
		}
	}
	s := &signed{}
	protected, err := decodeSegment("protected header", []byte(encProtected))
	if err != nil {
		return nil, err
	}
	if s.payload, err = decodeSegment("payload", []byte(encPayload)); err != nil {
		return nil, err
	}
	if s.signature, err = decodeSegment("signature", []byte(encSig)); err != nil {
		return nil, err
	}
	s.signingInput = make([]byte, 0, len(encProtected)+1+len(encPayload))
	s.signingInput = append(append(append(s.signingInput, encProtected...), '.'), encPayload...)
	if err := s.setHeader(protected, unprotected); err != nil {
		return nil, err
	}
	return s, nil
}

func jsonString(raw json.RawMessage, name string) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", newError(ErrMalformed, fmt.Sprintf("%q is not a string", name), nil)
	}
	return s, nil
}

// base64url is the unpadded URL-safe alphabet with zero trailing bits
// (RFC 7515 §2): one encoding per byte string.
var base64url = base64.RawURLEncoding.Strict()

// decodeSegment decodes one base64url part. encoding/base64 skips CR and
// LF; they are not base64url, so they are refused before decoding.
func decodeSegment(what string, seg []byte) ([]byte, error) {
	for _, c := range seg {
		if !isBase64URL(c) {
			return nil, newError(ErrMalformed, fmt.Sprintf("the %s is not base64url: it holds a byte outside the alphabet", what), nil)
		}
	}
	out := make([]byte, base64url.DecodedLen(len(seg)))
	n, err := base64url.Decode(out, seg)
	if err != nil {
		return nil, newError(ErrMalformed, fmt.Sprintf("the %s is not canonical base64url", what), nil)
	}
	return out[:n], nil
}

func isBase64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// setHeader decodes the protected header and checks the members whose
// syntax JWS fixes. The rules about which algorithms and extensions are
// acceptable are checkHeader's.
func (s *signed) setHeader(protected []byte, unprotected map[string]json.RawMessage) error {
	members, err := decodeObject(protected)
	if err != nil {
		return newError(ErrMalformed, "the protected header: "+err.Error(), nil)
	}
	h := Header{Protected: protected, members: members}
	if len(unprotected) > 0 {
		// RFC 7515 §7.2.1: the two headers must be disjoint; "crit" and
		// (here) "alg" belong to the protected one.
		h.members = make(map[string]json.RawMessage, len(members)+len(unprotected))
		for k, v := range members {
			h.members[k] = v
		}
		for k, v := range unprotected {
			if _, dup := members[k]; dup {
				return newError(ErrMalformed, fmt.Sprintf("header member %.64q is both protected and unprotected", k), nil)
			}
			switch k {
			case "alg", "crit", "b64":
				return newError(ErrMalformed, fmt.Sprintf("%q must be in the protected header", k), nil)
			}
			h.members[k] = v
		}
		s.unprotected = unprotected
	}
	if h.Algorithm, err = headerString(h.members, "alg"); err != nil {
		return err
	}
	if h.Algorithm == "" {
		return newError(ErrMalformed, `the header has no "alg"`, nil)
	}
	if h.KeyID, err = headerString(h.members, "kid"); err != nil {
		return err
	}
	if h.Type, err = headerString(h.members, "typ"); err != nil {
		return err
	}
	if h.ContentType, err = headerString(h.members, "cty"); err != nil {
		return err
	}
	if raw, ok := members["crit"]; ok {
		if err := json.Unmarshal(raw, &h.Critical); err != nil || h.Critical == nil {
			return newError(ErrCritical, `"crit" is not an array of strings`, nil)
		}
	}
	s.header = h
	return nil
}

// headerString returns a string member, "" if absent, and refuses any
// other JSON type.
func headerString(m map[string]json.RawMessage, name string) (string, error) {
	raw, ok := m[name]
	if !ok {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", newError(ErrMalformed, fmt.Sprintf("header %q is not a string", name), nil)
	}
	return v, nil
}

// decodeObject decodes one JSON object into its members' raw values. It
// refuses invalid UTF-8 (RFC 8259 §8.1; encoding/json would replace it),
// duplicate member names (RFC 7515 §4: JWS parsers may refuse them, and
// kmspub does, so that no two parsers can read one header two ways), and
// anything after the object.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	m := make(map[string]json.RawMessage)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("not a JSON object")
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("not a JSON object")
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("member %.64q appears twice", name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("not a JSON object")
		}
		m[name] = v
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, fmt.Errorf("not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return m, nil
}
