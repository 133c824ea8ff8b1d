// Package gojose verifies and signs JWS and JWTs with AWS KMS keys in
// github.com/go-jose/go-jose/v4, through kmspub: verification is offline
// and refuses what KMS Verify would refuse (and what RFC 8725 forbids),
// signing goes through KMS Sign.
//
// A [Verifier] is a go-jose OpaqueVerifier: hand it wherever go-jose takes
// a verification key, or call its Claims and Verify methods, which make the
// same go-jose calls and keep kmspub's reason for a refusal (go-jose
// reduces every verifier error to ErrCryptoFailure).
//
//	verifier := gojose.NewVerifier(jose.NewKeyringKeys(ring, "alias/token-signer"))
//	tok, err := jwt.ParseSigned(s, gojose.SignatureAlgorithms())
//	err = verifier.Claims(tok, &claims) // or tok.Claims(verifier, &claims)
//
// A [Signer] is a go-jose OpaqueSigner backed by KMS Sign.
//
// go-jose has ES256/384/512, RS*, PS* and EdDSA of its own, ML-DSA only when
// built with Go 1.27, and no ES256K; through this package every algorithm
// kmspub knows works, since the signature is kmspub's to check.
package gojose

import (
	"context"
	"errors"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub/jose"
)

// SignatureAlgorithms returns every JOSE algorithm kmspub verifies, for
// go-jose's ParseSigned lists. (The key still decides: a token is verified
// only under an algorithm its key offers.)
func SignatureAlgorithms() []gojose.SignatureAlgorithm {
	var out []gojose.SignatureAlgorithm
	for _, a := range jose.Algorithms() {
		out = append(out, gojose.SignatureAlgorithm(a.Name))
	}
	return out
}

// Verifier is a go-jose OpaqueVerifier that verifies with KMS keys under
// the rules of [jose.Verifier].
type Verifier struct {
	v *jose.Verifier
}

var _ gojose.OpaqueVerifier = (*Verifier)(nil)

// NewVerifier returns a Verifier for the keys of keys; optFns configure it
// as they configure [jose.NewVerifier]. Keys resolved through a Keyring are
// looked up with context.Background() (go-jose passes none).
func NewVerifier(keys jose.KeySet, optFns ...func(*jose.VerifierOptions)) *Verifier {
	return &Verifier{v: jose.NewVerifier(keys, optFns...)}
}

// VerifyPayload is called by go-jose with the signing input (ASCII of the
// protected header and payload, base64url, joined by '.'), the signature
// and the header's algorithm. It reads the protected header from the
// signing input, picks the key its "kid" names and verifies with
// [jose.Verifier.VerifyParts]; refusals are [*jose.Error] values wrapping
// KMS's exceptions where KMS would refuse.
func (v *Verifier) VerifyPayload(payload []byte, signature []byte, alg gojose.SignatureAlgorithm) error {
	_, err := v.v.VerifyParts(context.Background(), string(alg), payload, signature)
	return err
}

// go-jose reports every failed OpaqueVerifier as ErrCryptoFailure, which
// loses kmspub's reason and KMS's exception. Verify and Claims run the same
// go-jose calls with a recorder in the verifier's place and return kmspub's
// error instead.
type recorder struct {
	v   *Verifier
	err error
}

func (r *recorder) VerifyPayload(payload []byte, signature []byte, alg gojose.SignatureAlgorithm) error {
	r.err = r.v.VerifyPayload(payload, signature, alg)
	return r.err
}

// Verify is jws.Verify(v), returning kmspub's [*jose.Error] (with KMS's
// exception) where go-jose would say only ErrCryptoFailure.
func (v *Verifier) Verify(jws *gojose.JSONWebSignature) ([]byte, error) {
	r := &recorder{v: v}
	payload, err := jws.Verify(r)
	if err != nil && r.err != nil {
		return nil, r.err
	}
	return payload, err
}

// Claims is tok.Claims(v, dest...), returning kmspub's [*jose.Error] where
// go-jose would say only ErrCryptoFailure.
func (v *Verifier) Claims(tok *jwt.JSONWebToken, dest ...any) error {
	r := &recorder{v: v}
	err := tok.Claims(r, dest...)
	if err != nil && r.err != nil {
		return r.err
	}
	return err
}

// Signer is a go-jose OpaqueSigner that signs through KMS Sign with a
// [jose.Signer].
type Signer struct {
	ctx context.Context
	s   *jose.Signer
}

var _ gojose.OpaqueSigner = (*Signer)(nil)

// NewSigner returns an OpaqueSigner for s. go-jose's interface carries no
// context, so every KMS Sign call it makes uses ctx.
func NewSigner(ctx context.Context, s *jose.Signer) *Signer { return &Signer{ctx: ctx, s: s} }

// Public returns the key's public JWK, with the signer's "kid" (which
// go-jose then writes into the header) and algorithm.
func (s *Signer) Public() *gojose.JSONWebKey {
	k := s.s.PublicKey()
	return &gojose.JSONWebKey{Key: k.CryptoPublicKey(), KeyID: s.s.KeyID(), Algorithm: s.s.Algorithm(), Use: "sig"}
}

// Algs returns the signer's one algorithm.
func (s *Signer) Algs() []gojose.SignatureAlgorithm {
	return []gojose.SignatureAlgorithm{gojose.SignatureAlgorithm(s.s.Algorithm())}
}

// SignPayload signs the signing input go-jose gives through KMS Sign.
func (s *Signer) SignPayload(payload []byte, alg gojose.SignatureAlgorithm) ([]byte, error) {
	if string(alg) != s.s.Algorithm() {
		return nil, errors.New("gojose: the signer signs " + s.s.Algorithm() + ", not " + string(alg))
	}
	return s.s.SignSigningInput(s.ctx, payload)
}
