package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// The CLI's limits: a blob file (fileb://, file://) or --key-file of any
// size is read through a bounded reader and refused, and --message-file is
// streamed, so no file makes kmspub allocate in proportion to it. The files
// are sparse: 100 MB of them costs no disk.

const hugeFile = 100 << 20

// sparseFile creates a file of size zero bytes that occupies no disk.
func sparseFile(t *testing.T, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLimitsBlobFiles(t *testing.T) {
	path := sparseFile(t, hugeFile)
	// A regular file is refused from its size; anything else (a device, a
	// pipe) is read through a buffer that grows to maxParamFileSize+1, in
	// doublings: a few times that in all, and nowhere near the input.
	const bound = 16 * maxParamFileSize // (about twice as much under -race)
	inputs := map[string]string{"fileb://, 100 MB file": "fileb://" + path, "file://, 100 MB file": "file://" + path}
	if _, err := os.Stat("/dev/zero"); err == nil {
		inputs["fileb:///dev/zero (endless)"] = "fileb:///dev/zero"
	}
	var err error
	for what, arg := range inputs {
		n := kmspubtest.Allocated(func() { _, err = parseBlob("signature", arg) })
		if err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s: %v; want the size refusal", what, err)
		}
		if n > bound {
			t.Errorf("%s: allocated %d bytes (bound %d)", what, n, bound)
		}
		t.Logf("%s: refused after allocating %d bytes", what, n)
	}

	var stderr bytes.Buffer
	var status int
	n := kmspubtest.Allocated(func() {
		status = run(context.Background(), []string{"verify", "--key-file", path, "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY",
			"--message", "bQ==", "--signing-algorithm", "ECDSA_SHA_256", "--signature", "MAA="}, io.Discard, &stderr)
	})
	if status != exitParam || !strings.Contains(stderr.String(), "larger than") {
		t.Errorf("--key-file of %d bytes: status %d, %q; want %d and the size refusal", hugeFile, status, stderr.String(), exitParam)
	}
	if n > 1<<20 {
		t.Errorf("--key-file of %d bytes allocated %d bytes", hugeFile, n)
	}
	t.Logf("--key-file, %d MB: refused after allocating %d bytes", hugeFile>>20, n)

	var key any
	n = kmspubtest.Allocated(func() { key, err = readPrivateKey(path) })
	if err == nil || key != nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("--private-key of %d bytes: %v", hugeFile, err)
	}
	if n > 1<<20 {
		t.Errorf("--private-key of %d bytes allocated %d bytes", hugeFile, n)
	}
	t.Logf("--private-key, %d MB: refused after allocating %d bytes", hugeFile>>20, n)
}

// TestLimitsMessageFile: verify --message-file streams a 64 MiB message in
// constant memory, and a signature over it verifies.
func TestLimitsMessageFile(t *testing.T) {
	const size = 64 << 20
	path := sparseFile(t, size)
	keys := filepath.Join("..", "..", "testdata", "keys")
	pemBytes, err := os.ReadFile(filepath.Join(keys, "ECC_NIST_P256.priv.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	io.Copy(h, io.LimitReader(zeros{}, size))
	sig, err := ecdsa.SignASN1(rand.Reader, priv.(*ecdsa.PrivateKey), h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	sigPath := filepath.Join(t.TempDir(), "sig")
	if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	var status int
	n := kmspubtest.Allocated(func() {
		status = run(context.Background(), []string{"verify", "--key-file", filepath.Join(keys, "ECC_NIST_P256.SIGN_VERIFY.json"),
			"--message-file", path, "--signing-algorithm", "ECDSA_SHA_256", "--signature", "fileb://" + sigPath}, &stdout, &stderr)
	})
	if status != exitOK || !strings.Contains(stdout.String(), `"SignatureValid": true`) {
		t.Fatalf("verify --message-file of %d bytes: status %d, %s%s", size, status, stdout.String(), stderr.String())
	}
	if n > 1<<20 {
		t.Errorf("verify --message-file of %d bytes allocated %d bytes", size, n)
	}
	t.Logf("verify --message-file, %d MiB: valid, %d bytes allocated", size>>20, n)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
