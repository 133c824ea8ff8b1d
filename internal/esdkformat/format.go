// Package esdkformat reads and writes the AWS Encryption SDK message format,
// version 2 (awslabs/aws-encryption-sdk-specification, data-format/), and
// the encrypted data key structures of the two keyrings kmspub writes for.
// It does no cryptography: package envelope seals and opens what this
// package lays out.
//
// A message is a header, a body of frames and, for signed algorithm suites,
// a footer:
//
//	header  = body ‖ authentication tag           ReadHeader, Header.MarshalBody
//	body    = regular frame* ‖ final frame         ReadFrame, RegularFramePrefix, FinalFramePrefix
//	footer  = signature length ‖ signature         ReadFooter
//
// Start with [ReadHeader] and [Header]. Every reader bounds what it
// allocates by what the format allows and by [Limits], reads exactly the
// bytes of its structure from an io.Reader (so messages stream), and reports
// a malformed message as an [*Error] naming the part that is wrong.
package esdkformat

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// SuiteID is an algorithm suite ID, the two bytes after the version.
type SuiteID uint16

// The algorithm suites of message format version 2. Both derive keys with
// HKDF-SHA512 from a 32-byte data key, commit to the key in the header, and
// encrypt with AES-256-GCM; 0x0578 also signs the message with ECDSA P-384.
const (
	SuiteCommitKey          SuiteID = 0x0478 // ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY
	SuiteCommitKeyECDSAP384 SuiteID = 0x0578 // ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
)

// Signed reports whether the suite ends the message with an ECDSA footer.
func (s SuiteID) Signed() bool { return s == SuiteCommitKeyECDSAP384 }

func (s SuiteID) String() string {
	switch s {
	case SuiteCommitKey:
		return "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY"
	case SuiteCommitKeyECDSAP384:
		return "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_ECDSA_P384"
	}
	return fmt.Sprintf("0x%04X", uint16(s))
}

// Sizes fixed by message format version 2 and its two suites.
const (
	Version2      = 0x02
	MessageIDSize = 32 // also the HKDF salt
	CommitKeySize = 32 // the algorithm suite data
	DataKeySize   = 32 // AES-256
	IVSize        = 12
	TagSize       = 16

	ContentTypeNonFramed = 0x01
	ContentTypeFramed    = 0x02

	// DefaultFrameLength is the frame length the SDKs use when none is given.
	DefaultFrameLength = 4096
	// MaxFrameLength is the largest frame length the header can state.
	MaxFrameLength = 1<<32 - 1

	// EndOfFrames is the sequence number end marker of the final frame. A
	// regular frame's sequence number is therefore at most EndOfFrames-1,
	// and the final frame's, the number of frames, at most EndOfFrames.
	EndOfFrames = 0xFFFFFFFF

	// MaxFieldSize bounds every length-prefixed field of the header: the
	// prefixes are two bytes.
	MaxFieldSize = 1<<16 - 1
)

// Error reports a message that does not follow the format. Part names the
// structure at fault ("header", "encrypted data key 2", "frame 7", "final
// frame", "footer"), Reason what is wrong with it. Err, when set, is the
// underlying read error (io.ErrUnexpectedEOF for a truncated message).
type Error struct {
	Part   string
	Reason string
	Err    error
}

func (e *Error) Error() string {
	return "esdkformat: " + e.Part + ": " + e.Reason
}

func (e *Error) Unwrap() error { return e.Err }

func errorf(part, format string, args ...any) error {
	return &Error{Part: part, Reason: fmt.Sprintf(format, args...)}
}

// readErr turns the end of the input inside a structure into an *Error
// wrapping io.ErrUnexpectedEOF (the message was cut short); any other read
// error is returned wrapped, not as an *Error.
func readErr(part, field string, err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Part: part, Reason: "the message ends inside the " + field, Err: err}
	}
	// The reader failed: nothing is known about the message.
	return fmt.Errorf("esdkformat: %s: reading the %s: %w", part, field, err)
}

// fieldReader reads a structure field by field, keeping every byte it read
// in raw when asked to (the header's bytes are its authentication AAD).
type fieldReader struct {
	r    io.Reader
	part string
	raw  []byte
	keep bool
	tmp  [8]byte
}

func (f *fieldReader) read(field string, n int) ([]byte, error) {
	var b []byte
	if n <= len(f.tmp) {
		b = f.tmp[:n]
	} else {
		b = make([]byte, n)
	}
	if _, err := io.ReadFull(f.r, b); err != nil {
		return nil, readErr(f.part, field, err)
	}
	if f.keep {
		f.raw = append(f.raw, b...)
	}
	return b, nil
}

func (f *fieldReader) uint8(field string) (uint8, error) {
	b, err := f.read(field, 1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (f *fieldReader) uint16(field string) (uint16, error) {
	b, err := f.read(field, 2)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(b), nil
}

func (f *fieldReader) uint32(field string) (uint32, error) {
	b, err := f.read(field, 4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(b), nil
}

// bytes reads an n-byte field into a new slice (n is at most MaxFieldSize
// wherever it comes from the message).
func (f *fieldReader) bytes(field string, n int) ([]byte, error) {
	b, err := f.read(field, n)
	if err != nil {
		return nil, err
	}
	if n <= len(f.tmp) {
		return append([]byte(nil), b...), nil
	}
	return b, nil
}

// lengthPrefixed reads a two-byte length and that many bytes.
func (f *fieldReader) lengthPrefixed(field string) ([]byte, error) {
	n, err := f.uint16(field + " length")
	if err != nil {
		return nil, err
	}
	return f.bytes(field, int(n))
}

func appendUint16(b []byte, v int) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }

// appendLengthPrefixed appends a two-byte length and p; p must be at most
// MaxFieldSize bytes (callers check it first).
func appendLengthPrefixed(b, p []byte) []byte {
	return append(appendUint16(b, len(p)), p...)
}
