package spki

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/kmspub/kmspub/internal/spkitest"
)

// ed25519SmallOrder is every 32-byte encoding of the eight points of small
// order on edwards25519, as hex: the eight canonical encodings and the six
// non-canonical ones (y ≥ p, or x = 0 with the sign bit set). The values are
// the blocklist of libsodium's ge25519_has_small_order and of "Taming the
// many EdDSAs" (Chalkias, Garillot, Nikolaenko, 2020), with the sign bit
// written out.
var ed25519SmallOrder = []struct{ name, hex string }{
	{"identity (order 1)", "0100000000000000000000000000000000000000000000000000000000000000"},
	{"(0, -1) (order 2)", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
	{"(+sqrt(-1), 0) (order 4)", "0000000000000000000000000000000000000000000000000000000000000000"},
	{"(-sqrt(-1), 0) (order 4)", "0000000000000000000000000000000000000000000000000000000000000080"},
	{"order 8, first", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
	{"order 8, first negated", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"},
	{"order 8, second", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"},
	{"order 8, second negated", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"},

	{"identity, x = 0 with the sign bit (non-canonical)", "0100000000000000000000000000000000000000000000000000000000000080"},
	{"identity as y = p+1 (non-canonical)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
	{"identity as y = p+1, sign bit (non-canonical)", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
	{"(0, -1), sign bit (non-canonical)", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
	{"(±sqrt(-1), 0) as y = p (non-canonical)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
	{"(±sqrt(-1), 0) as y = p, sign bit (non-canonical)", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
}

// TestEd25519SmallOrderRefused: every encoding of a small-order point is
// refused, with a reason that says why. The identity case first shows the
// attack the check prevents: crypto/ed25519 accepts R = identity, S = 0 as
// a signature of any message under the identity key.
func TestEd25519SmallOrderRefused(t *testing.T) {
	identity, _ := hex.DecodeString(ed25519SmallOrder[0].hex)
	forged := append(bytes.Clone(identity), make([]byte, 32)...)
	for _, msg := range []string{"", "pay 1000 to mallory"} {
		if !ed25519.Verify(ed25519.PublicKey(identity), []byte(msg), forged) {
			t.Fatal("crypto/ed25519 no longer accepts the identity-key forgery; the check is still needed for the other points, but update this comment")
		}
	}

	seen := map[string]bool{}
	for _, tc := range ed25519SmallOrder {
		raw, err := hex.DecodeString(tc.hex)
		if err != nil || len(raw) != 32 {
			t.Fatalf("%s: bad vector", tc.name)
		}
		if seen[tc.hex] {
			t.Fatalf("%s: listed twice", tc.name)
		}
		seen[tc.hex] = true
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(spkitest.Build(oidEd25519, nil, 0, raw))
			var e *Error
			if k != nil || !errors.As(err, &e) {
				t.Fatalf("Parse = %v, %v; want an *Error", k, err)
			}
			want := "small order"
			if strings.Contains(tc.name, "non-canonical") {
				want = "not a canonical point encoding"
			}
			if !strings.Contains(e.Reason, want) {
				t.Fatalf("reason %q, want it to say %q", e.Reason, want)
			}
		})
	}
}

// TestEd25519PointChecks: what is not a small-order point is told apart
// correctly — an encoding that is not a point, a non-canonical encoding of
// an ordinary y, and valid points, which load.
func TestEd25519PointChecks(t *testing.T) {
	le := func(y byte) []byte { b := make([]byte, 32); b[0] = y; return b }
	pPlus2, _ := hex.DecodeString("efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	for _, tc := range []struct {
		name string
		raw  []byte
		want string // "" to load
	}{
		// (y² - 1)/(d·y² + 1) is not a square mod p for y = 2 and y = 7.
		{"y = 2 is not on the curve", le(2), "does not decode to a curve point"},
		{"y = 7 is not on the curve", le(7), "does not decode to a curve point"},
		{"y = p + 2", pPlus2, "not a canonical point encoding"},
		{"y = 3, a point of large order", le(3), ""},
		{"y = 3, its negation", append(le(3)[:31], 0x80), ""},
		{"the testdata key", ed25519TestKey(t), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(spkitest.Build(oidEd25519, nil, 0, tc.raw))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(k.Public.(ed25519.PublicKey), tc.raw) {
					t.Fatal("the key is not the input")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want %q", err, tc.want)
			}
		})
	}
}

func ed25519TestKey(t *testing.T) []byte {
	der := testKeyDER(t, "ECC_NIST_EDWARDS25519")
	return der[len(der)-32:]
}
