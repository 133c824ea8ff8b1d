package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/x509"
	"hash"
	"io"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	gmsmecdh "github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// Benchmarks that pair each kmspub call with the bare primitive it wraps, on
// the same key and input, in the same run. Every leaf is named
//
//	Benchmark<Op>/alg=<ALG>/spec=<SPEC>/…/impl=bare
//	Benchmark<Op>/alg=<ALG>/spec=<SPEC>/…/impl=kmspub
//
// (kmspubtest.RunPair), so that `benchstat -col '/impl@(bare kmspub)'` puts
// the bare primitive in the base column and gives kmspub's ratio to it.
// scripts/bench runs them and prints BENCHMARKS.md's tables. No benchmark
// asserts a time: the targets are read off benchstat.

// benchMessage is the 1 KiB RAW message every Verify benchmark signs.
var benchMessage = func() []byte {
	m := make([]byte, 1024)
	for i := range m {
		m[i] = byte(i)
	}
	return m
}()

// verifyBenchCase is one signing algorithm on one key spec in one message
// form, with a valid signature and the bare primitive that checks it.
type verifyBenchCase struct {
	alg  types.SigningAlgorithmSpec
	spec types.KeySpec
	mt   types.MessageType
	k    *kmspub.PublicKey
	msg  []byte // RAW: benchMessage; DIGEST / EXTERNAL_MU: its digest or μ
	sig  []byte
	// bare verifies sig over msg (in form mt) with the library kmspub uses,
	// called as a caller without kmspub would call it.
	bare func() bool
}

func (c *verifyBenchCase) name() string {
	return "alg=" + string(c.alg) + "/spec=" + string(c.spec) + "/type=" + string(c.mt)
}

// sum returns the fixed-size SHA-2 sum a caller would take of msg.
func sum(h crypto.Hash, msg []byte) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(msg)
		return d[:]
	case crypto.SHA512:
		d := sha512.Sum512(msg)
		return d[:]
	}
	panic("no hash")
}

// verifyBenchCases returns, for every signing algorithm (RSA on RSA_2048
// and RSA_4096, the rest on each of their specs), the RAW case with the
// 1 KiB message and the DIGEST (EXTERNAL_MU for ML-DSA) case, where KMS
// accepts that form.
func verifyBenchCases(b *testing.B) []*verifyBenchCase {
	var out []*verifyBenchCase
	add := func(spec types.KeySpec, alg types.SigningAlgorithmSpec) {
		k := kmspubtest.SigningKey(b, spec)
		s := kmspubtest.LoadPrivateKey(b, spec)
		h := kmspubtest.AlgorithmHash(alg)
		var forms []types.MessageType
		switch alg {
		case types.SigningAlgorithmSpecEd25519Sha512:
			forms = []types.MessageType{types.MessageTypeRaw}
		case types.SigningAlgorithmSpecEd25519PhSha512:
			forms = []types.MessageType{types.MessageTypeDigest}
		case types.SigningAlgorithmSpecMlDsaShake256:
			forms = []types.MessageType{types.MessageTypeRaw, types.MessageTypeExternalMu}
		default:
			forms = []types.MessageType{types.MessageTypeRaw, types.MessageTypeDigest}
		}
		for _, mt := range forms {
			c := &verifyBenchCase{alg: alg, spec: spec, mt: mt, k: k, msg: benchMessage}
			switch {
			case mt == types.MessageTypeExternalMu:
				c.msg = kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(b, k), benchMessage)
			case alg == types.SigningAlgorithmSpecEd25519PhSha512:
				d := sha512.Sum512(benchMessage) // D, the DIGEST KMS takes
				c.msg = d[:]
			case mt == types.MessageTypeDigest && alg == types.SigningAlgorithmSpecSm2dsa:
				e, err := kmspub.SM2Digest(k, nil, benchMessage)
				kmspubtest.Check(b, err)
				c.msg = e
			case mt == types.MessageTypeDigest:
				c.msg = sum(h, benchMessage)
			}
			c.sig = s.Sign(b, alg, mt, c.msg, benchMessage)
			c.bare = bareVerifier(b, c, h)
			if err := k.Verify(c.msg, mt, alg, c.sig); err != nil {
				b.Fatalf("%s: kmspub refused the signature: %v", c.name(), err)
			}
			if !c.bare() {
				b.Fatalf("%s: the bare primitive refused the signature", c.name())
			}
			out = append(out, c)
		}
	}
	for _, spec := range []types.KeySpec{types.KeySpecRsa2048, types.KeySpecRsa4096} {
		for _, alg := range []types.SigningAlgorithmSpec{
			"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
			"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
		} {
			if spec == types.KeySpecRsa4096 && alg != "RSASSA_PSS_SHA_256" && alg != "RSASSA_PKCS1_V1_5_SHA_256" {
				continue // the hash is the same cost on every modulus; two suffice
			}
			add(spec, alg)
		}
	}
	add(types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256)
	add(types.KeySpecEccNistP384, types.SigningAlgorithmSpecEcdsaSha384)
	add(types.KeySpecEccNistP521, types.SigningAlgorithmSpecEcdsaSha512)
	add(types.KeySpecEccSecgP256k1, types.SigningAlgorithmSpecEcdsaSha256)
	add(types.KeySpecSm2, types.SigningAlgorithmSpecSm2dsa)
	add(types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519Sha512)
	add(types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519PhSha512)
	add(types.KeySpecMlDsa44, types.SigningAlgorithmSpecMlDsaShake256)
	add(types.KeySpecMlDsa65, types.SigningAlgorithmSpecMlDsaShake256)
	add(types.KeySpecMlDsa87, types.SigningAlgorithmSpecMlDsaShake256)
	return out
}

// mldsaVerifier is gmsm's *mldsa.PublicKey44/65/87.
type mldsaVerifier interface {
	VerifyWithOptions(sig, message []byte, opts crypto.SignerOpts) bool
}

// bareVerifier returns the primitive check of c without kmspub: for RAW, a
// fresh hash of the message (fixed-size SHA-2 sums, as kmspub takes them)
// followed by the library's verify; for DIGEST, the verify alone.
func bareVerifier(b *testing.B, c *verifyBenchCase, h crypto.Hash) func() bool {
	raw := c.mt == types.MessageTypeRaw
	msg, sig := c.msg, c.sig
	switch pub := c.k.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		pss := c.alg[:len("RSASSA_PSS")] == "RSASSA_PSS"
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}
		return func() bool {
			d := msg
			if raw {
				d = sum(h, msg)
			}
			if pss {
				return rsa.VerifyPSS(pub, h, d, sig, opts) == nil
			}
			return rsa.VerifyPKCS1v15(pub, h, d, sig) == nil
		}
	case *secp256k1.PublicKey:
		return func() bool {
			d := msg
			if raw {
				d = sum(h, msg)
			}
			s, err := secpecdsa.ParseDERSignature(sig)
			return err == nil && s.Verify(d, pub)
		}
	case *ecdsa.PublicKey:
		if c.alg == types.SigningAlgorithmSpecSm2dsa {
			if raw {
				return func() bool { return sm2.VerifyASN1WithSM2(pub, nil, msg, sig) }
			}
			return func() bool { return sm2.VerifyASN1(pub, msg, sig) }
		}
		return func() bool {
			d := msg
			if raw {
				d = sum(h, msg)
			}
			return ecdsa.VerifyASN1(pub, d, sig)
		}
	case ed25519.PublicKey:
		if c.alg == types.SigningAlgorithmSpecEd25519Sha512 {
			return func() bool { return ed25519.Verify(pub, msg, sig) }
		}
		opts := &ed25519.Options{Hash: crypto.SHA512}
		return func() bool {
			ph := sha512.Sum512(msg)
			return ed25519.VerifyWithOptions(pub, ph[:], sig, opts) == nil
		}
	case mldsaVerifier:
		// gmsm has no public verify-from-μ, so the EXTERNAL_MU case is
		// compared with gmsm's RAW verify of the message μ came from: the
		// ratio is what verifying from μ costs against verifying the
		// message.
		opts := &mldsa.Options{}
		return func() bool { return pub.VerifyWithOptions(sig, benchMessage, opts) }
	}
	b.Fatalf("%s: no bare verifier for %T", c.name(), c.k.CryptoPublicKey())
	return nil
}

// BenchmarkVerify compares PublicKey.Verify with the bare primitive for
// every signing algorithm, RAW (1 KiB) and DIGEST / EXTERNAL_MU.
func BenchmarkVerify(b *testing.B) {
	for _, c := range verifyBenchCases(b) {
		kmspubtest.RunPair(b, c.name(), func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
				if !c.bare() {
					b.Fatal("the bare primitive refused the signature")
				}
			})
		}, func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
				if err := c.k.Verify(c.msg, c.mt, c.alg, c.sig); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// benchStreamSize is the input size of BenchmarkVerifyReader.
const benchStreamSize = 64 << 20

var benchStream = sync.OnceValue(func() []byte {
	m := make([]byte, benchStreamSize)
	for i := range m {
		m[i] = byte(i * 7)
	}
	return m
})

// streamOf returns msg as a plain io.Reader, without the WriterTo that
// bytes.Reader has, so that io.Copy reads it in 32 KiB chunks as it would a
// file or a network body.
func streamOf(msg []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(msg)} }

// BenchmarkVerifyReader compares VerifyReader on a 64 MiB stream (and, for
// ECDSA P-256, a 1 MiB one) with the bare hash over the same stream (io.Copy
// into the hash, then Sum: the digest, SM3(Z_A ‖ M) with Z_A precomputed, or
// the ML-DSA μ, SHAKE256 over tr ‖ 0 ‖ 0 ‖ M) followed by the bare verify of
// that digest. ML-DSA's bare side is the μ hash alone (gmsm cannot verify
// from μ); kmspub's verify from μ is about 0.02% of the hashing at 64 MiB.
func BenchmarkVerifyReader(b *testing.B) {
	stream := benchStream()
	type streamCase struct {
		spec    types.KeySpec
		alg     types.SigningAlgorithmSpec
		newHash func(k *kmspub.PublicKey) func() hash.Hash
		size    int // 0: benchStreamSize
	}
	ecdsaVerify := func(pub crypto.PublicKey, d, sig []byte) bool {
		return ecdsa.VerifyASN1(pub.(*ecdsa.PublicKey), d, sig)
	}
	// verify is the bare verify of the digest; ML-DSA has none in gmsm
	// (it cannot verify from μ), so its bare side is the μ hash alone.
	verify := map[types.SigningAlgorithmSpec]func(pub crypto.PublicKey, d, sig []byte) bool{
		types.SigningAlgorithmSpecEcdsaSha256: ecdsaVerify,
		types.SigningAlgorithmSpecEcdsaSha384: ecdsaVerify,
		"RSASSA_PSS_SHA_512": func(pub crypto.PublicKey, d, sig []byte) bool {
			return rsa.VerifyPSS(pub.(*rsa.PublicKey), crypto.SHA512, d, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}) == nil
		},
		types.SigningAlgorithmSpecEd25519PhSha512: func(pub crypto.PublicKey, d, sig []byte) bool {
			ph := sha512.Sum512(d)
			return ed25519.VerifyWithOptions(pub.(ed25519.PublicKey), ph[:], sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
		},
		types.SigningAlgorithmSpecSm2dsa: func(pub crypto.PublicKey, d, sig []byte) bool {
			return sm2.VerifyASN1(pub.(*ecdsa.PublicKey), d, sig)
		},
	}
	std := func(f func() hash.Hash) func(*kmspub.PublicKey) func() hash.Hash {
		return func(*kmspub.PublicKey) func() hash.Hash { return f }
	}
	cases := []streamCase{
		// 1 MiB beside 64 MiB: the same B/op shows memory does not grow.
		{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256, std(sha256.New), 1 << 20},
		{types.KeySpecEccNistP256, types.SigningAlgorithmSpecEcdsaSha256, std(sha256.New), 0},
		{types.KeySpecEccNistP384, types.SigningAlgorithmSpecEcdsaSha384, std(sha512.New384), 0},
		{types.KeySpecRsa2048, "RSASSA_PSS_SHA_512", std(sha512.New), 0},
		{types.KeySpecEccNistEdwards25519, types.SigningAlgorithmSpecEd25519PhSha512, std(sha512.New), 0},
		{types.KeySpecSm2, types.SigningAlgorithmSpecSm2dsa, func(k *kmspub.PublicKey) func() hash.Hash {
			za, err := sm2.CalculateZA(k.CryptoPublicKey().(*ecdsa.PublicKey), nil)
			kmspubtest.Check(b, err)
			return func() hash.Hash {
				h := sm3.New()
				h.Write(za)
				return h
			}
		}, 0},
		{types.KeySpecMlDsa65, types.SigningAlgorithmSpecMlDsaShake256, func(k *kmspub.PublicKey) func() hash.Hash {
			tr := sha3.SumSHAKE256(kmspubtest.RawPublicKey(b, k), 64)
			return func() hash.Hash { return &muHash{tr: tr} }
		}, 0},
	}
	for _, c := range cases {
		msg := stream
		if c.size != 0 {
			msg = stream[:c.size]
		}
		k := kmspubtest.SigningKey(b, c.spec)
		newHash := c.newHash(k)
		digest, mt, err := k.Digest(bytes.NewReader(msg), c.alg)
		kmspubtest.Check(b, err)
		h := newHash()
		io.Copy(h, bytes.NewReader(msg))
		if !bytes.Equal(h.Sum(nil), digest) {
			b.Fatalf("%s: the bare hash differs from Digest", c.alg)
		}
		sig := kmspubtest.LoadPrivateKey(b, c.spec).Sign(b, c.alg, mt, digest, msg)
		name := "alg=" + string(c.alg) + "/spec=" + string(c.spec) + "/size=" + strconv.Itoa(len(msg)>>20) + "MiB"
		bareVerify, pub := verify[c.alg], k.CryptoPublicKey()
		kmspubtest.RunPair(b, name, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			kmspubtest.BenchLoop(b, func() {
				h := newHash()
				if _, err := io.Copy(h, streamOf(msg)); err != nil {
					b.Fatal(err)
				}
				if d := h.Sum(nil); bareVerify != nil && !bareVerify(pub, d, sig) {
					b.Fatal("the bare primitive refused the signature")
				}
			})
		}, func(b *testing.B) {
			b.SetBytes(int64(len(msg)))
			kmspubtest.BenchLoop(b, func() {
				if err := k.VerifyReader(streamOf(msg), c.alg, sig); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// muHash is the ML-DSA μ = SHAKE256(tr ‖ 0 ‖ 0 ‖ M, 64) as a hash.Hash,
// built from crypto/sha3 alone: the bare side of the ML-DSA stream case.
type muHash struct {
	tr []byte
	h  *sha3.SHAKE
}

func (m *muHash) Write(p []byte) (int, error) {
	if m.h == nil {
		m.h = sha3.NewSHAKE256()
		m.h.Write(m.tr)
		m.h.Write([]byte{0, 0})
	}
	return m.h.Write(p)
}

func (m *muHash) Sum(b []byte) []byte {
	mu := make([]byte, 64)
	m.h.Read(mu)
	return append(b, mu...)
}

func (m *muHash) Reset() { m.h = nil }

func (m *muHash) Size() int { return 64 }

func (m *muHash) BlockSize() int { return 136 }

// benchKMS answers GetPublicKey from test key files, for the Keyring
// benchmark: an ARN or "alias/signer" names the ECC_NIST_P256 signing key.
type benchKMS struct{ out *kms.GetPublicKeyOutput }

func (f *benchKMS) GetPublicKey(_ context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	return f.out, nil
}

// BenchmarkKeyringGet measures Keyring.Get hits for a key ARN (kept for
// ever) and an alias (kept for the TTL, so a hit reads the clock), from
// every P in parallel; run with -cpu 1,2. The bare side is the floor any
// cache has: one sync.Map load and a type assertion.
func BenchmarkKeyringGet(b *testing.B) {
	k := kmspubtest.SigningKey(b, types.KeySpecEccNistP256)
	r := kmspub.NewKeyring(&benchKMS{out: k.GetPublicKeyOutput()})
	ctx := context.Background()
	for _, name := range []struct{ key, id string }{{"ARN", k.KeyID()}, {"Alias", "alias/signer"}} {
		if _, err := r.Get(ctx, name.id); err != nil {
			b.Fatal(err)
		}
		var m sync.Map
		m.Store(name.id, k)
		kmspubtest.RunPair(b, "key="+name.key, func(b *testing.B) {
			kmspubtest.BenchParallel(b, func() {
				v, _ := m.Load(name.id)
				if v.(*kmspub.PublicKey) == nil {
					b.Fatal("nil key")
				}
			})
		}, func(b *testing.B) {
			kmspubtest.BenchParallel(b, func() {
				if got, err := r.Get(ctx, name.id); err != nil || got == nil {
					b.Fatal("miss", err)
				}
			})
		})
	}
}

// BenchmarkVerifyLocalKMS is for reference: a Verify round trip to local-kms
// over loopback HTTP (SDK client, SigV4, JSON) next to kmspub's offline
// Verify of the same ECDSA P-256 signature. It runs only when
// KMSPUB_KMS_ENDPOINT is set (scripts/with-localkms sets it).
func BenchmarkVerifyLocalKMS(b *testing.B) {
	if os.Getenv(localkmstest.EndpointEnv) == "" {
		b.Skip("no local-kms: set " + localkmstest.EndpointEnv + " (scripts/with-localkms)")
	}
	client := localkmstest.Client(b)
	ctx := context.Background()
	id := localkmstest.CreateKey(b, client, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	signed, err := client.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: benchMessage,
		MessageType: types.MessageTypeRaw, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	kmspubtest.Check(b, err)
	k, err := kmspub.Fetch(ctx, client, id)
	kmspubtest.Check(b, err)
	name := "alg=ECDSA_SHA_256/spec=ECC_NIST_P256/type=RAW"
	b.Run(name+"/impl=local-kms", func(b *testing.B) {
		b.ReportAllocs()
		in := &kms.VerifyInput{KeyId: aws.String(id), Message: benchMessage, MessageType: types.MessageTypeRaw,
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, Signature: signed.Signature}
		for b.Loop() {
			out, err := client.Verify(ctx, in)
			if err != nil || !out.SignatureValid {
				b.Fatal("local-kms refused", err)
			}
		}
	})
	b.Run(name+"/impl=kmspub", func(b *testing.B) {
		b.ReportAllocs() // ns/op only: local-kms's CPU time is not in this process
		for b.Loop() {
			if err := k.Verify(benchMessage, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signed.Signature); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchSink and benchSink2 receive every result, on both sides alike, so
// the compiler cannot keep an unused result of the bare call on the stack
// while kmspub's, which it returns, goes to the heap.
var benchSink, benchSink2 []byte

func BenchmarkEncrypt(b *testing.B) {
	for _, c := range encryptCases {
		k := kmspubtest.Key(b, c.spec, types.KeyUsageTypeEncryptDecrypt)
		pt := make([]byte, c.maxPlaintext)
		name := "alg=" + string(c.alg) + "/spec=" + string(c.spec)
		kmspubtest.RunPair(b, name, func(b *testing.B) {
			if c.alg == types.EncryptionAlgorithmSpecSm2pke {
				pub := k.CryptoPublicKey().(*ecdsa.PublicKey)
				kmspubtest.BenchLoop(b, func() {
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
			kmspubtest.BenchLoop(b, func() {
				var err error
				if benchSink, err = rsa.EncryptOAEP(newHash(), rand.Reader, pub, pt, nil); err != nil {
					b.Fatal(err)
				}
			})
		}, func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
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
		k := kmspubtest.Key(b, c.spec, types.KeyUsageTypeEncapsulateDecapsulate)
		name := "alg=ML_KEM/spec=" + string(c.spec)
		kmspubtest.RunPair(b, name, func(b *testing.B) {
			switch ek := k.CryptoPublicKey().(type) {
			case *mlkem.EncapsulationKey512:
				kmspubtest.BenchLoop(b, func() {
					var err error
					if benchSink, benchSink2, err = ek.Encapsulate(rand.Reader); err != nil {
						b.Fatal(err)
					}
				})
			case *stdmlkem.EncapsulationKey768:
				kmspubtest.BenchLoop(b, func() { benchSink, benchSink2 = ek.Encapsulate() })
			case *stdmlkem.EncapsulationKey1024:
				kmspubtest.BenchLoop(b, func() { benchSink, benchSink2 = ek.Encapsulate() })
			}
		}, func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
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
		k := kmspubtest.Key(b, c.spec, types.KeyUsageTypeKeyAgreement)
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
	sm2Key := kmspubtest.Key(b, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
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
		k := kmspubtest.Key(b, c.spec, types.KeyUsageTypeKeyAgreement)
		name := "alg=ECDH/spec=" + string(c.spec)
		kmspubtest.RunPair(b, name, func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
				var err error
				if benchSink, benchSink2, err = c.derive(); err != nil {
					b.Fatal(err)
				}
			})
		}, func(b *testing.B) {
			kmspubtest.BenchLoop(b, func() {
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
		k := kmspubtest.Key(b, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
		kmspubtest.BenchLoop(b, func() {
			if err := kmspub.EncryptChecks(k, 446, types.EncryptionAlgorithmSpecRsaesOaepSha256); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("op=Verify", func(b *testing.B) {
		k := kmspubtest.Key(b, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
		sig := make([]byte, 72)
		kmspubtest.BenchLoop(b, func() {
			if err := kmspub.VerifyChecks(k, types.SigningAlgorithmSpecEcdsaSha256, sig); err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkEncryptRefusal: the cost of a refusal, which does no cryptography.
func BenchmarkEncryptRefusal(b *testing.B) {
	k := kmspubtest.Key(b, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	pt := make([]byte, 191)
	kmspubtest.BenchLoop(b, func() {
		if _, err := k.Encrypt(pt, types.EncryptionAlgorithmSpecRsaesOaepSha256); err == nil {
			b.Fatal("accepted")
		}
	})
}

// BenchmarkKeyringHit measures a cache hit, in parallel on every P:
// go test -run '^$' -bench KeyringHit -cpu 1,2 -benchmem
func BenchmarkKeyringHit(b *testing.B) {
	f := kmspubtest.NewFakeKMS(b)
	arn := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", arn)
	r := kmspub.NewKeyring(f)
	// With an injected clock a hit on a name reads the clock; with the
	// default one a timer ends the TTL and a hit reads a flag.
	withClock := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.Clock = time.Now })
	for i, name := range []struct {
		name, keyID string
		keys        *kmspub.Keyring
	}{{"ARN", arn, r}, {"Alias", "alias/signer", r}, {"AliasWithClock", "alias/signer", withClock}} {
		r := name.keys
		b.Run(name.name, func(b *testing.B) {
			ctx := context.Background()
			if _, err := r.Get(ctx, name.keyID); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if k, err := r.Get(ctx, name.keyID); err != nil || k == nil {
						b.Fatal(err)
					}
				}
			})
			if n := f.Calls.Load(); n != int64(i+1) {
				b.Fatalf("GetPublicKey calls = %d, want %d (one per name)", n, i+1)
			}
		})
	}
}

// BenchmarkClientVerify compares Client.Verify (Keyring hit, policy, audit
// off, SDK input and output) with PublicKey.Verify on the same ECDSA P-256
// signature: the difference is the drop-in client's overhead.
func BenchmarkClientVerify(b *testing.B) {
	f := kmspubtest.NewFakeKMS(b)
	arn := kmspubtest.FakeKeyARN("p256")
	message := []byte("benchmark message")
	sig := kmspubtest.LoadPrivateKey(b, types.KeySpecEccNistP256).Sign(b, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil)
	input := &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
	ctx := context.Background()

	b.Run("Client", func(b *testing.B) {
		c := kmspub.NewClient(f)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Verify(ctx, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ClientWithPolicy", func(b *testing.B) {
		c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) {
			o.Policy = &kmspub.Policy{AllowedKeyARNs: []string{arn}, AllowedOperations: []string{"Verify"}}
		})
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Verify(ctx, input); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PublicKey", func(b *testing.B) {
		k := kmspubtest.FakeKey(b, "p256")
		b.ReportAllocs()
		for b.Loop() {
			if err := k.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
