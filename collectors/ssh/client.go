package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/scrapli/scrapligo/driver/generic"
	"github.com/scrapli/scrapligo/driver/options"
	"github.com/scrapli/scrapligo/util"
	"golang.org/x/crypto/ssh"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// anyPrompt matches an IOS exec or privileged prompt before the hostname
// is known.
var anyPrompt = regexp.MustCompile(`(?m)^[\w.\-@/:]{1,63}[>#]\s*$`)

// enablePrompt is enable's password prompt.
var enablePrompt = regexp.MustCompile(`(?im)^(?:enable\s)?password:\s*$`)

// cliErrors are what IOS prints for a command it cannot run.
var cliErrors = []string{"% Invalid input detected", "% Incomplete command", "% Ambiguous command", "% Unknown command", "% Authorization failed", "% Bad IP address"}

// cliError returns the first CLI error in out.
func cliError(out string) string {
	for _, e := range cliErrors {
		if strings.Contains(out, e) {
			return e
		}
	}
	return ""
}

// invalidInput reports whether err is the switch saying it does not know
// the command (an older or newer release): the caller falls back.
func invalidInput(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Reason == ReasonCommandFailed && strings.Contains(e.Err.Error(), "% Invalid input")
}

// exitWait bounds the wait for the switch to end the session after exit.
const exitWait = time.Second

// redacted replaces a secret wherever a switch might have printed it.
const redacted = "<redacted>"

// Client is one open, logged-in, read-only CLI session on a switch,
// reused across polls. Its methods are safe for concurrent use; commands
// run one at a time. After a failed command (time limit, lost connection)
// the Client is broken: every later call fails with ReasonDisconnected, and
// the caller dials again.
type Client struct {
	cfg Config
	t   *conn
	d   *generic.Driver

	mu       sync.Mutex
	host     string // from the prompt: "sw1"
	priv     bool
	prompt   *regexp.Regexp
	version  ios.Version
	vText    string
	broken   error
	closed   bool
	rec      *strings.Builder // transcript, when recording
	dialect  dialect
	bindings bindingsDialect
}

// Dial connects to the switch, checks its host key, logs in, enters
// privileged mode when needed, sets terminal length 0 and terminal width,
// and reads show version once. Every failure is an *Error naming the
// switch and the reason; nothing is left open after one.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, &Error{Switch: cfg.Name, Reason: ReasonConfig, Op: "config", Err: err}
	}
	auth, err := authMethods(&cfg)
	if err != nil {
		return nil, cfg.err(ReasonConfig, "private key", err)
	}
	var (
		hkErr error
		keyOK bool
	)
	sc := &ssh.ClientConfig{
		User: cfg.Username,
		Auth: auth,
		HostKeyCallback: func(_ string, remote net.Addr, key ssh.PublicKey) error {
			// Checked against the name dialed, not the one the library
			// derives, so the recorded line matches what is configured.
			hkErr = cfg.KnownHosts.check(cfg.addr(), remote, key)
			keyOK = hkErr == nil
			return hkErr
		},
	}
	cfg.Algorithms.apply(sc)
	t, err := connect(ctx, &cfg, sc, &hkErr, &keyOK)
	if err != nil {
		return nil, err
	}
	d, err := generic.NewDriver(cfg.Address,
		options.WithCustomTransport(t),
		options.WithAuthBypass(),
		options.WithPromptPattern(anyPrompt),
		// The prompt is on the last line (a hostname is at most 63
		// characters): searching further back only costs regexp time.
		options.WithPromptSearchDepth(256),
		options.WithTimeoutOps(cfg.commandTimeout()),
		options.WithReadDelay(cfg.readDelay()),
		options.WithFailedWhenContains(cliErrors),
	)
	if err != nil {
		t.Close()
		return nil, cfg.err(ReasonConfig, "driver", err)
	}
	if err := d.Open(); err != nil {
		t.Close()
		return nil, cfg.err(ReasonDisconnected, "open", err)
	}
	c := &Client{cfg: cfg, t: t, d: d}
	if err := c.login(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// authMethods returns the SSH authentication methods of the Config: the
// private key first (decrypted here with its passphrase: scrapligo's
// standard transport ignores it), then password and keyboard-interactive.
func authMethods(c *Config) ([]ssh.AuthMethod, error) {
	var out []ssh.AuthMethod
	if len(c.PrivateKey) > 0 {
		var (
			key any
			err error
		)
		if c.Passphrase != "" {
			key, err = ssh.ParseRawPrivateKeyWithPassphrase(c.PrivateKey, []byte(c.Passphrase))
		} else {
			key, err = ssh.ParseRawPrivateKey(c.PrivateKey)
		}
		var missing *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &missing):
			return nil, errors.New("the private key is encrypted and no passphrase is configured")
		case errors.Is(err, x509IncorrectPassword()):
			return nil, errors.New("the private key's passphrase is wrong")
		case err != nil:
			return nil, errors.New("the private key cannot be read (want a PEM key: OpenSSH, PKCS#1 or PKCS#8)")
		}
		signer, err := ssh.NewSignerFromKey(key)
		if err != nil {
			return nil, errors.New("the private key's type is not supported")
		}
		out = append(out, ssh.PublicKeys(signer))
	}
	if c.Password != "" {
		pw := c.Password
		out = append(out, ssh.Password(pw), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				ans := make([]string, len(questions))
				for i := range ans {
					ans[i] = pw
				}
				return ans, nil
			}))
	}
	return out, nil
}

// login finds the prompt (the last one printed: a banner may hold lines
// that look like prompts), enters privileged mode and sets the terminal.
func (c *Client) login(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { c.t.Close() })
	defer stop()
	// The prompt answering the second return comes after the banner,
	// however the first read was cut: its last prompt is the switch's.
	if _, err := c.readPrompt(ctx, true); err != nil {
		return c.fail(ctx, "login", err)
	}
	b, err := c.readPrompt(ctx, true)
	if err != nil {
		return c.fail(ctx, "login", err)
	}
	m := anyPrompt.FindAllString(string(b), -1)
	if len(m) == 0 {
		return c.fail(ctx, "login", errors.New("no prompt"))
	}
	p := strings.TrimSpace(m[len(m)-1])
	c.host = p[:len(p)-1]
	c.priv = p[len(p)-1] == '#'
	c.prompt = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.host) + `[>#]\s*$`)
	c.d.Channel.PromptPattern = c.prompt
	if !c.priv {
		if err := c.enable(ctx); err != nil {
			return err
		}
	}
	for _, cmd := range []string{CmdTerminalLength, TerminalWidth(c.cfg.termWidth())} {
		if _, err := c.send(ctx, cmd); err != nil {
			return err
		}
	}
	out, err := c.send(ctx, CmdShowVersion)
	if err != nil {
		return err
	}
	v, _ := ios.ParseVersion(out)
	c.version, c.vText = v, out
	return nil
}

// readPrompt sends a return (when ret) and reads up to the prompt.
func (c *Client) readPrompt(ctx context.Context, ret bool) ([]byte, error) {
	if ret {
		if err := c.d.Channel.WriteReturn(); err != nil {
			return nil, err
		}
	}
	rctx, cancel := context.WithTimeout(ctx, c.cfg.commandTimeout())
	defer cancel()
	b, err := c.d.Channel.ReadUntilPrompt(rctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil, util.ErrTimeoutError
	}
	return b, err
}

// enable enters privileged mode with the enable secret, which is typed
// only as the answer to enable's own password prompt and never recorded.
func (c *Client) enable(ctx context.Context) error {
	if c.cfg.EnableSecret == "" {
		c.broken = c.cfg.err(ReasonEnable, "enable", fmt.Errorf("the login lands in user mode (%s>) and no enable secret is configured", c.host))
		return c.broken
	}
	if err := Allowed(CmdEnable); err != nil {
		return c.cfg.err(ReasonRefused, CmdEnable, err)
	}
	c.record(CmdEnable, "")
	priv := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.host) + `#\s*$`)
	exec := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(c.host) + `>\s*$`)
	rctx, cancel := context.WithTimeout(ctx, c.cfg.commandTimeout())
	defer cancel()
	// As scrapligo sends a command: type it, read its echo (so that a
	// prompt printed before, for a return sent at login, is not taken
	// for enable's answer), then the return.
	if err := c.d.Channel.Write([]byte(CmdEnable), false); err != nil {
		return c.fail(ctx, CmdEnable, err)
	}
	if _, err := c.d.Channel.ReadUntilFuzzy(rctx, []byte(CmdEnable)); err != nil {
		return c.fail(ctx, CmdEnable, timeoutOr(rctx, ctx, err))
	}
	if err := c.d.Channel.WriteReturn(); err != nil {
		return c.fail(ctx, CmdEnable, err)
	}
	b, err := c.d.Channel.ReadUntilAnyPrompt(rctx, []*regexp.Regexp{enablePrompt, priv, exec})
	if err != nil {
		return c.fail(ctx, CmdEnable, timeoutOr(rctx, ctx, err))
	}
	if enablePrompt.Match(b) {
		c.t.arm(c.cfg.EnableSecret)
		if err := c.d.Channel.Write([]byte(c.cfg.EnableSecret), true); err != nil {
			return c.fail(ctx, CmdEnable, err)
		}
		if err := c.d.Channel.WriteReturn(); err != nil {
			return c.fail(ctx, CmdEnable, err)
		}
		if b, err = c.d.Channel.ReadUntilAnyPrompt(rctx, []*regexp.Regexp{priv, exec}); err != nil {
			return c.fail(ctx, CmdEnable, timeoutOr(rctx, ctx, err))
		}
	}
	if !priv.Match(b) {
		c.broken = c.cfg.err(ReasonEnable, "enable", errors.New("the switch refused the enable secret"))
		return c.broken
	}
	c.priv = true
	return nil
}

// timeoutOr maps a read that ran out of its own time limit (rctx) to
// scrapligo's timeout error.
func timeoutOr(rctx, ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return util.ErrTimeoutError
	}
	return err
}

// Run sends one allow-listed command and returns its output (without the
// echo and prompt). A command not in the allow-list is refused before
// anything is written (ReasonRefused); an output with a CLI error is
// ReasonCommandFailed with the output; a missing prompt within the
// command time limit is ReasonCommandTimeout and breaks the Client.
func (c *Client) Run(ctx context.Context, cmd string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	stop := context.AfterFunc(ctx, func() { c.t.Close() })
	defer stop()
	return c.send(ctx, cmd)
}

// send is the one function that sends a command: it refuses anything
// outside the allow-list before it reaches scrapligo (and the transport
// refuses it again before the wire). The caller holds c.mu.
func (c *Client) send(ctx context.Context, cmd string) (string, error) {
	if err := Allowed(cmd); err != nil {
		return "", c.cfg.err(ReasonRefused, printable(cmd), err)
	}
	if c.closed {
		return "", c.cfg.err(ReasonDisconnected, cmd, errors.New("connection closed"))
	}
	if c.broken != nil {
		return "", c.cfg.err(ReasonDisconnected, cmd, errors.New("connection unusable after an earlier failure"))
	}
	r, err := c.d.SendCommand(cmd)
	if err != nil {
		return "", c.fail(ctx, cmd, err)
	}
	out := c.redact(r.Result)
	if r.Failed != nil {
		// Not recorded: a command the release rejects is a probe of its
		// dialect, and the transcript holds what the audit can read.
		return out, c.cfg.err(ReasonCommandFailed, cmd, fmt.Errorf("the switch answered %q", cliError(out)))
	}
	c.record(cmd, out)
	return out, nil
}

// fail classifies a failed operation and breaks the Client (its session
// state is unknown after it): the connection is closed.
func (c *Client) fail(ctx context.Context, op string, err error) error {
	var e *Error
	switch {
	case ctx.Err() != nil:
		e = c.cfg.err(ReasonCanceled, op, ctx.Err())
	case errors.Is(err, errNotAllowed):
		e = c.cfg.err(ReasonRefused, op, err)
	case errors.Is(err, util.ErrTimeoutError):
		msg := fmt.Sprintf("no prompt within %s", c.cfg.commandTimeout())
		if last := c.redact(c.t.lastLine()); last != "" {
			// What it showed instead: a Linux shell, a menu, a pager.
			msg += fmt.Sprintf("; the device last printed %q", last)
		}
		e = c.cfg.err(ReasonCommandTimeout, op, errors.New(msg))
	default:
		e = c.cfg.err(ReasonDisconnected, op, errors.New("connection lost"))
	}
	if c.broken == nil {
		c.broken = e
	}
	c.t.Close()
	return e
}

// redact removes the session's secrets from text the switch printed.
func (c *Client) redact(s string) string {
	for _, sec := range []string{c.cfg.Password, c.cfg.EnableSecret, c.cfg.Passphrase} {
		if len(sec) >= 3 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redacted)
		}
	}
	return s
}

// record appends a command and its output to the transcript, when
// recording, in the layout collectors/ios.ParseTranscript reads.
func (c *Client) record(cmd, out string) {
	if c.rec == nil {
		return
	}
	mode := ">"
	if c.priv {
		mode = "#"
	}
	c.rec.WriteString(c.host + mode + cmd + "\n")
	if out != "" {
		c.rec.WriteString(strings.TrimRight(out, "\n") + "\n")
	}
}

// StartTranscript starts (or restarts) recording the commands sent and
// their outputs; the show version output read at login is put first.
func (c *Client) StartTranscript() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rec = &strings.Builder{}
	if c.vText != "" {
		c.rec.WriteString(c.host + "#" + CmdShowVersion + "\n" + strings.TrimRight(c.vText, "\n") + "\n")
	}
}

// Transcript returns what was recorded since StartTranscript, and stops
// recording. It holds no secret.
func (c *Client) Transcript() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rec == nil {
		return ""
	}
	s := c.rec.String()
	c.rec = nil
	return s
}

// Hostname returns the hostname the prompt shows.
func (c *Client) Hostname() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.host
}

// Version returns what show version said at login.
func (c *Client) Version() ios.Version {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.version
}

// Usable reports whether the Client can still run commands.
func (c *Client) Usable() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && c.broken == nil && c.t.IsAlive()
}

// Close types exit (when the session is still usable), then closes the
// connection and scrapligo's channel, leaving no goroutine behind. It is
// idempotent.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	if c.broken == nil && c.t.IsAlive() {
		// The switch ends the session (and its accounting record); a
		// switch that does not is cut off after a moment.
		if c.d.Channel.WriteAndReturn([]byte(CmdExit), false) == nil {
			select {
			case <-c.t.eof:
			case <-time.After(exitWait):
			}
		}
	}
	c.t.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.d.Close()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	return nil
}
