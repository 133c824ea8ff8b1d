package envelope

import (
	"errors"
	"io"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// writer encrypts a message body frame by frame. It holds at most one frame
// of plaintext: a full frame is sealed only once more plaintext arrives, so
// that Close can make the last frame, full or not, the final frame.
type writer struct {
	dst      io.Writer
	keys     *messageKeys
	aad      *esdkformat.BodyAAD
	frameLen int
	seq      uint32 // of the frame being filled
	// buf is prefix space (FinalFramePrefixSize), then one frame of
	// plaintext (n bytes so far), then room for the tag: frames are
	// sealed in place.
	buf    []byte
	n      int
	err    error // sticky: a failed write leaves the message unusable
	closed bool
}

const prefixSpace = esdkformat.FinalFramePrefixSize

func newWriter(dst io.Writer, keys *messageKeys, messageID [esdkformat.MessageIDSize]byte, frameLen int) *writer {
	return &writer{
		dst:      dst,
		keys:     keys,
		aad:      esdkformat.NewBodyAAD(messageID),
		frameLen: frameLen,
		seq:      1,
		// Grown as plaintext arrives: a short message with a large frame
		// length does not allocate the frame.
		buf: make([]byte, prefixSpace, prefixSpace+min(frameLen, 64<<10)+esdkformat.TagSize),
	}
}

var (
	errClosed       = errors.New("envelope: write to a closed message writer")
	errTooManyFrame = errors.New("envelope: the message reached 2³²−1 frames, the most the format allows; use a larger frame length")
)

// Write encrypts p. Frames are written to dst as they fill.
func (w *writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	total := len(p)
	for len(p) > 0 {
		if w.n == w.frameLen {
			// A full frame, and more plaintext: it is a regular frame.
			if err := w.sealRegular(w.buf[prefixSpace : prefixSpace+w.n]); err != nil {
				return total - len(p), err
			}
			w.n = 0
		}
		if w.n == 0 {
			// Whole frames straight from p, when more follows them: no copy.
			for len(p) > w.frameLen {
				if err := w.sealRegular(p[:w.frameLen]); err != nil {
					return total - len(p), err
				}
				p = p[w.frameLen:]
			}
		}
		c := min(len(p), w.frameLen-w.n)
		if need := prefixSpace + w.n + c + esdkformat.TagSize; need > cap(w.buf) {
			grown := make([]byte, prefixSpace+w.n, max(need, min(2*cap(w.buf), prefixSpace+w.frameLen+esdkformat.TagSize)))
			copy(grown, w.buf)
			w.buf = grown
		}
		w.buf = w.buf[:prefixSpace+w.n+c]
		copy(w.buf[prefixSpace+w.n:], p[:c])
		w.n += c
		p = p[c:]
	}
	return total, nil
}

// sealRegular writes plaintext (exactly one frame) as regular frame w.seq.
// plaintext is either w.buf's frame area, sealed in place, or a caller's
// slice, sealed into w.buf.
func (w *writer) sealRegular(plaintext []byte) error {
	if w.seq == esdkformat.EndOfFrames {
		// Frame 2³²−1 can only be the final frame.
		w.err = errTooManyFrame
		return w.err
	}
	start := prefixSpace - esdkformat.RegularFramePrefixSize
	if need := prefixSpace + w.frameLen + esdkformat.TagSize; cap(w.buf) < need {
		grown := make([]byte, prefixSpace+w.n, need)
		copy(grown, w.buf)
		w.buf = grown
		if w.n > 0 {
			plaintext = w.buf[prefixSpace : prefixSpace+w.n]
		}
	}
	esdkformat.RegularFramePrefix(w.buf[start:], w.seq)
	iv := w.buf[start+4 : prefixSpace]
	sealed := w.keys.aead.Seal(w.buf[prefixSpace:prefixSpace], iv, plaintext, w.aad.For(false, w.seq, len(plaintext)))
	if _, err := w.dst.Write(w.buf[start : prefixSpace+len(sealed)]); err != nil {
		w.err = err
		return err
	}
	w.seq++
	return nil
}

// Close writes the final frame: the plaintext not yet written, possibly
// none, possibly a full frame. It does not close the underlying writer.
// Closing twice is a no-op.
func (w *writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if cap(w.buf) < prefixSpace+w.n+esdkformat.TagSize {
		grown := make([]byte, prefixSpace+w.n, prefixSpace+w.n+esdkformat.TagSize)
		copy(grown, w.buf)
		w.buf = grown
	}
	esdkformat.FinalFramePrefix(w.buf, w.seq, w.n)
	iv := w.buf[8 : 8+esdkformat.IVSize]
	plaintext := w.buf[prefixSpace : prefixSpace+w.n]
	sealed := w.keys.aead.Seal(plaintext[:0], iv, plaintext, w.aad.For(true, w.seq, w.n))
	_, err := w.dst.Write(w.buf[:prefixSpace+len(sealed)])
	clear(w.buf)
	w.err = err
	return err
}
