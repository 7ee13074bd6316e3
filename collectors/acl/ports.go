package acl

import (
	"fmt"
	"strconv"
	"strings"
)

// isPortOp reports whether t starts a port condition.
func isPortOp(t string) bool {
	switch t {
	case "eq", "neq", "lt", "gt", "range":
		return true
	}
	return false
}

// isAddressStart reports whether t can begin an address, which ends a
// source port list.
func isAddressStart(t string) bool {
	switch t {
	case "any", "host", "object-group", "addrgroup":
		return true
	}
	return strings.ContainsAny(t, ".:/")
}

// isPortWord reports whether t could be a port name IOS knows and this
// package does not.
func isPortWord(t string) bool {
	if t == "" || t[0] == '+' || t[0] == '-' || t[0] == '(' {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// portValue resolves a port number or name. Names come from both tables
// whatever the protocol: real IOS output prints "tcp ... eq snmp" and
// "udp ... eq www", and every name means the same number in both tables.
func (p *entryParser) portValue(t string) (uint16, string, bool, error) {
	if isDigits(t) {
		n, err := strconv.ParseUint(t, 10, 16)
		if err != nil {
			return 0, "", false, fmt.Errorf("port %q is not 0-65535", t)
		}
		return uint16(n), strconv.FormatUint(n, 10), true, nil
	}
	if v, ok := tcpPorts[t]; ok {
		return v, t, true, nil
	}
	v, ok := udpPorts[t]
	return v, t, ok, nil
}

// ports parses an optional port condition. dst says whether it follows the
// destination, where an unknown word could be a port name or a keyword.
func (p *entryParser) ports(dst bool) (portSet, error) {
	op := p.peek()
	if !isPortOp(op) {
		return portSet{}, nil
	}
	switch p.proto {
	case int(protoTCP), int(protoUDP), int(protoSCTP), protoUnresolved:
	default:
		return portSet{}, fmt.Errorf("port operator %q needs tcp, udp or sctp", op)
	}
	p.pos++
	p.emit(op)
	s := portSet{present: true, in: yes, out: no}
	var values []uint16
	var unknown []string
	one := func() error {
		t, err := p.word("port after " + op)
		if err != nil {
			return err
		}
		v, canon, ok, err := p.portValue(strings.ToLower(t))
		if err != nil {
			return err
		}
		if !ok {
			if !isPortWord(strings.ToLower(t)) {
				return fmt.Errorf("%q is not a port", t)
			}
			unknown = append(unknown, t)
			p.emit(t)
			return nil
		}
		values = append(values, v)
		p.emit(canon)
		return nil
	}
	switch op {
	case "eq", "neq":
		if err := one(); err != nil {
			return portSet{}, err
		}
		for p.more() {
			t := p.peek()
			if _, _, ok, err := p.portValue(t); err != nil {
				return portSet{}, err
			} else if !ok {
				if endsPortList(t, dst) {
					break
				}
			}
			if err := one(); err != nil {
				return portSet{}, err
			}
		}
	case "lt", "gt":
		if err := one(); err != nil {
			return portSet{}, err
		}
	case "range":
		if err := one(); err != nil {
			return portSet{}, err
		}
		if err := one(); err != nil {
			return portSet{}, err
		}
	}
	if len(unknown) > 0 {
		s.reason = fmt.Sprintf("port name %s is not an IOS keyword this package knows", strings.Join(unknown, ", "))
		if dst {
			s.reason = fmt.Sprintf("%s after the destination port is neither a port name nor a keyword this package knows", strings.Join(unknown, ", "))
		}
		p.reasons = append(p.reasons, s.reason)
		p.unknown = append(p.unknown, s.reason)
	}
	switch op {
	case "eq":
		for _, v := range values {
			s.ranges = append(s.ranges, portRange{v, v})
		}
		if len(unknown) > 0 {
			// An unknown name may be another port (source side) or,
			// after the destination, a keyword that narrows the entry.
			s.out = maybe
			if dst {
				s.in = maybe
			}
		}
	case "neq":
		for _, v := range values {
			s.ranges = append(s.ranges, portRange{v, v})
		}
		s.ranges = complement(mergeRanges(s.ranges))
		if len(unknown) > 0 {
			s.in = maybe
		}
	case "lt", "gt", "range":
		if len(unknown) > 0 {
			s.ranges = []portRange{{0, 65535}}
			s.in = maybe
			break
		}
		switch {
		case op == "lt" && values[0] > 0:
			s.ranges = []portRange{{0, values[0] - 1}}
		case op == "gt" && values[0] < 65535:
			s.ranges = []portRange{{values[0] + 1, 65535}}
		case op == "range":
			if values[0] > values[1] {
				return portSet{}, fmt.Errorf("range %d %d is empty", values[0], values[1])
			}
			s.ranges = []portRange{{values[0], values[1]}}
		}
	}
	s.finish()
	return s, nil
}

// endsPortList reports whether t, which is no port IOS knows, ends an eq or
// neq list rather than being an unknown port name.
func endsPortList(t string, dst bool) bool {
	if !isPortWord(t) || isPortOp(t) || t == "src" || t == "dst" {
		return true
	}
	if dst {
		return isOptionKeyword(t)
	}
	return isAddressStart(t)
}
