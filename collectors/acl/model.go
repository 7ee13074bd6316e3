package acl

import (
	"fmt"
	"net/netip"
)

// Family is the address family an ACL filters.
type Family uint8

// The address families.
const (
	IPv4 Family = iota + 1
	IPv6
)

// String returns "ipv4" or "ipv6".
func (f Family) String() string {
	switch f {
	case IPv4:
		return "ipv4"
	case IPv6:
		return "ipv6"
	}
	return fmt.Sprintf("family(%d)", uint8(f))
}

// FamilyOf returns the family of an address (IPv4 for an IPv4-mapped
// IPv6 one).
func FamilyOf(a netip.Addr) Family {
	if a.Unmap().Is4() {
		return IPv4
	}
	return IPv6
}

// MarshalText lets a Family appear as its name in JSON.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// Kind is the syntax of an ACL's entries.
type Kind uint8

// The ACL kinds IOS prints in its headers.
const (
	// Extended lists (and every IPv6 list) match protocol, source,
	// destination, ports and options; downloaded dACLs are extended.
	Extended Kind = iota + 1
	// Standard lists match the source address only.
	Standard
	// RoleBased lists (SGACLs) have no addresses: "permit tcp dst eq 80".
	RoleBased
)

// String returns "extended", "standard" or "role-based".
func (k Kind) String() string {
	switch k {
	case Extended:
		return "extended"
	case Standard:
		return "standard"
	case RoleBased:
		return "role-based"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText lets a Kind appear as its name in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Action is what an entry does with a packet it matches.
type Action uint8

// The entry actions; only Permit and Deny entries decide a verdict.
const (
	// Unparsed marks a line whose action could not be read.
	Unparsed Action = iota
	Permit
	Deny
	// Remark entries are comments and never match.
	Remark
	// Evaluate entries nest a reflexive ACL; their match is unknowable here.
	Evaluate
)

// String returns the IOS keyword of the action.
func (a Action) String() string {
	switch a {
	case Permit:
		return "permit"
	case Deny:
		return "deny"
	case Remark:
		return "remark"
	case Evaluate:
		return "evaluate"
	}
	return "unparsed"
}

// MarshalText lets an Action appear as its keyword in JSON.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// Verdict is the outcome of evaluating an ACL for one packet.
type Verdict uint8

// The verdicts; the zero value is Unknown so that an unset Result never
// reads as a decision.
const (
	Unknown Verdict = iota
	Permitted
	Denied
)

// String returns "unknown", "permit" or "deny".
func (v Verdict) String() string {
	switch v {
	case Permitted:
		return "permit"
	case Denied:
		return "deny"
	}
	return "unknown"
}

// MarshalText lets a Verdict appear as its name in JSON.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// TCP flag bits as they sit in the TCP header's flags byte.
const (
	FIN uint8 = 1 << iota
	SYN
	RST
	PSH
	ACK
	URG
)

// EphemeralLow and EphemeralHigh bound the source ports an endpoint may pick
// when Packet.SrcPort is 0 (unknown): the union of the ranges Windows, Linux
// and macOS use, so an entry that covers only part of it is undecidable.
const (
	EphemeralLow  uint16 = 1024
	EphemeralHigh uint16 = 65535
)

// Packet is the header data an ACL can match. It describes a packet without
// IPv4 options or IPv6 extension headers information: entries that match on
// those (option, auth, routing, ...) are undecidable for it.
type Packet struct {
	Src, Dst netip.Addr
	// Proto is the IP protocol number (IPv6: the upper-layer header).
	Proto uint8
	// SrcPort 0 means "an unknown ephemeral port" (EphemeralLow..High),
	// as when judging a hypothetical SYN; DstPort is always taken as is.
	SrcPort, DstPort uint16
	// Flags are the TCP flags (SYN, ACK, ...).
	Flags uint8
	// Fragment marks a non-initial fragment (fragment offset > 0).
	Fragment bool
	// TOS is the IPv4 TOS byte or IPv6 traffic class (DSCP in the top six
	// bits); 0, best effort, is what an endpoint's SYN normally carries.
	TOS uint8
	// TTL is the IPv4 TTL or IPv6 hop limit; 0 means unknown.
	TTL uint8
	// ICMPType and ICMPCode matter only when Proto is ICMP or ICMPv6.
	ICMPType, ICMPCode uint8
}

// Line is one entry text as a listing or a dACL provides it.
type Line struct {
	// Seq is the sequence number shown by the switch; 0 if none (it is
	// then read from a leading number or a trailing "sequence N").
	Seq int
	// Text is the entry without sequence number; match counters such as
	// "(12 matches)" are tolerated and dropped.
	Text string
	// LineNo is the line in the input the text came from, 0 if unknown.
	LineNo int
}

// Entry is one parsed ACL entry.
type Entry struct {
	// Seq is the sequence number (for dACL text: the position of the
	// entry among the non-blank lines, as the switch numbers them).
	Seq int
	// LineNo is the input line, 0 if unknown.
	LineNo int
	Action Action
	// TimeRange names the entry's time-range; the evaluator follows
	// TimeRangeState (an entry without one is unknown) and marks results
	// decided by such an entry.
	TimeRange string
	// TimeRangeState is "active" or "inactive" when the switch printed it.
	TimeRangeState string
	// Unevaluable says why some condition of the entry cannot be judged
	// (object-group, FQDN host, unknown keyword, parse error, ...); empty
	// when every condition can be.
	Unevaluable string
	// NotUnderstood is the part of Unevaluable that is words this package
	// does not know (an unknown keyword or port name), as opposed to
	// conditions it knows but cannot judge (an object-group, a TTL): a
	// caller reading a listing warns about it.
	NotUnderstood string

	text string
	cond cond
}

// String returns the entry's canonical text: keywords in lower case, single
// spaces, no sequence number or match counter, IOS's display form for
// standard-list wildcards ("A, wildcard bits W").
func (e *Entry) String() string { return e.text }

// ACL is a compiled access list, ready for Evaluate. It is immutable after
// Compile and safe for concurrent use.
type ACL struct {
	Name    string
	Family  Family
	Kind    Kind
	Entries []Entry

	rules  []rule  // IPv6
	rules4 []rule4 // IPv4
}

// Result is the verdict for one packet and the entry that decided it.
type Result struct {
	Verdict Verdict
	// Entry is the deciding entry, or for Unknown the entry that could not
	// be judged; nil for the implicit end of the list.
	Entry *Entry
	Seq   int
	Text  string
	// Implicit marks a verdict from the implicit entries at the end.
	Implicit bool
	// TimeRange marks a verdict from an entry with a time-range that the
	// switch showed active: it holds while the time-range is.
	TimeRange bool
	// Reason explains an Unknown verdict or an implicit one.
	Reason string
}

// ParseError is an entry text that is not valid IOS syntax as far as this
// package knows; the entry is kept as unevaluable so no verdict skips it.
type ParseError struct {
	// LineNo is the input line (for Compile: Line.LineNo, else the
	// 1-based index of the line).
	LineNo int
	Seq    int
	Text   string
	Err    error
}

// Error names the line, the sequence number and the text.
func (e ParseError) Error() string {
	if e.Seq != 0 {
		return fmt.Sprintf("line %d (seq %d) %q: %v", e.LineNo, e.Seq, e.Text, e.Err)
	}
	return fmt.Sprintf("line %d %q: %v", e.LineNo, e.Text, e.Err)
}

// Unwrap returns the underlying error.
func (e ParseError) Unwrap() error { return e.Err }
