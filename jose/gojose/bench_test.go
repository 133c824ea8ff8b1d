package gojose_test

import (
	"crypto"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
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
	for _, c := range []struct {
		spec types.KeySpec
		alg  string
	}{{types.KeySpecEccNistP256, "ES256"}, {types.KeySpecRsa2048, "RS256"}} {
		pub := kmspubtest.SigningKey(b, c.spec)
		tok := librarySigned(b, c.spec, c.alg, pub.KeyID(), jwt.Claims{Subject: "alice", Expiry: jwt.NewNumericDate(time.Now().Add(24 * time.Hour))})
		plain := josetest.PrivateKey(b, c.spec).(crypto.Signer).Public()
		algs := []libjose.SignatureAlgorithm{libjose.SignatureAlgorithm(c.alg)}
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
		kmspubtest.RunPair(b, "alg="+c.alg,
			func(b *testing.B) { verify(b, plain) },
			func(b *testing.B) { verify(b, v) })
	}
}
