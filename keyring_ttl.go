package kmspub

import "time"

// TTL returns how long the Keyring holds an alias name, alias ARN or bare
// key ID resolved ([WithTTL]). Publishers of the keys — a JWKS document, for
// instance — use it to tell their own caches how long an answer holds.
func (r *Keyring) TTL() time.Duration { return r.ttl }
