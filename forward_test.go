package kmspub_test

import (
	"context"
	"errors"
	"strings"
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

// Keys that are not asymmetric (issue #13 item 1): the Client passes
// Verify, Encrypt and Encapsulate on to the client it wraps when that has
// the method, and otherwise answers what KMS answers as far as it can know.

// forwardingKMS is a FakeKMS that also has Verify, Encrypt and
// Encapsulate, answering them with canned values and counting calls, as a
// *kms.Client would be asked.
type forwardingKMS struct {
	*kmspubtest.FakeKMS
	forwarded atomic.Int64
}

var errForwarded = &smithy.OperationError{ServiceID: "KMS", OperationName: "Verify",
	Err: &types.InvalidKeyUsageException{Message: aws.String("answered by the wrapped client")}}

func (f *forwardingKMS) Verify(_ context.Context, in *kms.VerifyInput, _ ...func(*kms.Options)) (*kms.VerifyOutput, error) {
	f.forwarded.Add(1)
	return nil, errForwarded
}

func (f *forwardingKMS) Encrypt(_ context.Context, in *kms.EncryptInput, _ ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	f.forwarded.Add(1)
	return &kms.EncryptOutput{CiphertextBlob: []byte("symmetric ciphertext"), KeyId: aws.String(kmspubtest.FakeKeyARN("symmetric")),
		EncryptionAlgorithm: types.EncryptionAlgorithmSpecSymmetricDefault}, nil
}

func (f *forwardingKMS) Encapsulate(_ context.Context, in *kms.EncapsulateInput, _ ...func(*kms.Options)) (*kms.EncapsulateOutput, error) {
	f.forwarded.Add(1)
	return nil, &smithy.OperationError{ServiceID: "KMS", OperationName: "Encapsulate", Err: &types.InvalidKeyUsageException{Message: aws.String("encapsulate")}}
}

// TestClientForwardsNotAsymmetricKeys: with a wrapped client that has the
// methods, requests on a symmetric key reach it unchanged and its answers
// come back unchanged (the very error value, not wrapped again); the
// Client asks GetPublicKey once per key ARN, whatever the number of
// requests.
func TestClientForwardsNotAsymmetricKeys(t *testing.T) {
	f := &forwardingKMS{FakeKMS: kmspubtest.NewFakeKMS(t)}
	c := kmspub.NewClient(f)
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("symmetric")

	for range 3 {
		out, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x"), EncryptionContext: map[string]string{"a": "b"}})
		if err != nil || string(out.CiphertextBlob) != "symmetric ciphertext" {
			t.Fatalf("Encrypt: %v, %+v", err, out)
		}
		_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(arn), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		if err != errForwarded {
			t.Fatalf("Verify: %v, want the wrapped client's error unchanged", err)
		}
		_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(arn), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
		kmspubtest.WantOperation(t, err, "Encapsulate")
		kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", "encapsulate")
	}
	if n := f.forwarded.Load(); n != 9 {
		t.Fatalf("%d requests passed on, want 9", n)
	}
	f.WantCalls(t, 1) // a key ARN's kind never changes

	// GetPublicKey answers the same refusal again, without asking.
	_, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
	kmspubtest.WantOperation(t, err, "GetPublicKey")
	kmspubtest.WantAPIError(t, err, "UnsupportedOperationException", "")
	f.WantCalls(t, 1)

	// The model is checked before anything else, and nothing is passed on.
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: make([]byte, 4097)})
	kmspubtest.WantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096")
	if n := f.forwarded.Load(); n != 9 {
		t.Fatalf("a request that fails the model was passed on")
	}

	// The policy applies to requests passed on: before, on the key ID, and
	// after, on the key ARN the answer names.
	denied := kmspub.NewClient(f, func(o *kmspub.ClientOptions) {
		o.Policy = &kmspub.Policy{AllowedAccounts: []string{"444455556666"}}
	})
	_, err = denied.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")})
	kmspubtest.WantCode(t, err, "AccessDeniedException")
	f.Point("alias/sym", arn)
	_, err = denied.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/sym"), Plaintext: []byte("x")})
	// The refusal of an alias does not say which key it names (the policy
	// is no oracle of which keys exist).
	kmspubtest.WantAPIError(t, err, "AccessDeniedException",
		"Local policy does not allow kms:Encrypt on resource: alias/sym (it does not name a key the policy allows).")
}

// TestClientNotAsymmetricAlias: an alias is remembered for the Keyring's
// TTL only — it may be re-pointed to an asymmetric key.
func TestClientNotAsymmetricAlias(t *testing.T) {
	f := &forwardingKMS{FakeKMS: kmspubtest.NewFakeKMS(t)}
	clock := kmspubtest.NewClock()
	const ttl = time.Minute
	c := kmspub.NewClient(kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.TTL = ttl
	}))
	ctx := context.Background()
	f.Point("alias/moving", kmspubtest.FakeKeyARN("symmetric"))
	encrypt := func() (*kms.EncryptOutput, error) {
		return c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/moving"), Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	}
	for range 3 {
		if _, err := encrypt(); err != nil {
			t.Fatal(err)
		}
	}
	f.WantCalls(t, 1)
	if n := f.forwarded.Load(); n != 3 {
		t.Fatalf("%d passed on, want 3", n)
	}
	f.Point("alias/moving", kmspubtest.FakeKeyARN("rsaenc"))
	clock.Advance(ttl)
	out, err := encrypt()
	if err != nil || len(out.CiphertextBlob) != 256 || aws.ToString(out.KeyId) != kmspubtest.FakeKeyARN("rsaenc") {
		t.Fatalf("after the alias moved to an RSA key: %v", err)
	}
	if n := f.forwarded.Load(); n != 3 {
		t.Fatal("the RSA key's request was passed on")
	}
	f.WantCalls(t, 2)
}

// TestClientNotAsymmetricWithDescribeKey: a wrapped client without the
// methods, and a DescribeKey client: KMS's answers, with the key's usage.
func TestClientNotAsymmetricWithDescribeKey(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t) // GetPublicKey and DescribeKey only
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: time.Minute} })
	ctx := context.Background()
	sym, hmac := kmspubtest.FakeKeyARN("symmetric"), kmspubtest.FakeKeyARN("hmac")
	verify := func(keyID string) error {
		_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(keyID), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
		return err
	}
	encrypt := func(keyID string) error {
		_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyID), Plaintext: []byte("x")})
		return err
	}
	encapsulate := func(keyID string) error {
		_, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(keyID), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
		return err
	}
	// docs/KMS-RULES.md §3.1, §4.1: the usage refusal names the key's usage.
	for _, tc := range []struct {
		op   string
		call func(string) error
		arn  string
		msg  string
	}{
		{"Verify", verify, sym, sym + " key usage is ENCRYPT_DECRYPT which is not valid for Verify."},
		{"Verify", verify, hmac, hmac + " key usage is GENERATE_VERIFY_MAC which is not valid for Verify."},
		{"Encapsulate", encapsulate, sym, sym + " key usage is ENCRYPT_DECRYPT which is not valid for Encapsulate."},
		{"Encrypt", encrypt, hmac, hmac + " key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt."},
	} {
		err := tc.call(tc.arn)
		kmspubtest.WantOperation(t, err, tc.op)
		kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", tc.msg)
	}
	// Encrypt with a symmetric key: KMS would encrypt; offline nothing can.
	err := encrypt(sym)
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantAPIError(t, err, "UnsupportedOperationException",
		sym+" is a SYMMETRIC_DEFAULT key: kmspub cannot Encrypt with it offline, and the client it wraps has no Encrypt method to pass the request to.")
	// …after its state, as KMS checks it.
	f.SetState(sym, types.KeyStateDisabled)
	c2 := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f} })
	_, err = c2.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(sym), Plaintext: []byte("x")})
	kmspubtest.WantAPIError(t, err, "DisabledException", sym+" is disabled.")
	// GetPublicKey: the state first (a key pending deletion), then KMS's refusal.
	_, err = c2.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(sym)})
	kmspubtest.WantAPIError(t, err, "UnsupportedOperationException", "")
	f.SetState(sym, types.KeyStatePendingDeletion)
	_, err = c2.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(sym)})
	kmspubtest.WantOperation(t, err, "GetPublicKey")
	kmspubtest.WantAPIError(t, err, "KMSInvalidStateException", sym+" is pending deletion.")

	// One GetPublicKey per key, one DescribeKey per key for its usage.
	f.WantCalls(t, 3)
}

// TestClientNotAsymmetricAlone: neither the methods nor DescribeKey — the
// exception KMS would answer where it does not depend on the usage, with
// kmspub's words, and for Encrypt, which KMS performs with a symmetric key
// and refuses with an HMAC key, UnsupportedOperationException.
func TestClientNotAsymmetricAlone(t *testing.T) {
	c := kmspub.NewClient(kmspubtest.NewFakeKMS(t))
	ctx := context.Background()
	hmac := kmspubtest.FakeKeyARN("hmac")
	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(hmac), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "InvalidKeyUsageException", hmac+" is not an asymmetric key, so its key usage is not valid for Verify.")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(hmac), Plaintext: []byte("x")})
	kmspubtest.WantAPIError(t, err, "UnsupportedOperationException",
		hmac+" is not an asymmetric key: kmspub cannot Encrypt with it offline, and the client it wraps has no Encrypt method to pass the request to.")
	var unsupported *types.UnsupportedOperationException
	if !errors.As(err, &unsupported) {
		t.Fatal("errors.As does not find *types.UnsupportedOperationException")
	}
}

// TestClientNotAsymmetricDescribeKeyOfAnotherKey: DescribeKey's answer
// about another key than the one asked for is not believed.
func TestClientNotAsymmetricDescribeKeyOfAnotherKey(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: otherKeyDescriber{f}} })
	sym := kmspubtest.FakeKeyARN("symmetric")
	_, err := c.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(sym), Message: []byte("m"), Signature: []byte("s"), SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	var api smithy.APIError
	if err == nil || errors.As(err, &api) || !errors.Is(err, kmspub.ErrInvalidKey) || !strings.Contains(err.Error(), "does not answer the request for "+sym) {
		t.Fatalf("Verify with a DescribeKey answer about another key: %v", err)
	}
	kmspubtest.WantOperation(t, err, "Verify")
}

// otherKeyDescriber answers every DescribeKey with the HMAC key's metadata.
type otherKeyDescriber struct{ f *kmspubtest.FakeKMS }

func (d otherKeyDescriber) DescribeKey(ctx context.Context, _ *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return d.f.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("hmac"))}, optFns...)
}
