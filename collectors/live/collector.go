package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/snmp"
	"github.com/syncwatch/syncwatch/collectors/ssh"
)

// Defaults applied to zero fields of Config.
const (
	DefaultPollInterval      = 60 * time.Second
	DefaultFullSweepInterval = 15 * time.Minute
	DefaultConcurrency       = 32
	DefaultRetries           = 2
	DefaultRetryBackoff      = 5 * time.Second
	// Jitter spreads each switch's polls by up to this fraction of its
	// interval, either way, so that thousands of switches do not poll in
	// step.
	Jitter = 0.1
	// MaxFirstSpread bounds how far the first polls are spread after Run
	// starts (a tenth of the interval, at most this): the daemon's
	// inventory is empty until they end.
	MaxFirstSpread = 5 * time.Second
)

// Switch is one switch to poll.
type Switch struct {
	Name string
	// SSH returns the switch's SSH settings with its secrets read now, so
	// that a rotated secret is used at the next connection.
	SSH func() (ssh.Config, error)
	// SNMP, when set, returns its SNMP settings: change detection then
	// walks the session table and SSH fetches only what changed.
	SNMP func() (snmp.Config, error)
	// PollInterval overrides Config.PollInterval when not zero.
	PollInterval time.Duration
}

// Config says what to poll and how often.
type Config struct {
	Switches          []Switch
	PollInterval      time.Duration // per switch; DefaultPollInterval when 0
	FullSweepInterval time.Duration // details of every session; DefaultFullSweepInterval when 0
	Concurrency       int           // switches polled at once; DefaultConcurrency when 0
	// Retries is how many times a failed poll is retried (after
	// RetryBackoff, doubling) before the switch waits for its next
	// interval; DefaultRetries when 0, none when negative. Failures that
	// a retry cannot fix (auth, host key, configuration) are not retried.
	Retries      int
	RetryBackoff time.Duration
	// Transcripts keeps each switch's transcript of its last poll
	// (Collector.Transcript), for collect --save.
	Transcripts bool
	// OnUpdate is called after a switch's sessions or ACLs changed, with
	// the inventory's new snapshot (the daemon re-runs the audit on it).
	OnUpdate func(*collectors.Snapshot)
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// SwitchHealth is how polling one switch goes.
type SwitchHealth struct {
	Name        string
	Up          bool      // the last poll succeeded
	LastPoll    time.Time // when the last poll ended; zero before the first
	LastSuccess time.Time
	Reason      string // of the last failure, "" when up
	Error       string // the last failure, "" when up
	Failures    int    // consecutive failed polls
	Sessions    int
	Connected   bool // an SSH connection is open
}

// Collector polls switches into an Inventory.
type Collector struct {
	cfg     Config
	inv     *collectors.Inventory
	log     *slog.Logger
	m       *metrics
	sem     chan struct{}
	now     func() time.Time
	byName  map[string]*switchPoller
	order   []*switchPoller
	closeMu sync.Mutex
	closed  bool
	// onUpdate is Config.OnUpdate, or what OnUpdate registered since.
	onUpdate atomic.Pointer[func(*collectors.Snapshot)]
}

// New checks the configuration and returns a Collector that fills inv;
// nothing is sent until Run, PollOnce or Refresh. reg may be nil.
func New(cfg Config, inv *collectors.Inventory, reg prometheus.Registerer, log *slog.Logger) (*Collector, error) {
	if inv == nil {
		return nil, errors.New("live: no inventory")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.FullSweepInterval <= 0 {
		cfg.FullSweepInterval = DefaultFullSweepInterval
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("live: metrics: %w", err)
	}
	c := &Collector{cfg: cfg, inv: inv, log: log, m: m, sem: make(chan struct{}, cfg.Concurrency),
		now: cfg.Now, byName: map[string]*switchPoller{}}
	if c.now == nil {
		c.now = time.Now
	}
	if cfg.OnUpdate != nil {
		fn := cfg.OnUpdate
		c.onUpdate.Store(&fn)
	}
	for _, sw := range cfg.Switches {
		switch {
		case sw.Name == "":
			return nil, errors.New("live: a switch has no name")
		case c.byName[sw.Name] != nil:
			return nil, fmt.Errorf("live: switch %s given twice", sw.Name)
		case sw.SSH == nil:
			return nil, fmt.Errorf("live: switch %s has no SSH settings", sw.Name)
		}
		p := &switchPoller{c: c, sw: sw, sessions: map[string]*cached{}}
		if p.sw.PollInterval <= 0 {
			p.sw.PollInterval = cfg.PollInterval
		}
		c.byName[sw.Name] = p
		c.order = append(c.order, p)
		m.init(sw.Name, sw.SNMP != nil)
	}
	sort.Slice(c.order, func(i, j int) bool { return c.order[i].sw.Name < c.order[j].sw.Name })
	return c, nil
}

// OnUpdate registers fn in place of Config.OnUpdate: it is called, on the
// polling goroutine, with the inventory's new snapshot after a switch's
// sessions or ACLs changed (nil stops the calls). Register it before Run.
func (c *Collector) OnUpdate(fn func(*collectors.Snapshot)) {
	if fn == nil {
		c.onUpdate.Store(nil)
		return
	}
	c.onUpdate.Store(&fn)
}

// updated calls the registered OnUpdate, if any.
func (c *Collector) updated(snap *collectors.Snapshot) {
	if fn := c.onUpdate.Load(); fn != nil {
		(*fn)(snap)
	}
}

// Inventory returns the inventory the Collector fills.
func (c *Collector) Inventory() *collectors.Inventory { return c.inv }

// Run polls every switch on its interval until ctx ends, then returns
// ctx's error. The first polls are spread over the first tenth of the
// interval, at most MaxFirstSpread.
func (c *Collector) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, p := range c.order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.loop(ctx)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// PollOnce polls every switch (or the named ones) once, with the
// concurrency limit and retries, a full sweep each, and returns every
// switch's failure joined (nil when all succeeded); the inventory holds
// the switches that worked.
func (c *Collector) PollOnce(ctx context.Context, names ...string) error {
	targets := c.order
	if len(names) > 0 {
		targets = nil
		for _, n := range names {
			p := c.byName[n]
			if p == nil {
				return fmt.Errorf("live: no switch named %s in the configuration", n)
			}
			targets = append(targets, p)
		}
	}
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, p := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case c.sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = fmt.Errorf("switch %s: %w", p.sw.Name, ctx.Err())
				return
			}
			defer func() { <-c.sem }()
			errs[i] = p.pollWithRetries(ctx, true)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Refresh re-reads one switch now (every session's details, the ACLs)
// and returns the inventory with its fresh state; concurrent refreshes of
// one switch share one read. It implements the judge's Refresher.
func (c *Collector) Refresh(ctx context.Context, switchName string) (*collectors.Snapshot, error) {
	p := c.byName[switchName]
	if p == nil {
		c.m.refreshes.WithLabelValues(switchName, "error").Inc()
		return nil, fmt.Errorf("live: no switch named %s in the configuration", switchName)
	}
	p.refreshMu.Lock()
	call := p.refreshing
	if call == nil {
		call = &refreshCall{done: make(chan struct{})}
		p.refreshing = call
		go func() {
			// Not bound to one caller's ctx: others may wait on it. The
			// per-command time limits bound it.
			call.snap, call.err = p.refresh(context.WithoutCancel(ctx))
			p.refreshMu.Lock()
			p.refreshing = nil
			p.refreshMu.Unlock()
			close(call.done)
		}()
	}
	call.waiters++
	p.refreshMu.Unlock()
	select {
	case <-call.done:
	case <-ctx.Done():
		c.m.refreshes.WithLabelValues(switchName, "error").Inc()
		return nil, fmt.Errorf("live: refresh of %s: %w", switchName, ctx.Err())
	}
	result := "ok"
	if call.err != nil {
		result = "error"
	}
	c.m.refreshes.WithLabelValues(switchName, result).Inc()
	return call.snap, call.err
}

// refreshCall is one refresh that concurrent callers share.
type refreshCall struct {
	done    chan struct{}
	waiters int // callers sharing it (under refreshMu)
	snap    *collectors.Snapshot
	err     error
}

// Health returns every switch's polling health, by name.
func (c *Collector) Health() []SwitchHealth {
	out := make([]SwitchHealth, 0, len(c.order))
	for _, p := range c.order {
		out = append(out, p.health())
	}
	return out
}

// Transcript returns the transcript of a switch's last poll (with
// Config.Transcripts), "" when there is none.
func (c *Collector) Transcript(switchName string) string {
	p := c.byName[switchName]
	if p == nil {
		return ""
	}
	p.hmu.Lock()
	defer p.hmu.Unlock()
	return p.transcript
}

// Close closes every SSH connection and SNMP socket. Call it after Run
// returned; it leaves no goroutine behind.
func (c *Collector) Close() error {
	c.closeMu.Lock()
	c.closed = true
	c.closeMu.Unlock()
	// In parallel (each close types exit and waits a moment for the
	// switch to end the session), as many at once as polls.
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, p := range c.order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			p.refreshMu.Lock()
			call := p.refreshing
			p.refreshMu.Unlock()
			if call != nil {
				<-call.done
			}
			p.mu.Lock()
			p.disconnect()
			p.mu.Unlock()
		}()
	}
	wg.Wait()
	return nil
}

// jittered returns d spread by up to Jitter either way.
func jittered(d time.Duration) time.Duration {
	f := 1 + Jitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * f)
}
