// Package jwx verifies and signs JWS and JWTs with AWS KMS keys in
// github.com/lestrrat-go/jwx/v3, through kmspub: verification is offline
// and refuses what KMS Verify would refuse (and what RFC 8725 forbids),
// signing goes through KMS Sign.
//
// Verify with [KeyProvider]:
//
//	keys := jose.NewKeyringKeys(kmspub.NewKeyring(kmsClient), "alias/token-signer")
//	tok, err := jwt.Parse(data, jwt.WithKeyProvider(jwx.KeyProvider(keys)))
//
// or with a key directly: jws.WithKey(jwa.ES256(), kmspubKey).
//
// Importing this package registers, with jws.RegisterVerifier and
// jws.RegisterSigner, a verifier and a signer for every JOSE algorithm
// kmspub knows (RS*, PS*, ES256/384/512, ES256K, EdDSA, Ed25519,
// ML-DSA-44/65/87). Each takes kmspub keys (*kmspub.PublicKey,
// *jose.Verifier, jose.KeySet; a [SigningKey] to sign) and hands every
// other key to the verifier or signer jwx had for the name, so the rest of
// the program works as before. (jwx then skips its own early check that a
// key's type fits the algorithm, since a custom verifier is registered; the
// verifier it falls back to still refuses a key of the wrong type.)
//
// jwx has ES256K only when built with -tags jwx_es256k, and no ML-DSA;
// through this package both work for kmspub keys without the tag.
package jwx

import (
	"context"
	"errors"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
)

type verifier struct {
	alg      string
	fallback jws.Verifier2
}

type signer struct {
	alg      jwa.SignatureAlgorithm
	fallback jws.Signer2
}

func init() {
	for _, a := range jose.Algorithms() {
		alg, ok := jwa.LookupSignatureAlgorithm(a.Name)
		if !ok {
			alg = jwa.NewSignatureAlgorithm(a.Name)
		}
		v := &verifier{alg: a.Name}
		s := &signer{alg: alg}
		if ok {
			// jwx's own, for keys that are not kmspub's.
			v.fallback, _ = jws.VerifierFor(alg)
			s.fallback, _ = jws.SignerFor(alg)
		}
		if err := jws.RegisterVerifier(alg, v); err != nil {
			panic(err)
		}
		if err := jws.RegisterSigner(alg, s); err != nil {
			panic(err)
		}
	}
}

// Algorithm returns jwx's SignatureAlgorithm for a JOSE algorithm name
// kmspub knows (registered by this package when jwx has no such name, as
// for the ML-DSA ones).
func Algorithm(name string) (jwa.SignatureAlgorithm, bool) {
	if jose.LookupAlgorithm(name) == nil {
		return jwa.SignatureAlgorithm{}, false
	}
	return jwa.LookupSignatureAlgorithm(name)
}

// ctxVerifier is what KeyProvider gives jwx as the key: the verifier and
// jwx's context for it.
type ctxVerifier struct {
	ctx context.Context
	v   *jose.Verifier
}

// Verify implements jws.Verifier2. payload is the signing input.
func (v *verifier) Verify(key any, payload, signature []byte) error {
	switch k := key.(type) {
	case ctxVerifier:
		_, err := k.v.VerifyParts(k.ctx, v.alg, payload, signature)
		return err
	case *jose.Verifier:
		_, err := k.VerifyParts(context.Background(), v.alg, payload, signature)
		return err
	case *kmspub.PublicKey:
		return jose.VerifyPartsWithKey(k, v.alg, payload, signature)
	case jose.KeySet:
		_, err := jose.NewVerifier(k).VerifyParts(context.Background(), v.alg, payload, signature)
		return err
	}
	if v.fallback != nil {
		return v.fallback.Verify(key, payload, signature)
	}
	return errors.New("jwx: " + v.alg + " verifies kmspub keys only")
}

// Algorithm implements jws.Signer2.
func (s *signer) Algorithm() jwa.SignatureAlgorithm { return s.alg }

// Sign implements jws.Signer2: a [SigningKey] signs through KMS Sign; any
// other key goes to jwx's own signer.
func (s *signer) Sign(key any, payload []byte) ([]byte, error) {
	if k, ok := key.(SigningKey); ok {
		if k.Signer == nil || k.Signer.Algorithm() != s.alg.String() {
			return nil, errors.New("jwx: the SigningKey's signer does not sign " + s.alg.String())
		}
		ctx := k.Context
		if ctx == nil {
			ctx = context.Background()
		}
		return k.Signer.SignSigningInput(ctx, payload)
	}
	if s.fallback != nil {
		return s.fallback.Sign(key, payload)
	}
	return nil, errors.New("jwx: " + s.alg.String() + " signs with a kmspub SigningKey only")
}

// SigningKey is the key to give jws.WithKey (or jwt.WithKey) to sign
// through KMS Sign: the Signer, and the context for its KMS Sign call. Set
// its "kid" in the protected headers (jws.WithProtectedHeaders), or use
// [SignJWT].
type SigningKey struct {
	Context context.Context
	Signer  *jose.Signer
}

type keyProvider struct {
	v *jose.Verifier
}

// KeyProvider returns a jws.KeyProvider (for jws.WithKeyProvider and
// jwt.WithKeyProvider) that verifies with keys under the rules of
// [jose.Verifier] (optFns configure it): the key is the one the token's
// "kid" names (or, without one, those the algorithm fits), and everything
// KMS Verify and RFC 8725 refuse is refused. An "alg" kmspub never
// verifies (none, HMAC, JWE) is refused before any key.
func KeyProvider(keys jose.KeySet, optFns ...func(*jose.VerifierOptions)) jws.KeyProvider {
	return &keyProvider{v: jose.NewVerifier(keys, optFns...)}
}

func (p *keyProvider) FetchKeys(ctx context.Context, sink jws.KeySink, sig *jws.Signature, _ *jws.Message) error {
	alg, ok := sig.ProtectedHeaders().Algorithm()
	if !ok {
		return errors.New(`jwx: the protected header has no "alg"`)
	}
	if err := jose.CheckAlgorithm(alg.String()); err != nil {
		return err
	}
	sink.Key(alg, ctxVerifier{ctx: ctx, v: p.v})
	return nil
}

// SignJWT signs tok through KMS Sign with the signer's algorithm, writing
// its "kid" (and "typ": "JWT") in the protected header.
func SignJWT(ctx context.Context, s *jose.Signer, tok jwt.Token) ([]byte, error) {
	alg, ok := Algorithm(s.Algorithm())
	if !ok {
		return nil, errors.New("jwx: no algorithm " + s.Algorithm())
	}
	hdrs := jws.NewHeaders()
	if err := hdrs.Set(jws.KeyIDKey, s.KeyID()); err != nil {
		return nil, err
	}
	if err := hdrs.Set(jws.TypeKey, "JWT"); err != nil {
		return nil, err
	}
	return jwt.Sign(tok, jwt.WithKey(alg, SigningKey{Context: ctx, Signer: s}, jws.WithProtectedHeaders(hdrs)))
}
