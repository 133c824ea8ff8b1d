package jose

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// SignAPIClient is the one KMS call a [Signer] makes. *kms.Client
// satisfies it.
type SignAPIClient interface {
	Sign(ctx context.Context, params *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
}

// A Signer issues JWS and JWTs signed by a KMS key through KMS Sign — the
// one online part of this package, for token services. It is safe for
// concurrent use.
type Signer struct {
	client SignAPIClient
	key    *kmspub.PublicKey
	alg    *Algorithm
	opts   SignerOptions
}

// SignerOptions configures a [Signer]; [NewSigner] calls each function it
// was given with them.
type SignerOptions struct {
	// KeyID is the "kid" the Signer writes (default: the key ARN). Set it
	// to the key's [Thumbprint] when the JWK Set is published with
	// [JWKOptions].ThumbprintKeyID.
	KeyID string
	// GrantTokens are sent with every Sign call.
	GrantTokens []string
	// ClientOptions are passed to the client on every Sign call.
	ClientOptions []func(*kms.Options)
}

// NewSigner returns a Signer that signs with key — a key that must carry
// its key ARN, as [kmspub.Fetch] gives it — under the JWS algorithm alg
// ("" for [DefaultAlgorithm]). Every Sign call names the key by its ARN, so
// that a Signer built from an alias keeps signing with the key whose public
// half it holds. It refuses, before any call, what KMS Sign would refuse (a
// key of another usage, an algorithm the key does not list: KMS's
// InvalidKeyUsageException) and an alg that does not fit the key.
func NewSigner(client SignAPIClient, key *kmspub.PublicKey, alg string, optFns ...func(*SignerOptions)) (*Signer, error) {
	if key == nil {
		return nil, newError(ErrKeyMismatch, "no key", nil)
	}
	if key.KeyID() == "" {
		return nil, newError(ErrKeyMismatch, "the key has no key ARN to name in Sign", nil)
	}
	if alg == "" {
		var err error
		if alg, err = DefaultAlgorithm(key); err != nil {
			return nil, err
		}
	}
	a := LookupAlgorithm(alg)
	if a == nil {
		return nil, refusedAlgorithm(alg)
	}
	if _, _, err := key.Digest(oneByte(), a.SigningAlgorithm); err != nil {
		return nil, newError(ErrKeyMismatch, "KMS refuses "+string(a.SigningAlgorithm)+" with this key", err)
	}
	spec := kmsrules.LookupKeySpec(key.KeySpec())
	if !a.fits(spec) {
		return nil, newError(ErrKeyMismatch, fmt.Sprintf("%s is for %s keys; this key is %s", a.Name, a.KeySpec, spec.Spec),
			kmsIncompatible(a.Name, spec.Spec))
	}
	s := &Signer{client: client, key: key, alg: a, opts: SignerOptions{KeyID: key.KeyID()}}
	for _, fn := range optFns {
		fn(&s.opts)
	}
	return s, nil
}

// Algorithm returns the JWS algorithm the Signer signs with.
func (s *Signer) Algorithm() string { return s.alg.Name }

// KeyID returns the "kid" the Signer writes.
func (s *Signer) KeyID() string { return s.opts.KeyID }

// PublicKey returns the key the Signer signs with.
func (s *Signer) PublicKey() *kmspub.PublicKey { return s.key }

// SignSigningInput returns the JWS signature over signingInput
// (ASCII(BASE64URL(header) '.' BASE64URL(payload))), made by one KMS Sign
// call: the RAW input when it is at most 4096 bytes; for longer inputs its
// SHA-2 DIGEST, for the algorithms KMS signs digests with (RS*, PS*, ES*).
// EdDSA and ML-DSA inputs over 4096 bytes are refused before any call, with
// the ValidationException KMS gives a RAW message that long (KMS signs
// Ed25519 RAW only; this signer does not send ML-DSA's EXTERNAL_MU).
//
// The answer is checked before it is used: it must name the key and the
// algorithm asked for, and the signature must verify with the key under
// KMS's rules (so a PSS signature with another salt length, or one by
// another key, is refused with ErrKMSAnswer). ECDSA signatures are
// converted from KMS's DER to R ‖ S.
func (s *Signer) SignSigningInput(ctx context.Context, signingInput []byte) ([]byte, error) {
	message, messageType := signingInput, types.MessageTypeRaw
	if len(signingInput) > kmsrules.MaxMessageSize {
		switch s.alg.Family {
		case kmsrules.FamilyEd25519, kmsrules.FamilyMLDSA:
			return nil, newError(ErrMalformed, fmt.Sprintf("%s signing input is %d bytes; KMS signs at most %d bytes of it (RAW), and no digest",
				s.alg.Name, len(signingInput), kmsrules.MaxMessageSize), kmserr.Validations(kmserr.TooLong("message", kmsrules.MaxMessageSize)))
		}
		var err error
		if message, messageType, err = s.key.Digest(bytes.NewReader(signingInput), s.alg.SigningAlgorithm); err != nil {
			return nil, err
		}
	}
	out, err := s.client.Sign(ctx, &kms.SignInput{
		KeyId:            aws.String(s.key.KeyID()),
		Message:          message,
		MessageType:      messageType,
		SigningAlgorithm: s.alg.SigningAlgorithm,
		GrantTokens:      s.opts.GrantTokens,
	}, s.opts.ClientOptions...)
	if err != nil {
		return nil, err
	}
	if out == nil || len(out.Signature) == 0 {
		return nil, newError(ErrKMSAnswer, "no signature in the answer", nil)
	}
	if id := aws.ToString(out.KeyId); id != "" && id != s.key.KeyID() {
		return nil, newError(ErrKMSAnswer, fmt.Sprintf("KMS answered for key %.256q, not %s", id, s.key.KeyID()), nil)
	}
	if out.SigningAlgorithm != "" && out.SigningAlgorithm != s.alg.SigningAlgorithm {
		return nil, newError(ErrKMSAnswer, fmt.Sprintf("KMS answered with %.64s, not %s", out.SigningAlgorithm, s.alg.SigningAlgorithm), nil)
	}
	if err := s.key.Verify(message, messageType, s.alg.SigningAlgorithm, out.Signature); err != nil {
		return nil, newError(ErrKMSAnswer, "the signature KMS returned does not verify with the key", err)
	}
	if s.alg.CoordinateSize == 0 {
		return out.Signature, nil
	}
	rs, err := derToRS(out.Signature, s.alg.CoordinateSize)
	if err != nil {
		return nil, newError(ErrKMSAnswer, "the ECDSA signature KMS returned", err)
	}
	return rs, nil
}

// Sign returns a compact JWS of payload. The protected header is "alg",
// "kid" and then the members of header (which may not set "alg" or "kid"
// differently, nor "crit" or "b64"), in that order.
func (s *Signer) Sign(ctx context.Context, payload []byte, header map[string]any) (string, error) {
	h, err := s.header(header)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := make([]byte, 0, enc.EncodedLen(len(h))+1+enc.EncodedLen(len(payload)))
	input = enc.AppendEncode(input, h)
	input = append(input, '.')
	input = enc.AppendEncode(input, payload)
	sig, err := s.SignSigningInput(ctx, input)
	if err != nil {
		return "", err
	}
	input = append(input, '.')
	return string(enc.AppendEncode(input, sig)), nil
}

// SignJWT returns a JWT (a compact JWS with "typ": "JWT") whose Claims Set
// is claims marshalled as JSON — a map, a struct, or json.RawMessage, which
// must then be one JSON object.
func (s *Signer) SignJWT(ctx context.Context, claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: marshalling the claims: %w", err)
	}
	if _, err := decodeObject(payload); err != nil {
		return "", newError(ErrMalformed, "the claims: "+err.Error(), nil)
	}
	return s.Sign(ctx, payload, map[string]any{"typ": "JWT"})
}

func (s *Signer) header(extra map[string]any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"alg":`)
	writeJSON(&b, s.alg.Name)
	if s.opts.KeyID != "" {
		b.WriteString(`,"kid":`)
		writeJSON(&b, s.opts.KeyID)
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := extra[name]
		switch name {
		case "alg", "kid":
			want := s.alg.Name
			if name == "kid" {
				want = s.opts.KeyID
			}
			if str, ok := v.(string); !ok || str != want {
				return nil, newError(ErrMalformed, fmt.Sprintf("header %q is set by the signer", name), nil)
			}
			continue
		case "crit", "b64":
			return nil, newError(ErrCritical, fmt.Sprintf("the signer does not write %q", name), nil)
		}
		b.WriteByte(',')
		writeJSON(&b, name)
		b.WriteByte(':')
		if err := writeJSONValue(&b, v); err != nil {
			return nil, fmt.Errorf("jose: header %q: %w", name, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s)
	b.Write(out)
}

func writeJSONValue(b *bytes.Buffer, v any) error {
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b.Write(out)
	return nil
}
