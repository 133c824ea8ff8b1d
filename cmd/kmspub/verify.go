package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
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
			{name: "message", requiredUnless: "message-file", help: "The message, at most 4096 bytes (blob: fileb://PATH, file://PATH of base64,\n" +
				"or base64)."},
			{name: "message-type", help: "One of " + messageTypeNames() + " (default RAW)."},
			{name: "message-file", value: "<path>", help: "A message of any size, read from PATH and digested by kmspub\n" +
				"(instead of --message and --message-type): a file, or /dev/stdin.\n" +
				"A fileb:// or file:// prefix is allowed."},
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
	var messageFile io.Reader
	if a.has("message") {
		if message, err = parseBlob("message", a.get("message")); err != nil {
			return err
		}
	} else {
		arg := a.get("message-file")
		path, err := paramPath(arg)
		if err != nil {
			return paramError("message-file", fmt.Sprintf("Unable to open %s: %v", arg, err))
		}
		f, isDevice, err := openParam(path)
		if err != nil {
			return paramError("message-file", fmt.Sprintf("Unable to open %s: %v", arg, err))
		}
		defer f.Close()
		messageFile = f
		if isDevice {
			messageFile = &boundedReader{r: f, n: deviceLimit}
		}
	}
	k, err := loadKey(ctx, a)
	if err != nil {
		return err
	}
	alg := types.SigningAlgorithmSpec(a.get("signing-algorithm"))
	mt := types.MessageType(a.get("message-type"))
	if messageFile != nil {
		err = k.VerifyReader(messageFile, alg, signature)
		if errors.Is(err, errDeviceTooLarge) {
			return paramError("message-file", fmt.Sprintf("%s is a device and gave %v; verify a device's contents from a regular file, or piped to kmspub's standard input", a.get("message-file"), errDeviceTooLarge))
		}
	} else {
		err = k.Verify(message, mt, alg, signature)
		var api smithy.APIError
		if len(message) > kmsrules.MaxMessageSize && (mt == "" || mt == types.MessageTypeRaw) && errors.As(err, &api) && api.ErrorCode() == "ValidationException" {
			// KMS's own words, and where kmspub takes a longer message.
			return &cliError{exitService, fmt.Sprintf("An error occurred (%s) when calling the Verify operation: %s (kmspub: give a RAW message of any size with --message-file PATH)", api.ErrorCode(), api.ErrorMessage())}
		}
	}
	if err != nil {
		return err
	}
	if dryRun(a) {
		return kmserr.DryRun()
	}
	return printJSON(stdout, verifyOutput{KeyId: k.KeyID(), SignatureValid: true, SigningAlgorithm: string(alg)})
}
