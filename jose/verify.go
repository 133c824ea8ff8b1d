package jose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// A Verifier verifies JWS and JWT tokens with KMS public keys, offline,
// refusing what KMS Verify would refuse and what the JWT best current
// practices (RFC 8725) forbid. It is safe for concurrent use.
type Verifier struct {
	keys KeySet
	opts VerifierOptions
}

// VerifierOptions configures a [Verifier]. [NewVerifier] sets the defaults,
// then calls each function it was given with the options, as the AWS SDK's
// clients do:
//
//	v := jose.NewVerifier(keys, func(o *jose.VerifierOptions) {
//		o.Leeway = 30 * time.Second
//		o.Audience = "orders"
//	})
type VerifierOptions struct {
	// MaxSize is the largest token accepted, in bytes (default
	// [DefaultMaxSize]). Longer tokens are refused before anything is
	// decoded.
	MaxSize int
	// Critical names the "crit" extensions the caller understands and
	// checks itself (read them with [Header.Member]). Without it every
	// token with a "crit" header is refused: kmspub implements none.
	Critical []string
	// Algorithms, when set, restricts the JWS algorithms accepted, on top
	// of what each key offers.
	Algorithms []string
	// Leeway is the clock skew allowed when checking a JWT's "exp" and
	// "nbf".
	Leeway time.Duration
	// Clock replaces time.Now for a JWT's "exp" and "nbf".
	Clock func() time.Time
	// Audience, when set, must be named by a JWT's "aud".
	Audience string
	// Issuer, when set, must be a JWT's "iss".
	Issuer string
}

// NewVerifier returns a Verifier that accepts tokens signed by the keys of
// keys.
func NewVerifier(keys KeySet, optFns ...func(*VerifierOptions)) *Verifier {
	v := &Verifier{keys: keys, opts: VerifierOptions{MaxSize: DefaultMaxSize, Clock: time.Now}}
	for _, fn := range optFns {
		fn(&v.opts)
	}
	if v.opts.Clock == nil {
		v.opts.Clock = time.Now
	}
	return v
}

// JWS is a verified JWS.
type JWS struct {
	Header  Header
	Payload []byte
	// Key is the key whose signature verified.
	Key *kmspub.PublicKey
	// SigningAlgorithm is the KMS algorithm of the signature.
	SigningAlgorithm types.SigningAlgorithmSpec
}

// Verify verifies a JWS in the compact or the JSON serialization (flattened,
// or general with one signature) and returns it. In order, it refuses:
//
//  1. a token over the size limit, or that is not a JWS: bad syntax,
//     non-canonical base64url, a header that is not a JSON object or has a
//     member twice, "alg" missing or not protected (ErrMalformed);
//  2. an "alg" kmspub never verifies — "none", HMAC, JWE, unknown — or a
//     JWE ("enc"), or one outside [VerifierOptions.Algorithms]
//     (ErrUnsupportedAlgorithm);
//  3. a "crit" that is malformed or lists an extension not named in
//     [VerifierOptions.Critical], and "b64": false (ErrCritical);
//  4. a "kid" that names none of the keys (ErrUnknownKey);
//  5. then, with the key (each candidate in turn when there is no "kid"),
//     everything [VerifySignature] refuses: what KMS Verify refuses (the
//     key's usage, its algorithm list, sizes, the signature itself, each
//     wrapped in an *Error with KMS's exception) and an "alg" the key's spec
//     cannot take (ES256 with a secp256k1 key).
//
// Keys come from the KeySet on each call; when it fails and no key it did
// return fits, its error is returned.
func (v *Verifier) Verify(ctx context.Context, token []byte) (*JWS, error) {
	s, err := parse(token, v.opts.MaxSize)
	if err != nil {
		return nil, err
	}
	key, kmsAlg, err := v.verifyParsed(ctx, s)
	if err != nil {
		return nil, err
	}
	return &JWS{Header: s.header, Payload: s.payload, Key: key, SigningAlgorithm: kmsAlg}, nil
}

func (v *Verifier) verifyParsed(ctx context.Context, s *signed) (*kmspub.PublicKey, types.SigningAlgorithmSpec, error) {
	alg, err := checkHeader(s.header.Algorithm, s.header.members, s.header.Critical, v.opts.Critical)
	if err != nil {
		return nil, "", err
	}
	if v.opts.Algorithms != nil && !slices.Contains(v.opts.Algorithms, alg.Name) {
		return nil, "", newError(ErrUnsupportedAlgorithm, fmt.Sprintf(`"alg" %s is not one this verifier accepts`, alg.Name), nil)
	}
	keys, keysErr := v.keys.Keys(ctx)
	candidates, err := SelectKeys(keys, alg.Name, s.header.KeyID)
	if err != nil {
		if keysErr != nil {
			return nil, "", fmt.Errorf("jose: the key set: %w", keysErr)
		}
		return nil, "", err
	}
	var first error
	for _, k := range candidates {
		err := VerifySignature(k.PublicKey, alg.Name, s.signingInput, s.signature)
		if err == nil {
			return k.PublicKey, alg.SigningAlgorithm, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, "", first
}

// SelectKeys returns the keys a token with "alg" alg and "kid" kid may have
// been signed by, for trying in order. With a kid, it is the keys the kid
// names ([KeyIDMatches]); none is an [*Error] of kind [ErrUnknownKey], so a
// kid naming another key is refused. Without one, it is the keys whose spec
// the algorithm takes, or, when none does, every key (each then refuses the
// token for its own reason, KMS's first).
func SelectKeys(keys []Key, alg, kid string) ([]Key, error) {
	if len(keys) == 0 {
		return nil, newError(ErrUnknownKey, "no keys to verify with", nil)
	}
	if kid != "" {
		var named []Key
		for _, k := range keys {
			if KeyIDMatches(k, kid) {
				named = append(named, k)
			}
		}
		if len(named) == 0 {
			return nil, newError(ErrUnknownKey, fmt.Sprintf(`"kid" %.128q names none of the %d key(s) this verifier holds`, kid, len(keys)), nil)
		}
		return named, nil
	}
	if len(keys) == 1 {
		return keys, nil
	}
	a := LookupAlgorithm(alg)
	var fit []Key
	for _, k := range keys {
		if a != nil && k.PublicKey != nil && a.fits(kmsrules.LookupKeySpec(k.PublicKey.KeySpec())) {
			fit = append(fit, k)
		}
	}
	if len(fit) == 0 {
		return keys, nil
	}
	return fit, nil
}

// VerifySignature checks signature, a JWS signature under the JWS algorithm
// alg, over signingInput (ASCII(BASE64URL(header) '.' BASE64URL(payload))),
// with key. It is the one place where a JWS signature meets a KMS key; the
// adapters for golang-jwt, go-jose and jwx call it too.
//
// The signature is converted as JOSE and KMS require (R ‖ S of exactly
// twice the coordinate size to DER for ECDSA; the others are the same
// bytes) and verified by [kmspub.PublicKey.Verify] — RAW for inputs up to
// 4096 bytes, the DIGEST (or ML-DSA μ) of longer ones, as KMS takes them —
// so every KMS rule applies: usage SIGN_VERIFY, an algorithm the key lists,
// RSASSA-PSS with salt = hash length, ECDSA r and s in range, Ed25519
// inputs of at most 4096 bytes. Its refusals are wrapped, with KMS's
// exception, in an [*Error]: ErrInvalidSignature for a signature that does
// not verify (including an ECDSA signature of the wrong length, or in DER),
// ErrKeyMismatch for a usage or algorithm the key does not allow, and for an
// alg whose KMS algorithm the key lists but whose curve is not the key's
// (ES256 and ES256K are both ECDSA_SHA_256).
func VerifySignature(key *kmspub.PublicKey, alg string, signingInput, signature []byte) error {
	a := LookupAlgorithm(alg)
	if a == nil {
		return refusedAlgorithm(alg)
	}
	if key == nil {
		return newError(ErrKeyMismatch, "no key", nil)
	}
	if len(signature) == 0 {
		return newError(ErrMalformed, "the signature is empty", nil)
	}
	spec := kmsrules.LookupKeySpec(key.KeySpec())
	if !a.fits(spec) && key.KeyUsage() == types.KeyUsageTypeSignVerify &&
		slices.Contains(key.SigningAlgorithms(), a.SigningAlgorithm) {
		// KMS would take the request; JOSE would not. (When KMS would not,
		// Verify below says so in KMS's words.)
		return newError(ErrKeyMismatch, fmt.Sprintf("%s is for %s keys; this key is %s", a.Name, a.KeySpec, spec.Spec),
			kmsIncompatible(a.Name, spec.Spec))
	}
	kmsSig := signature
	badLength := false
	if a.CoordinateSize != 0 && a.fits(spec) {
		der, ok := rsToDER(signature, a.CoordinateSize)
		if !ok {
			// Never hand KMS the bytes as they are: they may be a valid
			// DER signature, which a JWS must not carry.
			der, badLength = notASignature, true
		}
		kmsSig = der
	}
	var err error
	if len(signingInput) <= kmsrules.MaxMessageSize {
		err = key.Verify(signingInput, types.MessageTypeRaw, a.SigningAlgorithm, kmsSig)
	} else {
		err = key.VerifyReader(bytes.NewReader(signingInput), a.SigningAlgorithm, kmsSig)
	}
	if err == nil {
		return nil
	}
	return verifyError(a, err, badLength, len(signature))
}

// notASignature is what KMS is given for an ECDSA signature of the wrong
// length: one byte that is no DER signature, so that Verify still makes
// every check before the cryptography and then refuses.
var notASignature = []byte{0}

// verifyError wraps what PublicKey.Verify refused with in an *Error of the
// matching kind, keeping KMS's exception for errors.As.
func verifyError(a *Algorithm, err error, badLength bool, sigLen int) error {
	var (
		invalid *types.KMSInvalidSignatureException
		usage   *types.InvalidKeyUsageException
	)
	switch {
	case errors.As(err, &invalid):
		reason := a.Name + " signature does not verify"
		if badLength {
			reason = fmt.Sprintf("%s signatures are R ‖ S, %d bytes; this one is %d bytes (a DER signature is not a JWS signature)",
				a.Name, 2*a.CoordinateSize, sigLen)
		}
		return newError(ErrInvalidSignature, reason, err)
	case errors.As(err, &usage):
		return newError(ErrKeyMismatch, "KMS refuses "+string(a.SigningAlgorithm)+" with this key", err)
	}
	return newError(ErrMalformed, "KMS refuses the request", err)
}

func kmsIncompatible(alg string, spec types.KeySpec) error {
	return kmserr.IncompatibleAlgorithm(alg, spec)
}
