package kmspub

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	gmsmecdh "github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// DeriveSharedSecret is the offline half of KMS DeriveSharedSecret. It
// computes, with the caller's private key, the same shared secret KMS returns
// when DeriveSharedSecret is called on this KEY_AGREEMENT key with the
// caller's public key, and returns that public key as the DER
// SubjectPublicKeyInfo to pass as the PublicKey parameter of that call.
//
// The secret is the raw x-coordinate of the ECDH point (SP 800-56A
// Cofactor Diffie-Hellman; the cofactor is 1 on every curve KMS offers),
// big-endian and field-size long: 32 bytes for ECC_NIST_P256 and SM2, 48 for
// ECC_NIST_P384, 66 for ECC_NIST_P521. Like KMS, DeriveSharedSecret applies
// no KDF: it is keying material, not a key. Pass it through a KDF such as
// HKDF (crypto/hkdf) with a context of your own before use.
//
// privateKey is the caller's key, on the same curve as the KMS key:
//
//   - ECC_NIST_P256/P384/P521: *ecdh.PrivateKey (crypto/ecdh) or
//     *ecdsa.PrivateKey. publicKeyDER is id-ecPublicKey with the named curve
//     (crypto/x509.MarshalPKIXPublicKey).
//   - SM2 (China Regions only): *sm2.PrivateKey or *ecdh.PrivateKey from
//     github.com/emmansun/gmsm, or an *ecdsa.PrivateKey on gmsm's
//     sm2.P256() curve. publicKeyDER is id-ecPublicKey with the sm2p256v1
//     named curve (gmsm smx509.MarshalPKIXPublicKey). That the SM2 secret is
//     the raw x-coordinate of plain ECDH, not the GM/T 0003.3 key exchange,
//     is inferred (docs/KMS-RULES.md §5).
//
// Refusals, in this order, are the errors KMS returns, typed as the AWS SDK
// for Go v2 surfaces them:
//
//  1. algorithm "" (KeyAgreementAlgorithm is required) or not a KMS
//     KeyAgreementAlgorithmSpec: ValidationException in KMS's words.
//     (KMS itself answers a missing member this way; the Go SDK's client
//     catches it before sending, as *smithy.InvalidParamsError.)
//  2. A key that is not KEY_AGREEMENT: *types.InvalidKeyUsageException
//     "<arn> key usage is <USAGE> which is not valid for DeriveSharedSecret."
//  3. An algorithm the key does not list: *types.InvalidKeyUsageException
//     "Algorithm <ALG> is incompatible with key spec <SPEC>."
//  4. A private key that is nil, of an unsupported type, invalid, or on
//     another curve: a ValidationException with an empty message, which is
//     what KMS answers for a peer public key it cannot use. The error wraps
//     it with a description of the mismatch, so errors.As finds the
//     *smithy.GenericAPIError while Error() says what was wrong. (KMS's
//     answer for a valid key on another curve is unknown: docs/KMS-RULES.md
//     §5.)
func (k *PublicKey) DeriveSharedSecret(privateKey crypto.PrivateKey, algorithm types.KeyAgreementAlgorithmSpec) (sharedSecret, publicKeyDER []byte, err error) {
	if err := preamble(k, deriveModel(algorithm), opDeriveSharedSecret, k.keyAgreement, algorithm); err != nil {
		return nil, nil, err
	}

	kmsKey, ok := k.public.(*ecdsa.PublicKey)
	switch {
	case ok && k.agree.nist != nil:
		sharedSecret, publicKeyDER, err = deriveNIST(kmsKey, k.agree.nist, privateKey)
	case ok && k.agree.sm2 != nil:
		sharedSecret, publicKeyDER, err = deriveSM2(kmsKey, k.agree.sm2, privateKey)
	default:
		// Unreachable: only NIST and SM2 specs have KEY_AGREEMENT in the table.
		return nil, nil, fmt.Errorf("kmspub: DeriveSharedSecret: no key agreement for key spec %s", k.spec.Spec)
	}
	if err != nil {
		return nil, nil, &peerKeyError{spec: k.spec.Spec, reason: err.Error()}
	}
	if len(sharedSecret) != k.spec.SharedSecretSize {
		return nil, nil, fmt.Errorf("kmspub: DeriveSharedSecret: %d-byte secret for %s, want %d", len(sharedSecret), k.spec.Spec, k.spec.SharedSecretSize)
	}
	return sharedSecret, publicKeyDER, nil
}

// agreeKey is a KEY_AGREEMENT key in the form its ECDH library takes,
// converted once when the key is built rather than on every call.
type agreeKey struct {
	nist *ecdh.PublicKey     // ECC_NIST_*: crypto/ecdh
	sm2  *gmsmecdh.PublicKey // SM2: gmsm ecdh on sm2p256v1
}

// prepareAgree fills k.agree for a KEY_AGREEMENT key. It is called by
// newPublicKey after the SPKI has been parsed (so the point is on the curve
// and the conversion cannot fail for a key KMS made).
func (k *PublicKey) prepareAgree() error {
	if k.usage != types.KeyUsageTypeKeyAgreement {
		return nil
	}
	pub, ok := k.public.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("kmspub: %s key parsed as %T", k.spec.Spec, k.public)
	}
	var err error
	switch k.spec.Family {
	case kmsrules.FamilyECC:
		k.agree.nist, err = pub.ECDH()
	case kmsrules.FamilySM2:
		k.agree.sm2, err = sm2.PublicKeyToECDH(pub)
	}
	return err
}

// deriveNIST runs crypto/ecdh on a NIST curve; remote is kmsKey in
// crypto/ecdh form.
func deriveNIST(kmsKey *ecdsa.PublicKey, remote *ecdh.PublicKey, privateKey crypto.PrivateKey) (secret, spki []byte, err error) {
	var priv *ecdh.PrivateKey
	switch p := privateKey.(type) {
	case *ecdh.PrivateKey:
		priv = p
	case *ecdsa.PrivateKey:
		if err := checkECDSAPrivateKey(p, kmsKey.Curve); err != nil {
			return nil, nil, err
		}
		if priv, err = p.ECDH(); err != nil {
			return nil, nil, err
		}
	case *sm2.PrivateKey, *gmsmecdh.PrivateKey:
		return nil, nil, fmt.Errorf("the private key is on sm2p256v1, not %s", remote.Curve())
	default:
		return nil, nil, unsupportedPrivateKey(privateKey)
	}
	if priv == nil {
		return nil, nil, errNilPrivateKey
	}
	if priv.Curve() != remote.Curve() {
		return nil, nil, fmt.Errorf("the private key is on %s, not %s", priv.Curve(), remote.Curve())
	}
	if secret, err = priv.ECDH(remote); err != nil {
		return nil, nil, err
	}
	if spki, err = x509.MarshalPKIXPublicKey(priv.PublicKey()); err != nil {
		return nil, nil, err
	}
	return secret, spki, nil
}

// deriveSM2 runs gmsm's ECDH on sm2p256v1; remote is kmsKey in gmsm ecdh
// form.
func deriveSM2(kmsKey *ecdsa.PublicKey, remote *gmsmecdh.PublicKey, privateKey crypto.PrivateKey) (secret, spki []byte, err error) {
	var priv *gmsmecdh.PrivateKey
	switch p := privateKey.(type) {
	case *gmsmecdh.PrivateKey:
		priv = p
	case *sm2.PrivateKey:
		if p == nil {
			return nil, nil, errNilPrivateKey
		}
		if err := checkECDSAPrivateKey(&p.PrivateKey, kmsKey.Curve); err != nil {
			return nil, nil, err
		}
		if priv, err = p.ECDH(); err != nil {
			return nil, nil, err
		}
	case *ecdsa.PrivateKey:
		if err := checkECDSAPrivateKey(p, kmsKey.Curve); err != nil {
			return nil, nil, err
		}
		sp, err := new(sm2.PrivateKey).FromECPrivateKey(p)
		if err != nil {
			return nil, nil, err
		}
		if priv, err = sp.ECDH(); err != nil {
			return nil, nil, err
		}
	case *ecdh.PrivateKey:
		if p == nil {
			return nil, nil, errNilPrivateKey
		}
		// crypto/ecdh has no SM2 curve.
		return nil, nil, fmt.Errorf("the private key is on %s, not %s", p.Curve(), remote.Curve())
	default:
		return nil, nil, unsupportedPrivateKey(privateKey)
	}
	if priv == nil {
		return nil, nil, errNilPrivateKey
	}
	if priv.Curve() != remote.Curve() {
		return nil, nil, fmt.Errorf("the private key is on %s, not %s", priv.Curve(), remote.Curve())
	}
	if secret, err = priv.ECDH(remote); err != nil {
		return nil, nil, err
	}
	if spki, err = smx509.MarshalPKIXPublicKey(priv.PublicKey()); err != nil {
		return nil, nil, err
	}
	return secret, spki, nil
}

// checkECDSAPrivateKey refuses an ecdsa.PrivateKey that is nil, incomplete
// or on another curve than want, before any method could panic on it.
func checkECDSAPrivateKey(p *ecdsa.PrivateKey, want elliptic.Curve) error {
	switch {
	case p == nil:
		return errNilPrivateKey
	case p.Curve == nil || p.D == nil:
		return errors.New("the private key has no curve or no scalar")
	case p.Curve != want:
		return fmt.Errorf("the private key is on %s, not %s", curveName(p.Curve), curveName(want))
	}
	return nil
}

var errNilPrivateKey = errors.New("the private key is nil")

func unsupportedPrivateKey(k crypto.PrivateKey) error {
	if k == nil {
		return errNilPrivateKey
	}
	return fmt.Errorf("the private key is a %T, not an ECDH key", k)
}

func curveName(c elliptic.Curve) string {
	if name := c.Params().Name; name != "" {
		return name
	}
	return "an unnamed curve"
}

// peerKeyError is a caller's private key DeriveSharedSecret cannot use. It
// unwraps to the ValidationException with an empty message that KMS returns
// for a public key it cannot use, so errors.As finds the SDK type.
type peerKeyError struct {
	spec   types.KeySpec
	reason string
}

func (e *peerKeyError) Error() string {
	return fmt.Sprintf("kmspub: DeriveSharedSecret for the %s key: %s (KMS answers ValidationException)", e.spec, e.reason)
}

func (e *peerKeyError) Unwrap() error { return kmserr.InvalidPublicKey() }
