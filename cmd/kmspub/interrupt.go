package main

import (
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// Ctrl-C (SIGINT) and SIGTERM end kmspub at once with the shell's status
// for the signal — 130 for SIGINT, as the AWS CLI exits — leaving nothing
// half-written: stdout is written only after a command succeeded, and a
// file a command writes is an outputFile, a temporary file beside its
// destination that only a completed command renames into place. A signal
// removes the temporary files.

// finishing is held while output is written, and by the signal handler,
// so that a signal lands either before the output or after all of it.
var finishing sync.Mutex

// pendingFiles are the output files not yet committed.
var pendingFiles = map[*outputFile]bool{}

// handleInterrupts installs the signal handler (main only: tests that call
// run keep Go's default handling).
func handleInterrupts() {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		finishing.Lock() // and never unlock: the process ends here
		for f := range pendingFiles {
			f.File.Close()
			os.Remove(f.File.Name())
		}
		// The AWS CLI prints a line break on Ctrl-C (on stdout; kmspub
		// keeps stdout for responses).
		os.Stderr.WriteString("\n")
		status := 130
		if s == syscall.SIGTERM {
			status = 128 + 15
		}
		os.Exit(status)
	}()
}

// writeOutput writes a finished command's output to stdout.
func writeOutput(stdout io.Writer, data []byte) error {
	finishing.Lock()
	defer finishing.Unlock()
	_, err := stdout.Write(data)
	return err
}

// An outputFile is a file a command writes: it is created as a temporary
// file in the destination's directory, written, and renamed over the
// destination by Commit, so that the destination is never seen
// half-written, whether the command fails, is interrupted, or succeeds.
// A command that writes a file (e.g. --output PATH) does:
//
//	out, err := createOutputFile(path)
//	if err != nil { … }
//	defer out.Abort() // removes the temporary file unless committed
//	… write to out …
//	return out.Commit()
type outputFile struct {
	*os.File
	path string
}

// createOutputFile starts writing path.
func createOutputFile(path string) (*outputFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".kmspub-*")
	if err != nil {
		return nil, err
	}
	o := &outputFile{File: f, path: path}
	finishing.Lock()
	pendingFiles[o] = true
	finishing.Unlock()
	return o, nil
}

// Commit closes the file and renames it to its destination.
func (o *outputFile) Commit() error {
	finishing.Lock()
	defer finishing.Unlock()
	if !pendingFiles[o] {
		return os.ErrClosed
	}
	delete(pendingFiles, o)
	err := o.File.Sync()
	if cerr := o.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.File.Name(), o.path)
	}
	if err != nil {
		os.Remove(o.File.Name())
	}
	return err
}

// Abort removes the file unless it was committed.
func (o *outputFile) Abort() {
	finishing.Lock()
	defer finishing.Unlock()
	if pendingFiles[o] {
		delete(pendingFiles, o)
		o.File.Close()
		os.Remove(o.File.Name())
	}
}
