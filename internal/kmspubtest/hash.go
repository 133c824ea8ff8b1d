package kmspubtest

import (
	"crypto"
	"crypto/sha3"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// AlgorithmHash is the tests' own statement of each signing algorithm's
// hash, read from the algorithm's name (docs/KMS-RULES.md §3.2) and independent
// of internal/kmsrules; 0 for SM2DSA and ML_DSA_SHAKE_256.
func AlgorithmHash(alg types.SigningAlgorithmSpec) crypto.Hash {
	switch {
	case strings.HasSuffix(string(alg), "SHA_256"):
		return crypto.SHA256
	case strings.HasSuffix(string(alg), "SHA_384"):
		return crypto.SHA384
	case strings.HasSuffix(string(alg), "SHA_512"):
		return crypto.SHA512
	}
	return 0
}

// MLDSAMu computes the ML-DSA μ of message for the raw public key directly
// from FIPS 204: SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64).
func MLDSAMu(rawPub, message []byte) []byte {
	tr := sha3.SumSHAKE256(rawPub, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(message)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// Sum returns the hash h of message.
func Sum(h crypto.Hash, message []byte) []byte {
	hh := h.New()
	hh.Write(message)
	return hh.Sum(nil)
}
