package kmspub_test

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// krFakeKMS is a GetPublicKey (and DescribeKey) server for fault injection:
// it answers with the real keys of testdata/keys, resolves aliases and bare
// key IDs to their ARNs like KMS, and counts calls, fails or blocks on
// demand. The KMS behaviour itself is tested against local-kms.
type krFakeKMS struct {
	mu      sync.Mutex
	keys    map[string]*kms.GetPublicKeyOutput // by key ARN
	aliases map[string]string                  // alias name, alias ARN or bare key ID → key ARN
	states  map[string]types.KeyState          // by key ARN; absent means Enabled
	fail    error                              // when set, every call fails with it
	gate    chan struct{}                      // when set, calls wait for it to close
	entered chan struct{}                      // when set, receives one value per call entering

	calls         atomic.Int64 // GetPublicKey calls
	describeCalls atomic.Int64 // DescribeKey calls
}

// krKeyFiles are the testdata keys the fake serves, by short name. The
// files of one spec share a KeyId, so each short name gets its own ARN.
var krKeyFiles = map[string]string{
	"p256":     "ECC_NIST_P256.SIGN_VERIFY.json",
	"p384":     "ECC_NIST_P384.SIGN_VERIFY.json",
	"rsa":      "RSA_2048.SIGN_VERIFY.json",
	"rsaenc":   "RSA_2048.ENCRYPT_DECRYPT.json",
	"mlkem768": "ML_KEM_768.ENCAPSULATE_DECAPSULATE.json",
	"ecdh":     "ECC_NIST_P256.KEY_AGREEMENT.json",
}

func krNewFake(t testing.TB) *krFakeKMS {
	t.Helper()
	f := &krFakeKMS{
		keys:    map[string]*kms.GetPublicKeyOutput{},
		aliases: map[string]string{},
		states:  map[string]types.KeyState{},
	}
	for short := range krKeyFiles {
		out := krKey(t, short).GetPublicKeyOutput()
		arn := aws.ToString(out.KeyId)
		f.keys[arn] = out
		f.aliases[arn[strings.LastIndex(arn, "/")+1:]] = arn // bare key ID
	}
	return f
}

// krKey reads the testdata key of a short name, under the short name's ARN.
func krKey(t testing.TB, short string) *kmspub.PublicKey {
	t.Helper()
	file, ok := krKeyFiles[short]
	if !ok {
		t.Fatalf("no test key %q", short)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "keys", file))
	if err != nil {
		t.Fatal(err)
	}
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := k.GetPublicKeyOutput()
	out.KeyId = aws.String(krARN(t, short))
	if k, err = kmspub.FromGetPublicKeyOutput(out); err != nil {
		t.Fatal(err)
	}
	return k
}

// krARN returns the key ARN the fake gives a short name.
func krARN(t testing.TB, short string) string {
	t.Helper()
	return "arn:aws:kms:us-east-1:111122223333:key/" + fmt.Sprintf("%08x-0000-4000-8000-000000000000", crc32.ChecksumIEEE([]byte(short)))
}

// krAliasARN turns "alias/x" into the alias ARN in the testdata keys' account
// and Region.
func krAliasARN(alias string) string { return "arn:aws:kms:us-east-1:111122223333:" + alias }

// point makes alias (and its alias ARN) resolve to keyARN.
func (f *krFakeKMS) point(alias, keyARN string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aliases[alias] = keyARN
	f.aliases[krAliasARN(alias)] = keyARN
}

func (f *krFakeKMS) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

func (f *krFakeKMS) setState(keyARN string, s types.KeyState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[keyARN] = s
}

func (f *krFakeKMS) resolve(ctx context.Context, id string) (string, error) {
	f.mu.Lock()
	gate, entered := f.gate, f.entered
	f.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", f.fail
	}
	if arn, ok := f.aliases[id]; ok {
		id = arn
	}
	if _, ok := f.keys[id]; !ok {
		return "", &types.NotFoundException{Message: aws.String(fmt.Sprintf("Key '%s' does not exist", id))}
	}
	return id, nil
}

func (f *krFakeKMS) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	f.calls.Add(1)
	arn, err := f.resolve(ctx, aws.ToString(in.KeyId))
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := *f.keys[arn]
	return &out, nil
}

func (f *krFakeKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	f.describeCalls.Add(1)
	arn, err := f.resolve(ctx, aws.ToString(in.KeyId))
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	state, ok := f.states[arn]
	if !ok {
		state = types.KeyStateEnabled
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{
		KeyId:    aws.String(arn[strings.LastIndex(arn, "/")+1:]),
		Arn:      aws.String(arn),
		KeyState: state,
		Enabled:  state == types.KeyStateEnabled,
	}}, nil
}

// krClock is a settable clock for WithClock.
type krClock struct {
	mu  sync.Mutex
	now time.Time
}

func krNewClock() *krClock { return &krClock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)} }

func (c *krClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *krClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// krGet calls Get and fails the test on error.
func krGet(t testing.TB, r *kmspub.Keyring, name string) *kmspub.PublicKey {
	t.Helper()
	k, err := r.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	return k
}

func krWantCalls(t testing.TB, f *krFakeKMS, want int64) {
	t.Helper()
	if got := f.calls.Load(); got != want {
		t.Fatalf("GetPublicKey calls = %d, want %d", got, want)
	}
}

func TestKeyringKeyARNIsKeptForEver(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = time.Minute
	})
	arn := krARN(t, "p256")

	first := krGet(t, r, arn)
	if first.KeyID() != arn || first.KeySpec() != types.KeySpecEccNistP256 {
		t.Fatalf("got %s %s", first.KeyID(), first.KeySpec())
	}
	clock.Advance(10 * 365 * 24 * time.Hour)
	f.setFail(errors.New("KMS is gone")) // a key ARN must not even ask
	if again := krGet(t, r, arn); again != first {
		t.Fatal("a key ARN entry was not reused")
	}
	krWantCalls(t, f, 1)
}

func TestKeyringAliasIsReresolvedAfterTTL(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	const ttl = time.Minute
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	a, b := krARN(t, "p256"), krARN(t, "p384")
	f.point("alias/signer", a)

	if k := krGet(t, r, "alias/signer"); k.KeyID() != a {
		t.Fatalf("alias resolved to %s, want %s", k.KeyID(), a)
	}
	// The key is stored under its ARN too: no call for the ARN.
	krGet(t, r, a)
	krWantCalls(t, f, 1)

	f.point("alias/signer", b)
	clock.Advance(ttl - time.Nanosecond)
	if k := krGet(t, r, "alias/signer"); k.KeyID() != a {
		t.Fatalf("within the TTL the alias gave %s, want the cached %s", k.KeyID(), a)
	}
	krWantCalls(t, f, 1)

	clock.Advance(time.Nanosecond)
	if k := krGet(t, r, "alias/signer"); k.KeyID() != b {
		t.Fatalf("after the TTL the alias gave %s, want the re-pointed %s", k.KeyID(), b)
	}
	krWantCalls(t, f, 2)
	krGet(t, r, b)
	krGet(t, r, a) // the old target stays cached by ARN
	krWantCalls(t, f, 2)

	// Alias ARNs and bare key IDs are names with a TTL too.
	krGet(t, r, krAliasARN("alias/signer"))
	bare := b[strings.LastIndex(b, "/")+1:]
	krGet(t, r, bare)
	krGet(t, r, bare)
	krWantCalls(t, f, 4)
	clock.Advance(ttl)
	krGet(t, r, bare)
	krWantCalls(t, f, 5)
}

func TestKeyringConcurrentMissesMakeOneCall(t *testing.T) {
	for _, name := range []string{"arn", "alias/signer"} {
		t.Run(name, func(t *testing.T) {
			f := krNewFake(t)
			f.point("alias/signer", krARN(t, "rsa"))
			if name == "arn" {
				name = krARN(t, "rsa")
			}
			gate := make(chan struct{})
			f.gate, f.entered = gate, make(chan struct{}, 64)
			r := kmspub.NewKeyring(f)

			var wg sync.WaitGroup
			keys := make([]*kmspub.PublicKey, 64)
			errs := make([]error, 64)
			for i := range 64 {
				wg.Go(func() { keys[i], errs[i] = r.Get(context.Background(), name) })
			}
			<-f.entered // the one call is in KMS; give the others time to pile up
			time.Sleep(20 * time.Millisecond)
			close(gate)
			wg.Wait()
			for i := range 64 {
				if errs[i] != nil || keys[i] != keys[0] {
					t.Fatalf("caller %d: key %p err %v; want the shared key %p", i, keys[i], errs[i], keys[0])
				}
			}
			krWantCalls(t, f, 1)
		})
	}
}

func TestKeyringServesStaleKeyOnError(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	const ttl, maxStale, negative = time.Minute, 10 * time.Minute, 5 * time.Second
	var reported []string
	var mu sync.Mutex
	r := kmspub.NewKeyring(f,
		func(o *kmspub.KeyringOptions) {
			o.Clock = clock.Now
			o.TTL = ttl
			o.MaxStale = maxStale
			o.NegativeTTL = negative
			o.ErrorHandler = func(keyID string, err error) {
				mu.Lock()
				defer mu.Unlock()
				reported = append(reported, keyID+": "+err.Error())
			}
		})
	a := krARN(t, "p256")
	f.point("alias/signer", a)
	first := krGet(t, r, "alias/signer")

	outage := &types.DependencyTimeoutException{Message: aws.String("injected outage")}
	f.setFail(outage)
	clock.Advance(ttl)
	if k := krGet(t, r, "alias/signer"); k != first {
		t.Fatal("during an outage the stale key was not served")
	}
	krWantCalls(t, f, 2)
	mu.Lock()
	if len(reported) != 1 || !strings.Contains(reported[0], "alias/signer: ") || !strings.Contains(reported[0], "injected outage") {
		t.Fatalf("error handler got %q, want one report of the injected outage", reported)
	}
	mu.Unlock()

	// Within the negative TTL KMS is not asked again.
	clock.Advance(negative - time.Nanosecond)
	krGet(t, r, "alias/signer")
	krWantCalls(t, f, 2)
	// Then it is, and the stale key is still served.
	clock.Advance(time.Nanosecond)
	krGet(t, r, "alias/signer")
	krWantCalls(t, f, 3)

	// Past the maximum staleness (counted from the last success) the error
	// comes through, with its SDK type.
	clock.Advance(maxStale - ttl - negative)
	_, err := r.Get(context.Background(), "alias/signer")
	var dte *types.DependencyTimeoutException
	if !errors.As(err, &dte) {
		t.Fatalf("past the maximum staleness Get gave %v, want the DependencyTimeoutException", err)
	}
	krWantCalls(t, f, 4)

	// Recovery: the next successful call after the negative TTL resolves anew.
	f.setFail(nil)
	clock.Advance(negative)
	if k := krGet(t, r, "alias/signer"); k != first {
		t.Fatal("after recovery the alias did not resolve to the same stored key")
	}
	krWantCalls(t, f, 5)
}

func TestKeyringMaxStaleNotAboveTTLTurnsStaleServingOff(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = time.Minute
		o.MaxStale = time.Minute
	})
	f.point("alias/signer", krARN(t, "p256"))
	krGet(t, r, "alias/signer")
	f.setFail(&types.KMSInternalException{Message: aws.String("injected")})
	clock.Advance(time.Minute)
	var ie *types.KMSInternalException
	if _, err := r.Get(context.Background(), "alias/signer"); !errors.As(err, &ie) {
		t.Fatalf("Get = %v, want the KMSInternalException", err)
	}
}

func TestKeyringNegativeCache(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	const negative = 3 * time.Second
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.NegativeTTL = negative
	})

	var nf *types.NotFoundException
	for range 3 {
		if _, err := r.Get(context.Background(), "alias/missing"); !errors.As(err, &nf) {
			t.Fatalf("Get = %v, want NotFoundException", err)
		}
	}
	krWantCalls(t, f, 1)

	// Once the entry expires, KMS is asked again and a new answer wins.
	f.point("alias/missing", krARN(t, "p256"))
	clock.Advance(negative)
	krGet(t, r, "alias/missing")
	krWantCalls(t, f, 2)

	// A zero negative TTL retries on every call.
	r0 := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.NegativeTTL = 0
	})
	for range 3 {
		if _, err := r0.Get(context.Background(), "alias/other"); !errors.As(err, &nf) {
			t.Fatalf("Get = %v, want NotFoundException", err)
		}
	}
	krWantCalls(t, f, 5)
}

func TestKeyringCallerCancellationIsNotCachedOrShared(t *testing.T) {
	f := krNewFake(t)
	gate := make(chan struct{})
	f.gate, f.entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.NegativeTTL = time.Hour })
	arn := krARN(t, "p256")

	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := r.Get(leaderCtx, arn)
		leaderErr <- err
	}()
	<-f.entered
	waiter := make(chan error, 1)
	go func() {
		_, err := r.Get(context.Background(), arn)
		waiter <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the waiter join the flight
	cancel()
	if err := <-leaderErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v, want context.Canceled", err)
	}
	<-f.entered // the waiter started its own call instead of sharing the cancellation
	close(gate)
	if err := <-waiter; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	krWantCalls(t, f, 2)
	krGet(t, r, arn)
	krWantCalls(t, f, 2)
}

func TestKeyringWaiterContext(t *testing.T) {
	f := krNewFake(t)
	gate := make(chan struct{})
	f.gate, f.entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f)
	arn := krARN(t, "p256")
	go r.Get(context.Background(), arn)
	<-f.entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := r.Get(ctx, arn); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a waiter whose context ends got %v, want DeadlineExceeded", err)
	}
	close(gate)
}

func TestKeyringAddAndNoClient(t *testing.T) {
	r := kmspub.NewKeyring(nil)
	k := krKey(t, "p256")
	if err := r.Add(k); err != nil {
		t.Fatal(err)
	}
	if got := krGet(t, r, k.KeyID()); got != k {
		t.Fatal("Add then Get returned another key")
	}
	var nf *types.NotFoundException
	if _, err := r.Get(context.Background(), "alias/unknown"); !errors.As(err, &nf) {
		t.Fatalf("Get of an unknown name without a client = %v, want NotFoundException", err)
	}
	var apiErr smithy.APIError
	if _, err := r.Get(context.Background(), ""); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("Get(\"\") = %v, want a ValidationException", err)
	}

	// Another public key under the same ARN is refused.
	other := krKey(t, "p384").GetPublicKeyOutput()
	other.KeyId = aws.String(k.KeyID())
	impostor, err := kmspub.FromGetPublicKeyOutput(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add(impostor); !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("Add of a different key under a held ARN = %v, want an InvalidKeyError", err)
	}
	noARN, err := kmspub.ParseSubjectPublicKeyInfo(k.DER(), &kms.GetPublicKeyOutput{KeySpec: k.KeySpec(), KeyUsage: k.KeyUsage()})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Add(noARN); err == nil {
		t.Fatal("Add of a key without an ARN succeeded")
	}
}

func TestKeyringRefusesAChangedKeyFromKMS(t *testing.T) {
	f := krNewFake(t)
	var reported atomic.Int64
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.TTL = 0
		o.NegativeTTL = 0
		o.MaxStale = 0
		o.ErrorHandler = func(string, error) { reported.Add(1) }
	})
	a := krARN(t, "p256")
	f.point("alias/signer", a)
	first := krGet(t, r, "alias/signer")
	// With stale serving on, the same situation keeps the trusted key and
	// reports the refusal.
	rStale := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.TTL = 0
		o.NegativeTTL = 0
		o.ErrorHandler = func(string, error) { reported.Add(1) }
	})
	firstStale := krGet(t, rStale, "alias/signer")
	// KMS (or something pretending to be it) now answers with another public
	// key under the same ARN.
	f.mu.Lock()
	changed := *f.keys[krARN(t, "p384")]
	changed.KeyId = aws.String(a)
	f.keys[a] = &changed
	f.mu.Unlock()
	if _, err := r.Get(context.Background(), "alias/signer"); !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("Get = %v, want an InvalidKeyError for the changed key", err)
	}
	if k := krGet(t, r, a); k != first {
		t.Fatal("the key held for the ARN was replaced")
	}
	if k := krGet(t, rStale, "alias/signer"); k != firstStale {
		t.Fatal("with stale serving on, the changed key replaced the held one")
	}
	if n := reported.Load(); n != 2 {
		t.Fatalf("error handler called %d times, want 2", n)
	}
}

func TestKeyringGetPublicKey(t *testing.T) {
	f := krNewFake(t)
	r := kmspub.NewKeyring(f)
	arn := krARN(t, "rsaenc")
	// The Keyring is itself a GetPublicKeyAPIClient.
	k, err := kmspub.Fetch(context.Background(), r, arn)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID() != arn || len(k.EncryptionAlgorithms()) != 2 {
		t.Fatalf("got %s %v", k.KeyID(), k.EncryptionAlgorithms())
	}
	if _, err := kmspub.Fetch(context.Background(), r, arn); err != nil {
		t.Fatal(err)
	}
	krWantCalls(t, f, 1)
	var invalid smithy.InvalidParamsError
	if _, err := r.GetPublicKey(context.Background(), &kms.GetPublicKeyInput{}); !errors.As(err, &invalid) {
		t.Fatalf("GetPublicKey without KeyId: %v, want the SDK's InvalidParamsError", err)
	}
}

// TestKeyringOneCallPerMissUnderContention has callers Get an alias in a
// tight loop while the clock expires it again and again. With an instant
// KMS, the moment a fetch ends is often the moment another caller has just
// missed, which is where a second call for the same miss would slip in.
func TestKeyringOneCallPerMissUnderContention(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	f.point("alias/signer", krARN(t, "p256"))
	const ttl = time.Minute
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	const callers, epochs = 4, 20
	var stop atomic.Bool
	gets := make([]atomic.Int64, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for !stop.Load() {
				if _, err := r.Get(context.Background(), "alias/signer"); err != nil {
					t.Error(err)
					return
				}
				gets[i].Add(1)
			}
		})
	}
	defer func() { stop.Store(true); wg.Wait() }()
	// everyoneAgain waits until every caller has finished a Get it started
	// after this call.
	everyoneAgain := func() {
		var before [callers]int64
		for i := range gets {
			before[i] = gets[i].Load()
		}
		deadline := time.Now().Add(30 * time.Second)
		for i := range gets {
			for gets[i].Load() < before[i]+2 {
				if time.Now().After(deadline) {
					t.Fatal("callers stopped making progress")
				}
				time.Sleep(10 * time.Microsecond)
			}
		}
	}
	everyoneAgain()
	for epoch := range epochs {
		clock.Advance(ttl)
		everyoneAgain()
		if got, want := f.calls.Load(), int64(epoch+2); got != want {
			t.Fatalf("after %d expiries: %d GetPublicKey calls, want %d", epoch+1, got, want)
		}
	}
}

// TestKeyringTTLDefaultClock covers the default clock, where a name's TTL
// is ended by a timer instead of a clock read on every hit. Real time, so
// only bounds that cannot flake are asserted.
func TestKeyringTTLDefaultClock(t *testing.T) {
	f := krNewFake(t)
	f.point("alias/signer", krARN(t, "p256"))

	long := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = time.Hour })
	for range 100 {
		krGet(t, long, "alias/signer")
	}
	krWantCalls(t, f, 1)

	short := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = 5 * time.Millisecond })
	krGet(t, short, "alias/signer")
	deadline := time.Now().Add(10 * time.Second)
	for f.calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("a 5 ms TTL did not end within 10 s")
		}
		time.Sleep(time.Millisecond)
		krGet(t, short, "alias/signer")
	}

	zero := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = 0 })
	before := f.calls.Load()
	for range 3 {
		krGet(t, zero, "alias/signer")
	}
	krWantCalls(t, f, before+3)
}

// TestLocalKMSKeyringStaleOnError puts a switchable fault in front of
// local-kms, so that the Keyring sees KMS's errors exactly as the real SDK
// client parses them: the stale key is served within the maximum
// staleness, and the SDK-typed error comes through after it.
func TestLocalKMSKeyringStaleOnError(t *testing.T) {
	target, err := url.Parse(localkmstest.Endpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	online := localkmstest.Client(t)
	var failing atomic.Bool
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"__type":"KMSInternalException","message":"injected"}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	throughProxy := localkmstest.NewClient(srv.URL, func(o *kms.Options) { o.RetryMaxAttempts = 1 })

	id := localkmstest.CreateKey(t, online, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	alias := localkmstest.CreateAlias(t, online, "kmspub-stale", id)
	clock := krNewClock()
	var reported atomic.Int64
	const ttl, maxStale = time.Minute, 10 * time.Minute
	r := kmspub.NewKeyring(throughProxy, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
		o.MaxStale = maxStale
		o.ErrorHandler = func(keyID string, err error) {
			var ie *types.KMSInternalException
			if keyID != alias || !errors.As(err, &ie) {
				t.Errorf("reported %s: %v; want %s and a KMSInternalException", keyID, err, alias)
			}
			reported.Add(1)
		}
	})
	ctx := localkmstest.Context(t)
	first, err := r.Get(ctx, alias)
	if err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	clock.Advance(ttl)
	if k, err := r.Get(ctx, alias); err != nil || k != first {
		t.Fatalf("during the fault: %v; want the stale key", err)
	}
	clock.Advance(maxStale)
	var ie *types.KMSInternalException
	if _, err := r.Get(ctx, alias); !errors.As(err, &ie) {
		t.Fatalf("past the maximum staleness: %v, want KMSInternalException", err)
	}
	if n := reported.Load(); n != 2 {
		t.Fatalf("%d failures reported, want 2", n)
	}
	// The key ARN never needed KMS again.
	if k, err := r.Get(ctx, localkmstest.KeyARN(id)); err != nil || k != first {
		t.Fatalf("key ARN during the fault: %v", err)
	}
}

// TestKeyringAddDuringFailingFetch: a key added while a fetch for its ARN is
// failing stays; the failure does not replace it with a negative entry.
func TestKeyringAddDuringFailingFetch(t *testing.T) {
	f := krNewFake(t)
	gate := make(chan struct{})
	f.gate, f.entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.NegativeTTL = time.Hour })
	k := krKey(t, "p256")
	result := make(chan error, 1)
	go func() {
		got, err := r.Get(context.Background(), k.KeyID())
		if err == nil && got != k {
			err = errors.New("Get returned another key than the one added")
		}
		result <- err
	}()
	<-f.entered
	if err := r.Add(k); err != nil {
		t.Fatal(err)
	}
	f.setFail(&types.KMSInternalException{Message: aws.String("injected")})
	close(gate)
	if err := <-result; err != nil {
		t.Fatalf("Get during Add: %v", err)
	}
	if got := krGet(t, r, k.KeyID()); got != k {
		t.Fatal("the added key was replaced")
	}
	krWantCalls(t, f, 1)
}
