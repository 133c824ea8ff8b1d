package kmspub

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// Encrypt encrypts plaintext with the key so that a later KMS Decrypt call,
// given the same key and the same algorithm, returns it. The ciphertext is
// exactly the CiphertextBlob KMS Encrypt would return for the request:
//
//   - RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256: RSAES-OAEP (RFC 8017 §7.1)
//     with MGF1 over the same hash and an empty label; the ciphertext is as
//     long as the modulus (256, 384 or 512 bytes).
//   - SM2PKE (China Regions only): GB/T 32918.4 encryption, encoded as the
//     ASN.1 DER SEQUENCE {x INTEGER, y INTEGER, C3 OCTET STRING,
//     C2 OCTET STRING} (C1C3C2 order, minimal INTEGERs, C3 = 32-byte SM3
//     hash, C2 as long as the plaintext) that KMS Decrypt takes.
//
// An empty algorithm means SYMMETRIC_DEFAULT, as in KMS, and is therefore
// refused for every asymmetric key: name the algorithm. Randomness comes from
// crypto/rand. The ciphertext carries no algorithm or key identifier, so the
// caller must remember both for Decrypt.
//
// Encrypt refuses what KMS Encrypt refuses, with the error the AWS SDK for Go
// v2 returns, checked in this order:
//
//  1. Request shape, which KMS validates before it looks at the key: a
//     plaintext that is absent (nil: "Value at 'plaintext' … must not be
//     null"), empty or over 4096 bytes, and an algorithm that is not a KMS
//     EncryptionAlgorithmSpec, give one ValidationException (smithy.APIError
//     with code "ValidationException") listing every violation in KMS's
//     words. (The Go SDK's client refuses a nil plaintext itself, as
//     *smithy.InvalidParamsError, so only a caller of Encrypt sees KMS's.)
//  2. Key usage: a key that is not ENCRYPT_DECRYPT gives
//     *types.InvalidKeyUsageException "<arn> key usage is <USAGE> which is
//     not valid for Encrypt."
//  3. Algorithm: one the key does not list (including SYMMETRIC_DEFAULT)
//     gives *types.InvalidKeyUsageException "Algorithm <ALG> is incompatible
//     with key spec <SPEC>."
//  4. Size: a plaintext over the limit for the algorithm and key spec
//     (RSA_2048: 214 bytes with SHA-1, 190 with SHA-256; RSA_3072: 342/318;
//     RSA_4096: 470/446; SM2PKE: 1024) gives a ValidationException
//     "Algorithm <ALG> and key spec <SPEC> cannot encrypt data larger than
//     <N> bytes."
//
// Errors never contain plaintext bytes.
func (k *PublicKey) Encrypt(plaintext []byte, algorithm types.EncryptionAlgorithmSpec) ([]byte, error) {
	if err := encryptModel(plaintext, algorithm).err(); err != nil {
		return nil, err
	}
	row, err := k.encryptionRule(len(plaintext), algorithm)
	if err != nil {
		return nil, err
	}
	return k.encryptWith(row, plaintext)
}

// encryptWith encrypts plaintext with the rules-table row the key phase
// chose (encryptionRule).
func (k *PublicKey) encryptWith(row *kmsrules.EncryptionAlgorithm, plaintext []byte) ([]byte, error) {
	switch k.spec.Family {
	case kmsrules.FamilyRSA:
		// OAEP hash and MGF1 hash are the same function; the label is empty.
		ct, err := rsa.EncryptOAEP(row.OAEPHash.New(), rand.Reader, k.public.(*rsa.PublicKey), plaintext, nil)
		if err != nil {
			return nil, fmt.Errorf("kmspub: Encrypt %s: %w", row.Algorithm, err)
		}
		return ct, nil
	case kmsrules.FamilySM2:
		ct, err := sm2.EncryptASN1(rand.Reader, k.public.(*ecdsa.PublicKey), plaintext)
		if err != nil {
			return nil, fmt.Errorf("kmspub: Encrypt %s: %w", row.Algorithm, err)
		}
		return ct, nil
	}
	// Unreachable: the rules table gives encryption algorithms to RSA and
	// SM2 specs only, and the key was checked against it at construction.
	return nil, fmt.Errorf("kmspub: Encrypt: no encryption for key spec %s", k.spec.Spec)
}

// encryptionRule is Encrypt's key phase, for a request whose model phase
// passed: usage, algorithm, then the plaintext against the algorithm's
// limit. It returns the rules-table row for the algorithm.
func (k *PublicKey) encryptionRule(plaintextLen int, algorithm types.EncryptionAlgorithmSpec) (*kmsrules.EncryptionAlgorithm, error) {
	if algorithm == "" {
		// KMS's default for EncryptionAlgorithm; never valid for an
		// asymmetric key, and refused by the key phase with KMS's text.
		algorithm = types.EncryptionAlgorithmSpecSymmetricDefault
	}
	if err := keyAllows(k, opEncrypt, k.encryption, algorithm); err != nil {
		return nil, err
	}
	row := k.spec.EncryptionAlgorithm(algorithm)
	if row == nil {
		// A listed algorithm is always in the table (checked at construction).
		return nil, kmserr.IncompatibleAlgorithm(algorithm, k.spec.Spec)
	}
	if plaintextLen > row.MaxPlaintext {
		return nil, kmserr.PlaintextTooLarge(algorithm, k.spec.Spec, row.MaxPlaintext)
	}
	return row, nil
}
