package envelope

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"maps"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// Craft builds messages Encrypt never writes — other framings, required
// context pairs it does not store, the signed suite, bytes after the end —
// with the package's own primitives, for the tests of Decrypt.
type Craft struct {
	Stored      map[string]string // the stored encryption context
	AuthOnly    map[string]string // authenticated with the header, not stored
	FrameLength int
	Frames      [][]byte // regular frames' plaintexts
	Final       []byte   // the final frame's plaintext
	Trailing    []byte   // bytes after the message
	// Signer makes it suite 0x0578, with aws-crypto-public-key in the
	// stored context and an ECDSA P-384 footer.
	Signer *ecdsa.PrivateKey
	// BadSignature corrupts the footer's signature.
	BadSignature bool
}

func (c Craft) Message(recipients ...Recipient) ([]byte, error) {
	h := &esdkformat.Header{Suite: esdkformat.SuiteCommitKey, EncryptionContext: maps.Clone(c.Stored), FrameLength: uint32(c.FrameLength)}
	if h.EncryptionContext == nil {
		h.EncryptionContext = map[string]string{}
	}
	if c.Signer != nil {
		h.Suite = esdkformat.SuiteCommitKeyECDSAP384
		pub := elliptic.MarshalCompressed(elliptic.P384(), c.Signer.X, c.Signer.Y)
		h.EncryptionContext[publicKeyContextKey] = base64.StdEncoding.EncodeToString(pub)
	}
	all := maps.Clone(h.EncryptionContext)
	maps.Copy(all, c.AuthOnly)
	context, err := esdkformat.MarshalContext(all)
	if err != nil {
		return nil, err
	}
	dataKey := make([]byte, 32)
	rand.Read(dataKey)
	rand.Read(h.MessageID[:])
	keys, err := addDataKeys(h, dataKey, context, recipients)
	if err != nil {
		return nil, err
	}
	body, err := h.MarshalBody()
	if err != nil {
		return nil, err
	}
	authOnly, _ := esdkformat.MarshalContext(c.AuthOnly)
	msg := append(body, keys.aead.Seal(nil, zeroIV[:], nil, headerAuthAAD(body, authOnly))...)
	aad := esdkformat.NewBodyAAD(h.MessageID)
	for i, p := range c.Frames {
		seq := uint32(i + 1)
		prefix := make([]byte, esdkformat.RegularFramePrefixSize)
		esdkformat.RegularFramePrefix(prefix, seq)
		msg = append(msg, prefix...)
		msg = keys.aead.Seal(msg, prefix[4:], p, aad.For(false, seq, len(p)))
	}
	seq := uint32(len(c.Frames) + 1)
	prefix := make([]byte, esdkformat.FinalFramePrefixSize)
	esdkformat.FinalFramePrefix(prefix, seq, len(c.Final))
	msg = append(msg, prefix...)
	msg = keys.aead.Seal(msg, prefix[8:20], c.Final, aad.For(true, seq, len(c.Final)))
	if c.Signer != nil {
		digest := sha512.Sum384(msg)
		sig, err := ecdsa.SignASN1(rand.Reader, c.Signer, digest[:])
		if err != nil {
			return nil, err
		}
		if c.BadSignature {
			digest[0] ^= 1
			sig, _ = ecdsa.SignASN1(rand.Reader, c.Signer, digest[:])
		}
		msg = binary.BigEndian.AppendUint16(msg, uint16(len(sig)))
		msg = append(msg, sig...)
	}
	return append(msg, c.Trailing...), nil
}
