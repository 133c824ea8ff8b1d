package gojose_test

import (
	"testing"
	"time"

	libjose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/gojose"
)

// BenchmarkVerify verifies one compact JWT (kid, typ, sub, exp): parse and
// Claims with go-jose's own verifier and a plain crypto.PublicKey
// (impl=bare), and with the adapter's Verifier as go-jose's key
// (impl=kmspub).
func BenchmarkVerify(b *testing.B) {
	for _, c := range josetest.BenchAlgorithms {
		pub := kmspubtest.SigningKey(b, c.Spec)
		tok := librarySigned(b, c.Spec, c.Alg, pub.KeyID(), jwt.Claims{Subject: "alice", Expiry: jwt.NewNumericDate(time.Now().Add(24 * time.Hour))})
		plain := josetest.PlainPublicKey(b, c.Spec)
		algs := []libjose.SignatureAlgorithm{libjose.SignatureAlgorithm(c.Alg)}
		verify := func(b *testing.B, key any) {
			kmspubtest.BenchLoop(b, func() {
				t, err := jwt.ParseSigned(tok, algs)
				if err != nil {
					b.Fatal(err)
				}
				var claims jwt.Claims
				if err := t.Claims(key, &claims); err != nil {
					b.Fatal(err)
				}
			})
		}
		v := gojose.NewVerifier(jose.StaticKeys(pub))
		kmspubtest.RunPair(b, "alg="+c.Alg,
			func(b *testing.B) { verify(b, plain) },
			func(b *testing.B) { verify(b, v) })
	}
}
