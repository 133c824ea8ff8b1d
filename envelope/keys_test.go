package envelope

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/kmspub/kmspub/internal/wycheproof"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The AEAD every frame and the header tag use, as the frame code uses it
// (sealing and opening in place), against Wycheproof's AES-GCM vectors with
// the suites' 12-byte IV and 16-byte tag.
func TestWycheproofAESGCM(t *testing.T) {
	var file struct {
		TestGroups []struct {
			IVSize, KeySize, TagSize int
			Tests                    []struct {
				TcID                       int `json:"tcId"`
				Key, IV, AAD, Msg, CT, Tag string
				Result                     string
			}
		}
	}
	if err := json.Unmarshal(wycheproof.Read(t, "aes_gcm_test.json"), &file); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, g := range file.TestGroups {
		if g.IVSize != 96 || g.TagSize != 128 {
			continue
		}
		for _, tc := range g.Tests {
			aead, err := newGCM(unhex(t, tc.Key))
			if err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			iv, aad, msg := unhex(t, tc.IV), unhex(t, tc.AAD), unhex(t, tc.Msg)
			want := append(unhex(t, tc.CT), unhex(t, tc.Tag)...)
			if tc.Result == "valid" {
				buf := append([]byte(nil), msg...)
				if got := aead.Seal(buf[:0], iv, buf, aad); !bytes.Equal(got, want) {
					t.Errorf("tcId %d: Seal = %x, want %x", tc.TcID, got, want)
				}
			}
			sealed := append([]byte(nil), want...)
			got, err := aead.Open(sealed[:0], iv, sealed, aad)
			switch {
			case tc.Result == "valid" && (err != nil || !bytes.Equal(got, msg)):
				t.Errorf("tcId %d: Open = %x, %v", tc.TcID, got, err)
			case tc.Result == "invalid" && err == nil:
				t.Errorf("tcId %d: an invalid vector opened", tc.TcID)
			}
			ran++
		}
	}
	if ran < 50 {
		t.Fatalf("only %d vectors with a 96-bit IV and 128-bit tag", ran)
	}
}

// The key derivation's HKDF-SHA512 (one extract, then expands), against
// Wycheproof's vectors; sizes over 255·64 bytes must be refused.
func TestWycheproofHKDFSHA512(t *testing.T) {
	var file struct {
		TestGroups []struct {
			Tests []struct {
				TcID                 int `json:"tcId"`
				IKM, Salt, Info, OKM string
				Size                 int
				Result               string
			}
		}
	}
	if err := json.Unmarshal(wycheproof.Read(t, "hkdf_sha512_test.json"), &file); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, g := range file.TestGroups {
		for _, tc := range g.Tests {
			ran++
			prk, err := newHKDFSHA512(unhex(t, tc.IKM), unhex(t, tc.Salt))
			if err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			okm, err := prk.expand(string(unhex(t, tc.Info)), tc.Size)
			switch tc.Result {
			case "valid":
				if err != nil || hex.EncodeToString(okm) != tc.OKM {
					t.Errorf("tcId %d: %x, %v; want %s", tc.TcID, okm, err, tc.OKM)
				}
			default:
				if err == nil {
					t.Errorf("tcId %d: an invalid size (%d) was expanded", tc.TcID, tc.Size)
				}
			}
		}
	}
	if ran < 80 {
		t.Fatalf("only %d vectors", ran)
	}
}
