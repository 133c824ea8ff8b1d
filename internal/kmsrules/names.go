package kmsrules

import (
	"regexp"
	"strings"
)

// The names KMS takes as a request's KeyId, and the AWS partitions a KMS ARN
// can be in (docs/KMS-RULES.md §14).

// A Partition is an AWS partition: a separate namespace of accounts,
// Regions and ARNs.
type Partition struct {
	ID string
	// RegionRegex is the pattern of the partition's Region names, as
	// aws-sdk-go-v2's endpoint rules give it.
	RegionRegex string
	regionRE    *regexp.Regexp
}

// Partitions are the AWS partitions, in the order and with the Region
// patterns of aws-sdk-go-v2 v1.48.0, internal/endpoints/awsrulesfn/
// partitions.json (the data the SDK resolves endpoints with; a test holds
// this table to it).
var Partitions = []*Partition{
	newPartition("aws", `^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`),
	newPartition("aws-cn", `^cn\-\w+\-\d+$`),
	newPartition("aws-eusc", `^eusc\-(de)\-\w+\-\d+$`),
	newPartition("aws-iso", `^us\-iso\-\w+\-\d+$`),
	newPartition("aws-iso-b", `^us\-isob\-\w+\-\d+$`),
	newPartition("aws-iso-e", `^eu\-isoe\-\w+\-\d+$`),
	newPartition("aws-iso-f", `^us\-isof\-\w+\-\d+$`),
	newPartition("aws-us-gov", `^us\-gov\-\w+\-\d+$`),
}

func newPartition(id, regionRegex string) *Partition {
	return &Partition{ID: id, RegionRegex: regionRegex, regionRE: regexp.MustCompile(regionRegex)}
}

// IsPartition reports whether id is an AWS partition.
func IsPartition(id string) bool {
	for _, p := range Partitions {
		if p.ID == id {
			return true
		}
	}
	return false
}

// PartitionOfRegion returns the partition the SDK sends a request for
// region to: the first whose Region pattern matches, else "aws" (the SDK's
// default, awsrulesfn.GetPartition).
func PartitionOfRegion(region string) string {
	for _, p := range Partitions {
		if p.regionRE.MatchString(region) {
			return p.ID
		}
	}
	return "aws"
}

// NameKind is which of the four forms of KeyId a name is.
type NameKind int

const (
	NotAName  NameKind = iota // none of the four: KMS cannot resolve it
	KeyARN                    // arn:<partition>:kms:<region>:<account>:key/<key-id>
	AliasARN                  // arn:<partition>:kms:<region>:<account>:alias/<name>
	AliasName                 // alias/<name>
	KeyID                     // <key-id>
)

// Name is a KeyId split into its parts. Every part is a substring of the
// name; ParseName does not allocate.
type Name struct {
	Kind NameKind
	// Partition, Region and Account are the ARN's, for KeyARN and
	// AliasARN; empty otherwise.
	Partition, Region, Account string
	// KeyID is the key ID, for KeyARN and KeyID.
	KeyID string
	// Alias is "alias/<name>", for AliasARN and AliasName.
	Alias string
}

// Limits on the parts of a name.
const (
	MaxKeyIDPartSize = 128 // a key ID, as the key ARNs kmspub accepts hold it
	MaxAliasNameSize = 256 // AliasNameType max, "alias/" included
)

// ParseName splits name, a request's KeyId, into its parts. It accepts only
// the canonical forms KMS documents for KeyId (API, every operation: "key
// ID, key ARN, alias name, or alias ARN"): an ARN in lower case with a known
// partition, service kms, a Region of lower-case letters, digits and
// hyphens, and a 12-digit account; a key ID of letters, digits and hyphens
// (a UUID, or mrk- and 32 hexadecimal digits for a multi-Region key); an
// alias name of at most 256 characters, "alias/" followed by letters,
// digits, '/', '_' and '-' (what CreateAlias and UpdateAlias accept, so what
// an alias can be called). Anything else — other case, spaces, another
// service or partition — is NotAName.
func ParseName(name string) Name {
	if rest, ok := strings.CutPrefix(name, "arn:"); ok {
		return parseARN(rest)
	}
	if isAliasName(name) {
		return Name{Kind: AliasName, Alias: name}
	}
	if isKeyID(name) {
		return Name{Kind: KeyID, KeyID: name}
	}
	return Name{}
}

func parseARN(rest string) Name {
	var parts [4]string // partition, service, Region, account
	for i := range parts {
		var ok bool
		if parts[i], rest, ok = strings.Cut(rest, ":"); !ok {
			return Name{}
		}
	}
	partition, service, region, account := parts[0], parts[1], parts[2], parts[3]
	if !IsPartition(partition) || service != "kms" || !isRegion(region) || !isAccount(account) {
		return Name{}
	}
	n := Name{Partition: partition, Region: region, Account: account}
	if id, ok := strings.CutPrefix(rest, "key/"); ok && isKeyID(id) {
		n.Kind, n.KeyID = KeyARN, id
		return n
	}
	if isAliasName(rest) {
		n.Kind, n.Alias = AliasARN, rest
		return n
	}
	return Name{}
}

func isKeyID(s string) bool {
	return len(s) >= 1 && len(s) <= MaxKeyIDPartSize && allBytes(s, func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
	})
}

func isAliasName(s string) bool {
	name, ok := strings.CutPrefix(s, "alias/")
	return ok && name != "" && len(s) <= MaxAliasNameSize && allBytes(name, func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '/' || c == '_' || c == '-'
	})
}

func isRegion(s string) bool {
	return s != "" && allBytes(s, func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' })
}

func isAccount(s string) bool {
	return len(s) == 12 && allBytes(s, func(c byte) bool { return '0' <= c && c <= '9' })
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
