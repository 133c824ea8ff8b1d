package kmspub

import (
	"bytes"
	stdmlkem "crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/mlkem"
)

// kemSpecs lists the ML-KEM specs with the sizes of docs/KMS-RULES.md §6 and
// FIPS 203, written out independently of the rules table.
var kemSpecs = []struct {
	spec           types.KeySpec
	oid            asn1.ObjectIdentifier // RFC 9935 id-alg-ml-kem-*
	ekSize, ctSize int
	wycheproof     string
}{
	{types.KeySpecMlKem512, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}, 800, 768, "mlkem_512_encaps_test.json"},
	{types.KeySpecMlKem768, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}, 1184, 1088, "mlkem_768_encaps_test.json"},
	{types.KeySpecMlKem1024, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}, 1568, 1568, "mlkem_1024_encaps_test.json"},
}

// mlkemDecapsulator is the KMS side of an ML-KEM test key: the FIPS 203
// decapsulation key made from testdata/keys/<spec>.seed.
type mlkemDecapsulator interface {
	Decapsulate(ciphertext []byte) ([]byte, error)
}

func testdataDecapsulationKey(t testing.TB, spec types.KeySpec) (dk mlkemDecapsulator, ek []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", string(spec)+".seed"))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	switch spec {
	case types.KeySpecMlKem512:
		k, err := mlkem.NewDecapsulationKeyFromSeed512(seed)
		if err != nil {
			t.Fatal(err)
		}
		return k, k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem768:
		k, err := stdmlkem.NewDecapsulationKey768(seed)
		if err != nil {
			t.Fatal(err)
		}
		return k, k.EncapsulationKey().Bytes()
	case types.KeySpecMlKem1024:
		k, err := stdmlkem.NewDecapsulationKey1024(seed)
		if err != nil {
			t.Fatal(err)
		}
		return k, k.EncapsulationKey().Bytes()
	}
	t.Fatalf("no ML-KEM spec %s", spec)
	return nil, nil
}

func TestEncapsulateMatchesDecapsulation(t *testing.T) {
	for _, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			k := testdataKey(t, c.spec, types.KeyUsageTypeEncapsulateDecapsulate)
			dk, ek := testdataDecapsulationKey(t, c.spec)
			if !bytes.Equal(ek, k.raw) {
				t.Fatal("testdata seed does not give the key in the SPKI")
			}
			var previous []byte
			for range 3 {
				secret, ct, err := k.Encapsulate(types.EncapsulationAlgorithmSpecMlKem)
				if err != nil {
					t.Fatal(err)
				}
				if len(secret) != 32 || len(ct) != c.ctSize {
					t.Fatalf("secret %d bytes, ciphertext %d bytes; want 32 and %d", len(secret), len(ct), c.ctSize)
				}
				got, err := dk.Decapsulate(ct)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, secret) {
					t.Fatal("FIPS 203 decapsulation gives another secret")
				}
				if bytes.Equal(secret, previous) {
					t.Fatal("two encapsulations gave the same secret")
				}
				previous = secret

				// Implicit rejection: a flipped bit gives another secret and no
				// error, which is why callers must confirm the secret.
				ct[0] ^= 1
				rejected, err := dk.Decapsulate(ct)
				if err != nil || len(rejected) != 32 || bytes.Equal(rejected, secret) {
					t.Fatalf("tampered ciphertext: err=%v, %d bytes, same secret=%v", err, len(rejected), bytes.Equal(rejected, secret))
				}
			}
		})
	}
}

// mlkemSPKI wraps a raw encapsulation key in the RFC 9935
// SubjectPublicKeyInfo KMS GetPublicKey returns (AlgorithmIdentifier
// parameters absent).
func mlkemSPKI(t testing.TB, oid asn1.ObjectIdentifier, ek []byte) []byte {
	t.Helper()
	der, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oid}, asn1.BitString{Bytes: ek, BitLength: 8 * len(ek)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestEncapsulateWycheproofKeys feeds the Wycheproof ML-KEM encapsulation
// vectors through Load: keys that fail the FIPS 203 modulus check or have the
// wrong length must be refused when the PublicKey is built; valid keys must
// be accepted, kept byte for byte (checked with derandomized encapsulation
// against the vector's K and c), and usable with Encapsulate.
func TestEncapsulateWycheproofKeys(t *testing.T) {
	for _, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			data := wycheproof.Read(t, c.wycheproof)
			var suite struct {
				TestGroups []struct {
					ParameterSet string `json:"parameterSet"`
					Tests        []struct {
						TcID    int      `json:"tcId"`
						Comment string   `json:"comment"`
						Flags   []string `json:"flags"`
						M       string   `json:"m"`
						EK      string   `json:"ek"`
						C       string   `json:"c"`
						K       string   `json:"K"`
						Result  string   `json:"result"`
					} `json:"tests"`
				} `json:"testGroups"`
			}
			if err := json.Unmarshal(data, &suite); err != nil {
				t.Fatal(err)
			}
			meta := &kms.GetPublicKeyOutput{KeySpec: c.spec, KeyUsage: types.KeyUsageTypeEncapsulateDecapsulate}
			var accepted, refused int
			reasons := map[string]int{}
			for _, g := range suite.TestGroups {
				for _, tc := range g.Tests {
					ek, _ := hex.DecodeString(tc.EK)
					k, err := ParseSubjectPublicKeyInfo(mlkemSPKI(t, c.oid, ek), meta)
					switch tc.Result {
					case "valid":
						if err != nil {
							t.Errorf("tcId %d (%s): valid key refused: %v", tc.TcID, tc.Comment, err)
							continue
						}
						accepted++
						m, _ := hex.DecodeString(tc.M)
						wantK, _ := hex.DecodeString(tc.K)
						wantC, _ := hex.DecodeString(tc.C)
						gotK, gotC := derandomizedEncapsulate(t, k, m)
						if !bytes.Equal(gotK, wantK) || !bytes.Equal(gotC, wantC) {
							t.Errorf("tcId %d (%s): loaded key does not give the vector's K and c", tc.TcID, tc.Comment)
						}
						if _, ct, err := k.Encapsulate(types.EncapsulationAlgorithmSpecMlKem); err != nil || len(ct) != c.ctSize {
							t.Errorf("tcId %d: Encapsulate: %v", tc.TcID, err)
						}
					default:
						if err == nil {
							t.Errorf("tcId %d (%s, %v): invalid key accepted by Load", tc.TcID, tc.Comment, tc.Flags)
							continue
						}
						if !errors.Is(err, ErrInvalidKey) {
							t.Errorf("tcId %d: refusal %v is not an InvalidKeyError", tc.TcID, err)
						}
						refused++
						reason := tc.Comment
						if reason == "" {
							reason = strings.Join(tc.Flags, ",")
						}
						reasons[reason]++
					}
				}
			}
			t.Logf("%s: %d valid keys accepted, %d invalid keys refused by Load %v", c.wycheproof, accepted, refused, reasons)
			if accepted == 0 || refused == 0 {
				t.Fatal("the vector file exercised nothing")
			}
		})
	}
}

// derandomizedEncapsulate runs ML-KEM.Encaps_internal with the 32-byte m on
// the key a PublicKey holds.
func derandomizedEncapsulate(t testing.TB, k *PublicKey, m []byte) (sharedKey, ciphertext []byte) {
	t.Helper()
	var err error
	switch ek := k.CryptoPublicKey().(type) {
	case *mlkem.EncapsulationKey512:
		if len(m) != 32 {
			t.Fatalf("m is %d bytes", len(m))
		}
		sharedKey, ciphertext = ek.EncapsulateInternal((*[32]byte)(m))
	case *stdmlkem.EncapsulationKey768:
		sharedKey, ciphertext, err = mlkemtest.Encapsulate768(ek, m)
	case *stdmlkem.EncapsulationKey1024:
		sharedKey, ciphertext, err = mlkemtest.Encapsulate1024(ek, m)
	default:
		t.Fatalf("%T is not an ML-KEM key", ek)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sharedKey, ciphertext
}

func TestEncapsulateRefusals(t *testing.T) {
	kem512 := testdataKey(t, types.KeySpecMlKem512, types.KeyUsageTypeEncapsulateDecapsulate)
	rsaEnc := testdataKey(t, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
	p256Agree := testdataKey(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	mldsa := testdataKey(t, types.KeySpecMlDsa65, types.KeyUsageTypeSignVerify)
	sm2Sign := testdataKey(t, types.KeySpecSm2, types.KeyUsageTypeSignVerify)
	tests := []struct {
		name    string
		key     *PublicKey
		alg     types.EncapsulationAlgorithmSpec
		code    string
		message string
	}{
		{"omitted algorithm", kem512, "", "ValidationException",
			"1 validation error detected: Value null at 'encapsulationAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"unknown algorithm", kem512, "ML_KEM_768", "ValidationException",
			"1 validation error detected: Value 'ML_KEM_768' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]"},
		{"unknown algorithm on a non-KEM key", rsaEnc, "KYBER", "ValidationException",
			"1 validation error detected: Value 'KYBER' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]"},
		{"ENCRYPT_DECRYPT RSA", rsaEnc, types.EncapsulationAlgorithmSpecMlKem, "InvalidKeyUsageException",
			rsaEnc.KeyID() + " key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate."},
		{"KEY_AGREEMENT P-256", p256Agree, types.EncapsulationAlgorithmSpecMlKem, "InvalidKeyUsageException",
			p256Agree.KeyID() + " key usage is KEY_AGREEMENT which is not valid for Encapsulate."},
		{"ML-DSA", mldsa, types.EncapsulationAlgorithmSpecMlKem, "InvalidKeyUsageException",
			mldsa.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encapsulate."},
		{"SM2 SIGN_VERIFY", sm2Sign, types.EncapsulationAlgorithmSpecMlKem, "InvalidKeyUsageException",
			sm2Sign.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encapsulate."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, ct, err := tt.key.Encapsulate(tt.alg)
			if secret != nil || ct != nil {
				t.Error("refused Encapsulate returned a secret or ciphertext")
			}
			wantAPIError(t, err, tt.code, tt.message)
		})
	}
}

// TestOperationsRequireListedAlgorithm: KMS lists exactly one key agreement
// and one encapsulation algorithm, so valid metadata cannot leave them out;
// a PublicKey whose list lacks the algorithm must still refuse it, with the
// InvalidKeyUsageException KMS uses for an algorithm a key does not offer.
func TestOperationsRequireListedAlgorithm(t *testing.T) {
	kem := *testdataKey(t, types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate)
	kem.encapsulation = nil
	_, _, err := kem.Encapsulate(types.EncapsulationAlgorithmSpecMlKem)
	wantAPIError(t, err, "InvalidKeyUsageException", "Algorithm ML_KEM is incompatible with key spec ML_KEM_768.")

	agree := *testdataKey(t, types.KeySpecEccNistP521, types.KeyUsageTypeKeyAgreement)
	agree.keyAgreement = nil
	_, _, err = agree.DeriveSharedSecret(nil, types.KeyAgreementAlgorithmSpecEcdh)
	wantAPIError(t, err, "InvalidKeyUsageException", "Algorithm ECDH is incompatible with key spec ECC_NIST_P521.")

	enc := *testdataKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	enc.encryption = nil
	_, err = enc.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	wantAPIError(t, err, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec RSA_2048.")
}
