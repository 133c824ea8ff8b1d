// Command verify-offline verifies, with no call to KMS, a signature that
// `aws kms sign` made: the key comes from the JSON `aws kms get-public-key`
// printed once (testdata/sample, recorded against local-kms), taken as it is.
//
// Run it from the repository root:
//
//	go run ./examples/verify-offline
package main

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

func main() {
	log.SetFlags(0)
	sample := filepath.Join("testdata", "sample")

	// The key, saved once with: aws kms get-public-key --key-id … > ecc_nist_p256.json
	keyJSON, err := os.ReadFile(filepath.Join(sample, "ecc_nist_p256.json"))
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("key %s: %s, %s, %v\n", key.KeyID(), key.KeySpec(), key.KeyUsage(), key.SigningAlgorithms())

	message, err := os.ReadFile(filepath.Join(sample, "message.txt"))
	if err != nil {
		log.Fatal(err)
	}
	// Made with: aws kms sign --message fileb://message.txt --message-type RAW --signing-algorithm ECDSA_SHA_256
	signature, err := os.ReadFile(filepath.Join(sample, "message.txt.ECDSA_SHA_256.sig"))
	if err != nil {
		log.Fatal(err)
	}

	// A nil error is KMS's SignatureValid: true.
	if err := key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signature); err != nil {
		log.Fatalf("verify: %v", err)
	}
	fmt.Printf("verified: %d-byte message, %d-byte ECDSA_SHA_256 signature: SignatureValid true\n", len(message), len(signature))

	// A changed message fails the way KMS Verify fails: with the SDK's
	// *types.KMSInvalidSignatureException, never a false.
	tampered := append([]byte("not "), message...)
	err = key.Verify(tampered, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signature)
	var invalid *types.KMSInvalidSignatureException
	if !errors.As(err, &invalid) {
		log.Fatalf("tampered message: got %v, want KMSInvalidSignatureException", err)
	}
	fmt.Printf("tampered message: %s, as from KMS Verify\n", invalid.ErrorCode())

	// An algorithm the key does not offer is refused before any
	// cryptography, as KMS refuses it.
	err = key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha384, signature)
	var usage *types.InvalidKeyUsageException
	if !errors.As(err, &usage) {
		log.Fatalf("wrong algorithm: got %v, want InvalidKeyUsageException", err)
	}
	fmt.Printf("ECDSA_SHA_384: %s: %s\n", usage.ErrorCode(), usage.ErrorMessage())
}
