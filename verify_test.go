package kmspub_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

const (
	codeInvalidSig = "KMSInvalidSignatureException"
	codeKeyUsage   = "InvalidKeyUsageException"
	codeValidation = "ValidationException"
)

// ---- hand-written spot checks: literal expectations, not derived from kmsrules ----

func TestVerifySpotChecks(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	p384 := kmspubtest.SigningKey(t, types.KeySpecEccNistP384)
	ed := kmspubtest.SigningKey(t, types.KeySpecEccNistEdwards25519)
	ml44 := kmspubtest.SigningKey(t, types.KeySpecMlDsa44)
	rsaEnc := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	sm2KA := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	sig := bytes.Repeat([]byte{0x30}, 70)
	msg := []byte("hello")
	d32, d48, d64 := make([]byte, 32), make([]byte, 48), make([]byte, 64)

	cases := []struct {
		name      string
		k         *kmspub.PublicKey
		msg       []byte
		mt        types.MessageType
		alg       types.SigningAlgorithmSpec
		sig       []byte
		code, txt string
	}{
		{"P-256 garbage signature", p256, msg, "", "ECDSA_SHA_256", sig, codeInvalidSig, ""},
		{"P-256 DIGEST garbage signature", p256, d32, "DIGEST", "ECDSA_SHA_256", sig, codeInvalidSig, ""},
		{"ECDSA_SHA_384 on P-256", p256, msg, "RAW", "ECDSA_SHA_384", sig, codeKeyUsage,
			"Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256."},
		{"ECDSA_SHA_256 on P-384", p384, msg, "RAW", "ECDSA_SHA_256", sig, codeKeyUsage,
			"Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P384."},
		{"P-384 digest of SHA-256 length", p384, d32, "DIGEST", "ECDSA_SHA_384", sig, codeValidation,
			"Digest is invalid length for algorithm ECDSA_SHA_384."},
		{"P-384 digest of SHA-384 length", p384, d48, "DIGEST", "ECDSA_SHA_384", sig, codeInvalidSig, ""},
		{"RSA ENCRYPT_DECRYPT key", rsaEnc, msg, "RAW", "RSASSA_PSS_SHA_256", sig, codeKeyUsage,
			"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001 key usage is ENCRYPT_DECRYPT which is not valid for Verify."},
		{"SM2 KEY_AGREEMENT key", sm2KA, msg, "RAW", "SM2DSA", sig, codeKeyUsage, ""},
		{"ML-DSA DIGEST", ml44, d64, "DIGEST", "ML_DSA_SHAKE_256", sig, codeValidation,
			"Message type DIGEST is incompatible with key spec ML_DSA_44."},
		{"ML-DSA EXTERNAL_MU of 32 bytes", ml44, d32, "EXTERNAL_MU", "ML_DSA_SHAKE_256", sig, codeValidation, ""},
		{"ML-DSA EXTERNAL_MU of 64 bytes", ml44, d64, "EXTERNAL_MU", "ML_DSA_SHAKE_256", sig, codeInvalidSig, ""},
		{"EXTERNAL_MU on P-256", p256, d64, "EXTERNAL_MU", "ECDSA_SHA_256", sig, codeValidation,
			"Message type EXTERNAL_MU is incompatible with key spec ECC_NIST_P256."},
		{"Ed25519 pure with DIGEST", ed, d64, "DIGEST", "ED25519_SHA_512", sig, codeValidation,
			"Message type DIGEST is incompatible with algorithm ED25519_SHA_512."},
		{"Ed25519ph with RAW", ed, msg, "RAW", "ED25519_PH_SHA_512", sig, codeValidation,
			"Message type RAW is incompatible with algorithm ED25519_PH_SHA_512."},
		{"Ed25519ph with omitted type (RAW)", ed, d64, "", "ED25519_PH_SHA_512", sig, codeValidation, ""},
		{"Ed25519ph DIGEST of 32 bytes", ed, d32, "DIGEST", "ED25519_PH_SHA_512", sig, codeValidation,
			"Digest is invalid length for algorithm ED25519_PH_SHA_512."},
		{"Ed25519ph DIGEST of 64 bytes", ed, d64, "DIGEST", "ED25519_PH_SHA_512", sig, codeInvalidSig, ""},
		{"Ed25519 pure, 63-byte signature", ed, msg, "RAW", "ED25519_SHA_512", sig[:63], codeInvalidSig, ""},
		// An empty message is the length violation, and an absent (nil) one
		// KMS's missing sensitive member, without "null"
		// (docs/KMS-RULES.md §3.1, §13.1 rows 3c, 3e, 7).
		{"empty message", p256, []byte{}, "RAW", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"absent message", p256, nil, "RAW", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must not be null"},
		{"4097-byte message", p256, make([]byte, 4097), "RAW", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"4096-byte message", p256, make([]byte, 4096), "RAW", "ECDSA_SHA_256", sig, codeInvalidSig, ""},
		{"empty signature", p256, msg, "RAW", "ECDSA_SHA_256", []byte{}, codeValidation,
			"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		// A missing signature is "Value null at" (not sensitive, §13.1 row 3a).
		{"absent signature", p256, msg, "RAW", "ECDSA_SHA_256", nil, codeValidation,
			"1 validation error detected: Value null at 'signature' failed to satisfy constraint: Member must not be null"},
		// Every violation, in member order (§7.2).
		{"absent message and signature, unknown type", p256, nil, "HASH", "", nil, codeValidation,
			"4 validation errors detected: Value at 'message' failed to satisfy constraint: Member must not be null; " +
				"Value 'HASH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]; " +
				"Value null at 'signature' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"6145-byte signature", p256, msg, "RAW", "ECDSA_SHA_256", make([]byte, 6145), codeValidation,
			"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length less than or equal to 6144"},
		{"6144-byte signature", p256, msg, "RAW", "ECDSA_SHA_256", make([]byte, 6144), codeInvalidSig, ""},
		{"missing algorithm", p256, msg, "RAW", "", sig, codeValidation,
			"1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"unknown algorithm", p256, msg, "RAW", "FOO", sig, codeValidation,
			"1 validation error detected: Value 'FOO' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " +
				"[RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, " +
				"ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, ED25519_SHA_512, ED25519_PH_SHA_512, SM2DSA, ML_DSA_SHAKE_256]"},
		// SYMMETRIC_DEFAULT passes the enum check and is refused against the
		// key spec (§3.1, §13.1 row 1; recorded on Sign, Verify checks the same).
		{"SYMMETRIC_DEFAULT", p256, msg, "RAW", "SYMMETRIC_DEFAULT", sig, codeKeyUsage,
			"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec ECC_NIST_P256."},
		{"SYMMETRIC_DEFAULT on an encryption key: usage first", rsaEnc, msg, "RAW", "SYMMETRIC_DEFAULT", sig, codeKeyUsage,
			"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001 key usage is ENCRYPT_DECRYPT which is not valid for Verify."},
		// Other encryption algorithm names are enum violations (§3.1).
		{"an encryption algorithm", p256, msg, "RAW", "RSAES_OAEP_SHA_256", sig, codeValidation, ""},
		{"unknown message type", p256, msg, "raw", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value 'raw' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]"},
		// Model validation comes before the key: an oversized message on a
		// key of the wrong usage is a ValidationException.
		{"model check before usage", rsaEnc, make([]byte, 4097), "RAW", "RSASSA_PSS_SHA_256", sig, codeValidation, ""},
		// Usage comes before the algorithm list.
		{"usage before algorithm", rsaEnc, msg, "RAW", "ECDSA_SHA_256", sig, codeKeyUsage,
			"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001 key usage is ENCRYPT_DECRYPT which is not valid for Verify."},
		// The algorithm list comes before the message type.
		{"algorithm before message type", p256, d64, "EXTERNAL_MU", "ML_DSA_SHAKE_256", sig, codeKeyUsage,
			"Algorithm ML_DSA_SHAKE_256 is incompatible with key spec ECC_NIST_P256."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.k.Verify(c.msg, c.mt, c.alg, c.sig)
			if c.txt == "" && c.code != codeInvalidSig {
				kmspubtest.WantCode(t, err, c.code)
			} else {
				kmspubtest.WantAPIError(t, err, c.code, c.txt)
			}
		})
	}
}

// ---- the full table: spec × usage × algorithm × message type × length ----

// lengthClasses are the message lengths the table walks; -1 stands for the
// algorithm's hash length.
var lengthClasses = []int{0, 1, -1, 64, 4096, 4097}

// expectedCode computes what KMS answers for one request from the rules table,
// in the order Verify documents. valid says whether the signature is a real
// one over the message.
func expectedCode(spec *kmsrules.KeySpec, usage types.KeyUsageType, alg types.SigningAlgorithmSpec, mt types.MessageType, n int, valid bool) string {
	switch {
	case n < kmsrules.MinMessageSize || n > kmsrules.MaxMessageSize:
		return codeValidation
	case mt != "" && mt != types.MessageTypeRaw && mt != types.MessageTypeDigest && mt != types.MessageTypeExternalMu:
		return codeValidation
	}
	row := kmsrules.LookupSigningAlgorithm(alg)
	if row == nil {
		return codeValidation
	}
	if usage != types.KeyUsageTypeSignVerify || !spec.AllowsSigning(alg) {
		return codeKeyUsage
	}
	if mt == "" {
		mt = types.MessageTypeRaw
	}
	if !row.Accepts(mt) {
		return codeValidation
	}
	if size := row.MessageSize(mt); size != 0 && n != size {
		return codeValidation
	}
	if !valid {
		return codeInvalidSig
	}
	return ""
}

func TestVerifyRulesTable(t *testing.T) {
	algs := []types.SigningAlgorithmSpec{"", "FOO"}
	for _, a := range kmsrules.SigningAlgorithms() {
		algs = append(algs, a.Algorithm)
	}
	mts := []types.MessageType{"", types.MessageTypeRaw, types.MessageTypeDigest, types.MessageTypeExternalMu, "BOGUS"}
	garbage := bytes.Repeat([]byte{0x5a}, 100)
	// The signature lengths the table relies on for "garbage": not valid
	// for any scheme.
	counts := map[string]int{}
	for _, spec := range kmsrules.KeySpecs() {
		for _, usage := range spec.Usages() {
			k := kmspubtest.Key(t, spec.Spec, usage)
			var signer *kmspubtest.PrivateKey
			if usage == types.KeyUsageTypeSignVerify {
				signer = kmspubtest.LoadPrivateKey(t, spec.Spec)
			}
			for _, alg := range algs {
				row := kmsrules.LookupSigningAlgorithm(alg)
				for _, mt := range mts {
					for _, class := range lengthClasses {
						n := class
						if class == -1 {
							if row == nil {
								continue
							}
							n = row.Digest.Size()
						}
						msg := bytes.Repeat([]byte{0xa5}, n)
						var preimage []byte
						if mt == types.MessageTypeExternalMu && n == 64 && spec.Family == kmsrules.FamilyMLDSA {
							preimage = []byte("external mu preimage")
							msg = kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(t, k), preimage)
						}
						name := fmt.Sprintf("%s/%s/%s/%s/%d", spec.Spec, usage, alg, mt, n)
						want := expectedCode(spec, usage, alg, mt, n, false)
						if got := kmspubtest.ErrorCode(k.Verify(msg, mt, alg, garbage)); got != want {
							t.Errorf("%s/garbage: got %q, want %q", name, got, want)
						}
						counts[want]++
						if want == codeInvalidSig {
							// Every rule passes: a real signature must verify.
							sig := signer.Sign(t, alg, mt, msg, preimage)
							if got, want := kmspubtest.ErrorCode(k.Verify(msg, mt, alg, sig)), expectedCode(spec, usage, alg, mt, n, true); got != want {
								t.Errorf("%s/valid: got %q, want %q", name, got, want)
							}
							counts["valid"]++
						}
					}
				}
			}
		}
	}
	t.Logf("outcomes: %v", counts)
	if counts["valid"] == 0 || counts[codeKeyUsage] == 0 || counts[codeValidation] == 0 {
		t.Fatalf("table walked too little: %v", counts)
	}
}

// ---- Digest and VerifyReader ----

func TestDigestMatchesIndependentHashes(t *testing.T) {
	msg := bytes.Repeat([]byte("kmspub streams "), 1000) // 15 KB, over the RAW limit
	for _, c := range []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
		mt   types.MessageType
		want func(k *kmspub.PublicKey) []byte
	}{
		{types.KeySpecRsa2048, "RSASSA_PSS_SHA_384", "DIGEST", func(*kmspub.PublicKey) []byte { d := sha512.Sum384(msg); return d[:] }},
		{types.KeySpecEccNistP256, "ECDSA_SHA_256", "DIGEST", func(*kmspub.PublicKey) []byte { d := sha256.Sum256(msg); return d[:] }},
		{types.KeySpecEccNistP521, "ECDSA_SHA_512", "DIGEST", func(*kmspub.PublicKey) []byte { d := sha512.Sum512(msg); return d[:] }},
		{types.KeySpecEccNistEdwards25519, "ED25519_PH_SHA_512", "DIGEST", func(*kmspub.PublicKey) []byte { d := sha512.Sum512(msg); return d[:] }},
		{types.KeySpecSm2, "SM2DSA", "DIGEST", func(k *kmspub.PublicKey) []byte {
			e, err := sm2.CalculateSM2Hash(k.CryptoPublicKey().(*ecdsa.PublicKey), msg, []byte("1234567812345678"))
			kmspubtest.Check(t, err)
			return e
		}},
		{types.KeySpecMlDsa65, "ML_DSA_SHAKE_256", "EXTERNAL_MU", func(k *kmspub.PublicKey) []byte { return kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(t, k), msg) }},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			k := kmspubtest.SigningKey(t, c.spec)
			got, mt, err := k.Digest(bytes.NewReader(msg), c.alg)
			kmspubtest.Check(t, err)
			if mt != c.mt || !bytes.Equal(got, c.want(k)) {
				t.Fatalf("Digest = %x, %s; want %x, %s", got, mt, c.want(k), c.mt)
			}
		})
	}
	// SM3 itself, against a published vector: GB/T 32905 "abc".
	if got := sm3.Sum([]byte("abc")); hex.EncodeToString(got[:]) != "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" {
		t.Fatalf("SM3(abc) = %x", got)
	}
}

func TestDigestEd25519Pure(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecEccNistEdwards25519)
	msg := bytes.Repeat([]byte{7}, 4096)
	got, mt, err := k.Digest(bytes.NewReader(msg), "ED25519_SHA_512")
	kmspubtest.Check(t, err)
	if mt != types.MessageTypeRaw || !bytes.Equal(got, msg) {
		t.Fatalf("Digest of 4096 bytes = %d bytes, %s; want the message, RAW", len(got), mt)
	}
	r := &kmspubtest.CountingReader{R: bytes.NewReader(make([]byte, 1<<20))}
	_, _, err = k.Digest(r, "ED25519_SHA_512")
	kmspubtest.WantAPIError(t, err, codeValidation, "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
	if r.N > 4097 {
		t.Fatalf("read %d bytes; want at most 4097", r.N)
	}
	_, _, err = k.Digest(bytes.NewReader(nil), "ED25519_SHA_512")
	kmspubtest.WantCode(t, err, codeValidation)

	// VerifyReader: a valid signature over 4096 bytes verifies; over 4097
	// bytes KMS cannot take the message at all.
	sig := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistEdwards25519).Sign(t, "ED25519_SHA_512", "RAW", msg, nil)
	kmspubtest.WantCode(t, k.VerifyReader(bytes.NewReader(msg), "ED25519_SHA_512", sig), "")
	kmspubtest.WantAPIError(t, k.VerifyReader(io.MultiReader(bytes.NewReader(msg), strings.NewReader("x")), "ED25519_SHA_512", sig), codeValidation, "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
}

func TestDigestAndVerifyReaderRefusals(t *testing.T) {
	rsaEnc := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	_, _, err := rsaEnc.Digest(strings.NewReader("x"), "RSASSA_PSS_SHA_256")
	kmspubtest.WantCode(t, err, codeKeyUsage)
	_, _, err = p256.Digest(strings.NewReader("x"), "ECDSA_SHA_512")
	kmspubtest.WantAPIError(t, err, codeKeyUsage, "Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_P256.")
	_, _, err = p256.Digest(strings.NewReader("x"), "")
	kmspubtest.WantCode(t, err, codeValidation)
	kmspubtest.WantCode(t, p256.VerifyReader(strings.NewReader("x"), "ECDSA_SHA_256", nil), codeValidation)
	kmspubtest.WantAPIError(t, p256.VerifyReader(strings.NewReader("x"), "ECDSA_SHA_256", []byte{0x30}), codeInvalidSig, "")
	kmspubtest.WantCode(t, rsaEnc.VerifyReader(strings.NewReader("x"), "RSASSA_PSS_SHA_256", []byte{1}), codeKeyUsage)

	readErr := errors.New("disk on fire")
	err = p256.VerifyReader(io.MultiReader(strings.NewReader("x"), kmspubtest.ErrReader{Err: readErr}), "ECDSA_SHA_256", []byte{0x30})
	if !errors.Is(err, readErr) {
		t.Fatalf("VerifyReader with a failing reader = %v; want it wrapped", err)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		t.Fatalf("a read error must not look like a KMS exception: %v", err)
	}
}

// TestVerifyReaderEmptyInput: a digest of an empty input is a valid DIGEST
// message, even though KMS refuses an empty RAW message.
func TestVerifyReaderEmptyInput(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecEccNistP384)
	d := sha512.Sum384(nil)
	sig := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP384).Sign(t, "ECDSA_SHA_384", "DIGEST", d[:], nil)
	kmspubtest.WantCode(t, k.VerifyReader(bytes.NewReader(nil), "ECDSA_SHA_384", sig), "")
	kmspubtest.WantCode(t, k.Verify(nil, "RAW", "ECDSA_SHA_384", sig), codeValidation)
}

// TestVerifyReaderConstantMemory: the bytes allocated by VerifyReader do not
// grow with the input (1 MiB vs 64 MiB), for each kind of streamed digest.
func TestVerifyReaderConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes 65 MiB per algorithm")
	}
	for _, c := range []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
	}{
		{types.KeySpecEccNistP256, "ECDSA_SHA_256"},
		{types.KeySpecSm2, "SM2DSA"},
		{types.KeySpecMlDsa44, "ML_DSA_SHAKE_256"},
		{types.KeySpecEccNistEdwards25519, "ED25519_PH_SHA_512"},
	} {
		k := kmspubtest.SigningKey(t, c.spec)
		sig := bytes.Repeat([]byte{0x30}, 64)
		allocated := func(n int64) uint64 {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			kmspubtest.WantAPIError(t, k.VerifyReader(&kmspubtest.ZeroReader{N: n}, c.alg, sig), codeInvalidSig, "")
			runtime.ReadMemStats(&after)
			return after.TotalAlloc - before.TotalAlloc
		}
		small, large := allocated(1<<20), allocated(64<<20)
		if large > small+64<<10 {
			t.Errorf("%s: VerifyReader allocated %d bytes for 1 MiB and %d for 64 MiB", c.alg, small, large)
		}
	}
}

// interopMessage is 1500 bytes: a RAW message KMS takes, and long enough
// that a digest differs from a prefix of it.
func interopMessage(t *testing.T) (msg []byte, path string) {
	msg = make([]byte, 1500)
	for i := range msg {
		msg[i] = byte(i*7 + 3)
	}
	path = filepath.Join(t.TempDir(), "message")
	kmspubtest.Check(t, os.WriteFile(path, msg, 0o600))
	return msg, path
}

// checkSignature verifies sig as KMS would for every message form the
// algorithm takes — RAW, DIGEST (from Digest, which TestDigestMatches-
// IndependentHashes checks against independent hashes), VerifyReader — and
// checks that a tampered message and tampered signatures are refused with
// KMSInvalidSignatureException.
func checkSignature(t *testing.T, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, msg, sig []byte) {
	t.Helper()
	raw := alg != types.SigningAlgorithmSpecEd25519PhSha512
	if raw {
		kmspubtest.WantCode(t, k.Verify(msg, "", alg, sig), "")
		kmspubtest.WantCode(t, k.Verify(msg, types.MessageTypeRaw, alg, sig), "")
	}
	kmspubtest.WantCode(t, k.VerifyReader(bytes.NewReader(msg), alg, sig), "")
	digest, mt, err := k.Digest(bytes.NewReader(msg), alg)
	kmspubtest.Check(t, err)
	kmspubtest.WantCode(t, k.Verify(digest, mt, alg, sig), "")

	tampered := bytes.Clone(msg)
	tampered[len(tampered)/3] ^= 0x01
	if raw {
		kmspubtest.WantAPIError(t, k.Verify(tampered, types.MessageTypeRaw, alg, sig), codeInvalidSig, "")
	}
	kmspubtest.WantAPIError(t, k.VerifyReader(bytes.NewReader(tampered), alg, sig), codeInvalidSig, "")
	badDigest := bytes.Clone(digest)
	badDigest[0] ^= 0x80
	kmspubtest.WantAPIError(t, k.Verify(badDigest, mt, alg, sig), codeInvalidSig, "")

	for _, i := range []int{0, 1, len(sig) / 2, len(sig) - 1} {
		bad := bytes.Clone(sig)
		bad[i] ^= 0x04
		kmspubtest.WantAPIError(t, k.Verify(digest, mt, alg, bad), codeInvalidSig, "")
		kmspubtest.WantAPIError(t, k.VerifyReader(bytes.NewReader(msg), alg, bad), codeInvalidSig, "")
	}
	kmspubtest.WantAPIError(t, k.Verify(digest, mt, alg, sig[:len(sig)-1]), codeInvalidSig, "")
	kmspubtest.WantAPIError(t, k.Verify(digest, mt, alg, append(bytes.Clone(sig), 0)), codeInvalidSig, "")
}

// TestVerifyOpenSSLSignatures verifies signatures made by OpenSSL 3 with the
// test keys, for every algorithm OpenSSL 3.0 can make.
func TestVerifyOpenSSLSignatures(t *testing.T) {
	msg, msgPath := interopMessage(t)
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
			k := kmspubtest.SigningKey(t, c.spec)
			args := append(c.args, "-sign", kmspubtest.PrivateKeyPath(c.spec))
			if c.args[0] == "pkeyutl" {
				args = append(c.args, "-inkey", kmspubtest.PrivateKeyPath(c.spec))
			} else {
				args = append(args, msgPath)
			}
			sig := kmspubtest.OpenSSL(t, args...)
			checkSignature(t, k, c.alg, msg, sig)
			if c.alg == types.SigningAlgorithmSpecEd25519Sha512 {
				d := sha512.Sum512(msg)
				kmspubtest.WantAPIError(t, k.Verify(d[:], types.MessageTypeDigest, c.alg, sig), codeValidation, "Message type DIGEST is incompatible with algorithm ED25519_SHA_512.")
				kmspubtest.WantAPIError(t, k.Verify(d[:], types.MessageTypeDigest, types.SigningAlgorithmSpecEd25519PhSha512, sig), codeInvalidSig, "")
			}
		})
	}
}

// TestVerifyOpenSSLSecp256k1HighS: KMS does not normalise s, so high-s
// secp256k1 signatures must verify. OpenSSL signs with random k, so about
// half its signatures are high-s; sign until both kinds have been seen.
func TestVerifyOpenSSLSecp256k1HighS(t *testing.T) {
	msg, msgPath := interopMessage(t)
	k := kmspubtest.SigningKey(t, types.KeySpecEccSecgP256k1)
	half := new(big.Int).Rsh(secp256k1.S256().N, 1)
	var high, low int
	for i := 0; i < 40 && (high == 0 || low == 0); i++ {
		sig := kmspubtest.OpenSSL(t, "dgst", "-sha256", "-sign", kmspubtest.PrivateKeyPath(types.KeySpecEccSecgP256k1), msgPath)
		kmspubtest.WantCode(t, k.Verify(msg, types.MessageTypeRaw, "ECDSA_SHA_256", sig), "")
		if derS(t, sig).Cmp(half) > 0 {
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
	msg, _ := interopMessage(t)
	k := kmspubtest.SigningKey(t, types.KeySpecEccNistEdwards25519)
	priv := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistEdwards25519).Ed25519
	d := sha512.Sum512(msg)
	ph := sha512.Sum512(d[:])
	sig, err := priv.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	kmspubtest.Check(t, err)
	kmspubtest.WantCode(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", sig), "")
	checkSignature(t, k, "ED25519_PH_SHA_512", msg, sig)
	kmspubtest.WantAPIError(t, k.Verify(msg, types.MessageTypeRaw, "ED25519_PH_SHA_512", sig), codeValidation, "Message type RAW is incompatible with algorithm ED25519_PH_SHA_512.")
	// A context string other than "" is not what KMS signs with.
	sigCtx, err := priv.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512, Context: "kms"})
	kmspubtest.Check(t, err)
	kmspubtest.WantAPIError(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", sigCtx), codeInvalidSig, "")
	// Pure Ed25519 over D is a different scheme.
	kmspubtest.WantAPIError(t, k.Verify(d[:], types.MessageTypeDigest, "ED25519_PH_SHA_512", ed25519.Sign(priv, d[:])), codeInvalidSig, "")
}

// TestVerifyMLDSAGmsm: gmsm signs (pure ML-DSA, empty context) from the
// test seeds; Verify takes the signature RAW and as EXTERNAL_MU.
func TestVerifyMLDSAGmsm(t *testing.T) {
	msg, _ := interopMessage(t)
	for _, spec := range []types.KeySpec{types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87} {
		t.Run(string(spec), func(t *testing.T) {
			k := kmspubtest.SigningKey(t, spec)
			signer := kmspubtest.LoadPrivateKey(t, spec).MLDSA
			sig, err := signer.SignMessage(rand.Reader, msg, nil)
			kmspubtest.Check(t, err)
			mu := kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(t, k), msg)
			kmspubtest.WantCode(t, k.Verify(mu, types.MessageTypeExternalMu, "ML_DSA_SHAKE_256", sig), "")
			checkSignature(t, k, "ML_DSA_SHAKE_256", msg, sig)
			kmspubtest.WantAPIError(t, k.Verify(mu, types.MessageTypeDigest, "ML_DSA_SHAKE_256", sig), codeValidation, "Message type DIGEST is incompatible with key spec "+string(spec)+".")
			// A 4096-byte RAW message (the KMS limit) and a 1-byte one.
			for _, m := range [][]byte{bytes.Repeat([]byte{1}, 4096), {0}} {
				s, err := signer.SignMessage(rand.Reader, m, nil)
				kmspubtest.Check(t, err)
				kmspubtest.WantCode(t, k.Verify(m, "", "ML_DSA_SHAKE_256", s), "")
			}
		})
	}
}

// TestVerifyLocalKMSSamples verifies the signatures in testdata/sample, made
// by `aws kms sign` (RAW) on local-kms over message.txt.
func TestVerifyLocalKMSSamples(t *testing.T) {
	msg, err := os.ReadFile(filepath.Join("testdata", "sample", "message.txt"))
	kmspubtest.Check(t, err)
	for _, c := range []struct {
		keyFile string
		alg     types.SigningAlgorithmSpec
	}{
		{"ecc_nist_p256.json", "ECDSA_SHA_256"},
		{"rsa_2048.json", "RSASSA_PKCS1_V1_5_SHA_256"},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "sample", c.keyFile))
			kmspubtest.Check(t, err)
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			kmspubtest.Check(t, err)
			sig, err := os.ReadFile(filepath.Join("testdata", "sample", "message.txt."+string(c.alg)+".sig"))
			kmspubtest.Check(t, err)
			checkSignature(t, k, c.alg, msg, sig)
		})
	}
}

// derS returns s from a DER ECDSA-Sig-Value.
func derS(t *testing.T, sig []byte) *big.Int {
	t.Helper()
	var inner cryptobyte.String
	r, s := new(big.Int), new(big.Int)
	in := cryptobyte.String(sig)
	if !in.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1Integer(r) || !inner.ReadASN1Integer(s) {
		t.Fatal("OpenSSL signature is not DER")
	}
	return s
}
