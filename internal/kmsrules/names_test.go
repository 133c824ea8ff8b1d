package kmsrules

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPartitionsAreTheSDKs holds Partitions to the partition data of the
// aws-sdk-go-v2 module this repository builds with (go.mod), read from the
// module cache: the same partitions, in the same order, with the same
// Region patterns, and every Region the SDK lists in its partition. When an
// SDK update adds a partition, this test names it.
func TestPartitionsAreTheSDKs(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-sdk-go-v2: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		t.Fatal("go list gave no directory for github.com/aws/aws-sdk-go-v2 (is the module downloaded?)")
	}
	data, err := os.ReadFile(filepath.Join(dir, "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sdk struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(data, &sdk); err != nil {
		t.Fatal(err)
	}
	if len(sdk.Partitions) != len(Partitions) {
		var ids []string
		for _, p := range sdk.Partitions {
			ids = append(ids, p.ID)
		}
		t.Fatalf("the SDK has %d partitions %v; kmsrules.Partitions has %d", len(ids), ids, len(Partitions))
	}
	regions := 0
	for i, p := range sdk.Partitions {
		if Partitions[i].ID != p.ID || Partitions[i].RegionRegex != p.RegionRegex {
			t.Errorf("partition %d: SDK %s %s, kmsrules %s %s", i, p.ID, p.RegionRegex, Partitions[i].ID, Partitions[i].RegionRegex)
		}
		for region := range p.Regions {
			// "aws-global", "aws-cn-global"…: pseudo-Regions of global
			// endpoints, which KMS does not have.
			if strings.HasSuffix(region, "-global") {
				continue
			}
			regions++
			if got := PartitionOfRegion(region); got != p.ID {
				t.Errorf("PartitionOfRegion(%q) = %s, want %s", region, got, p.ID)
			}
		}
	}
	if regions < 40 {
		t.Errorf("only %d Regions checked", regions)
	}
	t.Logf("%d partitions, %d Regions, from %s", len(Partitions), regions, dir)
}

func TestParseName(t *testing.T) {
	const id = "1234abcd-12ab-34cd-56ef-1234567890ab"
	long := strings.Repeat("a", MaxKeyIDPartSize)
	for _, tc := range []struct {
		name string
		want Name
	}{
		{"arn:aws:kms:us-east-1:111122223333:key/" + id, Name{Kind: KeyARN, Partition: "aws", Region: "us-east-1", Account: "111122223333", KeyID: id}},
		{"arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab", Name{Kind: KeyARN, Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "111122223333", KeyID: "mrk-1234abcd12ab34cd56ef1234567890ab"}},
		{"arn:aws-eusc:kms:eusc-de-east-1:111122223333:key/" + long, Name{Kind: KeyARN, Partition: "aws-eusc", Region: "eusc-de-east-1", Account: "111122223333", KeyID: long}},
		{"arn:aws-cn:kms:cn-north-1:111122223333:alias/a/b_c-D9", Name{Kind: AliasARN, Partition: "aws-cn", Region: "cn-north-1", Account: "111122223333", Alias: "alias/a/b_c-D9"}},
		{"alias/release-signing", Name{Kind: AliasName, Alias: "alias/release-signing"}},
		{"alias/" + strings.Repeat("x", MaxAliasNameSize-len("alias/")), Name{Kind: AliasName, Alias: "alias/" + strings.Repeat("x", MaxAliasNameSize-len("alias/"))}},
		{id, Name{Kind: KeyID, KeyID: id}},

		// Not canonical: refused, whatever KMS would make of them.
		{"ARN:aws:kms:us-east-1:111122223333:key/" + id, Name{}},
		{" arn:aws:kms:us-east-1:111122223333:key/" + id, Name{}},
		{"arn:aws:kms:us-east-1:111122223333:key/" + id + " ", Name{}},
		{"arn:aws-evil-partition:kms:us-east-1:111122223333:key/" + id, Name{}},
		{"arn:aws:KMS:us-east-1:111122223333:key/" + id, Name{}},
		{"arn:aws:iam:us-east-1:111122223333:key/" + id, Name{}},
		{"arn:aws:kms:US-EAST-1:111122223333:key/" + id, Name{}},
		{"arn:aws:kms::111122223333:key/" + id, Name{}},
		{"arn:aws:kms:us-east-1:11112222333:key/" + id, Name{}},
		{"arn:aws:kms:us-east-1:111122223333:key/", Name{}},
		{"arn:aws:kms:us-east-1:111122223333:key/" + long + "a", Name{}},
		{"arn:aws:kms:us-east-1:111122223333:key/" + id + "/x", Name{}},
		{"arn:aws:kms:us-east-1:111122223333:alias/", Name{}},
		{"arn:aws:kms:us-east-1:111122223333:" + id, Name{}},
		{"arn:aws:kms:us-east-1:111122223333", Name{}},
		{"alias/", Name{}},
		{"alias/x y", Name{}},
		{"alias/a:b", Name{}},
		{"alias/" + strings.Repeat("x", MaxAliasNameSize), Name{}},
		{"Alias/x", Name{}},
		{"key/" + id, Name{}},
		{id + "\u202e", Name{}},
		{"", Name{}},
	} {
		if got := ParseName(tc.name); got != tc.want {
			t.Errorf("ParseName(%.60q) = %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { ParseName("arn:aws:kms:us-east-1:111122223333:key/" + id) }); n != 0 {
		t.Errorf("ParseName allocates %v times", n)
	}
}

func TestPartitionOfRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-2": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b", "eu-isoe-west-1": "aws-iso-e",
		"us-isof-south-1": "aws-iso-f", "eusc-de-east-1": "aws-eusc",
		"local": "aws", // the SDK's default for a Region no pattern matches
	} {
		if got := PartitionOfRegion(region); got != want {
			t.Errorf("PartitionOfRegion(%q) = %s, want %s", region, got, want)
		}
	}
}
