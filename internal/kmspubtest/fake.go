package kmspubtest

import (
	"context"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub"
)

// FakeKMS is a GetPublicKey and DescribeKey client for fault injection: it
// answers with the real test keys (and refuses GetPublicKey for a symmetric
// and an HMAC key, FakeNotAsymmetricKeys), resolves aliases and bare key IDs
// to their ARNs as KMS does, counts calls, and fails or blocks on demand. KMS's
// own behaviour is tested against local-kms; this is for what local-kms
// cannot be made to do — including lying: Lie and LieDescribe make it
// answer a name with whatever answer a test gives, as a misrouted endpoint,
// a proxy or a buggy test double could.
type FakeKMS struct {
	// Gate, when set before the first call, makes every call wait for it to
	// close (or for the call's context to end); Entered, when set, receives
	// one value per call entering.
	Gate, Entered chan struct{}

	Calls         atomic.Int64 // GetPublicKey calls
	DescribeCalls atomic.Int64 // DescribeKey calls

	mu      sync.Mutex
	keys    map[string]*kms.GetPublicKeyOutput // by key ARN
	aliases map[string]string                  // alias name, alias ARN or bare key ID → key ARN
	states  map[string]types.KeyState          // by key ARN; absent means Enabled
	fail    error                              // when set, every call fails with it
	lies    map[string]*kms.GetPublicKeyOutput // request KeyId → the answer, whatever it says
	dlies   map[string]*kms.DescribeKeyOutput  // request KeyId → the DescribeKey answer
}

// FakeNotAsymmetricKeys are the keys with no public key a FakeKMS serves,
// by short name (see FakeKeyARN): GetPublicKey refuses them with
// UnsupportedOperationException and no message, as KMS does, and
// DescribeKey reports their spec and usage.
var FakeNotAsymmetricKeys = map[string]struct {
	Spec  types.KeySpec
	Usage types.KeyUsageType
}{
	"symmetric": {types.KeySpecSymmetricDefault, types.KeyUsageTypeEncryptDecrypt},
	"hmac":      {types.KeySpecHmac256, types.KeyUsageTypeGenerateVerifyMac},
}

// fakeKeyFiles are the test keys the fake serves, by short name. The files
// of one spec share a KeyId, so each short name gets its own ARN.
var fakeKeyFiles = map[string]struct {
	spec  types.KeySpec
	usage types.KeyUsageType
}{
	"p256":     {types.KeySpecEccNistP256, types.KeyUsageTypeSignVerify},
	"p384":     {types.KeySpecEccNistP384, types.KeyUsageTypeSignVerify},
	"rsa":      {types.KeySpecRsa2048, types.KeyUsageTypeSignVerify},
	"rsaenc":   {types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt},
	"mlkem768": {types.KeySpecMlKem768, types.KeyUsageTypeEncapsulateDecapsulate},
	"ecdh":     {types.KeySpecEccNistP256, types.KeyUsageTypeKeyAgreement},
}

// NewFakeKMS returns a FakeKMS serving the keys FakeKey names, each under
// its FakeKeyARN and its bare key ID.
func NewFakeKMS(t testing.TB) *FakeKMS {
	t.Helper()
	f := &FakeKMS{
		keys:    map[string]*kms.GetPublicKeyOutput{},
		aliases: map[string]string{},
		states:  map[string]types.KeyState{},
		lies:    map[string]*kms.GetPublicKeyOutput{},
		dlies:   map[string]*kms.DescribeKeyOutput{},
	}
	for short := range fakeKeyFiles {
		f.Serve(FakeKey(t, short).GetPublicKeyOutput())
	}
	for short, k := range FakeNotAsymmetricKeys {
		f.Serve(&kms.GetPublicKeyOutput{KeyId: aws.String(FakeKeyARN(short)), KeySpec: k.Spec, KeyUsage: k.Usage})
	}
	return f
}

// FakeKey returns the test key a FakeKMS serves under a short name — p256,
// p384, rsa (SIGN_VERIFY), rsaenc (RSA_2048 ENCRYPT_DECRYPT), mlkem768,
// ecdh (ECC_NIST_P256 KEY_AGREEMENT) — with its FakeKeyARN.
func FakeKey(t testing.TB, short string) *kmspub.PublicKey {
	t.Helper()
	file, ok := fakeKeyFiles[short]
	if !ok {
		t.Fatalf("no test key %q", short)
	}
	out := Key(t, file.spec, file.usage).GetPublicKeyOutput()
	out.KeyId = aws.String(FakeKeyARN(short))
	k, err := kmspub.FromGetPublicKeyOutput(out)
	Check(t, err)
	return k
}

// FakeKeyARN returns the key ARN a FakeKMS gives a short name.
func FakeKeyARN(short string) string {
	return "arn:aws:kms:us-east-1:111122223333:key/" + fmt.Sprintf("%08x-0000-4000-8000-000000000000", crc32.ChecksumIEEE([]byte(short)))
}

// FakeAliasARN turns "alias/x" into the alias ARN in the fake keys' account
// and Region.
func FakeAliasARN(alias string) string { return "arn:aws:kms:us-east-1:111122223333:" + alias }

// Serve makes f answer out for its KeyId (a key ARN) and for the bare key
// ID in it, in place of whatever it answered before.
func (f *FakeKMS) Serve(out *kms.GetPublicKeyOutput) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(out.KeyId)
	f.keys[arn] = out
	f.aliases[arn[strings.LastIndex(arn, "/")+1:]] = arn
}

// Point makes alias (and its alias ARN) resolve to keyARN.
func (f *FakeKMS) Point(alias, keyARN string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.aliases[alias] = keyARN
	f.aliases[FakeAliasARN(alias)] = keyARN
}

// Lie makes f answer GetPublicKey for the request KeyId name with out as it
// is — an answer about another key, from another Region… — until Lie is
// called again for name (nil out: answer truthfully again). SetFail still
// takes precedence.
func (f *FakeKMS) Lie(name string, out *kms.GetPublicKeyOutput) { setLie(f, f.lies, name, out) }

// LieDescribe is Lie for DescribeKey.
func (f *FakeKMS) LieDescribe(name string, out *kms.DescribeKeyOutput) { setLie(f, f.dlies, name, out) }

func setLie[O any](f *FakeKMS, lies map[string]*O, name string, out *O) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if out == nil {
		delete(lies, name)
		return
	}
	lies[name] = out
}

// InRegion returns f as a client in region: its Options() report that
// Region, as *kms.Client's do, so that kmspub can tell the Region a
// request went to.
func (f *FakeKMS) InRegion(region string) *RegionalFakeKMS {
	return &RegionalFakeKMS{FakeKMS: f, region: region}
}

// RegionalFakeKMS is a FakeKMS with the Options method of *kms.Client.
type RegionalFakeKMS struct {
	*FakeKMS
	region string
}

// Options returns options whose Region is the fake's.
func (r *RegionalFakeKMS) Options() kms.Options { return kms.Options{Region: r.region} }

// SetFail makes every call fail with err (nil: succeed again).
func (f *FakeKMS) SetFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// SetState sets the KeyState DescribeKey reports for keyARN.
func (f *FakeKMS) SetState(keyARN string, s types.KeyState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.states[keyARN] = s
}

// WantDescribeCalls fails t unless f answered want DescribeKey calls.
func (f *FakeKMS) WantDescribeCalls(t testing.TB, want int64) {
	t.Helper()
	if got := f.DescribeCalls.Load(); got != want {
		t.Fatalf("DescribeKey calls = %d, want %d", got, want)
	}
}

// WantCalls fails t unless f answered want GetPublicKey calls.
func (f *FakeKMS) WantCalls(t testing.TB, want int64) {
	t.Helper()
	if got := f.Calls.Load(); got != want {
		t.Fatalf("GetPublicKey calls = %d, want %d", got, want)
	}
}

// enter waits at the gate, if any, and returns SetFail's error.
func (f *FakeKMS) enter(ctx context.Context) error {
	if f.Entered != nil {
		f.Entered <- struct{}{}
	}
	if f.Gate != nil {
		select {
		case <-f.Gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fail
}

func (f *FakeKMS) resolve(ctx context.Context, id string) (string, error) {
	if err := f.enter(ctx); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if arn, ok := f.aliases[id]; ok {
		id = arn
	}
	if _, ok := f.keys[id]; !ok {
		return "", &types.NotFoundException{Message: aws.String(fmt.Sprintf("Key '%s' does not exist", id))}
	}
	return id, nil
}

// GetPublicKey answers as KMS would for the keys f serves.
func (f *FakeKMS) GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, _ ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error) {
	lie, arn, err := lookup(f, ctx, &f.Calls, f.lies, aws.ToString(in.KeyId))
	if lie != nil || err != nil {
		return lie, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := *f.keys[arn]
	if out.PublicKey == nil {
		return nil, &types.UnsupportedOperationException{} // a symmetric or HMAC key
	}
	return &out, nil
}

// DescribeKey answers with the key's ARN and the state SetState gave it
// (Enabled by default).
func (f *FakeKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	lie, arn, err := lookup(f, ctx, &f.DescribeCalls, f.dlies, aws.ToString(in.KeyId))
	if lie != nil || err != nil {
		return lie, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	state, ok := f.states[arn]
	if !ok {
		state = types.KeyStateEnabled
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &types.KeyMetadata{
		KeyId:    aws.String(arn[strings.LastIndex(arn, "/")+1:]),
		Arn:      aws.String(arn),
		KeyState: state,
		Enabled:  state == types.KeyStateEnabled,
		KeySpec:  f.keys[arn].KeySpec,
		KeyUsage: f.keys[arn].KeyUsage,
	}}, nil
}

// lookup counts a call and answers it with the lie f tells for name, if
// any (after the gate and SetFail's error, which still apply), or else
// with the key ARN name resolves to.
func lookup[O any](f *FakeKMS, ctx context.Context, calls *atomic.Int64, lies map[string]*O, name string) (lie *O, keyARN string, err error) {
	calls.Add(1)
	f.mu.Lock()
	l, ok := lies[name]
	f.mu.Unlock()
	if !ok {
		keyARN, err = f.resolve(ctx, name)
		return nil, keyARN, err
	}
	if err := f.enter(ctx); err != nil {
		return nil, "", err
	}
	c := *l
	return &c, "", nil
}

// Clock is a clock tests move by hand, for KeyringOptions.Clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock standing at a fixed date.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Get calls r.Get and fails t on error.
func Get(t testing.TB, r *kmspub.Keyring, name string) *kmspub.PublicKey {
	t.Helper()
	k, err := r.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("Get(%q): %v", name, err)
	}
	return k
}
