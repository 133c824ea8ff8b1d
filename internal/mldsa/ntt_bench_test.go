package mldsa

// Microbenchmarks of the transforms, which dominate VerifyMu.

import "testing"

func BenchmarkNTT(b *testing.B) {
	var p poly
	for i := range p {
		p[i] = int32(i * 1000)
	}
	for b.Loop() {
		x := p
		x.ntt()
	}
}

func BenchmarkInvNTT(b *testing.B) {
	var p poly
	for i := range p {
		p[i] = int32(i * 1000)
	}
	for b.Loop() {
		x := p
		x.invNTTToMont()
	}
}
