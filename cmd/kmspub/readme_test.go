package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEMainJob runs the README's main-job command as written (from the
// repository root, as the README says) and requires the exact output the
// README shows, so the first thing a reader tries cannot silently rot.
func TestREADMEMainJob(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The first fenced block after the main-job heading: "$ command" lines
	// (with "\" continuations), then the output.
	section := regexp.MustCompile("(?s)## The main job[^\n]*\n.*?```\n(.*?)```").FindSubmatch(readme)
	if section == nil {
		t.Fatal("README.md has no main-job code block")
	}
	block := strings.ReplaceAll(string(section[1]), "\\\n", " ")
	command, wantOut, ok := strings.Cut(block, "\n")
	if !ok || !strings.HasPrefix(command, "$ go run ./cmd/kmspub ") {
		t.Fatalf("main-job block does not start with `$ go run ./cmd/kmspub …`: %q", command)
	}
	argv := strings.Fields(strings.TrimPrefix(command, "$ go run ./cmd/kmspub "))

	t.Chdir(root)
	var stdout, stderr bytes.Buffer
	if status := run(context.Background(), argv, &stdout, &stderr); status != 0 {
		t.Fatalf("kmspub %s: exit status %d\n%s", strings.Join(argv, " "), status, stderr.String())
	}
	if stdout.String() != wantOut {
		t.Errorf("README main-job output differs.\ngot:\n%s\nREADME shows:\n%s", stdout.String(), wantOut)
	}
}
