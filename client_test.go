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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
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
	// One miss so far: the alias. Verify by key ARN is a hit from the start,
	// because resolving the alias stored the key under its ARN.
	waitFor("the first fetch", func() bool { return f.Calls.Load() >= 1 })
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
		// Exactly one call for this expiry, even when the alias has moved:
		// the alias fetch stores b under its ARN before anyone verifies
		// with it.
		if got := f.Calls.Load(); got != want+1 {
			stop.Store(true)
			t.Fatalf("epoch %d: %d GetPublicKey calls for one expiry, want 1", epoch, got-want)
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
	f.WantCalls(t, 1+epochs)
}
