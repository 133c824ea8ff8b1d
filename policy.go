package kmspub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// Policy is a local authorization policy for a [Client]. Offline there is
// no IAM and no key policy: whoever holds a public key can use it, so a
// service that took its authorization from KMS states it here instead.
//
// Each list that is not empty must contain the request's value; an empty
// list does not restrict. The zero Policy allows everything.
//
//   - AllowedKeyARNs: key ARNs ("arn:aws:kms:<region>:<account>:key/<id>"),
//     compared exactly with the key ARN a request resolves to. Alias names
//     and alias ARNs are not accepted here: an alias is allowed when the key
//     it points to is.
//   - AllowedAccounts: 12-digit AWS account IDs, compared with the key ARN's.
//   - AllowedRegions: Region names such as "eu-west-2", compared with the key
//     ARN's.
//   - AllowedOperations: operation names as KMS spells them: "Verify",
//     "Encrypt", "Encapsulate", "GetPublicKey".
//
// A request is refused before any cryptography, and before any GetPublicKey
// call when its key ID already tells (an operation not allowed; a key ARN
// or alias ARN outside the allowed accounts or Regions; a key ARN not
// listed). Aliases and bare key IDs are checked again on the key ARN they
// resolve to, before the key is used. A refusal is an AccessDeniedException
// (a smithy.APIError with code "AccessDeniedException" and a client fault,
// as the SDK surfaces KMS's own) whose message names the operation, the
// resource and the rule:
//
//	Local policy does not allow kms:Verify on resource: <arn> (account 444455556666 is not allowed).
type Policy struct {
	AllowedKeyARNs    []string
	AllowedAccounts   []string
	AllowedRegions    []string
	AllowedOperations []string
}

// WithPolicy makes a [Client] refuse requests the policy does not allow.
// The lists are copied.
func WithPolicy(p Policy) ClientOption {
	p = Policy{
		AllowedKeyARNs:    slices.Clone(p.AllowedKeyARNs),
		AllowedAccounts:   slices.Clone(p.AllowedAccounts),
		AllowedRegions:    slices.Clone(p.AllowedRegions),
		AllowedOperations: slices.Clone(p.AllowedOperations),
	}
	return func(c *Client) { c.policy = &p }
}

// kmsARN is the part of a KMS ARN a policy looks at.
type kmsARN struct {
	region, account string
	isKey           bool // "key/<id>" rather than "alias/<name>"
}

// parseKMSARN splits "arn:<partition>:kms:<region>:<account>:<resource>".
// It does not allocate: it runs on every request of a Client with a policy.
func parseKMSARN(s string) (kmsARN, bool) {
	var parts [5]string
	rest := s
	for i := range parts {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return kmsARN{}, false
		}
	}
	if parts[0] != "arn" || parts[2] != "kms" {
		return kmsARN{}, false
	}
	return kmsARN{region: parts[3], account: parts[4], isKey: strings.HasPrefix(rest, "key/")}, true
}

// allowBeforeFetch checks what keyID alone tells, so that a request the
// policy refuses costs no GetPublicKey call.
func (p *Policy) allowBeforeFetch(op, keyID string) error {
	if p == nil {
		return nil
	}
	if len(p.AllowedOperations) > 0 && !slices.Contains(p.AllowedOperations, op) {
		return denied(op, keyID, "the operation is not allowed")
	}
	arn, ok := parseKMSARN(keyID)
	if !ok {
		return nil // an alias name or bare key ID: checked once resolved
	}
	if err := p.allowAccountRegion(op, keyID, arn); err != nil {
		return err
	}
	if arn.isKey && len(p.AllowedKeyARNs) > 0 && !slices.Contains(p.AllowedKeyARNs, keyID) {
		return denied(op, keyID, "the key ARN is not allowed")
	}
	return nil
}

// allowKey checks the key ARN a request resolved to.
func (p *Policy) allowKey(op, keyARN string) error {
	if p == nil {
		return nil
	}
	arn, ok := parseKMSARN(keyARN)
	if !ok || !arn.isKey {
		return denied(op, keyARN, "the key has no key ARN")
	}
	if err := p.allowAccountRegion(op, keyARN, arn); err != nil {
		return err
	}
	if len(p.AllowedKeyARNs) > 0 && !slices.Contains(p.AllowedKeyARNs, keyARN) {
		return denied(op, keyARN, "the key ARN is not allowed")
	}
	return nil
}

func (p *Policy) allowAccountRegion(op, resource string, arn kmsARN) error {
	if len(p.AllowedAccounts) > 0 && !slices.Contains(p.AllowedAccounts, arn.account) {
		return denied(op, resource, fmt.Sprintf("account %s is not allowed", arn.account))
	}
	if len(p.AllowedRegions) > 0 && !slices.Contains(p.AllowedRegions, arn.region) {
		return denied(op, resource, fmt.Sprintf("Region %s is not allowed", arn.region))
	}
	return nil
}

func denied(op, resource, why string) error {
	return kmserr.AccessDenied(fmt.Sprintf("Local policy does not allow kms:%s on resource: %s (%s).", op, resource, why))
}

// DescribeKeyAPIClient is the one call [WithKeyStateCheck] makes.
// *kms.Client satisfies it.
type DescribeKeyAPIClient interface {
	DescribeKey(ctx context.Context, params *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// WithKeyStateCheck makes a [Client] ask KMS, with DescribeKey, whether a key
// may still be used, and refuse Verify, Encrypt and Encapsulate with a key
// KMS would refuse:
//
//   - Disabled: *types.DisabledException "<key-arn> is disabled." (KMS's
//     text, docs/KMS-RULES.md §7);
//   - PendingDeletion, PendingImport: *types.KMSInvalidStateException
//     "<key-arn> is pending deletion." / "… is pending import." (the
//     exception is KMS's; the text is local-kms's, as AWS's is not recorded);
//   - any other state but Enabled (Creating, Unavailable, Updating,
//     PendingReplicaDeletion…): *types.KMSInvalidStateException
//     "<key-arn> is <KeyState>." (inferred).
//
// GetPublicKey is not checked: real KMS still returns the public key of a
// disabled key (docs/KMS-RULES.md §7, observed by LocalStack).
//
// A key's state is asked for at most once per maxAge (and once at a time),
// so a key disabled in KMS is refused offline within maxAge. When
// DescribeKey fails, the last state is used for up to the Keyring's maximum
// staleness after it was read, the failure going to the Keyring's error
// handler; without a usable last state the request fails with the
// DescribeKey error. Failures are remembered for the Keyring's negative TTL.
func WithKeyStateCheck(client DescribeKeyAPIClient, maxAge time.Duration) ClientOption {
	return func(c *Client) { c.states = &keyStates{client: client, maxAge: maxAge} }
}

// keyStates caches DescribeKey answers by key ARN.
type keyStates struct {
	client  DescribeKeyAPIClient
	maxAge  time.Duration
	entries sync.Map // key ARN → *keyStateEntry, immutable
	flights flightGroup[types.KeyState]
}

type keyStateEntry struct {
	state     types.KeyState // "" when never read
	checkedAt time.Time      // last successful DescribeKey
	err       error          // error of the last DescribeKey, if it failed
	retryAt   time.Time
}

// check refuses a key whose KMS state does not allow cryptographic use.
func (s *keyStates) check(ctx context.Context, keys *Keyring, keyARN string, optFns []func(*kms.Options)) error {
	state, err := s.state(ctx, keys, keyARN, optFns)
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

func (s *keyStates) state(ctx context.Context, keys *Keyring, keyARN string, optFns []func(*kms.Options)) (types.KeyState, error) {
	cached := func() (types.KeyState, error, bool) {
		v, ok := s.entries.Load(keyARN)
		if !ok {
			return "", nil, false
		}
		e, now := v.(*keyStateEntry), keys.now()
		if e.err == nil {
			return e.state, nil, now.Before(e.checkedAt.Add(s.maxAge))
		}
		if !now.Before(e.retryAt) {
			return "", nil, false
		}
		if e.state != "" && s.withinMaxStale(keys, e, now) {
			return e.state, nil, true
		}
		return "", e.err, true
	}
	if state, err, ok := cached(); ok {
		return state, err
	}
	return s.flights.do(ctx, keyARN, cached, func() (types.KeyState, error) {
		out, err := s.client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)}, optFns...)
		now := keys.now()
		if err == nil {
			if out == nil || out.KeyMetadata == nil || out.KeyMetadata.KeyState == "" {
				err = errors.New("kmspub: DescribeKey returned no KeyState for " + keyARN)
			} else {
				state := out.KeyMetadata.KeyState
				s.entries.Store(keyARN, &keyStateEntry{state: state, checkedAt: now})
				return state, nil
			}
		}
		if keys.onError != nil {
			keys.onError(keyARN, err)
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return "", err
		}
		var prev *keyStateEntry
		if v, ok := s.entries.Load(keyARN); ok {
			prev = v.(*keyStateEntry)
		}
		if prev != nil && prev.state != "" && s.withinMaxStale(keys, prev, now) {
			s.entries.Store(keyARN, &keyStateEntry{state: prev.state, checkedAt: prev.checkedAt, err: err, retryAt: now.Add(keys.negativeTTL)})
			return prev.state, nil
		}
		if keys.negativeTTL > 0 {
			s.entries.Store(keyARN, &keyStateEntry{err: err, retryAt: now.Add(keys.negativeTTL)})
		} else if prev != nil {
			s.entries.Delete(keyARN)
		}
		return "", err
	})
}

func (s *keyStates) withinMaxStale(keys *Keyring, e *keyStateEntry, now time.Time) bool {
	return keys.maxStale > s.maxAge && now.Before(e.checkedAt.Add(keys.maxStale))
}
