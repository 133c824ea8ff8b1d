package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	primitivestypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/primitives/awscryptographyprimitivessmithygeneratedtypes"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/envelope"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

var ecdhCurves = []struct {
	spec  types.KeySpec
	curve primitivestypes.ECDHCurveSpec
}{
	{types.KeySpecEccNistP256, primitivestypes.ECDHCurveSpecEccNistP256},
	{types.KeySpecEccNistP384, primitivestypes.ECDHCurveSpecEccNistP384},
	{types.KeySpecEccNistP521, primitivestypes.ECDHCurveSpecEccNistP521},
}

var testContexts = []map[string]string{
	nil,
	{"purpose": "interop", "team": "kmspub", "a": "", "z": "last"},
	{"Straße": "größe", "键": "值", "emoji": "🔐"},
}

func ecdhKey(t testing.TB, spec types.KeySpec) *kmspub.PublicKey {
	return kmspubtest.KeyByName(t, string(spec)+".KEY_AGREEMENT")
}

// kmspub writes for an ECDH KEY_AGREEMENT key; the official SDK opens the
// message two ways: the Raw ECDH keyring with the recipient's private key
// (PublicKeyDiscovery), and the AWS KMS ECDH keyring in
// KmsPublicKeyDiscovery mode, which calls KMS GetPublicKey and
// DeriveSharedSecret through the real aws-sdk-go-v2 client.
func TestInteropECDHKmspubToSDK(t *testing.T) {
	client, matProv := sdk(t)
	ctx := context.Background()
	for _, c := range ecdhCurves {
		key := ecdhKey(t, c.spec)
		r, err := envelope.NewECDHRecipient(key)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := matProv.CreateRawEcdhKeyring(ctx, mpltypes.CreateRawEcdhKeyringInput{
			CurveSpec: c.curve,
			KeyAgreementScheme: &mpltypes.RawEcdhStaticConfigurationsMemberPublicKeyDiscovery{
				Value: mpltypes.PublicKeyDiscoveryInput{RecipientStaticPrivateKey: privatePEM(t, c.spec)},
			},
		})
		if err != nil {
			t.Fatalf("%s: CreateRawEcdhKeyring: %v", c.spec, err)
		}
		viaKMS, err := matProv.CreateAwsKmsEcdhKeyring(ctx, mpltypes.CreateAwsKmsEcdhKeyringInput{
			CurveSpec: c.curve,
			KeyAgreementScheme: &mpltypes.KmsEcdhStaticConfigurationsMemberKmsPublicKeyDiscovery{
				Value: mpltypes.KmsPublicKeyDiscoveryInput{RecipientKmsIdentifier: key.KeyID()},
			},
			KmsClient: newECDHKMS(t, key),
		})
		if err != nil {
			t.Fatalf("%s: CreateAwsKmsEcdhKeyring: %v", c.spec, err)
		}
		for i, ec := range testContexts {
			for _, size := range []int{0, 1, 4095, 4096, 4097, 20000} {
				t.Run(fmt.Sprintf("%s/context%d/size%d", c.spec, i, size), func(t *testing.T) {
					plaintext := pattern(size)
					msg, err := envelope.EncryptBytes(plaintext, []envelope.Recipient{r}, func(o *envelope.EncryptOptions) {
						o.EncryptionContext = ec
					})
					if err != nil {
						t.Fatal(err)
					}
					for keyring, kr := range map[string]mpltypes.IKeyring{"raw-ecdh": raw, "aws-kms-ecdh": viaKMS} {
						out, err := client.Decrypt(ctx, esdktypes.DecryptInput{Ciphertext: msg, Keyring: kr, EncryptionContext: ec})
						if err != nil {
							t.Fatalf("the SDK's %s keyring: %v", keyring, err)
						}
						if !bytes.Equal(out.Plaintext, plaintext) {
							t.Fatalf("the SDK's %s keyring: plaintext differs", keyring)
						}
						if !sameContext(out.EncryptionContext, ec) {
							t.Errorf("%s: context %v, want %v", keyring, out.EncryptionContext, ec)
						}
					}
				})
			}
		}
	}
}

// The official SDK writes with the Raw ECDH keyring's
// EphemeralPrivateKeyToStaticPublicKey schema, with its default suite (the
// signed 0x0578) and with 0x0478; kmspub decrypts through KMS
// DeriveSharedSecret.
func TestInteropECDHSDKToKmspub(t *testing.T) {
	client, matProv := sdk(t)
	ctx := context.Background()
	for _, c := range ecdhCurves {
		key := ecdhKey(t, c.spec)
		kmsClient := newECDHKMS(t, key)
		kr, err := ephemeralECDHKeyring(ctx, matProv, c.curve, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, suite := range []*mpltypes.ESDKAlgorithmSuiteId{nil, &suite0478} {
			for i, ec := range testContexts {
				for _, size := range []int{0, 1, 4096, 10000} {
					for _, frame := range []int64{4096, 100} {
						t.Run(fmt.Sprintf("%s/suite%v/context%d/size%d/frame%d", c.spec, suiteName(suite), i, size, frame), func(t *testing.T) {
							plaintext := pattern(size)
							out, err := client.Encrypt(ctx, esdktypes.EncryptInput{
								Plaintext: plaintext, Keyring: kr, EncryptionContext: ec,
								AlgorithmSuiteId: suite, FrameLength: &frame,
							})
							if err != nil {
								t.Fatalf("SDK Encrypt: %v", err)
							}
							wantSuite := byte(0x05)
							if suite != nil {
								wantSuite = 0x04
							}
							if out.Ciphertext[1] != wantSuite {
								t.Fatalf("the SDK wrote suite %x", out.Ciphertext[1:3])
							}
							rd, err := envelope.Decrypt(ctx, kmsClient, bytes.NewReader(out.Ciphertext), func(o *envelope.DecryptOptions) {
								o.Keys = []*kmspub.PublicKey{key}
								o.EncryptionContext = ec
							})
							if err != nil {
								t.Fatalf("Decrypt: %v", err)
							}
							got, err := io.ReadAll(rd)
							if err != nil || !bytes.Equal(got, plaintext) {
								t.Fatalf("Read: %v (plaintext equal: %v)", err, bytes.Equal(got, plaintext))
							}
						})
					}
				}
			}
		}
	}
}

func suiteName(s *mpltypes.ESDKAlgorithmSuiteId) string {
	if s == nil {
		return "default"
	}
	return string(*s)
}

// The Material Providers Library for Go v0.4.0 has no SM2 ECDH: its
// primitives refuse the curve ("SM2 not supported"). kmspub's SM2 raw-ecdh
// encrypted data keys are checked against kmspub's own decrypter only
// (envelope tests). This test fails the day the MPL gains SM2, so that the
// interop tests above are extended to it.
func TestInteropECDHSM2NotInMPL(t *testing.T) {
	_, matProv := sdk(t)
	key := ecdhKey(t, types.KeySpecSm2)
	_, err := ephemeralECDHKeyring(context.Background(), matProv, primitivestypes.ECDHCurveSpecSm2, key)
	if err == nil {
		t.Fatal("the MPL now creates SM2 ECDH keyrings: extend the ECDH interop tests to SM2")
	}
	if !strings.Contains(err.Error(), "SM2") && !strings.Contains(err.Error(), "sm2") {
		t.Logf("MPL refusal: %v", err)
	}
}
