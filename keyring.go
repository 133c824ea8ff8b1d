package kmspub

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Defaults for [KeyringOptions].
const (
	// DefaultTTL is how long an alias, alias ARN or bare key ID stays
	// resolved to a key ARN before the Keyring asks KMS again.
	DefaultTTL = 5 * time.Minute
	// DefaultMaxStale bounds how long after its last successful resolution
	// a name keeps being served while GetPublicKey fails for a transient
	// reason (KMS unreachable, timing out, throttling or failing).
	DefaultMaxStale = time.Hour
	// DefaultNegativeTTL is how long a definitive GetPublicKey failure
	// (KMS's refusal, or an answer kmspub refuses) is remembered: the error
	// is returned without asking KMS again during that time.
	DefaultNegativeTTL = time.Second
	// DefaultMaxNames bounds how many names other than key ARNs a Keyring
	// holds at once (see [KeyringOptions.MaxNames]).
	DefaultMaxNames = 10000
)

// ErrKeyringFull is given to the error handler
// ([KeyringOptions.ErrorHandler]) with a name that a [Keyring] did not keep
// because it already held its maximum number of names
// ([KeyringOptions.MaxNames]). The call itself was answered: the name is
// looked up again on its next use.
var ErrKeyringFull = errors.New("kmspub: the keyring holds its maximum number of names; the name was not kept")

// A Keyring fetches KMS public keys with GetPublicKey and keeps them, so that
// a service calls KMS once per key instead of once per operation. It is safe
// for concurrent use; no lock is held while KMS is called.
//
// Keys are kept by the name the caller uses:
//
//   - A key ARN (the KeyId that GetPublicKey returns) is kept for ever: an
//     asymmetric KMS key's public key never changes. Whether the key is still
//     enabled is a separate question; see [ClientOptions.KeyStateCheck].
//   - An alias name ("alias/x"), alias ARN or bare key ID is re-resolved
//     after the TTL ([KeyringOptions.TTL]), because an alias can be
//     re-pointed and a bare key ID depends on the client's Region.
//
// Every answer is first bound to the name asked for (see [Fetch]: an
// answer about another key, or from another Region, account or partition
// than the name allows, is refused), and is then trusted for that name
// only. An answer for an alias or key ID is not kept under the key ARN it
// names — the key ARN is asked for by ARN when it is used — so one wrong
// answer cannot plant a key under another key's ARN; when the ARN is
// already held, the answer must carry the same public key, or it is
// refused.
//
// Concurrent misses for one name make a single GetPublicKey call; the other
// callers wait for its answer (or for their own context to end).
//
// When GetPublicKey fails, what the Keyring does depends on why; every
// failure goes to the error handler ([KeyringOptions.ErrorHandler]):
//
//   - KMS unreachable, timing out, throttling, or failing on its side (an
//     HTTP 5xx or 429, a server-fault exception such as
//     KMSInternalException, DependencyTimeoutException or
//     KeyUnavailableException, a network error; as the AWS SDK's retryer
//     classifies them): a name that resolved before keeps being served its
//     key for up to the maximum staleness ([KeyringOptions.MaxStale]) after
//     the last success, and KMS is asked again after the negative TTL.
//     The failure itself is never remembered: without a key to serve, the
//     error is returned and the next call asks KMS again.
//   - A definitive answer — KMS refused the request (NotFoundException,
//     DisabledException, KMSInvalidStateException,
//     UnsupportedOperationException, AccessDeniedException,
//     ValidationException: any exception of the client's fault), or kmspub
//     refused KMS's answer (an [*InvalidKeyError]: a key it will not use, or
//     an answer about another key than the one asked for, see [Fetch]):
//     the name stops resolving at once — no stale key is served — and the
//     error is remembered for the negative TTL
//     ([KeyringOptions.NegativeTTL]), then KMS is asked again.
//   - The caller's context ending changes nothing. Any other error (a
//     client that is not the SDK's, a response the SDK could not read)
//     drops what the name resolved to and is not remembered.
//
// Names are cache keys as given: optFns passed to [Keyring.Get] reach the
// client on a miss but are not part of the key, so a Keyring used with
// several Regions must be given key ARNs or alias ARNs, not bare key IDs or
// alias names.
//
// Entries for key ARNs are kept for ever; every other name is kept only
// while of use, and at most [KeyringOptions.MaxNames] of them at once, so
// names taken from untrusted input cost bounded memory. docs/KEYRING.md
// says how much, and how the bound is kept.
type Keyring struct {
	client   GetPublicKeyAPIClient
	cache    cachePolicy // fresh is the TTL of names
	timers   bool        // the default clock: name entries expire by timer (see keyringEntry.expired)
	maxNames int

	entries sync.Map // name → *keyringEntry; entries are immutable, replaced whole
	flights flightGroup[*PublicKey]
	names   nameIndex // the entries that are not permanent, for dropping and bounding them
}

// keyringEntry is what the Keyring knows about one name. It is never
// modified once stored.
//
// The fields a hit reads (permanent, expired, value, err) come first, in
// one cache line.
type keyringEntry struct {
	permanent bool // the name is the key's own ARN, or an added key's ID: valid for ever

	// expired is set by a timer TTL after the name resolved, when the
	// Keyring uses the default clock. Reading the clock costs more than
	// the rest of a hit (60–100 ns on some virtual machines), so with the
	// default clock a hit on a name reads this flag instead. It is the one
	// field that changes after the entry is stored.
	expired atomic.Bool

	// value is nil when the name never resolved (a negative entry), or is
	// a key ID that two added keys share (a permanent entry with err).
	cached[*PublicKey]
}

// KeyringOptions configures a [Keyring]. [NewKeyring] sets every field to
// its default, then calls each function it was given with the options, as
// the AWS SDK's service clients do:
//
//	keys := kmspub.NewKeyring(kmsClient, func(o *kmspub.KeyringOptions) {
//		o.TTL = time.Minute
//	})
type KeyringOptions struct {
	// TTL is how long an alias name, alias ARN or bare key ID stays
	// resolved (default [DefaultTTL]). Zero or less re-resolves such names
	// on every call; key ARNs are unaffected.
	TTL time.Duration

	// MaxStale is how long after its last successful resolution a name is
	// still served while re-resolving it fails for a transient reason (KMS
	// unreachable, timing out, throttling or failing; see [Keyring]) —
	// never after a definitive refusal (default [DefaultMaxStale]). A value
	// not above the TTL turns stale serving off: the error is returned.
	MaxStale time.Duration

	// NegativeTTL is how long a definitive GetPublicKey failure is
	// remembered (default [DefaultNegativeTTL]): during that time the error
	// is returned without calling KMS. While a stale key is served after a
	// transient failure, KMS is likewise asked again only after this time.
	// Zero retries on every call (still one call at a time per name).
	// Transient failures without a stale key to serve, and errors caused by
	// the caller's own context ending, are never remembered.
	NegativeTTL time.Duration

	// MaxNames is how many names other than key ARNs the Keyring holds at
	// once (default [DefaultMaxNames]): aliases, alias ARNs, bare key IDs
	// and names whose lookup failed. Past the bound a new name is answered
	// but not kept (see docs/KEYRING.md); zero or less keeps no such name
	// (and reports nothing). Key ARNs of fetched keys are not counted.
	MaxNames int

	// ErrorHandler, when set, is called once for every failed GetPublicKey,
	// with the name asked for and the error (the client's, or kmspub's
	// refusal of its answer), whether or not a stale key was served
	// instead, and with [ErrKeyringFull] for every
	// name not kept because of MaxNames. It runs on the goroutine that made
	// the call, with no lock held, and must not block for long.
	ErrorHandler func(keyID string, err error)

	// Clock, when set, replaces time.Now for every age the Keyring (and a
	// [Client] built on it) computes; tests use it to move time without
	// sleeping. With the default clock (nil) a name's TTL is ended by a
	// runtime timer, so that a hit reads no clock; with Clock every hit on
	// a name reads it instead.
	Clock func() time.Time
}

// NewKeyring returns a Keyring that fetches keys with client, configured by
// optFns (see [KeyringOptions]). client may be nil: the Keyring then serves
// only keys given to [Keyring.Add], and any other name gives a
// *types.NotFoundException.
func NewKeyring(client GetPublicKeyAPIClient, optFns ...func(*KeyringOptions)) *Keyring {
	o := KeyringOptions{
		TTL:         DefaultTTL,
		MaxStale:    DefaultMaxStale,
		NegativeTTL: DefaultNegativeTTL,
		MaxNames:    DefaultMaxNames,
	}
	for _, fn := range optFns {
		fn(&o)
	}
	r := &Keyring{
		client: client,
		cache: cachePolicy{
			fresh:       o.TTL,
			maxStale:    o.MaxStale,
			negativeTTL: o.NegativeTTL,
			now:         o.Clock,
			onError:     o.ErrorHandler,
		},
		timers:   o.Clock == nil,
		maxNames: o.MaxNames,
	}
	if r.timers {
		r.cache.now = time.Now
	}
	return r
}

// TTL returns how long the Keyring holds an alias name, alias ARN or bare
// key ID resolved ([KeyringOptions.TTL]). Publishers of the keys — a JWK
// Set served over HTTP, for instance — use it to tell their own caches how
// long an answer holds.
func (r *Keyring) TTL() time.Duration { return r.cache.fresh }

// Add puts a key the caller already holds (for example one read with
// [ParseGetPublicKeyJSON]) into the Keyring for ever, under its key ARN and
// under its key ID — the two names *kms.Client takes for a key without a
// lookup — so that Get finds it by either without calling KMS. The key
// must carry a key ARN. Adding a different public key under an ARN the
// Keyring already holds is refused. When two added keys share a key ID (a
// multi-Region key added in two Regions), that key ID names neither: Get
// gives a *types.NotFoundException saying so, and each key is found by its
// key ARN. Aliases are resolved only through a KMS client.
func (r *Keyring) Add(k *PublicKey) error {
	if k == nil || !isKeyARN(k.keyID) {
		return errors.New("kmspub: Keyring.Add: the key has no key ARN")
	}
	held, err := r.storePermanent(k)
	if err != nil {
		return err
	}
	r.addKeyID(held)
	return nil
}

// Get returns the public key named by keyID — a key ARN, key ID, alias name
// or alias ARN — calling GetPublicKey (with optFns) only when the Keyring
// does not hold a current answer for that name, as described on [Keyring].
// Errors from the client are returned as they are, so SDK error types
// survive; a key KMS returns that kmspub refuses is an [*InvalidKeyError].
func (r *Keyring) Get(ctx context.Context, keyID string, optFns ...func(*kms.Options)) (*PublicKey, error) {
	return r.get(ctx, keyID, optFns, nil)
}

// get is Get for a caller that may refuse the key a name resolves to: a
// key fetched for a name other than a key ARN is stored only when keep
// (if not nil) accepts it, so that a Client's policy keeps out of the
// Keyring what it refuses. The key is returned either way; refusing it is
// the caller's.
func (r *Keyring) get(ctx context.Context, keyID string, optFns []func(*kms.Options), keep func(*PublicKey) bool) (*PublicKey, error) {
	if v, ok := r.entries.Load(keyID); ok {
		// The hit path: one map read, and for a name one flag read (a
		// clock read with KeyringOptions.Clock).
		e := v.(*keyringEntry)
		if e.permanent || (r.timers && e.err == nil && !e.expired.Load()) {
			return e.value, e.err // err: a key ID that two added keys share
		}
		if k, err, ok := r.usable(e, r.cache.now()); ok {
			return k, err
		}
	}
	// KMS's model bounds, before a flight or a cache entry is made for the
	// name, and before a long one is quoted in an error.
	if err := checkKeyID(keyID); err != nil {
		return nil, err
	}
	return r.flights.do(ctx, keyID,
		func() (*PublicKey, error, bool) { return r.lookup(keyID) },
		func() (*PublicKey, error) { return r.fetch(ctx, keyID, optFns, keep) })
}

// GetPublicKey makes the Keyring a caching [GetPublicKeyAPIClient]: it
// answers from [Keyring.Get] with the key's GetPublicKey output. GrantTokens
// are ignored. A missing KeyId is refused as the SDK refuses it, with a
// smithy.InvalidParamsError; other errors are Get's, unwrapped.
func (r *Keyring) GetPublicKey(ctx context.Context, params *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	if err := checkSDKRequired(params); err != nil {
		return nil, err
	}
	k, err := r.Get(ctx, *params.KeyId, optFns...)
	if err != nil {
		return nil, err
	}
	return k.GetPublicKeyOutput(), nil
}

// lookup answers from the cache alone; ok is false when KMS must be asked.
func (r *Keyring) lookup(keyID string) (*PublicKey, error, bool) {
	v, ok := r.entries.Load(keyID)
	if !ok {
		return nil, nil, false
	}
	e := v.(*keyringEntry)
	if e.permanent {
		return e.value, e.err, true
	}
	return r.usable(e, r.cache.now())
}

// usable reports what entry e gives at time now: a fresh key, a stale key
// or a remembered error, or ok=false when KMS must be asked again.
func (r *Keyring) usable(e *keyringEntry, now time.Time) (*PublicKey, error, bool) {
	return e.serve(&r.cache, r.fresh(e, now), now)
}

// fresh reports whether a resolved name is within its TTL.
func (r *Keyring) fresh(e *keyringEntry, now time.Time) bool {
	if r.timers {
		return !e.expired.Load()
	}
	return now.Before(e.at.Add(r.cache.fresh))
}

// now is the Keyring's clock, which a Client built on it shares.
func (r *Keyring) now() time.Time { return r.cache.now() }

// cachePolicyFor returns the Keyring's negative TTL, clock and error
// handler with answers fresh for fresh and served stale until maxStale
// after they were obtained: the key-state check of a Client caches
// DescribeKey answers by the same rules, with its own bounds.
func (r *Keyring) cachePolicyFor(fresh, maxStale time.Duration) cachePolicy {
	p := r.cache
	p.fresh, p.maxStale = fresh, maxStale
	return p
}

// storeNameEntry keeps a name just resolved to k, and with the default
// clock starts the timer that ends its TTL. It reports whether the name
// was kept (see [Keyring.setName]).
func (r *Keyring) storeNameEntry(keyID string, k *PublicKey, now time.Time) bool {
	e := &keyringEntry{cached: cached[*PublicKey]{value: k, at: now}}
	ttl := r.cache.fresh
	if r.timers && ttl <= 0 {
		e.expired.Store(true)
	}
	if !r.setName(keyID, e, now) {
		return false
	}
	// The timer starts only once the entry is kept, so that a name past
	// the bound holds nothing; a hit meanwhile is within the TTL anyway.
	if r.timers && ttl > 0 {
		time.AfterFunc(ttl, func() { e.expired.Store(true) })
	}
	return true
}

// fetch calls GetPublicKey for keyID and records the outcome. It runs once
// per miss (see flightGroup) and must store its result before returning, so
// that a caller arriving after the flight ends finds it in the cache.
func (r *Keyring) fetch(ctx context.Context, keyID string, optFns []func(*kms.Options), keep func(*PublicKey) bool) (*PublicKey, error) {
	var k *PublicKey
	var err error
	if r.client == nil {
		err = kmserr.NotFound(fmt.Sprintf("kmspub: %s is not in the keyring, and the keyring has no KMS client", keyID))
	} else {
		k, err = Fetch(ctx, r.client, keyID, optFns...)
	}
	now := r.cache.now()
	if err == nil {
		// An answer is trusted for the name asked (Fetch bound it to that
		// name), and for its key ARN only when asked by that ARN: an alias
		// or key ID answer never plants a key under an ARN.
		if k.keyID == keyID {
			if k, err = r.storePermanent(k); err == nil {
				return k, nil
			}
		} else if k, err = r.sameAsHeld(k); err == nil {
			switch {
			case keep != nil && !keep(k):
				// Refused by the caller: nothing kept, and the name's
				// earlier answer is not served stale later.
				r.setName(keyID, nil, now)
			case !r.storeNameEntry(keyID, k, now):
				r.reportFull(keyID)
			}
			return k, nil
		}
	}
	r.cache.reportFailure(keyID, err)
	kind := treatFailure(ctx, err)
	if kind == failureIgnored {
		return nil, err
	}
	var prev *keyringEntry
	if v, ok := r.entries.Load(keyID); ok {
		prev = v.(*keyringEntry)
	}
	// Only this flight writes keyID's entry, except Add (or another
	// name's fetch), which may have stored the key for ever meanwhile;
	// setName never replaces a permanent entry.
	if prev != nil && prev.permanent {
		return prev.value, prev.err
	}
	var prevCached *cached[*PublicKey]
	if prev != nil {
		prevCached = &prev.cached
	}
	next, change, stale, err := afterFailure(&r.cache, kind, prevCached, err, now)
	if change {
		var nextEntry *keyringEntry
		if next != nil {
			nextEntry = &keyringEntry{cached: *next}
		}
		if !r.setName(keyID, nextEntry, now) {
			r.reportFull(keyID) // for a stale entry, only if prev was dropped meanwhile
		}
	}
	return stale, err
}

func (r *Keyring) reportFull(keyID string) {
	if r.maxNames > 0 {
		r.cache.reportFailure(keyID, ErrKeyringFull)
	}
}

// sameAsHeld returns the key held for k's key ARN when there is one and it
// is k's public key and metadata, or k when none is held; a different key
// under a held ARN is refused, as storePermanent refuses it.
func (r *Keyring) sameAsHeld(k *PublicKey) (*PublicKey, error) {
	v, ok := r.entries.Load(k.keyID)
	if !ok || !v.(*keyringEntry).permanent {
		return k, nil
	}
	held := v.(*keyringEntry).value
	if !sameKey(held, k) {
		return nil, changedKey(k.keyID)
	}
	return held, nil
}

// sameKey reports whether a and b are one KMS key's answers: the same
// public key, spec and usage.
func sameKey(a, b *PublicKey) bool {
	return bytes.Equal(a.der, b.der) && a.usage == b.usage && a.spec == b.spec
}

func changedKey(keyARN string) error {
	return invalidKey("PublicKey", fmt.Sprintf("differs from the key already held for %s; a KMS key's public key never changes", keyARN), nil)
}

// storePermanent stores k under its key ARN for ever and returns the key
// held under that ARN. A second, different public key for one ARN means
// the answers cannot be trusted (KMS keys are immutable): it is refused and
// the first key kept.
func (r *Keyring) storePermanent(k *PublicKey) (*PublicKey, error) {
	held, loaded := r.putPermanent(k.keyID, &keyringEntry{cached: cached[*PublicKey]{value: k}, permanent: true})
	if !loaded {
		return k, nil
	}
	if !sameKey(held.value, k) {
		return nil, changedKey(k.keyID)
	}
	return held.value, nil
}

// putPermanent makes e the entry of name for ever, in place of a name entry
// (a failure, or a name resolved through KMS), unless name already holds a
// permanent entry: that one is returned, with loaded set.
func (r *Keyring) putPermanent(name string, e *keyringEntry) (held *keyringEntry, loaded bool) {
	for {
		v, loaded := r.entries.LoadOrStore(name, e)
		if !loaded {
			return e, false
		}
		cur := v.(*keyringEntry)
		if cur.permanent {
			return cur, true
		}
		// Replaced under the name index's lock, as every write of a name
		// entry.
		r.names.mu.Lock()
		swapped := r.entries.CompareAndSwap(name, cur, e)
		if slot := r.names.byName[name]; swapped && slot != nil {
			r.names.remove(slot)
		}
		r.names.mu.Unlock()
		if swapped {
			return e, false
		}
	}
}

// addKeyID makes k's key ID name k for ever, as its key ARN does — unless
// another added key has that key ID (a multi-Region key added in two
// Regions): then the key ID names no key, and asking for it is an error
// that says so.
func (r *Keyring) addKeyID(k *PublicKey) {
	id := kmsrules.ParseName(k.keyID).KeyID
	e := &keyringEntry{cached: cached[*PublicKey]{value: k}, permanent: true}
	for {
		held, loaded := r.putPermanent(id, e)
		if !loaded || held.err != nil || held.value.keyID == k.keyID {
			return // kept; already ambiguous; or this key again
		}
		msg := fmt.Sprintf("kmspub: key ID %s names more than one key added to the keyring (%s and %s, a multi-Region key in two Regions?); use the key ARN", id, held.value.keyID, k.keyID)
		ambiguous := &keyringEntry{cached: cached[*PublicKey]{err: kmserr.NotFound(msg)}, permanent: true}
		if r.entries.CompareAndSwap(id, held, ambiguous) {
			return
		}
	}
}
