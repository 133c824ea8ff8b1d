package kmspub

import "github.com/aws/aws-sdk-go-v2/service/kms/types"

// Exported for the tests of package kmspub_test, which see only the API.

// KeyringNames reports how many entries that are not key ARNs' permanent
// ones r holds: as its name index counts them, and as found in its map.
// Tests check that the two agree and stay within the bound.
func KeyringNames(r *Keyring) (indexed, mapped int) {
	r.names.mu.Lock()
	indexed = len(r.names.byName)
	if len(r.names.heap) != indexed {
		indexed = -1 // the heap and the map of the index disagree
	}
	r.names.mu.Unlock()
	r.entries.Range(func(_, v any) bool {
		if !v.(*keyringEntry).permanent {
			mapped++
		}
		return true
	})
	return indexed, mapped
}

// WithoutAlgorithmLists returns a copy of k whose four algorithm lists are
// empty: metadata KMS cannot produce (KMS lists exactly one key agreement
// and one encapsulation algorithm), for checking that the operations still
// refuse an algorithm the key does not list.
func WithoutAlgorithmLists(k *PublicKey) *PublicKey {
	c := *k
	c.signing, c.encryption, c.keyAgreement, c.encapsulation = nil, nil, nil, nil
	return &c
}

// EncryptChecks runs every check Encrypt makes before encrypting.
func EncryptChecks(k *PublicKey, plaintextLen int, algorithm types.EncryptionAlgorithmSpec) error {
	_, err := k.encryptionRule(plaintextLen, algorithm)
	return err
}

// VerifyChecks runs the request checks Verify makes that do not depend on
// the message: the signature's length, the algorithm, the key's usage and
// algorithm list.
func VerifyChecks(k *PublicKey, algorithm types.SigningAlgorithmSpec, signature []byte) error {
	model, _ := streamVerifyModel(signature, algorithm)
	return preamble(k, model, opVerify, k.signing, algorithm)
}
