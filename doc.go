// Package kmspub uses AWS KMS asymmetric public keys offline: it verifies
// signatures KMS made and encrypts, derives and encapsulates for a later KMS
// call, without calling KMS again — and it refuses exactly what KMS would
// refuse: a key used for the wrong purpose, an algorithm the key does not
// offer, a message or digest of the wrong size, metadata that does not match
// the key.
//
// # Where to start
//
// First a key. [Fetch] calls KMS GetPublicKey once and returns a validated
// [PublicKey]; [ParseGetPublicKeyJSON] reads the JSON that
// `aws kms get-public-key` prints, so a key saved once is used offline for
// ever ([PublicKey.MarshalJSON] writes that file);
// [ParseSubjectPublicKeyInfo] takes a PEM or DER key with its metadata.
//
// Then, as the key's usage allows, [PublicKey.Verify] (and
// [PublicKey.VerifyReader] for a message of any size), [PublicKey.Encrypt],
// [PublicKey.DeriveSharedSecret] or [PublicKey.Encapsulate].
//
// # The service layer
//
// A service that calls KMS today gets the same operations through three
// types, with no change to the code that makes the calls:
//
//   - [Keyring] fetches keys by key ID, key ARN or alias and keeps them:
//     key ARNs for ever, other names for a TTL, one GetPublicKey per miss
//     however many callers wait, the last key served while KMS fails.
//   - [Client] has the Verify, Encrypt, Encapsulate and GetPublicKey
//     methods of *kms.Client, with the SDK's signatures, inputs, outputs
//     and errors, answered offline from a Keyring: a service swaps the
//     constructor and nothing else (see [NewClient]).
//   - [Policy], with the other [ClientOptions], stands in for what a public
//     key loses outside KMS: authorization (IAM and key policies), the
//     key's state ([KeyStateCheck]) and the CloudTrail record (an audit
//     log).
//
// # Errors
//
// Refusals are the errors the AWS SDK for Go v2 returns for the same request:
// *types.InvalidKeyUsageException, *types.KMSInvalidSignatureException, and a
// smithy.APIError with code "ValidationException", so code written against
// *kms.Client handles them unchanged. A key or metadata that could not have
// come from KMS is refused with an [*InvalidKeyError].
//
// The rules kmspub enforces, generated from the table the code consults,
// are in docs/RULES.md; their sources in docs/KMS-RULES.md.
//
// # Beyond one operation
//
// Package github.com/kmspub/kmspub/envelope encrypts data of any size for
// KMS keys as AWS Encryption SDK messages. Package
// github.com/kmspub/kmspub/jose verifies JWTs signed by KMS keys, serves
// their JWK Set and issues tokens through KMS Sign; its adapters for
// golang-jwt, go-jose and jwx are modules of their own. The kmspub command
// (cmd/kmspub) is the offline twin of `aws kms`.
//
// # Reading the code
//
// kmspub.go is the key model and how keys are made, keyfile.go how the
// files `aws kms get-public-key` writes are read; request.go the preamble
// every operation runs (the request against the KMS API model, then the
// key); verify.go, encrypt.go, derive.go, kem.go and sm2.go the
// operations. The service layer is keyring.go (with cache.go, the stale
// and negative caching it shares with the key-state check, nameindex.go
// and flight.go), bind.go (which names a KMS answer is believed for),
// client.go (with forward.go, for keys that are not asymmetric),
// policy.go, keystate.go and audit.go. KMS's rules are a table in
// internal/kmsrules, its exceptions are built by internal/kmserr, and key
// parsing is internal/spki.
package kmspub
