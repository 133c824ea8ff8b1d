package josetest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// BuildCLI builds the kmspub command from the repository (cmd/kmspub, in
// the root module, with the root module's go.sum) into a temporary
// directory and returns its path. The adapter modules' tests run it on
// tokens their library signed.
func BuildCLI(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kmspub")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "./cmd/kmspub")
	cmd.Dir = filepath.Dir(kmspubtest.Dir())
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/kmspub: %v\n%s", err, out)
	}
	return bin
}

// RunCLI runs the kmspub binary with args and returns its stdout, stderr
// and exit status.
func RunCLI(t testing.TB, bin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errOut.String(), exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running kmspub: %v", err)
	}
	return out.String(), errOut.String(), 0
}

// CLIVerifiesLibraryTokens checks that `kmspub verify-jwt --key-file` (the
// key's get-public-key JSON) verifies the tokens a JWT library signs with
// the test private keys, in every algorithm kmspub's table gives a test key
// that the library has, and refuses an expired one with exit status 254.
// keyAlgorithms is jose.KeyAlgorithms (josetest cannot import package jose,
// whose own tests import josetest); has says whether the library has an
// algorithm; sign returns a compact JWT the library signed with the private
// test key of spec, with the claims sub "cli" and exp, and the header kid
// unless kid is empty.
func CLIVerifiesLibraryTokens(t *testing.T, keyAlgorithms func(*kmspub.PublicKey) []string, has func(alg string) bool,
	sign func(t testing.TB, spec types.KeySpec, alg, kid string, exp time.Time) string) {
	t.Helper()
	bin := BuildCLI(t)
	dir := t.TempDir()
	n := 0
	for _, spec := range SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range keyAlgorithms(pub) {
			if !has(alg) {
				continue
			}
			tok := sign(t, spec, alg, pub.KeyID(), time.Now().Add(time.Hour))
			path := filepath.Join(dir, string(spec)+"."+alg+".jwt")
			if err := os.WriteFile(path, []byte(tok), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, status := RunCLI(t, bin, "verify-jwt", "--key-file", KeyFile(spec), "--token", "file://"+path)
			if status != 0 || !strings.Contains(stdout, `"sub": "cli"`) || !strings.Contains(stdout, `"alg": "`+alg+`"`) {
				t.Errorf("%s %s: status %d\n%s%s", spec, alg, status, stdout, stderr)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no token was checked")
	}
	expired := sign(t, types.KeySpecEccNistP256, "ES256", "", time.Now().Add(-time.Hour))
	_, stderr, status := RunCLI(t, bin, "verify-jwt", "--key-file", KeyFile(types.KeySpecEccNistP256), "--token", expired)
	if status != 254 || !strings.HasPrefix(stderr, "\nToken refused (token expired): ") {
		t.Errorf("expired: status %d, %q", status, stderr)
	}
}
