package kmsrules

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Markdown renders the tables as the reference page docs/RULES.md, so the
// documentation is generated from the same rows the code enforces.
// Regenerate with: go run ./internal/cmd/rulesdoc > docs/RULES.md
func Markdown() string {
	var b strings.Builder
	b.WriteString("# KMS rules enforced by kmspub\n\n")
	b.WriteString("Generated from `internal/kmsrules` by `go run ./internal/cmd/rulesdoc`; do not edit by hand.\n")
	fmt.Fprintf(&b, "Each rule's source and how sure we are of it (observed, documented, inferred, unknown): [%[1]s](%[1]s).\n\n", path.Base(rulesDoc))

	b.WriteString("## Key specs, usages and algorithms\n\n")
	fmt.Fprintf(&b, "Sources: %s.\n\n", sectionLinks("1", "4.2", "4.3", "5", "6"))
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
	fmt.Fprintf(&b, "Sources: %s.\n\n", sectionLinks("3.1", "3.2"))
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
	fmt.Fprintf(&b, "Sources: %s.\n\n", sectionLinks("3.1", "4.1", "5", "7.2"))
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

// rulesDoc is the rules reference, with each rule's source and confidence
// mark; code, tests and docs cite its sections as "docs/KMS-RULES.md §N".
const rulesDoc = "docs/KMS-RULES.md"

// docSections are the sections of docs/KMS-RULES.md that the generated page
// links to, with their headings' titles: a link's fragment is the anchor
// GitHub makes from the heading. TestDocSectionsExist checks them against
// the document.
var docSections = map[string]string{
	"1":   "Key specs, key usages and algorithms",
	"3.1": "Rules for every signing key",
	"3.2": "Each signing algorithm",
	"4.1": "Rules for every encryption key",
	"4.2": "RSA (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256)",
	"4.3": "SM2PKE (SM2 keys, China Regions only)",
	"5":   "DeriveSharedSecret (KEY_AGREEMENT keys)",
	"6":   "ML-KEM (Encapsulate, Decapsulate)",
	"7.2": "ValidationException texts",
}

// sectionLinks renders links to docs/KMS-RULES.md sections, relative to
// docs/RULES.md.
func sectionLinks(ids ...string) string {
	links := make([]string, len(ids))
	for i, id := range ids {
		title, ok := docSections[id]
		if !ok {
			panic("kmsrules: no docs/KMS-RULES.md section " + id)
		}
		links[i] = fmt.Sprintf("[§%s](%s#%s)", id, path.Base(rulesDoc), headingAnchor("§"+id+" "+title))
	}
	return strings.Join(links, ", ")
}

// headingAnchor returns the fragment GitHub gives a Markdown heading: lower
// case, letters, digits, spaces, '-' and '_' kept, spaces turned into '-',
// everything else dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
