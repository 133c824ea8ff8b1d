package kmspub

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/big"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// SM2Digest returns e = SM3(Z_A ‖ message), the 32-byte DIGEST message that
// KMS SM2DSA Sign and Verify take, for the SM2 key k and the distinguishing
// ID id (GB/T 32918.2, GM/T 0009):
//
//	Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)
//
// where ENTL is the bit length of ID as two big-endian bytes. A nil id means
// KMS's default ID 1234567812345678, the one KMS uses for RAW messages; a
// signature over a RAW message then verifies against the digest, and the
// reverse. Any other id is 1–8191 bytes (the longest whose bit length fits
// ENTL); a signature over the digest for such an id is an SM2 signature
// with that id, which KMS cannot make or check from a RAW message.
//
// k must be an SM2 key; its key usage is not checked here (Verify does).
func SM2Digest(k *PublicKey, id, message []byte) ([]byte, error) {
	h, err := NewSM2Hash(k, id)
	if err != nil {
		return nil, err
	}
	h.Write(message)
	return h.Sum(nil), nil
}

// NewSM2Hash returns a hash.Hash that has absorbed Z_A for k and id (see
// [SM2Digest]); write the message to it, and Sum appends e = SM3(Z_A ‖ M).
// Reset returns it to the state just after Z_A. It is the streaming form of
// SM2Digest, for messages of any size.
func NewSM2Hash(k *PublicKey, id []byte) (hash.Hash, error) {
	if k == nil || k.spec == nil || k.spec.Spec != types.KeySpecSm2 {
		return nil, errors.New("kmspub: SM2 digest needs an SM2 key")
	}
	if id == nil {
		if k.verify.sm2ZA != nil {
			return newZAHash(k.verify.sm2ZA), nil
		}
		id = []byte(kmsrules.SM2DefaultID)
	}
	if len(id) < 1 || len(id) > kmsrules.MaxSM2IDSize {
		return nil, fmt.Errorf("kmspub: SM2 distinguishing ID is %d bytes; it must be 1 to %d bytes (nil means the default ID %s)",
			len(id), kmsrules.MaxSM2IDSize, kmsrules.SM2DefaultID)
	}
	return newZAHash(sm2ZA(k.raw, id)), nil
}

// sm2ZA computes Z_A for the uncompressed SM2 point raw (04 ‖ x ‖ y) and a
// distinguishing ID of 1 to MaxSM2IDSize bytes.
func sm2ZA(raw, id []byte) []byte {
	params := sm2.P256().Params()
	h := sm3.New()
	var entl [2]byte
	// Two full bytes: an ID of 32 bytes or more has a non-zero high byte.
	binary.BigEndian.PutUint16(entl[:], uint16(len(id)*8))
	h.Write(entl[:])
	h.Write(id)
	var buf [32]byte
	// a = p − 3 for sm2p256v1, as for every curve crypto/elliptic describes.
	a := new(big.Int).Sub(params.P, big.NewInt(3))
	h.Write(a.FillBytes(buf[:]))
	h.Write(params.B.FillBytes(buf[:]))
	h.Write(params.Gx.FillBytes(buf[:]))
	h.Write(params.Gy.FillBytes(buf[:]))
	h.Write(raw[1:]) // x_A ‖ y_A, 32 bytes each
	return h.Sum(nil)
}

// zaHash is SM3 primed with Z_A.
type zaHash struct {
	hash.Hash
	za []byte
}

func newZAHash(za []byte) hash.Hash {
	h := &zaHash{Hash: sm3.New(), za: za}
	h.Hash.Write(za)
	return h
}

func (h *zaHash) Reset() {
	h.Hash.Reset()
	h.Hash.Write(h.za)
}
