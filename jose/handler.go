package jose

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kmspub/kmspub"
)

// JWKSPath is where a JWK Set is conventionally served (RFC 8414 §3 and
// OpenID Connect Discovery use /.well-known/…; "jwks.json" is the common
// name).
const JWKSPath = "/.well-known/jwks.json"

// JWKSHandlerOptions configures [NewJWKSHandler]; it calls each function
// it was given with them.
type JWKSHandlerOptions struct {
	// MaxAge is the Cache-Control max-age (default: the Keyring's TTL for
	// [KeyringKeys], [kmspub.DefaultTTL] for other key sets).
	MaxAge time.Duration
	// JWK configures every JWK of the document.
	JWK JWKOptions
	// ErrorLog, when set, is called with every error the handler answers
	// 503 for. The response itself never carries it.
	ErrorLog func(error)
}

type jwksHandler struct {
	keys KeySet
	opts JWKSHandlerOptions
	last atomic.Pointer[document]
}

// document is one rendering of the key set, kept while the keys are the same.
type document struct {
	keys []Key
	body []byte
	etag string
}

// NewJWKSHandler returns an http.Handler that serves keys as a JWK Set
// (mount it at [JWKSPath]). Each request asks keys for its keys — with
// [KeyringKeys], from the Keyring's cache, re-resolving aliases after its
// TTL, so the document follows an alias when it moves — and the document is
// rendered again only when they change.
//
// GET and HEAD answer 200 with Content-Type application/jwk-set+json
// (RFC 7517 §8.5), a strong ETag (a hash of the body), and Cache-Control:
// public, max-age=<TTL>; a request whose If-None-Match matches the ETag
// gets 304 with no body. Other methods get 405. When keys cannot give
// every key, the answer is 503 with Cache-Control: no-store (a partial set
// would look authoritative to caches); the error goes to [JWKSHandlerOptions].ErrorLog
// only, since KMS errors name keys and accounts.
func NewJWKSHandler(keys KeySet, optFns ...func(*JWKSHandlerOptions)) http.Handler {
	h := &jwksHandler{keys: keys, opts: JWKSHandlerOptions{MaxAge: kmspub.DefaultTTL}}
	if t, ok := keys.(interface{ TTL() time.Duration }); ok {
		h.opts.MaxAge = t.TTL()
	}
	for _, fn := range optFns {
		fn(&h.opts)
	}
	return h
}

func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	doc, err := h.document(r)
	if err != nil {
		if h.opts.ErrorLog != nil {
			h.opts.ErrorLog(err)
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Retry-After", "5")
		http.Error(w, "the key set is unavailable", http.StatusServiceUnavailable)
		return
	}
	hdr := w.Header()
	hdr.Set("ETag", doc.etag)
	maxAge := max(int64(h.opts.MaxAge/time.Second), 0)
	hdr.Set("Cache-Control", "public, max-age="+strconv.FormatInt(maxAge, 10))
	if etagMatches(r.Header.Values("If-None-Match"), doc.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", "application/jwk-set+json")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Length", strconv.Itoa(len(doc.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(doc.body)
	}
}

func (h *jwksHandler) document(r *http.Request) (*document, error) {
	keys, err := h.keys.Keys(r.Context())
	if err != nil {
		return nil, err
	}
	if last := h.last.Load(); last != nil && slices.Equal(last.keys, keys) {
		return last, nil
	}
	jwkOpts := h.opts.JWK
	set, err := NewJWKS(keys, func(o *JWKOptions) { *o = jwkOpts })
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(set)
	if err != nil {
		return nil, err
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	doc := &document{keys: slices.Clone(keys), body: body, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`}
	h.last.Store(doc)
	return doc, nil
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 §13.1.2):
// "*" matches, and a listed tag matches ours whether or not it has W/.
func etagMatches(values []string, etag string) bool {
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
