package jose

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub/internal/josetest"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/wycheproof"
)

// fuzzTokens returns the keys FuzzVerify verifies with, one per family, and
// tokens valid for them. ML-DSA is left out: its 3–6 KB tokens would keep
// the fuzzer minimizing (FUZZING.md, "Keep inputs short"); its verification
// has its own tests and the root package's fuzz targets.
func fuzzTokens(f *testing.F) (KeySet, []string) {
	specs := []struct {
		spec types.KeySpec
		alg  string
	}{{"ECC_NIST_P256", "ES256"}, {"RSA_2048", "PS256"}, {"ECC_SECG_P256K1", "ES256K"}, {"ECC_NIST_EDWARDS25519", "EdDSA"}}
	var keys []Key
	var valid []string
	for _, s := range specs {
		k := kmspubtest.SigningKey(f, s.spec)
		keys = append(keys, Key{PublicKey: k})
		valid = append(valid, josetest.Compact(f, s.spec, map[string]any{"alg": s.alg, "kid": k.KeyID(), "typ": "JWT"}, []byte(`{"sub":"s","exp":4102444800}`)))
	}
	valid = append(valid, josetest.Compact(f, "ECC_NIST_P256", map[string]any{"alg": "ES256", "crit": []string{"x"}, "x": 1}, []byte(`{}`)))
	return staticKeys(keys), valid
}

// FuzzVerify feeds Verify and VerifyJWT arbitrary tokens. Invariants: no
// panic; every refusal is an *Error (or the key set's error); and a token
// is accepted only when its signing input (header and payload) is that of
// a token the test signed, so no change to either ever verifies. (The
// signatures themselves are randomized, so they differ between the fuzzing
// processes; signing inputs do not.)
func FuzzVerify(f *testing.F) {
	keys, valid := fuzzTokens(f)
	signingInputs := map[string]bool{}
	for _, tok := range valid {
		signingInputs[tok[:strings.LastIndexByte(tok, '.')]] = true
		f.Add([]byte(tok))
		p := strings.Split(tok, ".")
		flat, _ := json.Marshal(map[string]string{"protected": p[0], "payload": p[1], "signature": p[2]})
		f.Add(flat)
		gen, _ := json.Marshal(map[string]any{"payload": p[1], "signatures": []any{map[string]any{"protected": p[0], "header": map[string]any{"kid": "x"}, "signature": p[2]}}})
		f.Add(gen)
	}
	var wf struct {
		TestGroups []struct {
			Tests []struct {
				JWS json.RawMessage `json:"jws"`
			} `json:"tests"`
		} `json:"testGroups"`
	}
	json.Unmarshal(wycheproof.Read(f, "json_web_crypto_test.json"), &wf)
	for _, g := range wf.TestGroups {
		for _, tc := range g.Tests {
			var s string
			if json.Unmarshal(tc.JWS, &s) == nil {
				f.Add([]byte(s))
			} else {
				f.Add([]byte(tc.JWS))
			}
		}
	}
	v := NewVerifier(keys, func(o *VerifierOptions) {
		o.Critical = []string{"x"}
		o.Clock = func() time.Time { return time.Unix(1_800_000_000, 0) }
	})
	f.Fuzz(func(t *testing.T, token []byte) {
		got, err := v.Verify(context.Background(), token)
		check := func(err error) {
			var e *Error
			if err != nil && !errors.As(err, &e) {
				t.Fatalf("refusal %T is not a *jose.Error: %v", err, err)
			}
		}
		check(err)
		if err == nil {
			s, perr := parse(token, DefaultMaxSize)
			if perr != nil {
				t.Fatalf("verified, but does not parse: %v", perr)
			}
			if !signingInputs[string(s.signingInput)] {
				t.Fatalf("a header or payload the test never signed verified: %q (header %s)", token, got.Header.Protected)
			}
		}
		_, err = v.VerifyJWT(context.Background(), token)
		check(err)
	})
}

// FuzzParseJWK: no panic; a JWK that becomes a key becomes the same key
// again after NewJWK, and private members are never accepted.
func FuzzParseJWK(f *testing.F) {
	// Short seeds only (FUZZING.md, "Keep inputs short"): no RSA-4096 or
	// ML-DSA-65/87 JWK.
	for _, spec := range []types.KeySpec{"RSA_2048", "ECC_NIST_P256", "ECC_NIST_P521", "ECC_SECG_P256K1", "ECC_NIST_EDWARDS25519", "ML_DSA_44"} {
		j, _ := NewJWK(kmspubtest.SigningKey(f, spec))
		out, _ := json.Marshal(j)
		f.Add(out)
	}
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"04N0xi21hshyvBp7I167sbE_bXqyqkAPfefdklMO7wY","y":"UI8exy-C06a7DUnjIdENkxeFtHM4-l_41LqEw9nVgmw","d":"yy49oPcINGK2ps0LmtxpB6UTEOiITghHBif6wDqmJ3c"}`))
	f.Add([]byte(`{"kty":"oct","k":"AAAA"}`))
	f.Add([]byte(`{"kty":"AKP","alg":"ML-DSA-44","pub":"AAAA","key_ops":["verify"],"use":"sig"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := ParseJWK(data)
		if err != nil {
			return
		}
		k, err := j.Key()
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		json.Unmarshal(data, &m)
		for _, p := range privateMembers {
			if _, ok := m[p]; ok {
				t.Fatalf("a JWK with %q became a key", p)
			}
		}
		again, err := NewJWK(k.PublicKey)
		if err != nil {
			if errors.Is(err, ErrUnsupportedAlgorithm) {
				return // e.g. an Ed25519 key whose alg names no JOSE algorithm
			}
			t.Fatalf("NewJWK of a parsed JWK: %v", err)
		}
		k2, err := again.Key()
		if err != nil || !bytes.Equal(k2.PublicKey.DER(), k.PublicKey.DER()) || k2.PublicKey.KeyUsage() != k.PublicKey.KeyUsage() {
			t.Fatalf("round trip: %v", err)
		}
		t1, err1 := j.Thumbprint()
		t2, err2 := Thumbprint(k.PublicKey)
		if err1 != nil || err2 != nil || t1 != t2 {
			t.Fatalf("thumbprints differ: %q %v, %q %v", t1, err1, t2, err2)
		}
	})
}

// FuzzParseJWKS: no panic, and a parsed set's KeySet gives keys or an error.
func FuzzParseJWKS(f *testing.F) {
	var keys []Key
	for _, spec := range []types.KeySpec{"ECC_NIST_P256", "ECC_NIST_EDWARDS25519"} {
		keys = append(keys, Key{PublicKey: kmspubtest.SigningKey(f, spec)})
	}
	set, _ := NewJWKS(keys)
	out, _ := json.Marshal(set)
	f.Add(out)
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseJWKS(data)
		if err != nil {
			return
		}
		if ks, err := s.KeySet(); err == nil {
			if got, _ := ks.Keys(context.Background()); len(got) == 0 {
				t.Fatal("an empty KeySet without an error")
			}
		}
	})
}

// FuzzECDSAConversion compares derToRS with encoding/asn1's DER parser and
// checks that rsToDER inverts it.
func FuzzECDSAConversion(f *testing.F) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	d := sha256.Sum256([]byte("x"))
	der, _ := ecdsa.SignASN1(rand.Reader, key, d[:])
	f.Add(der, 32)
	f.Add([]byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}, 66)
	f.Fuzz(func(t *testing.T, der []byte, size int) {
		if size < 1 || size > 66 {
			return
		}
		rs, err := derToRS(der, size)
		// The oracle: cryptobyte's strict DER (encoding/asn1 ignores
		// elements after the last field of a SEQUENCE).
		r, sv := new(big.Int), new(big.Int)
		in := cryptobyte.String(der)
		var inner cryptobyte.String
		stdOK := in.ReadASN1(&inner, cbasn1.SEQUENCE) && in.Empty() &&
			inner.ReadASN1Integer(r) && inner.ReadASN1Integer(sv) && inner.Empty() &&
			r.Sign() > 0 && sv.Sign() > 0 && len(r.Bytes()) <= size && len(sv.Bytes()) <= size
		if (err == nil) != stdOK {
			t.Fatalf("derToRS(%x, %d) = %v; cryptobyte says %v", der, size, err, stdOK)
		}
		if err != nil {
			return
		}
		back, ok := rsToDER(rs, size)
		if !ok || !bytes.Equal(back, der) {
			t.Fatalf("rsToDER(derToRS(%x)) = %x", der, back)
		}
	})
}

// FuzzJSONObject checks the header/claims scanner against encoding/json:
// it accepts exactly the UTF-8 JSON objects without a repeated top-level
// member, and gives each member's name and value as encoding/json reads
// them.
func FuzzJSONObject(f *testing.F) {
	for _, s := range []string{`{}`, ` {"a":1} `, `{"alg":"ES256","kid":"k","crit":["x"],"x":{"y":[1,2.5e-3,true,null,"\u00e9"]}}`,
		`{"a":1,"a":2}`, `{"\u0061":1,"a":2}`, `{"a":01}`, `{"a":-}`, `{"a":"\x01"}`, `{"a":[1,]}`, `{"a":1}x`, `[1]`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, err := decodeObject(data)
		want := stdObject(data)
		if (err == nil) != (want != nil) {
			t.Fatalf("decodeObject(%q) = %v; encoding/json: %v", data, err, want != nil)
		}
		if err != nil {
			return
		}
		if obj.len() != len(want) {
			t.Fatalf("%d members, encoding/json %d", obj.len(), len(want))
		}
		for name, raw := range want {
			got, ok := obj.get(name)
			if !ok || !bytes.Equal(got, raw) {
				t.Fatalf("member %q = %q, encoding/json %q", name, got, raw)
			}
		}
	})
}

// stdObject is the reference: encoding/json's reading of data as one
// object, or nil when it is not one (or repeats a top-level name, or is
// not UTF-8).
func stdObject(data []byte) map[string][]byte {
	if !utf8.Valid(data) || !json.Valid(data) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	out := map[string][]byte{}
	for dec.More() {
		tok, _ := dec.Token()
		name := tok.(string)
		if _, dup := out[name]; dup {
			return nil
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return nil
		}
		out[name] = v
	}
	return out
}
