package kmspub_test

// Fault injection for Fetch: a fake KMS endpoint (httptest) behind a real
// *kms.Client, so every request goes through the SDK's serializer, SigV4
// signer, retryer and deserializer exactly as against AWS. Whatever goes
// wrong, Fetch returns the SDK's error unchanged (errors.As and errors.Is
// keep working) and never a partly built key.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

const faultKeyID = "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000004"

// fakeKMS is an HTTP server that speaks the KMS JSON protocol for
// GetPublicKey. respond is called for each attempt (1, 2, …).
type fakeKMS struct {
	t        *testing.T
	attempts atomic.Int32
	respond  func(attempt int, w http.ResponseWriter, r *http.Request)
}

func (f *fakeKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.attempts.Add(1))
	// The request must be the one the SDK sends to AWS.
	if got := r.Header.Get("X-Amz-Target"); got != "TrentService.GetPublicKey" {
		f.t.Errorf("X-Amz-Target = %q, want TrentService.GetPublicKey", got)
	}
	if got := r.Header.Get("Authorization"); !strings.HasPrefix(got, "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("request is not SigV4 signed: Authorization = %q", got)
	}
	var in struct{ KeyId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.KeyId != faultKeyID {
		f.t.Errorf("request body KeyId = %q (%v), want %q", in.KeyId, err, faultKeyID)
	}
	f.respond(n, w, r)
}

// newFaultClient starts f and returns a real SDK client for it. Backoff is
// zero so that retries cost no wall time; everything else is the SDK's
// standard retryer (3 attempts, retry on throttling, 5xx and transport
// errors).
func newFaultClient(t *testing.T, respond func(attempt int, w http.ResponseWriter, r *http.Request)) (*kms.Client, *fakeKMS) {
	f := &fakeKMS{t: t, respond: respond}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := localkmstest.NewClient(srv.URL, func(o *kms.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	return client, f
}

func writeKMSError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

func writeKMSJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(body)
}

// goodResponse is a GetPublicKey answer for a P-256 signing key: the file
// `aws kms get-public-key` printed is, member for member, the wire JSON.
func goodResponse(t *testing.T) []byte {
	t.Helper()
	body, err := os.ReadFile("testdata/keys/ECC_NIST_P256.SIGN_VERIFY.json")
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// mustFail checks the invariant every fault shares: an error, and no key.
func mustFail(t *testing.T, k *kmspub.PublicKey, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Fetch succeeded; want an error")
	}
	if k != nil {
		t.Fatalf("Fetch returned a key together with error %v", err)
	}
}

func TestFetchFaults(t *testing.T) {
	t.Run("throttled on every attempt", func(t *testing.T) {
		client, f := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeKMSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ThrottlingException" || apiErr.ErrorMessage() != "Rate exceeded" {
			t.Fatalf("err = %v, want the ThrottlingException as a smithy.APIError", err)
		}
		var maxAttempts *retry.MaxAttemptsError
		if !errors.As(err, &maxAttempts) {
			t.Errorf("err = %v, want it wrapped in retry.MaxAttemptsError", err)
		}
		if n := f.attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want the SDK's 3", n)
		}
	})

	t.Run("throttled, then answered", func(t *testing.T) {
		body := goodResponse(t)
		client, f := newFaultClient(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 3 {
				writeKMSError(w, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
				return
			}
			writeKMSJSON(w, body)
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		if err != nil {
			t.Fatalf("Fetch after two throttles: %v", err)
		}
		if k.KeyID() != faultKeyID || k.KeySpec() != types.KeySpecEccNistP256 {
			t.Errorf("got %s %s", k.KeyID(), k.KeySpec())
		}
		if n := f.attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})

	t.Run("KMSInternalException 500", func(t *testing.T) {
		client, f := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeKMSError(w, http.StatusInternalServerError, "KMSInternalException", "internal")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var internal *types.KMSInternalException
		if !errors.As(err, &internal) {
			t.Fatalf("err = %v (%T), want *types.KMSInternalException", err, err)
		}
		if n := f.attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3 (5xx is retried)", n)
		}
	})

	t.Run("503 without a body", func(t *testing.T) {
		client, f := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var respErr *smithyhttp.ResponseError
		if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != http.StatusServiceUnavailable {
			t.Fatalf("err = %v, want an HTTP 503 smithyhttp.ResponseError", err)
		}
		if n := f.attempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3", n)
		}
	})

	t.Run("NotFoundException is not retried", func(t *testing.T) {
		client, f := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeKMSError(w, http.StatusBadRequest, "NotFoundException", "Key '"+faultKeyID+"' does not exist")
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var notFound *types.NotFoundException
		if !errors.As(err, &notFound) {
			t.Fatalf("err = %v (%T), want *types.NotFoundException", err, err)
		}
		if n := f.attempts.Load(); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})

	t.Run("body is not JSON", func(t *testing.T) {
		client, _ := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeKMSJSON(w, []byte(`{"KeyId": "`+faultKeyID+`", "PublicKey": `))
		})
		k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
		mustFail(t, k, err)
		var deser *smithy.DeserializationError
		if !errors.As(err, &deser) {
			t.Fatalf("err = %v (%T), want a smithy.DeserializationError", err, err)
		}
	})

	t.Run("slow answer, context deadline", func(t *testing.T) {
		client, _ := newFaultClient(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done(): // the client gave up
			case <-time.After(30 * time.Second):
			}
		})
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
	})

	t.Run("context cancelled before the call", func(t *testing.T) {
		client, f := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeKMSJSON(w, goodResponse(t))
		})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if n := f.attempts.Load(); n != 0 {
			t.Errorf("%d requests reached the server after cancellation", n)
		}
	})

	t.Run("context cancelled while waiting", func(t *testing.T) {
		arrived := make(chan struct{})
		client, _ := newFaultClient(t, func(_ int, w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-arrived; cancel() }()
		k, err := kmspub.Fetch(ctx, client, faultKeyID)
		mustFail(t, k, err)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestFetchMismatchedMetadata serves GetPublicKey answers whose metadata does
// not fit the key, or is not metadata KMS could send: Fetch must refuse each
// with an *InvalidKeyError naming the member, and build no key.
func TestFetchMismatchedMetadata(t *testing.T) {
	var p384 map[string]any
	p384File, err := os.ReadFile("testdata/keys/ECC_NIST_P384.SIGN_VERIFY.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(p384File, &p384); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(m map[string]any)
		field  string
		sdkErr any // when non-nil, a pointer to the SDK error type Unwrap must reach
	}{
		{"P-384 key labelled ECC_NIST_P256", func(m map[string]any) { m["PublicKey"] = p384["PublicKey"] }, "PublicKey", nil},
		{"P-256 key labelled ECC_NIST_P384", func(m map[string]any) {
			m["KeySpec"], m["CustomerMasterKeySpec"], m["SigningAlgorithms"] = "ECC_NIST_P384", "ECC_NIST_P384", []string{"ECDSA_SHA_384"}
		}, "PublicKey", nil},
		{"usage the spec does not allow", func(m map[string]any) {
			m["KeyUsage"] = "ENCRYPT_DECRYPT"
			delete(m, "SigningAlgorithms")
		}, "KeyUsage", new(*smithy.GenericAPIError)},
		{"algorithm the spec does not offer", func(m map[string]any) { m["SigningAlgorithms"] = []string{"ECDSA_SHA_384"} }, "SigningAlgorithms", new(*types.InvalidKeyUsageException)},
		{"list of another usage", func(m map[string]any) { m["EncryptionAlgorithms"] = []string{"RSAES_OAEP_SHA_256"} }, "EncryptionAlgorithms", nil},
		{"CustomerMasterKeySpec differs", func(m map[string]any) { m["CustomerMasterKeySpec"] = "ECC_NIST_P384" }, "CustomerMasterKeySpec", nil},
		{"symmetric key spec", func(m map[string]any) {
			m["KeySpec"], m["CustomerMasterKeySpec"] = "SYMMETRIC_DEFAULT", "SYMMETRIC_DEFAULT"
		}, "KeySpec", new(*types.UnsupportedOperationException)},
		{"KeyId is not a key ARN", func(m map[string]any) { m["KeyId"] = "alias/kmspub" }, "KeyId", nil},
		{"no KeyUsage", func(m map[string]any) { delete(m, "KeyUsage") }, "KeyUsage", nil},
		{"no PublicKey", func(m map[string]any) { delete(m, "PublicKey") }, "PublicKey", nil},
		{"truncated PublicKey", func(m map[string]any) {
			der := m["PublicKey"].(string)
			m["PublicKey"] = der[:len(der)-4] // three bytes short
		}, "PublicKey", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(goodResponse(t), &m); err != nil {
				t.Fatal(err)
			}
			tt.edit(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			client, _ := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeKMSJSON(w, body) })
			k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
			mustFail(t, k, err)
			var invalid *kmspub.InvalidKeyError
			if !errors.As(err, &invalid) || !errors.Is(err, kmspub.ErrInvalidKey) {
				t.Fatalf("err = %v (%T), want *kmspub.InvalidKeyError", err, err)
			}
			if invalid.Field != tt.field {
				t.Errorf("InvalidKeyError.Field = %q (%v), want %q", invalid.Field, err, tt.field)
			}
			if tt.sdkErr != nil && !errors.As(err, tt.sdkErr) {
				t.Errorf("err = %v does not unwrap to %T", err, tt.sdkErr)
			}
		})
	}
}

// TestFetchErrorIsNotRewrapped checks that an SDK error reaches the caller as
// the SDK returned it, with its full chain, by comparing Fetch's error with
// the error of the same GetPublicKey call made directly.
func TestFetchErrorIsNotRewrapped(t *testing.T) {
	client, _ := newFaultClient(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeKMSError(w, http.StatusBadRequest, "DisabledException", faultKeyID+" is disabled.")
	})
	_, direct := client.GetPublicKey(t.Context(), &kms.GetPublicKeyInput{KeyId: strPtr(faultKeyID)})
	k, err := kmspub.Fetch(t.Context(), client, faultKeyID)
	mustFail(t, k, err)
	if err.Error() != direct.Error() {
		t.Errorf("Fetch error %q differs from the SDK's %q", err, direct)
	}
	var disabled *types.DisabledException
	if !errors.As(err, &disabled) || disabled.ErrorMessage() != faultKeyID+" is disabled." {
		t.Errorf("err = %v, want *types.DisabledException with KMS's message", err)
	}
}

func strPtr(s string) *string { return &s }
