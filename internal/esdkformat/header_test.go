package esdkformat

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func testHeader() *Header {
	h := &Header{
		Suite:             SuiteCommitKey,
		EncryptionContext: map[string]string{"purpose": "test", "team": "kmspub"},
		EncryptedDataKeys: []EncryptedDataKey{
			{ProviderID: ProviderAWSKMSRSA, ProviderInfo: []byte("arn:aws:kms:eu-west-2:111122223333:key/k"), Ciphertext: bytes.Repeat([]byte{7}, 256)},
			{ProviderID: ProviderRawECDH, ProviderInfo: []byte{1, 2, 3}},
		},
		FrameLength: 4096,
	}
	for i := range h.MessageID {
		h.MessageID[i] = byte(i)
	}
	for i := range h.CommitKey {
		h.CommitKey[i] = byte(0xC0 + i)
	}
	return h
}

func TestHeaderRoundTrip(t *testing.T) {
	h := testHeader()
	body, err := h.MarshalBody()
	if err != nil {
		t.Fatal(err)
	}
	// The fixed fields, byte for byte (data-format/message-header.md,
	// Header Body Version 2.0).
	if body[0] != 0x02 || body[1] != 0x04 || body[2] != 0x78 {
		t.Errorf("body starts %x, want 02 0478", body[:3])
	}
	if !bytes.Equal(body[3:35], h.MessageID[:]) {
		t.Errorf("message ID not at offset 3")
	}
	tail := body[len(body)-37:]
	if want, _ := hex.DecodeString("0200001000"); !bytes.Equal(tail[:5], want) {
		t.Errorf("content type and frame length = %x, want %x", tail[:5], want)
	}
	if !bytes.Equal(tail[5:], h.CommitKey[:]) {
		t.Errorf("the commit key does not end the body")
	}

	tag := bytes.Repeat([]byte{0xAA}, TagSize)
	msg := append(append(append([]byte(nil), body...), tag...), "frames follow"...)
	r := bytes.NewReader(msg)
	got, raw, gotTag, err := ReadHeader(r, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, body) {
		t.Errorf("raw body differs from what was written")
	}
	if !bytes.Equal(gotTag[:], tag) {
		t.Errorf("tag = %x", gotTag)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "frames follow" {
		t.Errorf("ReadHeader read past the tag: %q left", rest)
	}
	if !reflect.DeepEqual(got, h) {
		t.Errorf("ReadHeader = %+v\nwant %+v", got, h)
	}
}

func TestReadHeaderLimits(t *testing.T) {
	body, err := testHeader().MarshalBody()
	if err != nil {
		t.Fatal(err)
	}
	msg := append(body, make([]byte, TagSize)...)
	for _, tc := range []struct {
		lim  Limits
		what string
	}{
		{Limits{MaxEncryptedDataKeys: 1}, "encrypted data keys"},
		{Limits{MaxFrameLength: 4095}, "frame length"},
	} {
		_, _, _, err := ReadHeader(bytes.NewReader(msg), tc.lim)
		var le *LimitError
		if !errors.As(err, &le) || le.What != tc.what {
			t.Errorf("%+v: err = %v, want a LimitError on %s", tc.lim, err, tc.what)
		}
	}
	if _, _, _, err := ReadHeader(bytes.NewReader(msg), Limits{MaxEncryptedDataKeys: 2, MaxFrameLength: 4096}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

// The encrypted data key count is refused before any key is read: a reader
// that fails after the count proves nothing more was asked for.
func TestReadHeaderEDKLimitBeforeKeys(t *testing.T) {
	body, _ := testHeader().MarshalBody()
	at := 1 + 2 + MessageIDSize
	at += 2 + int(body[at])<<8 + int(body[at+1]) + 2 // up to and including the EDK count
	r := io.MultiReader(bytes.NewReader(body[:at]), failingReader{})
	_, _, _, err := ReadHeader(r, Limits{MaxEncryptedDataKeys: 1})
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want a LimitError", err)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("read past the count") }

// Every truncation of a header is an *Error wrapping io.ErrUnexpectedEOF
// (and the empty input one wrapping it too).
func TestReadHeaderTruncated(t *testing.T) {
	body, _ := testHeader().MarshalBody()
	msg := append(body, make([]byte, TagSize)...)
	for n := range len(msg) {
		_, _, _, err := ReadHeader(bytes.NewReader(msg[:n]), Limits{})
		var fe *Error
		if !errors.As(err, &fe) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("first %d bytes: err = %v, want an *Error wrapping io.ErrUnexpectedEOF", n, err)
		}
	}
}

func TestReadHeaderRefusals(t *testing.T) {
	good, _ := testHeader().MarshalBody()
	good = append(good, make([]byte, TagSize)...)
	set := func(at int, b ...byte) []byte {
		m := append([]byte(nil), good...)
		copy(m[at:], b)
		return m
	}
	ctAt := len(good) - TagSize - CommitKeySize - 4 - 1
	for name, tc := range map[string]struct {
		msg  []byte
		want string
	}{
		"version 1":         {set(0, 0x01), "version 1"},
		"base64":            {[]byte("AgR4" + strings.Repeat("A", 100)), "base64"},
		"unknown version":   {set(0, 0x03), "unknown message format version"},
		"version 1 suite":   {set(1, 0x01, 0x78), "not a message format version 2 suite"},
		"non-framed":        {set(ctAt, ContentTypeNonFramed), "non-framed"},
		"bad content type":  {set(ctAt, 0x03), "unknown content type"},
		"frame length zero": {set(ctAt+1, 0, 0, 0, 0), "frame length 0"},
		"no EDKs":           {noEDKs(t), "no encrypted data key"},
	} {
		_, _, _, err := ReadHeader(bytes.NewReader(tc.msg), Limits{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one saying %q", name, err, tc.want)
		}
	}
}

func noEDKs(t *testing.T) []byte {
	h := testHeader()
	h.EncryptionContext = nil
	body, err := h.MarshalBody()
	if err != nil {
		t.Fatal(err)
	}
	at := 1 + 2 + MessageIDSize + 2
	return append(append(append([]byte(nil), body[:at]...), 0, 0), make([]byte, 64)...)
}

func TestMarshalBodyRefusals(t *testing.T) {
	for name, mutate := range map[string]func(h *Header){
		"no EDKs":        func(h *Header) { h.EncryptedDataKeys = nil },
		"frame length 0": func(h *Header) { h.FrameLength = 0 },
		"context too large": func(h *Header) {
			h.EncryptionContext = map[string]string{"a": strings.Repeat("x", 40000), "b": strings.Repeat("y", 40000)}
		},
		"provider ID UTF-8": func(h *Header) { h.EncryptedDataKeys[0].ProviderID = "\xff" },
		"ciphertext size":   func(h *Header) { h.EncryptedDataKeys[0].Ciphertext = make([]byte, MaxFieldSize+1) },
	} {
		h := testHeader()
		mutate(h)
		if _, err := h.MarshalBody(); err == nil {
			t.Errorf("%s: MarshalBody succeeded", name)
		}
	}
}
