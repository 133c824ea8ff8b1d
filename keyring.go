package kmspub

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Defaults for [NewKeyring].
const (
	// DefaultTTL is how long an alias, alias ARN or bare key ID stays
	// resolved to a key ARN before the Keyring asks KMS again.
	DefaultTTL = 5 * time.Minute
	// DefaultMaxStale bounds how long after its last successful resolution
	// a name keeps being served while GetPublicKey fails.
	DefaultMaxStale = time.Hour
	// DefaultNegativeTTL is how long a failed GetPublicKey is remembered:
	// the error is returned (or the stale key served) without asking KMS
	// again during that time.
	DefaultNegativeTTL = time.Second
	// DefaultMaxNames bounds how many names other than key ARNs a Keyring
	// holds at once (see [WithMaxNames]).
	DefaultMaxNames = 10000
)

// ErrKeyringFull is given to the error handler ([WithErrorHandler]) with a
// name that a [Keyring] did not keep because it already held its maximum
// number of names ([WithMaxNames]). The call itself was answered: the
// name is looked up again on its next use.
var ErrKeyringFull = errors.New("kmspub: the keyring holds its maximum number of names; the name was not kept")

// A Keyring fetches KMS public keys with GetPublicKey and keeps them, so that
// a service calls KMS once per key instead of once per operation. It is safe
// for concurrent use; no lock is held while KMS is called.
//
// Keys are kept by the name the caller uses:
//
//   - A key ARN (the KeyId that GetPublicKey returns) is kept for ever: an
//     asymmetric KMS key's public key never changes. Whether the key is still
//     enabled is a separate question; see [WithKeyStateCheck].
//   - An alias name ("alias/x"), alias ARN or bare key ID is re-resolved
//     after the TTL ([WithTTL]), because an alias can be re-pointed and a
//     bare key ID depends on the client's Region. Resolution maps the name to
//     a key ARN; the key itself is stored once, under that ARN.
//
// Concurrent misses for one name make a single GetPublicKey call; the other
// callers wait for its answer (or for their own context to end).
//
// When a name that resolved before cannot be resolved again (KMS unreachable,
// throttled…), the Keyring keeps serving the key it had for up to the
// maximum staleness ([WithMaxStale]) after the last success, and reports
// each failed call to the error handler ([WithErrorHandler]). Failures are
// remembered for the negative TTL ([WithNegativeTTL]) and then retried; they
// are never kept for ever.
//
// Names are cache keys as given: optFns passed to [Keyring.Get] reach the
// client on a miss but are not part of the key, so a Keyring used with
// several Regions must be given key ARNs or alias ARNs, not bare key IDs or
// alias names.
//
// Memory: a Keyring holds one entry per key ARN of a key it fetched or was
// given, for ever, so those grow only with the keys that exist and that the
// client may read. Every other name it holds — an alias, alias ARN or bare
// key ID, and any name (even an ARN) whose lookup failed — is held only
// while its entry is of use: until its TTL ends, or, with stale serving,
// until the maximum staleness ends; a failure until its negative TTL ends.
// Such entries are dropped on a later miss (any name's), not by a
// background goroutine, and at most [WithMaxNames] of them are held at
// once. When a new name would pass that bound, the Keyring makes room for
// a resolved name by dropping the entry due to be dropped first if that
// is a failed lookup; a failure is never kept in place of another entry,
// nor a resolved name in place of another. A name it cannot keep is still
// answered (looked up, its key kept by ARN), reported to the error handler
// with [ErrKeyringFull], and looked up again on its next use. So names
// taken from untrusted input cost at most the bound's worth of entries,
// and at worst one GetPublicKey per call. An entry holds the name and the
// client's error, which for NotFound quotes the name: about 450 bytes for
// a short name, 4.7 KB for one of KMS's maximum length (2048 characters),
// so at the default bound 4.5 MB to 47 MB. Lower the bound when names come
// from untrusted input and few are expected.
type Keyring struct {
	client      GetPublicKeyAPIClient
	ttl         time.Duration
	maxStale    time.Duration
	negativeTTL time.Duration
	now         func() time.Time
	timers      bool // the default clock: name entries expire by timer (see keyringEntry.expired)
	onError     func(keyID string, err error)
	maxNames    int

	entries sync.Map // name → *keyringEntry; entries are immutable, replaced whole
	flights flightGroup[*PublicKey]
	names   nameIndex // the entries that are not permanent, for dropping and bounding them
}

// keyringEntry is what the Keyring knows about one name. It is never
// modified once stored.
type keyringEntry struct {
	key       *PublicKey // nil when the name never resolved (a negative entry)
	permanent bool       // the name is the key's own ARN: valid for ever

	resolvedAt time.Time // last successful GetPublicKey for the name
	err        error     // error of the last GetPublicKey, if it failed
	retryAt    time.Time // with err: do not ask KMS again before this

	// expired is set by a timer TTL after resolvedAt, when the Keyring uses
	// the default clock. Reading the clock costs more than the rest of a
	// hit (60–100 ns on some virtual machines), so with the default clock a
	// hit on a name reads this flag instead. It is the one field that
	// changes after the entry is stored.
	expired atomic.Bool
}

// A KeyringOption configures a [Keyring].
type KeyringOption func(*Keyring)

// WithTTL sets how long an alias name, alias ARN or bare key ID stays
// resolved (default [DefaultTTL]). A TTL of zero or less re-resolves such
// names on every call; key ARNs are unaffected.
func WithTTL(ttl time.Duration) KeyringOption { return func(r *Keyring) { r.ttl = ttl } }

// WithMaxStale sets how long after its last successful resolution a name
// is still served when re-resolving it fails (default [DefaultMaxStale]).
// A value not above the TTL turns stale serving off: the error is returned.
func WithMaxStale(maxStale time.Duration) KeyringOption {
	return func(r *Keyring) { r.maxStale = maxStale }
}

// WithNegativeTTL sets how long a failed GetPublicKey is remembered
// (default [DefaultNegativeTTL]): during that time the error — or the stale
// key — is returned without calling KMS. Zero retries on every call (still
// one call at a time per name). Errors caused by the caller's own context
// ending are never remembered.
func WithNegativeTTL(d time.Duration) KeyringOption {
	return func(r *Keyring) { r.negativeTTL = d }
}

// WithErrorHandler sets a function called once for every failed
// GetPublicKey, with the name asked for and the client's error, whether or
// not a stale key was served instead, and with [ErrKeyringFull] for every
// name not kept because of [WithMaxNames]. It runs on the goroutine that
// made the call, with no lock held, and must not block for long.
func WithErrorHandler(handle func(keyID string, err error)) KeyringOption {
	return func(r *Keyring) { r.onError = handle }
}

// WithMaxNames sets how many names other than key ARNs the Keyring holds
// at once (default [DefaultMaxNames]): aliases, alias ARNs, bare key IDs
// and names whose lookup failed. Past the bound a new name is answered but
// not kept, as described on [Keyring]; zero or less keeps no such name
// (and reports nothing). Key ARNs of fetched keys are not counted.
func WithMaxNames(n int) KeyringOption { return func(r *Keyring) { r.maxNames = n } }

// WithClock replaces time.Now for every age the Keyring (and a [Client]
// built on it) computes. Tests use it to move time without sleeping. With
// the default clock a name's TTL is ended by a runtime timer, so that a hit
// reads no clock; with WithClock every hit on a name reads now instead.
func WithClock(now func() time.Time) KeyringOption {
	return func(r *Keyring) { r.now, r.timers = now, false }
}

// NewKeyring returns a Keyring that fetches keys with client. client may be
// nil: the Keyring then serves only keys given to [Keyring.Add], and any
// other name gives a *types.NotFoundException.
func NewKeyring(client GetPublicKeyAPIClient, opts ...KeyringOption) *Keyring {
	r := &Keyring{
		client:      client,
		ttl:         DefaultTTL,
		maxStale:    DefaultMaxStale,
		negativeTTL: DefaultNegativeTTL,
		maxNames:    DefaultMaxNames,
		now:         time.Now,
		timers:      true,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Add puts a key the caller already holds (for example one read with
// [ParseGetPublicKeyJSON]) into the Keyring under its key ARN, for ever. The
// key must carry a key ARN. Adding a different public key under an ARN the
// Keyring already holds is refused.
func (r *Keyring) Add(k *PublicKey) error {
	if k == nil || !keyARN.MatchString(k.keyID) {
		return errors.New("kmspub: Keyring.Add: the key has no key ARN")
	}
	_, err := r.storePermanent(k)
	return err
}

// Get returns the public key named by keyID — a key ARN, key ID, alias name
// or alias ARN — calling GetPublicKey (with optFns) only when the Keyring
// does not hold a current answer for that name, as described on [Keyring].
// Errors from the client are returned as they are, so SDK error types
// survive; a key KMS returns that kmspub refuses is an [*InvalidKeyError].
func (r *Keyring) Get(ctx context.Context, keyID string, optFns ...func(*kms.Options)) (*PublicKey, error) {
	if v, ok := r.entries.Load(keyID); ok {
		// The hit path: one map read, and for a name one flag read (a
		// clock read with WithClock).
		e := v.(*keyringEntry)
		if e.permanent || (r.timers && e.err == nil && !e.expired.Load()) {
			return e.key, nil
		}
		if k, err, ok := r.usable(e, r.now()); ok {
			return k, err
		}
	}
	// KMS's model bounds, before a flight or a cache entry is made for the
	// name, and before a long one is quoted in an error.
	if err := checkLength("keyId", len(keyID), kmsrules.MinKeyIDSize, kmsrules.MaxKeyIDSize); err != nil {
		return nil, err
	}
	return r.flights.do(ctx, keyID,
		func() (*PublicKey, error, bool) { return r.lookup(keyID) },
		func() (*PublicKey, error) { return r.fetch(ctx, keyID, optFns) })
}

// GetPublicKey makes the Keyring a caching [GetPublicKeyAPIClient]: it
// answers from [Keyring.Get] with the key's GetPublicKey output. GrantTokens
// are ignored. A missing KeyId is refused as the SDK refuses it, with a
// smithy.InvalidParamsError; other errors are Get's, unwrapped.
func (r *Keyring) GetPublicKey(ctx context.Context, params *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	if params == nil || params.KeyId == nil {
		invalid := smithy.InvalidParamsError{Context: "GetPublicKeyInput"}
		invalid.Add(smithy.NewErrParamRequired("KeyId"))
		return nil, invalid
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
		return e.key, nil, true
	}
	return r.usable(e, r.now())
}

// usable reports what entry e gives at time now: a fresh key, a stale key
// or a remembered error, or ok=false when KMS must be asked again.
func (r *Keyring) usable(e *keyringEntry, now time.Time) (*PublicKey, error, bool) {
	if e.err == nil {
		if r.fresh(e, now) {
			return e.key, nil, true
		}
		return nil, nil, false
	}
	if !now.Before(e.retryAt) {
		return nil, nil, false
	}
	if e.key != nil && r.withinMaxStale(e, now) {
		return e.key, nil, true
	}
	return nil, e.err, true
}

// fresh reports whether a resolved name is within its TTL.
func (r *Keyring) fresh(e *keyringEntry, now time.Time) bool {
	if r.timers {
		return !e.expired.Load()
	}
	return now.Before(e.resolvedAt.Add(r.ttl))
}

// storeNameEntry keeps a name just resolved to k, and with the default
// clock starts the timer that ends its TTL. It reports whether the name
// was kept (see [Keyring.setName]).
func (r *Keyring) storeNameEntry(keyID string, k *PublicKey, now time.Time) bool {
	e := &keyringEntry{key: k, resolvedAt: now}
	if r.timers && r.ttl <= 0 {
		e.expired.Store(true)
	}
	if !r.setName(keyID, e, now) {
		return false
	}
	// The timer starts only once the entry is kept, so that a name past
	// the bound holds nothing; a hit meanwhile is within the TTL anyway.
	if r.timers && r.ttl > 0 {
		time.AfterFunc(r.ttl, func() { e.expired.Store(true) })
	}
	return true
}

// dropAt is when entry e stops being of use: from then on Get does what
// it would do had the name never been asked for, so e can be dropped.
func (r *Keyring) dropAt(e *keyringEntry) time.Time {
	var at time.Time
	if e.key != nil {
		keep := r.ttl
		if r.maxStale > r.ttl {
			keep = r.maxStale // see withinMaxStale
		}
		at = e.resolvedAt.Add(keep)
	}
	if e.err != nil && e.retryAt.After(at) {
		at = e.retryAt
	}
	return at
}

func (r *Keyring) withinMaxStale(e *keyringEntry, now time.Time) bool {
	return r.maxStale > r.ttl && now.Before(e.resolvedAt.Add(r.maxStale))
}

// fetch calls GetPublicKey for keyID and records the outcome. It runs once
// per miss (see flightGroup) and must store its result before returning, so
// that a caller arriving after the flight ends finds it in the cache.
func (r *Keyring) fetch(ctx context.Context, keyID string, optFns []func(*kms.Options)) (*PublicKey, error) {
	var k *PublicKey
	var err error
	if r.client == nil {
		err = kmserr.NotFound(fmt.Sprintf("kmspub: %s is not in the keyring, and the keyring has no KMS client", keyID))
	} else {
		k, err = Fetch(ctx, r.client, keyID, optFns...)
	}
	now := r.now()
	if err == nil {
		if k, err = r.storePermanent(k); err == nil {
			if k.keyID != keyID && !r.storeNameEntry(keyID, k, now) {
				r.reportFull(keyID)
			}
			return k, nil
		}
	}
	if r.onError != nil {
		r.onError(keyID, err)
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		// The caller gave up; that says nothing about the key.
		return nil, err
	}
	var prev *keyringEntry
	if v, ok := r.entries.Load(keyID); ok {
		prev = v.(*keyringEntry)
	}
	// Only this flight writes keyID's entry, except Add (or another
	// name's fetch), which may have stored the key for ever meanwhile;
	// setName never replaces a permanent entry.
	switch {
	case prev != nil && prev.permanent:
		return prev.key, nil
	case prev != nil && prev.key != nil && r.withinMaxStale(prev, now):
		if !r.setName(keyID, &keyringEntry{key: prev.key, resolvedAt: prev.resolvedAt, err: err, retryAt: now.Add(r.negativeTTL)}, now) {
			r.reportFull(keyID) // only if prev was dropped meanwhile
		}
		return prev.key, nil
	case r.negativeTTL > 0:
		if !r.setName(keyID, &keyringEntry{err: err, retryAt: now.Add(r.negativeTTL)}, now) {
			r.reportFull(keyID)
		}
	default:
		r.setName(keyID, nil, now)
	}
	return nil, err
}

func (r *Keyring) reportFull(keyID string) {
	if r.onError != nil && r.maxNames > 0 {
		r.onError(keyID, ErrKeyringFull)
	}
}

// setName makes next the entry of keyID (nil: no entry), unless keyID
// holds a permanent entry, which stays. It first drops the entries no
// longer of use. A new name past the bound takes the place of the entry
// due to be dropped first if next is a resolved name and that entry a
// negative one; otherwise it is not stored, and setName returns false.
func (r *Keyring) setName(keyID string, next *keyringEntry, now time.Time) bool {
	x := &r.names
	x.mu.Lock()
	defer x.mu.Unlock()
	x.dropUntil(r, now)
	var cur *keyringEntry
	if v, ok := r.entries.Load(keyID); ok {
		if cur = v.(*keyringEntry); cur.permanent {
			return true
		}
	}
	slot := x.byName[keyID]
	if next == nil {
		if cur != nil {
			r.entries.CompareAndDelete(keyID, cur)
		}
		if slot != nil {
			x.remove(slot)
		}
		return true
	}
	if slot == nil {
		if len(x.byName) >= r.maxNames && (next.key == nil || !x.evictNegative(r)) {
			return false
		}
		slot = &nameSlot{name: keyID}
		if x.byName == nil {
			x.byName = make(map[string]*nameSlot)
		}
		x.byName[keyID] = slot
		heap.Push(&x.heap, slot)
	}
	slot.dropAt, slot.negative = r.dropAt(next), next.key == nil
	heap.Fix(&x.heap, slot.index)
	// Non-permanent entries are written only under x.mu, so these fail
	// only when a key ARN's permanent entry was stored meanwhile.
	var stored bool
	if cur == nil {
		_, loaded := r.entries.LoadOrStore(keyID, next)
		stored = !loaded
	} else {
		stored = r.entries.CompareAndSwap(keyID, cur, next)
	}
	if !stored {
		x.remove(slot)
	}
	return true
}

// storePermanent stores k under its key ARN for ever and returns the key
// held under that ARN. A second, different public key for one ARN means
// the answers cannot be trusted (KMS keys are immutable): it is refused and
// the first key kept.
func (r *Keyring) storePermanent(k *PublicKey) (*PublicKey, error) {
	v, loaded := r.entries.LoadOrStore(k.keyID, &keyringEntry{key: k, permanent: true})
	if !loaded {
		return k, nil
	}
	e := v.(*keyringEntry)
	if !e.permanent {
		// A negative entry for the ARN from an earlier failure: replace it,
		// under the name index's lock as every write of such an entry.
		r.names.mu.Lock()
		swapped := r.entries.CompareAndSwap(k.keyID, e, &keyringEntry{key: k, permanent: true})
		if slot := r.names.byName[k.keyID]; swapped && slot != nil {
			r.names.remove(slot)
		}
		r.names.mu.Unlock()
		if swapped {
			return k, nil
		}
		return r.storePermanent(k)
	}
	if !bytes.Equal(e.key.der, k.der) || e.key.usage != k.usage || e.key.spec != k.spec {
		return nil, invalidKey("PublicKey", fmt.Sprintf("differs from the key already held for %s; a KMS key's public key never changes", k.keyID), nil)
	}
	return e.key, nil
}

// nameIndex orders a Keyring's entries that are not permanent by the time
// each stops being of use, so that the miss path drops them in O(log n)
// and bounds their number. Such entries are written to Keyring.entries only
// under mu, so the index and the map agree. The hit path never touches it.
type nameIndex struct {
	mu     sync.Mutex
	byName map[string]*nameSlot
	heap   slotHeap
}

type nameSlot struct {
	name     string
	dropAt   time.Time
	negative bool // the name never resolved: the entry holds only an error
	index    int  // in nameIndex.heap
}

// dropUntil drops every entry no longer of use at now.
func (x *nameIndex) dropUntil(r *Keyring, now time.Time) {
	for len(x.heap) > 0 && !now.Before(x.heap[0].dropAt) {
		x.drop(r, x.heap[0])
	}
}

// evictNegative drops the entry due to be dropped first if it is a
// negative one: dropping it costs only an earlier retry.
func (x *nameIndex) evictNegative(r *Keyring) bool {
	if len(x.heap) == 0 || !x.heap[0].negative {
		return false
	}
	x.drop(r, x.heap[0])
	return true
}

func (x *nameIndex) drop(r *Keyring, slot *nameSlot) {
	if v, ok := r.entries.Load(slot.name); ok && !v.(*keyringEntry).permanent {
		r.entries.CompareAndDelete(slot.name, v)
	}
	x.remove(slot)
}

func (x *nameIndex) remove(slot *nameSlot) {
	heap.Remove(&x.heap, slot.index)
	delete(x.byName, slot.name)
}

// slotHeap is a container/heap of slots, earliest dropAt first.
type slotHeap []*nameSlot

func (h slotHeap) Len() int           { return len(h) }
func (h slotHeap) Less(i, j int) bool { return h[i].dropAt.Before(h[j].dropAt) }
func (h slotHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *slotHeap) Push(x any) {
	slot := x.(*nameSlot)
	slot.index = len(*h)
	*h = append(*h, slot)
}
func (h *slotHeap) Pop() any {
	old := *h
	slot := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return slot
}

// flightGroup makes concurrent misses for one name share one fetch, in the
// manner of golang.org/x/sync/singleflight, which kmspub does not depend on.
type flightGroup[V any] struct {
	mu      sync.Mutex
	flights map[string]*flight[V]
}

type flight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// do returns cached() when it has an answer, else joins the flight for key
// or starts one that runs fetch. cached is consulted under the group's lock,
// and fetch publishes its result to the cache before the flight ends, so a
// miss makes exactly one fetch however the callers interleave. A caller
// whose context ends stops waiting; when the leader's own context ended,
// the callers still waiting start a new flight instead of sharing its error.
func (g *flightGroup[V]) do(ctx context.Context, key string, cached func() (V, error, bool), fetch func() (V, error)) (V, error) {
	for {
		g.mu.Lock()
		if v, err, ok := cached(); ok {
			g.mu.Unlock()
			return v, err
		}
		if f, ok := g.flights[key]; ok {
			g.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				var zero V
				return zero, ctx.Err()
			}
			if f.err != nil && isContextError(f.err) && ctx.Err() == nil {
				continue
			}
			return f.val, f.err
		}
		f := &flight[V]{done: make(chan struct{})}
		if g.flights == nil {
			g.flights = make(map[string]*flight[V])
		}
		g.flights[key] = f
		g.mu.Unlock()

		func() {
			// Even if fetch panics, waiters must be released.
			defer func() {
				g.mu.Lock()
				delete(g.flights, key)
				g.mu.Unlock()
				close(f.done)
			}()
			f.err = errFlightPanicked
			f.val, f.err = fetch()
		}()
		return f.val, f.err
	}
}

var errFlightPanicked = errors.New("kmspub: key fetch panicked")

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
