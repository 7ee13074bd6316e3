package alerts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// Refresher re-reads one switch on demand and returns the inventory with
// that switch's fresh state. The live collector implements it (and
// coalesces concurrent refreshes of one switch); offline there is none and
// the transcripts are "now".
type Refresher interface {
	Refresh(ctx context.Context, switchName string) (*collectors.Snapshot, error)
}

// Defaults of the confirm step.
const (
	DefaultConfirmTimeout = 30 * time.Second
	DefaultConfirmWorkers = 4
	DefaultConfirmQueue   = 256
)

// The verdicts a confirm records: what the fresh dACL does with the SYN,
// that the fresh inventory has no session for the endpoint, or that the
// switch could not be re-read.
const (
	ConfirmPermit      = "permit"
	ConfirmDeny        = "deny"
	ConfirmUnknown     = "unknown"
	ConfirmNoSession   = "no-session"
	ConfirmUnconfirmed = "unconfirmed"
)

// The confirm step: a compliant-reached pages on-call, so before it does,
// the switch is re-read and the attempt judged again on its fresh state, so
// that a stale inventory (the dACL changed since the last poll, the
// session went back to unknown) pages no one. The finding records what the
// refresh showed (Confirm) and is paged only if it still holds; otherwise
// it becomes what the fresh state says (a race when the dACL now denies,
// nothing when the attempt is now healthy). A refresh that fails or times
// out pages the finding as it stood, with the confirm verdict
// "unconfirmed" and the reason in its summary: a fault must not go unpaged
// because the switch is slow. Refreshes run on their own goroutines, at
// most ConfirmWorkers at once, so capture never waits; when ConfirmQueue
// are already waiting, a finding is paged unconfirmed at once.
type confirmer struct {
	l      *Lifecycle
	jobs   chan confirmJob
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed bool // guarded by l.mu
}

type confirmJob struct {
	key     string
	sw      string
	attempt capture.Attempt
}

func newConfirmer(l *Lifecycle) *confirmer {
	c := &confirmer{l: l, jobs: make(chan confirmJob, l.cfg.ConfirmQueue)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	for range l.cfg.ConfirmWorkers {
		c.wg.Add(1)
		go c.work()
	}
	return c
}

func (c *confirmer) work() {
	defer c.wg.Done()
	for job := range c.jobs {
		c.run(job)
	}
}

// run refreshes one switch and hands the result to the lifecycle. A
// refresher that panics fails this confirm only.
func (c *confirmer) run(job confirmJob) {
	var snap *collectors.Snapshot
	err := c.ctx.Err()
	var took time.Duration
	if err == nil {
		ctx, cancel := context.WithTimeout(c.ctx, c.l.confirmTimeout())
		start := time.Now()
		func() {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("refresher panicked: %v", r)
				}
			}()
			snap, err = c.l.cfg.Refresher.Refresh(ctx, job.sw)
		}()
		took = time.Since(start)
		cancel()
		if err == nil && snap == nil {
			err = errors.New("the refresh returned no inventory")
		}
		c.l.metrics.confirmDuration.Observe(took.Seconds())
		if err != nil {
			c.l.log.Warn("confirm refresh failed", "key", job.key, "switch", job.sw, "took", took.String(), "error", err.Error())
		} else {
			c.l.log.Info("confirm refresh", "key", job.key, "switch", job.sw, "took", took.String())
		}
	}
	c.l.confirmed(job, snap, err)
}

func (c *confirmer) close(ctx context.Context) error {
	c.l.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.jobs)
	}
	c.l.mu.Unlock()
	c.cancel()
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("confirms still running at shutdown: %w", ctx.Err())
	}
}

// startConfirm holds a new compliant-reached back until its switch has
// been re-read. The lock is held.
func (l *Lifecycle) startConfirm(f Finding, ep endpointID, pp psnPort, a *capture.Attempt) {
	tr := &tracked{f: f, ep: ep, pp: pp, pending: true}
	l.active[f.Key] = tr
	l.byEndpoint[ep]++
	l.dirty = true
	l.enqueueConfirm(tr, a)
}

// enqueueConfirm queues tr's confirm, or pages it unconfirmed when that
// cannot be. The lock is held.
func (l *Lifecycle) enqueueConfirm(tr *tracked, a *capture.Attempt) {
	why := ""
	switch {
	case l.confirm.closed:
		why = "syncwatch is stopping"
	default:
		select {
		case l.confirm.jobs <- confirmJob{key: tr.f.Key, sw: tr.f.Switch, attempt: *a}:
			return
		default:
			why = fmt.Sprintf("%d confirms were already waiting", cap(l.confirm.jobs))
			if cap(l.confirm.jobs) == 1 {
				why = "1 confirm was already waiting"
			}
		}
	}
	l.unconfirmed(tr, why)
}

// unconfirmed pages a pending compliant-reached without a confirm. The lock
// is held.
func (l *Lifecycle) unconfirmed(tr *tracked, why string) {
	at := l.cfg.Now()
	tr.f.Confirm = &Confirm{At: at, Posture: tr.f.Posture, DACL: tr.f.DACL, Verdict: ConfirmUnconfirmed}
	tr.f.Summary += fmt.Sprintf("; not confirmed (%s): paged on the inventory as syncwatch last read it", why)
	l.metrics.confirms.WithLabelValues("unconfirmed").Inc()
	l.promote(tr, at)
}

// promote makes a pending finding active and pages it. The lock is held.
func (l *Lifecycle) promote(tr *tracked, at time.Time) {
	tr.pending = false
	l.metrics.activated(&tr.f, len(l.active), l.cfg.InfoSeries)
	l.notify(tr, Firing, at)
	if tr.f.Attempt != nil && tr.f.Attempt.Outcome == capture.Accepted {
		l.follow.watchAfter(tr.ep, &tr.f, tr.f.FirstSeen)
	}
}

// confirmed takes a refresh's result: the fresh snapshot, or why there is
// none.
func (l *Lifecycle) confirmed(job confirmJob, snap *collectors.Snapshot, err error) {
	var v Verdict
	if err == nil {
		v = l.judge.Load().Judge(&job.attempt, snap)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tr := l.active[job.key]
	if tr == nil || !tr.pending {
		return
	}
	if err != nil {
		l.unconfirmed(tr, fmt.Sprintf("re-reading %s failed: %v", job.sw, err))
		return
	}
	at := l.cfg.Now()
	conf := &Confirm{At: at, Posture: v.Posture, DACL: v.DACL, Verdict: confirmWord(&v)}
	if v.Kind == KindCompliantReached {
		fresh := v.Finding(&job.attempt)
		fresh.Count, fresh.FirstSeen, fresh.LastSeen = tr.f.Count, tr.f.FirstSeen, tr.f.LastSeen
		fresh.Sensor, fresh.Evidence, fresh.Confirm = tr.f.Sensor, tr.f.Evidence, conf
		fresh.Summary += fmt.Sprintf("; confirmed by a fresh reading of %s at %s", job.sw, at.UTC().Format(summaryTime))
		tr.f = fresh
		l.metrics.confirms.WithLabelValues("confirmed").Inc()
		l.promote(tr, at)
		return
	}
	// The fresh state says otherwise: the pending finding goes, unpaged.
	delete(l.active, job.key)
	if l.byEndpoint[tr.ep]--; l.byEndpoint[tr.ep] <= 0 {
		delete(l.byEndpoint, tr.ep)
	}
	l.dirty = true
	if v.Kind == "" {
		l.metrics.confirms.WithLabelValues("cleared").Inc()
		l.log.Info("compliant-reached not confirmed: the fresh switch state makes the attempt healthy", "key", job.key,
			"switch", job.sw, "posture", v.Posture, "dacl", v.DACL, "verdict", conf.Verdict)
		return
	}
	l.metrics.confirms.WithLabelValues("changed").Inc()
	f := v.Finding(&job.attempt)
	f.Count, f.FirstSeen, f.LastSeen = tr.f.Count, tr.f.FirstSeen, tr.f.LastSeen
	f.Sensor, f.Evidence, f.Confirm = tr.f.Sensor, tr.f.Evidence, conf
	f.Summary += fmt.Sprintf("; syncwatch's inventory made this a compliant-reached, but a fresh reading of %s at %s shows otherwise", job.sw, at.UTC().Format(summaryTime))
	pp := psnPort{job.attempt.PSN.Unmap(), job.attempt.Port}
	if old := l.active[f.Key]; old != nil {
		old.f.Count += f.Count
		if f.LastSeen.After(old.f.LastSeen) {
			old.f.LastSeen = f.LastSeen
		}
		return
	}
	nt := l.activate(f, v.endpoint, pp, at)
	if nt != nil && f.Kind == KindRace && job.attempt.Outcome == capture.Accepted {
		l.follow.watchAfter(v.endpoint, &nt.f, f.FirstSeen)
	}
}

// confirmWord is a fresh verdict as Confirm.Verdict records it.
func confirmWord(v *Verdict) string {
	if v.Session == nil {
		return ConfirmNoSession
	}
	switch v.Path {
	case acl.Permitted:
		return ConfirmPermit
	case acl.Denied:
		return ConfirmDeny
	}
	return ConfirmUnknown
}

// requeuePending queues the confirms of pending findings restored from the
// store.
func (l *Lifecycle) requeuePending() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, tr := range l.active {
		if tr.pending && tr.f.Attempt != nil {
			l.enqueueConfirm(tr, tr.f.Attempt)
		}
	}
}
