package ios

import (
	"net/netip"
	"strings"
)

// SummaryEntry is one row of a session summary table: `show authentication
// sessions`, `show access-session [interface X]`, `... brief` or `... info`.
// Fields a layout does not print are empty.
type SummaryEntry struct {
	Interface  string     // full name, also when the table printed "Gi1/0/3"
	MAC        string     // "aa:bb:cc:00:11:22"; empty for "(unknown)"
	Method     string     // as printed: "dot1x", "mab", "N/A"; info layout "D1x", "Mab"
	Domain     string     // as printed: "DATA", "VOICE"; info layout "D", "V"; empty when UNKNOWN
	Status     string     // as printed: "Auth", "Unauth", "Authz Success", "Running"; info "AZ"/"UZ"
	Authorized bool       // Status normalized (brief layout: AuthZ "AZ")
	Flags      string     // the Fg column ("A", "D", ...), empty when blank
	SessionID  string     // Common Session ID
	AuthC      string     // brief layout: "d:OK", "d:NR"
	AuthZ      string     // brief layout: "AZ: SA-", "UZ: SA- FA-"
	Uptime     string     // brief layout: "6858s"
	VLAN       string     // info layout; empty for "UA"
	IPv4       netip.Addr // info layout; zero for "UA"
	Policy     string     // info layout, as printed (the switch truncates with "..")
	UserRole   string     // info layout, as printed
	Line       int
}

// summaryLayout is which columns a summary table has.
type summaryLayout uint8

const (
	layoutSessions summaryLayout = iota // Interface MAC/Identifier Method Domain Status [Fg] Session ID
	layoutBrief                         // Interface MAC AuthC AuthZ Fg Uptime
	layoutInfo                          // Interface MAC M:D:S Vlan IPv4 Policy User-Role
)

// ParseSessionSummary parses the summary tables of `show authentication
// sessions [interface X | session-id S]` and `show access-session
// [interface X | brief | info]`, old ("MAC Address", "Authz Success") and
// new ("Identifier", "Status Fg") headers alike. Rows are read by content,
// not by column position, because column widths vary between releases.
// "No sessions currently exist", the flags legends, "Session count = N" and
// the "Runnable methods list" trailer are understood.
func ParseSessionSummary(text string) ([]SummaryEntry, []Warning) {
	var (
		w        warnings
		out      []SummaryEntry
		layout   = layoutSessions
		legend   bool // inside a "Key to ..." legend
		runnable bool // inside the "Runnable methods list" trailer
		prevEcho bool
		tok      []string
	)
	ls := newLines(text)
	for {
		line, num, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			continue
		}
		tok = fields(tok, t)
		if len(tok) >= 2 && isSummaryRow(tok) {
			legend, runnable = false, false
			if e, ok := summaryRow(layout, tok, num, &w); ok {
				out = append(out, e)
			}
			prevEcho = false
			continue
		}
		switch {
		case isSummaryHeader(t):
			switch {
			case containsFold(t, "AuthC"):
				layout = layoutBrief
			case containsFold(t, "M:D:S"):
				layout = layoutInfo
			default:
				layout = layoutSessions
			}
			legend, runnable = false, false
			continue
		case isRule(t),
			hasPrefixFold(t, "No sessions currently exist"),
			hasPrefixFold(t, "Session count"),
			hasPrefixFold(t, "Session id="):
			continue
		case hasPrefixFold(t, "Key to "):
			legend, runnable = true, false
			continue
		case hasPrefixFold(t, "Runnable methods list"):
			runnable, legend = true, false
			continue
		case legend && isLegendLine(t):
			continue
		case runnable && isRunnableRow(tok):
			continue
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if noise {
			continue
		}
		w.unknownLine(num, "session summary", t)
	}
	return out, w.result()
}

// isSummaryHeader reports whether t is a summary table header.
func isSummaryHeader(t string) bool {
	return hasPrefixFold(t, "Interface") &&
		(containsFold(t, "MAC Address") || containsFold(t, "Identifier")) &&
		(containsFold(t, "Method") || containsFold(t, "AuthC") || containsFold(t, "M:D:S"))
}

// isSummaryRow reports whether a line's words start with an interface and a
// MAC address (or "(unknown)"), the shape of every summary row.
func isSummaryRow(tok []string) bool {
	if !looksLikeInterface(tok[0]) {
		return false
	}
	return isDottedMAC(tok[1]) || strings.EqualFold(tok[1], "(unknown)") || strings.EqualFold(tok[1], "unknown")
}

// looksLikeInterface reports whether s is an interface name as tables print
// them: letters then a digit ("Gi1/0/3", "Te3/0/1", "Vl10", "Po2").
func looksLikeInterface(s string) bool {
	i := 0
	for i < len(s) && (isLetter(s[i]) || s[i] == '-') {
		i++
	}
	return i > 0 && i < len(s) && s[i] >= '0' && s[i] <= '9'
}

// isLegendLine reports whether t is a line of a "Key to ..." legend such as
// "A - Applying Policy" or "AZ - Authorized, UZ - UnAuthorized".
func isLegendLine(t string) bool {
	i := strings.Index(t, " - ")
	return i > 0 && i <= 4
}

// isRunnableRow reports whether tok is the "Handle Priority Name" header or
// a row of the runnable methods trailer.
func isRunnableRow(tok []string) bool {
	if len(tok) == 3 && strings.EqualFold(tok[0], "Handle") {
		return true
	}
	return len(tok) == 3 && isDigits(tok[0]) && isDigits(tok[1])
}

// isFlags reports whether s is a value of the Fg column: a few of the
// legend's upper-case letters.
func isFlags(s string) bool {
	if s == "" || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune("ADFINPRUX", rune(s[i])) {
			return false
		}
	}
	return true
}

// summaryRow reads one row in the given layout.
func summaryRow(layout summaryLayout, tok []string, num int, w *warnings) (SummaryEntry, bool) {
	e := SummaryEntry{Interface: ExpandInterface(tok[0]), Line: num}
	if mac, ok := NormalizeMAC(tok[1]); ok {
		e.MAC = mac
	}
	rest := tok[2:]
	switch layout {
	case layoutBrief:
		// AuthC AuthZ... [Fg] Uptime
		if len(rest) < 2 {
			w.add(num, "session summary: row has too few columns for the brief layout: %s", quote(strings.Join(tok, " ")))
			return e, false
		}
		e.AuthC = rest[0]
		rest = rest[1:]
		if n := len(rest); n >= 2 && isUptime(rest[n-1]) {
			e.Uptime = rest[n-1]
			rest = rest[:n-1]
		}
		if n := len(rest); n >= 2 && isFlags(rest[n-1]) {
			e.Flags = rest[n-1]
			rest = rest[:n-1]
		}
		e.AuthZ = strings.Join(rest, " ")
		e.Status, _ = firstField(e.AuthZ)
		e.Status = strings.TrimSuffix(e.Status, ":")
		e.Authorized = IsAuthorized(e.Status)
	case layoutInfo:
		// M:D:S Vlan IPv4 Policy User-Role...
		if len(rest) < 4 {
			w.add(num, "session summary: row has too few columns for the info layout: %s", quote(strings.Join(tok, " ")))
			return e, false
		}
		mds := strings.Split(rest[0], ":")
		if len(mds) != 3 {
			w.add(num, "session summary: M:D:S column %s is not method:domain:status", quote(rest[0]))
			return e, false
		}
		e.Method, e.Domain, e.Status = mds[0], mds[1], mds[2]
		e.Authorized = IsAuthorized(e.Status)
		e.VLAN = unassigned(rest[1])
		if v := unassigned(rest[2]); v != "" {
			a, err := netip.ParseAddr(v)
			if err != nil || !a.Is4() {
				w.add(num, "session summary: IPv4 column %s is not an IPv4 address", quote(v))
			} else {
				e.IPv4 = a
			}
		}
		e.Policy = unassigned(rest[3])
		e.UserRole = unassigned(strings.Join(rest[4:], " "))
	default:
		// Method Domain Status... [Fg] SessionID
		if len(rest) < 4 {
			w.add(num, "session summary: row has too few columns: %s", quote(strings.Join(tok, " ")))
			return e, false
		}
		e.Method, e.Domain = rest[0], known(rest[1])
		n := len(rest)
		e.SessionID = rest[n-1]
		status := rest[2 : n-1]
		if len(status) >= 2 && isFlags(status[len(status)-1]) {
			e.Flags = status[len(status)-1]
			status = status[:len(status)-1]
		}
		e.Status = strings.Join(status, " ")
		e.Authorized = IsAuthorized(e.Status)
		if !isHex(e.SessionID) {
			w.add(num, "session summary: session ID %s is not hexadecimal", quote(e.SessionID))
		}
	}
	return e, true
}

// unassigned returns s, or "" for the info layout's "UA" (unassigned).
func unassigned(s string) string {
	if s == "UA" {
		return ""
	}
	return s
}

// isUptime reports whether s is a brief-layout uptime such as "6858s".
func isUptime(s string) bool {
	return len(s) >= 2 && s[len(s)-1] == 's' && isDigits(s[:len(s)-1])
}

// isHex reports whether s is a non-empty run of hexadecimal digits.
func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
