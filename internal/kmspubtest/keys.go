package kmspubtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
)

// The test keys are in testdata/keys, one per key spec: the public half as
// `aws kms get-public-key` prints it for each usage KMS allows
// (<spec>.<usage>.json) and as PEM (<spec>.pub.pem), the private half as
// OpenSSL PKCS#8 PEM (<spec>.priv.pem) or, for ML-DSA and ML-KEM, the FIPS
// 204/203 seed in hex (<spec>.seed). internal/cmd/gentestdata made them.

// KeyJSON returns testdata/keys/<spec>.<usage>.json.
func KeyJSON(t testing.TB, spec types.KeySpec, usage types.KeyUsageType) []byte {
	t.Helper()
	return File(t, "keys", string(spec)+"."+string(usage)+".json")
}

// Key returns the test key of spec for usage, read with
// kmspub.ParseGetPublicKeyJSON.
func Key(t testing.TB, spec types.KeySpec, usage types.KeyUsageType) *kmspub.PublicKey {
	t.Helper()
	k, err := kmspub.ParseGetPublicKeyJSON(KeyJSON(t, spec, usage))
	if err != nil {
		t.Fatalf("%s.%s: %v", spec, usage, err)
	}
	return k
}

// KeyByName is Key for the file name without .json:
// "RSA_2048.ENCRYPT_DECRYPT".
func KeyByName(t testing.TB, name string) *kmspub.PublicKey {
	t.Helper()
	spec, usage, _ := strings.Cut(name, ".")
	return Key(t, types.KeySpec(spec), types.KeyUsageType(usage))
}

// SigningKey is Key for SIGN_VERIFY.
func SigningKey(t testing.TB, spec types.KeySpec) *kmspub.PublicKey {
	t.Helper()
	return Key(t, spec, types.KeyUsageTypeSignVerify)
}

// PublicKeyDER returns the DER in testdata/keys/<spec>.pub.pem.
func PublicKeyDER(t testing.TB, spec types.KeySpec) []byte {
	t.Helper()
	block, _ := pem.Decode(File(t, "keys", string(spec)+".pub.pem"))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("testdata/keys/%s.pub.pem is not a PUBLIC KEY PEM", spec)
	}
	return block.Bytes
}

// RawPublicKey returns the subjectPublicKey BIT STRING content of k's DER.
func RawPublicKey(t testing.TB, k *kmspub.PublicKey) []byte {
	t.Helper()
	var spki struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(k.DER(), &spki); err != nil {
		t.Fatal(err)
	}
	return spki.Key.Bytes
}

// PrivateKeyPath is the path of testdata/keys/<spec>.priv.pem, the PKCS#8
// private key OpenSSL made (every spec but ML-DSA and ML-KEM).
func PrivateKeyPath(spec types.KeySpec) string {
	return Path("keys", string(spec)+".priv.pem")
}

// Seed returns the seed in testdata/keys/<spec>.seed (ML-DSA, ML-KEM).
func Seed(t testing.TB, spec types.KeySpec) []byte {
	t.Helper()
	seed, err := hex.DecodeString(strings.TrimSpace(string(File(t, "keys", string(spec)+".seed"))))
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

// PrivateKey is the private half of a test key, as KMS holds it. Exactly
// one field is set, by the key's family.
type PrivateKey struct {
	Spec      types.KeySpec
	RSA       *rsa.PrivateKey
	ECDSA     *ecdsa.PrivateKey // NIST curves
	Secp256k1 *secp256k1.PrivateKey
	SM2       *sm2.PrivateKey
	Ed25519   ed25519.PrivateKey
	MLDSA     crypto.MessageSigner // gmsm's ML-DSA key
}

// LoadPrivateKey reads the private half of the test key of spec:
// testdata/keys/<spec>.priv.pem, or <spec>.seed for ML-DSA.
func LoadPrivateKey(t testing.TB, spec types.KeySpec) *PrivateKey {
	t.Helper()
	s := &PrivateKey{Spec: spec}
	switch spec {
	case types.KeySpecMlDsa44:
		k, err := mldsa.NewKey44(Seed(t, spec))
		Check(t, err)
		s.MLDSA = k
		return s
	case types.KeySpecMlDsa65:
		k, err := mldsa.NewKey65(Seed(t, spec))
		Check(t, err)
		s.MLDSA = k
		return s
	case types.KeySpecMlDsa87:
		k, err := mldsa.NewKey87(Seed(t, spec))
		Check(t, err)
		s.MLDSA = k
		return s
	}
	block, _ := pem.Decode(File(t, "keys", string(spec)+".priv.pem"))
	if block == nil {
		t.Fatalf("%s: no PEM", spec)
	}
	switch spec {
	case types.KeySpecEccSecgP256k1:
		s.Secp256k1 = secp256k1.PrivKeyFromBytes(ecScalar(t, block.Bytes))
		return s
	case types.KeySpecSm2:
		var err error
		s.SM2, err = sm2.NewPrivateKey(ecScalar(t, block.Bytes))
		Check(t, err)
		return s
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	Check(t, err)
	switch key := key.(type) {
	case *rsa.PrivateKey:
		s.RSA = key
	case *ecdsa.PrivateKey:
		s.ECDSA = key
	case ed25519.PrivateKey:
		s.Ed25519 = key
	default:
		t.Fatalf("%s: unexpected key type %T", spec, key)
	}
	return s
}

// ecScalar extracts the private scalar from a PKCS#8 EC key (RFC 5915),
// for the curves crypto/x509 does not know.
func ecScalar(t testing.TB, der []byte) []byte {
	t.Helper()
	var p8 struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &p8); err != nil {
		t.Fatal(err)
	}
	var ec struct {
		Version    int
		PrivateKey []byte
		Rest       asn1.RawValue `asn1:"optional"`
		Rest2      asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(p8.PrivateKey, &ec); err != nil {
		t.Fatal(err)
	}
	return ec.PrivateKey
}

// Sign makes the signature KMS Sign makes for (alg, mt, message), with
// independent libraries: the standard library, decred and gmsm. For
// ML_DSA_SHAKE_256 with EXTERNAL_MU it needs the message μ came from: pass
// it as preimage.
func (s *PrivateKey) Sign(t testing.TB, alg types.SigningAlgorithmSpec, mt types.MessageType, message, preimage []byte) []byte {
	t.Helper()
	h := AlgorithmHash(alg)
	digest := message
	if mt != types.MessageTypeDigest && h != 0 && alg != types.SigningAlgorithmSpecEd25519Sha512 {
		hh := h.New()
		hh.Write(message)
		digest = hh.Sum(nil)
	}
	var sig []byte
	var err error
	switch {
	case strings.HasPrefix(string(alg), "RSASSA_PSS"):
		sig, err = rsa.SignPSS(rand.Reader, s.RSA, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(string(alg), "RSASSA_PKCS1"):
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.RSA, h, digest)
	case strings.HasPrefix(string(alg), "ECDSA") && s.Secp256k1 != nil:
		sig = secpecdsa.Sign(s.Secp256k1, digest).Serialize()
	case strings.HasPrefix(string(alg), "ECDSA"):
		sig, err = ecdsa.SignASN1(rand.Reader, s.ECDSA, digest)
	case alg == types.SigningAlgorithmSpecSm2dsa:
		e := message
		if mt != types.MessageTypeDigest {
			e, err = sm2.CalculateSM2Hash(&s.SM2.PublicKey, message, nil)
			Check(t, err)
		}
		sig, err = sm2.SignASN1(rand.Reader, s.SM2, e, nil)
	case alg == types.SigningAlgorithmSpecEd25519Sha512:
		sig = ed25519.Sign(s.Ed25519, message)
	case alg == types.SigningAlgorithmSpecEd25519PhSha512:
		ph := sha512.Sum512(message) // message is the 64-byte D
		sig, err = s.Ed25519.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	case alg == types.SigningAlgorithmSpecMlDsaShake256:
		m := message
		if mt == types.MessageTypeExternalMu {
			m = preimage
		}
		sig, err = s.MLDSA.SignMessage(rand.Reader, m, nil)
	default:
		t.Fatalf("no signer for %s", alg)
	}
	Check(t, err)
	return sig
}

// Decapsulator is the KMS side of an ML-KEM test key.
type Decapsulator interface {
	Decapsulate(ciphertext []byte) ([]byte, error)
}

// DecapsulationKey returns the FIPS 203 decapsulation key made from
// testdata/keys/<spec>.seed, and its encapsulation key's bytes.
func DecapsulationKey(t testing.TB, spec types.KeySpec) (dk Decapsulator, ek []byte) {
	t.Helper()
	seed := Seed(t, spec)
	switch spec {
	case types.KeySpecMlKem512:
		k, err := mlkem.NewDecapsulationKeyFromSeed512(seed)
		Check(t, err)
		return k, k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem768:
		k, err := stdmlkem.NewDecapsulationKey768(seed)
		Check(t, err)
		return k, k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem1024:
		k, err := stdmlkem.NewDecapsulationKey1024(seed)
		Check(t, err)
		return k, k.EncapsulationKey().Bytes()
	}
	t.Fatalf("no ML-KEM spec %s", spec)
	return nil, nil
}
