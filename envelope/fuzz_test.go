package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// fuzzMessage is one real message per fuzzing process (workers make their
// own: encryption is randomized), for two recipients, of four frames.
var fuzzMessage struct {
	once      sync.Once
	msg       []byte
	plaintext []byte
	keys      []*kmspub.PublicKey
	kms       *fakeKMS
}

func fuzzSetup(t testing.TB) {
	fuzzMessage.once.Do(func() {
		rsaKey := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT")
		ecKey := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
		r1, err := envelope.NewRecipient(ecKey, "")
		if err != nil {
			t.Fatal(err)
		}
		r2, err := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha256)
		if err != nil {
			t.Fatal(err)
		}
		fuzzMessage.plaintext = []byte("fuzzing the decrypter, frame by frame!")
		fuzzMessage.msg, err = envelope.EncryptBytes(fuzzMessage.plaintext, []envelope.Recipient{r1, r2}, func(o *envelope.EncryptOptions) {
			o.FrameLength = 11
			o.EncryptionContext = map[string]string{"fuzz": "yes"}
		})
		if err != nil {
			t.Fatal(err)
		}
		fuzzMessage.keys = []*kmspub.PublicKey{ecKey, rsaKey}
		fuzzMessage.kms = newFakeKMS(t, ecKey, rsaKey)
	})
}

// FuzzDecrypt changes a real message — XORs a short patch in at an offset,
// cuts it, appends bytes — and decrypts it. Every byte of a message is
// authenticated, so it asserts that:
//   - Decrypt and reading to the end succeed exactly when the message is
//     unchanged, and then return the plaintext;
//   - otherwise the failure is an invalid message, a context or limit
//     refusal, or no decryptable data key — never a panic — and what was
//     released before it is a prefix of the plaintext.
func FuzzDecrypt(f *testing.F) {
	f.Add(uint16(0), []byte{}, uint16(0), []byte{})
	f.Add(uint16(3), []byte{1}, uint16(0), []byte{})
	f.Add(uint16(0), []byte{}, uint16(5), []byte{})
	f.Add(uint16(0), []byte{}, uint16(0), []byte{0})
	f.Add(uint16(200), []byte{0xFF, 0xFF}, uint16(0), []byte{})
	f.Fuzz(func(t *testing.T, offset uint16, patch []byte, cut uint16, tail []byte) {
		fuzzSetup(t)
		msg := bytes.Clone(fuzzMessage.msg)
		changed := false
		for i, b := range patch {
			if at := int(offset) + i; at < len(msg) && b != 0 {
				msg[at] ^= b
				changed = true
			}
		}
		if c := int(cut) % (len(msg) + 1); c > 0 {
			msg = msg[:len(msg)-c]
			changed = true
		}
		if len(tail) > 0 {
			msg = append(msg, tail...)
			changed = true
		}
		rd, err := envelope.Decrypt(context.Background(), fuzzMessage.kms, bytes.NewReader(msg), func(o *envelope.DecryptOptions) {
			o.Keys = fuzzMessage.keys
		})
		var released []byte
		if err == nil {
			released, err = readUntilError(rd)
		}
		if !bytes.Equal(released, fuzzMessage.plaintext[:min(len(released), len(fuzzMessage.plaintext))]) || len(released) > len(fuzzMessage.plaintext) {
			t.Fatalf("released %q, not a prefix of the plaintext", released)
		}
		if !changed {
			if err != nil || len(released) != len(fuzzMessage.plaintext) {
				t.Fatalf("the unchanged message: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("a changed message decrypted (offset %d patch %x cut %d tail %x)", offset, patch, cut, tail)
		}
		var none *envelope.NoDataKeyError
		var ce *envelope.ContextError
		if !errors.Is(err, envelope.ErrInvalidMessage) && !errors.As(err, &none) && !errors.As(err, &ce) {
			t.Fatalf("unexpected error %T: %v", err, err)
		}
	})
}
