package kmspub

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// The Keyring (names → keys) and the key-state check (key ARNs → KMS key
// states) remember KMS answers the same way: a good answer is served while
// fresh. When a call fails, treatFailure decides what the failure means:
// KMS unreachable, slow, throttled or failing (5xx) says nothing about the
// key, and the last good answer is served stale for a bounded time; a
// definitive answer (KMS refused the request for this key, or kmspub
// refused KMS's answer) replaces the last good answer and is remembered for
// the negative TTL; the caller's own context ending changes nothing. This
// file is that one mechanism.

// cached is what a cache remembers about one name. It is one of:
//
//   - a good answer: value, at;
//   - a good answer served stale after a transient failure: value, at, and
//     the failure in err, with retryAt the time before which KMS is not
//     asked again (the stale value is served meanwhile, never the error);
//   - a definitive failure: err, returned until retryAt; no value.
//
// It is never modified once stored; a new call stores a new one.
type cached[V comparable] struct {
	value   V         // the last good answer; the zero V when none
	err     error     // the failure of the last call, if it failed
	at      time.Time // when value was obtained
	retryAt time.Time // with err: do not ask KMS again before this
}

// resolved reports whether e holds a good answer, fresh or stale.
func (e *cached[V]) resolved() bool {
	var zero V
	return e.value != zero
}

// cachePolicy is how long answers are kept, and where failures are
// reported. The key-state check takes the Keyring's, with its own
// freshness (see [Keyring.cachePolicyFor]).
type cachePolicy struct {
	fresh       time.Duration // a good answer is fresh this long
	maxStale    time.Duration // after at, served stale while calls fail; off when not above fresh
	negativeTTL time.Duration // a failure is remembered this long
	now         func() time.Time
	onError     func(name string, err error) // every failed call; may be nil
}

// withinMaxStale reports whether e's answer may still be served stale at now.
func (e *cached[V]) withinMaxStale(p *cachePolicy, now time.Time) bool {
	return p.maxStale > p.fresh && now.Before(e.at.Add(p.maxStale))
}

// serve reports what entry e answers at now — its value while fresh (fresh
// is the caller's reading of that); after a transient failure and until
// retryAt, the value while within the maximum staleness; after a
// definitive failure and until retryAt, the failure — and ok=false when KMS
// must be asked. A transient failure is never answered from the cache.
func (e *cached[V]) serve(p *cachePolicy, fresh bool, now time.Time) (v V, err error, ok bool) {
	if e.err == nil {
		if fresh {
			return e.value, nil, true
		}
		return v, nil, false
	}
	if !now.Before(e.retryAt) {
		return v, nil, false
	}
	if e.resolved() {
		if e.withinMaxStale(p, now) {
			return e.value, nil, true
		}
		return v, nil, false
	}
	return v, e.err, true
}

// usefulUntil is when entry e stops being of use: from then on a lookup
// does what it would do had the name never been asked for, so the entry
// can be dropped.
func (e *cached[V]) usefulUntil(p *cachePolicy) time.Time {
	var at time.Time
	if e.resolved() {
		keep := p.fresh
		if p.maxStale > p.fresh {
			keep = p.maxStale // see withinMaxStale
		}
		at = e.at.Add(keep)
	}
	if e.err != nil && e.retryAt.After(at) {
		at = e.retryAt
	}
	return at
}

// failureKind is what a failed KMS call says about the name asked for.
type failureKind int

const (
	// failureIgnored: the caller's own context ended (or the call was
	// cancelled). It says nothing about the name: the cache is left as it
	// is and the error returned.
	failureIgnored failureKind = iota
	// failureTransient: KMS could not be reached or did not answer in time,
	// throttled the call, or failed on its side (5xx). The last good answer
	// keeps being served within the maximum staleness after it was
	// obtained; the failure is not remembered (without a good answer to
	// serve, the next call asks KMS again).
	failureTransient
	// failureDefinitive: KMS answered — it refused the request for this
	// name (NotFound, Disabled, KMSInvalidState, UnsupportedOperation,
	// AccessDenied, ValidationException… any exception not of the server's
	// fault) — or kmspub refused its answer (an *InvalidKeyError: a key or
	// metadata it will not use, an answer about another key). It replaces
	// the last good answer at once, and is remembered for the negative TTL.
	failureDefinitive
	// failureUnclassified: anything else (an error of a client that is not
	// the SDK's, a response the SDK could not read, missing credentials).
	// Not a reason to serve stale, not known to be final: the last good
	// answer is dropped, and nothing is remembered.
	failureUnclassified
)

// treatFailure decides what a failed GetPublicKey or DescribeKey call
// means. It is the one place that decision is made, for the Keyring and
// the key-state check alike. Transient failures are told apart as the AWS
// SDK's retryer tells them (aws/retry: throttle error codes, 5xx and 429
// status codes, connection and timeout errors), plus the server fault that
// KMS's own 5xx exceptions carry (KMSInternalException,
// DependencyTimeoutException, KeyUnavailableException), so that a client
// that is not the SDK's is read the same way.
func treatFailure(ctx context.Context, err error) failureKind {
	switch {
	case errors.Is(err, context.Canceled), ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return failureIgnored
	case isTransient(err):
		return failureTransient
	case isDefinitive(err):
		return failureDefinitive
	}
	return failureUnclassified
}

func isTransient(err error) bool {
	if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
		return true
	}
	var status interface{ HTTPStatusCode() int }
	if errors.As(err, &status) {
		if code := status.HTTPStatusCode(); code >= 500 || code == http.StatusTooManyRequests {
			return true
		}
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		_, timeout := retry.DefaultRetryableErrorCodes[apiErr.ErrorCode()] // RequestTimeout…
		return timeout || apiErr.ErrorFault() == smithy.FaultServer
	}
	if errors.Is(err, context.DeadlineExceeded) { // a timeout inside the client, not the caller's
		return true
	}
	if (retry.RetryableConnectionError{}).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	var netErr net.Error // a DNS answer "no such host" too: the SDK does not retry it, but it is the network's
	return errors.As(err, &netErr)
}

func isDefinitive(err error) bool {
	var apiErr smithy.APIError
	var invalid *InvalidKeyError
	return errors.As(err, &apiErr) || errors.As(err, &invalid)
}

// afterFailure returns what a failed call of the given kind (not
// failureIgnored) leaves for a name whose entry was prev (nil: none): the
// entry to put in its place (nil: no entry) when change is set, and the
// answer to give — the stale value, or err.
func afterFailure[V comparable](p *cachePolicy, kind failureKind, prev *cached[V], err error, now time.Time) (next *cached[V], change bool, v V, answerErr error) {
	switch kind {
	case failureTransient:
		if prev != nil && prev.resolved() && prev.withinMaxStale(p, now) {
			next := &cached[V]{value: prev.value, at: prev.at, err: err, retryAt: now.Add(p.negativeTTL)}
			return next, true, prev.value, nil
		}
		return nil, false, v, err // nothing to serve; the next call asks again
	case failureDefinitive:
		if p.negativeTTL > 0 {
			return &cached[V]{err: err, retryAt: now.Add(p.negativeTTL)}, true, v, err
		}
	}
	return nil, true, v, err
}

// reportFailure passes a failed call to the error handler, if any.
func (p *cachePolicy) reportFailure(name string, err error) {
	if p.onError != nil {
		p.onError(name, err)
	}
}
