package jwx_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/jwx"
)

// jwx's own algorithms among kmspub's, in a build without jwx_es256k: it
// has no ES256K then, and no ML-DSA at all. It does have RFC 9864's
// "Ed25519".
var libraryAlgs = map[string]jwa.SignatureAlgorithm{
	"RS256": jwa.RS256(), "RS384": jwa.RS384(), "RS512": jwa.RS512(), "PS256": jwa.PS256(), "PS384": jwa.PS384(), "PS512": jwa.PS512(),
	"ES256": jwa.ES256(), "ES384": jwa.ES384(), "ES512": jwa.ES512(), "EdDSA": jwa.EdDSA(), "Ed25519": jwa.EdDSAEd25519(),
}

// librarySigned returns a compact JWT jwx signs with the private test key
// of spec.
func librarySigned(t testing.TB, spec types.KeySpec, alg, kid string, tok jwt.Token) string {
	t.Helper()
	hdrs := jws.NewHeaders()
	if kid != "" {
		hdrs.Set(jws.KeyIDKey, kid)
	}
	out, err := jwt.Sign(tok, jwt.WithKey(libraryAlgs[alg], josetest.PrivateKey(t, spec), jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatalf("jwx %s: %v", alg, err)
	}
	return string(out)
}

func claims(sub string, exp time.Time) jwt.Token {
	tok, err := jwt.NewBuilder().Subject(sub).Expiration(exp).Build()
	if err != nil {
		panic(err)
	}
	return tok
}

func TestLibrarySignedTokensVerify(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			if _, ok := libraryAlgs[alg]; !ok {
				continue
			}
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				s := librarySigned(t, spec, alg, pub.KeyID(), claims("alice", time.Now().Add(time.Hour)))
				kp := jwx.KeyProvider(jose.StaticKeys(kmspubtest.SigningKey(t, types.KeySpecEccNistP256), pub))
				tok, err := jwt.Parse([]byte(s), jwt.WithKeyProvider(kp))
				if err != nil {
					t.Fatal(err)
				}
				if sub, _ := tok.Subject(); sub != "alice" {
					t.Errorf("sub %q", sub)
				}
				if _, err := jws.Verify([]byte(s), jws.WithKey(libraryAlgs[alg], pub)); err != nil {
					t.Errorf("jws.WithKey(alg, *kmspub.PublicKey): %v", err)
				}
				p := strings.Split(s, ".")
				bad := p[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`)) + "." + p[2]
				var invalid *types.KMSInvalidSignatureException
				if _, err := jwt.Parse([]byte(bad), jwt.WithKeyProvider(kp)); !errors.As(err, &invalid) {
					t.Errorf("changed claims: %v", err)
				}
			})
		}
	}
}

// TestKMSSignerInLibrary: jwx signs through the adapter (a fake KMS) in
// every algorithm of every key — ES256K and ML-DSA included, which this
// jwx build lacks — and verifies through the adapter.
func TestKMSSignerInLibrary(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			s, err := jose.NewSigner(&josetest.FakeKMS{T: t, Spec: spec}, pub, alg)
			if err != nil {
				t.Fatal(err)
			}
			out, err := jwx.SignJWT(t.Context(), s, claims("bob", time.Now().Add(time.Hour)))
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			tok, err := jwt.Parse(out, jwt.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(pub))))
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			if sub, _ := tok.Subject(); sub != "bob" {
				t.Errorf("%s: sub %q", alg, sub)
			}
			msg, _ := jws.Parse(out)
			if kid, _ := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid != pub.KeyID() {
				t.Errorf("%s: kid %q", alg, kid)
			}
		}
	}
}

func TestRefusals(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	rsaPub := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	valid := librarySigned(t, types.KeySpecEccNistP256, "ES256", "", claims("x", time.Now().Add(time.Hour)))
	parts := strings.Split(valid, ".")
	rs, _ := base64.RawURLEncoding.DecodeString(parts[2])
	enc := base64.RawURLEncoding.EncodeToString
	hs := func(secret []byte) string {
		in := enc([]byte(`{"alg":"HS256"}`)) + "." + parts[1]
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + enc(m.Sum(nil))
	}
	j, _ := jose.NewJWK(p256)
	jwkJSON, _ := json.Marshal(j)
	critHdr := jws.NewHeaders()
	critHdr.Set("x-policy", "strict")
	critHdr.Set(jws.CriticalKey, []string{"x-policy"})
	critTok, err := jws.Sign([]byte(parts[1]), jws.WithKey(jwa.ES256(), josetest.PrivateKey(t, types.KeySpecEccNistP256), jws.WithProtectedHeaders(critHdr)))
	if err != nil {
		t.Fatal(err)
	}
	var usage *types.InvalidKeyUsageException
	var invalid *types.KMSInvalidSignatureException
	for _, c := range []struct {
		name  string
		keys  []*kmspub.PublicKey
		token string
		kind  error
		as    any
	}{
		{"alg none", []*kmspub.PublicKey{p256}, enc([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the PEM", []*kmspub.PublicKey{p256}, hs(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: p256.DER()})), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the DER", []*kmspub.PublicKey{p256}, hs(p256.DER()), jose.ErrUnsupportedAlgorithm, nil},
		{"HS256 keyed with the JWK", []*kmspub.PublicKey{p256}, hs(jwkJSON), jose.ErrUnsupportedAlgorithm, nil},
		{"PS256 for a key offering only ES256", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecRsa2048, "PS256", "", claims("x", time.Now().Add(time.Hour))), jose.ErrKeyMismatch, &usage},
		{"ES256 with a DER signature", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + enc(josetest.DER(t, rs)), jose.ErrInvalidSignature, &invalid},
		{"R‖S of the wrong length", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + enc(append(rs, 0)), jose.ErrInvalidSignature, &invalid},
		{"a kid naming another key", []*kmspub.PublicKey{p256}, librarySigned(t, types.KeySpecEccNistP256, "ES256", rsaPub.KeyID(), claims("x", time.Now().Add(time.Hour))), jose.ErrUnknownKey, nil},
		{"an unknown crit", []*kmspub.PublicKey{p256}, string(critTok), jose.ErrCritical, nil},
		{"a key without SIGN_VERIFY", []*kmspub.PublicKey{kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)},
			librarySigned(t, types.KeySpecRsa2048, "RS256", "", claims("x", time.Now().Add(time.Hour))), jose.ErrKeyMismatch, &usage},
	} {
		_, err := jws.Verify([]byte(c.token), jws.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(c.keys...))))
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		if c.as != nil && !errors.As(err, c.as) {
			t.Errorf("%s: %v does not wrap %T", c.name, err, c.as)
		}
	}
	// jwx's claim checks still apply.
	expired := librarySigned(t, types.KeySpecEccNistP256, "ES256", "", claims("x", time.Now().Add(-time.Hour)))
	if _, err := jwt.Parse([]byte(expired), jwt.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(p256)))); err == nil {
		t.Error("expired token accepted")
	}
}

// Keys that are not kmspub's go to jwx's own verifiers and signers.
func TestOtherKeysUnchanged(t *testing.T) {
	priv := josetest.PrivateKey(t, types.KeySpecRsa2048)
	out, err := jwt.Sign(claims("x", time.Now().Add(time.Hour)), jwt.WithKey(jwa.PS256(), priv))
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := jwk.PublicRawKeyOf(priv)
	if _, err := jwt.Parse(out, jwt.WithKey(jwa.PS256(), pub)); err != nil {
		t.Errorf("PS256 with an *rsa.PublicKey: %v", err)
	}
}

// TestJWKSInJWX: the JWKS document the handler serves, for every key spec
// with a JOSE form, parses with jwx's jwk.Parse (secp256k1 and AKP keys
// kept as jwk.UnsupportedKey placeholders, in non-strict mode, since this
// build of jwx has neither), and jwx verifies tokens by kid with it.
func TestJWKSInJWX(t *testing.T) {
	var keys []*kmspub.PublicKey
	for _, s := range josetest.SigningSpecs {
		keys = append(keys, kmspubtest.SigningKey(t, s))
	}
	w := httptest.NewRecorder()
	jose.NewJWKSHandler(jose.StaticKeys(keys...)).ServeHTTP(w, httptest.NewRequest("GET", jose.JWKSPath, nil))
	set, err := jwk.Parse(w.Body.Bytes(), jwk.WithStrictKeySetParsing(false))
	if err != nil {
		t.Fatalf("jwk.Parse: %v", err)
	}
	if set.Len() != len(keys) {
		t.Fatalf("%d keys", set.Len())
	}
	for i, spec := range josetest.SigningSpecs {
		k, ok := set.LookupKeyID(keys[i].KeyID())
		if !ok {
			t.Fatalf("%s: no key with kid %s", spec, keys[i].KeyID())
		}
		unsupported := jwk.IsUnsupportedKey(k)
		if want := spec == types.KeySpecEccSecgP256k1 || strings.HasPrefix(string(spec), "ML_DSA"); unsupported != want {
			t.Errorf("%s: unsupported %v", spec, unsupported)
		}
		if unsupported {
			continue
		}
		alg := jose.KeyAlgorithms(keys[i])[0]
		tok := librarySigned(t, spec, alg, keys[i].KeyID(), claims("by-kid", time.Now().Add(time.Hour)))
		// The RSA keys have no "alg" (they offer six): jwx takes it from
		// the token, within what the key type allows.
		if _, err := jwt.Parse([]byte(tok), jwt.WithKeySet(set, jws.WithInferAlgorithmFromKey(true))); err != nil {
			t.Errorf("%s: jwx verifying with the JWKS: %v", spec, err)
		}
	}
}
