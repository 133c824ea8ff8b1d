package kmspub

import (
	"context"
	"errors"
	"time"
)

// The Keyring (names → keys) and the key-state check (key ARNs → KMS key
// states) remember KMS answers the same way: a good answer is served while
// fresh; after a failed call the last good answer is served stale for a
// bounded time, and the failure itself is remembered for the negative TTL
// so that KMS is not asked again at once. This file is that one mechanism.

// cached is what a cache remembers about one name: the last good answer,
// and the last failure if the last call failed. It is never modified once
// stored; a new call stores a new one.
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
// is the caller's reading of that); after a failure and until retryAt, the
// value while within the maximum staleness, or else the failure — and
// ok=false when KMS must be asked.
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
	if e.resolved() && e.withinMaxStale(p, now) {
		return e.value, nil, true
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

// failureTreatment is how a cache remembers a failed KMS call.
type failureTreatment struct {
	// ignore: the failure says nothing about the name; the cache is left
	// as it is and the error returned.
	ignore bool
	// serveStale: the last good answer keeps being served, within the
	// maximum staleness after it was obtained.
	serveStale bool
	// remember: the failure is remembered for the negative TTL, so that
	// KMS is not asked again for the name until it ends.
	remember bool
}

// treatFailure decides how a failed GetPublicKey or DescribeKey call is
// remembered. It is the one place that decision is made, for the Keyring
// and the key-state check alike.
//
// Today only the caller's own context ending is told apart: it says
// nothing about the key and is ignored. Every other failure — KMS
// unreachable or throttled, and KMS's definitive answers (NotFound,
// Disabled, AccessDenied…) alike — is served stale and remembered. Telling
// transient failures (serve stale, do not remember) from definitive ones
// (remember, do not serve stale) belongs here.
func treatFailure(ctx context.Context, err error) failureTreatment {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return failureTreatment{ignore: true}
	}
	return failureTreatment{serveStale: true, remember: true}
}

// afterFailure returns what a failed call leaves for a name whose entry was
// prev (nil: none): the entry to store in its place (nil: none), and the
// answer to give — the stale value, or err. The caller has handled
// t.ignore.
func afterFailure[V comparable](p *cachePolicy, t failureTreatment, prev *cached[V], err error, now time.Time) (next *cached[V], v V, answerErr error) {
	if t.serveStale && prev != nil && prev.resolved() && prev.withinMaxStale(p, now) {
		retryAt := now
		if t.remember {
			retryAt = now.Add(p.negativeTTL)
		}
		return &cached[V]{value: prev.value, at: prev.at, err: err, retryAt: retryAt}, prev.value, nil
	}
	if t.remember && p.negativeTTL > 0 {
		return &cached[V]{err: err, retryAt: now.Add(p.negativeTTL)}, v, err
	}
	return nil, v, err
}

// reportFailure passes a failed call to the error handler, if any.
func (p *cachePolicy) reportFailure(name string, err error) {
	if p.onError != nil {
		p.onError(name, err)
	}
}
