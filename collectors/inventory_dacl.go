package collectors

import (
	"fmt"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

// DACLFromText reads a dACL as ISE stores it (one entry per line, no
// sequence numbers, remarks and blank lines allowed, RADIUS
// "ip:inacl#N=" / "ipv6:inacl#N=" forms accepted, after "cisco-av-pair="
// too), so that it can be judged
// before ISE pushes it. It returns one ACL per address family the text
// holds, as a switch would download them: an IPv4 text gives an IPv4 ACL,
// an IPv6 text an IPv6 one, and an IP-agnostic text (entries of both
// families) both, each with the entries valid in its family and those
// valid in either. A text whose entries fit both families ("permit tcp any
// any") is judged as both. Entry numbers count the entries of each list
// from 1, as the switch numbers them; Entry.LineNo is the line in text. A
// UTF-8 byte order mark at the start is ignored, and so is the header of a
// switch's listing pasted whole (its sequence numbers and counters are
// accepted too).
func DACLFromText(file, name, text string) ([]*ACL, []Warning) {
	// A text saved by a Windows editor starts with a byte order mark.
	text = strings.TrimPrefix(text, "\ufeff")
	lines := strings.Split(text, "\n")
	fits := make([][2]bool, len(lines)) // [IPv4, IPv6]: the entry belongs to that family's list
	has4, has6, entries := false, false, 0
	var ws []Warning
	headers := 0
	for i, raw := range lines {
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		if isListingHeader(t) {
			// A switch's listing pasted whole: its header is no entry.
			headers++
			if headers == 2 {
				ws = append(ws, Warning{File: file, Line: i + 1, Message: fmt.Sprintf("dACL %s: a second access list starts here: the text is judged as one list", name)})
			}
			lines[i] = ""
			continue
		}
		entries++
		entry, avFamily := cutAVPair(t)
		// An entry belongs to the family in which it parses with nothing
		// left unjudged: "permit ip any any" is IPv4 (in an IPv6 list "ip"
		// is unknown), "permit ipv6 any any" IPv6 (not IPv4 protocol 41).
		e4, err4 := acl.ParseEntry(acl.IPv4, acl.Extended, entry)
		e6, err6 := acl.ParseEntry(acl.IPv6, acl.Extended, entry)
		f := [2]bool{err4 == nil && e4.Unevaluable == "", err6 == nil && e6.Unevaluable == ""}
		switch {
		case avFamily == acl.IPv4:
			f = [2]bool{true, false}
		case avFamily == acl.IPv6:
			f = [2]bool{false, true}
		case !f[0] && !f[1]:
			// Judged in neither family: kept in both, so that no verdict
			// skips it.
			f = [2]bool{true, true}
			if err4 == nil {
				ws = append(ws, Warning{File: file, Line: i + 1, Message: fmt.Sprintf("dACL %s: entry %q cannot be judged: %s", name, entry, e4.Unevaluable)})
			}
		}
		fits[i] = f
		has4 = has4 || f[0] && !f[1]
		has6 = has6 || f[1] && !f[0]
	}
	if entries == 0 {
		return nil, []Warning{{File: file, Message: fmt.Sprintf("dACL %s has no entries", name)}}
	}
	var families []acl.Family
	switch {
	case has4 && !has6:
		families = []acl.Family{acl.IPv4}
	case has6 && !has4:
		families = []acl.Family{acl.IPv6}
	default:
		families = []acl.Family{acl.IPv4, acl.IPv6}
	}
	var out []*ACL
	warned := map[int]bool{}
	for _, fam := range families {
		k := 0
		if fam == acl.IPv6 {
			k = 1
		}
		// Lines of the other family become blank, so line numbers stay
		// those of the file.
		kept := make([]string, len(lines))
		var printed []string
		for i, raw := range lines {
			t := strings.TrimSpace(raw)
			if t != "" && fits[i][k] {
				kept[i] = t
				entry, _ := cutAVPair(t)
				if entry == "" {
					entry = t // "ip:inacl#1=" and nothing: show what is there
				}
				printed = append(printed, entry)
			}
		}
		compiled, errs := acl.ParseDACL(name, fam, strings.Join(kept, "\n"))
		for _, e := range errs {
			if !warned[e.LineNo] {
				warned[e.LineNo] = true
				ws = append(ws, Warning{File: file, Line: e.LineNo, Message: fmt.Sprintf("dACL %s: entry %q cannot be judged: %v", name, e.Text, e.Err)})
			}
		}
		out = append(out, &ACL{Name: name, PerUser: true, Family: fam, Header: "dACL text", Compiled: compiled, Printed: printed, Errors: errs, File: file, Line: 1})
	}
	return out, ws
}

// cutAVPair removes the RADIUS attribute prefix ISE sends an entry in and
// returns the family it names (0 when there was none).
func cutAVPair(t string) (string, acl.Family) { return acl.CutAVPair(t) }

// isListingHeader reports whether t is the header a switch prints above an
// access list ("Extended IP access list NAME (per-user)", "IPv6 access list
// NAME"), as in a listing pasted into a dACL text.
func isListingHeader(t string) bool {
	for _, p := range [...]string{"Extended IP access list ", "Standard IP access list ", "IPv6 access list ", "Role-based IP access list "} {
		if len(t) > len(p) && strings.EqualFold(t[:len(p)], p) {
			return true
		}
	}
	return false
}
