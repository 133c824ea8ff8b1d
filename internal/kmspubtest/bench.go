package kmspubtest

import (
	"os"
	"testing"
)

// BenchLoop runs op in a b.Loop loop and reports, beside ns/op, cpu-ns/op:
// the CPU time the whole process used (every thread, GC included) per
// operation. On a shared machine ns/op grows whenever the benchmark is
// descheduled; CPU time does not, so with -cpu 1 cpu-ns/op compares kmspub
// with the bare primitive even under load.
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

// BenchParallel is BenchLoop for b.RunParallel: op runs on every P, and
// cpu-ns/op is the CPU time of all of them per operation (with -cpu 2 and
// perfect scaling, twice ns/op).
func BenchParallel(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	start, ok := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			op()
		}
	})
	if end, _ := processCPU(); ok && b.N > 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}

// RunPair runs one case as the sub-benchmarks name/impl=bare and
// name/impl=kmspub. Bare runs first, unless KMSPUB_BENCH_KMSPUB_FIRST=1:
// scripts/bench alternates the order between rounds, so that whatever the
// first run of a pair pays (a colder cache, a GC heap still growing) is paid
// by each side equally often.
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
