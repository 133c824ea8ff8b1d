package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/jose"
)

// The JOSE commands: get-jwks and verify-jwt (offline, like verify) and
// sign-jwt (online, through KMS Sign). The library is package jose.

func init() {
	register(&command{
		name:      "get-jwks",
		operation: "GetPublicKey",
		summary:   "Print keys as a JSON Web Key Set (for jwks.json).",
		usage:     "get-jwks (--key-file <path> ... | --key-id <value> ...)\n       [--kid key-arn|thumbprint]",
		details: `Prints the keys as a JWK Set (RFC 7517): RSA and EC keys (secp256k1 as in
RFC 8812), Ed25519 as OKP (RFC 8037), ML-DSA as AKP (RFC 9964). "use" is
"sig" for SIGN_VERIFY keys and "enc" for ENCRYPT_DECRYPT and KEY_AGREEMENT
ones; "alg" is set when the key offers exactly one JOSE algorithm (an RSA
key listing six has none, and a verifier takes any its key type allows).
"kid" is the key ARN, or with --kid thumbprint the RFC 7638 thumbprint.
SM2 and ML-KEM keys have no JOSE form and are refused.
`,
		options: concatOptions(messageKeyOptions("At least one key is required."), []option{
			{name: "kid", help: "The JWK \"kid\": key-arn (the default) or thumbprint (RFC 7638, SHA-256)."},
		}, onlineOptions),
		run: runGetJWKS,
	})
	register(&command{
		name:      "verify-jwt",
		operation: "Verify",
		summary:   "Verify a JWT offline; print its header and claims.",
		usage: "verify-jwt (--key-file <path> ... | --key-id <value> ...)\n" +
			"       --token <value> [--leeway <value>] [--audience <value>]\n" +
			"       [--issuer <value>]",
		details: `Verifies a JWT (JWS compact serialization) with the keys, offline. The
signature goes through the same checks as verify: the key's usage, its
algorithm list (a PS256 token for a key offering only ES256 is KMS's
InvalidKeyUsageException), RSASSA-PSS with salt = hash length, and so on.
On top of that the token is refused when its "alg" is none, HMAC (a public
key is never an HMAC secret), JWE or unknown, when its "alg" does not fit
the key (ES256 for a secp256k1 key), when its "kid" names none of the keys,
when its "crit" lists anything, when "exp" has passed or "nbf" is ahead
(beyond --leeway), or when --audience / --issuer do not match.

A valid token prints {"KeyId", "SigningAlgorithm", "Header", "Claims"},
header and claims as signed. Refusals exit with status 254: KMS's own
exceptions in the AWS CLI's words (KMSInvalidSignatureException for a
signature that does not verify), and the other refusals as "Token
refused (<kind>): <reason>".
`,
		options: concatOptions(messageKeyOptions("At least one key is required."), []option{
			{name: "token", required: true, help: "The JWT, or file://PATH of a file holding it."},
			{name: "leeway", help: "Clock skew allowed for exp and nbf: a duration (30s, 2m) or seconds (default 0)."},
			{name: "audience", help: "Require \"aud\" to name this audience."},
			{name: "issuer", help: "Require \"iss\" to be this issuer."},
		}, onlineOptions),
		run: runVerifyJWT,
	})
	register(&command{
		name:      "sign-jwt",
		operation: "Sign",
		summary:   "Sign a JWT through KMS Sign (online) and print it.",
		usage: "sign-jwt --key-id <value> --claims <value>\n" +
			"       [--signing-algorithm <value>] [--expires-in <value>]\n" +
			"       [--grant-tokens <value> ...]",
		details: `Calls GetPublicKey, then KMS Sign, and prints the compact JWT: header
{"alg", "kid" (the key ARN), "typ": "JWT"}, the claims as given. Sign gets
the RAW signing input up to 4096 bytes and its SHA-2 DIGEST beyond (EdDSA
and ML-DSA tokens over 4096 bytes are refused before any call). The answer
is verified with the key before the token is printed. --signing-algorithm
is a JOSE name (ES256, RS256, PS384, ES256K, EdDSA, ML-DSA-65 …; default:
the key's first); --expires-in adds "iat" (now) and "exp" (now + the
duration).
`,
		options: concatOptions([]option{
			{name: "key-id", required: true, help: "The key: key ID, key ARN, alias name (alias/NAME) or alias ARN."},
			{name: "claims", required: true, help: "The JWT Claims Set, a JSON object: JSON text, or file://PATH of a file holding it."},
			{name: "signing-algorithm", help: "The JOSE algorithm (ES256, RS256, PS256, ES256K, EdDSA, ML-DSA-65, …)."},
			{name: "expires-in", help: "Add \"iat\" and \"exp\": a duration (1h, 15m) or seconds."},
		}, onlineOptions),
		run: runSignJWT,
	})
}

// loadSomeKeys is loadKeys (message_io.go) requiring at least one key.
func loadSomeKeys(ctx context.Context, a *args) ([]*kmspub.PublicKey, error) {
	if !a.has("key-file") && !a.has("key-id") {
		return nil, usageError("one of the arguments --key-id --key-file is required")
	}
	return loadKeys(ctx, a)
}

// jwksOutput is the JWK Set as printed.
type jwksOutput struct {
	Keys []*jose.JWK `json:"keys"`
}

func runGetJWKS(ctx context.Context, a *args, stdout io.Writer) error {
	var jwkOpts jose.JWKOptions
	switch a.get("kid") {
	case "", "key-arn":
	case "thumbprint":
		jwkOpts.ThumbprintKeyID = true
	default:
		return usageError("argument --kid: Invalid choice, valid choices are:\n\nkey-arn | thumbprint")
	}
	keys, err := loadSomeKeys(ctx, a)
	if err != nil {
		return err
	}
	out := jwksOutput{Keys: []*jose.JWK{}}
	for _, k := range keys {
		j, err := jose.NewJWK(k, func(o *jose.JWKOptions) { *o = jwkOpts })
		if err != nil {
			return keyError(a, k, err)
		}
		out.Keys = append(out.Keys, j)
	}
	return printJSON(stdout, out)
}

// keyError reports a key that has no JOSE form as a parameter error on
// the option that named it.
func keyError(a *args, k *kmspub.PublicKey, err error) error {
	name := "key-file"
	if !a.has("key-file") {
		name = "key-id"
	}
	return paramError(name, fmt.Sprintf("%s (%s): %v", k.KeyID(), k.KeySpec(), err))
}

// verifyJWTOutput is what verify-jwt prints.
type verifyJWTOutput struct {
	KeyId            string          `json:"KeyId,omitempty"`
	SigningAlgorithm string          `json:"SigningAlgorithm"`
	Header           json.RawMessage `json:"Header"`
	Claims           json.RawMessage `json:"Claims"`
}

func runVerifyJWT(ctx context.Context, a *args, stdout io.Writer) error {
	token, err := textParam("token", a.get("token"))
	if err != nil {
		return err
	}
	var leeway time.Duration
	if a.has("leeway") {
		if leeway, err = durationParam("leeway", a.get("leeway")); err != nil {
			return err
		}
	}
	opts := func(o *jose.VerifierOptions) {
		o.Leeway = leeway
		o.Audience = a.get("audience")
		o.Issuer = a.get("issuer")
	}
	keys, err := loadSomeKeys(ctx, a)
	if err != nil {
		return err
	}
	jwt, err := jose.NewVerifier(jose.StaticKeys(keys...), opts).VerifyJWT(ctx, []byte(token))
	if err != nil {
		return tokenError(err)
	}
	return printJSON(stdout, verifyJWTOutput{
		KeyId:            jwt.Key.KeyID(),
		SigningAlgorithm: string(jwt.SigningAlgorithm),
		Header:           jwt.Header.Protected,
		Claims:           jwt.Claims.Raw,
	})
}

// tokenError turns a refusal of the token into the CLI's error: KMS's
// exception as the AWS CLI prints it when KMS would have refused, else
// "Token refused (<kind>): <reason>"; either way exit status 254.
func tokenError(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		return err // operationError prints it as the AWS CLI does
	}
	var e *jose.Error
	if errors.As(err, &e) {
		return &cliError{exitService, fmt.Sprintf("Token refused (%s): %s", e.Kind, e.Reason)}
	}
	return err
}

func runSignJWT(ctx context.Context, a *args, stdout io.Writer) error {
	text, err := textParam("claims", a.get("claims"))
	if err != nil {
		return err
	}
	// The claims are signed as given, members in their order; the map
	// only checks that they are one object.
	var members map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&members); err != nil || members == nil {
		return paramError("claims", "Invalid JSON: the claims must be one JSON object")
	}
	if dec.More() {
		return paramError("claims", "Invalid JSON: data after the claims object")
	}
	claims := json.RawMessage(text)
	if a.has("expires-in") {
		d, err := durationParam("expires-in", a.get("expires-in"))
		if err != nil {
			return err
		}
		for _, m := range []string{"iat", "exp"} {
			if _, ok := members[m]; ok {
				return usageError("argument --expires-in: not allowed with claims that have %q", m)
			}
		}
		now := time.Now()
		body := strings.TrimSuffix(strings.TrimSpace(text), "}")
		if len(members) > 0 {
			body += ","
		}
		claims = json.RawMessage(fmt.Sprintf(`%s"iat":%d,"exp":%d}`, body, now.Unix(), now.Add(d).Unix()))
	}
	client, err := newKMSClient(ctx, a)
	if err != nil {
		return err
	}
	out, err := client.GetPublicKey(ctx, getPublicKeyInput(a))
	if err != nil {
		return operationError("GetPublicKey", err)
	}
	key, err := kmspub.FromGetPublicKeyOutput(out)
	if err != nil {
		return &cliError{exitGeneral, fmt.Sprintf("GetPublicKey for %s returned a key kmspub refuses: %v", a.get("key-id"), err)}
	}
	signer, err := jose.NewSigner(client, key, a.get("signing-algorithm"), func(o *jose.SignerOptions) {
		o.GrantTokens = a.list["grant-tokens"]
	})
	if err != nil {
		return tokenError(err)
	}
	token, err := signer.SignJWT(ctx, claims)
	if err != nil {
		return signError(err)
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

func getPublicKeyInput(a *args) *kms.GetPublicKeyInput {
	return &kms.GetPublicKeyInput{KeyId: aws.String(a.get("key-id")), GrantTokens: a.list["grant-tokens"]}
}

// signError reports a failed signing: KMS's own refusal as the AWS CLI
// prints it; an input Sign would refuse, or an answer kmspub cannot vouch
// for, in kmspub's words.
func signError(err error) error {
	var e *jose.Error
	if errors.As(err, &e) {
		var api smithy.APIError
		if errors.As(err, &api) && e.Kind != jose.ErrKMSAnswer {
			return err
		}
		status := exitService
		if e.Kind == jose.ErrKMSAnswer {
			status = exitGeneral
		}
		return &cliError{status, fmt.Sprintf("Signing refused (%s): %v", e.Kind, strings.TrimPrefix(e.Error(), "jose: "+e.Kind.Error()+": "))}
	}
	return err
}

// textParam reads a text parameter: file://PATH (or fileb://PATH) is the
// file's text, anything else is the value itself; surrounding whitespace is
// dropped. Values are never echoed in errors.
func textParam(name, value string) (string, error) {
	if strings.HasPrefix(value, prefixFileText) || strings.HasPrefix(value, prefixFileBinary) {
		data, err := readParamFile(value, name)
		if err != nil {
			return "", err
		}
		return string(bytes.TrimSpace(data)), nil
	}
	return strings.TrimSpace(value), nil
}

// durationParam reads a Go duration (30s, 2m) or a whole number of seconds.
func durationParam(name, value string) (time.Duration, error) {
	if n, err := strconv.ParseInt(value, 10, 64); err == nil && n >= 0 && n <= 1<<31 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 {
		return 0, paramError(name, "expected a duration such as 30s or 5m, or a number of seconds")
	}
	return d, nil
}
