package kmspub

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/kmspub/kmspub/internal/kmsrules"
)

// An answer from KMS is believed only for the name it was asked for
// (docs/KMS-RULES.md §14.3): GetPublicKey's KeyId and DescribeKey's
// KeyMetadata.Arn must be a key the requested name can stand for. KMS
// stays the root of trust — a correctly routed KMS that lies about its own
// key cannot be caught offline — but an answer about another key than the
// one asked, or from another account, Region or partition than the name
// allows, is refused before it is used or stored anywhere.

// bindAnswer checks that answered, the key ARN an answer names, may answer
// a request for asked. region is the Region the request was sent to, ""
// when the client does not tell. field names the answer's member in the
// error, an [*InvalidKeyError].
func bindAnswer(field, asked, answered, region string) error {
	got := kmsrules.ParseName(answered)
	if got.Kind != kmsrules.KeyARN {
		return invalidKey(field, "is not a KMS key ARN", nil)
	}
	want := kmsrules.ParseName(asked)
	var why string
	switch want.Kind {
	case kmsrules.KeyARN:
		if answered != asked {
			why = "it is another key ARN"
		}
	case kmsrules.KeyID:
		if got.KeyID != want.KeyID {
			why = "it is another key ID"
		} else {
			why = inRegion(got, region)
		}
	case kmsrules.AliasARN:
		switch {
		case got.Partition != want.Partition:
			why = "it is in partition " + got.Partition + ", the alias in " + want.Partition
		case got.Region != want.Region:
			why = "it is in Region " + got.Region + ", the alias in " + want.Region
		case got.Account != want.Account:
			why = "it is in account " + got.Account + ", the alias in " + want.Account
		}
	case kmsrules.AliasName:
		why = inRegion(got, region)
	default:
		return invalidKey(field, fmt.Sprintf("%s answers a request for %.80q, which is not a key ARN, key ID, alias name or alias ARN; no answer is believed for it", answered, asked), nil)
	}
	if why == "" {
		return nil
	}
	return invalidKey(field, fmt.Sprintf("%s does not answer the request for %s: %s", answered, asked, why), nil)
}

// bindDescribeKey refuses a DescribeKey answer that does not answer the
// request for name: KeyMetadata.Arn must be a key ARN that may answer it
// (as bindAnswer rules, region as there), and KeyMetadata.KeyId, when
// present, that ARN's key ID.
func bindDescribeKey(name string, out *kms.DescribeKeyOutput, region string) error {
	if out == nil || out.KeyMetadata == nil {
		return invalidKey("KeyMetadata", "is missing from the DescribeKey answer for "+name, nil)
	}
	m := out.KeyMetadata
	arn := aws.ToString(m.Arn)
	if err := bindAnswer("KeyMetadata.Arn", name, arn, region); err != nil {
		return err
	}
	if id := aws.ToString(m.KeyId); id != "" && id != kmsrules.ParseName(arn).KeyID {
		return invalidKey("KeyMetadata.KeyId", fmt.Sprintf("%.80q does not answer the request for %s", id, name), nil)
	}
	return nil
}

// inRegion is why key ARN got cannot answer a request resolved in region,
// or "" when it can (or region is unknown).
func inRegion(got kmsrules.Name, region string) string {
	if region == "" {
		return ""
	}
	if got.Region != region {
		return "it is in Region " + got.Region + ", the request went to " + region
	}
	if p := kmsrules.PartitionOfRegion(region); got.Partition != p {
		return "it is in partition " + got.Partition + ", the request went to " + p
	}
	return ""
}

// requestRegion is the Region a call to client with optFns goes to, when
// the client tells: a client with the Options method of *kms.Client has its
// options copied and optFns applied to the copy, as the SDK applies them
// for the call (so a per-call Region wins). Otherwise it is "". optFns run
// twice — here and in the call — and must not have side effects beyond the
// options they are given.
func requestRegion(client any, optFns []func(*kms.Options)) string {
	c, ok := client.(interface{ Options() kms.Options })
	if !ok {
		return ""
	}
	o := c.Options().Copy()
	for _, fn := range optFns {
		fn(&o)
	}
	return o.Region
}
