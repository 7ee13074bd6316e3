package acl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// maxEntryTokens bounds the work on one hostile line; no real entry comes
// near it.
const maxEntryTokens = 512

// ParseEntry parses one entry text (without sequence number, as a listing
// shows it or as ISE stores a dACL line) of an ACL of the given family and
// kind. A text IOS would not accept returns an error and an entry that
// stays undecidable for every packet, so no verdict can skip it.
func ParseEntry(family Family, kind Kind, text string) (Entry, error) {
	p := entryParser{fam: family, kind: kind}
	err := p.parse(text)
	e := p.e
	if err != nil {
		e.cond = cond{whole: "the entry could not be parsed: " + err.Error()}
		e.Unevaluable = e.cond.whole
		e.text = strings.Join(p.toks, " ")
		return e, err
	}
	e.Unevaluable = strings.Join(p.reasons, "; ")
	return e, nil
}

// entryParser walks the tokens of one entry and builds its conditions and
// its canonical text side by side.
type entryParser struct {
	fam  Family
	kind Kind

	toks []string // original spelling
	low  []string // lower case, for keywords
	pos  int
	out  []string

	e Entry
	c *cond

	// proto is the protocol number, protoAny, or -2 when unresolved.
	proto   int
	reasons []string
}

const protoUnresolved = -2

var errEmpty = errors.New("empty entry")

func (p *entryParser) parse(text string) error {
	p.c = &p.e.cond
	p.toks = tokenize(text)
	if len(p.toks) > maxEntryTokens {
		return fmt.Errorf("entry has %d words, more than %d", len(p.toks), maxEntryTokens)
	}
	p.low = make([]string, len(p.toks))
	for i, t := range p.toks {
		p.low[i] = strings.ToLower(t)
	}
	if err := p.sequence(); err != nil {
		return err
	}
	if len(p.toks) == 0 {
		return errEmpty
	}
	if p.fam != IPv4 && p.fam != IPv6 {
		return fmt.Errorf("unknown address family %d", uint8(p.fam))
	}
	switch p.kind {
	case Extended, RoleBased:
	case Standard:
		if p.fam == IPv6 {
			return errors.New("IPv6 access lists have no standard form")
		}
	default:
		return fmt.Errorf("unknown access list kind %d", uint8(p.kind))
	}
	defer func() { p.e.text = strings.Join(p.out, " ") }()

	switch p.low[0] {
	case "remark":
		p.e.Action = Remark
		p.out = append([]string{"remark"}, p.toks[1:]...)
		return nil
	case "evaluate":
		p.e.Action = Evaluate
		p.out = append(p.out, p.toks...)
		if len(p.toks) != 2 {
			return errors.New("evaluate needs exactly one reflexive access list name")
		}
		p.c.whole = "evaluate " + p.toks[1] + " nests a reflexive access list whose entries exist only at run time"
		p.reasons = append(p.reasons, p.c.whole)
		return nil
	case "dynamic":
		// Lock-and-key: the entry matches only once a user has
		// authenticated through telnet, which no output shows.
		p.out = append(p.out, p.toks...)
		for _, t := range p.low {
			if t == "permit" || t == "deny" {
				p.e.Action = actionOf(t)
				break
			}
		}
		p.c.whole = "dynamic (lock-and-key) entry matches only after a user authenticates"
		p.reasons = append(p.reasons, p.c.whole)
		return nil
	case "permit", "deny":
		p.e.Action = actionOf(p.low[0])
		p.emit(p.low[0])
		p.pos = 1
	default:
		return fmt.Errorf("entry starts with %q, not permit, deny or remark", p.toks[0])
	}

	var err error
	switch p.kind {
	case Standard:
		err = p.standard()
	case RoleBased:
		err = p.roleBased()
	default:
		err = p.extended()
	}
	// A non-initial fragment carries no ports, so IOS treats entries with
	// port conditions like those with flags (see cond.match).
	p.c.l4 = p.c.l4 || p.c.srcPorts.present || p.c.dstPorts.present
	return err
}

func actionOf(keyword string) Action {
	if keyword == "permit" {
		return Permit
	}
	return Deny
}

// tokenize splits an entry into words, drops match counters and keeps the
// parenthesised annotations IOS adds ("(active)", "(tag = X)") as one word.
func tokenize(text string) []string {
	f := strings.Fields(text)
	out := make([]string, 0, len(f))
	for i := 0; i < len(f); i++ {
		t := f[i]
		if strings.HasPrefix(t, "(") {
			end := -1
			for j := i; j < len(f) && j < i+4; j++ {
				if strings.HasSuffix(f[j], ")") {
					end = j
					break
				}
			}
			if end >= 0 {
				group := strings.Join(f[i:end+1], " ")
				if isCounter(group) {
					i = end
					continue
				}
				g := strings.ToLower(group)
				if g == "(active)" || g == "(inactive)" || strings.HasPrefix(g, "(tag = ") {
					out = append(out, group)
					i = end
					continue
				}
			}
		}
		out = append(out, t)
	}
	return out
}

// isCounter reports whether group is a match counter: "(1 match)",
// "(12 matches)".
func isCounter(group string) bool {
	n, rest, ok := strings.Cut(strings.TrimPrefix(group, "("), " ")
	if !ok || !isDigits(n) {
		return false
	}
	rest = strings.ToLower(rest)
	return rest == "match)" || rest == "matches)"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// sequence takes a leading "N" or "sequence N" and a trailing "sequence N"
// off the tokens and records the number.
func (p *entryParser) sequence() error {
	take := func(s string) error {
		n, err := strconv.ParseUint(s, 10, 31)
		if err != nil {
			return fmt.Errorf("bad sequence number %q", s)
		}
		p.e.Seq = int(n)
		return nil
	}
	if len(p.toks) >= 2 && isDigits(p.toks[0]) {
		if err := take(p.toks[0]); err != nil {
			return err
		}
		p.toks, p.low = p.toks[1:], p.low[1:]
	} else if len(p.toks) >= 3 && p.low[0] == "sequence" && isDigits(p.toks[1]) {
		if err := take(p.toks[1]); err != nil {
			return err
		}
		p.toks, p.low = p.toks[2:], p.low[2:]
	}
	if n := len(p.toks); n >= 3 && p.low[n-2] == "sequence" && isDigits(p.toks[n-1]) && p.low[0] != "remark" {
		if err := take(p.toks[n-1]); err != nil {
			return err
		}
		p.toks, p.low = p.toks[:n-2], p.low[:n-2]
		// A second one would become the end of the canonical text and be
		// taken for the sequence number when that text is read again.
		if n -= 2; n >= 2 && p.low[n-2] == "sequence" && isDigits(p.toks[n-1]) {
			return errors.New("sequence number given twice")
		}
	}
	return nil
}

func (p *entryParser) more() bool   { return p.pos < len(p.toks) }
func (p *entryParser) peek() string { return p.lowAt(p.pos) }
func (p *entryParser) lowAt(i int) string {
	if i < len(p.low) {
		return p.low[i]
	}
	return ""
}
func (p *entryParser) emit(words ...string) { p.out = append(p.out, words...) }

// word returns the next token in its original spelling, or an error naming
// what was expected.
func (p *entryParser) word(what string) (string, error) {
	if !p.more() {
		return "", fmt.Errorf("missing %s at the end", what)
	}
	t := p.toks[p.pos]
	p.pos++
	return t, nil
}

func (p *entryParser) unresolved(reason string) {
	if p.c.unknown == "" {
		p.c.unknown = reason
	}
	p.reasons = append(p.reasons, reason)
}

// standard parses the source of a standard entry and its options.
func (p *entryParser) standard() error {
	t, err := p.word("source address")
	if err != nil {
		return err
	}
	p.c.protoAny = true
	switch strings.ToLower(t) {
	case "any":
		p.emit("any")
	case "host":
		h, err := p.word("host address")
		if err != nil {
			return err
		}
		a, err := parseIPv4(h)
		if err != nil {
			return err
		}
		p.c.src = hostV4(a)
		p.emit(a.String())
	default:
		if _, ok := ipv4Protocols[strings.ToLower(t)]; ok {
			return fmt.Errorf("%q: a standard access list matches the source address only, not a protocol", t)
		}
		wildcardShown := strings.HasSuffix(t, ",")
		a, err := parseIPv4(strings.TrimSuffix(t, ","))
		if err != nil {
			return err
		}
		w := netip.IPv4Unspecified()
		if wildcardShown {
			if p.peek() != "wildcard" || p.lowAt(p.pos+1) != "bits" {
				return fmt.Errorf("expected \"wildcard bits\" after %q", t)
			}
			p.pos += 2
			ws, err := p.word("wildcard")
			if err != nil {
				return err
			}
			if w, err = parseIPv4(ws); err != nil {
				return err
			}
		} else if p.more() {
			if ww, err := parseIPv4(p.toks[p.pos]); err == nil {
				w = ww
				p.pos++
			}
		}
		p.c.src = wildcardV4(a, w)
		switch {
		case w == netip.IPv4Unspecified():
			p.emit(a.String())
		case w.As4() == [4]byte{255, 255, 255, 255}:
			p.emit("any")
		default:
			p.emit(a.String()+",", "wildcard", "bits", w.String())
		}
	}
	if p.more() {
		if _, err := parseIPv4(p.toks[p.pos]); err == nil {
			return fmt.Errorf("%q: a standard access list entry has one address and wildcard", p.toks[p.pos])
		}
	}
	return p.options()
}

// roleBased parses "PROTO [src OP PORTS] [dst OP PORTS] [ICMP] [options]".
func (p *entryParser) roleBased() error {
	if err := p.protocol(); err != nil {
		return err
	}
	for _, side := range []string{"src", "dst"} {
		if p.peek() != side {
			continue
		}
		p.pos++
		p.emit(side)
		set, err := p.ports(side == "dst")
		if err != nil {
			return err
		}
		if !set.present {
			return fmt.Errorf("%s needs a port operator (eq, neq, lt, gt, range)", side)
		}
		if side == "src" {
			p.c.srcPorts = set
		} else {
			p.c.dstPorts = set
		}
	}
	if err := p.messageType(); err != nil {
		return err
	}
	return p.options()
}

// extended parses "PROTO SRC [PORTS] DST [PORTS] [ICMP] [options]".
func (p *entryParser) extended() error {
	if err := p.protocol(); err != nil {
		return err
	}
	var err error
	if p.c.src, err = p.address("source"); err != nil {
		return err
	}
	if p.c.srcPorts, err = p.ports(false); err != nil {
		return err
	}
	if p.c.dst, err = p.address("destination"); err != nil {
		return err
	}
	if p.c.dstPorts, err = p.ports(true); err != nil {
		return err
	}
	if err := p.messageType(); err != nil {
		return err
	}
	return p.options()
}

// protocol parses the protocol word: a keyword, a number or a service
// object-group.
func (p *entryParser) protocol() error {
	t, err := p.word("protocol")
	if err != nil {
		return err
	}
	lt := strings.ToLower(t)
	table := ipv4Protocols
	if p.fam == IPv6 {
		table = ipv6Protocols
	}
	if v, ok := table[lt]; ok {
		p.emit(lt)
		p.setProto(v)
		return nil
	}
	if isDigits(lt) {
		n, err := strconv.ParseUint(lt, 10, 8)
		if err != nil {
			return fmt.Errorf("protocol number %q is not 0-255", t)
		}
		p.emit(strconv.FormatUint(n, 10))
		p.setProto(int(n))
		if n == 0 && p.fam == IPv4 {
			// Whether IOS stores protocol 0 as "ip" is not documented
			// anywhere public; both readings stay possible.
			p.setUnresolvedProto("protocol number 0 may stand for every protocol (ip) on IOS")
		}
		return nil
	}
	if lt == "object-group" {
		name, err := p.word("service object-group name")
		if err != nil {
			return err
		}
		p.emit(lt, name)
		p.setUnresolvedProto("service object-group " + name + " is not resolved (its protocols and ports are not in the access list output)")
		return nil
	}
	if lt == "any" || lt == "host" || strings.ContainsAny(lt, ".:/") {
		return fmt.Errorf("%q where a protocol is expected", t)
	}
	p.emit(t)
	p.setUnresolvedProto(fmt.Sprintf("unknown protocol %q", t))
	return nil
}

func (p *entryParser) setProto(v int) {
	p.proto = v
	if v == protoAny {
		p.c.protoAny = true
		return
	}
	p.c.proto = uint8(v)
}

func (p *entryParser) setUnresolvedProto(reason string) {
	p.proto = protoUnresolved
	p.c.protoUnknown = reason
	p.reasons = append(p.reasons, reason)
}

// address parses any, host A, A W (IPv4), prefix (IPv6), object-group and
// FQDN forms.
func (p *entryParser) address(what string) (addrMatch, error) {
	t, err := p.word(what + " address")
	if err != nil {
		return addrMatch{}, err
	}
	lt := strings.ToLower(t)
	switch lt {
	case "any":
		p.emit("any")
		return addrMatch{}, nil
	case "object-group":
		name, err := p.word("network object-group name")
		if err != nil {
			return addrMatch{}, err
		}
		p.emit(lt, name)
		reason := "network object-group " + name + " is not resolved (its members are not in the access list output)"
		p.reasons = append(p.reasons, reason)
		return addrMatch{unknown: reason}, nil
	case "addrgroup":
		return addrMatch{}, errors.New("addrgroup is NX-OS syntax, not IOS")
	case "host":
		h, err := p.word("host address")
		if err != nil {
			return addrMatch{}, err
		}
		if strings.EqualFold(h, "dynamic") {
			name, err := p.word("host name after host dynamic")
			if err != nil {
				return addrMatch{}, err
			}
			p.emit("host", "dynamic", name)
			reason := "host dynamic " + name + " is an FQDN the switch resolves at run time"
			p.reasons = append(p.reasons, reason)
			return addrMatch{unknown: reason}, nil
		}
		if p.fam == IPv4 {
			a, err := parseIPv4(h)
			if err != nil {
				return addrMatch{}, err
			}
			p.emit("host", a.String())
			return hostV4(a), nil
		}
		a, err := parseIPv6(h)
		if err != nil {
			return addrMatch{}, err
		}
		p.emit("host", a.String())
		return prefixV6(netip.PrefixFrom(a, 128)), nil
	}
	if p.fam == IPv6 {
		if !strings.Contains(t, "/") {
			return addrMatch{}, fmt.Errorf("%s address %q needs a prefix length, host or any", what, t)
		}
		pf, err := netip.ParsePrefix(t)
		if err != nil || !pf.Addr().Is6() || pf.Addr().Zone() != "" {
			return addrMatch{}, fmt.Errorf("bad IPv6 prefix %q", t)
		}
		p.emit(pf.String())
		return prefixV6(pf), nil
	}
	if strings.Contains(t, "/") {
		return addrMatch{}, fmt.Errorf("prefix %q is NX-OS syntax; IOS needs an address and a wildcard", t)
	}
	a, err := parseIPv4(t)
	if err != nil {
		return addrMatch{}, fmt.Errorf("%s: %w", what, err)
	}
	ws, err := p.word("wildcard after " + t)
	if err != nil {
		return addrMatch{}, err
	}
	w, err := parseIPv4(ws)
	if err != nil {
		return addrMatch{}, fmt.Errorf("wildcard after %s: %w", t, err)
	}
	switch {
	case w == netip.IPv4Unspecified():
		p.emit("host", a.String())
	case w.As4() == [4]byte{255, 255, 255, 255}:
		p.emit("any")
	default:
		p.emit(a.String(), w.String())
	}
	return wildcardV4(a, w), nil
}

func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("bad IPv4 address %q", s)
	}
	return a, nil
}

func parseIPv6(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("bad IPv6 address %q", s)
	}
	return a, nil
}

func hostV4(a netip.Addr) addrMatch { return wildcardV4(a, netip.IPv4Unspecified()) }

// wildcardV4 keeps the bits the wildcard does not free; any wildcard is
// legal, contiguous or not.
func wildcardV4(a, w netip.Addr) addrMatch {
	a4, w4 := a.As4(), w.As4()
	mask := uint64(^binary.BigEndian.Uint32(w4[:]))
	return addrMatch{
		addr: [2]uint64{0, uint64(binary.BigEndian.Uint32(a4[:])) & mask},
		mask: [2]uint64{0, mask},
	}
}

func prefixV6(pf netip.Prefix) addrMatch {
	b := pf.Masked().Addr().As16()
	var m addrMatch
	m.addr = [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	bits := pf.Bits()
	for w := 0; w < 2; w++ {
		n := min(max(bits-64*w, 0), 64)
		if n > 0 {
			m.mask[w] = ^uint64(0) << (64 - n)
		}
	}
	return m
}

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
			if st := p.peek(); st == "(active)" || st == "(inactive)" {
				p.e.TimeRangeState = strings.Trim(st, "()")
				p.pos++
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
			p.unresolved(fmt.Sprintf("unknown keyword %q", raw))
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
