package kmspub_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// plVerify is a valid Verify request for the fake's p256 key under keyID.
func plVerify(t testing.TB, keyID string) *kms.VerifyInput {
	t.Helper()
	message := []byte("policy test")
	return &kms.VerifyInput{
		KeyId: aws.String(keyID), Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		Signature: clSignECDSA(t, "ECC_NIST_P256", clSHA256(message)),
	}
}

func TestPolicy(t *testing.T) {
	ctx := context.Background()
	p256, p384 := krARN(t, "p256"), krARN(t, "p384")
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
		{"alias ARN in another account", kmspub.Policy{AllowedAccounts: []string{"444455556666"}}, krAliasARN("alias/signer"), 0,
			"Local policy does not allow kms:Verify on resource: " + krAliasARN("alias/signer") + " (account 111122223333 is not allowed)."},

		// Refused once resolved, before the key is used.
		{"alias to an unlisted key", kmspub.Policy{AllowedKeyARNs: []string{p384}}, "alias/signer", 1,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (the key ARN is not allowed)."},
		{"bare key ID in another account", kmspub.Policy{AllowedAccounts: []string{"444455556666"}}, p256[strings.LastIndex(p256, "/")+1:], 1,
			"Local policy does not allow kms:Verify on resource: " + p256 + " (account 111122223333 is not allowed)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := krNewFake(t)
			f.point("alias/signer", p256)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &tc.policy })
			out, err := c.Verify(ctx, plVerify(t, tc.keyID))
			if tc.denied == "" {
				if err != nil || !out.SignatureValid {
					t.Fatalf("allowed request failed: %v", err)
				}
			} else {
				clWantAPIError(t, err, "Verify", "AccessDeniedException", tc.denied)
			}
			krWantCalls(t, f, tc.wantCalls)
		})
	}
}

func TestPolicyCoversEveryOperation(t *testing.T) {
	f := krNewFake(t)
	c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &kmspub.Policy{AllowedOperations: []string{"Verify"}} })
	ctx := context.Background()
	_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(krARN(t, "rsaenc")), Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	clWantAPIError(t, err, "Encrypt", "AccessDeniedException", "-")
	_, err = c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(krARN(t, "mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	clWantAPIError(t, err, "Encapsulate", "AccessDeniedException", "-")
	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(krARN(t, "rsa"))})
	clWantAPIError(t, err, "GetPublicKey", "AccessDeniedException", "-")
	krWantCalls(t, f, 0)
	// The policy's lists are copied: changing the caller's slice later
	// changes nothing.
	ops := []string{"Verify"}
	c = kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.Policy = &kmspub.Policy{AllowedOperations: ops} })
	ops[0] = "Encrypt"
	if _, err := c.Verify(ctx, plVerify(t, krARN(t, "p256"))); err != nil {
		t.Fatal(err)
	}
}

func TestKeyStateCheck(t *testing.T) {
	ctx := context.Background()
	arn := krARN(t, "p256")
	for _, tc := range []struct {
		state types.KeyState
		code  string
		msg   string
	}{
		{types.KeyStateEnabled, "", ""},
		{types.KeyStateDisabled, "DisabledException", arn + " is disabled."},
		{types.KeyStatePendingDeletion, "KMSInvalidStateException", arn + " is pending deletion."},
		{types.KeyStatePendingImport, "KMSInvalidStateException", arn + " is pending import."},
		{types.KeyStateUnavailable, "KMSInvalidStateException", arn + " is Unavailable."},
		{types.KeyStateCreating, "KMSInvalidStateException", arn + " is Creating."},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			f := krNewFake(t)
			f.setState(arn, tc.state)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: time.Minute} })
			_, err := c.Verify(ctx, plVerify(t, arn))
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				clWantAPIError(t, err, "Verify", tc.code, tc.msg)
			}
			// GetPublicKey is not checked: KMS answers it for a disabled key.
			if _, err := c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(arn)}); err != nil {
				t.Fatalf("GetPublicKey: %v", err)
			}
			if n := f.describeCalls.Load(); n != 1 {
				t.Fatalf("DescribeKey calls = %d, want 1", n)
			}
		})
	}
	var de *types.DisabledException
	f := krNewFake(t)
	f.setState(arn, types.KeyStateDisabled)
	_, err := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: time.Minute} }).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("x")})
	if !errors.As(err, &de) {
		t.Fatalf("Encrypt with a disabled key: %v, want DisabledException", err)
	}
}

func TestKeyStateMaxAgeAndFailures(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	var reported []string
	var mu sync.Mutex
	const maxAge, maxStale, negative = time.Minute, 10 * time.Minute, 5 * time.Second
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.MaxStale = maxStale
		o.NegativeTTL = negative
		o.ErrorHandler = func(keyID string, err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, keyID)
		}
	})
	arn := krARN(t, "p256")
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: maxAge} })
	ctx := context.Background()
	verify := func() error { _, err := c.Verify(ctx, plVerify(t, arn)); return err }
	wantDescribe := func(n int64) {
		t.Helper()
		if got := f.describeCalls.Load(); got != n {
			t.Fatalf("DescribeKey calls = %d, want %d", got, n)
		}
	}

	if err := verify(); err != nil {
		t.Fatal(err)
	}
	// Disabled in KMS: still used until the state is maxAge old.
	f.setState(arn, types.KeyStateDisabled)
	clock.Advance(maxAge - time.Nanosecond)
	if err := verify(); err != nil {
		t.Fatalf("within maxAge: %v", err)
	}
	wantDescribe(1)
	clock.Advance(time.Nanosecond)
	var de *types.DisabledException
	if err := verify(); !errors.As(err, &de) {
		t.Fatalf("after maxAge: %v, want DisabledException", err)
	}
	wantDescribe(2)

	// DescribeKey failing: the last state (Disabled) stays in force and the
	// failure is reported.
	f.setState(arn, types.KeyStateEnabled)
	f.mu.Lock()
	f.fail = &types.KMSInternalException{Message: aws.String("injected")}
	f.mu.Unlock()
	clock.Advance(maxAge)
	if err := verify(); !errors.As(err, &de) {
		t.Fatalf("DescribeKey failing: %v, want the last state's DisabledException", err)
	}
	wantDescribe(3)
	mu.Lock()
	if len(reported) != 1 || reported[0] != arn {
		t.Fatalf("reported %q, want one report for %s", reported, arn)
	}
	mu.Unlock()
	// Past the maximum staleness, the DescribeKey error itself.
	clock.Advance(maxStale)
	var ie *types.KMSInternalException
	if err := verify(); !errors.As(err, &ie) {
		t.Fatalf("past max staleness: %v, want the KMSInternalException", err)
	}
	wantDescribe(4)
	// Within the negative TTL, no new call; after it, recovery.
	if err := verify(); !errors.As(err, &ie) {
		t.Fatalf("negative TTL: %v", err)
	}
	wantDescribe(4)
	f.setFail(nil)
	clock.Advance(negative)
	if err := verify(); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	wantDescribe(5)
}

// TestLocalKMSClientKeyState disables and schedules deletion of a real
// local-kms key, and compares KMS's refusal with the offline client's.
func TestLocalKMSClientKeyState(t *testing.T) {
	online := localkmstest.Client(t)
	counting := &clCountingKMS{Client: online}
	offline := kmspub.NewClient(counting, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: counting, MaxAge: 0} })
	ctx := localkmstest.Context(t)
	id := localkmstest.CreateKey(t, online, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	arn := localkmstest.KeyARN(id)
	message := []byte("key state")
	signed, err := online.Sign(ctx, &kms.SignInput{KeyId: &id, Message: message, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	in := &kms.VerifyInput{KeyId: aws.String(arn), Message: message, Signature: signed.Signature, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
	if _, err := offline.Verify(ctx, in); err != nil {
		t.Fatal(err)
	}
	compare := func(what string) {
		t.Helper()
		_, onErr := online.Verify(ctx, in, noRetry)
		_, offErr := offline.Verify(ctx, in)
		var on, off smithy.APIError
		if !errors.As(onErr, &on) || !errors.As(offErr, &off) || on.ErrorCode() != off.ErrorCode() || on.ErrorMessage() != off.ErrorMessage() {
			t.Fatalf("%s: online %v, offline %v", what, onErr, offErr)
		}
	}
	if _, err := online.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id}); err != nil {
		t.Fatal(err)
	}
	compare("disabled")
	if _, err := online.EnableKey(ctx, &kms.EnableKeyInput{KeyId: &id}); err != nil {
		t.Fatal(err)
	}
	if _, err := offline.Verify(ctx, in); err != nil {
		t.Fatalf("enabled again: %v", err)
	}
	days := int32(7)
	if _, err := online.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: &days}); err != nil {
		t.Fatal(err)
	}
	compare("pending deletion")
	if n := counting.getPublicKey.Load(); n != 1 {
		t.Fatalf("GetPublicKey calls = %d, want 1", n)
	}
	if n := counting.describeKey.Load(); n != 4 {
		t.Fatalf("DescribeKey calls = %d, want 4 (maxAge 0: one per offline operation)", n)
	}
}

// TestAuditLog checks the records WithAuditLogger writes, and that no
// message, plaintext, signature, ciphertext or secret reaches them.
func TestAuditLog(t *testing.T) {
	f, clock := krNewFake(t), krNewClock()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.Clock = clock.Now })
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) {
		o.AuditLogger = logger
		o.Policy = &kmspub.Policy{AllowedRegions: []string{"us-east-1"}}
	})
	ctx := context.Background()
	p256 := krARN(t, "p256")
	f.point("alias/signer", p256)

	// Unique markers: if any of these bytes, in any usual encoding, reaches
	// the log, the test fails.
	const marker = "KMSPUB-PLAINTEXT-MARKER-5f0c2a91"
	message := []byte(marker + " message")
	sig := clSignECDSA(t, "ECC_NIST_P256", clSHA256(message))
	plaintext := []byte(marker + " plaintext")
	var secrets [][]byte
	secrets = append(secrets, message, sig, plaintext)

	type call struct {
		op, keyID, keyARN, alg, mt, outcome string
		dryRun                              bool
		level                               string
	}
	var want []call
	record := func(c call) { want = append(want, c) }

	_, err := c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String("alias/signer"), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	if err != nil {
		t.Fatal(err)
	}
	record(call{"Verify", "alias/signer", p256, "ECDSA_SHA_256", "RAW", "ok", false, "INFO"})

	bad := bytes.Clone(sig)
	bad[10] ^= 0xff
	secrets = append(secrets, bad)
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(p256), Message: clSHA256(message), MessageType: types.MessageTypeDigest, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	clWantAPIError(t, err, "Verify", "KMSInvalidSignatureException", "")
	secrets = append(secrets, clSHA256(message))
	record(call{"Verify", p256, p256, "ECDSA_SHA_256", "DIGEST", "KMSInvalidSignatureException", false, "WARN"})

	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(krARN(t, "rsaenc")), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, enc.CiphertextBlob)
	record(call{"Encrypt", krARN(t, "rsaenc"), krARN(t, "rsaenc"), "RSAES_OAEP_SHA_1", "", "ok", false, "INFO"})

	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(krARN(t, "rsaenc")), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, DryRun: aws.Bool(true)})
	clWantAPIError(t, err, "Encrypt", "DryRunOperationException", "-")
	record(call{"Encrypt", krARN(t, "rsaenc"), krARN(t, "rsaenc"), "RSAES_OAEP_SHA_1", "", "DryRunOperationException", true, "INFO"})

	kem, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(krARN(t, "mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, kem.SharedSecret, kem.SharedSecretCiphertextBlob)
	record(call{"Encapsulate", krARN(t, "mlkem768"), krARN(t, "mlkem768"), "ML_KEM", "", "ok", false, "INFO"})

	other := "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-4000-8000-00000000beef"
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(other), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	clWantAPIError(t, err, "Verify", "AccessDeniedException", "-")
	record(call{"Verify", other, "", "ECDSA_SHA_256", "RAW", "AccessDeniedException", false, "WARN"})

	_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String("alias/signer")})
	if err != nil {
		t.Fatal(err)
	}
	record(call{"GetPublicKey", "alias/signer", p256, "", "", "ok", false, "INFO"})

	_, err = c.Verify(ctx, nil)
	record(call{"Verify", "", "", "", "RAW", "error", false, "WARN"})
	if err == nil {
		t.Fatal("Verify(nil) succeeded")
	}

	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(lines), len(want), out)
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		str := func(k string) string { s, _ := got[k].(string); return s }
		if str("msg") != "kmspub offline operation" || str("time") != clock.Now().Format(time.RFC3339Nano) || str("level") != w.level ||
			str("operation") != w.op || str("key_id") != w.keyID || str("key_arn") != w.keyARN || str("algorithm") != w.alg ||
			str("message_type") != w.mt || str("outcome") != w.outcome || (got["dry_run"] == true) != w.dryRun {
			t.Errorf("record %d:\n got %s\nwant %+v", i, line, w)
		}
		allowed := map[string]bool{"time": true, "level": true, "msg": true, "operation": true, "key_id": true, "key_arn": true,
			"algorithm": true, "message_type": true, "outcome": true, "dry_run": true}
		for k := range got {
			if !allowed[k] {
				t.Errorf("record %d has unexpected attribute %q", i, k)
			}
		}
	}
	if strings.Contains(out, marker) {
		t.Fatal("the plaintext marker reached the audit log")
	}
	for _, s := range secrets {
		for _, enc := range []string{string(s), hex.EncodeToString(s), base64.StdEncoding.EncodeToString(s), base64.RawURLEncoding.EncodeToString(s)} {
			if len(s) >= 8 && strings.Contains(out, enc) {
				t.Fatalf("secret bytes (%d bytes) reached the audit log", len(s))
			}
		}
	}
}
