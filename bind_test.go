package kmspub_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
	"github.com/kmspub/kmspub/internal/kmspubtest"
)

// signer is a P-256 signing key made for a test, with the GetPublicKey
// answer that would carry its public half under any KeyId.
type signer struct {
	priv *ecdsa.PrivateKey
	der  []byte
}

func newSigner(t testing.TB) *signer {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{priv, der}
}

// answer is a GetPublicKey answer naming keyID with s's public key.
func (s *signer) answer(keyID string) *kms.GetPublicKeyOutput {
	return &kms.GetPublicKeyOutput{
		KeyId: aws.String(keyID), PublicKey: s.der, KeySpec: types.KeySpecEccNistP256,
		KeyUsage: types.KeyUsageTypeSignVerify, SigningAlgorithms: []types.SigningAlgorithmSpec{types.SigningAlgorithmSpecEcdsaSha256},
	}
}

func (s *signer) sign(t testing.TB, message []byte) []byte {
	t.Helper()
	h := sha256.Sum256(message)
	sig, err := ecdsa.SignASN1(rand.Reader, s.priv, h[:])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func (s *signer) verifyInput(t testing.TB, keyID string, message []byte) *kms.VerifyInput {
	return &kms.VerifyInput{KeyId: aws.String(keyID), Message: message, Signature: s.sign(t, message),
		SigningAlgorithm: types.SigningAlgorithmSpecEcdsaSha256}
}

// TestFetchBindsTheAnswer: an answer is believed only for a name it can
// answer (docs/KMS-RULES.md §14.3).
func TestFetchBindsTheAnswer(t *testing.T) {
	const (
		id      = "1234abcd-12ab-34cd-56ef-1234567890ab"
		arn     = "arn:aws:kms:us-east-1:111122223333:key/" + id
		other   = "arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab"
		west    = "arn:aws:kms:eu-west-2:111122223333:key/" + id
		account = "arn:aws:kms:us-east-1:444455556666:key/" + id
		cn      = "arn:aws-cn:kms:cn-north-1:111122223333:key/" + id
		cnInAWS = "arn:aws:kms:cn-north-1:111122223333:key/" + id
		alias   = "arn:aws:kms:us-east-1:111122223333:alias/signer"
	)
	s := newSigner(t)
	for _, tc := range []struct {
		name     string
		asked    string
		answered string
		region   string // the client's, "" for a client without Options
		callRegn string // set by a per-call option function
		refused  string // "" when believed, else what the refusal says
	}{
		{"key ARN", arn, arn, "", "", ""},
		{"key ARN, another key", arn, other, "", "", "it is another key ARN"},
		{"key ARN, the same ID in another Region", arn, west, "", "", "it is another key ARN"},
		{"key ARN, the same ID in another account", arn, account, "us-east-1", "", "it is another key ARN"},

		{"key ID", id, arn, "", "", ""},
		{"key ID, in any Region when the client does not tell", id, west, "", "", ""},
		{"key ID, another key", id, other, "", "", "it is another key ID"},
		{"key ID, in the client's Region", id, arn, "us-east-1", "", ""},
		{"key ID, in another Region than the client's", id, west, "us-east-1", "", "it is in Region eu-west-2, the request went to us-east-1"},
		{"key ID, the per-call Region wins", id, west, "us-east-1", "eu-west-2", ""},
		{"key ID, not the client's Region when the call set another", id, arn, "us-east-1", "eu-west-2", "it is in Region us-east-1, the request went to eu-west-2"},
		{"key ID, in aws-cn", id, cn, "cn-north-1", "", ""},
		{"key ID, the Region's name in the wrong partition", id, cnInAWS, "cn-north-1", "", "it is in partition aws, the request went to aws-cn"},

		{"alias ARN", alias, arn, "", "", ""},
		{"alias ARN, another account", alias, account, "", "", "it is in account 444455556666, the alias in 111122223333"},
		{"alias ARN, another Region", alias, west, "", "", "it is in Region eu-west-2, the alias in us-east-1"},
		{"alias ARN, another partition", "arn:aws-cn:kms:cn-north-1:111122223333:alias/signer", cnInAWS, "", "", "it is in partition aws, the alias in aws-cn"},

		{"alias name, the client does not tell its Region", "alias/signer", account, "", "", ""},
		{"alias name, in the client's Region", "alias/signer", account, "us-east-1", "", ""},
		{"alias name, another Region", "alias/signer", west, "us-east-1", "", "it is in Region eu-west-2, the request went to us-east-1"},
		{"alias name, per-call Region", "alias/signer", west, "us-east-1", "eu-west-2", ""},

		{"upper-case ARN", "ARN:aws:kms:us-east-1:111122223333:key/" + id, arn, "", "", "which is not a key ARN, key ID, alias name or alias ARN"},
		{"leading space", " " + arn, arn, "", "", "which is not a key ARN"},
		{"a partition that does not exist", "arn:aws-evil:kms:us-east-1:111122223333:key/" + id, arn, "", "", "which is not a key ARN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.Lie(tc.asked, s.answer(tc.answered))
			var client kmspub.GetPublicKeyAPIClient = f
			if tc.region != "" {
				client = f.InRegion(tc.region)
			}
			var optFns []func(*kms.Options)
			if tc.callRegn != "" {
				optFns = append(optFns, func(o *kms.Options) { o.Region = tc.callRegn })
			}
			k, err := kmspub.Fetch(context.Background(), client, tc.asked, optFns...)
			if tc.refused == "" {
				if err != nil || k.KeyID() != tc.answered {
					t.Fatalf("Fetch = %v, %v; want the key %s", k, err, tc.answered)
				}
				return
			}
			var invalid *kmspub.InvalidKeyError
			if k != nil || !errors.As(err, &invalid) || invalid.Field != "KeyId" || !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("Fetch = %v, %v; want an InvalidKeyError for KeyId saying %q", k, err, tc.refused)
			}
		})
	}
}

// TestFetchLearnsTheRegionFromAnSDKClient: with a real *kms.Client the
// Region is its own, or the one a per-call option sets.
func TestFetchLearnsTheRegionFromAnSDKClient(t *testing.T) {
	body, err := json.Marshal(map[string]any{
		"KeyId": "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000004", "PublicKey": kmspubtest.PublicKeyDER(t, types.KeySpecEccNistP256),
		"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY", "SigningAlgorithms": []string{"ECDSA_SHA_256"},
	})
	if err != nil {
		t.Fatal(err)
	}
	client, _ := kmspubtest.NewFaultServer(t, "alias/signer", func(_ int, w http.ResponseWriter, _ *http.Request) { kmspubtest.WriteKMSJSON(w, body) })
	if region := client.Options().Region; region == "eu-west-1" {
		t.Fatal("the fault server's client is in eu-west-1; the test needs another Region")
	}
	if _, err := kmspub.Fetch(t.Context(), client, "alias/signer"); !errors.Is(err, kmspub.ErrInvalidKey) {
		t.Fatalf("an answer from eu-west-1 to a client in %s: %v, want an InvalidKeyError", client.Options().Region, err)
	}
	k, err := kmspub.Fetch(t.Context(), client, "alias/signer", func(o *kms.Options) { o.Region = "eu-west-1" })
	if err != nil {
		t.Fatalf("with the call's Region eu-west-1: %v", err)
	}
	if !strings.Contains(k.KeyID(), ":eu-west-1:") {
		t.Fatal(k.KeyID())
	}
}

// TestKeyringRefusesAnAnswerAboutAnotherKey is the attack of issue #17:
// asked for alias/evil, a lying KMS answers with the victim's key ARN and
// the attacker's public key.
//
//   - The answer is trusted for alias/evil at most, never for the victim's
//     ARN: the victim's ARN still gives the victim's key (asked for by ARN),
//     the attacker's signature does not verify under it.
//   - Once the victim's key is held, the lie is refused for alias/evil too.
//   - When the client tells its Region and the victim is elsewhere, the lie
//     is refused at once, and the audit record does not name the victim.
//
// (A KMS that lies about an alias in the client's own Region, with no other
// answer to hold it to, is the root of trust: offline, nothing can tell.)
func TestKeyringRefusesAnAnswerAboutAnotherKey(t *testing.T) {
	ctx := context.Background()
	victim, attacker := newSigner(t), newSigner(t)
	const victimARN = "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-4000-8000-00000000f00d"
	bare := victimARN[strings.LastIndex(victimARN, "/")+1:]
	message := []byte("transfer everything")
	policy := &kmspub.Policy{AllowedKeyARNs: []string{victimARN}}
	var invalid *types.KMSInvalidSignatureException

	t.Run("the lie plants nothing under the victim's ARN", func(t *testing.T) {
		f := kmspubtest.NewFakeKMS(t)
		f.Serve(victim.answer(victimARN))
		f.Lie("alias/evil", attacker.answer(victimARN))
		c := kmspub.NewClient(kmspub.NewKeyring(f, func(o *kmspub.KeyringOptions) { o.TTL = 0 }), func(o *kmspub.ClientOptions) { o.Policy = policy })
		if _, err := c.Verify(ctx, attacker.verifyInput(t, "alias/evil", message)); err != nil {
			t.Fatalf("in the client's Region, with no other answer to hold it to, KMS is believed about its alias: %v", err)
		}
		if _, err := c.Verify(ctx, attacker.verifyInput(t, victimARN, message)); !errors.As(err, &invalid) {
			t.Fatalf("the attacker's signature under the victim's ARN: %v, want KMSInvalidSignatureException", err)
		}
		for _, name := range []string{victimARN, bare} {
			out, err := c.Verify(ctx, victim.verifyInput(t, name, message))
			if err != nil || aws.ToString(out.KeyId) != victimARN {
				t.Fatalf("the victim's own signature under %s: %v", name, err)
			}
		}
		if k := kmspubtest.Get(t, c.Keyring(), victimARN); !bytes.Equal(k.DER(), victim.der) {
			t.Fatal("the keyring holds another key for the victim's ARN")
		}
		// Now that the victim's key is held, the same lie is refused.
		if _, err := c.Verify(ctx, attacker.verifyInput(t, "alias/evil", message)); err == nil {
			t.Fatal("the attacker's signature verified under alias/evil while the victim's key is held")
		}
		if _, err := c.Keyring().Get(ctx, "alias/evil"); !errors.Is(err, kmspub.ErrInvalidKey) {
			t.Fatalf("Get(alias/evil) = %v, want an InvalidKeyError", err)
		}
	})

	t.Run("the lie from another Region is refused", func(t *testing.T) {
		f := kmspubtest.NewFakeKMS(t)
		f.Serve(victim.answer(victimARN))
		f.Lie("alias/evil", attacker.answer(victimARN))
		var audit bytes.Buffer
		c := kmspub.NewClient(f.InRegion("us-east-1"), func(o *kmspub.ClientOptions) {
			o.Policy = policy
			o.AuditLogger = slog.New(slog.NewJSONHandler(&audit, nil))
		})
		if _, err := c.Verify(ctx, attacker.verifyInput(t, "alias/evil", message)); err == nil {
			t.Fatal("the attacker's signature verified under alias/evil")
		}
		if strings.Contains(audit.String(), victimARN) {
			t.Fatalf("the audit record names the victim: %s", audit.String())
		}
		if _, err := kmspub.Fetch(ctx, f.InRegion("us-east-1"), "alias/evil"); !errors.Is(err, kmspub.ErrInvalidKey) {
			t.Fatalf("Fetch(alias/evil) = %v, want an InvalidKeyError", err)
		}
		if _, err := c.Keyring().Get(ctx, victimARN); err != nil {
			t.Fatal(err) // asked for by ARN, the victim's key is the victim's
		}
	})

	t.Run("lies for a key ID and for a key ARN", func(t *testing.T) {
		f := kmspubtest.NewFakeKMS(t)
		other := "arn:aws:kms:eu-west-2:111122223333:key/00000000-0000-4000-8000-0000000000ff"
		f.Lie(bare, attacker.answer(other))
		f.Lie(victimARN, attacker.answer(other))
		r := kmspub.NewKeyring(f)
		for _, name := range []string{bare, victimARN} {
			if k, err := r.Get(ctx, name); !errors.Is(err, kmspub.ErrInvalidKey) {
				t.Fatalf("Get(%s) = %v, %v; want an InvalidKeyError", name, k, err)
			}
		}
		if _, err := r.Get(ctx, other); err == nil {
			t.Fatal("a lie planted a key under the ARN it named")
		}
	})
}

// TestKeyStateRefusesAnAnswerAboutAnotherKey: a DescribeKey answer about
// another key (Enabled) does not make a disabled key usable; it is refused
// as definitive.
func TestKeyStateRefusesAnAnswerAboutAnotherKey(t *testing.T) {
	ctx := context.Background()
	arn, other := kmspubtest.FakeKeyARN("p256"), kmspubtest.FakeKeyARN("p384")
	for _, tc := range []struct {
		name string
		out  *kms.DescribeKeyOutput
	}{
		{"another key's ARN", &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{Arn: aws.String(other), KeyState: types.KeyStateEnabled}}},
		{"no ARN", &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{KeyId: aws.String(arn[strings.LastIndex(arn, "/")+1:]), KeyState: types.KeyStateEnabled}}},
		{"this ARN, another key ID", &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{Arn: aws.String(arn), KeyId: aws.String("0000"), KeyState: types.KeyStateEnabled}}},
		{"no KeyState", &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{Arn: aws.String(arn)}}},
		{"no metadata", &kms.DescribeKeyOutput{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := kmspubtest.NewFakeKMS(t)
			f.SetState(arn, types.KeyStateDisabled)
			f.LieDescribe(arn, tc.out)
			c := kmspub.NewClient(f, func(o *kmspub.ClientOptions) { o.KeyStateCheck = &kmspub.KeyStateCheck{Client: f} })
			for range 2 {
				if _, err := c.Verify(ctx, verifyRequest(t, arn)); !errors.Is(err, kmspub.ErrInvalidKey) {
					t.Fatalf("Verify = %v, want the InvalidKeyError refusing DescribeKey's answer", err)
				}
			}
			f.WantDescribeCalls(t, 1) // a refused answer is remembered for the negative TTL
		})
	}
}
