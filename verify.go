package kmspub

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	gmsmmldsa "github.com/emmansun/gmsm/mldsa"
	"github.com/emmansun/gmsm/sm2"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
	"github.com/kmspub/kmspub/internal/mldsa"
)

// verifyKey holds what signature verification needs beyond the parsed
// public key, computed once when a SIGN_VERIFY key is built so that Verify
// does no key decoding of its own.
type verifyKey struct {
	mldsa    *mldsa.PublicKey // ML-DSA: tr, Â and NTT(t1·2^d), for EXTERNAL_MU
	mldsaRaw mldsaVerifier    // ML-DSA: gmsm's key, for RAW (assembly, ~2.5× faster)
	sm2ZA    []byte           // SM2: Z_A for the default distinguishing ID
}

// mldsaVerifier is gmsm's *mldsa.PublicKey44/65/87.
type mldsaVerifier interface {
	VerifyWithOptions(sig, message []byte, opts crypto.SignerOpts) bool
}

// mldsaPure selects pure ML-DSA with an empty context in gmsm, as KMS
// ML_DSA_SHAKE_256 signs. It is never modified.
var mldsaPure = &gmsmmldsa.Options{}

// prepareVerify fills k.verify for a SIGN_VERIFY key. It is called by
// newPublicKey after the SPKI has been parsed.
func (k *PublicKey) prepareVerify() error {
	if k.usage != types.KeyUsageTypeSignVerify {
		return nil
	}
	switch k.spec.Family {
	case kmsrules.FamilyMLDSA:
		pk, err := mldsa.NewPublicKey(mldsaParams(k.spec.Spec), k.raw)
		if err != nil {
			return err
		}
		k.verify.mldsa = pk
		raw, ok := k.public.(mldsaVerifier)
		if !ok {
			return fmt.Errorf("kmspub: %s key parsed as %T", k.spec.Spec, k.public)
		}
		k.verify.mldsaRaw = raw
	case kmsrules.FamilySM2:
		k.verify.sm2ZA = sm2ZA(k.raw, []byte(kmsrules.SM2DefaultID))
	}
	return nil
}

func mldsaParams(spec types.KeySpec) *mldsa.Params {
	switch spec {
	case types.KeySpecMlDsa44:
		return mldsa.MLDSA44
	case types.KeySpecMlDsa65:
		return mldsa.MLDSA65
	case types.KeySpecMlDsa87:
		return mldsa.MLDSA87
	}
	return nil
}

// Verify checks a signature exactly as KMS Verify would with this key, and
// returns nil only if KMS would answer SignatureValid: true.
//
// messageType is RAW, DIGEST or EXTERNAL_MU; "" means RAW, as in KMS. With
// RAW, message is the signed message itself and Verify applies the
// algorithm's hash; with DIGEST it is that hash (for SM2DSA, e = SM3(Z_A ‖ M),
// see [SM2Digest]; for ED25519_PH_SHA_512, the 64-byte value D whose SHA-512
// is the Ed25519ph prehash); with EXTERNAL_MU it is the ML-DSA μ. As in KMS, a
// signature made over a message verifies against its digest and vice versa.
//
// Verify checks, in this order, and stops at the first failure:
//
//  1. The request as the KMS API model constrains it. KMS checks these
//     before it looks up the key, and lists every violation in one
//     ValidationException (a *smithy.GenericAPIError): "1 validation error
//     detected: …" or "2 validation errors detected: …; …", in the model's
//     member order. The members: message present and 1–4096 bytes;
//     messageType one of the MessageType enum values; signature present and
//     1–6144 bytes; algorithm present and a SigningAlgorithmSpec enum value
//     (or SYMMETRIC_DEFAULT, which KMS lets through here and refuses in
//     step 2). A nil message or signature is an absent member, as the SDK
//     sends it: "Value at 'message' … must not be null", "Value null at
//     'signature' …"; an empty one fails the length.
//  2. The key: its usage must be SIGN_VERIFY, and algorithm must be one the
//     key lists (GetPublicKey SigningAlgorithms), else
//     *types.InvalidKeyUsageException.
//  3. The message type: it must be one the algorithm takes (ED25519_SHA_512
//     RAW only, ED25519_PH_SHA_512 DIGEST only, ML_DSA_SHAKE_256 RAW or
//     EXTERNAL_MU, all others RAW or DIGEST), else a ValidationException
//     "Message type X is incompatible with key spec Y." (for the Ed25519
//     algorithms: "… with algorithm Z.", as AWS answers); a DIGEST must be
//     exactly the hash length ("Digest is invalid length for algorithm X.")
//     and an EXTERNAL_MU exactly 64 bytes.
//  4. The signature: RSASSA-PSS with MGF1 of the same hash and salt length =
//     hash length; RSASSA-PKCS1-v1_5 with the DigestInfo of the hash; ECDSA
//     with a strict DER ECDSA-Sig-Value (no BER, no trailing bytes, r and s
//     in [1, n−1]; high s is accepted, as KMS itself produces it); SM2 with a
//     strict DER SEQUENCE{r, s} over e = SM3(Z_A ‖ M) with the default ID
//     1234567812345678 for RAW; Ed25519 per RFC 8032 with canonical S;
//     Ed25519ph with empty context over SHA-512(D); pure ML-DSA with empty
//     context (FIPS 204). Any signature that does not verify, including
//     malformed bytes, gives *types.KMSInvalidSignatureException with no
//     message.
//
// The rules come from docs/KMS-RULES.md §3 and §7. Errors never contain message
// or signature bytes.
func (k *PublicKey) Verify(message []byte, messageType types.MessageType, algorithm types.SigningAlgorithmSpec, signature []byte) error {
	model, r := verifyModel(message, messageType, signature, algorithm)
	if err := model.err(); err != nil {
		return err
	}
	return k.verifyChecked(r)
}

// verifyChecked is Verify after its model phase: the key phase, the message type
// and size, and the signature.
func (k *PublicKey) verifyChecked(r verifyRequest) error {
	if err := keyAllows(k, opVerify, k.signing, r.algorithm); err != nil {
		return err
	}
	alg, mt, message, signature := r.alg, r.mt, r.message, r.signature
	if alg == nil {
		// Unreachable: only algorithms with rules are listed (checked when
		// the key was built).
		return kmserr.IncompatibleAlgorithm(r.algorithm, k.spec.Spec)
	}
	if !alg.Accepts(mt) {
		if alg.TypeRefusalNamesAlgorithm {
			return kmserr.MessageTypeIncompatibleWithAlgorithm(mt, alg.Algorithm)
		}
		return kmserr.MessageTypeIncompatible(mt, k.spec.Spec)
	}
	if n := alg.MessageSize(mt); n != 0 && len(message) != n {
		if mt == types.MessageTypeExternalMu {
			return kmserr.ExternalMuLength()
		}
		return kmserr.DigestLength(alg.Algorithm)
	}
	if mt == types.MessageTypeRaw {
		return k.verifyRaw(alg, message, signature)
	}
	return k.verifyPrepared(alg, message, signature)
}

// verifyRaw hashes a RAW message as the algorithm prescribes and verifies.
func (k *PublicKey) verifyRaw(alg *kmsrules.SigningAlgorithm, message, signature []byte) error {
	switch alg.Scheme {
	case kmsrules.SchemeEd25519:
		return result(ed25519.Verify(k.public.(ed25519.PublicKey), message, signature))
	case kmsrules.SchemeMLDSA:
		// gmsm's verify gives the same answer as μ + VerifyMu for the 1–4096
		// byte messages that reach here (it refuses only an empty message),
		// with its assembly NTT; internal/mldsa serves EXTERNAL_MU, which
		// gmsm cannot take.
		return result(k.verify.mldsaRaw.VerifyWithOptions(signature, message, mldsaPure))
	}
	var digest []byte
	switch alg.Digest {
	case kmsrules.SHA256: // fixed-size sums: no hash allocation on the hot path
		d := sha256.Sum256(message)
		digest = d[:]
	case kmsrules.SHA384:
		d := sha512.Sum384(message)
		digest = d[:]
	case kmsrules.SHA512:
		d := sha512.Sum512(message)
		digest = d[:]
	default:
		h := k.newMessageHash(alg)
		h.Write(message)
		digest = h.Sum(nil)
	}
	return k.verifyPrepared(alg, digest, signature)
}

// newMessageHash returns the hash whose output is the DIGEST (or, for
// ML-DSA, EXTERNAL_MU) message of alg: SHA-2, SM3 over Z_A ‖ M with the
// default ID, or μ. For Ed25519ph it is SHA-512, whose output is the value D
// KMS takes as the DIGEST. Pure Ed25519 has none: it returns nil.
func (k *PublicKey) newMessageHash(alg *kmsrules.SigningAlgorithm) hash.Hash {
	switch alg.Scheme {
	case kmsrules.SchemeSM2:
		return newZAHash(k.verify.sm2ZA)
	case kmsrules.SchemeMLDSA:
		return k.verify.mldsa.NewMuHash()
	case kmsrules.SchemeEd25519:
		return nil
	}
	return alg.Digest.New()
}

// verifyPrepared verifies a signature over a DIGEST or EXTERNAL_MU message
// whose length has been checked.
func (k *PublicKey) verifyPrepared(alg *kmsrules.SigningAlgorithm, digest, signature []byte) error {
	switch alg.Scheme {
	case kmsrules.SchemeRSAPSS:
		err := rsa.VerifyPSS(k.public.(*rsa.PublicKey), cryptoHash(alg.Digest), digest, signature,
			&rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		return result(err == nil)
	case kmsrules.SchemeRSAPKCS1:
		return result(rsa.VerifyPKCS1v15(k.public.(*rsa.PublicKey), cryptoHash(alg.Digest), digest, signature) == nil)
	case kmsrules.SchemeECDSA:
		switch pub := k.public.(type) {
		case *ecdsa.PublicKey:
			return result(ecdsa.VerifyASN1(pub, digest, signature))
		case *secp256k1.PublicKey:
			return result(verifySecp256k1(pub, digest, signature))
		}
	case kmsrules.SchemeSM2:
		return result(sm2.VerifyASN1(k.public.(*ecdsa.PublicKey), digest, signature))
	case kmsrules.SchemeEd25519ph:
		ph := sha512.Sum512(digest)
		err := ed25519.VerifyWithOptions(k.public.(ed25519.PublicKey), ph[:], signature, &ed25519.Options{Hash: crypto.SHA512})
		return result(err == nil)
	case kmsrules.SchemeMLDSA:
		return result(k.verify.mldsa.VerifyMu(digest, signature))
	}
	// Unreachable for a key built by this package: the rules table pairs
	// every algorithm a spec lists with a scheme handled above.
	return fmt.Errorf("kmspub: no verifier for %s with key spec %s", alg.Algorithm, k.spec.Spec)
}

func cryptoHash(d kmsrules.Digest) crypto.Hash {
	switch d {
	case kmsrules.SHA256:
		return crypto.SHA256
	case kmsrules.SHA384:
		return crypto.SHA384
	case kmsrules.SHA512:
		return crypto.SHA512
	}
	return 0
}

func result(valid bool) error {
	if !valid {
		return kmserr.InvalidSignature()
	}
	return nil
}

// verifySecp256k1 verifies a DER ECDSA-Sig-Value on secp256k1. It parses as
// strictly as crypto/ecdsa does for the NIST curves (DER only, minimal
// non-negative INTEGERs, nothing after the SEQUENCE), requires r and s in
// [1, n−1], and accepts high s.
func verifySecp256k1(pub *secp256k1.PublicKey, digest, signature []byte) bool {
	var inner cryptobyte.String
	var r, s []byte
	input := cryptobyte.String(signature)
	if !input.ReadASN1(&inner, cbasn1.SEQUENCE) || !input.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return false
	}
	var rs, ss secp256k1.ModNScalar
	if !setScalar(&rs, r) || !setScalar(&ss, s) {
		return false
	}
	return secpecdsa.NewSignature(&rs, &ss).Verify(digest, pub)
}

// setScalar sets v to the big-endian unsigned b and reports whether it is in
// [1, n−1].
func setScalar(v *secp256k1.ModNScalar, b []byte) bool {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) > 32 {
		return false
	}
	return !v.SetByteSlice(b) && !v.IsZero()
}

// VerifyReader verifies a signature over the whole of r, a message of any
// size, as [PublicKey.Verify] does, in constant memory. It computes the
// message KMS takes for large inputs — the SHA-2 DIGEST, the SM2DSA DIGEST
// e = SM3(Z_A ‖ M) with the default ID, the ML-DSA μ (EXTERNAL_MU), or for
// ED25519_PH_SHA_512 the DIGEST D = SHA-512(M) — and verifies against it, so
// a signature KMS made over the RAW message, or over that DIGEST or μ,
// verifies. An empty r is a valid input for these algorithms.
//
// ED25519_SHA_512 has no digest form (KMS takes it RAW only): VerifyReader
// reads at most 4097 bytes and refuses more than 4096, or none, with KMS's
// ValidationException for 'message'.
//
// The algorithm, signature length, key usage and algorithm list are checked
// before r is read, with the errors Verify gives. A read error is returned
// wrapped, and is not a KMS exception.
func (k *PublicKey) VerifyReader(r io.Reader, algorithm types.SigningAlgorithmSpec, signature []byte) error {
	model, alg := streamVerifyModel(signature, algorithm)
	if err := preamble(k, model, opVerify, k.signing, algorithm); err != nil {
		return err
	}
	message, mt, err := k.digest(r, alg)
	if err != nil {
		return err
	}
	return k.Verify(message, mt, algorithm, signature)
}

// Digest reads r, a message of any size, and returns the message to send to
// KMS Sign or Verify in its place, with the message type to send it as:
//
//   - RSASSA_*, ECDSA_*: the SHA-256/384/512 of r, DIGEST;
//   - SM2DSA: e = SM3(Z_A ‖ M) with KMS's default ID 1234567812345678, DIGEST
//     (use [SM2Digest] or [NewSM2Hash] for another ID);
//   - ML_DSA_SHAKE_256: μ = SHAKE256(SHAKE256(pk, 64) ‖ 0x00 ‖ 0x00 ‖ M, 64),
//     EXTERNAL_MU;
//   - ED25519_PH_SHA_512: D = SHA-512(M), DIGEST (KMS then signs Ed25519ph
//     over SHA-512(D));
//   - ED25519_SHA_512: KMS has no digest form, so Digest returns the message
//     itself, RAW, if it is 1–4096 bytes, and KMS's 'message' length
//     ValidationException otherwise; it reads at most 4097 bytes.
//
// It checks the algorithm (present, known), the key's usage and its
// algorithm list before reading r, with the errors [PublicKey.Verify] gives
// (a usage refusal names Sign, the operation the result is meant for). A
// read error is returned wrapped, and is not a KMS exception.
func (k *PublicKey) Digest(r io.Reader, algorithm types.SigningAlgorithmSpec) (message []byte, messageType types.MessageType, err error) {
	model, alg := digestModel(algorithm)
	if err := preamble(k, model, opSign, k.signing, algorithm); err != nil {
		return nil, "", err
	}
	return k.digest(r, alg)
}

func (k *PublicKey) digest(r io.Reader, alg *kmsrules.SigningAlgorithm) ([]byte, types.MessageType, error) {
	if r == nil {
		return nil, "", errors.New("kmspub: nil reader")
	}
	if alg.Scheme == kmsrules.SchemeEd25519 {
		message, err := io.ReadAll(io.LimitReader(r, kmsrules.MaxMessageSize+1))
		if err != nil {
			return nil, "", fmt.Errorf("kmspub: reading message: %w", err)
		}
		var model violations
		model.length("message", len(message), kmsrules.MinMessageSize, kmsrules.MaxMessageSize)
		if err := model.err(); err != nil {
			return nil, "", err
		}
		return message, types.MessageTypeRaw, nil
	}
	h := k.newMessageHash(alg)
	if _, err := io.Copy(h, r); err != nil {
		return nil, "", fmt.Errorf("kmspub: reading message: %w", err)
	}
	mt := types.MessageTypeDigest
	if alg.Scheme == kmsrules.SchemeMLDSA {
		mt = types.MessageTypeExternalMu
	}
	return h.Sum(nil), mt, nil
}
