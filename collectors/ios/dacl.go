package ios

import (
	"net/netip"
	"strings"
)

// ParseDACLText parses a downloadable ACL as ISE stores it, so that its text
// can be judged before any switch downloads it: one ACE per line, no
// sequence numbers, remarks and blank lines allowed. Also accepted, for
// text pasted from elsewhere: an "ip access-list extended NAME" or "ipv6
// access-list NAME" first line (it names the ACL), "access-list N" before
// each entry, and RADIUS AV-pairs ("ip:inacl#1=permit ...",
// "ipv6:inacl#1=..."), whose number becomes the sequence number.
//
// Family is IPv6 when the text says so (a header, an AV-pair, the ipv6
// protocol or an IPv6 address), else IPv4; Type is TypeExtended or
// TypeIPv6. A text mixing IPv4 and IPv6 addresses is warned about.
func ParseDACLText(text string) (ACL, []Warning) {
	var (
		w          warnings
		acl        = ACL{Header: "dACL text", Line: 1}
		v4, v6     bool
		headerFam  string
		firstEntry = true
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
		if firstEntry {
			if name, fam, ok := configHeader(t); ok {
				acl.Name, headerFam, acl.Line = name, fam, num
				firstEntry = false
				continue
			}
		}
		firstEntry = false
		seq := 0
		if rest, n, fam, ok := cutAVPair(t); ok {
			t, seq = rest, n
			if fam == FamilyIPv6 {
				v6 = true
			} else {
				v4 = true
			}
		} else if word, rest := firstField(t); strings.EqualFold(word, "access-list") {
			_, t = firstField(rest) // "access-list 101 permit ..."
		}
		e := parseACE(t, num, &w)
		if seq != 0 {
			e.Seq = seq
		}
		if !e.Remark {
			a4, a6 := aceFamilies(e.Text)
			v4, v6 = v4 || a4, v6 || a6
		}
		acl.Entries = append(acl.Entries, e)
	}
	switch {
	case headerFam != "":
		acl.Family = headerFam
	case v6:
		acl.Family = FamilyIPv6
	default:
		acl.Family = FamilyIPv4
	}
	if acl.Family == FamilyIPv6 {
		acl.Type = TypeIPv6
	} else {
		acl.Type = TypeExtended
	}
	if v4 && v6 {
		w.add(0, "dACL text mixes IPv4 and IPv6 entries; read as %s", acl.Family)
	}
	if len(acl.Entries) == 0 {
		w.add(0, "dACL text has no entries")
	}
	return acl, w.result()
}

// configHeader recognises "ip access-list extended NAME" and "ipv6
// access-list NAME".
func configHeader(t string) (name, family string, ok bool) {
	w1, rest := firstField(t)
	w2, rest := firstField(rest)
	switch {
	case strings.EqualFold(w1, "ip") && strings.EqualFold(w2, "access-list"):
		kind, rest := firstField(rest)
		if strings.EqualFold(kind, "extended") || strings.EqualFold(kind, "standard") {
			name, _ = firstField(rest)
			return name, FamilyIPv4, name != ""
		}
	case strings.EqualFold(w1, "ipv6") && strings.EqualFold(w2, "access-list"):
		name, _ = firstField(rest)
		return name, FamilyIPv6, name != ""
	}
	return "", "", false
}

// cutAVPair removes the "ip:inacl#N=" of a RADIUS AV-pair.
func cutAVPair(t string) (rest string, seq int, family string, ok bool) {
	family = FamilyIPv4
	s := t
	switch {
	case hasPrefixFold(s, "ipv6:inacl#"):
		s, family = s[len("ipv6:inacl#"):], FamilyIPv6
	case hasPrefixFold(s, "ip:inacl#"):
		s = s[len("ip:inacl#"):]
	default:
		return t, 0, "", false
	}
	eq := indexByte(s, '=')
	if eq < 0 {
		return t, 0, "", false
	}
	n, okN := atoi(s[:eq])
	if !okN || n > 1<<31-1 {
		return t, 0, "", false
	}
	return trim(s[eq+1:]), int(n), family, true
}

// aceFamilies reports whether an entry names IPv4 and/or IPv6 addresses or
// the ipv6 protocol.
func aceFamilies(text string) (v4, v6 bool) {
	rest := text
	for rest != "" {
		var tok string
		tok, rest = firstField(rest)
		if strings.EqualFold(tok, "ipv6") {
			v6 = true
			continue
		}
		if strings.IndexByte(tok, ':') < 0 && strings.IndexByte(tok, '.') < 0 {
			continue
		}
		if p, err := netip.ParsePrefix(tok); err == nil {
			v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
		} else if a, err := netip.ParseAddr(tok); err == nil {
			v4, v6 = v4 || a.Is4(), v6 || a.Is6()
		}
	}
	return v4, v6
}
