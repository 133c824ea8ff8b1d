package kmspub

import (
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

// The benchmarks below pair each kmspub operation ("kmspub") with the bare
// library call it wraps ("bare"), on the same key and input in the same run,
// so the difference is kmspub's own cost: the KMS checks, and for
// DeriveSharedSecret the type conversion and SPKI encoding.

func BenchmarkEncrypt(b *testing.B) {
	for _, c := range encryptCases {
		k := testdataKey(b, c.spec, types.KeyUsageTypeEncryptDecrypt)
		pt := make([]byte, c.maxPlaintext)
		b.Run(string(c.spec)+"/"+string(c.alg)+"/kmspub", func(b *testing.B) {
			for b.Loop() {
				if _, err := k.Encrypt(pt, c.alg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(c.spec)+"/"+string(c.alg)+"/bare", func(b *testing.B) {
			if c.alg == types.EncryptionAlgorithmSpecSm2pke {
				pub := k.CryptoPublicKey().(*ecdsa.PublicKey)
				for b.Loop() {
					if _, err := sm2.EncryptASN1(rand.Reader, pub, pt); err != nil {
						b.Fatal(err)
					}
				}
				return
			}
			pub := k.CryptoPublicKey().(*rsa.PublicKey)
			newHash := map[types.EncryptionAlgorithmSpec]func() hash.Hash{
				types.EncryptionAlgorithmSpecRsaesOaepSha1:   sha1.New,
				types.EncryptionAlgorithmSpecRsaesOaepSha256: sha256.New,
			}[c.alg]
			for b.Loop() {
				if _, err := rsa.EncryptOAEP(newHash(), rand.Reader, pub, pt, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncapsulate(b *testing.B) {
	for _, c := range kemSpecs {
		k := testdataKey(b, c.spec, types.KeyUsageTypeEncapsulateDecapsulate)
		b.Run(string(c.spec)+"/kmspub", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := k.Encapsulate(types.EncapsulationAlgorithmSpecMlKem); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(c.spec)+"/bare", func(b *testing.B) {
			switch ek := k.CryptoPublicKey().(type) {
			case *mlkem.EncapsulationKey512:
				for b.Loop() {
					if _, _, err := ek.Encapsulate(rand.Reader); err != nil {
						b.Fatal(err)
					}
				}
			case *stdmlkem.EncapsulationKey768:
				for b.Loop() {
					ek.Encapsulate()
				}
			case *stdmlkem.EncapsulationKey1024:
				for b.Loop() {
					ek.Encapsulate()
				}
			}
		})
	}
}

func BenchmarkDeriveSharedSecret(b *testing.B) {
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
		b.Run(string(c.spec)+"/kmspub", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(c.spec)+"/bare", func(b *testing.B) {
			for b.Loop() {
				if _, err := priv.ECDH(remote); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(c.spec)+"/bare+spki", func(b *testing.B) {
			for b.Loop() {
				if _, err := priv.ECDH(remote); err != nil {
					b.Fatal(err)
				}
				if _, err := x509.MarshalPKIXPublicKey(priv.PublicKey()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	k := testdataKey(b, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	priv, err := gmsmecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	remote, err := sm2.PublicKeyToECDH(k.CryptoPublicKey().(*ecdsa.PublicKey))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("SM2/kmspub", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SM2/bare", func(b *testing.B) {
		for b.Loop() {
			if _, err := priv.ECDH(remote); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SM2/bare+spki", func(b *testing.B) {
		for b.Loop() {
			if _, err := priv.ECDH(remote); err != nil {
				b.Fatal(err)
			}
			if _, err := smx509.MarshalPKIXPublicKey(priv.PublicKey()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncryptRefusal: the cost of a refusal, which does no cryptography.
func BenchmarkEncryptRefusal(b *testing.B) {
	k := testdataKey(b, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	pt := make([]byte, 191)
	for b.Loop() {
		if _, err := k.Encrypt(pt, types.EncryptionAlgorithmSpecRsaesOaepSha256); err == nil {
			b.Fatal("accepted")
		}
	}
}

// BenchmarkEncryptChecks isolates kmspub's own work on the success path of
// Encrypt (every KMS check, no cryptography): the whole difference between
// the kmspub and bare Encrypt benchmarks, measured without the noise of an
// RSA or SM2 operation.
func BenchmarkEncryptChecks(b *testing.B) {
	k := testdataKey(b, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
	for b.Loop() {
		if _, err := k.encryptionRule(446, types.EncryptionAlgorithmSpecRsaesOaepSha256); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeriveSharedSecretKMSKeyConversion is the extra step kmspub does
// per call that a caller holding a *ecdh.PublicKey would not: converting the
// parsed KMS key to crypto/ecdh form (point decoding and validation).
func BenchmarkDeriveSharedSecretKMSKeyConversion(b *testing.B) {
	k := testdataKey(b, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	pub := k.CryptoPublicKey().(*ecdsa.PublicKey)
	for b.Loop() {
		if _, err := pub.ECDH(); err != nil {
			b.Fatal(err)
		}
	}
}
