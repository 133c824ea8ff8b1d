package jwx_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/localkmstest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/jwx"
)

// localKMSTokens signs a JWT through local-kms with a new key of spec, for
// each algorithm, and returns the tokens with the JWK kmspub exports for
// the key.
func localKMSTokens(t *testing.T, spec types.KeySpec, algs ...string) (key *kmspub.PublicKey, exported []byte, tokens map[string][]byte) {
	t.Helper()
	client := localkmstest.Client(t)
	key = josetest.LocalKMSKey(t, client, spec)
	j, err := jose.NewJWK(key)
	if err != nil {
		t.Fatal(err)
	}
	exported, _ = json.Marshal(j)
	tokens = map[string][]byte{}
	for _, alg := range algs {
		s, err := jose.NewSigner(client, key, alg)
		if err != nil {
			t.Fatal(err)
		}
		if tokens[alg], err = jwx.SignJWT(localkmstest.Context(t), s, claims("local-kms", time.Now().Add(time.Hour))); err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
	}
	return key, exported, tokens
}

// TestLocalKMSTokensInJWX: JWTs signed through local-kms by kmspub's signer
// verify in jwx's own verifier given only the JWK kmspub exported, parsed
// by jwx's jwk.ParseKey; and through the adapter. (ES256K, which jwx has
// only with -tags jwx_es256k, is TestLocalKMSES256KInJWX.)
func TestLocalKMSTokensInJWX(t *testing.T) {
	for _, c := range josetest.LocalKMSAlgorithms {
		if c.Spec == types.KeySpecEccSecgP256k1 {
			continue // TestLocalKMSES256KInJWX
		}
		t.Run(string(c.Spec), func(t *testing.T) {
			key, exported, tokens := localKMSTokens(t, c.Spec, c.Algs...)
			libKey, err := jwk.ParseKey(exported)
			if err != nil {
				t.Fatalf("jwk.ParseKey: %v", err)
			}
			if kid, _ := libKey.KeyID(); kid != key.KeyID() {
				t.Errorf("kid %q", kid)
			}
			for alg, tok := range tokens {
				if _, err := jwt.Parse(tok, jwt.WithKey(libraryAlgs[alg], libKey)); err != nil {
					t.Errorf("%s in jwx's own verifier: %v", alg, err)
				}
				if _, err := jwt.Parse(tok, jwt.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(key)))); err != nil {
					t.Errorf("%s through the adapter: %v", alg, err)
				}
			}
		})
	}
}
