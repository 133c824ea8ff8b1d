package kmspub_test

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// Fetch the public key once, with any *kms.Client, and save it in the form
// `aws kms get-public-key` prints. From then on the key is used offline.
func ExampleFetch() {
	// Usually: cfg, _ := config.LoadDefaultConfig(ctx); client := kms.NewFromConfig(cfg)
	client := kms.New(kms.Options{Region: "eu-west-2"})

	k, err := kmspub.Fetch(context.Background(), client, "alias/release-signing")
	if err != nil {
		log.Fatal(err) // KMS errors keep their SDK types, e.g. *types.NotFoundException
	}
	data, err := k.MarshalJSON()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile("release-signing.json", data, 0o644); err != nil {
		log.Fatal(err)
	}
}

// Read a key saved with `aws kms get-public-key --key-id … > key.json`.
func ExampleParseGetPublicKeyJSON() {
	data, err := os.ReadFile("testdata/sample/ecc_nist_p256.json")
	if err != nil {
		log.Fatal(err)
	}
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.KeyID())
	fmt.Println(k.KeySpec(), k.KeyUsage(), k.SigningAlgorithms())
	// Output:
	// arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd
	// ECC_NIST_P256 SIGN_VERIFY [ECDSA_SHA_256]
}

// Load a public key kept as PEM (or DER, or base64) with the metadata that
// GetPublicKey returns alongside it. An absent algorithm list means the full
// list KMS fixes for the key spec and usage.
func ExampleParseSubjectPublicKeyInfo() {
	pemBytes, err := os.ReadFile("testdata/keys/ECC_NIST_P384.pub.pem")
	if err != nil {
		log.Fatal(err)
	}
	k, err := kmspub.ParseSubjectPublicKeyInfo(pemBytes, &kms.GetPublicKeyOutput{
		KeyId:    aws.String("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000005"),
		KeySpec:  types.KeySpecEccNistP384,
		KeyUsage: types.KeyUsageTypeKeyAgreement,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(k.KeySpec(), k.KeyUsage(), k.KeyAgreementAlgorithms())
	fmt.Println(k.CryptoPublicKey().(*ecdsa.PublicKey).Curve.Params().Name)

	// Metadata that does not match the key is refused.
	_, err = kmspub.ParseSubjectPublicKeyInfo(pemBytes, &kms.GetPublicKeyOutput{KeySpec: types.KeySpecEccNistP256, KeyUsage: types.KeyUsageTypeSignVerify})
	fmt.Println(err)
	// Output:
	// ECC_NIST_P384 KEY_AGREEMENT [ECDH]
	// P-384
	// kmspub: invalid KMS public key: PublicKey holds an ECC_NIST_P384 key, but KeySpec is ECC_NIST_P256
}

// MarshalJSON writes exactly what `aws kms get-public-key` prints, so a key
// loaded from PEM and metadata can be saved in the same form as a fetched one.
func ExamplePublicKey_MarshalJSON() {
	pemBytes, err := os.ReadFile("testdata/keys/ECC_NIST_P256.pub.pem")
	if err != nil {
		log.Fatal(err)
	}
	k, err := kmspub.ParseSubjectPublicKeyInfo(pemBytes, &kms.GetPublicKeyOutput{
		KeyId:    aws.String("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"),
		KeySpec:  types.KeySpecEccNistP256,
		KeyUsage: types.KeyUsageTypeSignVerify,
	})
	if err != nil {
		log.Fatal(err)
	}
	data, err := k.MarshalJSON()
	if err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(data)
	// Output:
	// {
	//     "KeyId": "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004",
	//     "PublicKey": "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEFH4Os49hx2qbYIitXj+Cqc87JbvV0iJqO97uDAdbCzf5vS1XPwSRnNEZOyiQ2fLsqsoSseyhNDZzA3z3afADfg==",
	//     "CustomerMasterKeySpec": "ECC_NIST_P256",
	//     "KeySpec": "ECC_NIST_P256",
	//     "KeyUsage": "SIGN_VERIFY",
	//     "SigningAlgorithms": [
	//         "ECDSA_SHA_256"
	//     ]
	// }
}
