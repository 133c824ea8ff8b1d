package kmspubtest

import (
	"bytes"
	"testing"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// Frame is where a frame of an AWS Encryption SDK message starts and how
// many plaintext bytes it holds.
type Frame struct{ Start, ContentLen int }

// MessageLayout parses msg, an AWS Encryption SDK message, with
// internal/esdkformat: its header, its frames, and where the final frame
// ends — where a signed message's footer starts, and an unsigned one ends.
func MessageLayout(t testing.TB, msg []byte) (h *esdkformat.Header, frames []Frame, end int) {
	t.Helper()
	r := bytes.NewReader(msg)
	h, _, _, err := esdkformat.ReadHeader(r, esdkformat.Limits{})
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	var buf []byte
	for seq := uint32(1); ; seq++ {
		start := len(msg) - r.Len()
		f, b, err := esdkformat.ReadFrame(r, h.FrameLength, seq, buf)
		if err != nil {
			t.Fatalf("frame %d: %v", seq, err)
		}
		buf = b
		frames = append(frames, Frame{start, f.ContentLen()})
		if f.Final {
			return h, frames, len(msg) - r.Len()
		}
	}
}
