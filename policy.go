package kmspub

import (
	"fmt"
	"slices"
	"strings"

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
// (a *smithy.GenericAPIError with code "AccessDeniedException", as the SDK
// surfaces KMS's own) whose message names the operation, the resource and
// the rule:
//
//	Local policy does not allow kms:Verify on resource: <arn> (account 444455556666 is not allowed).
type Policy struct {
	AllowedKeyARNs    []string
	AllowedAccounts   []string
	AllowedRegions    []string
	AllowedOperations []string
}

// clone returns a copy of p whose lists the caller cannot change.
func (p *Policy) clone() *Policy {
	return &Policy{
		AllowedKeyARNs:    slices.Clone(p.AllowedKeyARNs),
		AllowedAccounts:   slices.Clone(p.AllowedAccounts),
		AllowedRegions:    slices.Clone(p.AllowedRegions),
		AllowedOperations: slices.Clone(p.AllowedOperations),
	}
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
