// Package wycheproof reads the Wycheproof test vectors that kmspub's tests
// use. They are in the repository, in testdata/wycheproof, gzip-compressed,
// with the upstream LICENSE and the source commit (SOURCE_COMMIT): a plain
// clone runs every Wycheproof test, and nothing outside it is read.
package wycheproof

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Dir returns the repository's testdata/wycheproof directory. It is found
// from this source file's location, so it works from any package directory
// and from every module nested in the repository.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("wycheproof: cannot locate the source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "wycheproof")
}

// Read returns the contents of one vector file, named as upstream names it
// (e.g. "ecdsa_secp256r1_sha256_test.json"). A missing or unreadable file
// fails t: the vectors are part of the repository.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	data, err := read(name)
	if err != nil {
		t.Fatalf("wycheproof: %v", err)
	}
	return data
}

// Names returns the upstream names of the vector files matching pattern (a
// filepath.Match pattern over upstream names, e.g. "rsa_pss_*_test.json"),
// sorted. It fails t when none match.
func Names(t testing.TB, pattern string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(Dir(), pattern+".gz"))
	if err != nil {
		t.Fatalf("wycheproof: %v", err)
	}
	if len(paths) == 0 {
		t.Fatalf("wycheproof: no vector file matches %q in %s", pattern, Dir())
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".gz")
	}
	slices.Sort(names)
	return names
}

func read(name string) ([]byte, error) {
	compressed, err := os.ReadFile(filepath.Join(Dir(), name+".gz"))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
