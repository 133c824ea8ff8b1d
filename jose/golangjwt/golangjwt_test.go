package golangjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/golangjwt"
)

// golang-jwt's own signing methods, by JOSE name: every algorithm of
// kmspub's table that golang-jwt implements. (It has no ES256K, no ML-DSA
// and no "Ed25519" name.)
var libraryMethods = map[string]jwt.SigningMethod{
	"RS256": jwt.SigningMethodRS256, "RS384": jwt.SigningMethodRS384, "RS512": jwt.SigningMethodRS512,
	"PS256": jwt.SigningMethodPS256, "PS384": jwt.SigningMethodPS384, "PS512": jwt.SigningMethodPS512,
	"ES256": jwt.SigningMethodES256, "ES384": jwt.SigningMethodES384, "ES512": jwt.SigningMethodES512,
	"EdDSA": jwt.SigningMethodEdDSA,
}

// librarySigned returns a JWT golang-jwt signs with the private test key of
// spec under its own method for alg.
func librarySigned(t testing.TB, spec types.KeySpec, alg string, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(libraryMethods[alg], claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	key := josetest.PrivateKey(t, spec)
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("golang-jwt %s: %v", alg, err)
	}
	return s
}

// TestLibrarySignedTokensVerify: tokens golang-jwt signs with the test
// private keys, in every algorithm it has, verify through the adapter —
// with the key, with a key set, and through a Keyring.
func TestLibrarySignedTokensVerify(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			if libraryMethods[alg] == nil {
				continue
			}
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				s := librarySigned(t, spec, alg, pub.KeyID(), jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
				ring := kmspub.NewKeyring(nil)
				if err := ring.Add(pub); err != nil {
					t.Fatal(err)
				}
				for name, keyfunc := range map[string]jwt.Keyfunc{
					"Keyfunc(static)":  golangjwt.Keyfunc(jose.StaticKeys(kmspubtest.SigningKey(t, types.KeySpecEccNistP256), pub)),
					"Keyfunc(keyring)": golangjwt.Keyfunc(jose.NewKeyringKeys(ring, pub.KeyID())),
					"the key itself":   func(*jwt.Token) (any, error) { return pub, nil },
				} {
					tok, err := jwt.Parse(s, keyfunc)
					if err != nil || !tok.Valid {
						t.Fatalf("%s: %v", name, err)
					}
					if sub, _ := tok.Claims.GetSubject(); sub != "alice" {
						t.Errorf("%s: sub %q", name, sub)
					}
				}
				// A changed claim does not verify.
				parts := strings.Split(s, ".")
				bad := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`)) + "." + parts[2]
				_, err := jwt.Parse(bad, golangjwt.Keyfunc(jose.StaticKeys(pub)))
				var invalid *types.KMSInvalidSignatureException
				if !errors.Is(err, jwt.ErrTokenSignatureInvalid) || !errors.As(err, &invalid) {
					t.Errorf("changed claims: %v", err)
				}
			})
		}
	}
}

// TestKMSSignerInLibrary: the adapter signs through golang-jwt's own Token
// with every algorithm of every key (a fake KMS), including those golang-jwt
// lacks, and golang-jwt verifies through the adapter.
func TestKMSSignerInLibrary(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			s, err := jose.NewSigner(&josetest.FakeKMS{T: t, Spec: spec}, pub, alg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := golangjwt.Sign(t.Context(), s, jwt.MapClaims{"sub": "bob"})
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			parsed, err := jwt.Parse(tok, golangjwt.Keyfunc(jose.StaticKeys(pub)), jwt.WithValidMethods([]string{alg}))
			if err != nil || parsed.Header["kid"] != pub.KeyID() {
				t.Errorf("%s: %v %v", alg, err, parsed.Header)
			}
		}
	}
}

// The refusal list, through golang-jwt.
func TestRefusals(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	rsaPub := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	claims := jwt.MapClaims{"sub": "x"}
	valid := librarySigned(t, types.KeySpecEccNistP256, "ES256", "", claims)
	parts := strings.Split(valid, ".")
	rs, _ := base64.RawURLEncoding.DecodeString(parts[2])
	withSig := func(sig []byte) string {
		return parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	hs := func(secret []byte) string {
		in := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	jwk, _ := jose.NewJWK(p256)
	jwkJSON, _ := json.Marshal(jwk)
	var usage *types.InvalidKeyUsageException
	var invalid *types.KMSInvalidSignatureException
	for _, c := range []struct {
		name  string
		keys  []*kmspub.PublicKey
		token string
		kind  error
		as    any
	}{
		{"alg none", []*kmspub.PublicKey{p256}, base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the PEM", []*kmspub.PublicKey{p256}, hs(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p256.DER()})), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the DER", []*kmspub.PublicKey{p256}, hs(p256.DER()), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the JWK", []*kmspub.PublicKey{p256}, hs(jwkJSON), jose.ErrUnsupportedAlgorithm, nil},
		{"PS256 for a key offering only ES256", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecRsa2048, "PS256", "", claims), jose.ErrKeyMismatch, &usage},
		{"ES256 with a DER signature", []*kmspub.PublicKey{p256}, withSig(josetest.DER(t, rs)), jose.ErrInvalidSignature, &invalid},
		{"R‖S of the wrong length", []*kmspub.PublicKey{p256}, withSig(rs[:63]), jose.ErrInvalidSignature, &invalid},
		{"a kid naming another key", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecEccNistP256, "ES256", rsaPub.KeyID(), claims), jose.ErrUnknownKey, nil},
		{"an unknown crit", []*kmspub.PublicKey{p256}, critToken(t), jose.ErrCritical, nil},
		{"a key without SIGN_VERIFY", []*kmspub.PublicKey{kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)},
			librarySigned(t, types.KeySpecRsa2048, "RS256", "", claims), jose.ErrKeyMismatch, &usage},
	} {
		_, err := jwt.Parse(c.token, golangjwt.Keyfunc(jose.StaticKeys(c.keys...)))
		if err == nil || !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		if c.as != nil && !errors.As(err, c.as) {
			t.Errorf("%s: %v does not wrap %T", c.name, err, c.as)
		}
	}
	// golang-jwt's claim checks still apply after the signature.
	expired := librarySigned(t, types.KeySpecEccNistP256, "ES256", "", jwt.MapClaims{"exp": time.Now().Add(-time.Hour).Unix()})
	if _, err := jwt.Parse(expired, golangjwt.Keyfunc(jose.StaticKeys(p256))); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
}

func critToken(t *testing.T) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"sub": "x"})
	tok.Header["crit"] = []string{"x-policy"}
	tok.Header["x-policy"] = "strict"
	s, err := tok.SignedString(josetest.PrivateKey(t, types.KeySpecEccNistP256))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Keys that are not kmspub's go to golang-jwt's own methods, unchanged.
func TestOtherKeysUnchanged(t *testing.T) {
	priv := josetest.PrivateKey(t, types.KeySpecEccNistP256).(*ecdsa.PrivateKey)
	s, err := jwt.NewWithClaims(jwt.GetSigningMethod("ES256"), jwt.MapClaims{"sub": "x"}).SignedString(priv)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return &priv.PublicKey, nil }); err != nil {
		t.Errorf("ES256 with an *ecdsa.PublicKey: %v", err)
	}
	secret := []byte("an HMAC secret of the program's own")
	s, _ = jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{}).SignedString(secret)
	if _, err := jwt.Parse(s, func(*jwt.Token) (any, error) { return secret, nil }); err != nil {
		t.Errorf("HS256 with a []byte secret: %v", err)
	}
	if _, err := jwt.NewWithClaims(jwt.GetSigningMethod("ES256K"), jwt.MapClaims{}).SignedString(priv); !errors.Is(err, jwt.ErrInvalidKeyType) {
		t.Errorf("ES256K with a non-kmspub key: %v", err)
	}
}

// cryptoKeyFromJWK decodes a public JWK with the standard library, as a
// golang-jwt user does (golang-jwt has no JWK parser) — independently of
// kmspub's own JWK code.
func cryptoKeyFromJWK(t testing.TB, data []byte) crypto.PublicKey {
	t.Helper()
	var j map[string]string
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	b := func(name string) []byte {
		v, err := base64.RawURLEncoding.DecodeString(j[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	switch j["kty"] {
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(b("n")), E: int(new(big.Int).SetBytes(b("e")).Int64())}
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[j["crv"]]
		k, err := ecdsa.ParseUncompressedPublicKey(curve, append(append([]byte{4}, b("x")...), b("y")...))
		if err != nil {
			t.Fatal(err)
		}
		return k
	case "OKP":
		return ed25519.PublicKey(b("x"))
	}
	t.Fatalf("no key for kty %q", j["kty"])
	return nil
}
