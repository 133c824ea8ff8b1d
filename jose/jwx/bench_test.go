package jwx_test

import (
	"context"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/jwx"
)

// BenchmarkVerify verifies one compact JWT (kid, typ, sub, exp) with jwx's
// jwt.Parse, through each of the two ways jwx takes keys, with jwx's own
// verifier and a plain crypto.PublicKey (impl=bare; reached through the
// adapter's fallback: one type switch) and through the adapter
// (impl=kmspub):
//
//	api=WithKey      jwt.WithKey(alg, key): the plain key, or the *kmspub.PublicKey
//	api=KeyProvider  jwt.WithKeyProvider: a provider giving the plain key, or jwx.KeyProvider
//
// (jwx verifies WithKey on a faster path than key providers, for both.)
func BenchmarkVerify(b *testing.B) {
	for _, c := range josetest.BenchAlgorithms {
		pub := kmspubtest.SigningKey(b, c.Spec)
		tok := []byte(librarySigned(b, c.Spec, c.Alg, pub.KeyID(), claims("alice", time.Now().Add(24*time.Hour))))
		plain := josetest.PlainPublicKey(b, c.Spec)
		alg := libraryAlgs[c.Alg]
		plainProvider := jws.KeyProviderFunc(func(_ context.Context, sink jws.KeySink, _ *jws.Signature, _ *jws.Message) error {
			sink.Key(alg, plain)
			return nil
		})
		verify := func(b *testing.B, opt jwt.ParseOption) {
			kmspubtest.BenchLoop(b, func() {
				if _, err := jwt.Parse(tok, opt); err != nil {
					b.Fatal(err)
				}
			})
		}
		pair := func(api string, bare, kmspub jwt.ParseOption) {
			kmspubtest.RunPair(b, "alg="+c.Alg+"/api="+api,
				func(b *testing.B) { verify(b, bare) },
				func(b *testing.B) { verify(b, kmspub) })
		}
		pair("WithKey", jwt.WithKey(alg, plain), jwt.WithKey(alg, pub))
		pair("KeyProvider", jwt.WithKeyProvider(plainProvider), jwt.WithKeyProvider(jwx.KeyProvider(jose.StaticKeys(pub))))
	}
}
