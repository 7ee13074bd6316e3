package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/collectors/ssh"
)

// Collect is the collect: section: how the live collector reads the
// switches (timers, limits, host keys) and the SSH and SNMP settings every
// switch uses unless its own ssh: or snmp: overrides them key by key.
// Zero values mean the collector's defaults (collectors/live, collectors/ssh).
type Collect struct {
	PollInterval      Duration `yaml:"poll_interval"`       // per switch, with jitter; 60s
	FullSweepInterval Duration `yaml:"full_sweep_interval"` // details of every session; 15m
	Concurrency       *int     `yaml:"concurrency"`         // switches polled at once; 32
	ConnectTimeout    Duration `yaml:"connect_timeout"`     // TCP connect; 10s
	HandshakeTimeout  Duration `yaml:"handshake_timeout"`   // SSH handshake up to the shell; 15s
	CommandTimeout    Duration `yaml:"command_timeout"`     // per command; 30s
	Retries           *int     `yaml:"retries"`             // retries of a failed poll, with backoff; 2
	// KnownHosts is the known_hosts file host keys are checked against
	// (and recorded into, under trust-on-first-use).
	KnownHosts    string `yaml:"known_hosts"`
	HostKeyPolicy string `yaml:"host_key_policy"` // strict (default) or trust-on-first-use
	SSH           *SSH   `yaml:"ssh"`
	SNMP          *SNMP  `yaml:"snmp"`

	line int
}

// The host key policies.
const (
	HostKeyStrict = "strict"
	HostKeyTOFU   = "trust-on-first-use"
)

// SSH is how to log into a switch. Credentials are Secrets (env or file).
type SSH struct {
	Username     string  `yaml:"username"`
	Password     *Secret `yaml:"password"`      // password and keyboard-interactive
	PrivateKey   *Secret `yaml:"private_key"`   // a PEM key, possibly encrypted
	Passphrase   *Secret `yaml:"passphrase"`    // of an encrypted private_key
	EnableSecret *Secret `yaml:"enable_secret"` // when the login lands in user mode
	Port         *Port   `yaml:"port"`          // 22
	// What the SSH handshake offers, for old releases: lists of names
	// that replace the defaults, or "+name" lists that add to them.
	KeyExchanges      *Names `yaml:"key_exchanges"`
	Ciphers           *Names `yaml:"ciphers"`
	MACs              *Names `yaml:"macs"`
	HostKeyAlgorithms *Names `yaml:"host_key_algorithms"`

	line int
}

// Names is a list of names with the line it is written on.
type Names struct {
	List []string
	line int
}

// UnmarshalYAML decodes a list of single values.
func (l *Names) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return typeErr(n, "SSH algorithms must be a list of names, not %s", describe(n))
	}
	l.line = n.Line
	l.List = make([]string, 0, len(n.Content))
	for _, e := range n.Content {
		v, err := scalar(e, "a name")
		if err != nil {
			return err
		}
		l.List = append(l.List, v)
	}
	return nil
}

// Names returns the list; nil for a nil Names.
func (l *Names) Names() []string {
	if l == nil {
		return nil
	}
	return l.List
}

// Algorithms returns the SSH algorithm lists in the collector's form.
func (s *SSH) Algorithms() ssh.Algorithms {
	return ssh.Algorithms{KeyExchanges: s.KeyExchanges.Names(), Ciphers: s.Ciphers.Names(),
		MACs: s.MACs.Names(), HostKeys: s.HostKeyAlgorithms.Names()}
}

// SNMP is how to poll a switch's CISCO-AUTH-FRAMEWORK-MIB session table
// for changes. Secrets are Secrets.
type SNMP struct {
	Version      string   `yaml:"version"`       // "2c" or "3"
	Community    *Secret  `yaml:"community"`     // v2c
	User         string   `yaml:"user"`          // v3
	AuthProtocol string   `yaml:"auth_protocol"` // SHA or SHA-256
	AuthPassword *Secret  `yaml:"auth_password"`
	PrivProtocol string   `yaml:"priv_protocol"` // AES-128, AES-256 or AES-256-C (Cisco); none: authNoPriv
	PrivPassword *Secret  `yaml:"priv_password"`
	Port         *Port    `yaml:"port"`    // UDP; 161
	Timeout      Duration `yaml:"timeout"` // per request; 2s
	Retries      *int     `yaml:"retries"` // retransmissions; 2

	line int
	keys keyLines
}

// UnmarshalYAML decodes the collect section strictly.
func (c *Collect) UnmarshalYAML(n *yaml.Node) error {
	type plain Collect
	c.line = n.Line
	return strict(n, (*plain)(c), "collect")
}

// UnmarshalYAML decodes ssh settings strictly.
func (s *SSH) UnmarshalYAML(n *yaml.Node) error {
	type plain SSH
	s.line = n.Line
	if n.Kind == yaml.MappingNode {
		// The algorithm lists' own errors cannot name their key.
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k, v := n.Content[i].Value, n.Content[i+1]; k {
			case ssh.KindKeyExchanges, ssh.KindCiphers, ssh.KindMACs, ssh.KindHostKeys:
				if v.Kind != yaml.SequenceNode && v.Tag != "!!null" {
					return typeErr(v, "ssh: %s must be a list of names, not %s", k, describe(v))
				}
			}
		}
	}
	return strict(n, (*plain)(s), "ssh")
}

// UnmarshalYAML decodes snmp settings strictly.
func (s *SNMP) UnmarshalYAML(n *yaml.Node) error {
	type plain SNMP
	s.line, s.keys = n.Line, linesOf(n)
	return strict(n, (*plain)(s), "snmp")
}

// Line returns the line of the section in the file (0 when absent).
func (c *Collect) Line() int { return c.line }

// SwitchSSH returns a switch's SSH settings: the collect section's, with
// the keys the switch's own ssh: gives replaced.
func (c *Config) SwitchSSH(s *Switch) SSH {
	var out SSH
	if d := c.Collect.SSH; d != nil {
		out = *d
	}
	if o := s.SSH; o != nil {
		if o.Username != "" {
			out.Username = o.Username
		}
		if o.Password != nil {
			out.Password = o.Password
		}
		if o.PrivateKey != nil {
			out.PrivateKey = o.PrivateKey
		}
		if o.Passphrase != nil {
			out.Passphrase = o.Passphrase
		}
		if o.EnableSecret != nil {
			out.EnableSecret = o.EnableSecret
		}
		if o.Port != nil {
			out.Port = o.Port
		}
		for _, l := range []struct{ dst, v **Names }{
			{&out.KeyExchanges, &o.KeyExchanges}, {&out.Ciphers, &o.Ciphers}, {&out.MACs, &o.MACs}, {&out.HostKeyAlgorithms, &o.HostKeyAlgorithms},
		} {
			if *l.v != nil {
				*l.dst = *l.v
			}
		}
		out.line = o.line
	}
	if out.line == 0 {
		out.line = s.line
	}
	return out
}

// SwitchSNMP returns a switch's SNMP settings, merged as SwitchSSH does,
// or nil when neither the collect section nor the switch has any.
func (c *Config) SwitchSNMP(s *Switch) *SNMP {
	d, o := c.Collect.SNMP, s.SNMP
	if d == nil && o == nil {
		return nil
	}
	var out SNMP
	if d != nil {
		out = *d
	}
	if o != nil {
		str := func(dst *string, v string) {
			if v != "" {
				*dst = v
			}
		}
		sec := func(dst **Secret, v *Secret) {
			if v != nil {
				*dst = v
			}
		}
		str(&out.Version, o.Version)
		sec(&out.Community, o.Community)
		str(&out.User, o.User)
		str(&out.AuthProtocol, o.AuthProtocol)
		sec(&out.AuthPassword, o.AuthPassword)
		str(&out.PrivProtocol, o.PrivProtocol)
		sec(&out.PrivPassword, o.PrivPassword)
		if o.Port != nil {
			out.Port = o.Port
		}
		if o.Timeout != 0 {
			out.Timeout = o.Timeout
		}
		if o.Retries != nil {
			out.Retries = o.Retries
		}
		out.line = o.line
	}
	return &out
}

// validateCollect checks the collect section and the switches' ssh and
// snmp settings as far as they are given; what live collection needs on
// top (a username and credential for every switch, known_hosts) is
// CheckCollect's, because an offline audit needs none of it.
func (c *Config) validateCollect(addErr func(line int, format string, args ...any)) {
	// Settings that several switches inherit are reported once.
	seen := map[string]bool{}
	add := func(line int, format string, args ...any) {
		k := fmt.Sprintf("%d:"+format, append([]any{line}, args...)...)
		if !seen[k] {
			seen[k] = true
			addErr(line, format, args...)
		}
	}
	col := &c.Collect
	if col.Concurrency != nil && *col.Concurrency < 1 {
		add(col.line, "collect: concurrency must be 1 or more, not %d", *col.Concurrency)
	}
	if col.Retries != nil && *col.Retries < 0 {
		add(col.line, "collect: retries cannot be negative (%d)", *col.Retries)
	}
	switch col.HostKeyPolicy {
	case "", HostKeyStrict, HostKeyTOFU:
	default:
		add(col.line, "collect: host_key_policy %q is not %s or %s", col.HostKeyPolicy, HostKeyStrict, HostKeyTOFU)
	}
	checkSSH := func(where string, s *SSH) {
		if s == nil {
			return
		}
		if s.Passphrase != nil && s.PrivateKey == nil {
			add(s.line, "%s: passphrase given without private_key", where)
		}
		for _, l := range []struct {
			kind  string
			names *Names
		}{
			{ssh.KindKeyExchanges, s.KeyExchanges}, {ssh.KindCiphers, s.Ciphers}, {ssh.KindMACs, s.MACs}, {ssh.KindHostKeys, s.HostKeyAlgorithms},
		} {
			if l.names == nil {
				continue
			}
			if err := ssh.CheckAlgorithms(l.kind, l.names.List); err != nil {
				add(l.names.line, "%s: %v", where, err)
			}
		}
	}
	checkSNMP := func(where string, s *SNMP) {
		if s == nil {
			return
		}
		switch s.Version {
		case "", "2c", "3":
		default:
			add(s.keys.line("version"), "%s: version %q is not supported (\"2c\" or \"3\")", where, s.Version)
		}
		switch strings.ToUpper(s.AuthProtocol) {
		case "", "SHA", "SHA-256":
		default:
			add(s.keys.line("auth_protocol"), "%s: auth_protocol %q is not supported (SHA or SHA-256)", where, s.AuthProtocol)
		}
		switch strings.ToUpper(s.PrivProtocol) {
		case "", "AES-128", "AES-256", "AES-256-C":
		default:
			add(s.keys.line("priv_protocol"), "%s: priv_protocol %q is not supported (AES-128, AES-256 or AES-256-C, the Cisco variant)", where, s.PrivProtocol)
		}
		if s.Retries != nil && *s.Retries < 0 {
			add(s.keys.line("retries"), "%s: retries cannot be negative (%d)", where, *s.Retries)
		}
	}
	checkSSH("collect.ssh", col.SSH)
	checkSNMP("collect.snmp", col.SNMP)
	for i := range c.Switches {
		s := &c.Switches[i]
		checkSSH(fmt.Sprintf("switch %q: ssh", s.Name), s.SSH)
		checkSNMP(fmt.Sprintf("switch %q: snmp", s.Name), s.SNMP)
		if m := c.SwitchSNMP(s); m != nil {
			line := m.line
			where := fmt.Sprintf("switch %q: snmp", s.Name)
			if s.SNMP == nil {
				where = "collect.snmp"
			}
			switch {
			case m.Version == "":
				add(line, "%s: version is required (\"2c\" or \"3\")", where)
			case m.Version == "2c" && m.Community == nil:
				add(line, "%s: version 2c needs community", where)
			case m.Version == "3" && m.User == "":
				add(line, "%s: version 3 needs user", where)
			case m.Version == "3" && (m.AuthProtocol == "") != (m.AuthPassword == nil):
				add(line, "%s: auth_protocol and auth_password go together", where)
			case m.Version == "3" && (m.PrivProtocol == "") != (m.PrivPassword == nil):
				add(line, "%s: priv_protocol and priv_password go together", where)
			case m.Version == "3" && m.PrivProtocol != "" && m.AuthProtocol == "":
				add(line, "%s: privacy needs authentication (auth_protocol)", where)
			}
		}
	}
}

// CheckCollect checks what polling the switches live needs: at least one
// switch, known_hosts, and for every switch a username and a password or
// private key. names, when given, limits the check to those switches (and
// each must exist).
func (c *Config) CheckCollect(names ...string) error {
	var errs Errors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: c.file, Line: line, Message: fmt.Sprintf(format, args...)})
	}
	if len(c.Switches) == 0 {
		add(0, "no switches: live collection needs a switches section")
	}
	if c.Collect.KnownHosts == "" {
		add(c.Collect.line, "collect: known_hosts is required (host keys are always checked)")
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	for i := range c.Switches {
		s := &c.Switches[i]
		if len(names) > 0 && !want[s.Name] {
			continue
		}
		delete(want, s.Name)
		e := c.SwitchSSH(s)
		if e.Username == "" {
			add(s.line, "switch %q: no ssh username (collect.ssh or the switch's ssh)", s.Name)
		}
		if e.Password == nil && e.PrivateKey == nil {
			add(s.line, "switch %q: no ssh password or private_key (collect.ssh or the switch's ssh)", s.Name)
		}
	}
	for _, n := range names {
		if want[n] {
			add(0, "no switch named %q in the configuration", n)
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}
