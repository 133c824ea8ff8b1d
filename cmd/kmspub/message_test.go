package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// encrypt-message --output - streams the message to the real stdout (the
// command does not buffer its output as the JSON commands do), and prints
// nothing else.
func TestEncryptMessageToStdout(t *testing.T) {
	keys := kmspubtest.Path("keys")
	input := kmspubtest.Path("sample", "message.txt")
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"encrypt-message",
		"--key-file", filepath.Join(keys, "RSA_2048.ENCRYPT_DECRYPT.json"),
		"--key-file", filepath.Join(keys, "ECC_NIST_P521.KEY_AGREEMENT.json"),
		"--encryption-algorithm", "RSAES_OAEP_SHA_256", "--frame-length", "7",
		"--input", input, "--output", "-"}, &stdout, &stderr)
	if status != exitOK || stderr.Len() != 0 {
		t.Fatalf("status %d, stderr %q", status, stderr.String())
	}
	h, _, end := kmspubtest.MessageLayout(t, stdout.Bytes())
	if len(h.EncryptedDataKeys) != 2 || h.FrameLength != 7 {
		t.Fatalf("header: %d EDKs, frame %d", len(h.EncryptedDataKeys), h.FrameLength)
	}
	if end != stdout.Len() {
		t.Errorf("%d bytes after the message", stdout.Len()-end)
	}
}

// A refused encrypt-message writes nothing to stdout either.
func TestEncryptMessageRefusedToStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"encrypt-message",
		"--key-file", kmspubtest.Path("keys", "RSA_2048.SIGN_VERIFY.json"),
		"--encryption-algorithm", "RSAES_OAEP_SHA_256", "--input", "-", "--output", "-"}, &stdout, &stderr)
	if status != exitService || stdout.Len() != 0 || !strings.Contains(stderr.String(), "InvalidKeyUsageException") {
		t.Errorf("status %d, stdout %d bytes, stderr %q", status, stdout.Len(), stderr.String())
	}
}

// Progress: nothing unless stderr is a terminal; on one, a line redrawn in
// place and erased at the end.
func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, false, "encrypting", 100, 0, time.Millisecond)
	io.Copy(io.Discard, p.reader(strings.NewReader("data")))
	time.Sleep(5 * time.Millisecond)
	p.finish()
	if buf.Len() != 0 {
		t.Errorf("not a terminal, yet %q", buf.String())
	}

	var tty syncBuffer
	p = newProgress(&tty, true, "decrypting", 3<<20, 0, time.Millisecond)
	io.Copy(io.Discard, p.reader(bytes.NewReader(make([]byte, 3<<19))))
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(tty.String(), "decrypting 1.5 MiB of 3.0 MiB (50%)") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.finish()
	out := tty.String()
	lines := strings.Split(strings.TrimSuffix(out, "\r\033[K"), "\r\033[K")
	if !strings.HasPrefix(out, "\r\033[K") || !strings.HasSuffix(out, "/s\r\033[K") || len(lines) < 2 ||
		!strings.HasPrefix(lines[len(lines)-1], "decrypting 1.5 MiB of 3.0 MiB (50%), ") {
		t.Errorf("terminal output %q: want lines redrawn in place, the last one at 50%%, then erased", out)
	}
	if got := humanBytes(512); got != "512 B" {
		t.Errorf("humanBytes(512) = %q", got)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Ctrl-C during encrypt-message --output PATH exits 130 and leaves neither
// PATH nor its temporary file.
func TestInterruptEncryptMessage(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "msg.enc")
	interruptWhileWriting(t, dest, "encrypt-message", "--key-file",
		kmspubtest.Path("keys", "ECC_NIST_P256.KEY_AGREEMENT.json"), "--input", "-", "--output", dest)
}
