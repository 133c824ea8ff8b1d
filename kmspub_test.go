package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/spkitest"
)

// keySpecCase is what this test expects of each key spec, written out by hand
// from docs/KMS-RULES.md §1 and §2 rather than read from internal/kmsrules.
type keySpecCase struct {
	spec   types.KeySpec
	usages []types.KeyUsageType
	// derLen is the SubjectPublicKeyInfo length (§2).
	derLen int
	// header is the DER before the raw key for the specs whose keys come
	// from seeds (no OpenSSL 3.0 support): computed by hand from §2.
	header string
	// checkPublic checks the type (and curve or size) of CryptoPublicKey and
	// returns the key's raw subjectPublicKey bytes as its library encodes them.
	checkPublic func(t *testing.T, pub crypto.PublicKey) []byte
}

var (
	sv = types.KeyUsageTypeSignVerify
	ed = types.KeyUsageTypeEncryptDecrypt
	ka = types.KeyUsageTypeKeyAgreement
	ek = types.KeyUsageTypeEncapsulateDecapsulate
)

var keySpecCases = []keySpecCase{
	{types.KeySpecRsa2048, []types.KeyUsageType{sv, ed}, 294, "", rsaPublic(2048)},
	{types.KeySpecRsa3072, []types.KeyUsageType{sv, ed}, 422, "", rsaPublic(3072)},
	{types.KeySpecRsa4096, []types.KeyUsageType{sv, ed}, 550, "", rsaPublic(4096)},
	{types.KeySpecEccNistP256, []types.KeyUsageType{sv, ka}, 91, "", ecdsaPublic(elliptic.P256())},
	{types.KeySpecEccNistP384, []types.KeyUsageType{sv, ka}, 120, "", ecdsaPublic(elliptic.P384())},
	{types.KeySpecEccNistP521, []types.KeyUsageType{sv, ka}, 158, "", ecdsaPublic(elliptic.P521())},
	{types.KeySpecEccSecgP256k1, []types.KeyUsageType{sv}, 88, "", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*secp256k1.PublicKey)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *secp256k1.PublicKey", pub)
		}
		return k.SerializeUncompressed()
	}},
	{types.KeySpecEccNistEdwards25519, []types.KeyUsageType{sv}, 44, "", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(ed25519.PublicKey)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want ed25519.PublicKey", pub)
		}
		return k
	}},
	{types.KeySpecSm2, []types.KeyUsageType{sv, ed, ka}, 91, "", ecdsaPublic(sm2.P256())},
	{types.KeySpecMlDsa44, []types.KeyUsageType{sv}, 1334, "30820532300b06096086480165030403110382052100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*mldsa.PublicKey44)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *mldsa.PublicKey44", pub)
		}
		return k.Bytes()
	}},
	{types.KeySpecMlDsa65, []types.KeyUsageType{sv}, 1974, "308207b2300b0609608648016503040312038207a100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*mldsa.PublicKey65)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *mldsa.PublicKey65", pub)
		}
		return k.Bytes()
	}},
	{types.KeySpecMlDsa87, []types.KeyUsageType{sv}, 2614, "30820a32300b060960864801650304031303820a2100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*mldsa.PublicKey87)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *mldsa.PublicKey87", pub)
		}
		return k.Bytes()
	}},
	{types.KeySpecMlKem512, []types.KeyUsageType{ek}, 822, "30820332300b06096086480165030404010382032100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*mlkem.EncapsulationKey512)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want gmsm *mlkem.EncapsulationKey512", pub)
		}
		return k.Bytes()
	}},
	{types.KeySpecMlKem768, []types.KeyUsageType{ek}, 1206, "308204b2300b0609608648016503040402038204a100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*stdmlkem.EncapsulationKey768)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want crypto/mlkem *EncapsulationKey768", pub)
		}
		return k.Bytes()
	}},
	{types.KeySpecMlKem1024, []types.KeyUsageType{ek}, 1590, "30820632300b06096086480165030404030382062100", func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*stdmlkem.EncapsulationKey1024)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want crypto/mlkem *EncapsulationKey1024", pub)
		}
		return k.Bytes()
	}},
}

func rsaPublic(bits int) func(*testing.T, crypto.PublicKey) []byte {
	return func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *rsa.PublicKey", pub)
		}
		if k.N.BitLen() != bits || k.E != 65537 {
			t.Fatalf("RSA key has %d bits and e=%d, want %d and 65537", k.N.BitLen(), k.E, bits)
		}
		return x509.MarshalPKCS1PublicKey(k)
	}
}

func ecdsaPublic(curve elliptic.Curve) func(*testing.T, crypto.PublicKey) []byte {
	return func(t *testing.T, pub crypto.PublicKey) []byte {
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			t.Fatalf("CryptoPublicKey is %T, want *ecdsa.PublicKey", pub)
		}
		if k.Curve != curve {
			t.Fatalf("curve is %s, want %s", k.Curve.Params().Name, curve.Params().Name)
		}
		size := (curve.Params().BitSize + 7) / 8
		point := []byte{4}
		point = append(point, k.X.FillBytes(make([]byte, size))...)
		return append(point, k.Y.FillBytes(make([]byte, size))...)
	}
}

func keySpecCaseFor(t *testing.T, spec types.KeySpec) keySpecCase {
	t.Helper()
	for _, s := range keySpecCases {
		if s.spec == spec {
			return s
		}
	}
	t.Fatalf("no test expectations for key spec %q", spec)
	return keySpecCase{}
}

// privateHalfDER returns the SubjectPublicKeyInfo of the private key
// kept in testdata for spec, computed without kmspub: by OpenSSL from the
// PKCS#8 file, or from the seed with gmsm or crypto/mlkem (OpenSSL 3.0 has no
// ML-DSA or ML-KEM) behind the header §2 gives.
func privateHalfDER(t *testing.T, s keySpecCase) []byte {
	t.Helper()
	if s.header == "" {
		openssl := kmspubtest.NeedTool(t, "openssl")
		out, err := exec.Command(openssl, "pkey", "-in", filepath.Join("testdata", "keys", string(s.spec)+".priv.pem"), "-pubout", "-outform", "DER").Output()
		if err != nil {
			t.Fatalf("openssl pkey -pubout: %v", err)
		}
		return out
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(kmspubtest.File(t, "keys/"+string(s.spec)+".seed"))))
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	switch s.spec {
	case types.KeySpecMlDsa44:
		k, err := mldsa.NewKey44(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.Public().(*mldsa.PublicKey44).Bytes()
	case types.KeySpecMlDsa65:
		k, err := mldsa.NewKey65(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.Public().(*mldsa.PublicKey65).Bytes()
	case types.KeySpecMlDsa87:
		k, err := mldsa.NewKey87(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.Public().(*mldsa.PublicKey87).Bytes()
	case types.KeySpecMlKem512:
		k, err := mlkem.NewDecapsulationKeyFromSeed512(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem768:
		k, err := stdmlkem.NewDecapsulationKey768(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem1024:
		k, err := stdmlkem.NewDecapsulationKey1024(seed)
		if err != nil {
			t.Fatal(err)
		}
		raw = k.EncapsulationKey().Bytes()
	default:
		t.Fatalf("no seed derivation for %s", s.spec)
	}
	header, err := hex.DecodeString(s.header)
	if err != nil {
		t.Fatal(err)
	}
	return append(header, raw...)
}

// fileLists is the algorithm lists of a get-public-key JSON file, read
// with plain encoding/json.
type fileLists struct {
	KeyId                   string
	EncryptionAlgorithms    []types.EncryptionAlgorithmSpec
	SigningAlgorithms       []types.SigningAlgorithmSpec
	KeyAgreementAlgorithms  []types.KeyAgreementAlgorithmSpec
	EncapsulationAlgorithms []types.EncapsulationAlgorithmSpec
}

// checkKey checks everything a PublicKey says against the expectations
// for its spec, the private key's public half, and the lists of want.
func checkKey(t *testing.T, k *kmspub.PublicKey, s keySpecCase, usage types.KeyUsageType, want fileLists) {
	t.Helper()
	if k.KeySpec() != s.spec || k.KeyUsage() != usage {
		t.Errorf("KeySpec, KeyUsage = %s, %s; want %s, %s", k.KeySpec(), k.KeyUsage(), s.spec, usage)
	}
	if k.KeyID() != want.KeyId {
		t.Errorf("KeyID = %q, want %q", k.KeyID(), want.KeyId)
	}
	if !slices.Equal(k.SigningAlgorithms(), want.SigningAlgorithms) ||
		!slices.Equal(k.EncryptionAlgorithms(), want.EncryptionAlgorithms) ||
		!slices.Equal(k.KeyAgreementAlgorithms(), want.KeyAgreementAlgorithms) ||
		!slices.Equal(k.EncapsulationAlgorithms(), want.EncapsulationAlgorithms) {
		t.Errorf("lists = %v %v %v %v; want %v %v %v %v",
			k.SigningAlgorithms(), k.EncryptionAlgorithms(), k.KeyAgreementAlgorithms(), k.EncapsulationAlgorithms(),
			want.SigningAlgorithms, want.EncryptionAlgorithms, want.KeyAgreementAlgorithms, want.EncapsulationAlgorithms)
	}
	der := k.DER()
	if len(der) != s.derLen {
		t.Errorf("DER is %d bytes, want %d", len(der), s.derLen)
	}
	if want := privateHalfDER(t, s); !bytes.Equal(der, want) {
		t.Errorf("DER differs from the private key's public half:\n got %.64x… (%d bytes)\nwant %.64x… (%d bytes)", der, len(der), want, len(want))
	}
	raw := s.checkPublic(t, k.CryptoPublicKey())
	if !bytes.HasSuffix(der, raw) || len(raw) < 32 {
		t.Errorf("CryptoPublicKey encodes as %.64x… (%d bytes), which is not the subjectPublicKey of the DER", raw, len(raw))
	}
	out := k.GetPublicKeyOutput()
	if aws.ToString(out.KeyId) != k.KeyID() || !bytes.Equal(out.PublicKey, der) || out.KeySpec != s.spec ||
		string(out.CustomerMasterKeySpec) != string(s.spec) || out.KeyUsage != usage ||
		!slices.Equal(out.SigningAlgorithms, want.SigningAlgorithms) || !slices.Equal(out.EncryptionAlgorithms, want.EncryptionAlgorithms) ||
		!slices.Equal(out.KeyAgreementAlgorithms, want.KeyAgreementAlgorithms) || !slices.Equal(out.EncapsulationAlgorithms, want.EncapsulationAlgorithms) {
		t.Errorf("GetPublicKeyOutput does not match the key: %+v", out)
	}
	// The accessors hand out copies: changing one changes nothing inside.
	der[0] ^= 0xff
	if lists := k.SigningAlgorithms(); len(lists) > 0 {
		lists[0] = "X"
	}
	if !bytes.Equal(k.DER(), out.PublicKey) || !slices.Equal(k.SigningAlgorithms(), want.SigningAlgorithms) {
		t.Error("DER or SigningAlgorithms share memory with the key")
	}
}

// TestParseGetPublicKeyJSONEverySpec reads every testdata/keys JSON file (one
// for each spec × usage KMS allows) and checks the key against the private
// key it was made from.
func TestParseGetPublicKeyJSONEverySpec(t *testing.T) {
	files, err := filepath.Glob("testdata/keys/*.json")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			spec, usage, _ := strings.Cut(name, ".")
			s := keySpecCaseFor(t, types.KeySpec(spec))
			data := kmspubtest.File(t, "keys/"+name+".json")
			var want fileLists
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			checkKey(t, k, s, types.KeyUsageType(usage), want)
		})
		seen[name] = true
	}
	for _, s := range keySpecCases {
		for _, u := range s.usages {
			if !seen[string(s.spec)+"."+string(u)] {
				t.Errorf("testdata/keys has no %s.%s.json", s.spec, u)
			}
		}
	}
	if len(seen) != 23 {
		t.Errorf("testdata/keys has %d JSON files, want 23 (one per spec and allowed usage)", len(seen))
	}
}

// TestLoadEveryPubPEM loads every testdata/keys/<SPEC>.pub.pem with metadata
// for each usage KMS allows for the spec, with and without algorithm lists.
func TestLoadEveryPubPEM(t *testing.T) {
	for _, s := range keySpecCases {
		for _, usage := range s.usages {
			t.Run(string(s.spec)+"."+string(usage), func(t *testing.T) {
				var want fileLists
				if err := json.Unmarshal(kmspubtest.File(t, "keys/"+string(s.spec)+"."+string(usage)+".json"), &want); err != nil {
					t.Fatal(err)
				}
				pemBytes := kmspubtest.File(t, "keys/"+string(s.spec)+".pub.pem")

				// Only KeySpec and KeyUsage: the full lists KMS fixes.
				k, err := kmspub.ParseSubjectPublicKeyInfo(pemBytes, &kms.GetPublicKeyOutput{KeySpec: s.spec, KeyUsage: usage})
				if err != nil {
					t.Fatal(err)
				}
				anonymous := want
				anonymous.KeyId = ""
				checkKey(t, k, s, usage, anonymous)

				// Everything GetPublicKey returns, except the key itself.
				k, err = kmspub.ParseSubjectPublicKeyInfo(pemBytes, &kms.GetPublicKeyOutput{
					KeyId:                   aws.String(want.KeyId),
					CustomerMasterKeySpec:   types.CustomerMasterKeySpec(s.spec),
					KeySpec:                 s.spec,
					KeyUsage:                usage,
					SigningAlgorithms:       want.SigningAlgorithms,
					EncryptionAlgorithms:    want.EncryptionAlgorithms,
					KeyAgreementAlgorithms:  want.KeyAgreementAlgorithms,
					EncapsulationAlgorithms: want.EncapsulationAlgorithms,
				})
				if err != nil {
					t.Fatal(err)
				}
				checkKey(t, k, s, usage, want)
			})
		}
	}
}

// TestLoadKeepsAGivenSubset: a list that is present is authoritative
// (docs/KMS-RULES.md §11), so a subset stays a subset.
func TestLoadKeepsAGivenSubset(t *testing.T) {
	subset := []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, types.SigningAlgorithmSpecRsassaPssSha256}
	k, err := kmspub.ParseSubjectPublicKeyInfo(kmspubtest.File(t, "keys/RSA_2048.pub.pem"), &kms.GetPublicKeyOutput{
		KeySpec: types.KeySpecRsa2048, KeyUsage: sv, SigningAlgorithms: subset,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(k.SigningAlgorithms(), subset) {
		t.Errorf("SigningAlgorithms = %v, want %v", k.SigningAlgorithms(), subset)
	}
}

// TestMarshalJSONRoundTrip: MarshalJSON writes back exactly the bytes of every
// file it parses — the generated ones and those printed by the real `aws`
// CLI against local-kms.
func TestMarshalJSONRoundTrip(t *testing.T) {
	files, err := filepath.Glob("testdata/keys/*.json")
	if err != nil {
		t.Fatal(err)
	}
	samples, err := filepath.Glob("testdata/sample/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 23 || len(samples) != 2 {
		t.Fatalf("found %d key files and %d samples, want 23 and 2", len(files), len(samples))
	}
	for _, file := range append(files, samples...) {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Errorf("MarshalJSON differs from the file:\n got %q\nwant %q", got, data)
			}
		})
	}
}

// TestMarshalJSONNeedsKeyID: a key loaded without a KeyId cannot be written
// as a get-public-key file, because such a file would not parse back.
func TestMarshalJSONNeedsKeyID(t *testing.T) {
	k, err := kmspub.ParseSubjectPublicKeyInfo(kmspubtest.File(t, "keys/ECC_NIST_P256.pub.pem"), &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistP256, KeyUsage: sv})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := k.MarshalJSON(); err == nil {
		t.Fatalf("MarshalJSON without a KeyId = %s, want an error", out)
	}
	arn := "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"
	k, err = kmspub.ParseSubjectPublicKeyInfo(kmspubtest.File(t, "keys/ECC_NIST_P256.pub.pem"), &kms.GetPublicKeyOutput{KeyId: aws.String(arn), KeySpec: types.KeySpecEccNistP256, KeyUsage: sv})
	if err != nil {
		t.Fatal(err)
	}
	out, err := k.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := kmspubtest.File(t, "keys/ECC_NIST_P256.SIGN_VERIFY.json"); !bytes.Equal(out, want) {
		t.Errorf("MarshalJSON of the loaded key:\n got %s\nwant %s", out, want)
	}
}

// TestLoadEncodings: PEM, raw DER, and base64 DER on one line or folded with
// any whitespace all give the same key.
func TestLoadEncodings(t *testing.T) {
	for _, spec := range []types.KeySpec{types.KeySpecEccNistP256, types.KeySpecMlDsa87, types.KeySpecRsa4096} {
		der := kmspubtest.PublicKeyDER(t, spec)
		b64 := base64.StdEncoding.EncodeToString(der)
		var folded64, messy strings.Builder
		for i := 0; i < len(b64); i += 64 {
			folded64.WriteString(b64[i:min(i+64, len(b64))] + "\n")
		}
		for i := 0; i < len(b64); i += 7 {
			messy.WriteString(b64[i:min(i+7, len(b64))] + [...]string{" ", "\t", "\r\n", "  \n "}[i%4])
		}
		pemBytes := kmspubtest.File(t, "keys/"+string(spec)+".pub.pem")
		forms := map[string][]byte{
			"DER":                    der,
			"base64":                 []byte(b64),
			"base64 newline":         []byte(b64 + "\n"),
			"base64 folded":          []byte(folded64.String()),
			"base64 with whitespace": []byte("\n  " + messy.String()),
			"PEM":                    pemBytes,
			"PEM CRLF":               bytes.ReplaceAll(pemBytes, []byte("\n"), []byte("\r\n")),
			"PEM surrounded":         append(append([]byte("\n\n  "), pemBytes...), "\n\n"...),
		}
		for name, encoded := range forms {
			t.Run(string(spec)+"/"+name, func(t *testing.T) {
				k, err := kmspub.ParseSubjectPublicKeyInfo(encoded, &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: sv})
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(k.DER(), der) {
					t.Errorf("DER = %x, want %x", k.DER(), der)
				}
			})
		}
	}
}

var (
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidSM2         = asn1.ObjectIdentifier{1, 2, 156, 10197, 1, 301}
	oidP256        = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
)

// TestSM2BothOIDForms: SM2 keys are accepted as id-ecPublicKey with the
// sm2p256v1 curve (OpenSSL's form) and with algorithm OID sm2p256v1 and the
// same curve as parameters (the other form gmsm's smx509 reads) — but a P-256
// curve under the SM2 algorithm OID is refused.
func TestSM2BothOIDForms(t *testing.T) {
	standard := kmspubtest.PublicKeyDER(t, types.KeySpecSm2)
	point := standard[len(standard)-65:]
	if rebuilt := spkitest.Build(oidECPublicKey, spkitest.OID(oidSM2), 0, point); !bytes.Equal(rebuilt, standard) {
		t.Fatalf("the test's builder does not reproduce OpenSSL's SM2 SPKI:\n got %x\nwant %x", rebuilt, standard)
	}
	alternative := spkitest.Build(oidSM2, spkitest.OID(oidSM2), 0, point)
	for name, der := range map[string][]byte{"id-ecPublicKey": standard, "sm2 algorithm OID": alternative} {
		t.Run(name, func(t *testing.T) {
			k, err := kmspub.ParseSubjectPublicKeyInfo(der, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecSm2, KeyUsage: sv})
			if err != nil {
				t.Fatal(err)
			}
			pub, ok := k.CryptoPublicKey().(*ecdsa.PublicKey)
			if !ok || pub.Curve != sm2.P256() {
				t.Fatalf("CryptoPublicKey is %T on %v, want *ecdsa.PublicKey on sm2.P256()", k.CryptoPublicKey(), pub)
			}
			want, err := sm2.NewPublicKey(point)
			if err != nil {
				t.Fatal(err)
			}
			if !pub.Equal(want) {
				t.Error("the parsed key is not the encoded point")
			}
		})
	}

	p256 := kmspubtest.PublicKeyDER(t, types.KeySpecEccNistP256)
	mixed := spkitest.Build(oidSM2, spkitest.OID(oidP256), 0, p256[len(p256)-65:])
	for _, spec := range []types.KeySpec{types.KeySpecSm2, types.KeySpecEccNistP256} {
		if _, err := kmspub.ParseSubjectPublicKeyInfo(mixed, &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: sv}); err == nil {
			t.Errorf("SM2 algorithm OID with the P-256 curve accepted as %s", spec)
		}
	}
}

// refusal is what a refusal must look like.
type refusal struct {
	field    string // InvalidKeyError.Field
	contains string // a piece of the error text
	// sdk is the KMS exception the error must also be ("" for none), and
	// sdkMessage its exact message when KMS's text is known.
	sdk        string
	sdkMessage string
}

func checkRefusal(t *testing.T, k *kmspub.PublicKey, err error, want refusal) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted (%s %s); want a refusal", k.KeySpec(), k.KeyUsage())
	}
	if k != nil {
		t.Error("a refusal also returned a key")
	}
	var invalid *kmspub.InvalidKeyError
	if !errors.As(err, &invalid) {
		t.Fatalf("error %T %q is not a *kmspub.InvalidKeyError", err, err)
	}
	if !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Error("errors.Is(err, ErrInvalidKey) is false")
	}
	if invalid.Field != want.field {
		t.Errorf("Field = %q, want %q (%v)", invalid.Field, want.field, err)
	}
	if !strings.Contains(err.Error(), want.contains) {
		t.Errorf("error %q does not say %q", err, want.contains)
	}
	if !strings.HasPrefix(err.Error(), "kmspub: ") {
		t.Errorf("error %q lacks the package prefix", err)
	}
	// The message reads "<Field> <Reason>": the reason must not repeat
	// the field or carry a library's own prefix.
	if strings.HasPrefix(invalid.Reason, invalid.Field+" ") || strings.Contains(invalid.Reason, "json: ") {
		t.Errorf("reason %q repeats the field or a library prefix", invalid.Reason)
	}
	var apiErr smithy.APIError
	isAPI := errors.As(err, &apiErr)
	switch want.sdk {
	case "":
		if isAPI {
			t.Errorf("error carries KMS exception %s, but KMS has none for this", apiErr.ErrorCode())
		}
		return
	case "ValidationException":
		var generic *smithy.GenericAPIError
		if !errors.As(err, &generic) || generic.Code != want.sdk || generic.Fault != smithy.FaultUnknown {
			t.Fatalf("error %q is not a ValidationException as the SDK surfaces it (fault unknown)", err)
		}
	case "InvalidKeyUsageException":
		var typed *types.InvalidKeyUsageException
		if !errors.As(err, &typed) {
			t.Fatalf("error %q is not a *types.InvalidKeyUsageException", err)
		}
	case "UnsupportedOperationException":
		var typed *types.UnsupportedOperationException
		if !errors.As(err, &typed) {
			t.Fatalf("error %q is not a *types.UnsupportedOperationException", err)
		}
	default:
		t.Fatalf("test knows no exception %q", want.sdk)
	}
	if !isAPI || apiErr.ErrorCode() != want.sdk {
		t.Fatalf("smithy.APIError code = %v, want %s", apiErr, want.sdk)
	}
	if want.sdkMessage != "" && apiErr.ErrorMessage() != want.sdkMessage {
		t.Errorf("ErrorMessage = %q, want %q", apiErr.ErrorMessage(), want.sdkMessage)
	}
}

// editKeyJSON returns testdata/keys/<name>.json with edit applied to its
// members.
func editKeyJSON(t *testing.T, name string, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(kmspubtest.File(t, "keys/"+name+".json"), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(der []byte) string { return base64.StdEncoding.EncodeToString(der) }

// TestRefusals: every kind of bad key or metadata is refused with a clear
// *InvalidKeyError and, where KMS has one, its exception.
func TestRefusals(t *testing.T) {
	p256 := kmspubtest.PublicKeyDER(t, types.KeySpecEccNistP256)
	p256Point := p256[len(p256)-65:]
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsa1024DER, err := x509.MarshalPKIXPublicKey(&rsa1024.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	offCurve := bytes.Clone(p256)
	offCurve[len(offCurve)-1] ^= 1
	unusedBits := bytes.Clone(p256)
	if unusedBits[25] != 0 {
		t.Fatalf("byte 25 of the P-256 SPKI is %#x, want the unused-bits byte 0", unusedBits[25])
	}
	unusedBits[25] = 1
	compressed := append([]byte{2 | p256Point[64]&1}, p256Point[1:33]...)
	rsa2048b64 := b64(kmspubtest.PublicKeyDER(t, types.KeySpecRsa2048))
	if !strings.ContainsAny(rsa2048b64, "+/") {
		t.Fatal("the RSA_2048 test key's base64 has no '+' or '/'; pick another key")
	}
	p256b64 := b64(p256)
	if !strings.HasSuffix(p256b64, "==") {
		t.Fatal("the P-256 base64 does not end in ==")
	}
	// The character before "==" carries 4 bits that must be zero.
	nonCanonical := p256b64[:len(p256b64)-3] + string(base64Alphabet[strings.IndexByte(base64Alphabet, p256b64[len(p256b64)-3])|1]) + "=="
	p256File := string(kmspubtest.File(t, "keys/ECC_NIST_P256.SIGN_VERIFY.json"))
	setB64 := func(b64 string) []byte {
		return editKeyJSON(t, "ECC_NIST_P256.SIGN_VERIFY", func(m map[string]any) { m["PublicKey"] = b64 })
	}
	setDER := func(name string, der []byte) []byte {
		return editKeyJSON(t, name, func(m map[string]any) { m["PublicKey"] = b64(der) })
	}
	set := func(name, member string, value any) []byte {
		return editKeyJSON(t, name, func(m map[string]any) { m[member] = value })
	}
	drop := func(name, member string) []byte {
		return editKeyJSON(t, name, func(m map[string]any) { delete(m, member) })
	}
	wycheproofModulus := wycheproofModulusOverflow(t)

	jsonCases := []struct {
		name string
		file []byte
		want refusal
	}{
		// KeySpec and DER disagree.
		{"RSA_2048 metadata, RSA_3072 key", setDER("RSA_2048.SIGN_VERIFY", kmspubtest.PublicKeyDER(t, types.KeySpecRsa3072)),
			refusal{"PublicKey", "holds an RSA_3072 key, but KeySpec is RSA_2048", "", ""}},
		{"P-256 metadata, P-384 key", setDER("ECC_NIST_P256.SIGN_VERIFY", kmspubtest.PublicKeyDER(t, types.KeySpecEccNistP384)),
			refusal{"PublicKey", "holds an ECC_NIST_P384 key, but KeySpec is ECC_NIST_P256", "", ""}},
		{"RSA metadata, EC key", setDER("RSA_2048.SIGN_VERIFY", p256),
			refusal{"PublicKey", "holds an ECC_NIST_P256 key, but KeySpec is RSA_2048", "", ""}},
		{"ML_DSA_44 metadata, ML_DSA_65 key", setDER("ML_DSA_44.SIGN_VERIFY", kmspubtest.PublicKeyDER(t, types.KeySpecMlDsa65)),
			refusal{"PublicKey", "holds an ML_DSA_65 key, but KeySpec is ML_DSA_44", "", ""}},
		{"SM2 metadata, P-256 key", setDER("SM2.SIGN_VERIFY", p256),
			refusal{"PublicKey", "holds an ECC_NIST_P256 key, but KeySpec is SM2", "", ""}},
		{"P-256 metadata, SM2 key", setDER("ECC_NIST_P256.SIGN_VERIFY", kmspubtest.PublicKeyDER(t, types.KeySpecSm2)),
			refusal{"PublicKey", "holds an SM2 key, but KeySpec is ECC_NIST_P256", "", ""}},
		{"secp256k1 metadata, P-256 key", setDER("ECC_SECG_P256K1.SIGN_VERIFY", p256),
			refusal{"PublicKey", "holds an ECC_NIST_P256 key, but KeySpec is ECC_SECG_P256K1", "", ""}},
		{"ML_KEM_1024 metadata, ML_KEM_768 key", setDER("ML_KEM_1024.ENCAPSULATE_DECAPSULATE", kmspubtest.PublicKeyDER(t, types.KeySpecMlKem768)),
			refusal{"PublicKey", "holds an ML_KEM_768 key, but KeySpec is ML_KEM_1024", "", ""}},

		// Usage the spec does not allow: CreateKey's ValidationException.
		{"KEY_AGREEMENT on RSA", set("RSA_2048.SIGN_VERIFY", "KeyUsage", "KEY_AGREEMENT"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"}},
		{"ENCRYPT_DECRYPT on P-256", set("ECC_NIST_P256.SIGN_VERIFY", "KeyUsage", "ENCRYPT_DECRYPT"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256"}},
		{"SIGN_VERIFY on ML-KEM", set("ML_KEM_768.ENCAPSULATE_DECAPSULATE", "KeyUsage", "SIGN_VERIFY"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage SIGN_VERIFY is not compatible with KeySpec ML_KEM_768"}},
		{"KEY_AGREEMENT on secp256k1", set("ECC_SECG_P256K1.SIGN_VERIFY", "KeyUsage", "KEY_AGREEMENT"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_SECG_P256K1"}},
		{"KEY_AGREEMENT on Ed25519", set("ECC_NIST_EDWARDS25519.SIGN_VERIFY", "KeyUsage", "KEY_AGREEMENT"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec ECC_NIST_EDWARDS25519"}},
		{"ENCAPSULATE_DECAPSULATE on RSA", set("RSA_4096.ENCRYPT_DECRYPT", "KeyUsage", "ENCAPSULATE_DECAPSULATE"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage ENCAPSULATE_DECAPSULATE is not compatible with KeySpec RSA_4096"}},
		{"GENERATE_VERIFY_MAC on P-384", set("ECC_NIST_P384.SIGN_VERIFY", "KeyUsage", "GENERATE_VERIFY_MAC"),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage GENERATE_VERIFY_MAC is not compatible with KeySpec ECC_NIST_P384"}},

		// An algorithm the spec does not offer.
		{"ECDSA_SHA_384 on P-256", set("ECC_NIST_P256.SIGN_VERIFY", "SigningAlgorithms", []string{"ECDSA_SHA_384"}),
			refusal{"SigningAlgorithms", "ECDSA_SHA_384", "InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."}},
		{"ECDSA_SHA_256 on P-384 after a good one", set("ECC_NIST_P384.SIGN_VERIFY", "SigningAlgorithms", []string{"ECDSA_SHA_384", "ECDSA_SHA_256"}),
			refusal{"SigningAlgorithms", "ECDSA_SHA_256", "InvalidKeyUsageException", "Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P384."}},
		{"SM2PKE on RSA", set("RSA_2048.ENCRYPT_DECRYPT", "EncryptionAlgorithms", []string{"SM2PKE"}),
			refusal{"EncryptionAlgorithms", "SM2PKE", "InvalidKeyUsageException", "Algorithm SM2PKE is incompatible with key spec RSA_2048."}},
		{"RSAES on SM2", set("SM2.ENCRYPT_DECRYPT", "EncryptionAlgorithms", []string{"SM2PKE", "RSAES_OAEP_SHA_256"}),
			refusal{"EncryptionAlgorithms", "RSAES_OAEP_SHA_256", "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2."}},
		{"SYMMETRIC_DEFAULT on RSA", set("RSA_3072.ENCRYPT_DECRYPT", "EncryptionAlgorithms", []string{"SYMMETRIC_DEFAULT"}),
			refusal{"EncryptionAlgorithms", "SYMMETRIC_DEFAULT", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_3072."}},
		{"ML_DSA_SHAKE_256 on Ed25519", set("ECC_NIST_EDWARDS25519.SIGN_VERIFY", "SigningAlgorithms", []string{"ML_DSA_SHAKE_256"}),
			refusal{"SigningAlgorithms", "ML_DSA_SHAKE_256", "InvalidKeyUsageException", "Algorithm ML_DSA_SHAKE_256 is incompatible with key spec ECC_NIST_EDWARDS25519."}},
		{"unknown key agreement algorithm", set("SM2.KEY_AGREEMENT", "KeyAgreementAlgorithms", []string{"X25519"}),
			refusal{"KeyAgreementAlgorithms", "X25519", "InvalidKeyUsageException", "Algorithm X25519 is incompatible with key spec SM2."}},
		{"unknown encapsulation algorithm", set("ML_KEM_512.ENCAPSULATE_DECAPSULATE", "EncapsulationAlgorithms", []string{"ML_KEM_512"}),
			refusal{"EncapsulationAlgorithms", "ML_KEM_512", "InvalidKeyUsageException", "Algorithm ML_KEM_512 is incompatible with key spec ML_KEM_512."}},

		// Lists of another usage; repeats.
		{"KeyAgreementAlgorithms on a SIGN_VERIFY key", set("ECC_NIST_P256.SIGN_VERIFY", "KeyAgreementAlgorithms", []string{"ECDH"}),
			refusal{"KeyAgreementAlgorithms", "belongs to another key usage", "", ""}},
		{"SigningAlgorithms on an ENCRYPT_DECRYPT key", set("RSA_2048.ENCRYPT_DECRYPT", "SigningAlgorithms", []string{"RSASSA_PSS_SHA_256"}),
			refusal{"SigningAlgorithms", "belongs to another key usage", "", ""}},
		{"EncryptionAlgorithms on a SIGN_VERIFY key", set("SM2.SIGN_VERIFY", "EncryptionAlgorithms", []string{"SM2PKE"}),
			refusal{"EncryptionAlgorithms", "belongs to another key usage", "", ""}},
		{"EncapsulationAlgorithms on a SIGN_VERIFY key", set("ML_DSA_87.SIGN_VERIFY", "EncapsulationAlgorithms", []string{"ML_KEM"}),
			refusal{"EncapsulationAlgorithms", "belongs to another key usage", "", ""}},
		{"repeated algorithm", set("ECC_NIST_P256.SIGN_VERIFY", "SigningAlgorithms", []string{"ECDSA_SHA_256", "ECDSA_SHA_256"}),
			refusal{"SigningAlgorithms", "lists ECDSA_SHA_256 twice", "", ""}},
		{"repeated algorithm, not adjacent", set("RSA_2048.ENCRYPT_DECRYPT", "EncryptionAlgorithms", []string{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_1"}),
			refusal{"EncryptionAlgorithms", "lists RSAES_OAEP_SHA_1 twice", "", ""}},

		// Spec fields.
		{"CustomerMasterKeySpec differs", set("ECC_NIST_P256.SIGN_VERIFY", "CustomerMasterKeySpec", "ECC_NIST_P384"),
			refusal{"CustomerMasterKeySpec", "ECC_NIST_P384 differs from KeySpec ECC_NIST_P256", "", ""}},
		{"SYMMETRIC_DEFAULT", editKeyJSON(t, "RSA_2048.ENCRYPT_DECRYPT", func(m map[string]any) {
			m["KeySpec"], m["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"
		}), refusal{"KeySpec", "SYMMETRIC_DEFAULT is not an asymmetric key spec", "UnsupportedOperationException", ""}},
		{"HMAC_256", editKeyJSON(t, "ECC_NIST_P256.SIGN_VERIFY", func(m map[string]any) {
			m["KeySpec"], m["KeyUsage"] = "HMAC_256", "GENERATE_VERIFY_MAC"
			delete(m, "CustomerMasterKeySpec")
			delete(m, "SigningAlgorithms")
		}), refusal{"KeySpec", "HMAC_256 is not an asymmetric key spec", "UnsupportedOperationException", ""}},
		{"unknown KeySpec", set("ECC_NIST_P256.SIGN_VERIFY", "KeySpec", "ECC_NIST_P999"),
			refusal{"KeySpec", "ECC_NIST_P999", "", ""}},

		// Missing members.
		{"missing KeyId", drop("ECC_NIST_P256.SIGN_VERIFY", "KeyId"), refusal{"KeyId", "is missing", "", ""}},
		{"missing both specs", editKeyJSON(t, "ECC_NIST_P256.SIGN_VERIFY", func(m map[string]any) {
			delete(m, "KeySpec")
			delete(m, "CustomerMasterKeySpec")
		}), refusal{"KeySpec", "is missing", "", ""}},
		{"missing KeyUsage", drop("ECC_NIST_P256.SIGN_VERIFY", "KeyUsage"), refusal{"KeyUsage", "is missing", "", ""}},
		{"missing PublicKey", drop("ECC_NIST_P256.SIGN_VERIFY", "PublicKey"), refusal{"PublicKey", "is missing", "", ""}},
		{"null KeyId", set("ECC_NIST_P256.SIGN_VERIFY", "KeyId", nil), refusal{"KeyId", "is missing", "", ""}},

		// KeyId that is not a key ARN.
		{"bare key ID", set("ECC_NIST_P256.SIGN_VERIFY", "KeyId", "00000000-0000-4000-8000-000000000004"),
			refusal{"KeyId", "is not a KMS key ARN", "", ""}},
		{"alias ARN", set("ECC_NIST_P256.SIGN_VERIFY", "KeyId", "arn:aws:kms:us-east-1:111122223333:alias/signing"),
			refusal{"KeyId", "is not a KMS key ARN", "", ""}},
		{"ARN of another service", set("ECC_NIST_P256.SIGN_VERIFY", "KeyId", "arn:aws:s3:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"),
			refusal{"KeyId", "is not a KMS key ARN", "", ""}},
		{"ARN with a newline", set("ECC_NIST_P256.SIGN_VERIFY", "KeyId", "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004\n"),
			refusal{"KeyId", "is not a KMS key ARN", "", ""}},

		// JSON syntax.
		{"empty", []byte{}, refusal{"JSON", "", "", ""}},
		{"truncated JSON", []byte(p256File[:len(p256File)/2]), refusal{"JSON", "", "", ""}},
		{"array", []byte("[" + p256File + "]"), refusal{"JSON", "", "", ""}},
		{"null", []byte("null"), refusal{"JSON", "", "", ""}},
		{"number for a string", []byte(strings.Replace(p256File, `"KeyUsage": "SIGN_VERIFY"`, `"KeyUsage": 1`, 1)), refusal{"JSON", "", "", ""}},
		{"string for a list", []byte(strings.Replace(p256File, `[`+"\n"+`        "ECDSA_SHA_256"`+"\n"+`    ]`, `"ECDSA_SHA_256"`, 1)), refusal{"JSON", "", "", ""}},
		{"duplicate member", []byte(strings.Replace(p256File, `"KeyUsage": "SIGN_VERIFY",`, `"KeyUsage": "SIGN_VERIFY", "KeyUsage": "KEY_AGREEMENT",`, 1)),
			refusal{"JSON", `"KeyUsage" appears twice`, "", ""}},
		{"duplicate member, other case", []byte(strings.Replace(p256File, `"KeyUsage": "SIGN_VERIFY",`, `"KeyUsage": "SIGN_VERIFY", "keyusage": "KEY_AGREEMENT",`, 1)),
			refusal{"JSON", `keyusage`, "", ""}},
		{"member in another case", []byte(strings.Replace(p256File, `"KeyUsage"`, `"keyUsage"`, 1)), refusal{"JSON", "keyUsage", "", ""}},
		{"unknown member", []byte(strings.Replace(p256File, `"KeyUsage":`, `"Tags": [], "KeyUsage":`, 1)), refusal{"JSON", "Tags", "", ""}},
		{"trailing object", []byte(p256File + "{}"), refusal{"JSON", "after the object", "", ""}},
		{"trailing garbage", []byte(p256File + "x"), refusal{"JSON", "", "", ""}},
		{"two objects", []byte(p256File + p256File), refusal{"JSON", "after the object", "", ""}},
		{"oversize", append([]byte(p256File), bytes.Repeat([]byte(" "), 64<<10)...), refusal{"JSON", "bytes", "", ""}},

		// base64.
		{"URL alphabet", set("RSA_2048.SIGN_VERIFY", "PublicKey", strings.NewReplacer("+", "-", "/", "_").Replace(rsa2048b64)),
			refusal{"PublicKey", "base64", "", ""}},
		{"missing padding", setB64(strings.TrimRight(p256b64, "=")), refusal{"PublicKey", "base64", "", ""}},
		{"non-zero padding bits", setB64(nonCanonical), refusal{"PublicKey", "base64", "", ""}},
		{"line break in base64", setB64(p256b64[:64] + "\n" + p256b64[64:]), refusal{"PublicKey", "base64", "", ""}},
		{"CR in base64", setB64(p256b64[:64] + "\r" + p256b64[64:]), refusal{"PublicKey", "base64", "", ""}},
		{"space in base64", setB64(p256b64[:64] + " " + p256b64[64:]), refusal{"PublicKey", "base64", "", ""}},
		{"PEM in PublicKey", setB64(string(kmspubtest.File(t, "keys/ECC_NIST_P256.pub.pem"))), refusal{"PublicKey", "base64", "", ""}},

		// DER.
		{"truncated DER", setDER("ECC_NIST_P256.SIGN_VERIFY", p256[:len(p256)-1]), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"header only", setDER("ECC_NIST_P256.SIGN_VERIFY", p256[:26]), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"trailing byte after DER", setDER("ECC_NIST_P256.SIGN_VERIFY", append(bytes.Clone(p256), 0)), refusal{"PublicKey", "trailing", "", ""}},
		{"BER long-form length", setDER("ECC_NIST_P256.SIGN_VERIFY", append([]byte{0x30, 0x81, 0x59}, p256[2:]...)), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"BER indefinite length", setDER("ECC_NIST_P256.SIGN_VERIFY", append(append([]byte{0x30, 0x80}, p256[2:]...), 0, 0)), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"unused bits", setDER("ECC_NIST_P256.SIGN_VERIFY", unusedBits), refusal{"PublicKey", "unused bits", "", ""}},
		{"compressed point", setDER("ECC_NIST_P256.SIGN_VERIFY", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, compressed)),
			refusal{"PublicKey", "uncompressed", "", ""}},
		{"off-curve point", setDER("ECC_NIST_P256.SIGN_VERIFY", offCurve), refusal{"PublicKey", "ECC_NIST_P256 point", "", ""}},
		{"RSA 1024", setDER("RSA_2048.SIGN_VERIFY", rsa1024DER), refusal{"PublicKey", "1024 bits", "", ""}},
		{"ML-KEM modulus check (Wycheproof)", setDER("ML_KEM_768.ENCAPSULATE_DECAPSULATE", wycheproofModulus),
			refusal{"PublicKey", "ML_KEM_768 encapsulation key", "", ""}},
	}
	for _, c := range jsonCases {
		t.Run("JSON/"+c.name, func(t *testing.T) {
			k, err := kmspub.ParseGetPublicKeyJSON(c.file)
			checkRefusal(t, k, err, c.want)
			t.Logf("%v", err)
		})
	}

	meta := func(spec types.KeySpec, usage types.KeyUsageType) *kms.GetPublicKeyOutput {
		return &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: usage}
	}
	p256PEM := kmspubtest.File(t, "keys/ECC_NIST_P256.pub.pem")
	loadCases := []struct {
		name    string
		encoded []byte
		meta    *kms.GetPublicKeyOutput
		want    refusal
	}{
		{"RSA_2048 metadata, RSA_3072 key", kmspubtest.File(t, "keys/RSA_3072.pub.pem"), meta(types.KeySpecRsa2048, sv),
			refusal{"PublicKey", "holds an RSA_3072 key, but KeySpec is RSA_2048", "", ""}},
		{"P-256 metadata, P-384 key", kmspubtest.File(t, "keys/ECC_NIST_P384.pub.pem"), meta(types.KeySpecEccNistP256, ka),
			refusal{"PublicKey", "holds an ECC_NIST_P384 key, but KeySpec is ECC_NIST_P256", "", ""}},
		{"RSA metadata, EC key", p256PEM, meta(types.KeySpecRsa4096, ed),
			refusal{"PublicKey", "holds an ECC_NIST_P256 key, but KeySpec is RSA_4096", "", ""}},
		{"ML_DSA_44 metadata, ML_DSA_65 key", kmspubtest.File(t, "keys/ML_DSA_65.pub.pem"), meta(types.KeySpecMlDsa44, sv),
			refusal{"PublicKey", "holds an ML_DSA_65 key, but KeySpec is ML_DSA_44", "", ""}},
		{"KEY_AGREEMENT on RSA", kmspubtest.File(t, "keys/RSA_2048.pub.pem"), meta(types.KeySpecRsa2048, ka),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048"}},
		{"SIGN_VERIFY on ML-KEM", kmspubtest.File(t, "keys/ML_KEM_512.pub.pem"), meta(types.KeySpecMlKem512, sv),
			refusal{"KeyUsage", "not compatible", "ValidationException", "KeyUsage SIGN_VERIFY is not compatible with KeySpec ML_KEM_512"}},
		{"ECDSA_SHA_384 on P-256", p256PEM, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistP256, KeyUsage: sv, SigningAlgorithms: []types.SigningAlgorithmSpec{"ECDSA_SHA_384"}},
			refusal{"SigningAlgorithms", "ECDSA_SHA_384", "InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."}},
		{"CustomerMasterKeySpec differs", p256PEM, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistP256, CustomerMasterKeySpec: types.CustomerMasterKeySpecEccNistP384, KeyUsage: sv},
			refusal{"CustomerMasterKeySpec", "differs from KeySpec", "", ""}},
		{"SYMMETRIC_DEFAULT", p256PEM, meta(types.KeySpecSymmetricDefault, ed), refusal{"KeySpec", "not an asymmetric key spec", "UnsupportedOperationException", ""}},
		{"HMAC_256", p256PEM, meta(types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac), refusal{"KeySpec", "not an asymmetric key spec", "UnsupportedOperationException", ""}},
		{"nil metadata", p256PEM, nil, refusal{"metadata", "is nil", "", ""}},
		{"missing KeySpec", p256PEM, meta("", sv), refusal{"KeySpec", "is missing", "", ""}},
		{"missing KeyUsage", p256PEM, meta(types.KeySpecEccNistP256, ""), refusal{"KeyUsage", "is missing", "", ""}},
		{"alias KeyId", p256PEM, &kms.GetPublicKeyOutput{KeyId: aws.String("alias/signing"), KeySpec: types.KeySpecEccNistP256, KeyUsage: sv},
			refusal{"KeyId", "is not a KMS key ARN", "", ""}},
		{"PublicKey in metadata", p256PEM, &kms.GetPublicKeyOutput{PublicKey: p256, KeySpec: types.KeySpecEccNistP256, KeyUsage: sv},
			refusal{"PublicKey", "encoded argument", "", ""}},
		{"empty", nil, meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "is empty", "", ""}},
		{"whitespace only", []byte(" \n\t"), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "is empty", "", ""}},
		{"oversize", append(bytes.Clone(p256PEM), bytes.Repeat([]byte("\n"), 16<<10)...), meta(types.KeySpecEccNistP256, sv),
			refusal{"PublicKey", "bytes", "", ""}},
		{"URL-alphabet base64", []byte(strings.NewReplacer("+", "-", "/", "_").Replace(rsa2048b64)), meta(types.KeySpecRsa2048, sv),
			refusal{"PublicKey", "base64", "", ""}},
		{"base64 missing padding", []byte(strings.TrimRight(p256b64, "=")), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "base64", "", ""}},
		{"base64 non-zero padding bits", []byte(nonCanonical), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "base64", "", ""}},
		{"RSA PUBLIC KEY PEM", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: kmspubtest.PublicKeyDER(t, types.KeySpecRsa2048)}), meta(types.KeySpecRsa2048, sv),
			refusal{"PublicKey", `"RSA PUBLIC KEY"`, "", ""}},
		{"PEM with headers", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: p256}), meta(types.KeySpecEccNistP256, sv),
			refusal{"PublicKey", "headers", "", ""}},
		{"two PEM blocks", append(bytes.Clone(p256PEM), p256PEM...), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "after the PEM block", "", ""}},
		{"PEM cut short", p256PEM[:len(p256PEM)-10], meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "PEM", "", ""}},
		{"private key PEM", kmspubtest.File(t, "keys/ECC_NIST_P256.priv.pem"), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", `"PRIVATE KEY"`, "", ""}},
		{"truncated DER", p256[:len(p256)-1], meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"trailing byte after DER", append(bytes.Clone(p256), 0), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "trailing", "", ""}},
		{"trailing newline after DER", append(bytes.Clone(p256), '\n'), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "trailing", "", ""}},
		{"BER long-form length", append([]byte{0x30, 0x81, 0x59}, p256[2:]...), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "SubjectPublicKeyInfo", "", ""}},
		{"unused bits", unusedBits, meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "unused bits", "", ""}},
		{"compressed point", spkitest.Build(oidECPublicKey, spkitest.OID(oidP256), 0, compressed), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "uncompressed", "", ""}},
		{"off-curve point", offCurve, meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "ECC_NIST_P256 point", "", ""}},
		{"RSA 1024", rsa1024DER, meta(types.KeySpecRsa2048, sv), refusal{"PublicKey", "1024 bits", "", ""}},
		{"text", []byte("not a key"), meta(types.KeySpecEccNistP256, sv), refusal{"PublicKey", "neither PEM, DER nor base64", "", ""}},
	}
	for _, c := range loadCases {
		t.Run("ParseSubjectPublicKeyInfo/"+c.name, func(t *testing.T) {
			k, err := kmspub.ParseSubjectPublicKeyInfo(c.encoded, c.meta)
			checkRefusal(t, k, err, c.want)
			t.Logf("%v", err)
		})
	}

	outputCases := []struct {
		name string
		out  *kms.GetPublicKeyOutput
		want refusal
	}{
		{"nil", nil, refusal{"GetPublicKeyOutput", "is nil", "", ""}},
		{"nil KeyId", &kms.GetPublicKeyOutput{PublicKey: p256, KeySpec: types.KeySpecEccNistP256, KeyUsage: sv}, refusal{"KeyId", "is missing", "", ""}},
		{"alias ARN", &kms.GetPublicKeyOutput{KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:alias/x"), PublicKey: p256, KeySpec: types.KeySpecEccNistP256, KeyUsage: sv},
			refusal{"KeyId", "not a KMS key ARN", "", ""}},
		{"no PublicKey", &kms.GetPublicKeyOutput{KeyId: aws.String("arn:aws:kms:us-east-1:111122223333:key/x"), KeySpec: types.KeySpecEccNistP256, KeyUsage: sv},
			refusal{"PublicKey", "is missing", "", ""}},
	}
	for _, c := range outputCases {
		t.Run("FromGetPublicKeyOutput/"+c.name, func(t *testing.T) {
			k, err := kmspub.FromGetPublicKeyOutput(c.out)
			checkRefusal(t, k, err, c.want)
		})
	}
}

const base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// TestMLKEMModulusCheck: an encapsulation key with a coefficient ≥ q fails
// the FIPS 203 §7.2 modulus check, for each parameter set — both every
// Wycheproof ModulusOverflow key and a key made here from a good one.
func TestMLKEMModulusCheck(t *testing.T) {
	for _, c := range []struct {
		spec types.KeySpec
		file string
	}{
		{types.KeySpecMlKem512, "mlkem_512_encaps_test.json"},
		{types.KeySpecMlKem768, "mlkem_768_encaps_test.json"},
		{types.KeySpecMlKem1024, "mlkem_1024_encaps_test.json"},
	} {
		t.Run(string(c.spec), func(t *testing.T) {
			s := keySpecCaseFor(t, c.spec)
			header, _ := hex.DecodeString(s.header)
			meta := &kms.GetPublicKeyOutput{KeySpec: c.spec, KeyUsage: ek}

			// Coefficient 0 of polynomial 0 set to 4095 ≥ q = 3329; the
			// rest of the key is the good test key.
			good := kmspubtest.PublicKeyDER(t, c.spec)
			crafted := bytes.Clone(good)
			crafted[len(header)] = 0xff
			crafted[len(header)+1] |= 0x0f
			if _, err := kmspub.ParseSubjectPublicKeyInfo(good, meta); err != nil {
				t.Fatalf("the good key is refused: %v", err)
			}
			k, err := kmspub.ParseSubjectPublicKeyInfo(crafted, meta)
			checkRefusal(t, k, err, refusal{"PublicKey", "encapsulation key", "", ""})

			keys := wycheproofMLKEMKeys(t, c.file, "ModulusOverflow")
			if len(keys) == 0 {
				t.Fatalf("%s has no ModulusOverflow vectors", c.file)
			}
			for i, raw := range keys {
				k, err := kmspub.ParseSubjectPublicKeyInfo(append(bytes.Clone(header), raw...), meta)
				if err == nil {
					t.Errorf("Wycheproof ModulusOverflow key %d accepted", i)
					continue
				}
				checkRefusal(t, k, err, refusal{"PublicKey", "encapsulation key", "", ""})
			}
		})
	}
}

// answeringClient is a GetPublicKeyAPIClient that records its call and gives
// a canned answer.
type answeringClient struct {
	out    *kms.GetPublicKeyOutput
	err    error
	calls  int
	input  *kms.GetPublicKeyInput
	optFns []func(*kms.Options)
}

func (c *answeringClient) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	c.calls++
	c.input, c.optFns = in, optFns
	return c.out, c.err
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	const arn = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"
	p256 := kmspubtest.PublicKeyDER(t, types.KeySpecEccNistP256)

	t.Run("answer", func(t *testing.T) {
		c := &answeringClient{out: &kms.GetPublicKeyOutput{
			KeyId: aws.String(arn), PublicKey: p256, CustomerMasterKeySpec: types.CustomerMasterKeySpecEccNistP256,
			KeySpec: types.KeySpecEccNistP256, KeyUsage: sv, SigningAlgorithms: []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecEcdsaSha256},
		}}
		var region string
		k, err := kmspub.Fetch(ctx, c, "alias/signing", func(o *kms.Options) { o.Region = "eu-west-2" })
		if err != nil {
			t.Fatal(err)
		}
		if c.calls != 1 || aws.ToString(c.input.KeyId) != "alias/signing" {
			t.Errorf("client called %d times with %+v", c.calls, c.input)
		}
		if len(c.optFns) != 1 {
			t.Fatalf("client got %d option functions, want 1", len(c.optFns))
		}
		var o kms.Options
		c.optFns[0](&o)
		region = o.Region
		if region != "eu-west-2" {
			t.Errorf("the option function passed on set Region %q, want the caller's", region)
		}
		if k.KeyID() != arn || !bytes.Equal(k.DER(), p256) || k.KeySpec() != types.KeySpecEccNistP256 {
			t.Errorf("Fetch returned %s %s %x", k.KeyID(), k.KeySpec(), k.DER())
		}
	})

	t.Run("empty keyID", func(t *testing.T) {
		c := &answeringClient{}
		_, err := kmspub.Fetch(ctx, c, "")
		// Both violations AWS reports (docs/KMS-RULES.md §7.2, §13.1 row 9).
		kmspubtest.WantAPIError(t, err, "ValidationException", "2 validation errors detected: "+
			"Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; "+
			`Value '' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\p{ASCII}+$`)
		if c.calls != 0 {
			t.Error("the client was called for an empty key ID")
		}
	})

	t.Run("error passthrough", func(t *testing.T) {
		// The shape *kms.Client returns: an OperationError around the
		// modelled exception.
		notFound := &types.NotFoundException{Message: aws.String("Key 'arn:…' does not exist")}
		sdkErr := &smithy.OperationError{ServiceID: "KMS", OperationName: "GetPublicKey", Err: notFound}
		c := &answeringClient{err: sdkErr}
		k, err := kmspub.Fetch(ctx, c, arn)
		if k != nil || err != sdkErr {
			t.Fatalf("Fetch = %v, %v; want the client's own error", k, err)
		}
		var typed *types.NotFoundException
		if !errors.As(err, &typed) || typed != notFound {
			t.Error("errors.As does not find the SDK's *types.NotFoundException")
		}
		var invalid *kmspub.InvalidKeyError
		if errors.As(err, &invalid) {
			t.Error("a client error is dressed as an InvalidKeyError")
		}
	})

	t.Run("nil output", func(t *testing.T) {
		k, err := kmspub.Fetch(ctx, &answeringClient{}, arn)
		checkRefusal(t, k, err, refusal{"GetPublicKeyOutput", "is nil", "", ""})
	})

	t.Run("bad answer", func(t *testing.T) {
		c := &answeringClient{out: &kms.GetPublicKeyOutput{KeyId: aws.String(arn), PublicKey: p256, KeySpec: types.KeySpecEccNistP384, KeyUsage: sv}}
		k, err := kmspub.Fetch(ctx, c, arn)
		checkRefusal(t, k, err, refusal{"PublicKey", "holds an ECC_NIST_P256 key, but KeySpec is ECC_NIST_P384", "", ""})
	})
}

// TestPublicKeyEqual: Equal holds for the same key with the same metadata —
// read twice, or from its two SM2 OID forms — and fails when anything a
// PublicKey holds differs: the key, its ID, usage or an algorithm list.
func TestPublicKeyEqual(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	if !p256.Equal(kmspubtest.SigningKey(t, types.KeySpecEccNistP256)) {
		t.Error("a key read twice is not Equal to itself")
	}
	var _ interface{ Equal(crypto.PublicKey) bool } = p256 // as the standard library's keys

	sm2DER := kmspubtest.PublicKeyDER(t, types.KeySpecSm2)
	alternative := spkitest.Build(oidSM2, spkitest.OID(oidSM2), 0, sm2DER[len(sm2DER)-65:])
	meta := &kms.GetPublicKeyOutput{KeySpec: types.KeySpecSm2, KeyUsage: sv}
	a, err := kmspub.ParseSubjectPublicKeyInfo(sm2DER, meta)
	kmspubtest.Check(t, err)
	b, err := kmspub.ParseSubjectPublicKeyInfo(alternative, meta)
	kmspubtest.Check(t, err)
	if !a.Equal(b) {
		t.Error("the two OID forms of one SM2 key are not Equal")
	}

	withoutID := p256.GetPublicKeyOutput()
	withoutID.KeyId, withoutID.PublicKey = nil, nil
	subset := kmspubtest.Key(t, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt).GetPublicKeyOutput()
	subset.PublicKey, subset.EncryptionAlgorithms = nil, []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecRsaesOaepSha256}
	parse := func(der []byte, meta *kms.GetPublicKeyOutput) *kmspub.PublicKey {
		k, err := kmspub.ParseSubjectPublicKeyInfo(der, meta)
		kmspubtest.Check(t, err)
		return k
	}
	for name, pair := range map[string][2]*kmspub.PublicKey{
		"another key":    {p256, kmspubtest.SigningKey(t, types.KeySpecEccNistP384)},
		"another key ID": {p256, parse(p256.DER(), withoutID)},
		"another usage":  {kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement), kmspubtest.SigningKey(t, types.KeySpecEccNistP256)},
		"another list":   {kmspubtest.Key(t, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt), parse(kmspubtest.PublicKeyDER(t, types.KeySpecRsa3072), subset)},
	} {
		if pair[0].Equal(pair[1]) || pair[1].Equal(pair[0]) {
			t.Errorf("%s: Equal", name)
		}
	}
	if p256.Equal(p256.CryptoPublicKey()) || p256.Equal((*kmspub.PublicKey)(nil)) || p256.Equal(nil) {
		t.Error("Equal to something that is not a *PublicKey")
	}
}

// TestPublicKeyConcurrentUse: a PublicKey is immutable; its accessors and
// MarshalJSON may run at once (meaningful under -race).
func TestPublicKeyConcurrentUse(t *testing.T) {
	k, err := kmspub.ParseGetPublicKeyJSON(kmspubtest.File(t, "keys/SM2.ENCRYPT_DECRYPT.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := k.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 50 {
				der := k.DER()
				der[0] ^= 1 // a copy: must not race with other readers
				list := k.EncryptionAlgorithms()
				list[0] = "X"
				_ = k.GetPublicKeyOutput()
				got, err := k.MarshalJSON()
				if err != nil || !bytes.Equal(got, want) {
					errs <- fmt.Errorf("MarshalJSON changed under concurrent use: %v", err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// TestSampleKeysAreLocalKMSKeys: the keys parsed from the files the real
// `aws` CLI saved are the keys local-kms signed with — checked with the
// standard library alone, so a parser that mangled the key fails here.
func TestSampleKeysAreLocalKMSKeys(t *testing.T) {
	message := kmspubtest.File(t, "sample/message.txt")
	digest := sha256.Sum256(message)

	k, err := kmspub.ParseGetPublicKeyJSON(kmspubtest.File(t, "sample/ecc_nist_p256.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(k.CryptoPublicKey().(*ecdsa.PublicKey), digest[:], kmspubtest.File(t, "sample/message.txt.ECDSA_SHA_256.sig")) {
		t.Error("the ECC_NIST_P256 sample key does not verify local-kms's signature")
	}

	k, err = kmspub.ParseGetPublicKeyJSON(kmspubtest.File(t, "sample/rsa_2048.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(k.CryptoPublicKey().(*rsa.PublicKey), crypto.SHA256, digest[:], kmspubtest.File(t, "sample/message.txt.RSASSA_PKCS1_V1_5_SHA_256.sig")); err != nil {
		t.Errorf("the RSA_2048 sample key does not verify local-kms's signature: %v", err)
	}
}

// TestOlderCLIFileWithoutKeySpec: files saved by AWS CLI builds whose model
// lacked KeySpec carry only CustomerMasterKeySpec (docs/KMS-RULES.md §8); it names
// the same spec, so the file loads, and a mismatch with the key still fails.
func TestOlderCLIFileWithoutKeySpec(t *testing.T) {
	data := editKeyJSON(t, "ECC_NIST_P256.SIGN_VERIFY", func(m map[string]any) { delete(m, "KeySpec") })
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeySpec() != types.KeySpecEccNistP256 {
		t.Fatalf("KeySpec = %s", k.KeySpec())
	}
	wrong := editKeyJSON(t, "ECC_NIST_P256.SIGN_VERIFY", func(m map[string]any) {
		delete(m, "KeySpec")
		m["CustomerMasterKeySpec"] = "ECC_NIST_P384"
	})
	if _, err := kmspub.ParseGetPublicKeyJSON(wrong); !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("P-256 key labelled ECC_NIST_P384 only in CustomerMasterKeySpec: err = %v", err)
	}
}

// Fault injection for Fetch: a fake KMS endpoint (httptest) behind a real
// *kms.Client, so every request goes through the SDK's serializer, SigV4
// signer, retryer and deserializer exactly as against AWS. Whatever goes
// wrong, Fetch returns the SDK's error unchanged (errors.As and errors.Is
// keep working) and never a partly built key.

const faultKeyID = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"

// mustFail checks the invariant every fault shares: an error, and no key.
func mustFail(t *testing.T, k *kmspub.PublicKey, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Fetch succeeded; want an error")
	}
	if k != nil {
		t.Fatalf("Fetch returned a key together with error %v", err)
	}
}

func TestFetchFaults(t *testing.T) {
	t.Run("throttled on every attempt", func(t *testing.T) {
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			kmspubtest.WriteKMSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ThrottlingException" || apiErr.ErrorMessage() != "Rate exceeded" {
			t.Fatalf("err = %v, want the ThrottlingException as a smithy.APIError", err)
		}
		var maxAttempts *retry.MaxAttemptsError
		if !errors.As(err, &maxAttempts) {
			t.Errorf("err = %v, want it wrapped in retry.MaxAttemptsError", err)
		}
		if n := f.Attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want the SDK's 3", n)
		}
	})

	t.Run("throttled, then answered", func(t *testing.T) {
		body := kmspubtest.KeyJSON(t, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 3 {
				kmspubtest.WriteKMSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
				return
			}
			kmspubtest.WriteKMSJSON(w, body)
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		if err != nil {
			t.Fatalf("Fetch after two throttles: %v", err)
		}
		if k.KeyID() != faultKeyID || k.KeySpec() != types.KeySpecEccNistP256 {
			t.Errorf("got %s %s", k.KeyID(), k.KeySpec())
		}
		if n := f.Attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})

	t.Run("KMSInternalException 500", func(t *testing.T) {
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			kmspubtest.WriteKMSError(w, http.StatusInternalServerError, "KMSInternalException", "internal")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var internal *types.KMSInternalException
		if !errors.As(err, &internal) {
			t.Fatalf("err = %v (%T), want *types.KMSInternalException", err, err)
		}
		if n := f.Attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3 (5xx is retried)", n)
		}
	})

	t.Run("503 without a body", func(t *testing.T) {
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var respErr *smithyhttp.ResponseError
		if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Fatalf("err = %v, want an HTTP 503 smithyhttp.ResponseError", err)
		}
		if n := f.Attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})

	t.Run("NotFoundException is not retried", func(t *testing.T) {
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			kmspubtest.WriteKMSError(w, http.StatusBadRequest, "NotFoundException", "Key '"+faultKeyID+"' does not exist")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var notFound *types.NotFoundException
		if !errors.As(err, &notFound) {
			t.Fatalf("err = %v (%T), want *types.NotFoundException", err, err)
		}
		if n := f.Attempts.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})

	t.Run("body is not JSON", func(t *testing.T) {
		client, _ := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			kmspubtest.WriteKMSJSON(w, []byte(`{"KeyId": "`+faultKeyID+`", "PublicKey": `))
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var deser *smithy.DeserializationError
		if !errors.As(err, &deser) {
			t.Fatalf("err = %v (%T), want a smithy.DeserializationError", err, err)
		}
	})

	t.Run("slow answer, context deadline", func(t *testing.T) {
		client, _ := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done(): // the client gave up
			case <-time.After(30 * time.Second):
			}
		})
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("context cancelled before the call", func(t *testing.T) {
		client, f := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
			kmspubtest.WriteKMSJSON(w, kmspubtest.KeyJSON(t, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify))
		})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if n := f.Attempts.Load(); n != 0 {
			t.Errorf("%d requests reached the server after cancellation", n)
		}
	})

	t.Run("context cancelled while waiting", func(t *testing.T) {
		arrived := make(chan struct{})
		client, _ := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-arrived; cancel() }()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestFetchMismatchedMetadata serves GetPublicKey answers whose metadata does
// not fit the key, or is not metadata KMS could send: Fetch must refuse each
// with an *InvalidKeyError naming the member, and build no key.
func TestFetchMismatchedMetadata(t *testing.T) {
	var p384 map[string]any
	p384File, err := os.ReadFile("testdata/keys/ECC_NIST_P384.SIGN_VERIFY.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(p384File, &p384); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		field  string
		sdkErr any // when non-nil, a pointer to the SDK error type Unwrap must reach
	}{
		{"P-384 key labelled ECC_NIST_P256", func(m map[string]any) { m["PublicKey"] = p384["PublicKey"] }, "PublicKey", nil},
		{"P-256 key labelled ECC_NIST_P384", func(m map[string]any) {
			m["KeySpec"], m["CustomerMasterKeySpec"], m["SigningAlgorithms"] = "ECC_NIST_P384", "ECC_NIST_P384", []string{"ECDSA_SHA_384"}
		}, "PublicKey", nil},
		{"usage the spec does not allow", func(m map[string]any) {
			m["KeyUsage"] = "ENCRYPT_DECRYPT"
			delete(m, "SigningAlgorithms")
		}, "KeyUsage", new(*smithy.GenericAPIError)},
		{"algorithm the spec does not offer", func(m map[string]any) { m["SigningAlgorithms"] = []string{"ECDSA_SHA_384"} }, "SigningAlgorithms", new(*types.InvalidKeyUsageException)},
		{"list of another usage", func(m map[string]any) { m["EncryptionAlgorithms"] = []string{"RSAES_OAEP_SHA_256"} }, "EncryptionAlgorithms", nil},
		{"CustomerMasterKeySpec differs", func(m map[string]any) { m["CustomerMasterKeySpec"] = "ECC_NIST_P384" }, "CustomerMasterKeySpec", nil},
		{"symmetric key spec", func(m map[string]any) {
			m["KeySpec"], m["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"
		}, "KeySpec", new(*types.UnsupportedOperationException)},
		{"KeyId is not a key ARN", func(m map[string]any) { m["KeyId"] = "alias/kmspub" }, "KeyId", nil},
		{"no KeyUsage", func(m map[string]any) { delete(m, "KeyUsage") }, "KeyUsage", nil},
		{"no PublicKey", func(m map[string]any) { delete(m, "PublicKey") }, "PublicKey", nil},
		{"truncated PublicKey", func(m map[string]any) {
			der := m["PublicKey"].(string)
			m["PublicKey"] = der[:len(der)-4] // three bytes short
		}, "PublicKey", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(kmspubtest.KeyJSON(t, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify), &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			client, _ := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) { kmspubtest.WriteKMSJSON(w, body) })
			k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
			mustFail(t, k, err)
			var invalid *kmspub.InvalidKeyError
			if !errors.As(err, &invalid) || !errors.Is(err, kmspub.ErrInvalidKey) {
				t.Fatalf("err = %v (%T), want *kmspub.InvalidKeyError", err, err)
			}
			if invalid.Field != tt.field {
				t.Errorf("InvalidKeyError.Field = %q (%v), want %q", invalid.Field, err, tt.field)
			}
			if tt.sdkErr != nil && !errors.As(err, tt.sdkErr) {
				t.Errorf("err = %v does not unwrap to %T", err, tt.sdkErr)
			}
		})
	}
}

// TestFetchErrorIsNotRewrapped checks that an SDK error reaches the caller as
// the SDK returned it, with its full chain, by comparing Fetch's error with
// the error of the same GetPublicKey call made directly.
func TestFetchErrorIsNotRewrapped(t *testing.T) {
	client, _ := kmspubtest.NewFaultServer(t, faultKeyID, func(_ int, w http.ResponseWriter, _ *http.Request) {
		kmspubtest.WriteKMSError(w, http.StatusBadRequest, "DisabledException", faultKeyID+" is disabled.")
	})
	_, direct := client.GetPublicKey(t.Context(), &kms.GetPublicKeyInput{KeyId: aws.String(faultKeyID)})
	k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
	mustFail(t, k, err)
	if err.Error() != direct.Error() {
		t.Errorf("Fetch error %q differs from the SDK's %q", err, direct)
	}
	var disabled *types.DisabledException
	if !errors.As(err, &disabled) || disabled.ErrorMessage() != faultKeyID+" is disabled." {
		t.Errorf("err = %v, want *types.DisabledException with KMS's message", err)
	}
}

// TestEd25519SmallOrderKeyRefused: an Ed25519 key of small order (here the
// identity point, under which R = identity, S = 0 signs every message) is
// refused by both ways of loading a key; internal/spki's tests cover the
// other small-order points and non-canonical encodings.
func TestEd25519SmallOrderKeyRefused(t *testing.T) {
	der := kmspubtest.PublicKeyDER(t, types.KeySpecEccNistEdwards25519)
	identity := bytes.Clone(der)
	clear(identity[len(identity)-32:])
	identity[len(identity)-32] = 1
	file := editKeyJSON(t, "ECC_NIST_EDWARDS25519.SIGN_VERIFY", func(m map[string]any) { m["PublicKey"] = b64(identity) })
	k, err := kmspub.ParseGetPublicKeyJSON(file)
	checkRefusal(t, k, err, refusal{"PublicKey", "small order", "", ""})
	k, err = kmspub.ParseSubjectPublicKeyInfo(identity, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistEdwards25519, KeyUsage: sv})
	checkRefusal(t, k, err, refusal{"PublicKey", "small order", "", ""})
	// The real key still loads by the same paths.
	if _, err := kmspub.ParseSubjectPublicKeyInfo(der, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistEdwards25519, KeyUsage: sv}); err != nil {
		t.Fatal(err)
	}
}
