// Package spkitest builds SubjectPublicKeyInfo encodings from their parts, for
// tests that need encodings no library writes (unused bits, wrong parameters,
// other algorithm identifiers).
package spkitest

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Build returns SEQUENCE { SEQUENCE { algorithm, params }, BIT STRING
// (unusedBits, key) }. params may be nil (parameters absent).
func Build(algorithm asn1.ObjectIdentifier, params func(*cryptobyte.Builder), unusedBits byte, key []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(algorithm)
			if params != nil {
				params(b)
			}
		})
		b.AddASN1(cbasn1.BIT_STRING, func(b *cryptobyte.Builder) {
			b.AddUint8(unusedBits)
			b.AddBytes(key)
		})
	})
	return b.BytesOrPanic()
}

// OID returns parameters holding one object identifier (a namedCurve).
func OID(oid asn1.ObjectIdentifier) func(*cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) }
}
