package kmsrules

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// Enum is an enum of the KMS API model as a request member takes it: the
// member's name as KMS quotes it in a ValidationException, and the values
// in the order KMS lists them there ("Member must satisfy enum value set:
// [...]"). That order is AWS's, recorded from its answers, and not always
// the SDK model's (docs/KMS-RULES.md §13.2). Every operation, the CLI and the
// documentation read enum membership from these, and nowhere else.
type Enum[V ~string] struct {
	Member string
	Values []V
	// Unlisted are values KMS's check of the member lets through although
	// its message does not list them; the request is then refused later,
	// against the key (docs/KMS-RULES.md §13.1 row 1).
	Unlisted []V
}

// Has reports whether v is one of e's listed values.
func (e *Enum[V]) Has(v V) bool { return slices.Contains(e.Values, v) }

// Accepts reports whether KMS's check of the member lets v through: a listed
// value, or one of the unlisted ones.
func (e *Enum[V]) Accepts(v V) bool { return e.Has(v) || slices.Contains(e.Unlisted, v) }

// The request enums of the operations kmspub performs offline
// (docs/KMS-RULES.md §3, §4, §5, §6), in AWS's order (§13.2). Tests check
// that each holds exactly the SDK's values.
var (
	// SigningAlgorithmEnum: AWS lists the Ed25519 algorithms before SM2DSA
	// and ML_DSA_SHAKE_256; the model the other way round. SYMMETRIC_DEFAULT
	// passes the check and is refused against the key spec, with
	// InvalidKeyUsageException "Algorithm SYMMETRIC_DEFAULT is incompatible
	// with key spec RSA_2048." (recorded on Sign, §3.1, §13.1 row 1).
	SigningAlgorithmEnum = &Enum[types.SigningAlgorithmSpec]{Member: "signingAlgorithm", Values: []types.SigningAlgorithmSpec{
		types.SigningAlgorithmSpecRsassaPssSha256, types.SigningAlgorithmSpecRsassaPssSha384, types.SigningAlgorithmSpecRsassaPssSha512,
		types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512,
		types.SigningAlgorithmSpecEcdsaSha256, types.SigningAlgorithmSpecEcdsaSha384, types.SigningAlgorithmSpecEcdsaSha512,
		types.SigningAlgorithmSpecEd25519Sha512, types.SigningAlgorithmSpecEd25519PhSha512,
		types.SigningAlgorithmSpecSm2dsa, types.SigningAlgorithmSpecMlDsaShake256,
	}, Unlisted: []types.SigningAlgorithmSpec{types.SigningAlgorithmSpec(types.EncryptionAlgorithmSpecSymmetricDefault)}}
	MessageTypeEnum = &Enum[types.MessageType]{Member: "messageType", Values: []types.MessageType{
		types.MessageTypeRaw, types.MessageTypeDigest, types.MessageTypeExternalMu,
	}}
	// EncryptionAlgorithmEnum: AWS lists SYMMETRIC_DEFAULT last; the model first.
	EncryptionAlgorithmEnum = &Enum[types.EncryptionAlgorithmSpec]{Member: "encryptionAlgorithm", Values: []types.EncryptionAlgorithmSpec{
		types.EncryptionAlgorithmSpecRsaesOaepSha1, types.EncryptionAlgorithmSpecRsaesOaepSha256,
		types.EncryptionAlgorithmSpecSm2pke, types.EncryptionAlgorithmSpecSymmetricDefault,
	}}
	KeyAgreementAlgorithmEnum = &Enum[types.KeyAgreementAlgorithmSpec]{Member: "keyAgreementAlgorithm", Values: []types.KeyAgreementAlgorithmSpec{
		types.KeyAgreementAlgorithmSpecEcdh,
	}}
	EncapsulationAlgorithmEnum = &Enum[types.EncapsulationAlgorithmSpec]{Member: "encapsulationAlgorithm", Values: []types.EncapsulationAlgorithmSpec{
		types.EncapsulationAlgorithmSpecMlKem,
	}}
	// KeySpecEnum is every key spec KMS has, symmetric and HMAC ones too:
	// kmspub tells "not a key spec" from "a spec with no public key".
	KeySpecEnum = &Enum[types.KeySpec]{Member: "keySpec", Values: types.KeySpec("").Values()}
)

// NotInEnum returns the violation KMS reports for value, which is not one of
// e's values.
func NotInEnum[V ~string](e *Enum[V], value V) kmserr.Violation {
	return kmserr.BadEnum(value, e.Member, e.Values)
}

// CheckEncryptionContext is KMS's rule for an Encrypt request's
// EncryptionContext with an asymmetric key, given the number of its pairs:
// KMS takes none (SDK Encrypt documentation), so a non-empty one is refused
// with the ValidationException several KMS emulators return (AWS's own
// words are not recorded: docs/KMS-RULES.md §9). The Client and the CLI
// both apply it.
func CheckEncryptionContext(pairs int) error {
	if pairs > 0 {
		return kmserr.EncryptionContextAsymmetric()
	}
	return nil
}
