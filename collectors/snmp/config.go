package snmp

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gosnmp/gosnmp"
)

// Config is how to reach one switch's SNMP agent. The secrets (Community,
// AuthPass, PrivPass) never appear when a Config is formatted or logged:
// String, GoString and LogValue leave them out.
type Config struct {
	Name    string // the switch's name in errors and warnings; Address when empty
	Address string // host name or IP address of the agent
	Port    int    // UDP port; 161 when 0
	Version string // "2c" or "3"

	Community string // v2c

	// SNMPv3 (USM). AuthProto is "SHA" or "SHA-256". PrivProto is
	// "AES-128" (also "AES"), "AES-256" (RFC-draft Blumenthal key
	// extension, net-snmp's AES-256) or "AES-256-C" (also "AES256C":
	// Cisco's Reeder key extension, what IOS's "priv aes 256" uses), or ""
	// for authNoPriv. The name is used as given, never guessed: with SHA
	// the two AES-256 variants derive different keys and a mismatch is a
	// silent timeout.
	User      string
	AuthProto string
	AuthPass  string
	PrivProto string
	PrivPass  string

	Timeout time.Duration // per request; 2 s when 0 (gosnmp's own zero means "already expired")
	// Retries is the number of retransmissions of a request after the
	// first try: 2 when 0, none when negative.
	Retries int
	// MaxRepetitions is the rows asked for in one GetBulk: 25 when 0
	// (switches that time out on large bulks need fewer).
	MaxRepetitions int
	// Neighbors also walks IP-MIB ipNetToPhysicalPhysAddress (ARP and
	// neighbor caches) and adds the addresses whose MAC is a session's:
	// cafSessionClientAddress holds one address, a dual-stack host has
	// more.
	Neighbors bool
}

// Defaults applied to zero fields.
const (
	DefaultPort           = 161
	DefaultTimeout        = 2 * time.Second
	DefaultRetries        = 2
	DefaultMaxRepetitions = 25
)

// minPassLen is RFC 3414's minimum passphrase length (net-snmp and IOS
// refuse shorter ones).
const minPassLen = 8

func (c Config) port() int {
	if c.Port == 0 {
		return DefaultPort
	}
	return c.Port
}

func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c Config) retries() int {
	switch {
	case c.Retries == 0:
		return DefaultRetries
	case c.Retries < 0:
		return 0
	}
	return c.Retries
}

func (c Config) maxRepetitions() int {
	if c.MaxRepetitions == 0 {
		return DefaultMaxRepetitions
	}
	return c.MaxRepetitions
}

func (c Config) v3() bool { return c.Version == "3" }

func (c Config) device() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Address
}

func (c Config) target() string {
	return net.JoinHostPort(c.Address, strconv.Itoa(c.port()))
}

// authProtocol maps a configured authentication protocol name.
func authProtocol(name string) (gosnmp.SnmpV3AuthProtocol, bool) {
	switch strings.ToUpper(name) {
	case "SHA", "SHA1", "SHA-1":
		return gosnmp.SHA, true
	case "SHA256", "SHA-256":
		return gosnmp.SHA256, true
	}
	return gosnmp.NoAuth, false
}

// privProtocol maps a configured privacy protocol name.
func privProtocol(name string) (gosnmp.SnmpV3PrivProtocol, bool) {
	switch strings.ToUpper(name) {
	case "AES", "AES128", "AES-128":
		return gosnmp.AES, true
	case "AES256", "AES-256":
		return gosnmp.AES256, true
	case "AES256C", "AES-256-C":
		return gosnmp.AES256C, true
	}
	return gosnmp.NoPriv, false
}

// Validate reports the first problem of the Config, naming the field but
// never a secret's value.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return &Error{Device: c.device(), Reason: ReasonConfig, Op: "config", Detail: fmt.Sprintf(format, args...)}
	}
	switch {
	case c.Address == "":
		return bad("address is empty")
	case strings.ContainsAny(c.Address, " \t\r\n/"):
		return bad("address %q is not a host name or IP address", shorten(c.Address))
	case c.Port < 0 || c.Port > 65535:
		return bad("port %d is outside 1..65535", c.Port)
	case c.Timeout < 0:
		return bad("timeout %s is negative", c.Timeout)
	case c.Timeout > time.Minute:
		return bad("timeout %s is over a minute per request", c.Timeout)
	case c.Retries > 10:
		return bad("retries %d is over 10", c.Retries)
	case c.MaxRepetitions < 0 || c.MaxRepetitions > 1000:
		return bad("max repetitions %d is outside 1..1000", c.MaxRepetitions)
	}
	switch c.Version {
	case "2c":
		if c.Community == "" {
			return bad("version 2c needs a community")
		}
		if c.User != "" || c.AuthProto != "" || c.AuthPass != "" || c.PrivProto != "" || c.PrivPass != "" {
			return bad("version 2c takes a community, not SNMPv3 user settings")
		}
		return nil
	case "3":
	case "1", "v1":
		return bad("version 1 has no GetBulk and no security: use 2c or 3")
	default:
		return bad("version %q is not \"2c\" or \"3\"", shorten(c.Version))
	}
	if c.Community != "" {
		return bad("version 3 takes a user, not a community")
	}
	if c.User == "" {
		return bad("version 3 needs a user")
	}
	if c.AuthProto == "" {
		return bad("version 3 without authentication (noAuthNoPriv) is not supported: set an auth protocol (SHA or SHA-256)")
	}
	if _, ok := authProtocol(c.AuthProto); !ok {
		return bad("auth protocol %q is not SHA or SHA-256", shorten(c.AuthProto))
	}
	if len(c.AuthPass) < minPassLen {
		return bad("auth passphrase is shorter than %d characters", minPassLen)
	}
	if c.PrivProto == "" {
		if c.PrivPass != "" {
			return bad("privacy passphrase set without a privacy protocol")
		}
		return nil
	}
	if _, ok := privProtocol(c.PrivProto); !ok {
		return bad("privacy protocol %q is not AES-128, AES-256 or AES-256-C", shorten(c.PrivProto))
	}
	if len(c.PrivPass) < minPassLen {
		return bad("privacy passphrase is shorter than %d characters", minPassLen)
	}
	return nil
}

// String describes the Config without its secrets.
func (c Config) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "snmp v%s %s at %s", c.Version, c.device(), c.target())
	if c.v3() {
		fmt.Fprintf(&b, " user=%q auth=%s priv=%s", c.User, c.AuthProto, c.PrivProto)
	}
	fmt.Fprintf(&b, " timeout=%s retries=%d", c.timeout(), c.retries())
	return b.String()
}

// GoString is String, so that %#v does not print the secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue gives slog the Config without its secrets.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("device", c.device()),
		slog.String("target", c.target()),
		slog.String("version", c.Version),
	}
	if c.v3() {
		attrs = append(attrs, slog.String("user", c.User), slog.String("auth", c.AuthProto), slog.String("priv", c.PrivProto))
	}
	return slog.GroupValue(attrs...)
}
