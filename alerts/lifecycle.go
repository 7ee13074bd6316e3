package alerts

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// Defaults of LifecycleConfig.
const (
	// DefaultHold is how long a compliant-reached, not-blocked or race
	// finding must show the dACL denying, with nothing reaching the port,
	// before it resolves: longer than the agent's longest probe interval,
	// so that silence alone is never taken for a fix.
	DefaultHold         = 10 * time.Minute
	DefaultSilenceFloor = 5 * time.Minute
	DefaultMaxEndpoints = 100_000
	DefaultMaxWatches   = 10_000
	DefaultMaxFindings  = 100_000
	DefaultMaxResolved  = 1_000
	DefaultInfoSeries   = 1_000
	// sweepEvery is how often (by the lifecycle's clock) the active
	// findings are re-judged against the inventory for resolution.
	sweepEvery = 10 * time.Second
	// saveEvery is how often counts and times that changed without a
	// notification are saved.
	saveEvery = 30 * time.Second
)

// LifecycleConfig configures a Lifecycle. Zero values take the defaults.
type LifecycleConfig struct {
	// Judge decides attempts; required.
	Judge *Judge
	// Inventory returns the inventory as now known (a live Inventory's
	// Snapshot, or the transcripts' snapshot offline); required.
	Inventory func() *collectors.Snapshot
	// Sinks receive every notification.
	Sinks []Sink
	// Refresher, when set, re-reads a switch before a compliant-reached is
	// paged (the confirm step); offline there is none.
	Refresher Refresher
	// ConfirmTimeout bounds one refresh (default 30 s), ConfirmWorkers the
	// refreshes in flight (default 4) and ConfirmQueue those waiting
	// (default 256; beyond it a finding is paged unconfirmed).
	ConfirmTimeout time.Duration
	ConfirmWorkers int
	ConfirmQueue   int
	// PSNDownEndpoints and PSNDownWindow: that many distinct failing
	// endpoints within the window make a psn-down (defaults 5 and 60 s).
	PSNDownEndpoints int
	PSNDownWindow    time.Duration
	// Hold is how long the evidence of a fix must last (DefaultHold).
	Hold time.Duration
	// SilenceFloor is the shortest silence that makes a
	// state-sync-disabled, whatever the endpoint's interval (5 min).
	SilenceFloor time.Duration
	// MaxEndpoints bounds the endpoints whose probe interval is learned
	// and MaxWatches those watched after reaching a PSN; the least
	// recently seen (the oldest watch) are evicted, counted.
	MaxEndpoints int
	MaxWatches   int
	// MaxFindings bounds the active findings; beyond it new ones are
	// counted and dropped. MaxResolved is how many resolved findings are
	// kept for Recent.
	MaxFindings int
	MaxResolved int
	// InfoSeries caps the series of the active-findings info gauge.
	InfoSeries int
	// Store keeps the active findings across restarts; nil keeps nothing.
	Store *Store
	// Sensor names this sensor in findings.
	Sensor string
	// Evidence, when set, is called with each new traffic finding on the
	// goroutine that judged its attempt (from the tracker's emit callback,
	// while its evidence frames are still there) and returns where the
	// finding's evidence can be fetched. It must be quick.
	Evidence func(f *Finding) string
	// Registerer receives the metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger receives what the lifecycle does; nil discards it.
	Logger *slog.Logger
	// Now is the wall clock for confirm times and audits (time.Now).
	Now func() time.Time
}

// Lifecycle follows findings from their first occurrence to their
// resolution and tells the sinks: Firing on the first occurrence and when
// something worth a new notification changes (session, dACL and deciding
// line, confirm), never on a mere repeat; Resolved when positive evidence
// shows the finding fixed:
//
//   - compliant-reached, not-blocked, race: the dACL as now applied denies
//     the SYN and nothing reached the port for the hold time;
//   - psn-not-listening, sync-path-blocked: the endpoint's probe is
//     accepted (a sync-path-blocked also by a refusal, which shows the path
//     open), or its session is no longer unknown or pending;
//   - psn-down: the PSN answers again;
//   - state-sync-disabled: the endpoint probes again;
//   - unmanaged, unclassified: the inventory now has a session for the
//     endpoint, a classified one;
//   - audit findings: the audit no longer finds them.
//
// Never because traffic stopped; and while capture is unhealthy no traffic
// finding resolves (audit findings rest on the inventory alone).
//
// Time comes from the attempts (their answer, else their first packet) and
// Tick, so the same capture gives the same findings. A Lifecycle is safe
// for concurrent use: Attempt runs on the capture's goroutine and never
// waits for the network (confirms run on their own goroutines).
type Lifecycle struct {
	cfg LifecycleConfig
	// judge is swapped by Reconfigure; Attempt reads it without the lock.
	judge atomic.Pointer[Judge]
	log   *slog.Logger

	mu           sync.Mutex
	clock        time.Time
	lastSweep    time.Time
	healthy      bool
	healthySince time.Time
	active       map[string]*tracked
	byEndpoint   map[endpointID]int // active traffic findings per endpoint
	resolved     []Finding          // ring of MaxResolved, oldest at resolvedNext when full
	resolvedNext int
	psnDown      *psnDowns
	follow       *follower
	metrics      *judgeMetrics
	dropped      uint64
	dirty        bool

	confirm *confirmer
	saver   *saver
}

// tracked is an active finding with what the lifecycle needs to follow it.
type tracked struct {
	f  Finding
	ep endpointID // traffic findings about one endpoint
	pp psnPort    // traffic findings
	// pending: a compliant-reached waiting for its confirm; not notified.
	pending bool
	// explained: a sync-path-blocked an active psn-down explains; not
	// notified again while it is.
	explained bool
	notified  signature
	// denySince is since when the dACL has denied the SYN (hold
	// resolution); lastReach when the endpoint last reached the port.
	denySince time.Time
	lastReach time.Time
}

// signature is what a notification is repeated for when it changes.
type signature struct {
	sw, iface, session, dacl, acl, line string
	posture                             collectors.Posture
	seq                                 int
	confirm                             string
	evidence                            string
}

func signatureOf(f *Finding) signature {
	s := signature{sw: f.Switch, iface: f.Interface, session: f.SessionID, dacl: f.DACL, acl: f.ACL, line: f.ACLLine,
		posture: f.Posture, seq: f.ACLLineSeq, evidence: f.Evidence}
	if f.Confirm != nil {
		s.confirm = f.Confirm.Verdict
	}
	return s
}

// NewLifecycle returns a lifecycle with the findings cfg.Store kept from
// before a restart (they are not notified again; a store that cannot be
// read is logged as a warning and the lifecycle starts empty). Close it to
// stop its goroutines and save.
func NewLifecycle(cfg LifecycleConfig) (*Lifecycle, error) {
	if cfg.Judge == nil || cfg.Inventory == nil {
		return nil, errors.New("lifecycle: a judge and an inventory are required")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defD := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&cfg.PSNDownEndpoints, DefaultPSNDownEndpoints)
	defD(&cfg.PSNDownWindow, DefaultPSNDownWindow)
	defD(&cfg.Hold, DefaultHold)
	defD(&cfg.SilenceFloor, DefaultSilenceFloor)
	defD(&cfg.ConfirmTimeout, DefaultConfirmTimeout)
	def(&cfg.ConfirmWorkers, DefaultConfirmWorkers)
	def(&cfg.ConfirmQueue, DefaultConfirmQueue)
	def(&cfg.MaxEndpoints, DefaultMaxEndpoints)
	def(&cfg.MaxWatches, DefaultMaxWatches)
	def(&cfg.MaxFindings, DefaultMaxFindings)
	def(&cfg.MaxResolved, DefaultMaxResolved)
	def(&cfg.InfoSeries, DefaultInfoSeries)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	l := &Lifecycle{
		cfg: cfg, log: cfg.Logger,
		healthy:    true,
		active:     map[string]*tracked{},
		byEndpoint: map[endpointID]int{},
		psnDown:    newPSNDowns(cfg.PSNDownEndpoints, cfg.PSNDownWindow),
		follow:     newFollower(cfg.MaxEndpoints, cfg.MaxWatches),
	}
	l.judge.Store(cfg.Judge)
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	m, err := newJudgeMetrics(cfg.Registerer, l)
	if err != nil {
		return nil, err
	}
	l.metrics = m
	if cfg.Store != nil {
		l.restore()
		l.saver = newSaver(l, cfg.Store)
	}
	if cfg.Refresher != nil {
		l.confirm = newConfirmer(l)
		l.requeuePending()
	} else {
		l.mu.Lock()
		for _, tr := range l.active {
			if tr.pending {
				l.unconfirmed(tr, "no live collector to confirm it with since the restart")
			}
		}
		l.mu.Unlock()
	}
	return l, nil
}

// Attempt judges one completed attempt (or late correction) against the
// inventory as now known and updates the findings. Call it from the
// tracker's emit callback; it does not retain a.
func (l *Lifecycle) Attempt(a *capture.Attempt) {
	if a.Outcome == capture.OutcomeOpen {
		return
	}
	v := l.judge.Load().Judge(a, l.cfg.Inventory())
	t := attemptTime(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.clock) {
		l.clock = t
	}
	l.metrics.attempt(a, &v)
	reached := a.Outcome == capture.Accepted || a.Outcome == capture.Refused
	pp := psnPort{a.PSN.Unmap(), a.Port}
	if !a.Late {
		l.follow.observe(v.endpoint, pp.addr, pp.port, t.UnixNano())
		if w := l.follow.watches[v.endpoint]; w != nil {
			l.probed(v.endpoint, w, t)
		}
	}
	if reached {
		if st := l.psnDown.reached(pp, t); st != nil && st.active != nil && l.healthy {
			l.resolveTracked(st.active, t, "the PSN answered again")
		}
	}
	if l.byEndpoint[v.endpoint] > 0 {
		l.evidenceFrom(&v, a, pp, t)
	}
	if v.Kind == "" {
		return
	}
	l.record(&v, a, pp, t)
}

// probed handles a probe from a watched endpoint.
func (l *Lifecycle) probed(id endpointID, w *watch, t time.Time) {
	switch {
	case w.fired:
		if !l.healthy {
			return
		}
		if tr := l.active[w.key]; tr != nil {
			l.resolveTracked(tr, t, "the endpoint probes again")
		}
		delete(l.follow.watches, id)
	case t.Sub(w.since) >= roundGap:
		// A later round: the agent still probes, state sync is on.
		delete(l.follow.watches, id)
	default:
		w.lastProbe = t
	}
}

// evidenceFrom resolves what an attempt from an endpoint with active
// findings shows fixed, and notes reaches for the hold.
func (l *Lifecycle) evidenceFrom(v *Verdict, a *capture.Attempt, pp psnPort, t time.Time) {
	ep := v.endpoint.String()
	port := portText(pp.port)
	psn := pp.addr.String()
	reached := a.Outcome == capture.Accepted || a.Outcome == capture.Refused
	for _, k := range [...]Kind{KindCompliantReached, KindNotBlocked, KindRace} {
		if tr := l.active[KeyOf(string(k), ep, psn, port)]; tr != nil && reached {
			tr.lastReach = t
		}
	}
	if !l.healthy {
		return
	}
	if a.Outcome == capture.Accepted {
		if tr := l.active[KeyOf(string(KindPSNNotListening), ep, psn, port)]; tr != nil {
			l.resolveTracked(tr, t, "the endpoint's probe was accepted")
		}
	}
	if reached {
		if tr := l.active[KeyOf(string(KindSyncPathBlocked), ep, psn, port)]; tr != nil {
			l.resolveTracked(tr, t, "the endpoint's probe got through")
		}
	}
}

// record adds an occurrence of a verdict's finding.
func (l *Lifecycle) record(v *Verdict, a *capture.Attempt, pp psnPort, t time.Time) {
	if v.PSNDownEvidence() {
		ref := SessionRef{EndpointIP: a.Client.Unmap()}
		if s := v.Session; s != nil {
			ref = SessionRef{Switch: s.Switch, Interface: s.Interface, EndpointIP: a.Client.Unmap(), EndpointMAC: s.MAC, SessionID: s.SessionID}
		}
		st, down := l.psnDown.failed(pp, v.endpoint, ref, a.Outcome, t)
		if down {
			if st.active == nil {
				f := l.psnDown.finding(st, pp, v.PSNName, a, t)
				f.Sensor = l.cfg.Sensor
				st.active = l.activate(f, endpointID{}, pp, t)
				l.explain(pp, true)
			} else {
				st.addSession(ref)
				st.active.f.LastSeen = t
			}
			l.metrics.heldBack.WithLabelValues(string(KindSyncPathBlocked)).Inc()
			if tr := l.active[KeyOf(string(KindSyncPathBlocked), v.endpoint.String(), pp.addr.String(), portText(pp.port))]; tr != nil {
				l.repeat(tr, v, a, t)
			}
			return
		}
	}
	key := KeyOf(string(v.Kind), v.endpoint.String(), pp.addr.String(), portText(pp.port))
	if tr := l.active[key]; tr != nil {
		l.repeat(tr, v, a, t)
		return
	}
	f := v.Finding(a)
	f.Sensor = l.cfg.Sensor
	if l.cfg.Evidence != nil {
		f.Evidence = l.cfg.Evidence(&f)
	}
	if v.Kind == KindCompliantReached && l.confirm != nil {
		l.startConfirm(f, v.endpoint, pp, a)
		return
	}
	tr := l.activate(f, v.endpoint, pp, t)
	if tr != nil && v.Kind == KindRace {
		// The verdict itself shows the dACL denying: the hold starts now.
		tr.denySince, tr.lastReach = t, t
	}
	if tr != nil && v.Kind == KindRace && a.Outcome == capture.Accepted {
		l.follow.watchAfter(v.endpoint, &tr.f, t)
	}
	if tr != nil && v.Kind == KindCompliantReached {
		l.follow.watchAfter(v.endpoint, &tr.f, t)
	}
}

// repeat updates an active finding with a new occurrence: counts and the
// latest attempt always, a notification only when something worth it
// changed.
func (l *Lifecycle) repeat(tr *tracked, v *Verdict, a *capture.Attempt, t time.Time) {
	f := &tr.f
	f.Count++
	if t.After(f.LastSeen) {
		f.LastSeen = t
	}
	if tr.pending {
		return
	}
	fresh := v.Finding(a)
	// Notified findings share what their pointers point to: replace, never
	// write through them.
	f.Attempt = fresh.Attempt
	f.EndpointIP, f.EndpointMAC, f.Switch, f.Interface, f.SessionID = fresh.EndpointIP, fresh.EndpointMAC, fresh.Switch, fresh.Interface, fresh.SessionID
	f.Posture, f.PostureRule, f.DACL, f.ACL, f.ACLLine, f.ACLLineSeq = fresh.Posture, fresh.PostureRule, fresh.DACL, fresh.ACL, fresh.ACLLine, fresh.ACLLineSeq
	f.AuthzChangedAt, f.MatchedBy, f.Summary, f.Action = fresh.AuthzChangedAt, fresh.MatchedBy, fresh.Summary, fresh.Action
	l.dirty = true
	if sig := signatureOf(f); sig != tr.notified && !tr.explained {
		l.notify(tr, Firing, t)
	}
}

// activate makes a finding active and notifies it; nil when the cap on
// active findings refused it.
func (l *Lifecycle) activate(f Finding, ep endpointID, pp psnPort, t time.Time) *tracked {
	if len(l.active) >= l.cfg.MaxFindings {
		l.dropped++
		l.metrics.dropped.Inc()
		return nil
	}
	tr := &tracked{f: f, ep: ep, pp: pp}
	l.active[f.Key] = tr
	if f.Kind.Traffic() && f.Kind != KindPSNDown {
		l.byEndpoint[ep]++
	}
	if f.Kind == KindSyncPathBlocked {
		if st := l.psnDown.byPSN[pp]; st != nil && st.active != nil {
			tr.explained = true
		}
	}
	l.metrics.activated(&tr.f, len(l.active), l.cfg.InfoSeries)
	l.notify(tr, Firing, t)
	return tr
}

// explain marks (or unmarks) the active sync-path-blocked findings of a PSN
// and port as explained by its psn-down.
func (l *Lifecycle) explain(pp psnPort, on bool) {
	for _, tr := range l.active {
		if tr.f.Kind == KindSyncPathBlocked && tr.pp == pp {
			tr.explained = on
		}
	}
}

// notify sends a notification to every sink. The lock is held, so sinks
// see each finding's notifications in order.
func (l *Lifecycle) notify(tr *tracked, st Status, at time.Time) {
	tr.notified = signatureOf(&tr.f)
	n := Notification{Finding: tr.f, Status: st, At: at}
	for _, s := range l.cfg.Sinks {
		s.Send(n)
	}
	l.dirty = true
	if l.saver != nil {
		l.saver.poke()
	}
}

// resolveTracked ends an active finding.
func (l *Lifecycle) resolveTracked(tr *tracked, at time.Time, why string) {
	if l.active[tr.f.Key] != tr {
		return
	}
	delete(l.active, tr.f.Key)
	if tr.f.Kind.Traffic() && tr.f.Kind != KindPSNDown {
		if l.byEndpoint[tr.ep]--; l.byEndpoint[tr.ep] <= 0 {
			delete(l.byEndpoint, tr.ep)
		}
	}
	if tr.f.Kind == KindPSNDown {
		if st := l.psnDown.byPSN[tr.pp]; st != nil && st.active == tr {
			st.active = nil
			st.failures = map[endpointID]psnFailure{}
			l.explain(tr.pp, false)
		}
	}
	l.log.Info("finding resolved", "key", tr.f.Key, "why", why)
	if tr.pending {
		l.dirty = true
		return
	}
	l.metrics.resolved(&tr.f)
	l.notify(tr, Resolved, at)
	l.remember(tr.f)
}

// remember keeps a resolved finding for Recent.
func (l *Lifecycle) remember(f Finding) {
	if len(l.resolved) < l.cfg.MaxResolved {
		l.resolved = append(l.resolved, f)
		return
	}
	l.resolved[l.resolvedNext] = f
	l.resolvedNext = (l.resolvedNext + 1) % len(l.resolved)
}

// SetCaptureHealth tells the lifecycle whether capture is healthy (packets
// arrive, the kernel drops none) as of at. While it is not, no traffic
// finding resolves and no silence counts: missing packets are not
// evidence.
func (l *Lifecycle) SetCaptureHealth(healthy bool, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if healthy && !l.healthy {
		l.healthySince = at
		// A fix must be seen for the whole hold with capture running.
		for _, tr := range l.active {
			tr.denySince = time.Time{}
		}
	}
	l.healthy = healthy
}

// Tick moves the lifecycle's clock to now (the capture's clock: packet
// time) and does what time decides: psn-down windows, silent endpoints,
// and resolution by re-judging active findings against the inventory.
func (l *Lifecycle) Tick(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.After(l.clock) {
		l.clock = now
	}
	now = l.clock
	l.psnDown.expire(now)
	l.checkSilences(now)
	if now.Sub(l.lastSweep) >= sweepEvery || l.lastSweep.IsZero() {
		l.lastSweep = now
		l.sweep(now)
	}
	l.metrics.followed(len(l.follow.slots), l.follow.evictions, len(l.follow.watches), l.follow.watchEvicted)
	// Counts and last-seen times change without a notification: save
	// them now and then.
	if l.dirty && l.saver != nil && now.Sub(l.saver.lastPoke) >= saveEvery {
		l.saver.poke()
	}
}

// checkSilences fires state-sync-disabled for watched endpoints silent
// long enough while capture was healthy.
func (l *Lifecycle) checkSilences(now time.Time) {
	if !l.healthy {
		return
	}
	var due []endpointID
	for id, w := range l.follow.watches {
		if !w.fired {
			due = append(due, id)
		}
	}
	sort.Slice(due, func(i, j int) bool { return l.follow.watches[due[i]].key < l.follow.watches[due[j]].key })
	for _, id := range due {
		w := l.follow.watches[id]
		from := w.lastProbe
		if l.healthySince.After(from) {
			from = l.healthySince
		}
		if now.Sub(from) < w.threshold(l.cfg.SilenceFloor) {
			continue
		}
		w.fired = true
		if tr := l.active[w.key]; tr != nil {
			continue
		}
		f := w.stateSyncDisabled(now, l.cfg.SilenceFloor)
		l.activate(f, id, psnPort{f.PSN, f.Port}, now)
	}
}

// sweep re-judges the active traffic findings against the inventory as
// now known and resolves those it shows fixed.
func (l *Lifecycle) sweep(now time.Time) {
	if !l.healthy {
		return
	}
	snap := l.cfg.Inventory()
	var done []*tracked
	var why []string
	for _, tr := range l.active {
		f := &tr.f
		if !f.Kind.Traffic() || f.Attempt == nil || tr.pending {
			continue
		}
		switch f.Kind {
		case KindCompliantReached, KindNotBlocked, KindRace, KindUnmanaged, KindUnclassified, KindSyncPathBlocked, KindPSNNotListening:
		default:
			continue
		}
		a := *f.Attempt
		a.Outcome, a.AnsweredAt, a.HasICMP = capture.Unanswered, time.Time{}, false
		v := l.judge.Load().Judge(&a, snap)
		switch f.Kind {
		case KindCompliantReached, KindNotBlocked, KindRace:
			if v.Session == nil || !v.Posture.MustBlock() || v.Path != acl.Denied {
				tr.denySince = time.Time{}
				continue
			}
			if tr.denySince.IsZero() {
				tr.denySince = now
			}
			from := latest(tr.denySince, tr.lastReach, l.healthySince)
			if now.Sub(from) >= l.cfg.Hold {
				done, why = append(done, tr), append(why, "the dACL now denies the port and nothing reached it for the hold time")
			}
		case KindUnmanaged:
			if v.Session != nil {
				done, why = append(done, tr), append(why, "the inventory now has a session for the endpoint")
			}
		case KindUnclassified:
			if v.Session != nil && v.Posture != collectors.PostureUnclassified {
				done, why = append(done, tr), append(why, "a posture rule now classifies the endpoint's session")
			}
		case KindSyncPathBlocked, KindPSNNotListening:
			if v.Session != nil && v.Posture.MustBlock() {
				done, why = append(done, tr), append(why, "the endpoint's session is no longer unknown or pending")
			}
		}
	}
	// Map order is random: resolve in key order, so that the same capture
	// always gives the same notifications.
	idx := make([]int, len(done))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return done[idx[a]].f.Key < done[idx[b]].f.Key })
	for _, i := range idx {
		l.resolveTracked(done[i], now, why[i])
	}
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

// Audit takes the audit's findings of the inventory as now known (rerun
// on every inventory change): new ones fire, those whose session list or
// deciding entry changed are updated (notified when worth it), and active
// audit findings it no longer reports resolve.
func (l *Lifecycle) Audit(findings []Finding, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := make(map[string]bool, len(findings))
	for i := range findings {
		f := findings[i]
		seen[f.Key] = true
		if tr := l.active[f.Key]; tr != nil {
			first := tr.f.FirstSeen
			tr.f = f
			tr.f.Sensor, tr.f.FirstSeen, tr.f.LastSeen = l.cfg.Sensor, first, at
			l.dirty = true
			if signatureOf(&tr.f) != tr.notified {
				l.notify(tr, Firing, at)
			}
			continue
		}
		f.Sensor, f.FirstSeen, f.LastSeen = l.cfg.Sensor, at, at
		l.activate(f, endpointID{}, psnPort{}, at)
	}
	var gone []*tracked
	for k, tr := range l.active {
		if !tr.f.Kind.Traffic() && !seen[k] {
			gone = append(gone, tr)
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].f.Key < gone[j].f.Key })
	for _, tr := range gone {
		l.resolveTracked(tr, at, "the audit no longer finds it")
	}
}

// Active returns the active findings (confirms pending included), ordered
// by severity, kind and key.
func (l *Lifecycle) Active() []Finding {
	l.mu.Lock()
	out := make([]Finding, 0, len(l.active))
	for _, tr := range l.active {
		out = append(out, tr.f)
	}
	l.mu.Unlock()
	sortFindings(out)
	return out
}

// Recent returns the findings resolved most recently (up to MaxResolved),
// oldest first.
func (l *Lifecycle) Recent() []Finding {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Finding, 0, len(l.resolved))
	out = append(out, l.resolved[l.resolvedNext:]...)
	return append(out, l.resolved[:l.resolvedNext]...)
}

// Clock returns the lifecycle's clock: the latest attempt or Tick.
func (l *Lifecycle) Clock() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.clock
}

// Close stops the confirms (those still waiting are paged unconfirmed)
// and saves the active findings, within ctx's deadline.
func (l *Lifecycle) Close(ctx context.Context) error {
	var errs []error
	if l.confirm != nil {
		errs = append(errs, l.confirm.close(ctx))
	}
	if l.saver != nil {
		errs = append(errs, l.saver.close(ctx))
	}
	return errors.Join(errs...)
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if r1, r2 := fs[i].Severity.Rank(), fs[j].Severity.Rank(); r1 != r2 {
			return r1 > r2
		}
		if fs[i].Kind != fs[j].Kind {
			return fs[i].Kind < fs[j].Kind
		}
		return fs[i].Key < fs[j].Key
	})
}

func portText(p uint16) string { return strconv.Itoa(int(p)) }
