package kmspub

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// DescribeKeyAPIClient is the one call the key-state check
// ([ClientOptions.KeyStateCheck]) makes. *kms.Client satisfies it.
type DescribeKeyAPIClient interface {
	DescribeKey(ctx context.Context, params *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// KeyStateCheck makes a [Client] ask KMS, with DescribeKey, whether a key
// may still be used, and refuse Verify, Encrypt and Encapsulate with a key
// KMS would refuse:
//
//   - Disabled: *types.DisabledException "<key-arn> is disabled." (KMS's
//     text, docs/KMS-RULES.md §7);
//   - PendingDeletion, PendingImport: *types.KMSInvalidStateException
//     "<key-arn> is pending deletion." / "… is pending import." (KMS's
//     texts, docs/KMS-RULES.md §7.1);
//   - any other state but Enabled (Creating, Unavailable, Updating,
//     PendingReplicaDeletion…): *types.KMSInvalidStateException
//     "<key-arn> is <KeyState>." (inferred).
//
// GetPublicKey is checked as KMS checks it: a key pending deletion or
// import is refused as above, and a disabled key's public key is returned
// (docs/KMS-RULES.md §7.3, §13.1 rows 5a, 5b). The key's usage is checked
// before its state, as KMS does: Encrypt with a disabled SIGN_VERIFY key is
// the usage refusal.
//
// A key's state is asked for at most once per MaxAge (and once at a time),
// so a key disabled in KMS is refused offline within MaxAge; a MaxAge of
// zero asks on every request.
//
// When DescribeKey fails, what happens depends on why (the Keyring's rule,
// see [Keyring]): when KMS is unreachable, times out, throttles or fails on
// its side (5xx), the last state read is used until it is 2×MaxAge old —
// not the Keyring's MaxStale — so that however DescribeKey is made to fail,
// a key disabled in KMS is refused within 2×MaxAge; past that, or without a
// state to use, the request fails with the DescribeKey error. When KMS
// answers with a refusal (NotFound, AccessDenied, KMSInvalidState…) or with
// an answer kmspub refuses (about another key, or without a KeyState), the
// request fails with that error at once, and the error is remembered for
// the Keyring's negative TTL. Every failure goes to the Keyring's error
// handler.
type KeyStateCheck struct {
	Client DescribeKeyAPIClient // must not be nil
	MaxAge time.Duration
}

// keyStates caches DescribeKey answers by key ARN, by the Keyring's rules
// (see cache.go) with answers fresh for MaxAge and served stale, while
// DescribeKey fails transiently, until 2×MaxAge after they were read.
type keyStates struct {
	client  DescribeKeyAPIClient
	cache   cachePolicy
	entries sync.Map // key ARN → *cached[types.KeyState], immutable
	flights flightGroup[types.KeyState]
}

func newKeyStates(check *KeyStateCheck, keys *Keyring) *keyStates {
	if check.Client == nil {
		panic("kmspub: ClientOptions.KeyStateCheck has no DescribeKey client")
	}
	return &keyStates{client: check.Client, cache: keys.cachePolicyFor(check.MaxAge, 2*check.MaxAge)}
}

// check refuses a key whose KMS state does not allow cryptographic use.
func (s *keyStates) check(ctx context.Context, keyARN string, optFns []func(*kms.Options)) error {
	state, err := s.state(ctx, keyARN, optFns)
	if err != nil {
		return err
	}
	switch state {
	case types.KeyStateEnabled:
		return nil
	case types.KeyStateDisabled:
		return kmserr.Disabled(keyARN)
	case types.KeyStatePendingDeletion:
		return kmserr.InvalidState(keyARN + " is pending deletion.")
	case types.KeyStatePendingImport:
		return kmserr.InvalidState(keyARN + " is pending import.")
	}
	return kmserr.InvalidState(fmt.Sprintf("%s is %s.", keyARN, state))
}

func (s *keyStates) state(ctx context.Context, keyARN string, optFns []func(*kms.Options)) (types.KeyState, error) {
	fromCache := func() (types.KeyState, error, bool) {
		v, ok := s.entries.Load(keyARN)
		if !ok {
			return "", nil, false
		}
		e, now := v.(*cached[types.KeyState]), s.cache.now()
		return e.serve(&s.cache, now.Before(e.at.Add(s.cache.fresh)), now)
	}
	if state, err, ok := fromCache(); ok {
		return state, err
	}
	return s.flights.do(ctx, keyARN, fromCache, func() (types.KeyState, error) {
		out, err := s.client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)}, optFns...)
		now := s.cache.now()
		if err == nil {
			if err = bindDescribeKey(keyARN, out, ""); err == nil && out.KeyMetadata.KeyState == "" {
				err = invalidKey("KeyMetadata.KeyState", "is missing from the DescribeKey answer for "+keyARN, nil)
			}
			if err == nil {
				state := out.KeyMetadata.KeyState
				s.entries.Store(keyARN, &cached[types.KeyState]{value: state, at: now})
				return state, nil
			}
		}
		s.cache.reportFailure(keyARN, err)
		kind := treatFailure(ctx, err)
		if kind == failureIgnored {
			return "", err
		}
		var prev *cached[types.KeyState]
		if v, ok := s.entries.Load(keyARN); ok {
			prev = v.(*cached[types.KeyState])
		}
		next, change, stale, err := afterFailure(&s.cache, kind, prev, err, now)
		switch {
		case !change:
		case next != nil:
			s.entries.Store(keyARN, next)
		default:
			s.entries.Delete(keyARN)
		}
		return stale, err
	})
}
