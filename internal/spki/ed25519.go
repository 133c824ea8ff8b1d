package spki

import (
	"math/big"
)

// checkEd25519 refuses an Ed25519 public key that KMS cannot have issued:
// one that is not the canonical encoding of a point on the curve (RFC 8032
// §5.1.3: y below p, and no sign bit on x = 0), and one of the eight points
// of small order. A small-order key verifies forged signatures: with the
// identity point, R = identity and S = 0 satisfy the verification equation
// for every message. crypto/ed25519 accepts such keys (it decodes
// non-canonical y too), so they are refused here, once, at load.
//
// It runs once per key load, so it is written for clarity with math/big
// rather than for speed.
func checkEd25519(raw []byte) error {
	var le [32]byte
	for i, b := range raw {
		le[31-i] = b // big.Int wants big-endian
	}
	sign := le[0] >> 7
	le[0] &= 0x7f
	y := new(big.Int).SetBytes(le[:])
	if y.Cmp(edP) >= 0 {
		return fail("Ed25519 public key is not a canonical point encoding (y is not below 2^255-19)")
	}
	x, ok := edRecoverX(y)
	if !ok {
		return fail("Ed25519 public key does not decode to a curve point")
	}
	if x.Sign() == 0 && sign == 1 {
		return fail("Ed25519 public key is not a canonical point encoding (x = 0 with the sign bit set)")
	}
	if x.Bit(0) != uint(sign) {
		x.Sub(edP, x)
	}
	// The curve's group has order 8·ℓ; P has small order exactly when 8P
	// is the identity (0, 1).
	px, py := x, y
	for range 3 {
		px, py = edAdd(px, py, px, py)
	}
	if px.Sign() == 0 && py.Cmp(big.NewInt(1)) == 0 {
		return fail("Ed25519 public key is a point of small order, which would verify forged signatures")
	}
	return nil
}

var (
	edP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// edD = -121665/121666 mod p.
	edD = func() *big.Int {
		d := new(big.Int).ModInverse(big.NewInt(121666), edP)
		d.Mul(d, big.NewInt(-121665))
		return d.Mod(d, edP)
	}()
	// edSqrtM1 = 2^((p-1)/4), a square root of -1 mod p.
	edSqrtM1 = new(big.Int).Exp(big.NewInt(2), new(big.Int).Rsh(new(big.Int).Sub(edP, big.NewInt(1)), 2), edP)
)

// edRecoverX returns an x with -x² + y² = 1 + d·x²·y², if there is one:
// x² = (y² - 1) / (d·y² + 1), whose square root is found as RFC 8032
// §5.1.3 step 3 does.
func edRecoverX(y *big.Int) (*big.Int, bool) {
	y2 := new(big.Int).Mul(y, y)
	u := new(big.Int).Sub(y2, big.NewInt(1))
	u.Mod(u, edP)
	v := new(big.Int).Mul(edD, y2)
	v.Add(v, big.NewInt(1)).Mod(v, edP)
	x2 := new(big.Int).ModInverse(v, edP) // v is never 0: d is not a square
	x2.Mul(x2, u).Mod(x2, edP)
	exp := new(big.Int).Add(edP, big.NewInt(3))
	exp.Rsh(exp, 3)
	x := new(big.Int).Exp(x2, exp, edP)
	check := new(big.Int).Mul(x, x)
	check.Mod(check, edP)
	if check.Cmp(x2) == 0 {
		return x, true
	}
	if check.Add(check, x2).Mod(check, edP).Sign() == 0 { // x² = -x2
		x.Mul(x, edSqrtM1).Mod(x, edP)
		return x, true
	}
	return nil, false
}

// edAdd adds two points of the twisted Edwards curve -x² + y² = 1 +
// d·x²·y² in affine coordinates. The formula is complete on this curve (d
// is not a square), so it also doubles.
func edAdd(x1, y1, x2, y2 *big.Int) (*big.Int, *big.Int) {
	t := new(big.Int).Mul(x1, x2)
	t.Mul(t, y1).Mul(t, y2).Mul(t, edD).Mod(t, edP) // d·x1·x2·y1·y2
	xn := new(big.Int).Mul(x1, y2)
	xn.Add(xn, new(big.Int).Mul(y1, x2))
	xd := new(big.Int).Add(big.NewInt(1), t)
	yn := new(big.Int).Mul(y1, y2)
	yn.Add(yn, new(big.Int).Mul(x1, x2)) // a = -1: y1y2 - a·x1x2
	yd := new(big.Int).Sub(big.NewInt(1), t)
	x3 := xn.Mul(xn, xd.ModInverse(xd.Mod(xd, edP), edP)).Mod(xn, edP)
	y3 := yn.Mul(yn, yd.ModInverse(yd.Mod(yd, edP), edP)).Mod(yn, edP)
	return x3, y3
}
