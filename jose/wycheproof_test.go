package jose_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/kmspub/kmspub/internal/wycheproof"
	"github.com/kmspub/kmspub/jose"
)

// TestWycheproofJWS runs the JWS cases of Wycheproof's
// json_web_crypto_test.json that kmspub's algorithms cover: the ES256 and
// RS256 groups, the RSA key with the ROCA weakness, and the HMAC token
// checked against a key set that also holds an EC key. The HMAC-only and
// JWE groups use algorithms no KMS key offers; they are counted, not run.
func TestWycheproofJWS(t *testing.T) {
	var file struct {
		TestGroups []struct {
			Comment string          `json:"comment"`
			Public  json.RawMessage `json:"public"`
			Private json.RawMessage `json:"private"`
			Tests   []struct {
				TcID    int             `json:"tcId"`
				Comment string          `json:"comment"`
				JWS     json.RawMessage `json:"jws"` // a string; in groups not run, also JSON
				Result  string          `json:"result"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	if err := json.Unmarshal(wycheproof.Read(t, "json_web_crypto_test.json"), &file); err != nil {
		t.Fatal(err)
	}
	ran, notCovered := 0, 0
	for _, g := range file.TestGroups {
		var keys jose.KeySet
		switch g.Comment {
		case "jws_ec", "jws_rsa":
			j, err := jose.ParseJWK(g.Public)
			if err != nil {
				t.Fatalf("%s: %v", g.Comment, err)
			}
			k, err := j.Key()
			if err != nil {
				t.Fatalf("%s: %v", g.Comment, err)
			}
			keys = staticSet{k}
		case "jws_rsa_roca_key":
			// The ROCA key's modulus is 2049 bits: no KMS key has it, and
			// kmspub refuses the JWK before any token.
			j, err := jose.ParseJWK(g.Public)
			if err == nil {
				_, err = j.Key()
			}
			if !errors.Is(err, jose.ErrMalformed) {
				t.Errorf("%s: the ROCA key was accepted: %v", g.Comment, err)
			}
			ran += len(g.Tests)
			continue
		case "jws_mixedSymmetryKeyset":
			// kmspub refuses a JWK Set that holds a secret ("k"); with the
			// set's EC key alone, the HS256 token is refused as HMAC.
			if _, err := jose.ParseJWKS(g.Private); err == nil {
				t.Errorf("%s: a JWK Set with a secret key was accepted", g.Comment)
			}
			var set struct{ Keys []json.RawMessage }
			json.Unmarshal(g.Private, &set)
			j, err := jose.ParseJWK(set.Keys[1])
			if err != nil {
				t.Fatal(err)
			}
			k, err := j.Key()
			if err != nil {
				t.Fatal(err)
			}
			keys = staticSet{k}
		default:
			notCovered += len(g.Tests)
			continue
		}
		v := jose.NewVerifier(keys)
		for _, tc := range g.Tests {
			var jws string
			if err := json.Unmarshal(tc.JWS, &jws); err != nil {
				t.Fatalf("tcId %d: %v", tc.TcID, err)
			}
			_, err := v.Verify(t.Context(), []byte(jws))
			switch {
			case tc.Result == "valid" && err != nil:
				t.Errorf("tcId %d (%s, %s): %v", tc.TcID, g.Comment, tc.Comment, err)
			case tc.Result == "invalid" && err == nil:
				t.Errorf("tcId %d (%s, %s): accepted", tc.TcID, g.Comment, tc.Comment)
			}
			ran++
		}
	}
	t.Logf("%d JWS cases run, %d not covered (HMAC-only and JWE groups)", ran, notCovered)
	if ran != 30 {
		t.Errorf("%d cases ran, want the 30 of the covered groups", ran)
	}
}

type staticSet []jose.Key

func (s staticSet) Keys(context.Context) ([]jose.Key, error) { return s, nil }
