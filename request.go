package kmspub

import (
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// The request preamble. Every offline operation — Verify (with VerifyReader
// and Digest), Encrypt, DeriveSharedSecret and Encapsulate — checks its
// request as KMS does, in two phases:
//
//  1. The model phase: the request alone against the KMS API model —
//     required members, lengths, enum values — which an AWS service checks
//     before it looks the key up. Each operation's is a pure function of its
//     request (verifyModel, encryptModel, …) that collects every violation
//     in the model's member order.
//  2. The key phase (preamble → keyAllows): the key's usage for the
//     operation, then the algorithm among those the key lists. Each
//     operation then makes its own key-dependent checks (message types,
//     digest and plaintext sizes) and the cryptography.
//
// Before both, the Client refuses what the SDK's client would not send
// (checkSDKRequired).

// operation is an offline operation as the key phase sees it: the name KMS
// writes in a key-usage refusal, and the key usage it needs.
type operation struct {
	name  string
	usage types.KeyUsageType
}

var (
	opVerify             = operation{kmserr.OpVerify, types.KeyUsageTypeSignVerify}
	opSign               = operation{kmserr.OpSign, types.KeyUsageTypeSignVerify} // Digest: its result is meant for Sign
	opEncrypt            = operation{kmserr.OpEncrypt, types.KeyUsageTypeEncryptDecrypt}
	opDeriveSharedSecret = operation{kmserr.OpDeriveSharedSecret, types.KeyUsageTypeKeyAgreement}
	opEncapsulate        = operation{kmserr.OpEncapsulate, types.KeyUsageTypeEncapsulateDecapsulate}
)

// preamble is how every offline operation starts: the request's model
// violations (from its model function), then the key phase for op with the
// algorithm alg, which must be in listed (the key's list for op's usage).
func preamble[A ~string](k *PublicKey, model violations, op operation, listed []A, alg A) error {
	if err := model.err(); err != nil {
		return err
	}
	return keyAllows(k, op, listed, alg)
}

// keyAllows is the key phase: the key's usage must be the one op needs
// (KMS checks it before the algorithm), else KMS's "<arn> key usage is X
// which is not valid for Op."; then alg must be one the key lists, else
// "Algorithm X is incompatible with key spec Y.". Both are
// *types.InvalidKeyUsageException.
func keyAllows[A ~string](k *PublicKey, op operation, listed []A, alg A) error {
	if k.usage != op.usage {
		return kmserr.InvalidKeyUsage(k.keyID, k.usage, op.name)
	}
	if !slices.Contains(listed, alg) {
		return kmserr.IncompatibleAlgorithm(alg, k.spec.Spec)
	}
	return nil
}

// violations are the model violations of one request, in the model's
// member order; nil when there are none.
type violations []kmserr.Violation

// err is the ValidationException for v, or nil. KMS lists every violation
// of a request in one exception; kmspub reports the first. This is the one
// place that choice is made.
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return kmserr.Validations(v[0])
}

// length applies a model length constraint to a member.
func (v *violations) length(member string, n, min, max int) {
	switch {
	case n < min:
		*v = append(*v, kmserr.TooShort(member, min))
	case n > max:
		*v = append(*v, kmserr.TooLong(member, max))
	}
}

// optionalEnum checks a member that may be absent (""): when present it
// must be one of e's values. It reports whether value is acceptable.
func optionalEnum[V ~string](v *violations, e *kmsrules.Enum[V], value V) bool {
	if value == "" || e.Has(value) {
		return true
	}
	*v = append(*v, kmsrules.NotInEnum(e, value))
	return false
}

// requiredEnum checks a required member that must be one of e's values.
func requiredEnum[V ~string](v *violations, e *kmsrules.Enum[V], value V) {
	if value == "" {
		*v = append(*v, kmserr.Required(e.Member))
		return
	}
	optionalEnum(v, e, value)
}

// signingAlgorithm checks the required signingAlgorithm member and returns
// its rules, nil when it is absent or not a member of the enum.
func (v *violations) signingAlgorithm(algorithm types.SigningAlgorithmSpec) *kmsrules.SigningAlgorithm {
	if algorithm == "" {
		*v = append(*v, kmserr.Required(kmsrules.SigningAlgorithmEnum.Member))
		return nil
	}
	// The rules table has a row for every member of the enum (a kmsrules
	// test holds them to it): one lookup serves as the membership check.
	alg := kmsrules.LookupSigningAlgorithm(algorithm)
	if alg == nil {
		*v = append(*v, kmsrules.NotInEnum(kmsrules.SigningAlgorithmEnum, algorithm))
	}
	return alg
}

// verifyModel is Verify's model phase over Message, MessageType, Signature
// and SigningAlgorithm. It also returns the message type ("" is RAW, as in
// KMS) and the algorithm's rules, for the key phase.
func verifyModel(message []byte, messageType types.MessageType, signature []byte, algorithm types.SigningAlgorithmSpec) (v violations, mt types.MessageType, alg *kmsrules.SigningAlgorithm) {
	v.length("message", len(message), kmsrules.MinMessageSize, kmsrules.MaxMessageSize)
	mt = messageType
	if mt == "" {
		mt = types.MessageTypeRaw
	} else {
		optionalEnum(&v, kmsrules.MessageTypeEnum, mt)
	}
	v.length("signature", len(signature), kmsrules.MinSignatureSize, kmsrules.MaxSignatureSize)
	alg = v.signingAlgorithm(algorithm)
	return v, mt, alg
}

// streamVerifyModel is the model phase of VerifyReader, whose message is a
// stream: Signature and SigningAlgorithm.
func streamVerifyModel(signature []byte, algorithm types.SigningAlgorithmSpec) (v violations, alg *kmsrules.SigningAlgorithm) {
	v.length("signature", len(signature), kmsrules.MinSignatureSize, kmsrules.MaxSignatureSize)
	alg = v.signingAlgorithm(algorithm)
	return v, alg
}

// digestModel is the model phase of Digest, which prepares a Sign or Verify
// request: SigningAlgorithm.
func digestModel(algorithm types.SigningAlgorithmSpec) (v violations, alg *kmsrules.SigningAlgorithm) {
	alg = v.signingAlgorithm(algorithm)
	return v, alg
}

// encryptModel is Encrypt's model phase over Plaintext and
// EncryptionAlgorithm (optional: KMS defaults it to SYMMETRIC_DEFAULT).
func encryptModel(plaintextLen int, algorithm types.EncryptionAlgorithmSpec) (v violations) {
	v.length("plaintext", plaintextLen, kmsrules.MinPlaintextSize, kmsrules.MaxPlaintextSize)
	optionalEnum(&v, kmsrules.EncryptionAlgorithmEnum, algorithm)
	return v
}

// deriveModel is DeriveSharedSecret's model phase over the required
// KeyAgreementAlgorithm. (The peer's PublicKey member is the caller's
// private key here; DeriveSharedSecret checks it in the key phase.)
func deriveModel(algorithm types.KeyAgreementAlgorithmSpec) (v violations) {
	requiredEnum(&v, kmsrules.KeyAgreementAlgorithmEnum, algorithm)
	return v
}

// encapsulateModel is Encapsulate's model phase over the required
// EncapsulationAlgorithm.
func encapsulateModel(algorithm types.EncapsulationAlgorithmSpec) (v violations) {
	requiredEnum(&v, kmsrules.EncapsulationAlgorithmEnum, algorithm)
	return v
}

// checkKeyID applies the model's length constraint on KeyId, which every
// operation has, before a key ID is used, cached or quoted.
func checkKeyID(keyID string) error {
	var v violations
	v.length("keyId", len(keyID), kmsrules.MinKeyIDSize, kmsrules.MaxKeyIDSize)
	return v.err()
}

// checkSDKRequired refuses a request that the SDK's client would not send,
// as it refuses it: a smithy.InvalidParamsError naming every required
// member that is missing (the SDK's generated validateOp… functions). It is
// the one statement of those members for the operations the Client (and
// the Keyring's GetPublicKey) answers; a nil params has every member
// missing.
func checkSDKRequired(params any) error {
	var invalid smithy.InvalidParamsError
	required := func(member string, missing bool) {
		if missing {
			invalid.Add(smithy.NewErrParamRequired(member))
		}
	}
	switch p := params.(type) {
	case *kms.VerifyInput:
		invalid.Context = "VerifyInput"
		if p == nil {
			p = &kms.VerifyInput{}
		}
		required("KeyId", p.KeyId == nil)
		required("Message", p.Message == nil)
		required("Signature", p.Signature == nil)
		required("SigningAlgorithm", p.SigningAlgorithm == "")
	case *kms.EncryptInput:
		invalid.Context = "EncryptInput"
		if p == nil {
			p = &kms.EncryptInput{}
		}
		required("KeyId", p.KeyId == nil)
		required("Plaintext", p.Plaintext == nil)
	case *kms.EncapsulateInput:
		invalid.Context = "EncapsulateInput"
		if p == nil {
			p = &kms.EncapsulateInput{}
		}
		required("KeyId", p.KeyId == nil)
		required("EncapsulationAlgorithm", p.EncapsulationAlgorithm == "")
	case *kms.GetPublicKeyInput:
		invalid.Context = "GetPublicKeyInput"
		if p == nil {
			p = &kms.GetPublicKeyInput{}
		}
		required("KeyId", p.KeyId == nil)
	default:
		panic("kmspub: checkSDKRequired: no required members known for this input")
	}
	if invalid.Len() > 0 {
		return invalid
	}
	return nil
}
