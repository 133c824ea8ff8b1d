// Package kmsrules is the single, table-shaped statement of the AWS KMS rules
// for asymmetric keys that kmspub enforces offline. It reads like
// docs/KMS-RULES.md: key spec → allowed key usages → algorithms per usage →
// message types → sizes.
//
// Verify, Encrypt, DeriveSharedSecret, Encapsulate, the CLI and the generated
// documentation all consult these tables; none of them re-derives a rule in a
// switch of its own.
package kmsrules

import (
	"crypto"
	_ "crypto/sha1" // links crypto.SHA1 for RSAES_OAEP_SHA_1
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm3"
)

// Limits from the KMS API model (botocore service-2.json, docs/KMS-RULES.md §3.1, §4.1, §5, §6).
const (
	MinMessageSize       = 1    // Sign/Verify Message, PlaintextType min
	MaxMessageSize       = 4096 // Sign/Verify Message, PlaintextType max
	MinSignatureSize     = 1    // Verify Signature, CiphertextType min
	MaxSignatureSize     = 6144 // Verify Signature, CiphertextType max
	MinPlaintextSize     = 1    // Encrypt Plaintext min
	MaxPlaintextSize     = 4096 // Encrypt Plaintext max
	MaxPeerPublicKeySize = 8192 // DeriveSharedSecret PublicKey max
	MinKeyIDSize         = 1    // KeyId, KeyIdType min (every operation)
	MaxKeyIDSize         = 2048 // KeyId, KeyIdType max
	ExternalMuSize       = 64   // EXTERNAL_MU message: exactly μ
	SharedSecretSizeKEM  = 32   // ML-KEM shared secret

	// SM2DefaultID is the distinguishing ID KMS uses for SM2DSA with RAW
	// messages (GM/T 0009-2012). It cannot be changed inside KMS.
	SM2DefaultID = "1234567812345678"
	// MaxSM2IDSize is the longest distinguishing ID whose bit length fits
	// ENTL, the two-byte length prefix of Z_A.
	MaxSM2IDSize = 8191
)

// KeyIDPattern is the pattern AWS holds every KeyId to: ASCII only. The
// published model does not carry it; AWS's answers do (docs/KMS-RULES.md §7.2).
const KeyIDPattern = `^\p{ASCII}+$`

// Family is the kind of public key a key spec holds.
type Family int

const (
	FamilyRSA     Family = iota + 1
	FamilyECC            // NIST and SECG prime curves (id-ecPublicKey)
	FamilySM2            // sm2p256v1, China Regions only
	FamilyEd25519        // ECC_NIST_EDWARDS25519
	FamilyMLDSA          // FIPS 204
	FamilyMLKEM          // FIPS 203
)

// Digest names the hash an algorithm applies to a RAW message; its output is
// what a DIGEST message must hold.
type Digest int

const (
	SHA256 Digest = iota + 1
	SHA384
	SHA512
	SM3      // SM2DSA: e = SM3(Z_A ‖ M); see sm2.go for Z_A
	SHAKE256 // ML-DSA: μ = SHAKE256(tr ‖ 0 ‖ 0 ‖ M, 64)
)

// Size is the digest length in bytes.
func (d Digest) Size() int {
	switch d {
	case SHA256, SM3:
		return 32
	case SHA384:
		return 48
	case SHA512, SHAKE256:
		return 64
	}
	return 0
}

// New returns a fresh hash for d. SHAKE256 has no fixed-size hash.Hash and
// returns nil; ML-DSA computes μ itself.
func (d Digest) New() hash.Hash {
	switch d {
	case SHA256:
		return sha256.New()
	case SHA384:
		return sha512.New384()
	case SHA512:
		return sha512.New()
	case SM3:
		return sm3.New()
	}
	return nil
}

func (d Digest) String() string {
	return [...]string{"", "SHA-256", "SHA-384", "SHA-512", "SM3", "SHAKE256"}[d]
}

// Scheme is the signature scheme behind a signing algorithm.
type Scheme int

const (
	SchemeRSAPSS    Scheme = iota + 1 // EMSA-PSS, MGF1 = same hash, salt length = hash length
	SchemeRSAPKCS1                    // EMSA-PKCS1-v1_5 with DigestInfo
	SchemeECDSA                       // DER ECDSA-Sig-Value
	SchemeSM2                         // DER SEQUENCE{r, s} over e = SM3(Z_A ‖ M)
	SchemeEd25519                     // PureEdDSA, 64-byte R ‖ S
	SchemeEd25519ph                   // HashEdDSA over SHA-512(D), empty context
	SchemeMLDSA                       // pure ML-DSA, empty context
)

// SigningAlgorithm is one row of docs/KMS-RULES.md §3.2.
type SigningAlgorithm struct {
	Algorithm types.SigningAlgorithmSpec
	Scheme    Scheme
	Digest    Digest
	// MessageTypes the algorithm accepts, RAW first. DIGEST messages must be
	// Digest.Size() bytes; EXTERNAL_MU messages ExternalMuSize bytes.
	MessageTypes []types.MessageType
	// TypeRefusalNamesAlgorithm: KMS's refusal of another message type names
	// the algorithm ("Message type DIGEST is incompatible with algorithm
	// ED25519_SHA_512.") rather than the key spec ("… with key spec
	// ML_DSA_44."): observed, docs/KMS-RULES.md §7.1.
	TypeRefusalNamesAlgorithm bool
}

// Accepts reports whether the algorithm takes messages of type mt.
func (a *SigningAlgorithm) Accepts(mt types.MessageType) bool {
	return slices.Contains(a.MessageTypes, mt)
}

// MessageSize returns the exact length a message of type mt must have, or 0
// when the length may vary (RAW: MinMessageSize to MaxMessageSize).
func (a *SigningAlgorithm) MessageSize(mt types.MessageType) int {
	switch mt {
	case types.MessageTypeDigest:
		return a.Digest.Size()
	case types.MessageTypeExternalMu:
		return ExternalMuSize
	}
	return 0
}

var (
	raw          = types.MessageTypeRaw
	digest       = types.MessageTypeDigest
	externalMu   = types.MessageTypeExternalMu
	rawOrDigest  = []types.MessageType{raw, digest}
	rawOnly      = []types.MessageType{raw}
	digestOnly   = []types.MessageType{digest}
	rawOrMu      = []types.MessageType{raw, externalMu}
	signingTable = []SigningAlgorithm{
		{types.SigningAlgorithmSpecRsassaPssSha256, SchemeRSAPSS, SHA256, rawOrDigest, false},
		{types.SigningAlgorithmSpecRsassaPssSha384, SchemeRSAPSS, SHA384, rawOrDigest, false},
		{types.SigningAlgorithmSpecRsassaPssSha512, SchemeRSAPSS, SHA512, rawOrDigest, false},
		{types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, SchemeRSAPKCS1, SHA256, rawOrDigest, false},
		{types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, SchemeRSAPKCS1, SHA384, rawOrDigest, false},
		{types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, SchemeRSAPKCS1, SHA512, rawOrDigest, false},
		{types.SigningAlgorithmSpecEcdsaSha256, SchemeECDSA, SHA256, rawOrDigest, false},
		{types.SigningAlgorithmSpecEcdsaSha384, SchemeECDSA, SHA384, rawOrDigest, false},
		{types.SigningAlgorithmSpecEcdsaSha512, SchemeECDSA, SHA512, rawOrDigest, false},
		{types.SigningAlgorithmSpecEd25519Sha512, SchemeEd25519, SHA512, rawOnly, true},
		{types.SigningAlgorithmSpecEd25519PhSha512, SchemeEd25519ph, SHA512, digestOnly, true},
		{types.SigningAlgorithmSpecSm2dsa, SchemeSM2, SM3, rawOrDigest, false},
		{types.SigningAlgorithmSpecMlDsaShake256, SchemeMLDSA, SHAKE256, rawOrMu, false},
	}
)

// MessageTypes lists every MessageType KMS knows, in enum order.
func MessageTypes() []types.MessageType { return slices.Clone(MessageTypeEnum.Values) }

// EncryptionAlgorithm is one (key spec, algorithm) pair of docs/KMS-RULES.md §4.
type EncryptionAlgorithm struct {
	Algorithm types.EncryptionAlgorithmSpec
	// MaxPlaintext is the largest plaintext KMS encrypts with this pair:
	// k − 2·hLen − 2 for RSA-OAEP, 1024 for SM2PKE.
	MaxPlaintext int
	// OAEPHash is the RSA-OAEP hash, also used for MGF1 (the label is
	// empty); 0 for SM2PKE, whose KDF and C3 hash are fixed to SM3.
	OAEPHash crypto.Hash
}

// KeySpec is one row of docs/KMS-RULES.md §1 and §2: what a key spec is, and what
// each key usage allows it to do. A usage is allowed for the spec exactly when
// its algorithm list is non-empty.
type KeySpec struct {
	Spec   types.KeySpec
	Family Family
	// Size is the RSA modulus size or the curve's field size in bits; for
	// Ed25519, ML-DSA and ML-KEM the raw public key length in bytes.
	Size int

	Signing       []types.SigningAlgorithmSpec       // SIGN_VERIFY
	Encryption    []EncryptionAlgorithm              // ENCRYPT_DECRYPT
	KeyAgreement  []types.KeyAgreementAlgorithmSpec  // KEY_AGREEMENT
	Encapsulation []types.EncapsulationAlgorithmSpec // ENCAPSULATE_DECAPSULATE

	// SharedSecretSize is the DeriveSharedSecret output (raw x-coordinate)
	// or the ML-KEM shared secret length.
	SharedSecretSize int
	// KEMCiphertextSize is the ML-KEM ciphertext length.
	KEMCiphertextSize int
	// Region is a note for the documentation: where AWS offers the spec.
	Region string
}

var (
	rsaSigning = []types.SigningAlgorithmSpec{
		types.SigningAlgorithmSpecRsassaPssSha256, types.SigningAlgorithmSpecRsassaPssSha384, types.SigningAlgorithmSpecRsassaPssSha512,
		types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, types.SigningAlgorithmSpecRsassaPkcs1V15Sha512,
	}
	ecdh  = []types.KeyAgreementAlgorithmSpec{types.KeyAgreementAlgorithmSpecEcdh}
	mlkem = []types.EncapsulationAlgorithmSpec{types.EncapsulationAlgorithmSpecMlKem}
	mldsa = []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecMlDsaShake256}
)

func oaep(sha1Max, sha256Max int) []EncryptionAlgorithm {
	return []EncryptionAlgorithm{
		{types.EncryptionAlgorithmSpecRsaesOaepSha1, sha1Max, crypto.SHA1},
		{types.EncryptionAlgorithmSpecRsaesOaepSha256, sha256Max, crypto.SHA256},
	}
}

func signing(algs ...types.SigningAlgorithmSpec) []types.SigningAlgorithmSpec { return algs }

// keySpecTable is docs/KMS-RULES.md §1 (usages, algorithms), §4.2 (OAEP limits),
// §4.3 (SM2PKE limit), §5 (ECDH secret sizes) and §6 (ML-KEM sizes).
var keySpecTable = []KeySpec{
	{Spec: types.KeySpecRsa2048, Family: FamilyRSA, Size: 2048, Signing: rsaSigning, Encryption: oaep(214, 190)},
	{Spec: types.KeySpecRsa3072, Family: FamilyRSA, Size: 3072, Signing: rsaSigning, Encryption: oaep(342, 318)},
	{Spec: types.KeySpecRsa4096, Family: FamilyRSA, Size: 4096, Signing: rsaSigning, Encryption: oaep(470, 446)},
	{Spec: types.KeySpecEccNistP256, Family: FamilyECC, Size: 256, Signing: signing(types.SigningAlgorithmSpecEcdsaSha256), KeyAgreement: ecdh, SharedSecretSize: 32},
	{Spec: types.KeySpecEccNistP384, Family: FamilyECC, Size: 384, Signing: signing(types.SigningAlgorithmSpecEcdsaSha384), KeyAgreement: ecdh, SharedSecretSize: 48},
	{Spec: types.KeySpecEccNistP521, Family: FamilyECC, Size: 521, Signing: signing(types.SigningAlgorithmSpecEcdsaSha512), KeyAgreement: ecdh, SharedSecretSize: 66},
	{Spec: types.KeySpecEccSecgP256k1, Family: FamilyECC, Size: 256, Signing: signing(types.SigningAlgorithmSpecEcdsaSha256)},
	{Spec: types.KeySpecEccNistEdwards25519, Family: FamilyEd25519, Size: 32, Signing: signing(types.SigningAlgorithmSpecEd25519Sha512, types.SigningAlgorithmSpecEd25519PhSha512)},
	{Spec: types.KeySpecSm2, Family: FamilySM2, Size: 256, Signing: signing(types.SigningAlgorithmSpecSm2dsa),
		Encryption: []EncryptionAlgorithm{{Algorithm: types.EncryptionAlgorithmSpecSm2pke, MaxPlaintext: 1024}}, KeyAgreement: ecdh, SharedSecretSize: 32, Region: "China Regions only"},
	{Spec: types.KeySpecMlDsa44, Family: FamilyMLDSA, Size: 1312, Signing: mldsa},
	{Spec: types.KeySpecMlDsa65, Family: FamilyMLDSA, Size: 1952, Signing: mldsa},
	{Spec: types.KeySpecMlDsa87, Family: FamilyMLDSA, Size: 2592, Signing: mldsa},
	{Spec: types.KeySpecMlKem512, Family: FamilyMLKEM, Size: 800, Encapsulation: mlkem, SharedSecretSize: 32, KEMCiphertextSize: 768, Region: "not in China Regions"},
	{Spec: types.KeySpecMlKem768, Family: FamilyMLKEM, Size: 1184, Encapsulation: mlkem, SharedSecretSize: 32, KEMCiphertextSize: 1088, Region: "not in China Regions"},
	{Spec: types.KeySpecMlKem1024, Family: FamilyMLKEM, Size: 1568, Encapsulation: mlkem, SharedSecretSize: 32, KEMCiphertextSize: 1568, Region: "not in China Regions"},
}

// KeySpecs returns every asymmetric key spec, in the table's order.
func KeySpecs() []*KeySpec {
	out := make([]*KeySpec, len(keySpecTable))
	for i := range keySpecTable {
		out[i] = &keySpecTable[i]
	}
	return out
}

// LookupKeySpec returns the rules for an asymmetric key spec, or nil for a
// symmetric, HMAC or unknown spec.
func LookupKeySpec(spec types.KeySpec) *KeySpec {
	for i := range keySpecTable {
		if keySpecTable[i].Spec == spec {
			return &keySpecTable[i]
		}
	}
	return nil
}

// RSAKeySpec returns the RSA key spec whose modulus is bits long, or nil:
// KMS's RSA keys have 2048, 3072 or 4096 bits.
func RSAKeySpec(bits int) *KeySpec {
	for i := range keySpecTable {
		if keySpecTable[i].Family == FamilyRSA && keySpecTable[i].Size == bits {
			return &keySpecTable[i]
		}
	}
	return nil
}

// SigningAlgorithms returns every signing algorithm row, in the order AWS
// lists the enum (SigningAlgorithmEnum).
func SigningAlgorithms() []*SigningAlgorithm {
	out := make([]*SigningAlgorithm, len(signingTable))
	for i := range signingTable {
		out[i] = &signingTable[i]
	}
	return out
}

// LookupSigningAlgorithm returns the row for alg, or nil if KMS has no such
// signing algorithm.
func LookupSigningAlgorithm(alg types.SigningAlgorithmSpec) *SigningAlgorithm {
	for i := range signingTable {
		if signingTable[i].Algorithm == alg {
			return &signingTable[i]
		}
	}
	return nil
}

// Usages returns the key usages KMS allows for the spec, in the order of the
// KeyUsageType enum.
func (s *KeySpec) Usages() []types.KeyUsageType {
	var u []types.KeyUsageType
	if len(s.Signing) > 0 {
		u = append(u, types.KeyUsageTypeSignVerify)
	}
	if len(s.Encryption) > 0 {
		u = append(u, types.KeyUsageTypeEncryptDecrypt)
	}
	if len(s.KeyAgreement) > 0 {
		u = append(u, types.KeyUsageTypeKeyAgreement)
	}
	if len(s.Encapsulation) > 0 {
		u = append(u, types.KeyUsageTypeEncapsulateDecapsulate)
	}
	return u
}

// AllowsUsage reports whether KMS creates keys of this spec with usage u.
func (s *KeySpec) AllowsUsage(u types.KeyUsageType) bool {
	return slices.Contains(s.Usages(), u)
}

// AllowsSigning reports whether alg is a signing algorithm of the spec.
func (s *KeySpec) AllowsSigning(alg types.SigningAlgorithmSpec) bool {
	return slices.Contains(s.Signing, alg)
}

// EncryptionAlgorithm returns the spec's row for alg, or nil.
func (s *KeySpec) EncryptionAlgorithm(alg types.EncryptionAlgorithmSpec) *EncryptionAlgorithm {
	for i := range s.Encryption {
		if s.Encryption[i].Algorithm == alg {
			return &s.Encryption[i]
		}
	}
	return nil
}

// EncryptionAlgorithmSpecs returns the names of the spec's encryption algorithms.
func (s *KeySpec) EncryptionAlgorithmSpecs() []types.EncryptionAlgorithmSpec {
	var out []types.EncryptionAlgorithmSpec
	for _, e := range s.Encryption {
		out = append(out, e.Algorithm)
	}
	return out
}
