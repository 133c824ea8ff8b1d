package kmspub_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

func TestKeyStateCheck(t *testing.T) {
	ctx := context.Background()
	arn := kmspubtest.FakeKeyARN("p256")
	for _, tc := range []struct {
		state types.KeyState
		code  string
		msg   string
	}{
		{types.KeyStateEnabled, "", ""},
		{types.KeyStateDisabled, "DisabledException", arn + " is disabled."},
		{types.KeyStatePendingDeletion, "KMSInvalidStateException", arn + " is pending deletion."},
		{types.KeyStatePendingImport, "KMSInvalidStateException", arn + " is pending import."},
		{types.KeyStateUnavailable, "KMSInvalidStateException", arn + " is Unavailable."},
		{types.KeyStateCreating, "KMSInvalidStateException", arn + " is Creating."},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.SetState(arn, tc.state)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: time.Minute} })
			_, err := c.Verify(ctx, verifyRequest(t, arn))
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				kmspubtest.WantOperation(t, err, "Verify")
				kmspubtest.WantAPIError(t, err, tc.code, tc.msg)
			}
			// GetPublicKey is refused as Verify is, except for a disabled
			// key, whose public key KMS returns (docs/KMS-RULES.md §13.1 rows 5a, 5b).
			_, err = c.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(arn)})
			if tc.code == "" || tc.state == types.KeyStateDisabled {
				if err != nil {
					t.Fatalf("GetPublicKey: %v", err)
				}
			} else {
				kmspubtest.WantOperation(t, err, "GetPublicKey")
				kmspubtest.WantAPIError(t, err, tc.code, tc.msg)
			}
			f.WantDescribeCalls(t, 1)
		})
	}
	var de *types.DisabledException
	f := kmspubtest.NewFakeKMS(t)
	encARN := kmspubtest.FakeKeyARN("rsaenc")
	f.SetState(encARN, types.KeyStateDisabled)
	_, err := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: time.Minute} }).Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(encARN), Plaintext: []byte("x")})
	if !errors.As(err, &de) {
		t.Fatalf("Encrypt with a disabled key: %v, want DisabledException", err)
	}
}

func TestKeyStateMaxAgeAndFailures(t *testing.T) {
	f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
	var reported []string
	var mu sync.Mutex
	const maxAge, negative = time.Minute, 5 * time.Second
	keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
		o.Clock = clock.Now
		o.MaxStale = time.Hour // the Keyring's, which the key-state check must not use
		o.NegativeTTL = negative
		o.ErrorHandler = func(keyID string, err error) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, keyID)
		}
	})
	arn := kmspubtest.FakeKeyARN("p256")
	c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: maxAge} })
	ctx := context.Background()
	verify := func() error { _, err := c.Verify(ctx, verifyRequest(t, arn)); return err }

	if err := verify(); err != nil {
		t.Fatal(err)
	}
	// Disabled in KMS: still used until the state is maxAge old.
	f.SetState(arn, types.KeyStateDisabled)
	clock.Advance(maxAge - time.Nanosecond)
	if err := verify(); err != nil {
		t.Fatalf("within maxAge: %v", err)
	}
	f.WantDescribeCalls(t, 1)
	clock.Advance(time.Nanosecond)
	var de *types.DisabledException
	if err := verify(); !errors.As(err, &de) {
		t.Fatalf("after maxAge: %v, want DisabledException", err)
	}
	f.WantDescribeCalls(t, 2)

	// DescribeKey failing on KMS's side: the last state (Disabled) stays in
	// force and the failure is reported.
	f.SetState(arn, types.KeyStateEnabled)
	f.SetFail(&types.KMSInternalException{Message: aws.String("injected")})
	clock.Advance(maxAge)
	if err := verify(); !errors.As(err, &de) {
		t.Fatalf("DescribeKey failing: %v, want the last state's DisabledException", err)
	}
	f.WantDescribeCalls(t, 3)
	mu.Lock()
	if len(reported) != 1 || reported[0] != arn {
		t.Fatalf("reported %q, want one report for %s", reported, arn)
	}
	mu.Unlock()
	// 2×maxAge after the state was read, the DescribeKey error itself — not
	// the Keyring's MaxStale of an hour.
	clock.Advance(maxAge)
	var ie *types.KMSInternalException
	if err := verify(); !errors.As(err, &ie) {
		t.Fatalf("2×maxAge after the last state: %v, want the KMSInternalException", err)
	}
	f.WantDescribeCalls(t, 4)
	// A transient failure is not remembered: the next request asks again.
	if err := verify(); !errors.As(err, &ie) {
		t.Fatalf("again: %v", err)
	}
	f.WantDescribeCalls(t, 5)
	f.SetFail(nil)
	if err := verify(); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
	f.WantDescribeCalls(t, 6)
}

// TestKeyStateThrottlingCannotKeepADisabledKey: someone who can exhaust the
// DescribeKey quota keeps a just-disabled key usable for at most 2×MaxAge
// after its last Enabled answer; a definitive DescribeKey refusal ends its
// use at once.
func TestKeyStateThrottlingCannotKeepADisabledKey(t *testing.T) {
	for _, tc := range failureCases {
		t.Run(tc.name, func(t *testing.T) {
			// The Client returns the DescribeKey error as *kms.Client would
			// return its own: the exception inside, under Verify's name.
			want := tc.err
			var opErr *smithy.OperationError
			if errors.As(want, &opErr) {
				want = opErr.Err
			}
			f, clock := kmspubtest.NewFakeKMS(t), kmspubtest.NewClock()
			const maxAge, negative = time.Minute, 5 * time.Second
			keys := kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) {
				o.Clock = clock.Now
				o.NegativeTTL = negative
			})
			arn := kmspubtest.FakeKeyARN("p256")
			c := kmspub.NewClient(keys, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f, MaxAge: maxAge} })
			verify := func() error { _, err := c.Verify(context.Background(), verifyRequest(t, arn)); return err }
			if err := verify(); err != nil {
				t.Fatal(err)
			}
			f.SetState(arn, types.KeyStateDisabled) // disabled; DescribeKey now fails
			f.SetFail(tc.err)
			clock.Advance(maxAge)
			err := verify()
			f.WantDescribeCalls(t, 2)
			switch tc.kind {
			case "transient":
				if err != nil {
					t.Fatalf("within 2×MaxAge: %v, want the last state (Enabled) used", err)
				}
				if err := verify(); err != nil {
					t.Fatal(err)
				}
				f.WantDescribeCalls(t, 2) // KMS is not asked again within the negative TTL
				clock.Advance(maxAge - time.Nanosecond)
				if err := verify(); err != nil {
					t.Fatalf("just under 2×MaxAge: %v", err)
				}
				f.WantDescribeCalls(t, 3)
				clock.Advance(time.Nanosecond)
				if err := verify(); !errors.Is(err, want) {
					t.Fatalf("at 2×MaxAge: %v, want the DescribeKey error", err)
				}
				f.WantDescribeCalls(t, 4)
			case "definitive":
				if !errors.Is(err, want) {
					t.Fatalf("Verify = %v, want the DescribeKey refusal at once", err)
				}
				if err := verify(); !errors.Is(err, want) {
					t.Fatalf("again: %v", err)
				}
				f.WantDescribeCalls(t, 2) // remembered for the negative TTL
				clock.Advance(negative)
				f.SetFail(nil)
				var de *types.DisabledException
				if err := verify(); !errors.As(err, &de) {
					t.Fatalf("after the negative TTL: %v, want DisabledException", err)
				}
				f.WantDescribeCalls(t, 3)
			case "unclassified":
				if !errors.Is(err, want) {
					t.Fatalf("Verify = %v, want the DescribeKey error", err)
				}
				verify()
				f.WantDescribeCalls(t, 3) // not remembered
			}
		})
	}
}
