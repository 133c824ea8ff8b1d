package envelope_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
)

// Encrypt a stream of any size for an RSA KMS key, offline, with the key
// saved once by `aws kms get-public-key`.
func ExampleEncrypt() {
	keyJSON, err := os.ReadFile("../testdata/keys/RSA_2048.ENCRYPT_DECRYPT.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		log.Fatal(err)
	}
	recipient, err := envelope.NewRecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		log.Fatal(err) // e.g. InvalidKeyUsageException for a SIGN_VERIFY key
	}

	var message bytes.Buffer // a file, an S3 upload, a socket …
	w, err := envelope.Encrypt(&message, []envelope.Recipient{recipient}, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = map[string]string{"purpose": "backup", "host": "db-1"}
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := io.Copy(w, strings.NewReader(strings.Repeat("row\n", 10000))); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil { // writes the final frame
		log.Fatal(err)
	}
	fmt.Printf("version and suite: %x\n", message.Bytes()[:3])
	// Output: version and suite: 020478
}

// Encrypt a small value for two keys at once: an RSA key and an ECDH
// (KEY_AGREEMENT) key. Either opens it.
func ExampleEncryptBytes() {
	var recipients []envelope.Recipient
	for _, name := range []string{"RSA_3072.ENCRYPT_DECRYPT", "ECC_NIST_P384.KEY_AGREEMENT"} {
		data, err := os.ReadFile("../testdata/keys/" + name + ".json")
		if err != nil {
			log.Fatal(err)
		}
		key, err := kmspub.ParseGetPublicKeyJSON(data)
		if err != nil {
			log.Fatal(err)
		}
		// The algorithm is used for the RSA key; the ECDH key needs none.
		r, err := envelope.NewRecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
		if err != nil {
			log.Fatal(err)
		}
		recipients = append(recipients, r)
	}
	message, err := envelope.EncryptBytes([]byte("database password"), recipients)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(message) > 0)
	// Output: true
}

// Decrypt a message online: the data key comes from KMS Decrypt (or
// DeriveSharedSecret), the rest happens locally. In a program the client is
// kms.NewFromConfig(cfg); here a stand-in plays KMS with the test key's
// private half.
func ExampleDecrypt() {
	keyJSON, _ := os.ReadFile("../testdata/keys/RSA_2048.ENCRYPT_DECRYPT.json")
	key, err := kmspub.ParseGetPublicKeyJSON(keyJSON)
	if err != nil {
		log.Fatal(err)
	}
	r, _ := envelope.NewRecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	message, _ := envelope.EncryptBytes([]byte("hello, KMS"), []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = map[string]string{"purpose": "example"}
	})

	var client envelope.KMSClient = exampleKMS{} // kms.NewFromConfig(cfg)
	plaintext, err := envelope.Decrypt(context.Background(), client, bytes.NewReader(message), func(o *envelope.DecryptOptions) {
		o.Keys = []*kmspub.PublicKey{key}
		// Refuse messages whose context differs.
		o.EncryptionContext = map[string]string{"purpose": "example"}
	})
	if err != nil {
		log.Fatal(err) // *envelope.NoDataKeyError, *envelope.MessageError, …
	}
	if _, err := io.Copy(os.Stdout, plaintext); err != nil {
		log.Fatal(err) // the message was altered or cut short
	}
	fmt.Println()
	fmt.Println(plaintext.KeyID())
	// Output:
	// hello, KMS
	// arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001
}

// exampleKMS answers KMS Decrypt for the RSA_2048 test key, as KMS would.
type exampleKMS struct {
	envelope.DeriveSharedSecretAPIClient
}

func (exampleKMS) Decrypt(_ context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	if in.EncryptionAlgorithm != types.EncryptionAlgorithmSpecRsaesOaepSha256 {
		// Decrypt tries the key's algorithms in order: SHA_1 first.
		return nil, &types.InvalidCiphertextException{Message: aws.String("")}
	}
	data, _ := os.ReadFile("../testdata/keys/RSA_2048.priv.pem")
	block, _ := pem.Decode(data)
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pt, err := rsa.DecryptOAEP(sha256.New(), nil, priv.(*rsa.PrivateKey), in.CiphertextBlob, nil)
	if err != nil {
		return nil, &types.InvalidCiphertextException{Message: aws.String("")}
	}
	return &kms.DecryptOutput{KeyId: in.KeyId, Plaintext: pt, EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}
