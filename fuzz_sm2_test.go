package kmspub_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// FuzzSM2Digest feeds arbitrary distinguishing IDs and messages to
// SM2Digest and NewSM2Hash, for the SM2 key of every usage. Invariants:
//
//   - nothing panics;
//   - a nil ID is KMS's default ID: e equals gmsm's CalculateSM2Hash with
//     "1234567812345678";
//   - an ID of 1 to 8191 bytes gives gmsm's CalculateSM2Hash for that ID;
//   - any other length (empty but non-nil, or over 8191 bytes) is refused
//     with an error that names the bounds, and quotes neither ID nor message;
//   - NewSM2Hash agrees with SM2Digest however the message is split into
//     writes, and again after Reset;
//   - a key that is not SM2 is refused;
//   - a signature over e verifies through Verify as a DIGEST, and as the RAW
//     message exactly when the ID is the default one; flipping a bit of it
//     makes both refuse with KMSInvalidSignatureException.
//
// idLen, when non-zero, stretches (or cuts) id to that many bytes by
// repetition, so that lengths around 8191/8192 are reached without the
// fuzzer having to grow multi-kilobyte inputs.
//
// SM2Digest is a client-side computation, not a KMS request, so its
// refusals are plain errors rather than KMS exceptions; Verify's are KMS
// exceptions.
func FuzzSM2Digest(f *testing.F) {
	keys := []*kmspub.PublicKey{
		sigKey(f, types.KeySpecSm2, types.KeyUsageTypeSignVerify),
		sigKey(f, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt),
		sigKey(f, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement),
	}
	signKey := keys[0]
	notSM2 := sigSignKey(f, types.KeySpecEccNistP256)
	priv := sigPrivate(f, types.KeySpecSm2).sm2
	pub := signKey.CryptoPublicKey().(*ecdsa.PublicKey)

	for i := range keys {
		for _, seed := range []struct {
			id     []byte
			nilID  bool
			idLen  uint16
			msg    []byte
			splits uint16
		}{
			{nilID: true, msg: []byte("message for SM2")},
			{id: []byte(kmsrules.SM2DefaultID), msg: []byte("message for SM2")},
			{id: sigLongID, msg: []byte("abc"), splits: 1},
			{id: []byte{}, msg: []byte("empty ID")},
			{id: []byte("x"), msg: nil},
			{id: []byte("i"), idLen: 8191, msg: []byte("longest ID")},
			{id: []byte("i"), idLen: 8192, msg: []byte("one byte too long")},
			{id: []byte("ID"), idLen: 65535, msg: []byte("much too long")},
			{id: []byte{0xff}, idLen: 32, msg: bytes.Repeat([]byte("m"), 4097), splits: 4000},
		} {
			f.Add(uint8(i), seed.nilID, seed.id, seed.idLen, seed.msg, seed.splits, uint16(0), uint8(0))
		}
	}
	f.Add(uint8(0), true, []byte{}, uint16(0), []byte("flip"), uint16(0), uint16(7), uint8(1))
	f.Add(uint8(3), true, []byte{}, uint16(0), []byte("P-256 key"), uint16(0), uint16(0), uint8(0))

	f.Fuzz(func(t *testing.T, which uint8, nilID bool, id []byte, idLen uint16, msg []byte, split uint16, flipAt uint16, flipBits uint8) {
		if int(which)%(len(keys)+1) == len(keys) {
			if _, err := kmspub.SM2Digest(notSM2, id, msg); err == nil {
				t.Fatal("SM2Digest accepted a P-256 key")
			}
			if _, err := kmspub.NewSM2Hash(notSM2, id); err == nil {
				t.Fatal("NewSM2Hash accepted a P-256 key")
			}
			return
		}
		k := keys[int(which)%(len(keys)+1)]
		if nilID {
			id = nil
		} else {
			id = stretch(id, int(idLen))
		}

		got, err := kmspub.SM2Digest(k, id, msg)
		h, herr := kmspub.NewSM2Hash(k, id)
		if (err == nil) != (herr == nil) {
			t.Fatalf("SM2Digest error %v, NewSM2Hash error %v", err, herr)
		}
		validID := id == nil || (len(id) >= 1 && len(id) <= 8191)
		if !validID {
			if err == nil {
				t.Fatalf("SM2Digest accepted a %d-byte ID", len(id))
			}
			// The refusal of an ID of the same length whose bytes all differ:
			// text found in both is the refusal's own wording, not input.
			_, baseErr := kmspub.SM2Digest(k, flipAll(id), flipAll(msg))
			for _, e := range []error{err, herr} {
				text := e.Error()
				if !strings.Contains(text, "1 to 8191 bytes") {
					t.Fatalf("refusal of a %d-byte ID does not state the bounds: %q", len(id), text)
				}
				for _, in := range [][]byte{id, msg} {
					if len(in) >= 4 && strings.Contains(text, string(in)) && (baseErr == nil || !strings.Contains(baseErr.Error(), string(in))) {
						t.Fatalf("refusal quotes its input: %q", text)
					}
				}
			}
			return
		}
		if err != nil {
			t.Fatalf("SM2Digest with a %d-byte ID: %v", len(id), err)
		}
		gmsmID := id
		if gmsmID == nil {
			gmsmID = []byte(kmsrules.SM2DefaultID)
		}
		want, err := sm2.CalculateSM2Hash(pub, msg, gmsmID)
		if err != nil {
			t.Fatalf("gmsm CalculateSM2Hash with a %d-byte ID: %v", len(gmsmID), err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("SM2Digest = %x, gmsm = %x (ID %d bytes, message %d bytes)", got, want, len(id), len(msg))
		}

		// Streaming: split the message at a fuzzer-chosen point, Sum with a
		// prefix, Reset and write it again in one piece.
		cut := 0
		if len(msg) > 0 {
			cut = int(split) % (len(msg) + 1)
		}
		h.Write(msg[:cut])
		h.Write(msg[cut:])
		if sum := h.Sum([]byte("prefix")); !bytes.Equal(sum, append([]byte("prefix"), want...)) {
			t.Fatalf("NewSM2Hash in two writes (cut at %d) = %x, want %x", cut, sum[6:], want)
		}
		h.Reset()
		h.Write(msg)
		if sum := h.Sum(nil); !bytes.Equal(sum, want) {
			t.Fatalf("NewSM2Hash after Reset = %x, want %x", sum, want)
		}

		if k != signKey {
			return
		}
		// e is what KMS signs; a signature over it verifies as the DIGEST,
		// and as the RAW message only under the default ID.
		sig, err := sm2.SignASN1(rand.Reader, priv, got, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Verify(got, types.MessageTypeDigest, types.SigningAlgorithmSpecSm2dsa, sig); err != nil {
			t.Fatalf("signature over e refused as DIGEST: %v", err)
		}
		defaultID := id == nil || string(id) == kmsrules.SM2DefaultID
		if len(msg) >= 1 && len(msg) <= kmsrules.MaxMessageSize {
			err := k.Verify(msg, types.MessageTypeRaw, types.SigningAlgorithmSpecSm2dsa, sig)
			if defaultID && err != nil {
				t.Fatalf("default-ID signature refused as RAW: %v", err)
			}
			if !defaultID {
				wantInvalidSignatureFuzz(t, err, "RAW message signed under another ID")
			}
		}
		if flipBits != 0 {
			bad := bytes.Clone(sig)
			bad[int(flipAt)%len(bad)] ^= flipBits
			wantInvalidSignatureFuzz(t, k.Verify(got, types.MessageTypeDigest, types.SigningAlgorithmSpecSm2dsa, bad), "modified signature")
		}
	})
}

// stretch returns b repeated (and cut) to n bytes; n == 0 returns b as is,
// and an empty b is stretched with 'x'.
func stretch(b []byte, n int) []byte {
	if n == 0 {
		return b
	}
	if len(b) == 0 {
		b = []byte("x")
	}
	return bytes.Repeat(b, n/len(b)+1)[:n]
}

// wantInvalidSignatureFuzz fails unless err is KMS's
// KMSInvalidSignatureException with its empty message.
func wantInvalidSignatureFuzz(t *testing.T, err error, what string) {
	t.Helper()
	var invalid *types.KMSInvalidSignatureException
	if !errors.As(err, &invalid) {
		t.Fatalf("%s: got %T %v; want KMSInvalidSignatureException", what, err, err)
	}
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "KMSInvalidSignatureException" || api.ErrorMessage() != "" {
		t.Fatalf("%s: error %v is not KMS's empty KMSInvalidSignatureException", what, err)
	}
}
