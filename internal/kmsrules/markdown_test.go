package kmsrules

import (
	"os"
	"testing"
)

// TestRulesDocIsCurrent fails when docs/RULES.md no longer matches the table.
func TestRulesDocIsCurrent(t *testing.T) {
	committed, err := os.ReadFile("../../docs/RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	if got := Markdown(); got != string(committed) {
		t.Fatal("docs/RULES.md is stale: run `go run ./internal/cmd/rulesdoc > docs/RULES.md`")
	}
}
