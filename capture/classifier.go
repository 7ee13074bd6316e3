package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// counters are the classifier's and tracker's running totals. They are
// atomic so that metrics can be read while a capture runs.
type counters struct {
	packets    atomic.Uint64
	decoded    atomic.Uint64
	truncated  atomic.Uint64
	ignored    [numReasons]atomic.Uint64
	duplicates atomic.Uint64
	evictions  atomic.Uint64
	late       atomic.Uint64
	attempts   [numOutcomes]atomic.Uint64
	open       atomic.Int64
	lastPacket atomic.Int64
	// clockBack counts frames whose timestamp is more than a second before
	// the clock; clockBackMax is the largest such step, in nanoseconds.
	clockBack    atomic.Uint64
	clockBackMax atomic.Int64
	// toPSN and fromPSN count TCP packets on the port by direction.
	toPSN, fromPSN atomic.Uint64
	// unsupportedLink is the last link type that could not be decoded,
	// plus one (zero: none).
	unsupportedLink atomic.Uint32

	mu      sync.Mutex
	perIf   map[string]*atomic.Uint64
	lastIf  string
	lastCtr *atomic.Uint64
}

// iface returns the packet counter of an interface. The last one is cached:
// frames usually come in runs from one interface.
func (c *counters) iface(name string) *atomic.Uint64 {
	if c.lastCtr != nil && c.lastIf == name {
		return c.lastCtr
	}
	c.mu.Lock()
	ctr, ok := c.perIf[name]
	if !ok {
		if c.perIf == nil {
			c.perIf = make(map[string]*atomic.Uint64)
		}
		ctr = new(atomic.Uint64)
		c.perIf[name] = ctr
	}
	c.mu.Unlock()
	c.lastIf, c.lastCtr = name, ctr
	return ctr
}

// Stats is a snapshot of what a Classifier saw.
type Stats struct {
	// Packets counts frames read.
	Packets uint64
	// Decoded counts frames that decoded to TCP on a state-sync port or an
	// ICMP error about it.
	Decoded uint64
	// Truncated counts decoded frames that the snaplen cut inside their
	// headers (still usable).
	Truncated uint64
	// Ignored counts frames of no interest by reason.
	Ignored map[string]uint64
	// Duplicates counts SPAN copies of packets already seen.
	Duplicates uint64
	// Evictions counts attempts dropped to stay within the memory cap.
	Evictions uint64
	// LateCorrections counts attempts first reported unanswered whose answer
	// came within the grace period.
	LateCorrections uint64
	// Attempts counts reported attempts by outcome.
	Attempts map[string]uint64
	// Open counts attempts waiting for an answer.
	Open int64
	// PerInterface counts frames read by interface.
	PerInterface map[string]uint64
	// ClockBackwards counts frames stamped more than a second before a
	// frame read earlier, and MaxClockBackwards is the largest such step:
	// a capture out of time order, whose outcomes after the step may be
	// wrong (reordercap sorts a file).
	ClockBackwards    uint64
	MaxClockBackwards time.Duration
	// ToPSN and FromPSN count TCP packets on the port by direction: none
	// from the PSNs means the capture holds one direction only.
	ToPSN, FromPSN uint64
	// UnsupportedLink is a link type that syncwatch could not decode, when
	// frames of one were read.
	UnsupportedLink LinkType
}

// Classifier decodes frames and tracks attempts: the whole capture pipeline
// from a Source to Attempts. It is not safe for concurrent use, except for
// Stats and the metrics collector, which may run at any time.
type Classifier struct {
	dec *Decoder
	trk *Tracker
	ctr *counters
	pkt Packet
}

// NewClassifier returns a classifier with the tracker configuration cfg that
// calls emit for every completed attempt and late correction (see
// NewTracker).
func NewClassifier(cfg TrackerConfig, emit func(*Attempt)) (*Classifier, error) {
	trk, err := NewTracker(cfg, emit)
	if err != nil {
		return nil, err
	}
	return &Classifier{dec: NewDecoder(trk.ports), trk: trk, ctr: trk.ctr}, nil
}

// Tracker returns the classifier's tracker (for Evidence).
func (c *Classifier) Tracker() *Tracker { return c.trk }

// Frame classifies one frame.
func (c *Classifier) Frame(f *Frame) {
	c.ctr.packets.Add(1)
	c.ctr.iface(f.Interface).Add(1)
	c.ctr.lastPacket.Store(f.Timestamp)
	if r := c.dec.Decode(f, &c.pkt); r != ReasonNone {
		c.ctr.ignored[r].Add(1)
		if r == ReasonLinkType {
			c.ctr.unsupportedLink.Store(uint32(f.Link) + 1)
		}
		// Idle-looking traffic still moves the clock, so attempts time out
		// on a busy link that carries nothing for the port.
		c.trk.Advance(f.Timestamp)
		return
	}
	c.ctr.decoded.Add(1)
	if c.pkt.Truncated {
		c.ctr.truncated.Add(1)
	}
	if r := c.trk.Add(&c.pkt, f); r != ReasonNone {
		c.ctr.ignored[r].Add(1)
	}
}

// Advance moves the clock without a packet (live capture's idle tick).
func (c *Classifier) Advance(now int64) { c.trk.Advance(now) }

// Flush completes every open attempt, as at the end of a file.
func (c *Classifier) Flush() { c.trk.Flush() }

// ReadAll classifies every frame of src until its end, then flushes. A
// damaged file stops the read with its error, after the frames before the
// damage were classified and flushed, so nothing read is lost.
func (c *Classifier) ReadAll(ctx context.Context, src Source) error {
	var f Frame
	for i := 0; ; i++ {
		if i&1023 == 0 && ctx.Err() != nil {
			c.Flush()
			return ctx.Err()
		}
		err := src.Next(&f)
		if errors.Is(err, io.EOF) {
			c.Flush()
			return nil
		}
		if err != nil {
			c.Flush()
			return err
		}
		c.Frame(&f)
	}
}

// Stats returns a snapshot of the counters.
func (c *Classifier) Stats() Stats {
	return c.ctr.snapshot()
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Packets:           c.packets.Load(),
		Decoded:           c.decoded.Load(),
		Truncated:         c.truncated.Load(),
		Duplicates:        c.duplicates.Load(),
		Evictions:         c.evictions.Load(),
		LateCorrections:   c.late.Load(),
		Open:              c.open.Load(),
		ClockBackwards:    c.clockBack.Load(),
		MaxClockBackwards: time.Duration(c.clockBackMax.Load()),
		ToPSN:             c.toPSN.Load(),
		FromPSN:           c.fromPSN.Load(),
		Ignored:           map[string]uint64{},
		Attempts:          map[string]uint64{},
		PerInterface:      map[string]uint64{},
	}
	if l := c.unsupportedLink.Load(); l > 0 {
		s.UnsupportedLink = LinkType(l - 1)
	}
	for _, r := range Reasons() {
		if n := c.ignored[r].Load(); n > 0 {
			s.Ignored[r.String()] = n
		}
	}
	for _, o := range Outcomes() {
		s.Attempts[o.String()] = c.attempts[o].Load()
	}
	c.mu.Lock()
	for name, ctr := range c.perIf {
		s.PerInterface[name] = ctr.Load()
	}
	c.mu.Unlock()
	return s
}

// String summarises the stats on one line for logs.
func (s Stats) String() string {
	return fmt.Sprintf("packets=%d decoded=%d truncated=%d duplicates=%d evictions=%d open=%d",
		s.Packets, s.Decoded, s.Truncated, s.Duplicates, s.Evictions, s.Open)
}
