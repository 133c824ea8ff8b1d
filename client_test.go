package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
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
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// clPrivate reads a testdata private key (PKCS#8 PEM made by OpenSSL).
func clPrivate(t testing.TB, spec string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "keys", spec+".priv.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM", spec)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

// clSignECDSA signs SHA-x(message) with the testdata key of spec.
func clSignECDSA(t testing.TB, spec string, digest []byte) []byte {
	t.Helper()
	sig, err := ecdsa.SignASN1(rand.Reader, clPrivate(t, spec).(*ecdsa.PrivateKey), digest)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func clSHA256(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
func clSHA384(b []byte) []byte { h := sha512.Sum384(b); return h[:] }

// clWantAPIError checks that err is the SDK-style error of a Client call:
// a *smithy.OperationError for service KMS and op, around an API error with
// the code (and, when msg is not "-", the message).
func clWantAPIError(t testing.TB, err error, op, code, msg string) {
	t.Helper()
	var opErr *smithy.OperationError
	if !errors.As(err, &opErr) || opErr.ServiceID != "KMS" || opErr.OperationName != op {
		t.Fatalf("error %v (%T) is not an OperationError for KMS %s", err, err, op)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("error %v has no smithy.APIError", err)
	}
	if apiErr.ErrorCode() != code || (msg != "-" && apiErr.ErrorMessage() != msg) {
		t.Fatalf("got %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, msg)
	}
	if apiErr.ErrorFault() != smithy.FaultClient {
		t.Fatalf("%s fault = %v, want client", code, apiErr.ErrorFault())
	}
}

func TestClientVerify(t *testing.T) {
	f := krNewFake(t)
	c := kmspub.NewClient(f)
	ctx := context.Background()
	arn := krARN(t, "p256")
	message := []byte("kmspub client verify")
	sig := clSignECDSA(t, "ECC_NIST_P256", clSHA256(message))

	for _, tc := range []struct {
		name    string
		keyID   string
		message []byte
		mt      types.MessageType
	}{
		{"RAW default", arn, message, ""},
		{"RAW", arn, message, types.MessageTypeRaw},
		{"DIGEST", arn, clSHA256(message), types.MessageTypeDigest},
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
	krWantCalls(t, f, 2) // the ARN once, the bare key ID once

	// A wrong signature is KMS's exception with an empty message, never
	// SignatureValid false.
	bad := bytes.Clone(sig)
	bad[len(bad)-1] ^= 1
	out, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if out != nil {
		t.Fatalf("output %+v with an invalid signature", out)
	}
	clWantAPIError(t, err, "Verify", "KMSInvalidSignatureException", "")
	var ise *types.KMSInvalidSignatureException
	if !errors.As(err, &ise) {
		t.Fatal("errors.As does not find *types.KMSInvalidSignatureException")
	}

	// The key's own refusals pass through unchanged.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384})
	clWantAPIError(t, err, "Verify", "InvalidKeyUsageException", "Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.")
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(krARN(t, "rsaenc")), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256})
	clWantAPIError(t, err, "Verify", "InvalidKeyUsageException", krARN(t, "rsaenc")+" key usage is ENCRYPT_DECRYPT which is not valid for Verify.")

	// A key KMS does not have: the client's error, with its type.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String("alias/none"), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	var nf *types.NotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown alias: %v, want NotFoundException", err)
	}
}

func TestClientRequiredMembersAsTheSDK(t *testing.T) {
	c := kmspub.NewClient(krNewFake(t))
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
	f := krNewFake(t)
	c := kmspub.NewClient(f)
	ctx := context.Background()
	arn := krARN(t, "rsaenc")
	plaintext := []byte("kmspub client encrypt")

	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.KeyId) != arn || out.EncryptionAlgorithm != types.EncryptionAlgorithmSpecRsaesOaepSha256 || len(out.CiphertextBlob) != 256 {
		t.Fatalf("output KeyId %s alg %s ciphertext %d bytes", aws.ToString(out.KeyId), out.EncryptionAlgorithm, len(out.CiphertextBlob))
	}
	// The private half (what KMS Decrypt uses) recovers it.
	got, err := rsa.DecryptOAEP(sha256.New(), nil, clPrivate(t, "RSA_2048").(*rsa.PrivateKey), out.CiphertextBlob, nil)
	if err != nil || !bytes.Equal(got, plaintext) {
		t.Fatalf("OAEP decrypt: %v", err)
	}

	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256,
		EncryptionContext: map[string]string{"purpose": "test"}})
	clWantAPIError(t, err, "Encrypt", "ValidationException", "EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: plaintext})
	clWantAPIError(t, err, "Encrypt", "InvalidKeyUsageException", "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: make([]byte, 191), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	clWantAPIError(t, err, "Encrypt", "ValidationException", "Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.")
	krWantCalls(t, f, 1)
}

func TestClientEncapsulate(t *testing.T) {
	f := krNewFake(t)
	c := kmspub.NewClient(f)
	arn := krARN(t, "mlkem768")
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

	_, err = c.Encapsulate(context.Background(), &kms.EncapsulateInput{KeyId: aws.String(krARN(t, "p256")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	clWantAPIError(t, err, "Encapsulate", "InvalidKeyUsageException", krARN(t, "p256")+" key usage is SIGN_VERIFY which is not valid for Encapsulate.")
}

func TestClientGetPublicKey(t *testing.T) {
	f := krNewFake(t)
	c := kmspub.NewClient(f)
	arn := krARN(t, "rsa")
	for range 3 {
		out, err := c.GetPublicKey(context.Background(), &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		want := f.keys[arn]
		if aws.ToString(out.KeyId) != arn || !bytes.Equal(out.PublicKey, want.PublicKey) || out.KeySpec != want.KeySpec ||
			out.KeyUsage != want.KeyUsage || len(out.SigningAlgorithms) != len(want.SigningAlgorithms) {
			t.Fatalf("GetPublicKey output %+v differs from KMS's %+v", out, want)
		}
	}
	krWantCalls(t, f, 1)
}

func TestClientDryRun(t *testing.T) {
	c := kmspub.NewClient(krNewFake(t))
	ctx := context.Background()
	arn := krARN(t, "p256")
	message := []byte("dry run")
	sig := clSignECDSA(t, "ECC_NIST_P256", clSHA256(message))
	const dryRunText = "The request would have succeeded, but the DryRun option is set."

	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	clWantAPIError(t, err, "Verify", "DryRunOperationException", dryRunText)
	var dre *types.DryRunOperationException
	if !errors.As(err, &dre) {
		t.Fatal("errors.As does not find *types.DryRunOperationException")
	}
	// A request that would fail gives its failure, not DryRun.
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: []byte("other"), Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256, DryRun: aws.Bool(true)})
	clWantAPIError(t, err, "Verify", "KMSInvalidSignatureException", "")

	out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(krARN(t, "rsaenc")), Plaintext: message, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, DryRun: aws.Bool(true)})
	if out != nil {
		t.Fatal("DryRun Encrypt returned a ciphertext")
	}
	clWantAPIError(t, err, "Encrypt", "DryRunOperationException", dryRunText)
	_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(krARN(t, "mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem, DryRun: aws.Bool(false)})
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
	f, clock := krNewFake(t), krNewClock()
	const ttl = time.Minute
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	c := kmspub.NewClient(keys)
	a, b := krARN(t, "p256"), krARN(t, "p384")
	message := []byte("verify while the alias moves")
	sigs := map[string]struct {
		alg types.SigningAlgorithmSpec
		sig []byte
	}{
		a: {types.SigningAlgorithmSpecEcdsaSha256, clSignECDSA(t, "ECC_NIST_P256", clSHA256(message))},
		b: {types.SigningAlgorithmSpecEcdsaSha384, clSignECDSA(t, "ECC_NIST_P384", clSHA384(message))},
	}
	f.point("alias/signer", a)

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
	waitFor("the first fetch", func() bool { return f.calls.Load() >= 1 })
	for epoch := 1; epoch <= epochs; epoch++ {
		if epoch == epochs/2 {
			f.point("alias/signer", b)
		}
		want := f.calls.Load()
		// Let every goroutine finish more calls than there are goroutines,
		// so some calls certainly started after the last change.
		d0 := done.Load()
		waitFor("calls to go on", func() bool { return done.Load() >= d0+2*workers })
		if got := f.calls.Load(); got != want {
			stop.Store(true)
			t.Fatalf("epoch %d: %d GetPublicKey calls while the entry was fresh, want %d", epoch, got, want)
		}
		clock.Advance(ttl)
		waitFor("the re-resolution", func() bool { return f.calls.Load() > want })
		d1 := done.Load()
		waitFor("calls to go on", func() bool { return done.Load() >= d1+2*workers })
		// Exactly one call for this expiry, even when the alias has moved:
		// the alias fetch stores b under its ARN before anyone verifies
		// with it.
		if got := f.calls.Load(); got != want+1 {
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
	if k := krGet(t, keys, "alias/signer"); k.KeyID() != b {
		t.Fatalf("alias ends at %s, want %s", k.KeyID(), b)
	}
	krWantCalls(t, f, 1+epochs)
}

// clCountingKMS counts the GetPublicKey calls a real client makes.
type clCountingKMS struct {
	*kms.Client
	getPublicKey atomic.Int64
	describeKey  atomic.Int64
}

func (c *clCountingKMS) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	c.getPublicKey.Add(1)
	return c.Client.GetPublicKey(ctx, in, optFns...)
}

func (c *clCountingKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	c.describeKey.Add(1)
	return c.Client.DescribeKey(ctx, in, optFns...)
}

// TestLocalKMSClientMatchesOnline runs the same requests through local-kms
// (online) and through the offline client fed by the same server, and
// compares outputs and errors.
func TestLocalKMSClientMatchesOnline(t *testing.T) {
	online := localkmstest.Client(t)
	counting := &clCountingKMS{Client: online}
	offline := kmspub.NewClient(counting)
	ctx := localkmstest.Context(t)
	id := localkmstest.CreateKey(t, online, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	arn := localkmstest.KeyARN(id)
	alias := localkmstest.CreateAlias(t, online, "kmspub-client-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), id)
	message := []byte("online and offline agree")
	signed, err := online.Sign(ctx, &kms.SignInput{KeyId: &id, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(signed.Signature)
	bad[len(bad)-1] ^= 1
	for _, keyID := range []string{arn, id, alias, localkmstest.AliasARN(alias)} {
		for _, sig := range [][]byte{signed.Signature, bad} {
			in := &kms.VerifyInput{KeyId: aws.String(keyID), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
			onOut, onErr := online.Verify(ctx, in, noRetry)
			offOut, offErr := offline.Verify(ctx, in)
			if (onErr == nil) != (offErr == nil) {
				t.Fatalf("%s: online %v, offline %v", keyID, onErr, offErr)
			}
			if onErr != nil {
				var on, off smithy.APIError
				var onOp, offOp *smithy.OperationError
				if !errors.As(onErr, &on) || !errors.As(offErr, &off) || on.ErrorCode() != off.ErrorCode() || on.ErrorMessage() != off.ErrorMessage() ||
					!errors.As(onErr, &onOp) || !errors.As(offErr, &offOp) || onOp.OperationName != offOp.OperationName {
					t.Fatalf("%s: online %v, offline %v", keyID, onErr, offErr)
				}
				continue
			}
			if aws.ToString(onOut.KeyId) != aws.ToString(offOut.KeyId) || onOut.SignatureValid != offOut.SignatureValid || onOut.SigningAlgorithm != offOut.SigningAlgorithm {
				t.Fatalf("%s: online %+v, offline %+v", keyID, onOut, offOut)
			}
		}
	}
	// One GetPublicKey per distinct name, whatever the number of verifications.
	if n := counting.getPublicKey.Load(); n != 4 {
		t.Fatalf("GetPublicKey calls = %d, want 4 (one per name)", n)
	}

	// A key with the wrong usage: the same exception. The text differs:
	// local-kms says "… which is not valid for signing." where AWS KMS says
	// "… which is not valid for Verify." (docs/KMS-RULES.md §3.1, recorded by
	// LocalStack); the offline client follows AWS.
	encARN := localkmstest.KeyARN(localkmstest.CreateKey(t, online, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt))
	in := &kms.VerifyInput{KeyId: aws.String(encARN), Message: message, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecRsassaPssSha256}
	_, onErr := online.Verify(ctx, in, noRetry)
	_, offErr := offline.Verify(ctx, in)
	var on, off *types.InvalidKeyUsageException
	if !errors.As(onErr, &on) || !errors.As(offErr, &off) {
		t.Fatalf("wrong usage: online %v, offline %v", onErr, offErr)
	}
	if want := encARN + " key usage is ENCRYPT_DECRYPT which is not valid for Verify."; off.ErrorMessage() != want {
		t.Fatalf("offline message %q, want %q", off.ErrorMessage(), want)
	}
}

// TestLocalKMSClientAliasRepoint: 64 goroutines verify through the offline
// client, fed by local-kms through the real SDK client, while the alias is
// re-pointed with UpdateAlias and the TTL expires; GetPublicKey is counted.
func TestLocalKMSClientAliasRepoint(t *testing.T) {
	online := localkmstest.Client(t)
	counting := &clCountingKMS{Client: online}
	clock := krNewClock()
	const ttl = time.Minute
	keys := kmspub.NewKeyring(counting, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	})
	offline := kmspub.NewClient(keys)
	ctx := localkmstest.Context(t)
	message := []byte("re-pointed alias")
	idA := localkmstest.CreateKey(t, online, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	idB := localkmstest.CreateKey(t, online, types.KeySpecEccNistP384, types.KeyUsageTypeSignVerify)
	sigs := map[string]*kms.SignOutput{}
	for id, alg := range map[string]types.SigningAlgorithmSpec{idA: types.SigningAlgorithmSpecEcdsaSha256, idB: types.SigningAlgorithmSpecEcdsaSha384} {
		out, err := online.Sign(ctx, &kms.SignInput{KeyId: aws.String(id), Message: message, SigningAlgorithm: alg})
		if err != nil {
			t.Fatal(err)
		}
		sigs[localkmstest.KeyARN(id)] = out
	}
	alias := localkmstest.CreateAlias(t, online, "kmspub-repoint", idA)

	var wg sync.WaitGroup
	var failures atomic.Int64
	var firstErr atomic.Value
	var verified atomic.Int64
	var stop atomic.Bool
	for range 64 {
		wg.Go(func() {
			for !stop.Load() {
				k, err := keys.Get(ctx, alias)
				if err == nil {
					s := sigs[k.KeyID()]
					_, err = offline.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(k.KeyID()), Message: message, Signature: s.Signature, SigningAlgorithm: s.SigningAlgorithm})
				}
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
					return
				}
				verified.Add(1)
			}
		})
	}
	waitVerified := func(n int64) {
		v0 := verified.Load()
		deadline := time.Now().Add(30 * time.Second)
		for verified.Load() < v0+n && failures.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
	}
	waitVerified(200)
	if _, err := online.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(idB)}); err != nil {
		stop.Store(true)
		wg.Wait()
		t.Fatal(err)
	}
	waitVerified(200)
	callsBefore := counting.getPublicKey.Load()
	clock.Advance(ttl)
	waitVerified(500)
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d goroutines failed; first: %v", failures.Load(), firstErr.Load())
	}
	if callsBefore != 1 {
		t.Fatalf("GetPublicKey calls before the TTL expired = %d, want 1", callsBefore)
	}
	if n := counting.getPublicKey.Load(); n != 2 {
		t.Fatalf("GetPublicKey calls = %d, want 2 (one per miss)", n)
	}
	if k := krGet(t, keys, alias); k.KeyID() != localkmstest.KeyARN(idB) {
		t.Fatalf("alias resolves to %s, want %s", k.KeyID(), localkmstest.KeyARN(idB))
	}
}
