package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// invalidBase64 is the whole error text for a value that is not base64: it
// names the option and the offset, and never quotes the value.
var invalidBase64 = regexp.MustCompile(`^Invalid base64: (the value of --message|the file file://\S+ given to --message) is not base64 text \(illegal base64 data at input byte \d+\); give raw bytes with fileb://PATH$`)

// blobFixture makes a directory with the files the blob tests read.
func blobFixture(t testing.TB) (dir string, files map[string][]byte) {
	dir = t.TempDir()
	files = map[string][]byte{
		"raw.bin":    {0, 1, 2, 0xff, '\n', 'x'},
		"b64.txt":    []byte("aGVsbG8sIEtNUw==\n"),
		"b64wrapped": []byte("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\nMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9Q\n"),
		"text.txt":   []byte("attack at dawn\n"),
		"empty":      {},
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, files
}

func TestParseBlob(t *testing.T) {
	dir, files := blobFixture(t)
	for _, tc := range []struct {
		value  string
		want   []byte
		status int // 0: success
	}{
		{value: "aGVsbG8sIEtNUw==", want: []byte("hello, KMS")},
		{value: "  aGVsbG8sIEtNUw==\r\n", want: []byte("hello, KMS")},
		{value: "aGVs\nbG8s\nIEtN\nUw==", want: []byte("hello, KMS")},
		{value: "", want: []byte{}},
		{value: "fileb://" + filepath.Join(dir, "raw.bin"), want: files["raw.bin"]},
		{value: "fileb://" + filepath.Join(dir, "text.txt"), want: files["text.txt"]},
		{value: "fileb://" + filepath.Join(dir, "empty"), want: []byte{}},
		{value: "file://" + filepath.Join(dir, "b64.txt"), want: []byte("hello, KMS")},
		{value: "aGVsbG8sIEtNUw", status: exitGeneral},    // no padding
		{value: "aGVsbG8s IEtNUw==", status: exitGeneral}, // space inside
		{value: "aGVsbG8sIEtNUw-_", status: exitGeneral},  // base64url alphabet
		{value: "attack at dawn", status: exitGeneral},    // not encoded
		{value: "file://" + filepath.Join(dir, "text.txt"), status: exitGeneral},
		{value: "fileb://" + filepath.Join(dir, "missing"), status: exitParam},
		{value: "file://" + filepath.Join(dir, "missing"), status: exitParam},
		{value: "fileb://" + dir, status: exitParam}, // a directory
	} {
		got, err := parseBlob("message", tc.value)
		if tc.status == 0 {
			if err != nil {
				t.Errorf("parseBlob(%q): %v", tc.value, err)
				continue
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("parseBlob(%q) = %q, want %q", tc.value, got, tc.want)
			}
			continue
		}
		var ce *cliError
		if !errors.As(err, &ce) || ce.status != tc.status {
			t.Errorf("parseBlob(%q) = %q, %v; want exit status %d", tc.value, got, err, tc.status)
			continue
		}
		if tc.status == exitGeneral && !invalidBase64.MatchString(ce.text) {
			t.Errorf("parseBlob(%q): error %q is not the invalid-base64 line", tc.value, ce.text)
		}
		if tc.status == exitParam && !strings.HasPrefix(ce.text, "Error parsing parameter '--message': Unable to load paramfile "+tc.value+": ") {
			t.Errorf("parseBlob(%q): error %q is not the paramfile line", tc.value, ce.text)
		}
	}

	// A wrapped base64 file (as `base64` writes it) decodes to its bytes.
	got, err := parseBlob("message", "file://"+filepath.Join(dir, "b64wrapped"))
	if err != nil || len(got) != 81 || got[0] != 0 || got[80] != 80 {
		t.Errorf("wrapped base64 file: %d bytes, %v", len(got), err)
	}
}

func TestParseBlobTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, make([]byte, maxParamFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := parseBlob("message", "fileb://"+path)
	var ce *cliError
	if !errors.As(err, &ce) || ce.status != exitParam || !strings.Contains(ce.text, "use verify --message-file") {
		t.Fatalf("oversized file: %v", err)
	}
	if err := os.WriteFile(path, make([]byte, maxParamFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := parseBlob("message", "fileb://"+path); err != nil || len(got) != maxParamFileSize {
		t.Fatalf("file of exactly the limit: %d bytes, %v", len(got), err)
	}
}

// FuzzParseBlob checks parseBlob's invariants on any argument: no panic;
// fileb:// gives the file's exact bytes, file:// the same as giving the
// file's text inline; anything else decodes as standard base64 exactly when
// its trimmed, line-break-free form does; every failure is one of the two
// documented lines (252 paramfile, 255 invalid base64) and never quotes the
// value. File arguments are confined to a fixture directory, so the fuzzer
// never reads devices or other files of the machine.
func FuzzParseBlob(f *testing.F) {
	dir, files := blobFixture(f)
	for name := range files {
		f.Add("fileb://" + name)
		f.Add("file://" + name)
	}
	for _, seed := range []string{"", "aGVsbG8sIEtNUw==", "aGVsbG8sIEtNUw", " YQ== \n", "YQ==YQ==", "attack at dawn",
		"fileb://missing", "file://", "fileb://", "filex://b64.txt", "FILEB://raw.bin", "~/x", "====", "YW\r\nJj"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		arg := value
		prefix := ""
		for _, p := range []string{prefixFileBinary, prefixFileText} {
			if strings.HasPrefix(value, p) {
				prefix = p
				// Confine the path to the fixture directory.
				name := strings.Map(func(r rune) rune {
					if r == '.' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
						return r
					}
					return -1
				}, value[len(p):])
				if name == "" || name == "." || name == ".." {
					name = "missing"
				}
				arg = p + filepath.Join(dir, name)
				break
			}
		}

		got, err := parseBlob("message", arg)

		var ce *cliError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("parseBlob(%q): error %v is not a *cliError", arg, err)
		}
		switch prefix {
		case prefixFileBinary:
			want, ok := files[filepath.Base(arg[len(prefix):])]
			if !ok {
				if ce == nil || ce.status != exitParam || !strings.HasPrefix(ce.text, "Error parsing parameter '--message': Unable to load paramfile "+arg+": ") {
					t.Fatalf("parseBlob(%q) = %q, %v; want the paramfile error", arg, got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("parseBlob(%q) = %q, %v; want the file's bytes %q", arg, got, err, want)
			}
		case prefixFileText:
			text, ok := files[filepath.Base(arg[len(prefix):])]
			if !ok {
				if ce == nil || ce.status != exitParam {
					t.Fatalf("parseBlob(%q) = %q, %v; want the paramfile error", arg, got, err)
				}
				return
			}
			inline, inlineErr := parseBlob("message", string(text))
			if (err == nil) != (inlineErr == nil) || !bytes.Equal(got, inline) {
				t.Fatalf("parseBlob(%q) = %q, %v; inline text gives %q, %v", arg, got, err, inline, inlineErr)
			}
			if err != nil && !invalidBase64.MatchString(ce.text) {
				t.Fatalf("parseBlob(%q): error %q is not the invalid-base64 line", arg, ce.text)
			}
		default:
			compact := strings.NewReplacer("\r", "", "\n", "").Replace(strings.TrimSpace(value))
			want, wantErr := base64.StdEncoding.DecodeString(compact)
			if wantErr != nil {
				if ce == nil || ce.status != exitGeneral || !invalidBase64.MatchString(ce.text) {
					t.Fatalf("parseBlob(%q) = %q, %v; want the invalid-base64 line", value, got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("parseBlob(%q) = %q, %v; want %q", value, got, err, want)
			}
			// Every success round-trips through canonical base64.
			if again, err := base64.StdEncoding.DecodeString(base64.StdEncoding.EncodeToString(got)); err != nil || !bytes.Equal(again, got) {
				t.Fatalf("round trip of %q failed", value)
			}
		}
	})
}
