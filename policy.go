package kmspub

import (
	"context"
	"fmt"
	"slices"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Policy is a local authorization policy for a [Client]. Offline there is
// no IAM and no key policy: whoever holds a public key can use it, so a
// service that took its authorization from KMS states it here instead.
//
// Each list that is not empty must contain the request's value; an empty
// list does not restrict, except AllowedPartitions, which then allows the
// aws partition only. The zero Policy allows every key in the aws
// partition.
//
//   - AllowedKeyARNs: key ARNs ("arn:aws:kms:<region>:<account>:key/<id>"),
//     compared exactly with the key ARN a request resolves to. Alias names
//     and alias ARNs are not accepted here: an alias is allowed when the key
//     it points to is.
//   - AllowedPartitions: AWS partitions ("aws", "aws-cn", "aws-us-gov",
//     "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"), compared
//     with the key ARN's; empty means "aws" alone. Account numbers are
//     separate namespaces per partition, so allowing an account allows it
//     only in the allowed partitions.
//   - AllowedAccounts: 12-digit AWS account IDs, compared with the key ARN's.
//   - AllowedRegions: Region names such as "eu-west-2", compared with the key
//     ARN's.
//   - AllowedOperations: operation names as KMS spells them: "Verify",
//     "Encrypt", "Encapsulate", "GetPublicKey".
//
// The policy sees canonical names only: a KeyId that is not a key ARN,
// key ID, alias name or alias ARN in the form KMS documents (upper-case
// "ARN:", spaces, an unknown partition…; docs/KMS-RULES.md §14.1) is
// refused before any call. What the name tells is checked before any
// GetPublicKey call: the operation; a key ARN's or alias ARN's partition,
// account and Region; a key ARN against AllowedKeyARNs; and a bare key ID,
// which is allowed only when an allowed key ARN ends with it. Aliases and
// key IDs are checked again on the key ARN they resolve to, before the key
// is used — and a key the policy refuses is not kept in the Keyring.
//
// A refusal is an AccessDeniedException (a *smithy.GenericAPIError with
// code "AccessDeniedException", as the SDK surfaces KMS's own) whose
// message names the operation, the resource and the rule:
//
//	Local policy does not allow kms:Verify on resource: <arn> (account 444455556666 is not allowed).
//
// For an alias or key ID that could not be decided before the lookup, the
// message is the same whether the name resolves to a key the policy refuses
// or does not resolve at all (KMS answered NotFoundException or another
// refusal, or kmspub refused its answer) — "(it does not name a key the
// policy allows)" — so that the policy does not tell a caller which keys
// exist. Throttling and other transient failures are returned as they are.
type Policy struct {
	AllowedKeyARNs    []string
	AllowedPartitions []string
	AllowedAccounts   []string
	AllowedRegions    []string
	AllowedOperations []string
}

// clone returns a copy of p whose lists the caller cannot change.
func (p *Policy) clone() *Policy {
	return &Policy{
		AllowedKeyARNs:    slices.Clone(p.AllowedKeyARNs),
		AllowedPartitions: slices.Clone(p.AllowedPartitions),
		AllowedAccounts:   slices.Clone(p.AllowedAccounts),
		AllowedRegions:    slices.Clone(p.AllowedRegions),
		AllowedOperations: slices.Clone(p.AllowedOperations),
	}
}

// The Client applies a policy in three steps around its Keyring lookup
// (a nil *Policy allows everything): allowBeforeFetch, then keeps (what the
// Keyring may keep), then lookupFailed or allowResolved.

// keeps returns the Keyring's keep function for op: a key the policy
// refuses is not kept. nil (keep everything) for a nil policy.
func (p *Policy) keeps(op string) func(*PublicKey) bool {
	if p == nil {
		return nil
	}
	return func(k *PublicKey) bool { return p.allowKey(op, k.keyID) == nil }
}

// lookupFailed is the error for a request whose key lookup failed with
// err: for a name the policy could not decide before the lookup, a
// definitive failure (NotFound, another refusal, an answer kmspub refused)
// is the same AccessDeniedException as a forbidden key, so that the policy
// is no oracle of which keys exist; anything else is err.
func (p *Policy) lookupFailed(ctx context.Context, op, keyID string, err error) error {
	if p == nil || treatFailure(ctx, err) != failureDefinitive {
		return err
	}
	if decided, _ := p.allowBeforeFetch(op, keyID); decided {
		return err
	}
	return notAllowedName(op, keyID)
}

// allowResolved checks keyARN, the key ARN keyID resolved to. For a name
// the policy could not decide before the lookup, the refusal says no more
// than that the name does not name an allowed key.
func (p *Policy) allowResolved(op, keyID, keyARN string) error {
	if p == nil {
		return nil
	}
	err := p.allowKey(op, keyARN)
	if err == nil {
		return nil
	}
	if decided, _ := p.allowBeforeFetch(op, keyID); decided {
		return err
	}
	return notAllowedName(op, keyID)
}

// allowBeforeFetch checks what keyID alone tells, so that a request the
// policy refuses costs no GetPublicKey call. decided reports that the key
// keyID resolves to will pass allowKey too: a key ARN resolves to itself,
// and an alias ARN to a key in its own partition, Region and account
// (Fetch binds the answer so).
func (p *Policy) allowBeforeFetch(op, keyID string) (decided bool, err error) {
	if p == nil {
		return true, nil
	}
	if len(p.AllowedOperations) > 0 && !slices.Contains(p.AllowedOperations, op) {
		return false, denied(op, keyID, "the operation is not allowed")
	}
	name := kmsrules.ParseName(keyID)
	switch name.Kind {
	case kmsrules.NotAName:
		return false, denied(op, keyID, "it is not a key ID, key ARN, alias name or alias ARN")
	case kmsrules.KeyID:
		if len(p.AllowedKeyARNs) > 0 && !slices.ContainsFunc(p.AllowedKeyARNs, func(arn string) bool {
			allowed := kmsrules.ParseName(arn)
			return allowed.Kind == kmsrules.KeyARN && allowed.KeyID == name.KeyID
		}) {
			return false, denied(op, keyID, "no allowed key ARN has this key ID")
		}
		return false, nil
	case kmsrules.AliasName:
		return false, nil
	}
	if err := p.allowARN(op, keyID, name); err != nil {
		return false, err
	}
	if name.Kind == kmsrules.AliasARN {
		return len(p.AllowedKeyARNs) == 0, nil
	}
	if len(p.AllowedKeyARNs) > 0 && !slices.Contains(p.AllowedKeyARNs, keyID) {
		return false, denied(op, keyID, "the key ARN is not allowed")
	}
	return true, nil
}

// allowKey checks the key ARN a request resolved to.
func (p *Policy) allowKey(op, keyARN string) error {
	if p == nil {
		return nil
	}
	arn := kmsrules.ParseName(keyARN)
	if arn.Kind != kmsrules.KeyARN {
		return denied(op, keyARN, "the key has no key ARN")
	}
	if err := p.allowARN(op, keyARN, arn); err != nil {
		return err
	}
	if len(p.AllowedKeyARNs) > 0 && !slices.Contains(p.AllowedKeyARNs, keyARN) {
		return denied(op, keyARN, "the key ARN is not allowed")
	}
	return nil
}

// allowARN checks an ARN's partition, account and Region.
func (p *Policy) allowARN(op, resource string, arn kmsrules.Name) error {
	partitions := p.AllowedPartitions
	if len(partitions) == 0 {
		partitions = defaultPartitions
	}
	if !slices.Contains(partitions, arn.Partition) {
		return denied(op, resource, fmt.Sprintf("partition %s is not allowed", arn.Partition))
	}
	if len(p.AllowedAccounts) > 0 && !slices.Contains(p.AllowedAccounts, arn.Account) {
		return denied(op, resource, fmt.Sprintf("account %s is not allowed", arn.Account))
	}
	if len(p.AllowedRegions) > 0 && !slices.Contains(p.AllowedRegions, arn.Region) {
		return denied(op, resource, fmt.Sprintf("Region %s is not allowed", arn.Region))
	}
	return nil
}

// defaultPartitions is what an empty AllowedPartitions allows.
var defaultPartitions = []string{"aws"}

// notAllowedName refuses a request for an alias or key ID whose key the
// policy does not allow, or which names no key, in the same words.
func notAllowedName(op, name string) error {
	return denied(op, name, "it does not name a key the policy allows")
}

func denied(op, resource, why string) error {
	if kmsrules.ParseName(resource).Kind == kmsrules.NotAName {
		resource = fmt.Sprintf("%.80q", resource) // whatever the caller sent, quoted and cut
	}
	return kmserr.AccessDenied(fmt.Sprintf("Local policy does not allow kms:%s on resource: %s (%s).", op, resource, why))
}
