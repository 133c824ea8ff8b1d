package interop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	mpl "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygenerated"
	mpltypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/mpl/awscryptographymaterialproviderssmithygeneratedtypes"
	primitivestypes "github.com/aws/aws-cryptographic-material-providers-library/releases/go/primitives/awscryptographyprimitivessmithygeneratedtypes"
	esdk "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygenerated"
	esdktypes "github.com/aws/aws-encryption-sdk/releases/go/encryption-sdk/awscryptographyencryptionsdksmithygeneratedtypes"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// privatePEM returns testdata/keys/SPEC.priv.pem, a PKCS #8 PEM file: the
// form the Raw ECDH keyring takes.
func privatePEM(t testing.TB, spec types.KeySpec) []byte {
	t.Helper()
	data, err := os.ReadFile(kmspubtest.PrivateKeyPath(spec))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func privateKey(t testing.TB, spec types.KeySpec) crypto.PrivateKey {
	t.Helper()
	block, _ := pem.Decode(privatePEM(t, spec))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return k
}

// publicPEM is the key's SubjectPublicKeyInfo as PEM: the form the AWS KMS
// RSA keyring takes.
func publicPEM(k *kmspub.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: k.DER()})
}

// sdk returns the official Encryption SDK client (default commitment
// policy: REQUIRE_ENCRYPT_REQUIRE_DECRYPT) and Material Providers client.
func sdk(t testing.TB) (*esdk.Client, *mpl.Client) {
	t.Helper()
	c, err := esdk.NewClient(esdktypes.AwsEncryptionSdkConfig{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mpl.NewClient(mpltypes.MaterialProvidersConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

// ephemeralECDHKeyring returns the official SDK's Raw ECDH keyring that
// encrypts to key with the EphemeralPrivateKeyToStaticPublicKey schema: a
// sender holding only the recipient's public key.
func ephemeralECDHKeyring(ctx context.Context, matProv *mpl.Client, curve primitivestypes.ECDHCurveSpec, key *kmspub.PublicKey) (mpltypes.IKeyring, error) {
	return matProv.CreateRawEcdhKeyring(ctx, mpltypes.CreateRawEcdhKeyringInput{
		CurveSpec: curve,
		KeyAgreementScheme: &mpltypes.RawEcdhStaticConfigurationsMemberEphemeralPrivateKeyToStaticPublicKey{
			Value: mpltypes.EphemeralPrivateKeyToStaticPublicKeyInput{RecipientPublicKey: key.DER()},
		},
	})
}

// suite0478 is the committing, unsigned suite kmspub writes.
var suite0478 = mpltypes.ESDKAlgorithmSuiteIdAlgAes256GcmHkdfSha512CommitKey

// ecdhKMS is a stand-in for KMS's GetPublicKey and DeriveSharedSecret on
// KEY_AGREEMENT keys, which local-kms lacks, served over HTTP with the KMS
// JSON protocol so that the real aws-sdk-go-v2 client (the one the
// Material Providers Library and kmspub both take) talks to it. It holds
// the private halves of the test keys, as KMS holds its keys'.
type ecdhKMS struct {
	t    testing.TB
	keys map[string]*kmspub.PublicKey // by ARN
	priv map[string]*ecdsa.PrivateKey
}

func newECDHKMS(t testing.TB, keys ...*kmspub.PublicKey) *kms.Client {
	t.Helper()
	s := &ecdhKMS{t: t, keys: map[string]*kmspub.PublicKey{}, priv: map[string]*ecdsa.PrivateKey{}}
	for _, k := range keys {
		s.keys[k.KeyID()] = k
		s.priv[k.KeyID()] = privateKey(t, k.KeySpec()).(*ecdsa.PrivateKey)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return localkmstest.NewClient(srv.URL)
}

func (s *ecdhKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		KeyId                 string
		PublicKey             string
		KeyAgreementAlgorithm string
	}
	if err := json.Unmarshal(body, &in); err != nil {
		kmsError(w, "ValidationException", err.Error())
		return
	}
	key, ok := s.keys[in.KeyId]
	if !ok {
		kmsError(w, "NotFoundException", "Key '"+in.KeyId+"' does not exist")
		return
	}
	switch op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService."); op {
	case "GetPublicKey":
		kmsReply(w, map[string]any{
			"KeyId": key.KeyID(), "PublicKey": base64.StdEncoding.EncodeToString(key.DER()),
			"KeySpec": key.KeySpec(), "CustomerMasterKeySpec": key.KeySpec(), "KeyUsage": key.KeyUsage(),
			"KeyAgreementAlgorithms": key.KeyAgreementAlgorithms(),
		})
	case "DeriveSharedSecret":
		if in.KeyAgreementAlgorithm != "ECDH" {
			kmsError(w, "ValidationException", "KeyAgreementAlgorithm must be ECDH")
			return
		}
		der, err := base64.StdEncoding.DecodeString(in.PublicKey)
		if err != nil {
			kmsError(w, "ValidationException", "")
			return
		}
		peer, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			kmsError(w, "ValidationException", "")
			return
		}
		pe, err := peer.(*ecdsa.PublicKey).ECDH()
		if err != nil {
			kmsError(w, "ValidationException", "")
			return
		}
		pr, _ := s.priv[in.KeyId].ECDH()
		secret, err := pr.ECDH(pe)
		if err != nil {
			kmsError(w, "ValidationException", "")
			return
		}
		kmsReply(w, map[string]any{
			"KeyId": key.KeyID(), "SharedSecret": base64.StdEncoding.EncodeToString(secret),
			"KeyAgreementAlgorithm": "ECDH", "KeyOrigin": "AWS_KMS",
		})
	default:
		kmsError(w, "UnsupportedOperationException", op)
	}
}

func kmsReply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v)
}

func kmsError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// localKMS returns the local-kms client (the test fails under CI=true
// without one, and skips otherwise).
func localKMS(t testing.TB) *kms.Client { return localkmstest.Client(t) }

// rsaKey creates an RSA ENCRYPT_DECRYPT key in local-kms and returns it as
// kmspub fetched it with GetPublicKey.
func rsaKey(t testing.TB, client *kms.Client, spec types.KeySpec) *kmspub.PublicKey {
	t.Helper()
	id := localkmstest.CreateKey(t, client, spec, types.KeyUsageTypeEncryptDecrypt)
	k, err := kmspub.Fetch(localkmstest.Context(t), client, id)
	if err != nil {
		t.Fatalf("Fetch %s: %v", spec, err)
	}
	return k
}

// pattern returns n bytes that differ from frame to frame.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>12)
	}
	return b
}

// sameContext reports whether got holds want (the SDK may add nothing for
// an unsigned suite, and must keep every pair).
func sameContext(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
