package capture

import (
	"cmp"
	"io"
	"net/netip"
	"slices"
	"time"
)

// Collector keeps every reported attempt, a late correction replacing the
// attempt it corrects, for a whole-file report. It holds attempts in a
// compact form without pointers, in fixed-size blocks: collecting millions
// never copies them to grow, and the garbage collector never scans them.
type Collector struct {
	blocks [][]collected
	n      int
	// unanswered locates the attempts reported unanswered: only those can
	// be corrected later.
	unanswered map[uint64]int
	// ifaces interns the interface names.
	ifaces   []string
	ifaceIdx map[string]uint32
	// odd holds, by position, the attempts that the compact form cannot
	// reproduce exactly (not made by a Tracker: a zone in an address, a
	// time in another location); oddOrder is set when one of their first
	// times is outside what int64 nanoseconds hold.
	odd      map[int]*Attempt
	oddOrder bool
}

const collectorBlock = 4096

// collected is an Attempt as the Collector stores it: addresses as 16
// bytes, times as Unix nanoseconds, the interface as an index.
type collected struct {
	id                    uint64
	first, answered       int64
	syns                  int64
	client, psn, icmpFrom [16]byte
	evidence              [maxEvidence]uint64
	isn                   uint32
	iface                 uint32
	clientPort, port      uint16
	vlans                 [MaxVLANs]uint16
	flags                 uint16
	mac                   [6]byte
	outcome, nvlans       uint8
	icmpType, icmpCode    uint8
	nev                   uint8
}

// Bits of collected.flags.
const (
	cfHasMAC uint16 = 1 << iota
	cfSYNSeen
	cfInferred
	cfLate
	cfIncomplete
	cfHasICMP
	cfAnswered
	cfClient4
	cfClientValid
	cfPSN4
	cfPSNValid
	cfICMPFrom4
	cfICMPFromValid
)

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{unanswered: map[uint64]int{}, ifaceIdx: map[string]uint32{}}
}

// packAddr stores a in b and returns its flags (valid, IPv4) as the bits v4
// and valid.
func packAddr(a netip.Addr, b *[16]byte, v4, valid uint16) uint16 {
	if !a.IsValid() {
		return 0
	}
	*b = a.As16()
	if a.Is4() {
		return valid | v4
	}
	return valid
}

func unpackAddr(b *[16]byte, flags, v4, valid uint16) netip.Addr {
	switch {
	case flags&valid == 0:
		return netip.Addr{}
	case flags&v4 != 0:
		return netip.AddrFrom4([4]byte(b[12:16]))
	}
	return netip.AddrFrom16(*b)
}

func (c *Collector) internIface(name string) uint32 {
	if n := len(c.ifaces); n > 0 && c.ifaces[n-1] == name {
		return uint32(n - 1)
	}
	if i, ok := c.ifaceIdx[name]; ok {
		return i
	}
	i := uint32(len(c.ifaces))
	c.ifaces = append(c.ifaces, name)
	c.ifaceIdx[name] = i
	return i
}

// pack turns a into its compact form.
func (c *Collector) pack(a *Attempt, r *collected) {
	*r = collected{
		id: a.ID, first: a.FirstSeen.UnixNano(), syns: int64(a.SYNs),
		evidence: a.evidence, isn: a.ISN, iface: c.internIface(a.Interface),
		clientPort: a.ClientPort, port: a.Port, vlans: a.VLANs, mac: a.ClientMAC,
		outcome: uint8(a.Outcome), nvlans: a.NumVLANs, icmpType: a.ICMPType, icmpCode: a.ICMPCode, nev: a.nev,
	}
	f := packAddr(a.Client, &r.client, cfClient4, cfClientValid) |
		packAddr(a.PSN, &r.psn, cfPSN4, cfPSNValid) |
		packAddr(a.ICMPFrom, &r.icmpFrom, cfICMPFrom4, cfICMPFromValid)
	if !a.AnsweredAt.IsZero() {
		f |= cfAnswered
		r.answered = a.AnsweredAt.UnixNano()
	}
	f |= flagIf(a.HasClientMAC, cfHasMAC) | flagIf(a.SYNSeen, cfSYNSeen) | flagIf(a.Inferred, cfInferred) |
		flagIf(a.Late, cfLate) | flagIf(a.Incomplete, cfIncomplete) | flagIf(a.HasICMP, cfHasICMP)
	r.flags = f
}

func flagIf(set bool, bit uint16) uint16 {
	if set {
		return bit
	}
	return 0
}

// unpack rebuilds the Attempt that r holds into a; times are in the local
// location, as the Tracker makes them.
func (c *Collector) unpack(r *collected, a *Attempt) {
	f := r.flags
	*a = Attempt{
		ID:           r.id,
		Client:       unpackAddr(&r.client, f, cfClient4, cfClientValid),
		ClientPort:   r.clientPort,
		ClientMAC:    r.mac,
		HasClientMAC: f&cfHasMAC != 0,
		PSN:          unpackAddr(&r.psn, f, cfPSN4, cfPSNValid),
		Port:         r.port,
		ISN:          r.isn,
		Outcome:      Outcome(r.outcome),
		SYNSeen:      f&cfSYNSeen != 0,
		Inferred:     f&cfInferred != 0,
		Late:         f&cfLate != 0,
		SYNs:         int(r.syns),
		Incomplete:   f&cfIncomplete != 0,
		FirstSeen:    time.Unix(0, r.first),
		VLANs:        r.vlans,
		NumVLANs:     r.nvlans,
		Interface:    c.ifaces[r.iface],
		HasICMP:      f&cfHasICMP != 0,
		ICMPType:     r.icmpType,
		ICMPCode:     r.icmpCode,
		ICMPFrom:     unpackAddr(&r.icmpFrom, f, cfICMPFrom4, cfICMPFromValid),
		evidence:     r.evidence,
		nev:          r.nev,
	}
	if f&cfAnswered != 0 {
		a.AnsweredAt = time.Unix(0, r.answered)
	}
}

// exact reports whether r, packed from a, gives a back exactly: everything
// but the zones and the times always does.
func exact(r *collected, a *Attempt) bool {
	return a.Client.Zone() == "" && a.PSN.Zone() == "" && a.ICMPFrom.Zone() == "" &&
		a.FirstSeen == time.Unix(0, r.first) &&
		(a.AnsweredAt == time.Time{} || !a.AnsweredAt.IsZero() && a.AnsweredAt == time.Unix(0, r.answered))
}

// store keeps a at position i (a new one when i == c.n).
func (c *Collector) store(i int, a *Attempt) {
	if i == c.n {
		if c.n%collectorBlock == 0 {
			c.blocks = append(c.blocks, make([]collected, collectorBlock))
		}
		c.n++
	}
	r := &c.blocks[i/collectorBlock][i%collectorBlock]
	c.pack(a, r)
	if exact(r, a) {
		if c.odd != nil {
			delete(c.odd, i)
		}
		return
	}
	// Not what a Tracker makes: keep the attempt as it is.
	if c.odd == nil {
		c.odd = map[int]*Attempt{}
	}
	keep := *a
	c.odd[i] = &keep
	if !time.Unix(0, a.FirstSeen.UnixNano()).Equal(a.FirstSeen) {
		c.oddOrder = true
	}
}

// Add is the tracker's emit callback.
func (c *Collector) Add(a *Attempt) {
	if i, ok := c.unanswered[a.ID]; ok {
		c.store(i, a)
		if a.Outcome != Unanswered {
			delete(c.unanswered, a.ID)
		}
		return
	}
	if a.Outcome == Unanswered {
		c.unanswered[a.ID] = c.n
	}
	c.store(c.n, a)
}

// Len returns how many attempts were collected.
func (c *Collector) Len() int { return c.n }

// attempt fills a with the attempt at position i.
func (c *Collector) attempt(i int, a *Attempt) {
	if o, ok := c.odd[i]; ok {
		*a = *o
		return
	}
	c.unpack(&c.blocks[i/collectorBlock][i%collectorBlock], a)
}

// order returns the positions of the attempts in order of their first
// packet, then ID, then arrival (as a stable sort by first packet and ID).
func (c *Collector) order() []int32 {
	type key struct {
		first int64
		id    uint64
		pos   int32
	}
	keys := make([]key, c.n)
	for i := range keys {
		r := &c.blocks[i/collectorBlock][i%collectorBlock]
		keys[i] = key{r.first, r.id, int32(i)}
	}
	sorted := slices.IsSortedFunc(keys, func(a, b key) int {
		if n := cmp.Compare(a.first, b.first); n != 0 {
			return n
		}
		return cmp.Compare(a.id, b.id)
	})
	if !sorted {
		slices.SortFunc(keys, func(a, b key) int {
			if n := cmp.Compare(a.first, b.first); n != 0 {
				return n
			}
			if n := cmp.Compare(a.id, b.id); n != 0 {
				return n
			}
			return cmp.Compare(a.pos, b.pos)
		})
	}
	out := make([]int32, len(keys))
	for i, k := range keys {
		out[i] = k.pos
	}
	return out
}

// positions returns the positions of the attempts in order of their first
// packet, then ID, then arrival.
func (c *Collector) positions() []int32 {
	if !c.oddOrder {
		return c.order()
	}
	// A first time that Unix nanoseconds cannot hold: compare the times.
	pos := make([]int32, c.n)
	firsts := make([]time.Time, c.n)
	var a Attempt
	for i := range pos {
		pos[i] = int32(i)
		c.attempt(i, &a)
		firsts[i] = a.FirstSeen
	}
	ids := func(i int32) uint64 {
		if o, ok := c.odd[int(i)]; ok {
			return o.ID
		}
		return c.blocks[i/collectorBlock][i%collectorBlock].id
	}
	slices.SortStableFunc(pos, func(x, y int32) int {
		if n := firsts[x].Compare(firsts[y]); n != 0 {
			return n
		}
		return cmp.Compare(ids(x), ids(y))
	})
	return pos
}

// Attempts returns the attempts in order of their first packet (then of
// their ID).
func (c *Collector) Attempts() []Attempt {
	out := make([]Attempt, c.n)
	for i, pos := range c.positions() {
		c.attempt(int(pos), &out[i])
	}
	return out
}

// PSNSummary counts the attempts to one PSN port by outcome.
type PSNSummary struct {
	PSN        netip.Addr `json:"psn"`
	Port       uint16     `json:"port"`
	Accepted   int        `json:"accepted"`
	Refused    int        `json:"refused"`
	Prohibited int        `json:"prohibited"`
	Unanswered int        `json:"unanswered"`
	Total      int        `json:"total"`
}

func (s *PSNSummary) add(o Outcome) {
	switch o {
	case Accepted:
		s.Accepted++
	case Refused:
		s.Refused++
	case Prohibited:
		s.Prohibited++
	case Unanswered:
		s.Unanswered++
	}
	s.Total++
}

// Summary counts attempts by PSN and outcome.
type Summary struct {
	// Attempts counts every attempt.
	Attempts int `json:"attempts"`
	// ByOutcome counts attempts by outcome; every outcome is present.
	ByOutcome map[string]int `json:"by_outcome"`
	// ByPSN has one row per PSN and port, ordered by address then port.
	ByPSN []PSNSummary `json:"by_psn"`
}

// Summarize counts attempts by PSN and outcome.
func Summarize(attempts []Attempt) Summary {
	var b summaryBuilder
	for i := range attempts {
		b.add(attempts[i].PSN, attempts[i].Port, attempts[i].Outcome)
	}
	return b.summary()
}

// Summary counts the collected attempts by PSN and outcome, as Summarize
// does for Attempts.
func (c *Collector) Summary() Summary {
	var b summaryBuilder
	for i := range c.n {
		if o, ok := c.odd[i]; ok {
			b.add(o.PSN, o.Port, o.Outcome)
			continue
		}
		r := &c.blocks[i/collectorBlock][i%collectorBlock]
		b.add(unpackAddr(&r.psn, r.flags, cfPSN4, cfPSNValid), r.port, Outcome(r.outcome))
	}
	return b.summary()
}

type summaryKey struct {
	psn  netip.Addr
	port uint16
}

// summaryBuilder counts attempts for a Summary.
type summaryBuilder struct {
	n         int
	byOutcome [numOutcomes + 1]int // the last counts outcomes out of range
	other     map[string]int
	rows      map[summaryKey]*PSNSummary
	last      *PSNSummary
}

func (b *summaryBuilder) add(psn netip.Addr, port uint16, o Outcome) {
	b.n++
	if o < numOutcomes {
		b.byOutcome[o]++
	} else {
		if b.other == nil {
			b.other = map[string]int{}
		}
		b.other[o.String()]++
	}
	r := b.last
	if r == nil || r.PSN != psn || r.Port != port {
		if b.rows == nil {
			b.rows = map[summaryKey]*PSNSummary{}
		}
		k := summaryKey{psn, port}
		var ok bool
		if r, ok = b.rows[k]; !ok {
			r = &PSNSummary{PSN: psn, Port: port}
			b.rows[k] = r
		}
		b.last = r
	}
	r.add(o)
}

func (b *summaryBuilder) summary() Summary {
	s := Summary{Attempts: b.n, ByOutcome: map[string]int{}, ByPSN: []PSNSummary{}}
	for _, o := range Outcomes() {
		s.ByOutcome[o.String()] = 0
	}
	for o, n := range b.byOutcome[:numOutcomes] {
		if n > 0 {
			s.ByOutcome[Outcome(o).String()] += n
		}
	}
	for name, n := range b.other {
		s.ByOutcome[name] += n
	}
	for _, r := range b.rows {
		s.ByPSN = append(s.ByPSN, *r)
	}
	slices.SortFunc(s.ByPSN, func(a, b PSNSummary) int {
		if n := a.PSN.Compare(b.PSN); n != 0 {
			return n
		}
		return cmp.Compare(a.Port, b.Port)
	})
	return s
}

// WriteJSONArray writes the attempts in order of their first packet as a
// JSON array with one attempt per line, each line starting with indent:
// "[", then for each attempt a comma after the previous one, a newline,
// indent and the attempt as AppendJSON renders it, then a newline if there
// were attempts, and "]". No second copy of the attempts is made.
func (c *Collector) WriteJSONArray(w io.Writer, indent string) error {
	const flushAt = 60 << 10
	buf := make([]byte, 0, flushAt+4096)
	buf = append(buf, '[')
	var a Attempt
	var days dayCache
	for i, pos := range c.positions() {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		buf = append(buf, indent...)
		c.attempt(int(pos), &a)
		buf = a.appendJSON(buf, &days)
		if len(buf) >= flushAt {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	if c.n > 0 {
		buf = append(buf, '\n')
	}
	buf = append(buf, ']')
	_, err := w.Write(buf)
	return err
}
