package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Every file a parameter names — --key-file, --message-file,
// --private-key, fileb:// and file:// blobs — is opened here:
//
//   - the AWS CLI's fileb:// and file:// prefixes are accepted on path
//     options too (--key-file fileb://key.json), and after a prefix a
//     leading "~/" is the home directory, as in the AWS CLI;
//   - the file is opened non-blocking, so a named pipe (FIFO) with no
//     writer cannot hang kmspub, and then refused unless it is a regular
//     file, a character device (a terminal, /dev/null …) or kmspub's own
//     standard input (cat msg | kmspub … fileb:///dev/stdin);
//   - it is read through a bound (see readFileLimited, deviceLimit).

// paramPath strips a fileb:// or file:// prefix from a path option's value
// and, after one, expands "~/".
func paramPath(arg string) (string, error) {
	path, cut := strings.CutPrefix(arg, prefixFileBinary)
	if !cut {
		path, cut = strings.CutPrefix(arg, prefixFileText)
	}
	if rest, ok := strings.CutPrefix(path, "~/"); ok && cut {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		path = filepath.Join(home, rest)
	}
	return path, nil
}

// errNotFile refuses a FIFO, socket, directory or block device.
type errNotFile struct {
	path string
	kind string
}

func (e *errNotFile) Error() string {
	return fmt.Sprintf("%s is %s: give a regular file, a character device, or pipe the data to kmspub's standard input (/dev/stdin)", e.path, e.kind)
}

// openParam opens path for reading as described above. isDevice reports a
// character device, which may never end.
func openParam(path string) (f *os.File, isDevice bool, err error) {
	f, err = openNonblocking(path)
	if err != nil {
		return nil, false, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, false, err
	}
	mode := fi.Mode()
	switch {
	case mode.IsRegular():
		return f, false, nil
	case mode&fs.ModeCharDevice != 0:
		return f, true, nil
	case mode&fs.ModeNamedPipe != 0 && isStdin(fi):
		return f, false, nil
	}
	f.Close()
	kind := "not a regular file"
	switch {
	case mode.IsDir():
		kind = "a directory"
	case mode&fs.ModeNamedPipe != 0:
		kind = "a pipe (FIFO) other than standard input"
	case mode&fs.ModeSocket != 0:
		kind = "a socket"
	case mode&fs.ModeDevice != 0:
		kind = "a block device"
	}
	return nil, false, &errNotFile{path, kind}
}

// isStdin reports whether fi is kmspub's own standard input.
func isStdin(fi fs.FileInfo) bool {
	in, err := os.Stdin.Stat()
	return err == nil && os.SameFile(fi, in)
}

// errTooLarge: a file over the limit readFileLimited was given.
var errTooLarge = errors.New("file too large")

// readFileLimited reads a file of at most limit bytes. A regular file over
// the limit is refused from its size, without reading; anything else (a
// device, standard input) is read through a bounded reader. Either way
// memory use is bounded by the limit, not by the file.
func readFileLimited(path string, limit int) ([]byte, error) {
	f, _, err := openParam(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	capacity := bytes.MinRead
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if fi.Size() > int64(limit) {
			return nil, errTooLarge
		}
		capacity = int(fi.Size()) + bytes.MinRead // room to see EOF without growing
	}
	buf := bytes.NewBuffer(make([]byte, 0, capacity))
	if _, err := buf.ReadFrom(io.LimitReader(f, int64(limit)+1)); err != nil {
		return nil, err
	}
	if buf.Len() > limit {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// deviceLimit bounds a --message-file that is a character device or
// standard input, so that /dev/zero or /dev/urandom given by mistake is
// refused within seconds instead of being digested until kmspub is killed.
// A regular file of any size is streamed.
const deviceLimit = 256 << 20

// errDeviceTooLarge: a device gave more than deviceLimit bytes.
var errDeviceTooLarge = fmt.Errorf("more than %d MiB from a device", deviceLimit>>20)

// boundedReader returns errDeviceTooLarge once more than n bytes were read.
type boundedReader struct {
	r io.Reader
	n int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n < 0 {
		return 0, errDeviceTooLarge
	}
	if int64(len(p)) > b.n+1 {
		p = p[:b.n+1]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	if b.n < 0 {
		return n, errDeviceTooLarge
	}
	return n, err
}
