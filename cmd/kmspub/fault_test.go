package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fault injection: a fake KMS endpoint answers GetPublicKey with what real
// KMS never sends, to check that kmspub refuses it rather than trusting it.

// fakeKMS serves body for every GetPublicKey request.
func fakeKMS(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Amz-Target"); got != "TrentService.GetPublicKey" {
			t.Errorf("request for %q, want TrentService.GetPublicKey", got)
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	return srv.URL
}

func runKmspub(argv ...string) (status int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	status = run(context.Background(), argv, &out, &errOut)
	return status, out.String(), errOut.String()
}

func TestGetPublicKeyRefusesAnswerKMSNeverSends(t *testing.T) {
	// A P-256 public key labelled as P-384.
	body := `{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/k","KeySpec":"ECC_NIST_P384","KeyUsage":"SIGN_VERIFY",` +
		`"PublicKey":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPXwJEESAMcQhJhYXKjaCd0FumOs1RT89nAXq2tmgIgVFQhmY86vlF25Zbu3seisc1FysWIgLPYA8EsrrBLg0rg=="}`
	endpoint := fakeKMS(t, 200, body)
	for _, argv := range [][]string{
		{"get-public-key", "--key-id", "k", "--endpoint-url", endpoint},
		{"verify", "--key-id", "k", "--endpoint-url", endpoint, "--message", "AAAA", "--signing-algorithm", "ECDSA_SHA_384", "--signature", "AAAA"},
	} {
		status, stdout, stderr := runKmspub(argv...)
		if status != exitGeneral || stdout != "" {
			t.Errorf("%s: status %d, stdout %q; want 255 and nothing", argv[0], status, stdout)
		}
		want := "\nGetPublicKey for k returned a key kmspub refuses: kmspub: invalid KMS public key: PublicKey holds "
		if !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "but KeySpec is ECC_NIST_P384") {
			t.Errorf("%s: stderr %q", argv[0], stderr)
		}
	}
}

func TestGetPublicKeyServiceErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		want   string
	}{
		{400, `{"__type":"NotFoundException","message":"Key 'x' does not exist"}`,
			"\nAn error occurred (NotFoundException) when calling the GetPublicKey operation: Key 'x' does not exist\n"},
		{400, `{"__type":"com.amazonaws.kms#DisabledException","message":"arn:aws:kms:us-east-1:111122223333:key/k is disabled."}`,
			"\nAn error occurred (DisabledException) when calling the GetPublicKey operation: arn:aws:kms:us-east-1:111122223333:key/k is disabled.\n"},
		{400, `{"__type":"AccessDeniedException","Message":"not allowed"}`,
			"\nAn error occurred (AccessDeniedException) when calling the GetPublicKey operation: not allowed\n"},
	} {
		endpoint := fakeKMS(t, tc.status, tc.body)
		status, stdout, stderr := runKmspub("get-public-key", "--key-id", "x", "--endpoint-url", endpoint)
		if status != exitService || stdout != "" || stderr != tc.want {
			t.Errorf("%s: status %d, stdout %q, stderr %q; want 254, nothing, %q", tc.body, status, stdout, stderr, tc.want)
		}
	}
}

// TestGetPublicKeyFillsMissingList: local-kms omits EncryptionAlgorithms for
// RSA ENCRYPT_DECRYPT keys; KMS's list for the pair is fixed, so kmspub
// prints it (docs/KMS-RULES.md §11).
func TestGetPublicKeyFillsMissingList(t *testing.T) {
	saved, err := os.ReadFile(filepath.Join("..", "..", "testdata", "keys", "RSA_2048.ENCRYPT_DECRYPT.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The same key without its EncryptionAlgorithms member.
	i := bytes.Index(saved, []byte(`,
    "EncryptionAlgorithms"`))
	if i < 0 {
		t.Fatal("test key has no EncryptionAlgorithms")
	}
	endpoint := fakeKMS(t, 200, string(saved[:i])+"\n}\n")
	status, stdout, stderr := runKmspub("get-public-key", "--key-id", "k", "--endpoint-url", endpoint)
	if status != 0 || stdout != string(saved) {
		t.Errorf("status %d, stderr %q\nstdout:\n%s\nwant:\n%s", status, stderr, stdout, saved)
	}
}
