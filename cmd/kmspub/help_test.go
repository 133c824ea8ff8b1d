package main

import (
	"strings"
	"testing"
)

// TestHelpWidth keeps every help text within 80 columns.
func TestHelpWidth(t *testing.T) {
	texts := map[string]string{"kmspub help": topHelp()}
	for _, c := range commands {
		texts["kmspub "+c.name+" help"] = commandHelp(c)
	}
	for name, text := range texts {
		for _, line := range strings.Split(text, "\n") {
			if n := len([]rune(line)); n > 80 {
				t.Errorf("%s: line of %d columns: %q", name, n, line)
			}
		}
	}
}

func TestWrap(t *testing.T) {
	long := strings.Repeat("word ", 30)
	got := wrap("      "+long, "      ")
	for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if len(line) > helpWidth || !strings.HasPrefix(line, "      word") {
			t.Errorf("wrapped line %q", line)
		}
	}
	if strings.Count(got, "word") != 30 {
		t.Errorf("wrap lost words: %q", got)
	}
	unbreakable := strings.Repeat("x", 100)
	if got := wrap(unbreakable, ""); got != unbreakable+"\n" {
		t.Errorf("wrap(unbreakable) = %q", got)
	}
}
