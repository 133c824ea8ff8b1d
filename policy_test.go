package kmspub_test

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// verifyRequest is a valid Verify request for the fake's p256 key under keyID.
func verifyRequest(t testing.TB, keyID string) *kms.VerifyInput {
	t.Helper()
	message := []byte("policy test")
	return &kms.VerifyInput{
		KeyId: aws.String(keyID), Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		Signature: kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP256).Sign(t, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil),
	}
}

func TestPolicy(t *testing.T) {
	ctx := context.Background()
	p256, p384 := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	cnARN := "arn:aws-cn:kms:cn-north-1:111122223333:key/" + p256[strings.LastIndex(p256, "/")+1:]
	for _, tc := range []struct {
		name      string
		policy    kmspub.Policy
		keyID     string
		wantCalls int64  // GetPublicKey calls the request may cost
		denied    string // "" when allowed, else the message
	}{
		{"zero policy allows", kmspub.Policy{}, p256, 1, ""},
		{"listed ARN", kmspub.Policy{AllowedKeyARNs: []string{p384, p256}}, p256, 1, ""},
		{"account, Region and operation", kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedRegions: []string{"us-east-1"}, AllowedOperations: []string{"Verify"}}, p256, 1, ""},
		{"alias to a listed key", kmspub.Policy{AllowedKeyARNs: []string{p256}}, "alias/signer", 1, ""},

		// Refused before any GetPublicKey: the key ID tells.
		{"unlisted ARN", kmspub.Policy{AllowedKeyARNs: []string{p384}}, p256, 0,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (the key ARN is not allowed)."},
		{"account", kmspub.Policy{AllowedAccounts: []string{"444455556666"}}, p256, 0,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (account 111122223333 is not allowed)."},
		{"Region", kmspub.Policy{AllowedRegions: []string{"eu-west-2"}}, p256, 0,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (Region us-east-1 is not allowed)."},
		{"operation", kmspub.Policy{AllowedOperations: []string{"Encrypt", "GetPublicKey"}}, "alias/signer", 0,
			"Local policy does not allow kms:Verify on resource: alias/signer (the operation is not allowed)."},
		{"alias ARN in another account", kmspub.Policy{AllowedAccounts: []string{"444455556666"}}, kmspubtest.FakeAliasARN("alias/signer"), 0,
			"Local policy does not allow kms:Verify on resource: " + kmspubtest.FakeAliasARN("alias/signer") + " (account 111122223333 is not allowed)."},

		// Partitions: account numbers are per partition, so a policy
		// allowing an account allows it in the aws partition only, unless it
		// lists other partitions.
		{"aws by default", kmspub.Policy{AllowedAccounts: []string{"111122223333"}}, p256, 1, ""},
		{"aws-cn not by default", kmspub.Policy{AllowedAccounts: []string{"111122223333"}}, cnARN, 0,
			"Local policy does not allow kms:Verify on resource: " + cnARN + " (partition aws-cn is not allowed)."},
		{"the zero policy allows aws only", kmspub.Policy{}, cnARN, 0,
			"Local policy does not allow kms:Verify on resource: " + cnARN + " (partition aws-cn is not allowed)."},
		{"aws-cn listed", kmspub.Policy{AllowedPartitions: []string{"aws-cn"}, AllowedAccounts: []string{"111122223333"}}, cnARN, 1, ""},
		{"aws not listed", kmspub.Policy{AllowedPartitions: []string{"aws-cn"}}, p256, 0,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (partition aws is not allowed)."},
		{"alias ARN in aws-cn", kmspub.Policy{}, "arn:aws-cn:kms:cn-north-1:111122223333:alias/signer", 0,
			"Local policy does not allow kms:Verify on resource: arn:aws-cn:kms:cn-north-1:111122223333:alias/signer (partition aws-cn is not allowed)."},

		// Refused once resolved, before the key is used.
		{"alias to an unlisted key", kmspub.Policy{AllowedKeyARNs: []string{p384}}, "alias/signer", 1,
			"Local policy does not allow kms:Verify on resource: alias/signer (it does not name a key the policy allows)."},
		{"bare key ID in another account", kmspub.Policy{AllowedAccounts: []string{"444455556666"}}, p256[strings.LastIndex(p256, "/")+1:], 1,
			"Local policy does not allow kms:Verify on resource: " + p256[strings.LastIndex(p256, "/")+1:] + " (it does not name a key the policy allows)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.Point("alias/signer", p256)
			cn := kmspubtest.FakeKey(t, "p256").GetPublicKeyOutput()
			cn.KeyId = aws.String(cnARN)
			f.Serve(cn)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &tc.policy })
			out, err := c.Verify(ctx, verifyRequest(t, tc.keyID))
			if tc.denied == "" {
				if err != nil || !out.SignatureValid {
					t.Fatalf("allowed request failed: %v", err)
				}
			} else {
				kmspubtest.WantOperation(t, err, "Verify")
				kmspubtest.WantAPIError(t, err, "AccessDeniedException", tc.denied)
			}
			f.WantCalls(t, tc.wantCalls)
		})
	}
}

func TestPolicyCoversEveryOperation(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &kmspub.Policy{AllowedOperations: []string{"Verify"}} })
	ctx := context.Background()
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsaenc")), Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantCode(t, err, "AccessDeniedException")
	_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(kmspubtest.FakeKeyARN("mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	kmspubtest.WantOperation(t, err, "Encapsulate")
	kmspubtest.WantCode(t, err, "AccessDeniedException")
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsa"))})
	kmspubtest.WantOperation(t, err, "GetPublicKey")
	kmspubtest.WantCode(t, err, "AccessDeniedException")
	f.WantCalls(t, 0)
	// The policy's lists are copied: changing the caller's slice later
	// changes nothing.
	ops := []string{"Verify"}
	c = kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &kmspub.Policy{AllowedOperations: ops} })
	ops[0] = "Encrypt"
	if _, err := c.Verify(ctx, verifyRequest(t, kmspubtest.FakeKeyARN("p256"))); err != nil {
		t.Fatal(err)
	}
}

// TestPolicyUnknownPartition: a partition that does not exist makes no
// key ARN: a GetPublicKey answer naming it is refused, with or without a
// policy (a request naming it is refused before any call:
// TestPolicySeesCanonicalNamesOnly).
func TestPolicyUnknownPartition(t *testing.T) {
	p256 := kmspubtest.FakeKeyARN("p256")
	evil := kmspubtest.FakeKey(t, "p256").GetPublicKeyOutput()
	evil.KeyId = aws.String("arn:aws-evil-partition:kms:us-east-1:111122223333:key/" + p256[strings.LastIndex(p256, "/")+1:])
	if _, err := kmspub.FromGetPublicKeyOutput(evil); !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("a key ARN in partition aws-evil-partition: %v, want an InvalidKeyError", err)
	}
}

// TestPolicySeesCanonicalNamesOnly: odd spellings of a key (upper-case
// ARN:, spaces, an unknown partition) and bare key IDs no allowed ARN ends
// with are refused before any call; an alias of a forbidden key is refused
// after the lookup and not kept.
func TestPolicySeesCanonicalNamesOnly(t *testing.T) {
	ctx := context.Background()
	p256, p384 := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	id256, id384 := p256[strings.LastIndex(p256, "/")+1:], p384[strings.LastIndex(p384, "/")+1:]
	policy := &kmspub.Policy{AllowedKeyARNs: []string{p384}}
	// A name that is not canonical is quoted, and cut at 80 characters.
	// (A KeyId that is not ASCII never gets here: the model phase refuses
	// it, as KMS does.)
	quoted := func(s string) string { return fmt.Sprintf("%.80q", s) }
	for _, tc := range []struct {
		keyID     string
		wantCalls int64
		denied    string
	}{
		{"ARN" + p256[3:], 0, quoted("ARN"+p256[3:]) + " (it is not a key ID, key ARN, alias name or alias ARN)."},
		{" " + p256, 0, quoted(" "+p256) + " (it is not a key ID, key ARN, alias name or alias ARN)."},
		{"alias/x y", 0, quoted("alias/x y") + " (it is not a key ID, key ARN, alias name or alias ARN)."},
		{"arn:aws-evil-partition" + p256[len("arn:aws"):], 0, quoted("arn:aws-evil-partition"+p256[len("arn:aws"):]) + " (it is not a key ID, key ARN, alias name or alias ARN)."},
		{"Alias/signer", 0, `"Alias/signer" (it is not a key ID, key ARN, alias name or alias ARN).`},
		{id256, 0, id256 + " (no allowed key ARN has this key ID)."},
		{"alias/signer", 1, "alias/signer (it does not name a key the policy allows)."},
		{id384, 1, ""},
	} {
		t.Run(tc.keyID, func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.Point("alias/signer", p256)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = policy })
			req := verifyRequest(t, tc.keyID)
			if tc.keyID == id384 {
				req = &kms.VerifyInput{KeyId: aws.String(id384), Message: []byte("x"), Signature: []byte{0x30, 0}, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha384}
			}
			_, err := c.Verify(ctx, req)
			if tc.denied == "" {
				kmspubtest.WantCode(t, err, "KMSInvalidSignatureException") // allowed; the signature is not
			} else {
				kmspubtest.WantAPIError(t, err, "AccessDeniedException", "Local policy does not allow kms:Verify on resource: "+tc.denied)
			}
			f.WantCalls(t, tc.wantCalls)
			// Nothing the policy refused is kept: asking again asks KMS again.
			c.Verify(ctx, req)
			if tc.denied != "" {
				f.WantCalls(t, 2*tc.wantCalls)
			}
			if indexed, _ := kmspub.KeyringNames(c.Keyring()); tc.denied != "" && indexed != 0 {
				t.Fatalf("%d names kept", indexed)
			}
		})
	}
	// The forbidden key was not stored under its ARN either.
	f := kmspubtest.NewFakeKMS(t)
	f.Point("alias/signer", p256)
	keys := kmspub.NewKeyring(f)
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) { o.Policy = policy })
	c.Verify(ctx, verifyRequest(t, "alias/signer"))
	f.WantCalls(t, 1)
	kmspubtest.Get(t, keys, p256)
	f.WantCalls(t, 2)
}

// TestPolicyIsNoExistenceOracle: for an alias or key ID the policy could
// not decide before the lookup, "names a forbidden key" and "names no key"
// are the same AccessDeniedException; a name the policy allowed outright
// gets KMS's own answer, and a transient failure is passed on as it is.
func TestPolicyIsNoExistenceOracle(t *testing.T) {
	ctx := context.Background()
	p256, p384 := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	f := kmspubtest.NewFakeKMS(t)
	f.Point("alias/forbidden", p256)
	f.Lie("alias/lying", kmspubtest.FakeKey(t, "p384").GetPublicKeyOutput()) // not a key ID, an alias: believed
	f.Lie("alias/refused", &kms.GetPublicKeyOutput{KeyId: aws.String("alias/x")})
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) {
		o.Policy = &kmspub.Policy{AllowedKeyARNs: []string{p384, "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-00000000dead"}}
	})
	for _, name := range []string{"alias/forbidden", "alias/missing", "alias/refused", "arn:aws:kms:us-east-1:111122223333:alias/missing"} {
		_, err := c.Verify(ctx, verifyRequest(t, name))
		kmspubtest.WantAPIError(t, err, "AccessDeniedException", "Local policy does not allow kms:Verify on resource: "+name+" (it does not name a key the policy allows).")
	}
	// A listed key ARN that does not exist: the policy allowed it, KMS's
	// NotFoundException is the answer.
	_, err := c.Verify(ctx, verifyRequest(t, "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-00000000dead"))
	kmspubtest.WantCode(t, err, "NotFoundException")
	// Throttling says nothing about the key and is passed on.
	f.SetFail(&smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"})
	_, err = c.Verify(ctx, verifyRequest(t, "alias/other"))
	if kmspubtest.ErrorCode(err) != "ThrottlingException" {
		t.Fatalf("Verify while throttled = %v, want the ThrottlingException", err)
	}
}

// TestPolicyLengthFirst: a KeyId over KMS's 2048 characters is KMS's
// ValidationException, checked before the policy (the model phase), so a
// 10 MiB KeyId does not make a 10 MiB AccessDeniedException, nor reach KMS.
func TestPolicyLengthFirst(t *testing.T) {
	f := kmspubtest.NewFakeKMS(t)
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &kmspub.Policy{AllowedOperations: []string{"Encrypt"}} })
	huge := strings.Repeat("A", 10<<20)
	_, err := c.Verify(context.Background(), verifyRequest(t, huge))
	api := kmspubtest.WantCode(t, err, "ValidationException")
	if n := len(err.Error()); n > 4096 || len(api.ErrorMessage()) > 4096 {
		t.Fatalf("a 10 MiB KeyId gave a %d-byte error", n)
	}
	f.WantCalls(t, 0)
}
