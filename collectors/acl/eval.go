package acl

import "encoding/binary"

// rule is an entry laid out for the IPv6 evaluation loop: the conditions
// every packet is tested against first (protocol, addresses, one
// destination port range, established) inline, the rest behind the entry's
// cond. A remark gets an address no packet has (mask 0, addr 1), so the
// loop needs no separate test for it.
type rule struct {
	srcAddr, srcMask [2]uint64
	dstAddr, dstMask [2]uint64
	dstLo, dstHi     uint16
	proto, protoMask uint8
	bits             uint8
}

// rule4 is the same for IPv4 in 24 bytes, so a 100-entry list fits in a
// few cache lines.
type rule4 struct {
	srcAddr, srcMask uint32
	dstAddr, dstMask uint32
	dstLo, dstHi     uint16
	proto, protoMask uint8
	bits             uint8
}

// Rule bits.
const (
	// ruleFast: the inline conditions decide the entry; otherwise a
	// packet that passes them goes through the full three-valued match.
	ruleFast uint8 = 1 << iota
	ruleEstablished
)

func compileRule(e *Entry) rule {
	c := &e.cond
	r := rule{dstLo: 0, dstHi: 65535}
	if e.Action == Remark {
		r.dstAddr[1] = 1
		return r
	}
	if c.whole != "" {
		return r
	}
	if !c.protoAny && c.protoUnknown == "" {
		r.proto, r.protoMask = c.proto, 0xff
	}
	r.srcAddr, r.srcMask = c.src.addr, c.src.mask
	r.dstAddr, r.dstMask = c.dst.addr, c.dst.mask
	if c.established {
		r.bits |= ruleEstablished
	}
	fast := (e.Action == Permit || e.Action == Deny) && c.protoUnknown == "" &&
		c.src.unknown == "" && c.dst.unknown == "" && c.unknown == "" &&
		!c.fragments && !c.ttl.present && c.tosMask == 0 && !c.tosNever && !c.inactive &&
		!c.hasICMP && c.allMask == 0 && c.anyMask == 0 && !c.srcPorts.present
	if c.dstPorts.present {
		d := &c.dstPorts
		switch {
		case d.in != yes || d.out != no || len(d.ranges) > 1:
			fast = false
		case len(d.ranges) == 0:
			r.dstLo, r.dstHi = 1, 0 // matches no port
		default:
			r.dstLo, r.dstHi = d.ranges[0].lo, d.ranges[0].hi
		}
	}
	if fast {
		r.bits |= ruleFast
	}
	return r
}

func (r *rule) narrow() rule4 {
	return rule4{
		srcAddr: uint32(r.srcAddr[1]), srcMask: uint32(r.srcMask[1]),
		dstAddr: uint32(r.dstAddr[1]), dstMask: uint32(r.dstMask[1]),
		dstLo: r.dstLo, dstHi: r.dstHi, proto: r.proto, protoMask: r.protoMask, bits: r.bits,
	}
}

// Reasons of results that no entry decided; constants so that Evaluate
// does not allocate.
const (
	reasonImplicit   = "no entry matches: implicit deny at the end of the list"
	reasonImplicitND = "no entry matches: IPv6 access lists implicitly permit neighbor discovery before the implicit deny"
	reasonFamily     = "the packet's addresses are not of the access list's family"
)

// Evaluate returns the verdict of the first entry that matches p, or the
// implicit deny. An entry that cannot be judged for p (object-group, FQDN,
// unknown keyword, parse error, an unknown source port against a partial
// source-port condition, ...) yields Unknown naming that entry as soon as
// the walk reaches it and its other conditions do not exclude p. An entry
// with a time-range applies as the listing showed it, "(active)" or
// "(inactive)" (this is a verdict for now; Result.TimeRange marks it), and
// is unknown when the listing did not say (a dACL text). Evaluate does not
// allocate.
func (a *ACL) Evaluate(p Packet) Result {
	switch a.Family {
	case IPv4:
		return a.evaluate4(&p)
	case IPv6:
		return a.evaluate6(&p)
	}
	return Result{Verdict: Unknown, Reason: reasonFamily}
}

func (a *ACL) evaluate4(p *Packet) Result {
	s, d := p.Src.Unmap(), p.Dst.Unmap()
	if !s.Is4() || !d.Is4() {
		return Result{Verdict: Unknown, Reason: reasonFamily}
	}
	s4, d4 := s.As4(), d.As4()
	src, dst := binary.BigEndian.Uint32(s4[:]), binary.BigEndian.Uint32(d4[:])
	proto, port, established := p.Proto, p.DstPort, p.Flags&(ACK|RST) != 0
	fastOK := !p.Fragment
	for i := range a.rules4 {
		r := &a.rules4[i]
		// Destination first: in a dACL it is what most entries differ in.
		if dst&r.dstMask != r.dstAddr || (proto^r.proto)&r.protoMask != 0 || src&r.srcMask != r.srcAddr {
			continue
		}
		if r.bits&ruleFast != 0 && fastOK {
			if port < r.dstLo || port > r.dstHi || (r.bits&ruleEstablished != 0 && !established) {
				continue
			}
			return decided(&a.Entries[i])
		}
		k := [2][2]uint64{{0, uint64(src)}, {0, uint64(dst)}}
		if res, done := full(&a.Entries[i], p, &k[0], &k[1]); done {
			return res
		}
	}
	return a.implicit(p)
}

func (a *ACL) evaluate6(p *Packet) Result {
	if !p.Src.Is6() || !p.Dst.Is6() {
		return Result{Verdict: Unknown, Reason: reasonFamily}
	}
	s16, d16 := p.Src.As16(), p.Dst.As16()
	src := [2]uint64{binary.BigEndian.Uint64(s16[:8]), binary.BigEndian.Uint64(s16[8:])}
	dst := [2]uint64{binary.BigEndian.Uint64(d16[:8]), binary.BigEndian.Uint64(d16[8:])}
	proto, port, established := p.Proto, p.DstPort, p.Flags&(ACK|RST) != 0
	fastOK := !p.Fragment
	for i := range a.rules {
		r := &a.rules[i]
		if dst[1]&r.dstMask[1] != r.dstAddr[1] || dst[0]&r.dstMask[0] != r.dstAddr[0] ||
			(proto^r.proto)&r.protoMask != 0 ||
			src[1]&r.srcMask[1] != r.srcAddr[1] || src[0]&r.srcMask[0] != r.srcAddr[0] {
			continue
		}
		if r.bits&ruleFast != 0 && fastOK {
			if port < r.dstLo || port > r.dstHi || (r.bits&ruleEstablished != 0 && !established) {
				continue
			}
			return decided(&a.Entries[i])
		}
		if res, done := full(&a.Entries[i], p, &src, &dst); done {
			return res
		}
	}
	return a.implicit(p)
}

// full runs the three-valued match of one entry and reports whether it
// ends the walk.
func full(e *Entry, p *Packet, src, dst *[2]uint64) (Result, bool) {
	switch t, why := e.cond.match(p, src, dst, e.Action); t {
	case yes:
		if e.Action == Permit || e.Action == Deny {
			return decided(e), true
		}
		return undecided(e, e.Unevaluable), true
	case maybe:
		return undecided(e, why), true
	}
	return Result{}, false
}

func decided(e *Entry) Result {
	v := Permitted
	if e.Action == Deny {
		v = Denied
	}
	return Result{Verdict: v, Entry: e, Seq: e.Seq, Text: e.text, TimeRange: e.TimeRange != ""}
}

func undecided(e *Entry, why string) Result {
	return Result{Verdict: Unknown, Entry: e, Seq: e.Seq, Text: e.text, Reason: why}
}

// implicit is the end of the list: IPv6 lists permit neighbor
// solicitations and advertisements before denying everything.
func (a *ACL) implicit(p *Packet) Result {
	if a.Family == IPv6 {
		if p.Proto == protoICMPv6 && !p.Fragment && (p.ICMPType == 135 || p.ICMPType == 136) {
			text := "permit icmp any any nd-ns"
			if p.ICMPType == 136 {
				text = "permit icmp any any nd-na"
			}
			return Result{Verdict: Permitted, Text: text, Implicit: true, Reason: reasonImplicitND}
		}
		return Result{Verdict: Denied, Text: "deny ipv6 any any", Implicit: true, Reason: reasonImplicit}
	}
	text := "deny ip any any"
	switch a.Kind {
	case Standard:
		text = "deny any"
	case RoleBased:
		text = "deny ip"
	}
	return Result{Verdict: Denied, Text: text, Implicit: true, Reason: reasonImplicit}
}
