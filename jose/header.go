package jose

import (
	"fmt"
	"slices"
	"strings"
)

// Header rules beyond syntax: which algorithms kmspub verifies and which
// extensions it honours (RFC 7515 §4.1.11, RFC 7797, RFC 8725 §3.1–3.2).

// standardHeaders are the header parameters RFC 7515 and RFC 7516 define,
// which "crit" must not list (RFC 7515 §4.1.11).
var standardHeaders = []string{"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
	"enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c"}

// refusedAlgorithm explains why a JWS or JWE "alg" that is not in the table
// is refused. Every name in the IANA JOSE registry that kmspub cannot
// verify with a KMS public key gets a precise reason; anything else is
// unknown.
func refusedAlgorithm(alg string) *Error {
	switch {
	case alg == "none":
		return newError(ErrUnsupportedAlgorithm, `"alg" is "none": an unsecured JWS is never accepted (RFC 8725 §3.2)`, nil)
	case alg == "HS256" || alg == "HS384" || alg == "HS512":
		return newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`"alg" is %s, an HMAC algorithm: a KMS public key is never used as an HMAC secret (RFC 8725 §2.1, §3.1)`, alg), nil)
	case alg == "dir" || strings.HasPrefix(alg, "RSA-OAEP") || alg == "RSA1_5" ||
		strings.HasPrefix(alg, "ECDH-ES") || strings.HasPrefix(alg, "PBES2-") ||
		strings.HasPrefix(alg, "A128") || strings.HasPrefix(alg, "A192") || strings.HasPrefix(alg, "A256"):
		return newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`"alg" is %.32q, a JWE key management algorithm: kmspub verifies JWS only`, alg), nil)
	case alg == "Ed448":
		return newError(ErrUnsupportedAlgorithm, `"alg" is Ed448, which no KMS key spec offers`, nil)
	}
	return newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`"alg" %.64q is not a JWS algorithm kmspub verifies with KMS keys`, alg), nil)
}

// checkHeader applies the rules every verified JWS must pass, whatever the
// key: a known signature algorithm (never none, HMAC or JWE), not a JWE
// (no "enc"), a well-formed "crit" listing only extensions the caller
// understands, and no unencoded payload (RFC 7797 "b64": false). It takes
// the header's parts rather than a *Header so that a header decoded into a
// stack buffer stays there.
func checkHeader(alg string, members object, crit []string, understood []string) (*Algorithm, error) {
	if _, ok := members.get("enc"); ok {
		return nil, newError(ErrUnsupportedAlgorithm, `the header has "enc": this is a JWE, and kmspub verifies JWS only`, nil)
	}
	a := LookupAlgorithm(alg)
	if a == nil {
		return nil, refusedAlgorithm(alg)
	}
	if crit != nil {
		if err := checkCritical(crit, members, understood); err != nil {
			return nil, err
		}
	}
	if raw, ok := members.get("b64"); ok && string(raw) != "true" {
		return nil, newError(ErrCritical, `"b64" is not true: unencoded payloads (RFC 7797) are not supported`, nil)
	}
	return a, nil
}

// checkCritical enforces RFC 7515 §4.1.11: "crit" is a non-empty list of
// distinct extension names, none of them a standard parameter, each present
// in the header, and each understood — by the caller, since kmspub itself
// implements no extension.
func checkCritical(crit []string, members object, understood []string) error {
	if len(crit) == 0 {
		return newError(ErrCritical, `"crit" is empty`, nil)
	}
	for i, name := range crit {
		switch {
		case name == "":
			return newError(ErrCritical, `"crit" lists an empty name`, nil)
		case slices.Contains(crit[:i], name):
			return newError(ErrCritical, fmt.Sprintf(`"crit" lists %.64q twice`, name), nil)
		case slices.Contains(standardHeaders, name):
			return newError(ErrCritical, fmt.Sprintf(`"crit" lists %q, a standard header parameter`, name), nil)
		}
		if _, ok := members.get(name); !ok {
			return newError(ErrCritical, fmt.Sprintf(`"crit" lists %.64q, which the header does not have`, name), nil)
		}
		if !slices.Contains(understood, name) {
			return newError(ErrCritical, fmt.Sprintf(`"crit" lists %.64q, an extension this verifier does not understand (see VerifierOptions.Critical)`, name), nil)
		}
	}
	return nil
}
