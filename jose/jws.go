package jose

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// DefaultMaxSize bounds a token (compact or JSON) before anything in it is
// decoded: generous for any JWT (an ML-DSA-87 signature is 6.2 KB of
// base64url), small enough that a hostile token costs little memory. See
// [VerifierOptions].MaxSize.
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

	members     object // the protected header
	unprotected object // a JSON serialization's "header", if any
}

// Member returns the raw JSON value of a header member, protected or not.
func (h *Header) Member(name string) (json.RawMessage, bool) {
	if v, ok := h.members.get(name); ok {
		return v, true
	}
	return h.unprotected.get(name)
}

// signed is one parsed JWS signature with what it covers.
type signed struct {
	header       Header
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
	if err := s.setHeader(protected, object{}); err != nil {
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
	payload, ok := top.get("payload")
	if !ok {
		return nil, newError(ErrMalformed, `JWS JSON serialization without "payload" (a detached payload is not supported)`, nil)
	}
	sigObj := top
	if sigs, ok := top.get("signatures"); ok {
		for _, m := range []string{"signature", "protected", "header"} {
			if _, ok := top.get(m); ok {
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
	rawProtected, ok := sigObj.get("protected")
	if !ok {
		return nil, newError(ErrMalformed, `no "protected" header: "alg" must be integrity protected`, nil)
	}
	encProtected, err := jsonString(rawProtected, "protected")
	if err != nil {
		return nil, err
	}
	rawSig, ok := sigObj.get("signature")
	if !ok {
		return nil, newError(ErrMalformed, `no "signature"`, nil)
	}
	encSig, err := jsonString(rawSig, "signature")
	if err != nil {
		return nil, err
	}
	var unprotected object
	if h, ok := sigObj.get("header"); ok {
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
func (s *signed) setHeader(protected []byte, unprotected object) error {
	members, err := decodeObject(protected)
	if err != nil {
		return newError(ErrMalformed, "the protected header: "+err.Error(), nil)
	}
	h := Header{Protected: protected, members: members, unprotected: unprotected}
	for i := range unprotected.members {
		// RFC 7515 §7.2.1: the two headers must be disjoint; "crit" (and,
		// here, "alg" and "b64") belong to the protected one.
		name := string(unprotected.name(&unprotected.members[i]))
		if _, dup := members.get(name); dup {
			return newError(ErrMalformed, fmt.Sprintf("header member %.64q is both protected and unprotected", name), nil)
		}
		switch name {
		case "alg", "crit", "b64":
			return newError(ErrMalformed, fmt.Sprintf("%q must be in the protected header", name), nil)
		case "enc":
			return newError(ErrUnsupportedAlgorithm, `the header has "enc": this is a JWE, and kmspub verifies JWS only`, nil)
		}
	}
	if h.Algorithm, err = headerString(members, "alg"); err != nil {
		return err
	}
	if h.Algorithm == "" {
		return newError(ErrMalformed, `the header has no "alg"`, nil)
	}
	if h.KeyID, err = stringMember(&h, "kid"); err != nil {
		return err
	}
	if h.Type, err = stringMember(&h, "typ"); err != nil {
		return err
	}
	if h.ContentType, err = stringMember(&h, "cty"); err != nil {
		return err
	}
	if raw, ok := members.get("crit"); ok {
		if h.Critical, err = decodeStrings(raw); err != nil {
			return newError(ErrCritical, `"crit" is not an array of strings`, nil)
		}
	}
	s.header = h
	return nil
}

// stringMember is headerString over both headers.
func stringMember(h *Header, name string) (string, error) {
	if v, err := headerString(h.members, name); err != nil || v != "" {
		return v, err
	}
	return headerString(h.unprotected, name)
}

// headerString returns a string member, "" if absent, and refuses any
// other JSON type.
func headerString(m object, name string) (string, error) {
	raw, ok := m.get(name)
	if !ok {
		return "", nil
	}
	v, ok := jsonStringValue(raw)
	if !ok {
		return "", newError(ErrMalformed, fmt.Sprintf("header %q is not a string", name), nil)
	}
	return v, nil
}
