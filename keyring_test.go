package kmspub_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

func TestKeyringKeyARNIsKeptForEver(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = time.Minute
	})
	arn := kmspubtest.FakeKeyARN("p256")

	first := kmspubtest.Get(t, r, arn)
	if first.KeyID() != arn || first.KeySpec() != types.KeySpecEccNistP256 {
		t.Fatalf("got %s %s", first.KeyID(), first.KeySpec())
	}
	clock.Advance(10 * 365 * 24 * time.Hour)
	f.SetFail(errors.New("KMS is gone")) // a key ARN must not even ask
	if again := kmspubtest.Get(t, r, arn); again != first {
		t.Fatal("a key ARN entry was not reused")
	}
	f.WantCalls(t, 1)
}

func TestKeyringAliasIsReresolvedAfterTTL(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	const ttl = time.Minute
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	a, b := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	f.Point("alias/signer", a)

	if k := kmspubtest.Get(t, r, "alias/signer"); k.KeyID() != a {
		t.Fatalf("alias resolved to %s, want %s", k.KeyID(), a)
	}
	// An alias's answer is trusted for the alias only: the key ARN is
	// asked for by ARN, once.
	kmspubtest.Get(t, r, a)
	kmspubtest.Get(t, r, a)
	f.WantCalls(t, 2)

	f.Point("alias/signer", b)
	clock.Advance(ttl - time.Nanosecond)
	if k := kmspubtest.Get(t, r, "alias/signer"); k.KeyID() != a {
		t.Fatalf("within the TTL the alias gave %s, want the cached %s", k.KeyID(), a)
	}
	f.WantCalls(t, 2)

	clock.Advance(time.Nanosecond)
	if k := kmspubtest.Get(t, r, "alias/signer"); k.KeyID() != b {
		t.Fatalf("after the TTL the alias gave %s, want the re-pointed %s", k.KeyID(), b)
	}
	f.WantCalls(t, 3)
	kmspubtest.Get(t, r, a) // the old target stays held by ARN
	f.WantCalls(t, 3)

	// Alias ARNs and bare key IDs are names with a TTL too.
	kmspubtest.Get(t, r, kmspubtest.FakeAliasARN("alias/signer"))
	bare := b[strings.LastIndex(b, "/")+1:]
	kmspubtest.Get(t, r, bare)
	kmspubtest.Get(t, r, bare)
	f.WantCalls(t, 5)
	clock.Advance(ttl)
	kmspubtest.Get(t, r, bare)
	f.WantCalls(t, 6)
}

// TestKeyringNameAnswersShareTheHeldKey: once a key ARN is held, a name
// resolving to it serves that very key, and an answer for the name with
// another public key under that ARN is refused.
func TestKeyringNameAnswersShareTheHeldKey(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	r := kmspub.NewKeyring(f)
	a := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", a)
	held := kmspubtest.Get(t, r, a)
	if k := kmspubtest.Get(t, r, "alias/signer"); k != held {
		t.Fatal("the alias resolved to another *PublicKey than the one held for its ARN")
	}
}

func TestKeyringConcurrentMissesMakeOneCall(t *testing.T) {
	for _, name := range []string{"arn", "alias/signer"} {
		t.Run(name, func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.Point("alias/signer", kmspubtest.FakeKeyARN("rsa"))
			if name == "arn" {
				name = kmspubtest.FakeKeyARN("rsa")
			}
			gate := make(chan struct{})
			f.Gate, f.Entered = gate, make(chan struct{}, 64)
			r := kmspub.NewKeyring(f)

			var wg sync.WaitGroup
			keys := make([]*kmspub.PublicKey, 64)
			errs := make([]error, 64)
			for i := range 64 {
				wg.Go(func() { keys[i], errs[i] = r.Get(context.Background(), name) })
			}
			<-f.Entered // the one call is in KMS; give the others time to pile up
			time.Sleep(20 * time.Millisecond)
			close(gate)
			wg.Wait()
			for i := range 64 {
				if errs[i] != nil || keys[i] != keys[0] {
					t.Fatalf("caller %d: key %p err %v; want the shared key %p", i, keys[i], errs[i], keys[0])
				}
			}
			f.WantCalls(t, 1)
		})
	}
}

func TestKeyringServesStaleKeyOnError(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
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
	a := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", a)
	first := kmspubtest.Get(t, r, "alias/signer")

	outage := &types.DependencyTimeoutException{Message: aws.String("injected outage")}
	f.SetFail(outage)
	clock.Advance(ttl)
	if k := kmspubtest.Get(t, r, "alias/signer"); k != first {
		t.Fatal("during an outage the stale key was not served")
	}
	f.WantCalls(t, 2)
	mu.Lock()
	if len(reported) != 1 || !strings.Contains(reported[0], "alias/signer: ") || !strings.Contains(reported[0], "injected outage") {
		t.Fatalf("error handler got %q, want one report of the injected outage", reported)
	}
	mu.Unlock()

	// Within the negative TTL KMS is not asked again.
	clock.Advance(negative - time.Nanosecond)
	kmspubtest.Get(t, r, "alias/signer")
	f.WantCalls(t, 2)
	// Then it is, and the stale key is still served.
	clock.Advance(time.Nanosecond)
	kmspubtest.Get(t, r, "alias/signer")
	f.WantCalls(t, 3)

	// Past the maximum staleness (counted from the last success) the error
	// comes through, with its SDK type.
	clock.Advance(maxStale - ttl - negative)
	_, err := r.Get(context.Background(), "alias/signer")
	var dte *types.DependencyTimeoutException
	if !errors.As(err, &dte) {
		t.Fatalf("past the maximum staleness Get gave %v, want the DependencyTimeoutException", err)
	}
	f.WantCalls(t, 4)

	// Recovery: the next successful call after the negative TTL resolves anew.
	f.SetFail(nil)
	clock.Advance(negative)
	if k := kmspubtest.Get(t, r, "alias/signer"); !k.Equal(first) {
		t.Fatal("after recovery the alias did not resolve to the same stored key")
	}
	f.WantCalls(t, 5)
}

func TestKeyringMaxStaleNotAboveTTLTurnsStaleServingOff(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = time.Minute
		o.MaxStale = time.Minute
	})
	f.Point("alias/signer", kmspubtest.FakeKeyARN("p256"))
	kmspubtest.Get(t, r, "alias/signer")
	f.SetFail(&types.KMSInternalException{Message: aws.String("injected")})
	clock.Advance(time.Minute)
	var ie *types.KMSInternalException
	if _, err := r.Get(context.Background(), "alias/signer"); !errors.As(err, &ie) {
		t.Fatalf("Get = %v, want the KMSInternalException", err)
	}
}

func TestKeyringNegativeCache(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
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
	f.WantCalls(t, 1)

	// Once the entry expires, KMS is asked again and a new answer wins.
	f.Point("alias/missing", kmspubtest.FakeKeyARN("p256"))
	clock.Advance(negative)
	kmspubtest.Get(t, r, "alias/missing")
	f.WantCalls(t, 2)

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
	f.WantCalls(t, 5)
}

func TestKeyringCallerCancellationIsNotCachedOrShared(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	gate := make(chan struct{})
	f.Gate, f.Entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.NegativeTTL = time.Hour })
	arn := kmspubtest.FakeKeyARN("p256")

	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := r.Get(leaderCtx, arn)
		leaderErr <- err
	}()
	<-f.Entered
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
	<-f.Entered // the waiter started its own call instead of sharing the cancellation
	close(gate)
	if err := <-waiter; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	f.WantCalls(t, 2)
	kmspubtest.Get(t, r, arn)
	f.WantCalls(t, 2)
}

func TestKeyringWaiterContext(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	gate := make(chan struct{})
	f.Gate, f.Entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f)
	arn := kmspubtest.FakeKeyARN("p256")
	go r.Get(context.Background(), arn)
	<-f.Entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := r.Get(ctx, arn); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a waiter whose context ends got %v, want DeadlineExceeded", err)
	}
	close(gate)
}

func TestKeyringAddAndNoClient(t *testing.T) {
	r := kmspub.NewKeyring(nil)
	k := kmspubtest.FakeKey(t, "p256")
	if err := r.Add(k); err != nil {
		t.Fatal(err)
	}
	if got := kmspubtest.Get(t, r, k.KeyID()); got != k {
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
	other := kmspubtest.FakeKey(t, "p384").GetPublicKeyOutput()
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

// TestKeyringRefusesAChangedKeyFromKMS: an answer for a name with another
// public key under an ARN the Keyring holds is refused, and, being a
// definitive refusal, replaces the alias's entry at once, stale serving or
// not; the key held for the ARN stays.
func TestKeyringRefusesAChangedKeyFromKMS(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	var reported atomic.Int64
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.TTL = 0
		o.NegativeTTL = 0
		o.MaxStale = 0
		o.ErrorHandler = func(string, error) { reported.Add(1) }
	})
	a := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", a)
	first := kmspubtest.Get(t, r, a)
	kmspubtest.Get(t, r, "alias/signer")
	rStale := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.TTL = 0
		o.NegativeTTL = 0
		o.ErrorHandler = func(string, error) { reported.Add(1) }
	})
	firstStale := kmspubtest.Get(t, rStale, a)
	kmspubtest.Get(t, rStale, "alias/signer")
	// KMS (or something pretending to be it) now answers with another public
	// key under the same ARN.
	changed := kmspubtest.FakeKey(t, "p384").GetPublicKeyOutput()
	changed.KeyId = aws.String(a)
	f.Serve(changed)
	for _, keys := range []*kmspub.Keyring{r, rStale} {
		if _, err := keys.Get(context.Background(), "alias/signer"); !errors.Is(err, kmspub.ErrInvalidKey) {
			t.Fatalf("Get = %v, want an InvalidKeyError for the changed key", err)
		}
	}
	if k := kmspubtest.Get(t, r, a); k != first {
		t.Fatal("the key held for the ARN was replaced")
	}
	if k := kmspubtest.Get(t, rStale, a); k != firstStale {
		t.Fatal("the key held for the ARN was replaced")
	}
	if n := reported.Load(); n != 2 {
		t.Fatalf("error handler called %d times, want 2", n)
	}
}

func TestKeyringGetPublicKey(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	r := kmspub.NewKeyring(f)
	arn := kmspubtest.FakeKeyARN("rsaenc")
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
	f.WantCalls(t, 1)
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
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	f.Point("alias/signer", kmspubtest.FakeKeyARN("p256"))
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
		if got, want := f.Calls.Load(), int64(epoch+2); got != want {
			t.Fatalf("after %d expiries: %d GetPublicKey calls, want %d", epoch+1, got, want)
		}
	}
}

// TestKeyringTTLDefaultClock covers the default clock, where a name's TTL
// is ended by a timer instead of a clock read on every hit. Real time, so
// only bounds that cannot flake are asserted.
func TestKeyringTTLDefaultClock(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	f.Point("alias/signer", kmspubtest.FakeKeyARN("p256"))

	long := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = time.Hour })
	for range 100 {
		kmspubtest.Get(t, long, "alias/signer")
	}
	f.WantCalls(t, 1)

	short := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = 5 * time.Millisecond })
	kmspubtest.Get(t, short, "alias/signer")
	deadline := time.Now().Add(10 * time.Second)
	for f.Calls.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatal("a 5 ms TTL did not end within 10 s")
		}
		time.Sleep(time.Millisecond)
		kmspubtest.Get(t, short, "alias/signer")
	}

	zero := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = 0 })
	before := f.Calls.Load()
	for range 3 {
		kmspubtest.Get(t, zero, "alias/signer")
	}
	f.WantCalls(t, before+3)
}

// TestKeyringAddDuringFailingFetch: a key added while a fetch for its ARN is
// failing stays; the failure does not replace it with a negative entry.
func TestKeyringAddDuringFailingFetch(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	gate := make(chan struct{})
	f.Gate, f.Entered = gate, make(chan struct{}, 4)
	r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.NegativeTTL = time.Hour })
	k := kmspubtest.FakeKey(t, "p256")
	result := make(chan error, 1)
	go func() {
		got, err := r.Get(context.Background(), k.KeyID())
		if err == nil && got != k {
			err = errors.New("Get returned another key than the one added")
		}
		result <- err
	}()
	<-f.Entered
	if err := r.Add(k); err != nil {
		t.Fatal(err)
	}
	f.SetFail(&types.KMSInternalException{Message: aws.String("injected")})
	close(gate)
	if err := <-result; err != nil {
		t.Fatalf("Get during Add: %v", err)
	}
	if got := kmspubtest.Get(t, r, k.KeyID()); got != k {
		t.Fatal("the added key was replaced")
	}
	f.WantCalls(t, 1)
}

// TestKeyringHitAllocs: a hit allocates nothing, with the bound in place.
func TestKeyringHitAllocs(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	arn := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", arn)
	ctx := context.Background()
	for _, r := range []*kmspub.Keyring{kmspub.NewKeyring(f), kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.Clock = time.Now })} {
		for _, name := range []string{arn, "alias/signer"} {
			kmspubtest.Get(t, r, name)
			if n := testing.AllocsPerRun(1000, func() { r.Get(ctx, name) }); n != 0 {
				t.Errorf("a hit on %s allocates %v times", name, n)
			}
		}
	}
}

// failureCases are failed KMS calls as a client returns them (wrapped in
// the SDK's OperationError), with what each says about the key: transient
// (KMS unreachable, slow, throttled or failing: serve stale, do not
// remember), definitive (KMS refused: replace the entry, remember it) or
// unclassified (neither: drop the entry, remember nothing).
var failureCases = func() []struct {
	name string
	err  error
	kind string
} {
	op := func(err error) error {
		return &smithy.OperationError{ServiceID: "KMS", OperationName: "GetPublicKey", Err: err}
	}
	response := func(status int, err error) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err}}
	}
	throttled := &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	return []struct {
		name string
		err  error
		kind string
	}{
		{"ThrottlingException", op(response(400, throttled)), "transient"},
		{"ThrottlingException after the SDK's retries", op(&retry.MaxAttemptsError{Attempt: 3, Err: response(400, throttled)}), "transient"},
		{"KMSInternalException", op(&types.KMSInternalException{Message: aws.String("x")}), "transient"},
		{"DependencyTimeoutException", op(&types.DependencyTimeoutException{Message: aws.String("x")}), "transient"},
		{"KeyUnavailableException", op(&types.KeyUnavailableException{Message: aws.String("x")}), "transient"},
		{"HTTP 503 without a body", op(response(503, &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "UnknownError"})), "transient"},
		{"HTTP 429", op(response(429, &smithy.GenericAPIError{Code: "TooManyRequests"})), "transient"},
		{"connection refused", op(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), "transient"},
		{"no such host", op(&net.DNSError{Err: "no such host", Name: "kms.example", IsNotFound: true}), "transient"},
		{"a timeout inside the client", op(fmt.Errorf("attempt timed out: %w", context.DeadlineExceeded)), "transient"},

		{"NotFoundException", op(&types.NotFoundException{Message: aws.String("Alias alias/x is not found.")}), "definitive"},
		{"DisabledException", op(&types.DisabledException{Message: aws.String("x is disabled.")}), "definitive"},
		{"KMSInvalidStateException", op(&types.KMSInvalidStateException{Message: aws.String("x is pending deletion.")}), "definitive"},
		{"UnsupportedOperationException", op(&types.UnsupportedOperationException{}), "definitive"},
		{"InvalidArnException", op(&types.InvalidArnException{Message: aws.String("x")}), "definitive"},
		{"AccessDeniedException", op(response(400, &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized"})), "definitive"},
		{"ValidationException", op(response(400, &smithy.GenericAPIError{Code: "ValidationException", Message: "x"})), "definitive"},

		{"an error of a client that is not the SDK's", errors.New("boom"), "unclassified"},
		{"a response the SDK could not read", op(&smithy.DeserializationError{Err: errors.New("unexpected EOF")}), "unclassified"},
	}
}()

// TestKeyringFailureKinds: after a name's TTL, a transient failure serves
// the last key stale without asking again within the negative TTL; a
// definitive one replaces it at once and is remembered; anything else
// drops it and is not remembered. For a name that never resolved, only a
// definitive failure is remembered: a transient one is retried on the next
// call (issue #13 item 4).
func TestKeyringFailureKinds(t *testing.T) {
	for _, tc := range failureCases {
		t.Run(tc.name, func(t *testing.T) {
			f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
			const ttl, maxStale, negative = time.Minute, 10 * time.Minute, 5 * time.Second
			r := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
				o.Clock = clock.Now
				o.TTL, o.MaxStale, o.NegativeTTL = ttl, maxStale, negative
			})
			f.Point("alias/signer", kmspubtest.FakeKeyARN("p256"))
			first := kmspubtest.Get(t, r, "alias/signer")
			clock.Advance(ttl)
			f.SetFail(tc.err)
			k, err := r.Get(context.Background(), "alias/signer")
			f.WantCalls(t, 2)
			k2, err2 := r.Get(context.Background(), "alias/signer")
			switch tc.kind {
			case "transient":
				if err != nil || k != first || err2 != nil || k2 != first {
					t.Fatalf("Get = %v, %v then %v, %v; want the stale key twice", k, err, k2, err2)
				}
				f.WantCalls(t, 2)
			case "definitive":
				if k != nil || !errors.Is(err, tc.err) || k2 != nil || !errors.Is(err2, tc.err) {
					t.Fatalf("Get = %v, %v then %v, %v; want the error twice, no key", k, err, k2, err2)
				}
				f.WantCalls(t, 2)
			case "unclassified":
				if k != nil || !errors.Is(err, tc.err) || k2 != nil || !errors.Is(err2, tc.err) {
					t.Fatalf("Get = %v, %v then %v, %v; want the error twice, no key", k, err, k2, err2)
				}
				f.WantCalls(t, 3)
			}

			// A name that never resolved.
			before := f.Calls.Load()
			for range 2 {
				if _, err := r.Get(context.Background(), "alias/never"); !errors.Is(err, tc.err) {
					t.Fatalf("Get(alias/never) = %v, want the client's error", err)
				}
			}
			want := before + 2
			if tc.kind == "definitive" {
				want = before + 1
			}
			f.WantCalls(t, want)
		})
	}
}

// TestKeyringFailureKindsThroughTheSDK: the same rule with the errors a
// real *kms.Client makes of KMS's responses (after its own retries): a
// throttled or failing KMS is asked again on the next call, a NotFound is
// remembered for the negative TTL.
func TestKeyringFailureKindsThroughTheSDK(t *testing.T) {
	for _, tc := range []struct {
		name       string
		respond    func(w http.ResponseWriter)
		attempts   int32 // per Get: the SDK's retries
		remembered bool
	}{
		{"throttled", func(w http.ResponseWriter) {
			kmspubtest.WriteKMSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		}, 3, false},
		{"KMSInternalException", func(w http.ResponseWriter) {
			kmspubtest.WriteKMSError(w, http.StatusInternalServerError, "KMSInternalException", "internal")
		}, 3, false},
		{"503", func(w http.ResponseWriter) { w.WriteHeader(http.StatusServiceUnavailable) }, 3, false},
		{"NotFoundException", func(w http.ResponseWriter) {
			kmspubtest.WriteKMSError(w, http.StatusBadRequest, "NotFoundException", "Key '"+faultKeyID+"' does not exist")
		}, 1, true},
		{"AccessDeniedException", func(w http.ResponseWriter) {
			kmspubtest.WriteKMSError(w, http.StatusBadRequest, "AccessDeniedException", "not authorized")
		}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, srv := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) { tc.respond(w) })
			r := kmspub.NewKeyring(client, func(o *kmspub.KeyringOptions) { o.NegativeTTL = time.Hour })
			for range 2 {
				if _, err := r.Get(t.Context(), faultKeyID); err == nil {
					t.Fatal("Get succeeded")
				}
			}
			want := 2 * tc.attempts
			if tc.remembered {
				want = tc.attempts
			}
			if n := srv.Attempts.Load(); n != want {
				t.Fatalf("%d requests reached KMS, want %d", n, want)
			}
		})
	}
}

// TestKeyringAddFindsAKeyByItsKeyID (issue #16 item 3): a key given to Add
// is found by its key ARN and by its key ID, offline, as *kms.Client finds
// it; a key ID two added keys share (a multi-Region key in two Regions)
// names neither, with an error that says so.
func TestKeyringAddFindsAKeyByItsKeyID(t *testing.T) {
	ctx := context.Background()
	k := kmspubtest.FakeKey(t, "p256")
	id := k.KeyID()[strings.LastIndex(k.KeyID(), "/")+1:]

	f := kmspubtest.NewFakeKMS(t)
	f.SetFail(errors.New("no KMS call expected"))
	for _, r := range []*kmspub.Keyring{kmspub.NewKeyring(nil), kmspub.NewKeyring(f)} {
		if err := r.Add(k); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{k.KeyID(), id} {
			if got := kmspubtest.Get(t, r, name); got != k {
				t.Fatalf("Get(%s) gave another key", name)
			}
		}
		out, err := kmspub.NewClient(r).Verify(ctx, verifyRequest(t, id))
		if err != nil || !out.SignatureValid || aws.ToString(out.KeyId) != k.KeyID() {
			t.Fatalf("Verify with the key ID: %v, %v", out, err)
		}
	}
	f.WantCalls(t, 0)

	// A multi-Region key's replicas: one key ID, two key ARNs.
	const mrk = "mrk-1234abcd12ab34cd56ef1234567890ab"
	replica := func(region string) *kmspub.PublicKey {
		out := k.GetPublicKeyOutput()
		out.KeyId = aws.String("arn:aws:kms:" + region + ":111122223333:key/" + mrk)
		r, err := kmspub.FromGetPublicKeyOutput(out)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	east, west, south := replica("us-east-1"), replica("eu-west-2"), replica("ap-south-1")
	r := kmspub.NewKeyring(nil)
	for _, key := range []*kmspub.PublicKey{east, east, west, south} {
		if err := r.Add(key); err != nil {
			t.Fatal(err)
		}
	}
	_, err := r.Get(ctx, mrk)
	kmspubtest.WantAPIError(t, err, "NotFoundException", "kmspub: key ID "+mrk+" names more than one key added to the keyring ("+east.KeyID()+" and "+west.KeyID()+", a multi-Region key in two Regions?); use the key ARN")
	_, err = kmspub.NewClient(r).Verify(ctx, verifyRequest(t, mrk))
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantCode(t, err, "NotFoundException")
	for _, key := range []*kmspub.PublicKey{east, west, south} {
		if got := kmspubtest.Get(t, r, key.KeyID()); got != key {
			t.Fatalf("Get(%s) gave another key", key.KeyID())
		}
	}

	// A key ID first resolved through KMS (a name with a TTL) becomes the
	// added key's for ever.
	f2 := kmspubtest.NewFakeKMS(t)
	r2 := kmspub.NewKeyring(f2, func(o *kmspub.KeyringOptions) { o.TTL = 0 })
	kmspubtest.Get(t, r2, id)
	if err := r2.Add(k); err != nil {
		t.Fatal(err)
	}
	if got := kmspubtest.Get(t, r2, id); got != k {
		t.Fatal("the key ID still resolves through KMS")
	}
	f2.WantCalls(t, 1)
}
