package jwx_test

import (
	"fmt"
	"log"
	"os"

	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
	"github.com/kmspub/kmspub/jose/jwx"
)

// A token service signed this JWT with the KMS key whose `aws kms
// get-public-key` output is testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json.
const exampleToken = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5LzAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwNCIsInR5cCI6IkpXVCJ9." +
	"eyJpc3MiOiJodHRwczovL3Rva2Vucy5leGFtcGxlLmNvbSIsInN1YiI6ImFsaWNlIiwiYXVkIjoib3JkZXJzIiwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"bGiqV_-3p-S6eRDDieVsF1rMSmTarRE3d-sChRu1G3LA4INQEgi6WEUJFFHxqOZ1ttz5qtUg6fNx_j-08LUNdg"

func ExampleKeyProvider() {
	data, err := os.ReadFile("../../testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	// In a service: jose.NewKeyringKeys(kmspub.NewKeyring(kmsClient), "alias/token-signer").
	keys := jose.StaticKeys(key)

	tok, err := jwt.Parse([]byte(exampleToken), jwt.WithKeyProvider(jwx.KeyProvider(keys)),
		jwt.WithIssuer("https://tokens.example.com"), jwt.WithAudience("orders"))
	if err != nil {
		log.Fatal(err)
	}
	sub, _ := tok.Subject()
	fmt.Println(sub)
	// Output: alice
}
