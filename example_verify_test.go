package kmspub_test

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

// A key saved once with `aws kms get-public-key`, and a signature made by
// `aws kms sign --message-type RAW`, verified with no call to KMS.
func ExamplePublicKey_Verify() {
	keyJSON, _ := os.ReadFile("testdata/sample/ecc_nist_p256.json")
	message, _ := os.ReadFile("testdata/sample/message.txt")
	signature, _ := os.ReadFile("testdata/sample/message.txt.ECDSA_SHA_256.sig")

	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		panic(err)
	}
	err = key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signature)
	fmt.Println("valid:", err == nil)

	// Any change to the message is KMS's KMSInvalidSignatureException.
	err = key.Verify([]byte("another message"), types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signature)
	var invalid *types.KMSInvalidSignatureException
	fmt.Println("tampered:", errors.As(err, &invalid))

	// An algorithm the key does not offer is refused as KMS refuses it.
	err = key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha384, signature)
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode()+":", apiErr.ErrorMessage())
	}
	// Output:
	// valid: true
	// tampered: true
	// InvalidKeyUsageException: Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.
}

// A signature KMS made over a RAW message verifies against the message's
// digest too, and VerifyReader computes that digest for an input of any size.
func ExamplePublicKey_VerifyReader() {
	keyJSON, _ := os.ReadFile("testdata/sample/rsa_2048.json")
	signature, _ := os.ReadFile("testdata/sample/message.txt.RSASSA_PKCS1_V1_5_SHA_256.sig")
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		panic(err)
	}
	file, err := os.Open("testdata/sample/message.txt")
	if err != nil {
		panic(err)
	}
	defer file.Close()
	err = key.VerifyReader(file, types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, signature)
	fmt.Println("valid:", err == nil)
	// Output:
	// valid: true
}

// Digest gives the message to send to KMS Sign for an input over KMS's
// 4096-byte RAW limit: here the SHA-256 DIGEST for ECDSA_SHA_256.
func ExamplePublicKey_Digest() {
	keyJSON, _ := os.ReadFile("testdata/sample/ecc_nist_p256.json")
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		panic(err)
	}
	large := strings.NewReader(strings.Repeat("a", 1<<20))
	message, messageType, err := key.Digest(large, types.SigningAlgorithmSpecEcdsaSha256)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %x\n", messageType, message)
	// Output:
	// DIGEST 9bc1b2a288b26af7257a36277ae3816a7d4f16e89c1e7e77d0a5c48bad62b360
}

// SM2Digest computes e = SM3(Z_A ‖ M), the DIGEST message for SM2DSA. With a
// nil ID it uses KMS's default ID 1234567812345678, so a signature KMS made
// over the RAW message verifies against it; with another ID it is the only
// way to have KMS sign or verify for that ID.
func ExampleSM2Digest() {
	keyJSON, _ := os.ReadFile("testdata/keys/SM2.SIGN_VERIFY.json")
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		panic(err)
	}
	message := []byte("message")
	defaultID, _ := kmspub.SM2Digest(key, nil, message)
	sameID, _ := kmspub.SM2Digest(key, []byte("1234567812345678"), message)
	otherID, _ := kmspub.SM2Digest(key, []byte("alice@example.com"), message)
	fmt.Println(len(defaultID), string(defaultID) == string(sameID), string(defaultID) == string(otherID))

	_, err = kmspub.SM2Digest(key, make([]byte, 8192), message)
	fmt.Println(err)
	// Output:
	// 32 true false
	// kmspub: SM2 distinguishing ID is 8192 bytes; it must be 1 to 8191 bytes (nil means the default ID 1234567812345678)
}
