// Package kmspubtest holds what kmspub's tests share, in one place: the test
// keys of testdata/keys by key spec and usage, their private halves, one
// OpenSSL runner, the checks that an error is the KMS exception *kms.Client
// would return, fake KMS clients for fault injection, and the benchmark
// loop that reports CPU time. Every function that takes a testing.TB fails
// the test (t.Fatal) rather than return an error.
//
// It reads testdata from the repository root, found from the source files'
// location, so it works from every package and every module nested in the
// repository. It imports kmspub, so kmspub's own tests that use it are in
// package kmspub_test.
package kmspubtest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kmspub/kmspub/internal/wycheproof"
)

// Dir is the repository's testdata directory, where internal/wycheproof
// finds the vectors (testdata/wycheproof).
func Dir() string { return filepath.Dir(wycheproof.Dir()) }

// Path returns the path of a file under testdata, e.g. Path("sample",
// "message.txt").
func Path(elem ...string) string {
	return filepath.Join(append([]string{Dir()}, elem...)...)
}

// File returns the contents of a file under testdata.
func File(t testing.TB, elem ...string) []byte {
	t.Helper()
	data, err := os.ReadFile(Path(elem...))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// WriteTemp writes data to a new file named name in t.TempDir and returns
// its path.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Check fails t if err is not nil.
func Check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
