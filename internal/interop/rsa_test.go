package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

var rsaSpecs = []types.KeySpec{types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecRsa4096}

var oaepAlgorithms = []types.EncryptionAlgorithmSpec{
	types.EncryptionAlgorithmSpecRsaesOaepSha1,
	types.EncryptionAlgorithmSpecRsaesOaepSha256,
}

// rsaKeyring is the official SDK's AWS KMS RSA keyring for a local-kms key,
// with the client (for decrypting) and the public key (for encrypting).
func rsaKeyring(t testing.TB, m interface {
	CreateAwsKmsRsaKeyring(ctx context.Context, input mpltypes.CreateAwsKmsRsaKeyringInput) (mpltypes.IKeyring, error)
}, key *kmspub.PublicKey, alg types.EncryptionAlgorithmSpec, client *kms.Client) mpltypes.IKeyring {
	t.Helper()
	in := mpltypes.CreateAwsKmsRsaKeyringInput{
		KmsKeyId:            key.KeyID(),
		EncryptionAlgorithm: alg,
		PublicKey:           publicPEM(key),
		KmsClient:           client,
	}
	kr, err := m.CreateAwsKmsRsaKeyring(localkmstest.Context(t), in)
	if err != nil {
		t.Fatalf("CreateAwsKmsRsaKeyring %s %s: %v", key.KeySpec(), alg, err)
	}
	return kr
}

// kmspub writes, offline, for an RSA key local-kms holds; the official SDK
// decrypts with its AWS KMS RSA keyring, which calls local-kms Decrypt
// through aws-sdk-go-v2: RSA 2048/3072/4096 × OAEP SHA-1/SHA-256, plaintexts
// of 0, 1, frame−1, frame, frame+1 bytes and 1 MiB, contexts empty, with
// several pairs, and non-ASCII.
func TestLocalKMSInteropRSAKmspubToSDK(t *testing.T) {
	client := localKMS(t)
	sdkClient, matProv := sdk(t)
	ctx := localkmstest.Context(t)
	const frame = 4096
	for _, spec := range rsaSpecs {
		key := rsaKey(t, client, spec)
		for _, alg := range oaepAlgorithms {
			r, err := envelope.NewRSARecipient(key, alg)
			if err != nil {
				t.Fatal(err)
			}
			kr := rsaKeyring(t, matProv, key, alg, client)
			for i, ec := range testContexts {
				for _, size := range []int{0, 1, frame - 1, frame, frame + 1, 1 << 20} {
					if size == 1<<20 && i != 1 {
						continue // 1 MiB once per key and algorithm: the SDK is slow
					}
					t.Run(fmt.Sprintf("%s/%s/context%d/size%d", spec, alg, i, size), func(t *testing.T) {
						plaintext := pattern(size)
						msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
							o.EncryptionContext = ec
						})
						if err != nil {
							t.Fatal(err)
						}
						out, err := sdkClient.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: msg, Keyring: kr, EncryptionContext: ec})
						if err != nil {
							t.Fatalf("SDK Decrypt: %v", err)
						}
						if !bytes.Equal(out.Plaintext, plaintext) {
							t.Fatal("plaintext differs")
						}
						if !sameContext(out.EncryptionContext, ec) {
							t.Errorf("context %v", out.EncryptionContext)
						}
					})
				}
			}
		}
	}
}

// One message for two recipients: each key's keyring opens it alone.
func TestLocalKMSInteropRSATwoRecipients(t *testing.T) {
	client := localKMS(t)
	sdkClient, matProv := sdk(t)
	ctx := localkmstest.Context(t)
	k1 := rsaKey(t, client, types.KeySpecRsa2048)
	k2 := rsaKey(t, client, types.KeySpecRsa4096)
	r1, _ := envelope.NewRSARecipient(k1, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	r2, _ := envelope.NewRSARecipient(k2, types.EncryptionAlgorithmSpecRsaesOaepSha1)
	ec := map[string]string{"recipients": "two"}
	plaintext := pattern(10000)
	msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r1, r2}, func(o *envelope.EncryptOptions) { o.EncryptionContext = ec })
	if err != nil {
		t.Fatal(err)
	}
	for _, kr := range []mpltypes.IKeyring{
		rsaKeyring(t, matProv, k1, types.EncryptionAlgorithmSpecRsaesOaepSha256, client),
		rsaKeyring(t, matProv, k2, types.EncryptionAlgorithmSpecRsaesOaepSha1, client),
	} {
		out, err := sdkClient.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: msg, Keyring: kr, EncryptionContext: ec})
		if err != nil || !bytes.Equal(out.Plaintext, plaintext) {
			t.Fatalf("SDK Decrypt: %v", err)
		}
	}
}

// The official SDK writes with the AWS KMS RSA keyring given only the
// public key (no KMS client: encryption is offline for it too); kmspub
// decrypts through local-kms — with the key, with the algorithm named or
// found from the key's list, and in discovery.
func TestLocalKMSInteropRSASDKToKmspub(t *testing.T) {
	client := localKMS(t)
	sdkClient, matProv := sdk(t)
	ctx := localkmstest.Context(t)
	for _, spec := range rsaSpecs {
		key := rsaKey(t, client, spec)
		for _, alg := range oaepAlgorithms {
			kr, err := matProv.CreateAwsKmsRsaKeyring(ctx, mpltypes.CreateAwsKmsRsaKeyringInput{
				KmsKeyId: key.KeyID(), EncryptionAlgorithm: alg, PublicKey: publicPEM(key),
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, ec := range testContexts {
				for _, size := range []int{0, 1, 4096, 10000} {
					t.Run(fmt.Sprintf("%s/%s/context%d/size%d", spec, alg, i, size), func(t *testing.T) {
						plaintext := pattern(size)
						frame := int64(1000)
						out, err := sdkClient.Encrypt(ctx, esdktypes.EncryptInput{
							Plaintext: plaintext, Keyring: kr, EncryptionContext: ec,
							AlgorithmSuiteId: &suite0478, FrameLength: &frame,
						})
						if err != nil {
							t.Fatalf("SDK Encrypt: %v", err)
						}
						for mode, opts := range map[string]func(*envelope.DecryptOptions){
							"key, algorithm named": func(o *envelope.DecryptOptions) {
								o.Keys, o.EncryptionAlgorithm = []*kmspub.PublicKey{key}, alg
							},
							"key, its algorithms tried": func(o *envelope.DecryptOptions) { o.Keys = []*kmspub.PublicKey{key} },
							"discovery":                 func(o *envelope.DecryptOptions) { o.Discovery = true },
						} {
							got, err := envelope.DecryptBytes(ctx, client, out.Ciphertext, opts, func(o *envelope.DecryptOptions) {
								o.EncryptionContext = ec
							})
							if err != nil {
								t.Fatalf("%s: %v", mode, err)
							}
							if !bytes.Equal(got, plaintext) {
								t.Fatalf("%s: plaintext differs", mode)
							}
						}
					})
				}
			}
		}
	}
}

// A message for another local-kms key is refused with the KMS answer inside
// a NoDataKeyError, and one whose required context differs never reaches
// KMS.
func TestLocalKMSInteropRSARefusals(t *testing.T) {
	client := localKMS(t)
	ctx := localkmstest.Context(t)
	key := rsaKey(t, client, types.KeySpecRsa2048)
	other := rsaKey(t, client, types.KeySpecRsa2048)
	r, _ := envelope.NewRSARecipient(key, types.EncryptionAlgorithmSpecRsaesOaepSha256)
	msg, err := envelope.EncryptBytes([]byte("secret"), []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
		o.EncryptionContext = map[string]string{"k": "v"}
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = envelope.DecryptBytes(ctx, client, msg, func(o *envelope.DecryptOptions) { o.Keys = []*kmspub.PublicKey{other} })
	var none *envelope.NoDataKeyError
	if !errors.As(err, &none) || none.Skipped != 1 {
		t.Errorf("another key: %v", err)
	}
	_, err = envelope.DecryptBytes(ctx, client, msg, func(o *envelope.DecryptOptions) {
		o.Keys = []*kmspub.PublicKey{key}
		o.EncryptionContext = map[string]string{"k": "w"}
	})
	var ce *envelope.ContextError
	if !errors.As(err, &ce) {
		t.Errorf("context mismatch: %v", err)
	}
}
