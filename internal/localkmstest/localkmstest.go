// Package localkmstest connects tests to a local-kms server
// (github.com/nsmithuk/local-kms), a real, independent KMS implementation
// that scripts/with-localkms starts on 127.0.0.1 and announces in the
// environment variable KMSPUB_KMS_ENDPOINT: ./scripts/test starts one for
// the whole run, and [Main], called from a package's TestMain, starts one
// for a plain `go test` of that package.
//
// Where no server can be started (no unshare, no Go module proxy for the
// first build of local-kms) the tests that need it skip, saying why —
// except when CI=true, where a missing server is a failure: CI must never
// pass by skipping the integration tests.
package localkmstest

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// EndpointEnv is the environment variable holding the server's base URL,
// e.g. http://127.0.0.1:4599.
const EndpointEnv = "KMSPUB_KMS_ENDPOINT"

// Region and Account are what local-kms puts in every key ARN, as
// scripts/with-localkms starts it. That script reads them, and the seeded
// key IDs below, from this file: these constants are the one place they are
// written.
const (
	Region  = "eu-west-2"
	Account = "111122223333"
)

// Keys scripts/with-localkms seeds local-kms with: their private halves are
// testdata/keys/RSA_2048.priv.pem and testdata/keys/ECC_NIST_P256.priv.pem,
// so tests can make signatures outside KMS and ask local-kms about them.
const (
	SeededRSA2048KeyID = "6b6d7370-7562-4000-8000-000000002048" // RSA_2048, SIGN_VERIFY
	SeededP256KeyID    = "6b6d7370-7562-4000-8000-000000000256" // ECC_NIST_P256, SIGN_VERIFY
)

// SeededKey returns keyID, one of the seeded key IDs, after checking that
// the server has it. A server started without the seed file (not by
// scripts/with-localkms) skips the test, or fails it when CI=true.
func SeededKey(t testing.TB, client *kms.Client, keyID string) string {
	t.Helper()
	_, err := client.DescribeKey(Context(t), &kms.DescribeKeyInput{KeyId: &keyID})
	var notFound *types.NotFoundException
	switch {
	case err == nil:
		return keyID
	case errors.As(err, &notFound):
		const why = "local-kms has no seeded test keys: start it with scripts/with-localkms (or run ./scripts/test)"
		if os.Getenv("CI") == "true" {
			t.Fatal(why)
		}
		t.Skip(why)
	default:
		t.Fatalf("DescribeKey %s: %v", keyID, err)
	}
	return ""
}

// Endpoint returns the local-kms base URL, or skips the test when none is
// configured (fails it when CI=true).
func Endpoint(t testing.TB) string {
	t.Helper()
	endpoint := os.Getenv(EndpointEnv)
	if endpoint != "" {
		return endpoint
	}
	const why = "no local-kms server: set " + EndpointEnv + " or run ./scripts/test"
	if os.Getenv("CI") == "true" {
		t.Fatal(why + " (CI=true: integration tests must run, not skip)")
	}
	t.Skip(why)
	return ""
}

// Client returns an SDK client for the local-kms server. Requests are SigV4
// signed with dummy static credentials, exactly as against AWS; local-kms
// does not check the signature.
func Client(t testing.TB) *kms.Client {
	t.Helper()
	return NewClient(Endpoint(t))
}

// NewClient returns an SDK client for the KMS endpoint at baseURL, with dummy
// credentials, region eu-west-2 and the SDK's default retryer and HTTP
// client. Tests use it for fault-injection servers too.
func NewClient(baseURL string, optFns ...func(*kms.Options)) *kms.Client {
	return kms.New(kms.Options{
		Region:       Region,
		BaseEndpoint: aws.String(baseURL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "kmspub-test", SecretAccessKey: "kmspub-test", Source: "localkmstest"}, nil
		}),
	}, optFns...)
}

// Context returns a context that ends with the test, bounded at one minute
// so that a hung server fails the test instead of the whole run.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// CreateKey creates a key of the given spec and usage and returns its key ID
// (the bare UUID). The key is scheduled for deletion when the test ends.
func CreateKey(t testing.TB, client *kms.Client, spec types.KeySpec, usage types.KeyUsageType) string {
	t.Helper()
	out, err := client.CreateKey(Context(t), &kms.CreateKeyInput{
		KeySpec:     spec,
		KeyUsage:    usage,
		Description: aws.String("kmspub test " + t.Name()),
	})
	if err != nil {
		t.Fatalf("CreateKey %s %s: %v", spec, usage, err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if id == "" {
		t.Fatalf("CreateKey %s %s: no KeyId in the answer", spec, usage)
	}
	t.Cleanup(func() {
		// A fresh context: t.Context is already done during cleanup.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		days := int32(7)
		if _, err := client.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: &days}); err != nil {
			t.Logf("ScheduleKeyDeletion %s: %v", id, err)
		}
	})
	return id
}

// CreateAlias creates alias/<name> for keyID and returns the alias name
// ("alias/<name>"). The alias is deleted when the test ends.
func CreateAlias(t testing.TB, client *kms.Client, name, keyID string) string {
	t.Helper()
	alias := "alias/" + name
	if _, err := client.CreateAlias(Context(t), &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &keyID}); err != nil {
		t.Fatalf("CreateAlias %s: %v", alias, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := client.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: &alias}); err != nil {
			t.Logf("DeleteAlias %s: %v", alias, err)
		}
	})
	return alias
}

// KeyARN returns the ARN local-kms gives keyID, and AliasARN that of an
// alias name ("alias/x").
func KeyARN(keyID string) string { return "arn:aws:kms:" + Region + ":" + Account + ":key/" + keyID }

// AliasARN returns the ARN of an alias name such as "alias/x".
func AliasARN(alias string) string { return "arn:aws:kms:" + Region + ":" + Account + ":" + alias }
