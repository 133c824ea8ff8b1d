package kmspub_test

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/spkitest"
	"github.com/kmspub/kmspub/internal/wycheproof"
)

// Every test driven by the Wycheproof vectors (testdata/wycheproof, read
// through internal/wycheproof): signatures (ECDSA, RSA PKCS#1 and PSS,
// Ed25519, ML-DSA), RSA-OAEP, ECDH and ML-KEM encapsulation keys. Each test
// logs its per-file counts: vectors applicable to KMS, accepted, refused,
// and overridden by a KMS rule.

// sigVector is one test of a Wycheproof signature vector file.
type sigVector struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Msg     string   `json:"msg"`
	Ctx     *string  `json:"ctx"`
	Sig     string   `json:"sig"`
	Result  string   `json:"result"`
	Flags   []string `json:"flags"`
}

// sigVectorGroup is a test group: one public key and its tests.
type sigVectorGroup struct {
	PublicKeyDer string          `json:"publicKeyDer"`
	PublicKey    json.RawMessage `json:"publicKey"`
	KeySize      int             `json:"keySize"`
	Sha          string          `json:"sha"`
	Mgf          string          `json:"mgf"`
	MgfSha       string          `json:"mgfSha"`
	SLen         *int            `json:"sLen"`
	Tests        []sigVector     `json:"tests"`
}

// sigVectorFile is a Wycheproof signature vector file.
type sigVectorFile struct {
	Algorithm  string           `json:"algorithm"`
	TestGroups []sigVectorGroup `json:"testGroups"`
}

// vectorCounts are the per-file figures logged for the issue note.
type vectorCounts struct {
	applicable     int // the vector's result is what Verify must give
	validAccepted  int
	invalidRefused int
	acceptable     int // Wycheproof "acceptable": either answer is allowed
	overridden     int // a KMS rule decides instead of the vector
	notApplicable  int // KMS cannot express the vector (context, PSS parameters)
}

func (c vectorCounts) String() string {
	return fmt.Sprintf("applicable %d (valid accepted %d, invalid refused %d, acceptable %d), overridden by KMS rule %d, not applicable %d",
		c.applicable, c.validAccepted, c.invalidRefused, c.acceptable, c.overridden, c.notApplicable)
}

func loadSigVectors(t *testing.T, name string) *sigVectorFile {
	t.Helper()
	data := wycheproof.Read(t, name)
	var f sigVectorFile
	kmspubtest.Check(t, json.Unmarshal(data, &f))
	if len(f.TestGroups) == 0 {
		t.Fatalf("%s: no test groups", name)
	}
	return &f
}

// vectorKey builds the KMS key for a group with ParseSubjectPublicKeyInfo, as a caller would.
func vectorKey(t *testing.T, g *sigVectorGroup, spec types.KeySpec) (*kmspub.PublicKey, error) {
	return kmspub.ParseSubjectPublicKeyInfo(mustHex(t, g.PublicKeyDer), &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
}

// checkSigVector runs one vector through every form Verify offers for it and
// checks the outcome against the vector's result, or against the KMS rule
// that overrides it.
func checkSigVector(t *testing.T, c *vectorCounts, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, v sigVector) {
	t.Helper()
	msg, sig := mustHex(t, v.Msg), mustHex(t, v.Sig)
	id := fmt.Sprintf("tcId %d (%s, %v)", v.TcID, v.Comment, v.Flags)
	rawOnly := alg == types.SigningAlgorithmSpecEd25519Sha512
	msgRefused := len(msg) < 1 || len(msg) > 4096

	if len(sig) < 1 || len(sig) > 6144 {
		c.overridden++
		if err := k.Verify(msg, types.MessageTypeRaw, alg, sig); kmspubtest.ErrorCode(err) != codeValidation {
			t.Errorf("%s: signature of %d bytes: got %v, want ValidationException", id, len(sig), err)
		}
		return
	}

	// check compares one outcome with the vector's result.
	check := func(form string, err error) {
		switch v.Result {
		case "valid":
			if err != nil {
				t.Errorf("%s %s: valid vector refused: %v", id, form, err)
			}
		case "invalid":
			if kmspubtest.ErrorCode(err) != codeInvalidSig {
				t.Errorf("%s %s: invalid vector: got %v, want KMSInvalidSignatureException", id, form, err)
			}
		case "acceptable":
			if err != nil && kmspubtest.ErrorCode(err) != codeInvalidSig {
				t.Errorf("%s %s: acceptable vector: got %v", id, form, err)
			}
		default:
			t.Fatalf("%s: unknown result %q", id, v.Result)
		}
	}

	if msgRefused {
		// KMS refuses the RAW message; the vector cannot decide RAW.
		c.overridden++
		if err := k.Verify(msg, types.MessageTypeRaw, alg, sig); kmspubtest.ErrorCode(err) != codeValidation {
			t.Errorf("%s: RAW message of %d bytes: got %v, want ValidationException", id, len(msg), err)
		}
		if rawOnly {
			if err := k.VerifyReader(bytes.NewReader(msg), alg, sig); kmspubtest.ErrorCode(err) != codeValidation {
				t.Errorf("%s: VerifyReader of %d bytes: got %v, want ValidationException", id, len(msg), err)
			}
			return
		}
		// The DIGEST / EXTERNAL_MU form still carries the vector.
		digest, mt, err := k.Digest(bytes.NewReader(msg), alg)
		kmspubtest.Check(t, err)
		check(string(mt), k.Verify(digest, mt, alg, sig))
		check("VerifyReader", k.VerifyReader(bytes.NewReader(msg), alg, sig))
		return
	}

	c.applicable++
	err := k.Verify(msg, types.MessageTypeRaw, alg, sig)
	check("RAW", err)
	switch {
	case v.Result == "acceptable":
		c.acceptable++
	case v.Result == "valid" && err == nil:
		c.validAccepted++
	case v.Result == "invalid" && err != nil:
		c.invalidRefused++
	}
	check("VerifyReader", k.VerifyReader(bytes.NewReader(msg), alg, sig))
	if !rawOnly {
		digest, mt, err := k.Digest(bytes.NewReader(msg), alg)
		kmspubtest.Check(t, err)
		check(string(mt), k.Verify(digest, mt, alg, sig))
	}
}

func TestWycheproofECDSA(t *testing.T) {
	for _, f := range []struct {
		file string
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
		kms  bool // KMS offers this curve/hash pair
	}{
		{"ecdsa_secp256r1_sha256_test.json", types.KeySpecEccNistP256, "ECDSA_SHA_256", true},
		{"ecdsa_secp384r1_sha384_test.json", types.KeySpecEccNistP384, "ECDSA_SHA_384", true},
		{"ecdsa_secp521r1_sha512_test.json", types.KeySpecEccNistP521, "ECDSA_SHA_512", true},
		{"ecdsa_secp256k1_sha256_test.json", types.KeySpecEccSecgP256k1, "ECDSA_SHA_256", true},
		{"ecdsa_secp256r1_sha512_test.json", types.KeySpecEccNistP256, "ECDSA_SHA_512", false},
		{"ecdsa_secp384r1_sha256_test.json", types.KeySpecEccNistP384, "ECDSA_SHA_256", false},
		{"ecdsa_secp384r1_sha512_test.json", types.KeySpecEccNistP384, "ECDSA_SHA_512", false},
		{"ecdsa_secp256k1_sha512_test.json", types.KeySpecEccSecgP256k1, "ECDSA_SHA_512", false},
	} {
		t.Run(f.file, func(t *testing.T) {
			wf := loadSigVectors(t, f.file)
			var c vectorCounts
			for i := range wf.TestGroups {
				g := &wf.TestGroups[i]
				k, err := vectorKey(t, g, f.spec)
				if err != nil {
					t.Fatalf("group %d: ParseSubjectPublicKeyInfo refused a valid %s key: %v", i, f.spec, err)
				}
				for _, v := range g.Tests {
					if !f.kms {
						// The curve/hash pair is not a KMS algorithm.
						c.overridden++
						err := k.Verify(mustHex(t, v.Msg), types.MessageTypeRaw, f.alg, mustHex(t, v.Sig))
						want := fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", f.alg, f.spec)
						var e *types.InvalidKeyUsageException
						if len(v.Msg) > 0 && len(v.Sig) > 0 && (!errors.As(err, &e) || e.ErrorMessage() != want) {
							t.Errorf("tcId %d: got %v, want InvalidKeyUsageException %q", v.TcID, err, want)
						}
						continue
					}
					checkSigVector(t, &c, k, f.alg, v)
				}
			}
			t.Logf("%s: %v", f.file, c)
		})
	}
}

func TestWycheproofRSAPKCS1(t *testing.T) {
	for _, bits := range []int{2048, 3072, 4096} {
		for _, h := range []string{"256", "384", "512"} {
			file := fmt.Sprintf("rsa_signature_%d_sha%s_test.json", bits, h)
			t.Run(file, func(t *testing.T) {
				wf := loadSigVectors(t, file)
				testRSAVectors(t, file, wf, types.SigningAlgorithmSpec("RSASSA_PKCS1_V1_5_SHA_"+h), nil)
			})
		}
	}
}

func TestWycheproofRSAPSS(t *testing.T) {
	for _, file := range wycheproof.Names(t, "rsa_pss_*_test.json") {
		t.Run(file, func(t *testing.T) {
			wf := loadSigVectors(t, file)
			alg := types.SigningAlgorithmSpec("RSASSA_PSS_SHA_" + strings.TrimPrefix(wf.TestGroups[0].Sha, "SHA-"))
			testRSAVectors(t, file, wf, alg, func(g *sigVectorGroup) bool {
				hLen := map[string]int{"SHA-256": 32, "SHA-384": 48, "SHA-512": 64}[g.Sha]
				return g.Mgf == "MGF1" && g.MgfSha == g.Sha && g.SLen != nil && *g.SLen == hLen && hLen != 0
			})
		})
	}
}

// testRSAVectors runs an RSA file. expressible says whether KMS's algorithm can
// express a group's parameters (PSS: MGF1 hash = hash, salt = hash length);
// a nil expressible means always.
func testRSAVectors(t *testing.T, file string, wf *sigVectorFile, alg types.SigningAlgorithmSpec, expressible func(*sigVectorGroup) bool) {
	var c vectorCounts
	var strictRefused int
	for i := range wf.TestGroups {
		g := &wf.TestGroups[i]
		spec := types.KeySpec(fmt.Sprintf("RSA_%d", g.KeySize))
		k, err := vectorKey(t, g, spec)
		if err != nil {
			// Not a key KMS makes (modulus size, exponent): ParseSubjectPublicKeyInfo refuses it,
			// so no vector of the group can reach Verify.
			var invalid *kmspub.InvalidKeyError
			if !errors.As(err, &invalid) {
				t.Fatalf("group %d: ParseSubjectPublicKeyInfo: %v, want *InvalidKeyError", i, err)
			}
			c.overridden += len(g.Tests)
			t.Logf("group %d (%d-bit, %d tests): ParseSubjectPublicKeyInfo refused the key: %v", i, g.KeySize, len(g.Tests), err)
			continue
		}
		if expressible != nil && !expressible(g) {
			// KMS's PSS has salt = hash length: a valid signature with
			// another salt length must still be refused.
			c.notApplicable += len(g.Tests)
			for _, v := range g.Tests {
				err := k.Verify(mustHex(t, v.Msg), types.MessageTypeRaw, alg, mustHex(t, v.Sig))
				if len(v.Msg) > 0 && len(v.Sig) > 0 && kmspubtest.ErrorCode(err) != codeInvalidSig {
					t.Errorf("tcId %d: salt length %d accepted with %s: %v", v.TcID, *g.SLen, alg, err)
				}
				if v.Result == "valid" {
					strictRefused++
				}
			}
			continue
		}
		for _, v := range g.Tests {
			checkSigVector(t, &c, k, alg, v)
		}
	}
	t.Logf("%s: %v", file, c)
	if strictRefused > 0 {
		t.Logf("%s: %d signatures valid with their own salt length refused, as KMS's salt = hash length requires", file, strictRefused)
	}
}

func TestWycheproofEd25519(t *testing.T) {
	wf := loadSigVectors(t, "ed25519_test.json")
	var c vectorCounts
	for i := range wf.TestGroups {
		g := &wf.TestGroups[i]
		k, err := vectorKey(t, g, types.KeySpecEccNistEdwards25519)
		if err != nil {
			t.Fatalf("group %d: ParseSubjectPublicKeyInfo: %v", i, err)
		}
		for _, v := range g.Tests {
			checkSigVector(t, &c, k, "ED25519_SHA_512", v)
		}
	}
	t.Logf("ed25519_test.json: %v", c)
}

func TestWycheproofMLDSA(t *testing.T) {
	for _, f := range []struct {
		file string
		spec types.KeySpec
	}{
		{"mldsa_44_verify_test.json", types.KeySpecMlDsa44},
		{"mldsa_65_verify_test.json", types.KeySpecMlDsa65},
		{"mldsa_87_verify_test.json", types.KeySpecMlDsa87},
	} {
		t.Run(f.file, func(t *testing.T) {
			wf := loadSigVectors(t, f.file)
			var c vectorCounts
			for i := range wf.TestGroups {
				g := &wf.TestGroups[i]
				k, err := vectorKey(t, g, f.spec)
				if err != nil {
					// A public key of the wrong length is not an ML-DSA key
					// KMS returns: ParseSubjectPublicKeyInfo refuses it.
					var invalid *kmspub.InvalidKeyError
					if !errors.As(err, &invalid) {
						t.Fatalf("group %d: ParseSubjectPublicKeyInfo: %v, want *InvalidKeyError", i, err)
					}
					for _, v := range g.Tests {
						if v.Result == "valid" {
							t.Errorf("tcId %d: ParseSubjectPublicKeyInfo refused the key of a valid vector: %v", v.TcID, err)
						}
					}
					c.overridden += len(g.Tests)
					continue
				}
				for _, v := range g.Tests {
					if v.Ctx != nil && *v.Ctx != "" {
						// KMS signs with an empty context only.
						c.notApplicable++
						continue
					}
					checkSigVector(t, &c, k, "ML_DSA_SHAKE_256", v)
					// EXTERNAL_MU with μ computed from FIPS 204 by the test.
					if msg := mustHex(t, v.Msg); len(v.Sig) > 0 {
						err := k.Verify(kmspubtest.MLDSAMu(kmspubtest.RawPublicKey(t, k), msg), types.MessageTypeExternalMu, "ML_DSA_SHAKE_256", mustHex(t, v.Sig))
						if (v.Result == "valid") != (err == nil) {
							t.Errorf("tcId %d EXTERNAL_MU: result %s, got %v", v.TcID, v.Result, err)
						}
					}
				}
			}
			t.Logf("%s: %v", f.file, c)
		})
	}
}

// oaepVectorFile is the part of a Wycheproof rsaes_oaep_decrypt_schema_v1
// file the test reads.
type oaepVectorFile struct {
	Algorithm  string `json:"algorithm"`
	TestGroups []struct {
		KeySize         int    `json:"keySize"`
		SHA             string `json:"sha"`
		MGF             string `json:"mgf"`
		MGFSHA          string `json:"mgfSha"`
		PrivateKeyPKCS8 string `json:"privateKeyPkcs8"`
		PrivateKeyPEM   string `json:"privateKeyPem"`
		Tests           []struct {
			TcID   int      `json:"tcId"`
			Msg    string   `json:"msg"`
			CT     string   `json:"ct"`
			Label  string   `json:"label"`
			Result string   `json:"result"`
			Flags  []string `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// oaepCounts are the per-file figures the test logs.
type oaepCounts struct {
	encrypted     int // valid, empty label, 1 ≤ len(msg) ≤ limit: Encrypt → DecryptOAEP round trip
	emptyRefused  int // valid but empty msg: KMS's Plaintext minimum (1 byte) refuses it
	labelNA       int // valid with a label: KMS always uses the empty label (not applicable)
	ctDecrypted   int // the vector's own valid ciphertext decrypts to msg with the parsed key
	invalidCTFail int // the vector's invalid ciphertext fails to decrypt with the parsed key
	notApplicable int // the whole file: MGF1 hash ≠ OAEP hash, which KMS cannot express
}

// TestWycheproofOAEP runs Wycheproof's RSAES-OAEP decryption vectors
// through Encrypt. For each group, the public half of the group's private
// key is loaded with ParseSubjectPublicKeyInfo as an ENCRYPT_DECRYPT key of the matching spec;
// for each valid vector with an empty label, Encrypt(msg) is decrypted with
// the private key by crypto/rsa and must give msg back, and must not
// decrypt under the other OAEP hash (Encrypt used the hash the algorithm
// names, for both OAEP and MGF1). The vector's own ciphertext is decrypted
// too, to show the key was parsed right; its invalid ciphertexts must not
// decrypt. Then, for each key, KMS's size refusals with KMS's words: one byte
// over the OAEP limit, over 4096 bytes, and empty.
//
// Files whose MGF1 hash differs from the OAEP hash (…_sha256_mgf1sha1) are
// counted as not applicable: KMS's RSAES_OAEP_SHA_256 uses MGF1 with
// SHA-256 (docs/KMS-RULES.md §4.2).
func TestWycheproofOAEP(t *testing.T) {
	for _, file := range []struct {
		name string
		spec types.KeySpec
		alg  types.EncryptionAlgorithmSpec
		hash func() hash.Hash
		// other is the hash of the other OAEP algorithm, which must not
		// decrypt kmspub's ciphertext.
		other func() hash.Hash
		limit int // KMS's plaintext limit (docs/KMS-RULES.md §4.2), written out
	}{
		{"rsa_oaep_2048_sha1_mgf1sha1_test.json", types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha1, sha1.New, sha256.New, 214},
		{"rsa_oaep_2048_sha256_mgf1sha256_test.json", types.KeySpecRsa2048, types.EncryptionAlgorithmSpecRsaesOaepSha256, sha256.New, sha1.New, 190},
		{"rsa_oaep_3072_sha256_mgf1sha256_test.json", types.KeySpecRsa3072, types.EncryptionAlgorithmSpecRsaesOaepSha256, sha256.New, sha1.New, 318},
		{"rsa_oaep_4096_sha256_mgf1sha256_test.json", types.KeySpecRsa4096, types.EncryptionAlgorithmSpecRsaesOaepSha256, sha256.New, sha1.New, 446},
		{"rsa_oaep_2048_sha256_mgf1sha1_test.json", types.KeySpecRsa2048, "", nil, nil, 0},
		{"rsa_oaep_3072_sha256_mgf1sha1_test.json", types.KeySpecRsa3072, "", nil, nil, 0},
		{"rsa_oaep_4096_sha256_mgf1sha1_test.json", types.KeySpecRsa4096, "", nil, nil, 0},
	} {
		t.Run(file.name, func(t *testing.T) {
			data := wycheproof.Read(t, file.name)
			var vf oaepVectorFile
			if err := json.Unmarshal(data, &vf); err != nil {
				t.Fatal(err)
			}
			if vf.Algorithm != "RSAES-OAEP" || len(vf.TestGroups) == 0 {
				t.Fatalf("algorithm %q with %d groups; want RSAES-OAEP vectors", vf.Algorithm, len(vf.TestGroups))
			}
			var c oaepCounts
			if file.alg == "" {
				for _, g := range vf.TestGroups {
					if g.MGFSHA == g.SHA {
						t.Fatalf("group with MGF1 %s = OAEP %s in a file counted as not applicable", g.MGFSHA, g.SHA)
					}
					c.notApplicable += len(g.Tests)
				}
				t.Logf("%s: not applicable to KMS (MGF1 hash differs from the OAEP hash): %d vectors", file.name, c.notApplicable)
				return
			}
			for _, g := range vf.TestGroups {
				if g.MGF != "MGF1" || g.MGFSHA != g.SHA || g.KeySize != rsaBits(file.spec) {
					t.Fatalf("group %s/MGF1-%s, %d bits does not match %s with %s", g.SHA, g.MGFSHA, g.KeySize, file.spec, file.alg)
				}
				priv := oaepPrivateKey(t, g.PrivateKeyPKCS8, g.PrivateKeyPEM)
				der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				k, err := kmspub.ParseSubjectPublicKeyInfo(der, &kms.GetPublicKeyOutput{
					KeySpec:              file.spec,
					KeyUsage:             types.KeyUsageTypeEncryptDecrypt,
					EncryptionAlgorithms: []types.EncryptionAlgorithmSpec{file.alg},
				})
				if err != nil {
					t.Fatalf("ParseSubjectPublicKeyInfo of the group's public key: %v", err)
				}

				for _, v := range g.Tests {
					msg, ct, label := mustHex(t, v.Msg), mustHex(t, v.CT), mustHex(t, v.Label)
					name := fmt.Sprintf("tcId %d", v.TcID)
					// The vector's own ciphertext, with the parsed private key.
					got, derr := rsa.DecryptOAEP(file.hash(), nil, priv, ct, label)
					switch v.Result {
					case "valid":
						if derr != nil || !bytes.Equal(got, msg) {
							t.Fatalf("%s: the vector's ciphertext does not decrypt with the parsed key: %v", name, derr)
						}
						c.ctDecrypted++
					case "invalid":
						if derr == nil {
							t.Fatalf("%s: an invalid ciphertext (%v) decrypted", name, v.Flags)
						}
						c.invalidCTFail++
						continue
					default:
						t.Fatalf("%s: result %q", name, v.Result)
					}

					switch {
					case len(label) != 0:
						c.labelNA++
					case len(msg) == 0:
						// KMS's Plaintext is 1 to 4096 bytes.
						_, err := k.Encrypt(msg, file.alg)
						kmspubtest.WantAPIError(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
						c.emptyRefused++
					default:
						if len(msg) > file.limit {
							t.Fatalf("%s: valid %d-byte message over the OAEP limit %d", name, len(msg), file.limit)
						}
						out, err := k.Encrypt(msg, file.alg)
						if err != nil {
							t.Fatalf("%s: Encrypt: %v", name, err)
						}
						if len(out) != rsaBits(file.spec)/8 {
							t.Fatalf("%s: %d-byte ciphertext for %s", name, len(out), file.spec)
						}
						back, err := rsa.DecryptOAEP(file.hash(), nil, priv, out, nil)
						if err != nil || !bytes.Equal(back, msg) {
							t.Fatalf("%s: kmspub's ciphertext does not decrypt to the message: %v", name, err)
						}
						if _, err := rsa.DecryptOAEP(file.other(), nil, priv, out, nil); err == nil {
							t.Fatalf("%s: kmspub's ciphertext decrypts under the other OAEP hash", name)
						}
						c.encrypted++
					}
				}

				// KMS's size refusals, in KMS's words (docs/KMS-RULES.md §4.1, §4.2).
				full := bytes.Repeat([]byte{0xa5}, file.limit)
				out, err := k.Encrypt(full, file.alg)
				if err != nil {
					t.Fatalf("plaintext of exactly the limit (%d bytes): %v", file.limit, err)
				}
				if back, err := rsa.DecryptOAEP(file.hash(), nil, priv, out, nil); err != nil || !bytes.Equal(back, full) {
					t.Fatalf("plaintext of exactly the limit does not round-trip: %v", err)
				}
				_, err = k.Encrypt(append(full, 0), file.alg)
				kmspubtest.WantAPIError(t, err, "ValidationException", fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", file.alg, file.spec, file.limit))
				_, err = k.Encrypt(make([]byte, 4097), file.alg)
				kmspubtest.WantAPIError(t, err, "ValidationException", "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
			}
			if c.encrypted == 0 {
				t.Fatal("no vector was applicable")
			}
			t.Logf("%s: %d valid vectors encrypted by kmspub and decrypted by crypto/rsa; %d valid empty messages refused (KMS Plaintext min 1); "+
				"%d with a label not applicable; vector ciphertexts: %d valid decrypted, %d invalid refused",
				file.name, c.encrypted, c.emptyRefused, c.labelNA, c.ctDecrypted, c.invalidCTFail)
		})
	}
}

func rsaBits(spec types.KeySpec) int {
	switch spec {
	case types.KeySpecRsa2048:
		return 2048
	case types.KeySpecRsa3072:
		return 3072
	case types.KeySpecRsa4096:
		return 4096
	}
	return 0
}

// oaepPrivateKey parses a group's private key from its PKCS#8 DER (hex), and
// checks that the PEM form, when the file has one, holds the same key.
func oaepPrivateKey(t *testing.T, pkcs8Hex, pemText string) *rsa.PrivateKey {
	t.Helper()
	key, err := x509.ParsePKCS8PrivateKey(mustHex(t, pkcs8Hex))
	if err != nil {
		t.Fatalf("privateKeyPkcs8: %v", err)
	}
	priv, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("privateKeyPkcs8 holds a %T", key)
	}
	if pemText != "" {
		block, _ := pem.Decode([]byte(pemText))
		if block == nil {
			t.Fatal("privateKeyPem: no PEM block")
		}
		key2, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil || !priv.Equal(key2) {
			t.Fatalf("privateKeyPem differs from privateKeyPkcs8: %v", err)
		}
	}
	return priv
}

// wycheproofModulusOverflow returns the SPKI of the first ML-KEM-768
// encapsulation key Wycheproof flags ModulusOverflow.
func wycheproofModulusOverflow(t *testing.T) []byte {
	t.Helper()
	keys := wycheproofMLKEMKeys(t, "mlkem_768_encaps_test.json", "ModulusOverflow")
	if len(keys) == 0 {
		t.Fatal("no ModulusOverflow vector in mlkem_768_encaps_test.json")
	}
	header, _ := hex.DecodeString(keySpecCaseFor(t, types.KeySpecMlKem768).header)
	return append(header, keys[0]...)
}

// wycheproofMLKEMKeys returns the encapsulation keys of the tests in a
// Wycheproof ML-KEM encaps file that carry flag.
func wycheproofMLKEMKeys(t *testing.T, file, flag string) [][]byte {
	t.Helper()
	var keys [][]byte
	for _, tc := range wycheproofMLKEMTests(t, file) {
		if !slices.Contains(tc.Flags, flag) {
			continue
		}
		if tc.Result != "invalid" {
			t.Fatalf("%s tcId %d: flag %s but result %s", file, tc.TcID, flag, tc.Result)
		}
		keys = append(keys, tc.ek)
	}
	return keys
}

type mlkemKeyTest struct {
	TcID    int      `json:"tcId"`
	Flags   []string `json:"flags"`
	EK      string   `json:"ek"`
	Result  string   `json:"result"`
	Comment string   `json:"comment"`
	ek      []byte
}

// wycheproofMLKEMTests returns every test of a Wycheproof ML-KEM encaps file.
func wycheproofMLKEMTests(t *testing.T, file string) []mlkemKeyTest {
	t.Helper()
	data := wycheproof.Read(t, file)
	var v struct {
		TestGroups []struct {
			Tests []mlkemKeyTest `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var tests []mlkemKeyTest
	for _, g := range v.TestGroups {
		for _, tc := range g.Tests {
			var err error
			if tc.ek, err = hex.DecodeString(tc.EK); err != nil {
				t.Fatal(err)
			}
			tests = append(tests, tc)
		}
	}
	if len(tests) == 0 {
		t.Fatalf("%s holds no tests", file)
	}
	return tests
}

// TestMLKEMWycheproofEncapsulationKeys: every encapsulation key of the
// Wycheproof encaps vectors, wrapped in the RFC 9935 SPKI, is accepted when
// the vector is valid and refused when it is invalid (not reduced mod q, too
// short, too long).
func TestMLKEMWycheproofEncapsulationKeys(t *testing.T) {
	for _, c := range []struct {
		spec types.KeySpec
		oid  asn1.ObjectIdentifier
		file string
	}{
		{types.KeySpecMlKem512, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}, "mlkem_512_encaps_test.json"},
		{types.KeySpecMlKem768, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}, "mlkem_768_encaps_test.json"},
		{types.KeySpecMlKem1024, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}, "mlkem_1024_encaps_test.json"},
	} {
		t.Run(string(c.spec), func(t *testing.T) {
			s := keySpecCaseFor(t, c.spec)
			meta := &kms.GetPublicKeyOutput{KeySpec: c.spec, KeyUsage: ek}
			counts := map[string]int{}
			for _, tc := range wycheproofMLKEMTests(t, c.file) {
				counts[tc.Result]++
				k, err := kmspub.ParseSubjectPublicKeyInfo(spkitest.Build(c.oid, nil, 0, tc.ek), meta)
				switch tc.Result {
				case "valid":
					if err != nil {
						t.Errorf("tcId %d (valid): %v", tc.TcID, err)
						continue
					}
					if raw := s.checkPublic(t, k.CryptoPublicKey()); !bytes.Equal(raw, tc.ek) {
						t.Errorf("tcId %d: key re-encodes differently", tc.TcID)
					}
				case "invalid":
					if err == nil {
						t.Errorf("tcId %d (invalid: %s %v) accepted", tc.TcID, tc.Comment, tc.Flags)
						continue
					}
					checkRefusal(t, k, err, refusal{"PublicKey", "encapsulation key", "", ""})
				default:
					t.Fatalf("tcId %d: result %q", tc.TcID, tc.Result)
				}
			}
			if counts["valid"] == 0 || counts["invalid"] == 0 {
				t.Fatalf("vectors: %v; want both valid and invalid", counts)
			}
			t.Logf("%v", counts)
		})
	}
}

func TestDeriveSharedSecretWycheproof(t *testing.T) {
	for _, c := range ecdhSpecs {
		file := map[types.KeySpec]string{
			types.KeySpecEccNistP256: "ecdh_secp256r1_test.json",
			types.KeySpecEccNistP384: "ecdh_secp384r1_test.json",
			types.KeySpecEccNistP521: "ecdh_secp521r1_test.json",
		}[c.spec]
		t.Run(string(c.spec), func(t *testing.T) {
			data := wycheproof.Read(t, file)
			var suite struct {
				TestGroups []struct {
					Tests []struct {
						TcID    int    `json:"tcId"`
						Comment string `json:"comment"`
						Public  string `json:"public"`
						Private string `json:"private"`
						Shared  string `json:"shared"`
						Result  string `json:"result"`
					} `json:"tests"`
				} `json:"testGroups"`
			}
			if err := json.Unmarshal(data, &suite); err != nil {
				t.Fatal(err)
			}
			meta := &kms.GetPublicKeyOutput{KeySpec: c.spec, KeyUsage: types.KeyUsageTypeKeyAgreement}
			var valid, refusedInvalid, acceptableLoaded, acceptableRefused int
			for _, g := range suite.TestGroups {
				for _, tc := range g.Tests {
					pubDER, _ := hex.DecodeString(tc.Public)
					privBytes, _ := hex.DecodeString(tc.Private)
					want, _ := hex.DecodeString(tc.Shared)
					// Wycheproof's private keys are ASN.1-style integers.
					d := new(big.Int).SetBytes(privBytes)
					if d.BitLen() > c.secretSize*8 {
						t.Fatalf("tcId %d: private key too long", tc.TcID)
					}
					priv, err := c.curve.NewPrivateKey(d.FillBytes(make([]byte, c.secretSize)))
					if err != nil {
						t.Fatalf("tcId %d: private key: %v", tc.TcID, err)
					}
					k, loadErr := kmspub.ParseSubjectPublicKeyInfo(pubDER, meta)
					var secret []byte
					if loadErr == nil {
						secret, _, err = k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh)
					}
					switch tc.Result {
					case "valid":
						if loadErr != nil || err != nil {
							t.Errorf("tcId %d (%s): valid vector refused: load %v, derive %v", tc.TcID, tc.Comment, loadErr, err)
						} else if !bytes.Equal(secret, want) {
							t.Errorf("tcId %d (%s): wrong shared secret", tc.TcID, tc.Comment)
						} else {
							valid++
						}
					case "invalid":
						if loadErr == nil && err == nil {
							t.Errorf("tcId %d (%s): invalid vector accepted", tc.TcID, tc.Comment)
						} else {
							refusedInvalid++
						}
					default: // acceptable: e.g. compressed points, which KMS never returns
						if loadErr == nil && err == nil {
							if !bytes.Equal(secret, want) {
								t.Errorf("tcId %d (%s): wrong shared secret", tc.TcID, tc.Comment)
							}
							acceptableLoaded++
						} else {
							acceptableRefused++
						}
					}
				}
			}
			t.Logf("%s: %d valid vectors matched, %d invalid refused, acceptable: %d matched, %d refused by the strict SPKI parser",
				file, valid, refusedInvalid, acceptableLoaded, acceptableRefused)
		})
	}
}

// mlkemSPKI wraps a raw encapsulation key in the RFC 9935
// SubjectPublicKeyInfo KMS GetPublicKey returns (AlgorithmIdentifier
// parameters absent).
func mlkemSPKI(t testing.TB, oid asn1.ObjectIdentifier, ek []byte) []byte {
	t.Helper()
	der, err := asn1.Marshal(struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}{pkix.AlgorithmIdentifier{Algorithm: oid}, asn1.BitString{Bytes: ek, BitLength: 8 * len(ek)}})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestEncapsulateWycheproofKeys feeds the Wycheproof ML-KEM encapsulation
// vectors through ParseSubjectPublicKeyInfo: keys that fail the FIPS 203 modulus check or have the
// wrong length must be refused when the PublicKey is built; valid keys must
// be accepted, kept byte for byte (checked with derandomized encapsulation
// against the vector's K and c), and usable with Encapsulate.
func TestEncapsulateWycheproofKeys(t *testing.T) {
	for _, c := range kemSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			data := wycheproof.Read(t, c.wycheproof)
			var suite struct {
				TestGroups []struct {
					ParameterSet string `json:"parameterSet"`
					Tests        []struct {
						TcID    int      `json:"tcId"`
						Comment string   `json:"comment"`
						Flags   []string `json:"flags"`
						M       string   `json:"m"`
						EK      string   `json:"ek"`
						C       string   `json:"c"`
						K       string   `json:"K"`
						Result  string   `json:"result"`
					} `json:"tests"`
				} `json:"testGroups"`
			}
			if err := json.Unmarshal(data, &suite); err != nil {
				t.Fatal(err)
			}
			meta := &kms.GetPublicKeyOutput{KeySpec: c.spec, KeyUsage: types.KeyUsageTypeEncapsulateDecapsulate}
			var accepted, refused int
			reasons := map[string]int{}
			for _, g := range suite.TestGroups {
				for _, tc := range g.Tests {
					ek, _ := hex.DecodeString(tc.EK)
					k, err := kmspub.ParseSubjectPublicKeyInfo(mlkemSPKI(t, c.oid, ek), meta)
					switch tc.Result {
					case "valid":
						if err != nil {
							t.Errorf("tcId %d (%s): valid key refused: %v", tc.TcID, tc.Comment, err)
							continue
						}
						accepted++
						m, _ := hex.DecodeString(tc.M)
						wantK, _ := hex.DecodeString(tc.K)
						wantC, _ := hex.DecodeString(tc.C)
						gotK, gotC := derandomizedEncapsulate(t, k, m)
						if !bytes.Equal(gotK, wantK) || !bytes.Equal(gotC, wantC) {
							t.Errorf("tcId %d (%s): loaded key does not give the vector's K and c", tc.TcID, tc.Comment)
						}
						if _, ct, err := k.Encapsulate(types.EncapsulationAlgorithmSpecMlKem); err != nil || len(ct) != c.ctSize {
							t.Errorf("tcId %d: Encapsulate: %v", tc.TcID, err)
						}
					default:
						if err == nil {
							t.Errorf("tcId %d (%s, %v): invalid key accepted by ParseSubjectPublicKeyInfo", tc.TcID, tc.Comment, tc.Flags)
							continue
						}
						if !errors.Is(err, kmspub.ErrInvalidKey) {
							t.Errorf("tcId %d: refusal %v is not an InvalidKeyError", tc.TcID, err)
						}
						refused++
						reason := tc.Comment
						if reason == "" {
							reason = strings.Join(tc.Flags, ",")
						}
						reasons[reason]++
					}
				}
			}
			t.Logf("%s: %d valid keys accepted, %d invalid keys refused by ParseSubjectPublicKeyInfo %v", c.wycheproof, accepted, refused, reasons)
			if accepted == 0 || refused == 0 {
				t.Fatal("the vector file exercised nothing")
			}
		})
	}
}

// mustHex decodes a hex string of a vector file.
func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	kmspubtest.Check(t, err)
	return b
}
