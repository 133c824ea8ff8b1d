package jose_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/jose"
)

// aliases is a GetPublicKey client whose aliases can be moved.
type aliases struct {
	mu      sync.Mutex
	targets map[string]*kmspub.PublicKey
	fail    error
}

func (a *aliases) GetPublicKey(_ context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.fail != nil {
		return nil, a.fail
	}
	k, ok := a.targets[aws.ToString(in.KeyId)]
	if !ok {
		return nil, &types.NotFoundException{Message: aws.String("Alias " + aws.ToString(in.KeyId) + " is not found.")}
	}
	return k.GetPublicKeyOutput(), nil
}

func (a *aliases) point(alias string, k *kmspub.PublicKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.targets[alias] = k
}

func TestJWKSHandler(t *testing.T) {
	p256 := kmspubtest.SigningKey(t, types.KeySpecEccNistP256)
	p384 := kmspubtest.SigningKey(t, types.KeySpecEccNistP384)
	rsaKey := kmspubtest.SigningKey(t, types.KeySpecRsa2048)
	client := &aliases{targets: map[string]*kmspub.PublicKey{"alias/signer": p256, rsaKey.KeyID(): rsaKey}}
	now := time.Unix(1_800_000_000, 0)
	var clock sync.Mutex
	ring := kmspub.NewKeyring(client, func(o *kmspub.KeyringOptions) {
		o.TTL = 90 * time.Second
		o.MaxStale = 0
		o.Clock = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	})
	var logged []error
	h := jose.NewJWKSHandler(jose.NewKeyringKeys(ring, "alias/signer", rsaKey.KeyID()), func(o *jose.JWKSHandlerOptions) {
		o.ErrorLog = func(err error) { logged = append(logged, err) }
	})

	get := func(method string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, jose.JWKSPath, nil)
		for i := 0; i < len(header); i += 2 {
			r.Header.Add(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	kids := func(w *httptest.ResponseRecorder) []string {
		set, err := jose.ParseJWKS(w.Body.Bytes())
		if err != nil {
			t.Fatalf("body %q: %v", w.Body, err)
		}
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.KeyID)
		}
		return out
	}

	w := get("GET")
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/jwk-set+json" ||
		w.Header().Get("Cache-Control") != "public, max-age=90" || w.Header().Get("ETag") == "" {
		t.Fatalf("GET: %d %v", w.Code, w.Header())
	}
	if got := kids(w); len(got) != 2 || got[0] != p256.KeyID() || got[1] != rsaKey.KeyID() {
		t.Fatalf("kids %v", got)
	}
	etag := w.Header().Get("ETag")

	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		w := get("GET", "If-None-Match", inm)
		if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != etag || w.Header().Get("Cache-Control") != "public, max-age=90" {
			t.Errorf("If-None-Match %s: %d %v %q", inm, w.Code, w.Header(), w.Body)
		}
	}
	if w := get("GET", "If-None-Match", `"stale"`); w.Code != 200 {
		t.Errorf("If-None-Match stale: %d", w.Code)
	}
	if w := get("HEAD"); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("ETag") != etag {
		t.Errorf("HEAD: %d %q", w.Code, w.Body)
	}
	if w := get("POST"); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", w.Code, w.Header())
	}

	// The alias moves: within the TTL the document is the same; after
	// it, it names the new key, with a new ETag.
	client.point("alias/signer", p384)
	if w := get("GET", "If-None-Match", etag); w.Code != http.StatusNotModified {
		t.Errorf("within the TTL: %d", w.Code)
	}
	clock.Lock()
	now = now.Add(91 * time.Second)
	clock.Unlock()
	w = get("GET", "If-None-Match", etag)
	if w.Code != 200 || w.Header().Get("ETag") == etag {
		t.Fatalf("after the alias moved: %d, ETag %s", w.Code, w.Header().Get("ETag"))
	}
	if got := kids(w); got[0] != p384.KeyID() {
		t.Errorf("after the alias moved: kids %v", got)
	}

	// KMS fails and the stale answer is no longer allowed: 503, no
	// caching, no detail in the response.
	client.mu.Lock()
	client.fail = errors.New("AccessDeniedException: User arn:aws:iam::111122223333:user/x is not authorized")
	client.mu.Unlock()
	clock.Lock()
	now = now.Add(time.Hour)
	clock.Unlock()
	w = get("GET")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Cache-Control") != "no-store" || len(logged) == 0 {
		t.Errorf("KMS failing: %d %v, logged %v", w.Code, w.Header(), logged)
	}
	if b := w.Body.String(); strings.Contains(b, "111122223333") || strings.Contains(b, "AccessDenied") {
		t.Errorf("503 body leaks the error: %q", b)
	}

	// Static keys: DefaultTTL unless MaxAge is set.
	hs := jose.NewJWKSHandler(jose.StaticKeys(p256), func(o *jose.JWKSHandlerOptions) {
		o.MaxAge = time.Hour
		o.JWK.ThumbprintKeyID = true
	})
	w = httptest.NewRecorder()
	hs.ServeHTTP(w, httptest.NewRequest("GET", jose.JWKSPath, nil))
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || w.Header().Get("Cache-Control") != "public, max-age=3600" ||
		len(doc.Keys) != 1 || doc.Keys[0]["kid"] != thumbprint(t, p256) {
		t.Errorf("static: %v %s %v", w.Header(), w.Body, err)
	}
}
