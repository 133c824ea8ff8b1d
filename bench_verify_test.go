package kmspub_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha512"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
)

// sigBenchCase is one algorithm on one key spec, with a 1 KiB message and
// signatures over it as RAW and as its DIGEST / EXTERNAL_MU form.
type sigBenchCase struct {
	name      string
	k         *kmspub.PublicKey
	alg       types.SigningAlgorithmSpec
	msg       []byte // 1 KiB; for Ed25519ph the 64-byte D
	digest    []byte
	digestMT  types.MessageType
	sig       []byte
	bare      func(msg, sig []byte) bool // the primitive without kmspub
	rawForm   bool
	digestOKs bool
}

func sigBenchCases(b *testing.B) []sigBenchCase {
	msg := make([]byte, 1024)
	for i := range msg {
		msg[i] = byte(i)
	}
	var out []sigBenchCase
	add := func(spec types.KeySpec, alg types.SigningAlgorithmSpec, bare func(pub crypto.PublicKey) func(msg, sig []byte) bool) {
		k := sigSignKey(b, spec)
		s := sigPrivate(b, spec)
		m, mt := msg, types.MessageTypeRaw
		if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
			d := sha512.Sum512(msg)
			m, mt = d[:], types.MessageTypeDigest
		}
		sig := s.sign(b, alg, mt, m, nil)
		c := sigBenchCase{name: string(alg) + "@" + string(spec), k: k, alg: alg, msg: m, sig: sig,
			bare: bare(k.CryptoPublicKey()), rawForm: mt == types.MessageTypeRaw}
		if alg != types.SigningAlgorithmSpecEd25519Sha512 {
			d, dmt, err := k.Digest(bytes.NewReader(m), alg)
			sigCheck(b, err)
			c.digest, c.digestMT, c.digestOKs = d, dmt, true
			if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
				c.digest = m // D itself is the DIGEST message
			}
		}
		if err := k.Verify(m, mt, alg, sig); err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		out = append(out, c)
	}
	rsaPSS := func(h crypto.Hash) func(crypto.PublicKey) func([]byte, []byte) bool {
		return func(pub crypto.PublicKey) func([]byte, []byte) bool {
			return func(msg, sig []byte) bool {
				hh := h.New()
				hh.Write(msg)
				return rsa.VerifyPSS(pub.(*rsa.PublicKey), h, hh.Sum(nil), sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
			}
		}
	}
	rsaPKCS1 := func(h crypto.Hash) func(crypto.PublicKey) func([]byte, []byte) bool {
		return func(pub crypto.PublicKey) func([]byte, []byte) bool {
			return func(msg, sig []byte) bool {
				hh := h.New()
				hh.Write(msg)
				return rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), h, hh.Sum(nil), sig) == nil
			}
		}
	}
	ecdsaBare := func(h crypto.Hash) func(crypto.PublicKey) func([]byte, []byte) bool {
		return func(pub crypto.PublicKey) func([]byte, []byte) bool {
			return func(msg, sig []byte) bool {
				hh := h.New()
				hh.Write(msg)
				return ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), hh.Sum(nil), sig)
			}
		}
	}
	add(types.KeySpecRsa2048, "RSASSA_PSS_SHA_256", rsaPSS(crypto.SHA256))
	add(types.KeySpecRsa2048, "RSASSA_PSS_SHA_384", rsaPSS(crypto.SHA384))
	add(types.KeySpecRsa2048, "RSASSA_PSS_SHA_512", rsaPSS(crypto.SHA512))
	add(types.KeySpecRsa2048, "RSASSA_PKCS1_V1_5_SHA_256", rsaPKCS1(crypto.SHA256))
	add(types.KeySpecRsa2048, "RSASSA_PKCS1_V1_5_SHA_384", rsaPKCS1(crypto.SHA384))
	add(types.KeySpecRsa2048, "RSASSA_PKCS1_V1_5_SHA_512", rsaPKCS1(crypto.SHA512))
	add(types.KeySpecRsa4096, "RSASSA_PSS_SHA_256", rsaPSS(crypto.SHA256))
	add(types.KeySpecEccNistP256, "ECDSA_SHA_256", ecdsaBare(crypto.SHA256))
	add(types.KeySpecEccNistP384, "ECDSA_SHA_384", ecdsaBare(crypto.SHA384))
	add(types.KeySpecEccNistP521, "ECDSA_SHA_512", ecdsaBare(crypto.SHA512))
	add(types.KeySpecEccSecgP256k1, "ECDSA_SHA_256", func(pub crypto.PublicKey) func([]byte, []byte) bool {
		return func(msg, sig []byte) bool {
			s, err := secpecdsa.ParseDERSignature(sig)
			if err != nil {
				return false
			}
			h := crypto.SHA256.New()
			h.Write(msg)
			return s.Verify(h.Sum(nil), pub.(*secp256k1.PublicKey))
		}
	})
	add(types.KeySpecSm2, "SM2DSA", func(pub crypto.PublicKey) func([]byte, []byte) bool {
		return func(msg, sig []byte) bool { return sm2.VerifyASN1WithSM2(pub.(*ecdsa.PublicKey), nil, msg, sig) }
	})
	add(types.KeySpecEccNistEdwards25519, "ED25519_SHA_512", func(pub crypto.PublicKey) func([]byte, []byte) bool {
		return func(msg, sig []byte) bool { return ed25519.Verify(pub.(ed25519.PublicKey), msg, sig) }
	})
	add(types.KeySpecEccNistEdwards25519, "ED25519_PH_SHA_512", func(pub crypto.PublicKey) func([]byte, []byte) bool {
		return func(d, sig []byte) bool {
			ph := sha512.Sum512(d)
			return ed25519.VerifyWithOptions(pub.(ed25519.PublicKey), ph[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
		}
	})
	type mldsaVerifier interface {
		VerifyWithOptions(sig, message []byte, opts crypto.SignerOpts) bool
	}
	for _, spec := range []types.KeySpec{types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87} {
		add(spec, "ML_DSA_SHAKE_256", func(pub crypto.PublicKey) func([]byte, []byte) bool {
			v := pub.(mldsaVerifier)
			return func(msg, sig []byte) bool { return v.VerifyWithOptions(sig, msg, &mldsa.Options{}) }
		})
	}
	return out
}

// BenchmarkVerify measures Verify with a 1 KiB RAW message and with the
// DIGEST (EXTERNAL_MU for ML-DSA) form; compare with BenchmarkBare, the
// primitive alone on the same inputs.
func BenchmarkVerify(b *testing.B) {
	for _, c := range sigBenchCases(b) {
		if c.rawForm {
			b.Run(c.name+"/RAW1KiB", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.k.Verify(c.msg, types.MessageTypeRaw, c.alg, c.sig); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		if c.digestOKs {
			b.Run(c.name+"/"+string(c.digestMT), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := c.k.Verify(c.digest, c.digestMT, c.alg, c.sig); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkBare is the signature primitive alone (hash + verify from the
// standard library, decred or gmsm) on the inputs of BenchmarkVerify.
func BenchmarkBare(b *testing.B) {
	for _, c := range sigBenchCases(b) {
		form := "RAW1KiB"
		if !c.rawForm {
			form = "DIGEST"
		}
		b.Run(c.name+"/"+form, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !c.bare(c.msg, c.sig) {
					b.Fatal("bare primitive refused the signature")
				}
			}
		})
	}
}
