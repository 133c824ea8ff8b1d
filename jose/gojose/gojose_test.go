package gojose_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	libjose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/gojose"
)

// go-jose's own algorithms among kmspub's (on Go 1.26: no ML-DSA, and it
// has no ES256K and no "Ed25519" name).
var libraryAlgs = map[string]bool{"RS256": true, "RS384": true, "RS512": true, "PS256": true, "PS384": true, "PS512": true,
	"ES256": true, "ES384": true, "ES512": true, "EdDSA": true}

// librarySigned returns a compact JWT go-jose signs with the private test
// key of spec.
func librarySigned(t testing.TB, spec types.KeySpec, alg, kid string, claims any) string {
	t.Helper()
	opts := (&libjose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := libjose.NewSigner(libjose.SigningKey{Algorithm: libjose.SignatureAlgorithm(alg), Key: josetest.PrivateKey(t, spec)}, opts)
	if err != nil {
		t.Fatalf("go-jose %s: %v", alg, err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLibrarySignedTokensVerify(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			if !libraryAlgs[alg] {
				continue
			}
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				s := librarySigned(t, spec, alg, pub.KeyID(), jwt.Claims{Subject: "alice", Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))})
				v := gojose.NewVerifier(jose.StaticKeys(kmspubtest.SigningKey(t, types.KeySpecEccNistP384), pub))
				tok, err := jwt.ParseSigned(s, gojose.SignatureAlgorithms())
				if err != nil {
					t.Fatal(err)
				}
				var c jwt.Claims
				if err := tok.Claims(v, &c); err != nil {
					t.Fatal(err)
				}
				if err := c.Validate(jwt.Expected{Time: time.Now()}); err != nil || c.Subject != "alice" {
					t.Errorf("claims %+v: %v", c, err)
				}
				// The same token in the JWS JSON serialization.
				p := strings.Split(s, ".")
				flat, _ := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
				jws, err := libjose.ParseSignedJSON(string(flat), gojose.SignatureAlgorithms())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := jws.Verify(v); err != nil {
					t.Errorf("JSON serialization: %v", err)
				}
				bad := p[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`)) + "." + p[2]
				tok, _ = jwt.ParseSigned(bad, gojose.SignatureAlgorithms())
				if err := tok.Claims(v, &c); !errors.Is(err, libjose.ErrCryptoFailure) {
					t.Errorf("changed claims, go-jose's Claims: %v", err)
				}
				var invalid *types.KMSInvalidSignatureException
				if err := v.Claims(tok, &c); !errors.As(err, &invalid) {
					t.Errorf("changed claims, the adapter's Claims: %v", err)
				}
			})
		}
	}
}

// TestKMSSignerInLibrary: go-jose signs through the adapter's OpaqueSigner
// (a fake KMS) in every algorithm of every key, and verifies through the
// adapter — ES256K and ML-DSA included, which go-jose lacks here.
func TestKMSSignerInLibrary(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			s, err := jose.NewSigner(&josetest.FakeKMS{T: t, Spec: spec}, pub, alg)
			if err != nil {
				t.Fatal(err)
			}
			signer, err := libjose.NewSigner(libjose.SigningKey{Algorithm: libjose.SignatureAlgorithm(alg), Key: gojose.NewSigner(t.Context(), s)},
				(&libjose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			compact, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: "bob"}).Serialize()
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			tok, err := jwt.ParseSigned(compact, gojose.SignatureAlgorithms())
			if err != nil {
				t.Fatal(err)
			}
			var c jwt.Claims
			if err := tok.Claims(gojose.NewVerifier(jose.StaticKeys(pub)), &c); err != nil || c.Subject != "bob" || tok.Headers[0].KeyID != pub.KeyID() {
				t.Errorf("%s: %v, %+v", alg, err, tok.Headers[0])
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	rsaPub := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	valid := librarySigned(t, types.KeySpecEccNistP256, "ES256", "", jwt.Claims{Subject: "x"})
	parts := strings.Split(valid, ".")
	rs, _ := base64.RawURLEncoding.DecodeString(parts[2])
	enc := base64.RawURLEncoding.EncodeToString
	hs := func(secret []byte) string {
		in := enc([]byte(`{"alg":"HS256"}`)) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + enc(m.Sum(nil))
	}
	jwkJSON, _ := json.Marshal(mustJWK(t, p256))
	var usage *types.InvalidKeyUsageException
	var invalid *types.KMSInvalidSignatureException
	for _, c := range []struct {
		name  string
		keys  []*kmspub.PublicKey
		token string
		kind  error
		as    any
	}{
		{"alg none", []*kmspub.PublicKey{p256}, enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + "." + parts[2], jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the PEM", []*kmspub.PublicKey{p256}, hs(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p256.DER()})), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the DER", []*kmspub.PublicKey{p256}, hs(p256.DER()), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the JWK", []*kmspub.PublicKey{p256}, hs(jwkJSON), jose.ErrUnsupportedAlgorithm, nil},
		{"PS256 for a key offering only ES256", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecRsa2048, "PS256", "", jwt.Claims{}), jose.ErrKeyMismatch, &usage},
		{"ES256 with a DER signature", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + enc(josetest.DER(t, rs)), jose.ErrInvalidSignature, &invalid},
		{"R‖S of the wrong length", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + enc(rs[:60]), jose.ErrInvalidSignature, &invalid},
		{"a kid naming another key", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecEccNistP256, "ES256", rsaPub.KeyID(), jwt.Claims{}), jose.ErrUnknownKey, nil},
		{"a key without SIGN_VERIFY", []*kmspub.PublicKey{kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)},
			librarySigned(t, types.KeySpecRsa2048, "RS256", "", jwt.Claims{}), jose.ErrKeyMismatch, &usage},
	} {
		// Every algorithm go-jose knows is allowed at parse time, so that
		// the refusal is the adapter's.
		algs := append(gojose.SignatureAlgorithms(), libjose.HS256, "none")
		jws, err := libjose.ParseSignedCompact(c.token, algs)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		v := gojose.NewVerifier(jose.StaticKeys(c.keys...))
		if _, err := jws.Verify(v); err == nil {
			t.Errorf("%s: go-jose's Verify accepted it", c.name)
		}
		_, err = v.Verify(jws)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		if c.as != nil && !errors.As(err, c.as) {
			t.Errorf("%s: %v does not wrap %T", c.name, err, c.as)
		}
	}
	// An unknown crit: go-jose refuses it itself, before any key.
	signer, _ := libjose.NewSigner(libjose.SigningKey{Algorithm: libjose.ES256, Key: josetest.PrivateKey(t, types.KeySpecEccNistP256)},
		(&libjose.SignerOptions{}).WithHeader("x-policy", "strict").WithCritical("x-policy"))
	obj, err := signer.Sign([]byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	jws, err := libjose.ParseSignedCompact(s, gojose.SignatureAlgorithms())
	if err == nil {
		_, err = jws.Verify(gojose.NewVerifier(jose.StaticKeys(p256)))
	}
	if err == nil {
		t.Error("unknown crit: accepted")
	}
	// kmspub's own rule on the same signing input, as go-jose would hand it.
	p := strings.Split(s, ".")
	sig, _ := base64.RawURLEncoding.DecodeString(p[2])
	if err := gojose.NewVerifier(jose.StaticKeys(p256)).VerifyPayload([]byte(p[0]+"."+p[1]), sig, libjose.ES256); !errors.Is(err, jose.ErrCritical) {
		t.Errorf("unknown crit through VerifyPayload: %v", err)
	}
}

func mustJWK(t testing.TB, k *kmspub.PublicKey) *jose.JWK {
	t.Helper()
	j, err := jose.NewJWK(k)
	if err != nil {
		t.Fatal(err)
	}
	return j
}
