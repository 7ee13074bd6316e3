package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestAnalyzeSignalPipeWithoutWriter: a named pipe that no program writes
// to, given as a capture or as switch output, is given up at the first
// signal (its open used to block until a second one killed syncwatch).
func TestAnalyzeSignalPipeWithoutWriter(t *testing.T) {
	bin := buildSyncwatch(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"analyze", fifo}, "syncwatch analyze: interrupted before a packet was read: open capture file: open " + fifo + ": no program writes to the pipe: context canceled\n"},
		{[]string{"audit", "--psn", "10.0.0.11", "--switch-output", fifo}, "syncwatch audit: transcript: open " + fifo + ": no program writes to the pipe: context canceled\n"},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// The signal handler is set up before any file is opened;
			// wait until the open waits (the process sleeps in it).
			deadline := time.Now().Add(10 * time.Second)
			for !waitsForPartner(cmd.Process.Pid) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("never waited in the open of the pipe")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("still running 10 s after SIGTERM; stderr %q", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != exitRuntime || stderr.String() != tc.want || stdout.Len() != 0 {
				t.Errorf("%v, stderr %q, stdout %q", err, stderr.String(), stdout.String())
			}
		})
	}
}

// waitsForPartner reports whether a thread of process pid sleeps in the
// open of a pipe, waiting for the other end.
func waitsForPartner(pid int) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", pid))
	for _, p := range tasks {
		if b, _ := os.ReadFile(p); string(b) == "wait_for_partner" {
			return true
		}
	}
	return false
}

// TestAnalyzeSignalQuietPipe: a named pipe whose writer stays open and
// quiet after the capture is ended by a signal, with the report of what
// was read, as standard input is.
func TestAnalyzeSignalQuietPipe(t *testing.T) {
	bin := buildSyncwatch(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "analyze", fifo)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for syncwatch's open
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(readExample(t)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("syncwatch did not read the pipe within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("still running 10 s after SIGINT; stderr %q", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitRuntime || stderr.String() != "syncwatch analyze: interrupted after 24 packets: the report covers only what was read before\n" ||
		!strings.Contains(stdout.String(), "Summary: 8 attempts") {
		t.Errorf("%v, stderr %q, stdout %q", err, stderr.String(), stdout.String())
	}
}
