package kmsrules_test

import (
	"crypto"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// The expected rules below are docs/KMS-RULES.md §1, §4.2, §4.3, §5 and §6 copied
// out by hand — not computed from the table — so that an edit to the table
// that breaks a KMS rule fails here.

var (
	rsaSigning = []types.SigningAlgorithmSpec{
		"RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
		"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
	}
	ecdh  = []types.KeyAgreementAlgorithmSpec{"ECDH"}
	mlkem = []types.EncapsulationAlgorithmSpec{"ML_KEM"}
	mldsa = []types.SigningAlgorithmSpec{"ML_DSA_SHAKE_256"}
)

type encryption struct {
	alg types.EncryptionAlgorithmSpec
	max int
}

type expectedSpec struct {
	spec          types.KeySpec
	family        kmsrules.Family
	signing       []types.SigningAlgorithmSpec
	encryption    []encryption
	keyAgreement  []types.KeyAgreementAlgorithmSpec
	encapsulation []types.EncapsulationAlgorithmSpec
	sharedSecret  int // ECDH x-coordinate or ML-KEM shared secret
	kemCiphertext int
}

var expected = []expectedSpec{
	{"RSA_2048", kmsrules.FamilyRSA, rsaSigning, []encryption{{"RSAES_OAEP_SHA_1", 214}, {"RSAES_OAEP_SHA_256", 190}}, nil, nil, 0, 0},
	{"RSA_3072", kmsrules.FamilyRSA, rsaSigning, []encryption{{"RSAES_OAEP_SHA_1", 342}, {"RSAES_OAEP_SHA_256", 318}}, nil, nil, 0, 0},
	{"RSA_4096", kmsrules.FamilyRSA, rsaSigning, []encryption{{"RSAES_OAEP_SHA_1", 470}, {"RSAES_OAEP_SHA_256", 446}}, nil, nil, 0, 0},
	{"ECC_NIST_P256", kmsrules.FamilyECC, []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}, nil, ecdh, nil, 32, 0},
	{"ECC_NIST_P384", kmsrules.FamilyECC, []types.SigningAlgorithmSpec{"ECDSA_SHA_384"}, nil, ecdh, nil, 48, 0},
	{"ECC_NIST_P521", kmsrules.FamilyECC, []types.SigningAlgorithmSpec{"ECDSA_SHA_512"}, nil, ecdh, nil, 66, 0},
	{"ECC_SECG_P256K1", kmsrules.FamilyECC, []types.SigningAlgorithmSpec{"ECDSA_SHA_256"}, nil, nil, nil, 0, 0},
	{"ECC_NIST_EDWARDS25519", kmsrules.FamilyEd25519, []types.SigningAlgorithmSpec{"ED25519_SHA_512", "ED25519_PH_SHA_512"}, nil, nil, nil, 0, 0},
	{"SM2", kmsrules.FamilySM2, []types.SigningAlgorithmSpec{"SM2DSA"}, []encryption{{"SM2PKE", 1024}}, ecdh, nil, 32, 0},
	{"ML_DSA_44", kmsrules.FamilyMLDSA, mldsa, nil, nil, nil, 0, 0},
	{"ML_DSA_65", kmsrules.FamilyMLDSA, mldsa, nil, nil, nil, 0, 0},
	{"ML_DSA_87", kmsrules.FamilyMLDSA, mldsa, nil, nil, nil, 0, 0},
	{"ML_KEM_512", kmsrules.FamilyMLKEM, nil, nil, nil, mlkem, 32, 768},
	{"ML_KEM_768", kmsrules.FamilyMLKEM, nil, nil, nil, mlkem, 32, 1088},
	{"ML_KEM_1024", kmsrules.FamilyMLKEM, nil, nil, nil, mlkem, 32, 1568},
}

func (e expectedSpec) usages() []types.KeyUsageType {
	var u []types.KeyUsageType
	if e.signing != nil {
		u = append(u, "SIGN_VERIFY")
	}
	if e.encryption != nil {
		u = append(u, "ENCRYPT_DECRYPT")
	}
	if e.keyAgreement != nil {
		u = append(u, "KEY_AGREEMENT")
	}
	if e.encapsulation != nil {
		u = append(u, "ENCAPSULATE_DECAPSULATE")
	}
	return u
}

func TestKeySpecTableMatchesKMSRules(t *testing.T) {
	specs := kmsrules.KeySpecs()
	if len(specs) != len(expected) {
		t.Fatalf("table has %d key specs, want %d", len(specs), len(expected))
	}
	for i, want := range expected {
		t.Run(string(want.spec), func(t *testing.T) {
			got := kmsrules.LookupKeySpec(want.spec)
			if got == nil {
				t.Fatal("not in the table")
			}
			if specs[i] != got {
				t.Errorf("KeySpecs()[%d] is %s, want %s in §1 order", i, specs[i].Spec, want.spec)
			}
			if got.Spec != want.spec || got.Family != want.family {
				t.Errorf("Spec, Family = %s, %v; want %s, %v", got.Spec, got.Family, want.spec, want.family)
			}
			if !slices.Equal(got.Usages(), want.usages()) {
				t.Errorf("Usages = %v, want %v", got.Usages(), want.usages())
			}
			for _, u := range []types.KeyUsageType{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE", "GENERATE_VERIFY_MAC", ""} {
				if got.AllowsUsage(u) != slices.Contains(want.usages(), u) {
					t.Errorf("AllowsUsage(%q) = %v", u, got.AllowsUsage(u))
				}
			}
			if !slices.Equal(got.Signing, want.signing) {
				t.Errorf("Signing = %v, want %v", got.Signing, want.signing)
			}
			for _, alg := range types.SigningAlgorithmSpec("").Values() {
				if got.AllowsSigning(alg) != slices.Contains(want.signing, alg) {
					t.Errorf("AllowsSigning(%s) = %v", alg, got.AllowsSigning(alg))
				}
			}
			var gotEnc []encryption
			for _, e := range got.Encryption {
				gotEnc = append(gotEnc, encryption{e.Algorithm, e.MaxPlaintext})
			}
			if !slices.Equal(gotEnc, want.encryption) {
				t.Errorf("Encryption = %v, want %v", gotEnc, want.encryption)
			}
			var wantNames []types.EncryptionAlgorithmSpec
			for _, e := range want.encryption {
				wantNames = append(wantNames, e.alg)
			}
			if !slices.Equal(got.EncryptionAlgorithmSpecs(), wantNames) {
				t.Errorf("EncryptionAlgorithmSpecs = %v, want %v", got.EncryptionAlgorithmSpecs(), wantNames)
			}
			for _, alg := range types.EncryptionAlgorithmSpec("").Values() {
				row := got.EncryptionAlgorithm(alg)
				if (row != nil) != slices.Contains(wantNames, alg) || (row != nil && row.Algorithm != alg) {
					t.Errorf("EncryptionAlgorithm(%s) = %v", alg, row)
				}
			}
			if !slices.Equal(got.KeyAgreement, want.keyAgreement) {
				t.Errorf("KeyAgreement = %v, want %v", got.KeyAgreement, want.keyAgreement)
			}
			if !slices.Equal(got.Encapsulation, want.encapsulation) {
				t.Errorf("Encapsulation = %v, want %v", got.Encapsulation, want.encapsulation)
			}
			if got.SharedSecretSize != want.sharedSecret || got.KEMCiphertextSize != want.kemCiphertext {
				t.Errorf("SharedSecretSize, KEMCiphertextSize = %d, %d; want %d, %d",
					got.SharedSecretSize, got.KEMCiphertextSize, want.sharedSecret, want.kemCiphertext)
			}
		})
	}
}

// TestOAEPLimitsFollowTheFormula checks the hand-written OAEP limits against
// RFC 8017's k − 2·hLen − 2 as well, and the OAEP hash of each row.
func TestOAEPLimitsFollowTheFormula(t *testing.T) {
	for _, c := range []struct {
		spec types.KeySpec
		k    int
	}{{"RSA_2048", 256}, {"RSA_3072", 384}, {"RSA_4096", 512}} {
		s := kmsrules.LookupKeySpec(c.spec)
		for alg, h := range map[types.EncryptionAlgorithmSpec]crypto.Hash{"RSAES_OAEP_SHA_1": crypto.SHA1, "RSAES_OAEP_SHA_256": crypto.SHA256} {
			row := s.EncryptionAlgorithm(alg)
			if row == nil {
				t.Fatalf("%s has no %s", c.spec, alg)
			}
			if want := c.k - 2*h.Size() - 2; row.MaxPlaintext != want {
				t.Errorf("%s %s: MaxPlaintext = %d, want %d", c.spec, alg, row.MaxPlaintext, want)
			}
			if row.OAEPHash != h {
				t.Errorf("%s %s: OAEPHash = %v, want %v", c.spec, alg, row.OAEPHash, h)
			}
		}
	}
	if row := kmsrules.LookupKeySpec("SM2").EncryptionAlgorithm("SM2PKE"); row == nil || row.OAEPHash != 0 {
		t.Errorf("SM2PKE row = %+v, want no OAEP hash", row)
	}
}

// TestOnlyAsymmetricSpecs: the table holds exactly the SDK's key specs minus
// the symmetric and HMAC ones.
func TestOnlyAsymmetricSpecs(t *testing.T) {
	for _, spec := range types.KeySpec("").Values() {
		symmetric := spec == "SYMMETRIC_DEFAULT" || len(spec) > 5 && spec[:5] == "HMAC_"
		if got := kmsrules.LookupKeySpec(spec); (got == nil) != symmetric {
			t.Errorf("LookupKeySpec(%s) = %v; symmetric or HMAC: %v", spec, got, symmetric)
		}
	}
	for _, s := range kmsrules.KeySpecs() {
		if !slices.Contains(types.KeySpec("").Values(), s.Spec) {
			t.Errorf("table spec %s is not in the SDK enum", s.Spec)
		}
	}
	if kmsrules.LookupKeySpec("") != nil || kmsrules.LookupKeySpec("rsa_2048") != nil {
		t.Error("LookupKeySpec matches an empty or wrongly cased spec")
	}
}

// signingRow is docs/KMS-RULES.md §3.2 by hand: the message types each signing
// algorithm accepts and the DIGEST length.
var signingRows = []struct {
	alg          types.SigningAlgorithmSpec
	scheme       kmsrules.Scheme
	digest       kmsrules.Digest
	digestSize   int
	messageTypes []types.MessageType
}{
	{"RSASSA_PSS_SHA_256", kmsrules.SchemeRSAPSS, kmsrules.SHA256, 32, []types.MessageType{"RAW", "DIGEST"}},
	{"RSASSA_PSS_SHA_384", kmsrules.SchemeRSAPSS, kmsrules.SHA384, 48, []types.MessageType{"RAW", "DIGEST"}},
	{"RSASSA_PSS_SHA_512", kmsrules.SchemeRSAPSS, kmsrules.SHA512, 64, []types.MessageType{"RAW", "DIGEST"}},
	{"RSASSA_PKCS1_V1_5_SHA_256", kmsrules.SchemeRSAPKCS1, kmsrules.SHA256, 32, []types.MessageType{"RAW", "DIGEST"}},
	{"RSASSA_PKCS1_V1_5_SHA_384", kmsrules.SchemeRSAPKCS1, kmsrules.SHA384, 48, []types.MessageType{"RAW", "DIGEST"}},
	{"RSASSA_PKCS1_V1_5_SHA_512", kmsrules.SchemeRSAPKCS1, kmsrules.SHA512, 64, []types.MessageType{"RAW", "DIGEST"}},
	{"ECDSA_SHA_256", kmsrules.SchemeECDSA, kmsrules.SHA256, 32, []types.MessageType{"RAW", "DIGEST"}},
	{"ECDSA_SHA_384", kmsrules.SchemeECDSA, kmsrules.SHA384, 48, []types.MessageType{"RAW", "DIGEST"}},
	{"ECDSA_SHA_512", kmsrules.SchemeECDSA, kmsrules.SHA512, 64, []types.MessageType{"RAW", "DIGEST"}},
	{"SM2DSA", kmsrules.SchemeSM2, kmsrules.SM3, 32, []types.MessageType{"RAW", "DIGEST"}},
	{"ML_DSA_SHAKE_256", kmsrules.SchemeMLDSA, kmsrules.SHAKE256, 64, []types.MessageType{"RAW", "EXTERNAL_MU"}},
	{"ED25519_SHA_512", kmsrules.SchemeEd25519, kmsrules.SHA512, 64, []types.MessageType{"RAW"}},
	{"ED25519_PH_SHA_512", kmsrules.SchemeEd25519ph, kmsrules.SHA512, 64, []types.MessageType{"DIGEST"}},
}

func TestSigningAlgorithmsMatchKMSRules(t *testing.T) {
	rows := kmsrules.SigningAlgorithms()
	if len(rows) != len(signingRows) {
		t.Fatalf("table has %d signing algorithms, want %d", len(rows), len(signingRows))
	}
	// Every SDK signing algorithm has a row, in the order AWS lists the
	// enum (docs/KMS-RULES.md §13.2).
	var names []types.SigningAlgorithmSpec
	for _, r := range rows {
		names = append(names, r.Algorithm)
	}
	if !slices.Equal(names, kmsrules.SigningAlgorithmEnum.Values) {
		t.Errorf("rows %v are not the enum %v", names, kmsrules.SigningAlgorithmEnum.Values)
	}
	for _, want := range signingRows {
		t.Run(string(want.alg), func(t *testing.T) {
			got := kmsrules.LookupSigningAlgorithm(want.alg)
			if got == nil {
				t.Fatal("no row")
			}
			if got.Scheme != want.scheme || got.Digest != want.digest || got.Digest.Size() != want.digestSize {
				t.Errorf("Scheme, Digest, Size = %v, %v, %d; want %v, %v, %d", got.Scheme, got.Digest, got.Digest.Size(), want.scheme, want.digest, want.digestSize)
			}
			if !slices.Equal(got.MessageTypes, want.messageTypes) {
				t.Errorf("MessageTypes = %v, want %v", got.MessageTypes, want.messageTypes)
			}
			for _, mt := range []types.MessageType{"RAW", "DIGEST", "EXTERNAL_MU", ""} {
				if got.Accepts(mt) != slices.Contains(want.messageTypes, mt) {
					t.Errorf("Accepts(%q) = %v", mt, got.Accepts(mt))
				}
			}
			if got.MessageSize("RAW") != 0 || got.MessageSize("DIGEST") != want.digestSize || got.MessageSize("EXTERNAL_MU") != 64 {
				t.Errorf("MessageSize RAW, DIGEST, EXTERNAL_MU = %d, %d, %d; want 0, %d, 64",
					got.MessageSize("RAW"), got.MessageSize("DIGEST"), got.MessageSize("EXTERNAL_MU"), want.digestSize)
			}
		})
	}
	if kmsrules.LookupSigningAlgorithm("ECDSA_SHA_1") != nil || kmsrules.LookupSigningAlgorithm("") != nil {
		t.Error("LookupSigningAlgorithm found an algorithm KMS does not have")
	}
}

func TestDigests(t *testing.T) {
	for _, c := range []struct {
		d    kmsrules.Digest
		name string
		size int
	}{
		{kmsrules.SHA256, "SHA-256", 32}, {kmsrules.SHA384, "SHA-384", 48}, {kmsrules.SHA512, "SHA-512", 64}, {kmsrules.SM3, "SM3", 32},
	} {
		h := c.d.New()
		if h == nil || h.Size() != c.size || c.d.Size() != c.size || c.d.String() != c.name {
			t.Errorf("%v: New, Size, String wrong", c.d)
		}
	}
	if kmsrules.SHAKE256.New() != nil || kmsrules.SHAKE256.Size() != 64 || kmsrules.SHAKE256.String() != "SHAKE256" {
		t.Error("SHAKE256: want no hash.Hash, size 64")
	}
}

func TestLimits(t *testing.T) {
	for name, c := range map[string][2]int{
		"MinMessageSize":       {kmsrules.MinMessageSize, 1},
		"MaxMessageSize":       {kmsrules.MaxMessageSize, 4096},
		"MaxSignatureSize":     {kmsrules.MaxSignatureSize, 6144},
		"MinPlaintextSize":     {kmsrules.MinPlaintextSize, 1},
		"MaxPlaintextSize":     {kmsrules.MaxPlaintextSize, 4096},
		"MaxPeerPublicKeySize": {kmsrules.MaxPeerPublicKeySize, 8192},
		"ExternalMuSize":       {kmsrules.ExternalMuSize, 64},
		"SharedSecretSizeKEM":  {kmsrules.SharedSecretSizeKEM, 32},
	} {
		if c[0] != c[1] {
			t.Errorf("%s = %d, want %d", name, c[0], c[1])
		}
	}
	if kmsrules.SM2DefaultID != "1234567812345678" {
		t.Errorf("SM2DefaultID = %q", kmsrules.SM2DefaultID)
	}
	if !slices.Equal(kmsrules.MessageTypes(), types.MessageType("").Values()) {
		t.Errorf("MessageTypes = %v, want the SDK enum", kmsrules.MessageTypes())
	}
}
