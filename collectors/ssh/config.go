package ssh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"
)

// Platforms the collector reads: only these names are accepted, and none
// is ever handed to scrapligo (which would fetch an unknown one as a file
// or URL).
const (
	PlatformIOS   = "cisco_ios"
	PlatformIOSXE = "cisco_iosxe"
)

// Defaults applied to zero fields of Config.
const (
	DefaultPort             = 22
	DefaultConnectTimeout   = 10 * time.Second
	DefaultHandshakeTimeout = 15 * time.Second
	DefaultCommandTimeout   = 30 * time.Second
	DefaultTermWidth        = MaxTerminalWidth
	DefaultReadDelay        = time.Millisecond
)

// Config is how to reach and log into one switch. The secrets (Password,
// PrivateKey, Passphrase, EnableSecret) never appear when a Config is
// formatted or logged.
type Config struct {
	Name     string // the switch's name in errors, metrics and transcripts
	Address  string // host name or IP address
	Port     int    // DefaultPort when 0
	Platform string // PlatformIOS or PlatformIOSXE

	Username string
	// Password is used for password and keyboard-interactive
	// authentication.
	Password string
	// PrivateKey is a PEM private key (OpenSSH, PKCS#1, PKCS#8),
	// encrypted with Passphrase when that is set.
	PrivateKey []byte
	Passphrase string
	// EnableSecret is typed after enable when the login lands in user
	// mode (HOST>).
	EnableSecret string

	// KnownHosts checks the switch's host key; required.
	KnownHosts *KnownHosts

	ConnectTimeout   time.Duration // TCP connect; DefaultConnectTimeout when 0
	HandshakeTimeout time.Duration // SSH handshake up to the shell; DefaultHandshakeTimeout when 0
	CommandTimeout   time.Duration // per command, to its prompt; DefaultCommandTimeout when 0
	TermWidth        int           // terminal width N sent at login; DefaultTermWidth when 0
	// ReadDelay is how long scrapligo's channel sleeps between reads of
	// an idle connection; DefaultReadDelay when 0.
	ReadDelay time.Duration
	// Algorithms changes what the handshake offers (old releases).
	Algorithms Algorithms

	// Dial opens the TCP connection; a net.Dialer when nil (tests inject
	// their own).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Validate reports the first problem of the Config, never quoting a secret.
func (c *Config) Validate() error {
	switch {
	case c.Name == "":
		return errors.New("ssh: a switch needs a name")
	case c.Address == "":
		return fmt.Errorf("ssh: switch %s has no address", c.Name)
	case c.Platform != PlatformIOS && c.Platform != PlatformIOSXE:
		return fmt.Errorf("ssh: switch %s: platform %q is not supported (want %s or %s)", c.Name, printable(c.Platform), PlatformIOS, PlatformIOSXE)
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("ssh: switch %s: port %d out of range", c.Name, c.Port)
	case c.Username == "":
		return fmt.Errorf("ssh: switch %s has no username", c.Name)
	case c.Password == "" && len(c.PrivateKey) == 0:
		return fmt.Errorf("ssh: switch %s has neither a password nor a private key", c.Name)
	case c.KnownHosts == nil:
		return fmt.Errorf("ssh: switch %s: no known_hosts (host keys are always checked)", c.Name)
	case c.TermWidth < 0 || c.TermWidth > MaxTerminalWidth:
		return fmt.Errorf("ssh: switch %s: terminal width %d out of range 0..%d", c.Name, c.TermWidth, MaxTerminalWidth)
	}
	if err := c.Algorithms.check(); err != nil {
		return fmt.Errorf("ssh: switch %s: %w", c.Name, err)
	}
	return nil
}

func (c *Config) addr() string {
	p := c.Port
	if p == 0 {
		p = DefaultPort
	}
	return net.JoinHostPort(c.Address, strconv.Itoa(p))
}

func (c *Config) connectTimeout() time.Duration {
	return orDefault(c.ConnectTimeout, DefaultConnectTimeout)
}
func (c *Config) handshakeTimeout() time.Duration {
	return orDefault(c.HandshakeTimeout, DefaultHandshakeTimeout)
}
func (c *Config) commandTimeout() time.Duration {
	return orDefault(c.CommandTimeout, DefaultCommandTimeout)
}
func (c *Config) readDelay() time.Duration { return orDefault(c.ReadDelay, DefaultReadDelay) }

func (c *Config) termWidth() int {
	if c.TermWidth == 0 {
		return DefaultTermWidth
	}
	return c.TermWidth
}

func (c *Config) dial() func(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.Dial != nil {
		return c.Dial
	}
	var d net.Dialer
	return d.DialContext
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// err builds an *Error for this switch.
func (c *Config) err(r Reason, op string, cause error) *Error {
	return &Error{Switch: c.Name, Reason: r, Op: op, Err: cause}
}

// String names the switch and how it is reached, never a secret.
func (c Config) String() string {
	return fmt.Sprintf("ssh %s (%s@%s, %s)", c.Name, c.Username, c.addr(), c.Platform)
}

// GoString is String: %#v must not print the secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue logs the switch and how it is reached, never a secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("switch", c.Name), slog.String("address", c.addr()),
		slog.String("user", c.Username), slog.String("platform", c.Platform))
}
