package kmspubtest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// NeedTool returns the path of a command-line tool a test uses. Without it
// the test is skipped — except with CI=true, where it fails: CI must never
// pass by skipping. ./scripts/test checks for every such tool up front.
func NeedTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required when CI=true: %v", name, err)
		}
		t.Skipf("%s not found; install it to run this test (./scripts/test says how)", name)
	}
	return path
}

// OpenSSL runs openssl with args and returns its stdout, failing t with its
// stderr if it fails.
func OpenSSL(t testing.TB, args ...string) []byte {
	t.Helper()
	out, err := TryOpenSSL(t, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TryOpenSSL runs openssl with args and returns its stdout, or an error
// that carries its stderr: for tests that expect OpenSSL to refuse.
func TryOpenSSL(t testing.TB, args ...string) ([]byte, error) {
	t.Helper()
	path := NeedTool(t, "openssl")
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}
