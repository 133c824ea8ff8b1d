//go:build jwx_es256k

package jwx_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/jwx"
)

// TestLocalKMSES256KInJWX: an ES256K JWT signed through local-kms by
// kmspub's signer verifies in jwx's own ES256K verifier (which needs
// -tags jwx_es256k), given only the JWK kmspub exported.
func TestLocalKMSES256KInJWX(t *testing.T) {
	_, exported, tokens := localKMSTokens(t, types.KeySpecEccSecgP256k1, "ES256K")
	libKey, err := jwk.ParseKey(exported)
	if err != nil {
		t.Fatalf("jwk.ParseKey: %v", err)
	}
	if crv, _ := libKey.(jwk.ECDSAPublicKey).Crv(); crv != jwa.Secp256k1() {
		t.Fatalf("curve %v", crv)
	}
	if _, err := jwt.Parse(tokens["ES256K"], jwt.WithKey(jwa.ES256K(), libKey)); err != nil {
		t.Errorf("ES256K in jwx's own verifier: %v", err)
	}
}

// TestES256KLibrarySigned: ES256K JWTs jwx signs with the secp256k1 test
// private key verify through the adapter.
func TestES256KLibrarySigned(t *testing.T) {
	pub := kmspubtest.SigningKey(t, types.KeySpecEccSecgP256k1)
	hdrs := jws.NewHeaders()
	hdrs.Set(jws.KeyIDKey, pub.KeyID())
	out, err := jwt.Sign(claims("alice", time.Now().Add(time.Hour)),
		jwt.WithKey(jwa.ES256K(), josetest.ECDSAPrivateKey(t, types.KeySpecEccSecgP256k1), jws.WithProtectedHeaders(hdrs)))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse(out, jwt.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(pub))))
	if err != nil {
		t.Fatal(err)
	}
	if sub, _ := tok.Subject(); sub != "alice" {
		t.Errorf("sub %q", sub)
	}
}
