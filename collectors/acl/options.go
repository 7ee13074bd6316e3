package acl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// isOptionKeyword reports whether t is a keyword that may follow the
// destination, which ends a destination port list.
func isOptionKeyword(t string) bool {
	switch t {
	case "log", "log-input", "time-range", "established", "match-any", "match-all",
		"fragments", "dscp", "precedence", "tos", "ttl", "option", "reflect", "sequence":
		return true
	}
	if _, ok := tcpFlagNames[t]; ok {
		return true
	}
	if _, ok := ipv6HeaderKeywords[t]; ok {
		return true
	}
	return strings.HasPrefix(t, "(")
}

// messageType parses the ICMP message (type [code] or name) or IGMP type
// that may follow the destination.
func (p *entryParser) messageType() error {
	if !p.more() {
		return nil
	}
	t := p.peek()
	switch {
	case p.proto == int(protoICMP) && p.fam == IPv4, p.proto == int(protoICMPv6) && p.fam == IPv6:
		names := icmpNames
		if p.fam == IPv6 {
			names = icmpv6Names
		}
		if m, ok := names[t]; ok {
			p.pos++
			p.emit(t)
			p.c.hasICMP, p.c.icmp, p.c.l4 = true, m, true
			return nil
		}
		if !isDigits(t) {
			return nil
		}
		typ, err := strconv.ParseUint(t, 10, 8)
		if err != nil {
			return fmt.Errorf("ICMP type %q is not 0-255", t)
		}
		p.pos++
		p.emit(strconv.FormatUint(typ, 10))
		m := icmpType(uint8(typ))
		if isDigits(p.peek()) {
			code, err := strconv.ParseUint(p.peek(), 10, 8)
			if err != nil {
				return fmt.Errorf("ICMP code %q is not 0-255", p.peek())
			}
			p.pos++
			p.emit(strconv.FormatUint(code, 10))
			m = icmpTypeCode(uint8(typ), uint8(code))
		}
		p.c.hasICMP, p.c.icmp, p.c.l4 = true, m, true
	case p.proto == int(protoIGMP) && p.fam == IPv4:
		if igmpNames[t] || isDigits(t) {
			p.pos++
			p.emit(t)
			p.c.l4 = true
			p.unresolved("IGMP message type " + t + " is not described by a Packet")
		}
	}
	return nil
}

// options parses the keywords after the addresses, ports and message type.
func (p *entryParser) options() error {
	for p.more() {
		t := p.peek()
		raw := p.toks[p.pos]
		p.pos++
		switch {
		case t == "log" || t == "log-input":
			p.emit(t)
			if !p.more() {
				continue
			}
			next := p.peek()
			if strings.HasPrefix(next, "(tag = ") {
				p.emit(p.toks[p.pos])
				p.pos++
			} else if !isLogFollower(next) {
				// IOS takes the word after log as a user cookie; it
				// shows it as "(tag = WORD)" (even "established").
				p.emit("(tag = " + p.toks[p.pos] + ")")
				p.pos++
			}
		case t == "time-range":
			name, err := p.word("time-range name")
			if err != nil {
				return err
			}
			p.e.TimeRange = name
			p.emit(t, name)
			// The switch prints whether the time-range is active now; the
			// entry applies only while it is. Without that (a dACL text)
			// the verdict would be a guess.
			switch st := p.peek(); st {
			case "(active)", "(inactive)":
				p.e.TimeRangeState = strings.Trim(st, "()")
				p.c.inactive = st == "(inactive)"
				p.emit(st) // kept: the canonical text must judge the same
				p.pos++
			default:
				p.unresolved(fmt.Sprintf("time-range %s: whether it is active now is not known (the switch prints (active) or (inactive))", name))
			}
		case t == "established":
			if err := p.needTCP(t); err != nil {
				return err
			}
			p.c.established, p.c.l4 = true, true
			p.emit(t)
		case tcpFlagNames[t] != 0:
			if err := p.needTCP(t); err != nil {
				return err
			}
			p.c.allMask |= tcpFlagNames[t]
			p.c.allBits |= tcpFlagNames[t]
			p.c.l4 = true
			p.emit(t)
		case t == "match-any" || t == "match-all":
			if err := p.needTCP(t); err != nil {
				return err
			}
			if err := p.flagMatch(t); err != nil {
				return err
			}
		case t == "fragments":
			p.c.fragments = true
			p.emit(t)
		case t == "dscp" || t == "precedence" || t == "tos":
			if err := p.tos(t); err != nil {
				return err
			}
		case t == "ttl":
			if err := p.ttl(); err != nil {
				return err
			}
		case t == "option":
			v, err := p.word("IP option")
			if err != nil {
				return err
			}
			v = strings.ToLower(v)
			p.emit(t, v)
			p.unresolved("option " + v + " matches IP options, which a Packet does not describe")
		case t == "reflect":
			name, err := p.word("reflexive access list name")
			if err != nil {
				return err
			}
			p.emit(t, name)
			if p.peek() == "timeout" {
				p.pos++
				secs, err := p.word("reflect timeout")
				if err != nil {
					return err
				}
				if !isDigits(secs) {
					return fmt.Errorf("reflect timeout %q is not a number", secs)
				}
				p.emit("timeout", secs)
			}
		case p.fam == IPv6 && ipv6HeaderKeywordKnown(t):
			p.emit(t)
			if ipv6HeaderKeywords[t] {
				v, err := p.word(t + " value")
				if err != nil {
					return err
				}
				p.emit(v)
			}
			p.unresolved(t + " matches IPv6 extension headers or flow labels, which a Packet does not describe")
		default:
			// The rest may be arguments of the unknown keyword; keep it
			// verbatim and let the keyword make the entry undecidable.
			p.emit(raw)
			p.out = append(p.out, p.toks[p.pos:]...)
			p.pos = len(p.toks)
			why := fmt.Sprintf("unknown keyword %q", raw)
			p.unresolved(why)
			p.unknown = append(p.unknown, why)
		}
	}
	return nil
}

func ipv6HeaderKeywordKnown(t string) bool {
	_, ok := ipv6HeaderKeywords[t]
	return ok
}

// isLogFollower reports whether t after log is a keyword rather than the
// log cookie.
func isLogFollower(t string) bool {
	switch t {
	case "log", "log-input", "time-range", "sequence", "fragments", "option",
		"dscp", "precedence", "tos", "ttl", "reflect":
		return true
	}
	return ipv6HeaderKeywordKnown(t)
}

func (p *entryParser) needTCP(keyword string) error {
	if p.proto == int(protoTCP) || p.proto == protoUnresolved {
		return nil
	}
	return fmt.Errorf("%s applies only to tcp", keyword)
}

// flagMatch parses "match-any|match-all +flag -flag ...".
func (p *entryParser) flagMatch(mode string) error {
	p.emit(mode)
	var mask, bits uint8
	for p.more() {
		t := p.peek()
		if len(t) < 2 || (t[0] != '+' && t[0] != '-') {
			break
		}
		bit := tcpFlagNames[t[1:]]
		if bit == 0 {
			return fmt.Errorf("%q is not a TCP flag", p.toks[p.pos])
		}
		if mask&bit != 0 {
			return fmt.Errorf("TCP flag %s listed twice", t[1:])
		}
		mask |= bit
		if t[0] == '+' {
			bits |= bit
		}
		p.emit(t)
		p.pos++
	}
	if mask == 0 {
		return fmt.Errorf("%s needs at least one +flag or -flag", mode)
	}
	p.c.l4 = true
	if mode == "match-all" {
		if (p.c.allBits^bits)&(p.c.allMask&mask) != 0 {
			return fmt.Errorf("%s contradicts the flags before it", mode)
		}
		p.c.allMask |= mask
		p.c.allBits |= bits
		return nil
	}
	if p.c.anyMask != 0 {
		return errors.New("match-any given twice")
	}
	p.c.anyMask, p.c.anyBits = mask, bits
	return nil
}

// tos parses dscp, precedence and tos values into one TOS-byte condition.
func (p *entryParser) tos(kw string) error {
	v, err := p.word(kw + " value")
	if err != nil {
		return err
	}
	lv := strings.ToLower(v)
	var names map[string]uint8
	var limit uint64
	var shift, width uint8
	switch kw {
	case "dscp":
		names, limit, shift, width = dscpNames, 63, 2, 6
	case "precedence":
		names, limit, shift, width = precedenceNames, 7, 5, 3
	default:
		names, limit, shift, width = tosNames, 15, 1, 4
	}
	n, ok := names[lv]
	if !ok {
		u, err := strconv.ParseUint(lv, 10, 8)
		if err != nil || u > limit {
			return fmt.Errorf("%s value %q is not a name or 0-%d", kw, v, limit)
		}
		n = uint8(u)
		lv = strconv.FormatUint(u, 10)
	}
	p.emit(kw, lv)
	mask := uint8((1<<width)-1) << shift
	bits := n << shift
	if (p.c.tosBits^bits)&(p.c.tosMask&mask) != 0 {
		p.c.tosNever = true
	}
	p.c.tosMask |= mask
	p.c.tosBits |= bits & mask
	return nil
}

// ttl parses "ttl OP VALUE [VALUE]".
func (p *entryParser) ttl() error {
	op, err := p.word("ttl operator")
	if err != nil {
		return err
	}
	op = strings.ToLower(op)
	if !isPortOp(op) {
		return fmt.Errorf("ttl operator %q is not eq, neq, lt, gt or range", op)
	}
	n := 1
	if op == "range" {
		n = 2
	}
	p.emit("ttl", op)
	var v [2]uint16
	for i := 0; i < n; i++ {
		s, err := p.word("ttl value")
		if err != nil {
			return err
		}
		u, err := strconv.ParseUint(s, 10, 8)
		if err != nil {
			return fmt.Errorf("ttl value %q is not 0-255", s)
		}
		v[i] = uint16(u)
		p.emit(strconv.FormatUint(u, 10))
	}
	s := portSet{present: true, in: yes, out: no}
	switch op {
	case "eq":
		s.ranges = []portRange{{v[0], v[0]}}
	case "neq":
		s.ranges = complement([]portRange{{v[0], v[0]}})
	case "lt":
		if v[0] > 0 {
			s.ranges = []portRange{{0, v[0] - 1}}
		}
	case "gt":
		s.ranges = []portRange{{v[0] + 1, 65535}}
	case "range":
		if v[0] > v[1] {
			return fmt.Errorf("ttl range %d %d is empty", v[0], v[1])
		}
		s.ranges = []portRange{{v[0], v[1]}}
	}
	s.finish()
	p.c.ttl = s
	return nil
}
