package jose_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

var b64 = base64.RawURLEncoding

// TestVerifyEveryAlgorithm verifies a token of every JOSE algorithm of
// every spec, signed with the test private keys outside kmspub, in the
// compact, flattened JSON and general JSON serializations.
func TestVerifyEveryAlgorithm(t *testing.T) {
	for _, spec := range josetest.SigningSpecs {
		key := kmspubtest.SigningKey(t, spec)
		for _, alg := range jose.KeyAlgorithms(key) {
			t.Run(string(spec)+"/"+alg, func(t *testing.T) {
				header := map[string]any{"alg": alg, "kid": key.KeyID(), "typ": "JWT"}
				payload := []byte(`{"sub":"kmspub","n":1}`)
				token := josetest.Compact(t, spec, header, payload)
				v := jose.NewVerifier(jose.StaticKeys(key))
				for _, form := range []struct{ name, token string }{
					{"compact", token},
					{"flattened", flattened(token)},
					{"general", general(token)},
				} {
					got, err := v.Verify(t.Context(), []byte(form.token))
					if err != nil {
						t.Fatalf("%s: %v", form.name, err)
					}
					if string(got.Payload) != string(payload) || got.Header.Algorithm != alg || got.Key != key ||
						got.Header.KeyID != key.KeyID() || got.Header.Type != "JWT" {
						t.Errorf("%s: got %+v", form.name, got)
					}
					if got.SigningAlgorithm != jose.LookupAlgorithm(alg).SigningAlgorithm {
						t.Errorf("%s: SigningAlgorithm %s", form.name, got.SigningAlgorithm)
					}
				}
				// One changed byte of payload and of signature.
				parts := strings.Split(token, ".")
				for i, bad := range []string{
					parts[0] + "." + b64.EncodeToString([]byte(`{"sub":"kmspub","n":2}`)) + "." + parts[2],
					parts[0] + "." + parts[1] + "." + flip(parts[2]),
				} {
					_, err := v.Verify(t.Context(), []byte(bad))
					var invalid *types.KMSInvalidSignatureException
					if !errors.Is(err, jose.ErrInvalidSignature) || !errors.As(err, &invalid) {
						t.Errorf("change %d: %v, want ErrInvalidSignature wrapping KMSInvalidSignatureException", i, err)
					}
				}
			})
		}
	}
}

// flip changes the first byte the base64url text s encodes.
func flip(s string) string {
	raw, _ := b64.DecodeString(s)
	raw[0] ^= 1
	return b64.EncodeToString(raw)
}

func flattened(compact string) string {
	p := strings.Split(compact, ".")
	out, _ := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
	return string(out)
}

func general(compact string) string {
	p := strings.Split(compact, ".")
	out, _ := json.Marshal(map[string]any{"payload": p[1],
		"signatures": []any{map[string]any{"protected": p[0], "header": map[string]string{"x-note": "unprotected"}, "signature": p[2]}}})
	return string(out)
}

// token returns a compact JWS over raw header text with the signature sig.
func token(header string, payload string, sig []byte) string {
	return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(sig)
}

// The refusal list of issue #15, one case each.
func TestVerifyRefusals(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	rsaKey := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	secp := kmspubtest.SigningKey(t, types.KeySpecEccSecgP256k1)
	payload := []byte(`{"sub":"x"}`)
	valid := josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256"}, payload)
	parts := strings.Split(valid, ".")
	rs, _ := b64.DecodeString(parts[2])

	var invalid *types.KMSInvalidSignatureException
	var usage *types.InvalidKeyUsageException
	cases := []struct {
		name  string
		keys  []*kmspub.PublicKey
		token string
		kind  error
		as    any // a KMS exception errors.As must find, or nil
	}{
		{"alg none, no signature", []*kmspub.PublicKey{p256}, b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + ".", jose.ErrUnsupportedAlgorithm, nil},
		{"alg none, with a signature", []*kmspub.PublicKey{p256}, token(`{"alg":"none"}`, string(payload), rs), jose.ErrUnsupportedAlgorithm, nil},
		{"alg missing", []*kmspub.PublicKey{p256}, token(`{"typ":"JWT"}`, string(payload), rs), jose.ErrMalformed, nil},
		{"PS256 form for a key offering only ES256", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecRsa2048, map[string]any{"alg": "PS256"}, payload), jose.ErrKeyMismatch, &usage},
		{"PS256 for an RSA key listing only RS256", []*kmspub.PublicKey{withAlgorithms(t, types.KeySpecRsa2048, types.SigningAlgorithmSpecRsassaPkcs1V15Sha256)},
			josetest.Compact(t, types.KeySpecRsa2048, map[string]any{"alg": "PS256"}, payload), jose.ErrKeyMismatch, &usage},
		{"ES256 with a DER signature", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + b64.EncodeToString(josetest.DER(t, rs)), jose.ErrInvalidSignature, &invalid},
		{"R‖S one byte short", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + b64.EncodeToString(rs[1:]), jose.ErrInvalidSignature, &invalid},
		{"R‖S one byte long", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + b64.EncodeToString(append([]byte{0}, rs...)), jose.ErrInvalidSignature, &invalid},
		{"kid naming another key", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "kid": rsaKey.KeyID()}, payload), jose.ErrUnknownKey, nil},
		{"unknown crit", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "crit": []string{"x-policy"}, "x-policy": 1}, payload), jose.ErrCritical, nil},
		{"crit naming a standard header", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "crit": []string{"kid"}, "kid": p256.KeyID()}, payload), jose.ErrCritical, nil},
		{"crit naming an absent header", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "crit": []string{"x-a"}}, payload), jose.ErrCritical, nil},
		{"empty crit", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "crit": []string{}}, payload), jose.ErrCritical, nil},
		{"b64 false", []*kmspub.PublicKey{p256},
			josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "b64": false, "crit": []string{"b64"}}, payload), jose.ErrCritical, nil},
		{"a key without SIGN_VERIFY usage", []*kmspub.PublicKey{kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)},
			josetest.Compact(t, types.KeySpecRsa2048, map[string]any{"alg": "RS256"}, payload), jose.ErrKeyMismatch, &usage},
		{"ES256 with a secp256k1 key", []*kmspub.PublicKey{secp},
			josetest.CompactRaw(t, types.KeySpecEccSecgP256k1, "ES256K", []byte(`{"alg":"ES256"}`), payload), jose.ErrKeyMismatch, &usage},
		{"ES256K with a P-256 key", []*kmspub.PublicKey{p256},
			josetest.CompactRaw(t, types.KeySpecEccNistP256, "ES256", []byte(`{"alg":"ES256K"}`), payload), jose.ErrKeyMismatch, &usage},
		{"duplicate alg", []*kmspub.PublicKey{p256},
			josetest.CompactRaw(t, types.KeySpecEccNistP256, "ES256", []byte(`{"alg":"ES256","alg":"ES256"}`), payload), jose.ErrMalformed, nil},
		{"alg not a string", []*kmspub.PublicKey{p256}, token(`{"alg":["ES256"]}`, string(payload), rs), jose.ErrMalformed, nil},
		{"a JWE", []*kmspub.PublicKey{p256}, "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ.a.b.c.d", jose.ErrMalformed, nil},
		{"enc in a JWS header", []*kmspub.PublicKey{p256}, token(`{"alg":"ES256","enc":"A256GCM"}`, string(payload), rs), jose.ErrUnsupportedAlgorithm, nil},
		{"dir", []*kmspub.PublicKey{p256}, token(`{"alg":"dir"}`, string(payload), rs), jose.ErrUnsupportedAlgorithm, nil},
		{"RSA-OAEP-256", []*kmspub.PublicKey{rsaKey}, token(`{"alg":"RSA-OAEP-256"}`, string(payload), rs), jose.ErrUnsupportedAlgorithm, nil},
		{"unknown alg", []*kmspub.PublicKey{p256}, token(`{"alg":"ES257"}`, string(payload), rs), jose.ErrUnsupportedAlgorithm, nil},
		{"padded base64", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "=." + parts[2], jose.ErrMalformed, nil},
		{"line break in the signature", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + "." + parts[2][:10] + "\n" + parts[2][10:], jose.ErrMalformed, nil},
		{"empty signature", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1] + ".", jose.ErrMalformed, nil},
		{"two parts", []*kmspub.PublicKey{p256}, parts[0] + "." + parts[1], jose.ErrMalformed, nil},
		{"header not an object", []*kmspub.PublicKey{p256}, token(`["alg","ES256"]`, string(payload), rs), jose.ErrMalformed, nil},
		{"header not UTF-8", []*kmspub.PublicKey{p256}, token("{\"alg\":\"ES256\",\"x\":\"\xff\"}", string(payload), rs), jose.ErrMalformed, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := jose.NewVerifier(jose.StaticKeys(c.keys...)).Verify(t.Context(), []byte(c.token))
			if !errors.Is(err, c.kind) {
				t.Fatalf("Verify: %v, want %v", err, c.kind)
			}
			var e *jose.Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not a *jose.Error", err)
			}
			if c.as != nil && !errors.As(err, c.as) {
				t.Errorf("Verify: %v does not wrap %T", err, c.as)
			}
			if c.as == nil && isKMSException(err) {
				t.Errorf("Verify: %v wraps a KMS exception for a JOSE-only refusal", err)
			}
		})
	}
}

func isKMSException(err error) bool {
	var a *types.InvalidKeyUsageException
	var b *types.KMSInvalidSignatureException
	return errors.As(err, &a) || errors.As(err, &b)
}

// TestVerifyRefusesHMACWithPublicKeyBytes: the algorithm-confusion attack.
// An HS256 token whose secret is the public key's PEM, DER or JWK — a MAC
// anyone can compute — must be refused, whichever bytes were used.
func TestVerifyRefusesHMACWithPublicKeyBytes(t *testing.T) {
	for _, spec := range []types.KeySpec{types.KeySpecEccNistP256, types.KeySpecRsa2048} {
		key := kmspubtest.SigningKey(t, spec)
		jwk, err := jose.NewJWK(key)
		if err != nil {
			t.Fatal(err)
		}
		jwkJSON, _ := json.Marshal(jwk)
		secrets := map[string][]byte{
			"PEM": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: key.DER()}),
			"DER": key.DER(),
			"JWK": jwkJSON,
		}
		for name, secret := range secrets {
			for _, alg := range []string{"HS256", "HS384", "HS512"} {
				input := b64.EncodeToString([]byte(`{"alg":"`+alg+`","kid":"`+key.KeyID()+`"}`)) + "." + b64.EncodeToString([]byte(`{"sub":"admin"}`))
				mac := hmac.New(sha256.New, secret)
				mac.Write([]byte(input))
				tok := input + "." + b64.EncodeToString(mac.Sum(nil))
				_, err := jose.NewVerifier(jose.StaticKeys(key)).Verify(t.Context(), []byte(tok))
				if !errors.Is(err, jose.ErrUnsupportedAlgorithm) || !strings.Contains(err.Error(), "HMAC") {
					t.Errorf("%s %s with the %s as secret: %v", spec, alg, name, err)
				}
			}
		}
	}
}

func TestVerifyJSONSerializationRules(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	compact := josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256"}, []byte("hello"))
	p := strings.Split(compact, ".")
	v := jose.NewVerifier(jose.StaticKeys(key))
	for name, doc := range map[string]string{
		"two signatures": `{"payload":"` + p[1] + `","signatures":[{"protected":"` + p[0] + `","signature":"` + p[2] + `"},{"protected":"` + p[0] + `","signature":"` + p[2] + `"}]}`,
		"no signatures":  `{"payload":"` + p[1] + `","signatures":[]}`,
		"alg unprotected": `{"payload":"` + p[1] + `","header":{"alg":"ES256"},"signature":"` + p[2] + `","protected":"` +
			b64.EncodeToString([]byte(`{"kid":"x"}`)) + `"}`,
		"no protected header":            `{"payload":"` + p[1] + `","header":{"alg":"ES256"},"signature":"` + p[2] + `"}`,
		"member in both headers":         `{"payload":"` + p[1] + `","protected":"` + p[0] + `","header":{"alg":"ES256"},"signature":"` + p[2] + `"}`,
		"crit unprotected":               `{"payload":"` + p[1] + `","protected":"` + p[0] + `","header":{"crit":["x"]},"signature":"` + p[2] + `"}`,
		"duplicate payload":              `{"payload":"` + p[1] + `","payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `"}`,
		"signatures and signature":       `{"payload":"` + p[1] + `","signature":"` + p[2] + `","signatures":[{"protected":"` + p[0] + `","signature":"` + p[2] + `"}]}`,
		"no payload":                     `{"protected":"` + p[0] + `","signature":"` + p[2] + `"}`,
		"payload not a string":           `{"payload":1,"protected":"` + p[0] + `","signature":"` + p[2] + `"}`,
		"trailing data":                  `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `"} {}`,
		"escaped base64url in a string":  `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2][:4] + `\n` + p[2][4:] + `"}`,
		"unprotected header not objects": `{"payload":"` + p[1] + `","protected":"` + p[0] + `","header":[],"signature":"` + p[2] + `"}`,
	} {
		if _, err := v.Verify(t.Context(), []byte(doc)); !errors.Is(err, jose.ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	// Unknown members are ignored (RFC 7515 §7.2.1).
	doc := `{"payload":"` + p[1] + `","protected":"` + p[0] + `","signature":"` + p[2] + `","x-extra":[1,2]}`
	if _, err := v.Verify(t.Context(), []byte(doc)); err != nil {
		t.Errorf("unknown member: %v", err)
	}
}

func TestVerifySizeLimit(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	big := josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256"}, make([]byte, 300<<10))
	_, err := jose.NewVerifier(jose.StaticKeys(key)).Verify(t.Context(), []byte(big))
	if !errors.Is(err, jose.ErrMalformed) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("300 KiB token: %v", err)
	}
	if _, err := jose.NewVerifier(jose.StaticKeys(key), func(o *jose.VerifierOptions) { o.MaxSize = 1 << 20 }).Verify(t.Context(), []byte(big)); err != nil {
		t.Errorf("300 KiB token under a 1 MiB limit: %v", err)
	}
	small := jose.NewVerifier(jose.StaticKeys(key), func(o *jose.VerifierOptions) { o.MaxSize = 1024 })
	tok := []byte(big)
	// Bytes, not allocation counts: the race detector adds allocations of
	// its own, but decoding any part of the token would allocate hundreds
	// of KiB.
	if n := kmspubtest.Allocated(func() { small.Verify(context.Background(), tok) }); n > 4<<10 {
		t.Errorf("refusing a %d KiB token allocated %d bytes; it must be refused before decoding", len(tok)>>10, n)
	}
}

// Inputs over 4096 bytes are verified as KMS takes them: the DIGEST for
// RSA and ECDSA, μ for ML-DSA; Ed25519, which KMS signs RAW only, is
// refused with KMS's ValidationException.
func TestVerifyLongSigningInput(t *testing.T) {
	payload := []byte(strings.Repeat("a", 6000))
	for _, c := range []struct {
		spec types.KeySpec
		alg  string
		ok   bool
	}{
		{types.KeySpecRsa2048, "PS256", true},
		{types.KeySpecEccNistP384, "ES384", true},
		{types.KeySpecEccSecgP256k1, "ES256K", true},
		{types.KeySpecMlDsa44, "ML-DSA-44", true},
		{types.KeySpecEccNistEdwards25519, "EdDSA", false},
	} {
		key := kmspubtest.SigningKey(t, c.spec)
		tok := josetest.Compact(t, c.spec, map[string]any{"alg": c.alg}, payload)
		_, err := jose.NewVerifier(jose.StaticKeys(key)).Verify(t.Context(), []byte(tok))
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.alg, err)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "ValidationException") && !strings.Contains(err.Error(), "4096")) {
			t.Errorf("%s: %v, want KMS's message length ValidationException", c.alg, err)
		}
	}
}

// A PSS signature whose salt is not the hash length (local-kms makes the
// longest salt) is not what KMS makes, and not what JWA's PS256 is.
func TestVerifyPSSSaltLength(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	priv := josetest.PrivateKey(t, types.KeySpecRsa2048).(*rsa.PrivateKey)
	input := b64.EncodeToString([]byte(`{"alg":"PS256"}`)) + "." + b64.EncodeToString([]byte("x"))
	d := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPSS(rand.Reader, priv, 5, d[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	if err != nil {
		t.Fatal(err)
	}
	_, err = jose.NewVerifier(jose.StaticKeys(key)).Verify(t.Context(), []byte(input+"."+b64.EncodeToString(sig)))
	if !errors.Is(err, jose.ErrInvalidSignature) {
		t.Errorf("PSS with the longest salt: %v, want ErrInvalidSignature", err)
	}
}

// With several keys, the kid picks one; without a kid, the keys the
// algorithm fits are tried.
func TestVerifySeveralKeys(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	p384 := kmspubtest.SigningKey(t, types.KeySpecEccNistP384)
	rsaKey := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	v := jose.NewVerifier(jose.StaticKeys(rsaKey, p256, p384))
	for _, c := range []struct {
		spec types.KeySpec
		hdr  map[string]any
		want *kmspub.PublicKey
	}{
		{types.KeySpecEccNistP384, map[string]any{"alg": "ES384"}, p384},
		{types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "kid": p256.KeyID()}, p256},
		{types.KeySpecRsa2048, map[string]any{"alg": "RS512"}, rsaKey},
		{types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "kid": thumbprint(t, p256)}, p256},
	} {
		got, err := v.Verify(t.Context(), []byte(josetest.Compact(t, c.spec, c.hdr, []byte("{}"))))
		if err != nil || got.Key != c.want {
			t.Errorf("%v: %v, %v", c.hdr, got, err)
		}
	}
	// A kid of the right key but the wrong algorithm for it.
	tok := josetest.CompactRaw(t, types.KeySpecEccNistP384, "ES384", []byte(`{"alg":"ES384","kid":"`+p256.KeyID()+`"}`), []byte("{}"))
	if _, err := v.Verify(t.Context(), []byte(tok)); !errors.Is(err, jose.ErrKeyMismatch) {
		t.Errorf("ES384 token naming the P-256 key: %v", err)
	}
	if _, err := jose.NewVerifier(jose.StaticKeys()).Verify(t.Context(), []byte(tok)); !errors.Is(err, jose.ErrUnknownKey) {
		t.Errorf("no keys: %v", err)
	}
	if _, err := jose.NewVerifier(jose.StaticKeys(p256), func(o *jose.VerifierOptions) { o.Algorithms = []string{"RS256"} }).Verify(t.Context(),
		[]byte(josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256"}, []byte("{}")))); !errors.Is(err, jose.ErrUnsupportedAlgorithm) {
		t.Errorf("WithAlgorithms(RS256) and an ES256 token: %v", err)
	}
}

func thumbprint(t *testing.T, k *kmspub.PublicKey) string {
	t.Helper()
	tp, err := jose.Thumbprint(k)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestVerifyCriticalUnderstood(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	tok := josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "crit": []string{"x-policy"}, "x-policy": "strict"}, []byte("{}"))
	got, err := jose.NewVerifier(jose.StaticKeys(key), func(o *jose.VerifierOptions) { o.Critical = []string{"x-policy"} }).Verify(t.Context(), []byte(tok))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got.Header.Member("x-policy"); !ok || string(v) != `"strict"` {
		t.Errorf("Member(x-policy) = %s, %v", v, ok)
	}
}
