package kmspub

import (
	"context"
	"errors"
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
// function that takes a VerifyAPIClient accepts either. The Client also
// uses them to pass requests on keys it cannot serve offline (symmetric and
// HMAC keys) to the client it wraps, when that client has the method.
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

// Client is a drop-in stand-in for the public-key operations of
// *kms.Client. Its methods have exactly the SDK's signatures and return the
// SDK's output types and errors, but do the work locally with public keys
// from a [Keyring]: after the first GetPublicKey for a key, Verify, Encrypt
// and Encapsulate make no KMS call at all. A service switches by changing
// the constructor (see the example for [NewClient]).
//
// What is offline and what is not:
//
//   - Asymmetric keys: Verify, Encrypt, Encapsulate and GetPublicKey are
//     answered offline, from the key GetPublicKey returned once.
//   - Symmetric (SYMMETRIC_DEFAULT) and HMAC keys have no public key
//     (GetPublicKey answers UnsupportedOperationException). Verify, Encrypt
//     and Encapsulate naming one are passed on, unchanged, to the client
//     the Client wraps when it has that method (*kms.Client has all three),
//     and its answer is returned as it is — KMS encrypts with a symmetric
//     key, and refuses Verify with InvalidKeyUsageException — so the swap is
//     drop-in for every key. When the wrapped client lacks the method, the
//     Client answers what KMS would, as far as it can know it: with a
//     DescribeKey client ([ClientOptions.KeyStateCheck]), Verify and
//     Encapsulate get KMS's InvalidKeyUsageException naming the key's usage
//     ("<arn> key usage is ENCRYPT_DECRYPT which is not valid for Verify.",
//     GENERATE_VERIFY_MAC for an HMAC key), Encrypt with an HMAC key too,
//     and Encrypt with a symmetric key its key-state refusal or else an
//     UnsupportedOperationException (only KMS can encrypt with it); without
//     one, Verify and Encapsulate get an InvalidKeyUsageException that
//     cannot name the usage, and Encrypt the UnsupportedOperationException.
//     GetPublicKey gets KMS's refusal again. The Client remembers that the
//     name is such a key — a key ARN for ever, another name for the
//     Keyring's TTL — so it does not ask GetPublicKey again.
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
//     several KMS emulators return; AWS's own wording is not recorded,
//     docs/KMS-RULES.md §9).
//   - Encapsulate: KeyId, EncapsulationAlgorithm and DryRun, as
//     [PublicKey.Encapsulate] documents.
//   - GetPublicKey: KeyId; the answer is the cached key's.
//
// GrantTokens are accepted and ignored offline: there are no grants.
// Authorization is a local [Policy] ([ClientOptions.Policy]), the key's KMS
// state is checked only with [ClientOptions.KeyStateCheck], and the record
// KMS would write to CloudTrail goes to [ClientOptions.AuditLogger].
//
// DryRun=true runs every check and the operation itself, discards the
// result, and returns *types.DryRunOperationException "The request would
// have succeeded, but the DryRun option is set." when it would have
// succeeded, or the refusal when not.
//
// Order of checks, KMS's (docs/KMS-RULES.md §7.3): first the SDK's required
// members (KeyId, and per operation Message, Signature, SigningAlgorithm,
// Plaintext, EncapsulationAlgorithm), refused as the SDK refuses them, with
// a smithy.InvalidParamsError, before any request — so the Client, like
// *kms.Client, never answers KMS's "Value null at …"; then the request
// against the KMS API model, KeyId included (lengths, the ASCII-only
// KeyId, enum values), every violation listed in one ValidationException,
// before the key is looked up; the policy on what the KeyId shows; the key
// from the Keyring (a GetPublicKey only on a miss); the policy on the key
// ARN; the key's usage; its state (with a key-state check: GetPublicKey is
// refused for a key pending deletion or import, not for a disabled one);
// and last the operation's own checks and cryptography (for Encrypt the
// algorithm, the plaintext's size, then the encryption context).
//
// Every error is returned as *kms.Client returns it: wrapped once in a
// *smithy.OperationError naming service "KMS" and the operation, so
// errors.As finds both it and the exception inside. An error from the
// client the Client wraps — its GetPublicKey or DescribeKey answer — keeps
// what the SDK put inside (the HTTP response error with its request ID, and
// the exception), under the name of the operation called; an answer of a
// request passed on is returned unchanged. (A refusal made offline has no
// HTTP response error: there was no request.)
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
	keys     *Keyring
	policy   *Policy
	states   *keyStates
	audit    *slog.Logger
	forward  forwardClients       // the wrapped client's methods, for keys that are not asymmetric
	describe DescribeKeyAPIClient // KeyStateCheck's client, nil without one
	kinds    keyKinds             // names known not to be asymmetric keys (forward.go)
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
	// still be used (see [KeyStateCheck]). Its DescribeKey client also tells
	// the Client the usage of a symmetric or HMAC key when the wrapped
	// client cannot take the request (see [Client]).
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
	// can be kept and shipped without becoming sensitive. In key_id,
	// algorithm and message_type, which the caller chose, characters that
	// are not graphic (control and format characters such as U+202E,
	// invalid UTF-8) and the backslash are escaped (\u202e, \xff, \\),
	// and a value over 2048 bytes (KMS's longest KeyId; such a request is
	// refused) is cut there, between characters, and ends with "…": no
	// request can disguise a record or make one of unbounded size.
	AuditLogger *slog.Logger
}

// NewClient returns a client that takes keys from keys, configured by
// optFns (see [ClientOptions]): a *[Keyring] is used as it is (with its
// TTLs, clock and error handler); any other GetPublicKeyAPIClient —
// typically the service's *kms.Client — is wrapped in NewKeyring(keys) with
// the default settings. Requests on symmetric and HMAC keys are passed on
// to that client (the Keyring's, for a Keyring) when it has the method:
// see [Client].
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
	c := &Client{keys: r, audit: o.AuditLogger, forward: newForwardClients(r.client)}
	if o.Policy != nil {
		c.policy = o.Policy.clone()
	}
	if o.KeyStateCheck != nil {
		c.states = newKeyStates(o.KeyStateCheck, r)
		c.describe = o.KeyStateCheck.Client
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
		model, req := verifyInputModel(params)
		if err := model.err(); err != nil {
			return nil, err
		}
		k, kind, err := c.key(ctx, rec, &opVerify, optFns)
		if kind != nil {
			return passOn(ctx, c, rec, kind, opVerify, c.forward.verify, params, func(o *kms.VerifyOutput) *string { return o.KeyId }, optFns)
		}
		if err != nil {
			return nil, err
		}
		if err := k.verifyChecked(req); err != nil {
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
		if err := encryptInputModel(params).err(); err != nil {
			return nil, err
		}
		k, kind, err := c.key(ctx, rec, &opEncrypt, optFns)
		if kind != nil {
			return passOn(ctx, c, rec, kind, opEncrypt, c.forward.encrypt, params, func(o *kms.EncryptOutput) *string { return o.KeyId }, optFns)
		}
		if err != nil {
			return nil, err
		}
		row, err := k.encryptionRule(len(params.Plaintext), params.EncryptionAlgorithm)
		if err != nil {
			return nil, err
		}
		// Where KMS checks the encryption context is unknown; kmspub checks
		// it last, after the algorithm and the plaintext's size
		// (docs/KMS-RULES.md §7.3).
		if err := kmsrules.CheckEncryptionContext(len(params.EncryptionContext)); err != nil {
			return nil, err
		}
		ciphertext, err := k.encryptWith(row, params.Plaintext)
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
		if err := encapsulateInputModel(params).err(); err != nil {
			return nil, err
		}
		k, kind, err := c.key(ctx, rec, &opEncapsulate, optFns)
		if kind != nil {
			return passOn(ctx, c, rec, kind, opEncapsulate, c.forward.encapsulate, params, func(o *kms.EncapsulateOutput) *string { return o.KeyId }, optFns)
		}
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
// is made only on a miss. The policy is checked, and with a key-state check
// the key's state as KMS's GetPublicKey checks it: a key pending deletion
// is refused with *types.KMSInvalidStateException "<arn> is pending
// deletion." (and pending import likewise), while a disabled key's public
// key is returned, as KMS returns it (docs/KMS-RULES.md §7.3, §13.1 rows 5a,
// 5b).
func (c *Client) GetPublicKey(ctx context.Context, params *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	if params == nil {
		params = &kms.GetPublicKeyInput{}
	}
	rec := &auditRecord{operation: kmserr.OpGetPublicKey, keyID: aws.ToString(params.KeyId)}
	out, err := func() (*kms.GetPublicKeyOutput, error) {
		if err := checkSDKRequired(params); err != nil {
			return nil, err
		}
		if err := checkKeyID(*params.KeyId); err != nil {
			return nil, err
		}
		k, kind, err := c.key(ctx, rec, nil, optFns)
		switch {
		case kind != nil:
			return nil, c.getPublicKeyNotAsymmetric(ctx, rec, kind, optFns)
		case err != nil:
			return nil, err
		}
		return k.GetPublicKeyOutput(), nil
	}()
	return finish(ctx, c, rec, out, err)
}

// key returns the request's key once the policy allows it, its usage fits
// op and then its KMS state allows op — usage before state, as KMS checks
// them (docs/KMS-RULES.md §7.3). op is nil for GetPublicKey, whose state
// check refuses only what KMS's GetPublicKey refuses. For a name that is
// not an asymmetric key (GetPublicKey refused it as such, now or earlier)
// it returns what is known about it instead.
func (c *Client) key(ctx context.Context, rec *auditRecord, op *operation, optFns []func(*kms.Options)) (*PublicKey, *keyKind, error) {
	if _, err := c.policy.allowBeforeFetch(rec.operation, rec.keyID); err != nil {
		return nil, nil, err
	}
	if kind := c.kinds.get(rec.keyID, c.keys.now()); kind != nil {
		return nil, kind, nil
	}
	k, err := c.keys.get(ctx, rec.keyID, optFns, c.policy.keeps(rec.operation))
	if err != nil {
		if kind := c.kinds.learn(rec.keyID, err, c.keys.now(), c.keys.cache.fresh, c.keys.maxNames); kind != nil {
			return nil, kind, nil
		}
		return nil, nil, c.policy.lookupFailed(ctx, rec.operation, rec.keyID, err)
	}
	rec.keyARN = k.keyID
	if err := c.policy.allowResolved(rec.operation, rec.keyID, k.keyID); err != nil {
		return nil, nil, err
	}
	if op != nil {
		if err := k.allowsUsage(*op); err != nil {
			return nil, nil, err
		}
	}
	if c.states != nil {
		check := c.states.check
		if op == nil {
			check = c.getPublicKeyState
		}
		if err := check(ctx, k.keyID, optFns); err != nil {
			return nil, nil, err
		}
	}
	return k, nil, nil
}

// getPublicKeyState is the key-state check of GetPublicKey: KMS refuses a
// key pending deletion or import, and returns a disabled key's public key
// (docs/KMS-RULES.md §7.3, §13.1 rows 5a, 5b). The key-state check refuses a
// disabled key exactly with DisabledException, so that one is let through.
func (c *Client) getPublicKeyState(ctx context.Context, keyARN string, optFns []func(*kms.Options)) error {
	err := c.states.check(ctx, keyARN, optFns)
	var disabled *types.DisabledException
	if errors.As(err, &disabled) {
		return nil
	}
	return err
}

// finish writes the audit record and returns err as *kms.Client would.
func finish[O any](ctx context.Context, c *Client, rec *auditRecord, out *O, err error) (*O, error) {
	c.log(ctx, rec, err)
	if err != nil {
		return nil, operationError(rec.operation, err)
	}
	return out, nil
}

// operationError is err as *kms.Client returns an error from operation op:
// wrapped once in a *smithy.OperationError naming KMS and op. An error that
// is one already comes from the client the Client wraps: the answer of a
// request passed on (op's own) is returned unchanged, and a GetPublicKey or
// DescribeKey answer keeps what it wraps — the HTTP response error with its
// request ID, and the exception — under op's name, not wrapped twice.
func operationError(op string, err error) error {
	if oe, ok := err.(*smithy.OperationError); ok {
		if oe.OperationName == op {
			return oe
		}
		return &smithy.OperationError{ServiceID: oe.ServiceID, OperationName: op, Err: oe.Err}
	}
	return &smithy.OperationError{ServiceID: kms.ServiceID, OperationName: op, Err: err}
}
