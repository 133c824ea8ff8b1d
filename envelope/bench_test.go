package envelope_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// BenchmarkEncrypt measures Encrypt writing a whole message to io.Discard —
// a fresh data key wrapped for an RSA_2048 key (RSA-OAEP), key derivation,
// header, and every frame — against the bare primitive: AES-256-GCM
// sealing the same bytes in 4 KiB frames, each with its own nonce and AAD.
// scripts/bench compares them with benchstat (-col /impl).
func BenchmarkEncrypt(b *testing.B) {
	r, err := envelope.NewRecipient(kmspubtest.KeyByName(b, "RSA_2048.ENCRYPT_DECRYPT"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		b.Fatal(err)
	}
	recipients := []envelope.Recipient{r}
	for _, size := range []int{1 << 20, 64 << 20} {
		plaintext := make([]byte, size)
		rand.Read(plaintext)
		kmspubtest.RunPair(b, fmt.Sprintf("size=%dMiB", size>>20), func(b *testing.B) {
			key := make([]byte, 32)
			rand.Read(key)
			block, _ := aes.NewCipher(key)
			aead, _ := cipher.NewGCM(block)
			out := make([]byte, 0, 4096+aead.Overhead())
			var nonce [12]byte
			aad := make([]byte, 32+28+12)
			b.SetBytes(int64(size))
			kmspubtest.BenchLoop(b, func() {
				for i, seq := 0, uint32(1); i < len(plaintext); i, seq = i+4096, seq+1 {
					binary.BigEndian.PutUint32(nonce[8:], seq)
					binary.BigEndian.PutUint32(aad[60:], seq)
					sealed := aead.Seal(out[:0], nonce[:], plaintext[i:min(i+4096, len(plaintext))], aad)
					io.Discard.Write(sealed)
				}
			})
		}, func(b *testing.B) {
			b.SetBytes(int64(size))
			kmspubtest.BenchLoop(b, func() {
				w, err := envelope.Encrypt(io.Discard, recipients)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.Write(plaintext); err != nil {
					b.Fatal(err)
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}
