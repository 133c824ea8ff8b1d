package jose_test

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

type mldsaVector struct {
	JWK json.RawMessage `json:"jwk"`
	JWS string          `json:"jws"`
}

func draftVector(t *testing.T) mldsaVector {
	t.Helper()
	data, err := os.ReadFile(kmspubtest.Path("jose", "ML_DSA_44.jose.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v mldsaVector
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMLDSADraftVector verifies the ML-DSA-44 JWS of RFC 9964's appendix,
// signed by its authors, with the JWK published beside it.
func TestMLDSADraftVector(t *testing.T) {
	v := draftVector(t)
	j, err := jose.ParseJWK(v.JWK)
	if err != nil {
		t.Fatal(err)
	}
	k, err := j.Key()
	if err != nil {
		t.Fatal(err)
	}
	if k.PublicKey.KeySpec() != types.KeySpecMlDsa44 || k.PublicKey.KeyUsage() != types.KeyUsageTypeSignVerify {
		t.Fatalf("JWK → %s %s", k.PublicKey.KeySpec(), k.PublicKey.KeyUsage())
	}
	verifier := jose.NewVerifier(jose.StaticKeys(k.PublicKey)) // no ID: the kid must match as a thumbprint
	got, err := verifier.Verify(t.Context(), []byte(v.JWS))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got.Payload), "Frodo") || got.Header.KeyID != j.KeyID {
		t.Errorf("payload %q, kid %q", got.Payload, got.Header.KeyID)
	}
	parts := strings.Split(v.JWS, ".")
	if _, err := verifier.Verify(t.Context(), []byte(parts[0]+"."+parts[1]+"."+flip(parts[2]))); !errors.Is(err, jose.ErrInvalidSignature) {
		t.Errorf("changed signature: %v", err)
	}
}
