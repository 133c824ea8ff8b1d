package kmsrules

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Markdown renders the tables as the reference page docs/RULES.md, so the
// documentation is generated from the same rows the code enforces.
// Regenerate with: go run ./internal/cmd/rulesdoc > docs/RULES.md
func Markdown() string {
	var b strings.Builder
	b.WriteString("# KMS rules enforced by kmspub\n\n")
	b.WriteString("Generated from `internal/kmsrules` by `go run ./internal/cmd/rulesdoc`; do not edit by hand.\n")
	b.WriteString("Sources and confidence marks for every rule: KMS-RULES.md (the project's KMS reference).\n\n")

	b.WriteString("## Key specs, usages and algorithms\n\n")
	b.WriteString("| KeySpec | Key | SIGN_VERIFY | ENCRYPT_DECRYPT (max plaintext) | KEY_AGREEMENT | ENCAPSULATE_DECAPSULATE | Note |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, s := range KeySpecs() {
		var enc []string
		for _, e := range s.Encryption {
			enc = append(enc, fmt.Sprintf("%s (%d B)", e.Algorithm, e.MaxPlaintext))
		}
		agree := join(s.KeyAgreement)
		if agree != "–" {
			agree += fmt.Sprintf(" (secret %d B)", s.SharedSecretSize)
		}
		encap := join(s.Encapsulation)
		if encap != "–" {
			encap += fmt.Sprintf(" (secret %d B, ciphertext %d B)", s.SharedSecretSize, s.KEMCiphertextSize)
		}
		note := s.Region
		if note == "" {
			note = "–"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n",
			s.Spec, s.describeKey(), join(s.Signing), orDash(strings.Join(enc, ", ")), agree, encap, note)
	}

	b.WriteString("\n## Signing algorithms and message types\n\n")
	b.WriteString("| SigningAlgorithm | Hash | Message types | DIGEST length | EXTERNAL_MU length |\n")
	b.WriteString("|---|---|---|---|---|\n")
	for _, a := range SigningAlgorithms() {
		digestLen, muLen := "refused", "refused"
		if a.Accepts(types.MessageTypeDigest) {
			digestLen = fmt.Sprintf("%d B", a.Digest.Size())
		}
		if a.Accepts(types.MessageTypeExternalMu) {
			muLen = fmt.Sprintf("%d B", ExternalMuSize)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", a.Algorithm, a.Digest, join(a.MessageTypes), digestLen, muLen)
	}

	b.WriteString("\n## Size limits (KMS API model)\n\n")
	fmt.Fprintf(&b, "- Sign/Verify `Message`: %d–%d bytes (RAW); larger inputs are signed as DIGEST or EXTERNAL_MU.\n", MinMessageSize, MaxMessageSize)
	fmt.Fprintf(&b, "- Verify `Signature`: at most %d bytes.\n", MaxSignatureSize)
	fmt.Fprintf(&b, "- Encrypt `Plaintext`: %d–%d bytes, and at most the algorithm's limit above.\n", MinPlaintextSize, MaxPlaintextSize)
	fmt.Fprintf(&b, "- DeriveSharedSecret `PublicKey`: at most %d bytes.\n", MaxPeerPublicKeySize)
	fmt.Fprintf(&b, "- SM2DSA RAW messages use the distinguishing ID `%s`; DIGEST messages may use any ID of 1–%d bytes.\n", SM2DefaultID, MaxSM2IDSize)
	return b.String()
}

func (s *KeySpec) describeKey() string {
	switch s.Family {
	case FamilyRSA:
		return fmt.Sprintf("RSA %d-bit", s.Size)
	case FamilyECC:
		return fmt.Sprintf("ECC %d-bit", s.Size)
	case FamilySM2:
		return "SM2 (sm2p256v1)"
	case FamilyEd25519:
		return "Ed25519"
	case FamilyMLDSA:
		return fmt.Sprintf("ML-DSA, %d-byte key", s.Size)
	case FamilyMLKEM:
		return fmt.Sprintf("ML-KEM, %d-byte key", s.Size)
	}
	return "?"
}

func join[A ~string](list []A) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = string(a)
	}
	return orDash(strings.Join(s, ", "))
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
