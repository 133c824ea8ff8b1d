package golangjwt_test

import (
	"testing"
	"time"

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
	for _, c := range josetest.BenchAlgorithms {
		pub := kmspubtest.SigningKey(b, c.Spec)
		tok := librarySigned(b, c.Spec, c.Alg, pub.KeyID(), jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(24 * time.Hour).Unix()})
		plain := josetest.PlainPublicKey(b, c.Spec)
		parser := jwt.NewParser(jwt.WithValidMethods([]string{c.Alg}))
		bareKeyfunc := func(*jwt.Token) (any, error) { return plain, nil }
		kmspubKeyfunc := golangjwt.Keyfunc(jose.StaticKeys(pub))
		verify := func(b *testing.B, keyfunc jwt.Keyfunc) {
			kmspubtest.BenchLoop(b, func() {
				if _, err := parser.Parse(tok, keyfunc); err != nil {
					b.Fatal(err)
				}
			})
		}
		kmspubtest.RunPair(b, "alg="+c.Alg,
			func(b *testing.B) { verify(b, bareKeyfunc) },
			func(b *testing.B) { verify(b, kmspubKeyfunc) })
	}
}
