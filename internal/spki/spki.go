// Package spki parses the DER SubjectPublicKeyInfo that KMS GetPublicKey
// returns (docs/KMS-RULES.md §2) for every asymmetric key spec, strictly: DER only,
// no trailing bytes, no unused bits, exact parameters, and a public key that
// its own library accepts (uncompressed on-curve points, FIPS 203 modulus
// check, RSA modulus of a KMS size, Ed25519 keys that are canonical
// encodings of points not of small order).
//
// Not checked: the RSA public exponent beyond crypto/x509's limits, and, for
// ML-DSA, anything beyond the length (every encoding of that length is a
// valid FIPS 204 public key).
package spki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	stdmlkem "crypto/mlkem"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Object identifiers (docs/KMS-RULES.md §2).
var (
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSM2         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301} // curve, and the algorithm in one SPKI form
	oidP256        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384        = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521        = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidSecp256k1   = asn1.ObjectIdentifier{1, 3, 132, 0, 10}
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}
	oidMLDSA44     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}
	oidMLDSA65     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}
	oidMLDSA87     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}
	oidMLKEM512    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}
	oidMLKEM768    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}
	oidMLKEM1024   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}
)

// Key is a parsed SubjectPublicKeyInfo.
type Key struct {
	// Spec is the KMS key spec the encoding holds.
	Spec types.KeySpec
	// Public is the parsed key, of the type Go users expect:
	// *rsa.PublicKey, *ecdsa.PublicKey (NIST curves and SM2),
	// *secp256k1.PublicKey, ed25519.PublicKey, *mldsa.PublicKey44/65/87
	// (gmsm), *mlkem.EncapsulationKey512 (gmsm),
	// *mlkem.EncapsulationKey768/1024 (crypto/mlkem).
	Public crypto.PublicKey
	// Raw is the content of the subjectPublicKey BIT STRING.
	Raw []byte
}

// MaxSize bounds the DER that Parse reads. The largest KMS
// SubjectPublicKeyInfo, ML_DSA_87's, is 2614 bytes.
const MaxSize = 4096

// Error describes why an SPKI was refused.
type Error struct{ Reason string }

func (e *Error) Error() string { return "invalid SubjectPublicKeyInfo: " + e.Reason }

func fail(format string, args ...any) error {
	return &Error{Reason: fmt.Sprintf(format, args...)}
}

// Parse parses a DER SubjectPublicKeyInfo of one of the 15 asymmetric KMS key
// specs. It refuses BER, trailing data, unknown algorithms and curves,
// parameters other than those RFC 3279/5480, 8410, 9881 and 9935 prescribe
// (NULL for RSA; a namedCurve OID for EC; none for Ed25519, ML-DSA and
// ML-KEM), compressed or off-curve points, keys that do not decode, and
// Ed25519 keys of small order or in a non-canonical encoding.
// SM2 is accepted as id-ecPublicKey with the sm2p256v1 curve and as the
// sm2p256v1 algorithm OID with that same curve. Input over MaxSize bytes is
// refused before it is parsed. Every error is an *Error.
func Parse(der []byte) (*Key, error) {
	if len(der) > MaxSize {
		// Checked first: crypto/x509 would otherwise decode an RSA modulus
		// of any size into a big.Int.
		return nil, fail("%d bytes; no KMS key is over %d", len(der), MaxSize)
	}
	input := cryptobyte.String(der)
	var spki, algID, bits cryptobyte.String
	var oid asn1.ObjectIdentifier
	if !input.ReadASN1(&spki, cbasn1.SEQUENCE) {
		return nil, fail("not a DER SEQUENCE")
	}
	if !input.Empty() {
		return nil, fail("%d trailing byte(s) after the DER", len(input))
	}
	if !spki.ReadASN1(&algID, cbasn1.SEQUENCE) || !algID.ReadASN1ObjectIdentifier(&oid) {
		return nil, fail("malformed AlgorithmIdentifier")
	}
	params := algID // what is left: the parameters, if any
	var unused byte
	if !spki.ReadASN1(&bits, cbasn1.BIT_STRING) || !bits.ReadUint8(&unused) || !spki.Empty() {
		return nil, fail("malformed subjectPublicKey")
	}
	if unused != 0 {
		return nil, fail("subjectPublicKey has unused bits")
	}
	raw := []byte(bits)

	switch {
	case oid.Equal(oidRSA):
		return parseRSA(der, params, raw)
	case oid.Equal(oidECPublicKey):
		return parseEC(params, raw)
	case oid.Equal(oidSM2):
		// The form gmsm's smx509 also reads: the SM2 OID as the algorithm,
		// and again as the namedCurve. No other curve goes with it.
		var curve asn1.ObjectIdentifier
		if p := params; !p.ReadASN1ObjectIdentifier(&curve) || !curve.Equal(oidSM2) {
			return nil, fail("SM2 algorithm OID must have the sm2p256v1 namedCurve parameters")
		}
		return parseEC(params, raw)
	case oid.Equal(oidEd25519):
		if !params.Empty() {
			return nil, fail("Ed25519 AlgorithmIdentifier must have no parameters")
		}
		if len(raw) != ed25519.PublicKeySize {
			return nil, fail("Ed25519 public key is %d bytes, want %d", len(raw), ed25519.PublicKeySize)
		}
		if err := checkEd25519(raw); err != nil {
			return nil, err
		}
		return &Key{types.KeySpecEccNistEdwards25519, ed25519.PublicKey(raw), raw}, nil
	case oid.Equal(oidMLDSA44), oid.Equal(oidMLDSA65), oid.Equal(oidMLDSA87):
		if !params.Empty() {
			return nil, fail("ML-DSA AlgorithmIdentifier must have no parameters")
		}
		return parseMLDSA(oid, raw)
	case oid.Equal(oidMLKEM512), oid.Equal(oidMLKEM768), oid.Equal(oidMLKEM1024):
		if !params.Empty() {
			return nil, fail("ML-KEM AlgorithmIdentifier must have no parameters")
		}
		return parseMLKEM(oid, raw)
	}
	return nil, fail("unsupported algorithm %s", oid)
}

func parseRSA(der []byte, params cryptobyte.String, raw []byte) (*Key, error) {
	if !params.ReadASN1(new(cryptobyte.String), cbasn1.NULL) || !params.Empty() {
		return nil, fail("rsaEncryption parameters must be NULL")
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fail("RSA: %v", err)
	}
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, fail("RSA: unexpected key type %T", pub)
	}
	// crypto/x509 ignores bytes after the exponent inside RSAPublicKey;
	// only its DER encoding is accepted here.
	if string(x509.MarshalPKCS1PublicKey(rsaPub)) != string(raw) {
		return nil, fail("RSA: RSAPublicKey is not the DER SEQUENCE { modulus, exponent }")
	}
	rules := kmsrules.RSAKeySpec(rsaPub.N.BitLen())
	if rules == nil {
		return nil, fail("RSA modulus is %d bits; KMS keys have 2048, 3072 or 4096", rsaPub.N.BitLen())
	}
	return &Key{rules.Spec, rsaPub, raw}, nil
}

func parseEC(params cryptobyte.String, raw []byte) (*Key, error) {
	var curve asn1.ObjectIdentifier
	if !params.ReadASN1ObjectIdentifier(&curve) || !params.Empty() {
		return nil, fail("EC parameters must be a namedCurve OID")
	}
	if len(raw) == 0 || raw[0] != 4 {
		return nil, fail("EC point must be uncompressed")
	}
	var (
		spec types.KeySpec
		pub  crypto.PublicKey
		err  error
	)
	switch {
	case curve.Equal(oidP256):
		spec = types.KeySpecEccNistP256
		pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
	case curve.Equal(oidP384):
		spec = types.KeySpecEccNistP384
		pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P384(), raw)
	case curve.Equal(oidP521):
		spec = types.KeySpecEccNistP521
		pub, err = ecdsa.ParseUncompressedPublicKey(elliptic.P521(), raw)
	case curve.Equal(oidSecp256k1):
		spec = types.KeySpecEccSecgP256k1
		if len(raw) != 65 {
			return nil, fail("secp256k1 point is %d bytes, want 65", len(raw))
		}
		pub, err = secp256k1.ParsePubKey(raw)
	case curve.Equal(oidSM2):
		spec = types.KeySpecSm2
		if len(raw) != 65 {
			return nil, fail("SM2 point is %d bytes, want 65", len(raw))
		}
		pub, err = sm2.NewPublicKey(raw)
	default:
		return nil, fail("unsupported curve %s", curve)
	}
	if err != nil {
		return nil, fail("%s point: %v", spec, err)
	}
	return &Key{spec, pub, raw}, nil
}

func parseMLDSA(oid asn1.ObjectIdentifier, raw []byte) (*Key, error) {
	var (
		spec types.KeySpec
		pub  crypto.PublicKey
		err  error
	)
	switch {
	case oid.Equal(oidMLDSA44):
		spec = types.KeySpecMlDsa44
		pub, err = mldsa.NewPublicKey44(raw)
	case oid.Equal(oidMLDSA65):
		spec = types.KeySpecMlDsa65
		pub, err = mldsa.NewPublicKey65(raw)
	default:
		spec = types.KeySpecMlDsa87
		pub, err = mldsa.NewPublicKey87(raw)
	}
	if err != nil {
		return nil, fail("%s public key (%d bytes): %v", spec, len(raw), err)
	}
	return &Key{spec, pub, raw}, nil
}

func parseMLKEM(oid asn1.ObjectIdentifier, raw []byte) (*Key, error) {
	var (
		spec types.KeySpec
		pub  crypto.PublicKey
		err  error
	)
	// The constructors run the FIPS 203 §7.2 modulus check.
	switch {
	case oid.Equal(oidMLKEM512):
		spec = types.KeySpecMlKem512
		pub, err = mlkem.NewEncapsulationKey512(raw)
	case oid.Equal(oidMLKEM768):
		spec = types.KeySpecMlKem768
		pub, err = stdmlkem.NewEncapsulationKey768(raw)
	default:
		spec = types.KeySpecMlKem1024
		pub, err = stdmlkem.NewEncapsulationKey1024(raw)
	}
	if err != nil {
		return nil, fail("%s encapsulation key (%d bytes): %v", spec, len(raw), err)
	}
	return &Key{spec, pub, raw}, nil
}

// ErrNotSPKI is wrapped by Error values; it lets callers test for any SPKI refusal.
var ErrNotSPKI = errors.New("invalid SubjectPublicKeyInfo")

// Is makes errors.Is(err, ErrNotSPKI) true for every *Error.
func (e *Error) Is(target error) bool { return target == ErrNotSPKI }
