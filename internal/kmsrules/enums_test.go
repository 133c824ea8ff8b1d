package kmsrules_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// TestEnums: each request enum holds exactly the SDK's values (in whatever
// order KMS lists them), so a value the SDK gains is noticed; the signing
// enum and the signing table name the same algorithms.
func TestEnums(t *testing.T) {
	sameSet := func(name string, got, want []string) {
		t.Helper()
		got, want = slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	sameSet("SigningAlgorithmEnum", strs(kmsrules.SigningAlgorithmEnum.Values), strs(types.SigningAlgorithmSpec("").Values()))
	sameSet("MessageTypeEnum", strs(kmsrules.MessageTypeEnum.Values), strs(types.MessageType("").Values()))
	sameSet("EncryptionAlgorithmEnum", strs(kmsrules.EncryptionAlgorithmEnum.Values), strs(types.EncryptionAlgorithmSpec("").Values()))
	sameSet("KeyAgreementAlgorithmEnum", strs(kmsrules.KeyAgreementAlgorithmEnum.Values), strs(types.KeyAgreementAlgorithmSpec("").Values()))
	sameSet("EncapsulationAlgorithmEnum", strs(kmsrules.EncapsulationAlgorithmEnum.Values), strs(types.EncapsulationAlgorithmSpec("").Values()))
	sameSet("KeySpecEnum", strs(kmsrules.KeySpecEnum.Values), strs(types.KeySpec("").Values()))
	var table []string
	for _, a := range kmsrules.SigningAlgorithms() {
		table = append(table, string(a.Algorithm))
	}
	sameSet("signing table", table, strs(kmsrules.SigningAlgorithmEnum.Values))

	if !kmsrules.EncryptionAlgorithmEnum.Has(types.EncryptionAlgorithmSpecSm2pke) || kmsrules.EncryptionAlgorithmEnum.Has("sm2pke") {
		t.Error("Has is not exact membership")
	}
}

func strs[S ~string](values []S) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// TestEnumOrderIsAWS: the lists in "Member must satisfy enum value set: […]"
// are in the order AWS was recorded answering, which is not the SDK model's
// for signing and encryption algorithms (docs/KMS-RULES.md §13.2, §13.1 row 2).
func TestEnumOrderIsAWS(t *testing.T) {
	for _, c := range []struct {
		name, got, want string
	}{
		{"signingAlgorithm", string(kmsrules.NotInEnum(kmsrules.SigningAlgorithmEnum, "FOO")),
			"Value 'FOO' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, " +
				"RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, ED25519_SHA_512, ED25519_PH_SHA_512, SM2DSA, ML_DSA_SHAKE_256]"},
		{"encryptionAlgorithm", string(kmsrules.NotInEnum(kmsrules.EncryptionAlgorithmEnum, "FOO")),
			"Value 'FOO' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE, SYMMETRIC_DEFAULT]"},
		{"messageType", string(kmsrules.NotInEnum(kmsrules.MessageTypeEnum, "FOO")),
			"Value 'FOO' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]"},
		{"keyAgreementAlgorithm", string(kmsrules.NotInEnum(kmsrules.KeyAgreementAlgorithmEnum, "FOO")),
			"Value 'FOO' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]"},
		{"encapsulationAlgorithm", string(kmsrules.NotInEnum(kmsrules.EncapsulationAlgorithmEnum, "FOO")),
			"Value 'FOO' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]"},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
}

// TestSymmetricDefaultPassesTheSigningEnum: SYMMETRIC_DEFAULT is not listed
// in the signing enum's message, yet KMS's enum check lets it through and
// refuses it against the key spec (docs/KMS-RULES.md §3.1, §13.1 row 1); other
// encryption algorithm names are enum violations (§3.1).
func TestSymmetricDefaultPassesTheSigningEnum(t *testing.T) {
	e := kmsrules.SigningAlgorithmEnum
	if e.Has("SYMMETRIC_DEFAULT") || !e.Accepts("SYMMETRIC_DEFAULT") {
		t.Errorf("SYMMETRIC_DEFAULT: Has %v, Accepts %v; want false, true", e.Has("SYMMETRIC_DEFAULT"), e.Accepts("SYMMETRIC_DEFAULT"))
	}
	for _, v := range []types.SigningAlgorithmSpec{"RSAES_OAEP_SHA_256", "SM2PKE", "FOO", "symmetric_default"} {
		if e.Accepts(v) {
			t.Errorf("Accepts(%s)", v)
		}
	}
	if kmsrules.LookupSigningAlgorithm("SYMMETRIC_DEFAULT") != nil {
		t.Error("SYMMETRIC_DEFAULT has a signing row")
	}
}
