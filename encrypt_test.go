package kmspub

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// testdataKey loads testdata/keys/<spec>.<usage>.json, the aws-CLI
// get-public-key output for a test key.
func testdataKey(t testing.TB, spec types.KeySpec, usage types.KeyUsageType) *PublicKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", fmt.Sprintf("%s.%s.json", spec, usage)))
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatalf("%s.%s: %v", spec, usage, err)
	}
	return k
}

// testdataPrivateKeyPath is the OpenSSL PKCS#8 private key of a test key spec.
func testdataPrivateKeyPath(spec types.KeySpec) string {
	return filepath.Join("testdata", "keys", string(spec)+".priv.pem")
}

// opensslRun runs openssl with args and returns its stdout, failing the test
// with stderr on error.
func opensslRun(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := opensslTry(t, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// opensslTry runs openssl with args; the error carries its stderr.
func opensslTry(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found")
		}
		t.Skip("openssl not found; skipping the OpenSSL interop test")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command("openssl", args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// writeTemp writes data to a new file in t.TempDir and returns its path.
func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

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
	in := writeTemp(t, "ciphertext.bin", ciphertext)
	return opensslTry(t, "pkeyutl", "-decrypt", "-inkey", testdataPrivateKeyPath(spec), "-in", in,
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

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// wantAPIError asserts that err is a smithy.APIError of the concrete type
// of want (compared with errors.As) carrying exactly code and message.
func wantAPIError(t testing.TB, err error, code, message string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want %s %q", code, message)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v (%T) is not a smithy.APIError", err, err)
	}
	if apiErr.ErrorCode() != code || apiErr.ErrorMessage() != message {
		t.Fatalf("got %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, message)
	}
	if apiErr.ErrorFault() != smithy.FaultClient {
		t.Errorf("%s fault = %v, want client", code, apiErr.ErrorFault())
	}
	switch code {
	case "InvalidKeyUsageException":
		var e *types.InvalidKeyUsageException
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not *types.InvalidKeyUsageException", err)
		}
	case "ValidationException":
		var e *smithy.GenericAPIError
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not *smithy.GenericAPIError", err)
		}
	default:
		t.Fatalf("wantAPIError: unexpected code %s", code)
	}
}

func TestEncryptRSADecryptsWithOpenSSL(t *testing.T) {
	for _, c := range encryptCases {
		if c.alg == types.EncryptionAlgorithmSpecSm2pke {
			continue
		}
		t.Run(fmt.Sprintf("%s/%s", c.spec, c.alg), func(t *testing.T) {
			k := testdataKey(t, c.spec, types.KeyUsageTypeEncryptDecrypt)
			modulusBytes := k.spec.Size / 8
			for _, n := range []int{1, c.maxPlaintext} {
				pt := randomBytes(t, n)
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
			_, err := k.Encrypt(randomBytes(t, c.maxPlaintext+1), c.alg)
			wantAPIError(t, err, "ValidationException",
				fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", c.alg, c.spec, c.maxPlaintext))
		})
	}
}

// TestEncryptRSAWrongHashFails shows the OpenSSL check can fail: decrypting
// an RSAES_OAEP_SHA_256 ciphertext as SHA-1 OAEP must not succeed.
func TestEncryptRSAWrongHashFails(t *testing.T) {
	k := testdataKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	ct, err := k.Encrypt([]byte("hello"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := opensslDecryptOAEP(t, types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha1, ct); err == nil {
		t.Fatalf("OpenSSL decrypted a SHA-256 ciphertext as SHA-1 OAEP (%d bytes)", len(got))
	}
}

func TestEncryptRefusals(t *testing.T) {
	rsa2048 := testdataKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	rsaSign := testdataKey(t, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	sm2Enc := testdataKey(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	sm2Agree := testdataKey(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	p256Agree := testdataKey(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	mlkem768 := testdataKey(t, types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate)
	ed25519 := testdataKey(t, types.KeySpecEccNistEdwards25519, types.KeyUsageTypeSignVerify)

	const enumSet = "[SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"
	tests := []struct {
		name    string
		key     *PublicKey
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := tt.key.Encrypt(make([]byte, tt.n), tt.alg)
			if ct != nil {
				t.Errorf("refused Encrypt returned %d ciphertext bytes", len(ct))
			}
			wantAPIError(t, err, tt.code, tt.message)
		})
	}
}

// TestEncryptRefusesAlgorithmNotListed: a key whose metadata lists only
// RSAES_OAEP_SHA_256 refuses RSAES_OAEP_SHA_1, as KMS would.
func TestEncryptRefusesAlgorithmNotListed(t *testing.T) {
	full := testdataKey(t, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt)
	meta := full.GetPublicKeyOutput()
	meta.PublicKey = nil
	meta.EncryptionAlgorithms = []types.EncryptionAlgorithmSpec{types.EncryptionAlgorithmSpecRsaesOaepSha256}
	k, err := ParseSubjectPublicKeyInfo(full.DER(), meta)
	if err != nil {
		t.Fatal(err)
	}
	_, err = k.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha1)
	wantAPIError(t, err, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec RSA_3072.")
	if _, err := k.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha256); err != nil {
		t.Fatalf("listed algorithm refused: %v", err)
	}
}

// TestEncryptErrorsHoldNoPlaintext: refusal messages never echo plaintext.
func TestEncryptErrorsHoldNoPlaintext(t *testing.T) {
	k := testdataKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
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

// testdataSM2PrivateKey parses testdata/keys/SM2.priv.pem with gmsm.
func testdataSM2PrivateKey(t testing.TB) *sm2.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(testdataPrivateKeyPath(types.KeySpecSm2))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatal("SM2.priv.pem: no PEM block")
	}
	key, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	priv, ok := key.(*sm2.PrivateKey)
	if !ok {
		t.Fatalf("SM2.priv.pem holds %T", key)
	}
	return priv
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
	k := testdataKey(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	priv := testdataSM2PrivateKey(t)
	for _, n := range []int{1, 32, 1024} {
		pt := randomBytes(t, n)
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
		got, err = opensslTry(t, "pkeyutl", "-decrypt", "-inkey", testdataPrivateKeyPath(types.KeySpecSm2), "-in", writeTemp(t, "sm2.ct", ct))
		if err != nil {
			t.Fatalf("OpenSSL could not decrypt the %d-byte plaintext: %v", n, err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("OpenSSL decrypted %d bytes that differ from the %d-byte plaintext", len(got), n)
		}
	}
	_, err := k.Encrypt(make([]byte, 1025), types.EncryptionAlgorithmSpecSm2pke)
	wantAPIError(t, err, "ValidationException", "Algorithm SM2PKE and key spec SM2 cannot encrypt data larger than 1024 bytes.")
}

// TestEncryptSM2PKETamperedFails shows the SM2 decrypt checks can fail: a
// flipped C2 bit breaks C3 for both OpenSSL and gmsm.
func TestEncryptSM2PKETamperedFails(t *testing.T) {
	k := testdataKey(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	ct, err := k.Encrypt([]byte("sixteen byte msg"), types.EncryptionAlgorithmSpecSm2pke)
	if err != nil {
		t.Fatal(err)
	}
	ct[len(ct)-1] ^= 1 // last byte of C2
	if _, err := sm2.Decrypt(testdataSM2PrivateKey(t), ct); err == nil {
		t.Fatal("gmsm decrypted a tampered ciphertext")
	}
	if _, err := opensslTry(t, "pkeyutl", "-decrypt", "-inkey", testdataPrivateKeyPath(types.KeySpecSm2), "-in", writeTemp(t, "sm2.ct", ct)); err == nil {
		t.Fatal("OpenSSL decrypted a tampered ciphertext")
	}
}

// FuzzEncrypt runs arbitrary plaintexts and algorithm strings against every
// ENCRYPT_DECRYPT test key. It checks that Encrypt never panics, that every
// refusal is the KMS exception an independent model of docs/KMS-RULES.md §4 and §7
// predicts (type, code and message), and that every ciphertext has the size
// KMS's would.
func FuzzEncrypt(f *testing.F) {
	keys := []*PublicKey{
		testdataKey(f, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt),
		testdataKey(f, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt),
		testdataKey(f, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt),
		testdataKey(f, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt),
	}
	for _, c := range encryptCases {
		for _, n := range []int{0, 1, c.maxPlaintext, c.maxPlaintext + 1} {
			f.Add(make([]byte, n), string(c.alg))
		}
	}
	for _, alg := range []string{"", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_512", "sm2pke", "RSAES_OAEP_SHA_1\x00"} {
		f.Add([]byte("x"), alg)
	}
	f.Add(make([]byte, 4097), "RSAES_OAEP_SHA_1")

	enum := []types.EncryptionAlgorithmSpec{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}
	f.Fuzz(func(t *testing.T, plaintext []byte, algorithm string) {
		alg := types.EncryptionAlgorithmSpec(algorithm)
		for _, k := range keys {
			ct, err := k.Encrypt(plaintext, alg)

			// The model: what KMS answers, in KMS's order.
			var code, message string
			limit := -1
			for _, c := range encryptCases {
				if c.spec == k.KeySpec() && c.alg == alg {
					limit = c.maxPlaintext
				}
			}
			effective := alg
			if alg == "" {
				effective = "SYMMETRIC_DEFAULT"
			}
			switch {
			case len(plaintext) == 0:
				code, message = "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"
			case len(plaintext) > 4096:
				code, message = "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"
			case alg != "" && !slices.Contains(enum, alg):
				code, message = "ValidationException", fmt.Sprintf("1 validation error detected: Value '%.256s' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]", alg)
			case limit < 0:
				code, message = "InvalidKeyUsageException", fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", effective, k.KeySpec())
			case len(plaintext) > limit:
				code, message = "ValidationException", fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, k.KeySpec(), limit)
			}

			if code != "" {
				if ct != nil {
					t.Fatalf("%s %q %d bytes: refused, yet returned a ciphertext", k.KeySpec(), alg, len(plaintext))
				}
				wantAPIError(t, err, code, message)
				continue
			}
			if err != nil {
				t.Fatalf("%s %q %d bytes: %v", k.KeySpec(), alg, len(plaintext), err)
			}
			if k.KeySpec() == types.KeySpecSm2 {
				if _, c2 := parseSM2Ciphertext(t, ct); len(c2) != len(plaintext) {
					t.Fatalf("SM2PKE C2 is %d bytes for a %d-byte plaintext", len(c2), len(plaintext))
				}
			} else if want := k.spec.Size / 8; len(ct) != want {
				t.Fatalf("%s ciphertext is %d bytes, want %d", k.KeySpec(), len(ct), want)
			}
		}
	})
}
