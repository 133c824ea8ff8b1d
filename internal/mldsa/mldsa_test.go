package mldsa

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// setBits writes the low width bits of v at bit offset off (little-endian
// bit order, as in FIPS 204 BitPack).
func setBits(b []byte, off, width int, v uint32) {
	for i := 0; i < width; i++ {
		byteIdx, bit := (off+i)/8, uint((off+i)%8)
		b[byteIdx] &^= 1 << bit
		b[byteIdx] |= byte(v>>uint(i)&1) << bit
	}
}

// corruption produces a modified copy of a valid signature, or nil if it does
// not apply to this signature.
type corruption struct {
	name string
	f    func(p *Params, rng *rand.Rand, sig []byte) []byte
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// hintRows returns, for a signature with a valid hint encoding, the [start,
// end) index ranges of each polynomial's hints inside the hint area.
func hintRows(p *Params, sig []byte) (area []byte, rows [][2]int) {
	area = sig[len(sig)-p.omega-p.k:]
	start := 0
	for i := 0; i < p.k; i++ {
		end := int(area[p.omega+i])
		rows = append(rows, [2]int{start, end})
		start = end
	}
	return area, rows
}

// zCoeff sets coefficient j of polynomial s of z to value z (in [-γ1+1, γ1]).
func zCoeff(p *Params, sig []byte, s, j int, z int32) {
	gamma1 := int32(1) << p.gamma1Bits
	width := int(p.gamma1Bits + 1)
	off := (p.cTildeSize+s*p.zPolySize())*8 + j*width
	setBits(sig, off, width, uint32(gamma1-z))
}

var corruptions = []corruption{
	{"flip random bit", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		i := rng.IntN(len(s) * 8)
		s[i/8] ^= 1 << (i % 8)
		return s
	}},
	{"flip bit in c~", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		i := rng.IntN(p.cTildeSize * 8)
		s[i/8] ^= 1 << (i % 8)
		return s
	}},
	{"flip bit in z", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		i := p.cTildeSize*8 + rng.IntN(p.l*p.zPolySize()*8)
		s[i/8] ^= 1 << (i % 8)
		return s
	}},
	{"flip bit in hints", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		base := len(s) - p.omega - p.k
		i := base*8 + rng.IntN((p.omega+p.k)*8)
		s[i/8] ^= 1 << (i % 8)
		return s
	}},
	{"random bytes", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		for i := range s {
			s[i] = byte(rng.Uint32())
		}
		return s
	}},
	{"truncate", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		return clone(sig[:rng.IntN(len(sig))])
	}},
	{"extend", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		for range 1 + rng.IntN(16) {
			s = append(s, byte(rng.Uint32()))
		}
		return s
	}},
	{"hints out of order", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		area, rows := hintRows(p, s)
		for _, r := range rows {
			if r[1]-r[0] >= 2 {
				i := r[0] + rng.IntN(r[1]-r[0]-1)
				area[i], area[i+1] = area[i+1], area[i]
				return s
			}
		}
		return nil
	}},
	{"duplicate hint index", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		area, rows := hintRows(p, s)
		for _, r := range rows {
			if r[1]-r[0] >= 2 {
				i := r[0] + 1 + rng.IntN(r[1]-r[0]-1)
				area[i] = area[i-1]
				return s
			}
		}
		return nil
	}},
	{"hint count above omega", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		area, _ := hintRows(p, s)
		area[p.omega+p.k-1] = byte(p.omega + 1 + rng.IntN(255-p.omega))
		return s
	}},
	{"hint counts decreasing", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		area, rows := hintRows(p, s)
		for i := 1; i < p.k; i++ {
			if rows[i-1][1] > 0 {
				area[p.omega+i] = byte(rows[i-1][1] - 1)
				return s
			}
		}
		return nil
	}},
	{"nonzero hint padding", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		area, rows := hintRows(p, s)
		used := rows[p.k-1][1]
		if used == p.omega {
			return nil
		}
		area[used+rng.IntN(p.omega-used)] = byte(1 + rng.IntN(255))
		return s
	}},
	{"extra hint appended", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		// A well-formed but wrong hint: add one index to the last polynomial.
		s := clone(sig)
		area, rows := hintRows(p, s)
		r := rows[p.k-1]
		if r[1] == p.omega {
			return nil
		}
		last := -1
		if r[1] > r[0] {
			last = int(area[r[1]-1])
		}
		if last == n-1 {
			return nil
		}
		area[r[1]] = byte(last + 1 + rng.IntN(n-1-last))
		area[p.omega+p.k-1]++
		return s
	}},
	{"z = γ1", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		zCoeff(p, s, rng.IntN(p.l), rng.IntN(n), int32(1)<<p.gamma1Bits)
		return s
	}},
	{"z = γ1-β", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		zCoeff(p, s, rng.IntN(p.l), rng.IntN(n), int32(1)<<p.gamma1Bits-p.beta)
		return s
	}},
	{"z = -(γ1-β)", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		zCoeff(p, s, rng.IntN(p.l), rng.IntN(n), -(int32(1)<<p.gamma1Bits - p.beta))
		return s
	}},
	{"z = -γ1+1", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		zCoeff(p, s, rng.IntN(p.l), rng.IntN(n), -(int32(1)<<p.gamma1Bits)+1)
		return s
	}},
	{"z = ±(γ1-β-1) (in range, wrong value)", func(p *Params, rng *rand.Rand, sig []byte) []byte {
		s := clone(sig)
		v := int32(1)<<p.gamma1Bits - p.beta - 1
		if rng.IntN(2) == 0 {
			v = -v
		}
		zCoeff(p, s, rng.IntN(p.l), rng.IntN(n), v)
		return s
	}},
}

// TestRandomAgainstGmsm signs random messages with gmsm (pure ML-DSA, empty
// context), checks that VerifyMu accepts them, then corrupts signatures and μ
// and checks that VerifyMu and gmsm's VerifyWithOptions always agree.
func TestRandomAgainstGmsm(t *testing.T) {
	const keys, msgsPerKey = 5, 8
	for pi, p := range allParams {
		t.Run(p.String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(pi), 0x6d6c647361))
			signRand := rand.NewChaCha8([32]byte{byte(pi), 'm', 'l', 'd', 's', 'a'})
			var cases, valid, rejected int
			perKind := map[string]int{}
			for range keys {
				seed := make([]byte, 32)
				for i := range seed {
					seed[i] = byte(rng.Uint32())
				}
				key, err := newRefKey(p, seed)
				if err != nil {
					t.Fatal(err)
				}
				pk, err := NewPublicKey(p, key.pub)
				if err != nil {
					t.Fatal(err)
				}
				ref, err := refVerifier(p, key.pub)
				if err != nil {
					t.Fatal(err)
				}
				check := func(kind string, mu, sig, msg []byte) {
					t.Helper()
					cases++
					perKind[kind]++
					got := pk.VerifyMu(mu, sig)
					if want := ref(sig, msg, nil); got != want {
						t.Errorf("%s: VerifyMu = %v, gmsm = %v", kind, got, want)
					}
					if got {
						valid++
					} else {
						rejected++
					}
				}
				for range msgsPerKey {
					msg := make([]byte, 1+rng.IntN(300))
					for i := range msg {
						msg[i] = byte(rng.Uint32())
					}
					sig, err := key.sign(signRand, msg)
					if err != nil {
						t.Fatal(err)
					}
					mu := pk.Mu(msg)
					if !pk.VerifyMu(mu[:], sig) {
						t.Fatalf("valid signature rejected")
					}
					check("valid", mu[:], sig, msg)

					for _, c := range corruptions {
						for range 2 {
							if bad := c.f(p, rng, sig); bad != nil {
								check(c.name, mu[:], bad, msg)
							}
						}
					}

					// Corrupted μ (VerifyMu) versus corrupted message (gmsm).
					badMu := mu
					i := rng.IntN(MuSize * 8)
					badMu[i/8] ^= 1 << (i % 8)
					badMsg := clone(msg)
					i = rng.IntN(len(msg) * 8)
					badMsg[i/8] ^= 1 << (i % 8)
					cases++
					perKind["corrupted μ / message"]++
					if pk.VerifyMu(badMu[:], sig) || ref(sig, badMsg, nil) {
						t.Errorf("signature accepted for a modified μ or message")
					}
					rejected++
					// μ of the wrong length, and μ computed with a context.
					for _, m := range [][]byte{nil, mu[:63], append(mu[:], 0)} {
						cases++
						perKind["μ of wrong length"]++
						if pk.VerifyMu(m, sig) {
							t.Errorf("μ of length %d accepted", len(m))
						}
						rejected++
					}
					ctxMu, err := pk.MuWithContext(msg, []byte("ctx"))
					if err != nil {
						t.Fatal(err)
					}
					cases++
					perKind["context mismatch"]++
					if got, want := pk.VerifyMu(ctxMu[:], sig), ref(sig, msg, []byte("ctx")); got || want {
						t.Errorf("signature without context accepted with context: VerifyMu %v, gmsm %v", got, want)
					}
					rejected++
				}
				// A signature from another key.
				other, err := newRefKey(p, append(clone(seed[1:]), seed[0]^1))
				if err != nil {
					t.Fatal(err)
				}
				msg := []byte("message")
				sig, err := other.sign(signRand, msg)
				if err != nil {
					t.Fatal(err)
				}
				mu := pk.Mu(msg)
				check("other key's signature", mu[:], sig, msg)
			}
			t.Logf("%s: %d cases, %d accepted, %d rejected; per kind %v", p, cases, valid, rejected, perKind)
			if valid < keys*msgsPerKey {
				t.Errorf("only %d signatures accepted", valid)
			}
		})
	}
}

// TestConcurrentVerify shares one key between goroutines (run with -race).
func TestConcurrentVerify(t *testing.T) {
	for _, x := range loadFixtures(t) {
		done := make(chan bool)
		for g := 0; g < 4; g++ {
			go func() {
				ok := true
				for i := 0; i < 20; i++ {
					j := (g + i) % len(x.sigs)
					mu := x.pk.Mu(x.msgs[j])
					ok = ok && x.pk.VerifyMu(mu[:], x.sigs[j]) && !x.pk.VerifyMu(mu[:], x.sigs[(j+1)%len(x.sigs)])
				}
				done <- ok
			}()
		}
		for g := 0; g < 4; g++ {
			if !<-done {
				t.Errorf("%s: wrong result under concurrent use", x.p)
			}
		}
	}
}

func TestNewPublicKeyErrors(t *testing.T) {
	if _, err := NewPublicKey(nil, make([]byte, 1312)); err == nil {
		t.Error("nil params accepted")
	}
	for _, p := range allParams {
		for _, size := range []int{0, p.PublicKeySize() - 1, p.PublicKeySize() + 1} {
			if _, err := NewPublicKey(p, make([]byte, size)); err == nil {
				t.Errorf("%s: key of %d bytes accepted", p, size)
			}
		}
		raw := make([]byte, p.PublicKeySize())
		raw[0] = 1
		pk, err := NewPublicKey(p, raw)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if pk.Params() != p || !bytes.Equal(pk.Bytes(), raw) {
			t.Errorf("%s: Params/Bytes do not round-trip", p)
		}
		raw[0] = 2 // NewPublicKey must have copied its input
		if pk.Bytes()[0] != 1 {
			t.Errorf("%s: key aliases the caller's buffer", p)
		}
		mu := pk.Mu(nil)
		for _, sig := range [][]byte{nil, {}, make([]byte, p.SignatureSize()), make([]byte, p.SignatureSize()+1)} {
			if pk.VerifyMu(mu[:], sig) {
				t.Errorf("%s: signature of %d bytes accepted", p, len(sig))
			}
		}
	}
	var nilKey *PublicKey
	if nilKey.VerifyMu(make([]byte, 64), make([]byte, 2420)) {
		t.Error("nil key accepted a signature")
	}
}

func TestMuWithContext(t *testing.T) {
	pk, err := NewPublicKey(MLDSA44, make([]byte, 1312))
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("hello")
	mu := pk.Mu(msg)
	mu0, err := pk.MuWithContext(msg, []byte{})
	if err != nil || mu0 != mu {
		t.Errorf("empty context differs from Mu (err %v)", err)
	}
	if _, err := pk.MuWithContext(msg, make([]byte, 255)); err != nil {
		t.Errorf("255-byte context refused: %v", err)
	}
	if _, err := pk.MuWithContext(msg, make([]byte, 256)); err == nil {
		t.Error("256-byte context accepted")
	}
}

// TestMuHashStreaming checks that NewMuHash, fed in random chunk sizes, gives
// the same μ as Mu, that Sum does not disturb the state, and that Reset works.
func TestMuHashStreaming(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range allParams {
		raw := make([]byte, p.PublicKeySize())
		for i := range raw {
			raw[i] = byte(rng.Uint32())
		}
		pk, err := NewPublicKey(p, raw)
		if err != nil {
			t.Fatal(err)
		}
		h := pk.NewMuHash()
		if h.Size() != 64 || h.BlockSize() != 136 {
			t.Errorf("Size/BlockSize = %d/%d", h.Size(), h.BlockSize())
		}
		for _, size := range []int{0, 1, 135, 136, 137, 1000, 1 << 20} {
			msg := make([]byte, size)
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			want := pk.Mu(msg)
			h.Reset()
			for off := 0; off < len(msg); {
				c := min(len(msg)-off, rng.IntN(5000))
				if rng.IntN(4) == 0 {
					c = min(len(msg)-off, rng.IntN(3))
				}
				if nw, err := h.Write(msg[off : off+c]); nw != c || err != nil {
					t.Fatalf("Write = %d, %v", nw, err)
				}
				off += c
				if rng.IntN(50) == 0 { // an intermediate Sum must not change the state
					if got, w := h.Sum(nil), pk.Mu(msg[:off]); !bytes.Equal(got, w[:]) {
						t.Fatalf("%s: intermediate Sum at %d differs", p, off)
					}
				}
			}
			got := h.Sum([]byte("prefix"))
			if !bytes.Equal(got[:6], []byte("prefix")) || !bytes.Equal(got[6:], want[:]) {
				t.Errorf("%s: streamed μ of %d bytes differs from Mu", p, size)
			}
			if again := h.Sum(nil); !bytes.Equal(again, want[:]) {
				t.Errorf("%s: second Sum differs", p)
			}
		}
	}
}

func TestVerifyMuAllocations(t *testing.T) {
	for _, x := range loadFixtures(t) {
		mu := x.pk.Mu(x.msgs[0])
		if a := testing.AllocsPerRun(20, func() {
			if !x.pk.VerifyMu(mu[:], x.sigs[0]) {
				t.Fatal("rejected")
			}
		}); a != 0 {
			t.Errorf("%s: VerifyMu allocates %v times per call", x.p, a)
		}
	}
}
