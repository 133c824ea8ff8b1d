package kmspub_test

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/hex"
	"encoding/json"
	"github.com/kmspub/kmspub/internal/wycheproof"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// FuzzSignatureDER fuzzes the DER ECDSA-Sig-Value parsing of Verify for
// every ECDSA curve and SM2, against a model built on other parsers:
// encoding/asn1 reads SEQUENCE { r INTEGER, s INTEGER }, the bytes must be
// exactly the DER re-encoding of what it read (so BER, non-minimal
// integers and lengths, and trailing bytes are refused), 1 ≤ r, s < n, and
// the big-integer verifier of the same curve (crypto/ecdsa.Verify, decred's
// secp256k1 Signature.Verify, gmsm's sm2.Verify) accepts (r, s).
// Invariants:
//
//   - nothing panics;
//   - Verify accepts exactly when the model does;
//   - no modification of a valid signature verifies, except into its
//     malleable twin (r, n − s), DER-encoded;
//   - every refusal is KMSInvalidSignatureException with an empty message,
//     or, for an empty signature or one over 6144 bytes, KMS's
//     ValidationException.
//
// The signature is sig itself when base is 0, or the valid signature (base
// selects it) with sig XORed in at offset off, so the seeds stay short.
// The corpus is seeded with the signatures of Wycheproof's ECDSA vectors
// (BER, long lengths, huge integers …).
func FuzzSignatureDER(f *testing.F) {
	type derCase struct {
		k   *kmspub.PublicKey
		alg types.SigningAlgorithmSpec
		sig []byte
		n   *big.Int
		e   []byte // the hash (or SM2 e) the signature is over
	}
	var cases []derCase
	for _, c := range sigFuzzCases(f) {
		spec := c.k.KeySpec()
		var n *big.Int
		switch {
		case spec == types.KeySpecEccSecgP256k1:
			n = secp256k1.S256().N
		case spec == types.KeySpecSm2:
			n = sm2.P256().Params().N
		case c.alg == types.SigningAlgorithmSpecEcdsaSha256 || c.alg == types.SigningAlgorithmSpecEcdsaSha384 || c.alg == types.SigningAlgorithmSpecEcdsaSha512:
			n = c.k.CryptoPublicKey().(*ecdsa.PublicKey).Curve.Params().N
		default:
			continue
		}
		e, _, err := c.k.Digest(bytes.NewReader(c.msg), c.alg)
		sigCheck(f, err)
		cases = append(cases, derCase{c.k, c.alg, c.sig, n, e})
	}
	for i, c := range cases {
		f.Add(uint8(i), uint8(0), uint16(0), c.sig)
		f.Add(uint8(i), uint8(1), uint16(0), []byte{})
		f.Add(uint8(i), uint8(1), uint16(1), []byte{0x80}) // long-form length
		f.Add(uint8(i), uint8(1), uint16(len(c.sig)-1), []byte{1})
		// The malleable twin (r, n − s).
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(c.sig, &rs); err != nil {
			f.Fatal(err)
		}
		twin, err := asn1.Marshal(struct{ R, S *big.Int }{rs.R, new(big.Int).Sub(c.n, rs.S)})
		sigCheck(f, err)
		f.Add(uint8(i), uint8(0), uint16(0), twin)
		f.Add(uint8(i), uint8(0), uint16(0), append(append([]byte{}, c.sig...), 0))
	}
	for _, sig := range wycheproofECDSASignatures(f) {
		f.Add(uint8(0), uint8(0), uint16(0), sig)
	}

	f.Fuzz(func(t *testing.T, which, base uint8, off uint16, sig []byte) {
		c := cases[int(which)%len(cases)]
		if base != 0 {
			modified := append([]byte{}, c.sig...)
			for i, b := range sig {
				modified[(int(off)+i)%len(modified)] ^= b
			}
			sig = modified
		}
		err := c.k.Verify(c.e, types.MessageTypeDigest, c.alg, sig)
		want := derModelAccepts(c.k, c.alg, c.n, c.e, sig)
		if (err == nil) != want {
			t.Fatalf("%s: Verify = %v, model accepts = %v, signature %x", c.alg, err, want, sig)
		}
		if err != nil {
			if len(sig) == 0 || len(sig) > kmsrules.MaxSignatureSize {
				if !wpIsCode(err, codeValidation) {
					t.Fatalf("%s: %d-byte signature: %v; want ValidationException", c.alg, len(sig), err)
				}
				return
			}
			wantInvalidSignatureFuzz(t, err, string(c.alg))
			return
		}
		if base == 0 {
			// Arbitrary bytes the model accepts: another valid signature
			// over e (seeds hold ones made in other processes).
			return
		}
		// A modification of c.sig was accepted: it must be c.sig itself
		// (data all zero) or its twin, in DER.
		var got, orig struct{ R, S *big.Int }
		asn1.Unmarshal(sig, &got)
		asn1.Unmarshal(c.sig, &orig)
		twinS := new(big.Int).Sub(c.n, orig.S)
		if got.R.Cmp(orig.R) != 0 || (got.S.Cmp(orig.S) != 0 && got.S.Cmp(twinS) != 0) {
			t.Fatalf("%s: a signature other than the valid one (or its twin) verified: %x", c.alg, sig)
		}
	})
}

// derModelAccepts is the model of a valid DER ECDSA/SM2 signature.
func derModelAccepts(k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, n *big.Int, e, sig []byte) bool {
	if len(sig) == 0 || len(sig) > kmsrules.MaxSignatureSize {
		return false
	}
	var rs struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(sig, &rs)
	if err != nil || len(rest) != 0 {
		return false
	}
	if again, err := asn1.Marshal(rs); err != nil || string(again) != string(sig) {
		return false
	}
	for _, v := range []*big.Int{rs.R, rs.S} {
		if v.Sign() <= 0 || v.Cmp(n) >= 0 {
			return false
		}
	}
	switch pub := k.CryptoPublicKey().(type) {
	case *secp256k1.PublicKey:
		var r, s secp256k1.ModNScalar
		r.SetByteSlice(rs.R.Bytes())
		s.SetByteSlice(rs.S.Bytes())
		return secpecdsa.NewSignature(&r, &s).Verify(e, pub)
	case *ecdsa.PublicKey:
		if alg == types.SigningAlgorithmSpecSm2dsa {
			return sm2.Verify(pub, e, rs.R, rs.S)
		}
		return ecdsa.Verify(pub, e, rs.R, rs.S)
	}
	return false
}

// wycheproofECDSASignatures returns the signature bytes of the Wycheproof
// ECDSA vectors (valid and invalid) as seeds.
func wycheproofECDSASignatures(f *testing.F) [][]byte {
	var out [][]byte
	for _, name := range []string{"ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256k1_sha256_test.json"} {
		data := wycheproof.Read(f, name)
		var file struct {
			TestGroups []struct {
				Tests []struct {
					Sig string `json:"sig"`
				} `json:"tests"`
			} `json:"testGroups"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			f.Fatalf("%s: %v", name, err)
		}
		for _, g := range file.TestGroups {
			for _, v := range g.Tests {
				if sig, err := hex.DecodeString(v.Sig); err == nil {
					out = append(out, sig)
				}
			}
		}
	}
	return out
}
