// Package examples holds runnable programs that use the kmspub library;
// this test runs each with `go run` from the repository root, as the README
// tells users to, and checks what it prints.
package examples

import (
	"bytes"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goRun runs `go run ./examples/name args...` in the repository root and
// returns its standard output.
func goRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	gotool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the examples: %v", err)
	}
	cmd := exec.Command(gotool, append([]string{"run", "./examples/" + name}, args...)...)
	cmd.Dir = ".."
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run ./examples/%s: %v\nstdout:\n%s\nstderr:\n%s", name, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// wantLines requires each regexp to match a whole line of out.
func wantLines(t *testing.T, out string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)^` + p + `$`).MatchString(out) {
			t.Errorf("output has no line matching %q:\n%s", p, out)
		}
	}
}

func TestVerifyOffline(t *testing.T) {
	out := goRun(t, "verify-offline")
	wantLines(t, out,
		`key arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd: ECC_NIST_P256, SIGN_VERIFY, \[ECDSA_SHA_256\]`,
		`verified: 43-byte message, \d+-byte ECDSA_SHA_256 signature: SignatureValid true`,
		`tampered message: KMSInvalidSignatureException, as from KMS Verify`,
		`ECDSA_SHA_384: InvalidKeyUsageException: Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256\.`,
	)
}

// TestEncryptForKMS decrypts the ciphertext.bin the example writes — the
// file it tells the user to give KMS Decrypt — with OpenSSL and the test
// key's private half, standing in for KMS Decrypt.
func TestEncryptForKMS(t *testing.T) {
	ctPath := filepath.Join(t.TempDir(), "ciphertext.bin")
	out := goRun(t, "encrypt-for-kms", ctPath)
	wantLines(t, out,
		`key arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001 \(RSA_2048, \[RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256\]\)`,
		`encrypted 39 bytes with RSAES_OAEP_SHA_256: 256-byte ciphertext`,
		`CiphertextBlob: [A-Za-z0-9+/]{342}==`,
		`wrote `+regexp.QuoteMeta(ctPath),
		`decrypt with: aws kms decrypt --key-id \S+ --encryption-algorithm RSAES_OAEP_SHA_256 --ciphertext-blob fileb://`+regexp.QuoteMeta(ctPath),
		`191 bytes: ValidationException: Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes\.`,
	)
	m := regexp.MustCompile(`(?m)^CiphertextBlob: (\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatal("no CiphertextBlob line")
	}
	ct, err := os.ReadFile(ctPath)
	if err != nil {
		t.Fatal(err)
	}
	if base64.StdEncoding.EncodeToString(ct) != m[1] {
		t.Error("ciphertext.bin is not the printed CiphertextBlob")
	}
	cmd := exec.Command("openssl", "pkeyutl", "-decrypt", "-inkey", filepath.Join("..", "testdata", "keys", "RSA_2048.priv.pem"),
		"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", "-in", ctPath)
	plaintext, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl decrypt: %v", err)
	}
	if want := "a data key, a password, a short secret\n"; string(plaintext) != want {
		t.Errorf("OpenSSL decrypts to %q, want %q", plaintext, want)
	}
}

func TestSM2Verify(t *testing.T) {
	out := goRun(t, "sm2-verify")
	wantLines(t, out,
		`key arn:aws-cn:kms:cn-north-1:111122223333:key/00000000-0000-4000-8000-000000000009: SM2, \[SM2DSA\]`,
		`RAW message, default ID "1234567812345678": SignatureValid true`,
		`DIGEST e = SM3\(Z_A ‖ M\) with ID "alice@example.com" \(32 bytes\): SignatureValid true`,
		`the custom-ID signature checked as RAW: KMSInvalidSignatureException`,
	)
	if strings.Count(out, "\n") != 4 {
		t.Errorf("want 4 lines, got:\n%s", out)
	}
}
