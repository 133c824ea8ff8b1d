package kmspub_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
)

// FuzzClientVerify sends arbitrary Verify requests — key IDs, messages,
// message types, algorithms, signatures — to a Client whose Keyring holds
// the test keys and has no KMS client, under a Policy. Invariants:
//
//   - nothing panics;
//   - every error is a *smithy.OperationError for Verify wrapping either
//     the SDK's *smithy.InvalidParamsError (a missing member) or a KMS
//     exception (smithy.APIError) with a known code;
//   - a request that succeeds named, or resolved to, a key the Keyring holds,
//     inside the Policy's account and Region, and the same request to the
//     key's PublicKey.Verify succeeds too;
//   - under a Policy that allows another account only, nothing succeeds;
//   - neither the error nor the audit log holds the message or signature
//     bytes (hex or base64).
func FuzzClientVerify(f *testing.F) {
	type held struct {
		k   *kmspub.PublicKey
		sig []byte // over sigFuzzMessage, RAW
		alg types.SigningAlgorithmSpec
	}
	var keys []held
	for _, c := range sigFuzzCases(f) {
		if c.mt == types.MessageTypeRaw {
			keys = append(keys, held{c.k, c.sig, c.alg})
		}
	}
	algs := []types.SigningAlgorithmSpec{"", "FOO"}
	for _, h := range keys {
		algs = append(algs, h.alg)
	}
	for i, h := range keys {
		f.Add(h.k.KeyID(), sigFuzzMessage, uint8(0), uint8(i), []byte{}, false, false)
		f.Add(h.k.KeyID(), sigFuzzMessage, uint8(0), uint8(i), []byte{1}, false, true)
		f.Add(h.k.KeyID()+"x", sigFuzzMessage, uint8(1), uint8(i), []byte{}, true, false)
	}
	f.Add("alias/x", []byte{}, uint8(2), uint8(0), []byte{0x30}, false, false)
	f.Add("arn:aws:kms:us-east-1:111122223333:alias/x", []byte("m"), uint8(3), uint8(0), []byte{0x30}, true, false)
	f.Add("", []byte("m"), uint8(0), uint8(0), []byte{0x30}, false, false)

	mts := []types.MessageType{"", types.MessageTypeRaw, types.MessageTypeDigest, types.MessageTypeExternalMu, "BAD"}
	f.Fuzz(func(t *testing.T, keyID string, msg []byte, mtIndex, algIndex uint8, sigData []byte, otherAccount, nilMembers bool) {
		var log bytes.Buffer
		ring := kmspub.NewKeyring(nil)
		for _, h := range keys {
			if err := ring.Add(h.k); err != nil {
				t.Fatal(err)
			}
		}
		policy := kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedRegions: []string{"us-east-1"}}
		if otherAccount {
			policy.AllowedAccounts = []string{"444455556666"}
		}
		client := kmspub.NewClient(ring, func(o *kmspub.ClientOptions) {
			o.Policy = &policy
			o.AuditLogger = slog.New(slog.NewJSONHandler(&log, nil))
		})

		alg := algs[int(algIndex)%len(algs)]
		// The signature: a held key's valid one (over sigFuzzMessage, RAW)
		// with sigData XORed in, so that valid requests are reachable.
		h := keys[int(algIndex)%len(keys)]
		sig := bytes.Clone(h.sig)
		for i, b := range sigData {
			sig[i%len(sig)] ^= b
		}
		in := &kms.VerifyInput{KeyId: aws.String(keyID), Message: msg, MessageType: mts[int(mtIndex)%len(mts)], SigningAlgorithm: alg, Signature: sig}
		if nilMembers {
			switch len(msg) % 3 {
			case 0:
				in.KeyId = nil
			case 1:
				in.Message = nil
			case 2:
				in.Signature = nil
			}
		}
		out, err := client.Verify(context.Background(), in)

		// What the same request says with message and signature bytes that
		// differ from these at every position: text found in both (the key
		// ID, the texts' own words) does not come from the secret bytes.
		var baseLog bytes.Buffer
		baseClient := kmspub.NewClient(ring, func(o *kmspub.ClientOptions) {
			o.Policy = &policy
			o.AuditLogger = slog.New(slog.NewJSONHandler(&baseLog, nil))
		})
		baseIn := *in
		baseIn.Message, baseIn.Signature = flipAll(in.Message), flipAll(in.Signature)
		_, baseErr := baseClient.Verify(context.Background(), &baseIn)
		said := func(err error, log string) string {
			if err != nil {
				return err.Error() + "\n" + log
			}
			return log
		}
		text, baseText := said(err, log.String()), said(baseErr, baseLog.String())
		for _, secret := range [][]byte{msg, sig} {
			if len(secret) < 8 {
				continue
			}
			for _, enc := range []string{hex.EncodeToString(secret), base64.StdEncoding.EncodeToString(secret), string(secret)} {
				if strings.Contains(text, enc) && !strings.Contains(baseText, enc) {
					t.Fatalf("message or signature bytes in the error or audit log:\n%s", text)
				}
			}
		}
		if err != nil {
			var op *smithy.OperationError
			if !errors.As(err, &op) || op.Operation() != "Verify" {
				t.Fatalf("error %T %v is not the SDK's OperationError for Verify", err, err)
			}
			var params smithy.InvalidParamsError
			var api smithy.APIError
			switch {
			case errors.As(err, &params):
				if !nilMembers && msg != nil && alg != "" {
					t.Fatalf("InvalidParamsError for a complete request: %v", err)
				}
			case errors.As(err, &api):
				switch api.ErrorCode() {
				case codeValidation, codeKeyUsage, codeInvalidSig, "NotFoundException", "AccessDeniedException":
				default:
					t.Fatalf("unexpected KMS exception %s: %v", api.ErrorCode(), err)
				}
			default:
				t.Fatalf("error %v is neither InvalidParamsError nor a KMS exception", err)
			}
			return
		}
		if otherAccount {
			t.Fatalf("Verify for %q succeeded under a policy for another account", keyID)
		}
		arn := aws.ToString(out.KeyId)
		var k *kmspub.PublicKey
		for _, h := range keys {
			if h.k.KeyID() == arn {
				k = h.k
			}
		}
		if k == nil || !strings.HasPrefix(arn, "arn:aws:kms:us-east-1:111122223333:key/") {
			t.Fatalf("Verify for %q succeeded with key %q", keyID, arn)
		}
		if !out.SignatureValid || out.SigningAlgorithm != alg {
			t.Fatalf("output %+v", out)
		}
		if err := k.Verify(in.Message, in.MessageType, alg, in.Signature); err != nil {
			t.Fatalf("Client accepted what PublicKey.Verify refuses: %v", err)
		}
	})
}

// flipAll returns b with every byte changed (nil stays nil).
func flipAll(b []byte) []byte {
	if b == nil {
		return nil
	}
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ 0x5a
	}
	return out
}
