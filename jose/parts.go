package jose

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kmspub/kmspub"
)

// VerifyParts verifies one JWS signature given as the JWT libraries hand it
// to a signature algorithm: the "alg" they read from the header, the
// signing input ASCII(BASE64URL(protected header) '.' BASE64URL(payload)),
// and the decoded signature. It reads the protected header from the
// signing input itself and applies the rules [Verifier.Verify] applies to
// a header — alg as given, never none/HMAC/JWE, "crit" understood, no
// "b64": false, a "kid" naming one of the keys — then verifies with
// [VerifySignature]. It returns the key that verified.
//
// It is built for the verification hot path: for headers up to 1 KiB it
// allocates nothing beyond what PublicKey.Verify does.
func (v *Verifier) VerifyParts(ctx context.Context, alg string, signingInput, signature []byte) (*kmspub.PublicKey, error) {
	keys, keysErr := v.keys.Keys(ctx)
	k, err := verifyParts(keys, &v.opts, alg, signingInput, signature)
	if err != nil && keysErr != nil && k == nil {
		var e *Error
		if ok := asError(err, &e); ok && e.Kind == ErrUnknownKey {
			return nil, fmt.Errorf("jose: the key set: %w", keysErr)
		}
	}
	return k, err
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	if ok {
		*e = x
	}
	return ok
}

// VerifyPartsWithKey is VerifyParts with one key and default options.
func VerifyPartsWithKey(key *kmspub.PublicKey, alg string, signingInput, signature []byte) error {
	keys := [1]Key{{PublicKey: key}}
	opts := VerifierOptions{MaxSize: DefaultMaxSize}
	_, err := verifyParts(keys[:], &opts, alg, signingInput, signature)
	return err
}

// maxStackHeader is the largest decoded header verifyParts reads without
// allocating.
const maxStackHeader = 1024

func verifyParts(keys []Key, o *VerifierOptions, alg string, signingInput, signature []byte) (*kmspub.PublicKey, error) {
	if len(signingInput)+len(signature) > o.MaxSize {
		return nil, newError(ErrMalformed, fmt.Sprintf("token is over the %d-byte limit", o.MaxSize), nil)
	}
	dot := bytes.IndexByte(signingInput, '.')
	if dot < 0 || bytes.IndexByte(signingInput[dot+1:], '.') >= 0 {
		return nil, newError(ErrMalformed, "the signing input is not BASE64URL(header) '.' BASE64URL(payload)", nil)
	}
	seg := signingInput[:dot]
	for _, c := range seg {
		if !isBase64URL(c) {
			return nil, newError(ErrMalformed, "the header is not base64url: it holds a byte outside the alphabet", nil)
		}
	}
	var buf [maxStackHeader]byte
	dec := buf[:]
	if n := base64url.DecodedLen(len(seg)); n > len(buf) {
		dec = make([]byte, n)
	}
	n, err := base64url.Decode(dec, seg)
	if err != nil {
		return nil, newError(ErrMalformed, "the header is not canonical base64url", nil)
	}
	var mbuf [8]member
	members, err := scanObject(dec[:n], mbuf[:0])
	if err != nil {
		return nil, newError(ErrMalformed, "the protected header: "+err.Error(), nil)
	}
	raw, ok := members.get("alg")
	if !ok {
		return nil, newError(ErrMalformed, `the header has no "alg"`, nil)
	}
	if !jsonStringEquals(raw, alg) {
		return nil, newError(ErrMalformed, `the header's "alg" is not the algorithm being verified`, nil)
	}
	var crit []string
	if raw, ok := members.get("crit"); ok {
		if crit, err = decodeStrings(raw); err != nil {
			return nil, newError(ErrCritical, `"crit" is not an array of strings`, nil)
		}
	}
	a, err := checkHeader(alg, members, crit, o.Critical)
	if err != nil {
		return nil, err
	}
	if o.Algorithms != nil && !containsString(o.Algorithms, a.Name) {
		return nil, newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`"alg" %s is not one this verifier accepts`, a.Name), nil)
	}
	var kid []byte
	if raw, ok := members.get("kid"); ok {
		if kid, ok = jsonStringBytes(raw); !ok {
			return nil, newError(ErrMalformed, `header "kid" is not a string`, nil)
		}
	}
	var first error
	tried := 0
	for _, k := range keys {
		if !keyFits(k, a, kid, len(keys)) {
			continue
		}
		tried++
		err := VerifySignature(k.PublicKey, a.Name, signingInput, signature)
		if err == nil {
			return k.PublicKey, nil
		}
		if first == nil {
			first = err
		}
	}
	if tried == 0 {
		// The slow path chooses again, with the explanations.
		cands, err := SelectKeys(keys, a.Name, string(kid))
		if err != nil {
			return nil, err
		}
		for _, k := range cands {
			err := VerifySignature(k.PublicKey, a.Name, signingInput, signature)
			if err == nil {
				return k.PublicKey, nil
			}
			if first == nil {
				first = err
			}
		}
	}
	return nil, first
}

// keyFits is SelectKeys's choice for one key, without allocating: named
// by the kid when there is one, else of a spec the algorithm takes (or the
// only key).
func keyFits(k Key, a *Algorithm, kid []byte, n int) bool {
	if k.PublicKey == nil {
		return false
	}
	if kid != nil {
		if string(kid) == k.ID && k.ID != "" || string(kid) == k.PublicKey.KeyID() && len(kid) > 0 {
			return true
		}
		return KeyIDMatches(k, string(kid))
	}
	return n == 1 || a.fitsKey(k.PublicKey)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// jsonStringEquals reports whether raw is the JSON string s.
func jsonStringEquals(raw []byte, s string) bool {
	b, ok := jsonStringBytes(raw)
	return ok && string(b) == s
}

// jsonStringBytes decodes a raw JSON string value, without allocating when
// it has no escapes.
func jsonStringBytes(raw []byte) ([]byte, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1], true
	}
	v, ok := jsonStringValue(raw)
	return []byte(v), ok
}
