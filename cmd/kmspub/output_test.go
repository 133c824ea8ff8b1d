package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// test-response is a command of the test binary only: its response is the
// JSON file --json names, as it is, so that any response shape goes
// through run's output path (--query, --output) like a real command's.
func init() {
	register(&command{
		name:      "test-response",
		operation: "TestResponse",
		summary:   "Tests only: print --json FILE as the response.",
		usage:     "test-response --json <path>",
		hidden:    true,
		options:   []option{{name: "json", required: true, value: "<path>"}},
		run: func(_ context.Context, a *args, stdout io.Writer) error {
			data, err := os.ReadFile(a.get("json"))
			if err != nil {
				return err
			}
			_, err = stdout.Write(data)
			return err
		},
	})
}

// outputCases are the responses and queries the formats are checked on:
// KMS's own shapes, and shapes with every kind of value and string the
// formatters treat differently.
var outputCases = []struct {
	file    string
	queries []string
}{
	{"../../../../testdata/sample/ecc_nist_p256.json", []string{"", "PublicKey", "SigningAlgorithms", "{Id: KeyId, Spec: KeySpec, Algs: SigningAlgorithms}", "[KeyId, KeyUsage]"}},
	{"verify.json", []string{"", "SignatureValid", "KeyId", "{Valid: SignatureValid, Key: KeyId}", "@"}},
	{"encrypt.json", []string{"", "CiphertextBlob", "[CiphertextBlob, EncryptionAlgorithm]"}},
	{"nested.json", []string{"", "Keys", "Keys[*].KeyId", "Keys[1]", "Keys[?Tags].Tags[]", "Meta", "Matrix", "Empty", "None", "Nothing", "length(Keys)", "Ratio", "Truncated",
		"{b: Count, a: Keys[0].KeyId, c: {z: Ratio, y: Meta.Region}}"}},
	{"strings.json", []string{"", "List", "Numbers", "Wide", "Unicode"}},
	{"wide.json", []string{""}},
}

func outputTestdata(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("testdata", "output", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func runFormat(t *testing.T, path, format, query string) string {
	t.Helper()
	argv := []string{"test-response", "--json", path, "--output", format}
	if query != "" {
		argv = append(argv, "--query", query)
	}
	var stdout, stderr bytes.Buffer
	if status := run(context.Background(), argv, &stdout, &stderr); status != 0 {
		t.Fatalf("kmspub %q: status %d: %s", argv, status, stderr.String())
	}
	return stdout.String()
}

// awsFormatter finds a Python that imports the AWS CLI on this machine (the
// aws command's own, or the system's), or "" when there is none.
func awsFormatter(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if err := exec.Command(py, "-c", "import awscli.formatter, jmespath").Run(); err == nil {
			return py
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no python3 imports awscli: the AWS CLI must be installed (CI installs it)")
	}
	t.Skip("no python3 on this machine imports awscli (the AWS CLI's own formatters)")
	return ""
}

// awsFormatterScript runs the AWS CLI's formatter (get_formatter) as the
// aws command does on a response, for each job of the JSON list on stdin —
// [format, operation name, query or "", response] — printing the outputs
// separated by a NUL line.
const awsFormatterScript = `
import sys, json, argparse, collections, jmespath
from awscli.formatter import get_formatter
jobs = json.load(sys.stdin, object_pairs_hook=collections.OrderedDict)
for fmt, title, query, data in jobs:
    args = argparse.Namespace(query=jmespath.compile(query) if query else None, color='off')
    get_formatter(fmt, args)(title, data, sys.stdout)
    sys.stdout.write('\x00\n')
`

// TestOutputMatchesAWSCLI feeds every case through kmspub's output path and
// through the AWS CLI's own formatters (those of the installed aws, version
// 1, whose json, text and table formats are version 2's), and requires the
// same bytes. Version 1 has no yaml; see TestOutputYAML.
func TestOutputMatchesAWSCLI(t *testing.T) {
	py := awsFormatter(t)
	type job struct{ file, format, query string }
	var jobs []job
	var input []any
	for _, tc := range outputCases {
		path := outputTestdata(t, tc.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, query := range tc.queries {
			for _, format := range []string{"json", "text", "table"} {
				jobs = append(jobs, job{path, format, query})
				input = append(input, []any{format, "TestResponse", query, json.RawMessage(data)})
			}
		}
	}
	stdin, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", awsFormatterScript)
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the AWS CLI's formatters: %v\n%s", err, stderr.String())
	}
	want := strings.Split(string(out), "\x00\n")
	if len(want) != len(jobs)+1 {
		t.Fatalf("the AWS CLI's formatters printed %d outputs for %d jobs", len(want)-1, len(jobs))
	}
	for i, j := range jobs {
		if got := runFormat(t, j.file, j.format, j.query); got != want[i] {
			t.Errorf("%s --output %s --query %q:\nkmspub:\n%s\naws:\n%s", filepath.Base(j.file), j.format, j.query, got, want[i])
		}
	}
	t.Logf("%d outputs identical to the AWS CLI's", len(jobs))
}

// TestOutputYAML compares --output yaml and yaml-stream with
// testdata/output/yaml.txtar: what AWS CLI v2's YAMLDumper (ruamel.yaml's
// safe dumper, block style) printed for the same responses and queries.
// The archive's comment says how it was made.
func TestOutputYAML(t *testing.T) {
	if *yamlCases != "" {
		writeYAMLCases(t, *yamlCases)
	}
	ar, err := txtar.ParseFile(filepath.Join("testdata", "output", "yaml.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, f := range ar.Files {
		want[f.Name] = string(f.Data)
	}
	n := 0
	for _, tc := range outputCases {
		path := outputTestdata(t, tc.file)
		for _, query := range tc.queries {
			for _, format := range []string{"yaml", "yaml-stream"} {
				name := yamlCaseName(tc.file, format, query)
				w, ok := want[name]
				if !ok {
					t.Errorf("yaml.txtar has no %q", name)
					continue
				}
				n++
				if got := runFormat(t, path, format, query); got != w {
					t.Errorf("%s:\nkmspub:\n%s\nruamel.yaml:\n%s", name, got, w)
				}
			}
		}
	}
	if n != len(ar.Files) {
		t.Errorf("checked %d of yaml.txtar's %d cases", n, len(ar.Files))
	}
}

// yamlCases: go test -run TestOutputYAML -yaml-cases FILE writes the cases
// as JSON for the generator of yaml.txtar.
var yamlCases = flag.String("yaml-cases", "", "write TestOutputYAML's cases to this file")

func writeYAMLCases(t *testing.T, path string) {
	var cases [][]string
	for _, tc := range outputCases {
		file, err := filepath.Abs(outputTestdata(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, query := range tc.queries {
			for _, format := range []string{"yaml", "yaml-stream"} {
				cases = append(cases, []string{yamlCaseName(tc.file, format, query), file, format, query})
			}
		}
	}
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func yamlCaseName(file, format, query string) string {
	return strings.TrimSpace(filepath.Base(file) + " " + format + " " + query)
}

func TestMultiSelectHashKeys(t *testing.T) {
	for expr, want := range map[string]string{
		"KeyId":                            "",
		"{b: Count, a: Keys[0].KeyId}":     "b a",
		`{"x y": a, z: {q: b, "x y": c}}`:  "x y|z|q",
		"Keys[*].{Id: KeyId, Arn: KeyArn}": "Id Arn",
	} {
		got := strings.Join(multiSelectHashKeys(expr), " ")
		if strings.Contains(want, "|") {
			got = strings.Join(multiSelectHashKeys(expr), "|")
		}
		if got != want {
			t.Errorf("multiSelectHashKeys(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestPyNumber(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", -1: "-1", 1.5: "1.5", 1e-07: "1e-07", 0.0001: "0.0001", 0.00001: "1e-05",
		123456789012: "123456789012", 0.1: "0.1", 1.5e16: "15000000000000000", 1.25e300: "1.25e+300",
	} {
		if got := pyNumber(f); got != want {
			t.Errorf("pyNumber(%v) = %q, want %q", f, got, want)
		}
	}
}
