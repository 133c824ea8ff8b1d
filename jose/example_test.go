package jose_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
)

// A token service signed this JWT with the KMS key whose `aws kms
// get-public-key` output is testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json.
const exampleToken = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImFybjphd3M6a21zOnVzLWVhc3QtMToxMTExMjIyMjMzMzM6a2V5LzAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwNCIsInR5cCI6IkpXVCJ9." +
	"eyJpc3MiOiJodHRwczovL3Rva2Vucy5leGFtcGxlLmNvbSIsInN1YiI6ImFsaWNlIiwiYXVkIjoib3JkZXJzIiwiZXhwIjo0MTAyNDQ0ODAwfQ." +
	"bGiqV_-3p-S6eRDDieVsF1rMSmTarRE3d-sChRu1G3LA4INQEgi6WEUJFFHxqOZ1ttz5qtUg6fNx_j-08LUNdg"

func ExampleVerifier_VerifyJWT() {
	data, err := os.ReadFile("../testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	verifier := jose.NewVerifier(jose.StaticKeys(key), func(o *jose.VerifierOptions) {
		o.Issuer = "https://tokens.example.com"
		o.Audience = "orders"
		o.Leeway = 30 * time.Second
	})

	jwt, err := verifier.VerifyJWT(context.Background(), []byte(exampleToken))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(jwt.Claims.Subject, jwt.Header.Algorithm, jwt.SigningAlgorithm)

	// A token in another algorithm than the key offers is refused as KMS
	// Verify refuses it.
	_, err = verifier.VerifyJWT(context.Background(), []byte(
		"eyJhbGciOiJQUzI1NiJ9.e30.AAAA"))
	var usage *types.InvalidKeyUsageException
	fmt.Println(errors.Is(err, jose.ErrKeyMismatch), errors.As(err, &usage))
	// Output:
	// alice ES256 ECDSA_SHA_256
	// true true
}

func ExampleNewJWKSHandler() {
	data, _ := os.ReadFile("../testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json")
	key, _ := kmspub.ParseGetPublicKeyJSON(data)

	// In a service: a Keyring over a *kms.Client, and the names to publish,
	// e.g. jose.NewKeyringKeys(kmspub.NewKeyring(client), "alias/token-signer").
	ring := kmspub.NewKeyring(nil)
	ring.Add(key)
	mux := http.NewServeMux()
	mux.Handle(jose.JWKSPath, jose.NewJWKSHandler(jose.NewKeyringKeys(ring, key.KeyID())))

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "/.well-known/jwks.json", nil))
	fmt.Println(w.Code, w.Header().Get("Cache-Control"))
	fmt.Print(w.Body.String())
	// Output:
	// 200 public, max-age=300
	// {"keys":[{"kty":"EC","use":"sig","alg":"ES256","kid":"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004","crv":"P-256","x":"FH4Os49hx2qbYIitXj-Cqc87JbvV0iJqO97uDAdbCzc","y":"-b0tVz8EkZzRGTsokNny7KrKErHsoTQ2cwN892nwA34"}]}
}

// A token service: sign JWTs with a KMS key through KMS Sign.
func ExampleNewSigner() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	client := kms.NewFromConfig(cfg)
	key, err := kmspub.Fetch(ctx, client, "alias/token-signer")
	if err != nil {
		log.Fatal(err)
	}
	signer, err := jose.NewSigner(client, key, "") // the key's first JOSE algorithm, e.g. ES256
	if err != nil {
		log.Fatal(err)
	}
	token, err := signer.SignJWT(ctx, map[string]any{
		"sub": "alice",
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token)
}
