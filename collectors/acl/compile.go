package acl

import (
	"fmt"
	"strings"
)

// Compile parses the entries of one ACL and prepares them for Evaluate. It
// always returns an ACL: entries with errors are kept as undecidable (so a
// verdict that reaches them is Unknown) and reported as ParseErrors. Entries
// are evaluated in the order given, which is the order IOS prints them.
func Compile(name string, family Family, kind Kind, lines []Line) (*ACL, []ParseError) {
	a := &ACL{Name: name, Family: family, Kind: kind, Entries: make([]Entry, 0, len(lines))}
	var errs []ParseError
	for i, l := range lines {
		e, err := ParseEntry(family, kind, l.Text)
		if l.Seq != 0 {
			e.Seq = l.Seq
		}
		e.LineNo = l.LineNo
		if e.LineNo == 0 {
			e.LineNo = i + 1
		}
		if err != nil {
			errs = append(errs, ParseError{LineNo: e.LineNo, Seq: e.Seq, Text: l.Text, Err: fmt.Errorf("access list %s: %w", name, err)})
		}
		a.Entries = append(a.Entries, e)
	}
	a.rules = make([]rule, len(a.Entries))
	for i := range a.Entries {
		a.rules[i] = compileRule(&a.Entries[i])
	}
	if family == IPv4 {
		a.rules4 = make([]rule4, len(a.rules))
		for i := range a.rules {
			a.rules4[i] = a.rules[i].narrow()
		}
		a.rules = nil
	}
	return a, errs
}

// ParseDACL compiles a dACL as ISE stores it: one entry per line, no
// sequence numbers, remarks and blank lines allowed. Each entry's Seq is its
// position among the non-blank lines (the switch numbers downloaded entries
// in that order) and LineNo its line in text. A pasted RADIUS form
// "ip:inacl#N=ENTRY" or "ipv6:inacl#N=ENTRY" is accepted too.
func ParseDACL(name string, family Family, text string) (*ACL, []ParseError) {
	var lines []Line
	seq := 0
	for i, raw := range strings.Split(text, "\n") {
		t := strings.TrimSpace(raw)
		if t == "" {
			continue
		}
		seq++
		lines = append(lines, Line{Seq: seq, Text: stripInACL(t), LineNo: i + 1})
	}
	return Compile(name, family, Extended, lines)
}

// stripInACL removes the cisco-av-pair prefix ISE sends the entry in.
func stripInACL(t string) string {
	entry, _ := CutAVPair(t)
	return entry
}

// CutAVPair removes the RADIUS attribute prefix an entry is sent in, as ISE
// stores or logs it: "ip:inacl#N=ENTRY" or "ipv6:inacl#N=ENTRY", optionally
// after "cisco-av-pair=" (ISE's RADIUS live log shows the dACL download
// that way). It returns the entry and the family the prefix names, or t
// unchanged and 0 when there is no such prefix.
func CutAVPair(t string) (string, Family) {
	rest := t
	if len(rest) > len("cisco-av-pair") && strings.EqualFold(rest[:len("cisco-av-pair")], "cisco-av-pair") {
		r := strings.TrimLeft(rest[len("cisco-av-pair"):], " \t")
		if !strings.HasPrefix(r, "=") {
			return t, 0
		}
		rest = strings.TrimLeft(r[1:], " \t")
	}
	for _, p := range [...]struct {
		prefix string
		fam    Family
	}{{"ipv6:inacl#", IPv6}, {"ip:inacl#", IPv4}} {
		if len(rest) <= len(p.prefix) || !strings.EqualFold(rest[:len(p.prefix)], p.prefix) {
			continue
		}
		num, entry, ok := strings.Cut(rest[len(p.prefix):], "=")
		if ok && isDigits(num) {
			return strings.TrimSpace(entry), p.fam
		}
	}
	return t, 0
}
