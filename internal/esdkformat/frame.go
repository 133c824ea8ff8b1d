package esdkformat

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// Frame layouts (data-format/message-body.md):
//
//	regular frame: sequence number (4) ‖ IV (12) ‖ encrypted content (frame length) ‖ tag (16)
//	final frame:   FF FF FF FF ‖ sequence number (4) ‖ IV (12) ‖ content length (4) ‖ encrypted content ‖ tag (16)
//
// The IV of frame n is eight zero bytes and n, big-endian: every frame of a
// message has its own IV, and each message its own key.
const (
	RegularFramePrefixSize = 4 + IVSize
	FinalFramePrefixSize   = 4 + 4 + IVSize + 4
)

// FrameIV returns the IV of the frame with the given sequence number.
func FrameIV(seq uint32) [IVSize]byte {
	var iv [IVSize]byte
	binary.BigEndian.PutUint32(iv[8:], seq)
	return iv
}

// RegularFramePrefix writes the sequence number and IV of a regular frame
// into dst[:RegularFramePrefixSize].
func RegularFramePrefix(dst []byte, seq uint32) {
	binary.BigEndian.PutUint32(dst, seq)
	iv := FrameIV(seq)
	copy(dst[4:RegularFramePrefixSize], iv[:])
}

// FinalFramePrefix writes the end marker, sequence number, IV and content
// length of a final frame into dst[:FinalFramePrefixSize].
func FinalFramePrefix(dst []byte, seq uint32, contentLen int) {
	binary.BigEndian.PutUint32(dst, EndOfFrames)
	RegularFramePrefix(dst[4:], seq)
	binary.BigEndian.PutUint32(dst[4+RegularFramePrefixSize:], uint32(contentLen))
}

// Body AAD content strings (data-format/message-body-aad.md).
const (
	frameAAD      = "AWSKMSEncryptionClient Frame"
	finalFrameAAD = "AWSKMSEncryptionClient Final Frame"
)

// BodyAAD builds the AAD of each frame of one message: message ID ‖ content
// string ‖ sequence number ‖ plaintext length (eight bytes). It keeps one
// buffer per frame kind, so a frame's AAD costs two stores.
type BodyAAD struct {
	regular [MessageIDSize + len(frameAAD) + 12]byte
	final   [MessageIDSize + len(finalFrameAAD) + 12]byte
}

// NewBodyAAD returns the AAD builder for the message with this ID.
func NewBodyAAD(messageID [MessageIDSize]byte) *BodyAAD {
	a := new(BodyAAD)
	copy(a.regular[:], messageID[:])
	copy(a.regular[MessageIDSize:], frameAAD)
	copy(a.final[:], messageID[:])
	copy(a.final[MessageIDSize:], finalFrameAAD)
	return a
}

// For returns the AAD of a frame. The slice is valid until the next call.
func (a *BodyAAD) For(final bool, seq uint32, contentLen int) []byte {
	b := a.regular[:]
	if final {
		b = a.final[:]
	}
	tail := b[len(b)-12:]
	binary.BigEndian.PutUint32(tail, seq)
	binary.BigEndian.PutUint64(tail[4:], uint64(contentLen))
	return b
}

// Frame is one frame read from a message. Its slices point into the buffer
// ReadFrame was given and are valid until that buffer is reused.
type Frame struct {
	Sequence uint32
	Final    bool
	IV       []byte
	// Sealed is the encrypted content followed by the authentication tag,
	// the form cipher.AEAD.Open takes.
	Sealed []byte
	// Raw is every byte of the frame as read, for a signature over the
	// message.
	Raw []byte
}

// ContentLen returns the length of the frame's encrypted content, which
// AES-GCM keeps equal to the plaintext's.
func (f *Frame) ContentLen() int { return len(f.Sealed) - TagSize }

// readChunk bounds how much ReadFrame allocates ahead of the bytes it
// receives: a frame claiming a length the sender never sends costs at most
// this much (and twice what was received) before the message ends.
const readChunk = 1 << 20

// ReadFrame reads the next frame from r. frameLength is the header's;
// expectSeq is the sequence number the frame must carry (1 for the first,
// one more than the last), which ReadFrame checks, so frames cannot be
// reordered, repeated or dropped. buf is reused when large enough; the
// returned buffer is the one the Frame points into.
//
// A final frame whose content is longer than frameLength, and a regular
// frame whose sequence number is not expectSeq (or is past the last one a
// message can have), are refused with an *Error.
func ReadFrame(r io.Reader, frameLength uint32, expectSeq uint32, buf []byte) (Frame, []byte, error) {
	fr := frameReader{r: r, buf: buf[:0], seq: expectSeq}
	var f Frame
	if err := fr.grow("sequence number", 4); err != nil {
		return f, fr.buf, err
	}
	seq := binary.BigEndian.Uint32(fr.buf)
	contentLen := int(frameLength)
	if seq == EndOfFrames {
		f.Final, fr.final = true, true
		if err := fr.grow("sequence number", 4); err != nil {
			return f, fr.buf, err
		}
		seq = binary.BigEndian.Uint32(fr.buf[4:])
	}
	if seq != expectSeq {
		return f, fr.buf, errorf(fr.part(), "has sequence number %d; frames must be numbered 1, 2, 3 … in order", seq)
	}
	if err := fr.grow("IV", IVSize); err != nil {
		return f, fr.buf, err
	}
	ivAt := len(fr.buf) - IVSize
	if f.Final {
		if err := fr.grow("content length", 4); err != nil {
			return f, fr.buf, err
		}
		n := binary.BigEndian.Uint32(fr.buf[len(fr.buf)-4:])
		if n > frameLength {
			return f, fr.buf, errorf(fr.part(), "content length %d exceeds the frame length %d", n, frameLength)
		}
		contentLen = int(n)
	}
	sealedAt := len(fr.buf)
	if err := fr.grow("encrypted content", contentLen); err != nil {
		return f, fr.buf, err
	}
	if err := fr.grow("authentication tag", TagSize); err != nil {
		return f, fr.buf, err
	}
	f.Sequence = seq
	f.IV = fr.buf[ivAt : ivAt+IVSize]
	f.Sealed = fr.buf[sealedAt:]
	f.Raw = fr.buf
	return f, fr.buf, nil
}

// frameReader appends a frame's fields to buf as they are read.
type frameReader struct {
	r     io.Reader
	buf   []byte
	seq   uint32
	final bool
}

// part names the frame for an error, only when there is one.
func (fr *frameReader) part() string {
	if fr.final {
		return fmt.Sprintf("final frame (frame %d)", fr.seq)
	}
	return fmt.Sprintf("frame %d", fr.seq)
}

// grow appends n bytes read from r, allocating at most readChunk bytes
// beyond what has arrived.
func (fr *frameReader) grow(field string, n int) error {
	for n > 0 {
		c := min(n, readChunk)
		start := len(fr.buf)
		fr.buf = slices.Grow(fr.buf, c)[:start+c]
		if _, err := io.ReadFull(fr.r, fr.buf[start:]); err != nil {
			return readErr(fr.part(), field, err)
		}
		n -= c
	}
	return nil
}

// MaxSignatureSize is the longest DER ECDSA P-384 signature: a SEQUENCE of
// two 49-byte INTEGERs.
const MaxSignatureSize = 2 + 2*(2+49)

// ReadFooter reads the footer of a signed message: a two-byte length and
// the DER ECDSA signature. A length over MaxSignatureSize is refused before
// anything more is read.
func ReadFooter(r io.Reader) ([]byte, error) {
	f := &fieldReader{r: r, part: "footer"}
	n, err := f.uint16("signature length")
	if err != nil {
		return nil, err
	}
	if n == 0 || n > MaxSignatureSize {
		return nil, errorf("footer", "signature length %d; an ECDSA P-384 signature is 8 to %d bytes", n, MaxSignatureSize)
	}
	return f.bytes("signature", int(n))
}
