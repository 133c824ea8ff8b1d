// Package kmserr builds the errors AWS KMS returns for each refusal
// (docs/KMS-RULES.md §7), as the SDK surfaces them (§10b): modelled
// exceptions are the concrete types of aws-sdk-go-v2/service/kms/types (whose
// generated ErrorFault is client, or server for the few server exceptions),
// and the unmodelled ValidationException and AccessDeniedException are a
// *smithy.GenericAPIError with the fault left unknown, as smithy-go's awsJson
// decoder leaves it for KMS. An exception KMS sends without a message member
// has a nil Message, as the SDK decodes it. Every value satisfies
// smithy.APIError, so callers branch on them with errors.As exactly as they
// do on errors from *kms.Client.
//
// Messages never contain message, plaintext, signature or secret bytes.
package kmserr

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// Operation names as KMS writes them in messages.
const (
	OpSign               = "Sign"
	OpVerify             = "Verify"
	OpEncrypt            = "Encrypt"
	OpDeriveSharedSecret = "DeriveSharedSecret"
	OpEncapsulate        = "Encapsulate"
	OpGetPublicKey       = "GetPublicKey"
)

// InvalidKeyUsage: the key's usage does not allow the operation.
// "<key-arn> key usage is <USAGE> which is not valid for <Op>."
func InvalidKeyUsage(keyID string, usage types.KeyUsageType, op string) error {
	return &types.InvalidKeyUsageException{
		Message: aws.String(fmt.Sprintf("%s key usage is %s which is not valid for %s.", keyID, usage, op)),
	}
}

// IncompatibleAlgorithm: the algorithm is not one the key spec offers, or not
// one the key lists. "Algorithm <ALG> is incompatible with key spec <SPEC>."
func IncompatibleAlgorithm[A ~string](alg A, spec types.KeySpec) error {
	return &types.InvalidKeyUsageException{
		Message: aws.String(fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", alg, spec)),
	}
}

// InvalidSignature: the signature does not verify. KMS's answer has no
// message member (docs/KMS-RULES.md §3.1, §13.1 row 6), so Message is nil,
// as the SDK decodes that answer: ErrorMessage() is "", and code that tests
// e.Message == nil sees what it sees with *kms.Client.
func InvalidSignature() error {
	return &types.KMSInvalidSignatureException{}
}

// UnsupportedOperation: GetPublicKey on a symmetric or HMAC key.
func UnsupportedOperation(msg string) error {
	return &types.UnsupportedOperationException{Message: aws.String(msg)}
}

// Validation returns a ValidationException with the given message. KMS does
// not model it, and smithy-go's awsJson decoder sets a fault only from the
// X-Amzn-Query-Error header of query-compatible services, which KMS is not:
// the SDK's value has Fault smithy.FaultUnknown, and so does this one
// (docs/KMS-RULES.md §10b).
func Validation(msg string) error {
	return &smithy.GenericAPIError{Code: "ValidationException", Message: msg}
}

// DigestLength: a DIGEST message whose length is not the algorithm's hash length.
func DigestLength[A ~string](alg A) error {
	return Validation(fmt.Sprintf("Digest is invalid length for algorithm %s.", alg))
}

// MessageTypeIncompatible: a MessageType the algorithm or key spec does not take.
func MessageTypeIncompatible(mt types.MessageType, spec types.KeySpec) error {
	return Validation(fmt.Sprintf("Message type %s is incompatible with key spec %s.", mt, spec))
}

// MessageTypeIncompatibleWithAlgorithm: a MessageType an Ed25519 algorithm
// does not take. "Message type RAW is incompatible with algorithm ED25519_PH_SHA_512."
func MessageTypeIncompatibleWithAlgorithm(mt types.MessageType, alg types.SigningAlgorithmSpec) error {
	return Validation(fmt.Sprintf("Message type %s is incompatible with algorithm %s.", mt, alg))
}

// ExternalMuLength: an EXTERNAL_MU message that is not exactly 64 bytes.
func ExternalMuLength() error {
	return Validation("External mu must be exactly 64 bytes.")
}

// A Violation is one constraint of the KMS API model that a request breaks,
// in KMS's words: "Value at 'message' failed to satisfy constraint: Member
// must have length less than or equal to 4096". [Validations] makes the
// ValidationException of one or more.
//
// KMS shows a string member's value, quoted ("Value 'キー' at 'keyId'"), and
// never a blob's ("Value at 'message'"); a missing member is "Value null
// at", except a sensitive one ("Value at 'plaintext' … must not be null")
// (docs/KMS-RULES.md §7.2).
type Violation string

// TooLong: a blob member over its model maximum length.
func TooLong(member string, max int) Violation {
	return Violation(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", member, max))
}

// TooShort: a blob member under its model minimum length.
func TooShort(member string, min int) Violation {
	return Violation(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", member, min))
}

// StringTooLong: a string member over its model maximum length.
func StringTooLong(member, value string, max int) Violation {
	return Violation(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", quote(value), member, max))
}

// StringTooShort: a string member under its model minimum length.
func StringTooShort(member, value string, min int) Violation {
	return Violation(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to %d", quote(value), member, min))
}

// Pattern: a string member that does not match its model pattern.
func Pattern(member, value, pattern string) Violation {
	return Violation(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", quote(value), member, pattern))
}

// Required: a required member is missing.
func Required(member string) Violation {
	return Violation(fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// RequiredSensitive: a required member that the model marks sensitive
// (message, plaintext) is missing; KMS leaves out even the word null.
func RequiredSensitive(member string) Violation {
	return Violation(fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must not be null", member))
}

// BadEnum: a value outside the member's enum. The value is quoted up to 256
// characters: no enum value is near that long, and a hostile one must not
// make an error of its own size.
func BadEnum[A ~string](value A, member string, allowed []A) Violation {
	s := make([]string, len(allowed))
	for i, a := range allowed {
		s[i] = string(a)
	}
	return Violation(fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
		quoteAtMost(string(value), 256), member, strings.Join(s, ", ")))
}

// maxQuoted bounds how much of a string member's value a violation quotes:
// the longest KeyId the model allows (KeyIdType, 2048 characters), so every
// key ID KMS could have taken is quoted whole and a hostile one cannot make
// an error of its own size. (How AWS quotes a longer value is not recorded:
// docs/KMS-RULES.md §7.2.)
const maxQuoted = 2048

// quote is a string member's value as a violation shows it.
func quote(value string) string { return quoteAtMost(value, maxQuoted) }

// quoteAtMost is value as KMS receives it from the SDK — whose JSON encoder
// sends each byte that is not valid UTF-8 as U+FFFD — cut after max
// characters. It reads no more of value than it returns.
func quoteAtMost(value string, max int) string {
	end, n, valid := 0, 0, true
	for end < len(value) && n < max {
		r, size := utf8.DecodeRuneInString(value[end:])
		if r == utf8.RuneError && size == 1 {
			valid = false
		}
		end += size
		n++
	}
	if valid {
		return value[:end]
	}
	var b strings.Builder
	for _, r := range value[:end] { // ranging yields U+FFFD for each invalid byte
		b.WriteRune(r)
	}
	return b.String()
}

// Validations is the ValidationException KMS answers for a request that
// breaks the constraints vs (at least one), in KMS's format: "1 validation
// error detected: <v>", or "2 validation errors detected: <v1>; <v2>".
func Validations(vs ...Violation) error {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	plural := "s"
	if len(vs) == 1 {
		plural = ""
	}
	return Validation(fmt.Sprintf("%d validation error%s detected: %s", len(vs), plural, strings.Join(s, "; ")))
}

// PlaintextTooLarge: plaintext over the algorithm's limit for the key spec.
func PlaintextTooLarge(alg types.EncryptionAlgorithmSpec, spec types.KeySpec, max int) error {
	return Validation(fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, spec, max))
}

// InvalidPublicKey: DeriveSharedSecret with a peer public key KMS cannot use.
// KMS sends an empty message.
func InvalidPublicKey() error { return Validation("") }

// NotFound: the named key does not exist (or, offline, is not held).
func NotFound(msg string) error {
	return &types.NotFoundException{Message: aws.String(msg)}
}

// AccessDenied: the caller is not allowed the operation on the key. Like
// ValidationException it is not modelled in kms/types; the SDK surfaces it
// as a *smithy.GenericAPIError with the fault unknown (docs/KMS-RULES.md §10b).
func AccessDenied(msg string) error {
	return &smithy.GenericAPIError{Code: "AccessDeniedException", Message: msg}
}

// Disabled: the key is disabled. "<key-arn> is disabled." (docs/KMS-RULES.md §7, LS).
func Disabled(keyARN string) error {
	return &types.DisabledException{Message: aws.String(keyARN + " is disabled.")}
}

// InvalidState: the key's state does not allow the operation, e.g.
// "<key-arn> is pending deletion." (KMS's text, recorded on Verify, Sign,
// Encrypt and GetPublicKey: docs/KMS-RULES.md §7.1, §13.1).
func InvalidState(msg string) error {
	return &types.KMSInvalidStateException{Message: aws.String(msg)}
}

// DryRun: the request would have succeeded, but DryRun was set (observed
// for GenerateDataKeyPair, inferred for the asymmetric operations:
// docs/KMS-RULES.md §7.1).
func DryRun() error {
	return &types.DryRunOperationException{Message: aws.String("The request would have succeeded, but the DryRun option is set.")}
}

// EncryptionContextAsymmetric: an encryption context given with an
// asymmetric key, which the SDK documents as unsupported. The exception and
// text are those several independent KMS emulators return; AWS's own words
// are not recorded (docs/KMS-RULES.md §9).
func EncryptionContextAsymmetric() error {
	return Validation("EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.")
}
