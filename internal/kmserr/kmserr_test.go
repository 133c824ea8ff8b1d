package kmserr_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// Each constructor gives the exception KMS sends for the refusal (docs/KMS-RULES.md
// §7), as the SDK surfaces it (§10b): the code, the message and the fault the
// SDK gives that code through smithy.APIError (client for the modelled
// exceptions, unknown for ValidationException and AccessDeniedException),
// and the concrete SDK type through errors.As.
func TestConstructors(t *testing.T) {
	const arn = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001"
	cases := []struct {
		name    string
		err     error
		code    string
		message string
		// isType checks the concrete SDK type with errors.As.
		isType func(error) bool
	}{
		{"InvalidKeyUsage", kmserr.InvalidKeyUsage(arn, types.KeyUsageTypeSignVerify, kmserr.OpEncrypt),
			"InvalidKeyUsageException", arn + " key usage is SIGN_VERIFY which is not valid for Encrypt.", is[*types.InvalidKeyUsageException]},
		{"IncompatibleAlgorithm signing", kmserr.IncompatibleAlgorithm(types.SigningAlgorithmSpecEcdsaSha384, types.KeySpecEccNistP256),
			"InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.", is[*types.InvalidKeyUsageException]},
		{"IncompatibleAlgorithm encryption", kmserr.IncompatibleAlgorithm(types.EncryptionAlgorithmSpecSymmetricDefault, types.KeySpecRsa4096),
			"InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.", is[*types.InvalidKeyUsageException]},
		{"InvalidSignature", kmserr.InvalidSignature(), "KMSInvalidSignatureException", "", is[*types.KMSInvalidSignatureException]},
		{"UnsupportedOperation", kmserr.UnsupportedOperation("no public key"), "UnsupportedOperationException", "no public key", is[*types.UnsupportedOperationException]},
		{"Validation", kmserr.Validation("some text"), "ValidationException", "some text", isValidation},
		{"DigestLength", kmserr.DigestLength(types.SigningAlgorithmSpecEcdsaSha256),
			"ValidationException", "Digest is invalid length for algorithm ECDSA_SHA_256.", isValidation},
		{"MessageTypeIncompatible", kmserr.MessageTypeIncompatible(types.MessageTypeDigest, types.KeySpecMlDsa44),
			"ValidationException", "Message type DIGEST is incompatible with key spec ML_DSA_44.", isValidation},
		{"ExternalMuLength", kmserr.ExternalMuLength(), "ValidationException", "External mu must be exactly 64 bytes.", isValidation},
		{"TooLong", kmserr.Validations(kmserr.TooLong("message", 4096)),
			"ValidationException", "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096", isValidation},
		{"TooShort", kmserr.Validations(kmserr.TooShort("plaintext", 1)),
			"ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1", isValidation},
		{"Required", kmserr.Validations(kmserr.Required("signature")),
			"ValidationException", "1 validation error detected: Value null at 'signature' failed to satisfy constraint: Member must not be null", isValidation},
		{"RequiredSensitive", kmserr.Validations(kmserr.RequiredSensitive("plaintext")),
			"ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must not be null", isValidation},
		{"empty KeyId", kmserr.Validations(kmserr.StringTooShort("keyId", "", 1), kmserr.Pattern("keyId", "", `^\p{ASCII}+$`)),
			"ValidationException", "2 validation errors detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\p{ASCII}+$", isValidation},
		{"non-ASCII KeyId", kmserr.Validations(kmserr.Pattern("keyId", "キー", `^\p{ASCII}+$`)),
			"ValidationException", "1 validation error detected: Value 'キー' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\p{ASCII}+$", isValidation},
		{"long KeyId", kmserr.Validations(kmserr.StringTooLong("keyId", "abc", 2)),
			"ValidationException", "1 validation error detected: Value 'abc' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2", isValidation},
		{"AccessDenied", kmserr.AccessDenied("not allowed"), "AccessDeniedException", "not allowed", isAccessDenied},
		{"BadEnum", kmserr.Validations(kmserr.BadEnum(types.MessageType("HASH"), "messageType", types.MessageType("").Values())),
			"ValidationException", "1 validation error detected: Value 'HASH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]", isValidation},
		{"Validations, two", kmserr.Validations(kmserr.BadEnum(types.SigningAlgorithmSpec("X"), "signingAlgorithm", []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}), kmserr.TooLong("message", 4096)),
			"ValidationException", "2 validation errors detected: Value 'X' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDSA_SHA_256]; " +
				"Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096", isValidation},
		{"PlaintextTooLarge", kmserr.PlaintextTooLarge(types.EncryptionAlgorithmSpecRsaesOaepSha256, types.KeySpecRsa2048, 190),
			"ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.", isValidation},
		{"InvalidPublicKey", kmserr.InvalidPublicKey(), "ValidationException", "", isValidation},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var apiErr smithy.APIError
			if !errors.As(c.err, &apiErr) {
				t.Fatalf("%T is not a smithy.APIError", c.err)
			}
			if apiErr.ErrorCode() != c.code {
				t.Errorf("ErrorCode = %q, want %q", apiErr.ErrorCode(), c.code)
			}
			if apiErr.ErrorMessage() != c.message {
				t.Errorf("ErrorMessage = %q, want %q", apiErr.ErrorMessage(), c.message)
			}
			wantFault := smithy.FaultClient
			if c.code == "ValidationException" || c.code == "AccessDeniedException" {
				wantFault = smithy.FaultUnknown
			}
			if apiErr.ErrorFault() != wantFault {
				t.Errorf("ErrorFault = %v, want %v", apiErr.ErrorFault(), wantFault)
			}
			if !c.isType(c.err) {
				t.Errorf("%T is not the SDK's type for %s", c.err, c.code)
			}
			// Wrapped, as a caller may return it, it is still found.
			if wrapped := fmt.Errorf("verifying: %w", c.err); !c.isType(wrapped) || !errors.As(wrapped, &apiErr) {
				t.Error("errors.As does not see through wrapping")
			}
			// A modelled exception must not also pass for another one.
			if c.code != "InvalidKeyUsageException" && is[*types.InvalidKeyUsageException](c.err) {
				t.Error("is also an InvalidKeyUsageException")
			}
			if c.code != "ValidationException" && isValidation(c.err) {
				t.Error("is also a ValidationException")
			}
		})
	}
}

func is[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// isValidation: the SDK has no ValidationException type in kms/types; it
// returns a *smithy.GenericAPIError with that code.
func isValidation(err error) bool {
	var generic *smithy.GenericAPIError
	return errors.As(err, &generic) && generic.Code == "ValidationException"
}

func isAccessDenied(err error) bool {
	var generic *smithy.GenericAPIError
	return errors.As(err, &generic) && generic.Code == "AccessDeniedException"
}

// TestNoMessageMember: KMS answers an invalid signature with no message
// member (docs/KMS-RULES.md §13.1 row 6); the SDK then leaves Message nil,
// and so does kmserr, so that e.Message == nil reads the same.
func TestNoMessageMember(t *testing.T) {
	var e *types.KMSInvalidSignatureException
	if !errors.As(kmserr.InvalidSignature(), &e) || e.Message != nil || e.Error() != "KMSInvalidSignatureException: " {
		t.Fatalf("InvalidSignature: %#v", kmserr.InvalidSignature())
	}
}

// TestQuotedValues: a string member's value is quoted as KMS receives it
// from the SDK (each invalid UTF-8 byte as U+FFFD), at most 2048 characters;
// an enum value at most 256.
func TestQuotedValues(t *testing.T) {
	const prefix = "Value '"
	quoted := func(v kmserr.Violation) string {
		s := strings.TrimPrefix(string(v), prefix)
		return s[:strings.Index(s, "' at '")]
	}
	if got := quoted(kmserr.Pattern("keyId", "a\xffb\xfe\xfd", "p")); got != "a\uFFFDb\uFFFD\uFFFD" {
		t.Errorf("invalid UTF-8 quoted as %q", got)
	}
	long := strings.Repeat("é", 3000)
	if got := quoted(kmserr.StringTooLong("keyId", long, 2048)); got != strings.Repeat("é", 2048) {
		t.Errorf("a 3000-character value quoted with %d characters", utf8.RuneCountInString(got))
	}
	if got := quoted(kmserr.BadEnum(types.MessageType(strings.Repeat("x", 300)), "messageType", nil)); got != strings.Repeat("x", 256) {
		t.Errorf("a 300-character enum value quoted with %d characters", len(got))
	}
}

// TestOperationNames: the operation names KMS writes in messages.
func TestOperationNames(t *testing.T) {
	for op, want := range map[string]string{
		kmserr.OpSign: "Sign", kmserr.OpVerify: "Verify", kmserr.OpEncrypt: "Encrypt",
		kmserr.OpDeriveSharedSecret: "DeriveSharedSecret", kmserr.OpEncapsulate: "Encapsulate", kmserr.OpGetPublicKey: "GetPublicKey",
	} {
		if op != want {
			t.Errorf("operation name %q, want %q", op, want)
		}
	}
}
