package main

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// The text and table formats, as AWS CLI version 2 prints them
// (awscli/text.py, awscli/formatter.py's TableFormatter, awscli/table.py):
// scalars are Python's str() of the value (True, None …), and an object's
// members are printed sorted by name.

func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// writeText is --output text: an object's scalar members on one line, tab
// separated (sorted by name), then its lists and objects, each line of a
// nested value led by its member name in upper case; a list of objects is
// one line per object, with the columns of every object's scalars.
func (d *document) writeText(b *bytes.Buffer, v any) {
	textItem(b, v, "", nil)
}

func textItem(b *bytes.Buffer, v any, identifier string, scalarKeys []string) {
	switch v := v.(type) {
	case map[string]any:
		textObject(b, v, identifier, scalarKeys)
	case []any:
		textList(b, v, identifier)
	default:
		b.WriteString(pyStr(v) + "\n")
	}
}

func textList(b *bytes.Buffer, list []any, identifier string) {
	if len(list) == 0 {
		return
	}
	hasObject := slices.ContainsFunc(list, func(e any) bool { _, ok := e.(map[string]any); return ok })
	hasList := slices.ContainsFunc(list, func(e any) bool { _, ok := e.([]any); return ok })
	switch {
	case hasObject:
		// Every scalar member name of any object in the list, sorted.
		var keys []string
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				for k, v := range m {
					if isScalar(v) && !slices.Contains(keys, k) {
						keys = append(keys, k)
					}
				}
			}
		}
		sort.Strings(keys)
		for _, e := range list {
			textItem(b, e, identifier, keys)
		}
	case hasList:
		var scalars, others []any
		for _, e := range list {
			if isScalar(e) {
				scalars = append(scalars, e)
			} else {
				others = append(others, e)
			}
		}
		if len(scalars) > 0 {
			textScalars(b, scalars, identifier)
		}
		for _, e := range others {
			textItem(b, e, identifier, nil)
		}
	default:
		textScalars(b, list, identifier)
	}
}

func textScalars(b *bytes.Buffer, list []any, identifier string) {
	if identifier != "" {
		for _, e := range list {
			b.WriteString(strings.ToUpper(identifier) + "\t" + pyStr(e) + "\n")
		}
		return
	}
	cells := make([]string, len(list))
	for i, e := range list {
		cells[i] = pyStr(e)
	}
	b.WriteString(strings.Join(cells, "\t") + "\n")
}

func textObject(b *bytes.Buffer, m map[string]any, identifier string, scalarKeys []string) {
	var scalars []string
	var nested []string
	if scalarKeys == nil {
		for _, k := range sortedKeys(m) {
			if isScalar(m[k]) {
				scalars = append(scalars, pyStr(m[k]))
			} else {
				nested = append(nested, k)
			}
		}
	} else {
		for _, k := range scalarKeys {
			v, ok := m[k]
			if !ok {
				v = ""
			}
			scalars = append(scalars, pyStr(v))
		}
		for _, k := range sortedKeys(m) {
			if !slices.Contains(scalarKeys, k) {
				nested = append(nested, k)
			}
		}
	}
	if len(scalars) > 0 {
		if identifier != "" {
			scalars = slices.Insert(scalars, 0, strings.ToUpper(identifier))
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, k := range nested {
		textItem(b, m[k], k, nil)
	}
}

// writeTable is --output table: the AWS CLI's boxed layout, titled with the
// operation name; an object is a section of columns named by its scalar
// members (one row), a list of objects a section of rows, and nested values
// further sections, indented. Wider than the terminal (80 columns when
// stdout is not one), single-row sections are turned into name/value rows.
func (d *document) writeTable(b *bytes.Buffer, title string, v any, termWidth int) error {
	t := &table{doc: d, termWidth: termWidth}
	ok, err := t.build(title, true, v, 0)
	if err != nil || !ok {
		return err
	}
	t.render(b)
	return nil
}

type table struct {
	doc       *document
	sections  []*section
	current   *section
	termWidth int
}

type section struct {
	title     string
	headers   []string
	rows      [][]string
	indent    int
	numCols   int // -1 until the first header or row
	maxWidths []int
}

func (t *table) newSection(title string, indent int) {
	t.current = &section{title: title, indent: indent, numCols: -1}
	t.sections = append(t.sections, t.current)
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case float64:
		return v != 0
	case []any:
		return len(v) > 0
	case map[string]any:
		return len(v) > 0
	}
	return true
}

// build is the AWS CLI's _build_table. A false value (an empty list or
// object, "", 0, false, null) adds nothing; a scalar adds only its title.
func (t *table) build(title string, titled bool, v any, indent int) (bool, error) {
	if !truthy(v) {
		return false, nil
	}
	if titled {
		t.newSection(title, indent)
	}
	switch v := v.(type) {
	case []any:
		if _, ok := v[0].(map[string]any); ok {
			return true, t.fromList(v, indent, title)
		}
		for _, item := range v {
			switch item := item.(type) {
			case []any:
				if !slices.ContainsFunc(item, func(e any) bool { return !isScalar(e) }) {
					if err := t.addRow(item); err != nil {
						return false, err
					}
				} else if _, err := t.build("", false, item, 0); err != nil {
					return false, err
				}
			case map[string]any:
				// Python iterates an object's member names here.
				var names []any
				for _, k := range t.doc.keys(item) {
					names = append(names, k)
				}
				if err := t.addRow(names); err != nil {
					return false, err
				}
			default:
				if err := t.addRow([]any{item}); err != nil {
					return false, err
				}
			}
		}
	case map[string]any:
		return true, t.fromObject(v, indent)
	}
	return true, nil
}

// groupKeys splits an object's member names into those with scalar values
// and the others, each sorted.
func groupKeys(m map[string]any) (scalars, others []string) {
	for _, k := range sortedKeys(m) {
		if isScalar(m[k]) {
			scalars = append(scalars, k)
		} else {
			others = append(others, k)
		}
	}
	return scalars, others
}

func (t *table) fromObject(m map[string]any, indent int) error {
	headers, more := groupKeys(m)
	switch {
	case len(headers) == 1:
		if err := t.addRow([]any{headers[0], m[headers[0]]}); err != nil {
			return err
		}
	case len(headers) > 1:
		t.addHeader(headers)
		row := make([]any, len(headers))
		for i, h := range headers {
			row[i] = m[h]
		}
		if err := t.addRow(row); err != nil {
			return err
		}
	}
	for _, k := range more {
		if _, err := t.build(k, true, m[k], indent+1); err != nil {
			return err
		}
	}
	return nil
}

func (t *table) fromList(list []any, indent int, title string) error {
	var headers, more []string
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			// Python fails the same way on a mixed list.
			return fmt.Errorf("'%s' object has no attribute 'get'", pyType(e))
		}
		h, o := groupKeys(m)
		for _, k := range h {
			if !slices.Contains(headers, k) {
				headers = append(headers, k)
			}
		}
		for _, k := range o {
			if !slices.Contains(more, k) {
				more = append(more, k)
			}
		}
	}
	sort.Strings(headers)
	sort.Strings(more)
	t.addHeader(headers)
	for i, e := range list {
		m := e.(map[string]any)
		if i > 0 && len(more) > 0 {
			t.newSection(title, indent)
			t.addHeader(headers)
		}
		row := make([]any, len(headers))
		for j, h := range headers {
			v, ok := m[h]
			if !ok {
				v = ""
			}
			row[j] = v
		}
		if err := t.addRow(row); err != nil {
			return err
		}
		for _, k := range more {
			if v, ok := m[k]; ok {
				if _, err := t.build(k, true, v, indent+1); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func pyType(v any) string {
	switch v.(type) {
	case string:
		return "str"
	case float64:
		return "float"
	case bool:
		return "bool"
	case nil:
		return "NoneType"
	case []any:
		return "list"
	}
	return "dict"
}

func (t *table) addHeader(headers []string) {
	s := t.current
	s.updateWidths(headers)
	if s.numCols < 0 {
		s.numCols = len(headers)
	}
	s.headers = headers
}

func (t *table) addRow(values []any) error {
	s := t.current
	if s == nil { // a list inside a list: Python's initial_section=False table has none either
		return fmt.Errorf("'NoneType' object has no attribute 'add_row'")
	}
	if s.numCols < 0 {
		s.numCols = len(values)
	}
	if len(values) != s.numCols {
		return fmt.Errorf("Row should have %d elements, instead it has %d", s.numCols, len(values))
	}
	row := make([]string, len(values))
	for i, v := range values {
		row[i] = pyStr(v)
	}
	s.rows = append(s.rows, row)
	s.updateWidths(row)
	return nil
}

func (s *section) updateWidths(cells []string) {
	if len(s.maxWidths) == 0 {
		s.maxWidths = make([]int, len(cells))
		for i, c := range cells {
			s.maxWidths[i] = textWidth(c)
		}
		return
	}
	for i, c := range cells {
		if i < len(s.maxWidths) {
			s.maxWidths[i] = max(s.maxWidths[i], textWidth(c))
		}
	}
}

// columnWidths is the AWS CLI's calculate_column_widths: each column's
// widest cell plus padding, scaled to maxWidth (rounding half to even, as
// Python's round does) and then corrected one column at a time.
func (s *section) columnWidths(padding, maxWidth int) []int {
	widths := make([]int, len(s.maxWidths))
	sum := 0
	for i, w := range s.maxWidths {
		widths[i] = w + padding
		sum += widths[i]
	}
	if maxWidth < 0 || len(widths) == 0 {
		return widths
	}
	scale := float64(maxWidth) / float64(sum)
	off := 0
	for i, w := range widths {
		widths[i] = int(math.RoundToEven(scale * float64(w)))
		off += widths[i]
	}
	off -= maxWidth
	for off != 0 {
		for j := range widths {
			i := j
			if off < 0 {
				i = len(widths) - 1 - j
			}
			if off > 0 {
				widths[i]--
				off--
			} else {
				widths[i]++
				off++
			}
			if off == 0 {
				break
			}
		}
	}
	return widths
}

func (s *section) totalWidth(padding int, border bool, outer int) int {
	total := 0
	for _, w := range s.columnWidths(0, -1) {
		total += w + padding
	}
	if border {
		total += 2
	}
	total += 2 * outer
	return max(textWidth(s.title)+2+2*outer, total)
}

func (t *table) maxWidth() int {
	w := 0
	for _, s := range t.sections {
		w = max(w, s.totalWidth(4, true, s.indent))
	}
	return w
}

// render is MultiTable.render.
func (t *table) render(b *bytes.Buffer) {
	width := t.maxWidth()
	if width > t.termWidth {
		// convert_to_vertical_table: a section of one row becomes rows of
		// (column name, value).
		for i, s := range t.sections {
			if len(s.rows) == 1 && len(s.headers) > 0 {
				v := &section{title: s.title, indent: s.indent, numCols: -1}
				t.current = v
				for j, h := range s.headers {
					if j < len(s.rows[0]) {
						t.addRow([]any{h, s.rows[0][j]})
					}
				}
				t.sections[i] = v
			}
		}
		width = t.maxWidth()
	}
	b.WriteString(strings.Repeat("-", width) + "\n")
	for _, s := range t.sections {
		s.render(b, width)
	}
}

func (s *section) render(b *bytes.Buffer, width int) {
	edge := strings.Repeat("|", s.indent)
	line := func(text string) { b.WriteString(edge + text + edge + "\n") }
	width -= 2 * s.indent
	if s.title != "" {
		line(centerText(s.title, width, "|", "|"))
		if len(s.headers) == 0 && len(s.rows) == 0 {
			line("+" + strings.Repeat("-", width-2) + "+")
		}
	}
	if len(s.headers) > 0 {
		widths := s.columnWidths(4, width)
		line(ruler(widths))
		var cur strings.Builder
		for i, h := range s.headers {
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(centerText(h, widths[i], left, "|"))
		}
		line(cur.String())
	}
	if len(s.rows) == 0 {
		return
	}
	widths := s.columnWidths(4, width)
	if len(widths) == 0 {
		return
	}
	line(ruler(widths))
	for _, row := range s.rows {
		var cur strings.Builder
		for i, cell := range row {
			if i >= len(widths) {
				break
			}
			left := ""
			if i == 0 {
				left = "|"
			}
			cur.WriteString(alignLeft(cell, widths[i], left, "|"))
		}
		line(cur.String())
	}
	line(ruler(widths))
}

// ruler is a +-----+----+ line for columns of the given widths.
func ruler(widths []int) string {
	var b strings.Builder
	for i, w := range widths {
		if i == 0 {
			b.WriteString("+" + repeat("-", w-2) + "+")
		} else {
			b.WriteString(repeat("-", w-1) + "+")
		}
	}
	return b.String()
}

// repeat is Python's str * n: empty for n <= 0.
func repeat(s string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(s, n)
}

// floorDiv is Python's //.
func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// centerText is the AWS CLI's center_text.
func centerText(text string, length int, left, right string) string {
	n := textWidth(text)
	start := floorDiv(length, 2) - floorDiv(n, 2) - 1
	soFar := textWidth(left) + start + n
	return left + repeat(" ", start) + text + repeat(" ", length-textWidth(right)-soFar) + right
}

// alignLeft is the AWS CLI's align_left, with a left padding of two.
func alignLeft(text string, length int, left, right string) string {
	n := textWidth(text)
	padding := 2
	if length-(n+2+textWidth(left)+textWidth(right)) < 0 {
		padding = 0
	}
	soFar := len(left) + padding + n
	return left + repeat(" ", padding) + text + repeat(" ", length-soFar-len(right)) + right
}

// textWidth is the AWS CLI's get_text_length: two columns for a character
// whose East Asian Width is Wide, Fullwidth or Ambiguous, one otherwise.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(eastAsianWide, r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
