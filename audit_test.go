package kmspub_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// TestAuditLog checks the records ClientOptions.AuditLogger writes, and that no
// message, plaintext, signature, ciphertext or secret reaches them.
func TestAuditLog(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.Clock = clock.Now })
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) {
		o.AuditLogger = logger
		o.Policy = &kmspub.Policy{AllowedRegions: []string{"us-east-1"}}
	})
	ctx := context.Background()
	p256 := kmspubtest.FakeKeyARN("p256")
	f.Point("alias/signer", p256)

	// Unique markers: if any of these bytes, in any usual encoding, reaches
	// the log, the test fails.
	const marker = "KMSPUB-PLAINTEXT-MARKER-5f0c2a91"
	message := []byte(marker + " message")
	sig := kmspubtest.LoadPrivateKey(t, types.KeySpecEccNistP256).Sign(t, "ECDSA_SHA_256", types.MessageTypeDigest, kmspubtest.Sum(crypto.SHA256, message), nil)
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
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(p256), Message: kmspubtest.Sum(crypto.SHA256, message), MessageType: types.MessageTypeDigest, Signature: bad, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantAPIError(t, err, "KMSInvalidSignatureException", "")
	secrets = append(secrets, kmspubtest.Sum(crypto.SHA256, message))
	record(call{"Verify", p256, p256, "ECDSA_SHA_256", "DIGEST", "KMSInvalidSignatureException", false, "WARN"})

	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsaenc")), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, enc.CiphertextBlob)
	record(call{"Encrypt", kmspubtest.FakeKeyARN("rsaenc"), kmspubtest.FakeKeyARN("rsaenc"), "RSAES_OAEP_SHA_1", "", "ok", false, "INFO"})

	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(kmspubtest.FakeKeyARN("rsaenc")), Plaintext: plaintext, EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha1, DryRun: aws.Bool(true)})
	kmspubtest.WantOperation(t, err, "Encrypt")
	kmspubtest.WantCode(t, err, "DryRunOperationException")
	record(call{"Encrypt", kmspubtest.FakeKeyARN("rsaenc"), kmspubtest.FakeKeyARN("rsaenc"), "RSAES_OAEP_SHA_1", "", "DryRunOperationException", true, "INFO"})

	kem, err := c.Encapsulate(ctx, &kms.EncapsulateInput{KeyId: aws.String(kmspubtest.FakeKeyARN("mlkem768")), EncapsulationAlgorithm: types.EncapsulationAlgorithmSpecMlKem})
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, kem.SharedSecret, kem.SharedSecretCiphertextBlob)
	record(call{"Encapsulate", kmspubtest.FakeKeyARN("mlkem768"), kmspubtest.FakeKeyARN("mlkem768"), "ML_KEM", "", "ok", false, "INFO"})

	other := "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-4000-8000-00000000beef"
	_, err = c.Verify(ctx, &kms.VerifyInput{KeyId: aws.String(other), Message: message, Signature: sig, SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256})
	kmspubtest.WantOperation(t, err, "Verify")
	kmspubtest.WantCode(t, err, "AccessDeniedException")
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

// TestAuditFieldsEscapedAndCut: what the caller chose (key_id, algorithm,
// message_type) reaches the record with format and control characters,
// invalid UTF-8 and backslashes escaped, cut at 2048 bytes between
// characters — never mid-rune — so that no request can reverse or hide the
// text of a record, or make a long one.
func TestAuditFieldsEscapedAndCut(t *testing.T) {
	long := strings.Repeat("a", 2047)
	for _, tc := range []struct {
		name, keyID, want string
	}{
		{"right-to-left override", "alias/x\u202egnp.exe", `alias/x\u202egnp.exe`},
		{"isolates and zero width", "a\u2066b\u2069c\u200bd\ufeffe", `a\u2066b\u2069c\u200bd\ufeffe`},
		{"line breaks and controls", "a\nb\rc\x00d\u2028e\x7f", `a\u000ab\u000dc\u0000d\u2028e\u007f`},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"a backslash, so an escape cannot be forged", `a\u202e`, `a\\u202e`},
		{"a tag character", "a\U000E0041", `a\U000e0041`},
		{"printable text is kept", "alias/café-ключ", "alias/café-ключ"},
		{"cut before a two-byte character", long + "é", long + "…"},
		{"cut before an escape", long[:2046] + "\u202e", long[:2046] + "…"},
		{"exactly 2048 bytes", long + "b", long + "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, handler := range []string{"json", "text"} {
				var buf bytes.Buffer
				var h slog.Handler = slog.NewJSONHandler(&buf, nil)
				if handler == "text" {
					h = slog.NewTextHandler(&buf, nil)
				}
				c := kmspub.NewClient(kmspubtest.NewFakeKMS(t), func(o *kmspub.ClientOptions) { o.AuditLogger = slog.New(h) })
				c.Verify(context.Background(), &kms.VerifyInput{KeyId: aws.String(tc.keyID), Message: []byte("m"), Signature: []byte("s"),
					SigningAlgorithm: types.SigningAlgorithmSpec(tc.keyID), MessageType: types.MessageType(tc.keyID)})
				out := buf.String()
				if !utf8.ValidString(out) {
					t.Fatalf("%s record is not valid UTF-8: %q", handler, out)
				}
				for _, r := range out {
					if r != '\n' && !unicode.IsGraphic(r) {
						t.Fatalf("%s record holds %U: %q", handler, r, out)
					}
				}
				if handler == "text" {
					continue
				}
				var rec map[string]any
				if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
					t.Fatal(err)
				}
				for _, attr := range []string{"key_id", "algorithm", "message_type"} {
					if rec[attr] != tc.want {
						t.Errorf("%s = %q, want %q", attr, rec[attr], tc.want)
					}
				}
			}
		})
	}
}
