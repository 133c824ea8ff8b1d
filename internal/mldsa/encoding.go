package mldsa

// Decoding of keys and signatures, sampling, and the Decompose/UseHint
// rounding of FIPS 204. The bit layouts and the HintBitUnpack checks follow
// the FIPS 204 pseudocode; several loops are adapted from
// github.com/emmansun/gmsm v0.44.1 (mldsa/encoder.go, compress.go, sample.go),
// which carries this notice:
//
//	Copyright 2025 Sun Yimin. All rights reserved.
//	Use of this source code is governed by a MIT-style
//	license that can be found in the LICENSE file.
//
// (MIT License, Copyright (c) 2020 Sun Yimin: permission is granted to use,
// copy, modify, merge, publish and distribute, provided that the copyright
// notice and permission notice are included; the software is provided
// "as is", without warranty of any kind.)

import (
	"crypto/sha3"
	"encoding/binary"
)

// rejNTTPoly samples an element of T_q from SHAKE128(rho ‖ s ‖ r), FIPS 204
// Algorithm 30 (RejNTTPoly) with Algorithm 14 (CoeffFromThreeBytes). G is
// reset and reused. Every coefficient of the result is in [0, q).
func rejNTTPoly(a *poly, G *sha3.SHAKE, rho []byte, s, r byte) {
	G.Reset()
	G.Write(rho)
	G.Write([]byte{s, r})
	// 168 is the SHAKE128 rate and a multiple of 3, so reading whole blocks
	// consumes exactly the same 3-byte groups as reading 3 bytes at a time.
	var buf [168]byte
	j := 0
	for {
		G.Read(buf[:])
		for i := 0; i < len(buf); i += 3 {
			v := uint32(buf[i]) | uint32(buf[i+1])<<8 | uint32(buf[i+2]&0x7f)<<16
			if v < q {
				a[j] = int32(v)
				j++
				if j == n {
					return
				}
			}
		}
	}
}

// unpackT1 decodes one polynomial of t1 (SimpleBitUnpack with 10 bits per
// coefficient, part of FIPS 204 Algorithm 23 pkDecode) and stores t1·2^d,
// whose coefficients are in [0, 1023·2^13] = [0, q-1]. b has 320 bytes.
func unpackT1(a *poly, b []byte) {
	b = b[:320]
	for i := 0; i < n/4; i++ {
		c := b[5*i : 5*i+5]
		x := uint64(c[0]) | uint64(c[1])<<8 | uint64(c[2])<<16 | uint64(c[3])<<24 | uint64(c[4])<<32
		a[4*i+0] = int32(x&0x3ff) << d
		a[4*i+1] = int32(x>>10&0x3ff) << d
		a[4*i+2] = int32(x>>20&0x3ff) << d
		a[4*i+3] = int32(x>>30&0x3ff) << d
	}
}

// unpackZ decodes one polynomial of z, BitUnpack(b, γ1-1, γ1) from FIPS 204
// Algorithm 27 (sigDecode): each coefficient is γ1 minus an unsigned
// (gamma1Bits+1)-bit field, so it lies in [-γ1+1, γ1]. It reports whether
// every coefficient satisfies |z_i| < bound, the infinity-norm condition
// ‖z‖∞ < γ1 - β of FIPS 204 Algorithm 8 step 13. b has 32·(gamma1Bits+1)
// bytes.
func unpackZ(a *poly, b []byte, gamma1Bits uint, bound int32) bool {
	var bad int32 // sign bit set iff some |z_i| >= bound
	switch gamma1Bits {
	case 17:
		const gamma1, mask = 1 << 17, 1<<18 - 1
		b = b[:576]
		for i := 0; i < n/4; i++ {
			c := b[9*i : 9*i+9]
			x := binary.LittleEndian.Uint64(c)
			z0 := gamma1 - int32(x&mask)
			z1 := gamma1 - int32(x>>18&mask)
			z2 := gamma1 - int32(x>>36&mask)
			z3 := gamma1 - int32((x>>54|uint64(c[8])<<10)&mask)
			a[4*i+0], a[4*i+1], a[4*i+2], a[4*i+3] = z0, z1, z2, z3
			bad |= (bound - 1 - abs32(z0)) | (bound - 1 - abs32(z1)) |
				(bound - 1 - abs32(z2)) | (bound - 1 - abs32(z3))
		}
	case 19:
		const gamma1, mask = 1 << 19, 1<<20 - 1
		b = b[:640]
		for i := 0; i < n/4; i++ {
			c := b[10*i : 10*i+10]
			x := binary.LittleEndian.Uint64(c)
			z0 := gamma1 - int32(x&mask)
			z1 := gamma1 - int32(x>>20&mask)
			z2 := gamma1 - int32(x>>40&mask)
			z3 := gamma1 - int32((x>>60|(uint64(c[8])|uint64(c[9])<<8)<<4)&mask)
			a[4*i+0], a[4*i+1], a[4*i+2], a[4*i+3] = z0, z1, z2, z3
			bad |= (bound - 1 - abs32(z0)) | (bound - 1 - abs32(z1)) |
				(bound - 1 - abs32(z2)) | (bound - 1 - abs32(z3))
		}
	default:
		return false
	}
	return bad >= 0
}

func abs32(x int32) int32 {
	m := x >> 31
	return (x ^ m) - m
}

// hintsValid reports whether y (the last ω+k bytes of a signature) is a
// canonical hint encoding, i.e. whether FIPS 204 Algorithm 21 HintBitUnpack
// returns a value rather than ⊥:
//
//   - the cumulative counts y[ω+i] never decrease and never exceed ω;
//   - within each polynomial the coefficient indices are strictly increasing;
//   - the unused index bytes y[count..ω) are all zero.
//
// When it returns true, the hinted coefficients of polynomial i are the
// bytes y[start:end] with start = y[ω+i-1] (0 for i = 0) and end = y[ω+i].
func hintsValid(y []byte, k, omega int) bool {
	if len(y) != omega+k {
		return false
	}
	index := 0
	for i := 0; i < k; i++ {
		limit := int(y[omega+i])
		if limit < index || limit > omega {
			return false
		}
		first := index
		for ; index < limit; index++ {
			if index > first && y[index-1] >= y[index] {
				return false
			}
		}
	}
	for ; index < omega; index++ {
		if y[index] != 0 {
			return false
		}
	}
	return true
}

// sampleInBall sets c to the challenge polynomial of FIPS 204 Algorithm 29
// SampleInBall(c̃): exactly tau coefficients are ±1, the others 0. The whole
// of c̃ (λ/4 bytes) is absorbed, as in the final FIPS 204.
func sampleInBall(c *poly, cTilde []byte, tau int) {
	var h sha3.SHAKE // the zero value is SHAKE256
	h.Write(cTilde)
	var buf [136]byte // SHAKE256 rate
	h.Read(buf[:])
	signs := binary.LittleEndian.Uint64(buf[:8])
	pos := 8
	*c = poly{}
	for i := n - tau; i < n; i++ {
		var j int
		for {
			if pos == len(buf) {
				h.Read(buf[:])
				pos = 0
			}
			j = int(buf[pos])
			pos++
			if j <= i {
				break
			}
		}
		c[i] = c[j]
		c[j] = 1 - 2*int32(signs&1)
		signs >>= 1
	}
}

// highBits88 returns r1 of Decompose(r) (FIPS 204 Algorithm 36) for
// γ2 = (q-1)/88, r in [0, q). r1 is in [0, 43].
func highBits88(r int32) int32 {
	r1 := (r + 127) >> 7
	r1 = (r1*11275 + (1 << 23)) >> 24
	r1 ^= ((43 - r1) >> 31) & r1
	return r1
}

// highBits32 returns r1 of Decompose(r) (FIPS 204 Algorithm 36) for
// γ2 = (q-1)/32, r in [0, q). r1 is in [0, 15].
func highBits32(r int32) int32 {
	r1 := (r + 127) >> 7
	r1 = (r1*1025 + (1 << 21)) >> 22
	return r1 & 15
}

// useHint1 returns UseHint(1, r) (FIPS 204 Algorithm 40) for r in [0, q):
// r1 + 1 mod m if r0 > 0, else r1 - 1 mod m, with m = (q-1)/(2γ2) and
// (r1, r0) = Decompose(r).
func useHint1(r, gamma2 int32) int32 {
	var r1, m int32
	if gamma2 == (q-1)/88 {
		r1, m = highBits88(r), 44
	} else {
		r1, m = highBits32(r), 16
	}
	r0 := r - r1*2*gamma2
	r0 -= (((q-1)/2 - r0) >> 31) & q // centre: r0 in (-γ2, γ2], or the r1=0 wrap case
	if r0 > 0 {
		if r1 == m-1 {
			return 0
		}
		return r1 + 1
	}
	if r1 == 0 {
		return m - 1
	}
	return r1 - 1
}

// packW1_6 is w1Encode for one polynomial with coefficients in [0, 43]
// (SimpleBitPack, 6 bits, ML-DSA-44). dst has 192 bytes.
func packW1_6(dst []byte, w1 *[n]int32) {
	dst = dst[:192]
	for i := 0; i < n/4; i++ {
		x := uint32(w1[4*i]) | uint32(w1[4*i+1])<<6 | uint32(w1[4*i+2])<<12 | uint32(w1[4*i+3])<<18
		o := dst[3*i : 3*i+3]
		o[0], o[1], o[2] = byte(x), byte(x>>8), byte(x>>16)
	}
}

// packW1_4 is w1Encode for one polynomial with coefficients in [0, 15]
// (SimpleBitPack, 4 bits, ML-DSA-65 and ML-DSA-87). dst has 128 bytes.
func packW1_4(dst []byte, w1 *[n]int32) {
	dst = dst[:128]
	for i := range dst {
		dst[i] = byte(w1[2*i]) | byte(w1[2*i+1])<<4
	}
}
