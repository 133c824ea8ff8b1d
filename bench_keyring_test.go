package kmspub_test

import (
	"context"
	"testing"

	"github.com/kmspub/kmspub"
)

// BenchmarkKeyringHit measures a cache hit, in parallel on every P:
// go test -run '^$' -bench KeyringHit -cpu 1,2 -benchmem
func BenchmarkKeyringHit(b *testing.B) {
	f := krNewFake(b)
	arn := krARN(b, "p256")
	f.point("alias/signer", arn)
	r := kmspub.NewKeyring(f)
	for i, name := range []struct{ name, keyID string }{{"ARN", arn}, {"Alias", "alias/signer"}} {
		b.Run(name.name, func(b *testing.B) {
			ctx := context.Background()
			if _, err := r.Get(ctx, name.keyID); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if k, err := r.Get(ctx, name.keyID); err != nil || k == nil {
						b.Fatal(err)
					}
				}
			})
			if n := f.calls.Load(); n != int64(i+1) {
				b.Fatalf("GetPublicKey calls = %d, want %d (one per name)", n, i+1)
			}
		})
	}
}
