package jose_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/localkmstest"
	"github.com/kmspub/kmspub/jose"
)

// TestLocalKMSSigner signs JWTs through local-kms with every JOSE
// algorithm its keys offer (RSA, P-256/384/521, secp256k1; local-kms has no
// Ed25519 or ML-DSA) and verifies them offline. (The JWT libraries' own
// verifiers check the same tokens in the adapter modules.)
func TestLocalKMSSigner(t *testing.T) {
	client := localkmstest.Client(t)
	for _, c := range josetest.LocalKMSAlgorithms {
		t.Run(string(c.Spec), func(t *testing.T) {
			id := localkmstest.CreateKey(t, client, c.Spec, types.KeyUsageTypeSignVerify)
			alias := localkmstest.CreateAlias(t, client, "jose-"+string(c.Spec), id)
			key, err := kmspub.Fetch(localkmstest.Context(t), client, alias)
			if err != nil {
				t.Fatal(err)
			}
			for _, alg := range c.Algs {
				s, err := jose.NewSigner(client, key, alg)
				if err != nil {
					t.Fatal(err)
				}
				for _, payload := range []map[string]any{{"sub": "local-kms"}, {"pad": string(make([]byte, 5000))}} {
					tok, err := s.SignJWT(localkmstest.Context(t), payload)
					if err != nil {
						t.Fatalf("%s: %v", alg, err)
					}
					got, err := jose.NewVerifier(jose.StaticKeys(key)).VerifyJWT(t.Context(), []byte(tok))
					if err != nil {
						t.Fatalf("%s: %v", alg, err)
					}
					if got.Header.KeyID != localkmstest.KeyARN(id) {
						t.Errorf("kid %s, want the key ARN", got.Header.KeyID)
					}
				}
			}
		})
	}
}

// TestLocalKMSDivergencePSSJWS: local-kms signs RSASSA-PSS with the
// longest salt, AWS KMS (and JWA's PS256) with salt = hash length
// (docs/KMS-RULES.md §11). The signer checks every answer, so it refuses
// local-kms's.
func TestLocalKMSDivergencePSSJWS(t *testing.T) {
	client := localkmstest.Client(t)
	id := localkmstest.CreateKey(t, client, types.KeySpecRsa2048, types.KeyUsageTypeSignVerify)
	key, err := kmspub.Fetch(localkmstest.Context(t), client, id)
	if err != nil {
		t.Fatal(err)
	}
	s, err := jose.NewSigner(client, key, "PS256")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.SignJWT(localkmstest.Context(t), map[string]any{"sub": "x"})
	var invalid *types.KMSInvalidSignatureException
	if !errors.Is(err, jose.ErrKMSAnswer) || !errors.As(err, &invalid) {
		t.Errorf("PS256 through local-kms: %v, want ErrKMSAnswer (local-kms's salt is not the hash length)", err)
	}
}
