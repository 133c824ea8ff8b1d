package esdkformat

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFrameIVAndPrefixes(t *testing.T) {
	if iv := FrameIV(0x01020304); hex.EncodeToString(iv[:]) != "000000000000000001020304" {
		t.Errorf("FrameIV = %x", iv)
	}
	var p [FinalFramePrefixSize]byte
	FinalFramePrefix(p[:], 3, 0x10)
	if got := hex.EncodeToString(p[:]); got != "ffffffff"+"00000003"+"000000000000000000000003"+"00000010" {
		t.Errorf("FinalFramePrefix = %s", got)
	}
	RegularFramePrefix(p[:], 2)
	if got := hex.EncodeToString(p[:RegularFramePrefixSize]); got != "00000002"+"000000000000000000000002" {
		t.Errorf("RegularFramePrefix = %s", got)
	}
}

func TestBodyAAD(t *testing.T) {
	var id [MessageIDSize]byte
	id[0], id[31] = 0x11, 0x22
	a := NewBodyAAD(id)
	got := a.For(false, 7, 4096)
	want := append(append(id[:], "AWSKMSEncryptionClient Frame"...), 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0x10, 0)
	if !bytes.Equal(got, want) {
		t.Errorf("regular AAD = %x\nwant %x", got, want)
	}
	got = a.For(true, 8, 5)
	want = append(append(id[:], "AWSKMSEncryptionClient Final Frame"...), 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 5)
	if !bytes.Equal(got, want) {
		t.Errorf("final AAD = %x\nwant %x", got, want)
	}
}

// frames lays out a body of regular frames and a final frame with fake
// ciphertext: content bytes are the frame number.
func frames(frameLen int, regular int, finalLen int) []byte {
	var b []byte
	for seq := 1; seq <= regular; seq++ {
		p := make([]byte, RegularFramePrefixSize)
		RegularFramePrefix(p, uint32(seq))
		b = append(b, p...)
		b = append(b, bytes.Repeat([]byte{byte(seq)}, frameLen+TagSize)...)
	}
	p := make([]byte, FinalFramePrefixSize)
	FinalFramePrefix(p, uint32(regular+1), finalLen)
	b = append(b, p...)
	return append(b, bytes.Repeat([]byte{0xFF}, finalLen+TagSize)...)
}

func TestReadFrames(t *testing.T) {
	const frameLen = 10
	msg := frames(frameLen, 3, 4)
	r := bytes.NewReader(msg)
	var buf []byte
	var raw []byte
	for seq := uint32(1); ; seq++ {
		f, b, err := ReadFrame(r, frameLen, seq, buf)
		if err != nil {
			t.Fatalf("frame %d: %v", seq, err)
		}
		buf = b
		raw = append(raw, f.Raw...)
		if f.Sequence != seq || len(f.IV) != IVSize {
			t.Fatalf("frame %d: %+v", seq, f)
		}
		if f.Final {
			if seq != 4 || f.ContentLen() != 4 {
				t.Fatalf("final frame %d with %d bytes", seq, f.ContentLen())
			}
			break
		}
		if f.ContentLen() != frameLen || f.Sealed[0] != byte(seq) {
			t.Fatalf("frame %d: content %x", seq, f.Sealed)
		}
	}
	if !bytes.Equal(raw, msg) {
		t.Errorf("the frames' Raw bytes are not the body")
	}
	if r.Len() != 0 {
		t.Errorf("%d bytes left", r.Len())
	}
}

func TestReadFrameRefusals(t *testing.T) {
	const frameLen = 10
	good := frames(frameLen, 1, 3)
	for name, tc := range map[string]struct {
		msg    []byte
		expect uint32
		want   string
	}{
		"out of order":   {good, 2, "has sequence number 1"},
		"final too long": {frames(frameLen, 0, frameLen+1), 1, "exceeds the frame length"},
		"final reordered": {func() []byte {
			b := frames(frameLen, 0, 0)
			b[7] = 5
			return b
		}(), 1, "has sequence number 5"},
	} {
		_, _, err := ReadFrame(bytes.NewReader(tc.msg), frameLen, tc.expect, nil)
		var fe *Error
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want an *Error saying %q", name, err, tc.want)
		}
	}
	for n := range RegularFramePrefixSize + frameLen + TagSize {
		_, _, err := ReadFrame(bytes.NewReader(good[:n]), frameLen, 1, nil)
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("first %d bytes: err = %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

// A frame that claims 4 GiB but sends 1 byte costs at most readChunk of
// buffer, not 4 GiB.
func TestReadFrameAllocatesAsBytesArrive(t *testing.T) {
	p := make([]byte, RegularFramePrefixSize)
	RegularFramePrefix(p, 1)
	msg := append(p, 0)
	_, buf, err := ReadFrame(bytes.NewReader(msg), MaxFrameLength, 1, nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v", err)
	}
	if cap(buf) > 2*readChunk {
		t.Errorf("buffer grew to %d bytes for a 17-byte input", cap(buf))
	}
}

func TestReadFooter(t *testing.T) {
	sig := bytes.Repeat([]byte{0x30}, 103)
	got, err := ReadFooter(bytes.NewReader(append([]byte{0, 103}, sig...)))
	if err != nil || !bytes.Equal(got, sig) {
		t.Fatalf("ReadFooter = %x, %v", got, err)
	}
	for _, b := range [][]byte{{0, 0}, {0, MaxSignatureSize + 1}, {0xFF, 0xFF}} {
		if _, err := ReadFooter(bytes.NewReader(append(b, make([]byte, 70000)...))); err == nil {
			t.Errorf("signature length %x accepted", b)
		}
	}
	if _, err := ReadFooter(bytes.NewReader([]byte{0, 10, 1})); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated footer: %v", err)
	}
}

func TestECDHProviderInfo(t *testing.T) {
	for _, n := range []int{33, 49, 67} {
		p := &ECDHProviderInfo{Recipient: bytes.Repeat([]byte{2}, n), Sender: bytes.Repeat([]byte{3}, n)}
		b := p.Marshal()
		if len(b) != 2*n+9 || b[0] != 1 {
			t.Fatalf("Marshal = %x", b)
		}
		back, err := ParseECDHProviderInfo(b)
		if err != nil || !bytes.Equal(back.Recipient, p.Recipient) || !bytes.Equal(back.Sender, p.Sender) {
			t.Fatalf("Parse(Marshal) = %+v, %v", back, err)
		}
		bad := append([]byte(nil), b...)
		bad[0] = 2
		if _, err := ParseECDHProviderInfo(bad); err == nil {
			t.Errorf("version 2 accepted")
		}
		bad = append([]byte(nil), b...)
		bad[4]++
		if _, err := ParseECDHProviderInfo(bad); err == nil {
			t.Errorf("wrong recipient length accepted")
		}
		if _, err := ParseECDHProviderInfo(b[:len(b)-1]); err == nil {
			t.Errorf("short info accepted")
		}
	}
}

func TestECDHCiphertext(t *testing.T) {
	c := &ECDHCiphertext{WrappedKey: bytes.Repeat([]byte{9}, DataKeySize+TagSize)}
	c.Nonce[0], c.CommitKey[0] = 1, 2
	b := c.Marshal()
	if len(b) != ECDHCiphertextSize || b[0] != 1 || b[32] != 2 || b[64] != 9 {
		t.Fatalf("Marshal = %x", b)
	}
	back, err := ParseECDHCiphertext(b)
	if err != nil || back.Nonce != c.Nonce || back.CommitKey != c.CommitKey || !bytes.Equal(back.WrappedKey, c.WrappedKey) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	if _, err := ParseECDHCiphertext(b[1:]); err == nil {
		t.Errorf("short ciphertext accepted")
	}
}
