package kmspub

import (
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/mlkem"

	"github.com/kmspub/kmspub/internal/kmserr"
)

// Encapsulate is the offline form of KMS Encapsulate for an
// ENCAPSULATE_DECAPSULATE (ML-KEM) key: it runs FIPS 203 ML-KEM.Encaps on the
// encapsulation key inside the GetPublicKey SPKI and returns a fresh 32-byte
// shared secret and its ciphertext. Passing the ciphertext to KMS Decapsulate
// with this key and algorithm ML_KEM returns the same secret. Ciphertexts are
// 768 bytes for ML_KEM_512, 1088 for ML_KEM_768 and 1568 for ML_KEM_1024.
// ML-KEM-768 and -1024 use crypto/mlkem, ML-KEM-512 uses
// github.com/emmansun/gmsm/mlkem; randomness comes from crypto/rand.
//
// The encapsulation key was checked when the PublicKey was built: it has the
// FIPS 203 length and passes the §7.2 modulus check (every coefficient below
// q), so Encapsulate fails only on a refusal below.
//
// KMS Decapsulate never reports a wrong ciphertext. FIPS 203 decapsulation
// uses implicit rejection: a corrupted or mismatched ciphertext yields a
// different, pseudorandom 32-byte value, not an error. Both sides must
// therefore confirm they hold the same secret before relying on it. Either
// derive an AEAD key from it (for example HKDF-SHA-256 with the ciphertext
// and key ARN in the info, then AES-GCM) and treat the first failed
// authentication as a mismatch, or send a key-confirmation tag such as
// HMAC-SHA-256(HKDF(secret, "key confirmation"), ciphertext) with the
// ciphertext and compare it, with hmac.Equal, after Decapsulate. Never use
// the raw secret directly as a key for more than one purpose.
//
// Refusals, in this order, are the errors KMS returns, typed as the AWS SDK
// for Go v2 surfaces them:
//
//  1. algorithm "" (EncapsulationAlgorithm is required) or not a KMS
//     EncapsulationAlgorithmSpec: ValidationException in KMS's words.
//     (KMS itself answers a missing member this way; the Go SDK's client
//     catches it before sending, as *smithy.InvalidParamsError.)
//  2. A key that is not ENCAPSULATE_DECAPSULATE:
//     *types.InvalidKeyUsageException "<arn> key usage is <USAGE> which is
//     not valid for Encapsulate."
//  3. An algorithm the key does not list: *types.InvalidKeyUsageException
//     "Algorithm <ALG> is incompatible with key spec <SPEC>."
func (k *PublicKey) Encapsulate(algorithm types.EncapsulationAlgorithmSpec) (sharedSecret, ciphertext []byte, err error) {
	if algorithm == "" {
		return nil, nil, kmserr.Required("encapsulationAlgorithm")
	}
	if !slices.Contains(encapsulationAlgorithmSpecs, algorithm) {
		return nil, nil, kmserr.BadEnum(algorithm, "encapsulationAlgorithm", encapsulationAlgorithmSpecs)
	}
	if err := k.requireUsage(types.KeyUsageTypeEncapsulateDecapsulate, kmserr.OpEncapsulate); err != nil {
		return nil, nil, err
	}
	if err := requireListed(k, k.encapsulation, algorithm); err != nil {
		return nil, nil, err
	}
	switch ek := k.public.(type) {
	case *mlkem.EncapsulationKey512:
		sharedSecret, ciphertext, err = ek.Encapsulate(rand.Reader)
		if err != nil {
			return nil, nil, fmt.Errorf("kmspub: Encapsulate: %w", err)
		}
	case *stdmlkem.EncapsulationKey768:
		sharedSecret, ciphertext = ek.Encapsulate()
	case *stdmlkem.EncapsulationKey1024:
		sharedSecret, ciphertext = ek.Encapsulate()
	default:
		// Unreachable: only ML-KEM specs have ENCAPSULATE_DECAPSULATE.
		return nil, nil, fmt.Errorf("kmspub: Encapsulate: no ML-KEM key for key spec %s", k.spec.Spec)
	}
	if len(sharedSecret) != k.spec.SharedSecretSize || len(ciphertext) != k.spec.KEMCiphertextSize {
		return nil, nil, fmt.Errorf("kmspub: Encapsulate: %s gave a %d-byte secret and a %d-byte ciphertext, want %d and %d",
			k.spec.Spec, len(sharedSecret), len(ciphertext), k.spec.SharedSecretSize, k.spec.KEMCiphertextSize)
	}
	return sharedSecret, ciphertext, nil
}

// encapsulationAlgorithmSpecs is the EncapsulationAlgorithmSpec enum, read once.
var encapsulationAlgorithmSpecs = types.EncapsulationAlgorithmSpec("").Values()
