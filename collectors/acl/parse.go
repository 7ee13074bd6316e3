package acl

import (
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
	e.NotUnderstood = strings.Join(p.unknown, "; ")
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
	unknown []string // the reasons that are words this package does not know
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
