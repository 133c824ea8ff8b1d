package kmsrules

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The repository's root, from this package's directory.
const repoRoot = "../.."

var (
	// headingRE matches a section heading of docs/KMS-RULES.md:
	// "## §3 Sign and Verify", "### §3.1 Rules …", "## §10b …".
	headingRE = regexp.MustCompile(`(?m)^#{2,4} §([0-9]+[a-z]?(?:\.[0-9]+)*) (.+)$`)
	// sectionRE matches one section reference, "§3.1"; a trailing period
	// ends a sentence, not the number.
	sectionRE = regexp.MustCompile(`§([0-9]+[a-z]?(?:\.[0-9]+)*)`)
	// citedRE matches the references that follow a citation, across a
	// comment's line break: "§4.1, §7", "§1 and §2".
	citedRE = regexp.MustCompile(`^\s*§[0-9]+[a-z]?(?:\.[0-9]+)*(?:\s*(?:,|and|or)\s*§[0-9]+[a-z]?(?:\.[0-9]+)*)*`)
	// commentBreakRE joins a citation broken over comment lines.
	commentBreakRE = regexp.MustCompile(`\s*\n\s*(?://+|#+|\*+|--)?\s*`)
)

// docHeadings returns docs/KMS-RULES.md's section numbers and titles.
func docHeadings(t *testing.T) map[string]string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(repoRoot, rulesDoc))
	if err != nil {
		t.Fatal(err)
	}
	headings := map[string]string{}
	for _, m := range headingRE.FindAllStringSubmatch(string(doc), -1) {
		if _, dup := headings[m[1]]; dup {
			t.Errorf("%s has two sections §%s", rulesDoc, m[1])
		}
		headings[m[1]] = m[2]
	}
	if len(headings) == 0 {
		t.Fatalf("%s has no section headings", rulesDoc)
	}
	return headings
}

// repoTextFiles calls fn for every text file of the repository, with its
// slash-separated path from the root. Binary files (a NUL byte near the
// start, like the gzipped vectors) are skipped.
func repoTextFiles(t *testing.T, fn func(path string, data []byte)) {
	t.Helper()
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil // a worktree's .git file
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
			return nil
		}
		rel, err := filepath.Rel(repoRoot, path)
		if err != nil {
			return err
		}
		fn(filepath.ToSlash(rel), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCitationsNameSections checks every citation of the rules reference in
// the repository: it is written with its path, docs/KMS-RULES.md (files in
// docs/ may name it relatively), and every section it names, "§3.1" in
// "docs/KMS-RULES.md §3.1, §7", is a heading of the document. Inside the
// document every "§N" must name one of its own sections.
func TestCitationsNameSections(t *testing.T) {
	headings := docHeadings(t)
	citations := 0
	fileName := path.Base(rulesDoc)               // with ".md"
	name := strings.TrimSuffix(fileName, ".md")   // as it is searched for
	dir := strings.TrimSuffix(rulesDoc, fileName) // "docs/"
	repoTextFiles(t, func(p string, data []byte) {
		text := string(data)
		if p == rulesDoc {
			for _, m := range sectionRE.FindAllStringSubmatch(text, -1) {
				if _, ok := headings[m[1]]; !ok {
					t.Errorf("%s refers to §%s, which it does not have", rulesDoc, m[1])
				}
			}
		}
		for i := 0; ; {
			at := strings.Index(text[i:], name)
			if at < 0 {
				break
			}
			at += i
			i = at + len(name)
			line := 1 + strings.Count(text[:at], "\n")
			rest := text[i:]
			if !strings.HasPrefix(rest, ".md") {
				t.Errorf("%s:%d: cites %s without .md; write %s §N", p, line, name, rulesDoc)
				continue
			}
			besideIt := strings.HasPrefix(p, dir) && !strings.Contains(strings.TrimPrefix(p, dir), "/")
			if !strings.HasSuffix(text[:at], dir) && !besideIt {
				t.Errorf("%s:%d: cites a %s other than %s", p, line, fileName, rulesDoc)
			}
			rest = rest[len(".md"):]
			rest = rest[:min(len(rest), 200)]
			cited := citedRE.FindString(commentBreakRE.ReplaceAllString(rest, " "))
			for _, m := range sectionRE.FindAllStringSubmatch(cited, -1) {
				citations++
				if _, ok := headings[m[1]]; !ok {
					t.Errorf("%s:%d: cites %s §%s, which has no such section", p, line, rulesDoc, m[1])
				}
			}
		}
	})
	t.Logf("%d section citations checked against %d sections", citations, len(headings))
	if citations == 0 {
		t.Errorf("found no citation of %s at all: is the walk reading the repository?", rulesDoc)
	}
}

// TestNothingOutsideTheRepository fails when a file names the team's old
// shared directory, from which the repository must no longer read anything.
func TestNothingOutsideTheRepository(t *testing.T) {
	// Built from parts so that this file does not name them itself.
	shared := "shared"
	forbidden := []string{"../" + shared, shared + "/wycheproof", "/work/" + shared}
	repoTextFiles(t, func(path string, data []byte) {
		for _, f := range forbidden {
			if i := bytes.Index(data, []byte(f)); i >= 0 {
				t.Errorf("%s:%d: names %q, outside the repository", path, 1+bytes.Count(data[:i], []byte("\n")), f)
			}
		}
	})
}

// TestDocSectionsExist checks the sections docs/RULES.md links to: each is a
// heading of docs/KMS-RULES.md with the title the link's anchor is made from.
func TestDocSectionsExist(t *testing.T) {
	headings := docHeadings(t)
	for id, title := range docSections {
		if got, ok := headings[id]; !ok {
			t.Errorf("docs/RULES.md links to §%s, which %s does not have", id, rulesDoc)
		} else if got != title {
			t.Errorf("§%s is titled %q in %s, but docs/RULES.md links to %q", id, got, rulesDoc, title)
		}
	}
}

func TestHeadingAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"§1 Key specs, key usages and algorithms":         "1-key-specs-key-usages-and-algorithms",
		"§4.2 RSA (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256)": "42-rsa-rsaes_oaep_sha_1-rsaes_oaep_sha_256",
		"§10b How the Go SDK surfaces these errors":       "10b-how-the-go-sdk-surfaces-these-errors",
		"§6 ML-KEM (Encapsulate, Decapsulate)":            "6-ml-kem-encapsulate-decapsulate",
	} {
		if got := headingAnchor(heading); got != want {
			t.Errorf("headingAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
}
