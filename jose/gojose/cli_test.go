package gojose_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/jose"
)

// TestCLIVerifiesLibraryTokens: tokens this library signs with the test
// private keys, in every algorithm of kmspub's table it has, verify with
// `kmspub verify-jwt --key-file` (the key's get-public-key JSON), and an
// expired one is refused with exit status 254.
func TestCLIVerifiesLibraryTokens(t *testing.T) {
	josetest.CLIVerifiesLibraryTokens(t, jose.KeyAlgorithms, func(alg string) bool { return libraryAlgs[alg] },
		func(t testing.TB, spec types.KeySpec, alg, kid string, exp time.Time) string {
			return librarySigned(t, spec, alg, kid, jwt.Claims{Subject: "cli", Expiry: jwt.NewNumericDate(exp)})
		})
}
