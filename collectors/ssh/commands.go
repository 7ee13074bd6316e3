package ssh

import (
	"fmt"
	"strconv"
	"strings"
)

// The exact commands the collector may send; nothing else reaches a switch
// except the parametrised commands below, each with a strict pattern, and
// the enable secret typed as the answer to enable's password prompt.
const (
	CmdEnable         = "enable"
	CmdTerminalLength = "terminal length 0"
	CmdExit           = "exit"
	CmdShowVersion    = "show version"

	CmdAccessSession = "show access-session"
	CmdAuthSessions  = "show authentication sessions"

	CmdIPACLs   = "show ip access-lists"
	CmdIPv6ACLs = "show ipv6 access-lists"

	CmdDeviceTracking   = "show device-tracking database"
	CmdIPDeviceTracking = "show ip device tracking all"
	CmdIPARP            = "show ip arp"
)

// exactCommands is the allow-list of fixed strings.
var exactCommands = map[string]bool{
	CmdEnable: true, CmdTerminalLength: true, CmdExit: true, CmdShowVersion: true,
	CmdAccessSession: true, CmdAuthSessions: true,
	CmdIPACLs: true, CmdIPv6ACLs: true,
	CmdDeviceTracking: true, CmdIPDeviceTracking: true, CmdIPARP: true,
}

// MaxTerminalWidth is the widest terminal width IOS accepts.
const MaxTerminalWidth = 512

// TerminalWidth returns the command that sets the terminal width to n.
func TerminalWidth(n int) string { return "terminal width " + strconv.Itoa(n) }

// Per-MAC session details, by dialect: IOS-XE, IOS 15 (details keyword),
// IOS 12.2 (details without the keyword). mac is dotted: "a4bb.6d10.2203".
func accessSessionMAC(mac string) string { return "show access-session mac " + mac + " details" }
func authSessionsMACDetails(mac string) string {
	return "show authentication sessions mac " + mac + " details"
}
func authSessionsMAC(mac string) string { return "show authentication sessions mac " + mac }

// Allowed reports, as an error naming the reason, whether cmd is one the
// collector may send: an exact string of the allow-list, "terminal width N"
// (0 to 512, no leading zeros), or the session details of one MAC in
// dotted lower-case hex ("show access-session mac aaaa.bbbb.cccc details",
// "show authentication sessions mac aaaa.bbbb.cccc [details]"). Spacing,
// case and abbreviations must be exactly as listed: what is sent is what
// was reviewed.
func Allowed(cmd string) error {
	if exactCommands[cmd] {
		return nil
	}
	if n, ok := strings.CutPrefix(cmd, "terminal width "); ok {
		if v, err := strconv.Atoi(n); err == nil && v >= 0 && v <= MaxTerminalWidth && strconv.Itoa(v) == n {
			return nil
		}
		return fmt.Errorf("command %q refused: terminal width must be 0 to %d", printable(cmd), MaxTerminalWidth)
	}
	for _, p := range [...]struct{ prefix, suffix string }{
		{"show access-session mac ", " details"},
		{"show authentication sessions mac ", " details"},
		{"show authentication sessions mac ", ""},
	} {
		rest, ok := strings.CutPrefix(cmd, p.prefix)
		if !ok {
			continue
		}
		mac, ok := strings.CutSuffix(rest, p.suffix)
		if ok && dottedMAC(mac) {
			return nil
		}
	}
	return fmt.Errorf("command %q refused: not in the collector's allow-list of read-only commands", printable(cmd))
}

// dottedMAC reports whether s is "hhhh.hhhh.hhhh" in lower-case hex.
func dottedMAC(s string) bool {
	if len(s) != 14 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 4 || i == 9:
			if c != '.' {
				return false
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
		default:
			return false
		}
	}
	return true
}

// DottedMAC converts a normalized MAC ("aa:bb:cc:00:11:22") to IOS's
// dotted form ("aabb.cc00.1122"), or "" when it is not one.
func DottedMAC(mac string) string {
	if len(mac) != 17 {
		return ""
	}
	h := strings.ReplaceAll(mac, ":", "")
	if len(h) != 12 {
		return ""
	}
	d := h[0:4] + "." + h[4:8] + "." + h[8:12]
	if !dottedMAC(d) {
		return ""
	}
	return d
}

// printable bounds and cleans a refused command for an error message.
func printable(s string) string {
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
