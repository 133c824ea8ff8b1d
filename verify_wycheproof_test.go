package kmspub_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

type wpTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Msg     string   `json:"msg"`
	Ctx     *string  `json:"ctx"`
	Sig     string   `json:"sig"`
	Result  string   `json:"result"`
	Flags   []string `json:"flags"`
}

type wpGroup struct {
	PublicKeyDer string          `json:"publicKeyDer"`
	PublicKey    json.RawMessage `json:"publicKey"`
	KeySize      int             `json:"keySize"`
	Sha          string          `json:"sha"`
	Mgf          string          `json:"mgf"`
	MgfSha       string          `json:"mgfSha"`
	SLen         *int            `json:"sLen"`
	Tests        []wpTest        `json:"tests"`
}

type wpFile struct {
	Algorithm  string    `json:"algorithm"`
	TestGroups []wpGroup `json:"testGroups"`
}

// wpCounts are the per-file figures logged for the issue note.
type wpCounts struct {
	applicable     int // the vector's result is what Verify must give
	validAccepted  int
	invalidRefused int
	acceptable     int // Wycheproof "acceptable": either answer is allowed
	overridden     int // a KMS rule decides instead of the vector
	notApplicable  int // KMS cannot express the vector (context, PSS parameters)
}

func (c wpCounts) String() string {
	return fmt.Sprintf("applicable %d (valid accepted %d, invalid refused %d, acceptable %d), overridden by KMS rule %d, not applicable %d",
		c.applicable, c.validAccepted, c.invalidRefused, c.acceptable, c.overridden, c.notApplicable)
}

func wpHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	sigCheck(t, err)
	return b
}

func wpLoad(t *testing.T, name string) *wpFile {
	t.Helper()
	data := wycheproof.Read(t, name)
	var f wpFile
	sigCheck(t, json.Unmarshal(data, &f))
	if len(f.TestGroups) == 0 {
		t.Fatalf("%s: no test groups", name)
	}
	return &f
}

// wpKey builds the KMS key for a group with Load, as a caller would.
func wpKey(t *testing.T, g *wpGroup, spec types.KeySpec) (*kmspub.PublicKey, error) {
	return kmspub.ParseSubjectPublicKeyInfo(wpHex(t, g.PublicKeyDer), &kms.GetPublicKeyOutput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
}

func wpIsCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

// wpCheck runs one vector through every form Verify offers for it and
// checks the outcome against the vector's result, or against the KMS rule
// that overrides it.
func wpCheck(t *testing.T, c *wpCounts, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, v wpTest) {
	t.Helper()
	msg, sig := wpHex(t, v.Msg), wpHex(t, v.Sig)
	id := fmt.Sprintf("tcId %d (%s, %v)", v.TcID, v.Comment, v.Flags)
	rawOnly := alg == types.SigningAlgorithmSpecEd25519Sha512
	msgRefused := len(msg) < 1 || len(msg) > 4096

	if len(sig) < 1 || len(sig) > 6144 {
		c.overridden++
		if err := k.Verify(msg, types.MessageTypeRaw, alg, sig); !wpIsCode(err, codeValidation) {
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
			if !wpIsCode(err, codeInvalidSig) {
				t.Errorf("%s %s: invalid vector: got %v, want KMSInvalidSignatureException", id, form, err)
			}
		case "acceptable":
			if err != nil && !wpIsCode(err, codeInvalidSig) {
				t.Errorf("%s %s: acceptable vector: got %v", id, form, err)
			}
		default:
			t.Fatalf("%s: unknown result %q", id, v.Result)
		}
	}

	if msgRefused {
		// KMS refuses the RAW message; the vector cannot decide RAW.
		c.overridden++
		if err := k.Verify(msg, types.MessageTypeRaw, alg, sig); !wpIsCode(err, codeValidation) {
			t.Errorf("%s: RAW message of %d bytes: got %v, want ValidationException", id, len(msg), err)
		}
		if rawOnly {
			if err := k.VerifyReader(bytes.NewReader(msg), alg, sig); !wpIsCode(err, codeValidation) {
				t.Errorf("%s: VerifyReader of %d bytes: got %v, want ValidationException", id, len(msg), err)
			}
			return
		}
		// The DIGEST / EXTERNAL_MU form still carries the vector.
		digest, mt, err := k.Digest(bytes.NewReader(msg), alg)
		sigCheck(t, err)
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
		sigCheck(t, err)
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
			wf := wpLoad(t, f.file)
			var c wpCounts
			for i := range wf.TestGroups {
				g := &wf.TestGroups[i]
				k, err := wpKey(t, g, f.spec)
				if err != nil {
					t.Fatalf("group %d: Load refused a valid %s key: %v", i, f.spec, err)
				}
				for _, v := range g.Tests {
					if !f.kms {
						// The curve/hash pair is not a KMS algorithm.
						c.overridden++
						err := k.Verify(wpHex(t, v.Msg), types.MessageTypeRaw, f.alg, wpHex(t, v.Sig))
						want := fmt.Sprintf("Algorithm %s is incompatible with key spec %s.", f.alg, f.spec)
						var e *types.InvalidKeyUsageException
						if len(v.Msg) > 0 && len(v.Sig) > 0 && (!errors.As(err, &e) || e.ErrorMessage() != want) {
							t.Errorf("tcId %d: got %v, want InvalidKeyUsageException %q", v.TcID, err, want)
						}
						continue
					}
					wpCheck(t, &c, k, f.alg, v)
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
				wf := wpLoad(t, file)
				wpRSA(t, file, wf, types.SigningAlgorithmSpec("RSASSA_PKCS1_V1_5_SHA_"+h), nil)
			})
		}
	}
}

func TestWycheproofRSAPSS(t *testing.T) {
	for _, file := range wycheproof.Names(t, "rsa_pss_*_test.json") {
		t.Run(file, func(t *testing.T) {
			wf := wpLoad(t, file)
			alg := types.SigningAlgorithmSpec("RSASSA_PSS_SHA_" + strings.TrimPrefix(wf.TestGroups[0].Sha, "SHA-"))
			wpRSA(t, file, wf, alg, func(g *wpGroup) bool {
				hLen := map[string]int{"SHA-256": 32, "SHA-384": 48, "SHA-512": 64}[g.Sha]
				return g.Mgf == "MGF1" && g.MgfSha == g.Sha && g.SLen != nil && *g.SLen == hLen && hLen != 0
			})
		})
	}
}

// wpRSA runs an RSA file. expressible says whether KMS's algorithm can
// express a group's parameters (PSS: MGF1 hash = hash, salt = hash length);
// a nil expressible means always.
func wpRSA(t *testing.T, file string, wf *wpFile, alg types.SigningAlgorithmSpec, expressible func(*wpGroup) bool) {
	var c wpCounts
	var strictRefused int
	for i := range wf.TestGroups {
		g := &wf.TestGroups[i]
		spec := types.KeySpec(fmt.Sprintf("RSA_%d", g.KeySize))
		k, err := wpKey(t, g, spec)
		if err != nil {
			// Not a key KMS makes (modulus size, exponent): Load refuses it,
			// so no vector of the group can reach Verify.
			var invalid *kmspub.InvalidKeyError
			if !errors.As(err, &invalid) {
				t.Fatalf("group %d: Load: %v, want *InvalidKeyError", i, err)
			}
			c.overridden += len(g.Tests)
			t.Logf("group %d (%d-bit, %d tests): Load refused the key: %v", i, g.KeySize, len(g.Tests), err)
			continue
		}
		if expressible != nil && !expressible(g) {
			// KMS's PSS has salt = hash length: a valid signature with
			// another salt length must still be refused.
			c.notApplicable += len(g.Tests)
			for _, v := range g.Tests {
				err := k.Verify(wpHex(t, v.Msg), types.MessageTypeRaw, alg, wpHex(t, v.Sig))
				if len(v.Msg) > 0 && len(v.Sig) > 0 && !wpIsCode(err, codeInvalidSig) {
					t.Errorf("tcId %d: salt length %d accepted with %s: %v", v.TcID, *g.SLen, alg, err)
				}
				if v.Result == "valid" {
					strictRefused++
				}
			}
			continue
		}
		for _, v := range g.Tests {
			wpCheck(t, &c, k, alg, v)
		}
	}
	t.Logf("%s: %v", file, c)
	if strictRefused > 0 {
		t.Logf("%s: %d signatures valid with their own salt length refused, as KMS's salt = hash length requires", file, strictRefused)
	}
}

func TestWycheproofEd25519(t *testing.T) {
	wf := wpLoad(t, "ed25519_test.json")
	var c wpCounts
	for i := range wf.TestGroups {
		g := &wf.TestGroups[i]
		k, err := wpKey(t, g, types.KeySpecEccNistEdwards25519)
		if err != nil {
			t.Fatalf("group %d: Load: %v", i, err)
		}
		for _, v := range g.Tests {
			wpCheck(t, &c, k, "ED25519_SHA_512", v)
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
			wf := wpLoad(t, f.file)
			var c wpCounts
			for i := range wf.TestGroups {
				g := &wf.TestGroups[i]
				k, err := wpKey(t, g, f.spec)
				if err != nil {
					// A public key of the wrong length is not an ML-DSA key
					// KMS returns: Load refuses it.
					var invalid *kmspub.InvalidKeyError
					if !errors.As(err, &invalid) {
						t.Fatalf("group %d: Load: %v, want *InvalidKeyError", i, err)
					}
					for _, v := range g.Tests {
						if v.Result == "valid" {
							t.Errorf("tcId %d: Load refused the key of a valid vector: %v", v.TcID, err)
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
					wpCheck(t, &c, k, "ML_DSA_SHAKE_256", v)
					// EXTERNAL_MU with μ computed from FIPS 204 by the test.
					if msg := wpHex(t, v.Msg); len(v.Sig) > 0 {
						err := k.Verify(sigMu(sigRawPub(t, k), msg), types.MessageTypeExternalMu, "ML_DSA_SHAKE_256", wpHex(t, v.Sig))
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
