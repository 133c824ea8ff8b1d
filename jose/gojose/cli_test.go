package gojose_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

// TestCLIVerifiesLibraryTokens: tokens this library signs with the test
// private keys, in every algorithm of kmspub's table it has, verify with
// `kmspub verify-jwt --key-file` (the key's get-public-key JSON), and an
// expired one is refused with exit status 254.
func TestCLIVerifiesLibraryTokens(t *testing.T) {
	bin := josetest.BuildCLI(t)
	dir := t.TempDir()
	n := 0
	for _, spec := range josetest.SigningSpecs {
		pub := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(pub) {
			if !libraryAlgs[alg] {
				continue
			}
			tok := librarySigned(t, spec, alg, pub.KeyID(), jwt.Claims{Subject: "cli", Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))})
			path := filepath.Join(dir, string(spec)+"."+alg+".jwt")
			if err := os.WriteFile(path, []byte(tok), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, status := josetest.RunCLI(t, bin, "verify-jwt", "--key-file", josetest.KeyFile(spec), "--token", "file://"+path)
			if status != 0 || !strings.Contains(stdout, `"sub": "cli"`) || !strings.Contains(stdout, `"alg": "`+alg+`"`) {
				t.Errorf("%s %s: status %d\n%s%s", spec, alg, status, stdout, stderr)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no token was checked")
	}
	expired := librarySigned(t, "ECC_NIST_P256", "ES256", "", jwt.Claims{Subject: "cli", Expiry: jwt.NewNumericDate(time.Now().Add(-time.Hour))})
	_, stderr, status := josetest.RunCLI(t, bin, "verify-jwt", "--key-file", josetest.KeyFile("ECC_NIST_P256"), "--token", expired)
	if status != 254 || !strings.HasPrefix(stderr, "\nToken refused (token expired): ") {
		t.Errorf("expired: status %d, %q", status, stderr)
	}
}
