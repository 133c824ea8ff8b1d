package main

import (
	"context"
	"encoding/base64"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

func init() {
	register(&command{
		name:      "encrypt",
		operation: "Encrypt",
		summary:   "Encrypt offline for a later KMS Decrypt.",
		usage:     "encrypt (--key-file <path> | --key-id <value>) --plaintext <value>\n       --encryption-algorithm <value>",
		details: `The twin of "aws kms encrypt" for an ENCRYPT_DECRYPT key: the CiphertextBlob
it prints is what KMS Decrypt takes with the same key and algorithm. As in
KMS, --encryption-algorithm defaults to SYMMETRIC_DEFAULT, which no
asymmetric key accepts: name the algorithm. Refused like KMS: a key of
another usage or an algorithm it does not offer (InvalidKeyUsageException),
an empty plaintext, one over 4096 bytes or over the algorithm's limit
(ValidationException).

Encryption algorithms KMS offers, by key spec (with the largest plaintext, in
bytes):
` + encryptionBySpec(),
		options: concatOptions(keyOptions, []option{
			{name: "plaintext", required: true, help: "The data to encrypt (blob: fileb://PATH, file://PATH of base64, or base64)."},
			{name: "encryption-algorithm", help: "One the key offers (see above): " + allOf((*kmsrules.KeySpec).EncryptionAlgorithmSpecs) + "."},
			{name: "encryption-context", help: "Refused unless empty ({}): KMS takes no encryption context with\n" +
				"asymmetric keys."},
		}, dryRunOptions, onlineOptions),
		run: runEncrypt,
	})
}

// encryptOutput is EncryptResponse in the API model's member order.
type encryptOutput struct {
	CiphertextBlob      string `json:"CiphertextBlob"`
	KeyId               string `json:"KeyId,omitempty"`
	EncryptionAlgorithm string `json:"EncryptionAlgorithm,omitempty"`
}

func runEncrypt(ctx context.Context, a *args, stdout io.Writer) error {
	plaintext, err := parseBlob("plaintext", a.get("plaintext"))
	if err != nil {
		return err
	}
	k, err := loadKey(ctx, a)
	if err != nil {
		return err
	}
	alg := types.EncryptionAlgorithmSpec(a.get("encryption-algorithm"))
	ciphertext, err := k.Encrypt(plaintext, alg)
	if err != nil {
		return err
	}
	// The encryption context is checked last, after the request's model,
	// the key, the algorithm and the size, as the library's Client checks
	// it (docs/KMS-RULES.md §7.3).
	if err := kmsrules.CheckEncryptionContext(encryptionContextPairs(a.get("encryption-context"))); err != nil {
		return err
	}
	if dryRun(a) {
		return kmserr.DryRun()
	}
	return printJSON(stdout, encryptOutput{
		CiphertextBlob:      base64.StdEncoding.EncodeToString(ciphertext),
		KeyId:               k.KeyID(),
		EncryptionAlgorithm: string(alg),
	})
}

// encryptionContextPairs counts the pairs of --encryption-context as the
// library's rule needs them: none for an absent or empty ({}) context, else
// at least one.
func encryptionContextPairs(value string) int {
	if ec := strings.TrimSpace(value); ec != "" && ec != "{}" {
		return 1
	}
	return 0
}
