package interop

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	primitivestypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/primitives/awscryptographyprimitivessmithygeneratedtypes"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/esdkformat"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// A message the official SDK signed (its default suite, 0x0578, with the
// Raw ECDH keyring), changed at every byte — header, encrypted data key,
// each frame, the final frame, the footer: kmspub refuses it, releases
// nothing from the frame the byte is in or after it, and holds the final
// frame back until the signature has verified.
func TestInteropSDKSignedMessageTampered(t *testing.T) {
	client, matProv := sdk(t)
	ctx := context.Background()
	key := ecdhKey(t, types.KeySpecEccNistP256)
	kmsClient := newECDHKMS(t, key)
	kr, err := ephemeralECDHKeyring(ctx, matProv, primitivestypes.ECDHCurveSpecEccNistP256, key)
	if err != nil {
		t.Fatal(err)
	}
	plaintext := pattern(150)
	frame := int64(64)
	out, err := client.Encrypt(ctx, esdktypes.EncryptInput{Plaintext: plaintext, Keyring: kr, FrameLength: &frame,
		EncryptionContext: map[string]string{"signed": "by the SDK"}})
	if err != nil {
		t.Fatal(err)
	}
	msg := out.Ciphertext
	open := func(m []byte) ([]byte, error) {
		rd, err := envelope.Decrypt(ctx, kmsClient, bytes.NewReader(m), func(o *envelope.DecryptOptions) {
			o.Keys = []*kmspub.PublicKey{key}
		})
		if err != nil {
			return nil, err
		}
		var got []byte
		buf := make([]byte, 10)
		for {
			n, err := rd.Read(buf)
			got = append(got, buf[:n]...)
			if err == io.EOF {
				return got, nil
			}
			if err != nil {
				return got, err
			}
		}
	}
	if got, err := open(msg); err != nil || !bytes.Equal(got, plaintext) {
		t.Fatalf("the SDK's message: %v", err)
	}

	// Frame and footer offsets, and the plaintext before each.
	h, frames, footer := kmspubtest.MessageLayout(t, msg)
	if h.Suite != esdkformat.SuiteCommitKeyECDSAP384 {
		t.Fatalf("header: suite %s", h.Suite)
	}
	type span struct{ start, before int }
	var parts []span
	before := 0
	for _, f := range frames {
		parts = append(parts, span{f.Start, before})
		before += f.ContentLen
	}
	// The final frame's plaintext waits for the footer.
	parts = append(parts, span{footer, parts[len(parts)-1].before})
	if len(parts) != 4 {
		t.Fatalf("%d frames", len(parts)-1)
	}

	for i := range msg {
		bad := slices.Clone(msg)
		bad[i] ^= []byte{0x01, 0x80}[i%2]
		got, err := open(bad)
		if err == nil {
			t.Fatalf("byte %d changed: decrypted", i)
		}
		limit := 0
		for _, p := range parts {
			if p.start <= i {
				limit = p.before
			}
		}
		if len(got) > limit || !bytes.Equal(got, plaintext[:len(got)]) {
			t.Fatalf("byte %d changed: %d bytes released, at most %d may be", i, len(got), limit)
		}
		var none *envelope.NoDataKeyError
		var ce *envelope.ContextError
		if !errors.Is(err, envelope.ErrInvalidMessage) && !errors.As(err, &none) && !errors.As(err, &ce) {
			t.Fatalf("byte %d changed: %T %v", i, err, err)
		}
	}
}
