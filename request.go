package kmspub

import (
	"slices"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// The request preamble. Every offline operation — Verify (with VerifyReader
// and Digest), Encrypt, DeriveSharedSecret and Encapsulate — checks its
// request as KMS does, in two phases (docs/KMS-RULES.md §7.3):
//
//  1. The model phase: the request alone against the KMS API model —
//     required members, lengths, patterns, enum values — which KMS checks
//     before it looks the key up. Each operation's is a pure function of its
//     request (verifyModel, encryptModel, …) that collects every violation
//     in the model's member order; KMS reports them all in one
//     ValidationException (§7.2), and so does violations.err.
//  2. The key phase (keyAllows): the key's usage for the operation, then
//     the algorithm among those the key lists. Each operation then makes its
//     own key-dependent checks (message types, digest and plaintext sizes)
//     and the cryptography.
//
// The Client runs the model phase of the whole request (KeyId included)
// before it looks the key up, and checks the key's state between its usage
// and the algorithm, as KMS does. Before both it refuses what the SDK's
// client would not send (checkSDKRequired).

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
// (KMS checks it first), else KMS's "<arn> key usage is X which is not
// valid for Op."; then alg must be one the key lists, else "Algorithm X is
// incompatible with key spec Y.". Both are *types.InvalidKeyUsageException.
func keyAllows[A ~string](k *PublicKey, op operation, listed []A, alg A) error {
	if err := k.allowsUsage(op); err != nil {
		return err
	}
	if !slices.Contains(listed, alg) {
		return kmserr.IncompatibleAlgorithm(alg, k.spec.Spec)
	}
	return nil
}

// allowsUsage is the key phase's first check. The Client makes it before it
// checks the key's state: KMS answers a disabled key of the wrong usage with
// the usage refusal (docs/KMS-RULES.md §7.3, §13.1 row 4).
func (k *PublicKey) allowsUsage(op operation) error {
	if k.usage != op.usage {
		return kmserr.InvalidKeyUsage(k.keyID, k.usage, op.name)
	}
	return nil
}

// violations are the model violations of one request, in the model's
// member order; nil when there are none.
type violations []kmserr.Violation

// err is the ValidationException for v, or nil: every violation in one
// exception, "1 validation error detected: …" or "2 validation errors
// detected: …; …", as KMS lists them (docs/KMS-RULES.md §7.2).
func (v violations) err() error {
	if len(v) == 0 {
		return nil
	}
	return kmserr.Validations(v...)
}

// length applies a model length constraint to a blob member.
func (v *violations) length(member string, n, min, max int) {
	switch {
	case n < min:
		*v = append(*v, kmserr.TooShort(member, min))
	case n > max:
		*v = append(*v, kmserr.TooLong(member, max))
	}
}

// requiredBlob checks a required blob member. A nil slice is an absent
// member — the SDK sends nothing for it — and KMS answers "Value null at
// 'signature' … must not be null", or, for a sensitive member (message,
// plaintext), "Value at 'message' …" without the null (docs/KMS-RULES.md
// §7.2, §13.1 rows 3a–3d). An empty, non-nil slice is sent as "" and fails
// the length.
func (v *violations) requiredBlob(member string, b []byte, sensitive bool, min, max int) {
	switch {
	case b == nil && sensitive:
		*v = append(*v, kmserr.RequiredSensitive(member))
	case b == nil:
		*v = append(*v, kmserr.Required(member))
	default:
		v.length(member, len(b), min, max)
	}
}

// keyID checks the KeyId every operation has: 1–2048 characters (KeyIdType)
// and ASCII only (^\p{ASCII}+$, which AWS holds it to). The value is quoted,
// as KMS quotes string members, and an empty one breaks both constraints
// (docs/KMS-RULES.md §7.2, §13.1 row 9). KMS counts characters; every byte
// that is not valid UTF-8 reaches it as one U+FFFD.
func (v *violations) keyID(keyID string) {
	const member = "keyId"
	if len(keyID) <= kmsrules.MaxKeyIDSize*utf8.UTFMax { // else certainly too long: do not count
		n := utf8.RuneCountInString(keyID)
		switch {
		case n < kmsrules.MinKeyIDSize:
			*v = append(*v, kmserr.StringTooShort(member, keyID, kmsrules.MinKeyIDSize))
		case n > kmsrules.MaxKeyIDSize:
			*v = append(*v, kmserr.StringTooLong(member, keyID, kmsrules.MaxKeyIDSize))
		}
	} else {
		*v = append(*v, kmserr.StringTooLong(member, keyID, kmsrules.MaxKeyIDSize))
	}
	if !isASCII(keyID) {
		*v = append(*v, kmserr.Pattern(member, keyID, kmsrules.KeyIDPattern))
	}
}

// isASCII reports whether s matches ^\p{ASCII}+$.
func isASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// optionalEnum checks a member that may be absent (""): when present KMS's
// check must accept it (see kmsrules.Enum). It reports whether value is
// acceptable.
func optionalEnum[V ~string](v *violations, e *kmsrules.Enum[V], value V) bool {
	if value == "" || e.Accepts(value) {
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
// its rules: nil when it is absent, not accepted, or accepted without being
// a signing algorithm (SYMMETRIC_DEFAULT, which the key phase refuses).
func (v *violations) signingAlgorithm(algorithm types.SigningAlgorithmSpec) *kmsrules.SigningAlgorithm {
	if algorithm == "" {
		*v = append(*v, kmserr.Required(kmsrules.SigningAlgorithmEnum.Member))
		return nil
	}
	// The rules table has a row for every listed member of the enum (a
	// kmsrules test holds them to it): one lookup serves as the check.
	alg := kmsrules.LookupSigningAlgorithm(algorithm)
	if alg == nil && !kmsrules.SigningAlgorithmEnum.Accepts(algorithm) {
		*v = append(*v, kmsrules.NotInEnum(kmsrules.SigningAlgorithmEnum, algorithm))
	}
	return alg
}

// verifyRequest is a Verify request whose model phase passed, as the key
// phase takes it.
type verifyRequest struct {
	message   []byte
	mt        types.MessageType // "" made RAW, as in KMS
	algorithm types.SigningAlgorithmSpec
	alg       *kmsrules.SigningAlgorithm // nil for SYMMETRIC_DEFAULT, which the key never lists
	signature []byte
}

// verifyModel is Verify's model phase over Message, MessageType, Signature
// and SigningAlgorithm, in that (the model's) order.
func verifyModel(message []byte, messageType types.MessageType, signature []byte, algorithm types.SigningAlgorithmSpec) (v violations, r verifyRequest) {
	v.requiredBlob("message", message, true, kmsrules.MinMessageSize, kmsrules.MaxMessageSize)
	r.mt = messageType
	if r.mt == "" {
		r.mt = types.MessageTypeRaw
	} else {
		optionalEnum(&v, kmsrules.MessageTypeEnum, r.mt)
	}
	v.requiredBlob("signature", signature, false, kmsrules.MinSignatureSize, kmsrules.MaxSignatureSize)
	r.alg = v.signingAlgorithm(algorithm)
	r.message, r.algorithm, r.signature = message, algorithm, signature
	return v, r
}

// streamVerifyModel is the model phase of VerifyReader, whose message is a
// stream: Signature and SigningAlgorithm.
func streamVerifyModel(signature []byte, algorithm types.SigningAlgorithmSpec) (v violations, alg *kmsrules.SigningAlgorithm) {
	v.requiredBlob("signature", signature, false, kmsrules.MinSignatureSize, kmsrules.MaxSignatureSize)
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
func encryptModel(plaintext []byte, algorithm types.EncryptionAlgorithmSpec) (v violations) {
	v.requiredBlob("plaintext", plaintext, true, kmsrules.MinPlaintextSize, kmsrules.MaxPlaintextSize)
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

// checkKeyID is the model phase of a request whose only checked member is
// KeyId (GetPublicKey), run before a key ID is used, cached or quoted.
func checkKeyID(keyID string) error {
	var v violations
	v.keyID(keyID)
	return v.err()
}

// The model phase of the Client's requests: KeyId first, then the
// operation's members, each in the model's member order.

func verifyInputModel(in *kms.VerifyInput) (violations, verifyRequest) {
	var v violations
	v.keyID(aws.ToString(in.KeyId))
	members, r := verifyModel(in.Message, in.MessageType, in.Signature, in.SigningAlgorithm)
	return append(v, members...), r
}

func encryptInputModel(in *kms.EncryptInput) violations {
	var v violations
	v.keyID(aws.ToString(in.KeyId))
	return append(v, encryptModel(in.Plaintext, in.EncryptionAlgorithm)...)
}

func encapsulateInputModel(in *kms.EncapsulateInput) violations {
	var v violations
	v.keyID(aws.ToString(in.KeyId))
	return append(v, encapsulateModel(in.EncapsulationAlgorithm)...)
}

// checkSDKRequired refuses a request that the SDK's client would not send,
// as it refuses it: a smithy.InvalidParamsError naming every required
// member that is missing (the SDK's generated validateOp… functions). It is
// the one statement of those members for the operations the Client (and
// the Keyring's GetPublicKey) answers; a nil params has every member
// missing. This is why the Client never answers KMS's "Value null at …"
// ValidationException: *kms.Client never sends such a request.
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
