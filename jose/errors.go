package jose

import (
	"errors"
	"strings"
)

// Kinds of refusal. Every error this package returns for a token, a key or a
// JWK is an [*Error] whose Kind is one of these, so callers branch with
// errors.Is(err, jose.ErrExpired). Where KMS itself would refuse — a key
// whose usage is not SIGN_VERIFY, an algorithm the key does not list, a
// signature that does not verify — the *Error also wraps KMS's exception, so
// errors.As finds *types.InvalidKeyUsageException or
// *types.KMSInvalidSignatureException exactly as with *kms.Client.
var (
	// ErrMalformed: not a JWS, JWT, JWK or JWKS kmspub accepts — bad syntax,
	// bad base64url, duplicate JSON members, a header member of the wrong
	// type, input over the size limit.
	ErrMalformed = errors.New("malformed")
	// ErrUnsupportedAlgorithm: the "alg" is one kmspub never verifies with a
	// KMS key: "none", an HMAC or JWE algorithm, an unknown name, or a KMS
	// algorithm JOSE has no name for (SM2DSA, ED25519_PH_SHA_512).
	ErrUnsupportedAlgorithm = errors.New("unsupported algorithm")
	// ErrKeyMismatch: the "alg" names an algorithm the key cannot verify
	// (ES256 with a secp256k1 key), or there is no key to verify with.
	ErrKeyMismatch = errors.New("algorithm does not match the key")
	// ErrUnknownKey: the "kid" names none of the keys (a kid naming another
	// key).
	ErrUnknownKey = errors.New("unknown key")
	// ErrCritical: a "crit" extension kmspub (or the caller, see
	// [VerifierOptions].Critical) does not understand, or a malformed "crit".
	ErrCritical = errors.New("unsupported critical header")
	// ErrInvalidSignature: the signature does not verify. It wraps KMS's
	// *types.KMSInvalidSignatureException.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrExpired: a JWT whose "exp" has passed (beyond the leeway).
	ErrExpired = errors.New("token expired")
	// ErrNotYetValid: a JWT whose "nbf" is still ahead (beyond the leeway).
	ErrNotYetValid = errors.New("token not yet valid")
	// ErrInvalidClaims: a JWT claim of the wrong type, or one the caller
	// requires ([VerifierOptions].Audience, Issuer) that does not match.
	ErrInvalidClaims = errors.New("invalid claims")
	// ErrKMSAnswer: the signer got an answer from KMS Sign it cannot vouch
	// for: another key, another algorithm, or a signature that does not
	// verify with the key.
	ErrKMSAnswer = errors.New("unusable KMS Sign answer")
)

// Error is a refusal by this package. Reason says what was wrong, in words
// that never quote token, signature or claim bytes.
type Error struct {
	Kind   error  // one of the Err* values above
	Reason string // what was refused and why
	Err    error  // the KMS exception (or other cause) behind it, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jose: ")
	b.WriteString(e.Kind.Error())
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the Kind and the wrapped cause, so that both errors.Is
// (for the Kind) and errors.As (for a KMS exception) see through an *Error.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, reason string, err error) *Error {
	return &Error{Kind: kind, Reason: reason, Err: err}
}
