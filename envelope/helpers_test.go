package envelope_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// privateKey reads testdata/keys/SPEC.priv.pem (PKCS #8), with gmsm's
// parser so that SM2 keys come back as *sm2.PrivateKey.
func privateKey(t testing.TB, spec types.KeySpec) crypto.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(kmspubtest.PrivateKeyPath(spec))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", spec)
	}
	k, err := smx509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", spec, err)
	}
	return k
}

// fakeKMS plays KMS for Decrypt and DeriveSharedSecret with the private
// halves of the test keys: local-kms has no KEY_AGREEMENT keys, and tests
// inject faults through it. (The RSA path is also tested against local-kms,
// in localkms_test.go, and both against the official AWS Encryption SDK in
// internal/interop.)
type fakeKMS struct {
	t    testing.TB
	keys map[string]crypto.PrivateKey // by key ARN

	mu    sync.Mutex
	calls []string // "Decrypt ALG ARN", "DeriveSharedSecret ARN"

	// Fault injection: when set, called first; a non-nil error is returned.
	decryptFault func(*kms.DecryptInput) (*kms.DecryptOutput, error)
	deriveFault  func(*kms.DeriveSharedSecretInput) (*kms.DeriveSharedSecretOutput, error)
}

func newFakeKMS(t testing.TB, keys ...*kmspub.PublicKey) *fakeKMS {
	f := &fakeKMS{t: t, keys: map[string]crypto.PrivateKey{}}
	for _, k := range keys {
		f.keys[k.KeyID()] = privateKey(t, k.KeySpec())
	}
	return f
}

func (f *fakeKMS) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeKMS) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeKMS) Decrypt(ctx context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	id := aws.ToString(in.KeyId)
	f.record(fmt.Sprintf("Decrypt %s %s", in.EncryptionAlgorithm, id))
	if f.decryptFault != nil {
		if out, err := f.decryptFault(in); out != nil || err != nil {
			return out, err
		}
	}
	priv, ok := f.keys[id].(*rsa.PrivateKey)
	if !ok {
		return nil, &types.NotFoundException{Message: aws.String("Key '" + id + "' does not exist")}
	}
	spec := kmsrules.LookupKeySpec(types.KeySpec(fmt.Sprintf("RSA_%d", priv.N.BitLen())))
	row := spec.EncryptionAlgorithm(in.EncryptionAlgorithm)
	if row == nil {
		return nil, &types.InvalidKeyUsageException{Message: aws.String("bad algorithm")}
	}
	pt, err := rsa.DecryptOAEP(row.OAEPHash.New(), rand.Reader, priv, in.CiphertextBlob, nil)
	if err != nil {
		return nil, &types.InvalidCiphertextException{Message: aws.String("")}
	}
	return &kms.DecryptOutput{KeyId: aws.String(id), Plaintext: pt, EncryptionAlgorithm: in.EncryptionAlgorithm}, nil
}

func (f *fakeKMS) DeriveSharedSecret(ctx context.Context, in *kms.DeriveSharedSecretInput, _ ...func(*kms.Options)) (*kms.DeriveSharedSecretOutput, error) {
	id := aws.ToString(in.KeyId)
	f.record("DeriveSharedSecret " + id)
	if f.deriveFault != nil {
		if out, err := f.deriveFault(in); out != nil || err != nil {
			return out, err
		}
	}
	priv, ok := f.keys[id]
	if !ok {
		return nil, &types.NotFoundException{Message: aws.String("Key '" + id + "' does not exist")}
	}
	peer, err := smx509.ParsePKIXPublicKey(in.PublicKey)
	if err != nil {
		return nil, errors.New("ValidationException: bad public key")
	}
	var secret []byte
	switch p := priv.(type) {
	case *ecdsa.PrivateKey:
		pe, err := peer.(*ecdsa.PublicKey).ECDH()
		if err != nil {
			return nil, err
		}
		pr, err := p.ECDH()
		if err != nil {
			return nil, err
		}
		if secret, err = pr.ECDH(pe); err != nil {
			return nil, err
		}
	case *sm2.PrivateKey:
		pe, err := sm2.PublicKeyToECDH(peer.(*ecdsa.PublicKey))
		if err != nil {
			return nil, err
		}
		pr, err := p.ECDH()
		if err != nil {
			return nil, err
		}
		if secret, err = pr.ECDH(pe); err != nil {
			return nil, err
		}
	default:
		return nil, &types.InvalidKeyUsageException{Message: aws.String("not a KEY_AGREEMENT key")}
	}
	return &kms.DeriveSharedSecretOutput{KeyId: aws.String(id), SharedSecret: secret, KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh}, nil
}
