package envelope_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/esdkformat"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

func withKeys(keys ...*kmspub.PublicKey) func(*envelope.DecryptOptions) {
	return func(o *envelope.DecryptOptions) { o.Keys = keys }
}

// readUntilError reads r to its end and returns what it released.
func readUntilError(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 7) // small reads: release is checked frame by frame
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// Flipping a bit of any byte of a message — header, encrypted
// data keys, any frame, the final frame — is refused, and no plaintext of
// the frame the byte is in, or of any later frame, is released.
func TestDecryptEveryByteFlipped(t *testing.T) {
	rsaKey := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT")
	ecKey := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r1, _ := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	r2, _ := envelope.NewRecipient(ecKey, "")
	plaintext := []byte("The quick brown fox jumps over the lazy dog, twice.")
	const frameLen = 16
	msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r1, r2}, func(o *envelope.EncryptOptions) {
		o.FrameLength = frameLen
		o.EncryptionContext = map[string]string{"test": "tamper"}
	})
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakeKMS(t, rsaKey, ecKey)
	ctx := context.Background()

	// Where each frame starts, and how much plaintext precedes it.
	r := bytes.NewReader(msg)
	h, _, _, err := esdkformat.ReadHeader(r, esdkformat.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ start, plaintextBefore int }
	var frames []span
	var buf []byte
	for seq, before := uint32(1), 0; ; seq++ {
		frames = append(frames, span{len(msg) - r.Len(), before})
		f, b, err := esdkformat.ReadFrame(r, h.FrameLength, seq, buf)
		if err != nil {
			t.Fatal(err)
		}
		buf = b
		before += f.ContentLen()
		if f.Final {
			break
		}
	}
	if len(frames) != 4 {
		t.Fatalf("%d frames", len(frames))
	}
	bodyStart := frames[0].start

	for i := range msg {
		for _, bit := range []byte{[]byte{0x01, 0x80}[i%2]} { // the lowest or highest bit, alternately
			bad := slices.Clone(msg)
			bad[i] ^= bit
			rd, err := envelope.Decrypt(ctx, fake, bytes.NewReader(bad), withKeys(rsaKey, ecKey))
			if i < bodyStart {
				if err == nil {
					t.Fatalf("byte %d (header) flipped: Decrypt succeeded", i)
				}
				continue
			}
			if err != nil {
				t.Fatalf("byte %d (body) flipped: Decrypt: %v", i, err)
			}
			released, err := readUntilError(rd)
			if err == nil {
				t.Fatalf("byte %d flipped: the whole message decrypted", i)
			}
			if !errors.Is(err, envelope.ErrInvalidMessage) {
				t.Errorf("byte %d flipped: %v is not ErrInvalidMessage", i, err)
			}
			limit := 0
			for _, f := range frames {
				if f.start <= i {
					limit = f.plaintextBefore
				}
			}
			if len(released) > limit || !bytes.Equal(released, plaintext[:len(released)]) {
				t.Fatalf("byte %d flipped: released %d bytes (%q); frames before it hold %d", i, len(released), released, limit)
			}
			// The error sticks.
			if _, err2 := rd.Read(make([]byte, 10)); err2 == nil {
				t.Fatalf("byte %d: Read after the error succeeded", i)
			}
		}
	}
	// Truncated anywhere: refused too, with nothing from the cut frame.
	for n := bodyStart; n < len(msg); n++ {
		rd, err := envelope.Decrypt(ctx, fake, bytes.NewReader(msg[:n]), withKeys(rsaKey))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := readUntilError(rd); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
}

func TestDecryptRequiredContext(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P384.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	fake := newFakeKMS(t, key)
	ctx := context.Background()
	msg, err := envelope.EncryptBytes([]byte("data"), []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = map[string]string{"tenant": "a", "purpose": "backup"}
	})
	if err != nil {
		t.Fatal(err)
	}
	open := func(ec map[string]string) error {
		_, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(key), func(o *envelope.DecryptOptions) { o.EncryptionContext = ec })
		return err
	}
	for _, ec := range []map[string]string{nil, {"tenant": "a"}, {"tenant": "a", "purpose": "backup"}} {
		if err := open(ec); err != nil {
			t.Errorf("required %v: %v", ec, err)
		}
	}
	var ce *envelope.ContextError
	if err := open(map[string]string{"tenant": "b"}); !errors.As(err, &ce) || ce.Key != "tenant" {
		t.Errorf("a different value: %v", err)
	}
	if n := len(fake.Calls()); n != 3 {
		t.Errorf("%d KMS calls; the mismatch must not reach KMS", n)
	}
	// A pair the message does not hold: it could only have been
	// authenticated without being stored, which it was not.
	// The pair is added to the context the data key is bound to (the KDF's
	// input here), so the data key does not decrypt.
	err = open(map[string]string{"tenant": "a", "region": "eu"})
	var none *envelope.NoDataKeyError
	if !errors.As(err, &none) || !slices.Equal(none.UnstoredContextKeys, []string{"region"}) || !strings.Contains(err.Error(), `"region"`) {
		t.Errorf("an extra pair: %v", err)
	}
}

// Pairs the writer authenticated without storing them (the SDKs' required
// encryption context keys) must be given to open the message.
func TestDecryptAuthenticatedOnlyContext(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	fake := newFakeKMS(t, key)
	msg, err := envelope.Craft{
		Stored: map[string]string{"kept": "1"}, AuthOnly: map[string]string{"secret-ish": "2"},
		FrameLength: 8, Final: []byte("hello"),
	}.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(key), func(o *envelope.DecryptOptions) {
		o.EncryptionContext = map[string]string{"secret-ish": "2"}
	})
	if err != nil || string(got) != "hello" {
		t.Fatalf("with the pair: %q, %v", got, err)
	}
	for _, ec := range []map[string]string{nil, {"secret-ish": "3"}} {
		if _, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(key), func(o *envelope.DecryptOptions) { o.EncryptionContext = ec }); err == nil {
			t.Errorf("required %v: opened", ec)
		}
	}
}

// What the format allows but Encrypt does not write: a final frame of 0
// bytes after full regular frames (the spec's MAY), and stored pairs out
// of order (the SDKs read them).
func TestDecryptOtherWriters(t *testing.T) {
	key := kmspubtest.KeyByName(t, "SM2.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	fake := newFakeKMS(t, key)
	msg, err := envelope.Craft{FrameLength: 4, Frames: [][]byte{[]byte("abcd"), []byte("efgh")}, Final: nil}.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := envelope.DecryptBytes(context.Background(), fake, msg, withKeys(key))
	if err != nil || string(got) != "abcdefgh" {
		t.Errorf("empty final frame: %q, %v", got, err)
	}
}

func TestDecryptEndOfMessage(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	fake := newFakeKMS(t, key)
	ctx := context.Background()
	msg, err := envelope.Craft{FrameLength: 4, Frames: [][]byte{[]byte("abcd")}, Final: []byte("ef"), Trailing: []byte{0}}.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := envelope.Decrypt(ctx, fake, bytes.NewReader(msg), withKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	released, err := readUntilError(rd)
	if err == nil || !strings.Contains(err.Error(), "data follows the end") {
		t.Errorf("trailing byte: %v", err)
	}
	if string(released) != "abcd" {
		t.Errorf("released %q; the final frame's plaintext must be withheld", released)
	}
}

func TestDecryptSignedSuite(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P521.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	fake := newFakeKMS(t, key)
	ctx := context.Background()
	signer, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	craft := envelope.Craft{Stored: map[string]string{"a": "b"}, FrameLength: 3, Frames: [][]byte{[]byte("abc")}, Final: []byte("de"), Signer: signer}
	msg, err := craft.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := envelope.Decrypt(ctx, fake, bytes.NewReader(msg), withKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rd)
	if err != nil || string(got) != "abcde" {
		t.Fatalf("signed: %q, %v", got, err)
	}
	if _, ok := rd.EncryptionContext()["aws-crypto-public-key"]; !ok {
		t.Errorf("context %v lacks the verification key", rd.EncryptionContext())
	}

	craft.BadSignature = true
	msg, _ = craft.Message(r)
	rd, err = envelope.Decrypt(ctx, fake, bytes.NewReader(msg), withKeys(key))
	if err != nil {
		t.Fatal(err)
	}
	released, err := readUntilError(rd)
	var me *envelope.MessageError
	if !errors.As(err, &me) || me.Part != "footer" {
		t.Errorf("bad signature: %v", err)
	}
	if string(released) != "abc" {
		t.Errorf("bad signature: released %q; the final frame must wait for the signature", released)
	}

	// An RSA encrypted data key in a signed message: the AWS KMS RSA
	// keyring refuses the suite, and so does Decrypt.
	rsaKey := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT")
	rr, _ := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	craft.BadSignature = false
	msg, _ = craft.Message(rr)
	_, err = envelope.DecryptBytes(ctx, newFakeKMS(t, rsaKey), msg, withKeys(rsaKey))
	var none *envelope.NoDataKeyError
	if !errors.As(err, &none) || !strings.Contains(err.Error(), "signed") {
		t.Errorf("RSA EDK in a signed message: %v", err)
	}
}

// The default CMM's rule: aws-crypto-public-key in the context exactly when
// the suite is signed.
func TestDecryptPublicKeyContextRule(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	msg, err := envelope.Craft{Stored: map[string]string{"aws-crypto-public-key": "AAAA"}, FrameLength: 8, Final: []byte("x")}.Message(r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = envelope.DecryptBytes(context.Background(), newFakeKMS(t, key), msg, withKeys(key))
	if !errors.Is(err, envelope.ErrInvalidMessage) || !strings.Contains(err.Error(), "not signed") {
		t.Errorf("unsigned suite with a verification key: %v", err)
	}
}

func TestDecryptLimits(t *testing.T) {
	k1 := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	k2 := kmspubtest.KeyByName(t, "ECC_NIST_P384.KEY_AGREEMENT")
	r1, _ := envelope.NewRecipient(k1, "")
	r2, _ := envelope.NewRecipient(k2, "")
	msg, err := envelope.EncryptBytes([]byte("x"), []envelope.Recipient{r1, r2}, func(o *envelope.EncryptOptions) { o.FrameLength = 1 << 20 })
	if err != nil {
		t.Fatal(err)
	}
	fake := newFakeKMS(t, k1, k2)
	ctx := context.Background()
	for _, tc := range []struct {
		opt  func(*envelope.DecryptOptions)
		what string
	}{
		{func(o *envelope.DecryptOptions) { o.MaxEncryptedDataKeys = 1 }, "encrypted data keys"},
		{func(o *envelope.DecryptOptions) { o.MaxFrameLength = 1<<20 - 1 }, "frame length"},
	} {
		_, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(k1), tc.opt)
		var le *envelope.LimitError
		if !errors.As(err, &le) || le.What != tc.what || !errors.Is(err, envelope.ErrInvalidMessage) {
			t.Errorf("%s: %v", tc.what, err)
		}
	}
	if len(fake.Calls()) != 0 {
		t.Errorf("KMS was called for a message over a limit: %v", fake.Calls())
	}
	if _, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(k2), func(o *envelope.DecryptOptions) {
		o.MaxEncryptedDataKeys, o.MaxFrameLength = 2, 1<<20
	}); err != nil {
		t.Errorf("at the limits: %v", err)
	}
}

// KMS answers that must not yield a data key, and how they surface.
func TestDecryptKMSFaults(t *testing.T) {
	rsaKey := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT")
	ecKey := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	rr, _ := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha1)
	er, _ := envelope.NewRecipient(ecKey, "")
	rsaMsg, _ := envelope.EncryptBytes([]byte("rsa"), []envelope.Recipient{rr})
	ecMsg, _ := envelope.EncryptBytes([]byte("ecdh"), []envelope.Recipient{er})
	ctx := context.Background()
	other := "arn:aws:kms:us-east-1:111122223333:key/other"
	for _, tc := range []struct {
		name   string
		msg    []byte
		key    *kmspub.PublicKey
		rsa    func(*kms.DecryptInput) (*kms.DecryptOutput, error)
		ecdh   func(*kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error)
		expect string
	}{
		{"access denied", rsaMsg, rsaKey, func(*kms.DecryptInput) (*kms.DecryptOutput, error) {
			return nil, &types.KMSInvalidStateException{Message: aws.String("disabled")}
		}, nil, "KMSInvalidStateException"},
		{"answer for another key", rsaMsg, rsaKey, func(*kms.DecryptInput) (*kms.DecryptOutput, error) {
			return &kms.DecryptOutput{KeyId: aws.String(other), Plaintext: make([]byte, 80)}, nil
		}, nil, "answered for key"},
		{"short plaintext", rsaMsg, rsaKey, func(in *kms.DecryptInput) (*kms.DecryptOutput, error) {
			return &kms.DecryptOutput{KeyId: in.KeyId, Plaintext: make([]byte, 32)}, nil
		}, nil, "returned 32 bytes"},
		{"digest mismatch", rsaMsg, rsaKey, func(in *kms.DecryptInput) (*kms.DecryptOutput, error) {
			return &kms.DecryptOutput{KeyId: in.KeyId, Plaintext: make([]byte, 80)}, nil
		}, nil, "encryption context digest"},
		{"ECDH access denied", ecMsg, ecKey, nil, func(*kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error) {
			return nil, &types.KMSInvalidStateException{Message: aws.String("pending deletion")}
		}, "KMSInvalidStateException"},
		{"ECDH answer for another key", ecMsg, ecKey, nil, func(in *kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error) {
			return &kms.DeriveSharedSecretOutput{KeyId: aws.String(other), SharedSecret: make([]byte, 32), KeyAgreementAlgorithm: "ECDH"}, nil
		}, "answered for key"},
		{"ECDH short secret", ecMsg, ecKey, nil, func(in *kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error) {
			return &kms.DeriveSharedSecretOutput{KeyId: in.KeyId, SharedSecret: make([]byte, 31), KeyAgreementAlgorithm: "ECDH"}, nil
		}, "31-byte secret"},
		{"ECDH wrong secret", ecMsg, ecKey, nil, func(in *kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error) {
			return &kms.DeriveSharedSecretOutput{KeyId: in.KeyId, SharedSecret: make([]byte, 32), KeyAgreementAlgorithm: "ECDH"}, nil
		}, "commitment key does not match"},
	} {
		fake := newFakeKMS(t, tc.key)
		fake.decryptFault, fake.deriveFault = tc.rsa, tc.ecdh
		_, err := envelope.DecryptBytes(ctx, fake, tc.msg, withKeys(tc.key), func(o *envelope.DecryptOptions) {
			o.EncryptionAlgorithm = types.EncryptionAlgorithmSpecRsaesOaepSha1
		})
		var none *envelope.NoDataKeyError
		if !errors.As(err, &none) || !strings.Contains(err.Error(), tc.expect) {
			t.Errorf("%s: %v", tc.name, err)
		}
		var state *types.KMSInvalidStateException
		if tc.expect == "KMSInvalidStateException" && !errors.As(err, &state) {
			t.Errorf("%s: errors.As does not find the KMS exception in %v", tc.name, err)
		}
	}
}

// With no algorithm named, the key's list is tried in order; a wrong
// algorithm (InvalidCiphertextException) moves on to the next.
func TestDecryptAlgorithmOrder(t *testing.T) {
	key := kmspubtest.KeyByName(t, "RSA_2048.ENCRYPT_DECRYPT") // lists SHA_1, then SHA_256
	r, _ := envelope.NewRecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	msg, _ := envelope.EncryptBytes([]byte("x"), []envelope.Recipient{r})
	ctx := context.Background()
	fake := newFakeKMS(t, key)
	if _, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(key)); err != nil {
		t.Fatal(err)
	}
	want := []string{"Decrypt RSAES_OAEP_SHA_1 " + key.KeyID(), "Decrypt RSAES_OAEP_SHA_256 " + key.KeyID()}
	if got := fake.Calls(); !slices.Equal(got, want) {
		t.Errorf("calls %v, want %v", got, want)
	}
	fake = newFakeKMS(t, key)
	if _, err := envelope.DecryptBytes(ctx, fake, msg, withKeys(key), func(o *envelope.DecryptOptions) {
		o.EncryptionAlgorithm = types.EncryptionAlgorithmSpecRsaesOaepSha256
	}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Calls(); len(got) != 1 {
		t.Errorf("named algorithm: calls %v", got)
	}
}

func TestDecryptDiscovery(t *testing.T) {
	rsaKey := kmspubtest.KeyByName(t, "RSA_4096.ENCRYPT_DECRYPT")
	ecKey := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	rr, _ := envelope.NewRecipient(rsaKey, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	er, _ := envelope.NewRecipient(ecKey, "")
	ctx := context.Background()
	discovery := func(o *envelope.DecryptOptions) { o.Discovery = true }

	msg, _ := envelope.EncryptBytes([]byte("found"), []envelope.Recipient{rr})
	rd, err := envelope.Decrypt(ctx, newFakeKMS(t, rsaKey), bytes.NewReader(msg), discovery)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rd); string(got) != "found" || rd.KeyID() != rsaKey.KeyID() {
		t.Errorf("discovery: %q from %s", got, rd.KeyID())
	}
	// ECDH encrypted data keys name no KMS key: discovery cannot open them.
	msg, _ = envelope.EncryptBytes([]byte("x"), []envelope.Recipient{er})
	_, err = envelope.DecryptBytes(ctx, newFakeKMS(t, ecKey), msg, discovery)
	var none *envelope.NoDataKeyError
	if !errors.As(err, &none) || none.Skipped != 1 {
		t.Errorf("ECDH in discovery: %v", err)
	}
	if _, err := envelope.DecryptBytes(ctx, newFakeKMS(t), msg); err == nil {
		t.Error("no keys and no discovery: accepted")
	}
}

// A multi-Region key's replica in another Region opens what its primary's
// ARN names, as the keyrings' MRK match allows; a single-Region key in
// another Region does not.
func TestDecryptMultiRegionKey(t *testing.T) {
	withARN := func(name, arn string) *kmspub.PublicKey {
		data := kmspubtest.File(t, "keys", name+".json")
		k, err := kmspub.ParseGetPublicKeyJSON(bytes.Replace(data, []byte(kmspubtest.KeyByName(t, name).KeyID()), []byte(arn), 1))
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	const name = "RSA_2048.ENCRYPT_DECRYPT"
	ctx := context.Background()
	for _, tc := range []struct {
		writer, reader string
		opens          bool
	}{
		{"arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd", "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd", true},
		{"arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd", "arn:aws:kms:eu-west-1:444455556666:key/mrk-1234abcd", false},
		{"arn:aws:kms:us-east-1:111122223333:key/1234abcd", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd", false},
	} {
		w, rk := withARN(name, tc.writer), withARN(name, tc.reader)
		r, _ := envelope.NewRecipient(w, types.EncryptionAlgorithmSpecRsaesOaepSha256)
		msg, _ := envelope.EncryptBytes([]byte("mrk"), []envelope.Recipient{r})
		_, err := envelope.DecryptBytes(ctx, newFakeKMS(t, rk), msg, withKeys(rk))
		if (err == nil) != tc.opens {
			t.Errorf("%s written, %s reading: %v", tc.writer, tc.reader, err)
		}
	}
}

func TestDecryptNotAMessage(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	good, _ := envelope.EncryptBytes([]byte("x"), []envelope.Recipient{r})
	for name, msg := range map[string][]byte{
		"empty":     nil,
		"base64":    []byte("AgR4AAAA"),
		"version 1": append([]byte{1, 0x80}, good[3:]...),
		"text":      []byte("hello, world"),
	} {
		_, err := envelope.DecryptBytes(context.Background(), newFakeKMS(t, key), msg, withKeys(key))
		if !errors.Is(err, envelope.ErrInvalidMessage) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A source that fails is not an invalid message: its error comes back as
// it is, wrapped.
func TestDecryptReadError(t *testing.T) {
	key := kmspubtest.KeyByName(t, "ECC_NIST_P256.KEY_AGREEMENT")
	r, _ := envelope.NewRecipient(key, "")
	msg, _ := envelope.EncryptBytes(make([]byte, 100), []envelope.Recipient{r}, func(o *envelope.EncryptOptions) { o.FrameLength = 10 })
	boom := errors.New("connection reset")
	for _, n := range []int{10, len(msg) - 30} {
		src := io.MultiReader(bytes.NewReader(msg[:n]), iotestErr{boom})
		rd, err := envelope.Decrypt(context.Background(), newFakeKMS(t, key), src, withKeys(key))
		if err == nil {
			_, err = io.ReadAll(rd)
		}
		if !errors.Is(err, boom) || errors.Is(err, envelope.ErrInvalidMessage) {
			t.Errorf("failing after %d bytes: %v", n, err)
		}
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }
