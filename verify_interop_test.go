package kmspub_test

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub"
)

// sigOpenSSL runs openssl with args and returns its stdout. Without an
// openssl binary the test is skipped, except under CI=true.
func sigOpenSSL(t *testing.T, args ...string) []byte {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not found")
		}
		t.Skip("openssl not found; the OpenSSL interop tests need OpenSSL 3")
	}
	cmd := exec.Command(path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

func sigPrivPEM(spec types.KeySpec) string {
	return filepath.Join("testdata", "keys", string(spec)+".priv.pem")
}

// sigInteropMessage is 1500 bytes: a RAW message KMS takes, and long enough
// that a digest differs from a prefix of it.
func sigInteropMessage(t *testing.T) (msg []byte, path string) {
	msg = make([]byte, 1500)
	for i := range msg {
		msg[i] = byte(i*7 + 3)
	}
	path = filepath.Join(t.TempDir(), "message")
	sigCheck(t, os.WriteFile(path, msg, 0o600))
	return msg, path
}

// sigCheckSignature verifies sig as KMS would for every message form the
// algorithm takes — RAW, DIGEST (from Digest, which TestDigestMatches-
// IndependentHashes checks against independent hashes), VerifyReader — and
// checks that a tampered message and tampered signatures are refused with
// KMSInvalidSignatureException.
func sigCheckSignature(t *testing.T, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, msg, sig []byte) {
	t.Helper()
	raw := alg != types.SigningAlgorithmSpecEd25519PhSha512
	if raw {
		sigWant(t, k.Verify(msg, "", alg, sig), "", "")
		sigWant(t, k.Verify(msg, types.MessageTypeRaw, alg, sig), "", "")
	}
	sigWant(t, k.VerifyReader(bytes.NewReader(msg), alg, sig), "", "")
	digest, mt, err := k.Digest(bytes.NewReader(msg), alg)
	sigCheck(t, err)
	sigWant(t, k.Verify(digest, mt, alg, sig), "", "")

	tampered := bytes.Clone(msg)
	tampered[len(tampered)/3] ^= 0x01
	if raw {
		sigWant(t, k.Verify(tampered, types.MessageTypeRaw, alg, sig), codeInvalidSig, "")
	}
	sigWant(t, k.VerifyReader(bytes.NewReader(tampered), alg, sig), codeInvalidSig, "")
	badDigest := bytes.Clone(digest)
	badDigest[0] ^= 0x80
	sigWant(t, k.Verify(badDigest, mt, alg, sig), codeInvalidSig, "")

	for _, i := range []int{0, 1, len(sig) / 2, len(sig) - 1} {
		bad := bytes.Clone(sig)
		bad[i] ^= 0x04
		sigWant(t, k.Verify(digest, mt, alg, bad), codeInvalidSig, "")
		sigWant(t, k.VerifyReader(bytes.NewReader(msg), alg, bad), codeInvalidSig, "")
	}
	sigWant(t, k.Verify(digest, mt, alg, sig[:len(sig)-1]), codeInvalidSig, "")
	sigWant(t, k.Verify(digest, mt, alg, append(bytes.Clone(sig), 0)), codeInvalidSig, "")
}

// TestVerifyOpenSSLSignatures verifies signatures made by OpenSSL 3 with the
// test keys, for every algorithm OpenSSL 3.0 can make.
func TestVerifyOpenSSLSignatures(t *testing.T) {
	msg, msgPath := sigInteropMessage(t)
	pss := func(md string) []string {
		return []string{"-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest", "-sigopt", "rsa_mgf1_md:" + md}
	}
	type tc struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
		args []string // after "openssl"; the key and message are appended
	}
	var cases []tc
	for _, spec := range []types.KeySpec{types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecRsa4096} {
		for _, md := range []string{"sha256", "sha384", "sha512"} {
			suffix := map[string]string{"sha256": "SHA_256", "sha384": "SHA_384", "sha512": "SHA_512"}[md]
			cases = append(cases,
				tc{spec, types.SigningAlgorithmSpec("RSASSA_PSS_" + suffix), append([]string{"dgst", "-" + md}, pss(md)...)},
				tc{spec, types.SigningAlgorithmSpec("RSASSA_PKCS1_V1_5_" + suffix), []string{"dgst", "-" + md}},
			)
		}
	}
	cases = append(cases,
		tc{types.KeySpecEccNistP256, "ECDSA_SHA_256", []string{"dgst", "-sha256"}},
		tc{types.KeySpecEccNistP384, "ECDSA_SHA_384", []string{"dgst", "-sha384"}},
		tc{types.KeySpecEccNistP521, "ECDSA_SHA_512", []string{"dgst", "-sha512"}},
		tc{types.KeySpecEccSecgP256k1, "ECDSA_SHA_256", []string{"dgst", "-sha256"}},
		tc{types.KeySpecSm2, "SM2DSA", []string{"dgst", "-sm3", "-sigopt", "distid:1234567812345678"}},
		tc{types.KeySpecEccNistEdwards25519, "ED25519_SHA_512", []string{"pkeyutl", "-sign", "-rawin", "-in", msgPath}},
	)
	for _, c := range cases {
		t.Run(string(c.spec)+"/"+string(c.alg), func(t *testing.T) {
			k := sigSignKey(t, c.spec)
			args := append(c.args, "-sign", sigPrivPEM(c.spec))
			if c.args[0] == "pkeyutl" {
				args = append(c.args, "-inkey", sigPrivPEM(c.spec))
			} else {
				args = append(args, msgPath)
			}
			sig := sigOpenSSL(t, args...)
			sigCheckSignature(t, k, c.alg, msg, sig)
			if c.alg == types.SigningAlgorithmSpecEd25519Sha512 {
				d := sha512.Sum512(msg)
				sigWant(t, k.Verify(d[:], types.MessageTypeDigest, c.alg, sig), codeValidation,
					"Message type DIGEST is incompatible with algorithm ED25519_SHA_512.")
				sigWant(t, k.Verify(d[:], types.MessageTypeDigest, types.SigningAlgorithmSpecEd25519PhSha512, sig), codeInvalidSig, "")
			}
		})
	}
}

// TestVerifyOpenSSLSecp256k1HighS: KMS does not normalise s, so high-s
// secp256k1 signatures must verify. OpenSSL signs with random k, so about
// half its signatures are high-s; sign until both kinds have been seen.
func TestVerifyOpenSSLSecp256k1HighS(t *testing.T) {
	msg, msgPath := sigInteropMessage(t)
	k := sigSignKey(t, types.KeySpecEccSecgP256k1)
	half := new(big.Int).Rsh(secp256k1.S256().N, 1)
	var high, low int
	for i := 0; i < 40 && (high == 0 || low == 0); i++ {
		sig := sigOpenSSL(t, "dgst", "-sha256", "-sign", sigPrivPEM(types.KeySpecEccSecgP256k1), msgPath)
		sigWant(t, k.Verify(msg, types.MessageTypeRaw, "ECDSA_SHA_256", sig), "", "")
		if sigDERS(t, sig).Cmp(half) > 0 {
			high++
		} else {
			low++
		}
	}
	if high == 0 || low == 0 {
		t.Fatalf("saw %d high-s and %d low-s signatures in 40; want both", high, low)
	}
}

// TestVerifyEd25519ph: OpenSSL 3.0 cannot make Ed25519ph signatures, so the
// independent signer is the standard library's crypto/ed25519 with
// Options{Hash: SHA512} (RFC 8032 Ed25519ph, empty context) over
// PH(D) = SHA-512(D), where D — the 64-byte KMS DIGEST message — is
// SHA-512 of the input.
func TestVerifyEd25519ph(t *testing.T) {
	msg, _ := sigInteropMessage(t)
	k := sigSignKey(t, types.KeySpecEccNistEdwards25519)
	priv := sigPrivate(t, types.KeySpecEccNistEdwards25519).ed25519
	d := sha512.Sum512(msg)
	ph := sha512.Sum512(d[:])
	sig, err := priv.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	sigCheck(t, err)
	sigWant(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", sig), "", "")
	sigCheckSignature(t, k, "ED25519_PH_SHA_512", msg, sig)
	sigWant(t, k.Verify(msg, types.MessageTypeRaw, "ED25519_PH_SHA_512", sig), codeValidation,
		"Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.")
	// A context string other than "" is not what KMS signs with.
	sigCtx, err := priv.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512, Context: "kms"})
	sigCheck(t, err)
	sigWant(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", sigCtx), codeInvalidSig, "")
	// Pure Ed25519 over D is a different scheme.
	sigWant(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", ed25519.Sign(priv, d[:])), codeInvalidSig, "")
}

// TestVerifyMLDSAGmsm: gmsm signs (pure ML-DSA, empty context) from the
// test seeds; Verify takes the signature RAW and as EXTERNAL_MU.
func TestVerifyMLDSAGmsm(t *testing.T) {
	msg, _ := sigInteropMessage(t)
	for _, spec := range []types.KeySpec{types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87} {
		t.Run(string(spec), func(t *testing.T) {
			k := sigSignKey(t, spec)
			signer := sigPrivate(t, spec).mldsa
			sig, err := signer.SignMessage(rand.Reader, msg, nil)
			sigCheck(t, err)
			mu := sigMu(sigRawPub(t, k), msg)
			sigWant(t, k.Verify(mu, types.MessageTypeExternalMu, "ML_DSA_SHAKE_256", sig), "", "")
			sigCheckSignature(t, k, "ML_DSA_SHAKE_256", msg, sig)
			sigWant(t, k.Verify(mu, types.MessageTypeDigest, "ML_DSA_SHAKE_256", sig), codeValidation,
				"Message type DIGEST is incompatible with key spec "+string(spec)+".")
			// A 4096-byte RAW message (the KMS limit) and a 1-byte one.
			for _, m := range [][]byte{bytes.Repeat([]byte{1}, 4096), {0}} {
				s, err := signer.SignMessage(rand.Reader, m, nil)
				sigCheck(t, err)
				sigWant(t, k.Verify(m, "", "ML_DSA_SHAKE_256", s), "", "")
			}
		})
	}
}

// TestVerifyLocalKMSSamples verifies the signatures in testdata/sample, made
// by `aws kms sign` (RAW) on local-kms over message.txt.
func TestVerifyLocalKMSSamples(t *testing.T) {
	msg, err := os.ReadFile(filepath.Join("testdata", "sample", "message.txt"))
	sigCheck(t, err)
	for _, c := range []struct {
		keyFile string
		alg     types.SigningAlgorithmSpec
	}{
		{"ecc_nist_p256.json", "ECDSA_SHA_256"},
		{"rsa_2048.json", "RSASSA_PKCS1_V1_5_SHA_256"},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "sample", c.keyFile))
			sigCheck(t, err)
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			sigCheck(t, err)
			sig, err := os.ReadFile(filepath.Join("testdata", "sample", "message.txt."+string(c.alg)+".sig"))
			sigCheck(t, err)
			sigCheckSignature(t, k, c.alg, msg, sig)
		})
	}
}

// sigDERS returns s from a DER ECDSA-Sig-Value.
func sigDERS(t *testing.T, sig []byte) *big.Int {
	t.Helper()
	var inner cryptobyte.String
	r, s := new(big.Int), new(big.Int)
	in := cryptobyte.String(sig)
	if !in.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) {
		t.Fatal("OpenSSL signature is not DER")
	}
	return s
}
