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

// TestHelpFilled: help text wraps at word boundaries and fills its lines —
// within a paragraph, no line would have had room for the next line's
// first word — so no hand-wrapped line breaks early.
func TestHelpFilled(t *testing.T) {
	texts := map[string]string{"kmspub help": topHelp()}
	for _, c := range commands {
		texts["kmspub "+c.name+" help"] = commandHelp(c)
	}
	for name, text := range texts {
		lines := strings.Split(text, "\n")
		for i := 0; i+1 < len(lines); i++ {
			line, next := lines[i], lines[i+1]
			indent := len(line) - len(strings.TrimLeft(line, " "))
			nextIndent := len(next) - len(strings.TrimLeft(next, " "))
			// Same paragraph: prose at the same indentation, 0 or the 6 of
			// option help (indented tables have wider columns).
			if strings.TrimSpace(line) == "" || strings.TrimSpace(next) == "" || indent != nextIndent || (indent != 0 && indent != 6) {
				continue
			}
			if indent == 6 && strings.HasPrefix(strings.TrimSpace(next), "--") {
				continue
			}
			first := strings.Fields(next)[0]
			if len([]rune(line))+1+len([]rune(first)) <= helpWidth && !strings.HasSuffix(line, ":") {
				t.Errorf("%s: line %q breaks early: %q fits after it", name, line, first)
			}
		}
	}
}
