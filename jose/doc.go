// Package jose carries kmspub's KMS rules into JOSE: it verifies JWS and
// JWTs signed by AWS KMS asymmetric keys, offline, publishes the keys as
// JWKs and JWK Sets, and issues tokens through KMS Sign.
//
// Start with [NewVerifier] and [Verifier.VerifyJWT]: given the keys (a
// [KeySet]: [StaticKeys] for keys already held, [NewKeyringKeys] for names
// resolved through a [kmspub.Keyring]), it refuses what KMS Verify would
// refuse — every signature goes through [kmspub.PublicKey.Verify], so the
// key's usage, its algorithm list and every size and encoding rule apply —
// and what RFC 8725 forbids: "none", HMAC (a public key is never an HMAC
// secret), JWE, an "alg" that does not fit the key, a "kid" naming another
// key, a "crit" extension nobody understands. [NewJWKSHandler] serves a key
// set at /.well-known/jwks.json; [NewSigner] signs through KMS Sign.
//
// The JOSE names of KMS's algorithms are one table, [Algorithms]:
//
//	RS256 RS384 RS512  RSASSA_PKCS1_V1_5_SHA_256/384/512   RSA_2048/3072/4096
//	PS256 PS384 PS512  RSASSA_PSS_SHA_256/384/512          RSA_2048/3072/4096
//	ES256 ES384 ES512  ECDSA_SHA_256/384/512               ECC_NIST_P256/P384/P521
//	ES256K             ECDSA_SHA_256                       ECC_SECG_P256K1 (RFC 8812)
//	EdDSA, Ed25519     ED25519_SHA_512                     ECC_NIST_EDWARDS25519 (RFC 8037, RFC 9864)
//	ML-DSA-44/65/87    ML_DSA_SHAKE_256                    ML_DSA_44/65/87 (RFC 9964)
//
// SM2DSA and ED25519_PH_SHA_512 have no JOSE name and are refused.
//
// To verify in the JWT library a program already uses, see the adapter
// modules beside this package: github.com/kmspub/kmspub/jose/golangjwt,
// …/jose/gojose and …/jose/jwx. They are separate modules, so importing
// kmspub never adds a JWT library to a build.
//
// Errors are [*Error] values with a Kind (errors.Is(err, jose.ErrExpired));
// where KMS would refuse, they also wrap KMS's exception
// (*types.KMSInvalidSignatureException, *types.InvalidKeyUsageException)
// for errors.As, as with *kms.Client.
package jose
