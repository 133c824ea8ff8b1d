// Command encrypt-for-kms encrypts data offline so that only KMS can decrypt
// it: RSAES_OAEP_SHA_256 under an RSA_2048 ENCRYPT_DECRYPT key, whose public
// half was saved once with `aws kms get-public-key`. It writes the
// ciphertext to ciphertext.bin (or the path given as its argument) and
// prints the sizes, the ciphertext in base64, and the KMS Decrypt call that
// recovers the data from that file.
//
// Run it from the repository root:
//
//	go run ./examples/encrypt-for-kms [ciphertext.bin]
package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

func main() {
	log.SetFlags(0)
	keyJSON, err := os.ReadFile(filepath.Join("testdata", "keys", "RSA_2048.ENCRYPT_DECRYPT.json"))
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		log.Fatal(err)
	}

	plaintext := []byte("a data key, a password, a short secret\n")
	const alg = types.EncryptionAlgorithmSpecRsaesOaepSha256
	ciphertext, err := key.Encrypt(plaintext, alg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("key %s (%s, %v)\n", key.KeyID(), key.KeySpec(), key.EncryptionAlgorithms())
	fmt.Printf("encrypted %d bytes with %s: %d-byte ciphertext\n", len(plaintext), alg, len(ciphertext))
	fmt.Printf("CiphertextBlob: %s\n", base64.StdEncoding.EncodeToString(ciphertext))
	out := "ciphertext.bin"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, ciphertext, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s\n", out)
	fmt.Printf("decrypt with: aws kms decrypt --key-id %s --encryption-algorithm %s --ciphertext-blob fileb://%s\n", key.KeyID(), alg, out)

	// RSA_2048 with OAEP SHA-256 takes at most 190 bytes; more is KMS's
	// ValidationException (the SDK's smithy.APIError), before any encryption.
	_, err = key.Encrypt(bytes.Repeat([]byte{'x'}, 191), alg)
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" {
		log.Fatalf("191 bytes: got %v, want ValidationException", err)
	}
	fmt.Printf("191 bytes: %s: %s\n", api.ErrorCode(), api.ErrorMessage())
}
