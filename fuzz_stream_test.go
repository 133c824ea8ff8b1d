package kmspub_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha512"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
	"github.com/emmansun/gmsm/sm2"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// FuzzVerifyReader checks the streaming path (Digest, VerifyReader) against
// the in-memory one (Verify) and against an independent model of the
// message KMS takes, for every SIGN_VERIFY key and algorithm, with messages
// of arbitrary content and length read in arbitrary chunks. Invariants:
//
//   - nothing panics;
//   - Digest returns what the model computes from the whole input with
//     other libraries: SHA-2 (DIGEST), gmsm's SM3(Z_A ‖ M) with the default
//     ID (DIGEST), FIPS 204 μ (EXTERNAL_MU), SHA-512 for Ed25519ph
//     (DIGEST), or the message itself (RAW) for ED25519_SHA_512, which is
//     refused over 4096 bytes or when empty with KMS's ValidationException;
//   - VerifyReader(r, sig) gives exactly the outcome of Verify(Digest(r),
//     sig), and, for a message KMS takes RAW (1–4096 bytes, an algorithm
//     that accepts RAW), of Verify(message, RAW, sig);
//   - a signature made over the message verifies through all three; with a
//     bit flipped, none verifies (KMSInvalidSignatureException);
//   - every refusal is a KMS exception, except a failing reader, whose error
//     is returned wrapped (errors.Is) and is not one.
//
// size, when non-zero, stretches msg by repetition to that many bytes, so
// that inputs around the 4096-byte RAW limit, and far over it, are reached
// with short fuzz inputs.
func FuzzVerifyReader(f *testing.F) {
	cases := sigFuzzCases(f)
	signers := map[types.KeySpec]*sigSigner{}
	for _, c := range cases {
		if signers[c.k.KeySpec()] == nil {
			signers[c.k.KeySpec()] = sigPrivate(f, c.k.KeySpec())
		}
	}
	for i := range cases {
		f.Add(uint8(i), sigFuzzMessage, uint16(0), uint16(0), false, []byte{}, uint16(0), uint8(0), false)
		f.Add(uint8(i), sigFuzzMessage, uint16(0), uint16(7), false, []byte{}, uint16(5), uint8(1), false)
		f.Add(uint8(i), []byte("x"), uint16(4096), uint16(1000), true, []byte{}, uint16(3), uint8(0x80), false)
		f.Add(uint8(i), []byte("y"), uint16(4097), uint16(4096), false, []byte{}, uint16(0), uint8(0), false)
		f.Add(uint8(i), []byte{}, uint16(0), uint16(1), false, []byte{0x30, 0x00}, uint16(0), uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, which uint8, msg []byte, size, chunk uint16, sign bool, sig []byte, flipAt uint16, flipBits uint8, failRead bool) {
		c := cases[int(which)%len(cases)]
		// The signature: a fresh one over the message (sign), the case's
		// own over sigFuzzMessage (sig empty), or sig's arbitrary bytes;
		// then, with flipBits, one byte changed. Taking signatures from the
		// process rather than from the input keeps inputs short (an ML-DSA-87
		// signature is 4627 bytes) so the fuzzer does not spend its time
		// minimizing them.
		validSig := false
		if !sign && len(sig) == 0 {
			sig = c.sig
			validSig = bytes.Equal(msg, sigFuzzMessage) && size == 0
		}
		k, alg := c.k, c.alg
		msg = stretch(msg, int(size))
		reader := func() io.Reader { return &chunkReader{data: msg, chunk: int(chunk)} }

		if failRead {
			readErr := errors.New("read failed")
			err := k.VerifyReader(io.MultiReader(reader(), errReader{readErr}), alg, c.sig)
			_, _, derr := k.Digest(io.MultiReader(reader(), errReader{readErr}), alg)
			for _, e := range []error{err, derr} {
				var api smithy.APIError
				if alg == types.SigningAlgorithmSpecEd25519Sha512 && len(msg) > kmsrules.MaxMessageSize {
					// Refused for its length before the reader fails.
					if !errors.As(e, &api) || api.ErrorCode() != codeValidation {
						t.Fatalf("%s: %d-byte message: %v; want ValidationException", alg, len(msg), e)
					}
					continue
				}
				if !errors.Is(e, readErr) || errors.As(e, &api) {
					t.Fatalf("%s: failing reader gave %v; want the read error wrapped, not a KMS exception", alg, e)
				}
			}
			return
		}

		wantMsg, wantMT, wantErr := streamModel(t, k, alg, msg)
		gotMsg, gotMT, err := k.Digest(reader(), alg)
		switch {
		case wantErr != "":
			if !wpIsCode(err, wantErr) {
				t.Fatalf("%s: Digest of %d bytes = %v; want %s", alg, len(msg), err, wantErr)
			}
		case err != nil:
			t.Fatalf("%s: Digest of %d bytes: %v", alg, len(msg), err)
		case gotMT != wantMT || !bytes.Equal(gotMsg, wantMsg):
			t.Fatalf("%s: Digest of %d bytes = %s %x; model %s %x", alg, len(msg), gotMT, gotMsg, wantMT, wantMsg)
		}

		if sign && !(alg == types.SigningAlgorithmSpecMlDsaShake256 && len(msg) == 0) {
			// gmsm's ML-DSA signer refuses an empty message.
			sig = signOver(t, signers[k.KeySpec()], alg, msg)
			validSig = true
		}
		if flipBits != 0 && len(sig) > 0 {
			sig = bytes.Clone(sig)
			sig[int(flipAt)%len(sig)] ^= flipBits
		}

		streamed := k.VerifyReader(reader(), alg, sig)
		checkKMSError(t, streamed)
		if wantErr == "" {
			inMemory := k.Verify(wantMsg, wantMT, alg, sig)
			if !sameOutcome(streamed, inMemory) {
				t.Fatalf("%s, %d bytes: VerifyReader = %v; Verify(%s) = %v", alg, len(msg), streamed, wantMT, inMemory)
			}
		} else if !wpIsCode(streamed, wantErr) && !wpIsCode(streamed, codeValidation) {
			t.Fatalf("%s: VerifyReader of %d bytes = %v; want %s", alg, len(msg), streamed, wantErr)
		}
		if raw := kmsrules.LookupSigningAlgorithm(alg); raw.Accepts(types.MessageTypeRaw) && len(msg) >= 1 && len(msg) <= kmsrules.MaxMessageSize {
			if rawErr := k.Verify(msg, types.MessageTypeRaw, alg, sig); !sameOutcome(streamed, rawErr) {
				t.Fatalf("%s, %d bytes: VerifyReader = %v; Verify(RAW) = %v", alg, len(msg), streamed, rawErr)
			}
		}
		switch {
		case validSig && flipBits == 0 && wantErr == "":
			if streamed != nil {
				t.Fatalf("%s: signature over the %d-byte message refused: %v", alg, len(msg), streamed)
			}
		case validSig && flipBits != 0 && wantErr == "":
			wantInvalidSignatureFuzz(t, streamed, string(alg)+": modified signature")
		}
	})
}

// streamModel computes the message KMS takes for the whole input, with
// other code than Digest's: the signer's hash, gmsm, FIPS 204's μ formula.
// For a message KMS cannot take it returns the error code instead.
func streamModel(t *testing.T, k *kmspub.PublicKey, alg types.SigningAlgorithmSpec, msg []byte) ([]byte, types.MessageType, string) {
	switch alg {
	case types.SigningAlgorithmSpecEd25519Sha512:
		if len(msg) < 1 || len(msg) > kmsrules.MaxMessageSize {
			return nil, "", codeValidation
		}
		return msg, types.MessageTypeRaw, ""
	case types.SigningAlgorithmSpecEd25519PhSha512:
		d := sha512.Sum512(msg)
		return d[:], types.MessageTypeDigest, ""
	case types.SigningAlgorithmSpecSm2dsa:
		e, err := sm2.CalculateSM2Hash(k.CryptoPublicKey().(*ecdsa.PublicKey), msg, []byte(kmsrules.SM2DefaultID))
		sigCheck(t, err)
		return e, types.MessageTypeDigest, ""
	case types.SigningAlgorithmSpecMlDsaShake256:
		return sigMu(sigRawPub(t, k), msg), types.MessageTypeExternalMu, ""
	}
	h := sigHash(alg).New()
	h.Write(msg)
	return h.Sum(nil), types.MessageTypeDigest, ""
}

// signOver makes the signature KMS makes over the whole message (as a RAW
// message, or as its DIGEST where KMS could not take it RAW).
func signOver(t *testing.T, s *sigSigner, alg types.SigningAlgorithmSpec, msg []byte) []byte {
	if alg == types.SigningAlgorithmSpecEd25519PhSha512 {
		d := sha512.Sum512(msg)
		return s.sign(t, alg, types.MessageTypeDigest, d[:], nil)
	}
	return s.sign(t, alg, types.MessageTypeRaw, msg, nil)
}

// sameOutcome: both nil, or both errors with the same KMS error code.
func sameOutcome(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb smithy.APIError
	return errors.As(a, &ea) && errors.As(b, &eb) && ea.ErrorCode() == eb.ErrorCode() && ea.ErrorMessage() == eb.ErrorMessage()
}

// checkKMSError fails unless err is nil or a KMS exception with a known code.
func checkKMSError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("refusal %T %v is not a KMS exception", err, err)
	}
	switch api.ErrorCode() {
	case codeInvalidSig, codeKeyUsage, codeValidation:
	default:
		t.Fatalf("refusal has code %q; want one of KMS's Verify exceptions", api.ErrorCode())
	}
}

// chunkReader returns data at most chunk bytes per Read (chunk 0 means 1),
// with io.EOF on the Read that returns the last bytes, as some readers do.
type chunkReader struct {
	data  []byte
	chunk int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), max(r.chunk, 1))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	if len(r.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
