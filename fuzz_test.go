package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/kmsrules"
	"github.com/kmspub/kmspub/internal/spki"
	"github.com/kmspub/kmspub/internal/wycheproof"
)

// The fuzz targets of package kmspub. Each keeps the name its saved corpus
// in testdata/fuzz/<Target> is filed under; FUZZING.md states the
// invariants each one checks, and scripts/fuzz runs them all.

// fuzzMessage is the RAW message of signedCases.
var fuzzMessage = []byte("fuzz seed message")

// signedCase is a SIGN_VERIFY test key, an algorithm it offers, and a valid
// signature over a message (fuzzMessage, or its digest for Ed25519ph).

type signedCase struct {
	k   *kmspub.PublicKey
	alg types.SigningAlgorithmSpec
	mt  types.MessageType
	msg []byte
	sig []byte
}

// signedCases returns a signedCase for every algorithm of every spec.
func signedCases(t testing.TB) []signedCase {
	var out []signedCase
	for _, spec := range kmsrules.KeySpecs() {
		if !spec.AllowsUsage(types.KeyUsageTypeSignVerify) {
			continue
		}
		k := kmspubtest.SigningKey(t, spec.Spec)
		s := kmspubtest.LoadPrivateKey(t, spec.Spec)
		for _, alg := range spec.Signing {
			mt := types.MessageTypeRaw
			msg := fuzzMessage
			if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
				mt = types.MessageTypeDigest
				d := sha512.Sum512(msg)
				msg = d[:]
			}
			out = append(out, signedCase{k, alg, mt, msg, s.Sign(t, alg, mt, msg, nil)})
		}
	}
	return out
}

func FuzzVerify(f *testing.F) {
	cases := signedCases(f)
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

// FuzzEncrypt runs arbitrary plaintexts and algorithm strings against every
// ENCRYPT_DECRYPT test key. It checks that Encrypt never panics, that every
// refusal is the KMS exception an independent model of docs/KMS-RULES.md §4 and §7
// predicts (type, code and message), and that every ciphertext has the size
// KMS's would.
func FuzzEncrypt(f *testing.F) {
	keys := []*kmspub.PublicKey{
		kmspubtest.Key(f, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt),
		kmspubtest.Key(f, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt),
		kmspubtest.Key(f, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt),
		kmspubtest.Key(f, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt),
	}
	for _, c := range encryptCases {
		for _, n := range []int{0, 1, c.maxPlaintext, c.maxPlaintext + 1} {
			f.Add(make([]byte, n), string(c.alg))
		}
	}
	for _, alg := range []string{"", "SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_512", "sm2pke", "RSAES_OAEP_SHA_1\x00"} {
		f.Add([]byte("x"), alg)
	}
	f.Add(make([]byte, 4097), "RSAES_OAEP_SHA_1")

	enum := []types.EncryptionAlgorithmSpec{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}
	f.Fuzz(func(t *testing.T, plaintext []byte, algorithm string) {
		alg := types.EncryptionAlgorithmSpec(algorithm)
		for _, k := range keys {
			ct, err := k.Encrypt(plaintext, alg)

			// The model: what KMS answers, in KMS's order.
			var code, message string
			limit := -1
			for _, c := range encryptCases {
				if c.spec == k.KeySpec() && c.alg == alg {
					limit = c.maxPlaintext
				}
			}
			effective := alg
			if alg == "" {
				effective = "SYMMETRIC_DEFAULT"
			}
			// Every model violation, in member order (docs/KMS-RULES.md §7.2).
			var violations []string
			switch {
			case plaintext == nil:
				violations = append(violations, "Value at 'plaintext' failed to satisfy constraint: Member must not be null")
			case len(plaintext) == 0:
				violations = append(violations, "Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
			case len(plaintext) > 4096:
				violations = append(violations, "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
			}
			if alg != "" && !slices.Contains(enum, alg) {
				// KMS quotes the value as the SDK sends it (each invalid
				// UTF-8 byte as U+FFFD); kmspub at most 256 characters.
				quoted := []rune(string(alg))
				quoted = quoted[:min(len(quoted), 256)]
				violations = append(violations, fmt.Sprintf("Value '%s' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE, SYMMETRIC_DEFAULT]", string(quoted)))
			}
			switch {
			case len(violations) == 1:
				code, message = "ValidationException", "1 validation error detected: "+violations[0]
			case len(violations) > 1:
				code, message = "ValidationException", fmt.Sprintf("%d validation errors detected: %s", len(violations), strings.Join(violations, "; "))
			case limit < 0:
				code, message = "InvalidKeyUsageException", fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", effective, k.KeySpec())
			case len(plaintext) > limit:
				code, message = "ValidationException", fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", alg, k.KeySpec(), limit)
			}

			if code != "" {
				if ct != nil {
					t.Fatalf("%s %q %d bytes: refused, yet returned a ciphertext", k.KeySpec(), alg, len(plaintext))
				}
				kmspubtest.WantAPIError(t, err, code, message)
				continue
			}
			if err != nil {
				t.Fatalf("%s %q %d bytes: %v", k.KeySpec(), alg, len(plaintext), err)
			}
			if k.KeySpec() == types.KeySpecSm2 {
				if _, c2 := parseSM2Ciphertext(t, ct); len(c2) != len(plaintext) {
					t.Fatalf("SM2PKE C2 is %d bytes for a %d-byte plaintext", len(c2), len(plaintext))
				}
			} else if want := kmsrules.LookupKeySpec(k.KeySpec()).Size / 8; len(ct) != want {
				t.Fatalf("%s ciphertext is %d bytes, want %d", k.KeySpec(), len(ct), want)
			}
		}
	})
}

// FuzzClientVerify sends arbitrary Verify requests — key IDs, messages,
// message types, algorithms, signatures — to a Client whose Keyring holds
// the test keys and has no KMS client, under a Policy. Invariants:
//
//   - nothing panics;
//   - every error is a *smithy.OperationError for Verify wrapping either
//     the SDK's *smithy.InvalidParamsError (a missing member) or a KMS
//     exception (smithy.APIError) with a known code;
//   - a request that succeeds named, or resolved to, a key the Keyring holds,
//     inside the Policy's account and Region, and the same request to the
//     key's PublicKey.Verify succeeds too;
//   - under a Policy that allows another account only, nothing succeeds;
//   - neither the error nor the audit log holds the message or signature
//     bytes (hex or base64).
func FuzzClientVerify(f *testing.F) {
	type held struct {
		k   *kmspub.PublicKey
		sig []byte // over fuzzMessage, RAW
		alg types.SigningAlgorithmSpec
	}
	var keys []held
	for _, c := range signedCases(f) {
		if c.mt == types.MessageTypeRaw {
			keys = append(keys, held{c.k, c.sig, c.alg})
		}
	}
	algs := []types.SigningAlgorithmSpec{"", "FOO"}
	for _, h := range keys {
		algs = append(algs, h.alg)
	}
	for i, h := range keys {
		f.Add(h.k.KeyID(), fuzzMessage, uint8(0), uint8(i), []byte{}, false, false)
		f.Add(h.k.KeyID(), fuzzMessage, uint8(0), uint8(i), []byte{1}, false, true)
		f.Add(h.k.KeyID()+"x", fuzzMessage, uint8(1), uint8(i), []byte{}, true, false)
	}
	f.Add("alias/x", []byte{}, uint8(2), uint8(0), []byte{0x30}, false, false)
	f.Add("arn:aws:kms:us-east-1:111122223333:alias/x", []byte("m"), uint8(3), uint8(0), []byte{0x30}, true, false)
	f.Add("", []byte("m"), uint8(0), uint8(0), []byte{0x30}, false, false)

	mts := []types.MessageType{"", types.MessageTypeRaw, types.MessageTypeDigest, types.MessageTypeExternalMu, "BAD"}
	f.Fuzz(func(t *testing.T, keyID string, msg []byte, mtIndex, algIndex uint8, sigData []byte, otherAccount, nilMembers bool) {
		var log bytes.Buffer
		ring := kmspub.NewKeyring(nil)
		for _, h := range keys {
			if err := ring.Add(h.k); err != nil {
				t.Fatal(err)
			}
		}
		policy := kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedRegions: []string{"us-east-1"}}
		if otherAccount {
			policy.AllowedAccounts = []string{"444455556666"}
		}
		client := kmspub.NewClient(ring, func(o *kmspub.ClientOptions) {
			o.Policy = &policy
			o.AuditLogger = slog.New(slog.NewJSONHandler(&log, nil))
		})

		alg := algs[int(algIndex)%len(algs)]
		// The signature: a held key's valid one (over fuzzMessage, RAW)
		// with sigData XORed in, so that valid requests are reachable.
		h := keys[int(algIndex)%len(keys)]
		sig := bytes.Clone(h.sig)
		for i, b := range sigData {
			sig[i%len(sig)] ^= b
		}
		in := &kms.VerifyInput{KeyId: aws.String(keyID), Message: msg, MessageType: mts[int(mtIndex)%len(mts)], SigningAlgorithm: alg, Signature: sig}
		if nilMembers {
			switch len(msg) % 3 {
			case 0:
				in.KeyId = nil
			case 1:
				in.Message = nil
			case 2:
				in.Signature = nil
			}
		}
		out, err := client.Verify(context.Background(), in)

		// What the same request says with message and signature bytes that
		// differ from these at every position: text found in both (the key
		// ID, the texts' own words) does not come from the secret bytes.
		var baseLog bytes.Buffer
		baseClient := kmspub.NewClient(ring, func(o *kmspub.ClientOptions) {
			o.Policy = &policy
			o.AuditLogger = slog.New(slog.NewJSONHandler(&baseLog, nil))
		})
		baseIn := *in
		baseIn.Message, baseIn.Signature = flipAll(in.Message), flipAll(in.Signature)
		_, baseErr := baseClient.Verify(context.Background(), &baseIn)
		said := func(err error, log string) string {
			if err != nil {
				return err.Error() + "\n" + log
			}
			return log
		}
		text, baseText := said(err, log.String()), said(baseErr, baseLog.String())
		for _, secret := range [][]byte{msg, sig} {
			if len(secret) < 8 {
				continue
			}
			for _, enc := range []string{hex.EncodeToString(secret), base64.StdEncoding.EncodeToString(secret), string(secret)} {
				if strings.Contains(text, enc) && !strings.Contains(baseText, enc) {
					t.Fatalf("message or signature bytes in the error or audit log:\n%s", text)
				}
			}
		}
		if err != nil {
			var op *smithy.OperationError
			if !errors.As(err, &op) || op.Operation() != "Verify" {
				t.Fatalf("error %T %v is not the SDK's OperationError for Verify", err, err)
			}
			var params smithy.InvalidParamsError
			var api smithy.APIError
			switch {
			case errors.As(err, &params):
				if !nilMembers && msg != nil && alg != "" {
					t.Fatalf("InvalidParamsError for a complete request: %v", err)
				}
			case errors.As(err, &api):
				switch api.ErrorCode() {
				case codeValidation, codeKeyUsage, codeInvalidSig, "NotFoundException", "AccessDeniedException":
				default:
					t.Fatalf("unexpected KMS exception %s: %v", api.ErrorCode(), err)
				}
			default:
				t.Fatalf("error %v is neither InvalidParamsError nor a KMS exception", err)
			}
			return
		}
		if otherAccount {
			t.Fatalf("Verify for %q succeeded under a policy for another account", keyID)
		}
		arn := aws.ToString(out.KeyId)
		var k *kmspub.PublicKey
		for _, h := range keys {
			if h.k.KeyID() == arn {
				k = h.k
			}
		}
		if k == nil || !strings.HasPrefix(arn, "arn:aws:kms:us-east-1:111122223333:key/") {
			t.Fatalf("Verify for %q succeeded with key %q", keyID, arn)
		}
		if !out.SignatureValid || out.SigningAlgorithm != alg {
			t.Fatalf("output %+v", out)
		}
		if err := k.Verify(in.Message, in.MessageType, alg, in.Signature); err != nil {
			t.Fatalf("Client accepted what PublicKey.Verify refuses: %v", err)
		}
	})
}

// flipAll returns b with every byte changed (nil stays nil).
func flipAll(b []byte) []byte {
	if b == nil {
		return nil
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ 0x5a
	}
	return out
}

// FuzzSignatureDER fuzzes the DER ECDSA-Sig-Value parsing of Verify for
// every ECDSA curve and SM2, against a model built on other parsers:
// encoding/asn1 reads SEQUENCE { r INTEGER, s INTEGER }, the bytes must be
// exactly the DER re-encoding of what it read (so BER, non-minimal
// integers and lengths, and trailing bytes are refused), 1 ≤ r, s < n, and
// the big-integer verifier of the same curve (crypto/ecdsa.Verify, decred's
// secp256k1 Signature.Verify, gmsm's sm2.Verify) accepts (r, s).
// Invariants:
//
//   - nothing panics;
//   - Verify accepts exactly when the model does;
//   - no modification of a valid signature verifies, except into its
//     malleable twin (r, n − s), DER-encoded;
//   - every refusal is KMSInvalidSignatureException with an empty message,
//     or, for an empty signature or one over 6144 bytes, KMS's
//     ValidationException.
//
// The signature is sig itself when base is 0, or the valid signature (base
// selects it) with sig XORed in at offset off, so the seeds stay short.
// The corpus is seeded with the signatures of Wycheproof's ECDSA vectors
// (BER, long lengths, huge integers …).
func FuzzSignatureDER(f *testing.F) {
	type derCase struct {
		k   *kmspub.PublicKey
		alg types.SigningAlgorithmSpec
		sig []byte
		n   *big.Int
		e   []byte // the hash (or SM2 e) the signature is over
	}
	var cases []derCase
	for _, c := range signedCases(f) {
		spec := c.k.KeySpec()
		var n *big.Int
		switch {
		case spec == types.KeySpecEccSecgP256k1:
			n = secp256k1.S256().N
		case spec == types.KeySpecSm2:
			n = sm2.P256().Params().N
		case c.alg == types.SigningAlgorithmSpecEcdsaSha256 || c.alg == types.SigningAlgorithmSpecEcdsaSha384 || c.alg == types.SigningAlgorithmSpecEcdsaSha512:
			n = c.k.CryptoPublicKey().(*ecdsa.PublicKey).Curve.Params().N
		default:
			continue
		}
		e, _, err := c.k.Digest(bytes.NewReader(c.msg), c.alg)
		kmspubtest.Check(f, err)
		cases = append(cases, derCase{c.k, c.alg, c.sig, n, e})
	}
	for i, c := range cases {
		f.Add(uint8(i), uint8(0), uint16(0), c.sig)
		f.Add(uint8(i), uint8(1), uint16(0), []byte{})
		f.Add(uint8(i), uint8(1), uint16(1), []byte{0x80}) // long-form length
		f.Add(uint8(i), uint8(1), uint16(len(c.sig)-1), []byte{1})
		// The malleable twin (r, n − s).
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(c.sig, &rs); err != nil {
			f.Fatal(err)
		}
		twin, err := asn1.Marshal(struct{ R, S *big.Int }{rs.R, new(big.Int).Sub(c.n, rs.S)})
		kmspubtest.Check(f, err)
		f.Add(uint8(i), uint8(0), uint16(0), twin)
		f.Add(uint8(i), uint8(0), uint16(0), append(append([]byte{}, c.sig...), 0))
	}
	for _, sig := range wycheproofECDSASignatures(f) {
		f.Add(uint8(0), uint8(0), uint16(0), sig)
	}

	f.Fuzz(func(t *testing.T, which, base uint8, off uint16, sig []byte) {
		c := cases[int(which)%len(cases)]
		if base != 0 {
			modified := append([]byte{}, c.sig...)
			for i, b := range sig {
				modified[(int(off)+i)%len(modified)] ^= b
			}
			sig = modified
		}
		err := c.k.Verify(c.e, types.MessageTypeDigest, c.alg, sig)
		want := derModelAccepts(c.k, c.alg, c.n, c.e, sig)
		if (err == nil) != want {
			t.Fatalf("%s: Verify = %v, model accepts = %v, signature %x", c.alg, err, want, sig)
		}
		if err != nil {
			if len(sig) == 0 || len(sig) > kmsrules.MaxSignatureSize {
				if kmspubtest.ErrorCode(err) != codeValidation {
					t.Fatalf("%s: %d-byte signature: %v; want ValidationException", c.alg, len(sig), err)
				}
				return
			}
			kmspubtest.WantAPIError(t, err, "KMSInvalidSignatureException", "")
			return
		}
		if base == 0 {
			// Arbitrary bytes the model accepts: another valid signature
			// over e (seeds hold ones made in other processes).
			return
		}
		// A modification of c.sig was accepted: it must be c.sig itself
		// (data all zero) or its twin, in DER.
		var got, orig struct{ R, S *big.Int }
		asn1.Unmarshal(sig, &got)
		asn1.Unmarshal(c.sig, &orig)
		twinS := new(big.Int).Sub(c.n, orig.S)
		if got.R.Cmp(orig.R) != 0 || (got.S.Cmp(orig.S) != 0 && got.S.Cmp(twinS) != 0) {
			t.Fatalf("%s: a signature other than the valid one (or its twin) verified: %x", c.alg, sig)
		}
	})
}

// derModelAccepts is the model of a valid DER ECDSA/SM2 signature.
func derModelAccepts(k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, n *big.Int, e, sig []byte) bool {
	if len(sig) == 0 || len(sig) > kmsrules.MaxSignatureSize {
		return false
	}
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &rs)
	if err != nil || len(rest) != 0 {
		return false
	}
	if again, err := asn1.Marshal(rs); err != nil || string(again) != string(sig) {
		return false
	}
	for _, v := range []*big.Int{rs.R, rs.S} {
		if v.Sign() <= 0 || v.Cmp(n) >= 0 {
			return false
		}
	}
	switch pub := k.CryptoPublicKey().(type) {
	case *secp256k1.PublicKey:
		var r, s secp256k1.ModNScalar
		r.SetByteSlice(rs.R.Bytes())
		s.SetByteSlice(rs.S.Bytes())
		return secpecdsa.NewSignature(&r, &s).Verify(e, pub)
	case *ecdsa.PublicKey:
		if alg == types.SigningAlgorithmSpecSm2dsa {
			return sm2.Verify(pub, e, rs.R, rs.S)
		}
		return ecdsa.Verify(pub, e, rs.R, rs.S)
	}
	return false
}

// wycheproofECDSASignatures returns the signature bytes of the Wycheproof
// ECDSA vectors (valid and invalid) as seeds.
func wycheproofECDSASignatures(f *testing.F) [][]byte {
	var out [][]byte
	for _, name := range []string{"ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256k1_sha256_test.json"} {
		data := wycheproof.Read(f, name)
		var file struct {
			TestGroups []struct {
				Tests []struct {
					Sig string `json:"sig"`
				} `json:"tests"`
			} `json:"testGroups"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		for _, g := range file.TestGroups {
			for _, v := range g.Tests {
				if sig, err := hex.DecodeString(v.Sig); err == nil {
					out = append(out, sig)
				}
			}
		}
	}
	return out
}

// keyUsages is every key usage a KMS asymmetric key can have.
var keyUsages = []types.KeyUsageType{sv, ed, ka, ek}

// FuzzParseGetPublicKeyJSON: no input panics; every refusal is an
// *InvalidKeyError; every accepted file describes a key that KMS could have
// returned, and writes back to a file that parses to the same key.
func FuzzParseGetPublicKeyJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/keys/*.json")
	samples, _ := filepath.Glob("testdata/sample/*.json")
	for _, file := range append(files, samples...) {
		data := kmspubtest.File(f, strings.TrimPrefix(file, "testdata/"))
		f.Add(data)
		// Variants that are still valid, or almost.
		f.Add(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		f.Add(bytes.Replace(data, []byte(`"KeyUsage"`), []byte(`"keyusage"`), 1))
		f.Add(bytes.Replace(data, []byte(`"KeyId": "`), []byte(`"KeyId": "x`), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := kmspub.ParseGetPublicKeyJSON(data)
		if err != nil {
			checkInvalidKeyError(t, err)
			return
		}
		checkAccepted(t, k)
		checkFileSaysKey(t, data, k)
		out, err := k.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a parsed key: %v", err)
		}
		k2, err := kmspub.ParseGetPublicKeyJSON(out)
		if err != nil {
			t.Fatalf("MarshalJSON output does not parse: %v\n%s", err, out)
		}
		sameKey(t, k, k2)
		if out2, _ := k2.MarshalJSON(); !bytes.Equal(out, out2) {
			t.Fatalf("MarshalJSON is not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzLoad: ParseSubjectPublicKeyInfo on PEM, DER or base64 with the
// metadata of every spec and usage. (The target keeps the name of Load,
// ParseSubjectPublicKeyInfo's old name, and so its corpus.)
func FuzzLoad(f *testing.F) {
	for i, s := range keySpecCases {
		pemBytes := kmspubtest.File(f, "keys/"+string(s.spec)+".pub.pem")
		der := kmspubtest.PublicKeyDER(f, s.spec)
		for _, u := range s.usages {
			j := uint8(slices.Index(keyUsages, u))
			f.Add(pemBytes, uint8(i), j, false)
			f.Add(der, uint8(i), j, true)
			f.Add([]byte(base64.StdEncoding.EncodeToString(der)), uint8(i), j, false)
		}
		// A key under the wrong spec's metadata.
		f.Add(der, uint8(i+1), uint8(0), false)
	}
	f.Fuzz(func(t *testing.T, encoded []byte, specIndex, usageIndex uint8, withLists bool) {
		s := keySpecCases[int(specIndex)%len(keySpecCases)]
		usage := keyUsages[int(usageIndex)%len(keyUsages)]
		meta := &kms.GetPublicKeyOutput{
			KeyId:    aws.String("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001"),
			KeySpec:  s.spec,
			KeyUsage: usage,
		}
		if withLists {
			// The full lists KMS gives, from the rules table.
			rules := kmsrules.LookupKeySpec(s.spec)
			switch usage {
			case sv:
				meta.SigningAlgorithms = rules.Signing
			case ed:
				meta.EncryptionAlgorithms = rules.EncryptionAlgorithmSpecs()
			case ka:
				meta.KeyAgreementAlgorithms = rules.KeyAgreement
			case ek:
				meta.EncapsulationAlgorithms = rules.Encapsulation
			}
		}
		k, err := kmspub.ParseSubjectPublicKeyInfo(encoded, meta)
		if err != nil {
			checkInvalidKeyError(t, err)
			return
		}
		checkAccepted(t, k)
		checkOneEncoding(t, encoded, k.DER())
		if k.KeySpec() != s.spec || k.KeyUsage() != usage {
			t.Fatalf("loaded as %s %s, metadata said %s %s", k.KeySpec(), k.KeyUsage(), s.spec, usage)
		}
		// The same key in the other encodings, and through the JSON file.
		der := k.DER()
		for _, other := range [][]byte{der, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), []byte(base64.StdEncoding.EncodeToString(der))} {
			k2, err := kmspub.ParseSubjectPublicKeyInfo(other, meta)
			if err != nil {
				t.Fatalf("re-encoded key refused: %v", err)
			}
			sameKey(t, k, k2)
		}
		out, err := k.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		k2, err := kmspub.ParseGetPublicKeyJSON(out)
		if err != nil {
			t.Fatalf("MarshalJSON output does not parse: %v\n%s", err, out)
		}
		sameKey(t, k, k2)
	})
}

// checkFileSaysKey reads an accepted file with a model of the CLI's
// format — exact member names, each once, PublicKey as the one standard
// base64 string of the DER — and checks it says exactly what k says.
func checkFileSaysKey(t *testing.T, data []byte, k *kmspub.PublicKey) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted a file that is not an object: %v", err)
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		name := tok.(string)
		if _, dup := members[name]; dup {
			t.Fatalf("accepted a file with %q twice", name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		members[name] = v
	}
	str := func(name string) (string, bool) {
		raw, ok := members[name]
		var v *string
		if ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return aws.ToString(v), v != nil
	}
	for name := range members {
		switch name {
		case "KeyId", "PublicKey", "CustomerMasterKeySpec", "KeySpec", "KeyUsage",
			"EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "EncapsulationAlgorithms":
		default:
			t.Fatalf("accepted a file with member %q", name)
		}
	}
	if id, _ := str("KeyId"); id != k.KeyID() {
		t.Fatalf("file KeyId %q, key %q", id, k.KeyID())
	}
	if pk, _ := str("PublicKey"); pk != base64.StdEncoding.EncodeToString(k.DER()) {
		t.Fatalf("file PublicKey %q is not the standard base64 of the key's DER", pk)
	}
	if spec, _ := str("KeySpec"); spec != string(k.KeySpec()) {
		t.Fatalf("file KeySpec %q, key %s", spec, k.KeySpec())
	}
	if cmks, ok := str("CustomerMasterKeySpec"); ok && cmks != "" && cmks != string(k.KeySpec()) {
		t.Fatalf("file CustomerMasterKeySpec %q, key %s", cmks, k.KeySpec())
	}
	if usage, _ := str("KeyUsage"); usage != string(k.KeyUsage()) {
		t.Fatalf("file KeyUsage %q, key %s", usage, k.KeyUsage())
	}
	list := func(name string, got []string) {
		var v []string
		if raw, ok := members[name]; ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if len(v) > 0 && !slices.Equal(v, got) {
			t.Fatalf("file %s %v, key %v", name, v, got)
		}
	}
	list("SigningAlgorithms", toStrings(k.SigningAlgorithms()))
	list("EncryptionAlgorithms", toStrings(k.EncryptionAlgorithms()))
	list("KeyAgreementAlgorithms", toStrings(k.KeyAgreementAlgorithms()))
	list("EncapsulationAlgorithms", toStrings(k.EncapsulationAlgorithms()))
}

func toStrings[A ~string](list []A) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = string(a)
	}
	return out
}

// checkOneEncoding: what ParseSubjectPublicKeyInfo accepted is the DER itself, one PEM block
// of it, or its standard base64 with whitespace — no other spelling.
func checkOneEncoding(t *testing.T, encoded, der []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(encoded)
	switch {
	case bytes.Equal(encoded, der):
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN PUBLIC KEY-----")):
		block, rest := pem.Decode(trimmed)
		if block == nil || !bytes.Equal(block.Bytes, der) || len(bytes.TrimSpace(rest)) != 0 {
			t.Fatalf("accepted PEM %q does not hold exactly the DER", encoded)
		}
	default:
		if got := string(bytes.Join(bytes.Fields(encoded), nil)); got != base64.StdEncoding.EncodeToString(der) {
			t.Fatalf("accepted %q, which is not the standard base64 of the DER", encoded)
		}
	}
}

func checkInvalidKeyError(t *testing.T, err error) {
	t.Helper()
	var invalid *kmspub.InvalidKeyError
	if !errors.As(err, &invalid) || !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("refusal %T %q is not an *InvalidKeyError", err, err)
	}
	if invalid.Field == "" || invalid.Reason == "" {
		t.Fatalf("refusal %q lacks a field or reason", err)
	}
}

// checkAccepted checks what must hold of every key kmspub accepts: a
// spec and usage KMS allows together, lists that are non-empty subsets of
// KMS's for that usage only, and DER that parses as the declared spec — by
// the strict parser and, where it can, by crypto/x509.
func checkAccepted(t *testing.T, k *kmspub.PublicKey) {
	t.Helper()
	rules := kmsrules.LookupKeySpec(k.KeySpec())
	if rules == nil || !rules.AllowsUsage(k.KeyUsage()) {
		t.Fatalf("accepted %s with usage %s", k.KeySpec(), k.KeyUsage())
	}
	lists := map[types.KeyUsageType]int{
		sv: len(k.SigningAlgorithms()), ed: len(k.EncryptionAlgorithms()),
		ka: len(k.KeyAgreementAlgorithms()), ek: len(k.EncapsulationAlgorithms()),
	}
	for u, n := range lists {
		if (u == k.KeyUsage()) != (n > 0) {
			t.Fatalf("%s key has %d algorithms for %s", k.KeyUsage(), n, u)
		}
	}
	for _, a := range k.SigningAlgorithms() {
		if !rules.AllowsSigning(a) {
			t.Fatalf("%s lists %s", k.KeySpec(), a)
		}
	}
	for _, a := range k.EncryptionAlgorithms() {
		if rules.EncryptionAlgorithm(a) == nil {
			t.Fatalf("%s lists %s", k.KeySpec(), a)
		}
	}
	if k.KeyID() == "" {
		t.Fatal("accepted key without KeyId")
	}
	der := k.DER()
	parsed, err := spki.Parse(der)
	if err != nil || parsed.Spec != k.KeySpec() {
		t.Fatalf("accepted DER parses as %v, %v; KeySpec is %s", parsed, err, k.KeySpec())
	}
	// crypto/x509 reads RSA, NIST and Ed25519 SPKIs; it must agree.
	switch rules.Family {
	case kmsrules.FamilyRSA, kmsrules.FamilyEd25519:
	case kmsrules.FamilyECC:
		if k.KeySpec() == types.KeySpecEccSecgP256k1 {
			return
		}
	default:
		return
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("crypto/x509 refuses an accepted %s key: %v", k.KeySpec(), err)
	}
	switch want := k.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another RSA key")
		}
	case *ecdsa.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another EC key")
		}
	case ed25519.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another Ed25519 key")
		}
	default:
		t.Fatalf("CryptoPublicKey is %T for %s", want, k.KeySpec())
	}
}

func sameKey(t *testing.T, a, b *kmspub.PublicKey) {
	t.Helper()
	if a.KeyID() != b.KeyID() || a.KeySpec() != b.KeySpec() || a.KeyUsage() != b.KeyUsage() ||
		!bytes.Equal(a.DER(), b.DER()) ||
		!slices.Equal(a.SigningAlgorithms(), b.SigningAlgorithms()) ||
		!slices.Equal(a.EncryptionAlgorithms(), b.EncryptionAlgorithms()) ||
		!slices.Equal(a.KeyAgreementAlgorithms(), b.KeyAgreementAlgorithms()) ||
		!slices.Equal(a.EncapsulationAlgorithms(), b.EncapsulationAlgorithms()) {
		t.Fatalf("keys differ: %s %s %s vs %s %s %s", a.KeyID(), a.KeySpec(), a.KeyUsage(), b.KeyID(), b.KeySpec(), b.KeyUsage())
	}
	type equaler interface{ Equal(x crypto.PublicKey) bool }
	if e, ok := a.CryptoPublicKey().(equaler); ok && !e.Equal(b.CryptoPublicKey()) {
		t.Fatal("CryptoPublicKey differs")
	}
}

// FuzzSM2Digest feeds arbitrary distinguishing IDs and messages to
// SM2Digest and NewSM2Hash, for the SM2 key of every usage. Invariants:
//
//   - nothing panics;
//   - a nil ID is KMS's default ID: e equals gmsm's CalculateSM2Hash with
//     "1234567812345678";
//   - an ID of 1 to 8191 bytes gives gmsm's CalculateSM2Hash for that ID;
//   - any other length (empty but non-nil, or over 8191 bytes) is refused
//     with an error that names the bounds, and quotes neither ID nor message;
//   - NewSM2Hash agrees with SM2Digest however the message is split into
//     writes, and again after Reset;
//   - a key that is not SM2 is refused;
//   - a signature over e verifies through Verify as a DIGEST, and as the RAW
//     message exactly when the ID is the default one; flipping a bit of it
//     makes both refuse with KMSInvalidSignatureException.
//
// idLen, when non-zero, stretches (or cuts) id to that many bytes by
// repetition, so that lengths around 8191/8192 are reached without the
// fuzzer having to grow multi-kilobyte inputs.
//
// SM2Digest is a client-side computation, not a KMS request, so its
// refusals are plain errors rather than KMS exceptions; Verify's are KMS
// exceptions.
func FuzzSM2Digest(f *testing.F) {
	keys := []*kmspub.PublicKey{
		kmspubtest.Key(f, types.KeySpecSm2, types.KeyUsageTypeSignVerify),
		kmspubtest.Key(f, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt),
		kmspubtest.Key(f, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement),
	}
	signKey := keys[0]
	notSM2 := kmspubtest.SigningKey(f, types.KeySpecEccNistP256)
	priv := kmspubtest.LoadPrivateKey(f, types.KeySpecSm2).SM2
	pub := signKey.CryptoPublicKey().(*ecdsa.PublicKey)

	for i := range keys {
		for _, seed := range []struct {
			id     []byte
			nilID  bool
			idLen  uint16
			msg    []byte
			splits uint16
		}{
			{nilID: true, msg: []byte("message for SM2")},
			{id: []byte(kmsrules.SM2DefaultID), msg: []byte("message for SM2")},
			{id: longID, msg: []byte("abc"), splits: 1},
			{id: []byte{}, msg: []byte("empty ID")},
			{id: []byte("x"), msg: nil},
			{id: []byte("i"), idLen: 8191, msg: []byte("longest ID")},
			{id: []byte("i"), idLen: 8192, msg: []byte("one byte too long")},
			{id: []byte("ID"), idLen: 65535, msg: []byte("much too long")},
			{id: []byte{0xff}, idLen: 32, msg: bytes.Repeat([]byte("m"), 4097), splits: 4000},
		} {
			f.Add(uint8(i), seed.nilID, seed.id, seed.idLen, seed.msg, seed.splits, uint16(0), uint8(0))
		}
	}
	f.Add(uint8(0), true, []byte{}, uint16(0), []byte("flip"), uint16(0), uint16(7), uint8(1))
	f.Add(uint8(3), true, []byte{}, uint16(0), []byte("P-256 key"), uint16(0), uint16(0), uint8(0))

	f.Fuzz(func(t *testing.T, which uint8, nilID bool, id []byte, idLen uint16, msg []byte, split uint16, flipAt uint16, flipBits uint8) {
		if int(which)%(len(keys)+1) == len(keys) {
			if _, err := kmspub.SM2Digest(notSM2, id, msg); err == nil {
				t.Fatal("SM2Digest accepted a P-256 key")
			}
			if _, err := kmspub.NewSM2Hash(notSM2, id); err == nil {
				t.Fatal("NewSM2Hash accepted a P-256 key")
			}
			return
		}
		k := keys[int(which)%(len(keys)+1)]
		if nilID {
			id = nil
		} else {
			id = stretch(id, int(idLen))
		}

		got, err := kmspub.SM2Digest(k, id, msg)
		h, herr := kmspub.NewSM2Hash(k, id)
		if (err == nil) != (herr == nil) {
			t.Fatalf("SM2Digest error %v, NewSM2Hash error %v", err, herr)
		}
		validID := id == nil || (len(id) >= 1 && len(id) <= 8191)
		if !validID {
			if err == nil {
				t.Fatalf("SM2Digest accepted a %d-byte ID", len(id))
			}
			// The refusal of an ID of the same length whose bytes all differ:
			// text found in both is the refusal's own wording, not input.
			_, baseErr := kmspub.SM2Digest(k, flipAll(id), flipAll(msg))
			for _, e := range []error{err, herr} {
				text := e.Error()
				if !strings.Contains(text, "1 to 8191 bytes") {
					t.Fatalf("refusal of a %d-byte ID does not state the bounds: %q", len(id), text)
				}
				for _, in := range [][]byte{id, msg} {
					if len(in) >= 4 && strings.Contains(text, string(in)) && (baseErr == nil || !strings.Contains(baseErr.Error(), string(in))) {
						t.Fatalf("refusal quotes its input: %q", text)
					}
				}
			}
			return
		}
		if err != nil {
			t.Fatalf("SM2Digest with a %d-byte ID: %v", len(id), err)
		}
		gmsmID := id
		if gmsmID == nil {
			gmsmID = []byte(kmsrules.SM2DefaultID)
		}
		want, err := sm2.CalculateSM2Hash(pub, msg, gmsmID)
		if err != nil {
			t.Fatalf("gmsm CalculateSM2Hash with a %d-byte ID: %v", len(gmsmID), err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("SM2Digest = %x, gmsm = %x (ID %d bytes, message %d bytes)", got, want, len(id), len(msg))
		}

		// Streaming: split the message at a fuzzer-chosen point, Sum with a
		// prefix, Reset and write it again in one piece.
		cut := 0
		if len(msg) > 0 {
			cut = int(split) % (len(msg) + 1)
		}
		h.Write(msg[:cut])
		h.Write(msg[cut:])
		if sum := h.Sum([]byte("prefix")); !bytes.Equal(sum, append([]byte("prefix"), want...)) {
			t.Fatalf("NewSM2Hash in two writes (cut at %d) = %x, want %x", cut, sum[6:], want)
		}
		h.Reset()
		h.Write(msg)
		if sum := h.Sum(nil); !bytes.Equal(sum, want) {
			t.Fatalf("NewSM2Hash after Reset = %x, want %x", sum, want)
		}

		if k != signKey {
			return
		}
		// e is what KMS signs; a signature over it verifies as the DIGEST,
		// and as the RAW message only under the default ID.
		sig, err := sm2.SignASN1(rand.Reader, priv, got, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Verify(got, types.MessageTypeDigest, types.SigningAlgorithmSpecSm2dsa, sig); err != nil {
			t.Fatalf("signature over e refused as DIGEST: %v", err)
		}
		defaultID := id == nil || string(id) == kmsrules.SM2DefaultID
		if len(msg) >= 1 && len(msg) <= kmsrules.MaxMessageSize {
			err := k.Verify(msg, types.MessageTypeRaw, types.SigningAlgorithmSpecSm2dsa, sig)
			if defaultID && err != nil {
				t.Fatalf("default-ID signature refused as RAW: %v", err)
			}
			if !defaultID {
				kmspubtest.WantAPIError(t, err, "KMSInvalidSignatureException", "")
			}
		}
		if flipBits != 0 {
			bad := bytes.Clone(sig)
			bad[int(flipAt)%len(bad)] ^= flipBits
			kmspubtest.WantAPIError(t, k.Verify(got, types.MessageTypeDigest, types.SigningAlgorithmSpecSm2dsa, bad), "KMSInvalidSignatureException", "")
		}
	})
}

// stretch returns b repeated (and cut) to n bytes; n == 0 returns b as is,
// and an empty b is stretched with 'x'.
func stretch(b []byte, n int) []byte {
	if n == 0 {
		return b
	}
	if len(b) == 0 {
		b = []byte("x")
	}
	return bytes.Repeat(b, n/len(b)+1)[:n]
}

// FuzzVerifyReader checks the streaming path (Digest, VerifyReader) against
// the in-memory one (Verify) and against an independent model of the
// message KMS takes, for every SIGN_VERIFY key and algorithm, with messages
// of arbitrary content and length read in arbitrary chunks. Invariants:
//
//   - nothing panics;
//   - Digest returns what the model computes from the whole input with
//     other libraries: SHA-2 (DIGEST), gmsm's SM3(Z_A ‖ M) with the default
//     ID (DIGEST), FIPS 204 μ (EXTERNAL_MU), SHA-512 for Ed25519ph
//     (DIGEST), or the message itself (RAW) for ED25519_SHA_512, which is
//     refused over 4096 bytes or when empty with KMS's ValidationException;
//   - VerifyReader(r, sig) gives exactly the outcome of Verify(Digest(r),
//     sig), and, for a message KMS takes RAW (1–4096 bytes, an algorithm
//     that accepts RAW), of Verify(message, RAW, sig);
//   - a signature made over the message verifies through all three; with a
//     bit flipped, none verifies (KMSInvalidSignatureException);
//   - every refusal is a KMS exception, except a failing reader, whose error
//     is returned wrapped (errors.Is) and is not one.
//
// size, when non-zero, stretches msg by repetition to that many bytes, so
// that inputs around the 4096-byte RAW limit, and far over it, are reached
// with short fuzz inputs.
func FuzzVerifyReader(f *testing.F) {
	cases := signedCases(f)
	signers := map[types.KeySpec]*kmspubtest.PrivateKey{}
	for _, c := range cases {
		if signers[c.k.KeySpec()] == nil {
			signers[c.k.KeySpec()] = kmspubtest.LoadPrivateKey(f, c.k.KeySpec())
		}
	}
	for i := range cases {
		f.Add(uint8(i), fuzzMessage, uint16(0), uint16(0), false, []byte{}, uint16(0), uint8(0), false)
		f.Add(uint8(i), fuzzMessage, uint16(0), uint16(7), false, []byte{}, uint16(5), uint8(1), false)
		f.Add(uint8(i), []byte("x"), uint16(4096), uint16(1000), true, []byte{}, uint16(3), uint8(0x80), false)
		f.Add(uint8(i), []byte("y"), uint16(4097), uint16(4096), false, []byte{}, uint16(0), uint8(0), false)
		f.Add(uint8(i), []byte{}, uint16(0), uint16(1), false, []byte{0x30, 0x00}, uint16(0), uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, which uint8, msg []byte, size, chunk uint16, sign bool, sig []byte, flipAt uint16, flipBits uint8, failRead bool) {
		c := cases[int(which)%len(cases)]
		// The signature: a fresh one over the message (sign), the case's
		// own over fuzzMessage (sig empty), or sig's arbitrary bytes;
		// then, with flipBits, one byte changed. Taking signatures from the
		// process rather than from the input keeps inputs short (an ML-DSA-87
		// signature is 4627 bytes) so the fuzzer does not spend its time
		// minimizing them.
		validSig := false
		if !sign && len(sig) == 0 {
			sig = c.sig
			validSig = bytes.Equal(msg, fuzzMessage) && size == 0
		}
		k, alg := c.k, c.alg
		msg = stretch(msg, int(size))
		reader := func() io.Reader { return &chunkReader{data: msg, chunk: int(chunk)} }

		if failRead {
			readErr := errors.New("read failed")
			err := k.VerifyReader(io.MultiReader(reader(), kmspubtest.ErrReader{Err: readErr}), alg, c.sig)
			_, _, derr := k.Digest(io.MultiReader(reader(), kmspubtest.ErrReader{Err: readErr}), alg)
			for _, e := range []error{err, derr} {
				var api smithy.APIError
				if alg == types.SigningAlgorithmSpecEd25519Sha512 && len(msg) > kmsrules.MaxMessageSize {
					// Refused for its length before the reader fails.
					if !errors.As(e, &api) || api.ErrorCode() != codeValidation {
						t.Fatalf("%s: %d-byte message: %v; want ValidationException", alg, len(msg), e)
					}
					continue
				}
				if !errors.Is(e, readErr) || errors.As(e, &api) {
					t.Fatalf("%s: failing reader gave %v; want the read error wrapped, not a KMS exception", alg, e)
				}
			}
			return
		}

		wantMsg, wantMT, wantErr := streamModel(t, k, alg, msg)
		gotMsg, gotMT, err := k.Digest(reader(), alg)
		switch {
		case wantErr != "":
			if kmspubtest.ErrorCode(err) != wantErr {
				t.Fatalf("%s: Digest of %d bytes = %v; want %s", alg, len(msg), err, wantErr)
			}
		case err != nil:
			t.Fatalf("%s: Digest of %d bytes: %v", alg, len(msg), err)
		case gotMT != wantMT || !bytes.Equal(gotMsg, wantMsg):
			t.Fatalf("%s: Digest of %d bytes = %s %x; model %s %x", alg, len(msg), gotMT, gotMsg, wantMT, wantMsg)
		}

		if sign && !(alg == types.SigningAlgorithmSpecMlDsaShake256 && len(msg) == 0) {
			// gmsm's ML-DSA signer refuses an empty message.
			sig = signOver(t, signers[k.KeySpec()], alg, msg)
			validSig = true
		}
		if flipBits != 0 && len(sig) > 0 {
			sig = bytes.Clone(sig)
			sig[int(flipAt)%len(sig)] ^= flipBits
		}

		streamed := k.VerifyReader(reader(), alg, sig)
		checkKMSError(t, streamed)
		if wantErr == "" {
			inMemory := k.Verify(wantMsg, wantMT, alg, sig)
			if !sameOutcome(streamed, inMemory) {
				t.Fatalf("%s, %d bytes: VerifyReader = %v; Verify(%s) = %v", alg, len(msg), streamed, wantMT, inMemory)
			}
		} else if kmspubtest.ErrorCode(streamed) != wantErr && kmspubtest.ErrorCode(streamed) != codeValidation {
			t.Fatalf("%s: VerifyReader of %d bytes = %v; want %s", alg, len(msg), streamed, wantErr)
		}
		if raw := kmsrules.LookupSigningAlgorithm(alg); raw.Accepts(types.MessageTypeRaw) && len(msg) >= 1 && len(msg) <= kmsrules.MaxMessageSize {
			if rawErr := k.Verify(msg, types.MessageTypeRaw, alg, sig); !sameOutcome(streamed, rawErr) {
				t.Fatalf("%s, %d bytes: VerifyReader = %v; Verify(RAW) = %v", alg, len(msg), streamed, rawErr)
			}
		}
		switch {
		case validSig && flipBits == 0 && wantErr == "":
			if streamed != nil {
				t.Fatalf("%s: signature over the %d-byte message refused: %v", alg, len(msg), streamed)
			}
		case validSig && flipBits != 0 && wantErr == "":
			kmspubtest.WantAPIError(t, streamed, "KMSInvalidSignatureException", "")
		}
	})
}

// streamModel computes the message KMS takes for the whole input, with
// other code than Digest's: the signer's hash, gmsm, FIPS 204's μ formula.
// For a message KMS cannot take it returns the error code instead.
func streamModel(t *testing.T, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, msg []byte) ([]byte, types.MessageType, string) {
	switch alg {
	case types.SigningAlgorithmSpecEd25519Sha512:
		if len(msg) < 1 || len(msg) > kmsrules.MaxMessageSize {
			return nil, "", codeValidation
		}
		return msg, types.MessageTypeRaw, ""
	case types.SigningAlgorithmSpecEd25519PhSha512:
		d := sha512.Sum512(msg)
		return d[:], types.MessageTypeDigest, ""
	case types.SigningAlgorithmSpecSm2dsa:
		e, err := sm2.CalculateSM2Hash(k.CryptoPublicKey().(*ecdsa.PublicKey), msg, []byte(kmsrules.SM2DefaultID))
		kmspubtest.Check(t, err)
		return e, types.MessageTypeDigest, ""
	case types.SigningAlgorithmSpecMlDsaShake256:
		return kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(t, k), msg), types.MessageTypeExternalMu, ""
	}
	h := kmspubtest.AlgorithmHash(alg).New()
	h.Write(msg)
	return h.Sum(nil), types.MessageTypeDigest, ""
}

// signOver makes the signature KMS makes over the whole message (as a RAW
// message, or as its DIGEST where KMS could not take it RAW).
func signOver(t *testing.T, s *kmspubtest.PrivateKey, alg types.SigningAlgorithmSpec, msg []byte) []byte {
	if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
		d := sha512.Sum512(msg)
		return s.Sign(t, alg, types.MessageTypeDigest, d[:], nil)
	}
	return s.Sign(t, alg, types.MessageTypeRaw, msg, nil)
}

// sameOutcome: both nil, or both errors with the same KMS error code.
func sameOutcome(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb smithy.APIError
	return errors.As(a, &ea) && errors.As(b, &eb) && ea.ErrorCode() == eb.ErrorCode() && ea.ErrorMessage() == eb.ErrorMessage()
}

// checkKMSError fails unless err is nil or a KMS exception with a known code.
func checkKMSError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("refusal %T %v is not a KMS exception", err, err)
	}
	switch api.ErrorCode() {
	case codeInvalidSig, codeKeyUsage, codeValidation:
	default:
		t.Fatalf("refusal has code %q; want one of KMS's Verify exceptions", api.ErrorCode())
	}
}

// chunkReader returns data at most chunk bytes per Read (chunk 0 means 1),
// with io.EOF on the Read that returns the last bytes, as some readers do.
type chunkReader struct {
	data  []byte
	chunk int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), max(r.chunk, 1))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	if len(r.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

// FuzzKMSAdversary makes the KMS client the adversary. A scripted fake
// answers GetPublicKey and DescribeKey for each name however the input says
// — with either of two signing keys under any key ARN (other keys, other
// Regions, accounts and partitions, things that are not key ARNs), or with
// any of the errors a client returns (throttling, 5xx, network, timeouts,
// KMS refusals, errors of no kind) — interleaved with clock moves and
// Client.Verify calls, with or without a client Region, a Policy and the
// key-state check. Every call the fake answers is logged, and an oracle
// written apart from kmspub's code checks each Verify that succeeds:
//
//   - the key ARN in the answer may answer the name asked (docs/KMS-RULES.md
//     §14.3; a name of none of the four forms never succeeds);
//   - a GetPublicKey answer for that exact name supplied that ARN with the
//     key that signed;
//   - for a key ARN, it is the first such answer (a key never changes);
//   - for any other name, the last GetPublicKey call for it that did not
//     fail transiently was that answer, at most MaxStale ago (a definitive
//     refusal or a refused answer ends a name at once);
//   - with the key-state check, the last DescribeKey call for the ARN that
//     did not fail transiently answered about that ARN, Enabled, at most
//     2×MaxAge ago.
//
// And nothing panics, and every error is a KMS exception, an
// *InvalidKeyError or one the fake injected.
func FuzzKMSAdversary(f *testing.F) {
	adv := newAdversaryWorld(f)
	// Seeds: the attack of issue #17 in its forms, and each kind of error.
	op := func(code, a, b, c byte) []byte { return []byte{code, a, b, c} }
	attack := slices.Concat([]byte{0},
		op(0, 5, 0, 1), // alias/a → arn0 with key B
		op(4, 5, 1, 0), // Verify(alias/a, B)
		op(4, 0, 1, 0), // Verify(arn0, B)
		op(0, 0, 0, 0), // arn0 → arn0 with key A
		op(4, 0, 0, 0), // Verify(arn0, A)
		op(4, 5, 1, 0), // Verify(alias/a, B)
		op(3, 4, 0, 0), // the TTL passes
		op(4, 5, 1, 0))
	f.Add(attack)
	f.Add(append([]byte{1}, attack[1:]...))
	f.Add(append([]byte{0x0f}, attack[1:]...))
	for e := range adversaryErrors {
		f.Add(slices.Concat([]byte{0x08},
			op(0, 3, 0, 0), op(2, 0, 0, 0), op(4, 3, 0, 0), // key ID → arn0, A; Enabled
			op(3, 4, 0, 0), op(1, 3, byte(e), 0), op(5, 0, byte(e), 0), op(4, 3, 0, 0),
			op(3, 3, 0, 0), op(4, 3, 0, 0), op(3, 5, 0, 0), op(4, 3, 0, 0)))
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		if len(script) == 0 || len(script) > 1+4*48 {
			return
		}
		adv.run(t, script[0], script[1:])
	})
}

// TestKMSAdversaryOracle keeps FuzzKMSAdversary's oracle from being
// vacuous: scripts where Verify must succeed do, and the oracle is applied
// to them.
func TestKMSAdversaryOracle(t *testing.T) {
	w := newAdversaryWorld(t)
	op := func(code, a, b, c byte) []byte { return []byte{code, a, b, c} }
	for _, tc := range []struct {
		name   string
		config byte
		script []byte
		want   int
	}{
		{"key ARN, key ID, alias, alias ARN", 0, slices.Concat(
			op(0, 0, 0, 0), op(4, 0, 0, 0), // arn0 → arn0, A
			op(0, 3, 0, 0), op(4, 3, 0, 0), // id0 → arn0, A
			op(0, 5, 1, 1), op(4, 5, 1, 0), // alias/a → arn1, B
			op(0, 6, 1, 1), op(4, 6, 1, 0), // alias ARN → arn1, B
			op(4, 0, 1, 0), // arn0 with B: no
		), 4},
		{"with a Region, a policy and the key-state check", 0x0b, slices.Concat(
			op(0, 0, 0, 0), op(2, 0, 0, 1), op(4, 0, 0, 0), // arn0, Enabled
			op(0, 5, 0, 0), op(4, 5, 0, 0), // alias/a → arn0
			op(0, 2, 2, 1), op(2, 2, 2, 1), op(4, 2, 1, 0), // arn2 (eu-west-2) by ARN
			op(0, 4, 2, 1), op(4, 4, 1, 0), // id1 → arn2 from eu-west-2: refused
		), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := w.run(t, tc.config, tc.script); got != tc.want {
				t.Fatalf("%d Verify calls succeeded, want %d", got, tc.want)
			}
		})
	}
}

// adversaryWorld is what FuzzKMSAdversary's executions share: two signing
// keys, their signatures over one message, and the names and ARNs the
// scripts choose from.
type adversaryWorld struct {
	signers [2]*signer
	sigs    [2][]byte
}

var adversaryMessage = []byte("adversary")

// advName is a name a request can give, with its parts written out here —
// not parsed by kmspub — for the oracle.
type advName struct {
	s, kind                    string // kind: arn, id, aliasARN, alias, bad
	partition, region, account string
	id                         string
}

var (
	advID0, advID1 = "00000000-0000-4000-8000-00000000a000", "00000000-0000-4000-8000-00000000a001"
	// The key ARNs answers name (the last two are not key ARNs of a real
	// partition).
	advARNs = []advName{
		{"arn:aws:kms:us-east-1:111122223333:key/" + advID0, "arn", "aws", "us-east-1", "111122223333", advID0},
		{"arn:aws:kms:us-east-1:111122223333:key/" + advID1, "arn", "aws", "us-east-1", "111122223333", advID1},
		{"arn:aws:kms:eu-west-2:111122223333:key/" + advID0, "arn", "aws", "eu-west-2", "111122223333", advID0},
		{"arn:aws:kms:us-east-1:444455556666:key/" + advID0, "arn", "aws", "us-east-1", "444455556666", advID0},
		{"arn:aws-cn:kms:cn-north-1:111122223333:key/" + advID0, "arn", "aws-cn", "cn-north-1", "111122223333", advID0},
		{"arn:aws:kms:cn-north-1:111122223333:key/" + advID0, "arn", "aws", "cn-north-1", "111122223333", advID0},
		{"arn:aws-evil:kms:us-east-1:111122223333:key/" + advID0, "bad", "", "", "", ""},
		{"alias/a", "bad", "", "", "", ""},
	}
	// The names requests give: the first three ARNs, key IDs, aliases, and
	// spellings that are none of the four forms.
	advNames = []advName{
		advARNs[0], advARNs[1], advARNs[2],
		{advID0, "id", "", "", "", advID0},
		{advID1, "id", "", "", "", advID1},
		{"alias/a", "alias", "", "", "", ""},
		{"arn:aws:kms:us-east-1:111122223333:alias/a", "aliasARN", "aws", "us-east-1", "111122223333", ""},
		{"arn:aws:kms:us-east-1:444455556666:alias/a", "aliasARN", "aws", "us-east-1", "444455556666", ""},
		{"ARN:aws:kms:us-east-1:111122223333:key/" + advID0, "bad", "", "", "", ""},
		{" alias/a", "bad", "", "", "", ""},
	}
	errBoom = errors.New("boom")
	// adversaryErrors are the failures the fake injects, with their kind.
	adversaryErrors = []struct {
		err       error
		transient bool
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}, true},
		{&types.KMSInternalException{Message: aws.String("internal")}, true},
		{&types.DependencyTimeoutException{Message: aws.String("timeout")}, true},
		{fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}), true},
		{fmt.Errorf("attempt: %w", context.DeadlineExceeded), true},
		{&types.NotFoundException{Message: aws.String("not found")}, false},
		{&types.DisabledException{Message: aws.String("disabled")}, false},
		{&smithy.GenericAPIError{Code: "AccessDeniedException", Message: "denied", Fault: smithy.FaultClient}, false},
		{&types.KMSInvalidStateException{Message: aws.String("pending deletion")}, false},
		{errBoom, false},
		{&smithy.DeserializationError{Err: errors.New("unexpected EOF")}, false},
	}
)

const (
	advTTL, advMaxStale, advNegative = time.Minute, 10 * time.Minute, 5 * time.Second
	advMaxAge                        = time.Minute
)

var advSteps = []time.Duration{0, time.Second, advNegative, advTTL, advTTL + time.Second, 5 * time.Minute, advMaxStale, 2 * time.Hour}

func newAdversaryWorld(t testing.TB) *adversaryWorld {
	w := &adversaryWorld{}
	for i := range w.signers {
		w.signers[i] = newSigner(t)
		w.sigs[i] = w.signers[i].sign(t, adversaryMessage)
	}
	return w
}

// advCall is one call the fake answered.
type advCall struct {
	describe bool
	name     string
	at       time.Time
	err      error // nil: answered
	errIndex int
	arn      int  // the answer's ARN (index in advARNs)
	signer   int  // GetPublicKey: the key
	keyIDArg int  // DescribeKey: KeyMetadata.KeyId 0 absent, 1 right, 2 wrong
	enabled  bool // DescribeKey: the state
}

// adversary is the scripted KMS.
type adversary struct {
	w        *adversaryWorld
	now      func() time.Time
	answers  map[string]advCall // by request KeyId; zero: NotFound
	describe map[string]advCall
	log      []advCall
}

func (a *adversary) GetPublicKey(_ context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	name := aws.ToString(in.KeyId)
	c, ok := a.answers[name]
	if !ok {
		c = advCall{err: &types.NotFoundException{Message: aws.String("no such key")}, errIndex: 5}
	}
	c.name, c.at, c.describe = name, a.now(), false
	a.log = append(a.log, c)
	if c.err != nil {
		return nil, c.err
	}
	return a.w.signers[c.signer].answer(advARNs[c.arn].s), nil
}

func (a *adversary) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	name := aws.ToString(in.KeyId)
	c, ok := a.describe[name]
	if !ok {
		c = advCall{err: &types.NotFoundException{Message: aws.String("no such key")}, errIndex: 5}
	}
	c.name, c.at, c.describe = name, a.now(), true
	a.log = append(a.log, c)
	if c.err != nil {
		return nil, c.err
	}
	m := &types.KeyMetadata{Arn: aws.String(advARNs[c.arn].s), KeyState: types.KeyStateDisabled, Enabled: c.enabled}
	if c.enabled {
		m.KeyState = types.KeyStateEnabled
	}
	switch c.keyIDArg {
	case 1:
		m.KeyId = aws.String(advARNs[c.arn].id)
	case 2:
		m.KeyId = aws.String("00000000-0000-4000-8000-0000000000ff")
	}
	return &kms.DescribeKeyOutput{KeyMetadata: m}, nil
}

// regionalAdversary is the adversary with *kms.Client's Options method.
type regionalAdversary struct{ *adversary }

func (regionalAdversary) Options() kms.Options { return kms.Options{Region: "us-east-1"} }

// run runs a script and returns how many Verify calls succeeded.
func (w *adversaryWorld) run(t *testing.T, config byte, script []byte) (verified int) {
	clock := kmspubtest.NewClock()
	adv := &adversary{w: w, now: clock.Now, answers: map[string]advCall{}, describe: map[string]advCall{}}
	var client interface {
		kmspub.GetPublicKeyAPIClient
		kmspub.DescribeKeyAPIClient
	} = adv
	region := ""
	if config&1 != 0 {
		client, region = regionalAdversary{adv}, "us-east-1"
	}
	keys := kmspub.NewKeyring(client, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL, o.MaxStale, o.NegativeTTL = advTTL, advMaxStale, advNegative
	})
	checkState := config&8 != 0
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) {
		switch config >> 1 & 3 {
		case 1:
			o.Policy = &kmspub.Policy{AllowedKeyARNs: []string{advARNs[0].s, advARNs[2].s}}
		case 2:
			o.Policy = &kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedPartitions: []string{"aws", "aws-cn"}}
		}
		if checkState {
			o.KeyStateCheck = &kmspub.KeyStateCheck{Client: client, MaxAge: advMaxAge}
		}
	})
	for ; len(script) >= 4; script = script[4:] {
		code, x, y, z := script[0]%6, int(script[1]), int(script[2]), int(script[3])
		switch code {
		case 0: // GetPublicKey for a name answers an ARN with a key
			adv.answers[advNames[x%len(advNames)].s] = advCall{arn: y % len(advARNs), signer: z % 2}
		case 1: // GetPublicKey for a name fails
			e := y % len(adversaryErrors)
			adv.answers[advNames[x%len(advNames)].s] = advCall{err: adversaryErrors[e].err, errIndex: e}
		case 2: // DescribeKey for an ARN answers about an ARN
			adv.describe[advARNs[x%3].s] = advCall{arn: y % len(advARNs), keyIDArg: z % 3, enabled: z&4 == 0}
		case 3:
			clock.Advance(advSteps[x%len(advSteps)])
		case 4:
			name := advNames[x%len(advNames)]
			s := y % 2
			out, err := c.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(name.s), Message: adversaryMessage,
				Signature: w.sigs[s], SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
			if err != nil {
				checkAdversaryError(t, err)
				continue
			}
			adv.checkSuccess(t, name, aws.ToString(out.KeyId), s, region, checkState)
			verified++
		case 5: // DescribeKey for an ARN fails
			e := y % len(adversaryErrors)
			adv.describe[advARNs[x%3].s] = advCall{err: adversaryErrors[e].err, errIndex: e}
		}
	}
	return verified
}

// checkSuccess is the oracle for a Verify of name that succeeded with the
// key ARN arnOut and signer s.
func (a *adversary) checkSuccess(t *testing.T, name advName, arnOut string, s int, region string, checkState bool) {
	t.Helper()
	arn := slices.IndexFunc(advARNs, func(n advName) bool { return n.s == arnOut })
	if arn < 0 || !advBinds(name, advARNs[arn], region) {
		t.Fatalf("Verify(%q) succeeded with %s, which cannot answer that name", name.s, arnOut)
	}
	supplied := func(c advCall) bool {
		return !c.describe && c.name == name.s && c.err == nil && c.arn == arn && c.signer == s
	}
	if !slices.ContainsFunc(a.log, supplied) {
		t.Fatalf("Verify(%q) succeeded with %s and key %d, which no answer for that name supplied", name.s, arnOut, s)
	}
	now := a.now()
	if name.kind == "arn" {
		first := slices.IndexFunc(a.log, func(c advCall) bool { return !c.describe && c.name == name.s && c.err == nil && c.arn == arn })
		if a.log[first].signer != s {
			t.Fatalf("Verify(%q) succeeded with key %d; the first answer for it supplied key %d", name.s, s, a.log[first].signer)
		}
	} else {
		last := a.lastDecisive(false, name.s)
		if last == nil || !supplied(*last) {
			t.Fatalf("Verify(%q) succeeded with %s and key %d; the last call for it that did not fail transiently was %+v", name.s, arnOut, s, last)
		}
		if now.Sub(last.at) > advMaxStale {
			t.Fatalf("Verify(%q) succeeded with an answer %v old", name.s, now.Sub(last.at))
		}
	}
	if checkState {
		last := a.lastDecisive(true, arnOut)
		if last == nil || last.err != nil || last.arn != arn || last.keyIDArg == 2 || !last.enabled {
			t.Fatalf("Verify(%q) succeeded with %s; the last DescribeKey for it that did not fail transiently was %+v", name.s, arnOut, last)
		}
		if now.Sub(last.at) > 2*advMaxAge {
			t.Fatalf("Verify(%q) succeeded with a key state %v old", name.s, now.Sub(last.at))
		}
	}
}

// lastDecisive is the last call for name that did not fail transiently.
func (a *adversary) lastDecisive(describe bool, name string) *advCall {
	for i := len(a.log) - 1; i >= 0; i-- {
		c := &a.log[i]
		if c.describe == describe && c.name == name && (c.err == nil || !adversaryErrors[c.errIndex].transient) {
			return c
		}
	}
	return nil
}

// advBinds is the binding rule of docs/KMS-RULES.md §14.3, from the parts
// written out in the tables.
func advBinds(name, arn advName, region string) bool {
	if arn.kind != "arn" {
		return false
	}
	inRegion := region == "" || arn.region == region && arn.partition == "aws" // us-east-1 is in aws
	switch name.kind {
	case "arn":
		return name.s == arn.s
	case "id":
		return arn.id == name.id && inRegion
	case "aliasARN":
		return arn.partition == name.partition && arn.region == name.region && arn.account == name.account
	case "alias":
		return inRegion
	}
	return false
}

func checkAdversaryError(t *testing.T, err error) {
	t.Helper()
	var apiErr smithy.APIError
	var deser *smithy.DeserializationError
	var netErr *net.OpError
	if errors.As(err, &apiErr) || errors.Is(err, kmspub.ErrInvalidKey) || errors.Is(err, errBoom) ||
		errors.As(err, &deser) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	t.Fatalf("Verify failed with %v (%T), neither a KMS exception, an InvalidKeyError nor an injected error", err, err)
}
