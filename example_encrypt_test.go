package kmspub_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

// Encrypt data offline for a later KMS Decrypt call, with a key saved once
// from `aws kms get-public-key --key-id … > key.json`.
func ExamplePublicKey_Encrypt() {
	data, err := os.ReadFile("testdata/keys/RSA_2048.ENCRYPT_DECRYPT.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	ciphertext, err := key.Encrypt([]byte("a 190-byte secret at most"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		log.Fatal(err)
	}
	// Later, with KMS: Decrypt(KeyId: key.KeyID(), CiphertextBlob: ciphertext,
	// EncryptionAlgorithm: RSAES_OAEP_SHA_256).
	fmt.Println("ciphertext bytes:", len(ciphertext))

	// KMS refuses an omitted algorithm (SYMMETRIC_DEFAULT) for an RSA key, and
	// so does kmspub, with the same SDK error.
	_, err = key.Encrypt([]byte("secret"), "")
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode()+":", apiErr.ErrorMessage())
	}
	// Output:
	// ciphertext bytes: 256
	// InvalidKeyUsageException: Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.
}

// Encapsulate a 32-byte secret for an ML-KEM key, and use it only through a
// KDF and an AEAD: KMS Decapsulate never reports a wrong ciphertext (FIPS 203
// implicit rejection), so the recipient learns of a mismatch when the AEAD
// tag fails to verify.
func ExamplePublicKey_Encapsulate() {
	data, err := os.ReadFile("testdata/keys/ML_KEM_768.ENCAPSULATE_DECAPSULATE.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	secret, ciphertext, err := key.Encapsulate(types.EncapsulationAlgorithmSpecMlKem)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("shared secret bytes:", len(secret))
	fmt.Println("ciphertext bytes:", len(ciphertext))

	// Bind the AEAD key to the KMS key and this ciphertext. The recipient
	// calls KMS Decapsulate(ciphertext), derives the same key and opens the
	// message; a failed Open means the secrets differ.
	aeadKey, err := hkdf.Key(sha256.New, secret, nil, "example.com/v1 aead key "+key.KeyID()+string(ciphertext), 32)
	if err != nil {
		log.Fatal(err)
	}
	block, _ := aes.NewCipher(aeadKey)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	sealed := aead.Seal(nil, nonce, []byte("hello"), nil)
	fmt.Println("sealed bytes:", len(sealed))
	// Output:
	// shared secret bytes: 32
	// ciphertext bytes: 1088
	// sealed bytes: 21
}

// Agree on a secret with a KMS KEY_AGREEMENT key: compute it offline, and
// send the returned public key to KMS DeriveSharedSecret, which returns the
// same bytes.
func ExamplePublicKey_DeriveSharedSecret() {
	data, err := os.ReadFile("testdata/keys/ECC_NIST_P256.KEY_AGREEMENT.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	mine, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	secret, publicKeyDER, err := key.DeriveSharedSecret(mine, types.KeyAgreementAlgorithmSpecEcdh)
	if err != nil {
		log.Fatal(err)
	}
	// Later, with KMS: DeriveSharedSecret(KeyId: key.KeyID(),
	// KeyAgreementAlgorithm: ECDH, PublicKey: publicKeyDER).
	fmt.Println("shared secret bytes:", len(secret))
	fmt.Println("public key (DER SPKI) bytes:", len(publicKeyDER))
	// Output:
	// shared secret bytes: 32
	// public key (DER SPKI) bytes: 91
}
