// Command kmspub is the offline twin of the `aws kms` commands for
// asymmetric KMS keys: fetch a key's public half once (get-public-key), then
// verify, encrypt, derive-shared-secret and encapsulate with no further KMS
// call — refusing exactly what KMS would refuse, with the AWS CLI's error
// lines and exit statuses.
//
//	kmspub get-public-key --key-id alias/signer > signer.json
//	kmspub verify --key-file signer.json --message fileb://msg.txt \
//	    --message-type RAW --signing-algorithm ECDSA_SHA_256 --signature fileb://msg.sig
//
// Run `kmspub help` for every command and option.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
)

func main() {
	handleInterrupts()
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand, the twin of `aws kms <name>`.
type command struct {
	name string
	// operation is the KMS operation the command stands in for, named in
	// error lines: "… when calling the Verify operation: …".
	operation string
	summary   string // one line for `kmspub help`
	usage     string // the synopsis line after "kmspub "
	details   string // paragraphs for `kmspub <name> help`
	options   []option
	// run does the command. Its JSON response goes to stdout through
	// printJSON (run formats it per --query and --output); a data command
	// (see isDataCommand) writes what it likes. stdout reaches the real
	// stdout only once run has returned nil, unless streamsStdout.
	run func(ctx context.Context, a *args, stdout io.Writer) error
	// hidden commands are left out of help and the "Invalid choice" list.
	hidden bool
	// streamsStdout gives run the real stdout instead of a buffer printed
	// on success: for data of any size (encrypt-message and
	// decrypt-message --output -), which a buffer would hold whole.
	streamsStdout bool
}

// commands holds every subcommand, registered by the files defining them.
var commands []*command

func register(c *command) {
	commands = append(commands, c)
	slices.SortFunc(commands, func(x, y *command) int { return strings.Compare(x.name, y.name) })
}

func lookupCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// runMu makes run one command at a time: the --cli-binary-format in force
// is package state (binaryFormat).
var runMu sync.Mutex

// run is kmspub with its arguments (without the program name); it returns
// the exit status. Output goes to stdout only when the command succeeds.
func run(ctx context.Context, argv []string, stdout, stderr io.Writer) int {
	runMu.Lock()
	defer runMu.Unlock()
	argv = globalOptionsLast(argv)
	if len(argv) == 0 {
		return report(stderr, usageError("the following arguments are required: command"))
	}
	switch argv[0] {
	case "help", "--help", "-h":
		if len(argv) == 2 {
			if c := lookupCommand(argv[1]); c != nil {
				fmt.Fprint(stdout, commandHelp(c))
				return exitOK
			}
			if r := lookupRefusal(argv[1]); r != nil {
				fmt.Fprintln(stdout, r.text())
				return exitOK
			}
		}
		fmt.Fprint(stdout, topHelp())
		return exitOK
	case "version", "--version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	}
	c := lookupCommand(argv[0])
	if c == nil {
		if r := lookupRefusal(argv[0]); r != nil {
			if len(argv) == 2 && argv[1] == "help" {
				fmt.Fprintln(stdout, r.text())
				return exitOK
			}
			return report(stderr, &cliError{exitParam, r.text()})
		}
		return report(stderr, usageError("argument command: Invalid choice, valid choices are:\n\n%s", strings.Join(commandNames(), "\n")))
	}
	rest := argv[1:]
	if (len(rest) == 1 && rest[0] == "help") || slices.Contains(rest, "--help") || slices.Contains(rest, "-h") {
		fmt.Fprint(stdout, commandHelp(c))
		return exitOK
	}
	a, err := parseArgs(rest, allOptions(c))
	if err != nil {
		return report(stderr, err)
	}
	format := &responseFormat{output: "json"}
	if !isDataCommand(c) {
		if format, err = parseResponseFormat(a); err != nil {
			return report(stderr, err)
		}
	}
	binaryFormat = "base64"
	if a.has("cli-binary-format") {
		if !slices.Contains(binaryFormats, a.get("cli-binary-format")) {
			return report(stderr, choicesError("cli-binary-format", binaryFormats))
		}
		binaryFormat = a.get("cli-binary-format")
	}
	defer func() { binaryFormat = "base64" }()

	var out bytes.Buffer
	w := io.Writer(&out)
	if c.streamsStdout {
		w = stdout
	}
	if err := c.run(ctx, a, w); err != nil {
		return report(stderr, operationError(c.operation, err))
	}
	var formatted bytes.Buffer
	if err := writeResponse(&formatted, c, format, out.Bytes()); err != nil {
		return report(stderr, err)
	}
	if err := writeOutput(stdout, formatted.Bytes()); err != nil {
		return report(stderr, fmt.Errorf("writing the output: %w", err))
	}
	return exitOK
}

// globalOptions are the AWS CLI's global options kmspub takes: before the
// command (aws --endpoint-url URL --output text kms verify …) or after it.
var globalOptions = slices.Concat(onlineOptions, responseOptions, cliOptions)

// globalOptionsLast moves global options given before the command after
// it, where the command's own parser takes them.
func globalOptionsLast(argv []string) []string {
	var global []string
	for len(argv) > 0 {
		name, _, hasInline := strings.Cut(strings.TrimPrefix(argv[0], "--"), "=")
		i := slices.IndexFunc(globalOptions, func(o option) bool { return o.name == name })
		if !strings.HasPrefix(argv[0], "--") || i < 0 || globalOptions[i].kind == listValue {
			break
		}
		n := 1
		if globalOptions[i].kind == oneValue && !hasInline && len(argv) > 1 {
			n = 2
		}
		global, argv = append(global, argv[:n]...), argv[n:]
	}
	switch {
	case len(global) == 0:
		return argv
	case len(argv) == 0:
		return nil // options but no command
	}
	return slices.Concat(argv[:1], global, argv[1:])
}

func commandNames() []string {
	names := make([]string, 0, len(commands)+2)
	for _, c := range commands {
		if !c.hidden {
			names = append(names, c.name)
		}
	}
	return append(names, "help", "version")
}

// printJSON writes v, a command's one response, as the AWS CLI prints a
// response in JSON: four-space indent, members in the struct's (the API
// model's) order, no HTML escaping, a final newline. run then applies
// --query and --output to it (see output.go).
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func versionString() string {
	version := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	return fmt.Sprintf("kmspub/%s %s %s/%s", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

const commonHelp = `Key: every offline command takes --key-file PATH (the JSON that
"aws kms get-public-key" prints, unchanged; or a bare PEM/DER/base64 public
key with --key-spec and --key-usage) or --key-id ID (one GetPublicKey call
through the default AWS configuration, then offline).

Blob arguments (--message, --signature, --plaintext) are read as the AWS
CLI v2 reads them: fileb://PATH is the file's bytes, file://PATH is a file
holding base64 text, anything else is base64 text.

Output is the response the AWS CLI prints for the operation, in JSON or as
--output and --query ask (as AWS CLI version 2 prints them). Errors are one
line on stderr in the AWS CLI's words; nothing is printed on stdout.
Commands KMS has that need KMS itself (sign, decrypt, generate-mac,
decapsulate …) answer with the command to use instead (exit status 252).

Exit status:
  0    success
  252  invalid command line, or a parameter file or --key-file that cannot
       be read or used
  253  no region or no credentials for a call to KMS
  254  refused with a KMS exception: by kmspub offline, exactly where KMS
       would refuse, or by KMS itself (GetPublicKey)
  255  any other error (no connection to KMS, invalid base64 …)
  130  interrupted (Ctrl-C): nothing is printed and no output file is left
`

func topHelp() string {
	var b strings.Builder
	b.WriteString("kmspub: the offline twin of `aws kms` for asymmetric KMS keys.\n\n")
	b.WriteString("usage: kmspub <command> [parameters]\n       kmspub <command> help\n\nCommands:\n")
	for _, c := range commands {
		if !c.hidden {
			fmt.Fprintf(&b, "  %-22s %s\n", c.name, c.summary)
		}
	}
	fmt.Fprintf(&b, "  %-22s %s\n", "help", "Print this help.")
	fmt.Fprintf(&b, "  %-22s %s\n", "version", "Print the version.")
	b.WriteString("\n" + reflow(commonHelp))
	return b.String()
}

func commandHelp(c *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kmspub %s: %s\n\nusage: kmspub %s\n\n", c.name, c.summary, c.usage)
	if c.details != "" {
		b.WriteString(reflow(c.details) + "\n")
	}
	b.WriteString("Options:\n")
	b.WriteString(formatOptions(c.options))
	b.WriteString("\nGlobal options (as in the AWS CLI):\n")
	b.WriteString(formatOptions(allOptions(c)[len(c.options):]))
	b.WriteString("\n" + reflow(commonHelp))
	return b.String()
}
