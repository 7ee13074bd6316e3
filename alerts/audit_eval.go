package alerts

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

// reasonSourceUnknown starts the reason of an Unknown verdict that depends
// on a session address the switch did not show.
const reasonSourceUnknown = "applies only to some source addresses and the session's address is unknown"

// judge evaluates one compiled ACL for SYNs to PSNs, from a known source
// or from an unknown one. An unknown source is judged exactly: the ACL's
// "twin", with every source condition widened to any, finds the first entry
// that could match; if that entry matches every source its verdict holds,
// otherwise the verdict depends on the address and is Unknown.
type judge struct {
	a        *acl.ACL
	twin     *acl.ACL // nil when no entry names a source: any source gives the same verdict
	specific []bool   // entry i matches only some sources
	cache    map[target]acl.Result
}

// target is one PSN address and port.
type target struct {
	addr netip.Addr
	port uint16
}

func newJudge(a *acl.ACL) *judge {
	j := &judge{a: a, specific: make([]bool, len(a.Entries)), cache: map[target]acl.Result{}}
	// The widened texts are canonical entries with "any" in place of an
	// address: they parse (errors would only repeat the original's).
	j.twin = variant(a, func(i int, e *acl.Entry) (string, bool) {
		wide, ok := widenSource(e, a.Kind)
		j.specific[i] = ok
		return wide, ok
	})
	return j
}

// variant compiles a with the entries edit rewrites (it returns the new
// text and true) and the others as they are; nil when it rewrites none.
// Entry i of the variant is entry i of a.
func variant(a *acl.ACL, edit func(i int, e *acl.Entry) (string, bool)) *acl.ACL {
	lines := make([]acl.Line, len(a.Entries))
	edited := false
	for i := range a.Entries {
		e := &a.Entries[i]
		text := e.String()
		if t, ok := edit(i, e); ok {
			text, edited = t, true
		}
		lines[i] = acl.Line{Seq: e.Seq, Text: text, LineNo: e.LineNo}
	}
	if !edited {
		return nil
	}
	v, _ := acl.Compile(a.Name, a.Family, a.Kind, lines)
	return v
}

// widenSource returns an entry's canonical text with its source address
// replaced by "any", when the entry decides on a source other than any.
func widenSource(e *acl.Entry, kind acl.Kind) (string, bool) {
	if e.Action != acl.Permit && e.Action != acl.Deny {
		return "", false
	}
	tok := strings.Fields(e.String())
	if len(tok) < 2 || tok[0] != "permit" && tok[0] != "deny" {
		return "", false // "dynamic ...": unevaluable whatever its source
	}
	start, n := 2, 0
	switch kind {
	case acl.RoleBased:
		return "", false
	case acl.Standard:
		start = 1
		switch {
		case tok[1] == "any":
			return "", false
		case strings.HasSuffix(tok[1], ","): // "A, wildcard bits W"
			n = 4
		default:
			n = 1
		}
	default:
		if len(tok) < 3 {
			return "", false
		}
		switch src := tok[2]; {
		case src == "any", src == "::/0":
			return "", false
		case src == "host" && len(tok) > 3 && tok[3] == "dynamic":
			n = 3
		case src == "host", src == "object-group":
			n = 2
		case strings.Contains(src, "/"):
			n = 1
		default:
			n = 2 // IPv4 address and wildcard
		}
	}
	if start+n > len(tok) {
		return "", false
	}
	out := append(append(append([]string{}, tok[:start]...), "any"), tok[start+n:]...)
	return strings.Join(out, " "), true
}

// syn is a TCP SYN from src to the target, from an ephemeral port.
func syn(src netip.Addr, t target) acl.Packet {
	return acl.Packet{Src: src, Dst: t.addr, Proto: 6, DstPort: t.port, Flags: acl.SYN}
}

// evaluate returns the verdict for a SYN from src (zero: unknown) to t.
func (j *judge) evaluate(src netip.Addr, t target) acl.Result {
	if src.IsValid() && j.twin != nil {
		return j.a.Evaluate(syn(src, t))
	}
	if r, ok := j.cache[t]; ok {
		return r
	}
	unspecified := netip.IPv4Unspecified()
	if j.a.Family == acl.IPv6 {
		unspecified = netip.IPv6Unspecified()
	}
	var r acl.Result
	if j.twin == nil {
		r = j.a.Evaluate(syn(unspecified, t))
	} else {
		r = j.twin.Evaluate(syn(unspecified, t))
		if i := entryIndex(j.twin, r.Entry); i >= 0 {
			e := &j.a.Entries[i]
			verdict, reason := r.Verdict, r.Reason
			if j.specific[i] && verdict != acl.Unknown {
				verdict, reason = acl.Unknown, fmt.Sprintf("entry %d %s", e.Seq, reasonSourceUnknown)
			}
			r = acl.Result{Verdict: verdict, Entry: e, Seq: e.Seq, Text: e.String(), TimeRange: r.TimeRange, Reason: reason}
		}
	}
	j.cache[t] = r
	return r
}

// entryIndex returns the index of e among a's entries, or -1 (nil: the
// implicit end).
func entryIndex(a *acl.ACL, e *acl.Entry) int {
	for i := range a.Entries {
		if &a.Entries[i] == e {
			return i
		}
	}
	return -1
}

// worst evaluates the SYN from every source address and returns the
// verdict that matters most: bad (a fault), else Unknown, else the good
// verdict.
func (j *judge) worst(srcs []netip.Addr, t target, bad acl.Verdict) acl.Result {
	if len(srcs) == 0 {
		return j.evaluate(netip.Addr{}, t)
	}
	var out acl.Result
	for i, src := range srcs {
		r := j.evaluate(src, t)
		if r.Verdict == bad {
			return r
		}
		if i == 0 || r.Verdict == acl.Unknown {
			out = r
		}
	}
	return out
}
