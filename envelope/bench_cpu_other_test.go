//go:build !unix

package envelope_test

import "testing"

func benchLoop(b *testing.B, op func()) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}
