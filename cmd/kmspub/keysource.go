package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// Options that choose the key every offline operation works with.
var keyOptions = []option{
	{name: "key-id", help: "Fetch the key from KMS with one GetPublicKey call (through the\n" +
		"default AWS configuration), then work offline. A key ID, key ARN,\n" +
		"alias name (alias/NAME) or alias ARN. Exclusive with --key-file."},
	{name: "key-file", value: "<path>", help: "Work offline with a saved key: the JSON `aws kms get-public-key`\n" +
		"prints (taken unchanged), or a bare public key (PEM \"PUBLIC KEY\",\n" +
		"DER, or base64 DER) together with --key-spec and --key-usage.\n" +
		"A fileb:// or file:// prefix is allowed."},
	{name: "key-spec", help: "For a bare --key-file: the key spec, one of\n" + keySpecNames() + "."},
	{name: "key-usage", help: "For a bare --key-file: the key usage, one of " + keyUsageNames() + "."},
	{name: "key-arn", help: "For a bare --key-file: the key ARN to report as KeyId (optional; without\nit the output has no KeyId)."},
	{name: "signing-algorithms", kind: listValue, help: "For a bare --key-file: the SigningAlgorithms KMS lists for the key\n" +
		"(optional; default: every algorithm KMS offers for the key spec)."},
	{name: "encryption-algorithms", kind: listValue, help: "For a bare --key-file: the EncryptionAlgorithms (optional, as above)."},
	{name: "key-agreement-algorithms", kind: listValue, help: "For a bare --key-file: the KeyAgreementAlgorithms (optional, as above)."},
	{name: "encapsulation-algorithms", kind: listValue, help: "For a bare --key-file: the EncapsulationAlgorithms (optional, as above)."},
}

// bareKeyOptions are the metadata options of a bare --key-file.
var bareKeyOptions = []string{"key-spec", "key-usage", "key-arn", "signing-algorithms",
	"encryption-algorithms", "key-agreement-algorithms", "encapsulation-algorithms"}

// Options of every command that may call KMS, named as the AWS CLI's.
var onlineOptions = []option{
	{name: "grant-tokens", kind: listValue, help: "Grant tokens for the GetPublicKey call."},
	{name: "region", help: "The AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)."},
	{name: "endpoint-url", help: "Send the GetPublicKey call to this URL instead of the default endpoint."},
	{name: "profile", help: "Use this profile of the shared AWS config and credentials files."},
}

// dryRunOptions are the AWS CLI's --dry-run | --no-dry-run switch.
var dryRunOptions = []option{
	{name: "dry-run", kind: noValue, help: "Run every check and the operation, print nothing, and answer as KMS\n" +
		"does: DryRunOperationException (exit status 254) when the request\n" +
		"would have succeeded."},
	{name: "no-dry-run", kind: noValue, help: "The default: do the operation."},
}

// dryRun reports whether --dry-run is in force: given, and not undone by a
// later --no-dry-run.
func dryRun(a *args) bool { return a.has("dry-run") }

// loadKey returns the key the command line names with --key-file or
// --key-id, validated by the kmspub library.
func loadKey(ctx context.Context, a *args) (*kmspub.PublicKey, error) {
	if err := oneOf(a, "key-id", "key-file"); err != nil {
		return nil, err
	}
	if a.has("key-id") {
		for _, n := range bareKeyOptions {
			if a.has(n) {
				return nil, usageError("argument --%s: not allowed with argument --key-id (KMS reports the key's metadata)", n)
			}
		}
		return fetchKey(ctx, a)
	}
	return readKeyFile(a)
}

// readKeyFile reads --key-file: get-public-key JSON (recognised by its
// opening brace) through ParseGetPublicKeyJSON, anything else as a bare
// public key through ParseSubjectPublicKeyInfo with the metadata options.
func readKeyFile(a *args) (*kmspub.PublicKey, error) {
	arg := a.get("key-file")
	path, err := paramPath(arg)
	if err != nil {
		return nil, keyFileError(err)
	}
	data, err := readFileLimited(path, kmspub.MaxKeyFileSize)
	if errors.Is(err, errTooLarge) {
		return nil, keyFileError(fmt.Errorf("%s is larger than %d bytes; no KMS public key file is", arg, kmspub.MaxKeyFileSize))
	}
	if err != nil {
		return nil, keyFileError(err)
	}

	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		for _, n := range bareKeyOptions {
			if a.has(n) {
				return nil, usageError("argument --%s: not allowed with a get-public-key JSON --key-file (the file holds the key's metadata)", n)
			}
		}
		k, err := kmspub.ParseGetPublicKeyJSON(data)
		if err != nil {
			return nil, keyFileError(err)
		}
		return k, nil
	}

	var missing []string
	for _, n := range []string{"key-spec", "key-usage"} {
		if !a.has(n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return nil, usageError("the following arguments are required: %s (--key-file %s holds a bare public key, not get-public-key JSON)", strings.Join(missing, ", "), arg)
	}
	meta := &kms.GetPublicKeyOutput{
		KeySpec:                 types.KeySpec(a.get("key-spec")),
		KeyUsage:                types.KeyUsageType(a.get("key-usage")),
		SigningAlgorithms:       enumList[types.SigningAlgorithmSpec](a.list["signing-algorithms"]),
		EncryptionAlgorithms:    enumList[types.EncryptionAlgorithmSpec](a.list["encryption-algorithms"]),
		KeyAgreementAlgorithms:  enumList[types.KeyAgreementAlgorithmSpec](a.list["key-agreement-algorithms"]),
		EncapsulationAlgorithms: enumList[types.EncapsulationAlgorithmSpec](a.list["encapsulation-algorithms"]),
	}
	if a.has("key-arn") {
		meta.KeyId = aws.String(a.get("key-arn"))
	}
	k, err := kmspub.ParseSubjectPublicKeyInfo(data, meta)
	if err != nil {
		var ik *kmspub.InvalidKeyError
		if errors.As(err, &ik) && ik.Field == "KeyId" {
			return nil, paramError("key-arn", "not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID)")
		}
		return nil, keyFileError(err)
	}
	return k, nil
}

// concatOptions joins option tables into a new one.
func concatOptions(tables ...[]option) []option {
	var out []option
	for _, t := range tables {
		out = append(out, t...)
	}
	return out
}

// enumList converts option values to an SDK enum type, unchecked: the
// library validates them as KMS would.
func enumList[E ~string](values []string) []E {
	if values == nil {
		return nil
	}
	out := make([]E, len(values))
	for i, v := range values {
		out[i] = E(v)
	}
	return out
}

// fetchKey calls GetPublicKey once and validates the answer.
func fetchKey(ctx context.Context, a *args) (*kmspub.PublicKey, error) {
	out, err := getPublicKey(ctx, a)
	if err != nil {
		return nil, err
	}
	k, err := kmspub.FromGetPublicKeyOutput(out)
	if err != nil {
		// KMS answered, but with a key kmspub cannot vouch for.
		return nil, &cliError{exitGeneral, fmt.Sprintf("GetPublicKey for %s returned a key kmspub refuses: %v", a.get("key-id"), withoutKeyID(err))}
	}
	return k, nil
}

// getPublicKey makes the one online call kmspub has.
func getPublicKey(ctx context.Context, a *args) (*kms.GetPublicKeyOutput, error) {
	client, err := newKMSClient(ctx, a)
	if err != nil {
		return nil, err
	}
	in := &kms.GetPublicKeyInput{KeyId: aws.String(a.get("key-id")), GrantTokens: a.list["grant-tokens"]}
	out, err := client.GetPublicKey(ctx, in)
	if err != nil {
		return nil, operationError("GetPublicKey", err)
	}
	return out, nil
}

// newKMSClient builds a KMS client from the default AWS configuration chain
// (environment, shared config and credentials files, SSO, IMDS …) with the
// AWS CLI's --region, --profile and --endpoint-url overrides. A missing
// region or missing credentials are reported as the AWS CLI reports them,
// with exit status 253, before any request is sent.
func newKMSClient(ctx context.Context, a *args) (*kms.Client, error) {
	var opts []func(*config.LoadOptions) error
	if a.has("region") {
		opts = append(opts, config.WithRegion(a.get("region")))
	}
	if a.has("profile") {
		opts = append(opts, config.WithSharedConfigProfile(a.get("profile")))
	}
	endpoint := a.get("endpoint-url")
	if a.has("endpoint-url") {
		if u, err := url.Parse(endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &cliError{exitParam, fmt.Sprintf("Bad value for --endpoint-url %q: Must be of the form http://<hostname>/ or https://<hostname>/", endpoint)}
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		var noProfile config.SharedConfigProfileNotExistError
		if errors.As(err, &noProfile) {
			return nil, &cliError{exitConfig, fmt.Sprintf("The config profile (%s) could not be found", noProfile.Profile)}
		}
		return nil, &cliError{exitConfig, err.Error()}
	}
	if cfg.Region == "" {
		return nil, &cliError{exitConfig, `You must specify a region. You can also configure your region by running "aws configure".`}
	}
	if cfg.Credentials == nil {
		return nil, noCredentials()
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, noCredentials()
	}
	return kms.NewFromConfig(cfg, func(o *kms.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
	}), nil
}

func noCredentials() error {
	return &cliError{exitConfig, `Unable to locate credentials. You can configure credentials by running "aws configure".`}
}
