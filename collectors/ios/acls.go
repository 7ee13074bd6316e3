package ios

import "strings"

// ACL families.
const (
	FamilyIPv4 = "ipv4"
	FamilyIPv6 = "ipv6"
	FamilyMAC  = "mac" // Extended MAC access lists: never a dACL, listed for completeness
)

// ACL types: the syntax of the entries. FQDN lists are extended (or IPv6)
// lists whose "host dynamic NAME" entries cannot be judged; reflexive and
// MAC lists are TypeUnknown. Header says which list it was.
const (
	TypeStandard  = "standard"
	TypeExtended  = "extended"
	TypeIPv6      = "ipv6"
	TypeRoleBased = "role-based" // SGACL entries have no addresses: "permit tcp dst eq 80"
	TypeUnknown   = "unknown"
)

// ACL is one access list as `show access-lists`, `show ip access-lists` or
// `show ipv6 access-lists` prints it.
type ACL struct {
	Name    string     // as printed, without the " (per-user)" suffix
	PerUser bool       // printed with "(per-user)": a dACL downloaded for a session
	Note    string     // any other parenthesised header suffix, without parentheses ("downloaded")
	Family  string     // FamilyIPv4, FamilyIPv6 or FamilyMAC
	Type    string     // TypeStandard, TypeExtended, TypeIPv6, TypeRoleBased or TypeUnknown
	Header  string     // the header words as printed: "Extended IP access list", "FQDN IP access list"
	Entries []ACLEntry // in printed order (IOS prints ascending sequence numbers)
	Line    int        // line of the header
}

// ACLEntry is one line of an ACL. Text is the entry as the switch printed
// it, without sequence number and match counter, runs of spaces collapsed:
// "permit tcp any host 10.1.1.1 eq 443 log".
type ACLEntry struct {
	Seq     int    // sequence number, at the start or as "sequence N" at the end; 0 when absent
	Text    string // the entry, for collectors/acl to interpret
	Matches int64  // the "(N matches)" counter; 0 when absent
	Remark  bool   // a "remark" line: never matches anything
	Line    int
}

// aclHeader is one way IOS starts an ACL listing.
type aclHeader struct {
	prefix string
	family string
	typ    string
}

// aclHeaders lists the headers, longest first where one starts another.
func aclHeaders() [9]aclHeader {
	return [...]aclHeader{
		{"Standard IP access list ", FamilyIPv4, TypeStandard},
		{"Extended IP access list ", FamilyIPv4, TypeExtended},
		{"Reflexive IP access list ", FamilyIPv4, TypeUnknown},
		{"Role-based IP access list ", FamilyIPv4, TypeRoleBased},
		{"FQDN IP access list ", FamilyIPv4, TypeExtended},
		{"IPv6 Role-based access list ", FamilyIPv6, TypeRoleBased},
		{"IPv6 FQDN access list ", FamilyIPv6, TypeIPv6},
		{"IPv6 access list ", FamilyIPv6, TypeIPv6},
		{"Extended MAC access list ", FamilyMAC, TypeUnknown},
	}
}

// parseACLHeader recognises an ACL header line (t is trimmed).
func parseACLHeader(t string, num int, w *warnings) (ACL, bool) {
	for _, h := range aclHeaders() {
		if !hasPrefixFold(t, h.prefix) {
			continue
		}
		acl := ACL{Family: h.family, Type: h.typ, Header: t[:len(h.prefix)-1], Line: num}
		name, rest := firstField(trim(t[len(h.prefix):]))
		acl.Name = name
		if name == "" {
			w.add(num, "access list: header without a name %s", quote(t))
			return acl, true
		}
		if rest != "" {
			if len(rest) >= 2 && rest[0] == '(' && rest[len(rest)-1] == ')' {
				note := trim(rest[1 : len(rest)-1])
				if strings.EqualFold(note, "per-user") || strings.EqualFold(note, "per user") {
					acl.PerUser = true
				} else {
					acl.Note = note
				}
			} else {
				w.add(num, "access list: unexpected text after the name: %s", quote(rest))
			}
		}
		return acl, true
	}
	return ACL{}, false
}

// nxosACLMarker reports whether t is a line only NX-OS prints in an ACL
// listing.
func nxosACLMarker(t string) bool {
	return hasPrefixFold(t, "IP access list ") || hasPrefixFold(t, "MAC access list ") ||
		hasPrefixFold(t, "IPV4 ACL ") || strings.EqualFold(t, "statistics per-entry") ||
		strings.Contains(t, "[match=")
}

// ParseACLs parses `show access-lists`, `show ip access-lists` and `show
// ipv6 access-lists`, with or without a name: standard, extended and IPv6
// lists, downloaded dACLs ("(per-user)"), sequence numbers at the start or
// as "sequence N" at the end, "(N matches)" counters wherever printed,
// entries with or without indentation, empty lists, prompts and banners.
// Role-based (SGACL) and FQDN lists are returned with their entry syntax,
// reflexive and MAC lists with TypeUnknown. An entry that does not start with permit, deny, remark, evaluate or
// dynamic is kept (so that its list is never judged without it) and
// warned about. NX-OS listings yield one unsupported-platform warning.
func ParseACLs(text string) ([]ACL, []Warning) {
	var (
		w        warnings
		out      []ACL
		cur      = -1
		prevEcho bool
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
		if acl, ok := parseACLHeader(t, num, &w); ok {
			out = append(out, acl)
			cur = len(out) - 1
			prevEcho = false
			continue
		}
		if nxosACLMarker(t) {
			return nil, []Warning{unsupported(num, PlatformNXOS, "access list", t)}
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if noise {
			continue
		}
		if cur < 0 {
			w.unknownLine(num, "access list", t)
			continue
		}
		out[cur].Entries = append(out[cur].Entries, parseACE(t, num, &w))
	}
	return out, w.result()
}

// parseACE reads one ACL entry (t is trimmed).
func parseACE(t string, num int, w *warnings) ACLEntry {
	e := ACLEntry{Line: num}
	if word, rest := firstField(t); isDigits(word) {
		if n, ok := atoi(word); ok && n <= 1<<31-1 {
			e.Seq = int(n)
		} else {
			w.add(num, "access list: sequence number %s out of range", quote(word))
		}
		t = rest
	}
	// The counter and "sequence N" close the line, in either order
	// (genie: "eq bgp (8 matches) sequence 10").
	for i := 0; i < 2; i++ {
		if rest, seq, ok := cutSequence(t); ok {
			if e.Seq == 0 {
				e.Seq = seq
			}
			t = rest
			continue
		}
		if rest, digits, ok := cutMatches(t); ok {
			if n, ok := atoi(digits); ok {
				e.Matches = n
			} else {
				w.add(num, "access list: match counter %s out of range", quote(digits))
			}
			t = rest
			continue
		}
		break
	}
	e.Text = collapse(t)
	action, rest := firstField(e.Text)
	switch strings.ToLower(action) {
	case "remark":
		e.Remark = true
	case "permit", "deny":
		if rest == "" {
			w.add(num, "access list: %s without a match", quote(e.Text))
		}
	case "evaluate", "dynamic":
	default:
		w.add(num, "access list: entry %s does not start with permit, deny or remark", quote(e.Text))
	}
	return e
}

// cutSequence removes a trailing "sequence N".
func cutSequence(t string) (rest string, seq int, ok bool) {
	before, n := lastField(t)
	rest, kw := lastField(before)
	if !strings.EqualFold(kw, "sequence") {
		return t, 0, false
	}
	v, ok := atoi(n)
	if !ok || v > 1<<31-1 {
		return t, 0, false
	}
	return rest, int(v), true
}

// cutMatches removes a trailing "(1 match)" or "(N matches)" and returns
// its digits.
func cutMatches(t string) (rest, digits string, ok bool) {
	if len(t) < 4 || t[len(t)-1] != ')' {
		return t, "", false
	}
	open := strings.LastIndexByte(t, '(')
	if open < 0 {
		return t, "", false
	}
	digits, word := firstField(trim(t[open+1 : len(t)-1]))
	if (word != "match" && word != "matches") || !isDigits(digits) {
		return t, "", false
	}
	return trim(t[:open]), digits, true
}
