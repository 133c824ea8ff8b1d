package main

import (
	"fmt"
	"slices"
	"strings"
)

// argKind is how an option takes its value, as in the AWS CLI's argument
// tables: one value, or one or more values up to the next option
// (argparse nargs='+', e.g. --grant-tokens A B).
type argKind int

const (
	oneValue argKind = iota
	listValue
	noValue // a switch such as --dry-run
	// appendList is listValue whose repeats add up, like argparse's
	// action='append' with nargs='+' (the AWS Encryption CLI's
	// --wrapping-keys): --key-file a --key-file b c holds a, b and c.
	appendList
)

// option describes one --name of a command.
type option struct {
	name     string // without the leading "--"
	kind     argKind
	required bool
	// requiredUnless names a kmspub-only option that stands in for this
	// one (verify's --message-file for --message): without either, the
	// option is reported missing as the AWS CLI reports it.
	requiredUnless string
	value          string // placeholder in usage, e.g. "<value>"
	help           string
}

// args holds a parsed command line.
type args struct {
	one  map[string]string
	list map[string][]string
}

func (a *args) has(name string) bool {
	_, one := a.one[name]
	_, list := a.list[name]
	return one || list
}

func (a *args) get(name string) string { return a.one[name] }

// parseArgs parses argv against opts the way the AWS CLI's argparse parser
// does: "--name value" or "--name=value"; a repeated option keeps its last
// value; missing required options are reported first, then anything
// unrecognised as "Unknown options: …". It never looks at values.
func parseArgs(argv []string, opts []option) (*args, error) {
	a := &args{one: map[string]string{}, list: map[string][]string{}}
	var unknown []string
	for i := 0; i < len(argv); i++ {
		arg := argv[i]
		if !strings.HasPrefix(arg, "--") || arg == "--" {
			unknown = append(unknown, arg)
			continue
		}
		name, inline, hasInline := strings.Cut(arg[2:], "=")
		j := slices.IndexFunc(opts, func(o option) bool { return o.name == name })
		if j < 0 {
			unknown = append(unknown, arg)
			continue
		}
		o := opts[j]
		switch o.kind {
		case noValue:
			if hasInline {
				return nil, usageError("argument --%s: ignored explicit argument '%s'", name, inline)
			}
			// --no-X undoes --X and the other way round; the last one wins.
			delete(a.one, "no-"+name)
			if positive, ok := strings.CutPrefix(name, "no-"); ok {
				delete(a.one, positive)
			}
			a.one[name] = ""
		case oneValue:
			switch {
			case hasInline:
				a.one[name] = inline
			case i+1 < len(argv) && !isOption(argv[i+1]):
				i++
				a.one[name] = argv[i]
			default:
				return nil, usageError("argument --%s: expected one argument", name)
			}
		case listValue, appendList:
			var values []string
			if hasInline {
				values = append(values, inline)
			}
			for i+1 < len(argv) && !isOption(argv[i+1]) {
				i++
				values = append(values, argv[i])
			}
			if len(values) == 0 {
				return nil, usageError("argument --%s: expected at least one argument", name)
			}
			if o.kind == appendList {
				values = append(a.list[name], values...)
			}
			a.list[name] = values
		}
	}
	var missing []string
	for _, o := range opts {
		if (o.required || (o.requiredUnless != "" && !a.has(o.requiredUnless))) && !a.has(o.name) {
			missing = append(missing, "--"+o.name)
		}
	}
	if len(missing) > 0 {
		return nil, usageError("the following arguments are required: %s", strings.Join(missing, ", "))
	}
	if len(unknown) > 0 {
		return nil, unknownOptionsError(unknown)
	}
	return a, nil
}

// isOption reports whether arg starts an option rather than being a value.
// Values never start with "--": base64, file names given as fileb://…,
// algorithm names and key IDs do not.
func isOption(arg string) bool { return strings.HasPrefix(arg, "--") }

// exclusive refuses two options given together, in argparse's words.
func exclusive(a *args, first, second string) error {
	if a.has(first) && a.has(second) {
		return usageError("argument --%s: not allowed with argument --%s", second, first)
	}
	return nil
}

// oneOf requires exactly one of the options, in argparse's words.
func oneOf(a *args, names ...string) error {
	var given []string
	for _, n := range names {
		if a.has(n) {
			given = append(given, n)
		}
	}
	switch len(given) {
	case 0:
		dashed := make([]string, len(names))
		for i, n := range names {
			dashed[i] = "--" + n
		}
		return usageError("one of the arguments %s is required", strings.Join(dashed, " "))
	case 1:
		return nil
	}
	return usageError("argument --%s: not allowed with argument --%s", given[1], given[0])
}

// formatOptions renders opts for help text, one per line.
func formatOptions(opts []option) string {
	var b strings.Builder
	for _, o := range opts {
		v := o.value
		if v == "" {
			v = "<value>"
		}
		switch o.kind {
		case listValue, appendList:
			fmt.Fprintf(&b, "  --%s %s [%s ...]\n", o.name, v, v)
		case noValue:
			fmt.Fprintf(&b, "  --%s\n", o.name)
		default:
			fmt.Fprintf(&b, "  --%s %s\n", o.name, v)
		}
		b.WriteString(wrap("      "+strings.Join(strings.Fields(o.help), " "), "      "))
	}
	return b.String()
}

// reflow fills each paragraph of text (lines that do not start with a
// space) to helpWidth, breaking only between words; indented lines (tables,
// lists) and blank lines are kept as they are.
func reflow(text string) string {
	var b strings.Builder
	var para []string
	flush := func() {
		if len(para) > 0 {
			b.WriteString(wrap(strings.Join(para, " "), ""))
			para = nil
		}
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, line := range lines {
		if line == "" || strings.HasPrefix(line, " ") {
			flush()
			b.WriteString(line + "\n")
			continue
		}
		para = append(para, strings.Join(strings.Fields(line), " "))
	}
	flush()
	return b.String()
}

// helpWidth is the column help text is wrapped at.
const helpWidth = 78

// wrap breaks line at spaces so that no line is longer than helpWidth
// (unless a single word is), continuing with indent; it ends with a newline.
func wrap(line, indent string) string {
	var b strings.Builder
	for len(line) > helpWidth {
		cut := strings.LastIndexByte(line[:helpWidth+1], ' ')
		if cut <= len(indent) {
			break
		}
		b.WriteString(line[:cut] + "\n")
		line = indent + strings.TrimLeft(line[cut:], " ")
	}
	b.WriteString(line + "\n")
	return b.String()
}
