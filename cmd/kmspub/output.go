package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"
)

// Every command's response goes through one path, as in the AWS CLI: the
// command writes its JSON response (printJSON), and run, once the command
// has succeeded, applies --query and prints it in the --output format —
// json, text, table, yaml, yaml-stream or off, formatted as AWS CLI
// version 2 formats them (awscli/formatter.py, text.py, table.py). A new
// command that prints its response with printJSON needs nothing else.
//
// A command that declares its own --output option (encrypt-message,
// decrypt-message: a data destination, as in the AWS Encryption CLI) is a
// data command: it gets neither the format --output nor --query, and what
// it writes to stdout is passed through unchanged.

// outputFormats are AWS CLI v2's --output choices.
var outputFormats = []string{"json", "text", "table", "yaml", "yaml-stream", "off"}

// binaryFormats are AWS CLI v2's --cli-binary-format choices.
var binaryFormats = []string{"base64", "raw-in-base64-out"}

// responseOptions are the AWS CLI's global options that shape a response.
var responseOptions = []option{
	{name: "query", help: "A JMESPath query applied to the response before it is printed, as " +
		"with the AWS CLI (e.g. --query CiphertextBlob --output text)."},
	{name: "output", help: "How the response is printed: " + strings.Join(outputFormats, ", ") +
		", as AWS CLI version 2 prints them (default: $AWS_DEFAULT_OUTPUT, else json)."},
}

// cliOptions are the AWS CLI's global options every command takes.
var cliOptions = []option{
	{name: "cli-binary-format", help: "How blob arguments given as values or file:// are read: base64 " +
		"(the default) or raw-in-base64-out (taken as the text's own bytes), as in AWS CLI " +
		"version 2. fileb:// is always the file's bytes."},
	{name: "no-cli-pager", kind: noValue, help: "Accepted as in AWS CLI version 2; kmspub never pages its output."},
}

// isDataCommand reports whether c writes data rather than a JSON response:
// it declares its own --output (a destination).
func isDataCommand(c *command) bool {
	return slices.ContainsFunc(c.options, func(o option) bool { return o.name == "output" })
}

// allOptions is c's option table with the global options it takes.
func allOptions(c *command) []option {
	opts := slices.Clone(c.options)
	add := cliOptions
	if !isDataCommand(c) {
		add = slices.Concat(responseOptions, cliOptions)
	}
	for _, o := range add {
		if !slices.ContainsFunc(opts, func(p option) bool { return p.name == o.name }) {
			opts = append(opts, o)
		}
	}
	return opts
}

// responseFormat is how run prints a command's response.
type responseFormat struct {
	output string             // one of outputFormats
	query  *jmespath.JMESPath // nil without --query
	// hashKeys are the keys the query's multi-select hashes ({Name: expr})
	// create, in the order written: the order the AWS CLI gives them.
	hashKeys []string
}

// parseResponseFormat reads --output (or AWS_DEFAULT_OUTPUT) and --query,
// before the command runs, as the AWS CLI does.
func parseResponseFormat(a *args) (*responseFormat, error) {
	f := &responseFormat{output: "json"}
	if env := os.Getenv("AWS_DEFAULT_OUTPUT"); env != "" {
		if !slices.Contains(outputFormats, env) {
			// AWS CLI v2 fails the same way (its get_formatter's ValueError).
			return nil, &cliError{exitGeneral, "Unknown output type: " + env}
		}
		f.output = env
	}
	if a.has("output") {
		if err := checkOutput(a); err != nil {
			return nil, err
		}
		f.output = a.get("output")
	}
	if a.has("query") {
		expr := a.get("query")
		q, err := jmespath.Compile(expr)
		if err != nil {
			return nil, queryError(expr, err)
		}
		f.query = q
		f.hashKeys = multiSelectHashKeys(expr)
	}
	return f, nil
}

// checkOutput refuses an --output format kmspub does not print.
func checkOutput(a *args) error {
	if a.has("output") && !slices.Contains(outputFormats, a.get("output")) {
		return choicesError("output", outputFormats)
	}
	return nil
}

// choicesError is argparse's "Invalid choice" in the AWS CLI's layout: two
// choices to a line, each padded to 40 columns.
func choicesError(name string, choices []string) error {
	var lines []string
	for i := 0; i < len(choices); i += 2 {
		var cells []string
		for _, c := range choices[i:min(i+2, len(choices))] {
			cells = append(cells, fmt.Sprintf("%-40s", c))
		}
		lines = append(lines, strings.Join(cells, " | "))
	}
	return usageError("argument --%s: Invalid choice, valid choices are:\n\n%s", name, strings.Join(lines, "\n"))
}

// queryError is the AWS CLI's refusal of a --query that does not parse,
// with the parser's pointer at the fault. It is a parameter error (252), as
// AWS CLI v2 classes a parameter value that prevents the command from
// running (v1 exits 255).
func queryError(expr string, err error) error {
	text := fmt.Sprintf("Bad value for --query %s: %v", expr, err)
	var se jmespath.SyntaxError
	if errors.As(err, &se) {
		text += "\n" + se.HighlightLocation()
	}
	return &cliError{exitParam, text}
}

// keyValPair finds the key of each multi-select hash pair in the parser's
// own rendering of the expression (go-jmespath keeps its AST private).
var keyValPair = regexp.MustCompile(`ASTKeyValPair \{\n\s+value: ("(?:[^"\\]|\\.)*")`)

// multiSelectHashKeys lists the keys the expression's multi-select hashes
// create, in the order written, each once.
func multiSelectHashKeys(expr string) []string {
	ast, err := jmespath.NewParser().Parse(expr)
	if err != nil {
		return nil
	}
	var keys []string
	for _, m := range keyValPair.FindAllStringSubmatch(ast.String(), -1) {
		if k, err := strconv.Unquote(m[1]); err == nil && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// writeResponse prints what command c wrote (body) to w, in format f; title
// is the table title, the KMS operation name.
func writeResponse(w io.Writer, c *command, f *responseFormat, body []byte) error {
	if isDataCommand(c) || len(body) == 0 {
		_, err := w.Write(body)
		return err
	}
	if f.output == "off" {
		return nil
	}
	doc, err := decodeResponse(body)
	if err != nil {
		if f.output == "json" && f.query == nil {
			_, err := w.Write(body) // not JSON: a command's own text, as it is
			return err
		}
		return fmt.Errorf("kmspub %s: the response is not one JSON value, so --query/--output cannot apply: %v", c.name, err)
	}
	result := doc.value
	if f.query != nil {
		if result, err = f.query.Search(result); err != nil {
			return &cliError{exitGeneral, err.Error()}
		}
		doc.hashKeys = f.hashKeys
	}
	var b bytes.Buffer
	switch f.output {
	case "json":
		if !isEmptyObject(result) {
			doc.writeJSON(&b, result, 0)
			b.WriteByte('\n')
		}
	case "text":
		doc.writeText(&b, result)
	case "table":
		if err := doc.writeTable(&b, c.operation, result, terminalWidth(w)); err != nil {
			return &cliError{exitGeneral, err.Error()}
		}
	case "yaml":
		if !isEmptyObject(result) {
			doc.writeYAML(&b, result)
		}
	case "yaml-stream":
		doc.writeYAML(&b, []any{result})
	}
	_, err = w.Write(b.Bytes())
	return err
}

func isEmptyObject(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// document is a decoded response: JSON objects become map[string]any (what
// go-jmespath searches), numbers float64, and the member order of every
// object, which Go maps do not keep, is kept beside them.
type document struct {
	value any
	// order holds each decoded object's member order, by map identity.
	order map[uintptr][]string
	// rank is each member name's first position in the whole response.
	rank map[string]int
	// hashKeys: see responseFormat.
	hashKeys []string
}

func mapID(m map[string]any) uintptr { return uintptr(reflect.ValueOf(m).UnsafePointer()) }

// decodeResponse decodes one JSON value, and nothing after it.
func decodeResponse(body []byte) (*document, error) {
	d := &document{order: map[uintptr][]string{}, rank: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := d.decode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("more than one JSON value")
	}
	d.value = v
	return d, nil
}

func (d *document) decode(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			var keys []string
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				v, err := d.decode(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := m[k]; !dup {
					keys = append(keys, k)
				}
				if _, seen := d.rank[k]; !seen {
					d.rank[k] = len(d.rank)
				}
				m[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			d.order[mapID(m)] = keys
			return m, nil
		case '[':
			list := []any{}
			for dec.More() {
				v, err := d.decode(dec)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return list, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		return strconv.ParseFloat(string(t), 64)
	}
	return tok, nil // string, bool, nil
}

// keys returns m's member names in the order the AWS CLI prints them: an
// object from the response in the response's order; one a query's
// multi-select hash made in the order the query names them; anything else
// (merge()) by first appearance in the response, then by name.
func (d *document) keys(m map[string]any) []string {
	if order, ok := d.order[mapID(m)]; ok && len(order) == len(m) {
		return order
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	pos := func(k string) int { return slices.Index(d.hashKeys, k) }
	if !slices.ContainsFunc(keys, func(k string) bool { return pos(k) < 0 }) {
		sort.Slice(keys, func(i, j int) bool { return pos(keys[i]) < pos(keys[j]) })
		return keys
	}
	rank := func(k string) int {
		if r, ok := d.rank[k]; ok {
			return r
		}
		return len(d.rank)
	}
	sort.Slice(keys, func(i, j int) bool {
		if ri, rj := rank(keys[i]), rank(keys[j]); ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// writeJSON writes v as Python's json.dumps(v, indent=4,
// ensure_ascii=False) does, which is what the AWS CLI prints.
func (d *document) writeJSON(b *bytes.Buffer, v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i, k := range d.keys(v) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + strings.Repeat("    ", depth+1))
			writeJSONString(b, k)
			b.WriteString(": ")
			d.writeJSON(b, v[k], depth+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", depth) + "}")
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n" + strings.Repeat("    ", depth+1))
			d.writeJSON(b, e, depth+1)
		}
		b.WriteString("\n" + strings.Repeat("    ", depth) + "]")
	case string:
		writeJSONString(b, v)
	case float64:
		b.WriteString(pyNumber(v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case nil:
		b.WriteString("null")
	default:
		fmt.Fprintf(b, "%v", v) // go-jmespath returns nothing else
	}
}

// writeJSONString escapes as Python's json module with ensure_ascii=False:
// the quote, the backslash and control characters only.
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pyNumber formats a JSON number as Python prints what json.loads made of
// it: an int's digits or float.__repr__. Responses are JSON from Go, which
// writes a number without a fraction or exponent (which Python reads as an
// int) exactly when it is integral and under 1e21.
func pyNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	// repr: the shortest digits that round-trip, in fixed notation when
	// the decimal exponent is in [-4, 16), as Python does.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// pyStr is Python's str() of a decoded value, as the text and table
// formats print scalars.
func pyStr(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		return pyNumber(v)
	}
	return pyRepr(v)
}

// pyRepr is Python's repr() of a decoded value (only a list or object that
// lands in a text or table cell needs it).
func pyRepr(v any) string {
	switch v := v.(type) {
	case string:
		quote := "'"
		if strings.Contains(v, "'") && !strings.Contains(v, `"`) {
			quote = `"`
		}
		var b strings.Builder
		b.WriteString(quote)
		for _, r := range v {
			switch {
			case r == '\\':
				b.WriteString(`\\`)
			case string(r) == quote:
				b.WriteString(`\` + quote)
			case r == '\n':
				b.WriteString(`\n`)
			case r == '\r':
				b.WriteString(`\r`)
			case r == '\t':
				b.WriteString(`\t`)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, `\x%02x`, r)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteString(quote)
		return b.String()
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		var parts []string
		for k, e := range v {
			parts = append(parts, pyRepr(k)+": "+pyRepr(e))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return pyStr(v)
}
