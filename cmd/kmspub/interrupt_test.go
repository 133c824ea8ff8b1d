package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// test-copy is a command of the test binary only: it copies --in to the
// output file --to, a streaming command that writes a file, as
// encrypt-message --output PATH does.
func init() {
	register(&command{
		name:      "test-copy",
		operation: "TestCopy",
		summary:   "Tests only: copy --in to the output file --to.",
		usage:     "test-copy --in <path> --to <path>",
		hidden:    true,
		options:   []option{{name: "in", required: true}, {name: "to", required: true}},
		run: func(_ context.Context, a *args, _ io.Writer) error {
			in, _, err := openParam(a.get("in"))
			if err != nil {
				return err
			}
			defer in.Close()
			out, err := createOutputFile(a.get("to"))
			if err != nil {
				return err
			}
			defer out.Abort()
			if _, err := io.Copy(out, in); err != nil {
				return err
			}
			return out.Commit()
		},
	})
}

// startKmspub starts the built kmspub (the test binary under the name
// testscript gives it) reading stdin from a pipe the test holds open, so
// that it is mid-stream when the signal arrives.
func startKmspub(t *testing.T, args ...string) (*exec.Cmd, io.WriteCloser, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	bin, err := exec.LookPath("kmspub")
	if err != nil {
		t.Fatalf("the kmspub command testscript installs: %v", err)
	}
	cmd := exec.Command(bin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stdin, &stdout, &stderr
}

// feed writes chunks into w until done is closed. Each write of 1 MiB
// completes only as kmspub reads: once one has, kmspub is streaming.
func feed(t *testing.T, w io.Writer, started chan<- struct{}) {
	chunk := bytes.Repeat([]byte("kmspub streams this message. "), 1<<15)
	once := false
	for {
		if _, err := w.Write(chunk); err != nil {
			return // kmspub is gone
		}
		if !once {
			once = true
			close(started)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func exitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(20 * time.Second):
		t.Fatal("kmspub did not exit after SIGINT")
	}
	return -1
}

// interruptWhileWriting runs the kmspub command args, which writes its
// output to dest (in a directory of its own), feeding it stdin until it
// has created its temporary output file; then sends SIGINT, and checks
// that the command exits 130 and leaves neither dest nor the temporary
// file behind.
func interruptWhileWriting(t *testing.T, dest string, args ...string) {
	t.Helper()
	dir := filepath.Dir(dest)
	cmd, stdin, _, stderr := startKmspub(t, args...)
	started := make(chan struct{})
	go feed(t, stdin, started)
	<-started
	// The temporary file exists and is being written.
	deadline := time.Now().Add(10 * time.Second)
	for {
		entries, _ := os.ReadDir(dir)
		if len(entries) == 1 && strings.HasPrefix(entries[0].Name(), "."+filepath.Base(dest)+".kmspub-") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no temporary output file in %s: %v", dir, entries)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if status := exitStatus(t, cmd); status != 130 {
		t.Errorf("exit status %d, want 130; stderr %q", status, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind after SIGINT: %v", entries)
	}
}

// TestInterruptVerifyStream: Ctrl-C during verify --message-file exits 130
// with nothing on stdout.
func TestInterruptVerifyStream(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "sample")
	cmd, stdin, stdout, stderr := startKmspub(t, "verify", "--key-file", filepath.Join(sample, "ecc_nist_p256.json"),
		"--message-file", "/dev/stdin", "--signing-algorithm", "ECDSA_SHA_256", "--signature", "fileb://"+filepath.Join(sample, "message.txt.ECDSA_SHA_256.sig"))
	started := make(chan struct{})
	go feed(t, stdin, started)
	<-started
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if status := exitStatus(t, cmd); status != 130 {
		t.Errorf("exit status %d, want 130; stderr %q", status, stderr.String())
	}
	if stdout.Len() != 0 || stderr.String() != "\n" {
		t.Errorf("stdout %q, stderr %q; want nothing and a line break", stdout.String(), stderr.String())
	}
}

// TestInterruptOutputFile: Ctrl-C while a command writes its output file
// exits 130 and leaves neither the file nor its temporary file; the same
// command left to finish writes it whole.
func TestInterruptOutputFile(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.bin")
	interruptWhileWriting(t, dest, "test-copy", "--in", "/dev/stdin", "--to", dest)

	// Not interrupted: the whole file, renamed into place.
	cmd, stdin, _, stderr := startKmspub(t, "test-copy", "--in", "/dev/stdin", "--to", dest)
	want := bytes.Repeat([]byte("whole "), 100000)
	stdin.Write(want)
	stdin.Close()
	if status := exitStatus(t, cmd); status != 0 {
		t.Fatalf("exit status %d: %s", status, stderr.String())
	}
	got, err := os.ReadFile(dest)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("output file: %d bytes, %v; want %d bytes", len(got), err, len(want))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files after a finished copy: %v", entries)
	}
}
