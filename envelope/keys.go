package envelope

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha512"
	"encoding/binary"

	"github.com/kmspub/kmspub/internal/esdkformat"
)

// messageKeys are what a message's data key expands to
// (framework/transitive-requirements.md, HKDF encryption key and commit
// key): one HKDF-SHA512 extract with the message ID as salt, then two
// expands.
type messageKeys struct {
	aead      cipher.AEAD // AES-256-GCM under the derived encryption key
	commitKey [esdkformat.CommitKeySize]byte
}

func deriveMessageKeys(suite esdkformat.SuiteID, dataKey []byte, messageID [esdkformat.MessageIDSize]byte) (*messageKeys, error) {
	prk, err := newHKDFSHA512(dataKey, messageID[:])
	if err != nil {
		return nil, err
	}
	var info [2 + len("DERIVEKEY")]byte
	binary.BigEndian.PutUint16(info[:], uint16(suite))
	copy(info[2:], "DERIVEKEY")
	encKey, err := prk.expand(string(info[:]), esdkformat.DataKeySize)
	if err != nil {
		return nil, err
	}
	defer clear(encKey)
	commitKey, err := prk.expand("COMMITKEY", esdkformat.CommitKeySize)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(encKey)
	if err != nil {
		return nil, err
	}
	k := &messageKeys{aead: aead}
	copy(k.commitKey[:], commitKey)
	return k, nil
}

// hkdfSHA512 is the pseudorandom key of an HKDF-SHA512 extract, expanded
// once per key (the spec's SHOULD: one extract for both keys).
type hkdfSHA512 []byte

func newHKDFSHA512(secret, salt []byte) (hkdfSHA512, error) {
	return hkdf.Extract(sha512.New, secret, salt)
}

func (prk hkdfSHA512) expand(info string, n int) ([]byte, error) {
	return hkdf.Expand(sha512.New, prk, info, n)
}

// newGCM returns AES-GCM with the suite's 12-byte IV and 16-byte tag.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// headerAuthAAD is the AAD of the header authentication tag: the header
// body, then the serialized encryption context that is authenticated but
// not stored (client-apis/encrypt.md, construct the header).
func headerAuthAAD(body, authOnly []byte) []byte {
	if len(authOnly) == 0 {
		return body
	}
	return append(body[:len(body):len(body)], authOnly...)
}

// zeroIV is the header authentication IV in version 2, and the IV of the
// ECDH data key wrapping.
var zeroIV [esdkformat.IVSize]byte
