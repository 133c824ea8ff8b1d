package jose

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// JWK is a KMS public key as a JSON Web Key (RFC 7517): kty RSA or EC
// (RFC 7518 §6; secp256k1 per RFC 8812 §3.1), OKP for Ed25519 (RFC 8037),
// AKP for ML-DSA (RFC 9964). Members appear in this order when marshalled.
type JWK struct {
	KeyType string `json:"kty"`
	// Use is "sig" for a SIGN_VERIFY key and "enc" for an ENCRYPT_DECRYPT
	// or KEY_AGREEMENT one. NewJWK sets it and not "key_ops": RFC 7517 §4.3
	// asks that the two not be used together, and "use" is the one every
	// JWKS consumer reads.
	Use string `json:"use,omitempty"`
	// KeyOps is read from a parsed JWK ("key_ops"); NewJWK leaves it empty.
	KeyOps []string `json:"key_ops,omitempty"`
	// Algorithm is set when the key offers exactly one JOSE algorithm
	// (ES256 for a P-256 key, EdDSA for Ed25519, ML-DSA-65 for ML_DSA_65,
	// RS256 for an RSA key that lists only RSASSA_PKCS1_V1_5_SHA_256). A key
	// that offers several — an RSA key lists six — has none: RFC 7517 §4.4
	// makes "alg" optional, and one JWK per algorithm would give one key
	// several entries under one "kid". A verifier then takes any algorithm
	// its table allows for the key type; kmspub's own Verifier still
	// refuses those the key's SigningAlgorithms do not list. AKP keys always
	// have it: RFC 9964 §3 requires it.
	Algorithm string `json:"alg,omitempty"`
	// KeyID is the key ARN, or the RFC 7638 thumbprint for a key without
	// one or with [JWKOptions].ThumbprintKeyID.
	KeyID string `json:"kid,omitempty"`

	Curve string `json:"crv,omitempty"` // EC, OKP
	X     string `json:"x,omitempty"`   // EC, OKP
	Y     string `json:"y,omitempty"`   // EC
	N     string `json:"n,omitempty"`   // RSA
	E     string `json:"e,omitempty"`   // RSA
	Pub   string `json:"pub,omitempty"` // AKP
}

// JWKS is a JSON Web Key Set (RFC 7517 §5).
type JWKS struct {
	Keys []*JWK `json:"keys"`
}

// JWKOptions configures [NewJWK] and [NewJWKS].
type JWKOptions struct {
	// ThumbprintKeyID makes every "kid" the key's RFC 7638 thumbprint
	// (SHA-256, base64url) instead of its key ARN — for publishers who would
	// rather not show account and Region. A signer must then write the same
	// kid ([SignerOptions].KeyID).
	ThumbprintKeyID bool
}

// curves maps the elliptic-curve key specs to their JWK "crv" and OID.
var curves = []struct {
	spec types.KeySpec
	crv  string
	oid  asn1.ObjectIdentifier
}{
	{types.KeySpecEccNistP256, "P-256", asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}},
	{types.KeySpecEccNistP384, "P-384", asn1.ObjectIdentifier{1, 3, 132, 0, 34}},
	{types.KeySpecEccNistP521, "P-521", asn1.ObjectIdentifier{1, 3, 132, 0, 35}},
	{types.KeySpecEccSecgP256k1, "secp256k1", asn1.ObjectIdentifier{1, 3, 132, 0, 10}}, // RFC 8812 §3.1
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidMLDSA       = map[types.KeySpec]asn1.ObjectIdentifier{
		types.KeySpecMlDsa44: {2, 16, 840, 1, 101, 3, 4, 3, 17},
		types.KeySpecMlDsa65: {2, 16, 840, 1, 101, 3, 4, 3, 18},
		types.KeySpecMlDsa87: {2, 16, 840, 1, 101, 3, 4, 3, 19},
	}
)

// encryptionJWA names the JWE key management algorithm of each KMS
// encryption algorithm a JWK can announce: KMS Decrypt with the KMS
// algorithm opens what a JWE sender wrapped with the JWE one (RSA-OAEP is
// SHA-1 with MGF1-SHA-1, RSA-OAEP-256 SHA-256 with MGF1-SHA-256, empty
// label: RFC 7518 §4.3).
var encryptionJWA = map[types.EncryptionAlgorithmSpec]string{
	types.EncryptionAlgorithmSpecRsaesOaepSha1:   "RSA-OAEP",
	types.EncryptionAlgorithmSpecRsaesOaepSha256: "RSA-OAEP-256",
}

type subjectPublicKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// NewJWK returns key as a public JWK. SM2 keys (no JOSE key type), ML-KEM
// keys (no JOSE registration) and keys that can do nothing JOSE names (an
// Ed25519 key listing only ED25519_PH_SHA_512) are refused with an [*Error]
// of kind [ErrUnsupportedAlgorithm].
func NewJWK(key *kmspub.PublicKey, optFns ...func(*JWKOptions)) (*JWK, error) {
	var o JWKOptions
	for _, fn := range optFns {
		fn(&o)
	}
	j, err := keyMembers(key)
	if err != nil {
		return nil, err
	}
	switch key.KeyUsage() {
	case types.KeyUsageTypeSignVerify:
		j.Use = "sig"
		names := KeyAlgorithms(key)
		if len(names) == 0 {
			_, err := DefaultAlgorithm(key)
			return nil, err
		}
		if distinctKMS(names) == 1 {
			j.Algorithm = names[0]
		}
	case types.KeyUsageTypeEncryptDecrypt:
		j.Use = "enc"
		var names []string
		for _, a := range key.EncryptionAlgorithms() {
			names = append(names, encryptionJWA[a])
		}
		if len(names) == 1 {
			j.Algorithm = names[0]
		}
	case types.KeyUsageTypeKeyAgreement:
		// ECDH-ES and its key wrapping variants all start from the raw
		// shared secret KMS DeriveSharedSecret returns.
		j.Use = "enc"
	}
	if j.KeyType == "AKP" {
		j.Algorithm = akpAlgorithm(key.KeySpec())
	}
	if id := key.KeyID(); id != "" && !o.ThumbprintKeyID {
		j.KeyID = id
	} else if j.KeyID, err = j.Thumbprint(); err != nil {
		return nil, err
	}
	return j, nil
}

func distinctKMS(names []string) int {
	var seen []types.SigningAlgorithmSpec
	for _, n := range names {
		if a := LookupAlgorithm(n); !slices.Contains(seen, a.SigningAlgorithm) {
			seen = append(seen, a.SigningAlgorithm)
		}
	}
	return len(seen)
}

func akpAlgorithm(spec types.KeySpec) string {
	for i := range algorithms {
		if algorithms[i].Family == kmsrules.FamilyMLDSA && algorithms[i].KeySpec == spec {
			return algorithms[i].Name
		}
	}
	return ""
}

// keyMembers fills kty and the key type's members.
func keyMembers(key *kmspub.PublicKey) (*JWK, error) {
	if key == nil {
		return nil, newError(ErrMalformed, "no key", nil)
	}
	spec := kmsrules.LookupKeySpec(key.KeySpec())
	var info subjectPublicKeyInfo
	if _, err := asn1.Unmarshal(key.DER(), &info); err != nil {
		return nil, newError(ErrMalformed, "the key's SubjectPublicKeyInfo", err)
	}
	raw := info.PublicKey.Bytes
	enc := base64.RawURLEncoding.EncodeToString
	switch spec.Family {
	case kmsrules.FamilyRSA:
		pub := key.CryptoPublicKey().(*rsa.PublicKey)
		return &JWK{KeyType: "RSA", N: enc(pub.N.Bytes()), E: enc(big.NewInt(int64(pub.E)).Bytes())}, nil
	case kmsrules.FamilyECC:
		for _, c := range curves {
			if c.spec == spec.Spec {
				size := (len(raw) - 1) / 2 // raw is 04 ‖ X ‖ Y, checked by kmspub
				return &JWK{KeyType: "EC", Curve: c.crv, X: enc(raw[1 : 1+size]), Y: enc(raw[1+size:])}, nil
			}
		}
	case kmsrules.FamilyEd25519:
		return &JWK{KeyType: "OKP", Curve: "Ed25519", X: enc(raw)}, nil
	case kmsrules.FamilyMLDSA:
		return &JWK{KeyType: "AKP", Pub: enc(raw)}, nil
	case kmsrules.FamilySM2:
		return nil, newError(ErrUnsupportedAlgorithm, "SM2 keys have no JOSE key type (RFC 7518 defines no SM2 curve)", nil)
	case kmsrules.FamilyMLKEM:
		return nil, newError(ErrUnsupportedAlgorithm, "ML-KEM keys have no JOSE key type or algorithm", nil)
	}
	return nil, newError(ErrUnsupportedAlgorithm, string(spec.Spec)+" has no JOSE key type", nil)
}

// Thumbprint returns the RFC 7638 thumbprint of key: the SHA-256 of its
// required JWK members in lexicographic order, base64url.
func Thumbprint(key *kmspub.PublicKey) (string, error) {
	j, err := keyMembers(key)
	if err != nil {
		return "", err
	}
	if j.KeyType == "AKP" {
		j.Algorithm = akpAlgorithm(key.KeySpec())
	}
	return j.Thumbprint()
}

// Thumbprint returns the JWK's RFC 7638 thumbprint (SHA-256, base64url).
// The required members are those of RFC 7638 §3.2 for RSA, EC and OKP
// (RFC 8037 §2) and "alg", "kty", "pub" for AKP (RFC 9964 §6).
func (j *JWK) Thumbprint() (string, error) {
	var members []string
	switch j.KeyType {
	case "RSA":
		members = []string{"e", j.E, "kty", "RSA", "n", j.N}
	case "EC":
		members = []string{"crv", j.Curve, "kty", "EC", "x", j.X, "y", j.Y}
	case "OKP":
		members = []string{"crv", j.Curve, "kty", "OKP", "x", j.X}
	case "AKP":
		members = []string{"alg", j.Algorithm, "kty", "AKP", "pub", j.Pub}
	default:
		return "", newError(ErrMalformed, fmt.Sprintf("no thumbprint for key type %.32q", j.KeyType), nil)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(members); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(members[i])
		value, _ := json.Marshal(members[i+1])
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	sum := sha256.Sum256(b.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// NewJWKS returns the keys as a JWK Set, each as [NewJWK] makes it, with a
// key's own ID ([Key].ID) as its "kid" when it has one.
func NewJWKS(keys []Key, optFns ...func(*JWKOptions)) (*JWKS, error) {
	set := &JWKS{Keys: make([]*JWK, 0, len(keys))}
	for _, k := range keys {
		j, err := NewJWK(k.PublicKey, optFns...)
		if err != nil {
			return nil, fmt.Errorf("jose: key %s: %w", k.PublicKey.KeyID(), err)
		}
		if k.ID != "" {
			j.KeyID = k.ID
		}
		set.Keys = append(set.Keys, j)
	}
	return set, nil
}

// MaxJWKSize bounds a JWK or JWK Set before it is parsed.
const MaxJWKSize = 1 << 20

// privateMembers are the JWK members that hold private key material
// (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2; RFC 9964 §3).
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}

// ParseJWK reads one public JWK. It refuses input over [MaxJWKSize], JSON
// that is not one object, duplicate members, members of the wrong JSON type,
// and any private key material — never quoting it. Unknown members are
// ignored (RFC 7517 §4). The key itself is checked by [JWK.Key].
func ParseJWK(data []byte) (*JWK, error) {
	if len(data) > MaxJWKSize {
		return nil, newError(ErrMalformed, fmt.Sprintf("JWK is %d bytes, over the %d-byte limit", len(data), MaxJWKSize), nil)
	}
	m, err := decodeObject(bytes.TrimSpace(data))
	if err != nil {
		return nil, newError(ErrMalformed, "JWK: "+err.Error(), nil)
	}
	return jwkFromMembers(m)
}

func jwkFromMembers(m object) (*JWK, error) {
	for _, p := range privateMembers {
		if _, ok := m.get(p); ok {
			return nil, newError(ErrMalformed, fmt.Sprintf("JWK holds private key material (%q); kmspub takes public keys only", p), nil)
		}
	}
	j := &JWK{}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"kty", &j.KeyType}, {"use", &j.Use}, {"alg", &j.Algorithm}, {"kid", &j.KeyID},
		{"crv", &j.Curve}, {"x", &j.X}, {"y", &j.Y}, {"n", &j.N}, {"e", &j.E}, {"pub", &j.Pub},
	} {
		v, err := headerString(m, f.name)
		if err != nil {
			return nil, newError(ErrMalformed, fmt.Sprintf("JWK member %q is not a string", f.name), nil)
		}
		*f.dst = v
	}
	if raw, ok := m.get("key_ops"); ok {
		if err := json.Unmarshal(raw, &j.KeyOps); err != nil || j.KeyOps == nil {
			return nil, newError(ErrMalformed, `JWK member "key_ops" is not an array of strings`, nil)
		}
	}
	if j.KeyType == "" {
		return nil, newError(ErrMalformed, `JWK has no "kty"`, nil)
	}
	return j, nil
}

// ParseJWKS reads a JWK Set: an object whose "keys" member is an array of
// JWKs, each read as [ParseJWK] reads one.
func ParseJWKS(data []byte) (*JWKS, error) {
	if len(data) > MaxJWKSize {
		return nil, newError(ErrMalformed, fmt.Sprintf("JWK Set is %d bytes, over the %d-byte limit", len(data), MaxJWKSize), nil)
	}
	top, err := decodeObject(bytes.TrimSpace(data))
	if err != nil {
		return nil, newError(ErrMalformed, "JWK Set: "+err.Error(), nil)
	}
	raw, ok := top.get("keys")
	if !ok {
		return nil, newError(ErrMalformed, `JWK Set has no "keys"`, nil)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		return nil, newError(ErrMalformed, `JWK Set "keys" is not an array`, nil)
	}
	set := &JWKS{Keys: make([]*JWK, 0, len(list))}
	for i, r := range list {
		m, err := decodeObject(r)
		if err != nil {
			return nil, newError(ErrMalformed, fmt.Sprintf("JWK Set key %d: %v", i, err), nil)
		}
		j, err := jwkFromMembers(m)
		if err != nil {
			return nil, fmt.Errorf("jose: JWK Set key %d: %w", i, err)
		}
		set.Keys = append(set.Keys, j)
	}
	return set, nil
}

// Key returns the JWK as a kmspub key with the metadata GetPublicKey would
// give it, validated by [kmspub.ParseSubjectPublicKeyInfo]:
//
//   - the key spec from the key type and its size or curve (RSA moduli of
//     2048, 3072 or 4096 bits; P-256, P-384, P-521, secp256k1; Ed25519;
//     ML-DSA-44/65/87 from the AKP "alg"); anything else is no KMS key;
//   - the usage from "use" ("sig": SIGN_VERIFY; "enc": ENCRYPT_DECRYPT for
//     RSA, KEY_AGREEMENT for EC), else from "key_ops", else from "alg",
//     else SIGN_VERIFY;
//   - the algorithm list from "alg" (the one KMS algorithm it names), else
//     the full list KMS offers for the spec and usage;
//   - KeyId from a "kid" that is a key ARN; any "kid" is the Key's ID.
//
// Encodings are strict (RFC 7518): unpadded base64url, coordinates of
// exactly the curve's size, RSA integers without leading zeros.
func (j *JWK) Key() (Key, error) {
	der, spec, err := j.spki()
	if err != nil {
		return Key{}, err
	}
	usage, err := j.usage(spec)
	if err != nil {
		return Key{}, err
	}
	meta := &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: usage}
	if strings.HasPrefix(j.KeyID, "arn:") && strings.Contains(j.KeyID, ":key/") {
		meta.KeyId = aws.String(j.KeyID)
	}
	if j.Algorithm != "" {
		if a := LookupAlgorithm(j.Algorithm); a != nil && usage == types.KeyUsageTypeSignVerify {
			if !a.fits(kmsrules.LookupKeySpec(spec)) {
				return Key{}, newError(ErrKeyMismatch, fmt.Sprintf(`JWK "alg" %s does not fit a %s key`, a.Name, spec), nil)
			}
			meta.SigningAlgorithms = []types.SigningAlgorithmSpec{a.SigningAlgorithm}
		} else if usage == types.KeyUsageTypeEncryptDecrypt {
			for kmsAlg, name := range encryptionJWA {
				if name == j.Algorithm {
					meta.EncryptionAlgorithms = []types.EncryptionAlgorithmSpec{kmsAlg}
				}
			}
			if meta.EncryptionAlgorithms == nil {
				return Key{}, newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`JWK "alg" %.32q is no KMS encryption algorithm`, j.Algorithm), nil)
			}
		} else if usage == types.KeyUsageTypeSignVerify {
			return Key{}, refusedAlgorithm(j.Algorithm)
		}
	}
	pk, err := kmspub.ParseSubjectPublicKeyInfo(der, meta)
	if err != nil {
		return Key{}, newError(ErrMalformed, "JWK is not a KMS public key", err)
	}
	return Key{PublicKey: pk, ID: j.KeyID}, nil
}

func decodeMember(name, v string) ([]byte, error) {
	if v == "" {
		return nil, newError(ErrMalformed, fmt.Sprintf("JWK member %q is missing or empty", name), nil)
	}
	b, err := decodeSegment("JWK member "+name, []byte(v))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// spki encodes the key as a SubjectPublicKeyInfo and names its key spec.
func (j *JWK) spki() ([]byte, types.KeySpec, error) {
	info := subjectPublicKeyInfo{}
	var spec types.KeySpec
	var point []byte
	switch j.KeyType {
	case "RSA":
		n, err := decodeMember("n", j.N)
		if err != nil {
			return nil, "", err
		}
		e, err := decodeMember("e", j.E)
		if err != nil {
			return nil, "", err
		}
		if n[0] == 0 || e[0] == 0 || len(e) > 4 {
			return nil, "", newError(ErrMalformed, "JWK RSA members are not minimal, or the exponent is too large", nil)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		rules := kmsrules.RSAKeySpec(pub.N.BitLen())
		if rules == nil {
			return nil, "", newError(ErrMalformed, fmt.Sprintf("a %d-bit RSA modulus is no KMS key size (2048, 3072, 4096)", pub.N.BitLen()), nil)
		}
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return nil, "", newError(ErrMalformed, "JWK RSA key", err)
		}
		return der, rules.Spec, nil
	case "EC":
		for _, c := range curves {
			if c.crv == j.Curve {
				spec = c.spec
				params, _ := asn1.Marshal(c.oid)
				info.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidECPublicKey, Parameters: asn1.RawValue{FullBytes: params}}
			}
		}
		if spec == "" {
			return nil, "", newError(ErrMalformed, fmt.Sprintf("JWK curve %.32q is not one of a KMS key spec", j.Curve), nil)
		}
		x, err := decodeMember("x", j.X)
		if err != nil {
			return nil, "", err
		}
		y, err := decodeMember("y", j.Y)
		if err != nil {
			return nil, "", err
		}
		size := (kmsrules.LookupKeySpec(spec).Size + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, "", newError(ErrMalformed, fmt.Sprintf("JWK %s coordinates must be %d bytes each (RFC 7518 §6.2.1.2)", j.Curve, size), nil)
		}
		point = append(append([]byte{4}, x...), y...)
	case "OKP":
		if j.Curve != "Ed25519" {
			return nil, "", newError(ErrMalformed, fmt.Sprintf("JWK OKP curve %.32q is not Ed25519, the one KMS offers", j.Curve), nil)
		}
		x, err := decodeMember("x", j.X)
		if err != nil {
			return nil, "", err
		}
		spec, point = types.KeySpecEccNistEdwards25519, x
		info.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidEd25519}
	case "AKP":
		a := LookupAlgorithm(j.Algorithm)
		if a == nil || a.Family != kmsrules.FamilyMLDSA {
			return nil, "", newError(ErrMalformed, fmt.Sprintf(`AKP JWK "alg" %.32q is not ML-DSA-44, -65 or -87 (RFC 9964 requires it)`, j.Algorithm), nil)
		}
		pub, err := decodeMember("pub", j.Pub)
		if err != nil {
			return nil, "", err
		}
		spec, point = a.KeySpec, pub
		info.Algorithm = pkix.AlgorithmIdentifier{Algorithm: oidMLDSA[spec]}
	case "oct":
		return nil, "", newError(ErrMalformed, "JWK is a symmetric key (kty oct); kmspub takes KMS public keys only", nil)
	default:
		return nil, "", newError(ErrMalformed, fmt.Sprintf("JWK key type %.32q is not one a KMS key has", j.KeyType), nil)
	}
	info.PublicKey = asn1.BitString{Bytes: point, BitLength: 8 * len(point)}
	der, err := asn1.Marshal(info)
	if err != nil {
		return nil, "", newError(ErrMalformed, "JWK key", err)
	}
	return der, spec, nil
}

// usage derives the KMS key usage from "use", "key_ops" and "alg".
func (j *JWK) usage(spec types.KeySpec) (types.KeyUsageType, error) {
	family := kmsrules.LookupKeySpec(spec).Family
	enc := types.KeyUsageTypeKeyAgreement
	if family == kmsrules.FamilyRSA {
		enc = types.KeyUsageTypeEncryptDecrypt
	}
	fromUse := types.KeyUsageType("")
	switch j.Use {
	case "":
	case "sig":
		fromUse = types.KeyUsageTypeSignVerify
	case "enc":
		fromUse = enc
	default:
		return "", newError(ErrMalformed, fmt.Sprintf(`JWK "use" %.32q is neither "sig" nor "enc"`, j.Use), nil)
	}
	fromOps := types.KeyUsageType("")
	for _, op := range j.KeyOps {
		var u types.KeyUsageType
		switch op {
		case "verify", "sign":
			u = types.KeyUsageTypeSignVerify
		case "encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits":
			u = enc
		default:
			continue // unknown operations are for someone else
		}
		if fromOps != "" && fromOps != u {
			return "", newError(ErrMalformed, `JWK "key_ops" mixes signing and encryption`, nil)
		}
		fromOps = u
	}
	if fromUse != "" && fromOps != "" && fromUse != fromOps {
		return "", newError(ErrMalformed, `JWK "use" and "key_ops" disagree`, nil)
	}
	switch {
	case fromUse != "":
		return fromUse, nil
	case fromOps != "":
		return fromOps, nil
	}
	for _, name := range encryptionJWA {
		if j.Algorithm == name {
			return enc, nil
		}
	}
	return types.KeyUsageTypeSignVerify, nil
}

// KeySet returns the JWK Set's keys as a [KeySet]. Following RFC 7517 §5,
// JWKs that are no KMS key (another key type or curve, a symmetric key) are
// skipped; a set with no usable key is an error.
func (s *JWKS) KeySet() (KeySet, error) {
	var keys staticKeys
	var first error
	for _, j := range s.Keys {
		k, err := j.Key()
		if err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		if first == nil {
			first = newError(ErrMalformed, "the JWK Set has no keys", nil)
		}
		return nil, first
	}
	return keys, nil
}
