// Command sm2-verify shows offline SM2DSA verification for a KMS SM2 key
// (China Regions). It plays KMS with the test key's private half
// (testdata/keys/SM2.priv.pem) and github.com/emmansun/gmsm:
//
//  1. a RAW message, which KMS signs with the default distinguishing ID
//     1234567812345678 — verified with Verify, RAW;
//  2. a message under a custom ID: the caller computes the DIGEST
//     e = SM3(Z_A ‖ M) with kmspub.SM2Digest, KMS signs e (MessageType
//     DIGEST), and Verify checks e, DIGEST.
//
// Run it from the repository root:
//
//	go run ./examples/sm2-verify
package main

import (
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub"
)

func main() {
	log.SetFlags(0)
	keys := filepath.Join("testdata", "keys")
	keyJSON, err := os.ReadFile(filepath.Join(keys, "SM2.SIGN_VERIFY.json"))
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("key %s: %s, %v\n", key.KeyID(), key.KeySpec(), key.SigningAlgorithms())
	kms := loadSigner(filepath.Join(keys, "SM2.priv.pem")) // stands in for KMS Sign

	message := []byte("pay 100 CNY to account 6222 0000 1234\n")

	// 1. RAW: KMS hashes Z_A ‖ M with the default ID.
	sig, err := kms.Sign(rand.Reader, message, sm2.DefaultSM2SignerOpts)
	if err != nil {
		log.Fatal(err)
	}
	if err := key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecSm2dsa, sig); err != nil {
		log.Fatalf("RAW, default ID: %v", err)
	}
	fmt.Printf("RAW message, default ID %q: SignatureValid true\n", "1234567812345678")

	// 2. A custom ID: the caller hashes, KMS signs the DIGEST.
	id := []byte("alice@example.com")
	e, err := kmspub.SM2Digest(key, id, message)
	if err != nil {
		log.Fatal(err)
	}
	sig, err = sm2.SignASN1(rand.Reader, kms, e, nil) // KMS Sign, MessageType DIGEST
	if err != nil {
		log.Fatal(err)
	}
	if err := key.Verify(e, types.MessageTypeDigest, types.SigningAlgorithmSpecSm2dsa, sig); err != nil {
		log.Fatalf("DIGEST, custom ID: %v", err)
	}
	fmt.Printf("DIGEST e = SM3(Z_A ‖ M) with ID %q (%d bytes): SignatureValid true\n", id, len(e))

	// KMS Verify with RAW always uses the default ID, so the custom-ID
	// signature does not verify against the RAW message.
	err = key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecSm2dsa, sig)
	var invalid *types.KMSInvalidSignatureException
	if !errors.As(err, &invalid) {
		log.Fatalf("custom-ID signature as RAW: got %v, want KMSInvalidSignatureException", err)
	}
	fmt.Printf("the custom-ID signature checked as RAW: %s\n", invalid.ErrorCode())
}

// loadSigner reads the PKCS #8 SM2 private key.
func loadSigner(path string) *sm2.PrivateKey {
	data, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		log.Fatalf("%s: no PEM block", path)
	}
	key, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		log.Fatal(err)
	}
	priv, ok := key.(*sm2.PrivateKey)
	if !ok {
		log.Fatalf("%s: %T is not an SM2 private key", path, key)
	}
	return priv
}
