package kmspub

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// keyFile is the JSON `aws kms get-public-key` prints: members in the API
// model's order, absent members omitted (docs/KMS-RULES.md §8).
type keyFile struct {
	KeyId                   string                             `json:"KeyId"`
	PublicKey               string                             `json:"PublicKey"`
	CustomerMasterKeySpec   types.CustomerMasterKeySpec        `json:"CustomerMasterKeySpec,omitempty"`
	KeySpec                 types.KeySpec                      `json:"KeySpec,omitempty"`
	KeyUsage                types.KeyUsageType                 `json:"KeyUsage,omitempty"`
	EncryptionAlgorithms    []types.EncryptionAlgorithmSpec    `json:"EncryptionAlgorithms,omitempty"`
	SigningAlgorithms       []types.SigningAlgorithmSpec       `json:"SigningAlgorithms,omitempty"`
	KeyAgreementAlgorithms  []types.KeyAgreementAlgorithmSpec  `json:"KeyAgreementAlgorithms,omitempty"`
	EncapsulationAlgorithms []types.EncapsulationAlgorithmSpec `json:"EncapsulationAlgorithms,omitempty"`
}

// ParseGetPublicKeyJSON reads the JSON that `aws kms get-public-key` prints
// (and [PublicKey.MarshalJSON] writes) and validates it as
// [FromGetPublicKeyOutput] does. Layout, whitespace and member order are
// free; KeyId, PublicKey, KeySpec and KeyUsage are required. It refuses
// input over [MaxKeyFileSize], member names not spelled exactly as the CLI
// writes them, unknown or repeated members, anything but whitespace after
// the object, and a PublicKey that is not standard padded base64 on one
// line.
func ParseGetPublicKeyJSON(data []byte) (*PublicKey, error) {
	if len(data) > MaxKeyFileSize {
		return nil, invalidKey("JSON", fmt.Sprintf("is %d bytes; a get-public-key file is under %d", len(data), MaxKeyFileSize), nil)
	}
	if err := checkNoDuplicateMembers(data); err != nil {
		return nil, invalidKey("JSON", "is not a get-public-key file: "+strings.TrimPrefix(err.Error(), "json: "), err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, invalidKey("JSON", "is not a get-public-key file: "+strings.TrimPrefix(err.Error(), "json: "), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidKey("JSON", "has data after the object", nil)
	}
	// The decoder skips CR and LF even in strict mode; the CLI writes one line.
	if strings.ContainsAny(f.PublicKey, "\r\n") {
		return nil, invalidKey("PublicKey", "is not standard base64 on one line", nil)
	}
	der, err := base64.StdEncoding.Strict().DecodeString(f.PublicKey)
	if err != nil {
		return nil, invalidKey("PublicKey", "is not standard base64: "+err.Error(), err)
	}
	return FromGetPublicKeyOutput(&kms.GetPublicKeyOutput{
		KeyId:                   aws.String(f.KeyId),
		PublicKey:               der,
		CustomerMasterKeySpec:   f.CustomerMasterKeySpec,
		KeySpec:                 f.KeySpec,
		KeyUsage:                f.KeyUsage,
		EncryptionAlgorithms:    f.EncryptionAlgorithms,
		SigningAlgorithms:       f.SigningAlgorithms,
		KeyAgreementAlgorithms:  f.KeyAgreementAlgorithms,
		EncapsulationAlgorithms: f.EncapsulationAlgorithms,
	})
}

// keyFileMembers are the member names of keyFile, spelled exactly.
var keyFileMembers = []string{"KeyId", "PublicKey", "CustomerMasterKeySpec", "KeySpec", "KeyUsage",
	"EncryptionAlgorithms", "SigningAlgorithms", "KeyAgreementAlgorithms", "EncapsulationAlgorithms"}

// checkNoDuplicateMembers refuses a top-level member given twice and a member
// name not spelled exactly as the CLI writes it: encoding/json would keep the
// last of two silently, and matches names case-insensitively ("keyusage"
// fills KeyUsage), either of which would let a file say two things.
func checkNoDuplicateMembers(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("not a JSON object")
	}
	seen := map[string]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		if !slices.Contains(keyFileMembers, name) {
			return fmt.Errorf("unknown member %q", name)
		}
		if seen[name] {
			return fmt.Errorf("member %q appears twice", name)
		}
		seen[name] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

// MarshalJSON writes the key as `aws kms get-public-key` prints it: the same
// members in the same order, four-space indent, a final newline. The output
// of ParseGetPublicKeyJSON on such a file marshals back to the same bytes,
// and the output always parses back with ParseGetPublicKeyJSON. A key loaded
// without a KeyId has no such file and gives an error.
//
// json.Marshal compacts what MarshalJSON returns; to write the CLI's exact
// bytes call MarshalJSON directly.
func (k *PublicKey) MarshalJSON() ([]byte, error) {
	if k.keyID == "" {
		return nil, errors.New("kmspub: a get-public-key file needs a KeyId; this key was loaded without one")
	}
	f := keyFile{
		KeyId:                   k.keyID,
		PublicKey:               base64.StdEncoding.EncodeToString(k.der),
		CustomerMasterKeySpec:   types.CustomerMasterKeySpec(k.spec.Spec),
		KeySpec:                 k.spec.Spec,
		KeyUsage:                k.usage,
		EncryptionAlgorithms:    k.encryption,
		SigningAlgorithms:       k.signing,
		KeyAgreementAlgorithms:  k.keyAgreement,
		EncapsulationAlgorithms: k.encapsulation,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
