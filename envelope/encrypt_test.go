package envelope_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/esdkformat"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// recipientCases are one key of each kind Encrypt writes for.
var recipientCases = []struct {
	key string
	alg types.EncryptionAlgorithmSpec
}{
	{"RSA_2048.ENCRYPT_DECRYPT", types.EncryptionAlgorithmSpecRsaesOaepSha256},
	{"RSA_3072.ENCRYPT_DECRYPT", types.EncryptionAlgorithmSpecRsaesOaepSha1},
	{"RSA_4096.ENCRYPT_DECRYPT", types.EncryptionAlgorithmSpecRsaesOaepSha256},
	{"ECC_NIST_P256.KEY_AGREEMENT", ""},
	{"ECC_NIST_P384.KEY_AGREEMENT", ""},
	{"ECC_NIST_P521.KEY_AGREEMENT", ""},
	{"SM2.KEY_AGREEMENT", ""},
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	ec := map[string]string{"purpose": "test", "非ASCII": "値 ✓", "": "empty key"}
	for _, rc := range recipientCases {
		key := kmspubtest.KeyByName(t, rc.key)
		r, err := envelope.NewRecipient(key, rc.alg)
		if err != nil {
			t.Fatalf("%s: %v", rc.key, err)
		}
		fake := newFakeKMS(t, key)
		for _, frameLen := range []int{1, 7, 4096} {
			for _, size := range []int{0, 1, frameLen - 1, frameLen, frameLen + 1, 3*frameLen + 2} {
				if size < 0 {
					continue
				}
				plaintext := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
				msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
					o.EncryptionContext = ec
					o.FrameLength = frameLen
				})
				if err != nil {
					t.Fatalf("%s frame %d size %d: %v", rc.key, frameLen, size, err)
				}
				rd, err := envelope.Decrypt(ctx, fake, bytes.NewReader(msg), func(o *envelope.DecryptOptions) {
					o.Keys = []*kmspub.PublicKey{key}
				})
				if err != nil {
					t.Fatalf("%s frame %d size %d: Decrypt: %v", rc.key, frameLen, size, err)
				}
				got, err := io.ReadAll(rd)
				if err != nil {
					t.Fatalf("%s frame %d size %d: Read: %v", rc.key, frameLen, size, err)
				}
				if !bytes.Equal(got, plaintext) {
					t.Fatalf("%s frame %d size %d: plaintext differs", rc.key, frameLen, size)
				}
				if rd.KeyID() != key.KeyID() {
					t.Errorf("KeyID = %s", rd.KeyID())
				}
				if gotEC := rd.EncryptionContext(); len(gotEC) != len(ec) || gotEC["非ASCII"] != ec["非ASCII"] {
					t.Errorf("EncryptionContext = %v", gotEC)
				}
			}
		}
	}
}

// frameLayout parses an unsigned message and returns its frames' content
// lengths.
func frameLayout(t *testing.T, msg []byte) (h *esdkformat.Header, lens []int) {
	t.Helper()
	h, frames, end := kmspubtest.MessageLayout(t, msg)
	if end != len(msg) {
		t.Fatalf("%d bytes after the final frame", len(msg)-end)
	}
	for _, f := range frames {
		lens = append(lens, f.ContentLen)
	}
	return h, lens
}

// The frames Encrypt writes: full regular frames, then a final frame with
// the rest — a full one when the plaintext is a multiple of the frame
// length (the spec's SHOULD), an empty one only for an empty plaintext —
// however the writes are split.
func TestEncryptFrames(t *testing.T) {
	r, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		size, frame int
		want        []int
	}{
		{0, 10, []int{0}},
		{1, 10, []int{1}},
		{10, 10, []int{10}},
		{11, 10, []int{10, 1}},
		{30, 10, []int{10, 10, 10}},
		{31, 10, []int{10, 10, 10, 1}},
	} {
		for _, split := range []int{1, 3, 10, 1000} {
			var buf bytes.Buffer
			w, err := envelope.Encrypt(&buf, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) { o.FrameLength = tc.frame })
			if err != nil {
				t.Fatal(err)
			}
			p := make([]byte, tc.size)
			for len(p) > 0 {
				n := min(split, len(p))
				if m, err := w.Write(p[:n]); m != n || err != nil {
					t.Fatalf("Write = %d, %v", m, err)
				}
				p = p[n:]
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			h, lens := frameLayout(t, buf.Bytes())
			if h.Suite != esdkformat.SuiteCommitKey || int(h.FrameLength) != tc.frame {
				t.Errorf("header: suite %s frame %d", h.Suite, h.FrameLength)
			}
			if !equalInts(lens, tc.want) {
				t.Errorf("size %d frame %d writes of %d: frames %v, want %v", tc.size, tc.frame, split, lens, tc.want)
			}
			if _, err := w.Write([]byte{1}); err == nil {
				t.Errorf("Write after Close succeeded")
			}
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncryptDefaults(t *testing.T) {
	key := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT")
	r, err := envelope.NewRSARecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha1)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := envelope.EncryptBytes([]byte("x"), []envelope.Recipient{r})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := frameLayout(t, msg)
	if h.FrameLength != 4096 || len(h.EncryptionContext) != 0 {
		t.Errorf("frame length %d, context %v", h.FrameLength, h.EncryptionContext)
	}
	edk := h.EncryptedDataKeys[0]
	if edk.ProviderID != "aws-kms-rsa" || string(edk.ProviderInfo) != key.KeyID() || len(edk.Ciphertext) != 256 {
		t.Errorf("EDK %s %q %d bytes", edk.ProviderID, edk.ProviderInfo, len(edk.Ciphertext))
	}
	// A fresh message ID and data key each time.
	msg2, _ := envelope.EncryptBytes([]byte("x"), []envelope.Recipient{r})
	h2, _ := frameLayout(t, msg2)
	if h.MessageID == h2.MessageID || h.CommitKey == h2.CommitKey {
		t.Errorf("two messages share a message ID or commit key")
	}
}

func TestEncryptTwoRecipients(t *testing.T) {
	rsaKey := kmspubtest.KeyByName(t, "RSA_3072.ENCRYPT_DECRYPT")
	ecKey := kmspubtest.KeyByName(t, "ECC_NIST_P384.KEY_AGREEMENT")
	r1, _ := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	r2, _ := envelope.NewRecipient(ecKey, "")
	msg, err := envelope.EncryptBytes([]byte("for both"), []envelope.Recipient{r1, r2})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := frameLayout(t, msg)
	if len(h.EncryptedDataKeys) != 2 || h.EncryptedDataKeys[1].ProviderID != "raw-ecdh" {
		t.Fatalf("EDKs: %+v", h.EncryptedDataKeys)
	}
	// Either key alone opens it.
	for _, key := range []*kmspub.PublicKey{rsaKey, ecKey} {
		got, err := envelope.DecryptBytes(context.Background(), newFakeKMS(t, key), msg, func(o *envelope.DecryptOptions) {
			o.Keys = []*kmspub.PublicKey{key}
		})
		if err != nil || string(got) != "for both" {
			t.Errorf("with %s: %q, %v", key.KeySpec(), got, err)
		}
	}
}

// Keys of the wrong kind are refused with the exception KMS gives for the
// same misuse, through kmspub's own checks.
func TestRecipientRefusals(t *testing.T) {
	var usage *types.InvalidKeyUsageException
	for _, tc := range []struct {
		name    string
		make    func() error
		asUsage bool   // an InvalidKeyUsageException
		text    string // in the error
	}{
		{"RSA SIGN_VERIFY", func() error {
			_, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "RSA_2048.SIGN_VERIFY"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
			return err
		}, true, "key usage is SIGN_VERIFY which is not valid for Encrypt"},
		{"algorithm not listed", func() error {
			_, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT"), types.EncryptionAlgorithmSpecSm2pke)
			return err
		}, true, "Algorithm SM2PKE is incompatible with key spec RSA_2048"},
		{"no algorithm", func() error {
			_, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT"), "")
			return err
		}, true, "SYMMETRIC_DEFAULT"},
		{"ML-KEM", func() error {
			_, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "ML_KEM_768.ENCAPSULATE_DECAPSULATE"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
			return err
		}, true, "key usage is ENCAPSULATE_DECAPSULATE which is not valid for Encrypt"},
		{"ECDH with a SIGN_VERIFY key", func() error {
			_, err := envelope.NewECDHRecipient(kmspubtest.KeyByName(t, "ECC_NIST_P256.SIGN_VERIFY"))
			return err
		}, true, "key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret"},
		{"ECDH with secp256k1", func() error {
			_, err := envelope.NewECDHRecipient(kmspubtest.KeyByName(t, "ECC_SECG_P256K1.SIGN_VERIFY"))
			return err
		}, true, "not valid for DeriveSharedSecret"},
		{"ECDH with an RSA key", func() error {
			_, err := envelope.NewECDHRecipient(kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT"))
			return err
		}, true, "key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret"},
		{"RSA recipient for a KEY_AGREEMENT key", func() error {
			_, err := envelope.NewRSARecipient(kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
			return err
		}, true, "key usage is KEY_AGREEMENT which is not valid for Encrypt"},
		{"SM2PKE", func() error {
			_, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "SM2.ENCRYPT_DECRYPT"), types.EncryptionAlgorithmSpecSm2pke)
			return err
		}, false, "no keyring"},
		{"nil key", func() error {
			_, err := envelope.NewRecipient(nil, "")
			return err
		}, false, "nil"},
	} {
		err := tc.make()
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if tc.asUsage != errors.As(err, &usage) {
			t.Errorf("%s: %v (%T); InvalidKeyUsageException: %v", tc.name, err, err, !tc.asUsage)
		}
		if !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.text)
		}
	}
}

func TestEncryptRefusals(t *testing.T) {
	r, err := envelope.NewRecipient(kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT"), "")
	if err != nil {
		t.Fatal(err)
	}
	rs := []envelope.Recipient{r}
	var ce *envelope.ContextError
	for _, tc := range []struct {
		name       string
		recipients []envelope.Recipient
		opts       envelope.EncryptOptions
		context    bool // a *ContextError
	}{
		{"no recipients", nil, envelope.EncryptOptions{}, false},
		{"nil recipient", []envelope.Recipient{nil}, envelope.EncryptOptions{}, false},
		{"negative frame", rs, envelope.EncryptOptions{FrameLength: -1}, false},
		{"frame too long", rs, envelope.EncryptOptions{FrameLength: 1 << 32}, false},
		{"reserved key", rs, envelope.EncryptOptions{EncryptionContext: map[string]string{"aws-crypto-public-key": "x"}}, true},
		{"not UTF-8", rs, envelope.EncryptOptions{EncryptionContext: map[string]string{"k": "\xff"}}, true},
		{"too large", rs, envelope.EncryptOptions{EncryptionContext: map[string]string{"a": strings.Repeat("x", 33000), "b": strings.Repeat("x", 33000)}}, true},
	} {
		var buf bytes.Buffer
		_, err := envelope.Encrypt(&buf, tc.recipients, func(o *envelope.EncryptOptions) { *o = tc.opts })
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if errors.As(err, &ce) != tc.context {
			t.Errorf("%s: %v (%T)", tc.name, err, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s: %d bytes written before the refusal", tc.name, buf.Len())
		}
	}
}

// A failing destination fails the writer for good.
func TestEncryptWriteError(t *testing.T) {
	r, _ := envelope.NewRecipient(kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT"), "")
	fw := &failAfter{n: 1}
	w, err := envelope.Encrypt(fw, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) { o.FrameLength = 4 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 9)); err == nil {
		t.Fatal("Write succeeded with a failing destination")
	}
	if _, err := w.Write([]byte{1}); err == nil {
		t.Error("a second Write succeeded")
	}
	if err := w.Close(); err == nil {
		t.Error("Close succeeded")
	}
}

type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}

var _ smithy.APIError = (*types.InvalidKeyUsageException)(nil)
