package acl

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

// randomEntry writes a valid entry from a small grammar whose addresses,
// ports and flags collide often with randomPacket's.
func randomEntry(r *rand.Rand, fam Family) string {
	var b strings.Builder
	b.WriteString([]string{"permit", "deny"}[r.IntN(2)])
	protos := []string{"tcp", "tcp", "udp", "ip", "icmp", "6", "17", "gre"}
	if fam == IPv6 {
		protos[3] = "ipv6"
	}
	proto := protos[r.IntN(len(protos))]
	fmt.Fprintf(&b, " %s", proto)
	addr := func() string {
		if fam == IPv6 {
			switch r.IntN(4) {
			case 0:
				return "any"
			case 1:
				return fmt.Sprintf("host 2001:db8::%x", r.IntN(4))
			case 2:
				return fmt.Sprintf("2001:db8::%x/%d", r.IntN(4), 124+r.IntN(5))
			}
			return "object-group G"
		}
		switch r.IntN(6) {
		case 0:
			return "any"
		case 1, 2:
			return fmt.Sprintf("host 10.0.0.%d", r.IntN(4))
		case 3:
			return fmt.Sprintf("10.0.0.%d 0.0.0.%d", r.IntN(4), r.IntN(4))
		case 4:
			return "10.0.0.1 0.0.255.254"
		}
		return "object-group G"
	}
	ports := func(src bool) string {
		if proto != "tcp" && proto != "udp" || r.IntN(2) == 0 {
			return ""
		}
		p := func() int {
			if src && r.IntN(2) == 0 {
				return 1024 + r.IntN(3)*20000
			}
			return 8448 + r.IntN(3)
		}
		switch r.IntN(6) {
		case 0:
			return fmt.Sprintf(" eq %d %d", p(), p())
		case 1:
			return fmt.Sprintf(" neq %d", p())
		case 2:
			return fmt.Sprintf(" lt %d", p())
		case 3:
			return fmt.Sprintf(" gt %d", p())
		case 4:
			lo := p()
			return fmt.Sprintf(" range %d %d", lo, lo+r.IntN(3))
		}
		return " eq ssh 8449"
	}
	fmt.Fprintf(&b, " %s%s %s%s", addr(), ports(true), addr(), ports(false))
	if proto == "icmp" && r.IntN(2) == 0 {
		fmt.Fprintf(&b, " %d", r.IntN(3))
	}
	opts := []string{"log", "fragments", "dscp ef", "ttl lt 64", "time-range T", "option 7"}
	if proto == "tcp" {
		opts = append(opts, "established", "syn", "match-any +syn -ack", "match-all +ack -fin")
	}
	for _, i := range r.Perm(len(opts))[:r.IntN(3)] {
		fmt.Fprintf(&b, " %s", opts[i])
	}
	return b.String()
}

func randomPacket(r *rand.Rand, fam Family) Packet {
	p := Packet{
		Proto:   []uint8{6, 6, 17, 1, 47}[r.IntN(5)],
		SrcPort: []uint16{0, 1024, 21024, 41024, 8449}[r.IntN(5)],
		DstPort: uint16(8447 + r.IntN(5)),
		Flags:   []uint8{SYN, ACK, SYN | ACK, RST, FIN | ACK}[r.IntN(5)],
		TOS:     []uint8{0, 46 << 2}[r.IntN(2)],
		TTL:     []uint8{0, 5, 128}[r.IntN(3)],
	}
	p.Fragment = r.IntN(8) == 0
	p.ICMPType = uint8(r.IntN(3))
	if fam == IPv6 {
		p.Src = netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", r.IntN(20)))
		p.Dst = netip.MustParseAddr(fmt.Sprintf("2001:db8::%x", r.IntN(20)))
	} else {
		p.Src = netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(3)), byte(r.IntN(8))})
		p.Dst = netip.AddrFrom4([4]byte{10, 0, byte(r.IntN(3)), byte(r.IntN(8))})
	}
	return p
}

// TestEvaluateMatchesReference compares the compiled fast path with the
// plain three-valued walk on generated lists and packets.
func TestEvaluateMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	for range 3000 {
		fam := []Family{IPv4, IPv6}[r.IntN(2)]
		var lines []Line
		for i := range 1 + r.IntN(8) {
			lines = append(lines, Line{Seq: 10 * (i + 1), Text: randomEntry(r, fam)})
		}
		a, errs := Compile("random", fam, Extended, lines)
		if len(errs) != 0 {
			t.Fatalf("generated entry does not parse: %v", errs)
		}
		for range 50 {
			p := randomPacket(r, fam)
			got := a.Evaluate(p)
			verdict, entry, reason, implicit := reference(a, p)
			if got.Implicit != implicit || (!implicit && (got.Verdict != verdict || got.Entry != entry || (verdict == Unknown && got.Reason != reason))) {
				t.Fatalf("list\n%v\npacket %+v\nEvaluate %v seq %d %q\nreference %v %v %q implicit %v", lines, p, got.Verdict, got.Seq, got.Reason, verdict, entry, reason, implicit)
			}
			switch {
			case got.Implicit:
				counts["implicit"]++
			default:
				counts[got.Verdict.String()]++
			}
		}
	}
	// The generator must exercise every outcome, or the comparison says
	// little.
	t.Logf("outcomes: %v", counts)
	for _, k := range []string{"permit", "deny", "unknown", "implicit"} {
		if counts[k] < 1000 {
			t.Errorf("only %d %s results in %v", counts[k], k, counts)
		}
	}
}
