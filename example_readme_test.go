package kmspub_test

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// The README's library quick start, as a program run from the repository
// root; TestREADMEQuickStart keeps the README's Go block equal to it.
func Example_readme() {
	// Online, once: key, err := kmspub.Fetch(ctx, kms.NewFromConfig(cfg), "alias/release-signing")
	// Or with no AWS call at all, from the JSON `aws kms get-public-key` printed:
	saved, err := os.ReadFile("testdata/sample/ecc_nist_p256.json")
	if err != nil {
		log.Fatal(err)
	}
	key, err := kmspub.ParseGetPublicKeyJSON(saved)
	if err != nil {
		log.Fatal(err)
	}

	// Then offline, as often as needed. nil means KMS would say SignatureValid.
	message := []byte("kmspub: verify AWS KMS signatures offline.\n")
	signature, err := os.ReadFile("testdata/sample/message.txt.ECDSA_SHA_256.sig")
	if err != nil {
		log.Fatal(err)
	}
	err = key.Verify(message, types.MessageTypeRaw, types.SigningAlgorithmSpecEcdsaSha256, signature)
	var invalid *types.KMSInvalidSignatureException
	switch {
	case err == nil:
		fmt.Println("valid")
	case errors.As(err, &invalid):
		fmt.Println("not a valid signature")
	default:
		log.Fatal(err) // refused as KMS refuses: InvalidKeyUsageException, ValidationException…
	}

	// The same key behind *kms.Client's API, offline, from the saved file:
	keys := kmspub.NewKeyring(nil) // nil: no KMS client, only the keys added here
	if err := keys.Add(key); err != nil {
		log.Fatal(err)
	}
	client := kmspub.NewClient(keys) // Verify, Encrypt, Encapsulate, GetPublicKey
	out, err := client.Verify(context.Background(), &kms.VerifyInput{
		KeyId:            aws.String("42bfe229-fef0-4dfd-91d5-eed78efabdbd"), // its key ID, or its key ARN
		Message:          message,
		Signature:        signature,
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("SignatureValid:", out.SignatureValid)

	// Encrypt for a later KMS Decrypt with the same key and algorithm.
	saved, err = os.ReadFile("testdata/keys/RSA_2048.ENCRYPT_DECRYPT.json")
	if err != nil {
		log.Fatal(err)
	}
	rsaKey, err := kmspub.ParseGetPublicKeyJSON(saved)
	if err != nil {
		log.Fatal(err)
	}
	ciphertext, err := rsaKey.Encrypt([]byte("a short secret"), types.EncryptionAlgorithmSpecRsaesOaepSha256)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ciphertext), "bytes for KMS Decrypt")
	// Output:
	// valid
	// SignatureValid: true
	// 256 bytes for KMS Decrypt
}

// TestREADMEQuickStart requires the README's library quick start (its first
// Go block) to be Example_readme as a program: package main, the imports
// above, and the example's body (without its Output comment) as main.
func TestREADMEQuickStart(t *testing.T) {
	src, err := os.ReadFile("example_readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "example_readme_test.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	text := func(from, to token.Pos) string {
		return string(src[fset.Position(from).Offset:fset.Position(to).Offset])
	}
	var imports, body string
	for _, decl := range file.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			if d.Tok == token.IMPORT {
				imports = text(d.Pos(), d.End())
			}
		case *ast.FuncDecl:
			if d.Name.Name == "Example_readme" {
				body = text(d.Body.Lbrace+1, d.Body.Rbrace)
			}
		}
	}
	body, _, _ = strings.Cut(body, "\t// Output:")
	// The README's imports are the program's: without the test's own.
	imports = strings.Replace(imports, "\t\"testing\"\n", "", 1)
	imports = strings.Replace(imports, "\t\"go/ast\"\n\t\"go/parser\"\n\t\"go/token\"\n", "", 1)
	imports = strings.Replace(imports, "\t\"regexp\"\n", "", 1)
	imports = strings.Replace(imports, "\t\"strings\"\n", "", 1)
	want := "package main\n\n" + imports + "\n\nfunc main() {" + body + "}\n"

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Library quick start.*?```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no Go block under \"## Library quick start\"")
	}
	if got := string(m[1]); got != want {
		t.Errorf("README's quick start differs from Example_readme.\nREADME:\n%s\nExample_readme as a program:\n%s", got, want)
	}
}
