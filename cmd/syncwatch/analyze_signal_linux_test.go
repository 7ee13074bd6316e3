package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestAnalyzeSignal runs the binary on a pipe that stays open after the
// example (a producer gone quiet) and sends it SIGINT: it ends at once
// with exit code 1 and says it was interrupted; a SIGTERM does the same.
func TestAnalyzeSignal(t *testing.T) {
	bin := buildSyncwatch(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "analyze", "-")
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			cmd.Stdin = r
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			r.Close()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if _, err := w.Write(readExample(t)); err != nil {
				t.Fatal(err)
			}
			// Once the pipe is empty, syncwatch reads standard input, which
			// it does after its signal handler is set up.
			deadline := time.Now().Add(10 * time.Second)
			for {
				n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ) // FIONREAD: bytes not yet read
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("syncwatch did not read standard input within 10 s")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10 s after %s; stderr %q", sig, stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitRuntime || !strings.HasPrefix(stderr.String(), "syncwatch analyze: interrupted ") {
				t.Errorf("%v, stderr %q, stdout %q", err, stderr.String(), stdout.String())
			}
		})
	}
}
