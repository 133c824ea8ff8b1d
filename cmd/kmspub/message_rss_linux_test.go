//go:build linux

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/kmspub/kmspub/internal/localkmstest"
)

// messageStreamSize is what TestLocalKMSMessageStreamMemory streams.
const messageStreamSize = 256 << 20

// maxMessageRSS bounds the peak resident memory of each process: an
// eighth of the stream (measured: 12–16 MiB, the Go runtime and the AWS
// SDK). A kmspub that held the message would need more than the stream.
const maxMessageRSS = messageStreamSize / 8

// TestLocalKMSMessageStreamMemory streams 256 MiB through the kmspub
// command, as a user would run it (a binary built without the race
// detector): encrypt-message from a pipe to a file, decrypt-message
// (through local-kms) from that file to a pipe. The plaintext comes back
// unchanged, and each process's peak RSS stays under maxMessageRSS: memory
// does not grow with the message.
//
// The peak is the process's VmHWM (/proc/PID/status), polled while it runs:
// it counts only memory mapped since exec. (getrusage's ru_maxrss of a
// child does not: Linux folds in the parent's resident set at the fork,
// here the whole test process's.)
func TestLocalKMSMessageStreamMemory(t *testing.T) {
	endpoint := localkmstest.Endpoint(t)
	client := localkmstest.Client(t)
	id := localkmstest.CreateKey(t, client, types.KeySpecRsa2048, types.KeyUsageTypeEncryptDecrypt)
	dir := t.TempDir()
	bin := filepath.Join(dir, "kmspub")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	keyFile := filepath.Join(dir, "key.json")
	key, err := exec.Command(bin, "get-public-key", "--endpoint-url", endpoint, "--key-id", id).Output()
	if err != nil {
		t.Fatalf("get-public-key: %v", err)
	}
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	message := filepath.Join(dir, "message.enc")

	// Encrypt: 256 MiB of ChaCha8 output on stdin.
	want := sha256.New()
	enc := exec.Command(bin, "encrypt-message", "--key-file", keyFile, "--encryption-algorithm", "RSAES_OAEP_SHA_256",
		"--encryption-context", "test=stream", "--input", "-", "--output", message)
	stdin, err := enc.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	enc.Stderr = &stderr
	start := time.Now()
	if err := enc.Start(); err != nil {
		t.Fatal(err)
	}
	encPeak := watchPeakRSS(enc.Process.Pid)
	src := io.LimitReader(rand.NewChaCha8([32]byte{1}), messageStreamSize)
	if _, err := io.Copy(io.MultiWriter(stdin, want), src); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := enc.Wait(); err != nil {
		t.Fatalf("encrypt-message: %v\n%s", err, stderr.String())
	}
	encTime := time.Since(start)
	encRSS := encPeak()
	st, err := os.Stat(message)
	if err != nil {
		t.Fatal(err)
	}

	// Decrypt: the file, to stdout.
	got := sha256.New()
	dec := exec.Command(bin, "decrypt-message", "--endpoint-url", endpoint, "--encryption-context", "test=stream", "--input", message, "--output", "-")
	dec.Stdout = got
	dec.Stderr = &stderr
	start = time.Now()
	if err := dec.Start(); err != nil {
		t.Fatal(err)
	}
	decPeak := watchPeakRSS(dec.Process.Pid)
	if err := dec.Wait(); err != nil {
		t.Fatalf("decrypt-message: %v\n%s", err, stderr.String())
	}
	decTime := time.Since(start)
	decRSS := decPeak()
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Fatal("the decrypted stream differs from the plaintext")
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr is not a terminal, yet: %q", stderr.String())
	}

	for _, p := range []struct {
		name string
		rss  int64
		took time.Duration
	}{{"encrypt-message", encRSS, encTime}, {"decrypt-message", decRSS, decTime}} {
		rss := p.rss
		t.Logf("%s: %d MiB in %v (%.0f MiB/s), peak RSS %.1f MiB", p.name, messageStreamSize>>20, p.took.Round(time.Millisecond),
			float64(messageStreamSize>>20)/p.took.Seconds(), float64(rss)/(1<<20))
		if rss <= 0 || rss > maxMessageRSS {
			// rss 0: the process ended before its status could be read,
			// which a 256 MiB stream does not.
			t.Errorf("%s: peak RSS %d bytes; the bound is %d", p.name, rss, maxMessageRSS)
		}
	}
	t.Logf("message: %d bytes for %d of plaintext", st.Size(), messageStreamSize)
}

// watchPeakRSS polls /proc/PID/status every 10 ms for VmHWM, the peak
// resident set of the process's memory since exec, and returns a function
// that stops polling and returns the largest value read, in bytes.
func watchPeakRSS(pid int) func() int64 {
	var peak atomic.Int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	path := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		defer close(stopped)
		for {
			if data, err := os.ReadFile(path); err == nil {
				for _, line := range strings.Split(string(data), "\n") {
					if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
						var kb int64
						fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
						if kb*1024 > peak.Load() {
							peak.Store(kb * 1024)
						}
					}
				}
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}
