package kmspubtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmspub/kmspub/internal/localkmstest"
)

// FaultServer is a fake KMS endpoint that speaks the KMS JSON protocol for
// GetPublicKey, behind a real *kms.Client: every request goes through the
// SDK's serializer, SigV4 signer, retryer and deserializer exactly as
// against AWS, and the server answers whatever the test wants.
type FaultServer struct {
	Attempts atomic.Int32 // requests served

	t       testing.TB
	keyID   string
	respond func(attempt int, w http.ResponseWriter, r *http.Request)
}

// NewFaultServer starts a FaultServer that expects GetPublicKey requests for
// keyID and answers each attempt (1, 2, …) with respond, and returns a real
// SDK client for it. Backoff is zero so that retries cost no wall time;
// everything else is the SDK's standard retryer (3 attempts, retry on
// throttling, 5xx and transport errors).
func NewFaultServer(t testing.TB, keyID string, respond func(attempt int, w http.ResponseWriter, r *http.Request)) (*kms.Client, *FaultServer) {
	f := &FaultServer{t: t, keyID: keyID, respond: respond}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	client := localkmstest.NewClient(srv.URL, func(o *kms.Options) {
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	return client, f
}

// ServeHTTP checks that the request is the one the SDK sends to AWS, then
// answers it.
func (f *FaultServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.Attempts.Add(1))
	if got := r.Header.Get("X-Amz-Target"); got != "TrentService.GetPublicKey" {
		f.t.Errorf("X-Amz-Target = %q, want TrentService.GetPublicKey", got)
	}
	if got := r.Header.Get("Authorization"); !strings.HasPrefix(got, "AWS4-HMAC-SHA256 ") {
		f.t.Errorf("request is not SigV4 signed: Authorization = %q", got)
	}
	var in struct{ KeyId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.KeyId != f.keyID {
		f.t.Errorf("request body KeyId = %q (%v), want %q", in.KeyId, err, f.keyID)
	}
	f.respond(n, w, r)
}

// WriteKMSError writes a KMS JSON-protocol error response.
func WriteKMSError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

// WriteKMSJSON writes a successful KMS JSON-protocol response.
func WriteKMSJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(body)
}
