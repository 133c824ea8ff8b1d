package envelope

import (
	"crypto/ecdsa"
	"crypto/sha512"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/esdkformat"
)

// A Recipient is a KMS key a message's data key is wrapped for: each one
// adds an encrypted data key to the header, and any one of them opens the
// message. Build recipients with [NewRecipient], [NewRSARecipient] or
// [NewECDHRecipient], from a validated [kmspub.PublicKey]: what a key may be
// used for is decided by kmspub's KMS rules, not by this package. A
// Recipient is immutable and safe for concurrent use.
type Recipient interface {
	// wrap returns the encrypted data key of dataKey for the message with
	// the given canonical encryption context.
	wrap(dataKey []byte, context []byte) (esdkformat.EncryptedDataKey, error)
}

// NewRecipient returns the recipient a key's usage calls for: an
// [ECDHRecipient] for a KEY_AGREEMENT key (algorithm is then not used), an
// [RSARecipient] with algorithm otherwise — which refuses every usage but
// ENCRYPT_DECRYPT with the InvalidKeyUsageException KMS Encrypt gives.
func NewRecipient(key *kmspub.PublicKey, algorithm types.EncryptionAlgorithmSpec) (Recipient, error) {
	if key == nil {
		return nil, errNilKey
	}
	if key.KeyUsage() == types.KeyUsageTypeKeyAgreement {
		return NewECDHRecipient(key)
	}
	return NewRSARecipient(key, algorithm)
}

var errNilKey = errors.New("envelope: nil *kmspub.PublicKey")

// RSARecipient wraps the data key the way the AWS Encryption SDK's AWS KMS
// RSA keyring does (framework/aws-kms/aws-kms-rsa-keyring.md): RSA-OAEP
// with the KMS algorithm, over SHA-384 of the serialized encryption context
// followed by the data key. The encrypted data key has provider ID
// "aws-kms-rsa" and the key ARN as provider information, and KMS Decrypt
// with the same key and algorithm unwraps it.
type RSARecipient struct {
	key       *kmspub.PublicKey
	algorithm types.EncryptionAlgorithmSpec
}

// NewRSARecipient returns a recipient for an RSA ENCRYPT_DECRYPT key and
// one of the algorithms it lists (RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256).
// Anything KMS Encrypt would refuse is refused the same way, by
// [kmspub.PublicKey.Encrypt]: another key usage, an algorithm the key does
// not list (including "", which is SYMMETRIC_DEFAULT). An SM2 key with
// SM2PKE, which KMS accepts but no Encryption SDK keyring uses, and a key
// without a key ARN (the encrypted data key names it) are refused too.
func NewRSARecipient(key *kmspub.PublicKey, algorithm types.EncryptionAlgorithmSpec) (*RSARecipient, error) {
	if key == nil {
		return nil, errNilKey
	}
	// The same request the recipient makes for every message, so every
	// rule Encrypt applies is checked now.
	if _, err := key.Encrypt(make([]byte, sha512.Size384+esdkformat.DataKeySize), algorithm); err != nil {
		return nil, err
	}
	if _, ok := key.CryptoPublicKey().(*ecdsa.PublicKey); ok {
		return nil, fmt.Errorf("envelope: the %s key offers %s, but the AWS Encryption SDK has no keyring for it: the AWS KMS RSA keyring takes RSA keys only", key.KeySpec(), algorithm)
	}
	if key.KeyID() == "" {
		return nil, errors.New("envelope: the key has no key ARN; an aws-kms-rsa encrypted data key names the KMS key that decrypts it")
	}
	return &RSARecipient{key: key, algorithm: algorithm}, nil
}

func (r *RSARecipient) wrap(dataKey []byte, context []byte) (esdkformat.EncryptedDataKey, error) {
	digest := sha512.Sum384(context)
	plaintext := append(digest[:], dataKey...)
	ct, err := r.key.Encrypt(plaintext, r.algorithm)
	clear(plaintext)
	if err != nil {
		return esdkformat.EncryptedDataKey{}, err
	}
	return esdkformat.EncryptedDataKey{
		ProviderID:   esdkformat.ProviderAWSKMSRSA,
		ProviderInfo: []byte(r.key.KeyID()),
		Ciphertext:   ct,
	}, nil
}

// ECDHRecipient wraps the data key the way the Raw ECDH keyring does in its
// EphemeralPrivateKeyToStaticPublicKey schema (framework/raw-ecdh-keyring.md,
// framework/key-agreement-schemas.md): a fresh ephemeral key on the KMS
// key's curve for each message, ECDH with the KMS key through
// [kmspub.PublicKey.DeriveSharedSecret], the counter-mode HMAC-SHA384 KDF
// over the ephemeral and KMS public keys and the encryption context, a
// commitment key, and AES-256-GCM. The encrypted data key has provider ID
// "raw-ecdh". The AWS KMS ECDH keyring (KmsPublicKeyDiscovery) opens it
// through KMS DeriveSharedSecret; the Raw ECDH keyring (PublicKeyDiscovery)
// opens it with the private key.
type ECDHRecipient struct {
	key       *kmspub.PublicKey
	curve     *ecdhCurve
	recipient []byte // the KMS key's compressed point
}

// NewECDHRecipient returns a recipient for a KEY_AGREEMENT key on
// ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521 or SM2. Another key usage is
// refused as KMS DeriveSharedSecret refuses it, with an
// InvalidKeyUsageException, and so is a key that does not list ECDH.
func NewECDHRecipient(key *kmspub.PublicKey) (*ECDHRecipient, error) {
	if key == nil {
		return nil, errNilKey
	}
	curve := lookupECDHCurve(key.KeySpec())
	if curve == nil {
		// kmspub refuses the usage (every KEY_AGREEMENT key is on one of
		// the four curves) before it looks at the private key.
		_, _, err := key.DeriveSharedSecret(nil, types.KeyAgreementAlgorithmSpecEcdh)
		if err == nil {
			err = fmt.Errorf("envelope: no ECDH keyring for %s keys", key.KeySpec())
		}
		return nil, err
	}
	// The request every message makes, with a throwaway key: every rule
	// DeriveSharedSecret applies is checked now.
	priv, _, err := curve.generate()
	if err != nil {
		return nil, err
	}
	if _, _, err := key.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh); err != nil {
		return nil, err
	}
	pub, ok := key.CryptoPublicKey().(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("envelope: %s key parsed as %T", key.KeySpec(), key.CryptoPublicKey())
	}
	point, err := curve.toPoint(pub)
	if err != nil {
		return nil, err
	}
	return &ECDHRecipient{key: key, curve: curve, recipient: curve.compress(point)}, nil
}

func (r *ECDHRecipient) wrap(dataKey []byte, context []byte) (esdkformat.EncryptedDataKey, error) {
	priv, point, err := r.curve.generate()
	if err != nil {
		return esdkformat.EncryptedDataKey{}, err
	}
	secret, _, err := r.key.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh)
	if err != nil {
		return esdkformat.EncryptedDataKey{}, err
	}
	defer clear(secret)
	info := &esdkformat.ECDHProviderInfo{Recipient: r.recipient, Sender: r.curve.compress(point)}
	ct, err := ecdhWrap(r.curve, secret, info.Sender, info.Recipient, context, dataKey)
	if err != nil {
		return esdkformat.EncryptedDataKey{}, err
	}
	return esdkformat.EncryptedDataKey{
		ProviderID:   esdkformat.ProviderRawECDH,
		ProviderInfo: info.Marshal(),
		Ciphertext:   ct,
	}, nil
}
