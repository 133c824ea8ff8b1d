package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/kmspub/kmspub"
)

// What encrypt-message and decrypt-message share: several keys, an
// encryption context of key=value pairs, an --input to stream from and an
// --output written in full or not at all, and progress on a terminal.

// messageKeyOptions are keyOptions with --key-file and --key-id
// repeatable (each names one KMS key).
func messageKeyOptions(keyHelp string) []option {
	var out []option
	for _, o := range keyOptions {
		switch o.name {
		case "key-file":
			o.kind = appendList
			o.help = "A key saved by `aws kms get-public-key` (or a bare public key with\n" +
				"--key-spec and --key-usage). Repeatable. " + keyHelp
		case "key-id":
			o.kind = appendList
			o.help = "A key ID, key ARN, alias name or alias ARN, fetched with one\n" +
				"GetPublicKey call each. Repeatable. " + keyHelp
		}
		out = append(out, o)
	}
	return out
}

// dataOnlineOptions are the online options of a command whose --output is
// its data destination, as in the AWS Encryption CLI, not a format.
func dataOnlineOptions() []option {
	var out []option
	for _, o := range onlineOptions {
		if o.name != "output" {
			out = append(out, o)
		}
	}
	return out
}

// dataOptions are --input and --output.
var dataOptions = []option{
	{name: "input", required: true, value: "<path>|-", help: "The data to read: a file, or - for standard input."},
	{name: "output", required: true, value: "<path>|-", help: "Where to write the result: a file, or - for standard output. A file\n" +
		"is written beside its final name and renamed into place only when\n" +
		"the command succeeds (a new file gets mode 0600, a replaced one keeps\n" +
		"its mode); on failure nothing is left at the path."},
}

// loadKeys returns every key --key-file and --key-id name, in that order.
func loadKeys(ctx context.Context, a *args) ([]*kmspub.PublicKey, error) {
	files, ids := a.list["key-file"], a.list["key-id"]
	if len(files)+len(ids) > 1 {
		for _, n := range bareKeyOptions {
			if a.has(n) {
				return nil, usageError("argument --%s: describes one bare --key-file; not allowed with several keys", n)
			}
		}
	}
	if len(ids) > 0 {
		if err := checkNoBareOptions(a); err != nil {
			return nil, err
		}
	}
	var keys []*kmspub.PublicKey
	for _, path := range files {
		k, err := readKeyFile(oneKeyArgs(a, "key-file", path))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	for _, id := range ids {
		k, err := fetchKey(ctx, oneKeyArgs(a, "key-id", id))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func checkNoBareOptions(a *args) error {
	for _, n := range bareKeyOptions {
		if a.has(n) {
			return usageError("argument --%s: not allowed with argument --key-id (KMS reports the key's metadata)", n)
		}
	}
	return nil
}

// oneKeyArgs returns a copy of a that names one key, for the single-key
// helpers of keysource.go.
func oneKeyArgs(a *args, name, value string) *args {
	one := &args{one: maps.Clone(a.one), list: maps.Clone(a.list)}
	delete(one.list, "key-file")
	delete(one.list, "key-id")
	one.one[name] = value
	return one
}

// parseEncryptionContext reads --encryption-context key=value pairs.
func parseEncryptionContext(a *args) (map[string]string, error) {
	pairs := a.list["encryption-context"]
	if len(pairs) == 0 {
		return nil, nil
	}
	ec := make(map[string]string, len(pairs))
	for i, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			return nil, paramError("encryption-context", fmt.Sprintf("pair %d is not of the form key=value", i+1))
		}
		if _, dup := ec[k]; dup {
			return nil, paramError("encryption-context", fmt.Sprintf("key %q is given twice", k))
		}
		ec[k] = v
	}
	return ec, nil
}

// parseUint reads a whole-number option within [lo, hi].
func parseUint(a *args, name string, lo, hi uint64) (uint64, bool, error) {
	if !a.has(name) {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(a.get(name), 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, false, paramError(name, fmt.Sprintf("expected a whole number from %d to %d", lo, hi))
	}
	return n, true, nil
}

// openInput opens --input: a file, or standard input for "-". size is the
// file's size, or -1 when unknown.
func openInput(a *args) (r io.ReadCloser, size int64, err error) {
	path := a.get("input")
	if path == "-" {
		return io.NopCloser(os.Stdin), -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, paramError("input", fmt.Sprintf("Unable to open %s: %v", path, errors.Unwrap(err)))
	}
	size = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	return f, size, nil
}

// output is --output: standard output, or an outputFile (interrupt.go): a
// temporary file beside the destination that commit renames into place
// and abort, or Ctrl-C, removes.
type output struct {
	io.Writer
	file *outputFile
}

func createOutput(a *args, stdout io.Writer) (*output, error) {
	path := a.get("output")
	if path == "-" {
		return &output{Writer: stdout}, nil
	}
	if in := a.get("input"); in != "-" && sameFile(in, path) {
		return nil, usageError("argument --output: %s is also the --input", path)
	}
	f, err := createOutputFile(path)
	if err != nil {
		return nil, paramError("output", fmt.Sprintf("Unable to write beside %s: %v", path, errors.Unwrap(err)))
	}
	// The temporary file is 0600; a file it replaces keeps its mode.
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		f.Chmod(st.Mode().Perm())
	}
	return &output{Writer: f, file: f}, nil
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// commit makes the output final: synced and renamed over --output.
func (o *output) commit() error {
	if o.file == nil {
		return nil
	}
	if err := o.file.Commit(); err != nil {
		return fmt.Errorf("writing %s: %w", o.file.path, err)
	}
	return nil
}

// abort removes what was written; --output is left as it was.
func (o *output) abort() {
	if o.file != nil {
		o.file.Abort()
	}
}

// progress reports bytes read on stderr while a long run lasts, only when
// stderr is a terminal: one line, redrawn at most five times a second,
// from the second second on, erased at the end.
type progress struct {
	n     atomic.Int64
	size  int64
	verb  string
	out   io.Writer
	delay time.Duration // before the first line
	every time.Duration // between lines
	stop  chan struct{}
	done  chan struct{}
}

func startProgress(verb string, size int64) *progress {
	return newProgress(os.Stderr, term.IsTerminal(int(os.Stderr.Fd())), verb, size, time.Second, 200*time.Millisecond)
}

func newProgress(out io.Writer, terminal bool, verb string, size int64, delay, every time.Duration) *progress {
	p := &progress{size: size, verb: verb, out: out, delay: delay, every: every}
	if terminal {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.draw()
	}
	return p
}

// reader counts what r reads.
func (p *progress) reader(r io.Reader) io.Reader { return &countingReader{r: r, n: &p.n} }

func (p *progress) draw() {
	defer close(p.done)
	start := time.Now()
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	drawn := false
	for {
		select {
		case <-p.stop:
			if drawn {
				fmt.Fprint(p.out, "\r\033[K")
			}
			return
		case now := <-tick.C:
			if now.Sub(start) < p.delay {
				continue
			}
			fmt.Fprintf(p.out, "\r\033[K%s", p.line(now.Sub(start)))
			drawn = true
		}
	}
}

// line is the progress line after elapsed.
func (p *progress) line(elapsed time.Duration) string {
	n := p.n.Load()
	line := fmt.Sprintf("%s %s", p.verb, humanBytes(n))
	if p.size > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", humanBytes(p.size), 100*n/p.size)
	}
	if s := elapsed.Seconds(); s > 0 {
		line += fmt.Sprintf(", %s/s", humanBytes(int64(float64(n)/s)))
	}
	return line
}

func (p *progress) finish() {
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
}

func humanBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
