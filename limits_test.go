package kmspub_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// The limits tests show that hostile input cannot make kmspub allocate in
// proportion to it: every blob is refused on its length before it is read,
// copied, decoded or quoted, and streamed input is hashed in constant
// memory. They measure bytes allocated (runtime.MemStats.TotalAlloc) around
// one call; the bounds are far below the input sizes and far above what
// the calls need, so unrelated background allocation cannot flip them.

// hugeSize is the size of the hostile in-memory inputs.
const hugeSize = 100 << 20

// hugeInput is one shared 100 MB buffer, so the tests allocate it once.
var hugeInput = make([]byte, hugeSize)

// smallAlloc is what a refusal may allocate: an error value and its text.
const smallAlloc = 64 << 10

func wantBoundedRefusal(t *testing.T, what string, bound uint64, call func() error, check func(error) bool) {
	t.Helper()
	var err error
	n := kmspubtest.Allocated(func() { err = call() })
	if err == nil || !check(err) {
		t.Fatalf("%s: got %v", what, err)
	}
	if n > bound {
		t.Errorf("%s: refusal allocated %d bytes (bound %d)", what, n, bound)
	}
	if len(err.Error()) > 4096 {
		t.Errorf("%s: %d-byte error text", what, len(err.Error()))
	}
	t.Logf("%s: refused after allocating %d bytes", what, n)
}

func isCode(code string) func(error) bool {
	return func(err error) bool {
		var api smithy.APIError
		return errors.As(err, &api) && api.ErrorCode() == code
	}
}

func isInvalidKey(err error) bool { return errors.Is(err, kmspub.ErrInvalidKey) }

// TestLimitsRequestBlobs: a 100 MB message, signature or plaintext is
// refused with KMS's model-length ValidationException before kmspub hashes,
// copies or verifies it.
func TestLimitsRequestBlobs(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	mldsa := kmspubtest.SigningKey(t, types.KeySpecMlDsa87)
	rsaEnc := kmspubtest.Key(t, types.KeySpecRsa4096, types.KeyUsageTypeEncryptDecrypt)
	sm2Enc := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	validation := isCode(codeValidation)
	sig := make([]byte, 72)

	wantBoundedRefusal(t, "Verify, 100 MB RAW message", smallAlloc,
		func() error { return p256.Verify(hugeInput, types.MessageTypeRaw, "ECDSA_SHA_256", sig) }, validation)
	wantBoundedRefusal(t, "Verify, 100 MB ML-DSA message", smallAlloc,
		func() error { return mldsa.Verify(hugeInput, "", "ML_DSA_SHAKE_256", sig) }, validation)
	wantBoundedRefusal(t, "Verify, 100 MB signature", smallAlloc,
		func() error { return p256.Verify([]byte("m"), types.MessageTypeRaw, "ECDSA_SHA_256", hugeInput) }, validation)
	wantBoundedRefusal(t, "Verify, 6145-byte signature", smallAlloc,
		func() error { return p256.Verify([]byte("m"), types.MessageTypeRaw, "ECDSA_SHA_256", hugeInput[:6145]) }, validation)
	wantBoundedRefusal(t, "Encrypt RSA, 100 MB plaintext", smallAlloc,
		func() error { _, err := rsaEnc.Encrypt(hugeInput, "RSAES_OAEP_SHA_256"); return err }, validation)
	wantBoundedRefusal(t, "Encrypt SM2PKE, 100 MB plaintext", smallAlloc,
		func() error { _, err := sm2Enc.Encrypt(hugeInput, "SM2PKE"); return err }, validation)
	hugeName := strings.Repeat("A", hugeSize)
	wantBoundedRefusal(t, "Verify, 100 MB algorithm name", smallAlloc,
		func() error {
			return p256.Verify([]byte("m"), "", types.SigningAlgorithmSpec(hugeName), sig)
		}, validation)
	wantBoundedRefusal(t, "Verify, 100 MB message type", smallAlloc,
		func() error {
			return p256.Verify([]byte("m"), types.MessageType(hugeName), "ECDSA_SHA_256", sig)
		}, validation)
	wantBoundedRefusal(t, "Encrypt, 100 MB algorithm name", smallAlloc,
		func() error {
			_, err := rsaEnc.Encrypt([]byte("m"), types.EncryptionAlgorithmSpec(hugeName))
			return err
		}, validation)
	wantBoundedRefusal(t, "SM2Digest, 100 MB distinguishing ID", smallAlloc,
		func() error {
			_, err := kmspub.SM2Digest(kmspubtest.SigningKey(t, types.KeySpecSm2), hugeInput, []byte("m"))
			return err
		},
		func(err error) bool { return strings.Contains(err.Error(), "1 to 8191 bytes") })

	// VerifyReader refuses a 100 MB signature before it reads the message.
	r := &kmspubtest.CountingReader{R: io.LimitReader(&kmspubtest.ZeroReader{N: -1}, hugeSize)}
	wantBoundedRefusal(t, "VerifyReader, 100 MB signature", smallAlloc,
		func() error { return p256.VerifyReader(r, "ECDSA_SHA_256", hugeInput) }, validation)
	if r.N != 0 {
		t.Errorf("VerifyReader read %d bytes of the message before refusing the signature", r.N)
	}
}

// TestLimitsKeyInputs: key files and SPKIs far over any KMS key's size are
// refused before they are decoded or parsed.
func TestLimitsKeyInputs(t *testing.T) {
	meta := func() *kms.GetPublicKeyOutput {
		return &kms.GetPublicKeyOutput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify}
	}
	// A JSON object that is valid up to its size: '{' then 100 MB of spaces.
	json := bytes.Repeat([]byte(" "), hugeSize)
	json[0] = '{'
	wantBoundedRefusal(t, "ParseGetPublicKeyJSON, 100 MB", smallAlloc,
		func() error { _, err := kmspub.ParseGetPublicKeyJSON(json); return err }, isInvalidKey)
	wantBoundedRefusal(t, "ParseGetPublicKeyJSON, 64 KiB + 1", smallAlloc,
		func() error { _, err := kmspub.ParseGetPublicKeyJSON(json[:64<<10+1]); return err }, isInvalidKey)

	// PEM, base64 and whitespace of 100 MB, and PEM just over 16 KiB.
	pemHuge := append([]byte("-----BEGIN PUBLIC KEY-----\n"), bytes.Repeat([]byte("QUFB\n"), hugeSize/5)...)
	b64Huge := bytes.Repeat([]byte("QUFB"), hugeSize/4)
	for _, in := range []struct {
		name string
		data []byte
	}{
		{"PEM, 100 MB", pemHuge},
		{"PEM, 16 KiB + 1", pemHuge[:16<<10+1]},
		{"base64, 100 MB", b64Huge},
		{"whitespace, 100 MB", json[1:]},
		{"DER, 100 MB", append([]byte{0x30, 0x84, 0x06, 0x40, 0x00, 0x00}, hugeInput[:hugeSize-6]...)},
	} {
		wantBoundedRefusal(t, "ParseSubjectPublicKeyInfo, "+in.name, smallAlloc,
			func() error { _, err := kmspub.ParseSubjectPublicKeyInfo(in.data, meta()); return err }, isInvalidKey)
	}

	// An SPKI given directly (as GetPublicKey returns it) holding a 100 MB
	// RSA modulus: structurally valid DER, refused on its size alone.
	der := hugeRSASPKI(hugeSize)
	wantBoundedRefusal(t, "FromGetPublicKeyOutput, 100 MB RSA SPKI", smallAlloc,
		func() error {
			out := meta()
			out.KeyId = aws.String("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001")
			out.PublicKey = der
			_, err := kmspub.FromGetPublicKeyOutput(out)
			return err
		}, isInvalidKey)

	// A 100 MB KeyId is refused without being quoted in full.
	longID := strings.Repeat("a", hugeSize)
	wantBoundedRefusal(t, "ParseSubjectPublicKeyInfo, 100 MB KeyId", smallAlloc,
		func() error {
			m := meta()
			m.KeyId = aws.String(longID)
			_, err := kmspub.ParseSubjectPublicKeyInfo(kmspubtest.File(t, "keys/RSA_2048.pub.pem"), m)
			return err
		}, isInvalidKey)
	wantBoundedRefusal(t, "FromGetPublicKeyOutput, 100 MB KeyId", smallAlloc,
		func() error {
			out := meta()
			out.KeyId = aws.String(longID)
			out.PublicKey = kmspubtest.PublicKeyDER(t, types.KeySpecRsa2048)
			_, err := kmspub.FromGetPublicKeyOutput(out)
			return err
		}, isInvalidKey)
}

// TestLimitsKeyID: a key ID over KMS's model limit (KeyIdType, 1–2048
// characters) is refused with KMS's ValidationException before a Keyring
// asks KMS, makes a cache entry for it or quotes it, through every entry
// point that takes one.
func TestLimitsKeyID(t *testing.T) {
	// KMS quotes a string member's value; kmspub quotes at most 2048
	// characters of it.
	tooLong := func(id string) string {
		return "1 validation error detected: Value '" + id[:2048] + "' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"
	}
	ring := kmspub.NewKeyring(noKMS{t})
	// The audit log records every request's key ID, refused ones too.
	client := kmspub.NewClient(ring, func(o *kmspub.ClientOptions) { o.AuditLogger = slog.New(slog.NewJSONHandler(io.Discard, nil)) })
	for _, id := range []string{"alias/" + strings.Repeat("a", 2043), strings.Repeat("a", hugeSize)} {
		calls := []struct {
			name string
			call func() error
		}{
			{"Fetch", func() error { _, err := kmspub.Fetch(context.Background(), noKMS{t}, id); return err }},
			{"Keyring.Get", func() error { _, err := ring.Get(context.Background(), id); return err }},
			{"Client.Verify", func() error {
				_, err := client.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(id), Message: []byte("m"),
					SigningAlgorithm: "ECDSA_SHA_256", Signature: []byte{0x30}})
				return err
			}},
		}
		for _, c := range calls {
			wantBoundedRefusal(t, fmt.Sprintf("%s, %d-character key ID", c.name, len(id)), smallAlloc, c.call,
				func(err error) bool {
					var api smithy.APIError
					return errors.As(err, &api) && api.ErrorCode() == codeValidation && api.ErrorMessage() == tooLong(id)
				})
		}
	}
	// 2048 characters is within the model: the name reaches KMS.
	if _, err := kmspub.Fetch(context.Background(), noKMS{t}, "alias/"+strings.Repeat("a", 2042)); !errors.Is(err, errNoKMS) {
		t.Fatalf("2048-character key ID: %v; want the client's answer", err)
	}
}

var errNoKMS = errors.New("no KMS here")

// noKMS is a GetPublicKey client that answers every call with
// errNoKMS: a key ID that reaches it was not refused locally.
type noKMS struct{ t *testing.T }

func (c noKMS) GetPublicKey(context.Context, *kms.GetPublicKeyInput, ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	return nil, errNoKMS
}

// hugeRSASPKI returns SEQUENCE { SEQUENCE { rsaEncryption, NULL },
// BIT STRING { 0, SEQUENCE { INTEGER (size bytes), INTEGER 65537 } } }.
func hugeRSASPKI(size int) []byte {
	length := func(n int) []byte { return []byte{0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)} }
	modulus := append(append([]byte{0x02}, length(size+1)...), 0x00)
	modulus = append(modulus, bytes.Repeat([]byte{0xff}, size)...)
	rsaKey := append(modulus, 0x02, 0x03, 0x01, 0x00, 0x01)
	rsaKey = append(append([]byte{0x30}, length(len(rsaKey))...), rsaKey...)
	bits := append(append([]byte{0x03}, length(len(rsaKey)+1)...), 0x00)
	bits = append(bits, rsaKey...)
	algID := []byte{0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00}
	body := append(algID, bits...)
	return append(append([]byte{0x30}, length(len(body))...), body...)
}

// TestLimitsStreaming: VerifyReader and Digest hash a 64 MiB input in
// constant memory for every kind of message hash, and read no more than
// 4097 bytes for ED25519_SHA_512, which has no digest form.
func TestLimitsStreaming(t *testing.T) {
	const streamSize = 64 << 20
	const bound = 1 << 20 // io.Copy's 32 KiB buffer, hash states, errors
	for _, c := range []struct {
		spec types.KeySpec
		alg  types.SigningAlgorithmSpec
	}{
		{types.KeySpecEccNistP256, "ECDSA_SHA_256"},
		{types.KeySpecRsa2048, "RSASSA_PSS_SHA_512"},
		{types.KeySpecSm2, "SM2DSA"},
		{types.KeySpecMlDsa44, "ML_DSA_SHAKE_256"},
		{types.KeySpecEccNistEdwards25519, "ED25519_PH_SHA_512"},
		{types.KeySpecEccNistEdwards25519, "ED25519_SHA_512"},
	} {
		k := kmspubtest.SigningKey(t, c.spec)
		sig := make([]byte, 64)
		r := &kmspubtest.CountingReader{R: io.LimitReader(&kmspubtest.ZeroReader{N: -1}, streamSize)}
		var err error
		n := kmspubtest.Allocated(func() { err = k.VerifyReader(r, c.alg, sig) })
		wantRead := streamSize
		wantErr := codeInvalidSig
		if c.alg == "ED25519_SHA_512" {
			wantRead, wantErr = 4097, codeValidation
		}
		if !isCode(wantErr)(err) {
			t.Errorf("%s: VerifyReader of %d zero bytes = %v; want %s", c.alg, streamSize, err, wantErr)
		}
		if r.N != wantRead {
			t.Errorf("%s: VerifyReader read %d bytes; want %d", c.alg, r.N, wantRead)
		}
		if n > bound {
			t.Errorf("%s: VerifyReader of %d bytes allocated %d bytes (bound %d)", c.alg, streamSize, n, bound)
		}
		r = &kmspubtest.CountingReader{R: io.LimitReader(&kmspubtest.ZeroReader{N: -1}, streamSize)}
		m := kmspubtest.Allocated(func() { _, _, err = k.Digest(r, c.alg) })
		if c.alg != "ED25519_SHA_512" && err != nil {
			t.Errorf("%s: Digest: %v", c.alg, err)
		}
		if m > bound {
			t.Errorf("%s: Digest of %d bytes allocated %d bytes (bound %d)", c.alg, streamSize, m, bound)
		}
		t.Logf("%s: %d MiB streamed; VerifyReader allocated %d bytes, Digest %d", c.alg, streamSize>>20, n, m)
	}

	// NewSM2Hash is the streaming form of SM2Digest, for another ID.
	h, err := kmspub.NewSM2Hash(kmspubtest.SigningKey(t, types.KeySpecSm2), longID)
	kmspubtest.Check(t, err)
	n := kmspubtest.Allocated(func() { io.Copy(h, io.LimitReader(&kmspubtest.ZeroReader{N: -1}, streamSize)); h.Sum(nil) })
	if n > bound {
		t.Errorf("NewSM2Hash of %d bytes allocated %d bytes", streamSize, n)
	}
}
