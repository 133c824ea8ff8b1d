package envelope_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// Against local-kms through the real aws-sdk-go-v2 client: a key fetched
// with GetPublicKey, a message written offline, opened with KMS Decrypt —
// and refused, with KMS's own exception inside, once the key is disabled.
func TestLocalKMSEnvelopeRSA(t *testing.T) {
	client := localkmstest.Client(t)
	ctx := localkmstest.Context(t)
	id := localkmstest.CreateKey(t, client, types.KeySpecRsa3072, types.KeyUsageTypeEncryptDecrypt)
	key, err := kmspub.Fetch(ctx, client, id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := envelope.NewRecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha1)
	if err != nil {
		t.Fatal(err)
	}
	plaintext := bytes.Repeat([]byte("local-kms "), 2000)
	msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = map[string]string{"test": t.Name()}
		o.FrameLength = 1024
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]func(*envelope.DecryptOptions){
		"key":       withKeys(key),
		"discovery": func(o *envelope.DecryptOptions) { o.Discovery = true },
	} {
		got, err := envelope.DecryptBytes(ctx, client, msg, opt)
		if err != nil || !bytes.Equal(got, plaintext) {
			t.Fatalf("%s: %v", name, err)
		}
	}

	if _, err := client.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = envelope.DecryptBytes(ctx, client, msg, withKeys(key))
	var disabled *types.DisabledException
	var none *envelope.NoDataKeyError
	if !errors.As(err, &none) || !errors.As(err, &disabled) {
		t.Errorf("disabled key: %v (%T)", err, err)
	}
}
