package gojose_test

import (
	"fmt"
	"log"
	"os"

	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/gojose"
)

// A token service signed this JWT with the KMS key whose `aws kms
// get-public-key` output is testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json.
const exampleToken = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5LzAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwNCIsInR5cCI6IkpXVCJ9." +
	"eyJpc3MiOiJodHRwczovL3Rva2Vucy5leGFtcGxlLmNvbSIsInN1YiI6ImFsaWNlIiwiYXVkIjoib3JkZXJzIiwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"bGiqV_-3p-S6eRDDieVsF1rMSmTarRE3d-sChRu1G3LA4INQEgi6WEUJFFHxqOZ1ttz5qtUg6fNx_j-08LUNdg"

func ExampleNewVerifier() {
	data, err := os.ReadFile("../../testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	// In a service: jose.NewKeyringKeys(kmspub.NewKeyring(kmsClient), "alias/token-signer").
	verifier := gojose.NewVerifier(jose.StaticKeys(key))

	tok, err := jwt.ParseSigned(exampleToken, gojose.SignatureAlgorithms())
	if err != nil {
		log.Fatal(err)
	}
	var claims jwt.Claims
	if err := verifier.Claims(tok, &claims); err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Subject, tok.Headers[0].Algorithm)
	// Output: alice ES256
}
