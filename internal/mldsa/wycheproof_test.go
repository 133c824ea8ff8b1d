package mldsa

import (
	"encoding/hex"
	"encoding/json"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"testing"
)

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

type wycheproofFile struct {
	Algorithm     string `json:"algorithm"`
	NumberOfTests int    `json:"numberOfTests"`
	TestGroups    []struct {
		Type      string   `json:"type"`
		PublicKey hexBytes `json:"publicKey"`
		Tests     []struct {
			TcID    int       `json:"tcId"`
			Comment string    `json:"comment"`
			Msg     hexBytes  `json:"msg"`
			Ctx     *hexBytes `json:"ctx"` // absent, or present (possibly empty)
			Sig     hexBytes  `json:"sig"`
			Result  string    `json:"result"`
			Flags   []string  `json:"flags"`
		} `json:"tests"`
	} `json:"testGroups"`
}

// TestWycheproof runs the C2SP Wycheproof ML-DSA verification vectors through
// MuWithContext + VerifyMu, and checks that gmsm's message-level
// VerifyWithOptions agrees on each vector.
func TestWycheproof(t *testing.T) {
	for _, p := range allParams {
		t.Run(p.String(), func(t *testing.T) {
			name := map[*Params]string{MLDSA44: "44", MLDSA65: "65", MLDSA87: "87"}[p]
			data := wycheproof.Read(t, "mldsa_"+name+"_verify_test.json")
			var f wycheproofFile
			if err := json.Unmarshal(data, &f); err != nil {
				t.Fatal(err)
			}
			if f.Algorithm != p.String() {
				t.Fatalf("file is for %q", f.Algorithm)
			}
			var total, valid, invalid, acceptable, badKeys, agreed, gmsmEmptyMsg int
			for _, g := range f.TestGroups {
				if g.Type != "MlDsaVerify" {
					t.Fatalf("unexpected group type %q", g.Type)
				}
				pk, keyErr := NewPublicKey(p, g.PublicKey)
				ref, refErr := refVerifier(p, g.PublicKey)
				if (keyErr == nil) != (refErr == nil) {
					t.Errorf("public key of %d bytes: NewPublicKey err=%v, gmsm err=%v", len(g.PublicKey), keyErr, refErr)
				}
				for _, tc := range g.Tests {
					total++
					switch tc.Result {
					case "valid":
						valid++
					case "invalid":
						invalid++
					case "acceptable":
						acceptable++
					default:
						t.Fatalf("tcId %d: unknown result %q", tc.TcID, tc.Result)
					}
					var ctx []byte
					if tc.Ctx != nil {
						ctx = *tc.Ctx
					}

					var got bool
					if keyErr != nil {
						badKeys++
						got = false
					} else if mu, err := pk.MuWithContext(tc.Msg, ctx); err == nil {
						got = pk.VerifyMu(mu[:], tc.Sig)
					}
					switch tc.Result {
					case "valid", "invalid":
						if want := tc.Result == "valid"; got != want {
							t.Errorf("tcId %d (%s, flags %v): VerifyMu = %v, want %v", tc.TcID, tc.Comment, tc.Flags, got, want)
						}
					case "acceptable":
						t.Logf("tcId %d (%s, flags %v): acceptable; VerifyMu = %v", tc.TcID, tc.Comment, tc.Flags, got)
					}

					refGot := false
					if refErr == nil {
						refGot = ref(tc.Sig, tc.Msg, ctx)
					}
					switch {
					case refGot == got:
						agreed++
					case len(tc.Msg) == 0 && got && !refGot:
						// gmsm's VerifyWithOptions returns false for every
						// empty message; VerifyMu from μ must follow the vector.
						gmsmEmptyMsg++
					default:
						t.Errorf("tcId %d (%s): VerifyMu = %v but gmsm = %v", tc.TcID, tc.Comment, got, refGot)
					}
				}
			}
			if total != f.NumberOfTests {
				t.Errorf("ran %d tests, file declares %d", total, f.NumberOfTests)
			}
			t.Logf("%s: total %d (valid %d, invalid %d, acceptable %d; %d with an invalid-length public key); "+
				"gmsm agreed on %d/%d, differed on %d valid empty-message vectors (gmsm rejects empty messages)",
				p, total, valid, invalid, acceptable, badKeys, agreed, total, gmsmEmptyMsg)
		})
	}
}
