package josetest

import (
	"github.com/kmspub/kmspub/internal/kmspubtest"

	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
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
