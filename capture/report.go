package capture

import (
	"cmp"
	"net/netip"
	"slices"
)

// Collector keeps every reported attempt, a late correction replacing the
// attempt it corrects, for a whole-file report.
type Collector struct {
	attempts []Attempt
	byID     map[uint64]int
}

// NewCollector returns an empty collector.
func NewCollector() *Collector { return &Collector{byID: map[uint64]int{}} }

// Add is the tracker's emit callback.
func (c *Collector) Add(a *Attempt) {
	if i, ok := c.byID[a.ID]; ok {
		c.attempts[i] = *a
		return
	}
	c.byID[a.ID] = len(c.attempts)
	c.attempts = append(c.attempts, *a)
}

// Attempts returns the attempts in order of their first packet.
func (c *Collector) Attempts() []Attempt {
	out := slices.Clone(c.attempts)
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
