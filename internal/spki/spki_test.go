package spki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"github.com/kmspub/kmspub/internal/spkitest"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// allSpecs is the 15 asymmetric KMS key specs, written out by hand.
var allSpecs = []types.KeySpec{
	"RSA_2048", "RSA_3072", "RSA_4096",
	"ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "SM2",
	"ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
	"ML_KEM_512", "ML_KEM_768", "ML_KEM_1024",
}

func testKeyDER(t testing.TB, spec types.KeySpec) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", string(spec)+".pub.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("%s.pub.pem: no PUBLIC KEY block", spec)
	}
	return block.Bytes
}

func nullParam(b *cryptobyte.Builder) { b.AddASN1NULL() }

// TestParseEverySpec parses each testdata key and checks the spec, the Go
// type, and that Raw and Public are the key the DER holds.
func TestParseEverySpec(t *testing.T) {
	for _, spec := range allSpecs {
		t.Run(string(spec), func(t *testing.T) {
			der := testKeyDER(t, spec)
			k, err := Parse(der)
			if err != nil {
				t.Fatal(err)
			}
			if k.Spec != spec {
				t.Fatalf("Spec = %s, want %s", k.Spec, spec)
			}
			if !bytes.HasSuffix(der, k.Raw) || len(der)-len(k.Raw) > 26 {
				t.Fatalf("Raw (%d bytes) is not the end of the DER (%d bytes)", len(k.Raw), len(der))
			}
			var encoded []byte
			switch pub := k.Public.(type) {
			case *rsa.PublicKey:
				encoded = x509.MarshalPKCS1PublicKey(pub)
			case *ecdsa.PublicKey:
				want := map[types.KeySpec]elliptic.Curve{"ECC_NIST_P256": elliptic.P256(), "ECC_NIST_P384": elliptic.P384(), "ECC_NIST_P521": elliptic.P521(), "SM2": sm2.P256()}[spec]
				if want == nil || pub.Curve != want {
					t.Fatalf("%s parsed as ECDSA on %s", spec, pub.Curve.Params().Name)
				}
				size := (pub.Curve.Params().BitSize + 7) / 8
				encoded = append(append([]byte{4}, pub.X.FillBytes(make([]byte, size))...), pub.Y.FillBytes(make([]byte, size))...)
			case *secp256k1.PublicKey:
				encoded = pub.SerializeUncompressed()
			case ed25519.PublicKey:
				encoded = pub
			case *mldsa.PublicKey44:
				encoded = pub.Bytes()
			case *mldsa.PublicKey65:
				encoded = pub.Bytes()
			case *mldsa.PublicKey87:
				encoded = pub.Bytes()
			case *mlkem.EncapsulationKey512:
				encoded = pub.Bytes()
			case *stdmlkem.EncapsulationKey768:
				encoded = pub.Bytes()
			case *stdmlkem.EncapsulationKey1024:
				encoded = pub.Bytes()
			default:
				t.Fatalf("Public is %T", pub)
			}
			if !bytes.Equal(encoded, k.Raw) {
				t.Errorf("Public re-encodes to %d bytes that differ from Raw", len(encoded))
			}
		})
	}
}

func TestSM2AlgorithmOIDForm(t *testing.T) {
	standard := testKeyDER(t, types.KeySpecSm2)
	point := standard[len(standard)-65:]
	if got := spkitest.Build(oidECPublicKey, spkitest.OID(oidSM2), 0, point); !bytes.Equal(got, standard) {
		t.Fatal("build does not reproduce OpenSSL's SM2 SPKI")
	}
	k, err := Parse(spkitest.Build(oidSM2, spkitest.OID(oidSM2), 0, point))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Parse(standard)
	if k.Spec != types.KeySpecSm2 || !k.Public.(*ecdsa.PublicKey).Equal(want.Public) {
		t.Errorf("SM2 algorithm-OID form parsed as %s %v", k.Spec, k.Public)
	}
}

// TestRefusals: each malformed or foreign encoding is refused with an *Error
// that says why.
func TestRefusals(t *testing.T) {
	p256 := testKeyDER(t, types.KeySpecEccNistP256)
	p256Point := p256[len(p256)-65:]
	k1 := testKeyDER(t, types.KeySpecEccSecgP256k1)
	k1Point := k1[len(k1)-65:]
	sm2DER := testKeyDER(t, types.KeySpecSm2)
	sm2Point := sm2DER[len(sm2DER)-65:]
	rsa2048 := testKeyDER(t, types.KeySpecRsa2048)
	rsaRaw := rsa2048[24:]
	edRaw := testKeyDER(t, types.KeySpecEccNistEdwards25519)[12:]
	mldsa44 := testKeyDER(t, types.KeySpecMlDsa44)
	mlkem512 := testKeyDER(t, types.KeySpecMlKem512)
	mlkem1024 := testKeyDER(t, types.KeySpecMlKem1024)

	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	rsaDER := func(bits int) []byte {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	// A P-256 "point" whose x is the field prime p: out of range.
	pBytes := elliptic.P256().Params().P.FillBytes(make([]byte, 32))
	xIsP := append(append([]byte{4}, pBytes...), p256Point[33:]...)
	// secp256k1 with x = p.
	k1P, _ := new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F", 16)
	k1XIsP := append(append([]byte{4}, k1P.FillBytes(make([]byte, 32))...), k1Point[33:]...)
	explicitParams := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(1) })
	}
	mlkemBad := bytes.Clone(mlkem512)
	mlkemBad[22], mlkemBad[23] = 0xff, mlkemBad[23]|0x0f // coefficient 0 = 4095 ≥ q

	cases := []struct {
		name   string
		der    []byte
		reason string
	}{
		{"empty", nil, "not a DER SEQUENCE"},
		{"not a sequence", []byte{0x04, 0x01, 0x00}, "not a DER SEQUENCE"},
		{"truncated", p256[:len(p256)-1], "not a DER SEQUENCE"},
		{"trailing byte", append(bytes.Clone(p256), 0), "1 trailing byte(s)"},
		{"trailing sequence", append(bytes.Clone(p256), p256...), "91 trailing byte(s)"},
		{"long-form length", append([]byte{0x30, 0x81, 0x59}, p256[2:]...), "not a DER SEQUENCE"},
		{"indefinite length", append(append([]byte{0x30, 0x80}, p256[2:]...), 0, 0), "not a DER SEQUENCE"},
		{"inner long-form length", append([]byte{0x30, 0x5a, 0x30, 0x81, 0x13}, p256[4:]...), "malformed AlgorithmIdentifier"},
		{"no AlgorithmIdentifier", []byte{0x30, 0x03, 0x03, 0x01, 0x00}, "malformed AlgorithmIdentifier"},
		{"algorithm not an OID", []byte{0x30, 0x07, 0x30, 0x02, 0x05, 0x00, 0x03, 0x01, 0x00}, "malformed AlgorithmIdentifier"},
		{"no BIT STRING", p256[:2+21], "not a DER SEQUENCE"},
		{"OCTET STRING key", append(append([]byte{0x30, 0x59}, p256[2:23]...), append([]byte{0x04}, p256[24:]...)...), "malformed subjectPublicKey"},
		{"extra element", func() []byte {
			b := append(bytes.Clone(p256), 0x05, 0x00)
			b[1] += 2
			return b
		}(), "malformed subjectPublicKey"},
		{"empty BIT STRING", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, nil)[:23], "not a DER SEQUENCE"},
		{"unused bits", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 1, p256Point), "unused bits"},
		{"unknown algorithm (X25519)", spkitest.Build(asn1.ObjectIdentifier{1, 3, 101, 110}, nil, 0, edRaw), "unsupported algorithm 1.3.101.110"},
		{"unknown algorithm (Ed448)", spkitest.Build(asn1.ObjectIdentifier{1, 3, 101, 113}, nil, 0, make([]byte, 57)), "unsupported algorithm"},
		{"RSA-PSS algorithm", spkitest.Build(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}, nil, 0, rsaRaw), "unsupported algorithm"},

		{"RSA without NULL", spkitest.Build(oidRSA, nil, 0, rsaRaw), "must be NULL"},
		{"RSA with an OID parameter", spkitest.Build(oidRSA, spkitest.OID(oidP256), 0, rsaRaw), "must be NULL"},
		{"RSA with NULL and more", spkitest.Build(oidRSA, func(b *cryptobyte.Builder) { b.AddASN1NULL(); b.AddASN1NULL() }, 0, rsaRaw), "must be NULL"},
		{"RSA 1024", rsaDER(1024), "1024 bits"},
		{"RSA 2047", func() []byte {
			// 2048-bit modulus with the top bit cleared by shifting: a
			// 2047-bit number encoded in the same length.
			pub := &rsa.PublicKey{N: new(big.Int).Rsh(must(x509.ParsePKIXPublicKey(rsa2048)).(*rsa.PublicKey).N, 1), E: 65537}
			der, err := x509.MarshalPKIXPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			return der
		}(), "2047 bits"},
		{"RSA key not PKCS#1", spkitest.Build(oidRSA, nullParam, 0, []byte{0x30, 0x00}), "RSA"},
		{"RSA negative modulus", spkitest.Build(oidRSA, nullParam, 0, func() []byte {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1BigInt(new(big.Int).Neg(must(x509.ParsePKIXPublicKey(rsa2048)).(*rsa.PublicKey).N))
				b.AddASN1Int64(65537)
			})
			return b.BytesOrPanic()
		}()), "RSA"},

		{"EC without parameters", spkitest.Build(oidECPublicKey, nil, 0, p256Point), "namedCurve"},
		{"EC NULL parameters", spkitest.Build(oidECPublicKey, nullParam, 0, p256Point), "namedCurve"},
		{"EC explicit parameters", spkitest.Build(oidECPublicKey, explicitParams, 0, p256Point), "namedCurve"},
		{"EC two curves", spkitest.Build(oidECPublicKey, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidP256); b.AddASN1ObjectIdentifier(oidP256) }, 0, p256Point), "namedCurve"},
		{"EC unknown curve (brainpoolP256r1)", spkitest.Build(oidECPublicKey, spkitest.OID(asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7}), 0, p256Point), "unsupported curve"},
		{"EC P-224", spkitest.Build(oidECPublicKey, spkitest.OID(asn1.ObjectIdentifier{1, 3, 132, 0, 33}), 0, p256Point), "unsupported curve"},
		{"P-256 compressed", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, append([]byte{2 | p256Point[64]&1}, p256Point[1:33]...)), "uncompressed"},
		{"P-256 hybrid", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, append([]byte{6 | p256Point[64]&1}, p256Point[1:]...)), "uncompressed"},
		{"P-256 infinity", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, []byte{0}), "uncompressed"},
		{"P-256 empty point", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, nil), "uncompressed"},
		{"P-256 off the curve", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, flip(p256Point, 64)), "ECC_NIST_P256 point"},
		{"P-256 x = p", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, xIsP), "ECC_NIST_P256 point"},
		{"P-256 short point", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, p256Point[:64]), "ECC_NIST_P256 point"},
		{"P-256 point on P-384", spkitest.Build(oidECPublicKey, spkitest.OID(oidP384), 0, p256Point), "ECC_NIST_P384 point"},
		{"P-256 point on P-521", spkitest.Build(oidECPublicKey, spkitest.OID(oidP521), 0, p256Point), "ECC_NIST_P521 point"},
		{"P-256 point on secp256k1", spkitest.Build(oidECPublicKey, spkitest.OID(oidSecp256k1), 0, p256Point), "ECC_SECG_P256K1 point"},
		{"P-256 point on SM2", spkitest.Build(oidECPublicKey, spkitest.OID(oidSM2), 0, p256Point), "SM2 point"},
		{"secp256k1 off the curve", spkitest.Build(oidECPublicKey, spkitest.OID(oidSecp256k1), 0, flip(k1Point, 64)), "ECC_SECG_P256K1 point"},
		{"secp256k1 x = p", spkitest.Build(oidECPublicKey, spkitest.OID(oidSecp256k1), 0, k1XIsP), "ECC_SECG_P256K1 point"},
		{"secp256k1 compressed", spkitest.Build(oidECPublicKey, spkitest.OID(oidSecp256k1), 0, append([]byte{2 | k1Point[64]&1}, k1Point[1:33]...)), "uncompressed"},
		{"secp256k1 long point", spkitest.Build(oidECPublicKey, spkitest.OID(oidSecp256k1), 0, append(bytes.Clone(k1Point), 0)), "65"},
		{"SM2 off the curve", spkitest.Build(oidECPublicKey, spkitest.OID(oidSM2), 0, flip(sm2Point, 64)), "SM2 point"},
		{"SM2 short point", spkitest.Build(oidECPublicKey, spkitest.OID(oidSM2), 0, sm2Point[:64]), "65"},
		{"SM2 algorithm OID, P-256 curve", spkitest.Build(oidSM2, spkitest.OID(oidP256), 0, p256Point), "sm2p256v1"},
		{"SM2 algorithm OID, no curve", spkitest.Build(oidSM2, nil, 0, sm2Point), "sm2p256v1"},
		{"SM2 algorithm OID, NULL", spkitest.Build(oidSM2, nullParam, 0, sm2Point), "sm2p256v1"},

		{"Ed25519 with NULL", spkitest.Build(oidEd25519, nullParam, 0, edRaw), "no parameters"},
		{"Ed25519 31 bytes", spkitest.Build(oidEd25519, nil, 0, edRaw[:31]), "31 bytes"},
		{"Ed25519 33 bytes", spkitest.Build(oidEd25519, nil, 0, append(bytes.Clone(edRaw), 0)), "33 bytes"},

		{"ML-DSA-44 with NULL", spkitest.Build(oidMLDSA44, nullParam, 0, mldsa44[22:]), "no parameters"},
		{"ML-DSA-44 short", spkitest.Build(oidMLDSA44, nil, 0, mldsa44[22:len(mldsa44)-1]), "ML_DSA_44 public key (1311 bytes)"},
		{"ML-DSA-44 key under ML-DSA-65", spkitest.Build(oidMLDSA65, nil, 0, mldsa44[22:]), "ML_DSA_65 public key (1312 bytes)"},
		{"ML-DSA-44 key under ML-DSA-87", spkitest.Build(oidMLDSA87, nil, 0, mldsa44[22:]), "ML_DSA_87 public key (1312 bytes)"},

		{"ML-KEM-512 with NULL", spkitest.Build(oidMLKEM512, nullParam, 0, mlkem512[22:]), "no parameters"},
		{"ML-KEM-512 short", spkitest.Build(oidMLKEM512, nil, 0, mlkem512[22:len(mlkem512)-1]), "ML_KEM_512 encapsulation key (799 bytes)"},
		{"ML-KEM-512 key under ML-KEM-768", spkitest.Build(oidMLKEM768, nil, 0, mlkem512[22:]), "ML_KEM_768 encapsulation key (800 bytes)"},
		{"ML-KEM-1024 long", spkitest.Build(oidMLKEM1024, nil, 0, append(bytes.Clone(mlkem1024[22:]), 0)), "ML_KEM_1024 encapsulation key (1569 bytes)"},
		{"ML-KEM-512 coefficient ≥ q", mlkemBad, "ML_KEM_512 encapsulation key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := Parse(c.der)
			if err == nil {
				t.Fatalf("accepted as %s", k.Spec)
			}
			if k != nil {
				t.Error("a refusal also returned a key")
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrNotSPKI) {
				t.Fatalf("error %T %v is not an *Error matching ErrNotSPKI", err, err)
			}
			if !strings.Contains(err.Error(), c.reason) {
				t.Errorf("error %q does not say %q", err, c.reason)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzSPKIParse: no input panics; every refusal is an *Error; an accepted
// encoding's Raw is its subjectPublicKey and its Public re-encodes to Raw.
func FuzzSPKIParse(f *testing.F) {
	for _, spec := range allSpecs {
		der := testKeyDER(f, spec)
		f.Add(der)
		f.Add(der[:len(der)-1])
		f.Add(append(bytes.Clone(der), 0))
	}
	sm2DER := testKeyDER(f, types.KeySpecSm2)
	f.Add(spkitest.Build(oidSM2, spkitest.OID(oidSM2), 0, sm2DER[len(sm2DER)-65:]))
	// The Wycheproof ECDH peer keys (BER, explicit curves, off-curve
	// points…).
	{
		for _, name := range []string{"ecdh_secp256r1_test.json", "ecdh_secp384r1_test.json", "ecdh_secp521r1_test.json"} {
			data := wycheproof.Read(f, name)
			var v struct {
				TestGroups []struct {
					Tests []struct {
						Public string `json:"public"`
					} `json:"tests"`
				} `json:"testGroups"`
			}
			if json.Unmarshal(data, &v) != nil {
				continue
			}
			for _, g := range v.TestGroups {
				for _, tc := range g.Tests {
					if der, err := hex.DecodeString(tc.Public); err == nil {
						f.Add(der)
					}
				}
			}
		}
		// And the signature vectors' keys (RSA, ECDSA, Ed25519, ML-DSA), one
		// per group: well-formed starting points for the RSA and other
		// parsers, which the ECDH keys do not reach.
		for _, name := range []string{"rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json",
			"rsa_pss_4096_sha256_mgf1_32_test.json", "ecdsa_secp256k1_sha256_test.json", "ecdsa_secp521r1_sha512_test.json",
			"ed25519_test.json", "mldsa_44_verify_test.json"} {
			data := wycheproof.Read(f, name)
			var v struct {
				TestGroups []struct {
					PublicKeyDer string `json:"publicKeyDer"`
				} `json:"testGroups"`
			}
			if json.Unmarshal(data, &v) != nil {
				continue
			}
			for _, g := range v.TestGroups {
				if der, err := hex.DecodeString(g.PublicKeyDer); err == nil && len(der) > 0 {
					f.Add(der)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		k, err := Parse(der)
		if err != nil {
			var e *Error
			if k != nil || !errors.As(err, &e) || e.Reason == "" {
				t.Fatalf("refusal %T %v with key %v", err, err, k)
			}
			return
		}
		if !slices.Contains(allSpecs, k.Spec) {
			t.Fatalf("accepted spec %q", k.Spec)
		}
		// 27: the longest header, SM2's algorithm-OID form.
		if !bytes.HasSuffix(der, k.Raw) || len(der)-len(k.Raw) > 27 {
			t.Fatalf("Raw (%d bytes) is not the subjectPublicKey of the %d-byte DER", len(k.Raw), len(der))
		}
		if got := reencode(t, k); !bytes.Equal(got, k.Raw) {
			t.Fatalf("%s Public re-encodes to %x, Raw is %x", k.Spec, got, k.Raw)
		}
		// An accepted encoding is exactly the standard one for its spec
		// (or SM2's second form): nothing else can carry the same key.
		if !slices.ContainsFunc(canonical(k), func(c []byte) bool { return bytes.Equal(c, der) }) {
			t.Fatalf("accepted %s encoding %x is not a standard one", k.Spec, der)
		}
	})
}

// canonical returns the SubjectPublicKeyInfo encodings docs/KMS-RULES.md §2 gives
// for k's spec and key, built independently of Parse.
func canonical(k *Key) [][]byte {
	curves := map[types.KeySpec]asn1.ObjectIdentifier{
		"ECC_NIST_P256": {1, 2, 840, 10045, 3, 1, 7}, "ECC_NIST_P384": {1, 3, 132, 0, 34}, "ECC_NIST_P521": {1, 3, 132, 0, 35},
		"ECC_SECG_P256K1": {1, 3, 132, 0, 10}, "SM2": {1, 2, 156, 10197, 1, 301},
	}
	algorithms := map[types.KeySpec]asn1.ObjectIdentifier{
		"ECC_NIST_EDWARDS25519": {1, 3, 101, 112},
		"ML_DSA_44":             {2, 16, 840, 1, 101, 3, 4, 3, 17}, "ML_DSA_65": {2, 16, 840, 1, 101, 3, 4, 3, 18}, "ML_DSA_87": {2, 16, 840, 1, 101, 3, 4, 3, 19},
		"ML_KEM_512": {2, 16, 840, 1, 101, 3, 4, 4, 1}, "ML_KEM_768": {2, 16, 840, 1, 101, 3, 4, 4, 2}, "ML_KEM_1024": {2, 16, 840, 1, 101, 3, 4, 4, 3},
	}
	switch {
	case strings.HasPrefix(string(k.Spec), "RSA_"):
		return [][]byte{spkitest.Build(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}, nullParam, 0, k.Raw)}
	case curves[k.Spec] != nil:
		forms := [][]byte{spkitest.Build(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}, spkitest.OID(curves[k.Spec]), 0, k.Raw)}
		if k.Spec == types.KeySpecSm2 {
			forms = append(forms, spkitest.Build(curves[k.Spec], spkitest.OID(curves[k.Spec]), 0, k.Raw))
		}
		return forms
	case algorithms[k.Spec] != nil:
		return [][]byte{spkitest.Build(algorithms[k.Spec], nil, 0, k.Raw)}
	}
	return nil
}

// reencode encodes k.Public the way its own library does.
func reencode(t *testing.T, k *Key) []byte {
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		return x509.MarshalPKCS1PublicKey(pub)
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		return append(append([]byte{4}, pub.X.FillBytes(make([]byte, size))...), pub.Y.FillBytes(make([]byte, size))...)
	case *secp256k1.PublicKey:
		return pub.SerializeUncompressed()
	case ed25519.PublicKey:
		return pub
	case *mldsa.PublicKey44:
		return pub.Bytes()
	case *mldsa.PublicKey65:
		return pub.Bytes()
	case *mldsa.PublicKey87:
		return pub.Bytes()
	case *mlkem.EncapsulationKey512:
		return pub.Bytes()
	case *stdmlkem.EncapsulationKey768:
		return pub.Bytes()
	case *stdmlkem.EncapsulationKey1024:
		return pub.Bytes()
	}
	t.Fatalf("Public is %T", k.Public)
	return nil
}

// TestWycheproofECDHPublicKeys runs every peer public key (an SPKI) of the
// Wycheproof ECDH vectors through Parse. Valid vectors' keys are accepted as
// the curve's spec. "Acceptable" ones are lenient encodings (BER, compressed
// points, explicit curve parameters) that a strict DER parser refuses.
// Invalid ones (off-curve points, bad encodings) are refused, except keys of
// another named curve (WrongCurve, ModifiedGroup), which may parse — as
// another spec.
func TestWycheproofECDHPublicKeys(t *testing.T) {
	for _, c := range []struct {
		file string
		spec types.KeySpec
	}{
		{"ecdh_secp256r1_test.json", types.KeySpecEccNistP256},
		{"ecdh_secp384r1_test.json", types.KeySpecEccNistP384},
		{"ecdh_secp521r1_test.json", types.KeySpecEccNistP521},
	} {
		t.Run(string(c.spec), func(t *testing.T) {
			data := wycheproof.Read(t, c.file)
			var v struct {
				TestGroups []struct {
					Encoding string `json:"encoding"`
					Tests    []struct {
						TcID    int      `json:"tcId"`
						Public  string   `json:"public"`
						Result  string   `json:"result"`
						Flags   []string `json:"flags"`
						Comment string   `json:"comment"`
					} `json:"tests"`
				} `json:"testGroups"`
			}
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{}
			for _, g := range v.TestGroups {
				if g.Encoding != "asn" {
					t.Fatalf("group encoding %q, want asn (SPKI)", g.Encoding)
				}
				for _, tc := range g.Tests {
					der, err := hex.DecodeString(tc.Public)
					if err != nil {
						t.Fatal(err)
					}
					k, err := Parse(der)
					counts[tc.Result]++
					switch {
					case tc.Result == "valid":
						if err != nil || k.Spec != c.spec {
							t.Errorf("tcId %d (valid, %s): %v", tc.TcID, tc.Comment, err)
						}
					case slices.Contains(tc.Flags, "WrongCurve") || slices.Contains(tc.Flags, "ModifiedGroup"):
						// A valid key of another named curve (the comment
						// says "using secp256k1"): fine, as that spec.
						if err == nil && k.Spec == c.spec {
							t.Errorf("tcId %d (%s): a key of another curve parsed as %s", tc.TcID, tc.Comment, k.Spec)
						}
					default: // acceptable (lenient encodings) and invalid
						if err == nil {
							t.Errorf("tcId %d (%s %v %s) accepted as %s", tc.TcID, tc.Result, tc.Flags, tc.Comment, k.Spec)
						}
					}
				}
			}
			if counts["valid"] == 0 || counts["invalid"] == 0 || counts["acceptable"] == 0 {
				t.Fatalf("vectors: %v", counts)
			}
			t.Logf("%v", counts)
		})
	}
}

// TestWycheproofPublicKeyDer parses the publicKeyDer of every Wycheproof
// signature-verification group for a KMS key type: each is accepted as the
// right spec, except ML-DSA keys of the wrong length, which are refused.
func TestWycheproofPublicKeyDer(t *testing.T) {
	specOf := func(file string) types.KeySpec {
		for prefix, spec := range map[string]types.KeySpec{
			"ecdsa_secp256r1_": "ECC_NIST_P256", "ecdsa_secp384r1_": "ECC_NIST_P384", "ecdsa_secp521r1_": "ECC_NIST_P521",
			"ecdsa_secp256k1_": "ECC_SECG_P256K1", "ed25519_test": "ECC_NIST_EDWARDS25519",
			"mldsa_44_verify": "ML_DSA_44", "mldsa_65_verify": "ML_DSA_65", "mldsa_87_verify": "ML_DSA_87",
			"rsa_signature_2048_": "RSA_2048", "rsa_signature_3072_": "RSA_3072", "rsa_signature_4096_": "RSA_4096",
		} {
			if strings.HasPrefix(file, prefix) {
				return spec
			}
		}
		return ""
	}
	rawSize := map[types.KeySpec]int{"ML_DSA_44": 1312, "ML_DSA_65": 1952, "ML_DSA_87": 2592}
	files := wycheproof.Names(t, "*.json")
	seen := map[types.KeySpec]int{}
	for _, file := range files {
		spec := specOf(file)
		if spec == "" {
			continue
		}
		data := wycheproof.Read(t, file)
		var v struct {
			TestGroups []struct {
				PublicKeyDer string          `json:"publicKeyDer"`
				PublicKey    json.RawMessage `json:"publicKey"`
			} `json:"testGroups"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		for i, g := range v.TestGroups {
			der, err := hex.DecodeString(g.PublicKeyDer)
			if err != nil || len(der) == 0 {
				t.Fatalf("%s group %d: publicKeyDer %v", filepath.Base(file), i, err)
			}
			k, err := Parse(der)
			if size, ok := rawSize[spec]; ok {
				var raw string
				if json.Unmarshal(g.PublicKey, &raw) != nil {
					t.Fatalf("%s group %d: publicKey is not a hex string", filepath.Base(file), i)
				}
				if len(raw)/2 != size {
					if err == nil {
						t.Errorf("%s group %d: %d-byte key accepted", filepath.Base(file), i, len(raw)/2)
					}
					continue
				}
			}
			if err != nil || k.Spec != spec {
				t.Errorf("%s group %d: %v (spec %v), want %s", filepath.Base(file), i, err, k, spec)
				continue
			}
			seen[spec]++
		}
	}
	if len(seen) != 11 {
		t.Errorf("keys parsed per spec: %v; want all 11 of RSA, ECDSA, Ed25519, ML-DSA", seen)
	}
	t.Logf("%v", seen)
}
