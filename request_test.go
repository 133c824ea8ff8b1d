package kmspub_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// TestOperationsRequireListedAlgorithm: KMS lists exactly one key agreement
// and one encapsulation algorithm, so valid metadata cannot leave them out;
// a PublicKey whose list lacks the algorithm must still refuse it, with the
// InvalidKeyUsageException KMS uses for an algorithm a key does not offer.
func TestOperationsRequireListedAlgorithm(t *testing.T) {
	kem := kmspub.WithoutAlgorithmLists(kmspubtest.Key(t, types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate))
	_, _, err := kem.Encapsulate(types.EncapsulationAlgorithmSpecMlKem)
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm ML_KEM is incompatible with key spec ML_KEM_768.")

	agree := kmspub.WithoutAlgorithmLists(kmspubtest.Key(t, types.KeySpecEccNistP521, types.KeyUsageTypeKeyAgreement))
	_, _, err = agree.DeriveSharedSecret(nil, types.KeyAgreementAlgorithmSpecEcdh)
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm ECDH is incompatible with key spec ECC_NIST_P521.")

	enc := kmspub.WithoutAlgorithmLists(kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt))
	_, err = enc.Encrypt([]byte("x"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec RSA_2048.")
}
