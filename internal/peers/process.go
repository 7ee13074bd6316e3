package peers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of every server's life.
const (
	// ReadyTimeout bounds a start: from the exec to /-/ready answering 200.
	ReadyTimeout = 30 * time.Second
	// StopTimeout is how long a server has to exit after SIGTERM before
	// its process group is killed.
	StopTimeout = 10 * time.Second
	// RequestTimeout bounds one API request of this package when the
	// caller's context has no earlier deadline.
	RequestTimeout = 10 * time.Second
	// startAttempts is how many times a start is tried with new ports
	// when a port was taken between choosing it and the server binding it.
	startAttempts = 3
	// maxOutput bounds the output kept per server (the latest bytes).
	maxOutput = 256 << 10
)

// errPortTaken is a start that failed because a port was already bound.
var errPortTaken = errors.New("a port was taken")

// Namespace is a network namespace a server runs in, on its loopback
// (*netns.Namespace of internal/netns is one).
type Namespace interface {
	// Do runs fn on a thread inside the namespace and returns its error.
	Do(fn func() error) error
	// Enter moves the calling goroutine's locked OS thread into the
	// namespace for good.
	Enter() error
}

// process is one server program, started and stopped as often as a test
// wants, with its output kept for the test log.
type process struct {
	t    testing.TB
	name string // in logs: "alertmanager 127.0.0.1:PORT"
	path string
	args []string
	url  string    // base URL; /-/ready is polled
	ns   Namespace // nil: the test's own network namespace

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	out  *tailBuffer
}

// tailBuffer keeps the last maxOutput bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	cut bool
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b = append(b.b, p...)
	if len(b.b) > maxOutput {
		b.b = append(b.b[:0], b.b[len(b.b)-maxOutput:]...)
		b.cut = true
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cut {
		return "[earlier output cut]\n" + string(b.b)
	}
	return string(b.b)
}

// newProcess prepares a server; start runs it. Its output goes to the test
// log if the test fails, and it is stopped when the test ends.
func newProcess(t testing.TB, name, path, url string, args []string) *process {
	p := &process{t: t, name: name, path: path, args: args, url: url, out: &tailBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s output:\n%s", p.name, p.out.String())
		}
	})
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	})
	return p
}

// start runs the server and waits until /-/ready answers 200. A server
// that exits first is reported with its last output; errPortTaken is
// wrapped when it could not bind.
func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return fmt.Errorf("%s: already running", p.name)
	}
	cmd := exec.Command(p.path, p.args...)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	setProcAttr(cmd)
	fmt.Fprintf(p.out, "--- %s start %s\n", time.Now().UTC().Format(time.RFC3339Nano), strings.Join(cmd.Args, " "))
	// The child is started and waited for on a thread of its own, locked
	// for its lifetime: Linux sends the parent-death signal when the thread
	// that forked exits, which the Go runtime may otherwise do at any time.
	started := make(chan error, 1)
	done := make(chan struct{})
	var waitErr error
	go func() {
		runtime.LockOSThread()
		if p.ns == nil {
			defer runtime.UnlockOSThread()
		} else if err := p.ns.Enter(); err != nil {
			// The thread stays locked: it exits with this goroutine
			// rather than serve others in a namespace half entered.
			close(done)
			started <- err
			return
		}
		defer close(done)
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		waitErr = cmd.Wait()
	}()
	if err := <-started; err != nil {
		<-done
		return fmt.Errorf("%s: %w", p.name, err)
	}
	p.cmd, p.done = cmd, done

	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	client := httpClient(p.ns, time.Second)
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			p.cmd, p.done = nil, nil
			out := p.out.String()
			err := fmt.Errorf("%s exited before it was ready (%v); last output:\n%s", p.name, waitErr, lastLines(out, 15))
			if strings.Contains(out, "address already in use") {
				err = fmt.Errorf("%w: %w", errPortTaken, err)
			}
			return err
		case <-ctx.Done():
			p.killLocked()
			return fmt.Errorf("%s not ready within %v; last output:\n%s", p.name, ReadyTimeout, lastLines(p.out.String(), 15))
		case <-tick.C:
			if ready(ctx, client, p.url+"/-/ready") {
				return nil
			}
		}
	}
}

func ready(ctx context.Context, c *http.Client, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop sends SIGTERM to the server's process group and waits for it to
// exit, killing the group after StopTimeout. Stopping a stopped server
// does nothing.
func (p *process) stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return nil
	}
	defer func() { p.cmd, p.done = nil, nil }()
	_ = signalGroup(p.cmd, syscall.SIGTERM)
	select {
	case <-p.done:
		fmt.Fprintf(p.out, "--- %s stopped\n", time.Now().UTC().Format(time.RFC3339Nano))
		return nil
	case <-time.After(StopTimeout):
		p.killLocked()
		return fmt.Errorf("did not exit within %v of SIGTERM; killed", StopTimeout)
	}
}

// killLocked kills the process group and waits for the exit.
func (p *process) killLocked() {
	_ = signalGroup(p.cmd, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		p.t.Errorf("%s: pid %d did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
	p.cmd, p.done = nil, nil
}

// running reports whether the server is started.
func (p *process) running() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// httpClient returns a client whose connections are dialled inside ns
// (from the test's namespace when nil).
func httpClient(ns Namespace, timeout time.Duration) *http.Client {
	if ns == nil {
		return &http.Client{Timeout: timeout}
	}
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var c net.Conn
			err := ns.Do(func() error {
				var d net.Dialer
				var err error
				c, err = d.DialContext(ctx, network, addr)
				return err
			})
			return c, err
		},
		DisableKeepAlives: true,
	}}
}

// freePortIn is freePort on the loopback of ns (the test's when nil).
func freePortIn(ns Namespace, udp bool) (int, error) {
	if ns == nil {
		return freePort(udp)
	}
	var port int
	err := ns.Do(func() error {
		var err error
		port, err = freePort(udp)
		return err
	})
	return port, err
}

// freePort returns a loopback port that was free a moment ago for TCP and,
// with udp, for UDP too (memberlist gossips on both). The port is closed
// before it is returned, so a start can still lose it to another program:
// the callers retry with new ports on errPortTaken.
func freePort(udp bool) (int, error) {
	var last error
	for range 20 {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("choosing a free port: %w", err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		if udp {
			pc, err := net.ListenPacket("udp4", "127.0.0.1:"+strconv.Itoa(port))
			if err != nil {
				ln.Close()
				last = err
				continue
			}
			pc.Close()
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no port free for both TCP and UDP: %w", last)
}

// requestContext bounds ctx by RequestTimeout.
func requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, RequestTimeout)
}
