package envelope

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/esdkformat"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// DecryptAPIClient is the KMS call that opens aws-kms-rsa encrypted data
// keys. *kms.Client satisfies it.
type DecryptAPIClient interface {
	Decrypt(ctx context.Context, params *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// DeriveSharedSecretAPIClient is the KMS call that opens ECDH encrypted
// data keys. *kms.Client satisfies it.
type DeriveSharedSecretAPIClient interface {
	DeriveSharedSecret(ctx context.Context, params *kms.DeriveSharedSecretInput, optFns ...func(*kms.Options)) (*kms.DeriveSharedSecretOutput, error)
}

// KMSClient is the two KMS calls Decrypt makes. *kms.Client satisfies it.
type KMSClient interface {
	DecryptAPIClient
	DeriveSharedSecretAPIClient
}

// Defaults of the DecryptOptions bounds.
const (
	// DefaultMaxEncryptedDataKeys bounds the encrypted data keys of a
	// message (the SDKs' MaxEncryptedDataKeys, which they leave unset):
	// each one may cost a KMS call, and the format allows 65,535.
	DefaultMaxEncryptedDataKeys = 10
	// DefaultMaxFrameLength bounds the frame length: a frame authenticates
	// only as a whole, so Decrypt holds one in memory.
	DefaultMaxFrameLength = 64 << 20
)

// DecryptOptions configure Decrypt and DecryptBytes.
type DecryptOptions struct {
	// Keys are the KMS keys to decrypt with, as kmspub validated them;
	// each needs its key ARN. An aws-kms-rsa encrypted data key is tried
	// with an ENCRYPT_DECRYPT key whose ARN it names (a multi-Region key
	// also matches its replicas, as the AWS KMS keyrings match them); a
	// raw-ecdh or aws-kms-ecdh one with a KEY_AGREEMENT key whose public
	// key it names.
	Keys []*kmspub.PublicKey
	// Discovery also tries aws-kms-rsa encrypted data keys with the KMS key
	// ARN they name, with no key in Keys: whichever key the message names
	// is asked, as the AWS KMS discovery keyrings do. (ECDH encrypted data
	// keys name a public key, not a KMS key: they need Keys.)
	Discovery bool
	// EncryptionContext is the context the caller requires: every pair
	// must be in the message, with the same value, or be one the message
	// authenticates without storing (the SDKs' required encryption context
	// keys); otherwise Decrypt fails.
	EncryptionContext map[string]string
	// EncryptionAlgorithm is the algorithm of KMS Decrypt for aws-kms-rsa
	// encrypted data keys. "" tries each algorithm the key lists, in order
	// (in discovery, each KMS offers for the key's size).
	EncryptionAlgorithm types.EncryptionAlgorithmSpec
	// GrantTokens are passed to every KMS call.
	GrantTokens []string
	// KMSOptions are passed to every KMS call.
	KMSOptions []func(*kms.Options)
	// MaxEncryptedDataKeys refuses messages with more encrypted data keys
	// before reading them; 0 means DefaultMaxEncryptedDataKeys.
	MaxEncryptedDataKeys int
	// MaxFrameLength refuses messages with longer frames before reading
	// any; 0 means DefaultMaxFrameLength.
	MaxFrameLength int64
}

// Decrypt reads a message's header from src, decrypts its data key with
// KMS, and returns a Reader for the plaintext. Decrypt checks, before it
// returns:
//
//   - the header is well formed, of message format version 2, with the
//     algorithm suite 0x0478 or 0x0578 (both commit to the data key),
//     framed, and within the MaxEncryptedDataKeys and MaxFrameLength bounds;
//   - the required EncryptionContext matches the message's;
//   - an encrypted data key decrypts through KMS: KMS Decrypt for
//     aws-kms-rsa (its answer must name the key asked and hold the
//     SHA-384 of the encryption context, then the data key), KMS
//     DeriveSharedSecret for raw-ecdh and aws-kms-ecdh (the KDF's
//     commitment key must match before the data key is unwrapped);
//   - the data key's commitment equals the header's;
//   - the header authentication tag.
//
// The Reader then checks each frame: its sequence number, its
// authentication tag (no plaintext of a frame is returned before its tag
// is verified, and none after a frame that fails), that the final frame
// ends the message, with nothing after it, and for 0x0578 the ECDSA P-384
// signature over the whole message, which must verify before the final
// frame's plaintext is returned (regular frames' plaintext is returned as
// each authenticates: with a signed message, treat it as unverified until
// Read returns io.EOF).
//
// Errors: a malformed or altered message is a [*MessageError], a message
// over a bound a [*LimitError] (both match [ErrInvalidMessage]); a context
// mismatch a [*ContextError]; no decryptable data key a [*NoDataKeyError],
// through which errors.As finds the KMS exceptions. ctx bounds the KMS
// calls only.
func Decrypt(ctx context.Context, client KMSClient, src io.Reader, optFns ...func(*DecryptOptions)) (*Reader, error) {
	o := DecryptOptions{MaxEncryptedDataKeys: DefaultMaxEncryptedDataKeys, MaxFrameLength: DefaultMaxFrameLength}
	for _, fn := range optFns {
		fn(&o)
	}
	if o.MaxEncryptedDataKeys <= 0 {
		o.MaxEncryptedDataKeys = DefaultMaxEncryptedDataKeys
	}
	if o.MaxFrameLength <= 0 {
		o.MaxFrameLength = DefaultMaxFrameLength
	}
	if client == nil {
		return nil, errors.New("envelope: Decrypt: nil KMS client")
	}
	if len(o.Keys) == 0 && !o.Discovery {
		return nil, errors.New("envelope: Decrypt: no keys to decrypt with: set DecryptOptions.Keys, or Discovery")
	}
	for i, k := range o.Keys {
		if k == nil {
			return nil, fmt.Errorf("envelope: Decrypt: key %d is nil", i+1)
		}
		if k.KeyID() == "" {
			return nil, fmt.Errorf("envelope: Decrypt: key %d (%s) has no key ARN, which KMS calls need", i+1, k.KeySpec())
		}
	}
	if _, err := esdkformat.MarshalContext(o.EncryptionContext); err != nil {
		return nil, contextErrorFrom(err)
	}

	br := bufio.NewReaderSize(src, 64<<10)
	h, body, tag, err := esdkformat.ReadHeader(br, esdkformat.Limits{
		MaxEncryptedDataKeys: o.MaxEncryptedDataKeys,
		MaxFrameLength:       o.MaxFrameLength,
	})
	if err != nil {
		return nil, messageErrorFrom(err)
	}

	// The decryption materials' context: the stored one, plus required
	// pairs the message does not store (which the header tag must cover).
	context := maps.Clone(h.EncryptionContext)
	authOnly := map[string]string{}
	for k, v := range o.EncryptionContext {
		stored, ok := h.EncryptionContext[k]
		switch {
		case !ok:
			authOnly[k] = v
			context[k] = v
		case stored != v:
			return nil, &ContextError{Key: k, Reason: "the message's value differs from the required one"}
		}
	}
	verifier, err := signatureVerifier(h.Suite, context)
	if err != nil {
		return nil, err
	}
	canonical, err := esdkformat.MarshalContext(context)
	if err != nil {
		return nil, contextErrorFrom(err)
	}

	d := &dataKeyDecrypter{ctx: ctx, client: client, opts: &o, suite: h.Suite, context: canonical}
	dataKey, keyID, err := d.decrypt(h.EncryptedDataKeys)
	if err != nil {
		if ne, ok := err.(*NoDataKeyError); ok && len(authOnly) > 0 {
			ne.UnstoredContextKeys = slices.Sorted(maps.Keys(authOnly))
		}
		return nil, err
	}
	keys, err := deriveMessageKeys(h.Suite, dataKey, h.MessageID)
	clear(dataKey)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(keys.commitKey[:], h.CommitKey[:]) != 1 {
		return nil, &MessageError{Part: "header", Reason: "the data key does not match the header's key commitment"}
	}
	authOnlyBytes, _ := esdkformat.MarshalContext(authOnly)
	if _, err := keys.aead.Open(nil, zeroIV[:], tag[:], headerAuthAAD(body, authOnlyBytes)); err != nil {
		reason := "the header authentication tag does not verify"
		if len(authOnly) > 0 {
			reason += fmt.Sprintf(" (the message does not store the required encryption context keys %s: the header is altered, or they are not part of the message)", quotedKeys(authOnly))
		}
		return nil, &MessageError{Part: "header", Reason: reason}
	}
	if verifier != nil {
		verifier.hash.Write(body)
		verifier.hash.Write(tag[:])
	}
	return &Reader{
		src:      br,
		aead:     keys,
		aad:      esdkformat.NewBodyAAD(h.MessageID),
		frameLen: h.FrameLength,
		seq:      1,
		sig:      verifier,
		context:  context,
		keyID:    keyID,
	}, nil
}

// DecryptBytes decrypts a whole message held in memory and returns its
// plaintext. It is Decrypt and io.ReadAll, with the same checks: it returns
// plaintext only for a message that verified to its end.
func DecryptBytes(ctx context.Context, client KMSClient, message []byte, optFns ...func(*DecryptOptions)) ([]byte, error) {
	r, err := Decrypt(ctx, client, bytes.NewReader(message), optFns...)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func quotedKeys(m map[string]string) string {
	var ks []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		ks = append(ks, quoteKey(k))
	}
	return strings.Join(ks, ", ")
}

// messageErrorFrom turns the format package's errors into this package's.
func messageErrorFrom(err error) error {
	var fe *esdkformat.Error
	var le *esdkformat.LimitError
	switch {
	case errors.As(err, &le):
		opt := "MaxEncryptedDataKeys"
		if le.What == "frame length" {
			opt = "MaxFrameLength"
		}
		return &LimitError{What: le.What, Value: le.Value, Max: le.Max, Option: opt}
	case errors.As(err, &fe):
		if fe.Part == "encryption context" {
			fe = &esdkformat.Error{Part: "header", Reason: "encryption context: " + fe.Reason, Err: fe.Err}
		}
		return &MessageError{Part: fe.Part, Reason: fe.Reason, Err: fe.Err}
	}
	return err
}

// The encryption context key under which signed suites carry the
// signature verification key (framework/structures.md).
const publicKeyContextKey = "aws-crypto-public-key"

// signatureVerifier checks the context against the suite, as the default
// CMM does, and returns the footer verifier of a signed suite.
func signatureVerifier(suite esdkformat.SuiteID, context map[string]string) (*verifier, error) {
	encoded, ok := context[publicKeyContextKey]
	if !suite.Signed() {
		if ok {
			return nil, &MessageError{Part: "header", Reason: "the encryption context holds " + publicKeyContextKey + ", but the algorithm suite is not signed"}
		}
		return nil, nil
	}
	if !ok {
		return nil, &MessageError{Part: "header", Reason: "the algorithm suite is signed, but the encryption context has no " + publicKeyContextKey}
	}
	point, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return nil, &MessageError{Part: "header", Reason: publicKeyContextKey + " is not base64"}
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P384(), point)
	if x == nil {
		return nil, &MessageError{Part: "header", Reason: publicKeyContextKey + " is not a compressed P-384 point"}
	}
	uncompressed := make([]byte, 97)
	uncompressed[0] = 4
	x.FillBytes(uncompressed[1:49])
	y.FillBytes(uncompressed[49:])
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P384(), uncompressed)
	if err != nil {
		return nil, &MessageError{Part: "header", Reason: publicKeyContextKey + ": " + err.Error()}
	}
	return &verifier{pub: pub, hash: sha512.New384()}, nil
}

// dataKeyDecrypter tries a message's encrypted data keys in header order
// and returns the first data key one yields.
type dataKeyDecrypter struct {
	ctx     context.Context
	client  KMSClient
	opts    *DecryptOptions
	suite   esdkformat.SuiteID
	context []byte // canonical, with the required pairs
}

func (d *dataKeyDecrypter) decrypt(edks []esdkformat.EncryptedDataKey) (dataKey []byte, keyID string, err error) {
	failed := &NoDataKeyError{}
	for i, edk := range edks {
		var attempts []attempt
		switch edk.ProviderID {
		case esdkformat.ProviderAWSKMSRSA:
			attempts = d.rsaAttempts(edk)
		case esdkformat.ProviderRawECDH, esdkformat.ProviderAWSKMSECDH:
			attempts = d.ecdhAttempts(edk)
		}
		if len(attempts) == 0 {
			failed.Skipped++
			continue
		}
		for _, a := range attempts {
			if a.err == nil {
				dataKey, a.err = a.try()
			}
			if a.err == nil {
				return dataKey, a.keyID, nil
			}
			failed.Errors = append(failed.Errors, &DataKeyError{Index: i + 1, ProviderID: edk.ProviderID, KeyID: a.keyID, Err: a.err})
		}
	}
	return nil, "", failed
}

// attempt is one way to decrypt an encrypted data key: with one KMS key.
// err set means it was refused before any call.
type attempt struct {
	keyID string
	try   func() ([]byte, error)
	err   error
}

// keyARN matches a KMS key ARN: arn:partition:kms:region:account:key/id.
var keyARN = regexp.MustCompile(`^arn:(aws[a-z-]*):kms:([a-z0-9-]+):([0-9]{12}):key/([A-Za-z0-9-]+)$`)

// sameKey reports whether a configured key ARN decrypts what an encrypted
// data key names (framework/aws-kms/aws-kms-mrk-match-for-decrypt.md): the
// same ARN, or two multi-Region keys ("mrk-" IDs) that differ in Region
// only.
func sameKey(configured, named string) bool {
	if configured == named {
		return true
	}
	a, b := keyARN.FindStringSubmatch(configured), keyARN.FindStringSubmatch(named)
	if a == nil || b == nil || !strings.HasPrefix(a[4], "mrk-") {
		return false
	}
	return a[1] == b[1] && a[3] == b[3] && a[4] == b[4]
}

func (d *dataKeyDecrypter) rsaAttempts(edk esdkformat.EncryptedDataKey) []attempt {
	named := string(edk.ProviderInfo)
	fail := func(err error) []attempt { return []attempt{{keyID: named, err: err}} }
	if !keyARN.MatchString(named) {
		return fail(fmt.Errorf("the key provider information %.200q is not a KMS key ARN", named))
	}
	if d.suite.Signed() {
		// framework/aws-kms/aws-kms-rsa-keyring.md: OnDecrypt MUST fail
		// for a suite with an asymmetric signature.
		return fail(errors.New("the AWS KMS RSA keyring does not open messages with a signed algorithm suite"))
	}
	var out []attempt
	for _, k := range d.opts.Keys {
		if k.KeyUsage() != types.KeyUsageTypeEncryptDecrypt || !sameKey(k.KeyID(), named) {
			continue
		}
		algs := k.EncryptionAlgorithms()
		if d.opts.EncryptionAlgorithm != "" {
			algs = []types.EncryptionAlgorithmSpec{d.opts.EncryptionAlgorithm}
		}
		out = append(out, d.rsaAttempt(k.KeyID(), algs, edk.Ciphertext))
	}
	if len(out) == 0 && d.opts.Discovery {
		algs := discoveryAlgorithms(len(edk.Ciphertext))
		if d.opts.EncryptionAlgorithm != "" {
			algs = []types.EncryptionAlgorithmSpec{d.opts.EncryptionAlgorithm}
		}
		if len(algs) == 0 {
			return fail(fmt.Errorf("a %d-byte ciphertext is not RSA-OAEP under any KMS RSA key", len(edk.Ciphertext)))
		}
		out = append(out, d.rsaAttempt(named, algs, edk.Ciphertext))
	}
	return out
}

// discoveryAlgorithms returns the OAEP algorithms KMS offers for the RSA key
// whose ciphertexts are n bytes long.
func discoveryAlgorithms(n int) []types.EncryptionAlgorithmSpec {
	for _, s := range kmsrules.KeySpecs() {
		if s.Family == kmsrules.FamilyRSA && s.Size == 8*n {
			return s.EncryptionAlgorithmSpecs()
		}
	}
	return nil
}

func (d *dataKeyDecrypter) rsaAttempt(keyID string, algs []types.EncryptionAlgorithmSpec, ciphertext []byte) attempt {
	return attempt{keyID: keyID, try: func() ([]byte, error) {
		var lastErr error
		for _, alg := range algs {
			out, err := d.client.Decrypt(d.ctx, &kms.DecryptInput{
				KeyId:               aws.String(keyID),
				CiphertextBlob:      ciphertext,
				EncryptionAlgorithm: alg,
				GrantTokens:         d.opts.GrantTokens,
			}, d.opts.KMSOptions...)
			var invalid *types.InvalidCiphertextException
			if errors.As(err, &invalid) {
				// Another algorithm may be the one it was encrypted with.
				lastErr = err
				continue
			}
			if err != nil {
				return nil, err
			}
			return rsaDataKey(out, keyID, d.context)
		}
		return nil, lastErr
	}}
}

// rsaDataKey checks a KMS Decrypt answer for an aws-kms-rsa encrypted data
// key (framework/aws-kms/aws-kms-rsa-keyring.md, OnDecrypt) and returns the
// data key: the answer names the key asked, and its plaintext is the
// SHA-384 of the encryption context followed by a 32-byte data key.
func rsaDataKey(out *kms.DecryptOutput, keyID string, context []byte) ([]byte, error) {
	if got := aws.ToString(out.KeyId); got != keyID {
		return nil, fmt.Errorf("KMS Decrypt answered for key %.200q, not %s", got, keyID)
	}
	if len(out.Plaintext) != sha512.Size384+esdkformat.DataKeySize {
		return nil, fmt.Errorf("KMS Decrypt returned %d bytes; an aws-kms-rsa data key decrypts to %d", len(out.Plaintext), sha512.Size384+esdkformat.DataKeySize)
	}
	digest := sha512.Sum384(context)
	if subtle.ConstantTimeCompare(out.Plaintext[:sha512.Size384], digest[:]) != 1 {
		clear(out.Plaintext)
		return nil, errors.New("the encryption context digest in the data key does not match the message's encryption context")
	}
	return out.Plaintext[sha512.Size384:], nil
}

func (d *dataKeyDecrypter) ecdhAttempts(edk esdkformat.EncryptedDataKey) []attempt {
	info, infoErr := esdkformat.ParseECDHProviderInfo(edk.ProviderInfo)
	var out []attempt
	for _, k := range d.opts.Keys {
		if k.KeyUsage() != types.KeyUsageTypeKeyAgreement {
			continue
		}
		curve := lookupECDHCurve(k.KeySpec())
		if curve == nil {
			continue
		}
		if infoErr != nil {
			// Malformed: worth reporting once there is a key to try.
			return []attempt{{err: infoErr}}
		}
		pub, ok := k.CryptoPublicKey().(*ecdsa.PublicKey)
		if !ok {
			continue
		}
		point, err := curve.toPoint(pub)
		if err != nil || !bytes.Equal(curve.compress(point), info.Recipient) {
			continue
		}
		out = append(out, d.ecdhAttempt(k.KeyID(), curve, info, edk.Ciphertext))
	}
	return out
}

func (d *dataKeyDecrypter) ecdhAttempt(keyID string, curve *ecdhCurve, info *esdkformat.ECDHProviderInfo, ciphertext []byte) attempt {
	ct, err := esdkformat.ParseECDHCiphertext(ciphertext)
	if err != nil {
		return attempt{keyID: keyID, err: err}
	}
	sender, err := curve.decompress(info.Sender)
	if err != nil {
		return attempt{keyID: keyID, err: fmt.Errorf("the sender public key: %w", err)}
	}
	spki, err := curve.spki(sender)
	if err != nil {
		return attempt{keyID: keyID, err: fmt.Errorf("the sender public key: %w", err)}
	}
	return attempt{keyID: keyID, try: func() ([]byte, error) {
		out, err := d.client.DeriveSharedSecret(d.ctx, &kms.DeriveSharedSecretInput{
			KeyId:                 aws.String(keyID),
			KeyAgreementAlgorithm: types.KeyAgreementAlgorithmSpecEcdh,
			PublicKey:             spki,
			GrantTokens:           d.opts.GrantTokens,
		}, d.opts.KMSOptions...)
		if err != nil {
			return nil, err
		}
		defer clear(out.SharedSecret)
		switch {
		case aws.ToString(out.KeyId) != keyID:
			return nil, fmt.Errorf("KMS DeriveSharedSecret answered for key %.200q, not %s", aws.ToString(out.KeyId), keyID)
		case out.KeyAgreementAlgorithm != types.KeyAgreementAlgorithmSpecEcdh:
			return nil, fmt.Errorf("KMS DeriveSharedSecret answered with algorithm %.50q, not ECDH", out.KeyAgreementAlgorithm)
		case len(out.SharedSecret) != curve.size:
			return nil, fmt.Errorf("KMS DeriveSharedSecret returned a %d-byte secret; %s secrets are %d bytes", len(out.SharedSecret), curve.spec, curve.size)
		}
		return ecdhUnwrap(curve, out.SharedSecret, info, ct, d.context)
	}}
}
