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
