package jose

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/kmspub/kmspub"
)

// Key is a public key a token may be verified with, together with the
// "kid" it goes by.
type Key struct {
	PublicKey *kmspub.PublicKey
	// ID is the key's "kid" when it has one of its own (a JWK's). A token's
	// "kid" names the key when it equals ID, the key ARN, or the key's
	// RFC 7638 thumbprint; see [KeyIDMatches].
	ID string
}

// A KeySet gives the keys tokens are verified with. A Verifier asks for
// them on every token, so an implementation answers from memory;
// [KeyringKeys] resolves names through a [kmspub.Keyring], which caches.
type KeySet interface {
	// Keys returns the keys. The caller does not modify the slice. A set
	// that could resolve only some of its keys returns those with an error.
	Keys(ctx context.Context) ([]Key, error)
}

type staticKeys []Key

func (s staticKeys) Keys(context.Context) ([]Key, error) { return s, nil }

// StaticKeys is a fixed KeySet of keys already held, each named by its key
// ARN (or thumbprint).
func StaticKeys(keys ...*kmspub.PublicKey) KeySet {
	s := make(staticKeys, len(keys))
	for i, k := range keys {
		s[i] = Key{PublicKey: k}
	}
	return s
}

// KeyringKeys is a KeySet of KMS keys named by key ID, key ARN, alias name
// or alias ARN, resolved through a Keyring on each use: keys named by ARN
// are fetched once, aliases are re-resolved after the Keyring's TTL, so the
// set follows an alias when it moves to another key.
type KeyringKeys struct {
	ring  *kmspub.Keyring
	names []string
}

// NewKeyringKeys returns the KeySet of the keys names resolve to in ring.
func NewKeyringKeys(ring *kmspub.Keyring, names ...string) *KeyringKeys {
	return &KeyringKeys{ring: ring, names: append([]string(nil), names...)}
}

// Keys resolves every name (from the Keyring's cache when it can). Names
// that resolve to the same key give it once. When some names fail, the
// keys of the others are returned with the errors joined.
func (k *KeyringKeys) Keys(ctx context.Context) ([]Key, error) {
	keys := make([]Key, 0, len(k.names))
	var errs []error
	for _, name := range k.names {
		pk, err := k.ring.Get(ctx, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !containsKey(keys, pk) {
			keys = append(keys, Key{PublicKey: pk})
		}
	}
	return keys, errors.Join(errs...)
}

// TTL is the Keyring's TTL: how long an answer about an alias holds. The
// JWKS handler uses it as the document's max-age.
func (k *KeyringKeys) TTL() time.Duration { return k.ring.TTL() }

func containsKey(keys []Key, pk *kmspub.PublicKey) bool {
	for _, k := range keys {
		if k.PublicKey == pk {
			return true
		}
	}
	return false
}

// KeyIDMatches reports whether a token's "kid" names k: it equals k.ID, the
// key ARN, or the key's RFC 7638 JWK thumbprint (SHA-256, base64url).
func KeyIDMatches(k Key, kid string) bool {
	if k.PublicKey == nil {
		return false
	}
	if kid == k.ID || kid == k.PublicKey.KeyID() {
		return kid != ""
	}
	if strings.HasPrefix(kid, "arn:") || len(kid) != thumbprintLen {
		return false // never a thumbprint: skip computing one
	}
	t, err := cachedThumbprint(k.PublicKey)
	return err == nil && kid == t
}

// thumbprintLen is the length of a base64url SHA-256.
const thumbprintLen = 43

// thumbprints caches each key's thumbprint for as long as the key lives: a
// PublicKey is immutable, and a weak map key lets the collector free keys
// nobody else holds (and their entries with them).
var thumbprints sync.Map // weak.Pointer[kmspub.PublicKey] → string

func cachedThumbprint(k *kmspub.PublicKey) (string, error) {
	wp := weak.Make(k)
	if v, ok := thumbprints.Load(wp); ok {
		return v.(string), nil
	}
	t, err := Thumbprint(k)
	if err != nil {
		return "", err
	}
	if _, loaded := thumbprints.LoadOrStore(wp, t); !loaded {
		runtime.AddCleanup(k, func(wp weak.Pointer[kmspub.PublicKey]) { thumbprints.Delete(wp) }, wp)
	}
	return t, nil
}
