package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/esdkformat"
)

func init() {
	register(&command{
		name:      "decrypt-message",
		operation: "Decrypt",
		summary:   "Decrypt an Encryption SDK message through KMS.",
		usage: "decrypt-message --input <path>|- --output <path>|-\n" +
			"       [--encryption-context <key=value> ...] [--encryption-algorithm <value>]\n" +
			"       [--key-id <value> ... | --key-file <path> ...]",
		details: `Decrypts a message encrypt-message wrote, or an AWS Encryption SDK wrote
with its AWS KMS RSA or AWS KMS ECDH keyring (committing suites; the signed
one's ECDSA P-384 signature is verified), online: the data key comes from
KMS Decrypt (aws-kms-rsa) or DeriveSharedSecret (raw-ecdh, aws-kms-ecdh),
through the default AWS configuration. Everything else happens locally, and
is checked: the key commitment, the header's and every frame's
authentication, the frames' order, the end of the message.

With no --key-id or --key-file, the KMS key each aws-kms-rsa encrypted data
key names is asked (discovery). ECDH encrypted data keys name a public key,
not a KMS key: give the KEY_AGREEMENT key with --key-id or --key-file.

Plaintext is written only from frames that authenticated. With --output
PATH nothing is left at PATH unless the whole message verified; with
--output - authenticated frames are written as they come, and a failure
later exits non-zero: discard the output then.
`,
		options: concatOptions(
			[]option{
				{name: "encryption-context", kind: appendList, value: "<key=value>", help: "Pairs the message must carry (or have authenticated without storing\n" +
					"them); otherwise it is refused."},
				{name: "encryption-algorithm", help: "For aws-kms-rsa data keys: the algorithm for KMS Decrypt. Default:\n" +
					"each the key lists (or KMS offers for its size), in order."},
				{name: "max-encrypted-data-keys", value: "<n>", help: fmt.Sprintf("Refuse messages with more encrypted data keys (default %d).", envelope.DefaultMaxEncryptedDataKeys)},
			},
			messageKeyOptions("Optional: see above."),
			dataOptions, dataOnlineOptions()),
		run:           runDecryptMessage,
		streamsStdout: true,
	})
}

func runDecryptMessage(ctx context.Context, a *args, stdout io.Writer) error {
	ec, err := parseEncryptionContext(a)
	if err != nil {
		return err
	}
	maxEDKs, _, err := parseUint(a, "max-encrypted-data-keys", 1, esdkformat.MaxFieldSize)
	if err != nil {
		return err
	}
	keys, err := loadKeys(ctx, a)
	if err != nil {
		return err
	}
	in, size, err := openInput(a)
	if err != nil {
		return err
	}
	defer in.Close()
	client, err := newKMSClient(ctx, a)
	if err != nil {
		return err
	}

	p := startProgress("decrypting", size)
	defer p.finish()
	rd, err := envelope.Decrypt(ctx, client, p.reader(in), func(o *envelope.DecryptOptions) {
		o.Keys = keys
		o.Discovery = len(keys) == 0
		o.EncryptionContext = ec
		o.EncryptionAlgorithm = types.EncryptionAlgorithmSpec(a.get("encryption-algorithm"))
		o.GrantTokens = a.list["grant-tokens"]
		o.MaxEncryptedDataKeys = int(maxEDKs)
	})
	if err != nil {
		return decryptError(err)
	}
	out, err := createOutput(a, stdout)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rd); err != nil {
		out.abort()
		return err
	}
	return out.commit()
}

// decryptError reports a data key KMS would not decrypt as the AWS CLI
// reports KMS's refusal (status 254), naming the operation that was
// refused; anything else as it is.
func decryptError(err error) error {
	var dk *envelope.DataKeyError
	var api smithy.APIError
	var ce *envelope.ContextError
	switch {
	case errors.As(err, &ce):
		// The message is not the one the caller asked for: not a usage
		// error, and not KMS's refusal.
		return &cliError{exitGeneral, ce.Error()}
	case errors.As(err, &dk) && errors.As(dk, &api):
		op := "Decrypt"
		if dk.ProviderID != esdkformat.ProviderAWSKMSRSA {
			op = "DeriveSharedSecret"
		}
		return operationError(op, api)
	}
	return err
}
