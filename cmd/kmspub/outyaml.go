package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The yaml and yaml-stream formats, as AWS CLI version 2 prints them: its
// YAMLDumper is ruamel.yaml's safe dumper in block style (YAML 1.2, width
// 80, two-space indent, a mapping's sequences not indented, members sorted
// by name, Unicode written as is), whose emitter is libyaml's; a bare
// scalar is printed as JSON. yaml-stream prints the response as the one
// item of a list.
//
// This is a small emitter for what responses hold — objects, lists,
// strings, numbers, booleans, null — that chooses each string's style
// (plain, 'single' or "double" quoted) and folds long strings at spaces
// exactly as libyaml does, and quotes what YAML 1.2 would read back as
// another type (true, 123, 1e3, null, 2024-01-01 …).

func (d *document) writeYAML(b *bytes.Buffer, v any) {
	if isScalar(v) {
		d.writeJSON(b, v, 0)
		b.WriteByte('\n')
		return
	}
	if isEmpty(v) {
		b.WriteString(emptyFlow(v) + "\n")
		return
	}
	e := &yamlEmitter{doc: d, b: b}
	e.node(v, 0)
	b.WriteByte('\n')
}

type yamlEmitter struct {
	doc *document
	b   *bytes.Buffer
	col int // the current column, in characters
}

const yamlWidth = 80

func (e *yamlEmitter) write(s string) {
	e.b.WriteString(s)
	e.col += utf8.RuneCountInString(s)
}

// newline ends the line and indents the next one.
func (e *yamlEmitter) newline(indent int) {
	e.b.WriteByte('\n')
	e.b.WriteString(strings.Repeat(" ", indent))
	e.col = indent
}

// node writes a non-empty object or list whose first entry starts at the
// current position, which is column indent; further entries start at
// column indent on their own lines.
func (e *yamlEmitter) node(v any, indent int) {
	switch v := v.(type) {
	case map[string]any:
		for i, k := range sortedKeys(v) { // ruamel's safe dumper sorts members
			if i > 0 {
				e.newline(indent)
			}
			e.scalar(k, indent+2, true)
			e.write(":")
			switch val := v[k]; {
			case isEmpty(val):
				e.write(" " + emptyFlow(val))
			case isScalar(val):
				e.write(" ")
				e.scalar(val, indent+2, false)
			case isMap(val):
				e.newline(indent + 2)
				e.node(val, indent+2)
			default: // a list: its dashes at the key's column
				e.newline(indent)
				e.node(val, indent)
			}
		}
	case []any:
		for i, item := range v {
			if i > 0 {
				e.newline(indent)
			}
			e.write("- ")
			switch {
			case isEmpty(item):
				e.write(emptyFlow(item))
			case isScalar(item):
				e.scalar(item, indent+2, false)
			default:
				e.node(item, indent+2)
			}
		}
	}
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

func emptyFlow(v any) string {
	if isMap(v) {
		return "{}"
	}
	return "[]"
}

// scalar writes v; indent is where a folded string's next lines start. A
// key (simple) is never folded.
func (e *yamlEmitter) scalar(v any, indent int, key bool) {
	switch v := v.(type) {
	case string:
		e.str(v, indent, key)
	case nil:
		e.write("null")
	case bool:
		e.write(strconv.FormatBool(v))
	case float64:
		e.write(pyNumber(v)) // ruamel: repr(), lower case
	default:
		e.write(fmt.Sprint(v))
	}
}

// str chooses the style libyaml chooses: plain when YAML allows it there
// and a reader would take it for a string; else single quoted unless the
// text needs escapes; else double quoted.
func (e *yamlEmitter) str(s string, indent int, key bool) {
	a := analyzeScalar(s)
	fold := !key
	switch {
	case a.blockPlain && !(key && s == "") && resolvesToString(s):
		e.plain(s, indent, fold)
	case a.singleQuoted:
		e.singleQuoted(s, indent, fold)
	default:
		e.doubleQuoted(s, indent, fold)
	}
}

// scalarAnalysis is the part of libyaml's yaml_emitter_analyze_scalar that
// block style needs.
type scalarAnalysis struct {
	blockPlain, singleQuoted bool
}

func isBreak(r rune) bool { return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029 }

// isBlankOrEnd is libyaml's IS_BLANKZ: space, tab, a line break, or the end.
func isBlankOrEnd(r rune) bool { return r == ' ' || r == '\t' || r == 0 || isBreak(r) }

// isPrintable is libyaml's IS_PRINTABLE: characters it writes as they are
// (outside the Basic Multilingual Plane none are, so ruamel escapes those
// even with allow_unicode).
func isPrintable(r rune) bool {
	return r == '\n' || (r >= 0x20 && r <= 0x7e) || (r >= 0xa0 && r <= 0xd7ff) ||
		(r >= 0xe000 && r <= 0xfffd && r != 0xfeff)
}

func analyzeScalar(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{blockPlain: true, singleQuoted: true}
	}
	rs := []rune(s)
	at := func(i int) rune {
		if i < len(rs) {
			return rs[i]
		}
		return 0
	}
	var blockIndicators, lineBreaks, special bool
	var leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	precededByWhitespace := true
	var previousSpace, previousBreak bool
	for i, r := range rs {
		followedByWhitespace := isBlankOrEnd(at(i + 1))
		if i == 0 {
			switch {
			case strings.ContainsRune("#,[]{}&*!|>'\"%@`", r):
				blockIndicators = true
			case (r == '?' || r == ':') && followedByWhitespace:
				blockIndicators = true
			case r == '-' && followedByWhitespace:
				blockIndicators = true
			}
		} else {
			if r == ':' && followedByWhitespace {
				blockIndicators = true
			}
			if r == '#' && precededByWhitespace {
				blockIndicators = true
			}
		}
		if !isPrintable(r) {
			special = true
		}
		if isBreak(r) {
			lineBreaks = true
		}
		switch {
		case r == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(rs)-1 {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case isBreak(r):
			if i == 0 {
				leadingBreak = true
			}
			if i == len(rs)-1 {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = isBlankOrEnd(r)
	}
	a := scalarAnalysis{blockPlain: true, singleQuoted: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
		a.blockPlain = false
	}
	if breakSpace {
		a.blockPlain, a.singleQuoted = false, false
	}
	if spaceBreak || special {
		a.blockPlain, a.singleQuoted = false, false
	}
	if lineBreaks || blockIndicators {
		a.blockPlain = false
	}
	return a
}

// YAML 1.2 implicit types as ruamel.yaml resolves a plain scalar, each
// tried only for the first characters ruamel lists for it.
var yamlImplicit = []struct {
	first string
	re    *regexp.Regexp
}{
	{"tTfF", regexp.MustCompile(`^(?:true|True|TRUE|false|False|FALSE)$`)},
	{"-+0123456789.", regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?` +
		`|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)` +
		`|\.[0-9_]+(?:[eE][-+][0-9]+)?` +
		`|[-+]?\.(?:inf|Inf|INF)` +
		`|\.(?:nan|NaN|NAN))$`)},
	{"-+0123456789", regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$`)},
	{"<", regexp.MustCompile(`^(?:<<)$`)},
	{"~nN", regexp.MustCompile(`^(?:~|null|Null|NULL)$`)},
	{"0123456789", regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]` +
		`|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?` +
		`(?:[Tt]|[ \t]+)[0-9][0-9]?` +
		`:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?` +
		`(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)},
	{"=", regexp.MustCompile(`^(?:=)$`)},
}

// resolvesToString reports whether s, written plain, reads back as the
// string s (not as a boolean, number, null, timestamp, merge or value key).
func resolvesToString(s string) bool {
	if s == "" {
		return false // null
	}
	first, _ := utf8.DecodeRuneInString(s)
	for _, t := range yamlImplicit {
		if strings.ContainsRune(t.first, first) && t.re.MatchString(s) {
			return false
		}
	}
	return true
}

// writeIndent is libyaml's yaml_emitter_write_indent inside a scalar: a
// line break, then spaces up to indent.
func (e *yamlEmitter) foldAt(indent int) {
	e.newline(indent)
}

// plain writes s unquoted, folding at a single space once past the width.
func (e *yamlEmitter) plain(s string, indent int, fold bool) {
	rs := []rune(s)
	spaces := false
	for i, r := range rs {
		if r == ' ' {
			next := rune(0)
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			if fold && !spaces && e.col > yamlWidth && next != ' ' {
				e.foldAt(indent)
			} else {
				e.write(" ")
			}
			spaces = true
			continue
		}
		e.write(string(r))
		spaces = false
	}
}

// singleQuoted writes 's' with ' doubled, folding as plain does (never at
// the first or last character) and writing line breaks YAML's way.
func (e *yamlEmitter) singleQuoted(s string, indent int, fold bool) {
	e.write("'")
	rs := []rune(s)
	spaces, breaks := false, false
	for i, r := range rs {
		switch {
		case r == ' ':
			next := rune(0)
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			if fold && !spaces && e.col > yamlWidth && i != 0 && i != len(rs)-1 && next != ' ' {
				e.foldAt(indent)
			} else {
				e.write(" ")
			}
			spaces = true
		case isBreak(r):
			if !breaks && r == '\n' {
				e.b.WriteByte('\n')
			}
			e.b.WriteString(string(r))
			e.col = 0
			breaks = true
		default:
			if breaks {
				e.b.WriteString(strings.Repeat(" ", indent))
				e.col = indent
			}
			if r == '\'' {
				e.write("'")
			}
			e.write(string(r))
			spaces, breaks = false, false
		}
	}
	if breaks {
		e.b.WriteString(strings.Repeat(" ", indent))
		e.col = indent
	}
	e.write("'")
}

// yamlEscapes are libyaml's short escapes.
var yamlEscapes = map[rune]string{
	0: `\0`, 0x07: `\a`, 0x08: `\b`, 0x09: `\t`, 0x0a: `\n`, 0x0b: `\v`, 0x0c: `\f`, 0x0d: `\r`,
	0x1b: `\e`, '"': `\"`, '\\': `\\`, 0x85: `\N`, 0xa0: `\_`, 0x2028: `\L`, 0x2029: `\P`,
}

// doubleQuoted writes "s" with libyaml's escapes, folding at a single
// space once past the width (a following space is kept with a backslash).
func (e *yamlEmitter) doubleQuoted(s string, indent int, fold bool) {
	e.write(`"`)
	rs := []rune(s)
	spaces := false
	for i, r := range rs {
		switch {
		case !isPrintable(r) || r == 0xfeff || isBreak(r) || r == '"' || r == '\\':
			esc, ok := yamlEscapes[r]
			switch {
			case ok:
			case r <= 0xff:
				esc = fmt.Sprintf(`\x%02X`, r)
			case r <= 0xffff:
				esc = fmt.Sprintf(`\u%04X`, r)
			default:
				esc = fmt.Sprintf(`\U%08X`, r)
			}
			e.write(esc)
			spaces = false
		case r == ' ':
			if fold && !spaces && e.col > yamlWidth && i != 0 && i != len(rs)-1 {
				e.foldAt(indent)
				if i+1 < len(rs) && rs[i+1] == ' ' {
					e.write(`\`)
				}
			} else {
				e.write(" ")
			}
			spaces = true
		default:
			e.write(string(r))
			spaces = false
		}
	}
	e.write(`"`)
}
