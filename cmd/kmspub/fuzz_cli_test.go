package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParseArgs: any argv against every command's option table. No panic;
// a refusal is a *cliError with exit status 252 and the AWS CLI's usage
// text; an accepted command line has every required option and only known
// ones, each list option with at least one value, and means the same when
// written back out canonically (--name=value, in table order).
func FuzzParseArgs(f *testing.F) {
	for _, seed := range []string{
		"--key-file\x00k.json\x00--message\x00bQ==\x00--signing-algorithm\x00ECDSA_SHA_256\x00--signature\x00MAA=",
		"--key-file=k.json\x00--plaintext=aGk=\x00--encryption-algorithm=RSAES_OAEP_SHA_256",
		"--grant-tokens\x00a\x00b\x00--key-id\x00alias/x",
		"--message\x00--signature",
		"--\x00-x\x00--=\x00--message=",
		"--signing-algorithms\x00A\x00B\x00--key-file\x00x\x00--key-file\x00y",
	} {
		for i := range commands {
			f.Add(uint8(i), seed)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, joined string) {
		c := commands[int(which)%len(commands)]
		argv := strings.Split(joined, "\x00")
		a, err := parseArgs(argv, c.options)
		if err != nil {
			var ce *cliError
			if !errors.As(err, &ce) || ce.status != exitParam || !strings.HasPrefix(ce.text, usageText) {
				t.Fatalf("parseArgs(%q): %T %v; want a usage error", argv, err, err)
			}
			return
		}
		var canonical []string
		for _, o := range c.options {
			if o.required && !a.has(o.name) {
				t.Fatalf("parseArgs(%q) accepted without required --%s", argv, o.name)
			}
			v, one := a.one[o.name]
			list, isList := a.list[o.name]
			switch {
			case one && (o.kind != oneValue || isList):
				t.Fatalf("--%s holds one value, but is a list option", o.name)
			case isList && (o.kind != listValue && o.kind != appendList || len(list) == 0):
				t.Fatalf("--%s holds %d list values", o.name, len(list))
			case one:
				canonical = append(canonical, "--"+o.name+"="+v)
			case isList:
				canonical = append(canonical, "--"+o.name+"="+list[0])
				canonical = append(canonical, list[1:]...)
			}
		}
		if len(a.one)+len(a.list) != len(canonical)-countListTails(a) {
			t.Fatalf("parseArgs(%q) holds options that are not in the table: %v %v", argv, a.one, a.list)
		}
		b, err := parseArgs(canonical, c.options)
		if err != nil {
			// A list value that starts with "--" cannot be written back
			// after the first; parseArgs never produces one.
			t.Fatalf("canonical form %q of %q refused: %v", canonical, argv, err)
		}
		if !maps2Equal(a, b) {
			t.Fatalf("parseArgs(%q) = %v %v; canonical form %q parses to %v %v", argv, a.one, a.list, canonical, b.one, b.list)
		}
	})
}

func countListTails(a *args) int {
	n := 0
	for _, l := range a.list {
		n += len(l) - 1
	}
	return n
}

func maps2Equal(a, b *args) bool {
	if len(a.one) != len(b.one) || len(a.list) != len(b.list) {
		return false
	}
	for k, v := range a.one {
		if w, ok := b.one[k]; !ok || w != v {
			return false
		}
	}
	for k, v := range a.list {
		if !slices.Equal(v, b.list[k]) {
			return false
		}
	}
	return true
}

// FuzzReadPrivateKey: any file content as --private-key. No panic; a
// refusal is the AWS CLI's ParamError (exit status 252) that never quotes
// the file's bytes; success returns a key (DeriveSharedSecret then refuses
// the types it cannot use, such as an Ed25519 PKCS #8 key).
//
// The file is data itself when base is 0, or a real key file (base selects
// it) with data XORed in at offset off: short fuzz inputs then still reach
// deep into the PEM, PKCS #8 and SEC 1 parsers, where whole key files as
// inputs would spend the run in the fuzzer's minimization.
func FuzzReadPrivateKey(f *testing.F) {
	keys := filepath.Join("..", "..", "testdata", "keys")
	var files [][]byte
	for _, name := range []string{"ECC_NIST_P256.priv.pem", "ECC_NIST_P521.priv.pem", "SM2.priv.pem", "ECC_NIST_EDWARDS25519.priv.pem", "ECC_NIST_P256.pub.pem"} {
		data, err := os.ReadFile(filepath.Join(keys, name))
		if err != nil {
			f.Fatal(err)
		}
		files = append(files, data)
		if block, _ := pem.Decode(data); block != nil {
			files = append(files, block.Bytes) // DER
		}
	}
	for i := range files {
		f.Add(uint8(i+1), uint16(0), []byte{})
		f.Add(uint8(i+1), uint16(10), []byte{1})
	}
	f.Add(uint8(0), uint16(0), []byte("-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, base uint8, off uint16, data []byte) {
		content := data
		if base != 0 {
			content = bytes.Clone(files[int(base-1)%len(files)])
			for i, b := range data {
				content[(int(off)+i)%len(content)] ^= b
			}
		}
		path := filepath.Join(dir, "key")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		key, err := readPrivateKey("fileb://" + path)
		if err != nil {
			var ce *cliError
			if !errors.As(err, &ce) || ce.status != exitParam || !strings.HasPrefix(ce.text, "Error parsing parameter '--private-key': ") {
				t.Fatalf("refusal %T %v is not the --private-key ParamError", err, err)
			}
			if len(content) >= 8 && strings.Contains(ce.text, string(content)) {
				// Unless the refusal of a file whose bytes all differ says
				// the same words: then they are its wording, not the file.
				flipped := bytes.Clone(content)
				for i := range flipped {
					flipped[i] ^= 0x5a
				}
				basePath := filepath.Join(dir, "key-flipped")
				if err := os.WriteFile(basePath, flipped, 0o600); err != nil {
					t.Fatal(err)
				}
				_, baseErr := readPrivateKey("fileb://" + basePath)
				if baseErr == nil || !strings.Contains(baseErr.Error(), string(content)) {
					t.Fatalf("refusal quotes the key file: %q", ce.text)
				}
			}
			return
		}
		if key == nil {
			t.Fatal("nil key without an error")
		}
	})
}

// FuzzCLI runs whole offline command lines: any arguments to verify,
// encrypt, derive-shared-secret and encapsulate, with every file argument
// (--key-file, --message-file, --private-key, fileb://, file://) confined to
// a fixture directory, and command lines that would call KMS (--key-id)
// skipped. Invariants: no panic; the exit status is one the help text
// documents for offline use (0, 252, 254, 255); on success stdout is one
// JSON object and stderr is empty; on failure stdout is empty and stderr is
// the error, after a blank line as the AWS CLI prints it.
func FuzzCLI(f *testing.F) {
	dir := f.TempDir()
	keys := filepath.Join("..", "..", "testdata", "keys")
	sample := filepath.Join("..", "..", "testdata", "sample")
	for name, src := range map[string]string{
		"p256.json":   filepath.Join(keys, "ECC_NIST_P256.SIGN_VERIFY.json"),
		"p256.pem":    filepath.Join(keys, "ECC_NIST_P256.pub.pem"),
		"ka.json":     filepath.Join(keys, "ECC_NIST_P256.KEY_AGREEMENT.json"),
		"priv.pem":    filepath.Join(keys, "ECC_NIST_P256.priv.pem"),
		"rsa.json":    filepath.Join(keys, "RSA_2048.ENCRYPT_DECRYPT.json"),
		"kem.json":    filepath.Join(keys, "ML_KEM_768.ENCAPSULATE_DECAPSULATE.json"),
		"sample.json": filepath.Join(sample, "ecc_nist_p256.json"),
		"msg.txt":     filepath.Join(sample, "message.txt"),
		"msg.sig":     filepath.Join(sample, "message.txt.ECDSA_SHA_256.sig"),
	} {
		data, err := os.ReadFile(src)
		if err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			f.Fatal(err)
		}
	}
	f.Add("verify\x00--key-file\x00sample.json\x00--message\x00fileb://msg.txt\x00--signing-algorithm\x00ECDSA_SHA_256\x00--signature\x00fileb://msg.sig")
	f.Add("verify\x00--key-file\x00sample.json\x00--message-file\x00msg.txt\x00--signing-algorithm\x00ECDSA_SHA_256\x00--signature\x00fileb://msg.sig")
	f.Add("verify\x00--key-file\x00p256.pem\x00--key-spec\x00ECC_NIST_P256\x00--key-usage\x00SIGN_VERIFY\x00--message\x00bQ==\x00--message-type\x00DIGEST\x00--signing-algorithm\x00ECDSA_SHA_256\x00--signature\x00MAA=")
	f.Add("encrypt\x00--key-file=rsa.json\x00--plaintext\x00aGVsbG8=\x00--encryption-algorithm\x00RSAES_OAEP_SHA_256")
	f.Add("encrypt\x00--key-file\x00rsa.json\x00--plaintext\x00file://msg.txt\x00--encryption-algorithm\x00RSAES_OAEP_SHA_1\x00--encryption-context\x00{\"a\":\"b\"}")
	f.Add("derive-shared-secret\x00--key-file\x00ka.json\x00--key-agreement-algorithm\x00ECDH\x00--private-key\x00priv.pem")
	f.Add("encapsulate\x00--key-file\x00kem.json\x00--encapsulation-algorithm\x00ML_KEM\x00--dry-run")
	f.Add("verify\x00help")
	f.Add("verify\x00--key-file\x00sample.json\x00--message\x00fileb://msg.txt\x00--signing-algorithm\x00ECDSA_SHA_256\x00--signature\x00fileb://msg.sig\x00--output\x00table\x00--query\x00{a: KeyId}")
	f.Fuzz(func(t *testing.T, joined string) {
		argv := strings.Split(joined, "\x00")
		switch argv[0] {
		case "verify", "encrypt", "derive-shared-secret", "encapsulate":
		default:
			return // get-public-key and anything online are not fuzzed
		}
		confine := func(v string) string {
			name := strings.Map(func(r rune) rune {
				if r == '.' || r == '-' || r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
					return r
				}
				return -1
			}, v)
			if name == "" || name == "." || name == ".." {
				name = "missing"
			}
			return filepath.Join(dir, name)
		}
		pathOptions := []string{"--key-file", "--message-file", "--private-key"}
		for i := 1; i < len(argv); i++ {
			arg := argv[i]
			name, value, inline := strings.Cut(arg, "=")
			switch {
			case name == "--key-id" || name == "--endpoint-url" || name == "--profile":
				return // would call KMS, or read the AWS configuration
			case strings.HasPrefix(arg, prefixFileBinary):
				argv[i] = prefixFileBinary + confine(arg[len(prefixFileBinary):])
			case strings.HasPrefix(arg, prefixFileText):
				argv[i] = prefixFileText + confine(arg[len(prefixFileText):])
			case slices.Contains(pathOptions, name) && inline:
				argv[i] = name + "=" + confine(strings.TrimPrefix(strings.TrimPrefix(value, prefixFileBinary), prefixFileText))
			case slices.Contains(pathOptions, name) && i+1 < len(argv) && !isOption(argv[i+1]):
				i++
				argv[i] = confine(strings.TrimPrefix(strings.TrimPrefix(argv[i], prefixFileBinary), prefixFileText))
			}
		}
		var stdout, stderr bytes.Buffer
		status := run(context.Background(), argv, &stdout, &stderr)
		switch status {
		case exitOK:
			if stderr.Len() != 0 {
				t.Fatalf("%q: success with stderr %q", argv, stderr.String())
			}
			if slices.Contains(argv, "help") || slices.Contains(argv, "--help") || slices.Contains(argv, "-h") {
				return
			}
			if slices.ContainsFunc(argv, func(a string) bool {
				return strings.HasPrefix(a, "--output") || strings.HasPrefix(a, "--query")
			}) {
				return // another format, or a part of the response
			}
			var v map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
				t.Fatalf("%q: stdout is not one JSON object: %v\n%s", argv, err, stdout.String())
			}
		case exitParam, exitService, exitGeneral:
			// (No bound on stderr's lines: "Unknown options: …" echoes the
			// arguments as given, line breaks included, as the AWS CLI does.)
			if stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), "\n") || !strings.HasSuffix(stderr.String(), "\n") {
				t.Fatalf("%q: status %d with stdout %q, stderr %q", argv, status, stdout.String(), stderr.String())
			}
		default:
			t.Fatalf("%q: exit status %d, stderr %q", argv, status, stderr.String())
		}
	})
}
