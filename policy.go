package kmspub

import (
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
// A request is refused before any cryptography, and before any GetPublicKey
// call when its key ID already tells (an operation not allowed; a key ARN
// or alias ARN outside the allowed partitions, accounts or Regions; a key
// ARN not listed). Aliases and bare key IDs are checked again on the key ARN they
// resolve to, before the key is used. A refusal is an AccessDeniedException
// (a *smithy.GenericAPIError with code "AccessDeniedException", as the SDK
// surfaces KMS's own) whose message names the operation, the resource and
// the rule:
//
//	Local policy does not allow kms:Verify on resource: <arn> (account 444455556666 is not allowed).
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

// allowBeforeFetch checks what keyID alone tells, so that a request the
// policy refuses costs no GetPublicKey call.
func (p *Policy) allowBeforeFetch(op, keyID string) error {
	if p == nil {
		return nil
	}
	if len(p.AllowedOperations) > 0 && !slices.Contains(p.AllowedOperations, op) {
		return denied(op, keyID, "the operation is not allowed")
	}
	arn := kmsrules.ParseName(keyID)
	if arn.Kind != kmsrules.KeyARN && arn.Kind != kmsrules.AliasARN {
		return nil // an alias name or bare key ID: checked once resolved
	}
	if err := p.allowARN(op, keyID, arn); err != nil {
		return err
	}
	if arn.Kind == kmsrules.KeyARN && len(p.AllowedKeyARNs) > 0 && !slices.Contains(p.AllowedKeyARNs, keyID) {
		return denied(op, keyID, "the key ARN is not allowed")
	}
	return nil
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

func denied(op, resource, why string) error {
	return kmserr.AccessDenied(fmt.Sprintf("Local policy does not allow kms:%s on resource: %s (%s).", op, resource, why))
}
