package jose_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

func TestSignerEveryAlgorithm(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		key := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(key) {
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				client := &josetest.FakeKMS{T: t, Spec: spec, KeyARN: key.KeyID()}
				s, err := jose.NewSigner(client, key, alg)
				if err != nil {
					t.Fatal(err)
				}
				tok, err := s.SignJWT(t.Context(), map[string]any{"sub": "kmspub"})
				if err != nil {
					t.Fatal(err)
				}
				got, err := jose.NewVerifier(jose.StaticKeys(key)).VerifyJWT(t.Context(), []byte(tok))
				if err != nil {
					t.Fatal(err)
				}
				if got.Claims.Subject != "kmspub" || got.Header.KeyID != key.KeyID() || got.Header.Type != "JWT" || got.Header.Algorithm != alg {
					t.Errorf("got %+v", got.Header)
				}
				if want := `{"alg":"` + alg + `","kid":"` + key.KeyID() + `","typ":"JWT"}`; string(got.Header.Protected) != want {
					t.Errorf("header %s, want %s", got.Header.Protected, want)
				}
				if len(client.Calls) != 1 || aws.ToString(client.Calls[0].KeyId) != key.KeyID() ||
					client.Calls[0].MessageType != types.MessageTypeRaw {
					t.Errorf("Sign calls %+v", client.Calls)
				}
			})
		}
	}
}

// Inputs over 4096 bytes: the DIGEST for RSA and ECDSA; EdDSA and ML-DSA
// refused before any call.
func TestSignerLongInput(t *testing.T) {
	payload := []byte(strings.Repeat("p", 5000))
	for _, c := range []struct {
		spec types.KeySpec
		alg  string
	}{{"RSA_2048", "PS384"}, {"ECC_NIST_P521", "ES512"}, {"ECC_SECG_P256K1", "ES256K"}} {
		key := kmspubtest.SigningKey(t, c.spec)
		client := &josetest.FakeKMS{T: t, Spec: c.spec, KeyARN: key.KeyID()}
		s, _ := jose.NewSigner(client, key, c.alg)
		tok, err := s.Sign(t.Context(), payload, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.alg, err)
		}
		if len(client.Calls) != 1 || client.Calls[0].MessageType != types.MessageTypeDigest {
			t.Errorf("%s: calls %+v", c.alg, client.Calls)
		}
		if _, err := jose.NewVerifier(jose.StaticKeys(key)).Verify(t.Context(), []byte(tok)); err != nil {
			t.Errorf("%s: %v", c.alg, err)
		}
	}
	for _, spec := range []types.KeySpec{types.KeySpecEccNistEdwards25519, types.KeySpecMlDsa87} {
		key := kmspubtest.SigningKey(t, spec)
		client := &josetest.FakeKMS{T: t, Spec: spec, KeyARN: key.KeyID()}
		s, _ := jose.NewSigner(client, key, "")
		_, err := s.Sign(t.Context(), payload, nil)
		if err == nil || !strings.Contains(err.Error(), "4096") || !strings.Contains(err.Error(), "ValidationException") && !strings.Contains(err.Error(), "length less than or equal to 4096") {
			t.Errorf("%s over 4096 bytes: %v", spec, err)
		}
		if len(client.Calls) != 0 {
			t.Errorf("%s over 4096 bytes: %d Sign calls", spec, len(client.Calls))
		}
	}
}

func TestSignerRefusesAnswersItCannotVouchFor(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	other := kmspubtest.SigningKey(t, types.KeySpecRsa3072)
	priv := josetest.PrivateKey(t, types.KeySpecRsa2048).(*rsa.PrivateKey)
	for name, tamper := range map[string]func(in *kms.SignInput, out *kms.SignOutput){
		"another key": func(_ *kms.SignInput, o *kms.SignOutput) { o.KeyId = aws.String(other.KeyID()) },
		"another algorithm": func(_ *kms.SignInput, o *kms.SignOutput) {
			o.SigningAlgorithm = types.SigningAlgorithmSpecRsassaPssSha512
		},
		"no signature":    func(_ *kms.SignInput, o *kms.SignOutput) { o.Signature = nil },
		"a bad signature": func(_ *kms.SignInput, o *kms.SignOutput) { o.Signature[10] ^= 1 },
		"PSS with the longest salt, as local-kms signs": func(in *kms.SignInput, o *kms.SignOutput) {
			d := sha256.Sum256(in.Message)
			o.Signature, _ = rsa.SignPSS(rand.Reader, priv, 5, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
		},
	} {
		client := &josetest.FakeKMS{T: t, Spec: types.KeySpecRsa2048, KeyARN: key.KeyID()}
		client.Tamper = func(o *kms.SignOutput) { tamper(client.Calls[len(client.Calls)-1], o) }
		s, _ := jose.NewSigner(client, key, "PS256")
		if _, err := s.SignJWT(t.Context(), map[string]any{}); !errors.Is(err, jose.ErrKMSAnswer) {
			t.Errorf("%s: %v, want ErrKMSAnswer", name, err)
		}
	}
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	client := &josetest.FakeKMS{T: t, Spec: types.KeySpecEccNistP256, KeyARN: p256.KeyID(), Tamper: func(o *kms.SignOutput) {
		o.Signature = append(o.Signature, 0) // BER-ish: bytes after the SEQUENCE
	}}
	s, _ := jose.NewSigner(client, p256, "ES256")
	if _, err := s.SignJWT(t.Context(), map[string]any{}); !errors.Is(err, jose.ErrKMSAnswer) {
		t.Errorf("DER with a trailing byte: %v", err)
	}
}

func TestNewSignerRefusals(t *testing.T) {
	var usage *types.InvalidKeyUsageException
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	if _, err := jose.NewSigner(nil, p256, "PS256"); !errors.As(err, &usage) {
		t.Errorf("PS256 with P-256: %v", err)
	}
	if _, err := jose.NewSigner(nil, kmspubtest.SigningKey(t, types.KeySpecEccSecgP256k1), "ES256"); !errors.Is(err, jose.ErrKeyMismatch) || !errors.As(err, &usage) {
		t.Errorf("ES256 with secp256k1: %v", err)
	}
	if _, err := jose.NewSigner(nil, kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt), "RS256"); !errors.As(err, &usage) ||
		!strings.Contains(err.Error(), "not valid for Sign") {
		t.Errorf("ENCRYPT_DECRYPT key: %v", err)
	}
	if _, err := jose.NewSigner(nil, kmspubtest.SigningKey(t, types.KeySpecSm2), ""); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
		t.Errorf("SM2: %v", err)
	}
	for _, alg := range []string{"HS256", "none"} {
		if _, err := jose.NewSigner(nil, p256, alg); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
			t.Errorf("%s: %v", alg, err)
		}
	}
	s, _ := jose.NewSigner(&josetest.FakeKMS{T: t, Spec: types.KeySpecEccNistP256, KeyARN: p256.KeyID()}, p256, "ES256")
	for _, h := range []map[string]any{{"alg": "none"}, {"kid": "other"}, {"crit": []string{"x"}}, {"b64": false}} {
		if _, err := s.Sign(t.Context(), []byte("{}"), h); err == nil {
			t.Errorf("header %v accepted", h)
		}
	}
	tok, err := s.Sign(t.Context(), []byte("{}"), map[string]any{"alg": "ES256", "cty": "x", "zz": 1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := jose.NewVerifier(jose.StaticKeys(p256)).Verify(t.Context(), []byte(tok))
	if err != nil || string(got.Header.Protected) != `{"alg":"ES256","kid":"`+p256.KeyID()+`","cty":"x","zz":1}` {
		t.Errorf("header %s, %v", got.Header.Protected, err)
	}
}
