package esdkformat

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestMarshalContextCanonical(t *testing.T) {
	// Sorted by UTF-8 bytes: "B" < "a" < "é" (C3 A9) < "𝄞" (F0 …).
	ec := map[string]string{"é": "1", "a": "", "𝄞": "music", "B": "x"}
	got, err := MarshalContext(ec)
	if err != nil {
		t.Fatal(err)
	}
	want := "0004" +
		"0001" + "42" + "0001" + "78" +
		"0001" + "61" + "0000" +
		"0002" + "c3a9" + "0001" + "31" +
		"0004" + "f09d849e" + "0005" + hex.EncodeToString([]byte("music"))
	if hex.EncodeToString(got) != want {
		t.Errorf("MarshalContext = %x\nwant %s", got, want)
	}
	back, err := ParseContext(got)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(ec) {
		t.Fatalf("round trip: %v", back)
	}
	for k, v := range ec {
		if back[k] != v {
			t.Errorf("round trip: %q = %q, want %q", k, back[k], v)
		}
	}
}

func TestMarshalContextEmpty(t *testing.T) {
	for _, ec := range []map[string]string{nil, {}} {
		b, err := MarshalContext(ec)
		if err != nil || len(b) != 0 {
			t.Errorf("MarshalContext(%v) = %x, %v; want empty", ec, b, err)
		}
	}
	ec, err := ParseContext(nil)
	if err != nil || len(ec) != 0 {
		t.Errorf("ParseContext(nil) = %v, %v", ec, err)
	}
}

func TestMarshalContextRefusals(t *testing.T) {
	long := strings.Repeat("v", MaxFieldSize+1)
	for name, ec := range map[string]map[string]string{
		"key not UTF-8":   {"\xff": "v"},
		"value not UTF-8": {"k": "\xc3"},
		"value too long":  {"k": long},
		"key too long":    {long: "v"},
	} {
		_, err := MarshalContext(ec)
		var fe *Error
		if !errors.As(err, &fe) || fe.Part != "encryption context" {
			t.Errorf("%s: err = %v, want an *Error for the encryption context", name, err)
		}
	}
}

func TestParseContextRefusals(t *testing.T) {
	for name, h := range map[string]string{
		"one byte":             "00",
		"zero count":           "0000",
		"count beyond bytes":   "0002" + "0001" + "61" + "0000",
		"key overruns":         "0001" + "0005" + "61" + "0000",
		"value overruns":       "0001" + "0001" + "61" + "0003" + "6262",
		"missing value length": "0001" + "0001" + "61",
		"bytes left over":      "0001" + "0001" + "61" + "0000" + "00",
		"duplicate key":        "0002" + "0001" + "61" + "0000" + "0001" + "61" + "0001" + "62",
		"key not UTF-8":        "0001" + "0001" + "ff" + "0000",
		"value not UTF-8":      "0001" + "0001" + "61" + "0001" + "c3",
	} {
		b, _ := hex.DecodeString(h)
		if ec, err := ParseContext(b); err == nil {
			t.Errorf("%s: ParseContext(%s) = %v, want an error", name, h, ec)
		}
	}
}

// The SDKs accept pairs out of order (the header tag covers the bytes as
// they are); so does ParseContext, and MarshalContext re-sorts them.
func TestParseContextUnsorted(t *testing.T) {
	b, _ := hex.DecodeString("0002" + "0001" + "62" + "0000" + "0001" + "61" + "0000")
	ec, err := ParseContext(b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := MarshalContext(ec)
	want, _ := hex.DecodeString("0002" + "0001" + "61" + "0000" + "0001" + "62" + "0000")
	if !bytes.Equal(again, want) {
		t.Errorf("re-marshalled = %x, want %x", again, want)
	}
}
