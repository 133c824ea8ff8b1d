package esdkformat

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzReadMessage feeds arbitrary bytes to the message readers as Decrypt
// uses them: ReadHeader under limits, then ReadFrame until the final frame,
// then ReadFooter for a signed suite. It asserts that
//   - nothing panics, and every refusal is an *Error or a *LimitError;
//   - an accepted header survives MarshalBody and ReadHeader unchanged, in
//     a body of the same length (only the order of context pairs may
//     differ from the input's);
//   - the readers consume exactly the bytes of what they accept: the frames'
//     Raw bytes are the input between the header and the footer;
//   - buffers grow with the bytes received, not with the lengths claimed.
func FuzzReadMessage(f *testing.F) {
	h := testHeader()
	body, _ := h.MarshalBody()
	tag := bytes.Repeat([]byte{0xAA}, TagSize)
	f.Add(append(append(append([]byte(nil), body...), tag...), frames(10, 2, 3)...))
	h.FrameLength = 10
	h.Suite = SuiteCommitKeyECDSAP384
	h.EncryptionContext = nil
	body, _ = h.MarshalBody()
	f.Add(append(append(append(append([]byte(nil), body...), tag...), frames(10, 0, 10)...), 0, 2, 0x30, 0))
	f.Add([]byte("AgR4"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		lim := Limits{MaxEncryptedDataKeys: 4, MaxFrameLength: 1 << 16}
		h, raw, tag, err := ReadHeader(r, lim)
		if err != nil {
			var fe *Error
			var le *LimitError
			if !errors.As(err, &fe) && !errors.As(err, &le) {
				t.Fatalf("ReadHeader: untyped error %T %v", err, err)
			}
			return
		}
		if !bytes.Equal(raw, data[:len(raw)]) || r.Len() != len(data)-len(raw)-TagSize {
			t.Fatalf("ReadHeader consumed %d bytes, reported a %d-byte body", len(data)-r.Len(), len(raw))
		}
		again, err := h.MarshalBody()
		if err != nil {
			t.Fatalf("MarshalBody of an accepted header: %v", err)
		}
		if len(again) != len(raw) {
			t.Fatalf("re-marshalled body is %d bytes, read %d", len(again), len(raw))
		}
		h2, _, _, err := ReadHeader(bytes.NewReader(append(again, tag[:]...)), lim)
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip: %v\n%+v\n%+v", err, h, h2)
		}

		bodyStart := len(data) - r.Len()
		var consumed []byte
		var buf []byte
		for seq := uint32(1); ; seq++ {
			f, b, err := ReadFrame(r, h.FrameLength, seq, buf)
			buf = b
			if cap(buf) > 2*(len(data)+readChunk) {
				t.Fatalf("frame buffer of %d bytes for a %d-byte input", cap(buf), len(data))
			}
			if err != nil {
				var fe *Error
				if !errors.As(err, &fe) {
					t.Fatalf("ReadFrame: untyped error %T %v", err, err)
				}
				return
			}
			consumed = append(consumed, f.Raw...)
			if f.Sequence != seq || len(f.IV) != IVSize || f.ContentLen() < 0 || f.ContentLen() > int(h.FrameLength) {
				t.Fatalf("frame %d: %+v", seq, f)
			}
			if !f.Final && f.ContentLen() != int(h.FrameLength) {
				t.Fatalf("regular frame %d of %d bytes", seq, f.ContentLen())
			}
			if f.Final {
				break
			}
		}
		if !bytes.Equal(consumed, data[bodyStart:len(data)-r.Len()]) {
			t.Fatal("the frames' Raw bytes are not the bytes read")
		}
		if h.Suite.Signed() {
			sig, err := ReadFooter(r)
			if err == nil && (len(sig) == 0 || len(sig) > MaxSignatureSize) {
				t.Fatalf("footer signature of %d bytes", len(sig))
			}
		}
	})
}
