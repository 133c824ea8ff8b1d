// Package josetest holds what the tests of the jose package, its adapter
// modules and the CLI share: the repository's test keys (testdata/keys)
// with their private halves, and JWS signatures made from those with the
// standard library, gmsm and decred — never with kmspub's own JOSE code, so
// that tests check kmspub against signatures it did not make.
package josetest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/emmansun/gmsm/mldsa"

	"github.com/kmspub/kmspub"
)

// TB is what the helpers need of a test: testing.TB has it, and the CLI's
// testscript commands wrap their *testscript.TestScript in it.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// Root returns the repository's root directory, found from this source
// file, so that it works from every package and every nested module.
func Root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("josetest: cannot locate the source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// KeyFile returns the path of testdata/keys/<spec>.<usage>.json.
func KeyFile(spec types.KeySpec, usage types.KeyUsageType) string {
	return filepath.Join(Root(), "testdata", "keys", string(spec)+"."+string(usage)+".json")
}

// Key returns the SIGN_VERIFY test key of spec, read with
// kmspub.ParseGetPublicKeyJSON.
func Key(t TB, spec types.KeySpec) *kmspub.PublicKey {
	t.Helper()
	return KeyWithUsage(t, spec, types.KeyUsageTypeSignVerify)
}

// KeyWithUsage returns the test key of spec with the given usage.
func KeyWithUsage(t TB, spec types.KeySpec, usage types.KeyUsageType) *kmspub.PublicKey {
	t.Helper()
	data, err := os.ReadFile(KeyFile(spec, usage))
	if err != nil {
		t.Fatal(err)
	}
	k, err := kmspub.ParseGetPublicKeyJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", KeyFile(spec, usage), err)
	}
	return k
}

// SigningSpecs are the key specs with a JOSE signature algorithm.
var SigningSpecs = []types.KeySpec{
	types.KeySpecRsa2048, types.KeySpecRsa3072, types.KeySpecRsa4096,
	types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecEccNistP521,
	types.KeySpecEccSecgP256k1, types.KeySpecEccNistEdwards25519,
	types.KeySpecMlDsa44, types.KeySpecMlDsa65, types.KeySpecMlDsa87,
}

// PrivateKey returns the private half of the test key of spec:
// *rsa.PrivateKey, *ecdsa.PrivateKey (NIST curves), ed25519.PrivateKey,
// *secp256k1.PrivateKey (decred), or *mldsa.PrivateKey44/65/87 (gmsm).
func PrivateKey(t TB, spec types.KeySpec) any {
	t.Helper()
	dir := filepath.Join(Root(), "testdata", "keys")
	if strings.HasPrefix(string(spec), "ML_DSA_") {
		text, err := os.ReadFile(filepath.Join(dir, string(spec)+".seed"))
		if err != nil {
			t.Fatal(err)
		}
		seed, err := hex.DecodeString(strings.TrimSpace(string(text)))
		if err != nil {
			t.Fatal(err)
		}
		var key any
		switch spec {
		case types.KeySpecMlDsa44:
			key, err = mldsa.NewKey44(seed)
		case types.KeySpecMlDsa65:
			key, err = mldsa.NewKey65(seed)
		case types.KeySpecMlDsa87:
			key, err = mldsa.NewKey87(seed)
		}
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	data, err := os.ReadFile(filepath.Join(dir, string(spec)+".priv.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s.priv.pem: no PEM block", spec)
	}
	if spec == types.KeySpecEccSecgP256k1 {
		return secp256k1PKCS8(t, block.Bytes)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s.priv.pem: %v", spec, err)
	}
	return key
}

// secp256k1PKCS8 reads a PKCS #8 secp256k1 key, which crypto/x509 does not
// parse: PrivateKeyInfo { version, algorithm, OCTET STRING ECPrivateKey }.
func secp256k1PKCS8(t TB, der []byte) *secp256k1.PrivateKey {
	t.Helper()
	var info struct {
		Version    int
		Algorithm  asn1.RawValue
		PrivateKey []byte
	}
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		t.Fatal(err)
	}
	var ec struct {
		Version    int
		PrivateKey []byte
		Rest       asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(info.PrivateKey, &ec); err != nil {
		t.Fatal(err)
	}
	return secp256k1.PrivKeyFromBytes(ec.PrivateKey)
}

// ECDSAPrivateKey returns the secp256k1 test key as an *ecdsa.PrivateKey on
// decred's elliptic.Curve, the form jwx's ES256K signer takes.
func ECDSAPrivateKey(t TB, spec types.KeySpec) *ecdsa.PrivateKey {
	t.Helper()
	switch k := PrivateKey(t, spec).(type) {
	case *ecdsa.PrivateKey:
		return k
	case *secp256k1.PrivateKey:
		return k.ToECDSA()
	}
	t.Fatalf("%s is not an ECDSA key", spec)
	return nil
}

// Sign returns the JWS signature of signingInput under the JWS algorithm
// alg with the private test key of spec, made independently of kmspub:
// RSA and NIST ECDSA by the standard library, secp256k1 by decred, Ed25519
// by the standard library, ML-DSA by gmsm (empty context, RFC 9964 §5).
func Sign(t TB, spec types.KeySpec, alg string, signingInput []byte) []byte {
	t.Helper()
	key := PrivateKey(t, spec)
	hashFor := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	digest := func(h crypto.Hash) []byte {
		switch h {
		case crypto.SHA256:
			d := sha256.Sum256(signingInput)
			return d[:]
		case crypto.SHA384:
			d := sha512.Sum384(signingInput)
			return d[:]
		}
		d := sha512.Sum512(signingInput)
		return d[:]
	}
	var sig []byte
	var err error
	switch {
	case strings.HasPrefix(alg, "RS"):
		h := hashFor[alg[2:]]
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), h, digest(h))
	case strings.HasPrefix(alg, "PS"):
		h := hashFor[alg[2:]]
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), h, digest(h), &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case alg == "ES256K":
		s := secpecdsa.Sign(key.(*secp256k1.PrivateKey), digest(crypto.SHA256))
		r, sv := s.R(), s.S()
		rb, sb := r.Bytes(), sv.Bytes()
		sig = append(rb[:], sb[:]...)
	case strings.HasPrefix(alg, "ES"):
		k := key.(*ecdsa.PrivateKey)
		h := hashFor[alg[2:]]
		var der []byte
		if der, err = ecdsa.SignASN1(rand.Reader, k, digest(h)); err == nil {
			sig = RS(t, der, (k.Curve.Params().N.BitLen()+7)/8)
		}
	case alg == "EdDSA" || alg == "Ed25519":
		sig = ed25519.Sign(key.(ed25519.PrivateKey), signingInput)
	case strings.HasPrefix(alg, "ML-DSA-"):
		signer := key.(interface {
			SignMessage(rand io.Reader, msg []byte, opts crypto.SignerOpts) ([]byte, error)
		})
		sig, err = signer.SignMessage(rand.Reader, signingInput, &mldsa.Options{})
	default:
		t.Fatalf("josetest.Sign: no signer for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// RS converts a DER ECDSA signature to the JWS R ‖ S form with encoding/asn1
// and math/big, independently of kmspub's converter.
func RS(t TB, der []byte, size int) []byte {
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

// Compact returns the compact JWS with the given protected header members
// (marshalled in Go's map order: sorted) and payload, signed with the test
// key of spec.
func Compact(t TB, spec types.KeySpec, header map[string]any, payload []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	return CompactRaw(t, spec, header["alg"].(string), h, payload)
}

// CompactRaw is Compact with the header given as JSON text, for headers
// no encoder writes (duplicate members, odd spacing).
func CompactRaw(t TB, spec types.KeySpec, alg string, header, payload []byte) string {
	t.Helper()
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	return input + "." + enc.EncodeToString(Sign(t, spec, alg, []byte(input)))
}

// Must is a helper for tests: it fails t on err.
func Must[T any](t TB, v T, err error) T {
	t.Helper()
	if err != nil {
		t.Fatal(fmt.Sprint(err))
	}
	return v
}

// KMSSign returns what KMS Sign answers for message with the private test
// key of spec: a DER signature for ECDSA (secp256k1 by decred), PKCS #1
// v1.5 or PSS with salt = hash length for RSA, Ed25519 and ML-DSA (RAW
// only). messageType is RAW or DIGEST.
func KMSSign(t TB, spec types.KeySpec, alg types.SigningAlgorithmSpec, message []byte, messageType types.MessageType) []byte {
	t.Helper()
	key := PrivateKey(t, spec)
	var h crypto.Hash
	switch {
	case strings.HasSuffix(string(alg), "_256"):
		h = crypto.SHA256
	case strings.HasSuffix(string(alg), "_384"):
		h = crypto.SHA384
	case strings.HasSuffix(string(alg), "_512"):
		h = crypto.SHA512
	}
	digest := message
	if messageType == types.MessageTypeRaw && h != 0 && alg != types.SigningAlgorithmSpecEd25519Sha512 {
		hh := h.New()
		hh.Write(message)
		digest = hh.Sum(nil)
	}
	var sig []byte
	var err error
	switch {
	case strings.HasPrefix(string(alg), "RSASSA_PKCS1"):
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), h, digest)
	case strings.HasPrefix(string(alg), "RSASSA_PSS"):
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
	case strings.HasPrefix(string(alg), "ECDSA"):
		if k, ok := key.(*secp256k1.PrivateKey); ok {
			sig = secpecdsa.Sign(k, digest).Serialize()
		} else {
			sig, err = ecdsa.SignASN1(rand.Reader, key.(*ecdsa.PrivateKey), digest)
		}
	case alg == types.SigningAlgorithmSpecEd25519Sha512:
		sig = ed25519.Sign(key.(ed25519.PrivateKey), message)
	case alg == types.SigningAlgorithmSpecMlDsaShake256:
		sig = Sign(t, spec, "ML-DSA-44", message)
	default:
		t.Fatalf("josetest.KMSSign: no signer for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}
