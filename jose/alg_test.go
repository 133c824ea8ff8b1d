package jose_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/kmsrules"
	"github.com/kmspub/kmspub/jose"
)

// The JOSE names of each spec's algorithms, written out by hand from RFC
// 7518 §3.1, RFC 8812 §3.2, RFC 8037 §3.1, RFC 9864 §2.2 and RFC 9964 §5
// (not computed from the table), so an edit to the table that breaks one
// fails here.
var wantNames = map[types.KeySpec][]string{
	"RSA_2048":              {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
	"RSA_3072":              {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
	"RSA_4096":              {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
	"ECC_NIST_P256":         {"ES256"},
	"ECC_NIST_P384":         {"ES384"},
	"ECC_NIST_P521":         {"ES512"},
	"ECC_SECG_P256K1":       {"ES256K"},
	"ECC_NIST_EDWARDS25519": {"EdDSA", "Ed25519"},
	"SM2":                   nil,
	"ML_DSA_44":             {"ML-DSA-44"},
	"ML_DSA_65":             {"ML-DSA-65"},
	"ML_DSA_87":             {"ML-DSA-87"},
}

// TestAlgorithmTableCoversKMS checks the table against internal/kmsrules:
// every signing algorithm of every spec has its JOSE name(s), except SM2DSA
// and ED25519_PH_SHA_512, which AlgorithmFor refuses saying why.
func TestAlgorithmTableCoversKMS(t *testing.T) {
	for _, spec := range kmsrules.KeySpecs() {
		if len(spec.Signing) == 0 {
			continue
		}
		t.Run(string(spec.Spec), func(t *testing.T) {
			key := kmspubtest.SigningKey(t, spec.Spec)
			if got := jose.KeyAlgorithms(key); !slices.Equal(got, wantNames[spec.Spec]) {
				t.Errorf("KeyAlgorithms = %v, want %v", got, wantNames[spec.Spec])
			}
			for _, alg := range spec.Signing {
				name, err := jose.AlgorithmFor(key, alg)
				switch alg {
				case types.SigningAlgorithmSpecSm2dsa, types.SigningAlgorithmSpecEd25519PhSha512:
					if !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
						t.Errorf("AlgorithmFor(%s) = %q, %v; want ErrUnsupportedAlgorithm", alg, name, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("AlgorithmFor(%s): %v", alg, err)
				}
				row := jose.LookupAlgorithm(name)
				if row == nil || row.SigningAlgorithm != alg || !slices.Contains(wantNames[spec.Spec], name) {
					t.Errorf("AlgorithmFor(%s) = %s (row %+v)", alg, name, row)
				}
			}
		})
	}
}

func TestAlgorithmForRefusesWhatKMSRefuses(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	_, err := jose.AlgorithmFor(p256, types.SigningAlgorithmSpecRsassaPssSha256)
	var usage *types.InvalidKeyUsageException
	if !errors.As(err, &usage) {
		t.Errorf("PSS on P-256: %v, want InvalidKeyUsageException", err)
	}
	agreement := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	if _, err := jose.AlgorithmFor(agreement, types.SigningAlgorithmSpecEcdsaSha256); !errors.As(err, &usage) {
		t.Errorf("KEY_AGREEMENT key: %v, want InvalidKeyUsageException", err)
	}
	if _, err := jose.DefaultAlgorithm(agreement); !errors.As(err, &usage) {
		t.Errorf("DefaultAlgorithm of a KEY_AGREEMENT key: %v, want InvalidKeyUsageException", err)
	}
	sm2 := kmspubtest.SigningKey(t, types.KeySpecSm2)
	if _, err := jose.DefaultAlgorithm(sm2); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
		t.Errorf("DefaultAlgorithm of SM2: %v, want ErrUnsupportedAlgorithm", err)
	}
}

// A key whose list is a subset offers only the names of that subset; an
// Ed25519 key listing only Ed25519ph offers none.
func TestKeyAlgorithmsFollowTheKeysList(t *testing.T) {
	rsa := withAlgorithms(t, types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPssSha384)
	if got := jose.KeyAlgorithms(rsa); !slices.Equal(got, []string{"PS384"}) {
		t.Errorf("RSA listing PSS_SHA_384: %v", got)
	}
	ph := withAlgorithms(t, types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519PhSha512)
	if got := jose.KeyAlgorithms(ph); got != nil {
		t.Errorf("Ed25519ph-only key: %v", got)
	}
	if _, err := jose.DefaultAlgorithm(ph); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
		t.Errorf("DefaultAlgorithm of an Ed25519ph-only key: %v", err)
	}
	if got, _ := jose.DefaultAlgorithm(kmspubtest.SigningKey(t, types.KeySpecRsa3072)); got != "RS256" {
		t.Errorf("DefaultAlgorithm(RSA) = %s", got)
	}
}

// withAlgorithms returns the test key of spec with the given
// SigningAlgorithms and the key ARN of its key file.
func withAlgorithms(t testing.TB, spec types.KeySpec, algs ...types.SigningAlgorithmSpec) *kmspub.PublicKey {
	t.Helper()
	k := kmspubtest.SigningKey(t, spec)
	out, err := kmspub.ParseSubjectPublicKeyInfo(k.DER(), &kms.GetPublicKeyOutput{
		KeyId:             aws.String(k.KeyID()),
		KeySpec:           spec,
		KeyUsage:          types.KeyUsageTypeSignVerify,
		SigningAlgorithms: algs,
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
