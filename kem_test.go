package kmspub_test

import (
	"bytes"
	stdmlkem "crypto/mlkem"
	"crypto/mlkem/mlkemtest"
	"encoding/asn1"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/mlkem"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
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

func TestEncapsulateMatchesDecapsulation(t *testing.T) {
	for _, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			k := kmspubtest.Key(t, c.spec, types.KeyUsageTypeEncapsulateDecapsulate)
			dk, ek := kmspubtest.DecapsulationKey(t, c.spec)
			if !bytes.Equal(ek, kmspubtest.RawPublicKey(t, k)) {
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

// derandomizedEncapsulate runs ML-KEM.Encaps_internal with the 32-byte m on
// the key a PublicKey holds.
func derandomizedEncapsulate(t testing.TB, k *kmspub.PublicKey, m []byte) (sharedKey, ciphertext []byte) {
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
	kem512 := kmspubtest.Key(t, types.KeySpecMlKem512, types.KeyUsageTypeEncapsulateDecapsulate)
	rsaEnc := kmspubtest.Key(t, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
	p256Agree := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	mldsa := kmspubtest.Key(t, types.KeySpecMlDsa65, types.KeyUsageTypeSignVerify)
	sm2Sign := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeSignVerify)
	tests := []struct {
		name    string
		key     *kmspub.PublicKey
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
			kmspubtest.WantAPIError(t, err, tt.code, tt.message)
		})
	}
}
