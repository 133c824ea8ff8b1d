package esdkformat

import (
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// EncryptedDataKey is one entry of the header's encrypted data keys: the
// data key wrapped by one keyring (framework/structures.md#encrypted-data-key).
type EncryptedDataKey struct {
	ProviderID   string // "aws-kms-rsa", "raw-ecdh", "aws-kms-ecdh", …
	ProviderInfo []byte // for aws-kms-rsa the KMS key ARN; for ECDH, ECDHProviderInfo
	Ciphertext   []byte
}

// Header is a version 2 message header (data-format/message-header.md).
type Header struct {
	Suite             SuiteID
	MessageID         [MessageIDSize]byte
	EncryptionContext map[string]string // the stored context
	EncryptedDataKeys []EncryptedDataKey
	FrameLength       uint32 // framed content only: version 2 writers never frame otherwise
	CommitKey         [CommitKeySize]byte
}

// MarshalBody returns the serialized header body: version 0x02, suite,
// message ID, the stored encryption context behind its two-byte length, the
// encrypted data keys behind a two-byte count, content type framed, frame
// length and the commit key. The header authentication tag, computed over
// this body, follows it in a message.
func (h *Header) MarshalBody() ([]byte, error) {
	ec, err := MarshalContext(h.EncryptionContext)
	if err != nil {
		return nil, err
	}
	if len(ec) > MaxFieldSize {
		return nil, errorf("encryption context", "serializes to %d bytes; the header holds at most %d", len(ec), MaxFieldSize)
	}
	switch n := len(h.EncryptedDataKeys); {
	case n == 0:
		return nil, errorf("header", "has no encrypted data key")
	case n > MaxFieldSize:
		return nil, errorf("header", "has %d encrypted data keys; at most %d fit the format", n, MaxFieldSize)
	}
	if h.FrameLength == 0 {
		return nil, errorf("header", "frame length 0; framed content needs at least 1")
	}
	size := 1 + 2 + MessageIDSize + 2 + len(ec) + 2 + 1 + 4 + CommitKeySize
	for i, k := range h.EncryptedDataKeys {
		part := fmt.Sprintf("encrypted data key %d", i+1)
		if !utf8.ValidString(k.ProviderID) {
			return nil, errorf(part, "the key provider ID is not valid UTF-8")
		}
		for _, f := range []struct {
			name string
			n    int
		}{{"key provider ID", len(k.ProviderID)}, {"key provider information", len(k.ProviderInfo)}, {"ciphertext", len(k.Ciphertext)}} {
			if f.n > MaxFieldSize {
				return nil, errorf(part, "the %s is %d bytes; at most %d fit the format", f.name, f.n, MaxFieldSize)
			}
		}
		size += 6 + len(k.ProviderID) + len(k.ProviderInfo) + len(k.Ciphertext)
	}

	b := make([]byte, 0, size)
	b = append(b, Version2)
	b = binary.BigEndian.AppendUint16(b, uint16(h.Suite))
	b = append(b, h.MessageID[:]...)
	b = appendLengthPrefixed(b, ec)
	b = appendUint16(b, len(h.EncryptedDataKeys))
	for _, k := range h.EncryptedDataKeys {
		b = appendLengthPrefixed(b, []byte(k.ProviderID))
		b = appendLengthPrefixed(b, k.ProviderInfo)
		b = appendLengthPrefixed(b, k.Ciphertext)
	}
	b = append(b, ContentTypeFramed)
	b = binary.BigEndian.AppendUint32(b, h.FrameLength)
	b = append(b, h.CommitKey[:]...)
	return b, nil
}

// Limits bound what ReadHeader accepts beyond the format's own bounds. A
// zero field means the format's bound.
type Limits struct {
	// MaxEncryptedDataKeys refuses a header with more encrypted data keys,
	// as soon as their count is read (client-apis/client.md, maximum number
	// of encrypted data keys). The format allows 65,535, each up to 192 KiB.
	MaxEncryptedDataKeys int
	// MaxFrameLength refuses a larger frame length: a reader holds one
	// frame in memory, since a frame's plaintext authenticates only as a
	// whole.
	MaxFrameLength int64
}

// LimitError reports a header that exceeds a [Limits] bound.
type LimitError struct {
	What  string // "encrypted data keys" or "frame length"
	Value int64
	Max   int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("esdkformat: header: %s %d exceeds the limit of %d", e.What, e.Value, e.Max)
}

// ReadHeader reads a version 2 header from r: the header body, returned
// parsed and as the exact bytes read (the AAD of the header
// authentication), and the authentication tag after it. It reads nothing
// past the tag.
//
// Besides the format's rules it refuses what kmspub does not open, each
// with an *Error that says so: version 1 messages (their suites do not commit
// to the key), algorithm suites other than 0x0478 and 0x0578, and non-framed
// content. A base64-encoded message is recognised and named as such. A
// header over a Limits bound is a *LimitError, returned before anything the
// bound protects is read.
func ReadHeader(r io.Reader, lim Limits) (h *Header, body []byte, tag [TagSize]byte, err error) {
	f := &fieldReader{r: r, part: "header", keep: true}
	version, err := f.uint8("version")
	if err != nil {
		return nil, nil, tag, err
	}
	switch version {
	case Version2:
	case 0x01:
		return nil, nil, tag, errorf("header", "message format version 1: its algorithm suites do not commit to the data key, and only version 2 (committing suites) is opened")
	case 'A':
		// "AgR4" / "AgV4": the base64 of 02 04 78 / 02 05 78.
		return nil, nil, tag, errorf("header", "the message starts with 'A', as the base64 encoding of a message does; decode it first")
	default:
		return nil, nil, tag, errorf("header", "unknown message format version 0x%02X", version)
	}
	suite, err := f.uint16("algorithm suite ID")
	if err != nil {
		return nil, nil, tag, err
	}
	h = &Header{Suite: SuiteID(suite)}
	switch h.Suite {
	case SuiteCommitKey, SuiteCommitKeyECDSAP384:
	default:
		return nil, nil, tag, errorf("header", "algorithm suite %s is not a message format version 2 suite", h.Suite)
	}
	id, err := f.read("message ID", MessageIDSize)
	if err != nil {
		return nil, nil, tag, err
	}
	copy(h.MessageID[:], id)

	aad, err := f.lengthPrefixed("encryption context")
	if err != nil {
		return nil, nil, tag, err
	}
	if h.EncryptionContext, err = ParseContext(aad); err != nil {
		return nil, nil, tag, err
	}

	count, err := f.uint16("encrypted data key count")
	if err != nil {
		return nil, nil, tag, err
	}
	if count == 0 {
		return nil, nil, tag, errorf("header", "has no encrypted data key")
	}
	if lim.MaxEncryptedDataKeys > 0 && int(count) > lim.MaxEncryptedDataKeys {
		return nil, nil, tag, &LimitError{What: "encrypted data keys", Value: int64(count), Max: int64(lim.MaxEncryptedDataKeys)}
	}
	h.EncryptedDataKeys = make([]EncryptedDataKey, count)
	for i := range h.EncryptedDataKeys {
		k := &h.EncryptedDataKeys[i]
		f.part = fmt.Sprintf("encrypted data key %d", i+1)
		id, err := f.lengthPrefixed("key provider ID")
		if err != nil {
			return nil, nil, tag, err
		}
		if !utf8.Valid(id) {
			return nil, nil, tag, errorf(f.part, "the key provider ID is not valid UTF-8")
		}
		k.ProviderID = string(id)
		if k.ProviderInfo, err = f.lengthPrefixed("key provider information"); err != nil {
			return nil, nil, tag, err
		}
		if k.Ciphertext, err = f.lengthPrefixed("ciphertext"); err != nil {
			return nil, nil, tag, err
		}
	}
	f.part = "header"

	contentType, err := f.uint8("content type")
	if err != nil {
		return nil, nil, tag, err
	}
	switch contentType {
	case ContentTypeFramed:
	case ContentTypeNonFramed:
		return nil, nil, tag, errorf("header", "non-framed content is not supported: it authenticates only after the whole body (no version 2 writer produces it)")
	default:
		return nil, nil, tag, errorf("header", "unknown content type 0x%02X", contentType)
	}
	if h.FrameLength, err = f.uint32("frame length"); err != nil {
		return nil, nil, tag, err
	}
	if h.FrameLength == 0 {
		return nil, nil, tag, errorf("header", "frame length 0 with framed content")
	}
	if lim.MaxFrameLength > 0 && int64(h.FrameLength) > lim.MaxFrameLength {
		return nil, nil, tag, &LimitError{What: "frame length", Value: int64(h.FrameLength), Max: lim.MaxFrameLength}
	}
	ck, err := f.read("commit key", CommitKeySize)
	if err != nil {
		return nil, nil, tag, err
	}
	copy(h.CommitKey[:], ck)

	f.keep = false
	t, err := f.read("header authentication tag", TagSize)
	if err != nil {
		return nil, nil, tag, err
	}
	copy(tag[:], t)
	return h, f.raw, tag, nil
}
