package interop

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// BenchmarkEncryptVsSDK encrypts the same plaintext for the same RSA_2048
// key (RSAES_OAEP_SHA_256, suite 0x0478, 4 KiB frames) with kmspub's
// envelope.EncryptBytes (impl=kmspub) and the official AWS Encryption SDK
// for Go with its AWS KMS RSA keyring given the public key (impl=esdk):
// both offline, both returning the whole message in memory. Beside time it
// reports peak-heap-B/op: the largest live heap seen while one more
// operation ran, after the timed loop (HeapAlloc sampled every millisecond), and maxrss-B, the process's
// peak RSS, so the two memory footprints compare.
// scripts/bench runs it (ESDK=1) and also measures each side's peak RSS in a
// process of its own.
func BenchmarkEncryptVsSDK(b *testing.B) {
	key := kmspubtest.KeyByName(b, "RSA_2048.ENCRYPT_DECRYPT")
	r, err := envelope.NewRSARecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		b.Fatal(err)
	}
	client, matProv := sdk(b)
	kr, err := matProv.CreateAwsKmsRsaKeyring(context.Background(), mpltypes.CreateAwsKmsRsaKeyringInput{
		KmsKeyId: key.KeyID(), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256, PublicKey: publicPEM(key),
	})
	if err != nil {
		b.Fatal(err)
	}
	ec := map[string]string{"purpose": "benchmark"}
	frame := int64(4096)
	for _, size := range []int{1 << 20, 64 << 20} {
		plaintext := make([]byte, size)
		rand.Read(plaintext)
		impls := []struct {
			name string
			run  func() ([]byte, error)
		}{
			{"esdk", func() ([]byte, error) {
				out, err := client.Encrypt(context.Background(), esdktypes.EncryptInput{
					Plaintext: plaintext, Keyring: kr, EncryptionContext: ec, AlgorithmSuiteId: &suite0478, FrameLength: &frame,
				})
				if err != nil {
					return nil, err
				}
				return out.Ciphertext, nil
			}},
			{"kmspub", func() ([]byte, error) {
				return envelope.EncryptBytes(plaintext, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
					o.EncryptionContext = ec
				})
			}},
		}
		if os.Getenv("KMSPUB_BENCH_KMSPUB_FIRST") == "1" {
			impls[0], impls[1] = impls[1], impls[0]
		}
		for _, impl := range impls {
			b.Run(fmt.Sprintf("size=%dMiB/impl=%s", size>>20, impl.name), func(b *testing.B) {
				b.SetBytes(int64(size))
				kmspubtest.BenchLoop(b, func() {
					msg, err := impl.run()
					if err != nil {
						b.Fatal(err)
					}
					if len(msg) < size {
						b.Fatalf("a %d-byte message for %d bytes", len(msg), size)
					}
				})
				// One more operation, outside the timed loop, with the
				// heap sampled.
				b.StopTimer()
				peak := startPeakHeap()
				msg, err := impl.run()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(peak.stop()), "peak-heap-B/op")
				runtime.KeepAlive(msg)
				b.ReportMetric(float64(maxRSS()), "maxrss-B")
			})
		}
	}
}

// peakHeap samples the live heap (runtime.MemStats.HeapAlloc) every
// millisecond until stopped, and keeps the largest value less the heap at
// the start.
type peakHeap struct {
	mu    sync.Mutex
	base  uint64
	peak  uint64
	done  chan struct{}
	ended chan struct{}
}

func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{base: heapAlloc(), done: make(chan struct{}), ended: make(chan struct{})}
	go func() {
		defer close(p.ended)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.sample()
			}
		}
	}()
	return p
}

func (p *peakHeap) sample() {
	if h := heapAlloc(); h > p.base {
		p.mu.Lock()
		p.peak = max(p.peak, h-p.base)
		p.mu.Unlock()
	}
}

// stop takes a last sample (the operation's result still alive) and
// returns the peak.
func (p *peakHeap) stop() uint64 {
	p.sample()
	close(p.done)
	<-p.ended
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

// maxRSS is the process's peak resident set size: meaningful for one
// implementation when its sub-benchmark runs alone in a process, as
// scripts/bench runs it.
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // KiB on Linux
}
