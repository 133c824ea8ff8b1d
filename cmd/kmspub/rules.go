package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// The names in kmspub's help come from the rules table, so the help lists
// exactly what the library enforces. The CLI does not check values against
// them itself: as with the AWS CLI, an unknown value is KMS's own
// ValidationException, which the library returns.

// names joins values in order, without repeats.
func names[S ~string](values []S) string {
	var out []string
	for _, v := range values {
		if !slices.Contains(out, string(v)) {
			out = append(out, string(v))
		}
	}
	return strings.Join(out, ", ")
}

func messageTypeNames() string { return names(kmsrules.MessageTypes()) }

// specsFor lists the key specs with a non-empty list for a usage, and that
// list: e.g. "RSA_2048: RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256".
func specsFor[A ~string](list func(*kmsrules.KeySpec) []A) string {
	var b strings.Builder
	for _, s := range kmsrules.KeySpecs() {
		if l := list(s); len(l) > 0 {
			b.WriteString(wrap(fmt.Sprintf("  %-22s %s", s.Spec, names(l)), strings.Repeat(" ", 25)))
		}
	}
	return b.String()
}

func signingBySpec() string {
	return specsFor(func(s *kmsrules.KeySpec) []types.SigningAlgorithmSpec { return s.Signing })
}

func encryptionBySpec() string {
	var b strings.Builder
	for _, s := range kmsrules.KeySpecs() {
		var algs []string
		for _, e := range s.Encryption {
			algs = append(algs, fmt.Sprintf("%s: %d", e.Algorithm, e.MaxPlaintext))
		}
		if len(algs) > 0 {
			b.WriteString(wrap(fmt.Sprintf("  %-22s %s", s.Spec, strings.Join(algs, ", ")), strings.Repeat(" ", 25)))
		}
	}
	return b.String()
}

func keyAgreementBySpec() string {
	return specsFor(func(s *kmsrules.KeySpec) []types.KeyAgreementAlgorithmSpec { return s.KeyAgreement })
}

func encapsulationBySpec() string {
	return specsFor(func(s *kmsrules.KeySpec) []types.EncapsulationAlgorithmSpec { return s.Encapsulation })
}

// allOf lists, without repeats, every algorithm some key spec offers.
func allOf[A ~string](list func(*kmsrules.KeySpec) []A) string {
	var all []A
	for _, s := range kmsrules.KeySpecs() {
		all = append(all, list(s)...)
	}
	return names(all)
}

func keySpecNames() string {
	var specs []types.KeySpec
	for _, s := range kmsrules.KeySpecs() {
		specs = append(specs, s.Spec)
	}
	return names(specs)
}

func keyUsageNames() string {
	var usages []types.KeyUsageType
	for _, s := range kmsrules.KeySpecs() {
		usages = append(usages, s.Usages()...)
	}
	return names(usages)
}
