package mldsa

// Arithmetic in R_q = Z_q[X]/(X^256 + 1) and its NTT domain T_q.
//
// Coefficients are signed int32 values in "lazy" ranges, with signed
// Montgomery reduction, following the structure of the CRYSTALS-Dilithium
// reference implementation (github.com/pq-crystals/dilithium, public domain /
// CC0 or Apache 2.0): the butterflies do not reduce after every addition, and
// every bound that this relies on is written next to the code (and checked at
// the extremes by poly_test.go). Verification only handles public data, so
// none of this needs to be constant time.

const (
	n    = 256      // coefficients per polynomial
	q    = 8380417  // 2^23 - 2^13 + 1
	d    = 13       // bits dropped from t (t1 = t >> d)
	qInv = 58728449 // q^-1 mod 2^32

	// montF is mont^2/256 mod q (mont = 2^32 mod q): the final scaling of
	// invNTTToMont, which undoes the 2^-32 of one Montgomery multiplication
	// and the factor 256 of the inverse transform.
	montF = 41978
)

// poly is a polynomial in R_q or T_q.
type poly [n]int32

// zetas[k] = 1753^BitRev8(k) · 2^32 mod q, centred in (-q/2, q/2]
// (FIPS 204 Appendix B, in Montgomery form). zetas[0] is unused.
var zetas = func() (z [n]int32) {
	const zeta = 1753 // 512th primitive root of unity mod q
	mont := (int64(1) << 32) % q
	for k := 1; k < n; k++ {
		// BitRev8(k)
		r := 0
		for b := 0; b < 8; b++ {
			r |= (k >> b & 1) << (7 - b)
		}
		v := int64(1)
		base := int64(zeta)
		for e := r; e > 0; e >>= 1 {
			if e&1 == 1 {
				v = v * base % q
			}
			base = base * base % q
		}
		v = v * mont % q
		if v > q/2 {
			v -= q
		}
		z[k] = int32(v)
	}
	return z
}()

// montReduce returns r ≡ a·2^-32 (mod q) with |r| < q, provided |a| < 2^31·q.
// (FIPS 204 Algorithm 49, signed variant.)
func montReduce(a int64) int32 {
	t := int32(a) * qInv
	return int32((a - int64(t)*q) >> 32)
}

// freeze returns the representative of a in [0, q) for any int32 a.
func freeze(a int32) int32 {
	a %= q
	return a + (a>>31)&q
}

// ntt replaces a by NTT(a) (FIPS 204 Algorithm 41), without the Montgomery
// factor: the result is the plain NTT of the input, up to reduction mod q.
// Layers are processed two at a time (radix 4) to halve loads and stores.
//
// Each of the 8 layers adds less than q to the largest absolute value, so
// if every |a[i]| < B on input, every |a[i]| < B + 8q on output.
func (a *poly) ntt() {
	// Layer m (0..7) has butterflies of length 128>>m and uses
	// zetas[2^m + block].
	for m := 0; m < 8; m += 2 {
		h := 64 >> m // length of the second layer of the pair
		for b := 0; b < 1<<m; b++ {
			z1 := int64(zetas[1<<m+b])
			z2 := int64(zetas[2<<m+2*b])
			z3 := int64(zetas[2<<m+2*b+1])
			blk := a[4*h*b : 4*h*(b+1)]
			p0, p1, p2, p3 := blk[:h], blk[h:2*h], blk[2*h:3*h], blk[3*h:]
			p1, p2, p3 = p1[:len(p0)], p2[:len(p0)], p3[:len(p0)]
			for j := range p0 {
				a0, a1, a2, a3 := p0[j], p1[j], p2[j], p3[j]
				t := montReduce(z1 * int64(a2))
				a2 = a0 - t
				a0 += t
				t = montReduce(z1 * int64(a3))
				a3 = a1 - t
				a1 += t
				t = montReduce(z2 * int64(a1))
				a1 = a0 - t
				a0 += t
				t = montReduce(z3 * int64(a3))
				a3 = a2 - t
				a2 += t
				p0[j], p1[j], p2[j], p3[j] = a0, a1, a2, a3
			}
		}
	}
}

// zeta1F is -zetas[1]·montF·2^-32 mod q, centred: the last inverse butterfly
// fused with the final scaling by montF.
var zeta1F = func() int32 {
	v := montReduce(-int64(zetas[1]) * montF)
	if v > q/2 {
		v -= q
	} else if v < -q/2 {
		v += q
	}
	return v
}()

// invNTTToMont replaces a by 2^32 · NTT^-1(a) (FIPS 204 Algorithm 42 with an
// extra Montgomery factor, which cancels the 2^-32 left by montReduce in a
// pointwise product). Input: every |a[i]| < q. Output: every |a[i]| < q.
// Layers are processed two at a time (radix 4), and the final scaling by
// montF = mont^2/256 is fused into the last layer.
//
// The sums are not reduced, so they at most double per layer: before the
// last layer they are below 128q, and their sums below 256q = 2145386752 <
// 2^31 fit an int32. All zetas are centred (|zeta| ≤ q/2), so every product
// given to montReduce is below 2^31·q.
func (a *poly) invNTTToMont() {
	// Layer with length L uses -zetas[2·nb-1-block], nb = 128/L.
	for m := 0; m < 6; m += 2 {
		l := 1 << m // length of the first layer of the pair
		nb := 128 / l
		for b := 0; b < nb/2; b++ {
			zA := -int64(zetas[2*nb-1-2*b])
			zB := -int64(zetas[2*nb-2-2*b])
			zC := -int64(zetas[nb-1-b])
			blk := a[4*l*b : 4*l*(b+1)]
			p0, p1, p2, p3 := blk[:l], blk[l:2*l], blk[2*l:3*l], blk[3*l:]
			p1, p2, p3 = p1[:len(p0)], p2[:len(p0)], p3[:len(p0)]
			for j := range p0 {
				a0, a1, a2, a3 := p0[j], p1[j], p2[j], p3[j]
				a0, a1 = a0+a1, montReduce(zA*int64(a0-a1))
				a2, a3 = a2+a3, montReduce(zB*int64(a2-a3))
				a0, a2 = a0+a2, montReduce(zC*int64(a0-a2))
				a1, a3 = a1+a3, montReduce(zC*int64(a1-a3))
				p0[j], p1[j], p2[j], p3[j] = a0, a1, a2, a3
			}
		}
	}
	// Layers of length 64 and 128, with the scaling by montF.
	zA, zB, zF := -int64(zetas[3]), -int64(zetas[2]), int64(zeta1F)
	p0, p1, p2, p3 := a[:64], a[64:128], a[128:192], a[192:]
	for j := range p0 {
		a0, a1, a2, a3 := p0[j], p1[j], p2[j], p3[j]
		a0, a1 = a0+a1, montReduce(zA*int64(a0-a1))
		a2, a3 = a2+a3, montReduce(zB*int64(a2-a3))
		a0, a2 = montReduce(montF*int64(a0+a2)), montReduce(zF*int64(a0-a2))
		a1, a3 = montReduce(montF*int64(a1+a3)), montReduce(zF*int64(a1-a3))
		p0[j], p1[j], p2[j], p3[j] = a0, a1, a2, a3
	}
}
