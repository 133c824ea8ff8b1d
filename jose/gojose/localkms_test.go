package gojose_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	libjose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/localkmstest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/gojose"
)

// TestLocalKMSTokensInGoJose: JWTs signed through local-kms by kmspub's
// signer (as a go-jose OpaqueSigner) verify in go-jose's own verifier
// given only the JWK kmspub exported, parsed by go-jose's JWK parser; and
// through the adapter. go-jose has no secp256k1: its JWK parser refuses
// the ES256K key, and that token verifies through the adapter only.
func TestLocalKMSTokensInGoJose(t *testing.T) {
	client := localkmstest.Client(t)
	for _, c := range josetest.LocalKMSAlgorithms {
		t.Run(string(c.Spec), func(t *testing.T) {
			key := josetest.LocalKMSKey(t, client, c.Spec)
			exported, err := json.Marshal(mustJWK(t, key))
			if err != nil {
				t.Fatal(err)
			}
			var libJWK libjose.JSONWebKey
			libErr := libJWK.UnmarshalJSON(exported)
			if c.Spec == types.KeySpecEccSecgP256k1 {
				if libErr == nil {
					t.Error("go-jose parsed a secp256k1 JWK; this test expects it not to")
				}
			} else if libErr != nil || !libJWK.Valid() || libJWK.KeyID != key.KeyID() {
				t.Fatalf("go-jose's JWK parser: %v (kid %q)", libErr, libJWK.KeyID)
			}
			for _, alg := range c.Algs {
				s, err := jose.NewSigner(client, key, alg)
				if err != nil {
					t.Fatal(err)
				}
				signer, err := libjose.NewSigner(libjose.SigningKey{Algorithm: libjose.SignatureAlgorithm(alg), Key: gojose.NewSigner(localkmstest.Context(t), s)}, nil)
				if err != nil {
					t.Fatal(err)
				}
				compact, err := jwt.Signed(signer).Claims(jwt.Claims{Subject: "local-kms"}).Serialize()
				if err != nil {
					t.Fatalf("%s: %v", alg, err)
				}
				tok, err := jwt.ParseSigned(compact, gojose.SignatureAlgorithms())
				if err != nil {
					t.Fatal(err)
				}
				var claims jwt.Claims
				if err := gojose.NewVerifier(jose.StaticKeys(key)).Claims(tok, &claims); err != nil {
					t.Errorf("%s through the adapter: %v", alg, err)
				}
				if libErr != nil {
					continue
				}
				// go-jose's own verifier, with the key from the JWK.
				claims = jwt.Claims{}
				if err := tok.Claims(&libJWK, &claims); err != nil || claims.Subject != "local-kms" {
					t.Errorf("%s in go-jose's own verifier: %v", alg, err)
				}
			}
		})
	}
}

// TestJWKSInGoJose: the JWKS document the handler serves parses with
// go-jose's JSONWebKeySet and verifies tokens by kid in go-jose's own
// verifier — for the keys go-jose supports (a set holding a secp256k1 or an
// AKP key does not parse in go-jose 4.1.9 on Go 1.26: it refuses the whole
// set).
func TestJWKSInGoJose(t *testing.T) {
	specs := []types.KeySpec{types.KeySpecRsa2048, types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecEccNistP521, types.KeySpecEccNistEdwards25519}
	var keys []*kmspub.PublicKey
	for _, s := range specs {
		keys = append(keys, kmspubtest.SigningKey(t, s))
	}
	w := httptest.NewRecorder()
	jose.NewJWKSHandler(jose.StaticKeys(keys...)).ServeHTTP(w, httptest.NewRequest("GET", jose.JWKSPath, nil))
	var set libjose.JSONWebKeySet
	if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil {
		t.Fatalf("go-jose's JWKS parser: %v", err)
	}
	if len(set.Keys) != len(keys) {
		t.Fatalf("%d keys", len(set.Keys))
	}
	for i, s := range specs {
		if got := set.Key(keys[i].KeyID()); len(got) != 1 || got[0].Use != "sig" {
			t.Errorf("%s: Key(kid) = %+v", s, got)
		}
		alg := jose.KeyAlgorithms(keys[i])[0]
		tok := librarySigned(t, s, alg, keys[i].KeyID(), jwt.Claims{Subject: "by-kid"})
		parsed, err := jwt.ParseSigned(tok, gojose.SignatureAlgorithms())
		if err != nil {
			t.Fatal(err)
		}
		var claims jwt.Claims
		if err := parsed.Claims(&set, &claims); err != nil || claims.Subject != "by-kid" {
			t.Errorf("%s: go-jose verifying with the JWKS: %v", s, err)
		}
	}
	for _, s := range []types.KeySpec{types.KeySpecEccSecgP256k1, types.KeySpecMlDsa65} {
		w := httptest.NewRecorder()
		jose.NewJWKSHandler(jose.StaticKeys(kmspubtest.SigningKey(t, s))).ServeHTTP(w, httptest.NewRequest("GET", jose.JWKSPath, nil))
		if err := json.Unmarshal(w.Body.Bytes(), &set); err == nil {
			t.Errorf("%s: go-jose now parses this JWKS; update the documentation", s)
		}
	}
}
