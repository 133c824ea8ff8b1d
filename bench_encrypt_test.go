package kmspub

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"hash"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	gmsmecdh "github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"
)

// The benchmarks below pair each kmspub operation (impl=kmspub) with the
// bare library call it wraps (impl=bare), with RunPair, on the same key and
// input in the same run: the difference is kmspub's own cost. See bench_test.go for
// Verify and scripts/bench for how they are run.

// benchSink and benchSink2 receive every result, on both sides alike, so
// the compiler cannot keep an unused result of the bare call on the stack
// while kmspub's, which it returns, goes to the heap.
var benchSink, benchSink2 []byte

func BenchmarkEncrypt(b *testing.B) {
	for _, c := range encryptCases {
		k := testdataKey(b, c.spec, types.KeyUsageTypeEncryptDecrypt)
		pt := make([]byte, c.maxPlaintext)
		name := "alg=" + string(c.alg) + "/spec=" + string(c.spec)
		RunPair(b, name, func(b *testing.B) {
			if c.alg == types.EncryptionAlgorithmSpecSm2pke {
				pub := k.CryptoPublicKey().(*ecdsa.PublicKey)
				BenchLoop(b, func() {
					var err error
					if benchSink, err = sm2.EncryptASN1(rand.Reader, pub, pt); err != nil {
						b.Fatal(err)
					}
				})
				return
			}
			pub := k.CryptoPublicKey().(*rsa.PublicKey)
			newHash := map[types.EncryptionAlgorithmSpec]func() hash.Hash{
				types.EncryptionAlgorithmSpecRsaesOaepSha1:   sha1.New,
				types.EncryptionAlgorithmSpecRsaesOaepSha256: sha256.New,
			}[c.alg]
			BenchLoop(b, func() {
				var err error
				if benchSink, err = rsa.EncryptOAEP(newHash(), rand.Reader, pub, pt, nil); err != nil {
					b.Fatal(err)
				}
			})
		}, func(b *testing.B) {
			BenchLoop(b, func() {
				var err error
				if benchSink, err = k.Encrypt(pt, c.alg); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func BenchmarkEncapsulate(b *testing.B) {
	for _, c := range kemSpecs {
		k := testdataKey(b, c.spec, types.KeyUsageTypeEncapsulateDecapsulate)
		name := "alg=ML_KEM/spec=" + string(c.spec)
		RunPair(b, name, func(b *testing.B) {
			switch ek := k.CryptoPublicKey().(type) {
			case *mlkem.EncapsulationKey512:
				BenchLoop(b, func() {
					var err error
					if benchSink, benchSink2, err = ek.Encapsulate(rand.Reader); err != nil {
						b.Fatal(err)
					}
				})
			case *stdmlkem.EncapsulationKey768:
				BenchLoop(b, func() { benchSink, benchSink2 = ek.Encapsulate() })
			case *stdmlkem.EncapsulationKey1024:
				BenchLoop(b, func() { benchSink, benchSink2 = ek.Encapsulate() })
			}
		}, func(b *testing.B) {
			BenchLoop(b, func() {
				var err error
				if benchSink, benchSink2, err = k.Encapsulate(types.EncapsulationAlgorithmSpecMlKem); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkDeriveSharedSecret compares DeriveSharedSecret with the bare
// ECDH on the KMS key already in crypto/ecdh (or gmsm ecdh) form plus the
// encoding of the caller's public key as an SPKI, which DeriveSharedSecret
// also returns. The caller's key is an *ecdh.PrivateKey, the form that
// needs no conversion.
func BenchmarkDeriveSharedSecret(b *testing.B) {
	type deriveCase struct {
		spec   types.KeySpec
		derive func() ([]byte, []byte, error) // bare
		priv   any
	}
	var cases []deriveCase
	for _, c := range ecdhSpecs {
		k := testdataKey(b, c.spec, types.KeyUsageTypeKeyAgreement)
		priv, err := c.curve.GenerateKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		remote, err := k.CryptoPublicKey().(*ecdsa.PublicKey).ECDH()
		if err != nil {
			b.Fatal(err)
		}
		cases = append(cases, deriveCase{c.spec, func() ([]byte, []byte, error) {
			return bareNISTDerive(priv, remote)
		}, priv})
	}
	sm2Key := testdataKey(b, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	sm2Priv, err := gmsmecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	sm2Remote, err := sm2.PublicKeyToECDH(sm2Key.CryptoPublicKey().(*ecdsa.PublicKey))
	if err != nil {
		b.Fatal(err)
	}
	cases = append(cases, deriveCase{types.KeySpecSm2, func() ([]byte, []byte, error) {
		secret, err := sm2Priv.ECDH(sm2Remote)
		if err != nil {
			return nil, nil, err
		}
		spki, err := smx509.MarshalPKIXPublicKey(sm2Priv.PublicKey())
		return secret, spki, err
	}, sm2Priv})

	for _, c := range cases {
		k := testdataKey(b, c.spec, types.KeyUsageTypeKeyAgreement)
		name := "alg=ECDH/spec=" + string(c.spec)
		RunPair(b, name, func(b *testing.B) {
			BenchLoop(b, func() {
				var err error
				if benchSink, benchSink2, err = c.derive(); err != nil {
					b.Fatal(err)
				}
			})
		}, func(b *testing.B) {
			BenchLoop(b, func() {
				var err error
				if benchSink, benchSink2, err = k.DeriveSharedSecret(c.priv, types.KeyAgreementAlgorithmSpecEcdh); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

func bareNISTDerive(priv *ecdh.PrivateKey, remote *ecdh.PublicKey) ([]byte, []byte, error) {
	secret, err := priv.ECDH(remote)
	if err != nil {
		return nil, nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(priv.PublicKey())
	return secret, spki, err
}

// BenchmarkChecks isolates kmspub's own work on the success path — every
// KMS check, no cryptography — which is the whole of the difference between
// impl=kmspub and impl=bare above, measured without an RSA or EC operation's
// noise. It should be tens of nanoseconds and allocation-free.
func BenchmarkChecks(b *testing.B) {
	b.Run("op=Encrypt", func(b *testing.B) {
		k := testdataKey(b, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
		BenchLoop(b, func() {
			if _, err := k.encryptionRule(446, types.EncryptionAlgorithmSpecRsaesOaepSha256); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("op=Verify", func(b *testing.B) {
		k := testdataKey(b, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
		sig := make([]byte, 72)
		BenchLoop(b, func() {
			model, _ := streamVerifyModel(sig, types.SigningAlgorithmSpecEcdsaSha256)
			if err := preamble(k, model, opVerify, k.signing, types.SigningAlgorithmSpecEcdsaSha256); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkEncryptRefusal: the cost of a refusal, which does no cryptography.
func BenchmarkEncryptRefusal(b *testing.B) {
	k := testdataKey(b, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	pt := make([]byte, 191)
	BenchLoop(b, func() {
		if _, err := k.Encrypt(pt, types.EncryptionAlgorithmSpecRsaesOaepSha256); err == nil {
			b.Fatal("accepted")
		}
	})
}
