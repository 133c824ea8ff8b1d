package kmspub

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"hash"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

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
// key is loaded with Load as an ENCRYPT_DECRYPT key of the matching spec;
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
				k, err := ParseSubjectPublicKeyInfo(der, &kms.GetPublicKeyOutput{
					KeySpec:              file.spec,
					KeyUsage:             types.KeyUsageTypeEncryptDecrypt,
					EncryptionAlgorithms: []types.EncryptionAlgorithmSpec{file.alg},
				})
				if err != nil {
					t.Fatalf("Load of the group's public key: %v", err)
				}

				for _, v := range g.Tests {
					msg, ct, label := oaepHex(t, v.Msg), oaepHex(t, v.CT), oaepHex(t, v.Label)
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
						wantAPIError(t, err, "ValidationException",
							"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1")
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
				wantAPIError(t, err, "ValidationException",
					fmt.Sprintf("Algorithm %s and key spec %s cannot encrypt data larger than %d bytes.", file.alg, file.spec, file.limit))
				_, err = k.Encrypt(make([]byte, 4097), file.alg)
				wantAPIError(t, err, "ValidationException",
					"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
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
	key, err := x509.ParsePKCS8PrivateKey(oaepHex(t, pkcs8Hex))
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

func oaepHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
