package jose

import "errors"

// ECDSA signatures travel in two forms. KMS Sign returns, and
// PublicKey.Verify takes, the DER ECDSA-Sig-Value SEQUENCE { r INTEGER,
// s INTEGER }; a JWS carries R ‖ S, each a big-endian unsigned integer
// zero-padded to the curve order's length (RFC 7518 §3.4). Both conversions
// are strict, so that exactly one byte string stands for each (r, s) on
// either side.

// rsToDER converts a JWS ECDSA signature to DER. It refuses a signature
// that is not exactly 2·size bytes — in particular a DER signature put
// where R ‖ S belongs. Values of r and s are not checked here: zero or out
// of range, they fail verification as KMS fails them.
func rsToDER(sig []byte, size int) ([]byte, bool) {
	if len(sig) != 2*size {
		return nil, false
	}
	r, s := minimalUnsigned(sig[:size]), minimalUnsigned(sig[size:])
	body := derIntegerLen(r) + derIntegerLen(s)
	out := make([]byte, 0, 3+body)
	out = append(out, 0x30)
	out = appendDERLength(out, body)
	out = appendDERInteger(out, r)
	return appendDERInteger(out, s), true
}

// minimalUnsigned drops leading zero bytes, keeping one for zero.
func minimalUnsigned(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// derIntegerLen is the encoded length of a non-negative INTEGER whose
// minimal magnitude is v.
func derIntegerLen(v []byte) int {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++ // a leading zero keeps it positive
	}
	return 1 + derLengthLen(n) + n
}

func derLengthLen(n int) int {
	if n < 0x80 {
		return 1
	}
	return 2 // ECDSA values never need more than one length byte
}

func appendDERLength(out []byte, n int) []byte {
	if n < 0x80 {
		return append(out, byte(n))
	}
	return append(out, 0x81, byte(n))
}

func appendDERInteger(out, v []byte) []byte {
	n := len(v)
	pad := v[0]&0x80 != 0
	if pad {
		n++
	}
	out = append(out, 0x02)
	out = appendDERLength(out, n)
	if pad {
		out = append(out, 0)
	}
	return append(out, v...)
}

var errNotCanonicalDER = errors.New("not a canonical DER ECDSA signature")

// derToRS converts a DER ECDSA signature to R ‖ S of 2·size bytes. It
// accepts only DER: a SEQUENCE of exactly two INTEGERs with definite,
// minimal lengths, each minimally encoded, positive and at most size bytes
// long, and nothing after the SEQUENCE.
func derToRS(der []byte, size int) ([]byte, error) {
	body, rest, ok := readDER(der, 0x30)
	if !ok || len(rest) != 0 {
		return nil, errNotCanonicalDER
	}
	r, body, ok := readDER(body, 0x02)
	if !ok {
		return nil, errNotCanonicalDER
	}
	s, body, ok := readDER(body, 0x02)
	if !ok || len(body) != 0 {
		return nil, errNotCanonicalDER
	}
	out := make([]byte, 2*size)
	if !putUnsigned(out[:size], r) || !putUnsigned(out[size:], s) {
		return nil, errNotCanonicalDER
	}
	return out, nil
}

// readDER reads one element with the given tag, in DER: a definite length
// in its shortest form, of at most 255 bytes (no ECDSA signature is longer).
func readDER(b []byte, tag byte) (content, rest []byte, ok bool) {
	if len(b) < 2 || b[0] != tag {
		return nil, nil, false
	}
	n, hdr := int(b[1]), 2
	switch {
	case n < 0x80:
	case n == 0x81:
		if len(b) < 3 || b[2] < 0x80 { // 0x81 only for lengths that need it
			return nil, nil, false
		}
		n, hdr = int(b[2]), 3
	default: // indefinite (BER), or longer than any ECDSA signature
		return nil, nil, false
	}
	if len(b)-hdr < n {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}

// putUnsigned writes the positive, minimally encoded INTEGER content v into
// dst, left-padded with zeros, and reports whether it fit.
func putUnsigned(dst, v []byte) bool {
	switch {
	case len(v) == 0:
		return false
	case v[0]&0x80 != 0: // negative
		return false
	case v[0] == 0 && (len(v) == 1 || v[1]&0x80 == 0): // zero, or a needless leading zero
		return false
	}
	if v[0] == 0 {
		v = v[1:]
	}
	if len(v) > len(dst) {
		return false
	}
	copy(dst[len(dst)-len(v):], v)
	return true
}
