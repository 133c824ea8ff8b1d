package kmspub_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// ---- helpers shared by the verify tests (prefix sig) ----

// sigKey loads testdata/keys/<spec>.<usage>.json.
func sigKey(t testing.TB, spec types.KeySpec, usage types.KeyUsageType) *kmspub.PublicKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", fmt.Sprintf("%s.%s.json", spec, usage)))
	if err != nil {
		t.Fatal(err)
	}
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatalf("%s.%s: %v", spec, usage, err)
	}
	return k
}

func sigSignKey(t testing.TB, spec types.KeySpec) *kmspub.PublicKey {
	return sigKey(t, spec, types.KeyUsageTypeSignVerify)
}

// sigSigner is the private half of a test key, able to make the signature
// KMS makes for (algorithm, message type, message).
type sigSigner struct {
	spec    types.KeySpec
	rsa     *rsa.PrivateKey
	ecdsa   *ecdsa.PrivateKey
	k1      *secp256k1.PrivateKey
	sm2     *sm2.PrivateKey
	ed25519 ed25519.PrivateKey
	mldsa   crypto.MessageSigner
}

// sigPrivate loads testdata/keys/<spec>.priv.pem (PKCS#8 made by OpenSSL) or
// <spec>.seed (ML-DSA).
func sigPrivate(t testing.TB, spec types.KeySpec) *sigSigner {
	t.Helper()
	s := &sigSigner{spec: spec}
	base := filepath.Join("testdata", "keys", string(spec))
	switch spec {
	case types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87:
		seedHex, err := os.ReadFile(base + ".seed")
		if err != nil {
			t.Fatal(err)
		}
		seed, err := hex.DecodeString(strings.TrimSpace(string(seedHex)))
		if err != nil {
			t.Fatal(err)
		}
		switch spec {
		case types.KeySpecMlDsa44:
			k, err := mldsa.NewKey44(seed)
			sigCheck(t, err)
			s.mldsa = k
		case types.KeySpecMlDsa65:
			k, err := mldsa.NewKey65(seed)
			sigCheck(t, err)
			s.mldsa = k
		case types.KeySpecMlDsa87:
			k, err := mldsa.NewKey87(seed)
			sigCheck(t, err)
			s.mldsa = k
		}
		return s
	}
	pemBytes, err := os.ReadFile(base + ".priv.pem")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil {
		t.Fatalf("%s: no PEM", spec)
	}
	switch spec {
	case types.KeySpecEccSecgP256k1:
		s.k1 = secp256k1.PrivKeyFromBytes(sigECScalar(t, block.Bytes))
		return s
	case types.KeySpecSm2:
		s.sm2, err = sm2.NewPrivateKey(sigECScalar(t, block.Bytes))
		sigCheck(t, err)
		return s
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	sigCheck(t, err)
	switch key := key.(type) {
	case *rsa.PrivateKey:
		s.rsa = key
	case *ecdsa.PrivateKey:
		s.ecdsa = key
	case ed25519.PrivateKey:
		s.ed25519 = key
	default:
		t.Fatalf("%s: unexpected key type %T", spec, key)
	}
	return s
}

// sigECScalar extracts the private scalar from a PKCS#8 EC key (RFC 5915),
// for the curves crypto/x509 does not know.
func sigECScalar(t testing.TB, der []byte) []byte {
	t.Helper()
	var p8 struct {
		Version    int
		Algo       pkix.AlgorithmIdentifier
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &p8); err != nil {
		t.Fatal(err)
	}
	var ec struct {
		Version    int
		PrivateKey []byte
		Rest       asn1.RawValue `asn1:"optional"`
		Rest2      asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(p8.PrivateKey, &ec); err != nil {
		t.Fatal(err)
	}
	return ec.PrivateKey
}

func sigCheck(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sigHash is the test's own statement of each algorithm's hash, from the
// algorithm names (docs/KMS-RULES.md §3.2), independent of kmsrules.
func sigHash(alg types.SigningAlgorithmSpec) crypto.Hash {
	switch {
	case strings.HasSuffix(string(alg), "SHA_256"):
		return crypto.SHA256
	case strings.HasSuffix(string(alg), "SHA_384"):
		return crypto.SHA384
	case strings.HasSuffix(string(alg), "SHA_512"):
		return crypto.SHA512
	}
	return 0
}

// sigMu computes the ML-DSA μ of message for the raw public key directly
// from FIPS 204: SHAKE256(SHAKE256(pk, 64) ‖ 0 ‖ 0 ‖ M, 64).
func sigMu(rawPub, message []byte) []byte {
	tr := sha3.SumSHAKE256(rawPub, 64)
	h := sha3.NewSHAKE256()
	h.Write(tr)
	h.Write([]byte{0, 0})
	h.Write(message)
	mu := make([]byte, 64)
	h.Read(mu)
	return mu
}

// sigRawPub returns the BIT STRING content of a key's SPKI.
func sigRawPub(t testing.TB, k *kmspub.PublicKey) []byte {
	t.Helper()
	var spki struct {
		Algo pkix.AlgorithmIdentifier
		Key  asn1.BitString
	}
	if _, err := asn1.Unmarshal(k.DER(), &spki); err != nil {
		t.Fatal(err)
	}
	return spki.Key.Bytes
}

// sign makes the signature KMS Sign makes for (alg, mt, message), with
// independent libraries: the standard library, decred and gmsm. For
// ML_DSA_SHAKE_256 with EXTERNAL_MU it needs the message μ came from: pass
// it as preimage.
func (s *sigSigner) sign(t testing.TB, alg types.SigningAlgorithmSpec, mt types.MessageType, message, preimage []byte) []byte {
	t.Helper()
	h := sigHash(alg)
	digest := message
	if mt != types.MessageTypeDigest && h != 0 && alg != types.SigningAlgorithmSpecEd25519Sha512 {
		hh := h.New()
		hh.Write(message)
		digest = hh.Sum(nil)
	}
	var sig []byte
	var err error
	switch {
	case strings.HasPrefix(string(alg), "RSASSA_PSS"):
		sig, err = rsa.SignPSS(rand.Reader, s.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(string(alg), "RSASSA_PKCS1"):
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.rsa, h, digest)
	case strings.HasPrefix(string(alg), "ECDSA") && s.k1 != nil:
		sig = secpecdsa.Sign(s.k1, digest).Serialize()
	case strings.HasPrefix(string(alg), "ECDSA"):
		sig, err = ecdsa.SignASN1(rand.Reader, s.ecdsa, digest)
	case alg == types.SigningAlgorithmSpecSm2dsa:
		e := message
		if mt != types.MessageTypeDigest {
			e, err = sm2.CalculateSM2Hash(&s.sm2.PublicKey, message, nil)
			sigCheck(t, err)
		}
		sig, err = sm2.SignASN1(rand.Reader, s.sm2, e, nil)
	case alg == types.SigningAlgorithmSpecEd25519Sha512:
		sig = ed25519.Sign(s.ed25519, message)
	case alg == types.SigningAlgorithmSpecEd25519PhSha512:
		ph := sha512.Sum512(message) // message is the 64-byte D
		sig, err = s.ed25519.Sign(nil, ph[:], &ed25519.Options{Hash: crypto.SHA512})
	case alg == types.SigningAlgorithmSpecMlDsaShake256:
		m := message
		if mt == types.MessageTypeExternalMu {
			m = preimage
		}
		sig, err = s.mldsa.SignMessage(rand.Reader, m, nil)
	default:
		t.Fatalf("no signer for %s", alg)
	}
	sigCheck(t, err)
	return sig
}

// sigWant checks err against a wanted outcome: "" for nil, or the KMS
// error code and (when non-empty) the exact message.
func sigWant(t testing.TB, err error, code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		return
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v (%T), want %s", err, err, code)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("got %s %q, want %s", apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
	}
	if message != "" && apiErr.ErrorMessage() != message {
		t.Fatalf("got %s %q, want message %q", code, apiErr.ErrorMessage(), message)
	}
	// The concrete SDK types, so errors.As works as with *kms.Client.
	switch code {
	case "KMSInvalidSignatureException":
		var e *types.KMSInvalidSignatureException
		if !errors.As(err, &e) || e.ErrorMessage() != "" {
			t.Fatalf("got %T %q, want *types.KMSInvalidSignatureException with an empty message", err, apiErr.ErrorMessage())
		}
	case "InvalidKeyUsageException":
		var e *types.InvalidKeyUsageException
		if !errors.As(err, &e) {
			t.Fatalf("got %T, want *types.InvalidKeyUsageException", err)
		}
	case "ValidationException":
		var e *smithy.GenericAPIError
		if !errors.As(err, &e) || e.Fault != smithy.FaultClient {
			t.Fatalf("got %T, want *smithy.GenericAPIError with a client fault", err)
		}
	}
}

const (
	codeInvalidSig = "KMSInvalidSignatureException"
	codeKeyUsage   = "InvalidKeyUsageException"
	codeValidation = "ValidationException"
)

// ---- hand-written spot checks: literal expectations, not derived from kmsrules ----

func TestVerifySpotChecks(t *testing.T) {
	p256 := sigSignKey(t, types.KeySpecEccNistP256)
	p384 := sigSignKey(t, types.KeySpecEccNistP384)
	ed := sigSignKey(t, types.KeySpecEccNistEdwards25519)
	ml44 := sigSignKey(t, types.KeySpecMlDsa44)
	rsaEnc := sigKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	sm2KA := sigKey(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
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
		{"empty message", p256, nil, "RAW", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"4097-byte message", p256, make([]byte, 4097), "RAW", "ECDSA_SHA_256", sig, codeValidation,
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"},
		{"4096-byte message", p256, make([]byte, 4096), "RAW", "ECDSA_SHA_256", sig, codeInvalidSig, ""},
		{"empty signature", p256, msg, "RAW", "ECDSA_SHA_256", nil, codeValidation,
			"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"6145-byte signature", p256, msg, "RAW", "ECDSA_SHA_256", make([]byte, 6145), codeValidation,
			"1 validation error detected: Value at 'signature' failed to satisfy constraint: Member must have length less than or equal to 6144"},
		{"6144-byte signature", p256, msg, "RAW", "ECDSA_SHA_256", make([]byte, 6144), codeInvalidSig, ""},
		{"missing algorithm", p256, msg, "RAW", "", sig, codeValidation,
			"1 validation error detected: Value null at 'signingAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"unknown algorithm", p256, msg, "RAW", "FOO", sig, codeValidation,
			"1 validation error detected: Value 'FOO' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: " +
				"[RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, " +
				"ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, SM2DSA, ML_DSA_SHAKE_256, ED25519_SHA_512, ED25519_PH_SHA_512]"},
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
			sigWant(t, c.k.Verify(c.msg, c.mt, c.alg, c.sig), c.code, c.txt)
		})
	}
}

// ---- the full table: spec × usage × algorithm × message type × length ----

// sigLengthClasses are the message lengths the table walks; -1 stands for the
// algorithm's hash length.
var sigLengthClasses = []int{0, 1, -1, 64, 4096, 4097}

// sigExpect computes what KMS answers for one request from the rules table,
// in the order Verify documents. valid says whether the signature is a real
// one over the message.
func sigExpect(spec *kmsrules.KeySpec, usage types.KeyUsageType, alg types.SigningAlgorithmSpec, mt types.MessageType, n int, valid bool) string {
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
			k := sigKey(t, spec.Spec, usage)
			var signer *sigSigner
			if usage == types.KeyUsageTypeSignVerify {
				signer = sigPrivate(t, spec.Spec)
			}
			for _, alg := range algs {
				row := kmsrules.LookupSigningAlgorithm(alg)
				for _, mt := range mts {
					for _, class := range sigLengthClasses {
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
							msg = sigMu(sigRawPub(t, k), preimage)
						}
						name := fmt.Sprintf("%s/%s/%s/%s/%d", spec.Spec, usage, alg, mt, n)
						want := sigExpect(spec, usage, alg, mt, n, false)
						sigWantNamed(t, name+"/garbage", k.Verify(msg, mt, alg, garbage), want)
						counts[want]++
						if want == codeInvalidSig {
							// Every rule passes: a real signature must verify.
							sig := signer.sign(t, alg, mt, msg, preimage)
							sigWantNamed(t, name+"/valid", k.Verify(msg, mt, alg, sig), sigExpect(spec, usage, alg, mt, n, true))
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

func sigWantNamed(t *testing.T, name string, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	switch {
	case code == "" && err != nil:
		t.Errorf("%s: got %v, want nil", name, err)
	case code != "" && !errors.As(err, &apiErr):
		t.Errorf("%s: got %v, want %s", name, err, code)
	case code != "" && apiErr.ErrorCode() != code:
		t.Errorf("%s: got %s %q, want %s", name, apiErr.ErrorCode(), apiErr.ErrorMessage(), code)
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
			sigCheck(t, err)
			return e
		}},
		{types.KeySpecMlDsa65, "ML_DSA_SHAKE_256", "EXTERNAL_MU", func(k *kmspub.PublicKey) []byte { return sigMu(sigRawPub(t, k), msg) }},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			k := sigSignKey(t, c.spec)
			got, mt, err := k.Digest(bytes.NewReader(msg), c.alg)
			sigCheck(t, err)
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
	k := sigSignKey(t, types.KeySpecEccNistEdwards25519)
	msg := bytes.Repeat([]byte{7}, 4096)
	got, mt, err := k.Digest(bytes.NewReader(msg), "ED25519_SHA_512")
	sigCheck(t, err)
	if mt != types.MessageTypeRaw || !bytes.Equal(got, msg) {
		t.Fatalf("Digest of 4096 bytes = %d bytes, %s; want the message, RAW", len(got), mt)
	}
	r := &sigCountingReader{r: bytes.NewReader(make([]byte, 1<<20))}
	_, _, err = k.Digest(r, "ED25519_SHA_512")
	sigWant(t, err, codeValidation,
		"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
	if r.n > 4097 {
		t.Fatalf("read %d bytes; want at most 4097", r.n)
	}
	_, _, err = k.Digest(bytes.NewReader(nil), "ED25519_SHA_512")
	sigWant(t, err, codeValidation, "")

	// VerifyReader: a valid signature over 4096 bytes verifies; over 4097
	// bytes KMS cannot take the message at all.
	sig := sigPrivate(t, types.KeySpecEccNistEdwards25519).sign(t, "ED25519_SHA_512", "RAW", msg, nil)
	sigWant(t, k.VerifyReader(bytes.NewReader(msg), "ED25519_SHA_512", sig), "", "")
	sigWant(t, k.VerifyReader(io.MultiReader(bytes.NewReader(msg), strings.NewReader("x")), "ED25519_SHA_512", sig), codeValidation,
		"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096")
}

type sigCountingReader struct {
	r io.Reader
	n int
}

func (c *sigCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestDigestAndVerifyReaderRefusals(t *testing.T) {
	rsaEnc := sigKey(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	p256 := sigSignKey(t, types.KeySpecEccNistP256)
	_, _, err := rsaEnc.Digest(strings.NewReader("x"), "RSASSA_PSS_SHA_256")
	sigWant(t, err, codeKeyUsage, "")
	_, _, err = p256.Digest(strings.NewReader("x"), "ECDSA_SHA_512")
	sigWant(t, err, codeKeyUsage, "Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_P256.")
	_, _, err = p256.Digest(strings.NewReader("x"), "")
	sigWant(t, err, codeValidation, "")
	sigWant(t, p256.VerifyReader(strings.NewReader("x"), "ECDSA_SHA_256", nil), codeValidation, "")
	sigWant(t, p256.VerifyReader(strings.NewReader("x"), "ECDSA_SHA_256", []byte{0x30}), codeInvalidSig, "")
	sigWant(t, rsaEnc.VerifyReader(strings.NewReader("x"), "RSASSA_PSS_SHA_256", []byte{1}), codeKeyUsage, "")

	readErr := errors.New("disk on fire")
	err = p256.VerifyReader(io.MultiReader(strings.NewReader("x"), sigErrReader{readErr}), "ECDSA_SHA_256", []byte{0x30})
	if !errors.Is(err, readErr) {
		t.Fatalf("VerifyReader with a failing reader = %v; want it wrapped", err)
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		t.Fatalf("a read error must not look like a KMS exception: %v", err)
	}
}

type sigErrReader struct{ err error }

func (r sigErrReader) Read([]byte) (int, error) { return 0, r.err }

// TestVerifyReaderEmptyInput: a digest of an empty input is a valid DIGEST
// message, even though KMS refuses an empty RAW message.
func TestVerifyReaderEmptyInput(t *testing.T) {
	k := sigSignKey(t, types.KeySpecEccNistP384)
	d := sha512.Sum384(nil)
	sig := sigPrivate(t, types.KeySpecEccNistP384).sign(t, "ECDSA_SHA_384", "DIGEST", d[:], nil)
	sigWant(t, k.VerifyReader(bytes.NewReader(nil), "ECDSA_SHA_384", sig), "", "")
	sigWant(t, k.Verify(nil, "RAW", "ECDSA_SHA_384", sig), codeValidation, "")
}

// ---- fuzzing ----

// sigFuzzKeys are the SIGN_VERIFY test keys, one per spec, with a valid
// signature per algorithm over sigFuzzMessage (RAW).
var sigFuzzMessage = []byte("fuzz seed message")

type sigFuzzCase struct {
	k   *kmspub.PublicKey
	alg types.SigningAlgorithmSpec
	mt  types.MessageType
	msg []byte
	sig []byte
}

func sigFuzzCases(t testing.TB) []sigFuzzCase {
	var out []sigFuzzCase
	for _, spec := range kmsrules.KeySpecs() {
		if !spec.AllowsUsage(types.KeyUsageTypeSignVerify) {
			continue
		}
		k := sigSignKey(t, spec.Spec)
		s := sigPrivate(t, spec.Spec)
		for _, alg := range spec.Signing {
			mt := types.MessageTypeRaw
			msg := sigFuzzMessage
			if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
				mt = types.MessageTypeDigest
				d := sha512.Sum512(msg)
				msg = d[:]
			}
			out = append(out, sigFuzzCase{k, alg, mt, msg, s.sign(t, alg, mt, msg, nil)})
		}
	}
	return out
}

func FuzzVerify(f *testing.F) {
	cases := sigFuzzCases(f)
	for i, c := range cases {
		f.Add(uint8(i), uint8(0), c.msg, c.sig, uint16(0), uint8(0))
		f.Add(uint8(i), uint8(2), c.msg, c.sig, uint16(len(c.sig)/2), uint8(1))
	}
	mts := []types.MessageType{"", types.MessageTypeRaw, types.MessageTypeDigest, types.MessageTypeExternalMu, "OTHER"}
	f.Fuzz(func(t *testing.T, which, mtIndex uint8, msg, sig []byte, flipAt uint16, flipBits uint8) {
		c := cases[int(which)%len(cases)]
		mt := mts[int(mtIndex)%len(mts)]
		// Arbitrary input: must not panic, and a refusal is a KMS exception.
		if err := c.k.Verify(msg, mt, c.alg, sig); err != nil {
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("Verify returned %T %v; want a KMS exception", err, err)
			}
		}
		_ = c.k.VerifyReader(bytes.NewReader(msg), c.alg, sig)
		// A modified valid signature never verifies.
		if flipBits != 0 {
			bad := bytes.Clone(c.sig)
			bad[int(flipAt)%len(bad)] ^= flipBits
			if err := c.k.Verify(c.msg, c.mt, c.alg, bad); err == nil {
				t.Fatalf("%s: modified signature verified", c.alg)
			}
		}
		// A valid signature with an appended byte never verifies.
		if len(sig) > 0 {
			if err := c.k.Verify(c.msg, c.mt, c.alg, append(bytes.Clone(c.sig), sig[0])); err == nil {
				t.Fatalf("%s: signature with a trailing byte verified", c.alg)
			}
		}
		// The valid signature still verifies with the message it was made for.
		if err := c.k.Verify(c.msg, c.mt, c.alg, c.sig); err != nil {
			t.Fatalf("%s: valid signature refused: %v", c.alg, err)
		}
	})
}

// sigZeroReader yields n zero bytes and has no WriteTo, so io.Copy must
// stream it through a buffer.
type sigZeroReader struct{ n int64 }

func (z *sigZeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
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
		k := sigSignKey(t, c.spec)
		sig := bytes.Repeat([]byte{0x30}, 64)
		allocated := func(n int64) uint64 {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			sigWant(t, k.VerifyReader(&sigZeroReader{n}, c.alg, sig), codeInvalidSig, "")
			runtime.ReadMemStats(&after)
			return after.TotalAlloc - before.TotalAlloc
		}
		small, large := allocated(1<<20), allocated(64<<20)
		if large > small+64<<10 {
			t.Errorf("%s: VerifyReader allocated %d bytes for 1 MiB and %d for 64 MiB", c.alg, small, large)
		}
	}
}
