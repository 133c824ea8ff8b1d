package kmspub

import (
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/mlkem"
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
// KMS Decapsulate never reports a wrong ciphertext: FIPS 203 uses implicit
// rejection, so a corrupted or mismatched ciphertext yields a different,
// pseudorandom secret, not an error. Confirm that both sides hold the same
// secret before relying on it — through an AEAD keyed from it, or a
// key-confirmation tag — and never use the raw secret as a key for more
// than one purpose; the examples show both ways.
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
	if err := preamble(k, encapsulateModel(algorithm), opEncapsulate, k.encapsulation, algorithm); err != nil {
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
