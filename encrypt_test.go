package kmspub_test

import (
	"bytes"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// opensslDecryptOAEP decrypts an RSAES-OAEP ciphertext with OpenSSL, using
// the MGF1 hash equal to the OAEP hash and the empty label KMS uses. It is
// the reference decrypter for kmspub's RSA ciphertexts.
func opensslDecryptOAEP(t testing.TB, spec types.KeySpec, alg types.EncryptionAlgorithmSpec, ciphertext []byte) ([]byte, error) {
	t.Helper()
	md := map[types.EncryptionAlgorithmSpec]string{
		types.EncryptionAlgorithmSpecRsaesOaepSha1:   "sha1",
		types.EncryptionAlgorithmSpecRsaesOaepSha256: "sha256",
	}[alg]
	if md == "" {
		t.Fatalf("no OAEP hash for %s", alg)
	}
	in := kmspubtest.WriteTemp(t, "ciphertext.bin", ciphertext)
	return kmspubtest.TryOpenSSL(t, "pkeyutl", "-decrypt", "-inkey", kmspubtest.PrivateKeyPath(spec), "-in", in,
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:"+md, "-pkeyopt", "rsa_mgf1_md:"+md)
}

// encryptCase is one (key spec, algorithm) pair KMS Encrypt accepts, with
// KMS's plaintext limit (docs/KMS-RULES.md §4.2, §4.3). The values are written out
// here, independently of internal/kmsrules, so that a wrong table fails.
type encryptCase struct {
	spec         types.KeySpec
	alg          types.EncryptionAlgorithmSpec
	maxPlaintext int
}

var encryptCases = []encryptCase{
	{types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha1, 214},
	{types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha256, 190},
	{types.KeySpecRsa3072, types.EncryptionAlgorithmSpecRsaesOaepSha1, 342},
	{types.KeySpecRsa3072, types.EncryptionAlgorithmSpecRsaesOaepSha256, 318},
	{types.KeySpecRsa4096, types.EncryptionAlgorithmSpecRsaesOaepSha1, 470},
	{types.KeySpecRsa4096, types.EncryptionAlgorithmSpecRsaesOaepSha256, 446},
	{types.KeySpecSm2, types.EncryptionAlgorithmSpecSm2pke, 1024},
}

func TestEncryptRSADecryptsWithOpenSSL(t *testing.T) {
	for _, c := range encryptCases {
		if c.alg == types.EncryptionAlgorithmSpecSm2pke {
			continue
		}
		t.Run(fmt.Sprintf("%s/%s", c.spec, c.alg), func(t *testing.T) {
			k := kmspubtest.Key(t, c.spec, types.KeyUsageTypeEncryptDecrypt)
			modulusBytes := kmsrules.LookupKeySpec(k.KeySpec()).Size / 8
			for _, n := range []int{1, c.maxPlaintext} {
				pt := kmspubtest.RandomBytes(t, n)
				ct, err := k.Encrypt(pt, c.alg)
				if err != nil {
					t.Fatalf("Encrypt %d bytes: %v", n, err)
				}
				if len(ct) != modulusBytes {
					t.Fatalf("ciphertext is %d bytes, want %d", len(ct), modulusBytes)
				}
				got, err := opensslDecryptOAEP(t, c.spec, c.alg, ct)
				if err != nil {
					t.Fatalf("OpenSSL could not decrypt the %d-byte plaintext: %v", n, err)
				}
				if !bytes.Equal(got, pt) {
					t.Fatalf("OpenSSL decrypted %d bytes that differ from the %d-byte plaintext", len(got), n)
				}
			}
			_, err := k.Encrypt(kmspubtest.RandomBytes(t, c.maxPlaintext+1), c.alg)
			kmspubtest.WantAPIError(t, err, "ValidationException", fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", c.alg, c.spec, c.maxPlaintext))
		})
	}
}

// TestEncryptRSAWrongHashFails shows the OpenSSL check can fail: decrypting
// an RSAES_OAEP_SHA_256 ciphertext as SHA-1 OAEP must not succeed.
func TestEncryptRSAWrongHashFails(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	ct, err := k.Encrypt([]byte("hello"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := opensslDecryptOAEP(t, types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha1, ct); err == nil {
		t.Fatalf("OpenSSL decrypted a SHA-256 ciphertext as SHA-1 OAEP (%d bytes)", len(got))
	}
}

func TestEncryptRefusals(t *testing.T) {
	rsa2048 := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	rsaSign := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	sm2Enc := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	sm2Agree := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	p256Agree := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	mlkem768 := kmspubtest.Key(t, types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate)
	ed25519 := kmspubtest.Key(t, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)

	const enumSet = "[RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE, SYMMETRIC_DEFAULT]" // AWS's order, docs/KMS-RULES.md §13.2
	tests := []struct {
		name    string
		key     *kmspub.PublicKey
		n       int
		alg     types.EncryptionAlgorithmSpec
		code    string
		message string
	}{
		{"empty plaintext", rsa2048, 0, types.EncryptionAlgorithmSpecRsaesOaepSha256, "ValidationException",
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"plaintext over 4096", rsa2048, 4097, types.EncryptionAlgorithmSpecRsaesOaepSha256, "ValidationException",
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"plaintext over 4096 on a signing key", rsaSign, 4097, types.EncryptionAlgorithmSpecRsaesOaepSha256, "ValidationException",
			"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"unknown algorithm", rsa2048, 16, "RSAES_OAEP_SHA_512", "ValidationException",
			"1 validation error detected: Value 'RSAES_OAEP_SHA_512' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " + enumSet},
		{"lower-case algorithm", rsa2048, 16, "rsaes_oaep_sha_256", "ValidationException",
			"1 validation error detected: Value 'rsaes_oaep_sha_256' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " + enumSet},
		{"omitted algorithm", rsa2048, 16, "", "InvalidKeyUsageException",
			"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
		{"SYMMETRIC_DEFAULT", rsa2048, 16, types.EncryptionAlgorithmSpecSymmetricDefault, "InvalidKeyUsageException",
			"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."},
		{"SM2PKE on RSA", rsa2048, 16, types.EncryptionAlgorithmSpecSm2pke, "InvalidKeyUsageException",
			"Algorithm SM2PKE is incompatible with key spec RSA_2048."},
		{"OAEP on SM2", sm2Enc, 16, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			"Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SM2."},
		{"omitted algorithm on SM2", sm2Enc, 16, "", "InvalidKeyUsageException",
			"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec SM2."},
		{"SIGN_VERIFY key", rsaSign, 16, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			rsaSign.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"SIGN_VERIFY key, usage before algorithm", rsaSign, 16, "", "InvalidKeyUsageException",
			rsaSign.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"SIGN_VERIFY key, usage before size", rsaSign, 1000, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			rsaSign.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"Ed25519 key", ed25519, 16, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			ed25519.KeyID() + " key usage is SIGN_VERIFY which is not valid for Encrypt."},
		{"KEY_AGREEMENT SM2 key", sm2Agree, 16, types.EncryptionAlgorithmSpecSm2pke, "InvalidKeyUsageException",
			sm2Agree.KeyID() + " key usage is KEY_AGREEMENT which is not valid for Encrypt."},
		{"KEY_AGREEMENT P-256 key", p256Agree, 16, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			p256Agree.KeyID() + " key usage is KEY_AGREEMENT which is not valid for Encrypt."},
		{"ML-KEM key", mlkem768, 16, types.EncryptionAlgorithmSpecRsaesOaepSha256, "InvalidKeyUsageException",
			mlkem768.KeyID() + " key usage is ENCAPSULATE_DECAPSULATE which is not valid for Encrypt."},
		{"algorithm before size", rsa2048, 1000, types.EncryptionAlgorithmSpecSm2pke, "InvalidKeyUsageException",
			"Algorithm SM2PKE is incompatible with key spec RSA_2048."},
		{"SM2PKE over 1024", sm2Enc, 1025, types.EncryptionAlgorithmSpecSm2pke, "ValidationException",
			"Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes."},
		// Every model violation in one exception, in member order (docs/KMS-RULES.md §7.2).
		{"empty plaintext and unknown algorithm", rsa2048, 0, "FOO", "ValidationException",
			"2 validation errors detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value 'FOO' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " + enumSet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := tt.key.Encrypt(make([]byte, tt.n), tt.alg)
			if ct != nil {
				t.Errorf("refused Encrypt returned %d ciphertext bytes", len(ct))
			}
			kmspubtest.WantAPIError(t, err, tt.code, tt.message)
		})
	}
	// An absent (nil) plaintext is KMS's answer for a missing sensitive
	// member: no "null" (docs/KMS-RULES.md §4.1, §13.1 row 3d). An empty
	// one is the length violation above (row 3e).
	_, err := rsa2048.Encrypt(nil, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	kmspubtest.WantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must not be null")
}

// TestEncryptRefusesAlgorithmNotListed: a key whose metadata lists only
// RSAES_OAEP_SHA_256 refuses RSAES_OAEP_SHA_1, as KMS would.
func TestEncryptRefusesAlgorithmNotListed(t *testing.T) {
	full := kmspubtest.Key(t, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt)
	meta := full.GetPublicKeyOutput()
	meta.PublicKey = nil
	meta.EncryptionAlgorithms = []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecRsaesOaepSha256}
	k, err := kmspub.ParseSubjectPublicKeyInfo(full.DER(), meta)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha1)
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec RSA_3072.")
	if _, err := k.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha256); err != nil {
		t.Fatalf("listed algorithm refused: %v", err)
	}
}

// TestEncryptErrorsHoldNoPlaintext: refusal messages never echo plaintext.
func TestEncryptErrorsHoldNoPlaintext(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	secret := bytes.Repeat([]byte("SECRETSECRET"), 30)
	for _, alg := range []types.EncryptionAlgorithmSpec{"", "BOGUS", types.EncryptionAlgorithmSpecRsaesOaepSha1} {
		_, err := k.Encrypt(secret, alg)
		if err == nil {
			t.Fatalf("%q: %d-byte plaintext accepted", alg, len(secret))
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Fatalf("%q: error contains plaintext: %v", alg, err)
		}
	}
}

// parseSM2Ciphertext checks that ct is exactly the DER
// SEQUENCE {INTEGER x, INTEGER y, OCTET STRING C3, OCTET STRING C2} that KMS
// Decrypt takes (docs/KMS-RULES.md §4.3) — minimal, positive INTEGERs naming a
// point on the SM2 curve, a 32-byte C3, nothing after the SEQUENCE — and
// returns C3 and C2.
func parseSM2Ciphertext(t testing.TB, ct []byte) (c3, c2 []byte) {
	t.Helper()
	var (
		input = cryptobyte.String(ct)
		seq   cryptobyte.String
		x, y  = new(big.Int), new(big.Int)
	)
	// cryptobyte refuses non-minimal INTEGER encodings and non-DER lengths.
	if !input.ReadASN1(&seq, cbasn1.SEQUENCE) || !input.Empty() ||
		!seq.ReadASN1Integer(x) || !seq.ReadASN1Integer(y) ||
		!seq.ReadASN1Bytes(&c3, cbasn1.OCTET_STRING) || !seq.ReadASN1Bytes(&c2, cbasn1.OCTET_STRING) || !seq.Empty() {
		t.Fatalf("ciphertext is not DER SEQUENCE{INTEGER, INTEGER, OCTET STRING, OCTET STRING}: %x", ct)
	}
	if x.Sign() <= 0 || y.Sign() <= 0 || !sm2.P256().IsOnCurve(x, y) {
		t.Fatal("C1 (x, y) is not a point on the SM2 curve")
	}
	if len(c3) != 32 {
		t.Fatalf("C3 is %d bytes, want 32 (SM3)", len(c3))
	}
	return c3, c2
}

func TestEncryptSM2PKE(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	priv := kmspubtest.LoadPrivateKey(t, types.KeySpecSm2).SM2
	for _, n := range []int{1, 32, 1024} {
		pt := kmspubtest.RandomBytes(t, n)
		ct, err := k.Encrypt(pt, types.EncryptionAlgorithmSpecSm2pke)
		if err != nil {
			t.Fatalf("Encrypt %d bytes: %v", n, err)
		}
		if _, c2 := parseSM2Ciphertext(t, ct); len(c2) != n {
			t.Fatalf("C2 is %d bytes, want %d (the plaintext length)", len(c2), n)
		}
		got, err := sm2.Decrypt(priv, ct)
		if err != nil || !bytes.Equal(got, pt) {
			t.Fatalf("gmsm sm2.Decrypt of the %d-byte plaintext: err=%v, equal=%v", n, err, bytes.Equal(got, pt))
		}
		// OpenSSL 3.0 reads SM2 PKCS#8 keys as SM2 keys; pkeyutl then
		// decrypts the GM/T 0009 ASN.1 form with SM3.
		got, err = kmspubtest.TryOpenSSL(t, "pkeyutl", "-decrypt", "-inkey", kmspubtest.PrivateKeyPath(types.KeySpecSm2), "-in", kmspubtest.WriteTemp(t, "sm2.ct", ct))
		if err != nil {
			t.Fatalf("OpenSSL could not decrypt the %d-byte plaintext: %v", n, err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("OpenSSL decrypted %d bytes that differ from the %d-byte plaintext", len(got), n)
		}
	}
	_, err := k.Encrypt(make([]byte, 1025), types.EncryptionAlgorithmSpecSm2pke)
	kmspubtest.WantAPIError(t, err, "ValidationException", "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.")
}

// TestEncryptSM2PKETamperedFails shows the SM2 decrypt checks can fail: a
// flipped C2 bit breaks C3 for both OpenSSL and gmsm.
func TestEncryptSM2PKETamperedFails(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	ct, err := k.Encrypt([]byte("sixteen byte msg"), types.EncryptionAlgorithmSpecSm2pke)
	if err != nil {
		t.Fatal(err)
	}
	ct[len(ct)-1] ^= 1 // last byte of C2
	if _, err := sm2.Decrypt(kmspubtest.LoadPrivateKey(t, types.KeySpecSm2).SM2, ct); err == nil {
		t.Fatal("gmsm decrypted a tampered ciphertext")
	}
	if _, err := kmspubtest.TryOpenSSL(t, "pkeyutl", "-decrypt", "-inkey", kmspubtest.PrivateKeyPath(types.KeySpecSm2), "-in", kmspubtest.WriteTemp(t, "sm2.ct", ct)); err == nil {
		t.Fatal("OpenSSL decrypted a tampered ciphertext")
	}
}
