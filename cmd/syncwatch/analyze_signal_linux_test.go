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

// signalled is a syncwatch process started for a signal test.
type signalled struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

// startSignalled starts the binary with args; stdin, when not nil, is its
// standard input (closed here once the process has it).
func startSignalled(t *testing.T, bin string, stdin *os.File, args ...string) *signalled {
	t.Helper()
	p := &signalled{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Stdin = stdin
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if stdin != nil {
		stdin.Close()
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

// waitFor polls cond until it holds, for up to 10 s.
func (p *signalled) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			p.cmd.Process.Kill()
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// drained reports whether syncwatch read everything written to the pipe w.
func drained(t *testing.T, w *os.File) func() bool {
	return func() bool {
		n, err := unix.IoctlGetInt(int(w.Fd()), unix.TIOCINQ) // FIONREAD: bytes not yet read
		if err != nil {
			t.Fatal(err)
		}
		return n == 0
	}
}

// signal sends sig and returns the exit code, failing the test when the
// process runs on for 10 s.
func (p *signalled) signal(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		t.Fatalf("still running 10 s after %s; stderr %q", sig, p.stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%v, stderr %q", err, p.stderr.String())
	}
	return ee.ExitCode()
}

// TestAnalyzeSignal runs the binary on a pipe that stays open after the
// example (a producer gone quiet) and sends it SIGINT: it ends at once
// with exit code 1 and says it was interrupted; a SIGTERM does the same.
func TestAnalyzeSignal(t *testing.T) {
	bin := buildSyncwatch(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			p := startSignalled(t, bin, r, "analyze", "-")
			if _, err := w.Write(readExample(t)); err != nil {
				t.Fatal(err)
			}
			// Once the pipe is empty, syncwatch reads standard input, which
			// it does after its signal handler is set up.
			p.waitFor(t, "syncwatch reads standard input", drained(t, w))
			if code := p.signal(t, sig); code != exitRuntime || !strings.HasPrefix(p.stderr.String(), "syncwatch analyze: interrupted ") {
				t.Errorf("exit %d, stderr %q, stdout %q", code, p.stderr.String(), p.stdout.String())
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
			p := startSignalled(t, bin, nil, tc.args...)
			// The signal handler is set up before any file is opened;
			// wait until the open waits (the process sleeps in it).
			p.waitFor(t, "the open of the pipe waits", func() bool { return waitsForPartner(p.cmd.Process.Pid) })
			if code := p.signal(t, syscall.SIGTERM); code != exitRuntime || p.stderr.String() != tc.want || p.stdout.Len() != 0 {
				t.Errorf("exit %d, stderr %q, stdout %q", code, p.stderr.String(), p.stdout.String())
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
	p := startSignalled(t, bin, nil, "analyze", fifo)
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // waits for syncwatch's open
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write(readExample(t)); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "syncwatch reads the pipe", drained(t, w))
	if code := p.signal(t, syscall.SIGINT); code != exitRuntime ||
		p.stderr.String() != "syncwatch analyze: interrupted after 24 packets: the report covers only what was read before\n" ||
		!strings.Contains(p.stdout.String(), "Summary: 8 attempts") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, p.stderr.String(), p.stdout.String())
	}
}
