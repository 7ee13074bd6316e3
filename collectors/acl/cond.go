package acl

// tri is a three-valued match: an entry matches a packet, does not, or
// cannot be known to (object-group, unknown keyword, unknown packet field).
type tri uint8

const (
	no tri = iota
	yes
	maybe
)

// addrMatch is an address condition: the bits set in mask must equal addr.
// IPv4 uses only word 1; "any" is an all-zero mask. An object-group or FQDN
// has a zero mask and a reason, so it stays undecidable for every address.
type addrMatch struct {
	addr, mask [2]uint64
	unknown    string
}

func (a *addrMatch) match(k *[2]uint64) (tri, string) {
	if k[0]&a.mask[0] != a.addr[0] || k[1]&a.mask[1] != a.addr[1] {
		return no, ""
	}
	if a.unknown != "" {
		return maybe, a.unknown
	}
	return yes, ""
}

// portRange is an inclusive range of ports (or TTL values).
type portRange struct{ lo, hi uint16 }

// portSet is a port (or TTL) condition: ports inside ranges give in, the
// others out. A condition with unresolved names trades a certain answer for
// maybe on the side the unknown name could change.
type portSet struct {
	present bool
	ranges  []portRange
	in, out tri
	// eph is the answer for an unknown ephemeral source port, computed at
	// compile time from how ranges cover EphemeralLow..EphemeralHigh.
	eph    tri
	reason string
}

func (s *portSet) contains(p uint16) bool {
	for _, r := range s.ranges {
		if p >= r.lo && p <= r.hi {
			return true
		}
	}
	return false
}

func (s *portSet) match(p uint16) (tri, string) {
	t := s.out
	if s.contains(p) {
		t = s.in
	}
	if t == maybe {
		return maybe, s.reason
	}
	return t, ""
}

// coverage reports whether ranges cover all, none or part of lo..hi.
func (s *portSet) coverage(lo, hi uint16) tri {
	covered := 0
	for _, r := range s.ranges {
		a, b := max(r.lo, lo), min(r.hi, hi)
		if a <= b {
			covered += int(b) - int(a) + 1
		}
	}
	switch {
	case covered == 0:
		return no
	case covered == int(hi)-int(lo)+1:
		return yes
	}
	return maybe
}

// finish normalises ranges and computes eph.
func (s *portSet) finish() {
	s.ranges = mergeRanges(s.ranges)
	switch s.coverage(EphemeralLow, EphemeralHigh) {
	case yes:
		s.eph = s.in
	case no:
		s.eph = s.out
	default:
		s.eph = s.in
		if s.in != s.out {
			s.eph = maybe
		}
	}
}

// mergeRanges sorts and merges overlapping or adjacent ranges so that
// coverage never counts a port twice.
func mergeRanges(rs []portRange) []portRange {
	if len(rs) < 2 {
		return rs
	}
	sorted := append([]portRange(nil), rs...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].lo < sorted[j-1].lo; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	out := sorted[:1]
	for _, r := range sorted[1:] {
		last := &out[len(out)-1]
		if uint32(r.lo) <= uint32(last.hi)+1 {
			last.hi = max(last.hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return out
}

// complement returns the ports 0..65535 not in rs (rs merged and sorted).
func complement(rs []portRange) []portRange {
	var out []portRange
	next := uint32(0)
	for _, r := range rs {
		if uint32(r.lo) > next {
			out = append(out, portRange{uint16(next), r.lo - 1})
		}
		next = uint32(r.hi) + 1
	}
	if next <= 65535 {
		out = append(out, portRange{uint16(next), 65535})
	}
	return out
}

// cond is everything an entry requires of a packet. Conditions are a
// conjunction: any certain "no" excludes the packet, even when another
// condition is undecidable.
type cond struct {
	// whole, when set, makes the entry undecidable as a whole (parse
	// error, "evaluate", "dynamic"): nothing else is known.
	whole string

	protoAny     bool
	proto        uint8
	protoUnknown string

	src, dst           addrMatch
	srcPorts, dstPorts portSet

	established      bool
	allMask, allBits uint8 // flags&allMask == allBits
	anyMask, anyBits uint8 // match-any: one listed bit has its listed value

	fragments bool
	// l4 marks conditions a non-initial fragment cannot be checked
	// against (ports, flags, ICMP type).
	l4 bool

	hasICMP bool
	icmp    icmpMessage

	tosMask, tosBits uint8
	tosNever         bool
	ttl              portSet

	// inactive marks an entry whose time-range the switch showed as
	// inactive: it matches nothing now.
	inactive bool

	// unknown is the first condition this package cannot judge for any
	// packet (IP options, IPv6 extension headers, IGMP type, unknown
	// keyword); unknown port names live in their portSet.
	unknown string
}

// Reasons for packet-dependent undecidability; constants so that Evaluate
// does not allocate.
const (
	reasonEphemeral = "the packet's source port is unknown (0) and the entry's source port condition covers only part of the ephemeral ports 1024-65535"
	reasonTTL       = "the packet's TTL is unknown (0) and the entry matches on ttl"
)

// verdictAcc accumulates a conjunction of three-valued conditions and keeps
// the reason of the first undecidable one.
type verdictAcc struct {
	res tri
	why string
}

// add folds t into the conjunction and reports whether it can still match.
func (a *verdictAcc) add(t tri, reason string) bool {
	if t == no {
		return false
	}
	if t == maybe && a.res == yes {
		a.res, a.why = maybe, reason
	}
	return true
}

// match is the reference three-valued match of c against a packet whose
// addresses are already in key form. act matters for non-initial fragments,
// where IOS lets a permit with layer-4 conditions match on layer 3 alone
// and skips a deny with layer-4 conditions.
func (c *cond) match(p *Packet, src, dst *[2]uint64, act Action) (tri, string) {
	if c.whole != "" {
		return maybe, c.whole
	}
	if c.inactive {
		return no, ""
	}
	a := verdictAcc{res: yes}
	if !c.protoAny && c.protoUnknown == "" && p.Proto != c.proto {
		return no, ""
	}
	if c.protoUnknown != "" {
		a.add(maybe, c.protoUnknown)
	}
	if !a.add(c.src.match(src)) || !a.add(c.dst.match(dst)) {
		return no, ""
	}
	if c.tosNever || p.TOS&c.tosMask != c.tosBits {
		return no, ""
	}
	if c.ttl.present {
		if p.TTL == 0 {
			a.add(maybe, reasonTTL)
		} else if !a.add(c.ttl.match(uint16(p.TTL))) {
			return no, ""
		}
	}
	if p.Fragment {
		if !c.fragments && c.l4 && act != Permit {
			return no, ""
		}
	} else {
		if c.fragments {
			return no, ""
		}
		if !c.matchL4(p, &a) {
			return no, ""
		}
	}
	if c.unknown != "" {
		a.add(maybe, c.unknown)
	}
	return a.res, a.why
}

// matchL4 checks the conditions only an initial fragment or unfragmented
// packet carries.
func (c *cond) matchL4(p *Packet, a *verdictAcc) bool {
	if c.srcPorts.present {
		if p.SrcPort == 0 {
			why := c.srcPorts.reason
			if why == "" {
				why = reasonEphemeral
			}
			if !a.add(c.srcPorts.eph, why) {
				return false
			}
		} else if !a.add(c.srcPorts.match(p.SrcPort)) {
			return false
		}
	}
	if c.dstPorts.present && !a.add(c.dstPorts.match(p.DstPort)) {
		return false
	}
	if c.established && p.Flags&(ACK|RST) == 0 {
		return false
	}
	if p.Flags&c.allMask != c.allBits {
		return false
	}
	if c.anyMask != 0 && ^(p.Flags^c.anyBits)&c.anyMask == 0 {
		return false
	}
	if c.hasICMP && !c.icmp.matches(p.ICMPType, p.ICMPCode) {
		return false
	}
	return true
}
