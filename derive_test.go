package kmspub_test

import (
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	gmsmecdh "github.com/emmansun/gmsm/ecdh"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/smx509"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/spki"
)

var ecdhSpecs = []struct {
	spec       types.KeySpec
	curve      ecdh.Curve
	secretSize int // docs/KMS-RULES.md §5, written out independently of the rules table
}{
	{types.KeySpecEccNistP256, ecdh.P256(), 32},
	{types.KeySpecEccNistP384, ecdh.P384(), 48},
	{types.KeySpecEccNistP521, ecdh.P521(), 66},
}

// opensslDerive computes the ECDH secret as the KMS side would, with
// OpenSSL: the KMS key is testdata/keys/<spec>.priv.pem and the peer is the
// SPKI kmspub returned for KMS.
func opensslDerive(t testing.TB, spec types.KeySpec, peerSPKI []byte) []byte {
	t.Helper()
	peer := kmspubtest.WriteTemp(t, "peer.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: peerSPKI}))
	return kmspubtest.OpenSSL(t, "pkeyutl", "-derive", "-inkey", kmspubtest.PrivateKeyPath(spec), "-peerkey", peer)
}

func TestDeriveSharedSecretNISTMatchesOpenSSL(t *testing.T) {
	for _, c := range ecdhSpecs {
		t.Run(string(c.spec), func(t *testing.T) {
			k := kmspubtest.Key(t, c.spec, types.KeyUsageTypeKeyAgreement)
			ecdhKey, err := c.curve.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			ecdsaKey, err := ecdsa.GenerateKey(map[int]elliptic.Curve{32: elliptic.P256(), 48: elliptic.P384(), 66: elliptic.P521()}[c.secretSize], rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			for name, priv := range map[string]any{"crypto/ecdh": ecdhKey, "crypto/ecdsa": ecdsaKey} {
				secret, pubDER, err := k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(secret) != c.secretSize {
					t.Fatalf("%s: secret is %d bytes, want %d", name, len(secret), c.secretSize)
				}
				// The SPKI is what KMS DeriveSharedSecret takes: a strict DER
				// SubjectPublicKeyInfo on the key's own curve.
				parsed, err := spki.Parse(pubDER)
				if err != nil || parsed.Spec != c.spec {
					t.Fatalf("%s: returned SPKI does not parse as %s: %v", name, c.spec, err)
				}
				if want := opensslDerive(t, c.spec, pubDER); !bytes.Equal(secret, want) {
					t.Fatalf("%s: secret differs from openssl pkeyutl -derive on the KMS side", name)
				}
			}
		})
	}
}

// TestDeriveSharedSecretOpenSSLCanDisagree shows the OpenSSL comparison
// can fail: the secret for another peer key differs.
func TestDeriveSharedSecretOpenSSLCanDisagree(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	a, _ := ecdh.P256().GenerateKey(rand.Reader)
	b, _ := ecdh.P256().GenerateKey(rand.Reader)
	secretA, _, err := k.DeriveSharedSecret(a, types.KeyAgreementAlgorithmSpecEcdh)
	if err != nil {
		t.Fatal(err)
	}
	_, pubB, err := k.DeriveSharedSecret(b, types.KeyAgreementAlgorithmSpecEcdh)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(secretA, opensslDerive(t, types.KeySpecEccNistP256, pubB)) {
		t.Fatal("two peer keys gave the same secret")
	}
}

// sm2KMSSide is the SM2 KMS key's private half, as KMS holds it.
func sm2KMSSide(t testing.TB) *gmsmecdh.PrivateKey {
	t.Helper()
	priv, err := kmspubtest.LoadPrivateKey(t, types.KeySpecSm2).SM2.ECDH()
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

func TestDeriveSharedSecretSM2(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	kmsSide := sm2KMSSide(t)
	kmsScalar := new(big.Int).SetBytes(kmsSide.Bytes())

	sm2Key, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	gmsmECDHKey, err := gmsmecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sm2.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, priv := range map[string]any{"sm2.PrivateKey": sm2Key, "gmsm ecdh.PrivateKey": gmsmECDHKey, "ecdsa.PrivateKey on sm2.P256": &other.PrivateKey} {
		secret, pubDER, err := k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(secret) != 32 {
			t.Fatalf("%s: secret is %d bytes, want 32", name, len(secret))
		}
		parsed, err := spki.Parse(pubDER)
		if err != nil || parsed.Spec != types.KeySpecSm2 {
			t.Fatalf("%s: returned SPKI does not parse as SM2: %v", name, err)
		}
		// id-ecPublicKey with the sm2p256v1 named curve (docs/KMS-RULES.md §2).
		if want := "3059301306072a8648ce3d020106082a811ccf5501822d034200"; hex.EncodeToString(pubDER[:26]) != want {
			t.Fatalf("%s: SPKI prefix %x, want %s", name, pubDER[:26], want)
		}

		// The KMS side with gmsm's ECDH on the SPKI it would receive.
		peer, err := smx509.ParsePKIXPublicKey(pubDER)
		if err != nil {
			t.Fatal(err)
		}
		peerECDH, err := sm2.PublicKeyToECDH(peer.(*ecdsa.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		want, err := kmsSide.ECDH(peerECDH)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(secret, want) {
			t.Fatalf("%s: secret differs from gmsm ECDH on the KMS side", name)
		}
		// And independently, by generic affine arithmetic: x(d·Q).
		pq := peer.(*ecdsa.PublicKey)
		x, _ := sm2.P256().Params().ScalarMult(pq.X, pq.Y, kmsScalar.Bytes())
		if !bytes.Equal(secret, x.FillBytes(make([]byte, 32))) {
			t.Fatalf("%s: secret is not the x-coordinate of d·Q", name)
		}
	}
}

func TestDeriveSharedSecretRefusals(t *testing.T) {
	p256 := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement)
	p384 := kmspubtest.Key(t, types.KeySpecEccNistP384, types.KeyUsageTypeKeyAgreement)
	sm2Agree := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeKeyAgreement)
	p256Sign := kmspubtest.Key(t, types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify)
	k1Sign := kmspubtest.Key(t, types.KeySpecEccSecgP256k1, types.KeyUsageTypeSignVerify)
	rsaEnc := kmspubtest.Key(t, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	sm2Enc := kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)
	mlkem := kmspubtest.Key(t, types.KeySpecMlKem512, types.KeyUsageTypeEncapsulateDecapsulate)

	p256Priv, _ := ecdh.P256().GenerateKey(rand.Reader)
	p384Priv, _ := ecdh.P384().GenerateKey(rand.Reader)
	p521ECDSA, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	x25519Priv, _ := ecdh.X25519().GenerateKey(rand.Reader)
	sm2Priv, _ := sm2.GenerateKey(rand.Reader)
	gmsmPriv, _ := gmsmecdh.P256().GenerateKey(rand.Reader)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaPriv, _ := rsa.GenerateKey(rand.Reader, 1024)

	tests := []struct {
		name    string
		key     *kmspub.PublicKey
		priv    any
		alg     types.KeyAgreementAlgorithmSpec
		code    string
		message string
	}{
		{"omitted algorithm", p256, p256Priv, "", "ValidationException",
			"1 validation error detected: Value null at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must not be null"},
		{"unknown algorithm", p256, p256Priv, "ECDHE", "ValidationException",
			"1 validation error detected: Value 'ECDHE' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]"},
		{"SIGN_VERIFY P-256", p256Sign, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			p256Sign.KeyID() + " key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."},
		{"secp256k1", k1Sign, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			k1Sign.KeyID() + " key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."},
		{"ENCRYPT_DECRYPT RSA", rsaEnc, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			rsaEnc.KeyID() + " key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret."},
		{"ENCRYPT_DECRYPT SM2", sm2Enc, sm2Priv, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			sm2Enc.KeyID() + " key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret."},
		{"ML-KEM", mlkem, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			mlkem.KeyID() + " key usage is ENCAPSULATE_DECAPSULATE which is not valid for DeriveSharedSecret."},
		{"usage before private key", p256Sign, nil, types.KeyAgreementAlgorithmSpecEcdh, "InvalidKeyUsageException",
			p256Sign.KeyID() + " key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."},
		{"P-384 private key for P-256", p256, p384Priv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"P-256 private key for P-384", p384, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"P-521 ecdsa key for P-256", p256, p521ECDSA, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"X25519 key for P-256", p256, x25519Priv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"SM2 key for P-256", p256, sm2Priv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"gmsm SM2 ecdh key for P-256", p256, gmsmPriv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"P-256 key for SM2", sm2Agree, p256Priv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"P-521 ecdsa key for SM2", sm2Agree, p521ECDSA, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"Ed25519 key", p256, edPriv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"RSA key", sm2Agree, rsaPriv, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"nil", p256, nil, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"typed nil ecdh", p256, (*ecdh.PrivateKey)(nil), types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"typed nil ecdsa", p256, (*ecdsa.PrivateKey)(nil), types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"typed nil sm2", sm2Agree, (*sm2.PrivateKey)(nil), types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"typed nil gmsm ecdh", sm2Agree, (*gmsmecdh.PrivateKey)(nil), types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"empty ecdsa key", p256, &ecdsa.PrivateKey{}, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
		{"ecdsa key without scalar", p256, &ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: elliptic.P256()}}, types.KeyAgreementAlgorithmSpecEcdh, "ValidationException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, pub, err := tt.key.DeriveSharedSecret(tt.priv, tt.alg)
			if secret != nil || pub != nil {
				t.Errorf("refused DeriveSharedSecret returned a secret or public key")
			}
			kmspubtest.WantAPIError(t, err, tt.code, tt.message)
			if tt.code == "ValidationException" && tt.message == "" {
				// errors.As finds KMS's empty-message exception; Error() explains.
				var ge *smithy.GenericAPIError
				if !errors.As(err, &ge) || err.Error() == ge.Error() {
					t.Errorf("curve mismatch error does not explain itself: %v", err)
				}
				t.Logf("%v", err)
			}
		})
	}
}

// TestDeriveSharedSecretPublicKeyDER: the SPKI for a NIST curve is exactly
// crypto/x509's encoding of the caller's public key.
func TestDeriveSharedSecretPublicKeyDER(t *testing.T) {
	k := kmspubtest.Key(t, types.KeySpecEccNistP384, types.KeyUsageTypeKeyAgreement)
	priv, _ := ecdh.P384().GenerateKey(rand.Reader)
	_, pubDER, err := k.DeriveSharedSecret(priv, types.KeyAgreementAlgorithmSpecEcdh)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := x509.MarshalPKIXPublicKey(priv.PublicKey())
	if !bytes.Equal(pubDER, want) || len(pubDER) != 120 {
		t.Fatalf("SPKI is %d bytes and differs from x509.MarshalPKIXPublicKey", len(pubDER))
	}
}
