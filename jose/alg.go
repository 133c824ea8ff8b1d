package jose

import (
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Algorithm is one row of the table that joins JOSE and KMS: a JWS "alg"
// value, the KMS signing algorithm whose signatures it carries, and the keys
// it may be used with. The KMS rules themselves — which algorithms a key
// spec offers, which message types and sizes they take — stay in
// internal/kmsrules and in [kmspub.PublicKey.Verify]; this table only names
// them the way JOSE does.
type Algorithm struct {
	// Name is the JWS "alg" Header Parameter value.
	Name string
	// SigningAlgorithm is the KMS algorithm that makes and checks the
	// signature.
	SigningAlgorithm types.SigningAlgorithmSpec
	// Family is the kind of key the algorithm takes.
	Family kmsrules.Family
	// KeySpec, when set, is the one key spec the algorithm takes: JWA fixes
	// the curve of every ECDSA algorithm, and the parameter set of every
	// ML-DSA one. RSA algorithms take any RSA key.
	KeySpec types.KeySpec
	// CoordinateSize is, for ECDSA, the length of r and of s in the JWS
	// signature R ‖ S (RFC 7518 §3.4): the curve order's byte length.
	CoordinateSize int
	// Reference is where the name is defined.
	Reference string
}

// The table. Every KMS signing algorithm of every key spec appears here
// under exactly one primary name, except SM2DSA and ED25519_PH_SHA_512,
// which JOSE has no name for (see [noJWAName]); TestAlgorithmTableCoversKMS
// checks that against internal/kmsrules.
var algorithms = []Algorithm{
	{"RS256", types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.3"},
	{"RS384", types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.3"},
	{"RS512", types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.3"},
	// JWA's PSS uses MGF1 with the same hash and a salt as long as the
	// hash (RFC 7518 §3.5), which is what KMS signs with and what
	// PublicKey.Verify requires.
	{"PS256", types.SigningAlgorithmSpecRsassaPssSha256, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.5"},
	{"PS384", types.SigningAlgorithmSpecRsassaPssSha384, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.5"},
	{"PS512", types.SigningAlgorithmSpecRsassaPssSha512, kmsrules.FamilyRSA, "", 0, "RFC 7518 §3.5"},
	{"ES256", types.SigningAlgorithmSpecEcdsaSha256, kmsrules.FamilyECC, types.KeySpecEccNistP256, 32, "RFC 7518 §3.4"},
	{"ES384", types.SigningAlgorithmSpecEcdsaSha384, kmsrules.FamilyECC, types.KeySpecEccNistP384, 48, "RFC 7518 §3.4"},
	{"ES512", types.SigningAlgorithmSpecEcdsaSha512, kmsrules.FamilyECC, types.KeySpecEccNistP521, 66, "RFC 7518 §3.4"},
	{"ES256K", types.SigningAlgorithmSpecEcdsaSha256, kmsrules.FamilyECC, types.KeySpecEccSecgP256k1, 32, "RFC 8812 §3.2"},
	{"EdDSA", types.SigningAlgorithmSpecEd25519Sha512, kmsrules.FamilyEd25519, types.KeySpecEccNistEdwards25519, 0, "RFC 8037 §3.1"},
	{"ML-DSA-44", types.SigningAlgorithmSpecMlDsaShake256, kmsrules.FamilyMLDSA, types.KeySpecMlDsa44, 0, "RFC 9964 §5"},
	{"ML-DSA-65", types.SigningAlgorithmSpecMlDsaShake256, kmsrules.FamilyMLDSA, types.KeySpecMlDsa65, 0, "RFC 9964 §5"},
	{"ML-DSA-87", types.SigningAlgorithmSpecMlDsaShake256, kmsrules.FamilyMLDSA, types.KeySpecMlDsa87, 0, "RFC 9964 §5"},
	// The fully-specified name for pure Ed25519 (RFC 9864 §2.2), which
	// deprecates the polymorphic "EdDSA". Accepted when verifying; the
	// signer and the JWK use "EdDSA", which every library knows.
	{"Ed25519", types.SigningAlgorithmSpecEd25519Sha512, kmsrules.FamilyEd25519, types.KeySpecEccNistEdwards25519, 0, "RFC 9864 §2.2"},
}

// noJWAName explains, for the KMS signing algorithms JOSE has no name for,
// why a key offering only those cannot sign or verify a JWS.
var noJWAName = map[types.SigningAlgorithmSpec]string{
	types.SigningAlgorithmSpecSm2dsa: "SM2DSA has no JWS algorithm: neither JWA (RFC 7518) " +
		"nor the IANA JOSE registry defines one for SM2",
	types.SigningAlgorithmSpecEd25519PhSha512: "ED25519_PH_SHA_512 (HashEdDSA, Ed25519ph) has no JWS algorithm: " +
		"JOSE's EdDSA and Ed25519 are pure Ed25519 (RFC 8037, RFC 9864), which is ED25519_SHA_512",
}

// LookupAlgorithm returns the row for a JWS "alg" value, or nil when
// kmspub cannot verify that algorithm with a KMS key (see [Verifier] for
// how such tokens are refused).
func LookupAlgorithm(name string) *Algorithm {
	for i := range algorithms {
		if algorithms[i].Name == name {
			return &algorithms[i]
		}
	}
	return nil
}

// Algorithms returns every row of the table, in the table's order.
func Algorithms() []Algorithm { return slices.Clone(algorithms) }

// fits reports whether the algorithm may be used with a key of spec s,
// whatever the key's algorithm list says.
func (a *Algorithm) fits(s *kmsrules.KeySpec) bool {
	if a.KeySpec != "" {
		return a.KeySpec == s.Spec
	}
	return a.Family == s.Family
}

// KeyAlgorithms returns the JWS algorithms key can verify: for each signing
// algorithm the key lists (GetPublicKey SigningAlgorithms), the names JOSE
// gives it for the key's spec — "ES256" for ECDSA_SHA_256 on a P-256 key,
// "ES256K" for it on a secp256k1 key; "EdDSA" and "Ed25519" for
// ED25519_SHA_512. The first name of each is the one a signer uses. A key
// whose usage is not SIGN_VERIFY has none.
func KeyAlgorithms(key *kmspub.PublicKey) []string {
	if key == nil || key.KeyUsage() != types.KeyUsageTypeSignVerify {
		return nil
	}
	spec := kmsrules.LookupKeySpec(key.KeySpec())
	listed := key.SigningAlgorithms()
	var names []string
	for i := range algorithms {
		a := &algorithms[i]
		if a.fits(spec) && slices.Contains(listed, a.SigningAlgorithm) {
			names = append(names, a.Name)
		}
	}
	return names
}

// AlgorithmFor returns the JWS algorithm a token signed by key with the KMS
// algorithm alg carries. It refuses an algorithm the key does not offer,
// with the InvalidKeyUsageException KMS Sign gives, and SM2DSA and
// ED25519_PH_SHA_512, which have no JWS name, with an [*Error] of kind
// [ErrUnsupportedAlgorithm] that says so.
func AlgorithmFor(key *kmspub.PublicKey, alg types.SigningAlgorithmSpec) (string, error) {
	if key == nil {
		return "", newError(ErrKeyMismatch, "no key", nil)
	}
	// The KMS checks first: usage, and the key's own list.
	if _, _, err := key.Digest(oneByte(), alg); err != nil {
		return "", err
	}
	if why, ok := noJWAName[alg]; ok {
		return "", newError(ErrUnsupportedAlgorithm, why, nil)
	}
	spec := kmsrules.LookupKeySpec(key.KeySpec())
	for i := range algorithms {
		if a := &algorithms[i]; a.SigningAlgorithm == alg && a.fits(spec) {
			return a.Name, nil
		}
	}
	// Unreachable while TestAlgorithmTableCoversKMS passes.
	return "", newError(ErrUnsupportedAlgorithm, string(alg)+" on "+string(spec.Spec)+" has no JWS algorithm", nil)
}

// DefaultAlgorithm returns the JWS algorithm kmspub signs with for key when
// none is named: the first the key offers in the table's order (RS256 for
// an RSA key listing every algorithm, ES256 for P-256, EdDSA for Ed25519,
// ML-DSA-65 for ML_DSA_65…). A key with no JWS algorithm (SM2, an Ed25519
// key listing only ED25519_PH_SHA_512, a key of another usage) is refused as
// [AlgorithmFor] refuses it.
func DefaultAlgorithm(key *kmspub.PublicKey) (string, error) {
	if names := KeyAlgorithms(key); len(names) > 0 {
		return names[0], nil
	}
	if key == nil {
		return "", newError(ErrKeyMismatch, "no key", nil)
	}
	listed := key.SigningAlgorithms()
	if len(listed) == 0 {
		// A key of another usage: KMS's own refusal.
		_, _, err := key.Digest(oneByte(), types.SigningAlgorithmSpecEcdsaSha256)
		return "", err
	}
	return AlgorithmFor(key, listed[0])
}

// oneByte is the message kmspub's Sign-side checks (PublicKey.Digest) are
// run over when only the checks matter.
func oneByte() io.Reader { return strings.NewReader("x") }

// fitsKey is fits for a key.
func (a *Algorithm) fitsKey(k *kmspub.PublicKey) bool {
	return a.fits(kmsrules.LookupKeySpec(k.KeySpec()))
}

// CheckAlgorithm returns nil when name is in the table, and otherwise the
// [*Error] kmspub refuses a token with that "alg" with: "none", HMAC
// (a public key is never an HMAC secret), JWE, unknown. Adapters call it
// before any key is chosen.
func CheckAlgorithm(name string) error {
	if LookupAlgorithm(name) != nil {
		return nil
	}
	return refusedAlgorithm(name)
}
