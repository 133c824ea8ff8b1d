package golangjwt_test

import (
	"context"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/josetest"
)

// fakeKMS answers Sign as KMS does, with the test private key of spec.
type fakeKMS struct {
	t    testing.TB
	spec types.KeySpec
}

func (f fakeKMS) Sign(_ context.Context, in *kms.SignInput, _ ...func(*kms.Options)) (*kms.SignOutput, error) {
	return &kms.SignOutput{KeyId: in.KeyId, SigningAlgorithm: in.SigningAlgorithm,
		Signature: josetest.KMSSign(f.t, f.spec, in.SigningAlgorithm, in.Message, in.MessageType)}, nil
}

type ecdsaSig struct{ R, S *big.Int }

func (s *ecdsaSig) marshal() ([]byte, error) { return asn1.Marshal(*s) }
