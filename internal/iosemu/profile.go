package iosemu

import (
	"strings"
	"time"
)

// Release says which commands the emulated software answers.
type Release string

// The emulated releases. Each answers the commands of its generation and
// prints "% Invalid input detected" for the others, as a real switch does.
const (
	// ReleaseIOSXE is IOS-XE 16.x and later: show access-session [mac M]
	// [details] (and the older show authentication sessions), the
	// sectioned details layout, show device-tracking database.
	ReleaseIOSXE Release = "ios-xe"
	// ReleaseIOS15 is IOS 15.2E / IOS-XE 3SE: show authentication
	// sessions [mac M] [details] in the flat layout, no show
	// access-session, show ip device tracking all.
	ReleaseIOS15 Release = "ios-15"
	// ReleaseIOS12 is IOS 12.2 / 15.0: no details keyword either (show
	// authentication sessions mac M prints the details).
	ReleaseIOS12 Release = "ios-12"
)

// Session is one authenticated endpoint of the emulated switch. Text, when
// set, is the verbatim details block served for it (from a saved
// transcript); otherwise the block is generated from the fields in the
// layout of the release.
type Session struct {
	Interface      string   `json:"interface"` // full name: "GigabitEthernet1/0/3"
	MAC            string   `json:"mac"`       // any notation; printed dotted
	IPv4           string   `json:"ipv4,omitempty"`
	IPv6           []string `json:"ipv6,omitempty"`
	User           string   `json:"user,omitempty"`
	Domain         string   `json:"domain,omitempty"` // DATA, VOICE
	Method         string   `json:"method,omitempty"` // dot1x, mab
	Unauthorized   bool     `json:"unauthorized,omitempty"`
	SessionID      string   `json:"session_id"`
	DACL           string   `json:"dacl,omitempty"`
	DACLv6         string   `json:"dacl_ipv6,omitempty"`
	URLRedirectACL string   `json:"url_redirect_acl,omitempty"`
	URLRedirect    string   `json:"url_redirect,omitempty"`
	VLAN           string   `json:"vlan,omitempty"`
	// Bound is the address the device-tracking table (and ARP) binds to
	// the MAC when the details show none.
	Bound string `json:"bound,omitempty"`
	Text  string `json:"text,omitempty"`
}

// FaultKind says how the emulated switch misbehaves.
type FaultKind string

// The faults.
const (
	// FaultStall stops writing (mid-output after AfterBytes) and never
	// prints the prompt, keeping the connection open.
	FaultStall FaultKind = "stall"
	// FaultReset drops the connection after AfterBytes of output (a TCP
	// reset behind the in-process server; the shell exits under sshd).
	FaultReset FaultKind = "reset"
	// FaultSilent never answers again: no echo, no output.
	FaultSilent FaultKind = "silent"
)

// Fault makes the switch misbehave when it receives a command starting
// with Command (words compared case-insensitively); an empty Command
// means at login, after AfterBytes of the banner and before the first
// prompt.
type Fault struct {
	Command    string    `json:"command"`
	Kind       FaultKind `json:"kind"`
	AfterBytes int       `json:"after_bytes,omitempty"`
}

// Profile is what an emulated switch is and says.
type Profile struct {
	Hostname string  `json:"hostname"`
	Release  Release `json:"release"`
	Banner   string  `json:"banner,omitempty"`
	// EnableSecret, when set, makes a login land in user mode (sw1>),
	// where only show version works until enable and this secret.
	EnableSecret string `json:"enable_secret,omitempty"`
	// Version is the show version output; generated when empty.
	Version  string    `json:"version,omitempty"`
	Sessions []Session `json:"sessions,omitempty"`
	// ACLs and ACLsV6 are the outputs of show ip access-lists and show
	// ipv6 access-lists.
	ACLs   string `json:"acls,omitempty"`
	ACLsV6 string `json:"acls_ipv6,omitempty"`
	// Bindings is the output of show device-tracking database (IOS-XE)
	// or show ip device tracking all; generated from the sessions' Bound
	// addresses when empty.
	Bindings string `json:"bindings,omitempty"`
	// Outputs answers further commands exactly (words compared
	// case-insensitively).
	Outputs map[string]string `json:"outputs,omitempty"`
	// LineDelay slows every output line down.
	LineDelay time.Duration `json:"line_delay,omitempty"`
	Faults    []Fault       `json:"faults,omitempty"`
	// TermLength is the page length before terminal length 0; 24 when 0.
	TermLength int `json:"term_length,omitempty"`
}

func (p *Profile) release() Release {
	if p.Release == "" {
		return ReleaseIOSXE
	}
	return p.Release
}

// normalize collapses a command's spaces and lower-cases it, as IOS
// matches keywords.
func normalize(cmd string) string {
	return strings.ToLower(strings.Join(strings.Fields(cmd), " "))
}

// fault returns the fault a command triggers, if any.
func (p *Profile) fault(cmd string) (Fault, bool) {
	n := normalize(cmd)
	for _, f := range p.Faults {
		fc := normalize(f.Command)
		if fc == "" {
			continue
		}
		if n == fc || strings.HasPrefix(n, fc+" ") {
			return f, true
		}
	}
	return Fault{}, false
}

// loginFault returns the fault that strikes at login, if any.
func (p *Profile) loginFault() (Fault, bool) {
	for _, f := range p.Faults {
		if strings.TrimSpace(f.Command) == "" {
			return f, true
		}
	}
	return Fault{}, false
}
