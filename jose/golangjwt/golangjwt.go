// Package golangjwt verifies and signs JWTs with AWS KMS keys in
// github.com/golang-jwt/jwt/v5, through kmspub: verification is offline
// and refuses what KMS Verify would refuse (and what RFC 8725 forbids),
// signing goes through KMS Sign.
//
// Verify with [Keyfunc]:
//
//	keys := jose.NewKeyringKeys(kmspub.NewKeyring(kmsClient), "alias/token-signer")
//	token, err := jwt.Parse(tokenString, golangjwt.Keyfunc(keys))
//
// Importing this package registers a [SigningMethod] for every JOSE
// algorithm kmspub knows (RS*, PS*, ES256/384/512, ES256K, EdDSA, Ed25519,
// ML-DSA-44/65/87) with jwt.RegisterSigningMethod. Each takes kmspub keys
// (*kmspub.PublicKey, *jose.Verifier, jose.KeySet) and hands every other key
// to the method golang-jwt had registered for the name, so the rest of the
// program verifies and signs exactly as before. golang-jwt has no ES256K
// or ML-DSA method of its own; for those names only kmspub keys work.
//
// Sign with [Sign], or with golang-jwt's own Token.SignedString and a
// [SigningKey].
package golangjwt

import (
	"context"
	"errors"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
)

// SigningMethod is the jwt.SigningMethod of one JOSE algorithm, backed by
// kmspub for kmspub keys.
type SigningMethod struct {
	alg      string
	fallback jwt.SigningMethod // golang-jwt's own method for alg, if any
}

var methods = map[string]*SigningMethod{}

func init() {
	for _, a := range jose.Algorithms() {
		m := &SigningMethod{alg: a.Name, fallback: jwt.GetSigningMethod(a.Name)}
		methods[a.Name] = m
		jwt.RegisterSigningMethod(a.Name, func() jwt.SigningMethod { return m })
	}
}

// Method returns the SigningMethod registered for a JOSE algorithm name,
// or nil for a name kmspub does not know.
func Method(alg string) *SigningMethod { return methods[alg] }

// Alg returns the JOSE algorithm name.
func (m *SigningMethod) Alg() string { return m.alg }

// Verify checks sig over signingString. key is one of:
//   - *jose.Verifier (what [Keyfunc] returns): the key the header's "kid"
//     names among the verifier's keys, under all its rules;
//   - *kmspub.PublicKey: that key (a "kid" in the header must name it);
//   - jose.KeySet: as a Verifier with default options;
//
// each checked with [jose.Verifier.VerifyParts]; any other key goes to
// golang-jwt's own method for the algorithm. Refusals are [*jose.Error]
// values, wrapping KMS's exceptions where KMS would refuse.
func (m *SigningMethod) Verify(signingString string, sig []byte, key any) error {
	switch k := key.(type) {
	case *jose.Verifier:
		_, err := k.VerifyParts(context.Background(), m.alg, []byte(signingString), sig)
		return err
	case *kmspub.PublicKey:
		return jose.VerifyPartsWithKey(k, m.alg, []byte(signingString), sig)
	case jose.KeySet:
		_, err := jose.NewVerifier(k).VerifyParts(context.Background(), m.alg, []byte(signingString), sig)
		return err
	}
	if m.fallback != nil {
		return m.fallback.Verify(signingString, sig, key)
	}
	return jwt.ErrInvalidKeyType
}

// Sign signs signingString through KMS Sign when key is a [SigningKey]
// whose signer uses this algorithm; any other key goes to golang-jwt's own
// method.
func (m *SigningMethod) Sign(signingString string, key any) ([]byte, error) {
	if k, ok := key.(SigningKey); ok {
		if k.Signer == nil || k.Signer.Algorithm() != m.alg {
			return nil, errors.New("golangjwt: the SigningKey's signer does not sign " + m.alg)
		}
		ctx := k.Context
		if ctx == nil {
			ctx = context.Background()
		}
		return k.Signer.SignSigningInput(ctx, []byte(signingString))
	}
	if m.fallback != nil {
		return m.fallback.Sign(signingString, key)
	}
	return nil, jwt.ErrInvalidKeyType
}

// SigningKey is the key to give Token.SignedString for a KMS signature:
// the Signer, and the context for its KMS Sign call.
type SigningKey struct {
	Context context.Context
	Signer  *jose.Signer
}

// Keyfunc returns a jwt.Keyfunc that verifies with keys under the rules of
// [jose.Verifier] (optFns configure it): the key is the one the token's "kid"
// names (or, without a kid, those the algorithm fits), and everything KMS
// Verify and RFC 8725 refuse is refused. Keys resolved through a Keyring
// are looked up with context.Background(): keep names the Keyring answers
// from memory (key ARNs, or aliases within their TTL) on the hot path.
//
// golang-jwt checks "exp", "nbf" and the other claims itself after the
// signature, as it always does.
func Keyfunc(keys jose.KeySet, optFns ...func(*jose.VerifierOptions)) jwt.Keyfunc {
	v := jose.NewVerifier(keys, optFns...)
	return func(t *jwt.Token) (any, error) {
		// golang-jwt picked the method from "alg"; refuse what kmspub never
		// verifies (none, HMAC, …) here, with kmspub's reason.
		if err := jose.CheckAlgorithm(t.Method.Alg()); err != nil {
			return nil, err
		}
		return v, nil
	}
}

// Sign returns a signed JWT of claims, made by golang-jwt with the
// signer's algorithm and "kid" and signed through KMS Sign.
func Sign(ctx context.Context, s *jose.Signer, claims jwt.Claims) (string, error) {
	m := Method(s.Algorithm())
	if m == nil {
		return "", errors.New("golangjwt: no method for " + s.Algorithm())
	}
	t := jwt.NewWithClaims(m, claims)
	t.Header["kid"] = s.KeyID()
	return t.SignedString(SigningKey{Context: ctx, Signer: s})
}
