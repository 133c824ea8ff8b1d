package jose

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"testing"
)

func TestECDSAConversionRoundTrip(t *testing.T) {
	for _, c := range []struct {
		curve elliptic.Curve
		size  int
	}{{elliptic.P256(), 32}, {elliptic.P384(), 48}, {elliptic.P521(), 66}} {
		key, err := ecdsa.GenerateKey(c.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 64; i++ {
			d := sha256.Sum256([]byte{byte(i)})
			der, err := ecdsa.SignASN1(rand.Reader, key, d[:])
			if err != nil {
				t.Fatal(err)
			}
			rs, err := derToRS(der, c.size)
			if err != nil {
				t.Fatalf("derToRS(%x): %v", der, err)
			}
			var want struct{ R, S *big.Int }
			if _, err := asn1.Unmarshal(der, &want); err != nil {
				t.Fatal(err)
			}
			if new(big.Int).SetBytes(rs[:c.size]).Cmp(want.R) != 0 || new(big.Int).SetBytes(rs[c.size:]).Cmp(want.S) != 0 {
				t.Fatalf("derToRS(%x) = %x", der, rs)
			}
			back, ok := rsToDER(rs, c.size)
			if !ok || !bytes.Equal(back, der) {
				t.Fatalf("rsToDER(derToRS(%x)) = %x, %v", der, back, ok)
			}
			if !ecdsa.VerifyASN1(&key.PublicKey, d[:], back) {
				t.Fatal("converted signature does not verify")
			}
		}
	}
}

func TestRSToDERLength(t *testing.T) {
	for _, n := range []int{0, 1, 63, 65, 70, 72, 128} {
		if _, ok := rsToDER(make([]byte, n), 32); ok {
			t.Errorf("rsToDER accepted %d bytes for a 32-byte curve", n)
		}
	}
	// Edge values: zero, high bit set, P-521's 66-byte values.
	for _, rs := range [][]byte{
		make([]byte, 64),
		bytes.Repeat([]byte{0xff}, 64),
		append(append(make([]byte, 31), 1, 0x80), make([]byte, 31)...),
	} {
		der, ok := rsToDER(rs, 32)
		if !ok {
			t.Fatalf("rsToDER(%x) refused", rs)
		}
		var v struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) != 0 {
			t.Fatalf("rsToDER(%x) = %x, not DER: %v", rs, der, err)
		}
	}
	der, ok := rsToDER(bytes.Repeat([]byte{0xff}, 132), 66)
	if !ok || der[1] != 0x81 {
		t.Fatalf("P-521 all-ones: %x, %v (want a long-form length)", der, ok)
	}
}

func TestDERToRSRefusesNonCanonical(t *testing.T) {
	valid := []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02}
	if _, err := derToRS(valid, 32); err != nil {
		t.Fatalf("valid DER refused: %v", err)
	}
	for name, der := range map[string][]byte{
		"empty":                 {},
		"trailing byte":         append(append([]byte{}, valid...), 0),
		"indefinite length":     {0x30, 0x80, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0, 0},
		"long form for short":   {0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},
		"leading zero":          {0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02},
		"negative":              {0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02},
		"zero r":                {0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x02},
		"three integers":        {0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x02, 0x01, 0x03},
		"one integer":           {0x30, 0x03, 0x02, 0x01, 0x01},
		"wrong tag":             {0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},
		"empty integer":         {0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02},
		"length past the end":   {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02},
		"r longer than a curve": append([]byte{0x30, 0x24, 0x02, 0x21, 0x01}, append(make([]byte, 32), 0x02, 0x01, 0x02)...),
	} {
		if rs, err := derToRS(der, 32); err == nil {
			t.Errorf("%s: derToRS(%x) = %x, want an error", name, der, rs)
		}
	}
}
