package kmspub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// Keys that are not asymmetric. GetPublicKey refuses a symmetric
// (SYMMETRIC_DEFAULT) or HMAC key with UnsupportedOperationException, so
// the Client has no public key to work with offline. What KMS answers for
// such a key depends on the operation: Verify and Encapsulate are refused
// with InvalidKeyUsageException, and Encrypt with a symmetric key succeeds.
// So the Client passes the request on, unchanged, to the KMS client it
// wraps when that client has the method (*kms.Client has them all), and
// returns its answer as it is; otherwise it answers what KMS would, as far
// as it can know it (see [Client]).
//
// The Client remembers which names are such keys, so that the next request
// neither asks GetPublicKey again nor waits for the Keyring's negative TTL:
// a key ARN for ever (a key's spec never changes), any other name for the
// Keyring's TTL (an alias can be re-pointed to an asymmetric key).

// forwardClients are the methods of the wrapped client the Client passes
// requests on to; nil where it has none.
type forwardClients struct {
	verify      func(context.Context, *kms.VerifyInput, ...func(*kms.Options)) (*kms.VerifyOutput, error)
	encrypt     func(context.Context, *kms.EncryptInput, ...func(*kms.Options)) (*kms.EncryptOutput, error)
	encapsulate func(context.Context, *kms.EncapsulateInput, ...func(*kms.Options)) (*kms.EncapsulateOutput, error)
}

// newForwardClients finds the methods client has.
func newForwardClients(client any) forwardClients {
	var f forwardClients
	if c, ok := client.(VerifyAPIClient); ok {
		f.verify = c.Verify
	}
	if c, ok := client.(EncryptAPIClient); ok {
		f.encrypt = c.Encrypt
	}
	if c, ok := client.(EncapsulateAPIClient); ok {
		f.encapsulate = c.Encapsulate
	}
	return f
}

// keyKind is what the Client knows about a name GetPublicKey refused as
// not asymmetric.
type keyKind struct {
	name    string
	refusal error     // GetPublicKey's answer, given again to GetPublicKey
	until   time.Time // the zero time: for ever (the name is a key ARN)

	// meta is the key's DescribeKey metadata, once asked for (only when the
	// Client has a DescribeKey client and cannot pass the request on).
	meta atomic.Pointer[types.KeyMetadata]
}

// keyKinds are the names the Client knows are not asymmetric keys.
type keyKinds struct {
	entries sync.Map     // name → *keyKind
	any     atomic.Bool  // an entry was ever stored
	names   atomic.Int64 // entries that are not key ARNs
	sweep   sync.Mutex   // one sweep of expired entries at a time
}

// get returns what is known about name at now, or nil.
func (s *keyKinds) get(name string, now time.Time) *keyKind {
	if !s.any.Load() {
		return nil // a Client that never met such a key: one atomic read
	}
	v, ok := s.entries.Load(name)
	if !ok {
		return nil
	}
	kind := v.(*keyKind)
	if !kind.until.IsZero() && !now.Before(kind.until) {
		if s.entries.CompareAndDelete(name, kind) {
			s.names.Add(-1)
		}
		return nil
	}
	return kind
}

// learn records name as not asymmetric when err, the Keyring's answer for
// it, says so, and returns what is now known (nil when err says something
// else). A name other than a key ARN is kept for ttl, and only while fewer
// than maxNames such names are kept; ttl ≤ 0 keeps none (the Keyring then
// asks KMS on every call too).
func (s *keyKinds) learn(name string, err error, now time.Time, ttl time.Duration, maxNames int) *keyKind {
	if !notAsymmetric(err) {
		return nil
	}
	kind := &keyKind{name: name, refusal: err}
	if isKeyARN(name) {
		v, _ := s.entries.LoadOrStore(name, kind)
		s.any.Store(true)
		return v.(*keyKind)
	}
	if ttl <= 0 {
		return kind
	}
	kind.until = now.Add(ttl)
	if s.names.Load() >= int64(maxNames) {
		s.dropExpired(now)
	}
	if s.names.Add(1) > int64(maxNames) {
		s.names.Add(-1)
		return kind // answered, not kept
	}
	if prev, loaded := s.entries.Swap(name, kind); loaded && !prev.(*keyKind).until.IsZero() {
		s.names.Add(-1)
	}
	s.any.Store(true)
	return kind
}

// dropExpired removes the expired entries, so that names seen once do not
// hold the bound for ever.
func (s *keyKinds) dropExpired(now time.Time) {
	if !s.sweep.TryLock() {
		return
	}
	defer s.sweep.Unlock()
	s.entries.Range(func(name, v any) bool {
		kind := v.(*keyKind)
		if !kind.until.IsZero() && !now.Before(kind.until) && s.entries.CompareAndDelete(name, kind) {
			s.names.Add(-1)
		}
		return true
	})
}

// notAsymmetric reports whether err is GetPublicKey's refusal of a key
// that has no public key: UnsupportedOperationException, from KMS or from
// kmspub's check of a GetPublicKey answer with a symmetric or HMAC spec.
func notAsymmetric(err error) bool {
	var unsupported *types.UnsupportedOperationException
	return errors.As(err, &unsupported)
}

// metadata returns the DescribeKey metadata of kind's key, asking KMS once;
// nil when the Client has no DescribeKey client.
func (c *Client) metadata(ctx context.Context, kind *keyKind, optFns []func(*kms.Options)) (*types.KeyMetadata, error) {
	if meta := kind.meta.Load(); meta != nil || c.describe == nil {
		return meta, nil
	}
	out, err := c.describe.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(kind.name)}, optFns...)
	if err != nil {
		return nil, err
	}
	// An answer about another key is not believed (docs/KMS-RULES.md
	// §14.3), as for the key-state check.
	if err := bindDescribeKey(kind.name, out, requestRegion(c.describe, optFns)); err != nil {
		return nil, err
	}
	meta := out.KeyMetadata
	kind.meta.Store(meta)
	return meta, nil
}

// refuseNotAsymmetric answers, for a key that is not asymmetric, an
// operation the Client cannot pass on: what KMS answers, as far as the
// Client can know it.
//
// With the key's metadata (DescribeKey, when the Client has a DescribeKey
// client): a usage other than op's is KMS's InvalidKeyUsageException "<arn>
// key usage is ENCRYPT_DECRYPT which is not valid for Verify."
// (GENERATE_VERIFY_MAC for an HMAC key); a usage that fits — Encrypt with a
// symmetric key — is checked for its state, then refused with an
// UnsupportedOperationException, since only KMS can encrypt with it.
//
// Without metadata: Verify and Encapsulate, which KMS refuses for every key
// that is not asymmetric, get an InvalidKeyUsageException that cannot name
// the usage; Encrypt, which KMS performs with a symmetric key and refuses
// with an HMAC key, gets the UnsupportedOperationException.
func (c *Client) refuseNotAsymmetric(ctx context.Context, rec *auditRecord, kind *keyKind, op operation, optFns []func(*kms.Options)) error {
	meta, err := c.metadata(ctx, kind, optFns)
	if err != nil {
		return err
	}
	if meta == nil {
		if op.usage == types.KeyUsageTypeEncryptDecrypt {
			return kmserr.UnsupportedOperation(fmt.Sprintf("%s is not an asymmetric key: kmspub cannot %s with it offline, and the client it wraps has no %s method to pass the request to.", kind.name, op.name, op.name))
		}
		return &types.InvalidKeyUsageException{Message: aws.String(fmt.Sprintf("%s is not an asymmetric key, so its key usage is not valid for %s.", kind.name, op.name))}
	}
	arn := aws.ToString(meta.Arn)
	rec.keyARN = arn
	if err := c.policy.allowResolved(rec.operation, rec.keyID, arn); err != nil {
		return err
	}
	if meta.KeyUsage != op.usage {
		return kmserr.InvalidKeyUsage(arn, meta.KeyUsage, op.name)
	}
	if c.states != nil {
		if err := c.states.check(ctx, arn, optFns); err != nil {
			return err
		}
	}
	return kmserr.UnsupportedOperation(fmt.Sprintf("%s is a %s key: kmspub cannot %s with it offline, and the client it wraps has no %s method to pass the request to.", arn, meta.KeySpec, op.name, op.name))
}

// getPublicKeyNotAsymmetric is GetPublicKey for a key that is not
// asymmetric: with a key-state check, the state first (KMS checks it before
// the key spec, docs/KMS-RULES.md §7.3), then GetPublicKey's own refusal
// again.
func (c *Client) getPublicKeyNotAsymmetric(ctx context.Context, rec *auditRecord, kind *keyKind, optFns []func(*kms.Options)) error {
	if c.states != nil {
		meta, err := c.metadata(ctx, kind, optFns)
		if err != nil {
			return err
		}
		rec.keyARN = aws.ToString(meta.Arn)
		if err := c.getPublicKeyState(ctx, rec.keyARN, optFns); err != nil {
			return err
		}
	}
	return kind.refusal
}

// passOn answers a request on a key that is not asymmetric: it passes the
// request on to call, the wrapped client's method, and returns its answer
// unchanged — unless the Client's policy does not allow the key ARN the
// answer names; without call (the wrapped client lacks the method), it
// answers as refuseNotAsymmetric does.
func passOn[I, O any](ctx context.Context, c *Client, rec *auditRecord, kind *keyKind, op operation,
	call func(context.Context, I, ...func(*kms.Options)) (O, error), params I, keyID func(O) *string, optFns []func(*kms.Options)) (O, error) {
	var zero O
	if call == nil {
		return zero, c.refuseNotAsymmetric(ctx, rec, kind, op, optFns)
	}
	out, err := call(ctx, params, optFns...)
	if err != nil {
		return zero, err
	}
	if arn := aws.ToString(keyID(out)); arn != "" {
		rec.keyARN = arn
		if err := c.policy.allowResolved(rec.operation, rec.keyID, arn); err != nil {
			return zero, err
		}
	}
	return out, nil
}
