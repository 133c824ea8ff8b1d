package localkmstest

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// startedEnv marks a test process that Run has already placed beside a
// local-kms server of its own (or tried to), so that it runs its tests
// instead of starting another.
const startedEnv = "KMSPUB_LOCALKMS_STARTED"

// Runner is what testing.M and go-internal's testscript.Main agree on.
type Runner interface{ Run() int }

// Main runs a package's tests with a local-kms server of their own when
// none is configured, so that a plain `go test ./...` runs the TestLocalKMS*
// tests instead of skipping them. A package whose tests use this package
// calls it from TestMain:
//
//	func TestMain(m *testing.M) { localkmstest.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run is Main for a TestMain that wraps m itself (testscript.Main takes
// localkmstest.Wrap(m)). When KMSPUB_KMS_ENDPOINT is set (./scripts/test
// sets it), it runs the tests as they are. Otherwise it runs this test
// binary again under scripts/with-localkms, which builds local-kms once
// into the user's cache, starts it in a loopback-only network namespace
// and sets KMSPUB_KMS_ENDPOINT; where that cannot be done (no unshare, no
// Go module proxy for the first build) the tests run without it and those
// needing it skip, saying why. Fuzzing, -list and benchmark-only runs are
// never moved.
func Run(m Runner) int {
	if os.Getenv(EndpointEnv) != "" || os.Getenv(startedEnv) != "" || !wantsServer() {
		return m.Run()
	}
	script, err := withLocalKMS()
	if err != nil {
		fmt.Fprintf(os.Stderr, "localkmstest: %v; running without local-kms\n", err)
		return m.Run()
	}
	self, err := os.Executable()
	if err != nil {
		return m.Run()
	}
	cmd := exec.Command(script, append([]string{self}, os.Args[1:]...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), startedEnv+"=1")
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	}
	fmt.Fprintf(os.Stderr, "localkmstest: %s: %v\n", script, err)
	return 1
}

// Wrap returns m as a Runner whose Run is [Run]'s, for testscript.Main.
func Wrap(m Runner) Runner { return wrapped{m} }

type wrapped struct{ m Runner }

func (w wrapped) Run() int { return Run(w.m) }

// wantsServer reports whether this run may need the server: not a fuzzing
// run or worker, not -test.list, not a benchmark-only run (-test.run ^$).
func wantsServer() bool {
	if !flag.Parsed() {
		flag.Parse()
	}
	value := func(name string) string {
		if f := flag.Lookup(name); f != nil {
			return f.Value.String()
		}
		return ""
	}
	return value("test.fuzz") == "" && value("test.fuzzworker") != "true" &&
		value("test.list") == "" && value("test.run") != "^$"
}

// withLocalKMS returns the path of scripts/with-localkms in the repository
// this package was built from.
func withLocalKMS() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository")
	}
	script := filepath.Join(filepath.Dir(file), "..", "..", "scripts", "with-localkms")
	if runtime.GOOS == "windows" {
		return "", errors.New("scripts/with-localkms needs a Unix shell")
	}
	if _, err := os.Stat(script); err != nil {
		return "", err
	}
	return script, nil
}
