package mldsa

import "testing"

// BenchmarkVerifyMu compares VerifyMu (from a precomputed μ), Mu followed by
// VerifyMu, and gmsm's message-level VerifyWithOptions, on the same valid
// signature of a 19-byte message.
func BenchmarkVerifyMu(b *testing.B) {
	for _, x := range loadFixtures(b) {
		msg, sig := x.msgs[2], x.sigs[2]
		mu := x.pk.Mu(msg)
		b.Run(x.p.String()+"/VerifyMu", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !x.pk.VerifyMu(mu[:], sig) {
					b.Fatal("rejected")
				}
			}
		})
		b.Run(x.p.String()+"/Mu+VerifyMu", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m := x.pk.Mu(msg)
				if !x.pk.VerifyMu(m[:], sig) {
					b.Fatal("rejected")
				}
			}
		})
		b.Run(x.p.String()+"/gmsm-VerifyWithOptions", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !x.ref(sig, msg, nil) {
					b.Fatal("rejected")
				}
			}
		})
	}
}

// BenchmarkNewPublicKey measures key decoding with the ExpandA and NTT(t1·2^d)
// precomputation.
func BenchmarkNewPublicKey(b *testing.B) {
	for _, x := range loadFixtures(b) {
		raw := x.pk.Bytes()
		b.Run(x.p.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewPublicKey(x.p, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
