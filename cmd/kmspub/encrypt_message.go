package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/envelope"
)

func init() {
	register(&command{
		name:      "encrypt-message",
		operation: "Encrypt",
		summary:   "Encrypt data of any size for KMS keys, offline.",
		usage: "encrypt-message (--key-file <path> | --key-id <value>) ...\n" +
			"       --input <path>|- --output <path>|- [--encryption-algorithm <value>]\n" +
			"       [--encryption-context <key=value> ...] [--frame-length <n>]",
		details: `Encrypts --input for one or more KMS keys, offline, as an AWS Encryption
SDK message (format version 2, suite ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
framed), streamed in constant memory. Each key gets an encrypted data key:
an RSA ENCRYPT_DECRYPT key an aws-kms-rsa one (RSA-OAEP with
--encryption-algorithm, which the key must list), an ECC_NIST_P256/P384/P521
or SM2 KEY_AGREEMENT key a raw-ecdh one (a fresh ephemeral ECDH key). Any
one of the keys opens the message: "kmspub decrypt-message", or an AWS
Encryption SDK with its AWS KMS RSA or AWS KMS ECDH keyring, through KMS
Decrypt or DeriveSharedSecret. A key KMS would not use so is refused as
KMS refuses it (InvalidKeyUsageException).

The encryption context is stored in the message, unencrypted, and bound to
it: decrypt-message --encryption-context checks it. Keys starting with
aws-crypto- are reserved.
`,
		options: concatOptions(
			messageKeyOptions("At least one key is required."),
			[]option{
				{name: "encryption-algorithm", help: "For RSA keys: RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256, one the key\n" +
					"lists. Required with an RSA key (KMS's default, SYMMETRIC_DEFAULT, is\n" +
					"refused as KMS refuses it); not used for KEY_AGREEMENT keys."},
				{name: "encryption-context", kind: appendList, value: "<key=value>", help: "Encryption context pairs, UTF-8. Not secret."},
				{name: "frame-length", value: "<n>", help: fmt.Sprintf("Plaintext bytes per frame, 1 to %d (default %d).\n"+
					"decrypt-message holds one frame in memory and refuses frames over\n%d MiB by default.", int64(envelope.MaxFrameLength), envelope.DefaultFrameLength, envelope.DefaultMaxFrameLength>>20)},
			},
			dataOptions, dataOnlineOptions()),
		run:           runEncryptMessage,
		streamsStdout: true,
	})
}

func runEncryptMessage(ctx context.Context, a *args, stdout io.Writer) error {
	if !a.has("key-file") && !a.has("key-id") {
		return usageError("one of the arguments --key-id --key-file is required")
	}
	ec, err := parseEncryptionContext(a)
	if err != nil {
		return err
	}
	frameLen, _, err := parseUint(a, "frame-length", 1, envelope.MaxFrameLength)
	if err != nil {
		return err
	}
	keys, err := loadKeys(ctx, a)
	if err != nil {
		return err
	}
	alg := types.EncryptionAlgorithmSpec(a.get("encryption-algorithm"))
	var recipients []envelope.Recipient
	for _, k := range keys {
		r, err := envelope.NewRecipient(k, alg)
		if err != nil {
			op := "Encrypt"
			if k.KeyUsage() == types.KeyUsageTypeKeyAgreement {
				op = "DeriveSharedSecret"
			}
			return operationError(op, err)
		}
		recipients = append(recipients, r)
	}

	in, size, err := openInput(a)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := createOutput(a, stdout)
	if err != nil {
		return err
	}
	p := startProgress("encrypting", size)
	err = encryptMessage(out, p.reader(in), recipients, ec, int(frameLen))
	p.finish()
	if err != nil {
		out.abort()
		return err
	}
	return out.commit()
}

func encryptMessage(dst io.Writer, src io.Reader, recipients []envelope.Recipient, ec map[string]string, frameLen int) error {
	w, err := envelope.Encrypt(dst, recipients, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = ec
		o.FrameLength = frameLen
	})
	var ce *envelope.ContextError
	if errors.As(err, &ce) {
		return paramError("encryption-context", ce.Error())
	}
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	return w.Close()
}
