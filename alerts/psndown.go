package alerts

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"time"

	"github.com/syncwatch/syncwatch/capture"
)

// psn-down: when many unknown or pending endpoints whose ACLs permit a PSN
// fail to reach it (unanswered or prohibited) within a window while none
// reaches it, the PSN or the path to it is down. That is one finding per
// PSN and port, not one sync-path-blocked per endpoint:
//
//   - while it is active, the sync-path-blocked findings it explains (of
//     that PSN and port, from endpoints whose ACLs permit the SYN) are held
//     back: not created, counted in psn-down's endpoints instead;
//   - those already sent before it fired stay active, since nothing showed
//     them fixed, but are not notified again while it is active; each
//     resolves as usual when its endpoint's probe gets through;
//   - it resolves when the PSN answers again (an accepted or refused
//     attempt from any endpoint).
const (
	DefaultPSNDownEndpoints = 5
	DefaultPSNDownWindow    = 60 * time.Second
	// maxPSNDownEndpoints bounds the failing endpoints remembered per PSN
	// and port; the threshold is far below it.
	maxPSNDownEndpoints = 10_000
	// maxListedSessions bounds the sessions a psn-down finding lists.
	maxListedSessions = 100
)

// psnPort is a PSN address and state-sync port.
type psnPort struct {
	addr netip.Addr
	port uint16
}

// psnDownState is what is known about one PSN and port.
type psnDownState struct {
	failures  map[endpointID]psnFailure
	lastReach time.Time
	active    *tracked // the psn-down finding while it is active
}

type psnFailure struct {
	at      time.Time
	ref     SessionRef
	outcome capture.Outcome
}

// psnDowns holds the state of every PSN and port attempts went to.
type psnDowns struct {
	threshold int
	window    time.Duration
	byPSN     map[psnPort]*psnDownState
}

func newPSNDowns(threshold int, window time.Duration) *psnDowns {
	return &psnDowns{threshold: threshold, window: window, byPSN: map[psnPort]*psnDownState{}}
}

func (d *psnDowns) state(p psnPort) *psnDownState {
	st := d.byPSN[p]
	if st == nil {
		st = &psnDownState{failures: map[endpointID]psnFailure{}}
		d.byPSN[p] = st
	}
	return st
}

// reached records an answer from the PSN at t.
func (d *psnDowns) reached(p psnPort, t time.Time) *psnDownState {
	st := d.byPSN[p]
	if st == nil {
		return nil
	}
	if t.After(st.lastReach) {
		st.lastReach = t
	}
	return st
}

// failed records a failure that psn-down would explain and reports whether
// the PSN is now down: enough distinct endpoints failed within the window
// ending at t and none reached the PSN in it.
func (d *psnDowns) failed(p psnPort, id endpointID, ref SessionRef, o capture.Outcome, t time.Time) (*psnDownState, bool) {
	st := d.state(p)
	if len(st.failures) >= maxPSNDownEndpoints {
		st.prune(t.Add(-d.window))
	}
	if _, ok := st.failures[id]; ok || len(st.failures) < maxPSNDownEndpoints {
		st.failures[id] = psnFailure{at: t, ref: ref, outcome: o}
	}
	if st.active != nil {
		return st, true
	}
	from := t.Add(-d.window)
	if !st.lastReach.IsZero() && st.lastReach.After(from) {
		return st, false
	}
	n := 0
	for _, f := range st.failures {
		if f.at.After(from) {
			n++
		}
	}
	return st, n >= d.threshold
}

// prune forgets failures at or before from.
func (st *psnDownState) prune(from time.Time) {
	for id, f := range st.failures {
		if !f.at.After(from) {
			delete(st.failures, id)
		}
	}
}

// expire forgets failures older than the window at now, for every PSN
// whose psn-down is not active (an active one keeps listing them).
func (d *psnDowns) expire(now time.Time) {
	for _, st := range d.byPSN {
		if st.active == nil {
			st.prune(now.Add(-d.window))
		}
	}
}

// finding builds the psn-down finding of a PSN from the failures in the
// window ending at t; a is the attempt that crossed the threshold.
func (d *psnDowns) finding(st *psnDownState, p psnPort, name string, a *capture.Attempt, t time.Time) Finding {
	from := t.Add(-d.window)
	var fs []psnFailure
	for _, f := range st.failures {
		if f.at.After(from) {
			fs = append(fs, f)
		}
	}
	sort.Slice(fs, func(i, j int) bool {
		if !fs[i].at.Equal(fs[j].at) {
			return fs[i].at.Before(fs[j].at)
		}
		return fs[i].ref.EndpointIP.Less(fs[j].ref.EndpointIP)
	})
	att := *a
	f := Finding{
		Kind: KindPSNDown, Severity: KindPSNDown.Severity(),
		Key: KeyOf(string(KindPSNDown), p.addr.String(), strconv.Itoa(int(p.port))),
		PSN: p.addr, PSNName: name, Port: p.port, Attempt: &att,
		Sessions: []SessionRef{}, FirstSeen: t, LastSeen: t, Count: len(fs),
	}
	var unanswered, prohibited int
	for _, x := range fs {
		if x.outcome == capture.Prohibited {
			prohibited++
		} else {
			unanswered++
		}
		if len(f.Sessions) < maxListedSessions {
			f.Sessions = append(f.Sessions, x.ref)
		}
	}
	f.Summary, f.Action = describePSNDown(&f, d.window, unanswered, prohibited)
	return f
}

// addSession lists one more endpoint a psn-down finding explains.
func (st *psnDownState) addSession(ref SessionRef) {
	f := &st.active.f
	for _, s := range f.Sessions {
		if s == ref {
			return
		}
	}
	f.Count++
	if len(f.Sessions) < maxListedSessions {
		// Notified findings share the old slice: never write into it.
		f.Sessions = append(f.Sessions[:len(f.Sessions):len(f.Sessions)], ref)
	}
}

func describePSNDown(f *Finding, window time.Duration, unanswered, prohibited int) (string, string) {
	var how []string
	if unanswered > 0 {
		how = append(how, fmt.Sprintf("%d unanswered", unanswered))
	}
	if prohibited > 0 {
		how = append(how, fmt.Sprintf("%d answered by ICMP errors", prohibited))
	}
	howText := how[0]
	if len(how) == 2 {
		howText += ", " + how[1]
	}
	return fmt.Sprintf("%d unknown or pending endpoints whose ACLs permit %s failed to reach it on TCP %d within %s (%s) while none reached it: the PSN is down, its posture service has stopped, or the path to it is blocked",
			f.Count, psnTitle(f), f.Port, fmtAge(window), howText),
		fmt.Sprintf("check that %s is up and that its posture services run; check routing and firewalls between the access layer and %s for TCP %d. Per-endpoint sync-path-blocked findings for this PSN are held back until it answers again",
			psnTitle(f), f.PSN, f.Port)
}
