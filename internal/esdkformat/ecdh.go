package esdkformat

import (
	"encoding/binary"
)

// Key provider IDs of the encrypted data keys kmspub writes and opens.
const (
	ProviderAWSKMSRSA  = "aws-kms-rsa"  // AWS KMS RSA keyring
	ProviderRawECDH    = "raw-ecdh"     // Raw ECDH keyring
	ProviderAWSKMSECDH = "aws-kms-ecdh" // AWS KMS ECDH keyring; same structures as raw-ecdh
)

// ECDHKeyringVersion is the version byte of the ECDH key provider
// information, also part of the KDF's fixed info.
const ECDHKeyringVersion = 0x01

// ECDHProviderInfo is the key provider information of a raw-ecdh or
// aws-kms-ecdh encrypted data key (framework/raw-ecdh-keyring.md#key-provider-information,
// as the Material Providers Library serializes it):
//
//	version 0x01 ‖ uint32 length ‖ recipient public key ‖ uint32 length ‖ sender public key
//
// Both keys are compressed SEC 1 points (33 bytes on P-256 and SM2, 49 on
// P-384, 67 on P-521): the recipient's static key and, in the
// EphemeralPrivateKeyToStaticPublicKey schema, the sender's ephemeral one.
type ECDHProviderInfo struct {
	Recipient []byte
	Sender    []byte
}

// Marshal serializes the provider information.
func (p *ECDHProviderInfo) Marshal() []byte {
	b := make([]byte, 0, 1+4+len(p.Recipient)+4+len(p.Sender))
	b = append(b, ECDHKeyringVersion)
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Recipient)))
	b = append(b, p.Recipient...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(p.Sender)))
	return append(b, p.Sender...)
}

// ECDH provider information lengths the Material Providers Library accepts:
// two compressed points of one of the three sizes.
var ecdhProviderInfoPointSize = map[int]int{75: 33, 107: 49, 143: 67}

// ParseECDHProviderInfo parses ECDH key provider information. It accepts
// what the Material Providers Library writes — version 0x01, two compressed
// points of the same size behind lengths that state it — and nothing else.
func ParseECDHProviderInfo(b []byte) (*ECDHProviderInfo, error) {
	const part = "ECDH key provider information"
	n, ok := ecdhProviderInfoPointSize[len(b)]
	if !ok {
		return nil, errorf(part, "is %d bytes; two compressed points on P-256/SM2, P-384 or P-521 make 75, 107 or 143", len(b))
	}
	if b[0] != ECDHKeyringVersion {
		return nil, errorf(part, "has version 0x%02X, want 0x01", b[0])
	}
	if binary.BigEndian.Uint32(b[1:]) != uint32(n) || binary.BigEndian.Uint32(b[5+n:]) != uint32(n) {
		return nil, errorf(part, "states public key lengths that do not match its size")
	}
	return &ECDHProviderInfo{
		Recipient: append([]byte(nil), b[5:5+n]...),
		Sender:    append([]byte(nil), b[9+n:]...),
	}, nil
}

// ECDH ciphertext sizes (framework/raw-ecdh-keyring.md#ciphertext).
const (
	ECDHNonceSize      = 32 // the KDF salt, fresh for each data key
	ECDHCommitKeySize  = 32 // the first half of the KDF output
	ECDHCiphertextSize = ECDHNonceSize + ECDHCommitKeySize + DataKeySize + TagSize
)

// ECDHCiphertext is the ciphertext of an ECDH encrypted data key:
//
//	KDF nonce (32) ‖ commitment key (32) ‖ AES-256-GCM(data key) (32) ‖ tag (16)
type ECDHCiphertext struct {
	Nonce      [ECDHNonceSize]byte
	CommitKey  [ECDHCommitKeySize]byte
	WrappedKey []byte // the encrypted data key followed by its tag
}

// Marshal serializes the ciphertext.
func (c *ECDHCiphertext) Marshal() []byte {
	b := make([]byte, 0, ECDHCiphertextSize)
	b = append(b, c.Nonce[:]...)
	b = append(b, c.CommitKey[:]...)
	return append(b, c.WrappedKey...)
}

// ParseECDHCiphertext parses the ciphertext of an ECDH encrypted data key
// wrapping a 32-byte data key: exactly ECDHCiphertextSize bytes.
func ParseECDHCiphertext(b []byte) (*ECDHCiphertext, error) {
	if len(b) != ECDHCiphertextSize {
		return nil, errorf("ECDH encrypted data key", "is %d bytes; a wrapped 32-byte data key makes %d", len(b), ECDHCiphertextSize)
	}
	c := &ECDHCiphertext{WrappedKey: append([]byte(nil), b[ECDHNonceSize+ECDHCommitKeySize:]...)}
	copy(c.Nonce[:], b)
	copy(c.CommitKey[:], b[ECDHNonceSize:])
	return c, nil
}
