package iosemu

import (
	"bytes"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// term is the client end of a terminal session on a pipe.
type term struct {
	t    *testing.T
	conn net.Conn
	mu   sync.Mutex
	buf  bytes.Buffer
	done chan error
}

func startTerm(t *testing.T, sw *Switch) (*term, *bool) {
	t.Helper()
	client, server := net.Pipe()
	aborted := new(bool)
	tm := &term{t: t, conn: client, done: make(chan error, 1)}
	go func() {
		tm.done <- sw.Serve(server, func() { *aborted = true; server.Close() })
		server.Close()
	}()
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := client.Read(b)
			tm.mu.Lock()
			tm.buf.Write(b[:n])
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { client.Close() })
	return tm, aborted
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.conn.Write([]byte(s)); err != nil {
		tm.t.Fatalf("send %q: %v", s, err)
	}
}

// expect waits until the output (since the last expect) contains want
// and returns it.
func (tm *term) expect(want string) string {
	tm.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tm.mu.Lock()
		s := tm.buf.String()
		if i := strings.Index(s, want); i >= 0 {
			tm.buf.Next(i + len(want))
			tm.mu.Unlock()
			return s[:i+len(want)]
		}
		tm.mu.Unlock()
		time.Sleep(time.Millisecond)
	}
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.t.Fatalf("no %q in %q", want, tm.buf.String())
	return ""
}

// quiet checks that nothing more arrives for a while.
func (tm *term) quiet() {
	tm.t.Helper()
	time.Sleep(100 * time.Millisecond)
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.buf.Len() > 0 {
		tm.t.Fatalf("unexpected output %q", tm.buf.String())
	}
}

func TestCLISession(t *testing.T) {
	p := Campus("sw1", ReleaseIOSXE, 3)
	p.EnableSecret = "en-secret"
	p.Banner = "RESTRICTED>\nAuthorized access only\nlab-switch#"
	sw := NewSwitch(p)
	tm, _ := startTerm(t, sw)
	if got := tm.expect("sw1>"); got != "\r\nRESTRICTED>\r\nAuthorized access only\r\nlab-switch#\r\n\r\nsw1>" {
		t.Errorf("banner and prompt %q", got)
	}
	tm.send("show access-session\n")
	if got := tm.expect("sw1>"); got != "show access-session\r\n    ^\r\n% Invalid input detected at '^' marker.\r\n\r\nsw1>" {
		t.Errorf("privileged command in user mode: %q", got)
	}
	tm.send("enable\n")
	tm.expect("Password: ")
	tm.send("wrong\n")
	if got := tm.expect("sw1>"); got != "\r\n% Bad secrets\r\n\r\nsw1>" {
		t.Errorf("bad secret: %q", got)
	}
	tm.send("enable\r\n")
	tm.expect("Password: ")
	tm.send("en-secret\r\n")
	if got := tm.expect("sw1#"); got != "\r\nsw1#" {
		t.Errorf("enable: %q (the secret must not be echoed)", got)
	}
	tm.send("terminal length 0\n")
	tm.expect("sw1#")
	tm.send("show access-session\n")
	out := tm.expect("sw1#")
	if !strings.Contains(out, "Session count = 3") || strings.Contains(out, "--More--") {
		t.Errorf("summary: %q", out)
	}
	tm.send("configure terminal\n")
	if got := tm.expect("sw1#"); !strings.Contains(got, "% Invalid input detected at '^' marker.") {
		t.Errorf("configure terminal: %q", got)
	}
	tm.send("exit\n")
	if err := <-tm.done; err != nil {
		t.Errorf("exit: %v", err)
	}
	want := []string{"show access-session", "enable", "wrong", "enable", "en-secret", "terminal length 0", "show access-session", "configure terminal", "exit"}
	if got := sw.Received(); !reflect.DeepEqual(got, want) {
		t.Errorf("received %q", got)
	}
	if sw.Logins() != 1 {
		t.Errorf("%d logins", sw.Logins())
	}
}

func TestCLIPaging(t *testing.T) {
	p := Campus("sw1", ReleaseIOSXE, 10)
	p.TermLength = 5
	sw := NewSwitch(p)
	tm, _ := startTerm(t, sw)
	tm.expect("sw1#")
	tm.send("show access-session\n")
	first := tm.expect(" --More-- ")
	if n := strings.Count(first, "\r\n"); n != 5 {
		t.Errorf("first page has %d line ends: %q", n, first)
	}
	tm.send("\r") // one more line
	line := tm.expect(" --More-- ")
	if !strings.HasPrefix(line, strings.Repeat("\b", 10)) || strings.Count(line, "\r\n") != 1 {
		t.Errorf("one line: %q", line)
	}
	tm.send(" ") // next page
	tm.expect(" --More-- ")
	tm.send("q")
	tm.expect("sw1#")
	tm.send("terminal width 512\n")
	tm.expect("sw1#")
	tm.send("terminal length 0\n")
	tm.expect("sw1#")
	tm.send("show access-session\n")
	if out := tm.expect("sw1#"); strings.Contains(out, "More") || !strings.Contains(out, "Session count = 10") {
		t.Errorf("after terminal length 0: %q", out)
	}
	tm.send("terminal length 600\n")
	if got := tm.expect("sw1#"); !strings.Contains(got, "Invalid input") {
		t.Errorf("length 600: %q", got)
	}
}

func TestCLIFaults(t *testing.T) {
	t.Run("stall", func(t *testing.T) {
		p := Campus("sw1", ReleaseIOSXE, 5)
		p.TermLength = -1
		p.Faults = []Fault{{Command: "show access-session", Kind: FaultStall, AfterBytes: 100}}
		tm, _ := startTerm(t, NewSwitch(p))
		tm.expect("sw1#")
		tm.send("show access-session details\n")
		got := tm.expect("show access-session details\r\n")
		if got != "show access-session details\r\n" {
			t.Errorf("echo %q", got)
		}
		time.Sleep(100 * time.Millisecond)
		tm.mu.Lock()
		n := tm.buf.Len()
		tm.mu.Unlock()
		if n != 100 {
			t.Errorf("%d bytes of output before the stall, want 100", n)
		}
	})
	t.Run("reset", func(t *testing.T) {
		p := Campus("sw1", ReleaseIOSXE, 5)
		p.Faults = []Fault{{Command: "show ip access-lists", Kind: FaultReset, AfterBytes: 10}}
		tm, aborted := startTerm(t, NewSwitch(p))
		tm.expect("sw1#")
		tm.send("show ip access-lists\n")
		if err := <-tm.done; err != nil || !*aborted {
			t.Errorf("reset: %v, aborted %v", err, *aborted)
		}
	})
	t.Run("silent at login", func(t *testing.T) {
		p := Campus("sw1", ReleaseIOSXE, 5)
		p.Faults = []Fault{{Kind: FaultSilent}}
		sw := NewSwitch(p)
		tm, _ := startTerm(t, sw)
		tm.send("\n")
		tm.quiet()
		tm.conn.Close()
		if err := <-tm.done; err != nil {
			t.Errorf("silent: %v", err)
		}
	})
	t.Run("silent command", func(t *testing.T) {
		p := Campus("sw1", ReleaseIOSXE, 5)
		p.Faults = []Fault{{Command: "show version", Kind: FaultSilent}}
		tm, _ := startTerm(t, NewSwitch(p))
		tm.expect("sw1#")
		tm.send("show version\n")
		tm.expect("show version\r\n")
		tm.quiet()
	})
	t.Run("slow", func(t *testing.T) {
		p := Campus("sw1", ReleaseIOSXE, 5)
		p.LineDelay = 5 * time.Millisecond
		tm, _ := startTerm(t, NewSwitch(p))
		tm.expect("sw1#")
		tm.send("terminal length 0\n")
		tm.expect("sw1#")
		start := time.Now()
		tm.send("show access-session\n")
		out := tm.expect("sw1#")
		if lines := strings.Count(out, "\r\n"); time.Since(start) < time.Duration(lines-1)*5*time.Millisecond {
			t.Errorf("%d lines in %v", lines, time.Since(start))
		}
	})
}

func TestCLIReceivedBytes(t *testing.T) {
	sw := NewSwitch(Campus("sw1", ReleaseIOSXE, 1))
	tm, _ := startTerm(t, sw)
	tm.expect("sw1#")
	tm.send("show vex\x7f\x7fersion\r\nshow")
	tm.expect("sw1#show")
	if got := sw.Received(); !reflect.DeepEqual(got, []string{"show version"}) {
		t.Errorf("received lines %q", got)
	}
	if got := string(sw.ReceivedBytes()); got != "show vex\x7f\x7fersion\r\nshow" {
		t.Errorf("received bytes %q", got)
	}
}
