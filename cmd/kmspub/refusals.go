package main

import (
	"fmt"
	"strings"
)

// KMS operations kmspub cannot do offline: each `aws kms` command of the
// KMS API (aws-sdk-go-v2/service/kms; a test keeps the table complete)
// that kmspub has no twin for answers with one line — why, and which
// command to use instead — and exit status 252, instead of "Invalid
// choice". Where a kmspub command does part of the job, the line names it
// (only when that command is present in this build).

type refusal struct {
	name      string // the aws kms command, e.g. "generate-data-key"
	operation string // the KMS operation, e.g. "GenerateDataKey"
	why       string
	// hints are kmspub commands that help, each with what for; those not
	// in this build are left out.
	hints []hint
}

type hint struct{ command, use string }

// Why an operation needs KMS itself.
const (
	needsPrivate = "needs the KMS key's private half, which never leaves KMS"
	needsHMAC    = "needs the HMAC key, which is symmetric and never leaves KMS"
	needsKMSKey  = "needs a KMS key's secret material, which never leaves KMS"
	needsRandom  = "returns random bytes from KMS's HSMs"
	knowsState   = "reports what only KMS knows (key state, policies, aliases, grants, tags, use); kmspub has only the public key"
	changesKMS   = "changes KMS; kmspub never does"
)

var refusals = []refusal{
	{"sign", "Sign", needsPrivate, []hint{{"verify", "checks its signature offline"}, {"sign-jwt", "signs a JWT through KMS"}}},
	{"decrypt", "Decrypt", needsKMSKey, []hint{{"decrypt-message", "opens an envelope message"}}},
	{"decapsulate", "Decapsulate", needsPrivate, []hint{{"encapsulate", "makes its ciphertext offline"}}},
	{"re-encrypt", "ReEncrypt", needsKMSKey, nil},
	{"generate-mac", "GenerateMac", needsHMAC, nil},
	{"verify-mac", "VerifyMac", needsHMAC, nil},
	{"generate-data-key", "GenerateDataKey", needsKMSKey, []hint{{"encrypt-message", "encrypts data of any size for a KMS key"}}},
	{"generate-data-key-without-plaintext", "GenerateDataKeyWithoutPlaintext", needsKMSKey, nil},
	{"generate-data-key-pair", "GenerateDataKeyPair", needsKMSKey, nil},
	{"generate-data-key-pair-without-plaintext", "GenerateDataKeyPairWithoutPlaintext", needsKMSKey, nil},
	{"generate-random", "GenerateRandom", needsRandom, nil},

	{"describe-key", "DescribeKey", knowsState, []hint{{"get-public-key", "fetches the key's public half and metadata"}}},
	{"describe-custom-key-stores", "DescribeCustomKeyStores", knowsState, nil},
	{"get-key-last-usage", "GetKeyLastUsage", knowsState, nil},
	{"get-key-policy", "GetKeyPolicy", knowsState, nil},
	{"get-key-rotation-status", "GetKeyRotationStatus", knowsState, nil},
	{"get-parameters-for-import", "GetParametersForImport", knowsState, nil},
	{"list-aliases", "ListAliases", knowsState, nil},
	{"list-grants", "ListGrants", knowsState, nil},
	{"list-key-policies", "ListKeyPolicies", knowsState, nil},
	{"list-key-rotations", "ListKeyRotations", knowsState, nil},
	{"list-keys", "ListKeys", knowsState, nil},
	{"list-resource-tags", "ListResourceTags", knowsState, nil},
	{"list-retirable-grants", "ListRetirableGrants", knowsState, nil},

	{"cancel-key-deletion", "CancelKeyDeletion", changesKMS, nil},
	{"connect-custom-key-store", "ConnectCustomKeyStore", changesKMS, nil},
	{"create-alias", "CreateAlias", changesKMS, nil},
	{"create-custom-key-store", "CreateCustomKeyStore", changesKMS, nil},
	{"create-grant", "CreateGrant", changesKMS, nil},
	{"create-key", "CreateKey", changesKMS, nil},
	{"delete-alias", "DeleteAlias", changesKMS, nil},
	{"delete-custom-key-store", "DeleteCustomKeyStore", changesKMS, nil},
	{"delete-imported-key-material", "DeleteImportedKeyMaterial", changesKMS, nil},
	{"disable-key", "DisableKey", changesKMS, nil},
	{"disable-key-rotation", "DisableKeyRotation", changesKMS, nil},
	{"disconnect-custom-key-store", "DisconnectCustomKeyStore", changesKMS, nil},
	{"enable-key", "EnableKey", changesKMS, nil},
	{"enable-key-rotation", "EnableKeyRotation", changesKMS, nil},
	{"import-key-material", "ImportKeyMaterial", changesKMS, nil},
	{"put-key-policy", "PutKeyPolicy", changesKMS, nil},
	{"replicate-key", "ReplicateKey", changesKMS, nil},
	{"retire-grant", "RetireGrant", changesKMS, nil},
	{"revoke-grant", "RevokeGrant", changesKMS, nil},
	{"rotate-key-on-demand", "RotateKeyOnDemand", changesKMS, nil},
	{"schedule-key-deletion", "ScheduleKeyDeletion", changesKMS, nil},
	{"tag-resource", "TagResource", changesKMS, nil},
	{"untag-resource", "UntagResource", changesKMS, nil},
	{"update-alias", "UpdateAlias", changesKMS, nil},
	{"update-custom-key-store", "UpdateCustomKeyStore", changesKMS, nil},
	{"update-key-description", "UpdateKeyDescription", changesKMS, nil},
	{"update-primary-region", "UpdatePrimaryRegion", changesKMS, nil},
}

func lookupRefusal(name string) *refusal {
	for i := range refusals {
		if refusals[i].name == name {
			return &refusals[i]
		}
	}
	return nil
}

// text is the refusal's one line, e.g. "kmspub sign: not offline: Sign
// needs the KMS key's private half, which never leaves KMS. Use "aws kms
// sign"; "kmspub verify" checks its signature offline."
func (r *refusal) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "kmspub %s: not offline: %s %s. Use \"aws kms %s\"", r.name, r.operation, r.why, r.name)
	var uses []string
	for _, h := range r.hints {
		if lookupCommand(h.command) != nil {
			uses = append(uses, fmt.Sprintf("\"kmspub %s\" %s", h.command, h.use))
		}
	}
	if len(uses) > 0 {
		b.WriteString("; " + strings.Join(uses, "; "))
	}
	b.WriteString(".")
	return b.String()
}
