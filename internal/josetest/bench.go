package josetest

import (
	"os"
	"testing"
)

// The adapter modules' benchmarks pair each library's own verifier (with a
// plain crypto.PublicKey) with the same library verifying through kmspub,
// as the root package's do: every leaf is .../impl=bare or .../impl=kmspub,
// so that `benchstat -col /impl` gives kmspub's ratio, and cpu-ns/op (the
// process's CPU time per operation) is reported beside ns/op, since on a
// shared machine only the former ignores time spent descheduled.

// BenchLoop runs op in a b.Loop loop, reporting allocations and cpu-ns/op.
func BenchLoop(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	start, ok := processCPU()
	for b.Loop() {
		op()
	}
	if end, _ := processCPU(); ok {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// RunPair runs name/impl=bare then name/impl=kmspub, or the other way
// round when KMSPUB_BENCH_KMSPUB_FIRST=1 (alternate it between rounds so
// that neither side always pays for running first).
func RunPair(b *testing.B, name string, bare, kmspub func(b *testing.B)) {
	b.Helper()
	first, second := "bare", "kmspub"
	f, g := bare, kmspub
	if os.Getenv("KMSPUB_BENCH_KMSPUB_FIRST") == "1" {
		first, second, f, g = second, first, g, f
	}
	b.Run(name+"/impl="+first, f)
	b.Run(name+"/impl="+second, g)
}
