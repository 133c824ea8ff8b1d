package jose_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

func TestVerifyJWTClaims(t *testing.T) {
	key := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	now := time.Unix(1_800_000_000, 0)
	sign := func(claims string) []byte {
		return []byte(josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "typ": "JWT"}, []byte(claims)))
	}
	type opt = func(*jose.VerifierOptions)
	verifier := func(opts ...opt) *jose.Verifier {
		return jose.NewVerifier(jose.StaticKeys(key), append([]opt{func(o *jose.VerifierOptions) { o.Clock = func() time.Time { return now } }}, opts...)...)
	}
	leeway := func(d time.Duration) opt { return func(o *jose.VerifierOptions) { o.Leeway = d } }
	audience := func(a string) opt { return func(o *jose.VerifierOptions) { o.Audience = a } }
	issuer := func(i string) opt { return func(o *jose.VerifierOptions) { o.Issuer = i } }
	got, err := verifier().VerifyJWT(t.Context(), sign(`{"iss":"issuer","sub":"s","aud":"a","exp":1800000060,"nbf":1799999990.5,"iat":1799999990,"jti":"j","x":{"y":[1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	c := got.Claims
	if c.Issuer != "issuer" || c.Subject != "s" || len(c.Audience) != 1 || c.Audience[0] != "a" || c.ID != "j" ||
		!c.ExpiresAt.Equal(time.Unix(1800000060, 0)) || !c.NotBefore.Equal(time.Unix(1799999990, 5e8)) || !c.IssuedAt.Equal(time.Unix(1799999990, 0)) {
		t.Errorf("claims %+v", c)
	}
	for _, tc := range []struct {
		claims string
		opts   []opt
		kind   error
	}{
		{`{"exp":1800000000}`, nil, jose.ErrExpired}, // exp == now: expired
		{`{"exp":1799999999}`, nil, jose.ErrExpired},
		{`{"exp":1799999999}`, []opt{leeway(2 * time.Second)}, nil},
		{`{"exp":1799999990}`, []opt{leeway(5 * time.Second)}, jose.ErrExpired},
		{`{"nbf":1800000001}`, nil, jose.ErrNotYetValid},
		{`{"nbf":1800000001}`, []opt{leeway(time.Second)}, nil},
		{`{"nbf":1800000000}`, nil, nil},
		{`{"aud":["x","a"]}`, []opt{audience("a")}, nil},
		{`{"aud":"x"}`, []opt{audience("a")}, jose.ErrInvalidClaims},
		{`{}`, []opt{audience("a")}, jose.ErrInvalidClaims},
		{`{"iss":"other"}`, []opt{issuer("issuer")}, jose.ErrInvalidClaims},
		{`{"exp":"1800000060"}`, nil, jose.ErrMalformed},
		{`{"exp":1e400}`, nil, jose.ErrMalformed},
		{`{"aud":[1]}`, nil, jose.ErrMalformed},
		{`{"sub":7}`, nil, jose.ErrMalformed},
		{`{"sub":"a","sub":"b"}`, nil, jose.ErrMalformed},
		{`["not","an","object"]`, nil, jose.ErrMalformed},
		{`{"exp":1800000060} trailing`, nil, jose.ErrMalformed},
	} {
		_, err := verifier(tc.opts...).VerifyJWT(t.Context(), sign(tc.claims))
		if tc.kind == nil && err != nil || tc.kind != nil && !errors.Is(err, tc.kind) {
			t.Errorf("%s: %v, want %v", tc.claims, err, tc.kind)
		}
	}
	// Claims are read only from a verified token: an expired token with a
	// bad signature is an invalid signature.
	parts := strings.Split(string(sign(`{"exp":1}`)), ".")
	tok := parts[0] + "." + parts[1] + "." + flip(parts[2])
	if _, err := verifier().VerifyJWT(t.Context(), []byte(tok)); !errors.Is(err, jose.ErrInvalidSignature) {
		t.Errorf("expired token with a bad signature: %v", err)
	}
	nested := josetest.Compact(t, types.KeySpecEccNistP256, map[string]any{"alg": "ES256", "cty": "JWT"}, []byte(`{}`))
	if _, err := verifier().VerifyJWT(t.Context(), []byte(nested)); !errors.Is(err, jose.ErrMalformed) {
		t.Errorf("nested JWT: %v", err)
	}
	if _, err := verifier().VerifyJWT(t.Context(), []byte(flattened(string(sign(`{}`))))); !errors.Is(err, jose.ErrMalformed) {
		t.Errorf("JWT in JSON serialization: %v", err)
	}
}
