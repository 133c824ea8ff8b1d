package envelope

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	gmsmecdh "github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// ecdhCurve is what the ECDH keyrings need of a curve: the name the KDF's
// fixed info carries, point sizes, and conversions between compressed
// points (the provider information), uncompressed points and the
// SubjectPublicKeyInfo KMS DeriveSharedSecret takes.
type ecdhCurve struct {
	spec     types.KeySpec
	kdfName  string // as the Material Providers Library writes it: "p256", "p384", "p521", "sm2"
	size     int    // field element bytes
	elliptic elliptic.Curve
	generate func() (priv crypto.PrivateKey, uncompressed []byte, err error)
	spki     func(uncompressed []byte) ([]byte, error)
	toPoint  func(pub *ecdsa.PublicKey) ([]byte, error) // uncompressed
}

func nistCurve(spec types.KeySpec, name string, size int, e elliptic.Curve, c ecdh.Curve) *ecdhCurve {
	return &ecdhCurve{
		spec: spec, kdfName: name, size: size, elliptic: e,
		generate: func() (crypto.PrivateKey, []byte, error) {
			k, err := c.GenerateKey(rand.Reader)
			if err != nil {
				return nil, nil, err
			}
			return k, k.PublicKey().Bytes(), nil
		},
		spki: func(p []byte) ([]byte, error) {
			k, err := c.NewPublicKey(p)
			if err != nil {
				return nil, err
			}
			return x509.MarshalPKIXPublicKey(k)
		},
		toPoint: func(pub *ecdsa.PublicKey) ([]byte, error) {
			k, err := pub.ECDH()
			if err != nil {
				return nil, err
			}
			return k.Bytes(), nil
		},
	}
}

var ecdhCurves = []*ecdhCurve{
	nistCurve(types.KeySpecEccNistP256, "p256", 32, elliptic.P256(), ecdh.P256()),
	nistCurve(types.KeySpecEccNistP384, "p384", 48, elliptic.P384(), ecdh.P384()),
	nistCurve(types.KeySpecEccNistP521, "p521", 66, elliptic.P521(), ecdh.P521()),
	{
		spec: types.KeySpecSm2, kdfName: "sm2", size: 32, elliptic: sm2.P256(),
		generate: func() (crypto.PrivateKey, []byte, error) {
			k, err := gmsmecdh.P256().GenerateKey(rand.Reader)
			if err != nil {
				return nil, nil, err
			}
			return k, k.PublicKey().Bytes(), nil
		},
		spki: func(p []byte) ([]byte, error) {
			k, err := gmsmecdh.P256().NewPublicKey(p)
			if err != nil {
				return nil, err
			}
			return smx509.MarshalPKIXPublicKey(k)
		},
		toPoint: func(pub *ecdsa.PublicKey) ([]byte, error) {
			k, err := sm2.PublicKeyToECDH(pub)
			if err != nil {
				return nil, err
			}
			return k.Bytes(), nil
		},
	},
}

func lookupECDHCurve(spec types.KeySpec) *ecdhCurve {
	for _, c := range ecdhCurves {
		if c.spec == spec {
			return c
		}
	}
	return nil
}

// compress turns an uncompressed SEC 1 point into its compressed form.
func (c *ecdhCurve) compress(p []byte) []byte {
	out := make([]byte, 1+c.size)
	out[0] = 2 | p[len(p)-1]&1
	copy(out[1:], p[1:1+c.size])
	return out
}

// decompress turns a compressed point into an uncompressed one, refusing
// anything that is not a point on the curve.
func (c *ecdhCurve) decompress(p []byte) ([]byte, error) {
	if len(p) != 1+c.size {
		return nil, fmt.Errorf("a compressed %s point is %d bytes, not %d", c.spec, 1+c.size, len(p))
	}
	x, y := elliptic.UnmarshalCompressed(c.elliptic, p)
	if x == nil {
		return nil, fmt.Errorf("not a compressed point on %s", c.spec)
	}
	out := make([]byte, 1+2*c.size)
	out[0] = 4
	x.FillBytes(out[1 : 1+c.size])
	y.FillBytes(out[1+c.size:])
	return out, nil
}

// The KDF's fixed info (framework/key-agreement-schemas.md#key-derivation):
//
//	"ecdh-key-derivation" 00 curve 00 "HMAC_SHA384" 00 sender ‖ recipient 00 01 00 canonical context
//
// with the curve named as the Material Providers Library names it and both
// public keys compressed.
func ecdhFixedInfo(curve *ecdhCurve, sender, recipient, context []byte) []byte {
	b := make([]byte, 0, 64+len(sender)+len(recipient)+len(context))
	b = append(b, "ecdh-key-derivation"...)
	b = append(b, 0)
	b = append(b, curve.kdfName...)
	b = append(b, 0)
	b = append(b, "HMAC_SHA384"...)
	b = append(b, 0)
	b = append(b, sender...)
	b = append(b, recipient...)
	b = append(b, 0, esdkformat.ECDHKeyringVersion, 0)
	return append(b, context...)
}

// ecdhKDF is NIST SP 800-108 KDF in counter mode with HMAC-SHA384, as the
// Material Providers Library's KdfCtr computes it: for i = 1, 2, …
// HMAC(Z, i ‖ label ‖ 00 ‖ context ‖ L), with the fixed info as the label,
// the nonce as the context, a 32-bit counter and L = 512 bits. The first
// 32 bytes of the output are the commitment key, the next 32 the wrapping
// key.
func ecdhKDF(secret, fixedInfo, nonce []byte) (commitKey, wrapKey []byte) {
	mac := hmac.New(sha512.New384, secret)
	var out []byte
	var word [4]byte
	for i := uint32(1); len(out) < 64; i++ {
		mac.Reset()
		binary.BigEndian.PutUint32(word[:], i)
		mac.Write(word[:])
		mac.Write(fixedInfo)
		mac.Write([]byte{0})
		mac.Write(nonce)
		binary.BigEndian.PutUint32(word[:], 512)
		mac.Write(word[:])
		out = mac.Sum(out)
	}
	return out[:32], out[32:64]
}

// ecdhWrap wraps dataKey for a recipient, given the ECDH shared secret and
// both compressed public keys: a fresh KDF nonce, the commitment key, and
// AES-256-GCM with a zero IV and the fixed info as AAD.
func ecdhWrap(curve *ecdhCurve, secret, sender, recipient, context, dataKey []byte) ([]byte, error) {
	ct := &esdkformat.ECDHCiphertext{}
	if _, err := rand.Read(ct.Nonce[:]); err != nil {
		return nil, err
	}
	fixed := ecdhFixedInfo(curve, sender, recipient, context)
	commitKey, wrapKey := ecdhKDF(secret, fixed, ct.Nonce[:])
	copy(ct.CommitKey[:], commitKey)
	aead, err := newGCM(wrapKey)
	if err != nil {
		return nil, err
	}
	ct.WrappedKey = aead.Seal(nil, zeroIV[:], dataKey, fixed)
	return ct.Marshal(), nil
}

var errECDHCommitment = errors.New("the ECDH commitment key does not match: the shared secret, the public keys or the encryption context differ from the sender's")

// ecdhUnwrap reverses ecdhWrap: it checks the commitment key (in constant
// time) before unwrapping.
func ecdhUnwrap(curve *ecdhCurve, secret []byte, info *esdkformat.ECDHProviderInfo, ct *esdkformat.ECDHCiphertext, context []byte) ([]byte, error) {
	fixed := ecdhFixedInfo(curve, info.Sender, info.Recipient, context)
	commitKey, wrapKey := ecdhKDF(secret, fixed, ct.Nonce[:])
	if subtle.ConstantTimeCompare(commitKey, ct.CommitKey[:]) != 1 {
		return nil, errECDHCommitment
	}
	aead, err := newGCM(wrapKey)
	if err != nil {
		return nil, err
	}
	dataKey, err := aead.Open(nil, zeroIV[:], ct.WrappedKey, fixed)
	if err != nil {
		return nil, errors.New("the wrapped data key does not authenticate")
	}
	return dataKey, nil
}
