// Command gentestdata regenerates testdata/keys: one key pair for each of the
// 15 asymmetric KMS key specs, and for each key usage KMS allows for the spec
// a file in the form `aws kms get-public-key` prints.
//
//	go run ./internal/cmd/gentestdata [-dir testdata/keys]
//
// RSA, NIST, secp256k1, Ed25519 and SM2 keys are made by OpenSSL 3
// (`openssl genpkey`, `openssl pkey -pubout`), so their SubjectPublicKeyInfo
// encodings come from an implementation other than kmspub. OpenSSL 3.0 has no
// ML-DSA or ML-KEM: those keys come from gmsm and crypto/mlkem, saved as
// seeds (<SPEC>.seed, hex) and wrapped in the RFC 9881 / RFC 9935 SPKI.
//
// The JSON files are written with encoding/json directly — not with kmspub —
// so that the library's own writer is checked against them. Key IDs are
// fixed per spec so that regenerating changes only key material.
package main

import (
	"bytes"
	stdmlkem "crypto/mlkem"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/mlkem"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

type spec struct {
	name    string
	openssl []string // genpkey arguments; nil for ML-DSA / ML-KEM
	oid     asn1.ObjectIdentifier
}

var specs = []spec{
	{"RSA_2048", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"}, nil},
	{"RSA_3072", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"}, nil},
	{"RSA_4096", []string{"-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"}, nil},
	{"ECC_NIST_P256", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "ec_param_enc:named_curve"}, nil},
	{"ECC_NIST_P384", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-pkeyopt", "ec_param_enc:named_curve"}, nil},
	{"ECC_NIST_P521", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-pkeyopt", "ec_param_enc:named_curve"}, nil},
	{"ECC_SECG_P256K1", []string{"-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-pkeyopt", "ec_param_enc:named_curve"}, nil},
	{"ECC_NIST_EDWARDS25519", []string{"-algorithm", "ED25519"}, nil},
	{"SM2", []string{"-algorithm", "SM2"}, nil},
	{"ML_DSA_44", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 17}},
	{"ML_DSA_65", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 18}},
	{"ML_DSA_87", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 19}},
	{"ML_KEM_512", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 1}},
	{"ML_KEM_768", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 2}},
	{"ML_KEM_1024", nil, asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 4, 3}},
}

// keyFile mirrors `aws kms get-public-key` output, members in model order.
type keyFile struct {
	KeyId                   string   `json:"KeyId"`
	PublicKey               string   `json:"PublicKey"`
	CustomerMasterKeySpec   string   `json:"CustomerMasterKeySpec"`
	KeySpec                 string   `json:"KeySpec"`
	KeyUsage                string   `json:"KeyUsage"`
	EncryptionAlgorithms    []string `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms       []string `json:"SigningAlgorithms,omitempty"`
	KeyAgreementAlgorithms  []string `json:"KeyAgreementAlgorithms,omitempty"`
	EncapsulationAlgorithms []string `json:"EncapsulationAlgorithms,omitempty"`
}

func main() {
	dir := flag.String("dir", "testdata/keys", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	for i, s := range specs {
		der := generate(*dir, s)
		writePEM(filepath.Join(*dir, s.name+".pub.pem"), "PUBLIC KEY", der)
		rules := kmsrules.LookupKeySpec(kmsTypesKeySpec(s.name))
		for _, usage := range rules.Usages() {
			f := keyFile{
				KeyId:                 keyARN(s.name, i),
				PublicKey:             base64.StdEncoding.EncodeToString(der),
				CustomerMasterKeySpec: s.name,
				KeySpec:               s.name,
				KeyUsage:              string(usage),
			}
			switch usage {
			case "SIGN_VERIFY":
				f.SigningAlgorithms = strs(rules.Signing)
			case "ENCRYPT_DECRYPT":
				f.EncryptionAlgorithms = strs(rules.EncryptionAlgorithmSpecs())
			case "KEY_AGREEMENT":
				f.KeyAgreementAlgorithms = strs(rules.KeyAgreement)
			case "ENCAPSULATE_DECAPSULATE":
				f.EncapsulationAlgorithms = strs(rules.Encapsulation)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "    ")
			if err := enc.Encode(f); err != nil {
				log.Fatal(err)
			}
			write(filepath.Join(*dir, s.name+"."+string(usage)+".json"), buf.Bytes())
		}
	}
}

// generate makes the key pair, writes the private half and returns the SPKI DER.
func generate(dir string, s spec) []byte {
	priv := filepath.Join(dir, s.name+".priv.pem")
	if s.openssl != nil {
		run(append([]string{"genpkey", "-quiet", "-out", priv}, s.openssl...)...)
		pubPEM := run("pkey", "-in", priv, "-pubout")
		block, _ := pem.Decode(pubPEM)
		if block == nil {
			log.Fatalf("%s: openssl printed no PEM", s.name)
		}
		return block.Bytes
	}
	var seed, raw []byte
	switch s.name {
	case "ML_DSA_44", "ML_DSA_65", "ML_DSA_87":
		seed = random(32)
		raw = mldsaPublic(s.name, seed)
	case "ML_KEM_512":
		seed = random(64)
		dk, err := mlkem.NewDecapsulationKeyFromSeed512(seed)
		check(err)
		raw = dk.EncapsulationKey().Bytes()
	case "ML_KEM_768":
		seed = random(64)
		dk, err := stdmlkem.NewDecapsulationKey768(seed)
		check(err)
		raw = dk.EncapsulationKey().Bytes()
	case "ML_KEM_1024":
		seed = random(64)
		dk, err := stdmlkem.NewDecapsulationKey1024(seed)
		check(err)
		raw = dk.EncapsulationKey().Bytes()
	}
	write(filepath.Join(dir, s.name+".seed"), []byte(hex.EncodeToString(seed)+"\n"))
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(s.oid) })
		b.AddASN1BitString(raw)
	})
	return b.BytesOrPanic()
}

func mldsaPublic(name string, seed []byte) []byte {
	switch name {
	case "ML_DSA_44":
		k, err := mldsa.NewKey44(seed)
		check(err)
		return k.Public().(*mldsa.PublicKey44).Bytes()
	case "ML_DSA_65":
		k, err := mldsa.NewKey65(seed)
		check(err)
		return k.Public().(*mldsa.PublicKey65).Bytes()
	default:
		k, err := mldsa.NewKey87(seed)
		check(err)
		return k.Public().(*mldsa.PublicKey87).Bytes()
	}
}

func keyARN(spec string, i int) string {
	if spec == "SM2" {
		return fmt.Sprintf("arn:aws-cn:kms:cn-north-1:111122223333:key/00000000-0000-4000-8000-%012d", i+1)
	}
	return fmt.Sprintf("arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-%012d", i+1)
}

func strs[A ~string](in []A) []string {
	out := make([]string, len(in))
	for i, a := range in {
		out[i] = string(a)
	}
	return out
}

func run(args ...string) []byte {
	cmd := exec.Command("openssl", args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		log.Fatalf("openssl %v: %v", args, err)
	}
	return out
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func writePEM(path, typ string, der []byte) {
	write(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func write(path string, data []byte) {
	check(os.WriteFile(path, data, 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func kmsTypesKeySpec(name string) types.KeySpec { return types.KeySpec(name) }
