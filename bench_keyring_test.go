package kmspub_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// BenchmarkKeyringHit measures a cache hit, in parallel on every P:
// go test -run '^$' -bench KeyringHit -cpu 1,2 -benchmem
func BenchmarkKeyringHit(b *testing.B) {
	f := krNewFake(b)
	arn := krARN(b, "p256")
	f.point("alias/signer", arn)
	r := kmspub.NewKeyring(f)
	// With an injected clock a hit on a name reads the clock; with the
	// default one a timer ends the TTL and a hit reads a flag.
	withClock := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.Clock = time.Now })
	for i, name := range []struct {
		name, keyID string
		keys        *kmspub.Keyring
	}{{"ARN", arn, r}, {"Alias", "alias/signer", r}, {"AliasWithClock", "alias/signer", withClock}} {
		r := name.keys
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

// BenchmarkClientVerify compares Client.Verify (Keyring hit, policy, audit
// off, SDK input and output) with PublicKey.Verify on the same ECDSA P-256
// signature: the difference is the drop-in client's overhead.
func BenchmarkClientVerify(b *testing.B) {
	f := krNewFake(b)
	arn := krARN(b, "p256")
	message := []byte("benchmark message")
	sig := clSignECDSA(b, "ECC_NIST_P256", clSHA256(message))
	input := &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
	ctx := context.Background()

	b.Run("Client", func(b *testing.B) {
		c := kmspub.NewClient(f)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Verify(ctx, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClientWithPolicy", func(b *testing.B) {
		c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) {
			o.Policy = &kmspub.Policy{AllowedKeyARNs: []string{arn}, AllowedOperations: []string{"Verify"}}
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Verify(ctx, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PublicKey", func(b *testing.B) {
		k := krKey(b, "p256")
		b.ReportAllocs()
		for b.Loop() {
			if err := k.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
