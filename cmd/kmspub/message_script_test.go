package main

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// Script commands for the encrypt-message and decrypt-message scripts.

// cmdESDKHeader is "esdkheader FILE": it prints the header of the AWS
// Encryption SDK message in FILE on stdout — version, suite, frame length,
// stored context, each encrypted data key's provider and sizes — and the
// frame count and sizes, as the format lays them out.
func cmdESDKHeader(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: esdkheader FILE")
	}
	r := bytes.NewReader([]byte(ts.ReadFile(args[0])))
	h, _, _, err := esdkformat.ReadHeader(r, esdkformat.Limits{})
	ts.Check(err)
	var b strings.Builder
	fmt.Fprintf(&b, "version 2 suite %s frame %d\n", h.Suite, h.FrameLength)
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range h.EncryptionContext {
			if !yield(k) {
				return
			}
		}
	}) {
		fmt.Fprintf(&b, "context %s=%s\n", k, h.EncryptionContext[k])
	}
	for _, k := range h.EncryptedDataKeys {
		info := fmt.Sprintf("%d bytes", len(k.ProviderInfo))
		if k.ProviderID == esdkformat.ProviderAWSKMSRSA {
			info = string(k.ProviderInfo)
		}
		fmt.Fprintf(&b, "edk %s %s ciphertext %d bytes\n", k.ProviderID, info, len(k.Ciphertext))
	}
	var buf []byte
	var sizes []string
	for seq := uint32(1); ; seq++ {
		f, nb, err := esdkformat.ReadFrame(r, h.FrameLength, seq, buf)
		ts.Check(err)
		buf = nb
		sizes = append(sizes, strconv.Itoa(f.ContentLen()))
		if f.Final {
			break
		}
	}
	fmt.Fprintf(&b, "frames %s\n", strings.Join(sizes, " "))
	if r.Len() != 0 {
		fmt.Fprintf(&b, "trailing %d bytes\n", r.Len())
	}
	ts.Stdout().Write([]byte(b.String()))
}

// cmdFlipByte is "flipbyte FILE OFFSET": it flips the low bit of the byte
// at OFFSET (negative: from the end) of FILE, in place.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: flipbyte FILE OFFSET")
	}
	data := []byte(ts.ReadFile(args[0]))
	off, err := strconv.Atoi(args[1])
	ts.Check(err)
	if off < 0 {
		off += len(data)
	}
	if off < 0 || off >= len(data) {
		ts.Fatalf("offset %s outside %d bytes", args[1], len(data))
	}
	data[off] ^= 1
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}

// cmdHeadBytes is "headbytes N SRC DST": DST is the first N bytes of SRC
// (head -c, without logging binary output).
func cmdHeadBytes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: headbytes N SRC DST")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	data := []byte(ts.ReadFile(args[1]))
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), data[:min(n, len(data))], 0o644))
}
