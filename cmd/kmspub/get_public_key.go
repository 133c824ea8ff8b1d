package main

import (
	"context"
	"io"
)

func init() {
	register(&command{
		name:      "get-public-key",
		operation: "GetPublicKey",
		summary:   "Fetch a key from KMS (online), printed as aws does.",
		usage:     "get-public-key --key-id <value> [--grant-tokens <value> ...]\n       [--region <value>] [--endpoint-url <value>] [--profile <value>]",
		details: `Calls KMS GetPublicKey through the default AWS configuration (environment,
shared config and credentials files, --profile, --region, --endpoint-url)
and prints the answer byte for byte as "aws kms get-public-key" does. Save
it once and use it with --key-file for ever after. The answer is validated
first: a public key that does not match its KeySpec, or algorithms KMS does
not offer for the spec, are refused (exit status 255). An answer without
the algorithm list of its usage (local-kms omits EncryptionAlgorithms) is
printed with the full list KMS fixes for the key spec and usage.
`,
		options: append([]option{
			{name: "key-id", required: true, help: "The key: key ID, key ARN, alias name (alias/NAME) or alias ARN."},
		}, onlineOptions...),
		run: runGetPublicKey,
	})
}

func runGetPublicKey(ctx context.Context, a *args, stdout io.Writer) error {
	k, err := fetchKey(ctx, a)
	if err != nil {
		return err
	}
	data, err := k.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = stdout.Write(data)
	return err
}
