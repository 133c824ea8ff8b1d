//go:build !jwx_es256k

package jwx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestLocalKMSES256KBuild runs the tests of es256k_test.go, which need
// jwx's own ES256K signer and verifier and so a build with -tags
// jwx_es256k: it runs `go test -tags jwx_es256k` on them, with this
// environment (the local-kms endpoint, CI), and fails when that does.
func TestLocalKMSES256KBuild(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	args := []string{"test", "-count=1", "-tags", "jwx_es256k", "-run", "^(TestLocalKMSES256KInJWX|TestES256KLibrarySigned)$", "-v"}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool, append(args, ".")...)
	cmd.Env = os.Environ()
	out, err := cmd.CombinedOutput()
	// Quoted line by line, so that the inner test's own "--- PASS" lines
	// are not counted as tests of this run.
	t.Logf("go %v:\n| %s", args, strings.ReplaceAll(strings.TrimSpace(string(out)), "\n", "\n| "))
	if err != nil {
		t.Fatalf("the jwx_es256k build: %v", err)
	}
}
