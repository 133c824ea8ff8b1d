// Package wycheproof locates the Wycheproof test vectors for kmspub's tests.
// They live beside the checkout, in ../shared/wycheproof, and are never
// copied into the repository.
package wycheproof

import (
	"os"
	"path/filepath"
	"testing"
)

// Find returns the shared/wycheproof directory found by walking up from the
// working directory, or "" when there is none (a user's clone).
func Find() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		candidate := filepath.Join(dir, "shared", "wycheproof")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir returns the vectors directory. When it is absent, Dir skips t with a
// clear message — or fails it when CI=true, since CI always has the vectors.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := Find(); dir != "" {
		return dir
	}
	const msg = "shared/wycheproof not found beside the repository; Wycheproof vectors skipped"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (required when CI=true)")
	}
	t.Skip(msg)
	return ""
}

// Path returns the path of one vector file, as Dir does for the directory.
func Path(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Dir(t), name)
}
