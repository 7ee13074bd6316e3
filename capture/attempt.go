package capture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// Outcome is what the wire showed of an attempt.
type Outcome uint8

// The outcomes of an attempt, as in DOMAIN.md's verdict table.
const (
	// OutcomeOpen is an attempt still waiting for its answer; it is never
	// reported.
	OutcomeOpen Outcome = iota
	// Accepted: a SYN-ACK from the PSN, or the client's ACK or data that
	// only a SYN-ACK explains (Inferred): the port was reached.
	Accepted
	// Refused: a RST from the PSN: the SYN reached the PSN, nothing listens.
	Refused
	// Prohibited: an ICMP destination unreachable for the SYN.
	Prohibited
	// Unanswered: nothing within the answer timeout.
	Unanswered
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"open", "accepted", "refused", "prohibited", "unanswered"}

// String returns the outcome's name as used in JSON and metrics.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Outcomes lists the reported outcomes in table order.
func Outcomes() []Outcome { return []Outcome{Accepted, Refused, Prohibited, Unanswered} }

// ParseOutcome returns the outcome with the given name.
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range Outcomes() {
		if o.String() == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q", s)
}

// MarshalText renders the outcome's name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText parses an outcome's name.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Attempt is one TCP connection attempt from an endpoint (the client) to a
// PSN's state-sync port: a SYN and its retransmissions, identified by
// client, client port, PSN, port and initial sequence number.
type Attempt struct {
	// ID numbers attempts in the order the tracker created them; a late
	// correction carries the ID of the attempt it corrects.
	ID uint64

	Client     netip.Addr
	ClientPort uint16
	// ClientMAC is the endpoint side's MAC address as the frame carried it
	// (the endpoint's own MAC when the SPAN is at the access layer, a
	// router's otherwise); valid when HasClientMAC.
	ClientMAC    [6]byte
	HasClientMAC bool
	PSN          netip.Addr
	Port         uint16
	// ISN is the client's initial sequence number.
	ISN uint32

	Outcome Outcome
	// SYNSeen is false when only the answer was captured (a SPAN that
	// mirrors only the PSN-to-client direction).
	SYNSeen bool
	// Inferred is set when no answer was captured but the client's ACK or
	// data after the SYN proves one arrived (a SPAN that mirrors only the
	// client-to-PSN direction).
	Inferred bool
	// Late is set when the answer came after the answer timeout, within the
	// grace period; live, the attempt was first reported unanswered.
	Late bool
	// SYNs counts the SYNs seen (retransmissions included, SPAN duplicates
	// not).
	SYNs int
	// Incomplete marks an Unanswered attempt reported before its answer
	// timeout passed: the capture ended (end or damage of a file, an
	// interrupted analysis, watch stopping) or the attempt was evicted to
	// stay under the memory cap. Its outcome is not known.
	Incomplete bool

	// FirstSeen is the time of the first packet of the attempt.
	FirstSeen time.Time
	// AnsweredAt is the time of the answer; zero when unanswered.
	AnsweredAt time.Time

	// VLANs holds NumVLANs VLAN IDs, outermost first, from the first frame.
	VLANs    [MaxVLANs]uint16
	NumVLANs uint8
	// Interface is where the attempt's first frame was captured.
	Interface string

	// HasICMP is set for Prohibited: the ICMP error's type, code and sender.
	HasICMP  bool
	ICMPType uint8
	ICMPCode uint8
	ICMPFrom netip.Addr

	evidence [maxEvidence]uint64
	nev      uint8
}

// VLANList returns the VLAN IDs outermost first, never nil.
func (a *Attempt) VLANList() []uint16 {
	out := make([]uint16, a.NumVLANs)
	copy(out, a.VLANs[:a.NumVLANs])
	return out
}

// RTT is the time from the first SYN to the answer; ok is false when there
// was no answer or the SYN was not seen.
func (a *Attempt) RTT() (time.Duration, bool) {
	if !a.SYNSeen || a.AnsweredAt.IsZero() || a.AnsweredAt.Before(a.FirstSeen) {
		// Before: timestamps out of order in the capture.
		return 0, false
	}
	return a.AnsweredAt.Sub(a.FirstSeen), true
}

// ICMPMeaning says what an ICMP destination-unreachable code means for the
// state-sync path: an ACL that answers (ICMPv4 codes 9, 10 and 13, ICMPv6
// code 1) or a routing or host problem.
func ICMPMeaning(v6 bool, code uint8) string {
	if v6 {
		switch code {
		case 0:
			return "no route to destination"
		case 1:
			return "administratively prohibited (ACL)"
		case 2:
			return "beyond scope of source address"
		case 3:
			return "address unreachable"
		case 4:
			return "port unreachable"
		case 5:
			return "source address failed ingress/egress policy (ACL)"
		case 6:
			return "reject route to destination"
		}
		return fmt.Sprintf("code %d", code)
	}
	switch code {
	case 0:
		return "network unreachable"
	case 1:
		return "host unreachable"
	case 2:
		return "protocol unreachable"
	case 3:
		return "port unreachable"
	case 4:
		return "fragmentation needed"
	case 5:
		return "source route failed"
	case 6, 7:
		return "destination unknown"
	case 8:
		return "source host isolated"
	case 11:
		return "network unreachable for type of service"
	case 12:
		return "host unreachable for type of service"
	case 14:
		return "host precedence violation"
	case 15:
		return "precedence cutoff in effect"
	case 9:
		return "network administratively prohibited (ACL)"
	case 10:
		return "host administratively prohibited (ACL)"
	case 13:
		return "communication administratively prohibited (ACL)"
	}
	return fmt.Sprintf("code %d", code)
}

// ICMPIsACL reports whether an ICMP destination-unreachable code is one an
// ACL sends.
func ICMPIsACL(v6 bool, code uint8) bool {
	if v6 {
		return code == 1 || code == 5
	}
	return code == 9 || code == 10 || code == 13
}

// TimeFormat is how syncwatch writes times in JSON: RFC 3339 in UTC with
// nanoseconds.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// MarshalJSON renders the attempt in the documented JSON form (README,
// "JSON output").
func (a *Attempt) MarshalJSON() ([]byte, error) { return a.AppendJSON(nil), nil }

// AppendJSON appends the attempt's JSON form to b. It is MarshalJSON
// without the allocations, for writing millions of attempts.
func (a *Attempt) AppendJSON(b []byte) []byte { return a.appendJSON(b, nil) }

// appendJSON is AppendJSON with a cache of the last date written, for many
// attempts in a row; days may be nil.
func (a *Attempt) appendJSON(b []byte, days *dayCache) []byte {
	b = append(b, `{"client":"`...)
	b = a.Client.AppendTo(b)
	b = append(b, `","client_port":`...)
	b = strconv.AppendUint(b, uint64(a.ClientPort), 10)
	b = append(b, `,"client_mac":`...)
	if a.HasClientMAC {
		b = append(b, '"')
		b = appendMAC(b, a.ClientMAC)
		b = append(b, '"')
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"psn":"`...)
	b = a.PSN.AppendTo(b)
	b = append(b, `","port":`...)
	b = strconv.AppendUint(b, uint64(a.Port), 10)
	b = append(b, `,"outcome":"`...)
	b = append(b, a.Outcome.String()...)
	b = append(b, `","syn_seen":`...)
	b = strconv.AppendBool(b, a.SYNSeen)
	b = append(b, `,"inferred":`...)
	b = strconv.AppendBool(b, a.Inferred)
	b = append(b, `,"late":`...)
	b = strconv.AppendBool(b, a.Late)
	b = append(b, `,"syns":`...)
	b = strconv.AppendInt(b, int64(a.SYNs), 10)
	b = append(b, `,"incomplete":`...)
	b = strconv.AppendBool(b, a.Incomplete)
	b = append(b, `,"first_seen":"`...)
	b = appendTime(b, a.FirstSeen, days)
	b = append(b, `","answered_at":`...)
	if a.AnsweredAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = appendTime(b, a.AnsweredAt, days)
		b = append(b, '"')
	}
	b = append(b, `,"rtt_seconds":`...)
	if rtt, ok := a.RTT(); ok {
		b = strconv.AppendFloat(b, rtt.Seconds(), 'f', -1, 64)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"vlans":[`...)
	for i, v := range a.VLANs[:a.NumVLANs] {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	b = append(b, `],"interface":`...)
	b = appendJSONString(b, a.Interface)
	b = append(b, `,"icmp":`...)
	if a.HasICMP {
		v6 := a.Client.Is6() && !a.Client.Is4In6()
		b = append(b, `{"type":`...)
		b = strconv.AppendUint(b, uint64(a.ICMPType), 10)
		b = append(b, `,"code":`...)
		b = strconv.AppendUint(b, uint64(a.ICMPCode), 10)
		b = append(b, `,"from":"`...)
		b = a.ICMPFrom.AppendTo(b)
		b = append(b, `","meaning":`...)
		b = appendJSONString(b, ICMPMeaning(v6, a.ICMPCode))
		b = append(b, `,"acl":`...)
		b = strconv.AppendBool(b, ICMPIsACL(v6, a.ICMPCode))
		b = append(b, '}')
	} else {
		b = append(b, "null"...)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			// Rare (interface names are plain ASCII): let encoding/json do
			// the escaping and the invalid UTF-8, leaving <, > and & as
			// they are, as the plain path does.
			var q bytes.Buffer
			enc := json.NewEncoder(&q)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(q.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMAC(b []byte, m [6]byte) []byte {
	const hexdigits = "0123456789abcdef"
	for i, x := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexdigits[x>>4], hexdigits[x&0xf])
	}
	return b
}

func formatMAC(m [6]byte) string { return string(appendMAC(make([]byte, 0, 17), m)) }
