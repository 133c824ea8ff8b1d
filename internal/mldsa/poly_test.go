package mldsa

import (
	"math/rand/v2"
	"testing"
)

func mod(a int64) int64 {
	a %= q
	if a < 0 {
		a += q
	}
	return a
}

func TestConstants(t *testing.T) {
	qq, qi := uint32(q), uint32(qInv)
	if qq*qi != 1 {
		t.Fatalf("qInv is not q^-1 mod 2^32")
	}
	mont := mod(1 << 32)
	// montF = mont^2 / 256 mod q
	if got := mod(int64(montF) * 256); got != mod(mont*mont) {
		t.Fatalf("montF·256 = %d, want mont² = %d", got, mod(mont*mont))
	}
	// First entries of the reference implementation's table.
	for k, want := range map[int]int32{1: 25847, 2: -2608894, 3: -518909, 255: 1976782} {
		if zetas[k] != want {
			t.Errorf("zetas[%d] = %d, want %d", k, zetas[k], want)
		}
	}
	for p, want := range map[*Params][2]int{MLDSA44: {1312, 2420}, MLDSA65: {1952, 3309}, MLDSA87: {2592, 4627}} {
		if p.PublicKeySize() != want[0] || p.SignatureSize() != want[1] {
			t.Errorf("%s: sizes %d/%d, want %d/%d", p, p.PublicKeySize(), p.SignatureSize(), want[0], want[1])
		}
	}
}

// schoolbook returns a·b in Z_q[X]/(X^256+1), coefficients in [0, q).
func schoolbook(a, b *poly) (c [n]int64) {
	for i := range a {
		for j := range b {
			p := mod(int64(a[i]) * int64(b[j]))
			if i+j < n {
				c[i+j] += p
			} else {
				c[i+j-n] -= p
			}
		}
	}
	for i := range c {
		c[i] = mod(c[i])
	}
	return c
}

// extremePolys returns inputs at the edge of the documented bounds
// (|coefficient| < q), which maximise the lazy growth inside the transforms.
func extremePolys(rng *rand.Rand) []poly {
	var out []poly
	var p poly
	for i := range p {
		p[i] = q - 1
	}
	out = append(out, p)
	for i := range p {
		p[i] = -(q - 1)
	}
	out = append(out, p)
	for i := range p {
		p[i] = int32(1-2*(i&1)) * (q - 1)
	}
	out = append(out, p)
	for i := range p {
		p[i] = int32(1-2*int(rng.IntN(2))) * (q - 1)
	}
	out = append(out, p)
	for i := range p {
		p[i] = int32(rng.IntN(2*q-1)) - (q - 1)
	}
	out = append(out, p)
	return out
}

func TestNTTMultiply(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := extremePolys(rng)
	for range 5 {
		var p poly
		for i := range p {
			p[i] = int32(rng.IntN(q))
		}
		inputs = append(inputs, p)
	}
	for ia := range inputs {
		for ib := range inputs {
			a, b := inputs[ia], inputs[ib]
			want := schoolbook(&a, &b)
			a.ntt()
			b.ntt()
			var c poly
			for i := range c {
				if a[i] <= -9*q || a[i] >= 9*q {
					t.Fatalf("NTT output %d out of the documented bound", a[i])
				}
				c[i] = montReduce(int64(a[i]) * int64(b[i]))
			}
			c.invNTTToMont()
			for i := range c {
				if c[i] <= -q || c[i] >= q {
					t.Fatalf("invNTT output %d out of (-q, q)", c[i])
				}
				if mod(int64(c[i])) != want[i] {
					t.Fatalf("inputs %d,%d: coefficient %d: got %d, want %d", ia, ib, i, mod(int64(c[i])), want[i])
				}
			}
		}
	}
}

func TestInvNTTExtremeInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, p := range extremePolys(rng) {
		orig := p
		p.invNTTToMont()
		for i := range p {
			if p[i] <= -q || p[i] >= q {
				t.Fatalf("invNTT output %d out of (-q, q)", p[i])
			}
		}
		// NTT(invNTTToMont(x)) = 2^32·x: check the round trip mod q.
		p.ntt()
		mont := mod(1 << 32)
		for i := range p {
			if mod(int64(p[i])) != mod(int64(orig[i])*mont) {
				t.Fatalf("round trip mismatch at %d", i)
			}
		}
	}
}

// decomposeSpec is FIPS 204 Algorithm 36 written directly from the spec.
func decomposeSpec(r, gamma2 int64) (r1, r0 int64) {
	rp := mod(r)
	alpha := 2 * gamma2
	r0 = rp % alpha
	if r0 > gamma2 {
		r0 -= alpha
	}
	if rp-r0 == q-1 {
		return 0, r0 - 1
	}
	return (rp - r0) / alpha, r0
}

func TestDecomposeUseHintExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive over Z_q")
	}
	for _, gamma2 := range []int32{(q - 1) / 88, (q - 1) / 32} {
		m := int64((q - 1) / (2 * gamma2))
		for r := int32(0); r < q; r++ {
			r1, r0 := decomposeSpec(int64(r), int64(gamma2))
			var got int32
			if gamma2 == (q-1)/88 {
				got = highBits88(r)
			} else {
				got = highBits32(r)
			}
			if int64(got) != r1 {
				t.Fatalf("γ2=%d r=%d: HighBits %d, want %d", gamma2, r, got, r1)
			}
			want := (r1 - 1 + m) % m
			if r0 > 0 {
				want = (r1 + 1) % m
			}
			if h := useHint1(r, gamma2); int64(h) != want {
				t.Fatalf("γ2=%d r=%d: UseHint(1) %d, want %d", gamma2, r, h, want)
			}
		}
	}
}

func TestHintsValid(t *testing.T) {
	const k, omega = 4, 80
	ok := make([]byte, omega+k)
	// polynomial 0: {3, 7}; polynomial 2: {0}; others empty.
	ok[0], ok[1], ok[2] = 3, 7, 0
	ok[omega+0], ok[omega+1], ok[omega+2], ok[omega+3] = 2, 2, 3, 3
	if !hintsValid(ok, k, omega) {
		t.Fatal("valid encoding rejected")
	}
	mutate := map[string]func(b []byte){
		"unordered":          func(b []byte) { b[0], b[1] = 7, 3 },
		"duplicate":          func(b []byte) { b[1] = 3 },
		"decreasing count":   func(b []byte) { b[omega+1] = 1 },
		"count above omega":  func(b []byte) { b[omega+3] = omega + 1 },
		"nonzero padding":    func(b []byte) { b[5] = 1 },
		"nonzero last slot":  func(b []byte) { b[omega-1] = 255 },
		"padding after full": func(b []byte) { b[3] = 9 },
	}
	for name, f := range mutate {
		b := append([]byte(nil), ok...)
		f(b)
		if hintsValid(b, k, omega) {
			t.Errorf("%s: invalid encoding accepted", name)
		}
	}
	// Indices may restart at 0 in the next polynomial.
	b := append([]byte(nil), ok...)
	b[2] = 200
	if !hintsValid(b, k, omega) {
		t.Error("index smaller than the previous polynomial's last index rejected")
	}
	if hintsValid(ok[:len(ok)-1], k, omega) {
		t.Error("short hint slice accepted")
	}
}
