package envelope

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// DefaultFrameLength is the frame length Encrypt uses unless told
// otherwise, the AWS Encryption SDKs' default.
const DefaultFrameLength = esdkformat.DefaultFrameLength

// MaxFrameLength is the largest frame length the message format allows.
const MaxFrameLength = esdkformat.MaxFrameLength

// EncryptOptions configure Encrypt and EncryptBytes.
type EncryptOptions struct {
	// EncryptionContext is stored in the message header, bound to the
	// data key by every recipient and authenticated with the header: the
	// decrypting side sees it, and may require pairs of it. UTF-8 keys and
	// values; keys starting with "aws-crypto-" are reserved to the SDK;
	// the serialized context must fit the header's 65,535 bytes. It is not
	// secret.
	EncryptionContext map[string]string
	// FrameLength is the plaintext length of each frame, 1 to
	// MaxFrameLength; 0 means DefaultFrameLength. Encrypt and Decrypt each
	// hold one frame in memory; Decrypt refuses frames over
	// DecryptOptions.MaxFrameLength (default DefaultMaxFrameLength).
	FrameLength int
}

// reservedContextPrefix is reserved to the Encryption SDK
// (client-apis/encrypt.md, encryption context).
const reservedContextPrefix = "aws-crypto-"

// Encrypt starts a message for recipients and returns a writer for its
// plaintext: every byte written is encrypted and written to dst in frames,
// and Close writes the final frame. Nothing is written to dst until the
// header is complete; Close does not close dst. Memory use is one frame,
// whatever the plaintext's size.
//
// The message is the AWS Encryption SDK message format version 2 with the
// committing, unsigned algorithm suite ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY
// (0x0478), framed content, and one encrypted data key per recipient, each
// wrapping the same fresh 32-byte data key. Any of the recipients' KMS keys
// opens it, through [Decrypt] or the AWS Encryption SDKs' AWS KMS RSA and
// AWS KMS ECDH keyrings.
//
// Encrypt refuses an empty recipient list, an invalid encryption context
// (an [*ContextError]) and a frame length out of range. The recipients'
// errors (a KMS refusal, or a failure of the system's randomness) are
// returned as they are.
func Encrypt(dst io.Writer, recipients []Recipient, optFns ...func(*EncryptOptions)) (io.WriteCloser, error) {
	var o EncryptOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if len(recipients) == 0 {
		return nil, errors.New("envelope: Encrypt: no recipients")
	}
	for i, r := range recipients {
		if r == nil {
			return nil, fmt.Errorf("envelope: Encrypt: recipient %d is nil", i+1)
		}
	}
	if len(recipients) > esdkformat.MaxFieldSize {
		return nil, fmt.Errorf("envelope: Encrypt: %d recipients; a header holds at most %d", len(recipients), esdkformat.MaxFieldSize)
	}
	frameLen := o.FrameLength
	if frameLen == 0 {
		frameLen = DefaultFrameLength
	}
	if frameLen < 0 || int64(frameLen) > MaxFrameLength {
		return nil, fmt.Errorf("envelope: Encrypt: frame length %d; it must be 1 to %d", o.FrameLength, int64(MaxFrameLength))
	}
	context, err := canonicalContext(o.EncryptionContext)
	if err != nil {
		return nil, err
	}

	h := &esdkformat.Header{
		Suite:             esdkformat.SuiteCommitKey,
		EncryptionContext: o.EncryptionContext,
		FrameLength:       uint32(frameLen),
	}
	dataKey := make([]byte, esdkformat.DataKeySize)
	defer clear(dataKey)
	if _, err := rand.Read(dataKey); err != nil {
		return nil, err
	}
	if _, err := rand.Read(h.MessageID[:]); err != nil {
		return nil, err
	}
	keys, err := addDataKeys(h, dataKey, context, recipients)
	if err != nil {
		return nil, err
	}
	body, err := h.MarshalBody()
	if err != nil {
		return nil, contextErrorFrom(err)
	}
	tag := keys.aead.Seal(nil, zeroIV[:], nil, body)
	if _, err := dst.Write(append(body, tag...)); err != nil {
		return nil, err
	}
	return newWriter(dst, keys, h.MessageID, frameLen), nil
}

// addDataKeys adds to h the encrypted data key of dataKey for each
// recipient (for the canonical encryption context), and returns the
// message keys derived from dataKey, with h's commitment key set.
func addDataKeys(h *esdkformat.Header, dataKey, context []byte, recipients []Recipient) (*messageKeys, error) {
	for _, r := range recipients {
		edk, err := r.wrap(dataKey, context)
		if err != nil {
			return nil, err
		}
		h.EncryptedDataKeys = append(h.EncryptedDataKeys, edk)
	}
	keys, err := deriveMessageKeys(h.Suite, dataKey, h.MessageID)
	if err != nil {
		return nil, err
	}
	h.CommitKey = keys.commitKey
	return keys, nil
}

// canonicalContext checks an encryption context for Encrypt and returns
// its serialization.
func canonicalContext(ec map[string]string) ([]byte, error) {
	for k := range ec {
		if strings.HasPrefix(k, reservedContextPrefix) {
			return nil, &ContextError{Key: k, Reason: "keys starting with " + reservedContextPrefix + " are reserved to the AWS Encryption SDK"}
		}
	}
	b, err := esdkformat.MarshalContext(ec)
	if err != nil {
		return nil, contextErrorFrom(err)
	}
	if len(b) > esdkformat.MaxFieldSize {
		return nil, &ContextError{Reason: fmt.Sprintf("it serializes to %d bytes; the header holds at most %d", len(b), esdkformat.MaxFieldSize)}
	}
	return b, nil
}

// contextErrorFrom turns the format's refusal of an encryption context into
// a *ContextError; other errors pass unchanged.
func contextErrorFrom(err error) error {
	var fe *esdkformat.Error
	if errors.As(err, &fe) && fe.Part == "encryption context" {
		return &ContextError{Reason: fe.Reason}
	}
	return err
}

// EncryptBytes encrypts plaintext for recipients in one call and returns
// the whole message. It is Encrypt for data that is already in memory.
func EncryptBytes(plaintext []byte, recipients []Recipient, optFns ...func(*EncryptOptions)) ([]byte, error) {
	var o EncryptOptions
	for _, fn := range optFns {
		fn(&o)
	}
	frameLen := o.FrameLength
	if frameLen <= 0 {
		frameLen = DefaultFrameLength
	}
	// Room for the whole message: per frame, a sequence number, IV and
	// tag; a header of the context and at most 1 KiB per data key.
	var buf bytes.Buffer
	frames := len(plaintext)/frameLen + 1
	buf.Grow(len(plaintext) + frames*(esdkformat.RegularFramePrefixSize+esdkformat.TagSize) + esdkformat.FinalFramePrefixSize +
		256 + 4*len(o.EncryptionContext) + len(recipients)<<10)
	w, err := Encrypt(&buf, recipients, optFns...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
