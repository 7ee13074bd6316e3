package ios

import (
	"fmt"
	"strings"
)

// Kind names what a command's output holds, and so which parser reads it.
type Kind string

// The kinds of output this package parses.
const (
	KindUnknown          Kind = ""
	KindSessionDetails   Kind = "session-details"    // ParseSessionDetails
	KindSessionSummary   Kind = "session-summary"    // ParseSessionSummary
	KindACLs             Kind = "acls"               // ParseACLs
	KindARP              Kind = "arp"                // ParseARP
	KindDeviceTracking   Kind = "device-tracking"    // ParseDeviceTracking
	KindIPDeviceTracking Kind = "ip-device-tracking" // ParseIPDeviceTracking
	KindMACTable         Kind = "mac-table"          // ParseMACTable
	KindVersion          Kind = "version"            // ParseVersion
)

// Result is what one command's output yields; only the field of its Kind is
// set.
type Result struct {
	Kind      Kind
	Sessions  []Session
	Summary   []SummaryEntry
	ACLs      []ACL
	Addresses []ARPEntry // ARP, device tracking, IP device tracking
	MACTable  []MACEntry
	Version   Version
}

// Detect picks the parser for an output from the command that produced it
// (any IOS abbreviation: "sh auth sess int Gi1/0/3 det"), else from the
// output itself. Session commands are told apart by their output too:
// classic IOS prints details for "show authentication sessions interface
// X" without "details", and "session-id S" without it prints a table.
func Detect(command, output string) Kind {
	k := detectCommand(command)
	if k == KindSessionDetails || k == KindSessionSummary {
		if o := detectOutput(output); o == KindSessionDetails || o == KindSessionSummary {
			return o
		}
		return k
	}
	if k != KindUnknown {
		return k
	}
	o := detectOutput(output)
	if (o == KindSessionDetails || o == KindSessionSummary) && isShowCommand(command) {
		// Session details are told by keys ("MAC Address : ...") that
		// another command's or platform's output shares: after a show
		// command this package does not read, they are not sessions.
		return KindUnknown
	}
	return o
}

// isShowCommand reports whether command is a show command with a subject.
func isShowCommand(command string) bool {
	tok := fields(nil, command)
	return len(tok) >= 2 && isShowWord(tok[0])
}

// commandPattern is a show command as keyword sequence and its kind.
type commandPattern struct {
	words []string
	kind  Kind
}

// detectCommand recognises the show commands this package parses.
func detectCommand(command string) Kind {
	if i := indexByte(command, '|'); i >= 0 {
		command = command[:i] // "show ... | include X" filters, same layout
	}
	var tok []string
	tok = fields(tok, command)
	if len(tok) < 2 || !isShowWord(tok[0]) {
		return KindUnknown
	}
	tok = tok[1:]
	for _, p := range [...]commandPattern{
		{[]string{"authentication", "sessions"}, KindSessionSummary},
		{[]string{"access-session"}, KindSessionSummary},
		{[]string{"ip", "access-lists"}, KindACLs},
		{[]string{"ipv6", "access-lists"}, KindACLs},
		{[]string{"access-lists"}, KindACLs},
		{[]string{"ip", "arp"}, KindARP},
		{[]string{"arp"}, KindARP},
		{[]string{"device-tracking", "database"}, KindDeviceTracking},
		{[]string{"ip", "device", "tracking"}, KindIPDeviceTracking},
		{[]string{"mac", "address-table"}, KindMACTable},
		{[]string{"mac-address-table"}, KindMACTable},
		{[]string{"version"}, KindVersion},
	} {
		if len(tok) < len(p.words) {
			continue
		}
		match := true
		for i, w := range p.words {
			if !abbreviates(tok[i], w) {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		if p.kind == KindSessionSummary {
			for _, t := range tok[len(p.words):] {
				if len(t) >= 3 && (hasPrefixFold("details", t) || strings.EqualFold(t, "detail")) {
					return KindSessionDetails
				}
			}
		}
		return p.kind
	}
	return KindUnknown
}

// abbreviates reports whether typed is an IOS abbreviation of keyword (a
// prefix of at least two letters, the keyword itself when shorter); the
// plural "access-lists" accepts the singular that IPv6 uses.
func abbreviates(typed, keyword string) bool {
	if len(typed) < 2 && len(typed) < len(keyword) {
		return false
	}
	if strings.HasSuffix(keyword, "-lists") && strings.EqualFold(typed, strings.TrimSuffix(keyword, "s")) {
		return true
	}
	return hasPrefixFold(keyword, typed)
}

// detectOutput recognises an output by its first telling line.
func detectOutput(output string) Kind {
	ls := newLines(output)
	for seen := 0; seen < 200; {
		line, _, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			continue
		}
		seen++
		if k, _, ok := splitKey(t); ok {
			switch lookupSessionKey(k) {
			case keyInterface, keyMAC, keySessionID, keyIPv4, keyIPv6, keyIP:
				return KindSessionDetails
			}
		}
		var dummy warnings
		switch {
		case isSummaryHeader(t), hasPrefixFold(t, "No sessions currently exist"):
			return KindSessionSummary
		case hasPrefixFold(t, "Protocol") && containsFold(t, "Hardware Addr"):
			return KindARP
		case containsFold(t, "Network Layer Address"):
			return KindDeviceTracking
		case hasPrefixFold(t, "Global IP Device Tracking"), hasPrefixFold(t, "IP Device Tracking"):
			return KindIPDeviceTracking
		case hasPrefixFold(t, "Mac Address Table"), hasPrefixFold(t, "Destination Address"),
			hasPrefixFold(t, "vlan") && containsFold(t, "mac address"):
			return KindMACTable
		case hasPrefixFold(t, "Cisco IOS Software"), hasPrefixFold(t, "Cisco IOS XE Software"),
			hasPrefixFold(t, "Cisco Nexus Operating System"), hasPrefixFold(t, "Cisco IOS XR Software"),
			hasPrefixFold(t, "Cisco Adaptive Security Appliance"):
			return KindVersion
		case nxosACLMarker(t):
			return KindACLs
		case hasPrefixFold(t, "IP ARP Table"), hasPrefixFold(t, "Flags: * - Adjacencies"):
			return KindARP
		}
		if _, ok := parseACLHeader(t, 0, &dummy); ok {
			return KindACLs
		}
	}
	return KindUnknown
}

// Parse parses one command's output with the parser Detect picks. An
// output no parser reads yields one warning (none when it is blank).
func Parse(command, output string) (Result, []Warning) {
	if num, msg := rejected(output); num > 0 {
		what := "the command"
		if command != "" {
			what = quote(command)
		}
		return Result{}, []Warning{{Line: num, Message: fmt.Sprintf("the switch rejected %s: %s", what, quote(msg))}}
	}
	r := Result{Kind: Detect(command, output)}
	var ws []Warning
	switch r.Kind {
	case KindSessionDetails:
		r.Sessions, ws = ParseSessionDetails(output)
	case KindSessionSummary:
		r.Summary, ws = ParseSessionSummary(output)
	case KindACLs:
		r.ACLs, ws = ParseACLs(output)
	case KindARP:
		r.Addresses, ws = ParseARP(output)
	case KindDeviceTracking:
		r.Addresses, ws = ParseDeviceTracking(output)
	case KindIPDeviceTracking:
		r.Addresses, ws = ParseIPDeviceTracking(output)
	case KindMACTable:
		r.MACTable, ws = ParseMACTable(output)
	case KindVersion:
		r.Version, ws = ParseVersion(output)
	default:
		if isBlank(output) {
			return r, nil
		}
		if p, num := DetectPlatform(output); p != "" && !Supported(p) {
			what := "command"
			if command != "" {
				what = quote(command)
			}
			return r, []Warning{unsupported(num, p, what, lineAt(output, num))}
		}
		what := "output"
		if command != "" {
			what = fmt.Sprintf("output of %s", quote(command))
		}
		return r, []Warning{{Message: what + " not parsed: not a command syncwatch reads"}}
	}
	return r, ws
}

// Parsed is one command of a transcript with what its output yields.
type Parsed struct {
	Command Command
	Result  Result
}

// ParseTranscript splits a saved terminal session into commands and parses
// each output. Warnings and the Line of every record are line numbers in the
// transcript. Commands without output (terminal length 0, enable) are
// returned with an empty Result and no warning. Once an output shows that a
// switch runs another platform (NX-OS, IOS-XR, ASA), that switch's later
// outputs are not parsed (half-read records would be wrong): its one
// unsupported-platform warning says how many were skipped.
func ParseTranscript(text string) ([]Parsed, []Warning) {
	cmds, ws := SplitTranscript(text)
	if len(cmds) == 1 && cmds[0].Switch == "" {
		if num, l := hiddenPrompt(cmds[0].Output); num > 0 {
			ws = append(ws, Warning{Line: num, Message: fmt.Sprintf(
				"%s looks like a prompt and command after other text: no prompt was recognised at the start of a line, so the file is read as one output and may lose what follows", quote(l))})
		}
	}
	out := make([]Parsed, 0, len(cmds))
	type other struct{ warning, skipped int }
	others := map[string]*other{} // switch -> its unsupported-platform warning
	for _, c := range cmds {
		if o := others[c.Switch]; o != nil {
			if !isBlank(c.Output) {
				o.skipped++
			}
			out = append(out, Parsed{Command: c})
			continue
		}
		r, cw := Parse(c.Command, c.Output)
		for i := range cw {
			if cw[i].Platform != "" {
				others[c.Switch] = &other{warning: len(ws) + i}
				break
			}
		}
		cw = shift(cw, c.OutputLine)
		for i := range cw {
			if cw[i].Line == 0 {
				cw[i].Line = c.Line // about the whole output: point at its command
			}
		}
		ws = append(ws, cw...)
		r.shift(c.OutputLine)
		out = append(out, Parsed{Command: c, Result: r})
	}
	for _, o := range others {
		switch {
		case o.skipped == 1:
			ws[o.warning].Message += "; 1 later output of this switch not parsed either"
		case o.skipped > 1:
			ws[o.warning].Message += fmt.Sprintf("; %d later outputs of this switch not parsed either", o.skipped)
		}
	}
	return out, ws
}

// shift moves the Line of every record from the output's numbering to the
// transcript's (first is the transcript line of the output's first line).
func (r *Result) shift(first int) {
	d := first - 1
	if d == 0 {
		return
	}
	for i := range r.Sessions {
		r.Sessions[i].Line += d
	}
	for i := range r.Summary {
		r.Summary[i].Line += d
	}
	for i := range r.ACLs {
		r.ACLs[i].Line += d
		for j := range r.ACLs[i].Entries {
			r.ACLs[i].Entries[j].Line += d
		}
	}
	for i := range r.Addresses {
		r.Addresses[i].Line += d
	}
	for i := range r.MACTable {
		r.MACTable[i].Line += d
	}
	if r.Version.Line > 0 {
		r.Version.Line += d
	}
}

// lineAt returns line num (1-based) of text, trimmed.
func lineAt(text string, num int) string {
	ls := newLines(text)
	for {
		l, n, ok := ls.next()
		if !ok {
			return ""
		}
		if n == num {
			return trim(l)
		}
	}
}

// hiddenPrompt finds, in a text where SplitTranscript found no prompt, the
// first line that holds "HOST#show ..." (or "HOST>sh ...") after some other
// text: a prefix a terminal logger added that syncwatch does not clean up.
// It returns the line's number and text, or 0.
func hiddenPrompt(text string) (int, string) {
	ls := newLines(text)
	for {
		line, num, ok := ls.next()
		if !ok {
			return 0, ""
		}
		for i := 1; i < len(line); i++ {
			if line[i] != '#' && line[i] != '>' {
				continue
			}
			j := i
			for j > 0 && (isLetter(line[j-1]) || line[j-1] >= '0' && line[j-1] <= '9' || line[j-1] == '-' || line[j-1] == '_' || line[j-1] == '.') {
				j--
			}
			if j == i || j == 0 || line[j-1] != ' ' && line[j-1] != ']' && line[j-1] != '\t' {
				continue
			}
			w, _ := firstField(trim(line[i+1:]))
			if isShowWord(w) {
				return num, line
			}
		}
	}
}

// rejected returns the line and text of the error IOS prints instead of an
// output ("% Invalid input detected at '^' marker.", "% Ambiguous command"),
// when that is the output's first non-blank line after the caret IOS puts
// under the typed command; 0 otherwise.
func rejected(output string) (int, string) {
	ls := newLines(output)
	for {
		line, num, ok := ls.next()
		if !ok {
			return 0, ""
		}
		t := trim(line)
		if t == "" || t == "^" {
			continue
		}
		for _, p := range [...]string{"% Invalid input", "% Incomplete command", "% Ambiguous command", "% Unknown command", "% Invalid command"} {
			if hasPrefixFold(t, p) {
				return num, t
			}
		}
		return 0, ""
	}
}
