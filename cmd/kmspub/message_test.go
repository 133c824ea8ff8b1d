package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// encrypt-message --output - streams the message to the real stdout (the
// command does not buffer its output as the JSON commands do), and prints
// nothing else.
func TestEncryptMessageToStdout(t *testing.T) {
	keys := filepath.Join("..", "..", "testdata", "keys")
	input := filepath.Join("..", "..", "testdata", "sample", "message.txt")
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"encrypt-message",
		"--key-file", filepath.Join(keys, "RSA_2048.ENCRYPT_DECRYPT.json"),
		"--key-file", filepath.Join(keys, "ECC_NIST_P521.KEY_AGREEMENT.json"),
		"--encryption-algorithm", "RSAES_OAEP_SHA_256", "--frame-length", "7",
		"--input", input, "--output", "-"}, &stdout, &stderr)
	if status != exitOK || stderr.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr.String())
	}
	r := bytes.NewReader(stdout.Bytes())
	h, _, _, err := esdkformat.ReadHeader(r, esdkformat.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.EncryptedDataKeys) != 2 || h.FrameLength != 7 {
		t.Fatalf("header: %d EDKs, frame %d", len(h.EncryptedDataKeys), h.FrameLength)
	}
	var buf []byte
	for seq := uint32(1); ; seq++ {
		f, b, err := esdkformat.ReadFrame(r, h.FrameLength, seq, buf)
		if err != nil {
			t.Fatal(err)
		}
		buf = b
		if f.Final {
			break
		}
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes after the message", r.Len())
	}
}

// A refused encrypt-message writes nothing to stdout either.
func TestEncryptMessageRefusedToStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"encrypt-message",
		"--key-file", filepath.Join("..", "..", "testdata", "keys", "RSA_2048.SIGN_VERIFY.json"),
		"--encryption-algorithm", "RSAES_OAEP_SHA_256", "--input", "-", "--output", "-"}, &stdout, &stderr)
	if status != exitService || stdout.Len() != 0 || !strings.Contains(stderr.String(), "InvalidKeyUsageException") {
		t.Errorf("status %d, stdout %d bytes, stderr %q", status, stdout.Len(), stderr.String())
	}
}
