package mldsa

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// fixture is a fixed key per parameter set, with gmsm's verifier for it and a
// few valid signatures.
type fixture struct {
	p    *Params
	pk   *PublicKey
	ref  func(sig, msg, ctx []byte) bool
	msgs [][]byte
	sigs [][]byte
}

var (
	fixturesOnce sync.Once
	fixtures     []fixture
	fixturesErr  error
)

func loadFixtures(tb testing.TB) []fixture {
	tb.Helper()
	fixturesOnce.Do(func() {
		for i, p := range allParams {
			seed := make([]byte, 32)
			seed[0] = byte(i + 1)
			key, err := newRefKey(p, seed)
			if err != nil {
				fixturesErr = err
				return
			}
			pk, err := NewPublicKey(p, key.pub)
			if err != nil {
				fixturesErr = err
				return
			}
			ref, err := refVerifier(p, key.pub)
			if err != nil {
				fixturesErr = err
				return
			}
			f := fixture{p: p, pk: pk, ref: ref}
			signRand := rand.NewChaCha8([32]byte{byte(i), 'f', 'u', 'z', 'z'})
			for _, m := range []string{"a", "hello, world", "AWS KMS EXTERNAL_MU"} {
				sig, err := key.sign(signRand, []byte(m))
				if err != nil {
					fixturesErr = err
					return
				}
				f.msgs = append(f.msgs, []byte(m))
				f.sigs = append(f.sigs, sig)
			}
			fixtures = append(fixtures, f)
		}
	})
	if fixturesErr != nil {
		tb.Fatal(fixturesErr)
	}
	return fixtures
}

// FuzzVerifyMu feeds arbitrary signatures and μ values to VerifyMu for a fixed
// key of each parameter set. Invariants: VerifyMu never panics, and for
// μ = Mu(msg) with a non-empty msg its result equals gmsm's
// VerifyWithOptions(sig, msg) (gmsm refuses empty messages, so for those only
// the absence of panics is checked).
//
// The signature is built from the inputs in one of two ways:
//
//   - base == 0: sig is data itself, arbitrary bytes of any length;
//   - base != 0: sig is one of the fixture's valid signatures (chosen by base)
//     with data XORed in starting at byte offset off (wrapping around). The
//     seeds use this form with empty data, i.e. valid signatures together with
//     their messages.
//
// The second form keeps the []byte inputs short. Go's fuzzer minimizes every
// input that finds new coverage, in time quadratic in its length, and with
// multi-kilobyte signatures as inputs a -fuzztime=30s run spent nearly all of
// its time minimizing (under 100 executions in total).
func FuzzVerifyMu(f *testing.F) {
	fx := loadFixtures(f)
	for i, x := range fx {
		for j := range x.sigs {
			mu := x.pk.Mu(x.msgs[j])
			f.Add(uint8(i), uint8(j+1), uint16(0), []byte{}, x.msgs[j], mu[:])
		}
		// A valid signature with a flipped bit in c̃, in z and in the hints.
		f.Add(uint8(i), uint8(1), uint16(0), []byte{1}, x.msgs[0], []byte{})
		f.Add(uint8(i), uint8(2), uint16(x.p.cTildeSize+5), []byte{0x10}, x.msgs[1], []byte{})
		f.Add(uint8(i), uint8(3), uint16(x.p.SignatureSize()-x.p.k-1), []byte{0x01}, x.msgs[2], []byte{})
		// Arbitrary bytes.
		f.Add(uint8(i), uint8(0), uint16(0), []byte("not a signature"), []byte("x"), make([]byte, MuSize))
	}
	f.Fuzz(func(t *testing.T, set, base uint8, off uint16, data, msg, rawMu []byte) {
		x := fx[int(set)%len(fx)]
		sig := data
		if base != 0 {
			sig = clone(x.sigs[int(base-1)%len(x.sigs)])
			for k, b := range data {
				sig[(int(off)+k)%len(sig)] ^= b
			}
		}
		_ = x.pk.VerifyMu(rawMu, sig) // must not panic

		mu := x.pk.Mu(msg)
		got := x.pk.VerifyMu(mu[:], sig)
		if len(msg) == 0 {
			return
		}
		if want := x.ref(sig, msg, nil); got != want {
			t.Fatalf("%s: VerifyMu = %v, gmsm = %v (sig %d bytes, msg %d bytes)", x.p, got, want, len(sig), len(msg))
		}
	})
}
