package jose

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// JWT is a verified JSON Web Token (RFC 7519).
type JWT struct {
	JWS
	Claims Claims
}

// Claims are a JWT's claims: the registered ones decoded (RFC 7519 §4.1),
// all of them in Raw.
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string // "aud" as a string is a one-element list
	ExpiresAt *time.Time
	NotBefore *time.Time
	IssuedAt  *time.Time
	ID        string
	// Raw is the JWT Claims Set exactly as signed.
	Raw json.RawMessage
}

// VerifyJWT verifies a JWT in the JWS compact serialization (RFC 7519 §7.2)
// as [Verifier.Verify] verifies a JWS, then its claims. It refuses, after
// everything Verify refuses: a nested JWT ("cty": "JWT"), a payload that is
// not one JSON object (or has a member twice), registered claims of the
// wrong JSON type (ErrMalformed); an "exp" at or before now − leeway
// (ErrExpired); an "nbf" after now + leeway (ErrNotYetValid); an "aud" or
// "iss" other than [VerifierOptions].Audience or Issuer require
// (ErrInvalidClaims). Times are NumericDates, in seconds.
func (v *Verifier) VerifyJWT(ctx context.Context, token []byte) (*JWT, error) {
	if len(token) > v.opts.MaxSize {
		return nil, newError(ErrMalformed, fmt.Sprintf("token is %d bytes, over the %d-byte limit", len(token), v.opts.MaxSize), nil)
	}
	if len(token) > 0 && token[0] == '{' {
		return nil, newError(ErrMalformed, "a JWT uses the compact serialization (RFC 7519 §7.2); this is JWS JSON", nil)
	}
	s, err := parseCompact(token)
	if err != nil {
		return nil, err
	}
	key, kmsAlg, err := v.verifyParsed(ctx, s)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(s.header.ContentType, "JWT") {
		return nil, newError(ErrMalformed, `nested JWTs ("cty": "JWT") are not supported`, nil)
	}
	claims, err := parseClaims(s.payload)
	if err != nil {
		return nil, err
	}
	if err := v.checkClaims(&claims); err != nil {
		return nil, err
	}
	return &JWT{JWS: JWS{Header: s.header, Payload: s.payload, Key: key, SigningAlgorithm: kmsAlg}, Claims: claims}, nil
}

func parseClaims(payload []byte) (Claims, error) {
	c := Claims{Raw: payload}
	m, err := decodeObject(payload)
	if err != nil {
		return c, newError(ErrMalformed, "the JWT Claims Set: "+err.Error(), nil)
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"iss", &c.Issuer}, {"sub", &c.Subject}, {"jti", &c.ID}} {
		if *f.dst, err = headerString(m, f.name); err != nil {
			return c, newError(ErrMalformed, fmt.Sprintf("claim %q is not a string", f.name), nil)
		}
	}
	if raw, ok := m.get("aud"); ok {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			c.Audience = []string{one}
		} else if err := json.Unmarshal(raw, &c.Audience); err != nil || c.Audience == nil {
			return c, newError(ErrMalformed, `claim "aud" is neither a string nor an array of strings`, nil)
		}
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"exp", &c.ExpiresAt}, {"nbf", &c.NotBefore}, {"iat", &c.IssuedAt}} {
		raw, ok := m.get(f.name)
		if !ok {
			continue
		}
		t, err := numericDate(raw)
		if err != nil {
			return c, newError(ErrMalformed, fmt.Sprintf("claim %q is not a NumericDate: %v", f.name, err), nil)
		}
		*f.dst = &t
	}
	return c, nil
}

// numericDate reads a JSON number of seconds since the epoch, possibly
// fractional (RFC 7519 §2).
func numericDate(raw json.RawMessage) (time.Time, error) {
	var n json.Number
	// json.Number also takes a string holding a number; a NumericDate is
	// a JSON number.
	if len(raw) == 0 || raw[0] == '"' || json.Unmarshal(raw, &n) != nil || n == "" {
		return time.Time{}, fmt.Errorf("not a number")
	}
	f, err := strconv.ParseFloat(string(n), 64)
	// ±2^53 seconds is far beyond any date time.Time represents exactly.
	if err != nil || math.IsNaN(f) || math.Abs(f) > 1<<53 {
		return time.Time{}, fmt.Errorf("out of range")
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

func (v *Verifier) checkClaims(c *Claims) error {
	now := v.opts.Clock()
	if c.ExpiresAt != nil && !now.Before(c.ExpiresAt.Add(v.opts.Leeway)) {
		return newError(ErrExpired, fmt.Sprintf("exp %s is not after now %s (leeway %s)",
			c.ExpiresAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339), v.opts.Leeway), nil)
	}
	if c.NotBefore != nil && now.Add(v.opts.Leeway).Before(*c.NotBefore) {
		return newError(ErrNotYetValid, fmt.Sprintf("nbf %s is after now %s (leeway %s)",
			c.NotBefore.Format(time.RFC3339), now.UTC().Format(time.RFC3339), v.opts.Leeway), nil)
	}
	if v.opts.Audience != "" && !slices.Contains(c.Audience, v.opts.Audience) {
		return newError(ErrInvalidClaims, fmt.Sprintf(`"aud" does not name %q`, v.opts.Audience), nil)
	}
	if v.opts.Issuer != "" && c.Issuer != v.opts.Issuer {
		return newError(ErrInvalidClaims, fmt.Sprintf(`"iss" is not %q`, v.opts.Issuer), nil)
	}
	return nil
}
