package kmspub

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
	"github.com/kmspub/kmspub/internal/spki"
)

// GetPublicKeyAPIClient is the one KMS call [Fetch] makes. *kms.Client
// satisfies it.
type GetPublicKeyAPIClient interface {
	GetPublicKey(ctx context.Context, params *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// PublicKey is a KMS asymmetric public key together with the metadata
// GetPublicKey returned for it, validated against each other. It is immutable
// and safe for concurrent use. The zero value is not usable; obtain one from
// [Fetch], [FromGetPublicKeyOutput], [ParseGetPublicKeyJSON] or
// [ParseSubjectPublicKeyInfo].
type PublicKey struct {
	keyID string
	spec  *kmsrules.KeySpec
	usage types.KeyUsageType

	signing       []types.SigningAlgorithmSpec
	encryption    []types.EncryptionAlgorithmSpec
	keyAgreement  []types.KeyAgreementAlgorithmSpec
	encapsulation []types.EncapsulationAlgorithmSpec

	der    []byte
	raw    []byte // subjectPublicKey content
	public crypto.PublicKey

	verify verifyKey // prepared for Verify once, for SIGN_VERIFY keys (verify.go)
	agree  agreeKey  // prepared for DeriveSharedSecret once, for KEY_AGREEMENT keys (derive.go)
}

// KeyID returns the key ARN KMS reported, or the one given to
// [ParseSubjectPublicKeyInfo] (which may be empty).
func (k *PublicKey) KeyID() string { return k.keyID }

// KeySpec returns the key spec, one of the 15 asymmetric specs.
func (k *PublicKey) KeySpec() types.KeySpec { return k.spec.Spec }

// KeyUsage returns the key usage.
func (k *PublicKey) KeyUsage() types.KeyUsageType { return k.usage }

// SigningAlgorithms returns a copy of the signing algorithms of a
// SIGN_VERIFY key, and nil for other usages.
func (k *PublicKey) SigningAlgorithms() []types.SigningAlgorithmSpec { return slices.Clone(k.signing) }

// EncryptionAlgorithms returns a copy of the encryption algorithms of an
// ENCRYPT_DECRYPT key, and nil for other usages.
func (k *PublicKey) EncryptionAlgorithms() []types.EncryptionAlgorithmSpec {
	return slices.Clone(k.encryption)
}

// KeyAgreementAlgorithms returns a copy of the key agreement algorithms of a
// KEY_AGREEMENT key, and nil for other usages.
func (k *PublicKey) KeyAgreementAlgorithms() []types.KeyAgreementAlgorithmSpec {
	return slices.Clone(k.keyAgreement)
}

// EncapsulationAlgorithms returns a copy of the algorithms of an
// ENCAPSULATE_DECAPSULATE key, and nil for other usages.
func (k *PublicKey) EncapsulationAlgorithms() []types.EncapsulationAlgorithmSpec {
	return slices.Clone(k.encapsulation)
}

// DER returns a copy of the DER-encoded SubjectPublicKeyInfo, exactly as
// given (for SM2, in whichever of its two OID forms it came).
func (k *PublicKey) DER() []byte { return bytes.Clone(k.der) }

// CryptoPublicKey returns the parsed key: *rsa.PublicKey, *ecdsa.PublicKey
// (NIST curves, and SM2 on gmsm's sm2.P256 curve), *secp256k1.PublicKey
// (github.com/decred/dcrd/dcrec/secp256k1/v4), ed25519.PublicKey,
// *mldsa.PublicKey44/65/87 (github.com/emmansun/gmsm/mldsa),
// *mlkem.EncapsulationKey512 (github.com/emmansun/gmsm/mlkem) or
// *mlkem.EncapsulationKey768/1024 (crypto/mlkem). The caller must not modify it.
func (k *PublicKey) CryptoPublicKey() crypto.PublicKey { return k.public }

// Equal reports whether x is a *PublicKey for the same key with the same
// metadata: the same key ID, key spec, key usage and algorithm lists, and
// the same public key. The public key is compared as a key, not as bytes,
// so the two OID forms of one SM2 key are equal.
func (k *PublicKey) Equal(x crypto.PublicKey) bool {
	o, ok := x.(*PublicKey)
	if !ok || o == nil {
		return false
	}
	return k.keyID == o.keyID && k.spec == o.spec && k.usage == o.usage &&
		slices.Equal(k.signing, o.signing) && slices.Equal(k.encryption, o.encryption) &&
		slices.Equal(k.keyAgreement, o.keyAgreement) && slices.Equal(k.encapsulation, o.encapsulation) &&
		bytes.Equal(k.raw, o.raw)
}

// GetPublicKeyOutput returns the key as the SDK's GetPublicKey output.
func (k *PublicKey) GetPublicKeyOutput() *kms.GetPublicKeyOutput {
	return &kms.GetPublicKeyOutput{
		KeyId:                   aws.String(k.keyID),
		PublicKey:               k.DER(),
		CustomerMasterKeySpec:   types.CustomerMasterKeySpec(k.spec.Spec),
		KeySpec:                 k.spec.Spec,
		KeyUsage:                k.usage,
		SigningAlgorithms:       k.SigningAlgorithms(),
		EncryptionAlgorithms:    k.EncryptionAlgorithms(),
		KeyAgreementAlgorithms:  k.KeyAgreementAlgorithms(),
		EncapsulationAlgorithms: k.EncapsulationAlgorithms(),
	}
}

// Fetch calls GetPublicKey for keyID — a key ID, key ARN, alias name
// ("alias/name") or alias ARN — validates the answer as
// [FromGetPublicKeyOutput] does, and checks that it answers the request:
//
//   - for a key ARN, the answer's KeyId is that ARN;
//   - for a key ID, the answer's KeyId ends in "key/<that id>";
//   - for an alias ARN, the answer's KeyId is in the alias's partition,
//     Region and account;
//   - for a key ID or alias name, the answer's KeyId is in the Region the
//     request went to, and that Region's partition, when the client tells
//     its Region: a client with the Options method of *kms.Client, whose
//     options are copied and given optFns to learn the Region of this call.
//     The account is not known offline and is not checked.
//
// An answer about another key, or any answer to a name of none of the four
// forms, is refused with an [*InvalidKeyError] (docs/KMS-RULES.md §14.3).
// optFns are passed to the client unchanged. An error from the client is
// returned as is, so SDK errors keep their types.
func Fetch(ctx context.Context, client GetPublicKeyAPIClient, keyID string, optFns ...func(*kms.Options)) (*PublicKey, error) {
	if err := checkKeyID(keyID); err != nil {
		return nil, err
	}
	out, err := client.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)}, optFns...)
	if err != nil {
		return nil, err
	}
	k, err := FromGetPublicKeyOutput(out)
	if err != nil {
		return nil, err
	}
	if err := bindAnswer("KeyId", keyID, k.keyID, requestRegion(client, optFns)); err != nil {
		return nil, err
	}
	return k, nil
}

// FromGetPublicKeyOutput validates a GetPublicKey answer and returns it as a
// PublicKey. It checks that:
//   - KeyId is a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>)
//     in one of the AWS partitions (aws, aws-cn, aws-us-gov, aws-iso,
//     aws-iso-b, aws-iso-e, aws-iso-f, aws-eusc);
//   - KeySpec is one of the 15 asymmetric specs (symmetric and HMAC specs give
//     *types.UnsupportedOperationException, as KMS GetPublicKey does), and
//     CustomerMasterKeySpec, when present, equals it (when KeySpec is
//     absent, as in files from older AWS CLI builds, CustomerMasterKeySpec
//     stands for it);
//   - PublicKey is a strict DER SubjectPublicKeyInfo of exactly that spec
//     (RSA modulus size, curve, Ed25519, ML-DSA and ML-KEM lengths; EC
//     points uncompressed and on the curve; ML-KEM keys pass the FIPS 203
//     modulus check);
//   - KeyUsage is one KMS allows for the spec (else a ValidationException,
//     as CreateKey gives);
//   - the algorithm list of that usage holds only algorithms KMS offers for
//     the spec (else an *types.InvalidKeyUsageException), without repeats,
//     and the lists of other usages are absent.
//
// A missing list for the key's usage (local-kms omits EncryptionAlgorithms)
// is read as the full list KMS fixes for the (spec, usage) pair, never as
// "anything goes"; a list that is present is kept as given. Every failure is
// an [*InvalidKeyError].
//
// An Ed25519 key must be the canonical encoding of a curve point not of
// small order: KMS never issues another, and a small-order key would verify
// forged signatures.
//
// It does not check what only KMS knows — that the key exists, is enabled,
// or belongs to the account in the ARN — nor the RSA public exponent beyond
// crypto/x509's limits.
func FromGetPublicKeyOutput(out *kms.GetPublicKeyOutput) (*PublicKey, error) {
	if out == nil {
		return nil, invalidKey("GetPublicKeyOutput", "is nil", nil)
	}
	id := aws.ToString(out.KeyId)
	if id == "" {
		return nil, invalidKey("KeyId", "is missing", nil)
	}
	if !isKeyARN(id) {
		return nil, invalidKey("KeyId", fmt.Sprintf("%.256q is not a KMS key ARN", id), nil)
	}
	return newPublicKey(id, out.PublicKey, out)
}

// ParseSubjectPublicKeyInfo builds a PublicKey from a SubjectPublicKeyInfo
// the caller holds and metadata given in the shape GetPublicKey returns it.
// encoded is one PEM "PUBLIC KEY" block without headers (whitespace around
// it allowed), exact DER (nothing after it), or standard padded base64 of
// the DER (whitespace anywhere allowed), at most [MaxKeyFileSize] bytes. In
// meta, KeySpec and KeyUsage are
// required; KeyId is optional but must be a key ARN when set (a key without
// one cannot be written by [PublicKey.MarshalJSON]); CustomerMasterKeySpec
// and the algorithm lists are optional (an absent list means the full list
// KMS fixes for the spec and usage); PublicKey must be empty. It then
// validates exactly as [FromGetPublicKeyOutput] does.
func ParseSubjectPublicKeyInfo(encoded []byte, meta *kms.GetPublicKeyOutput) (*PublicKey, error) {
	if meta == nil {
		return nil, invalidKey("metadata", "is nil; KeySpec and KeyUsage are required", nil)
	}
	if len(meta.PublicKey) != 0 {
		return nil, invalidKey("PublicKey", "must be given as the encoded argument, not in the metadata", nil)
	}
	id := aws.ToString(meta.KeyId)
	if id != "" && !isKeyARN(id) {
		return nil, invalidKey("KeyId", fmt.Sprintf("%.256q is not a KMS key ARN", id), nil)
	}
	der, err := decodeSPKI(encoded)
	if err != nil {
		return nil, err
	}
	return newPublicKey(id, der, meta)
}

// isKeyARN reports whether id is a key ARN as KMS returns it in KeyId, in
// one of the AWS partitions (docs/KMS-RULES.md §14).
func isKeyARN(id string) bool { return kmsrules.ParseName(id).Kind == kmsrules.KeyARN }

func newPublicKey(id string, der []byte, meta *kms.GetPublicKeyOutput) (*PublicKey, error) {
	spec := meta.KeySpec
	if spec == "" {
		// Files saved by older AWS CLI builds carry only the deprecated
		// duplicate (docs/KMS-RULES.md §8); it names the same spec.
		spec = types.KeySpec(meta.CustomerMasterKeySpec)
	}
	if spec == "" {
		return nil, invalidKey("KeySpec", "is missing", nil)
	}
	meta = withKeySpec(meta, spec)
	rules := kmsrules.LookupKeySpec(meta.KeySpec)
	if rules == nil {
		if !kmsrules.KeySpecEnum.Has(meta.KeySpec) {
			return nil, invalidKey("KeySpec", fmt.Sprintf("%q is not a KMS key spec", meta.KeySpec), nil)
		}
		// A symmetric or HMAC key: KMS GetPublicKey refuses it this way.
		msg := fmt.Sprintf("%s is not an asymmetric key spec; KMS has no public key for it", meta.KeySpec)
		return nil, invalidKey("KeySpec", msg, kmserr.UnsupportedOperation(msg))
	}
	if meta.CustomerMasterKeySpec != "" && string(meta.CustomerMasterKeySpec) != string(meta.KeySpec) {
		return nil, invalidKey("CustomerMasterKeySpec", fmt.Sprintf("%s differs from KeySpec %s", meta.CustomerMasterKeySpec, meta.KeySpec), nil)
	}
	if len(der) == 0 {
		return nil, invalidKey("PublicKey", "is missing", nil)
	}
	parsed, err := spki.Parse(der)
	if err != nil {
		reason := err.Error()
		if e, ok := err.(*spki.Error); ok {
			reason = "is not a valid KMS SubjectPublicKeyInfo: " + e.Reason
		}
		return nil, invalidKey("PublicKey", reason, err)
	}
	if parsed.Spec != rules.Spec {
		return nil, invalidKey("PublicKey", fmt.Sprintf("holds an %s key, but KeySpec is %s", parsed.Spec, rules.Spec), nil)
	}
	if meta.KeyUsage == "" {
		return nil, invalidKey("KeyUsage", "is missing", nil)
	}
	if !rules.AllowsUsage(meta.KeyUsage) {
		msg := fmt.Sprintf("KeyUsage %s is not compatible with KeySpec %s", meta.KeyUsage, rules.Spec)
		return nil, invalidKey("KeyUsage", fmt.Sprintf("%s is not compatible with KeySpec %s", meta.KeyUsage, rules.Spec), kmserr.Validation(msg))
	}
	k := &PublicKey{
		keyID:  id,
		spec:   rules,
		usage:  meta.KeyUsage,
		der:    bytes.Clone(der),
		raw:    bytes.Clone(parsed.Raw),
		public: parsed.Public,
	}
	usage := meta.KeyUsage
	if k.signing, err = algorithmList("SigningAlgorithms", meta.SigningAlgorithms, rules.Signing, usage == types.KeyUsageTypeSignVerify, rules.Spec); err != nil {
		return nil, err
	}
	if k.encryption, err = algorithmList("EncryptionAlgorithms", meta.EncryptionAlgorithms, rules.EncryptionAlgorithmSpecs(), usage == types.KeyUsageTypeEncryptDecrypt, rules.Spec); err != nil {
		return nil, err
	}
	if k.keyAgreement, err = algorithmList("KeyAgreementAlgorithms", meta.KeyAgreementAlgorithms, rules.KeyAgreement, usage == types.KeyUsageTypeKeyAgreement, rules.Spec); err != nil {
		return nil, err
	}
	if k.encapsulation, err = algorithmList("EncapsulationAlgorithms", meta.EncapsulationAlgorithms, rules.Encapsulation, usage == types.KeyUsageTypeEncapsulateDecapsulate, rules.Spec); err != nil {
		return nil, err
	}
	if err := k.prepareVerify(); err != nil {
		return nil, invalidKey("PublicKey", err.Error(), err)
	}
	if err := k.prepareAgree(); err != nil {
		return nil, invalidKey("PublicKey", err.Error(), err)
	}
	return k, nil
}

// algorithmList checks one of the four algorithm lists. The list of the
// key's own usage must be a repeat-free subset of what KMS offers for the
// spec (absent means all of it); the lists of other usages must be absent.
func algorithmList[A ~string](field string, given, allowed []A, ownUsage bool, spec types.KeySpec) ([]A, error) {
	if !ownUsage {
		if len(given) != 0 {
			return nil, invalidKey(field, "is present, but belongs to another key usage", nil)
		}
		return nil, nil
	}
	if len(given) == 0 {
		return slices.Clone(allowed), nil
	}
	for i, a := range given {
		if !slices.Contains(allowed, a) {
			return nil, invalidKey(field, fmt.Sprintf("lists %s, which KMS does not offer for %s", a, spec), kmserr.IncompatibleAlgorithm(a, spec))
		}
		if slices.Contains(given[:i], a) {
			return nil, invalidKey(field, fmt.Sprintf("lists %s twice", a), nil)
		}
	}
	return slices.Clone(given), nil
}

// decodeSPKI accepts PEM "PUBLIC KEY", raw DER or base64 DER, and tells
// them apart by the first byte: DER starts with a SEQUENCE tag (0x30, which
// is '0', never the first character of base64 DER), PEM with "-----BEGIN".
func decodeSPKI(encoded []byte) ([]byte, error) {
	// The size first: nothing, not even TrimSpace, reads more than that.
	if len(encoded) > MaxKeyFileSize {
		return nil, invalidKey("PublicKey", fmt.Sprintf("is %d bytes; no encoded KMS public key is over %d", len(encoded), MaxKeyFileSize), nil)
	}
	trimmed := bytes.TrimSpace(encoded)
	if len(trimmed) == 0 {
		return nil, invalidKey("PublicKey", "is empty", nil)
	}
	switch {
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN")):
		block, rest := pem.Decode(trimmed)
		if block == nil {
			return nil, invalidKey("PublicKey", "is malformed PEM", nil)
		}
		if block.Type != "PUBLIC KEY" {
			return nil, invalidKey("PublicKey", fmt.Sprintf("PEM block is %q, want \"PUBLIC KEY\"", block.Type), nil)
		}
		if len(block.Headers) != 0 {
			return nil, invalidKey("PublicKey", "PEM block has headers", nil)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, invalidKey("PublicKey", "has data after the PEM block", nil)
		}
		return block.Bytes, nil
	case encoded[0] == 0x30: // a DER SEQUENCE; the base64 of one starts with 'M'
		return encoded, nil
	}
	der, err := base64.StdEncoding.Strict().DecodeString(string(bytes.Join(bytes.Fields(trimmed), nil)))
	if err != nil {
		return nil, invalidKey("PublicKey", "is neither PEM, DER nor base64: "+err.Error(), nil)
	}
	return der, nil
}

// MaxKeyFileSize is the most [ParseSubjectPublicKeyInfo] and
// [ParseGetPublicKeyJSON] read, and the kmspub command reads from a key
// file: anything longer is refused before it is parsed. The largest KMS
// public key (ML_DSA_87, a 2614-byte SubjectPublicKeyInfo) is under 3.6 KiB
// as PEM and under 4 KiB as get-public-key JSON. A caller reading a key
// from an untrusted source can stop reading there.
const MaxKeyFileSize = 16 << 10

// InvalidKeyError reports a public key or metadata that kmspub refuses to
// build a [PublicKey] from. Where KMS has a matching exception (an
// UnsupportedOperationException for a symmetric key spec, a
// ValidationException for a usage the spec does not allow, an
// InvalidKeyUsageException for an algorithm it does not offer), Unwrap
// returns it, so errors.As finds the SDK type.
type InvalidKeyError struct {
	Field  string // the GetPublicKey member at fault, e.g. "KeySpec"
	Reason string
	Err    error
}

func (e *InvalidKeyError) Error() string {
	return "kmspub: invalid KMS public key: " + e.Field + " " + e.Reason
}

func (e *InvalidKeyError) Unwrap() error { return e.Err }

func invalidKey(field, reason string, err error) error {
	return &InvalidKeyError{Field: field, Reason: reason, Err: err}
}

// ErrInvalidKey matches every *InvalidKeyError with errors.Is.
var ErrInvalidKey = errors.New("kmspub: invalid KMS public key")

// Is makes errors.Is(err, ErrInvalidKey) true.
func (e *InvalidKeyError) Is(target error) bool { return target == ErrInvalidKey }

// withKeySpec returns meta with KeySpec set, copying rather than changing the
// caller's value.
func withKeySpec(meta *kms.GetPublicKeyOutput, spec types.KeySpec) *kms.GetPublicKeyOutput {
	if meta.KeySpec == spec {
		return meta
	}
	c := *meta
	c.KeySpec = spec
	return &c
}
