package kmspub_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
	"github.com/kmspub/kmspub/internal/spki"
)

// fuzzUsages is every key usage a KMS asymmetric key can have.
var fuzzUsages = []types.KeyUsageType{sv, ed, ka, ek}

// FuzzParseGetPublicKeyJSON: no input panics; every refusal is an
// *InvalidKeyError; every accepted file describes a key that KMS could have
// returned, and writes back to a file that parses to the same key.
func FuzzParseGetPublicKeyJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/keys/*.json")
	samples, _ := filepath.Glob("testdata/sample/*.json")
	for _, file := range append(files, samples...) {
		data := modelRead(f, strings.TrimPrefix(file, "testdata/"))
		f.Add(data)
		// Variants that are still valid, or almost.
		f.Add(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")))
		f.Add(bytes.Replace(data, []byte(`"KeyUsage"`), []byte(`"keyusage"`), 1))
		f.Add(bytes.Replace(data, []byte(`"KeyId": "`), []byte(`"KeyId": "x`), 1))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := kmspub.ParseGetPublicKeyJSON(data)
		if err != nil {
			fuzzCheckRefusal(t, err)
			return
		}
		fuzzCheckAccepted(t, k)
		fuzzCheckFileSaysKey(t, data, k)
		out, err := k.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a parsed key: %v", err)
		}
		k2, err := kmspub.ParseGetPublicKeyJSON(out)
		if err != nil {
			t.Fatalf("MarshalJSON output does not parse: %v\n%s", err, out)
		}
		fuzzSameKey(t, k, k2)
		if out2, _ := k2.MarshalJSON(); !bytes.Equal(out, out2) {
			t.Fatalf("MarshalJSON is not stable:\n%s\n%s", out, out2)
		}
	})
}

// FuzzLoad: PEM, DER or base64 with the metadata of every spec and usage.
func FuzzLoad(f *testing.F) {
	for i, s := range modelSpecs {
		pemBytes := modelRead(f, "keys/"+string(s.spec)+".pub.pem")
		der := modelPubDER(f, s.spec)
		for _, u := range s.usages {
			j := uint8(slices.Index(fuzzUsages, u))
			f.Add(pemBytes, uint8(i), j, false)
			f.Add(der, uint8(i), j, true)
			f.Add([]byte(base64.StdEncoding.EncodeToString(der)), uint8(i), j, false)
		}
		// A key under the wrong spec's metadata.
		f.Add(der, uint8(i+1), uint8(0), false)
	}
	f.Fuzz(func(t *testing.T, encoded []byte, specIndex, usageIndex uint8, withLists bool) {
		s := modelSpecs[int(specIndex)%len(modelSpecs)]
		usage := fuzzUsages[int(usageIndex)%len(fuzzUsages)]
		meta := &kms.GetPublicKeyOutput{
			KeyId:    aws.String("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000001"),
			KeySpec:  s.spec,
			KeyUsage: usage,
		}
		if withLists {
			// The full lists KMS gives, from the rules table.
			rules := kmsrules.LookupKeySpec(s.spec)
			switch usage {
			case sv:
				meta.SigningAlgorithms = rules.Signing
			case ed:
				meta.EncryptionAlgorithms = rules.EncryptionAlgorithmSpecs()
			case ka:
				meta.KeyAgreementAlgorithms = rules.KeyAgreement
			case ek:
				meta.EncapsulationAlgorithms = rules.Encapsulation
			}
		}
		k, err := kmspub.ParseSubjectPublicKeyInfo(encoded, meta)
		if err != nil {
			fuzzCheckRefusal(t, err)
			return
		}
		fuzzCheckAccepted(t, k)
		fuzzCheckOneEncoding(t, encoded, k.DER())
		if k.KeySpec() != s.spec || k.KeyUsage() != usage {
			t.Fatalf("loaded as %s %s, metadata said %s %s", k.KeySpec(), k.KeyUsage(), s.spec, usage)
		}
		// The same key in the other encodings, and through the JSON file.
		der := k.DER()
		for _, other := range [][]byte{der, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), []byte(base64.StdEncoding.EncodeToString(der))} {
			k2, err := kmspub.ParseSubjectPublicKeyInfo(other, meta)
			if err != nil {
				t.Fatalf("re-encoded key refused: %v", err)
			}
			fuzzSameKey(t, k, k2)
		}
		out, err := k.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		k2, err := kmspub.ParseGetPublicKeyJSON(out)
		if err != nil {
			t.Fatalf("MarshalJSON output does not parse: %v\n%s", err, out)
		}
		fuzzSameKey(t, k, k2)
	})
}

// fuzzCheckFileSaysKey reads an accepted file with a model of the CLI's
// format — exact member names, each once, PublicKey as the one standard
// base64 string of the DER — and checks it says exactly what k says.
func fuzzCheckFileSaysKey(t *testing.T, data []byte, k *kmspub.PublicKey) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted a file that is not an object: %v", err)
	}
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		name := tok.(string)
		if _, dup := members[name]; dup {
			t.Fatalf("accepted a file with %q twice", name)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		members[name] = v
	}
	str := func(name string) (string, bool) {
		raw, ok := members[name]
		var v *string
		if ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		return aws.ToString(v), v != nil
	}
	for name := range members {
		switch name {
		case "KeyId", "PublicKey", "CustomerMasterKeySpec", "KeySpec", "KeyUsage",
			"EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "EncapsulationAlgorithms":
		default:
			t.Fatalf("accepted a file with member %q", name)
		}
	}
	if id, _ := str("KeyId"); id != k.KeyID() {
		t.Fatalf("file KeyId %q, key %q", id, k.KeyID())
	}
	if pk, _ := str("PublicKey"); pk != base64.StdEncoding.EncodeToString(k.DER()) {
		t.Fatalf("file PublicKey %q is not the standard base64 of the key's DER", pk)
	}
	if spec, _ := str("KeySpec"); spec != string(k.KeySpec()) {
		t.Fatalf("file KeySpec %q, key %s", spec, k.KeySpec())
	}
	if cmks, ok := str("CustomerMasterKeySpec"); ok && cmks != "" && cmks != string(k.KeySpec()) {
		t.Fatalf("file CustomerMasterKeySpec %q, key %s", cmks, k.KeySpec())
	}
	if usage, _ := str("KeyUsage"); usage != string(k.KeyUsage()) {
		t.Fatalf("file KeyUsage %q, key %s", usage, k.KeyUsage())
	}
	list := func(name string, got []string) {
		var v []string
		if raw, ok := members[name]; ok {
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if len(v) > 0 && !slices.Equal(v, got) {
			t.Fatalf("file %s %v, key %v", name, v, got)
		}
	}
	list("SigningAlgorithms", fuzzStrings(k.SigningAlgorithms()))
	list("EncryptionAlgorithms", fuzzStrings(k.EncryptionAlgorithms()))
	list("KeyAgreementAlgorithms", fuzzStrings(k.KeyAgreementAlgorithms()))
	list("EncapsulationAlgorithms", fuzzStrings(k.EncapsulationAlgorithms()))
}

func fuzzStrings[A ~string](list []A) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = string(a)
	}
	return out
}

// fuzzCheckOneEncoding: what Load accepted is the DER itself, one PEM block
// of it, or its standard base64 with whitespace — no other spelling.
func fuzzCheckOneEncoding(t *testing.T, encoded, der []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(encoded)
	switch {
	case bytes.Equal(encoded, der):
	case bytes.HasPrefix(trimmed, []byte("-----BEGIN PUBLIC KEY-----")):
		block, rest := pem.Decode(trimmed)
		if block == nil || !bytes.Equal(block.Bytes, der) || len(bytes.TrimSpace(rest)) != 0 {
			t.Fatalf("accepted PEM %q does not hold exactly the DER", encoded)
		}
	default:
		if got := string(bytes.Join(bytes.Fields(encoded), nil)); got != base64.StdEncoding.EncodeToString(der) {
			t.Fatalf("accepted %q, which is not the standard base64 of the DER", encoded)
		}
	}
}

func fuzzCheckRefusal(t *testing.T, err error) {
	t.Helper()
	var invalid *kmspub.InvalidKeyError
	if !errors.As(err, &invalid) || !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("refusal %T %q is not an *InvalidKeyError", err, err)
	}
	if invalid.Field == "" || invalid.Reason == "" {
		t.Fatalf("refusal %q lacks a field or reason", err)
	}
}

// fuzzCheckAccepted checks what must hold of every key kmspub accepts: a
// spec and usage KMS allows together, lists that are non-empty subsets of
// KMS's for that usage only, and DER that parses as the declared spec — by
// the strict parser and, where it can, by crypto/x509.
func fuzzCheckAccepted(t *testing.T, k *kmspub.PublicKey) {
	t.Helper()
	rules := kmsrules.LookupKeySpec(k.KeySpec())
	if rules == nil || !rules.AllowsUsage(k.KeyUsage()) {
		t.Fatalf("accepted %s with usage %s", k.KeySpec(), k.KeyUsage())
	}
	lists := map[types.KeyUsageType]int{
		sv: len(k.SigningAlgorithms()), ed: len(k.EncryptionAlgorithms()),
		ka: len(k.KeyAgreementAlgorithms()), ek: len(k.EncapsulationAlgorithms()),
	}
	for u, n := range lists {
		if (u == k.KeyUsage()) != (n > 0) {
			t.Fatalf("%s key has %d algorithms for %s", k.KeyUsage(), n, u)
		}
	}
	for _, a := range k.SigningAlgorithms() {
		if !rules.AllowsSigning(a) {
			t.Fatalf("%s lists %s", k.KeySpec(), a)
		}
	}
	for _, a := range k.EncryptionAlgorithms() {
		if rules.EncryptionAlgorithm(a) == nil {
			t.Fatalf("%s lists %s", k.KeySpec(), a)
		}
	}
	if k.KeyID() == "" {
		t.Fatal("accepted key without KeyId")
	}
	der := k.DER()
	parsed, err := spki.Parse(der)
	if err != nil || parsed.Spec != k.KeySpec() {
		t.Fatalf("accepted DER parses as %v, %v; KeySpec is %s", parsed, err, k.KeySpec())
	}
	// crypto/x509 reads RSA, NIST and Ed25519 SPKIs; it must agree.
	switch rules.Family {
	case kmsrules.FamilyRSA, kmsrules.FamilyEd25519:
	case kmsrules.FamilyECC:
		if k.KeySpec() == types.KeySpecEccSecgP256k1 {
			return
		}
	default:
		return
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		t.Fatalf("crypto/x509 refuses an accepted %s key: %v", k.KeySpec(), err)
	}
	switch want := k.CryptoPublicKey().(type) {
	case *rsa.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another RSA key")
		}
	case *ecdsa.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another EC key")
		}
	case ed25519.PublicKey:
		if !want.Equal(pub) {
			t.Fatal("crypto/x509 reads another Ed25519 key")
		}
	default:
		t.Fatalf("CryptoPublicKey is %T for %s", want, k.KeySpec())
	}
}

func fuzzSameKey(t *testing.T, a, b *kmspub.PublicKey) {
	t.Helper()
	if a.KeyID() != b.KeyID() || a.KeySpec() != b.KeySpec() || a.KeyUsage() != b.KeyUsage() ||
		!bytes.Equal(a.DER(), b.DER()) ||
		!slices.Equal(a.SigningAlgorithms(), b.SigningAlgorithms()) ||
		!slices.Equal(a.EncryptionAlgorithms(), b.EncryptionAlgorithms()) ||
		!slices.Equal(a.KeyAgreementAlgorithms(), b.KeyAgreementAlgorithms()) ||
		!slices.Equal(a.EncapsulationAlgorithms(), b.EncapsulationAlgorithms()) {
		t.Fatalf("keys differ: %s %s %s vs %s %s %s", a.KeyID(), a.KeySpec(), a.KeyUsage(), b.KeyID(), b.KeySpec(), b.KeyUsage())
	}
	type equaler interface{ Equal(x crypto.PublicKey) bool }
	if e, ok := a.CryptoPublicKey().(equaler); ok && !e.Equal(b.CryptoPublicKey()) {
		t.Fatal("CryptoPublicKey differs")
	}
}
