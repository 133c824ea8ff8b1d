package kmspub_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// keyfileMembers lists the top-level member names of a JSON document in order.
func keyfileMembers(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v", err)
	}
	var names []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// TestMarshalJSONMemberOrder: the members come in the API model's order, as
// the CLI prints them (docs/KMS-RULES.md §8) — EncryptionAlgorithms before
// SigningAlgorithms — for each usage. Written out by hand here because the
// testdata generator shares the library's order.
func TestMarshalJSONMemberOrder(t *testing.T) {
	head := []string{"KeyId", "PublicKey", "CustomerMasterKeySpec", "KeySpec", "KeyUsage"}
	for file, list := range map[string]string{
		"RSA_2048.ENCRYPT_DECRYPT":           "EncryptionAlgorithms",
		"RSA_2048.SIGN_VERIFY":               "SigningAlgorithms",
		"SM2.KEY_AGREEMENT":                  "KeyAgreementAlgorithms",
		"ML_KEM_512.ENCAPSULATE_DECAPSULATE": "EncapsulationAlgorithms",
	} {
		k, err := kmspub.ParseGetPublicKeyJSON(kmspubtest.File(t, "keys/"+file+".json"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := k.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := keyfileMembers(t, out), append(slices.Clone(head), list); !slices.Equal(got, want) {
			t.Errorf("%s: members %v, want %v", file, got, want)
		}
		if !bytes.HasPrefix(out, []byte("{\n    \"KeyId\": \"arn:")) || !bytes.HasSuffix(out, []byte("\n}\n")) {
			t.Errorf("%s: not the CLI's four-space layout with a final newline:\n%s", file, out)
		}
	}
}

// TestParseGetPublicKeyJSONLayouts: any JSON layout of the same members is
// the same key, and MarshalJSON writes it back in the CLI's layout.
func TestParseGetPublicKeyJSONLayouts(t *testing.T) {
	canonical := kmspubtest.File(t, "keys/RSA_3072.ENCRYPT_DECRYPT.json")
	var compact bytes.Buffer
	if err := json.Compact(&compact, canonical); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(canonical, &m); err != nil {
		t.Fatal(err)
	}
	sorted, _ := json.Marshal(m) // members in alphabetical order
	for name, data := range map[string][]byte{
		"compact":            compact.Bytes(),
		"CRLF":               bytes.ReplaceAll(canonical, []byte("\n"), []byte("\r\n")),
		"no final newline":   bytes.TrimSuffix(canonical, []byte("\n")),
		"surrounding spaces": append(append([]byte(" \n\t"), canonical...), " \n\n"...),
		"members reordered":  sorted,
		"tab indent":         bytes.ReplaceAll(canonical, []byte("    "), []byte("\t")),
	} {
		t.Run(name, func(t *testing.T) {
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, canonical) {
				t.Errorf("MarshalJSON:\n%s\nwant:\n%s", out, canonical)
			}
		})
	}
}

// TestParseGetPublicKeyJSONOptionalMembers: CustomerMasterKeySpec is
// deprecated and may be absent; an absent algorithm list (local-kms omits
// EncryptionAlgorithms, docs/KMS-RULES.md §11) reads as KMS's full list for the
// spec and usage, which MarshalJSON then writes out.
func TestParseGetPublicKeyJSONOptionalMembers(t *testing.T) {
	full := kmspubtest.File(t, "keys/RSA_2048.ENCRYPT_DECRYPT.json")
	for name, data := range map[string][]byte{
		"no CustomerMasterKeySpec": editKeyJSON(t, "RSA_2048.ENCRYPT_DECRYPT", func(m map[string]any) { delete(m, "CustomerMasterKeySpec") }),
		"no EncryptionAlgorithms":  editKeyJSON(t, "RSA_2048.ENCRYPT_DECRYPT", func(m map[string]any) { delete(m, "EncryptionAlgorithms") }),
		"null EncryptionAlgorithms": editKeyJSON(t, "RSA_2048.ENCRYPT_DECRYPT", func(m map[string]any) {
			m["EncryptionAlgorithms"] = nil
		}),
		"empty EncryptionAlgorithms": editKeyJSON(t, "RSA_2048.ENCRYPT_DECRYPT", func(m map[string]any) {
			m["EncryptionAlgorithms"] = []string{}
		}),
	} {
		t.Run(name, func(t *testing.T) {
			k, err := kmspub.ParseGetPublicKeyJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			want := []types.EncryptionAlgorithmSpec{"RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"}
			if !slices.Equal(k.EncryptionAlgorithms(), want) {
				t.Errorf("EncryptionAlgorithms = %v, want %v", k.EncryptionAlgorithms(), want)
			}
			out, err := k.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, full) {
				t.Errorf("MarshalJSON:\n%s\nwant:\n%s", out, full)
			}
		})
	}
}

// TestJSONMarshalCompacts: encoding/json compacts what MarshalJSON returns;
// the result is still a file ParseGetPublicKeyJSON reads as the same key.
func TestJSONMarshalCompacts(t *testing.T) {
	data := kmspubtest.File(t, "sample/rsa_2048.json")
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "\n") {
		t.Errorf("json.Marshal kept the indentation: %s", out)
	}
	k2, err := kmspub.ParseGetPublicKeyJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := k2.MarshalJSON(); !bytes.Equal(again, data) {
		t.Errorf("compact form reads back as another key:\n%s", again)
	}
}
