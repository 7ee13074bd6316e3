package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/scrapli/scrapligo/transport"
	"golang.org/x/crypto/ssh"
)

// conn is one SSH connection with an interactive shell on a pty: the
// transport scrapligo's channel reads and writes. It is opened by connect
// before scrapligo sees it (so Open is a no-op) and closes everything it
// holds, whatever the device did first.
type conn struct {
	mu     sync.Mutex
	nc     net.Conn
	client *ssh.Client
	sess   *ssh.Session
	w      io.WriteCloser
	r      io.Reader
	closed bool
	// armed is the one write, besides allow-listed commands and returns,
	// that the connection lets through next: the enable secret, set by
	// Client.enable right after enable's password prompt.
	armed string
	// eof is closed when a read fails: the device ended the session.
	eof     chan struct{}
	eofOnce sync.Once
	// tail is the end of what the device printed, for an error that
	// says what it showed instead of a prompt.
	tail []byte
}

// tailSize bounds conn.tail.
const tailSize = 256

var _ transport.Implementation = (*conn)(nil)

// connect dials addr, runs the SSH handshake and opens a shell, each step
// bounded: the TCP connect by connectTimeout, everything after it up to
// the shell by handshakeTimeout (a peer that accepts TCP and never speaks
// SSH must not hold a poll), and all of it by ctx.
func connect(ctx context.Context, c *Config, cfg *ssh.ClientConfig, hostKeyErr *error, keyOK *bool) (*conn, error) {
	addr := c.addr()
	dctx, cancel := context.WithTimeout(ctx, c.connectTimeout())
	nc, err := c.dial()(dctx, "tcp", addr)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.err(ReasonCanceled, "connect", ctx.Err())
		}
		return nil, c.err(ReasonConnect, "connect", cleanNetErr(err))
	}
	t := &conn{nc: nc, eof: make(chan struct{})}
	ok := false
	defer func() {
		if !ok {
			t.Close()
		}
	}()
	deadline := time.Now().Add(c.handshakeTimeout())
	if err := nc.SetDeadline(deadline); err != nil {
		return nil, c.err(ReasonConnect, "connect", err)
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	classify := func(op string, err error) error {
		switch {
		case ctx.Err() != nil:
			return c.err(ReasonCanceled, op, ctx.Err())
		case *hostKeyErr != nil:
			var he *hostKeyError
			if errors.As(*hostKeyErr, &he) {
				return c.err(he.reason, op, errors.New(he.msg))
			}
			return c.err(ReasonHostKeyUnknown, op, *hostKeyErr)
		case (errors.Is(err, os.ErrDeadlineExceeded) || time.Now().After(deadline)) && *keyOK:
			return c.err(ReasonHandshakeTimeout, op, fmt.Errorf("host key verified, but authentication did not finish within %s (switches delay failed attempts: check the credentials)", c.handshakeTimeout()))
		case errors.Is(err, os.ErrDeadlineExceeded) || time.Now().After(deadline):
			return c.err(ReasonHandshakeTimeout, op, fmt.Errorf("no SSH handshake within %s", c.handshakeTimeout()))
		}
		if ne := negotiationError(err, c.Algorithms); ne != nil {
			return c.err(ReasonAlgorithms, op, ne)
		}
		if strings.Contains(err.Error(), "unable to authenticate") {
			return c.err(ReasonAuth, op, fmt.Errorf("user %s: credentials refused by the switch", c.Username))
		}
		return c.err(ReasonHandshake, op, cleanNetErr(err))
	}
	// The recorded key types first, unless the switch's settings give
	// the list in full (plain names: their order is theirs).
	if c.KnownHosts != nil && !replaces(c.Algorithms.HostKeys) {
		base := cfg.HostKeyAlgorithms
		if len(base) == 0 {
			base = defaults(KindHostKeys)
		}
		if pref := c.KnownHosts.preferred(addr, nc.RemoteAddr(), base); pref != nil {
			cfg.HostKeyAlgorithms = pref
		}
	}
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	if err != nil {
		return nil, classify("ssh handshake", err)
	}
	t.client = ssh.NewClient(sc, chans, reqs)
	if t.sess, err = t.client.NewSession(); err != nil {
		return nil, classify("ssh session", err)
	}
	if t.w, err = t.sess.StdinPipe(); err != nil {
		return nil, classify("ssh session", err)
	}
	if t.r, err = t.sess.StdoutPipe(); err != nil {
		return nil, classify("ssh session", err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
	if err := t.sess.RequestPty("vt100", 24, c.termWidth(), modes); err != nil {
		return nil, classify("ssh pty", err)
	}
	if err := t.sess.Shell(); err != nil {
		return nil, classify("ssh shell", err)
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return nil, classify("ssh shell", err)
	}
	if !stop() {
		return nil, c.err(ReasonCanceled, "connect", ctx.Err())
	}
	ok = true
	return t, nil
}

// cleanNetErr drops the Go-internal wrapping of a network error while
// keeping its meaning ("connection refused", "i/o timeout").
func cleanNetErr(err error) error {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		// "dial tcp 10.0.0.1:22: connect: connection refused" says
		// "connect" three times once wrapped: keep the system's words.
		var se *os.SyscallError
		if errors.As(oe.Err, &se) && se.Err != nil {
			return se.Err
		}
		return oe.Err
	}
	return err
}

// Open does nothing: connect opened the connection, with the time limits
// and checks scrapligo's standard transport lacks.
func (t *conn) Open(*transport.Args) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return errors.New("connection closed")
	}
	return nil
}

// Close closes the session, the SSH client and the TCP connection, every
// one whatever the others return (the device may have closed the session
// first: that is no reason to keep the connection), and is idempotent.
func (t *conn) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	if t.sess != nil {
		t.sess.Close()
	}
	if t.client != nil {
		t.client.Close()
	}
	if t.nc != nil {
		t.nc.Close()
	}
	return nil
}

// IsAlive reports whether Close has not been called.
func (t *conn) IsAlive() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.closed
}

// Read reads what the shell printed.
func (t *conn) Read(n int) ([]byte, error) {
	b := make([]byte, n)
	n, err := t.r.Read(b)
	if err != nil {
		t.eofOnce.Do(func() { close(t.eof) })
		return nil, err
	}
	// Only the end of a big read can end up in the tail: copy no more.
	chunk := b[max(0, n-tailSize):n]
	t.mu.Lock()
	if drop := len(t.tail) + len(chunk) - tailSize; drop > 0 {
		t.tail = append(t.tail[:0], t.tail[drop:]...)
	}
	t.tail = append(t.tail, chunk...)
	t.mu.Unlock()
	return b[:n], nil
}

// lastLine returns the last line the device printed that is not blank,
// at most 80 bytes of its end, without control characters; "" when none.
func (t *conn) lastLine() string {
	t.mu.Lock()
	text := string(t.tail)
	t.mu.Unlock()
	lines := strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			if len(l) > 80 {
				l = l[len(l)-80:]
			}
			return printable(l)
		}
	}
	return ""
}

// errNotAllowed is a write the connection refused.
var errNotAllowed = errors.New("refused by the allow-list before reaching the wire")

// Write types b into the shell: a return, an allow-listed command, or the
// armed enable secret, and nothing else, whoever asks (Client.send and
// Client.enable through scrapligo's channel; scrapligo itself sends
// nothing on its own here, and this check is what proves it).
func (t *conn) Write(b []byte) error {
	t.mu.Lock()
	s := string(b)
	switch {
	case t.closed:
		t.mu.Unlock()
		return errors.New("connection closed")
	case s == "\n":
	case t.armed != "" && s == t.armed:
		t.armed = ""
	case Allowed(s) == nil:
	default:
		t.mu.Unlock()
		return errNotAllowed
	}
	w := t.w
	t.mu.Unlock()
	_, err := w.Write(b)
	return err
}

// arm lets the secret through as the next non-command write.
func (t *conn) arm(secret string) {
	t.mu.Lock()
	t.armed = secret
	t.mu.Unlock()
}
