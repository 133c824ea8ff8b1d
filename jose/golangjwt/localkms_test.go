package golangjwt_test

import (
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/localkmstest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/golangjwt"
)

// TestLocalKMSTokensInGolangJWT: JWTs signed through local-kms by kmspub's
// signer verify in golang-jwt's own verifier, given only the JWK kmspub
// exported (decoded with the standard library, since golang-jwt has no JWK
// parser), and through the adapter. golang-jwt has no ES256K: the
// secp256k1 token verifies through the adapter only.
func TestLocalKMSTokensInGolangJWT(t *testing.T) {
	client := localkmstest.Client(t)
	for _, c := range josetest.LocalKMSAlgorithms {
		t.Run(string(c.Spec), func(t *testing.T) {
			key := josetest.LocalKMSKey(t, client, c.Spec)
			jwk, err := jose.NewJWK(key)
			if err != nil {
				t.Fatal(err)
			}
			exported, _ := json.Marshal(jwk)
			for _, alg := range c.Algs {
				s, err := jose.NewSigner(client, key, alg)
				if err != nil {
					t.Fatal(err)
				}
				tok, err := golangjwt.Sign(localkmstest.Context(t), s, jwt.MapClaims{"sub": "local-kms", "alg-under-test": alg})
				if err != nil {
					t.Fatalf("%s: %v", alg, err)
				}
				if _, err := jwt.Parse(tok, golangjwt.Keyfunc(jose.StaticKeys(key))); err != nil {
					t.Errorf("%s through the adapter: %v", alg, err)
				}
				if alg == "ES256K" {
					continue
				}
				// golang-jwt's own verifier with the crypto key from the JWK.
				pub := cryptoKeyFromJWK(t, exported)
				parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return pub, nil }, jwt.WithValidMethods([]string{alg}))
				if err != nil || !parsed.Valid {
					t.Errorf("%s in golang-jwt's own verifier: %v", alg, err)
				}
				if parsed != nil && parsed.Header["kid"] != jwk.KeyID {
					t.Errorf("%s: kid %v, JWK kid %s", alg, parsed.Header["kid"], jwk.KeyID)
				}
			}
		})
	}
}
