package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeBlock is one ```console block of the README: a terminal session,
// "$ " command lines (continued with "\") followed by what they print.
type readmeBlock struct {
	script string // the commands, one per line
	want   string // the rest: stdout and stderr as a terminal shows them
}

func readmeBlocks(t *testing.T, readme []byte) []readmeBlock {
	t.Helper()
	var blocks []readmeBlock
	for _, m := range regexp.MustCompile("(?s)```console\n(.*?)```").FindAllSubmatch(readme, -1) {
		var b readmeBlock
		lines := strings.SplitAfter(string(m[1]), "\n")
		for i := 0; i < len(lines); i++ {
			line := lines[i]
			if cmd, ok := strings.CutPrefix(line, "$ "); ok {
				for strings.HasSuffix(cmd, "\\\n") && i+1 < len(lines) {
					i++
					cmd += lines[i]
				}
				b.script += cmd
				continue
			}
			b.want += line
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// readREADME returns the repository root and its README.md.
func readREADME(t *testing.T) (root string, readme []byte) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	readme, err = os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return root, readme
}

// TestREADMECommands runs every ```console block of the README, as written,
// with the kmspub command on PATH, in a directory laid out like the
// repository root, and requires exactly the output the README shows
// (stdout and stderr together, as a terminal shows them; exit statuses are
// shown with "$ echo $?"). So the commands a reader copies cannot rot.
func TestREADMECommands(t *testing.T) {
	root, readme := readREADME(t)
	if _, err := exec.LookPath("kmspub"); err != nil {
		t.Fatalf("the kmspub command testscript installs: %v", err)
	}
	blocks := readmeBlocks(t, readme)
	if len(blocks) < 4 {
		t.Fatalf("README.md has %d console blocks; want the main job, its failure, --query and a refusal", len(blocks))
	}
	for i, b := range blocks {
		dir := t.TempDir()
		if err := os.Symlink(filepath.Join(root, "testdata"), filepath.Join(dir, "testdata")); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("sh", "-c", "exec 2>&1\n"+b.script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
			"AWS_EC2_METADATA_DISABLED=true", "AWS_DEFAULT_OUTPUT=", "AWS_REGION=", "AWS_DEFAULT_REGION=")
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			t.Errorf("README console block %d: %v", i+1, err)
		}
		if out.String() != b.want {
			t.Errorf("README console block %d:\n%s\nprints:\n%s\nREADME shows:\n%s", i+1, b.script, out.String(), b.want)
		}
	}
}

// TestREADMETwoCommands runs the main-job line of the README's "Two
// commands" section with the kmspub command in place of `go run
// ./cmd/kmspub` (the same program), and requires the valid signature it
// promises. The other line is ./scripts/test, which is what runs this.
func TestREADMETwoCommands(t *testing.T) {
	root, readme := readREADME(t)
	m := regexp.MustCompile("(?m)^go run \\./cmd/kmspub (.+)$").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no `go run ./cmd/kmspub …` line")
	}
	if !regexp.MustCompile("(?m)^\\./scripts/test$").Match(readme) {
		t.Error("README.md does not give ./scripts/test as a command of its own")
	}
	cmd := exec.Command("sh", "-c", "kmspub "+string(m[1]))
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte(`"SignatureValid": true`)) {
		t.Errorf("kmspub %s: %v\n%s", m[1], err, out)
	}
}
