//go:build unix

package envelope_test

import (
	"syscall"
	"testing"
	"time"
)

// benchLoop runs op in b.Loop and reports cpu-ns/op beside ns/op: the
// process's CPU time per operation, which a busy shared machine does not
// inflate (the root package's BenchLoop does the same).
func benchLoop(b *testing.B, op func()) {
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

func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
