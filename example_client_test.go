package kmspub_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// A service that verifies with KMS switches to offline verification by
// changing the client it calls Verify on; the input, the output and the
// errors stay the SDK's:
//
//	// Before: one KMS round trip per signature.
//	out, err := kmsClient.Verify(ctx, input)
//
//	// After: one GetPublicKey per key, then no KMS call at all.
//	offline := kmspub.NewClient(kmsClient)
//	out, err := offline.Verify(ctx, input)
func ExampleNewClient() {
	ctx := context.Background()
	kmsClient := kms.New(kms.Options{Region: "eu-west-2"}) // the service's existing client

	offline := kmspub.NewClient(kmsClient)
	// Only so that this example runs without AWS: give the Keyring the key
	// that `aws kms get-public-key` saved, instead of letting it call
	// GetPublicKey on the first Verify.
	offline.Keyring().Add(clReadKey("testdata/sample/ecc_nist_p256.json"))

	input := &kms.VerifyInput{
		KeyId:            aws.String("arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd"),
		Message:          clRead("testdata/sample/message.txt"),
		Signature:        clRead("testdata/sample/message.txt.ECDSA_SHA_256.sig"),
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	}
	out, err := offline.Verify(ctx, input)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.SignatureValid, out.SigningAlgorithm)

	// A bad signature is KMS's exception, exactly as online.
	input.Message = []byte("another message")
	_, err = offline.Verify(ctx, input)
	var invalid *types.KMSInvalidSignatureException
	fmt.Println(errors.As(err, &invalid))
	// Output:
	// true ECDSA_SHA_256
	// true
}

// A Client with a local policy and an audit log: a key outside the allowed
// account is refused before any KMS call, and every operation is logged
// without its message or signature.
func ExampleClientOptions() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // only so that the output below is stable
			}
			return a
		},
	}))
	keys := kmspub.NewKeyring(nil) // no KMS at all: keys saved beforehand
	keys.Add(clReadKey("testdata/sample/ecc_nist_p256.json"))
	offline := kmspub.NewClient(keys,
		func(o *kmspub.ClientOptions) {
			o.Policy = &kmspub.Policy{AllowedAccounts: []string{"111122223333"}, AllowedOperations: []string{"Verify"}}
			o.AuditLogger = logger
		})

	ctx := context.Background()
	for _, keyID := range []string{
		"arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd",
		"arn:aws:kms:eu-west-2:444455556666:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd",
	} {
		offline.Verify(ctx, &kms.VerifyInput{
			KeyId:            aws.String(keyID),
			Message:          clRead("testdata/sample/message.txt"),
			Signature:        clRead("testdata/sample/message.txt.ECDSA_SHA_256.sig"),
			SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
		})
	}
	// Output:
	// level=INFO msg="kmspub offline operation" operation=Verify key_id=arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd key_arn=arn:aws:kms:eu-west-2:111122223333:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd algorithm=ECDSA_SHA_256 message_type=RAW outcome=ok
	// level=WARN msg="kmspub offline operation" operation=Verify key_id=arn:aws:kms:eu-west-2:444455556666:key/42bfe229-fef0-4dfd-91d5-eed78efabdbd algorithm=ECDSA_SHA_256 message_type=RAW outcome=AccessDeniedException
}

func clRead(name string) []byte {
	data, err := os.ReadFile(name)
	if err != nil {
		log.Fatal(err)
	}
	return data
}

func clReadKey(name string) *kmspub.PublicKey {
	k, err := kmspub.ParseGetPublicKeyJSON(clRead(name))
	if err != nil {
		log.Fatal(err)
	}
	return k
}
