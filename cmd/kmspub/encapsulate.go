package main

import (
	"context"
	"encoding/base64"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

func init() {
	register(&command{
		name:      "encapsulate",
		operation: "Encapsulate",
		summary:   "ML-KEM encapsulation for a later KMS Decapsulate.",
		usage:     "encapsulate (--key-file <path> | --key-id <value>)\n       --encapsulation-algorithm <value>",
		details: `The twin of "aws kms encapsulate" for an ENCAPSULATE_DECAPSULATE key: a
fresh 32-byte SharedSecret and the
SharedSecretCiphertextBlob that KMS Decapsulate turns back into it. KMS
never reports a wrong ciphertext (FIPS 203 implicit rejection): confirm the
secrets match before relying on them. The secret is printed on stdout, as
the AWS CLI prints it.

Encapsulation algorithms KMS offers, by key spec:
` + encapsulationBySpec(),
		options: concatOptions(keyOptions, []option{
			{name: "encapsulation-algorithm", required: true, help: "One the key offers (see above): " + allOf(func(s *kmsrules.KeySpec) []types.EncapsulationAlgorithmSpec { return s.Encapsulation }) + "."},
		}, dryRunOptions, onlineOptions),
		run: runEncapsulate,
	})
}

// encapsulateOutput is EncapsulateResponse in the API model's member order.
type encapsulateOutput struct {
	KeyId                      string `json:"KeyId,omitempty"`
	SharedSecret               string `json:"SharedSecret"`
	SharedSecretCiphertextBlob string `json:"SharedSecretCiphertextBlob"`
	EncapsulationAlgorithm     string `json:"EncapsulationAlgorithm"`
}

func runEncapsulate(ctx context.Context, a *args, stdout io.Writer) error {
	k, err := loadKey(ctx, a)
	if err != nil {
		return err
	}
	alg := types.EncapsulationAlgorithmSpec(a.get("encapsulation-algorithm"))
	secret, ciphertext, err := k.Encapsulate(alg)
	if err != nil {
		return err
	}
	if dryRun(a) {
		return kmserr.DryRun()
	}
	return printJSON(stdout, encapsulateOutput{
		KeyId:                      k.KeyID(),
		SharedSecret:               base64.StdEncoding.EncodeToString(secret),
		SharedSecretCiphertextBlob: base64.StdEncoding.EncodeToString(ciphertext),
		EncapsulationAlgorithm:     string(alg),
	})
}
