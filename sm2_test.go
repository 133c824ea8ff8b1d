package kmspub_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/emmansun/gmsm/sm2"
	"github.com/emmansun/gmsm/sm3"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// longID is 40 bytes: 320 bits, ENTL = 0x01 0x40, so ENTL's high byte is
// not zero.
var longID = []byte("kmspub-long-distinguishing-id-0123456789")

// TestSM2DigestMatchesGmsm checks Z_A and e against gmsm's CalculateZA and
// CalculateSM2Hash, for IDs whose ENTL high byte is 0, 1 and 0xff.
func TestSM2DigestMatchesGmsm(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	pub := k.CryptoPublicKey().(*ecdsa.PublicKey)
	msg := []byte("message for SM2")
	for _, n := range []int{1, 16, 31, 32, 40, 255, 1000, 8191} {
		id := bytes.Repeat([]byte{'i'}, n)
		want, err := sm2.CalculateSM2Hash(pub, msg, id)
		kmspubtest.Check(t, err)
		got, err := kmspub.SM2Digest(k, id, msg)
		kmspubtest.Check(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("ID of %d bytes: SM2Digest = %x, gmsm = %x", n, got, want)
		}
	}
	// nil is KMS's default ID.
	want, err := sm2.CalculateSM2Hash(pub, msg, []byte("1234567812345678"))
	kmspubtest.Check(t, err)
	for _, kk := range []*kmspub.PublicKey{k, kmspubtest.Key(t, types.KeySpecSm2, types.KeyUsageTypeEncryptDecrypt)} {
		got, err := kmspub.SM2Digest(kk, nil, msg)
		kmspubtest.Check(t, err)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: default-ID SM2Digest = %x, want %x", kk.KeyUsage(), got, want)
		}
	}
}

// TestSM2ZAByHand computes Z_A from GB/T 32918.2 with the curve constants
// written out, for the 40-byte ID, to pin ENTL = 0x0140 independently of
// gmsm.
func TestSM2ZAByHand(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	raw := kmspubtest.RawPublicKey(t, k)
	hexBytes := func(s string) []byte {
		b := make([]byte, 32)
		for i := range b {
			var v byte
			for _, c := range s[2*i : 2*i+2] {
				v <<= 4
				switch {
				case c >= '0' && c <= '9':
					v |= byte(c - '0')
				default:
					v |= byte(c-'A') + 10
				}
			}
			b[i] = v
		}
		return b
	}
	a := hexBytes("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
	b := hexBytes("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
	gx := hexBytes("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7")
	gy := hexBytes("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")
	zOf := func(entl uint16) []byte {
		h := sm3.New()
		binary.Write(h, binary.BigEndian, entl)
		for _, part := range [][]byte{longID, a, b, gx, gy, raw[1:33], raw[33:]} {
			h.Write(part)
		}
		return h.Sum(nil)
	}
	msg := []byte("abc")
	eOf := func(z []byte) []byte { h := sm3.New(); h.Write(z); h.Write(msg); return h.Sum(nil) }
	got, err := kmspub.SM2Digest(k, longID, msg)
	kmspubtest.Check(t, err)
	if want := eOf(zOf(320)); !bytes.Equal(got, want) {
		t.Fatalf("SM2Digest with a 40-byte ID = %x, want %x", got, want)
	}
	// The low byte alone (0x40), as a one-byte ENTL mistake would give,
	// must differ: the test can tell.
	if bytes.Equal(got, eOf(zOf(320&0xff))) {
		t.Fatal("ENTL high byte made no difference")
	}
}

// TestSM2OpenSSLCustomID: OpenSSL signs with a 40-byte distinguishing ID;
// the signature verifies as a DIGEST computed with that ID, and not as RAW
// (KMS's RAW always uses the default ID), nor with the default-ID digest.
func TestSM2OpenSSLCustomID(t *testing.T) {
	msg, msgPath := interopMessage(t)
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	sig := kmspubtest.OpenSSL(t, "dgst", "-sm3", "-sigopt", "distid:"+string(longID), "-sign", kmspubtest.PrivateKeyPath(types.KeySpecSm2), msgPath)
	e, err := kmspub.SM2Digest(k, longID, msg)
	kmspubtest.Check(t, err)
	kmspubtest.WantCode(t, k.Verify(e, types.MessageTypeDigest, "SM2DSA", sig), "")
	kmspubtest.WantAPIError(t, k.Verify(msg, types.MessageTypeRaw, "SM2DSA", sig), codeInvalidSig, "")
	kmspubtest.WantAPIError(t, k.VerifyReader(bytes.NewReader(msg), "SM2DSA", sig), codeInvalidSig, "")
	// pkeyutl spells the ID -pkeyopt distid:…; same ENTL, same e.
	sig3 := kmspubtest.OpenSSL(t, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-in", msgPath,
		"-inkey", kmspubtest.PrivateKeyPath(types.KeySpecSm2), "-pkeyopt", "distid:"+string(longID))
	kmspubtest.WantCode(t, k.Verify(e, types.MessageTypeDigest, "SM2DSA", sig3), "")
	eDefault, err := kmspub.SM2Digest(k, nil, msg)
	kmspubtest.Check(t, err)
	kmspubtest.WantAPIError(t, k.Verify(eDefault, types.MessageTypeDigest, "SM2DSA", sig), codeInvalidSig, "")

	// The reverse: gmsm signs e made by kmspub with the long ID; OpenSSL
	// verifies it with that distid, so the ENTL used is OpenSSL's.
	priv := kmspubtest.LoadPrivateKey(t, types.KeySpecSm2).SM2
	sig2, err := sm2.SignASN1(rand.Reader, priv, e, nil)
	kmspubtest.Check(t, err)
	sigPath := filepath.Join(t.TempDir(), "sig")
	kmspubtest.Check(t, os.WriteFile(sigPath, sig2, 0o600))
	out := kmspubtest.OpenSSL(t, "dgst", "-sm3", "-sigopt", "distid:"+string(longID),
		"-verify", filepath.Join("testdata", "keys", "SM2.pub.pem"), "-signature", sigPath, msgPath)
	if !strings.Contains(string(out), "Verified OK") {
		t.Fatalf("OpenSSL did not verify: %s", out)
	}
}

// TestSM2OpenSSLPkeyutl: `pkeyutl -sign -rawin -digest sm3` spells the ID
// as -pkeyopt distid:…; it signs e = SM3(Z_A ‖ M) as dgst does.
func TestSM2OpenSSLPkeyutl(t *testing.T) {
	msg, msgPath := interopMessage(t)
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	sig := kmspubtest.OpenSSL(t, "pkeyutl", "-sign", "-rawin", "-digest", "sm3", "-in", msgPath,
		"-inkey", kmspubtest.PrivateKeyPath(types.KeySpecSm2), "-pkeyopt", "distid:1234567812345678")
	checkSignature(t, k, "SM2DSA", msg, sig)
}

func TestNewSM2Hash(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	msg := bytes.Repeat([]byte("stream "), 5000)
	h, err := kmspub.NewSM2Hash(k, longID)
	kmspubtest.Check(t, err)
	h.Write([]byte("junk"))
	h.Reset()
	for i := 0; i < len(msg); i += 777 {
		h.Write(msg[i:min(i+777, len(msg))])
	}
	want, err := kmspub.SM2Digest(k, longID, msg)
	kmspubtest.Check(t, err)
	if got := h.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("streamed e = %x, want %x", got, want)
	}
	if h.Size() != 32 || h.BlockSize() != 64 {
		t.Fatalf("Size, BlockSize = %d, %d", h.Size(), h.BlockSize())
	}
}

func TestSM2DigestRefusals(t *testing.T) {
	k := kmspubtest.SigningKey(t, types.KeySpecSm2)
	for _, id := range [][]byte{{}, make([]byte, 8192)} {
		if _, err := kmspub.SM2Digest(k, id, []byte("m")); err == nil || !strings.Contains(err.Error(), "1 to 8191 bytes") {
			t.Errorf("ID of %d bytes: err = %v; want a length error", len(id), err)
		}
	}
	if _, err := kmspub.SM2Digest(k, make([]byte, 8191), []byte("m")); err != nil {
		t.Errorf("8191-byte ID: %v", err)
	}
	if _, err := kmspub.SM2Digest(kmspubtest.SigningKey(t, types.KeySpecEccNistP256), nil, []byte("m")); err == nil {
		t.Error("SM2Digest accepted a P-256 key")
	}
	if _, err := kmspub.NewSM2Hash(nil, nil); err == nil {
		t.Error("NewSM2Hash accepted a nil key")
	}
}
