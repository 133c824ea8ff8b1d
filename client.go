package kmspub

import (
	"context"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub/internal/kmserr"
	"github.com/kmspub/kmspub/internal/kmsrules"
)

// The KMS calls a service makes with public keys, one interface each, so
// that code written against *kms.Client takes a [Client] unchanged: a
// function that takes a VerifyAPIClient accepts either. kmspub itself does
// not call them yet; the Client will, to pass operations on keys it cannot
// serve offline (symmetric and HMAC keys) to the client it wraps.
type (
	// VerifyAPIClient is KMS Verify.
	VerifyAPIClient interface {
		Verify(ctx context.Context, params *kms.VerifyInput, optFns ...func(*kms.Options)) (*kms.VerifyOutput, error)
	}
	// EncryptAPIClient is KMS Encrypt.
	EncryptAPIClient interface {
		Encrypt(ctx context.Context, params *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	}
	// EncapsulateAPIClient is KMS Encapsulate.
	EncapsulateAPIClient interface {
		Encapsulate(ctx context.Context, params *kms.EncapsulateInput, optFns ...func(*kms.Options)) (*kms.EncapsulateOutput, error)
	}
)

// Both the SDK's client and the offline one satisfy every interface.
var (
	_ VerifyAPIClient       = (*kms.Client)(nil)
	_ EncryptAPIClient      = (*kms.Client)(nil)
	_ EncapsulateAPIClient  = (*kms.Client)(nil)
	_ GetPublicKeyAPIClient = (*kms.Client)(nil)
	_ DescribeKeyAPIClient  = (*kms.Client)(nil)

	_ VerifyAPIClient       = (*Client)(nil)
	_ EncryptAPIClient      = (*Client)(nil)
	_ EncapsulateAPIClient  = (*Client)(nil)
	_ GetPublicKeyAPIClient = (*Client)(nil)
	_ GetPublicKeyAPIClient = (*Keyring)(nil)
)

// Client is a drop-in, offline stand-in for the public-key operations of
// *kms.Client. Its methods have exactly the SDK's signatures and return the
// SDK's output types and errors, but do the work locally with public keys
// from a [Keyring]: after the first GetPublicKey for a key, Verify, Encrypt
// and Encapsulate make no KMS call at all. A service switches by changing
// the constructor (see the example for [NewClient]).
//
// What each operation honours:
//
//   - Verify: KeyId, Message, MessageType, Signature, SigningAlgorithm and
//     DryRun, checked as [PublicKey.Verify] documents. A valid signature
//     gives KeyId (the key ARN), SignatureValid true and SigningAlgorithm; an
//     invalid one gives *types.KMSInvalidSignatureException, never
//     SignatureValid false — as KMS.
//   - Encrypt: KeyId, Plaintext, EncryptionAlgorithm and DryRun, checked as
//     [PublicKey.Encrypt] documents. EncryptionContext must be empty: KMS
//     does not support an encryption context with asymmetric keys (SDK
//     Encrypt documentation), and a non-empty one gives a
//     ValidationException "EncryptionContext is not supported when
//     encrypting/decrypting with asymmetric CMKs." (the exception and text
//     several KMS emulators return; AWS's own wording is not recorded).
//   - Encapsulate: KeyId, EncapsulationAlgorithm and DryRun, as
//     [PublicKey.Encapsulate] documents.
//   - GetPublicKey: KeyId; the answer is the cached key's.
//
// GrantTokens are accepted and ignored everywhere: offline there are no
// grants. Authorization is a local [Policy] ([ClientOptions.Policy]), the
// key's KMS state is checked only with [ClientOptions.KeyStateCheck], and
// the record KMS would write to CloudTrail goes to
// [ClientOptions.AuditLogger].
//
// DryRun=true runs every check and the operation itself, discards the
// result, and returns *types.DryRunOperationException "The request would
// have succeeded, but the DryRun option is set." when it would have
// succeeded, or the refusal when not.
//
// Order of checks: the SDK's required members (KeyId, and per operation
// Message, Signature, SigningAlgorithm, Plaintext, EncapsulationAlgorithm),
// refused as the SDK refuses them, with a smithy.InvalidParamsError before
// any request; then the policy on what the KeyId shows; the key from the
// Keyring (a GetPublicKey only on a miss); the policy on the key ARN; the
// key state; and last the operation's own checks (for Encrypt, the
// encryption context first) and cryptography. The operation's checks include
// request-shape ones KMS may make before it looks the key up (a message
// over 4096 bytes, an unknown algorithm): for a request with two faults, a
// Client can report the key's (NotFoundException, AccessDeniedException…)
// where KMS would report the ValidationException.
//
// Every error is wrapped, as the SDK wraps it, in a *smithy.OperationError
// naming service "KMS" and the operation, so errors.As finds both it and the
// exception inside (an HTTP response error is absent: there was no request).
//
// What an offline client cannot do, and so does not offer: Sign, Decrypt,
// Decapsulate and DeriveSharedSecret all need the private key, which only
// KMS holds. DeriveSharedSecret is deliberately absent rather than present
// and failing: KMS's input carries the peer's public key and KMS combines it
// with its own private key, so offline there is nothing to compute it
// with, and a missing method is a compile-time error where a stub would be a
// run-time one. The offline party's side of ECDH is
// [PublicKey.DeriveSharedSecret].
//
// A Client is safe for concurrent use.
type Client struct {
	keys   *Keyring
	policy *Policy
	states *keyStates
	audit  *slog.Logger
}

// ClientOptions configures a [Client]. Every field is off by default;
// [NewClient] calls each function it was given with the options, as the AWS
// SDK's service clients do:
//
//	client := kmspub.NewClient(kmsClient, func(o *kmspub.ClientOptions) {
//		o.Policy = &kmspub.Policy{AllowedAccounts: []string{"111122223333"}}
//	})
type ClientOptions struct {
	// Policy, when set, makes the Client refuse requests it does not allow
	// (see [Policy]). It is copied when the Client is made.
	Policy *Policy

	// KeyStateCheck, when set, makes the Client ask KMS whether a key may
	// still be used (see [KeyStateCheck]).
	KeyStateCheck *KeyStateCheck

	// AuditLogger, when set, makes the Client write one record to it for
	// every operation it performs, standing in for the CloudTrail record KMS
	// would have written. A record has the message "kmspub offline
	// operation", the time (from the Keyring's clock), level Info when the
	// request succeeded (or would have, under DryRun) and Warn otherwise,
	// and these attributes:
	//
	//	operation     "Verify", "Encrypt", "Encapsulate" or "GetPublicKey"
	//	key_id        the KeyId as the request gave it
	//	key_arn       the key ARN it resolved to (absent when it did not resolve)
	//	algorithm     the signing, encryption or encapsulation algorithm requested
	//	message_type  Verify only: RAW, DIGEST or EXTERNAL_MU
	//	dry_run       true when the request set DryRun
	//	outcome       "ok", or the error code of the refusal or failure (for
	//	              example "KMSInvalidSignatureException", "AccessDeniedException",
	//	              "DryRunOperationException"), or "error" for an error without one
	//
	// A record never holds the message, plaintext, signature, ciphertext,
	// shared secret or error message — only the names above — so audit logs
	// can be kept and shipped without becoming sensitive. A key_id,
	// algorithm or message_type over 2048 bytes (KMS's longest KeyId; such a
	// request is refused) is cut there and ends with "…", so no request
	// makes a record of unbounded size.
	AuditLogger *slog.Logger
}

// NewClient returns an offline client that takes keys from keys, configured
// by optFns (see [ClientOptions]): a *[Keyring] is used as it is (with its
// TTLs, clock and error handler); any other GetPublicKeyAPIClient —
// typically the service's *kms.Client — is wrapped in NewKeyring(keys) with
// the default settings.
func NewClient(keys GetPublicKeyAPIClient, optFns ...func(*ClientOptions)) *Client {
	r, ok := keys.(*Keyring)
	switch {
	case ok && r == nil:
		r = NewKeyring(nil) // a nil *Keyring: no keys and no client
	case !ok:
		r = NewKeyring(keys)
	}
	var o ClientOptions
	for _, fn := range optFns {
		fn(&o)
	}
	c := &Client{keys: r, audit: o.AuditLogger}
	if o.Policy != nil {
		c.policy = o.Policy.clone()
	}
	if o.KeyStateCheck != nil {
		c.states = newKeyStates(o.KeyStateCheck, r)
	}
	return c
}

// Keyring returns the Keyring the client takes its keys from.
func (c *Client) Keyring() *Keyring { return c.keys }

// Verify is KMS Verify, offline. See [Client] for what it honours.
func (c *Client) Verify(ctx context.Context, params *kms.VerifyInput, optFns ...func(*kms.Options)) (*kms.VerifyOutput, error) {
	if params == nil {
		params = &kms.VerifyInput{}
	}
	messageType := params.MessageType
	if messageType == "" {
		messageType = types.MessageTypeRaw
	}
	rec := &auditRecord{
		operation:   kmserr.OpVerify,
		keyID:       aws.ToString(params.KeyId),
		algorithm:   string(params.SigningAlgorithm),
		messageType: string(messageType),
		dryRun:      aws.ToBool(params.DryRun),
	}
	out, err := func() (*kms.VerifyOutput, error) {
		if err := checkSDKRequired(params); err != nil {
			return nil, err
		}
		k, err := c.key(ctx, rec, true, optFns)
		if err != nil {
			return nil, err
		}
		if err := k.Verify(params.Message, params.MessageType, params.SigningAlgorithm, params.Signature); err != nil {
			return nil, err
		}
		if rec.dryRun {
			return nil, kmserr.DryRun()
		}
		return &kms.VerifyOutput{
			KeyId:            aws.String(k.keyID),
			SignatureValid:   true,
			SigningAlgorithm: params.SigningAlgorithm,
		}, nil
	}()
	return finish(ctx, c, rec, out, err)
}

// Encrypt is KMS Encrypt, offline. See [Client] for what it honours.
func (c *Client) Encrypt(ctx context.Context, params *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	if params == nil {
		params = &kms.EncryptInput{}
	}
	rec := &auditRecord{
		operation: kmserr.OpEncrypt,
		keyID:     aws.ToString(params.KeyId),
		algorithm: string(params.EncryptionAlgorithm),
		dryRun:    aws.ToBool(params.DryRun),
	}
	out, err := func() (*kms.EncryptOutput, error) {
		if err := checkSDKRequired(params); err != nil {
			return nil, err
		}
		k, err := c.key(ctx, rec, true, optFns)
		if err != nil {
			return nil, err
		}
		if err := kmsrules.CheckEncryptionContext(len(params.EncryptionContext)); err != nil {
			return nil, err
		}
		ciphertext, err := k.Encrypt(params.Plaintext, params.EncryptionAlgorithm)
		if err != nil {
			return nil, err
		}
		if rec.dryRun {
			return nil, kmserr.DryRun()
		}
		return &kms.EncryptOutput{
			CiphertextBlob:      ciphertext,
			EncryptionAlgorithm: params.EncryptionAlgorithm,
			KeyId:               aws.String(k.keyID),
		}, nil
	}()
	return finish(ctx, c, rec, out, err)
}

// Encapsulate is KMS Encapsulate, offline. See [Client] for what it honours.
func (c *Client) Encapsulate(ctx context.Context, params *kms.EncapsulateInput, optFns ...func(*kms.Options)) (*kms.EncapsulateOutput, error) {
	if params == nil {
		params = &kms.EncapsulateInput{}
	}
	rec := &auditRecord{
		operation: kmserr.OpEncapsulate,
		keyID:     aws.ToString(params.KeyId),
		algorithm: string(params.EncapsulationAlgorithm),
		dryRun:    aws.ToBool(params.DryRun),
	}
	out, err := func() (*kms.EncapsulateOutput, error) {
		if err := checkSDKRequired(params); err != nil {
			return nil, err
		}
		k, err := c.key(ctx, rec, true, optFns)
		if err != nil {
			return nil, err
		}
		secret, ciphertext, err := k.Encapsulate(params.EncapsulationAlgorithm)
		if err != nil {
			return nil, err
		}
		if rec.dryRun {
			clear(secret)
			return nil, kmserr.DryRun()
		}
		return &kms.EncapsulateOutput{
			EncapsulationAlgorithm:     params.EncapsulationAlgorithm,
			KeyId:                      aws.String(k.keyID),
			SharedSecret:               secret,
			SharedSecretCiphertextBlob: ciphertext,
		}, nil
	}()
	return finish(ctx, c, rec, out, err)
}

// GetPublicKey is KMS GetPublicKey, answered from the Keyring: a KMS call
// is made only on a miss. The key state is not checked (KMS returns the
// public key of a disabled key too); the policy is.
func (c *Client) GetPublicKey(ctx context.Context, params *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	if params == nil {
		params = &kms.GetPublicKeyInput{}
	}
	rec := &auditRecord{operation: kmserr.OpGetPublicKey, keyID: aws.ToString(params.KeyId)}
	out, err := func() (*kms.GetPublicKeyOutput, error) {
		if err := checkSDKRequired(params); err != nil {
			return nil, err
		}
		k, err := c.key(ctx, rec, false, optFns)
		if err != nil {
			return nil, err
		}
		return k.GetPublicKeyOutput(), nil
	}()
	return finish(ctx, c, rec, out, err)
}

// key returns the request's key once the policy allows it and, for the
// cryptographic operations, its KMS state does.
func (c *Client) key(ctx context.Context, rec *auditRecord, checkState bool, optFns []func(*kms.Options)) (*PublicKey, error) {
	if err := c.policy.allowBeforeFetch(rec.operation, rec.keyID); err != nil {
		return nil, err
	}
	k, err := c.keys.Get(ctx, rec.keyID, optFns...)
	if err != nil {
		return nil, err
	}
	rec.keyARN = k.keyID
	if err := c.policy.allowKey(rec.operation, k.keyID); err != nil {
		return nil, err
	}
	if checkState && c.states != nil {
		if err := c.states.check(ctx, k.keyID, optFns); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// finish writes the audit record and wraps an error as the SDK does.
func finish[O any](ctx context.Context, c *Client, rec *auditRecord, out *O, err error) (*O, error) {
	c.log(ctx, rec, err)
	if err != nil {
		return nil, &smithy.OperationError{ServiceID: kms.ServiceID, OperationName: rec.operation, Err: err}
	}
	return out, nil
}
