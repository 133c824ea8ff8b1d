package kmspub_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// wantNames checks that r holds want name entries (not key ARNs), and
// that its index agrees with its map.
func wantNames(t testing.TB, r *kmspub.Keyring, want int) {
	t.Helper()
	indexed, mapped := kmspub.KeyringNames(r)
	if indexed != mapped || mapped != want {
		t.Fatalf("name entries: %d indexed, %d in the map; want %d", indexed, mapped, want)
	}
}

// TestKeyringBoundsUnknownNames asks for 100,000 distinct names KMS does
// not know, as a service passing key IDs from untrusted requests would.
// Before the bound the Keyring kept a negative entry for each (about 38 MB
// for these names); now it keeps at most KeyringOptions.MaxNames of them, answers the
// rest uncached and reports them.
func TestKeyringBoundsUnknownNames(t *testing.T) {
	const names = 100_000
	for _, tc := range []struct {
		name     string
		maxNames int
		maxHeap  uint64 // growth of the live heap allowed while the Keyring is alive
	}{
		{"Default", kmspub.DefaultMaxNames, 6 << 20},
		{"1000", 1000, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock() // the clock stands still: no negative entry expires
			var full, failed atomic.Int64
			opts := []func(*kmspub.KeyringOptions){func(o *kmspub.KeyringOptions) {
				o.Clock = clock.Now
				o.ErrorHandler = func(_ string, err error) {
					if errors.Is(err, kmspub.ErrKeyringFull) {
						full.Add(1)
					} else {
						failed.Add(1)
					}
				}
			}}
			if tc.maxNames != kmspub.DefaultMaxNames {
				opts = append(opts, func(o *kmspub.KeyringOptions) { o.MaxNames = tc.maxNames })
			}
			before := kmspubtest.HeapInUse()
			r := kmspub.NewKeyring(f, opts...)
			ctx := context.Background()
			var nf *types.NotFoundException
			for i := range names {
				if _, err := r.Get(ctx, fmt.Sprintf("alias/unknown-%06d", i)); !errors.As(err, &nf) {
					t.Fatalf("name %d: %v, want NotFoundException", i, err)
				}
			}
			grown := int64(kmspubtest.HeapInUse()) - int64(before)
			wantNames(t, r, tc.maxNames)
			t.Logf("%d unknown names, bound %d: live heap grew %d bytes (%.0f per name kept)", names, tc.maxNames, grown, float64(grown)/float64(tc.maxNames))
			if grown > int64(tc.maxHeap) {
				t.Errorf("live heap grew %d bytes, want at most %d", grown, tc.maxHeap)
			}
			if got, want := full.Load(), int64(names-tc.maxNames); got != want || failed.Load() != names {
				t.Errorf("error handler: %d ErrKeyringFull, %d failures; want %d and %d", got, failed.Load(), want, names)
			}
			// The names kept are answered from the cache; the others are
			// asked again, with the same answer.
			f.WantCalls(t, names)
			for _, i := range []int{0, tc.maxNames - 1, tc.maxNames, names - 1} {
				if _, err := r.Get(ctx, fmt.Sprintf("alias/unknown-%06d", i)); !errors.As(err, &nf) {
					t.Fatalf("name %d again: %v, want NotFoundException", i, err)
				}
			}
			f.WantCalls(t, names+2)
			runtime.KeepAlive(r)
		})
	}
}

func TestKeyringDropsExpiredEntries(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	const ttl, maxStale, negative = time.Minute, 10 * time.Minute, 3 * time.Second
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
		o.MaxStale = maxStale
		o.NegativeTTL = negative
	})
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", arn)
	kmspubtest.Get(t, r, "alias/signer")
	kmspubtest.Get(t, r, arn) // held for ever, and not a name
	for i := range 500 {
		r.Get(ctx, fmt.Sprintf("alias/unknown-%d", i))
	}
	r.Get(ctx, "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-00000000dead")
	wantNames(t, r, 502)

	// Past the negative TTL, the next miss drops every negative entry.
	clock.Advance(negative)
	r.Get(ctx, "alias/unknown-next")
	wantNames(t, r, 2) // alias/signer and alias/unknown-next

	// A resolved name is kept while a stale key could be served (its TTL
	// passed, but not the maximum staleness), then dropped; the key ARN
	// stays for ever.
	clock.Advance(ttl)
	r.Get(ctx, "alias/unknown-later")
	wantNames(t, r, 2) // alias/signer and alias/unknown-later
	clock.Advance(maxStale)
	r.Get(ctx, "alias/unknown-last")
	wantNames(t, r, 1)
	f.SetFail(errors.New("KMS is gone"))
	calls := f.Calls.Load()
	kmspubtest.Get(t, r, arn)
	f.WantCalls(t, calls)

	// Without stale serving a resolved name is dropped when its TTL ends.
	f.SetFail(nil)
	r2 := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
		o.MaxStale = 0
	})
	kmspubtest.Get(t, r2, "alias/signer")
	clock.Advance(ttl)
	r2.Get(ctx, "alias/unknown")
	wantNames(t, r2, 1) // alias/unknown only

	// A definitive failure for a key ARN is a name entry, until the key is
	// held.
	f.SetFail(&types.KMSInvalidStateException{Message: aws.String("injected")})
	r4 := kmspub.NewKeyring(f)
	k := kmspubtest.FakeKey(t, "rsa")
	r4.Get(ctx, k.KeyID())
	wantNames(t, r4, 1)
	if err := r4.Add(k); err != nil {
		t.Fatal(err)
	}
	wantNames(t, r4, 0)
	f.SetFail(nil)

	// A zero negative TTL keeps nothing for a failed name.
	r3 := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.NegativeTTL = 0 })
	r3.Get(ctx, "alias/unknown")
	wantNames(t, r3, 0)
}

// TestKeyringBoundPrefersResolvedNames: names that resolve are not kept
// out by a bound full of failures (as unknown names from untrusted input
// would fill it), and past the bound a name is still answered.
func TestKeyringBoundPrefersResolvedNames(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	var full []string
	var mu sync.Mutex
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.MaxNames = 3
		o.NegativeTTL = time.Hour
		o.ErrorHandler = func(keyID string, err error) {
			if errors.Is(err, kmspub.ErrKeyringFull) {
				mu.Lock()
				defer mu.Unlock()
				full = append(full, keyID)
			}
		}
	})
	ctx := context.Background()
	for i := range 4 {
		r.Get(ctx, fmt.Sprintf("alias/unknown-%d", i))
		clock.Advance(time.Second) // so that the negative entries expire in this order
	}
	wantNames(t, r, 3)
	for _, short := range []string{"p256", "p384", "rsa", "ecdh"} {
		f.Point("alias/"+short, kmspubtest.FakeKeyARN(short))
	}
	// Each resolved name takes the place of the oldest negative entry.
	for _, short := range []string{"p256", "p384", "rsa"} {
		if k := kmspubtest.Get(t, r, "alias/"+short); k.KeyID() != kmspubtest.FakeKeyARN(short) {
			t.Fatalf("alias/%s gave %s", short, k.KeyID())
		}
	}
	wantNames(t, r, 3)
	calls := f.Calls.Load()
	for _, short := range []string{"p256", "p384", "rsa"} {
		kmspubtest.Get(t, r, "alias/"+short)
	}
	f.WantCalls(t, calls)

	// Full of resolved names: a new one is answered, the name reported and
	// asked again next time; its key ARN is asked for by ARN (an alias's
	// answer is trusted for the alias only).
	for range 2 {
		if k := kmspubtest.Get(t, r, "alias/ecdh"); k.KeyID() != kmspubtest.FakeKeyARN("ecdh") {
			t.Fatalf("alias/ecdh gave %s", k.KeyID())
		}
	}
	f.WantCalls(t, calls+2)
	kmspubtest.Get(t, r, kmspubtest.FakeKeyARN("ecdh"))
	f.WantCalls(t, calls+3)
	wantNames(t, r, 3)
	mu.Lock()
	got := fmt.Sprint(full)
	mu.Unlock()
	if want := "[alias/unknown-3 alias/ecdh alias/ecdh]"; got != want {
		t.Fatalf("names reported full: %s, want %s", got, want)
	}

	// Zero keeps no names and reports nothing.
	r0 := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.MaxNames = 0
		o.ErrorHandler = func(string, error) { t.Error("reported") }
	})
	kmspubtest.Get(t, r0, "alias/p256")
	kmspubtest.Get(t, r0, "alias/p256")
	wantNames(t, r0, 0)
	f.WantCalls(t, calls+5)
}

// TestKeyringBoundConcurrent races misses on many names (resolving and
// not), expiries and Add against a small bound; run with -race. The index
// must agree with the map and stay within the bound.
func TestKeyringBoundConcurrent(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	const bound = 16
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.MaxNames = bound
		o.TTL = time.Second
		o.MaxStale = 3 * time.Second
		o.NegativeTTL = time.Second
	})
	shorts := []string{"p256", "p384", "rsa", "rsaenc", "mlkem768", "ecdh"}
	for _, short := range shorts {
		f.Point("alias/"+short, kmspubtest.FakeKeyARN(short))
	}
	var keys []*kmspub.PublicKey
	for _, short := range shorts {
		keys = append(keys, kmspubtest.FakeKey(t, short))
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				switch i % 4 {
				case 0:
					short := shorts[(i/4+w)%len(shorts)]
					if k, err := r.Get(ctx, "alias/"+short); err != nil || k.KeyID() != kmspubtest.FakeKeyARN(short) {
						t.Errorf("alias/%s: %v", short, err)
						return
					}
				case 1:
					r.Get(ctx, kmspubtest.FakeKeyARN(shorts[(i/4)%len(shorts)]))
				case 2:
					r.Get(ctx, fmt.Sprintf("alias/unknown-%d-%d", w, i%64))
				case 3:
					clock.Advance(100 * time.Millisecond)
				}
			}
		})
	}
	wg.Go(func() {
		for _, k := range keys {
			if err := r.Add(k); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	indexed, mapped := kmspub.KeyringNames(r)
	if indexed != mapped || mapped > bound {
		t.Fatalf("name entries: %d indexed, %d in the map; bound %d", indexed, mapped, bound)
	}
}
