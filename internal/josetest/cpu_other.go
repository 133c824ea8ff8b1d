//go:build !unix

package josetest

import "time"

// processCPU is not implemented here: BenchLoop reports ns/op only.
func processCPU() (time.Duration, bool) { return 0, false }
