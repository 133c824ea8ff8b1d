// Package envelope encrypts data of any size for KMS keys, offline, as AWS
// Encryption SDK messages — and decrypts them, online, through KMS.
//
// Start with [Encrypt]: it takes recipients built from kmspub public keys
// ([NewRecipient]) and returns a writer; what is written to it is encrypted
// in frames, in constant memory, with no KMS call. [EncryptBytes] does the
// same for a byte slice. [Decrypt] reads a message back, asks KMS for its
// data key, and returns a [Reader] of the plaintext.
//
// # The message
//
// Messages follow the AWS Encryption SDK message format, version 2
// (github.com/awslabs/aws-encryption-sdk-specification), with the
// committing, unsigned algorithm suite ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY
// (0x0478): a fresh 32-byte data key per message, expanded with HKDF-SHA512
// into an AES-256-GCM key and a key commitment stored in the header;
// framed content (4,096-byte frames unless [EncryptOptions] says otherwise);
// an encryption context stored in the header and authenticated with it;
// and one encrypted data key per recipient:
//
//   - RSA key, usage ENCRYPT_DECRYPT: an "aws-kms-rsa" encrypted data key —
//     RSA-OAEP, with the KMS algorithm the key lists, of SHA-384(context) ‖
//     data key, naming the key ARN. The AWS KMS RSA keyring of the AWS
//     Encryption SDKs built on the Material Providers Library (Java,
//     Python, .NET, Rust, Go) opens it with KMS Decrypt; so does Decrypt
//     here.
//   - ECC_NIST_P256/P384/P521 or SM2 key, usage KEY_AGREEMENT: a "raw-ecdh"
//     encrypted data key — an ephemeral ECDH key per message, the Raw ECDH
//     keyring's counter-mode HMAC-SHA384 KDF and AES-256-GCM key wrapping.
//     The AWS KMS ECDH keyring (KmsPublicKeyDiscovery schema) opens it with
//     KMS DeriveSharedSecret, the Raw ECDH keyring (PublicKeyDiscovery) with
//     the private key; so does Decrypt here, with DeriveSharedSecret. (For
//     SM2 this follows the specification only: the Material Providers
//     Library for Go has no SM2 ECDH to check it against.)
//
// Which keys may be used, and how, is kmspub's decision, made by the same
// checks as [kmspub.PublicKey.Encrypt] and [kmspub.PublicKey.DeriveSharedSecret]:
// a key of another usage, or an algorithm it does not list, is refused with
// the KMS exception KMS would return.
//
// # Decrypting
//
// [Decrypt] opens messages that kmspub writes and that the AWS Encryption
// SDKs write with those keyrings (suites 0x0478 and, with its ECDSA P-384
// footer verified, 0x0578). It checks the key commitment, the header's
// authentication tag, the encryption context the caller requires, every
// frame's sequence number and tag, the final frame and the end of the
// message; it returns plaintext only from frames that authenticated.
// Hostile messages are bounded before allocation: the number of encrypted
// data keys and the frame length ([DecryptOptions]); every other field is
// bounded by the format.
package envelope
