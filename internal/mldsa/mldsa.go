// Package mldsa implements ML-DSA signature verification from the message
// representative μ: FIPS 204 Algorithm 8, ML-DSA.Verify_internal(pk, μ, σ),
// for ML-DSA-44, ML-DSA-65 and ML-DSA-87.
//
// It exists because AWS KMS can sign and verify with MessageType EXTERNAL_MU,
// where the caller supplies the 64-byte μ instead of the message, and because
// an offline verifier must then check a signature against μ alone. No Go
// library exports such an entry point: as of github.com/emmansun/gmsm v0.44.1,
// gmsm's verifyInternal(sig, mu) is unexported and its public
// VerifyWithOptions needs the message (and refuses an empty one).
//
// The package also computes μ for pure ML-DSA (FIPS 204 Algorithm 3 step 6,
// the recipe AWS KMS uses for ML_DSA_SHAKE_256): μ = SHAKE256(tr ‖ 0x00 ‖
// len(ctx) ‖ ctx ‖ M, 64) with tr = SHAKE256(pk, 64), either at once or
// streamed (for files too large to load).
//
// Verification only handles public data and is not written to be constant
// time. Signing and key generation are out of scope.
package mldsa

import (
	"bytes"
	"crypto/sha3"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
)

// MuSize is the size in bytes of the message representative μ.
const MuSize = 64

// Largest k and ℓ over the three parameter sets (ML-DSA-87).
const (
	maxK = 8
	maxL = 7
)

// Params describes one ML-DSA parameter set (FIPS 204 Table 1).
type Params struct {
	name       string
	k, l       int   // dimensions of A (k rows, ℓ columns)
	tau        int   // number of ±1 coefficients in the challenge c
	cTildeSize int   // λ/4: size in bytes of the commitment hash c̃
	gamma1Bits uint  // γ1 = 2^gamma1Bits
	gamma2     int32 // low-order rounding range
	beta       int32 // τ·η
	omega      int   // maximum number of 1s in the hint h
}

// The three ML-DSA parameter sets of FIPS 204.
var (
	MLDSA44 = &Params{name: "ML-DSA-44", k: 4, l: 4, tau: 39, cTildeSize: 128 / 4, gamma1Bits: 17, gamma2: (q - 1) / 88, beta: 78, omega: 80}
	MLDSA65 = &Params{name: "ML-DSA-65", k: 6, l: 5, tau: 49, cTildeSize: 192 / 4, gamma1Bits: 19, gamma2: (q - 1) / 32, beta: 196, omega: 55}
	MLDSA87 = &Params{name: "ML-DSA-87", k: 8, l: 7, tau: 60, cTildeSize: 256 / 4, gamma1Bits: 19, gamma2: (q - 1) / 32, beta: 120, omega: 75}
)

// String returns the parameter set's name, such as "ML-DSA-44".
func (p *Params) String() string { return p.name }

// PublicKeySize returns the size of an encoded public key (pkEncode):
// 1312, 1952 or 2592 bytes.
func (p *Params) PublicKeySize() int { return 32 + p.k*320 }

// SignatureSize returns the size of an encoded signature (sigEncode):
// 2420, 3309 or 4627 bytes.
func (p *Params) SignatureSize() int {
	return p.cTildeSize + p.l*p.zPolySize() + p.omega + p.k
}

// zPolySize is the encoded size of one polynomial of z: 32·(1+bitlen(γ1-1)).
func (p *Params) zPolySize() int { return 32 * int(p.gamma1Bits+1) }

// PublicKey is a decoded ML-DSA public key with the values that verification
// needs precomputed: tr = SHAKE256(pk, 64), the matrix Â = ExpandA(ρ) and
// NTT(t1·2^d).
type PublicKey struct {
	p     *Params
	raw   []byte
	tr    [64]byte
	aHat  []poly // k·ℓ entries, row-major: Â[i][j] = aHat[i*ℓ+j]; coefficients in [0, q)
	t1Hat []poly // k entries: NTT(t1[i]·2^d); coefficients in [0, q)
}

// NewPublicKey decodes raw, a FIPS 204 pkEncode public key (the raw key that
// AWS KMS wraps in its SubjectPublicKeyInfo) for parameter set p. The only
// failure is a length other than p.PublicKeySize(): every byte string of the
// right length decodes to a valid (ρ, t1).
func NewPublicKey(p *Params, raw []byte) (*PublicKey, error) {
	if p == nil {
		return nil, errors.New("mldsa: nil parameter set")
	}
	if len(raw) != p.PublicKeySize() {
		return nil, fmt.Errorf("mldsa: invalid %s public key length %d, want %d", p.name, len(raw), p.PublicKeySize())
	}
	pk := &PublicKey{
		p:     p,
		raw:   bytes.Clone(raw),
		aHat:  make([]poly, p.k*p.l),
		t1Hat: make([]poly, p.k),
	}
	h := sha3.NewSHAKE256()
	h.Write(pk.raw)
	h.Read(pk.tr[:])

	// FIPS 204 Algorithm 32 ExpandA: Â[r][s] = RejNTTPoly(ρ ‖ s ‖ r).
	rho := pk.raw[:32]
	G := sha3.NewSHAKE128()
	for r := 0; r < p.k; r++ {
		for s := 0; s < p.l; s++ {
			rejNTTPoly(&pk.aHat[r*p.l+s], G, rho, byte(s), byte(r))
		}
	}
	// NTT(t1·2^d): inputs are in [0, q), outputs are reduced to [0, q).
	for i := range pk.t1Hat {
		t := &pk.t1Hat[i]
		unpackT1(t, pk.raw[32+320*i:])
		t.ntt()
		for j := range t {
			t[j] = freeze(t[j])
		}
	}
	return pk, nil
}

// Params returns the key's parameter set.
func (pk *PublicKey) Params() *Params { return pk.p }

// Bytes returns a copy of the encoded public key.
func (pk *PublicKey) Bytes() []byte { return bytes.Clone(pk.raw) }

// Mu returns μ = SHAKE256(tr ‖ 0x00 ‖ 0x00 ‖ M, 64) with tr = SHAKE256(pk, 64):
// the message representative of pure ML-DSA with an empty context (FIPS 204
// Algorithm 3 with ctx = ""), which is what AWS KMS ML_DSA_SHAKE_256 signs.
// An empty message is allowed.
func (pk *PublicKey) Mu(message []byte) [MuSize]byte {
	mu, _ := pk.MuWithContext(message, nil)
	return mu
}

// MuWithContext returns μ = SHAKE256(tr ‖ 0x00 ‖ len(ctx) ‖ ctx ‖ M, 64), the
// message representative of pure ML-DSA with context string ctx (FIPS 204
// Algorithms 2 and 3). It fails if ctx is longer than 255 bytes, in which case
// FIPS 204 Algorithm 3 returns false for every signature.
func (pk *PublicKey) MuWithContext(message, ctx []byte) ([MuSize]byte, error) {
	var mu [MuSize]byte
	if len(ctx) > 255 {
		return mu, errors.New("mldsa: context longer than 255 bytes")
	}
	var h sha3.SHAKE // the zero value is SHAKE256
	h.Write(pk.tr[:])
	h.Write([]byte{0, byte(len(ctx))})
	h.Write(ctx)
	h.Write(message)
	h.Read(mu[:])
	return mu, nil
}

// MuHash computes μ over a message written to it in pieces, for pure ML-DSA
// with an empty context; see PublicKey.Mu. It implements hash.Hash.
type MuHash struct {
	tr [64]byte
	h  sha3.SHAKE
}

var _ hash.Hash = (*MuHash)(nil)

// NewMuHash returns a MuHash that has already absorbed tr ‖ 0x00 ‖ 0x00; after
// the message M is written to it, Sum appends μ = pk.Mu(M).
func (pk *PublicKey) NewMuHash() *MuHash {
	m := &MuHash{tr: pk.tr}
	m.Reset()
	return m
}

// Write absorbs more of the message. It never returns an error.
func (m *MuHash) Write(p []byte) (int, error) { return m.h.Write(p) }

// Sum appends μ of the message written so far to b. It does not change the
// state, so more data may be written afterwards.
func (m *MuHash) Sum(b []byte) []byte {
	state, err := m.h.MarshalBinary()
	if err != nil {
		panic("mldsa: cannot snapshot SHAKE256 state: " + err.Error())
	}
	var c sha3.SHAKE
	if err := c.UnmarshalBinary(state); err != nil {
		panic("mldsa: cannot restore SHAKE256 state: " + err.Error())
	}
	var mu [MuSize]byte
	c.Read(mu[:])
	return append(b, mu[:]...)
}

// Reset discards the message written so far (the tr ‖ 0x00 ‖ 0x00 prefix stays).
func (m *MuHash) Reset() {
	m.h.Reset()
	m.h.Write(m.tr[:])
	m.h.Write([]byte{0, 0})
}

// Size returns MuSize (64).
func (m *MuHash) Size() int { return MuSize }

// BlockSize returns the SHAKE256 rate in bytes (136).
func (m *MuHash) BlockSize() int { return m.h.BlockSize() }

// VerifyMu reports whether sig is a valid ML-DSA signature of the message
// representative mu under pk: FIPS 204 Algorithm 8, ML-DSA.Verify_internal.
// It returns true if and only if all of the following hold:
//
//   - len(mu) == 64 and len(sig) == pk.Params().SignatureSize();
//   - the hint part of sig is a canonical encoding (FIPS 204 Algorithm 21
//     HintBitUnpack does not return ⊥): per-polynomial counts are
//     non-decreasing and at most ω, indices are strictly increasing within each
//     polynomial, and unused index bytes are zero;
//   - every coefficient of z (BitUnpack of sig, in [-γ1+1, γ1]) has absolute
//     value below γ1 - β;
//   - c̃ (the first λ/4 bytes of sig) equals
//     SHAKE256(μ ‖ w1Encode(UseHint(h, NTT^-1(Â·NTT(z) - NTT(c)·NTT(t1·2^d)))), λ/4)
//     with c = SampleInBall(c̃).
//
// mu is used as given; see Mu and MuWithContext for computing it. VerifyMu
// never panics, whatever the lengths and contents of mu and sig, makes no
// allocations, and is safe for concurrent use (the key is read-only after
// NewPublicKey).
func (pk *PublicKey) VerifyMu(mu, sig []byte) bool {
	if pk == nil || pk.p == nil {
		return false
	}
	p := pk.p
	if len(mu) != MuSize || len(sig) != p.SignatureSize() {
		return false
	}
	zSize := p.zPolySize()
	cTilde := sig[:p.cTildeSize]
	zBytes := sig[p.cTildeSize : p.cTildeSize+p.l*zSize]
	hBytes := sig[p.cTildeSize+p.l*zSize:]
	if !hintsValid(hBytes, p.k, p.omega) {
		return false
	}

	// z, with the norm check, then NTT(z). |z_i| ≤ 2^19 < q, so every
	// coefficient of NTT(z) is below 9q in absolute value.
	var zHat [maxL]poly
	bound := int32(1)<<p.gamma1Bits - p.beta
	for s := 0; s < p.l; s++ {
		if !unpackZ(&zHat[s], zBytes[s*zSize:(s+1)*zSize], p.gamma1Bits, bound) {
			return false
		}
		zHat[s].ntt()
	}

	// NTT(c): c has coefficients in {-1, 0, 1}, so |NTT(c)_i| < 9q.
	var cHat poly
	sampleInBall(&cHat, cTilde, p.tau)
	cHat.ntt()

	var h sha3.SHAKE // SHAKE256(μ ‖ w1Encode(w1'))
	h.Write(mu)
	var (
		w   poly
		w1  [n]int32
		enc [192]byte
	)
	hints := hBytes[:p.omega]
	hintStart := 0
	for i := 0; i < p.k; i++ {
		// w = (Σ_s Â[i][s]∘ẑ[s] - ĉ∘t̂1[i])·2^-32, coefficient-wise. Each
		// product is below q·9q in absolute value and there are at most
		// ℓ+1 = 8 terms, so every sum is below 72q² < 2^31·q, as montReduce
		// requires; its result, below q in absolute value, is what
		// invNTTToMont requires.
		t1 := &pk.t1Hat[i]
		row := pk.aHat[i*p.l : (i+1)*p.l]
		rowTimesZ(&w, row, zHat[:len(row)], &cHat, t1)
		// The 2^-32 from montReduce is cancelled by invNTTToMont's 2^32.
		w.invNTTToMont()
		for j := range w {
			w[j] += (w[j] >> 31) & q // (-q, q) -> [0, q)
		}

		// w1' = UseHint(h_i, w'_Approx): HighBits everywhere, then UseHint
		// at the hinted positions.
		hintEnd := int(hBytes[p.omega+i])
		if p.gamma2 == (q-1)/88 {
			for j := range w {
				w1[j] = highBits88(w[j])
			}
		} else {
			for j := range w {
				w1[j] = highBits32(w[j])
			}
		}
		for _, j := range hints[hintStart:hintEnd] {
			w1[j] = useHint1(w[j], p.gamma2)
		}
		hintStart = hintEnd

		if p.gamma2 == (q-1)/88 {
			packW1_6(enc[:], &w1)
			h.Write(enc[:192])
		} else {
			packW1_4(enc[:], &w1)
			h.Write(enc[:128])
		}
	}
	var c2 [64]byte
	h.Read(c2[:p.cTildeSize])
	return subtle.ConstantTimeCompare(c2[:p.cTildeSize], cTilde) == 1
}

// rowTimesZ sets w[j] = montReduce(Σ_s row[s][j]·z[s][j] - c[j]·t1[j]) for
// every j, that is one row of Â∘ẑ - ĉ∘t̂1 in the NTT domain, times 2^-32.
// The caller guarantees |Σ| < 2^31·q. The common row lengths are unrolled.
func rowTimesZ(w *poly, row, z []poly, c, t1 *poly) {
	switch len(row) {
	case 4:
		a0, a1, a2, a3 := &row[0], &row[1], &row[2], &row[3]
		z0, z1, z2, z3 := &z[0], &z[1], &z[2], &z[3]
		for j := range w {
			w[j] = montReduce(int64(a0[j])*int64(z0[j]) + int64(a1[j])*int64(z1[j]) +
				int64(a2[j])*int64(z2[j]) + int64(a3[j])*int64(z3[j]) - int64(c[j])*int64(t1[j]))
		}
	case 5:
		a0, a1, a2, a3, a4 := &row[0], &row[1], &row[2], &row[3], &row[4]
		z0, z1, z2, z3, z4 := &z[0], &z[1], &z[2], &z[3], &z[4]
		for j := range w {
			w[j] = montReduce(int64(a0[j])*int64(z0[j]) + int64(a1[j])*int64(z1[j]) +
				int64(a2[j])*int64(z2[j]) + int64(a3[j])*int64(z3[j]) +
				int64(a4[j])*int64(z4[j]) - int64(c[j])*int64(t1[j]))
		}
	case 7:
		a0, a1, a2, a3, a4, a5, a6 := &row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6]
		z0, z1, z2, z3, z4, z5, z6 := &z[0], &z[1], &z[2], &z[3], &z[4], &z[5], &z[6]
		for j := range w {
			w[j] = montReduce(int64(a0[j])*int64(z0[j]) + int64(a1[j])*int64(z1[j]) +
				int64(a2[j])*int64(z2[j]) + int64(a3[j])*int64(z3[j]) +
				int64(a4[j])*int64(z4[j]) + int64(a5[j])*int64(z5[j]) +
				int64(a6[j])*int64(z6[j]) - int64(c[j])*int64(t1[j]))
		}
	default:
		z = z[:len(row)]
		for j := range w {
			acc := -int64(c[j]) * int64(t1[j])
			for s := range row {
				acc += int64(row[s][j]) * int64(z[s][j])
			}
			w[j] = montReduce(acc)
		}
	}
}
