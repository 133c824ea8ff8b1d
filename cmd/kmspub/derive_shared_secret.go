package main

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

func init() {
	register(&command{
		name:      "derive-shared-secret",
		operation: "DeriveSharedSecret",
		summary:   "The ECDH secret KMS DeriveSharedSecret returns.",
		usage:     "derive-shared-secret (--key-file <path> | --key-id <value>)\n       --key-agreement-algorithm <value> --private-key <path>",
		details: `The offline half of "aws kms derive-shared-secret" for a KEY_AGREEMENT key.
It differs from the AWS CLI command in one
place: KMS holds the KMS key's private half and takes the other party's
public key (--public-key); offline, kmspub computes the same secret on the
other party's side, so it takes that party's private key (--private-key)
and prints its public key as PublicKey (base64 DER SubjectPublicKeyInfo).
Calling KMS DeriveSharedSecret with that PublicKey returns the same
SharedSecret: the raw ECDH x-coordinate, with no KDF applied. The secret is
printed on stdout, as the AWS CLI prints it.

Key agreement algorithms KMS offers, by key spec:
` + keyAgreementBySpec(),
		options: concatOptions(keyOptions, []option{
			{name: "key-agreement-algorithm", required: true, help: "One the key offers (see above): " + allOf(func(s *kmsrules.KeySpec) []types.KeyAgreementAlgorithmSpec { return s.KeyAgreement }) + "."},
			{name: "private-key", required: true, value: "<path>", help: "Your private key on the KMS key's curve: a PKCS #8 (\"PRIVATE KEY\") or\n" +
				"SEC 1 (\"EC PRIVATE KEY\") PEM or DER file, as `openssl genpkey` writes it.\n" +
				"A file:// or fileb:// prefix is allowed."},
			{name: "public-key", help: "Not taken: see above. Give --private-key instead."},
		}, dryRunOptions, onlineOptions),
		run: runDeriveSharedSecret,
	})
}

// deriveOutput is DeriveSharedSecretResponse in the API model's member
// order, without CiphertextForRecipient and KeyOrigin (which only KMS can
// report), and with PublicKey: the caller's public key to send KMS.
type deriveOutput struct {
	KeyId                 string `json:"KeyId,omitempty"`
	SharedSecret          string `json:"SharedSecret"`
	KeyAgreementAlgorithm string `json:"KeyAgreementAlgorithm"`
	PublicKey             string `json:"PublicKey"`
}

func runDeriveSharedSecret(ctx context.Context, a *args, stdout io.Writer) error {
	if a.has("public-key") {
		return usageError("argument --public-key: offline, kmspub derives the secret on your side of the exchange; give your private key with --private-key and send KMS the PublicKey kmspub prints")
	}
	priv, err := readPrivateKey(a.get("private-key"))
	if err != nil {
		return err
	}
	k, err := loadKey(ctx, a)
	if err != nil {
		return err
	}
	alg := types.KeyAgreementAlgorithmSpec(a.get("key-agreement-algorithm"))
	secret, spki, err := k.DeriveSharedSecret(priv, alg)
	if err != nil {
		return describeEmptyRefusal("DeriveSharedSecret", err)
	}
	if dryRun(a) {
		return kmserr.DryRun()
	}
	return printJSON(stdout, deriveOutput{
		KeyId:                 k.KeyID(),
		SharedSecret:          base64.StdEncoding.EncodeToString(secret),
		KeyAgreementAlgorithm: string(alg),
		PublicKey:             base64.StdEncoding.EncodeToString(spki),
	})
}

// describeEmptyRefusal keeps KMS's exception code for a private key the
// library refuses (KMS answers a peer key it cannot use with an empty
// ValidationException) but says what was wrong: offline, the key at fault is
// the caller's own file, and an empty message would leave them guessing.
func describeEmptyRefusal(op string, err error) error {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorMessage() == "" && err != error(api) {
		return &cliError{exitService, fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", api.ErrorCode(), op, err.Error())}
	}
	return err
}

// maxPrivateKeySize bounds a --private-key file; an EC private key in any
// encoding is well under 1 KiB.
const maxPrivateKeySize = 16 << 10

// readPrivateKey reads an EC or SM2 private key: PKCS #8 or SEC 1, PEM or
// DER. Errors never include key bytes.
func readPrivateKey(arg string) (crypto.PrivateKey, error) {
	fail := func(reason string) error { return paramError("private-key", reason) }
	path, err := paramPath(arg)
	if err != nil {
		return nil, fail(fmt.Sprintf("Unable to load %s: %v", arg, err))
	}
	data, err := readFileLimited(path, maxPrivateKeySize)
	if errors.Is(err, errTooLarge) {
		return nil, fail(fmt.Sprintf("%s is larger than %d bytes; no EC private key file is", arg, maxPrivateKeySize))
	}
	if err != nil {
		return nil, fail(fmt.Sprintf("Unable to load %s: %v", arg, err))
	}
	der := data
	if block, _ := pem.Decode(data); block != nil {
		if block.Type != "PRIVATE KEY" && block.Type != "EC PRIVATE KEY" {
			return nil, fail(fmt.Sprintf("%s holds a PEM %q block; want \"PRIVATE KEY\" or \"EC PRIVATE KEY\"", arg, block.Type))
		}
		der = block.Bytes
	}
	if key, err := smx509.ParsePKCS8PrivateKey(der); err == nil {
		return key, nil
	}
	if key, err := smx509.ParseTypedECPrivateKey(der); err == nil {
		return key, nil
	}
	return nil, fail(fmt.Sprintf("%s is not a PKCS #8 or SEC 1 EC private key", arg))
}
