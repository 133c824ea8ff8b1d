package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	stdmlkem "crypto/mlkem"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

func TestClientVerify(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f)
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("p256")
	message := []byte("kmspub client verify")
	sig := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP256).Sign(t, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil)

	for _, tc := range []struct {
		name    string
		keyID   string
		message []byte
		mt      types.MessageType
	}{
		{"RAW default", arn, message, ""},
		{"RAW", arn, message, types.MessageTypeRaw},
		{"DIGEST", arn, kmspubtest.Sum(crypto.SHA256, message), types.MessageTypeDigest},
		{"bare key ID", arn[strings.LastIndex(arn, "/")+1:], message, ""},
	} {
		out, err := c.Verify(ctx, &kms.VerifyInput{
			KeyId: aws.String(tc.keyID), Message: tc.message, MessageType: tc.mt,
			Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
			GrantTokens: []string{"ignored offline"},
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if aws.ToString(out.KeyId) != arn || !out.SignatureValid || out.SigningAlgorithm != types.SigningAlgorithmSpecEcdsaSha256 {
			t.Fatalf("%s: output %+v", tc.name, out)
		}
	}
	f.WantCalls(t, 2) // the ARN once, the bare key ID once

	// A wrong signature is KMS's exception with an empty message, never
	// SignatureValid false.
	bad := bytes.Clone(sig)
	bad[len(bad)-1] ^= 1
	out, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if out != nil {
		t.Fatalf("output %+v with an invalid signature", out)
	}
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "KMSInvalidSignatureException", "")
	var ise *types.KMSInvalidSignatureException
	if !errors.As(err, &ise) {
		t.Fatal("errors.As does not find *types.KMSInvalidSignatureException")
	}

	// The key's own refusals pass through unchanged.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsaenc")), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", kmspubtest.FakeKeyARN("rsaenc")+" key usage is ENCRYPT_DECRYPT which is not valid for Verify.")

	// A key KMS does not have: the client's error, with its type.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String("alias/none"), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown alias: %v, want NotFoundException", err)
	}
}

func TestClientRequiredMembersAsTheSDK(t *testing.T) {
	c := kmspub.NewClient(kmspubtest.NewFakeKMS(t))
	// The SDK refuses these before sending anything; so does the client,
	// with the same error.
	sdk := kms.New(kms.Options{Region: "eu-west-2", Credentials: aws.AnonymousCredentials{}})
	ctx := context.Background()
	for _, tc := range []struct {
		op              string
		offline, online func() error
		missing         []string
	}{
		{"Verify", func() error { _, err := c.Verify(ctx, nil); return err }, func() error { _, err := sdk.Verify(ctx, nil); return err },
			[]string{"KeyId", "Message", "Signature", "SigningAlgorithm"}},
		{"Encrypt", func() error { _, err := c.Encrypt(ctx, &kms.EncryptInput{}); return err }, func() error { _, err := sdk.Encrypt(ctx, &kms.EncryptInput{}); return err },
			[]string{"KeyId", "Plaintext"}},
		{"Encapsulate", func() error { _, err := c.Encapsulate(ctx, nil); return err }, func() error { _, err := sdk.Encapsulate(ctx, nil); return err },
			[]string{"KeyId", "EncapsulationAlgorithm"}},
		{"GetPublicKey", func() error { _, err := c.GetPublicKey(ctx, nil); return err }, func() error { _, err := sdk.GetPublicKey(ctx, nil); return err },
			[]string{"KeyId"}},
	} {
		off, on := tc.offline(), tc.online()
		var offP, onP smithy.InvalidParamsError
		if !errors.As(off, &offP) || !errors.As(on, &onP) {
			t.Fatalf("%s: offline %v, online %v; want InvalidParamsError from both", tc.op, off, on)
		}
		if off.Error() != on.Error() {
			t.Fatalf("%s:\noffline %s\nonline  %s", tc.op, off, on)
		}
		for _, member := range tc.missing {
			if !strings.Contains(off.Error(), "missing required field, "+tc.op+"Input."+member+".") {
				t.Fatalf("%s: %s does not name %s", tc.op, off, member)
			}
		}
	}
}

func TestClientEncrypt(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f)
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("rsaenc")
	plaintext := []byte("kmspub client encrypt")

	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KeyId) != arn || out.EncryptionAlgorithm != types.EncryptionAlgorithmSpecRsaesOaepSha256 || len(out.CiphertextBlob) != 256 {
		t.Fatalf("output KeyId %s alg %s ciphertext %d bytes", aws.ToString(out.KeyId), out.EncryptionAlgorithm, len(out.CiphertextBlob))
	}
	// The private half (what KMS Decrypt uses) recovers it.
	got, err := rsa.DecryptOAEP(sha256.New(), nil, kmspubtest.LoadPrivateKey(t, types.KeySpecRsa2048).RSA, out.CiphertextBlob, nil)
	if err != nil || !bytes.Equal(got, plaintext) {
		t.Fatalf("OAEP decrypt: %v", err)
	}

	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256,
		EncryptionContext: map[string]string{"purpose": "test"}})
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantAPIError(t, err, "ValidationException", "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext})
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantAPIError(t, err, "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
	f.WantCalls(t, 1)
}

func TestClientEncapsulate(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f)
	arn := kmspubtest.FakeKeyARN("mlkem768")
	out, err := c.Encapsulate(context.Background(), &kms.EncapsulateInput{KeyId: aws.String(arn), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KeyId) != arn || out.EncapsulationAlgorithm != types.EncapsulationAlgorithmSpecMlKem ||
		len(out.SharedSecret) != 32 || len(out.SharedSecretCiphertextBlob) != 1088 {
		t.Fatalf("output KeyId %s alg %s secret %d ciphertext %d", aws.ToString(out.KeyId), out.EncapsulationAlgorithm, len(out.SharedSecret), len(out.SharedSecretCiphertextBlob))
	}
	// The decapsulation key (what KMS Decapsulate uses) gets the same secret.
	seedHex, err := os.ReadFile(filepath.Join("testdata", "keys", "ML_KEM_768.seed"))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(seedHex)))
	if err != nil {
		t.Fatal(err)
	}
	dk, err := stdmlkem.NewDecapsulationKey768(seed)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := dk.Decapsulate(out.SharedSecretCiphertextBlob)
	if err != nil || !bytes.Equal(secret, out.SharedSecret) {
		t.Fatalf("decapsulated secret differs (%v)", err)
	}

	_, err = c.Encapsulate(context.Background(), &kms.EncapsulateInput{KeyId: aws.String(kmspubtest.FakeKeyARN("p256")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	kmspubtest.WantOperation(t, err, "Encapsulate")
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", kmspubtest.FakeKeyARN("p256")+" key usage is SIGN_VERIFY which is not valid for Encapsulate.")
}

func TestClientGetPublicKey(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f)
	arn := kmspubtest.FakeKeyARN("rsa")
	for range 3 {
		out, err := c.GetPublicKey(context.Background(), &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		want := kmspubtest.FakeKey(t, "rsa").GetPublicKeyOutput()
		if aws.ToString(out.KeyId) != arn || !bytes.Equal(out.PublicKey, want.PublicKey) || out.KeySpec != want.KeySpec ||
			out.KeyUsage != want.KeyUsage || len(out.SigningAlgorithms) != len(want.SigningAlgorithms) {
			t.Fatalf("GetPublicKey output %+v differs from KMS's %+v", out, want)
		}
	}
	f.WantCalls(t, 1)
}

func TestClientDryRun(t *testing.T) {
	c := kmspub.NewClient(kmspubtest.NewFakeKMS(t))
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("p256")
	message := []byte("dry run")
	sig := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP256).Sign(t, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil)
	const dryRunText = "The request would have succeeded, but the DryRun option is set."

	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "DryRunOperationException", dryRunText)
	var dre *types.DryRunOperationException
	if !errors.As(err, &dre) {
		t.Fatal("errors.As does not find *types.DryRunOperationException")
	}
	// A request that would fail gives its failure, not DryRun.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: []byte("other"), Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "KMSInvalidSignatureException", "")

	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsaenc")), Plaintext: message, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, DryRun: aws.Bool(true)})
	if out != nil {
		t.Fatal("DryRun Encrypt returned a ciphertext")
	}
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantAPIError(t, err, "DryRunOperationException", dryRunText)
	_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(kmspubtest.FakeKeyARN("mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, DryRun: aws.Bool(false)})
	if err != nil {
		t.Fatalf("DryRun false: %v", err)
	}
}

// TestClientVerifyLocalKMSSample verifies a signature local-kms made, with
// the key saved by `aws kms get-public-key`, and no KMS client at all.
func TestClientVerifyLocalKMSSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "sample", "ecc_nist_p256.json"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	message, err1 := os.ReadFile(filepath.Join("testdata", "sample", "message.txt"))
	sig, err2 := os.ReadFile(filepath.Join("testdata", "sample", "message.txt.ECDSA_SHA_256.sig"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	keys := kmspub.NewKeyring(nil)
	if err := keys.Add(k); err != nil {
		t.Fatal(err)
	}
	out, err := kmspub.NewClient(keys).Verify(context.Background(), &kms.VerifyInput{
		KeyId: aws.String(k.KeyID()), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil || !out.SignatureValid {
		t.Fatalf("Verify: %v", err)
	}
}

// TestClientConcurrentVerifyWhileAliasMoves has 64 goroutines verify
// through an alias while the alias is re-pointed and the TTL expires again
// and again: every verification must succeed with the key it was given,
// no goroutine may go back to the old key once it saw the new one, and each
// expiry must cost exactly one GetPublicKey.
func TestClientConcurrentVerifyWhileAliasMoves(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	const ttl = time.Minute
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	c := kmspub.NewClient(keys)
	a, b := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	message := []byte("verify while the alias moves")
	sigs := map[string]struct {
		alg types.SigningAlgorithmSpec
		sig []byte
	}{
		a: {types.SigningAlgorithmSpecEcdsaSha256, kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP256).Sign(t, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil)},
		b: {types.SigningAlgorithmSpecEcdsaSha384, kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP384).Sign(t, "ECDSA_SHA_384", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA384, message), nil)},
	}
	f.Point("alias/signer", a)

	const workers, epochs = 64, 8
	var stop atomic.Bool
	var done atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			sawNew := false
			for !stop.Load() {
				// Which key is current decides the algorithm and signature:
				// ask the Keyring, as a service picking by key would.
				k, err := keys.Get(context.Background(), "alias/signer")
				if err != nil {
					errs <- err
					return
				}
				if k.KeyID() == b {
					sawNew = true
				} else if sawNew {
					errs <- errors.New("went back to the old key after seeing the new one")
					return
				}
				s := sigs[k.KeyID()]
				out, err := c.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(k.KeyID()), Message: message, Signature: s.sig, SigningAlgorithm: s.alg})
				if err != nil || aws.ToString(out.KeyId) != k.KeyID() {
					errs <- fmt.Errorf("Verify with %s: %v", k.KeyID(), err)
					return
				}
				done.Add(1)
			}
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if len(errs) > 0 {
				stop.Store(true)
				t.Fatalf("while waiting for %s: %v", what, <-errs)
			}
			if time.Now().After(deadline) {
				stop.Store(true)
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(time.Millisecond)
		}
	}
	// Two misses so far: the alias, and the key ARN it names (an alias's
	// answer is trusted for the alias only, so Verify by key ARN asks for
	// the key by ARN, once).
	waitFor("the first fetches", func() bool { return f.Calls.Load() >= 2 })
	for epoch := 1; epoch <= epochs; epoch++ {
		if epoch == epochs/2 {
			f.Point("alias/signer", b)
		}
		want := f.Calls.Load()
		// Let every goroutine finish more calls than there are goroutines,
		// so some calls certainly started after the last change.
		d0 := done.Load()
		waitFor("calls to go on", func() bool { return done.Load() >= d0+2*workers })
		if got := f.Calls.Load(); got != want {
			stop.Store(true)
			t.Fatalf("epoch %d: %d GetPublicKey calls while the entry was fresh, want %d", epoch, got, want)
		}
		clock.Advance(ttl)
		waitFor("the re-resolution", func() bool { return f.Calls.Load() > want })
		d1 := done.Load()
		waitFor("calls to go on", func() bool { return done.Load() >= d1+2*workers })
		// Exactly one call for this expiry, and one more for b's ARN when
		// the alias has just moved to it.
		wantNew := int64(1)
		if epoch == epochs/2 {
			wantNew = 2
		}
		if got := f.Calls.Load(); got != want+wantNew {
			stop.Store(true)
			t.Fatalf("epoch %d: %d GetPublicKey calls for one expiry, want %d", epoch, got-want, wantNew)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if k := kmspubtest.Get(t, keys, "alias/signer"); k.KeyID() != b {
		t.Fatalf("alias ends at %s, want %s", k.KeyID(), b)
	}
	f.WantCalls(t, 2+epochs+1)
}

// TestClientModelBeforeLookup (issue #13 item 2): the request is checked
// against the KMS API model before the key is looked up, every violation
// listed in one ValidationException in member order (docs/KMS-RULES.md
// §7.2, §7.3), so a request with two faults gets KMS's answer.
func TestClientModelBeforeLookup(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f)
	ctx := context.Background()
	const (
		tooLong     = "Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"
		emptyKeyID  = "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1"
		emptyKeyID2 = `Value '' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\p{ASCII}+$`
	)
	// An unknown key and an oversized message: KMS's ValidationException,
	// not NotFoundException, and no GetPublicKey.
	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String("alias/none"), Message: make([]byte, 4097), Signature: []byte{1}, SigningAlgorithm: "ECDSA_SHA_256"})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "ValidationException", "1 validation error detected: "+tooLong)
	// An unknown enum value on a key of the wrong usage.
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(kmspubtest.FakeKeyARN("p256")), Plaintext: []byte("x"), EncryptionAlgorithm: "FOO"})
	kmspubtest.WantCode(t, err, "ValidationException")
	_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String("alias/none"), EncapsulationAlgorithm: "KYBER"})
	kmspubtest.WantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value 'KYBER' at 'encapsulationAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ML_KEM]")
	// An empty KeyId breaks two constraints (§13.1 row 9); with more
	// violations they are all listed, KeyId's first.
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String("")})
	kmspubtest.WantOperation(t, err, "GetPublicKey")
	kmspubtest.WantAPIError(t, err, "ValidationException", "2 validation errors detected: "+emptyKeyID+"; "+emptyKeyID2)
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(""), Message: make([]byte, 4097), MessageType: "HASH", Signature: []byte{}, SigningAlgorithm: "ECDSA_SHA_256"})
	kmspubtest.WantAPIError(t, err, "ValidationException", "5 validation errors detected: "+emptyKeyID+"; "+emptyKeyID2+"; "+tooLong+"; "+
		"Value 'HASH' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST, EXTERNAL_MU]; "+
		"Value at 'signature' failed to satisfy constraint: Member must have length greater than or equal to 1")
	// A non-ASCII KeyId: the pattern, with the value quoted (§7.2).
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("キー"), Plaintext: []byte("x")})
	kmspubtest.WantAPIError(t, err, "ValidationException",
		`1 validation error detected: Value 'キー' at 'keyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\p{ASCII}+$`)
	f.WantCalls(t, 0)
}

// kmsEndpoint is a KMS JSON-protocol endpoint answering every operation
// with the body answer gives for its X-Amz-Target, behind a real SDK
// client without retries: what *kms.Client makes of KMS's answers.
func kmsEndpoint(t *testing.T, answer func(target string, w http.ResponseWriter)) *kms.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", "kmspub-test-request")
		answer(strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService."), w)
	}))
	t.Cleanup(srv.Close)
	return localkmstest.NewClient(srv.URL, func(o *kms.Options) { o.RetryMaxAttempts = 1 })
}

func writeKMSAnswer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// TestClientErrorsAsTheSDK (issue #13 item 3): an error the Client passes
// on from the client it wraps is exactly what *kms.Client returns for the
// operation — one OperationError, the same text, the same exception — and
// the errors kmspub makes itself have the SDK's type, fault and Message for
// their code (docs/KMS-RULES.md §10b).
func TestClientErrorsAsTheSDK(t *testing.T) {
	ctx := context.Background()
	const arn = "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-4000-8000-00000000dead"
	sdk := kmsEndpoint(t, func(_ string, w http.ResponseWriter) {
		writeKMSAnswer(w, http.StatusBadRequest, `{"__type":"NotFoundException","message":"Key '`+arn+`' does not exist"}`)
	})
	in := &kms.VerifyInput{KeyId: aws.String(arn), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: "ECDSA_SHA_256"}
	_, online := sdk.Verify(ctx, in)
	_, offline := kmspub.NewClient(sdk).Verify(ctx, in)
	kmspubtest.WantOperation(t, online, "Verify")
	kmspubtest.WantOperation(t, offline, "Verify")
	if online.Error() != offline.Error() {
		t.Fatalf("errors differ:\nonline  %v\noffline %v", online, offline)
	}
	var onNF, offNF *types.NotFoundException
	var resp *smithyhttp.ResponseError
	if !errors.As(online, &onNF) || !errors.As(offline, &offNF) || !reflect.DeepEqual(onNF, offNF) || !errors.As(offline, &resp) || resp.HTTPStatusCode() != 400 {
		t.Fatalf("exceptions differ: %#v, %#v", onNF, offNF)
	}

	// The exceptions kmspub builds: the same Go value as the SDK decodes
	// from KMS's answer with that code and message.
	for _, tc := range []struct {
		name, body string
		offline    func(*kmspub.Client) error
	}{
		{"ValidationException (fault unknown)",
			`{"__type":"ValidationException","message":"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1"}`,
			func(c *kmspub.Client) error {
				_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("p256")), Message: []byte{}, Signature: []byte("s"), SigningAlgorithm: "ECDSA_SHA_256"})
				return err
			}},
		{"AccessDeniedException (fault unknown)",
			`{"__type":"AccessDeniedException","Message":"Local policy does not allow kms:Verify on resource: ` + kmspubtest.FakeKeyARN("p256") + ` (the operation is not allowed)."}`,
			func(c *kmspub.Client) error {
				_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("p256")), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: "ECDSA_SHA_256"})
				return err
			}},
		{"KMSInvalidSignatureException (no message member: Message nil)", `{"__type":"KMSInvalidSignatureException"}`,
			func(c *kmspub.Client) error {
				_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("p256")), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: "ECDSA_SHA_256"})
				return err
			}},
		{"InvalidKeyUsageException",
			`{"__type":"InvalidKeyUsageException","message":"Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048."}`,
			func(c *kmspub.Client) error {
				_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsa")), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: "SYMMETRIC_DEFAULT"})
				return err
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sdk := kmsEndpoint(t, func(_ string, w http.ResponseWriter) { writeKMSAnswer(w, http.StatusBadRequest, tc.body) })
			_, online := sdk.Verify(ctx, in)
			c := kmspub.NewClient(kmspubtest.NewFakeKMS(t), func(o *kmspub.ClientOptions) {
				if strings.Contains(tc.name, "AccessDenied") {
					o.Policy = &kmspub.Policy{AllowedOperations: []string{"Encrypt"}}
				}
			})
			offline := tc.offline(c)
			kmspubtest.WantOperation(t, offline, "Verify")
			var on, off smithy.APIError
			if !errors.As(online, &on) || !errors.As(offline, &off) {
				t.Fatalf("online %v, offline %v", online, offline)
			}
			if !reflect.DeepEqual(on, off) || on.ErrorFault() != off.ErrorFault() {
				t.Fatalf("online %#v (fault %v)\noffline %#v (fault %v)", on, on.ErrorFault(), off, off.ErrorFault())
			}
		})
	}
}

// TestClientRecordedAWSAnswers (issue #18): the answers real AWS KMS was
// recorded giving (docs/KMS-RULES.md §13.1), through the Client.
func TestClientRecordedAWSAnswers(t *testing.T) {
	ctx := context.Background()
	f := kmspubtest.NewFakeKMS(t)
	stateful := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f} })
	rsa, rsaEnc, p256 := kmspubtest.FakeKeyARN("rsa"), kmspubtest.FakeKeyARN("rsaenc"), kmspubtest.FakeKeyARN("p256")
	verify := func(keyID string, message, signature []byte, alg types.SigningAlgorithmSpec) error {
		_, err := stateful.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(keyID), Message: message, Signature: signature, SigningAlgorithm: alg})
		return err
	}

	t.Run("row 1: SYMMETRIC_DEFAULT as the signing algorithm", func(t *testing.T) {
		kmspubtest.WantAPIError(t, verify(rsa, []byte("m"), []byte("s"), "SYMMETRIC_DEFAULT"),
			"InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
	})
	t.Run("row 2: enum lists in AWS's order", func(t *testing.T) {
		_, err := stateful.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(rsaEnc), Plaintext: []byte("x"), EncryptionAlgorithm: "FOO"})
		kmspubtest.WantAPIError(t, err, "ValidationException",
			"1 validation error detected: Value 'FOO' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE, SYMMETRIC_DEFAULT]")
		kmspubtest.WantAPIError(t, verify(rsa, []byte("m"), []byte("s"), "FOO"), "ValidationException",
			"1 validation error detected: Value 'FOO' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSASSA_PSS_SHA_256, RSASSA_PSS_SHA_384, RSASSA_PSS_SHA_512, "+
				"RSASSA_PKCS1_V1_5_SHA_256, RSASSA_PKCS1_V1_5_SHA_384, RSASSA_PKCS1_V1_5_SHA_512, ECDSA_SHA_256, ECDSA_SHA_384, ECDSA_SHA_512, ED25519_SHA_512, ED25519_PH_SHA_512, SM2DSA, ML_DSA_SHAKE_256]")
	})
	t.Run("rows 3a-3d: a missing member never reaches KMS through the Go SDK", func(t *testing.T) {
		// *kms.Client refuses it before sending (§10b), so the Client does
		// too; PublicKey.Verify and Encrypt answer KMS's texts (verify_test,
		// encrypt_test), the CLI its parser's (recorded_aws.txt).
		var params smithy.InvalidParamsError
		if err := verify(rsa, []byte("m"), nil, "RSASSA_PSS_SHA_256"); !errors.As(err, &params) {
			t.Fatalf("no signature: %v, want InvalidParamsError", err)
		}
	})
	t.Run("row 4: usage before state, state before algorithm", func(t *testing.T) {
		f.SetState(rsa, types.KeyStateDisabled)
		f.SetState(rsaEnc, types.KeyStateDisabled)
		defer f.SetState(rsa, types.KeyStateEnabled)
		defer f.SetState(rsaEnc, types.KeyStateEnabled)
		_, err := stateful.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(rsa), Plaintext: []byte("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_256"})
		kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", rsa+" key usage is SIGN_VERIFY which is not valid for Encrypt.")
		_, err = stateful.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(rsaEnc), Plaintext: []byte("x")}) // SYMMETRIC_DEFAULT
		kmspubtest.WantAPIError(t, err, "DisabledException", rsaEnc+" is disabled.")
	})
	t.Run("rows 5a, 5b: GetPublicKey of a key pending deletion, and of a disabled key", func(t *testing.T) {
		f.SetState(p256, types.KeyStatePendingDeletion)
		_, err := stateful.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(p256)})
		kmspubtest.WantOperation(t, err, "GetPublicKey")
		kmspubtest.WantAPIError(t, err, "KMSInvalidStateException", p256+" is pending deletion.")
		f.SetState(p256, types.KeyStateDisabled)
		out, err := stateful.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(p256)})
		if err != nil || aws.ToString(out.KeyId) != p256 {
			t.Fatalf("GetPublicKey of a disabled key: %v", err)
		}
		f.SetState(p256, types.KeyStateEnabled)
	})
	t.Run("rows 6, 7: malformed signatures, empty message", func(t *testing.T) {
		for _, sig := range [][]byte{{0x61}, bytes.Repeat([]byte{0x61}, 6144)} {
			kmspubtest.WantAPIError(t, verify(p256, []byte("m"), sig, "ECDSA_SHA_256"), "KMSInvalidSignatureException", "")
			kmspubtest.WantAPIError(t, verify(rsa, []byte("m"), sig, "RSASSA_PSS_SHA_256"), "KMSInvalidSignatureException", "")
		}
		kmspubtest.WantAPIError(t, verify(p256, []byte{}, []byte{0x61}, "ECDSA_SHA_256"), "ValidationException",
			"1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	})
}
