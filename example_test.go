package kmspub_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

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

// Confirm the shared secret with a key-confirmation tag instead of an AEAD:
// send a MAC of the ciphertext under a key derived from the secret, which
// the recipient recomputes after KMS Decapsulate and compares in constant
// time. A mismatch means the secrets differ (KMS Decapsulate never says so).
func ExamplePublicKey_Encapsulate_keyConfirmation() {
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
	// One key per purpose, each derived from the secret: never the raw
	// secret itself.
	confirmKey, err := hkdf.Key(sha256.New, secret, nil, "example.com/v1 key confirmation "+key.KeyID(), 32)
	if err != nil {
		log.Fatal(err)
	}
	mac := hmac.New(sha256.New, confirmKey)
	mac.Write(ciphertext)
	tag := mac.Sum(nil) // sent with the ciphertext

	// The recipient: secret' from KMS Decapsulate(ciphertext), then the same
	// derivation, and hmac.Equal(tag, tag'). Here the secret is the same.
	check := hmac.New(sha256.New, confirmKey)
	check.Write(ciphertext)
	fmt.Println("tag bytes:", len(tag))
	fmt.Println("confirmed:", hmac.Equal(tag, check.Sum(nil)))
	// Output:
	// tag bytes: 32
	// confirmed: true
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

// A service that verifies with KMS switches to offline verification by
// changing the client it calls Verify on; the input, the output and the
// errors stay the SDK's:
//
//	// Before: one KMS round trip per signature.
//	out, err := kmsClient.Verify(ctx, input)
//
//	// After: one GetPublicKey per key, then no KMS call at all.
//	offline := kmspub.NewClient(kmsClient)
//	out, err := offline.Verify(ctx, input)
func ExampleNewClient() {
	ctx := context.Background()
	kmsClient := kms.New(kms.Options{Region: "eu-west-2"}) // the service's existing client

	offline := kmspub.NewClient(kmsClient)
	// Only so that this example runs without AWS: give the Keyring the key
	// that `aws kms get-public-key` saved, instead of letting it call
	// GetPublicKey on the first Verify.
	offline.Keyring().Add(mustReadKey("testdata/sample/ecc_nist_p256.json"))

	input := &kms.VerifyInput{
		KeyId:            aws.String("arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd"),
		Message:          mustRead("testdata/sample/message.txt"),
		Signature:        mustRead("testdata/sample/message.txt.ECDSA_SHA_256.sig"),
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	}
	out, err := offline.Verify(ctx, input)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.SignatureValid, out.SigningAlgorithm)

	// A bad signature is KMS's exception, exactly as online.
	input.Message = []byte("another message")
	_, err = offline.Verify(ctx, input)
	var invalid *types.KMSInvalidSignatureException
	fmt.Println(errors.As(err, &invalid))
	// Output:
	// true ECDSA_SHA_256
	// true
}

// A Client with a local policy and an audit log: a key outside the allowed
// account is refused before any KMS call, and every operation is logged
// without its message or signature.
func ExampleClientOptions() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // only so that the output below is stable
			}
			return a
		},
	}))
	keys := kmspub.NewKeyring(nil) // no KMS at all: keys saved beforehand
	keys.Add(mustReadKey("testdata/sample/ecc_nist_p256.json"))
	offline := kmspub.NewClient(keys,
		func(o *kmspub.ClientOptions) {
			o.Policy = &kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedOperations: []string{"Verify"}}
			o.AuditLogger = logger
		})

	ctx := context.Background()
	for _, keyID := range []string{
		"arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd",
		"arn:aws:kms:eu-west-2:444455556666:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd",
	} {
		offline.Verify(ctx, &kms.VerifyInput{
			KeyId:            aws.String(keyID),
			Message:          mustRead("testdata/sample/message.txt"),
			Signature:        mustRead("testdata/sample/message.txt.ECDSA_SHA_256.sig"),
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		})
	}
	// Output:
	// level=INFO msg="kmspub offline operation" operation=Verify key_id=arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd key_arn=arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd algorithm=ECDSA_SHA_256 message_type=RAW outcome=ok
	// level=WARN msg="kmspub offline operation" operation=Verify key_id=arn:aws:kms:eu-west-2:444455556666:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd algorithm=ECDSA_SHA_256 message_type=RAW outcome=AccessDeniedException
}

func mustRead(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	return data
}

func mustReadKey(name string) *kmspub.PublicKey {
	k, err := kmspub.ParseGetPublicKeyJSON(mustRead(name))
	if err != nil {
		log.Fatal(err)
	}
	return k
}
