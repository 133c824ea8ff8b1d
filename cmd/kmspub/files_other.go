//go:build !unix

package main

import "os"

// openNonblocking opens path read-only (there are no FIFOs to block on
// here).
func openNonblocking(path string) (*os.File, error) { return os.Open(path) }
