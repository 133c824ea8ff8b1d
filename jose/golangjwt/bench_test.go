package golangjwt_test

import (
	"crypto"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/golangjwt"
)

// BenchmarkVerify verifies one compact JWT (kid, typ, sub, exp) with
// golang-jwt's own verifier and a plain crypto.PublicKey (impl=bare), and
// with golang-jwt through the adapter and a kmspub key (impl=kmspub): the
// same parser, the same claims checks. (After this package's init, the bare
// side reaches golang-jwt's method through the adapter's fallback: one type
// switch.)
func BenchmarkVerify(b *testing.B) {
	for _, c := range []struct {
		spec types.KeySpec
		alg  string
	}{{types.KeySpecEccNistP256, "ES256"}, {types.KeySpecRsa2048, "RS256"}} {
		pub := kmspubtest.SigningKey(b, c.spec)
		tok := librarySigned(b, c.spec, c.alg, pub.KeyID(), jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(24 * time.Hour).Unix()})
		plain := josetest.PrivateKey(b, c.spec).(crypto.Signer).Public()
		parser := jwt.NewParser(jwt.WithValidMethods([]string{c.alg}))
		bareKeyfunc := func(*jwt.Token) (any, error) { return plain, nil }
		kmspubKeyfunc := golangjwt.Keyfunc(jose.StaticKeys(pub))
		verify := func(b *testing.B, keyfunc jwt.Keyfunc) {
			kmspubtest.BenchLoop(b, func() {
				if _, err := parser.Parse(tok, keyfunc); err != nil {
					b.Fatal(err)
				}
			})
		}
		kmspubtest.RunPair(b, "alg="+c.alg,
			func(b *testing.B) { verify(b, bareKeyfunc) },
			func(b *testing.B) { verify(b, kmspubKeyfunc) })
	}
}
