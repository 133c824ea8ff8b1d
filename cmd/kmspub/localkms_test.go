package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// createLocalKMSKey creates an asymmetric key (or, for SYMMETRIC_DEFAULT, a
// symmetric one) in the local-kms at endpoint and returns its key ID.
func createLocalKMSKey(ctx context.Context, endpoint, spec, usage string) (string, error) {
	if endpoint == "" {
		return "", fmt.Errorf("createkey: KMSPUB_KMS_ENDPOINT is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", err
	}
	client := kms.NewFromConfig(cfg, func(o *kms.Options) { o.BaseEndpoint = aws.String(endpoint) })
	out, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpec(spec), KeyUsage: types.KeyUsageType(usage)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.KeyMetadata.KeyId), nil
}
