package envelope

import (
	"bufio"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// Reader returns the plaintext of a message Decrypt opened, frame by frame,
// each only after it authenticated. Read returns io.EOF once the final
// frame has been returned and the message verified to its end, and an
// error, for ever, once anything fails.
type Reader struct {
	src      *bufio.Reader
	aead     *messageKeys
	aad      *esdkformat.BodyAAD
	frameLen uint32
	seq      uint32 // the next frame's
	buf      []byte
	out      []byte // authenticated plaintext not yet returned
	done     bool
	err      error
	sig      *verifier
	context  map[string]string
	keyID    string
}

// EncryptionContext returns the message's encryption context: the pairs it
// stores and any required pairs it authenticated without storing.
func (r *Reader) EncryptionContext() map[string]string { return maps.Clone(r.context) }

// KeyID returns the ARN of the KMS key that decrypted the data key.
func (r *Reader) KeyID() string { return r.keyID }

// Read reads authenticated plaintext.
func (r *Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			r.err = io.EOF
			return 0, io.EOF
		}
		if err := r.nextFrame(); err != nil {
			r.out = nil
			clear(r.buf)
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// nextFrame reads, authenticates and decrypts the next frame into r.out.
func (r *Reader) nextFrame() error {
	f, buf, err := esdkformat.ReadFrame(r.src, r.frameLen, r.seq, r.buf)
	r.buf = buf
	if err != nil {
		return messageErrorFrom(err)
	}
	if r.sig != nil {
		r.sig.hash.Write(f.Raw)
	}
	plaintext, err := r.aead.aead.Open(f.Sealed[:0], f.IV, f.Sealed, r.aad.For(f.Final, f.Sequence, f.ContentLen()))
	if err != nil {
		return &MessageError{Part: framePart(f), Reason: "the authentication tag does not verify"}
	}
	if f.Final {
		if err := r.end(); err != nil {
			clear(plaintext)
			return err
		}
		r.done = true
	} else {
		r.seq++
	}
	r.out = plaintext
	return nil
}

func framePart(f esdkformat.Frame) string {
	if f.Final {
		return fmt.Sprintf("final frame (frame %d)", f.Sequence)
	}
	return fmt.Sprintf("frame %d", f.Sequence)
}

// end checks what follows the final frame: a valid footer for a signed
// suite, then nothing (client-apis/decrypt.md: bytes left after a message
// are an error).
func (r *Reader) end() error {
	if r.sig != nil {
		sig, err := esdkformat.ReadFooter(r.src)
		if err != nil {
			return messageErrorFrom(err)
		}
		if !ecdsa.VerifyASN1(r.sig.pub, r.sig.hash.Sum(nil), sig) {
			return &MessageError{Part: "footer", Reason: "the ECDSA P-384 signature over the message does not verify"}
		}
	}
	switch _, err := r.src.Peek(1); {
	case err == nil:
		return &MessageError{Part: "message", Reason: "data follows the end of the message"}
	case !errors.Is(err, io.EOF):
		return err
	}
	return nil
}

// verifier is the footer check of a signed suite: SHA-384 over the header
// and body as read, and the key from the encryption context.
type verifier struct {
	pub  *ecdsa.PublicKey
	hash hash.Hash
}
