package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
)

func init() {
	register(&command{
		name:      "verify",
		operation: "Verify",
		summary:   "Verify a KMS signature offline, as KMS Verify would.",
		usage: "verify (--key-file <path> | --key-id <value>)\n" +
			"       (--message <value> [--message-type <value>] | --message-file <path>)\n" +
			"       --signing-algorithm <value> --signature <value>",
		details: `The twin of "aws kms verify" for a SIGN_VERIFY key. A valid signature prints
{"KeyId", "SignatureValid": true, "SigningAlgorithm"}; an invalid one is
KMS's KMSInvalidSignatureException (exit status 254) — as in KMS, there is
never "SignatureValid": false. Refused like KMS, before any cryptography: a
key of another usage or an algorithm it does not offer
(InvalidKeyUsageException); an empty message or one over 4096 bytes, a
DIGEST of the wrong length, a message type the algorithm does not take
(ValidationException).

--message-file PATH (kmspub only) verifies a message of any size, streamed:
kmspub computes the DIGEST (or the SM2DSA digest with the default ID, or the
ML-DSA mu) itself, so a signature KMS made over the RAW message or over that
digest verifies. It replaces --message and --message-type.

Signing algorithms KMS offers, by key spec:
` + signingBySpec(),
		options: concatOptions(keyOptions, []option{
			{name: "message", help: "The message, at most 4096 bytes (blob: fileb://PATH, file://PATH of base64,\n" +
				"or base64)."},
			{name: "message-type", help: "One of " + messageTypeNames() + " (default RAW)."},
			{name: "message-file", value: "<path>", help: "A message of any size, read from PATH and digested by kmspub\n" +
				"(instead of --message and --message-type)."},
			{name: "signing-algorithm", required: true, help: "The algorithm KMS signed with: one the key offers (see above)."},
			{name: "signature", required: true, help: "The signature (blob: fileb://PATH, file://PATH of base64, or base64)."},
		}, dryRunOptions, onlineOptions),
		run: runVerify,
	})
}

// verifyOutput is VerifyResponse in the API model's member order.
type verifyOutput struct {
	KeyId            string `json:"KeyId,omitempty"`
	SignatureValid   bool   `json:"SignatureValid"`
	SigningAlgorithm string `json:"SigningAlgorithm"`
}

func runVerify(ctx context.Context, a *args, stdout io.Writer) error {
	if err := checkOutput(a); err != nil {
		return err
	}
	if err := oneOf(a, "message", "message-file"); err != nil {
		return err
	}
	if err := exclusive(a, "message-file", "message-type"); err != nil {
		return err
	}
	signature, err := parseBlob("signature", a.get("signature"))
	if err != nil {
		return err
	}
	var message []byte
	var messageFile *os.File
	if a.has("message") {
		if message, err = parseBlob("message", a.get("message")); err != nil {
			return err
		}
	} else {
		path := a.get("message-file")
		if messageFile, err = os.Open(path); err != nil {
			return paramError("message-file", fmt.Sprintf("Unable to open %s: %v", path, err))
		}
		defer messageFile.Close()
	}
	k, err := loadKey(ctx, a)
	if err != nil {
		return err
	}
	alg := types.SigningAlgorithmSpec(a.get("signing-algorithm"))
	if messageFile != nil {
		err = k.VerifyReader(messageFile, alg, signature)
	} else {
		err = k.Verify(message, types.MessageType(a.get("message-type")), alg, signature)
	}
	if err != nil {
		return err
	}
	if dryRun(a) {
		return kmserr.DryRun()
	}
	return printJSON(stdout, verifyOutput{KeyId: k.KeyID(), SignatureValid: true, SigningAlgorithm: string(alg)})
}
