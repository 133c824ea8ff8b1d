package jose_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

// Every test key with a JOSE form: its JWK, and back.
func TestJWKRoundTrip(t *testing.T) {
	cases := []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
		want  string // the JWK's fixed members, as JSON
	}{
		{"RSA_2048", "SIGN_VERIFY", `"kty":"RSA","use":"sig","kid":`},
		{"RSA_3072", "ENCRYPT_DECRYPT", `"kty":"RSA","use":"enc","kid":`},
		{"RSA_4096", "SIGN_VERIFY", `"kty":"RSA","use":"sig","kid":`},
		{"ECC_NIST_P256", "SIGN_VERIFY", `"kty":"EC","use":"sig","alg":"ES256","kid":`},
		{"ECC_NIST_P256", "KEY_AGREEMENT", `"kty":"EC","use":"enc","kid":`},
		{"ECC_NIST_P384", "SIGN_VERIFY", `"kty":"EC","use":"sig","alg":"ES384","kid":`},
		{"ECC_NIST_P521", "SIGN_VERIFY", `"kty":"EC","use":"sig","alg":"ES512","kid":`},
		{"ECC_SECG_P256K1", "SIGN_VERIFY", `"kty":"EC","use":"sig","alg":"ES256K","kid":`},
		{"ECC_NIST_EDWARDS25519", "SIGN_VERIFY", `"kty":"OKP","use":"sig","alg":"EdDSA","kid":`},
		{"ML_DSA_44", "SIGN_VERIFY", `"kty":"AKP","use":"sig","alg":"ML-DSA-44","kid":`},
		{"ML_DSA_65", "SIGN_VERIFY", `"kty":"AKP","use":"sig","alg":"ML-DSA-65","kid":`},
		{"ML_DSA_87", "SIGN_VERIFY", `"kty":"AKP","use":"sig","alg":"ML-DSA-87","kid":`},
	}
	for _, c := range cases {
		t.Run(string(c.spec)+"/"+string(c.usage), func(t *testing.T) {
			key := kmspubtest.Key(t, c.spec, c.usage)
			j, err := jose.NewJWK(key)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, []byte("{"+c.want+`"`+key.KeyID()+`"`)) {
				t.Errorf("JWK = %s, want it to start with {%s%q", out, c.want, key.KeyID())
			}
			parsed, err := jose.ParseJWK(out)
			if err != nil {
				t.Fatal(err)
			}
			back, err := parsed.Key()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.PublicKey.DER(), key.DER()) || back.PublicKey.KeySpec() != c.spec ||
				back.PublicKey.KeyUsage() != c.usage || back.PublicKey.KeyID() != key.KeyID() || back.ID != key.KeyID() {
				t.Errorf("JWK → key: %s %s %s %q", back.PublicKey.KeySpec(), back.PublicKey.KeyUsage(), back.PublicKey.KeyID(), back.ID)
			}
			tp, err := jose.Thumbprint(key)
			if err != nil {
				t.Fatal(err)
			}
			byThumb, err := jose.NewJWK(key, func(o *jose.JWKOptions) { o.ThumbprintKeyID = true })
			if err != nil || byThumb.KeyID != tp || len(tp) != 43 {
				t.Errorf("ThumbprintKeyID: kid %q, thumbprint %q, %v", byThumb.KeyID, tp, err)
			}
		})
	}
}

func TestJWKRefusesKeysWithoutJOSEForm(t *testing.T) {
	for _, c := range []struct {
		spec  types.KeySpec
		usage types.KeyUsageType
	}{{"SM2", "SIGN_VERIFY"}, {"SM2", "ENCRYPT_DECRYPT"}, {"ML_KEM_768", "ENCAPSULATE_DECAPSULATE"}} {
		if j, err := jose.NewJWK(kmspubtest.Key(t, c.spec, c.usage)); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
			t.Errorf("%s %s: %+v, %v", c.spec, c.usage, j, err)
		}
	}
	ph := withAlgorithms(t, types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519PhSha512)
	if _, err := jose.NewJWK(ph); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
		t.Errorf("Ed25519ph-only key: %v", err)
	}
}

// An RSA key that lists one algorithm gets "alg"; one encryption key too.
func TestJWKAlgFromTheKeysList(t *testing.T) {
	j, err := jose.NewJWK(withAlgorithms(t, types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha512))
	if err != nil || j.Algorithm != "PS512" {
		t.Errorf("RSA listing PSS_SHA_512: alg %q, %v", j.Algorithm, err)
	}
	back, err := j.Key()
	if err != nil {
		t.Fatal(err)
	}
	if got := back.PublicKey.SigningAlgorithms(); len(got) != 1 || got[0] != types.SigningAlgorithmSpecRsassaPssSha512 {
		t.Errorf("JWK with alg PS512 → SigningAlgorithms %v", got)
	}
}

// RFC 7638 §3.1's example, RFC 8037 Appendix A.3's, and RFC 9964's
// ML-DSA-44 example (testdata/jose/ML_DSA_44.jose.json, whose "kid" is
// the thumbprint).
func TestThumbprintVectors(t *testing.T) {
	for _, c := range []struct{ jwk, want string }{
		{`{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`,
			"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		{`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
			"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"},
	} {
		j, err := jose.ParseJWK([]byte(c.jwk))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := j.Thumbprint(); err != nil || got != c.want {
			t.Errorf("Thumbprint = %q, %v; want %q", got, err, c.want)
		}
		k, err := j.Key()
		if err != nil {
			t.Fatal(err)
		}
		if got := thumbprint(t, k.PublicKey); got != c.want {
			t.Errorf("Thumbprint(key) = %q, want %q", got, c.want)
		}
	}
	v := draftVector(t)
	j, err := jose.ParseJWK(v.JWK)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := j.Thumbprint(); err != nil || got != j.KeyID {
		t.Errorf("ML-DSA-44 thumbprint %q, %v; want the vector's kid %q", got, err, j.KeyID)
	}
}

func TestParseJWKRefusals(t *testing.T) {
	p256, _ := jose.NewJWK(kmspubtest.SigningKey(t, types.KeySpecEccNistP256))
	good, _ := json.Marshal(p256)
	with := func(member string, value any) string {
		var m map[string]any
		json.Unmarshal(good, &m)
		if value == nil {
			delete(m, member)
		} else {
			m[member] = value
		}
		out, _ := json.Marshal(m)
		return string(out)
	}
	rsa, _ := jose.NewJWK(kmspubtest.SigningKey(t, types.KeySpecRsa2048))
	for name, c := range map[string]struct {
		jwk    string
		secret string // must not appear in the error
	}{
		"private EC key":                  {with("d", "c2VjcmV0LWQtdmFsdWU"), "c2VjcmV0LWQtdmFsdWU"},
		"symmetric key":                   {`{"kty":"oct","k":"c2VjcmV0LWstdmFsdWU"}`, "c2VjcmV0LWstdmFsdWU"},
		"AKP private seed":                {`{"kty":"AKP","alg":"ML-DSA-44","pub":"AA","priv":"c2VjcmV0LXNlZWQ"}`, "c2VjcmV0LXNlZWQ"},
		"short x":                         {with("x", p256.X[1:]), ""},
		"padded x":                        {with("x", p256.X+"="), ""},
		"unknown curve":                   {with("crv", "P-192"), ""},
		"no kty":                          {with("kty", nil), ""},
		"unknown kty":                     {with("kty", "XYZ"), ""},
		"X25519":                          {`{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`, ""},
		"AKP without alg":                 {`{"kty":"AKP","pub":"AAAA"}`, ""},
		"use and key_ops differ":          {with("key_ops", []string{"encrypt"}), ""},
		"use unknown":                     {with("use", "both"), ""},
		"alg of another curve":            {with("alg", "ES384"), ""},
		"alg HS256":                       {with("alg", "HS256"), ""},
		"kty not a string":                {with("kty", 1), ""},
		"duplicate member":                {`{"kty":"EC","kty":"EC","crv":"P-256","x":"` + p256.X + `","y":"` + p256.Y + `"}`, ""},
		"off the curve":                   {with("y", p256.X), ""},
		"RSA modulus with a leading zero": {`{"kty":"RSA","e":"AQAB","n":"AA` + rsa.N + `"}`, ""},
		"RSA 1024-bit":                    {`{"kty":"RSA","e":"AQAB","n":"` + rsa.N[:171] + `"}`, ""},
		"not JSON":                        {`kty=EC`, ""},
		"array":                           {`[` + string(good) + `]`, ""},
	} {
		j, err := jose.ParseJWK([]byte(c.jwk))
		if err == nil {
			_, err = j.Key()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if c.secret != "" && strings.Contains(err.Error(), c.secret) {
			t.Errorf("%s: the error quotes the private value: %v", name, err)
		}
	}
}

func TestJWKSRoundTrip(t *testing.T) {
	var keys []jose.Key
	for _, spec := range josetest.SigningSpecs {
		keys = append(keys, jose.Key{PublicKey: kmspubtest.SigningKey(t, spec)})
	}
	keys[0].ID = "my-own-kid"
	set, err := jose.NewJWKS(keys)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(set)
	parsed, err := jose.ParseJWKS(out)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := parsed.KeySet()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ks.Keys(t.Context())
	if len(got) != len(keys) || got[0].ID != "my-own-kid" {
		t.Fatalf("KeySet has %d keys, first ID %q", len(got), got[0].ID)
	}
	for i := range keys {
		if !bytes.Equal(got[i].PublicKey.DER(), keys[i].PublicKey.DER()) {
			t.Errorf("key %d differs", i)
		}
	}
	// A verifier built from the set honours the custom kid.
	tok := josetest.Compact(t, keys[0].PublicKey.KeySpec(), map[string]any{"alg": "RS256", "kid": "my-own-kid"}, []byte("{}"))
	if _, err := jose.NewVerifier(ks).Verify(t.Context(), []byte(tok)); err != nil {
		t.Errorf("token with the JWK's own kid: %v", err)
	}
	// Unusable JWKs are skipped (RFC 7517 §5); private ones are not.
	mixed := `{"keys":[{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},` + string(mustJSON(set.Keys[3])) + `]}`
	ms, err := jose.ParseJWKS([]byte(mixed))
	if err != nil {
		t.Fatal(err)
	}
	if ks, err := ms.KeySet(); err != nil {
		t.Errorf("set with one unusable key: %v", err)
	} else if k, _ := ks.Keys(t.Context()); len(k) != 1 {
		t.Errorf("set with one unusable key: %d keys", len(k))
	}
	if _, err := jose.ParseJWKS([]byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`)); err == nil {
		t.Error("JWK Set holding a secret key accepted")
	}
	for _, bad := range []string{`{}`, `{"keys":{}}`, `{"keys":[1]}`, `{"keys":[],"keys":[]}`} {
		if _, err := jose.ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("ParseJWKS(%s) accepted", bad)
		}
	}
}

func mustJSON(v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return out
}
