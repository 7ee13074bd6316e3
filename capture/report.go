package capture

import (
	"cmp"
	"net/netip"
	"slices"
)

// Collector keeps every reported attempt, a late correction replacing the
// attempt it corrects, for a whole-file report. It stores attempts in
// fixed-size blocks, so collecting millions never copies them to grow.
type Collector struct {
	blocks [][]Attempt
	n      int
	// unanswered locates the attempts reported unanswered: only those can
	// be corrected later.
	unanswered map[uint64]int
}

const collectorBlock = 4096

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{unanswered: map[uint64]int{}} }

// Add is the tracker's emit callback.
func (c *Collector) Add(a *Attempt) {
	if i, ok := c.unanswered[a.ID]; ok {
		c.blocks[i/collectorBlock][i%collectorBlock] = *a
		if a.Outcome != Unanswered {
			delete(c.unanswered, a.ID)
		}
		return
	}
	if c.n%collectorBlock == 0 {
		c.blocks = append(c.blocks, make([]Attempt, 0, collectorBlock))
	}
	last := len(c.blocks) - 1
	c.blocks[last] = append(c.blocks[last], *a)
	if a.Outcome == Unanswered {
		c.unanswered[a.ID] = c.n
	}
	c.n++
}

// Len returns how many attempts were collected.
func (c *Collector) Len() int { return c.n }

// Attempts returns the attempts in order of their first packet.
func (c *Collector) Attempts() []Attempt {
	out := make([]Attempt, 0, c.n)
	for _, b := range c.blocks {
		out = append(out, b...)
	}
	slices.SortStableFunc(out, func(a, b Attempt) int {
		if n := a.FirstSeen.Compare(b.FirstSeen); n != 0 {
			return n
		}
		return cmp.Compare(a.ID, b.ID)
	})
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
	s := Summary{ByOutcome: map[string]int{}, ByPSN: []PSNSummary{}}
	for _, o := range Outcomes() {
		s.ByOutcome[o.String()] = 0
	}
	type key struct {
		psn  netip.Addr
		port uint16
	}
	rows := map[key]*PSNSummary{}
	for i := range attempts {
		a := &attempts[i]
		s.Attempts++
		s.ByOutcome[a.Outcome.String()]++
		k := key{a.PSN, a.Port}
		r, ok := rows[k]
		if !ok {
			r = &PSNSummary{PSN: a.PSN, Port: a.Port}
			rows[k] = r
		}
		r.add(a.Outcome)
	}
	for _, r := range rows {
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
