package capture

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"
)

// Defaults of TrackerConfig.
const (
	DefaultPort            = 8449
	DefaultAnswerTimeout   = 10 * time.Second
	DefaultGrace           = 120 * time.Second
	DefaultDuplicateWindow = 100 * time.Millisecond
	DefaultMaxAttempts     = 1_000_000
	DefaultEvidenceBytes   = 16 << 20
	// MaxTimeout is the longest answer timeout or grace accepted: a day
	// is far past any retransmission, and the tracker's clock arithmetic
	// stays far from overflowing.
	MaxTimeout = 24 * time.Hour
	// MinRemember is how long a completed attempt is remembered at least,
	// whatever the grace period: long enough for every retransmission of
	// its SYN (Linux retries for 127 s by default, Windows for 21 s), so a
	// retransmission is never taken for a new attempt.
	MinRemember = 130 * time.Second
	// clockBackTolerance is how far a timestamp may go back before it is
	// counted as out of order: SPAN copies from several ports, and several
	// capture interfaces, are a few milliseconds apart.
	clockBackTolerance = int64(time.Second)
)

// TrackerConfig sets what the tracker counts as an attempt and how long it
// waits for answers.
type TrackerConfig struct {
	// Ports are the state-sync ports (default 8449). The side of a
	// connection on one of them is the PSN.
	Ports []uint16
	// PSNs, when not empty, restricts the PSN side to these addresses.
	PSNs []netip.Addr
	// AnswerTimeout is how long after the first SYN an attempt stays open
	// before it is unanswered (default 10 s).
	AnswerTimeout time.Duration
	// Grace is how long after the timeout a late answer still corrects an
	// unanswered attempt (default 120 s; negative: no late corrections).
	// Completed attempts are remembered for the longer of Grace and
	// MinRemember, to recognise their retransmissions and duplicates.
	Grace time.Duration
	// DuplicateWindow is how close in time two copies of the same packet
	// must be to count as one (SPAN duplicates; default 100 ms). It is also
	// how long an answer whose SYN was not seen waits for that SYN, which a
	// mirror from several ports may deliver slightly out of order.
	DuplicateWindow time.Duration
	// MaxAttempts caps the attempts held in memory, open and remembered
	// (default 1,000,000); the oldest are evicted first.
	MaxAttempts int
	// EvidenceBytes sizes the ring that keeps each attempt's frames for its
	// evidence pcap (default 16 MiB; negative disables it).
	EvidenceBytes int
}

func (c TrackerConfig) withDefaults() TrackerConfig {
	if len(c.Ports) == 0 {
		c.Ports = []uint16{DefaultPort}
	}
	if c.AnswerTimeout == 0 {
		c.AnswerTimeout = DefaultAnswerTimeout
	}
	switch {
	case c.Grace == 0:
		c.Grace = DefaultGrace
	case c.Grace < 0:
		c.Grace = 0
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = DefaultDuplicateWindow
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.EvidenceBytes == 0 {
		c.EvidenceBytes = DefaultEvidenceBytes
	}
	return c
}

// Validate reports a configuration the tracker cannot run with.
func (c TrackerConfig) Validate() error {
	var errs []error
	for _, p := range c.Ports {
		if p == 0 {
			errs = append(errs, errors.New("port 0 is not a TCP port"))
		}
	}
	for _, a := range c.PSNs {
		if !a.IsValid() {
			errs = append(errs, errors.New("invalid PSN address"))
		}
	}
	if c.AnswerTimeout < 0 || c.DuplicateWindow < 0 {
		errs = append(errs, errors.New("timeouts must not be negative"))
	}
	if c.AnswerTimeout > MaxTimeout || c.Grace > MaxTimeout || c.DuplicateWindow > MaxTimeout {
		errs = append(errs, fmt.Errorf("answer timeout, grace and duplicate window must be at most %s", MaxTimeout))
	}
	if c.MaxAttempts < 0 {
		errs = append(errs, fmt.Errorf("max attempts %d must not be negative", c.MaxAttempts))
	}
	return errors.Join(errs...)
}

// attemptKey identifies an attempt. Addresses are IPv4-mapped for IPv4.
type attemptKey struct {
	client, psn      [16]byte
	clientPort, port uint16
	isn              uint32
}

// connKey identifies a connection: an attempt without its ISN.
type connKey struct {
	client, psn      [16]byte
	clientPort, port uint16
}

func (k attemptKey) conn() connKey {
	return connKey{client: k.client, psn: k.psn, clientPort: k.clientPort, port: k.port}
}

// Lists an entry can be on.
const (
	listNone uint8 = iota
	listOpen       // waiting for an answer; deadline = first SYN + timeout
	listHeld       // answered before its SYN was seen; deadline = answer + duplicate window
	listDone       // reported; remembered until deadline = completion + grace
	numLists
)

const maxEvidence = 4

// entryBlock is how many entries one block of the slab holds.
const entryBlock = 4096

// at returns entry i.
func (t *Tracker) at(i int32) *entry { return &t.entries[i/entryBlock][i%entryBlock] }

// entry is an attempt as the tracker holds it. It has no pointers, so a
// million of them cost the garbage collector nothing to scan.
type entry struct {
	key        attemptKey
	id         uint64
	first      int64
	answered   int64
	deadline   int64
	lastSYN    int64
	lastAns    int64
	ansSeq     uint32
	ansAck     uint32
	syns       uint32
	prev       int32
	next       int32
	lastSYNID  uint16
	ansIPID    uint16
	iface      uint16
	outcome    Outcome
	list       uint8
	ansFlags   uint8
	nvlans     uint8
	icmpType   uint8
	icmpCode   uint8
	nev        uint8
	v6         bool
	synSeen    bool
	inferred   bool
	late       bool
	reported   bool
	hasAns     bool
	incomplete bool
	hasMAC     bool
	hasICMP    bool
	mac        [6]byte
	vlans      [MaxVLANs]uint16
	icmpFrom   [16]byte
	evidence   [maxEvidence]uint64
}

type list struct{ head, tail int32 }

// TrackerStats are the tracker's counters.
type TrackerStats struct {
	// Duplicates counts SPAN copies of packets already seen.
	Duplicates uint64
	// Unmatched counts packets on the port that belong to no attempt (the
	// Classifier counts them with its ignored packets).
	Unmatched uint64
	// NotPSN counts packets on the port whose addresses are not PSNs (the
	// Classifier counts them with its ignored packets).
	NotPSN uint64
	// Evictions counts attempts dropped to stay under MaxAttempts.
	Evictions uint64
	// Attempts counts reported attempts by outcome (late corrections
	// included, under their new outcome).
	Attempts [numOutcomes]uint64
	// Late counts late corrections.
	Late uint64
}

// Tracker follows connection attempts to the state-sync ports and reports
// each one when its outcome is known. Time comes only from packet
// timestamps and Advance, so the same packets always give the same
// attempts. A Tracker is not safe for concurrent use.
type Tracker struct {
	cfg      TrackerConfig
	ports    *PortSet
	psns     map[[16]byte]struct{}
	timeout  int64
	grace    int64
	remember int64
	dupWin   int64
	// index finds the entries by attemptKey.
	index entryIndex
	// byConn finds the latest attempt of a connection (client, client
	// port, PSN, port) when a packet does not carry the ISN: an ICMP error
	// whose quote the snaplen cut inside the sequence number.
	byConn   entryIndex
	entries  [][]entry // blocks of entryBlock, so the slab grows without copying
	count    int32     // entries ever allocated
	free     []int32
	lists    [numLists]list
	now      int64
	started  bool
	nextID   uint64
	ifaces   []string
	ifaceIdx map[string]uint16
	emit     func(*Attempt)
	out      Attempt
	ev       *evidenceRing
	ctr      *counters
}

// NewTracker returns a tracker that calls emit with each completed attempt
// and each late correction. The *Attempt passed to emit is reused after emit
// returns: copy it to keep it.
func NewTracker(cfg TrackerConfig, emit func(*Attempt)) (*Tracker, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tracker config: %w", err)
	}
	t := &Tracker{
		cfg:      cfg,
		ports:    NewPortSet(cfg.Ports...),
		timeout:  int64(cfg.AnswerTimeout),
		grace:    int64(cfg.Grace),
		remember: int64(max(cfg.Grace, MinRemember)),
		dupWin:   int64(cfg.DuplicateWindow),
		index:    newEntryIndex(),
		byConn:   newEntryIndex(),
		ifaceIdx: make(map[string]uint16),
		emit:     emit,
		ctr:      &counters{},
	}
	if len(cfg.PSNs) > 0 {
		t.psns = make(map[[16]byte]struct{}, len(cfg.PSNs))
		for _, a := range cfg.PSNs {
			t.psns[mapped(a)] = struct{}{}
		}
	}
	for i := range t.lists {
		t.lists[i] = list{-1, -1}
	}
	if cfg.EvidenceBytes > 0 {
		t.ev = newEvidenceRing(cfg.EvidenceBytes)
	}
	return t, nil
}

// Config returns the configuration in effect, defaults filled in.
func (t *Tracker) Config() TrackerConfig { return t.cfg }

// Stats returns the tracker's counters.
func (t *Tracker) Stats() TrackerStats {
	s := TrackerStats{
		Duplicates: t.ctr.duplicates.Load(),
		Unmatched:  t.ctr.ignored[ReasonUnmatched].Load(),
		NotPSN:     t.ctr.ignored[ReasonNotPSN].Load(),
		Evictions:  t.ctr.evictions.Load(),
		Late:       t.ctr.late.Load(),
	}
	for o := range s.Attempts {
		s.Attempts[o] = t.ctr.attempts[o].Load()
	}
	return s
}

// Open returns how many attempts are waiting for an answer.
func (t *Tracker) Open() int { return int(t.ctr.open.Load()) }

// Held returns how many attempts the tracker holds in memory, open and
// remembered.
func (t *Tracker) Held() int { return t.index.n }

// lookup returns the entry of attempt k.
func (t *Tracker) lookup(k attemptKey) (int32, bool) {
	x := &t.index
	h := x.hashAttempt(&k)
	for p := x.probe(h); x.slots[p] != 0; p = x.next(p) {
		if s := x.slots[p]; slotHash(s) == h && t.at(slotEntry(s)).key == k {
			return slotEntry(s), true
		}
	}
	return -1, false
}

// connSlot returns the byConn slot of k's connection, or -1.
func (t *Tracker) connSlot(k *attemptKey, h uint32) int {
	x := &t.byConn
	c := k.conn()
	for p := x.probe(h); x.slots[p] != 0; p = x.next(p) {
		if s := x.slots[p]; slotHash(s) == h && t.at(slotEntry(s)).key.conn() == c {
			return p
		}
	}
	return -1
}

// Now returns the tracker's clock: the latest packet timestamp or Advance.
func (t *Tracker) Now() int64 { return t.now }

// isPSN reports whether addr may be a PSN.
func (t *Tracker) isPSN(addr [16]byte) bool {
	if t.psns == nil {
		return true
	}
	_, ok := t.psns[addr]
	return ok
}

// Add takes one decoded packet. f, when not nil, is the frame it was decoded
// from, kept as evidence. It returns ReasonNone when the packet belonged to
// an attempt, or why it did not.
func (t *Tracker) Add(p *Packet, f *Frame) Reason {
	t.Advance(p.Timestamp)
	switch p.Kind {
	case KindTCP:
		return t.tcp(p, f)
	case KindUnreachable:
		return t.unreachable(p, f)
	}
	return ReasonProtocol
}

// Advance moves the tracker's clock to now (nanoseconds since the epoch) and
// completes the attempts whose time is up. A time earlier than the clock is
// ignored, so timestamps may go backwards a little.
func (t *Tracker) Advance(now int64) {
	if !t.started {
		t.started = true
		t.now = now
	}
	if now > t.now {
		t.now = now
	} else if back := t.now - now; back > clockBackTolerance {
		t.ctr.clockBack.Add(1)
		if back > t.ctr.clockBackMax.Load() {
			t.ctr.clockBackMax.Store(back)
		}
	}
	t.expire(t.now)
}

// Flush completes every open attempt as if no more packets will come, as at
// the end of a capture file or when live capture stops. Attempts whose
// answer timeout had not yet passed are reported unanswered with Incomplete
// set: their outcome is not known.
func (t *Tracker) Flush() {
	t.expireOpen(math.MaxInt64)
	// Everything is remembered now, and nothing more is to come: forget it
	// all at once rather than deleting each entry from the maps.
	t.index.reset()
	t.byConn.reset()
	t.entries, t.count, t.free = nil, 0, nil
	t.lists[listDone] = list{-1, -1}
}

func (t *Tracker) expire(now int64) {
	t.expireOpen(now)
	for h := t.lists[listDone].head; h >= 0 && t.at(h).deadline < now; h = t.lists[listDone].head {
		t.release(h)
	}
}

// expireOpen completes the held and open attempts whose deadline is before
// now.
func (t *Tracker) expireOpen(now int64) {
	// Held answers first: their SYN had its chance.
	for h := t.lists[listHeld].head; h >= 0 && t.at(h).deadline < now; h = t.lists[listHeld].head {
		t.finish(h)
	}
	for h := t.lists[listOpen].head; h >= 0 && t.at(h).deadline < now; h = t.lists[listOpen].head {
		e := t.at(h)
		e.outcome = Unanswered
		e.incomplete = e.deadline >= t.now
		// A late answer may still come within the grace period after the
		// timeout; the entry is remembered at least that long.
		t.unlink(h)
		deadline := e.deadline
		t.report(h)
		t.pushDone(h, deadline+t.remember)
	}
}

// role says which side of a TCP packet is the PSN.
func (t *Tracker) role(p *Packet) (toPSN bool, reason Reason) {
	dIn := t.ports.Has(p.DstPort) && t.isPSN(p.Dst)
	sIn := t.ports.Has(p.SrcPort) && t.isPSN(p.Src)
	switch {
	case dIn && !sIn:
		return true, ReasonNone
	case sIn && !dIn:
		return false, ReasonNone
	case dIn && sIn:
		// Both ends on a state-sync port: the flags decide.
		return p.Flags&FlagACK == 0 || p.Flags&(FlagSYN|FlagRST) == 0, ReasonNone
	}
	return false, ReasonNotPSN
}

func (t *Tracker) tcp(p *Packet, f *Frame) Reason {
	toPSN, r := t.role(p)
	if r != ReasonNone {
		return r
	}
	syn, ack, rst := p.Flags&FlagSYN != 0, p.Flags&FlagACK != 0, p.Flags&FlagRST != 0
	if toPSN {
		t.ctr.toPSN.Add(1)
	} else {
		t.ctr.fromPSN.Add(1)
	}
	if toPSN {
		k := attemptKey{client: p.Src, psn: p.Dst, clientPort: p.SrcPort, port: p.DstPort}
		switch {
		case syn && !ack && !rst:
			k.isn = p.Seq
			return t.syn(k, p, f)
		case !syn && (ack || rst):
			// The client's ACK completing the handshake, its first data, or
			// its RST answering a SYN-ACK all carry sequence ISN+1: only a
			// SYN-ACK explains them.
			k.isn = p.Seq - 1
			return t.inferred(k, p, f)
		}
		return ReasonUnmatched
	}
	k := attemptKey{client: p.Dst, psn: p.Src, clientPort: p.DstPort, port: p.SrcPort, isn: p.Ack - 1}
	switch {
	case syn && ack && !rst:
		return t.answer(k, p, f, Accepted)
	case rst && ack && !syn:
		return t.answer(k, p, f, Refused)
	}
	return ReasonUnmatched
}

func (t *Tracker) unreachable(p *Packet, f *Frame) Reason {
	// The quoted packet travelled client to PSN (the SYN) or PSN to client
	// (the SYN-ACK); without flags, the ports decide.
	toPSN, r := t.role(p)
	if r != ReasonNone {
		return r
	}
	if toPSN {
		if p.HasFlags && (p.Flags&FlagSYN == 0 || p.Flags&FlagACK != 0) {
			return ReasonUnmatched
		}
		k := attemptKey{client: p.Src, psn: p.Dst, clientPort: p.SrcPort, port: p.DstPort, isn: p.Seq}
		if !p.HasSeq {
			// The snaplen cut the quote inside the sequence number: the
			// connection's latest attempt is the one it answers.
			p := t.connSlot(&k, t.byConn.hashConn(&k))
			if p < 0 {
				return ReasonUnmatched
			}
			k = t.at(slotEntry(t.byConn.slots[p])).key
		}
		return t.answer(k, p, f, Prohibited)
	}
	// An ICMP error about a SYN-ACK proves the PSN answered.
	if p.HasFlags && p.HasSeq && p.Flags&(FlagSYN|FlagACK) == FlagSYN|FlagACK {
		k := attemptKey{client: p.Dst, psn: p.Src, clientPort: p.DstPort, port: p.SrcPort, isn: p.Ack - 1}
		return t.inferredFromQuote(k, p, f)
	}
	return ReasonUnmatched
}

// syn handles a SYN from the client.
func (t *Tracker) syn(k attemptKey, p *Packet, f *Frame) Reason {
	if i, ok := t.lookup(k); ok {
		e := t.at(i)
		if e.synSeen && p.Timestamp-e.lastSYN <= t.dupWin && p.Timestamp >= e.lastSYN-t.dupWin && (p.IPv6 || p.IPID == e.lastSYNID) {
			t.ctr.duplicates.Add(1)
			return ReasonNone
		}
		if !e.synSeen {
			// The answer came first (a mirror of several ports delivered
			// the frames out of order): the attempt started with this SYN.
			e.synSeen = true
			if p.Timestamp < e.first {
				e.first = p.Timestamp
			}
			e.syns++
			e.lastSYN, e.lastSYNID = p.Timestamp, p.IPID
			t.fillFrom(e, p, macSrc)
			t.keep(e, f)
			if e.list == listHeld {
				t.finish(i)
			}
			return ReasonNone
		}
		e.syns++
		e.lastSYN, e.lastSYNID = p.Timestamp, p.IPID
		t.keep(e, f)
		return ReasonNone
	}
	i := t.alloc(k, p)
	e := t.at(i)
	e.synSeen = true
	e.syns = 1
	e.lastSYN, e.lastSYNID = p.Timestamp, p.IPID
	t.fillFrom(e, p, macSrc)
	t.keep(e, f)
	t.push(listOpen, i, p.Timestamp+t.timeout)
	return ReasonNone
}

// Which MAC address of a frame is the client's.
const (
	macNone = iota
	macSrc  // the frame came from the client
	macDst  // the frame went to the client
)

// fillFrom records the client-side details of a packet in e.
func (t *Tracker) fillFrom(e *entry, p *Packet, mac int) {
	e.nvlans = p.NumVLANs
	e.vlans = p.VLANs
	e.iface = t.ifaceID(p.Interface)
	// Loopback and some tunnels carry all-zero MACs: that names no one.
	switch {
	case mac == macSrc && p.HasSrcMAC && p.SrcMAC != [6]byte{}:
		e.mac, e.hasMAC = p.SrcMAC, true
	case mac == macDst && p.HasDstMAC && p.DstMAC != [6]byte{}:
		e.mac, e.hasMAC = p.DstMAC, true
	}
}

// answer handles a SYN-ACK, a RST or an ICMP error for the attempt k.
func (t *Tracker) answer(k attemptKey, p *Packet, f *Frame, o Outcome) Reason {
	i, ok := t.lookup(k)
	if !ok {
		if o == Refused && p.Seq != 0 {
			// A RST for a SYN carries sequence number 0 (RFC 793); any other
			// RST ends an established connection whose SYN we never saw.
			return ReasonUnmatched
		}
		i = t.alloc(k, p)
		e := t.at(i)
		t.fillFrom(e, p, macDst)
		e.first = p.Timestamp
		t.setAnswer(e, p, o)
		t.keep(e, f)
		t.push(listHeld, i, t.now+t.dupWin)
		return ReasonNone
	}
	e := t.at(i)
	if !e.hasAns && t.tooLate(e, p) {
		return ReasonTooLate
	}
	if e.hasAns {
		if e.ansFlags == p.Flags && e.ansSeq == p.Seq && e.ansAck == p.Ack && e.ansIPID == p.IPID &&
			p.Timestamp-e.lastAns <= t.dupWin && p.Timestamp >= e.lastAns-t.dupWin {
			t.ctr.duplicates.Add(1)
			return ReasonNone
		}
		// A retransmitted SYN-ACK, a second ICMP error: the first answer
		// stands.
		e.lastAns = p.Timestamp
		return ReasonNone
	}
	t.setAnswer(e, p, o)
	t.keep(e, f)
	t.complete(i)
	return ReasonNone
}

// tooLate reports whether p answers an attempt reported unanswered after
// the grace period: the attempt is still remembered (its retransmissions
// must not start a new one) but no longer corrected.
func (t *Tracker) tooLate(e *entry, p *Packet) bool {
	return e.reported && e.outcome == Unanswered && p.Timestamp > e.first+t.timeout+t.grace
}

func (t *Tracker) setAnswer(e *entry, p *Packet, o Outcome) {
	e.outcome = o
	e.hasAns = true
	e.answered = p.Timestamp
	e.lastAns = p.Timestamp
	e.ansFlags, e.ansSeq, e.ansAck, e.ansIPID = p.Flags, p.Seq, p.Ack, p.IPID
	if o == Prohibited {
		e.hasICMP = true
		e.icmpType, e.icmpCode, e.icmpFrom = p.ICMPType, p.ICMPCode, p.ICMPFrom
	}
}

// inferred handles a client packet with sequence number ISN+1.
func (t *Tracker) inferred(k attemptKey, p *Packet, f *Frame) Reason {
	i, ok := t.lookup(k)
	if !ok {
		return ReasonUnmatched
	}
	e := t.at(i)
	if e.hasAns {
		return ReasonNone
	}
	if t.tooLate(e, p) {
		return ReasonTooLate
	}
	e.outcome = Accepted
	e.hasAns = true
	e.inferred = true
	e.answered = p.Timestamp
	e.lastAns = p.Timestamp
	t.keep(e, f)
	t.complete(i)
	return ReasonNone
}

// inferredFromQuote handles an ICMP error quoting the PSN's SYN-ACK.
func (t *Tracker) inferredFromQuote(k attemptKey, p *Packet, f *Frame) Reason {
	if _, ok := t.lookup(k); !ok {
		i := t.alloc(k, p)
		e := t.at(i)
		t.fillFrom(e, p, macNone)
		e.first = p.Timestamp
		e.outcome, e.inferred, e.hasAns = Accepted, true, true
		e.answered, e.lastAns = p.Timestamp, p.Timestamp
		t.keep(e, f)
		t.push(listHeld, i, t.now+t.dupWin)
		return ReasonNone
	}
	return t.inferred(k, p, f)
}

// complete reports an attempt that just got its answer.
func (t *Tracker) complete(i int32) {
	e := t.at(i)
	switch e.list {
	case listOpen:
		if e.answered > e.first+t.timeout {
			e.late = true
		}
		t.unlink(i)
		t.report(i)
		t.pushDone(i, t.now+t.remember)
	case listDone:
		// Reported unanswered before; this is the late correction.
		e.late = true
		t.report(i)
	}
}

// finish reports a held attempt (answered, SYN unseen or seen late).
func (t *Tracker) finish(i int32) {
	t.unlink(i)
	t.report(i)
	t.pushDone(i, t.now+t.remember)
}

func (t *Tracker) report(i int32) {
	e := t.at(i)
	correction := e.reported
	e.reported = true
	t.ctr.attempts[e.outcome].Add(1)
	if correction {
		t.ctr.late.Add(1)
	}
	if t.emit == nil {
		return
	}
	a := &t.out
	*a = Attempt{
		ID:           e.id,
		Client:       addrFrom(e.key.client, e.v6),
		ClientPort:   e.key.clientPort,
		ClientMAC:    e.mac,
		HasClientMAC: e.hasMAC,
		PSN:          addrFrom(e.key.psn, e.v6),
		Port:         e.key.port,
		ISN:          e.key.isn,
		Outcome:      e.outcome,
		SYNSeen:      e.synSeen,
		Inferred:     e.inferred,
		Late:         e.late,
		SYNs:         int(e.syns),
		Incomplete:   e.incomplete,
		FirstSeen:    time.Unix(0, e.first),
		VLANs:        e.vlans,
		NumVLANs:     e.nvlans,
		Interface:    t.ifaces[e.iface],
		HasICMP:      e.hasICMP,
		ICMPType:     e.icmpType,
		ICMPCode:     e.icmpCode,
		evidence:     e.evidence,
		nev:          e.nev,
	}
	if e.hasAns {
		a.AnsweredAt = time.Unix(0, e.answered)
	}
	if e.hasICMP {
		a.ICMPFrom = addrFrom(e.icmpFrom, e.v6)
	}
	t.emit(a)
}

// alloc creates an entry for k, evicting the oldest when the tracker is full.
func (t *Tracker) alloc(k attemptKey, p *Packet) int32 {
	if t.index.n >= t.cfg.MaxAttempts {
		t.evict()
	}
	var i int32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		if t.count%entryBlock == 0 {
			t.entries = append(t.entries, make([]entry, entryBlock))
		}
		i = t.count
		t.count++
	}
	t.nextID++
	*t.at(i) = entry{key: k, id: t.nextID, first: p.Timestamp, v6: p.IPv6, prev: -1, next: -1}
	t.index.insert(t.index.hashAttempt(&k), i)
	hc := t.byConn.hashConn(&k)
	if p := t.connSlot(&k, hc); p >= 0 {
		t.byConn.slots[p] = makeSlot(hc, i)
	} else {
		t.byConn.insert(hc, i)
	}
	return i
}

// evict drops the oldest remembered attempt; when every held attempt is
// still open, the oldest open one is reported unanswered now, so that no
// attempt disappears unreported.
func (t *Tracker) evict() {
	t.ctr.evictions.Add(1)
	if h := t.lists[listDone].head; h >= 0 {
		t.release(h)
		return
	}
	if h := t.lists[listHeld].head; h >= 0 {
		t.finish(h)
		t.release(h)
		return
	}
	if h := t.lists[listOpen].head; h >= 0 {
		t.at(h).outcome = Unanswered
		t.at(h).incomplete = true
		t.unlink(h)
		t.report(h)
		t.release(h)
	}
}

func (t *Tracker) release(i int32) {
	t.unlink(i)
	k := t.at(i).key
	t.index.remove(t.index.hashAttempt(&k), i)
	// Only if it is still the connection's latest attempt.
	t.byConn.remove(t.byConn.hashConn(&k), i)
	t.free = append(t.free, i)
}

func (t *Tracker) push(l uint8, i int32, deadline int64) {
	e := t.at(i)
	e.list, e.deadline = l, deadline
	if l != listDone {
		t.ctr.open.Add(1)
	}
	e.prev, e.next = t.lists[l].tail, -1
	if t.lists[l].tail >= 0 {
		t.at(t.lists[l].tail).next = i
	} else {
		t.lists[l].head = i
	}
	t.lists[l].tail = i
}

func (t *Tracker) pushDone(i int32, deadline int64) { t.push(listDone, i, deadline) }

func (t *Tracker) unlink(i int32) {
	e := t.at(i)
	if e.list == listNone {
		return
	}
	if e.list != listDone {
		t.ctr.open.Add(-1)
	}
	l := &t.lists[e.list]
	if e.prev >= 0 {
		t.at(e.prev).next = e.next
	} else {
		l.head = e.next
	}
	if e.next >= 0 {
		t.at(e.next).prev = e.prev
	} else {
		l.tail = e.prev
	}
	e.prev, e.next, e.list = -1, -1, listNone
}

func (t *Tracker) ifaceID(name string) uint16 {
	if n := len(t.ifaces); n > 0 && t.ifaces[n-1] == name {
		return uint16(n - 1)
	}
	if id, ok := t.ifaceIdx[name]; ok {
		return id
	}
	if len(t.ifaces) >= math.MaxUint16 {
		return 0
	}
	id := uint16(len(t.ifaces))
	t.ifaces = append(t.ifaces, name)
	t.ifaceIdx[name] = id
	return id
}

// keep saves the frame in the evidence ring and remembers where.
func (t *Tracker) keep(e *entry, f *Frame) {
	if t.ev == nil || f == nil {
		return
	}
	pos := t.ev.put(f)
	if e.nev < maxEvidence {
		e.evidence[e.nev] = pos
		e.nev++
	} else {
		// Keep the first SYN and the answer; the latest frame replaces the
		// last slot.
		e.evidence[maxEvidence-1] = pos
	}
}

// Evidence calls fn with each frame kept for the attempt that is still in
// the evidence ring, oldest first, and returns how many it found. The data
// passed to fn is only valid during the call. Call it from the emit
// callback or soon after: the ring overwrites the oldest frames.
func (t *Tracker) Evidence(a *Attempt, fn func(ts int64, link LinkType, origLen int, data []byte)) int {
	if t.ev == nil {
		return 0
	}
	n := 0
	for _, pos := range a.evidence[:a.nev] {
		if t.ev.get(pos, fn) {
			n++
		}
	}
	return n
}
