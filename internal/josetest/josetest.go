// Package josetest holds what the tests of the jose package, its adapter
// modules and the CLI share beyond internal/kmspubtest: JWS signatures made
// from the test private keys with the standard library, decred and gmsm —
// never with kmspub's own JOSE code, so that tests check kmspub against
// signatures it did not make — and the kmspub command built for the adapter
// modules' tests.
package josetest

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
	"github.com/kmspub/kmspub/internal/localkmstest"
)

// SigningSpecs are the key specs with a JOSE signature algorithm.
var SigningSpecs = []types.KeySpec{
	types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecRsa4096,
	types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecEccNistP521,
	types.KeySpecEccSecgP256k1, types.KeySpecEccNistEdwards25519,
	types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87,
}

// LocalKMSAlgorithms are the JOSE algorithms of the signing keys local-kms
// makes (RSA, NIST P-256/384/521, secp256k1; it has no Ed25519 or ML-DSA),
// by key spec. RSASSA-PSS is left out: local-kms signs it with the longest
// salt, not AWS's (docs/KMS-RULES.md §11).
var LocalKMSAlgorithms = []struct {
	Spec types.KeySpec
	Algs []string
}{
	{types.KeySpecRsa2048, []string{"RS256", "RS384", "RS512"}},
	{types.KeySpecEccNistP256, []string{"ES256"}},
	{types.KeySpecEccNistP384, []string{"ES384"}},
	{types.KeySpecEccNistP521, []string{"ES512"}},
	{types.KeySpecEccSecgP256k1, []string{"ES256K"}},
}

// LocalKMSKey creates a SIGN_VERIFY key of spec in local-kms (scheduled for
// deletion when the test ends) and returns it as kmspub.Fetch gets it.
func LocalKMSKey(t testing.TB, client *kms.Client, spec types.KeySpec) *kmspub.PublicKey {
	t.Helper()
	id := localkmstest.CreateKey(t, client, spec, types.KeyUsageTypeSignVerify)
	key, err := kmspub.Fetch(localkmstest.Context(t), client, id)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// BenchAlgorithms are the keys and algorithms the JWT verification
// benchmarks compare kmspub with each library's own verifier on.
var BenchAlgorithms = []struct {
	Spec types.KeySpec
	Alg  string
}{{types.KeySpecEccNistP256, "ES256"}, {types.KeySpecRsa2048, "RS256"}}

// PrivateKey returns the private half of the test key of spec as the JWT
// libraries take it: *rsa.PrivateKey, *ecdsa.PrivateKey (NIST curves),
// ed25519.PrivateKey, *secp256k1.PrivateKey (decred), or gmsm's ML-DSA
// key.
func PrivateKey(t testing.TB, spec types.KeySpec) any {
	t.Helper()
	k := kmspubtest.LoadPrivateKey(t, spec)
	switch {
	case k.RSA != nil:
		return k.RSA
	case k.ECDSA != nil:
		return k.ECDSA
	case k.Secp256k1 != nil:
		return k.Secp256k1
	case k.Ed25519 != nil:
		return k.Ed25519
	case k.MLDSA != nil:
		return k.MLDSA
	}
	t.Fatalf("%s has no JOSE private key", spec)
	return nil
}

// PlainPublicKey returns the public half of the test key of spec as the
// standard library's crypto.PublicKey (RSA, NIST curves, Ed25519): what a
// JWT library verifies with when kmspub is not involved.
func PlainPublicKey(t testing.TB, spec types.KeySpec) crypto.PublicKey {
	t.Helper()
	signer, ok := PrivateKey(t, spec).(crypto.Signer)
	if !ok {
		t.Fatalf("%s has no standard-library public key", spec)
	}
	return signer.Public()
}

// ECDSAPrivateKey returns an ECDSA test key as an *ecdsa.PrivateKey — for
// secp256k1 on decred's elliptic.Curve, the form jwx's ES256K signer takes.
func ECDSAPrivateKey(t testing.TB, spec types.KeySpec) *ecdsa.PrivateKey {
	t.Helper()
	k := kmspubtest.LoadPrivateKey(t, spec)
	switch {
	case k.ECDSA != nil:
		return k.ECDSA
	case k.Secp256k1 != nil:
		return k.Secp256k1.ToECDSA()
	}
	t.Fatalf("%s is not an ECDSA key", spec)
	return nil
}

// jwsAlgorithms is RFC 7518 §3.1, RFC 8812, RFC 8037, RFC 9864 and
// RFC 9964 written out again: the KMS algorithm behind each JWS name, and
// the length of r and s for ECDSA. (An independent copy of package jose's
// table, which the tests check that one against.)
var jwsAlgorithms = map[string]struct {
	kms  types.SigningAlgorithmSpec
	size int
}{
	"RS256": {types.SigningAlgorithmSpecRsassaPkcs1V15Sha256, 0}, "RS384": {types.SigningAlgorithmSpecRsassaPkcs1V15Sha384, 0},
	"RS512": {types.SigningAlgorithmSpecRsassaPkcs1V15Sha512, 0}, "PS256": {types.SigningAlgorithmSpecRsassaPssSha256, 0},
	"PS384": {types.SigningAlgorithmSpecRsassaPssSha384, 0}, "PS512": {types.SigningAlgorithmSpecRsassaPssSha512, 0},
	"ES256": {types.SigningAlgorithmSpecEcdsaSha256, 32}, "ES384": {types.SigningAlgorithmSpecEcdsaSha384, 48},
	"ES512": {types.SigningAlgorithmSpecEcdsaSha512, 66}, "ES256K": {types.SigningAlgorithmSpecEcdsaSha256, 32},
	"EdDSA": {types.SigningAlgorithmSpecEd25519Sha512, 0}, "Ed25519": {types.SigningAlgorithmSpecEd25519Sha512, 0},
	"ML-DSA-44": {types.SigningAlgorithmSpecMlDsaShake256, 0}, "ML-DSA-65": {types.SigningAlgorithmSpecMlDsaShake256, 0},
	"ML-DSA-87": {types.SigningAlgorithmSpecMlDsaShake256, 0},
}

// Sign returns the JWS signature of signingInput under the JWS algorithm
// alg with the private test key of spec: the signature KMS would make for
// the algorithm (internal/kmspubtest's independent signers), in the JWS
// form — R ‖ S for ECDSA.
func Sign(t testing.TB, spec types.KeySpec, alg string, signingInput []byte) []byte {
	t.Helper()
	a, ok := jwsAlgorithms[alg]
	if !ok {
		t.Fatalf("josetest.Sign: no algorithm %s", alg)
	}
	sig := kmspubtest.LoadPrivateKey(t, spec).Sign(t, a.kms, types.MessageTypeRaw, signingInput, nil)
	if a.size != 0 {
		sig = RS(t, sig, a.size)
	}
	return sig
}

// KMSSign returns what KMS Sign answers for message: a DER signature for
// ECDSA.
func KMSSign(t testing.TB, spec types.KeySpec, alg types.SigningAlgorithmSpec, message []byte, messageType types.MessageType) []byte {
	t.Helper()
	return kmspubtest.LoadPrivateKey(t, spec).Sign(t, alg, messageType, message, nil)
}

// RS converts a DER ECDSA signature to the JWS R ‖ S form with encoding/asn1
// and math/big, independently of kmspub's converter.
func RS(t testing.TB, der []byte, size int) []byte {
	t.Helper()
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &rs); err != nil || len(rest) != 0 {
		t.Fatalf("not a DER ECDSA signature: %v", err)
	}
	out := make([]byte, 2*size)
	rs.R.FillBytes(out[:size])
	rs.S.FillBytes(out[size:])
	return out
}

// DER converts a JWS R ‖ S ECDSA signature (two halves of equal length) to
// the DER form KMS answers with, with encoding/asn1 and math/big,
// independently of kmspub's converter.
func DER(t testing.TB, rs []byte) []byte {
	t.Helper()
	half := len(rs) / 2
	der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(rs[:half]), new(big.Int).SetBytes(rs[half:])})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// FakeKMS answers Sign as KMS does, with the test private key of Spec
// (KMSSign), and records the requests in Calls. The answer's KeyId is
// KeyARN, or the KeyId asked for when KeyARN is empty; Tamper, when set,
// changes the answer.
type FakeKMS struct {
	T      testing.TB
	Spec   types.KeySpec
	KeyARN string
	Tamper func(*kms.SignOutput)
	Calls  []*kms.SignInput
}

// Sign is KMS Sign.
func (f *FakeKMS) Sign(_ context.Context, in *kms.SignInput, _ ...func(*kms.Options)) (*kms.SignOutput, error) {
	f.Calls = append(f.Calls, in)
	out := &kms.SignOutput{
		KeyId:            in.KeyId,
		SigningAlgorithm: in.SigningAlgorithm,
		Signature:        KMSSign(f.T, f.Spec, in.SigningAlgorithm, in.Message, in.MessageType),
	}
	if f.KeyARN != "" {
		out.KeyId = aws.String(f.KeyARN)
	}
	if f.Tamper != nil {
		f.Tamper(out)
	}
	return out, nil
}

// Compact returns the compact JWS with the given protected header members
// (marshalled in Go's map order: sorted) and payload, signed with the test
// key of spec.
func Compact(t testing.TB, spec types.KeySpec, header map[string]any, payload []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	return CompactRaw(t, spec, header["alg"].(string), h, payload)
}

// CompactRaw is Compact with the header given as JSON text, for headers no
// encoder writes (duplicate members), and the algorithm to sign with given
// apart from it (to label a signature with another "alg").
func CompactRaw(t testing.TB, spec types.KeySpec, alg string, header, payload []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	return input + "." + enc.EncodeToString(Sign(t, spec, alg, []byte(input)))
}

// KeyFile returns the path of testdata/keys/<spec>.SIGN_VERIFY.json.
func KeyFile(spec types.KeySpec) string {
	return kmspubtest.Path("keys", string(spec)+".SIGN_VERIFY.json")
}
