package kmspubtest

import (
	"crypto/rand"
	"io"
	"runtime"
	"testing"
)

// RandomBytes returns n bytes from crypto/rand.
func RandomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// ErrReader fails every Read with Err.
type ErrReader struct{ Err error }

func (r ErrReader) Read([]byte) (int, error) { return 0, r.Err }

// CountingReader counts the bytes read through it.
type CountingReader struct {
	R io.Reader
	N int
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += n
	return n, err
}

// ZeroReader yields N zero bytes, or zero bytes for ever when N < 0, like
// /dev/zero. It has no WriteTo, so io.Copy streams it through a buffer.
type ZeroReader struct{ N int64 }

func (z *ZeroReader) Read(p []byte) (int, error) {
	if z.N == 0 {
		return 0, io.EOF
	}
	if z.N > 0 && int64(len(p)) > z.N {
		p = p[:z.N]
	}
	clear(p)
	if z.N > 0 {
		z.N -= int64(len(p))
	}
	return len(p), nil
}

// Allocated returns the bytes allocated (process-wide) while f runs, after
// a collection.
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// HeapInUse is the live heap after a full collection.
func HeapInUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
