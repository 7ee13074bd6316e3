package alerts

import (
	"context"
	"fmt"
	"net/netip"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
)

// recordingSink keeps every notification.
type recordingSink struct {
	mu  sync.Mutex
	got []Notification
	ch  chan Notification
}

func newRecordingSink() *recordingSink { return &recordingSink{ch: make(chan Notification, 1000)} }

func (s *recordingSink) Name() string { return "recording" }

func (s *recordingSink) Send(n Notification) {
	s.mu.Lock()
	s.got = append(s.got, n)
	s.mu.Unlock()
	select {
	case s.ch <- n:
	default:
	}
}

func (s *recordingSink) Close(context.Context) error { return nil }

// take returns the notifications so far as "status key" lines and forgets
// them.
func (s *recordingSink) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{}
	for _, n := range s.got {
		out = append(out, string(n.Status)+" "+n.Finding.Key)
	}
	s.got = nil
	return out
}

// wait waits for the next notification.
func (s *recordingSink) wait(t *testing.T) Notification {
	t.Helper()
	select {
	case n := <-s.ch:
		return n
	case <-time.After(10 * time.Second):
		t.Fatal("no notification within 10 s")
	}
	return Notification{}
}

// inventory is a settable inventory for lifecycle tests.
type inventory struct {
	p atomic.Pointer[collectors.Snapshot]
}

func newInventory(s *collectors.Snapshot) *inventory {
	inv := &inventory{}
	inv.p.Store(s)
	return inv
}

func (i *inventory) get() *collectors.Snapshot  { return i.p.Load() }
func (i *inventory) set(s *collectors.Snapshot) { i.p.Store(s) }

// lab is a lifecycle over the lab inventory with a recording sink.
type labLifecycle struct {
	*Lifecycle
	sink  *recordingSink
	inv   *inventory
	store *Store // closed after the lifecycle, as the daemon does
}

func newLabLifecycle(t *testing.T, cfg LifecycleConfig) *labLifecycle {
	t.Helper()
	inv := newInventory(labSnapshot(t))
	sink := newRecordingSink()
	cfg.Judge = labJudge(t)
	cfg.Inventory = inv.get
	cfg.Sinks = append(cfg.Sinks, sink)
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return labT0.Add(time.Hour) }
	}
	l, err := NewLifecycle(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		cfg.Store.Close()
	})
	return &labLifecycle{Lifecycle: l, sink: sink, inv: inv, store: cfg.Store}
}

// feed judges the attempts of the specs.
func (l *labLifecycle) feed(t *testing.T, specs ...string) {
	t.Helper()
	for _, s := range specs {
		l.Attempt(attemptOf(t, s))
	}
}

func (l *labLifecycle) tick(seconds float64) {
	l.Tick(labT0.Add(time.Duration(seconds * float64(time.Second))))
}

func (l *labLifecycle) activeKeys() []string {
	out := []string{}
	for _, f := range l.Active() {
		out = append(out, f.Key)
	}
	sort.Strings(out)
	return out
}

func (l *labLifecycle) activeFinding(t *testing.T, key string) Finding {
	t.Helper()
	for _, f := range l.Active() {
		if f.Key == key {
			return f
		}
	}
	t.Fatalf("no active finding %s; active: %v", key, l.activeKeys())
	return Finding{}
}

func want(t *testing.T, what string, got, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

const (
	reached1   = "compliant-reached|a4:bb:6d:00:00:01|10.0.0.12|8449"
	race1      = "race|a4:bb:6d:00:00:01|10.0.0.11|8449"
	blocked3   = "sync-path-blocked|a4:bb:6d:00:00:03|10.0.0.11|8449"
	listening3 = "psn-not-listening|a4:bb:6d:00:00:03|10.0.0.11|8449"
)

// TestLifecycleNotifications checks when sinks hear of a finding: on its
// first occurrence, not on repeats (which only count), again when its
// dACL changes, and on its resolution.
func TestLifecycleNotifications(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{Sensor: "span-host-1"})
	l.feed(t, "10.1.0.1>10.0.0.12 accepted mac=1 at=0", "10.1.0.1>10.0.0.12 accepted mac=1 at=60", "10.1.0.1>10.0.0.12 accepted at=120")
	want(t, "after three attempts", l.sink.take(), []string{"firing " + reached1})
	f := l.activeFinding(t, reached1)
	if f.Count != 3 || !f.FirstSeen.Equal(labT0.Add(2*time.Millisecond)) || !f.LastSeen.Equal(labT0.Add(120*time.Second+2*time.Millisecond)) ||
		f.Sensor != "span-host-1" || f.MatchedBy != collectors.MatchIPv4 || f.Attempt.FirstSeen != labT0.Add(120*time.Second) {
		t.Errorf("count %d first %v last %v sensor %q matched %s attempt %v", f.Count, f.FirstSeen, f.LastSeen, f.Sensor, f.MatchedBy, f.Attempt.FirstSeen)
	}
	// The switch pushes another dACL that still permits psn2: the finding
	// now names it, and on-call hears of it.
	other := "xACSACLx-IP-QUARANTINE-NONCOMPLIANT-00000002" // denies psn1 and psn2 only
	l.inv.set(withSession(t, l.inv.get(), "a4:bb:6d:00:00:01", func(s *collectors.Session) { s.DACL = other }))
	l.feed(t, "10.1.0.1>10.0.0.13 accepted at=130")
	want(t, "another PSN", l.sink.take(), []string{"firing compliant-reached|a4:bb:6d:00:00:01|10.0.0.13|8449"})
	l.feed(t, "10.1.0.1>10.0.0.12 unanswered at=140")
	want(t, "healthy attempt", l.sink.take(), nil)
}

// TestRaceVersusCompliantReached: one endpoint, one dACL that denies psn1
// but not psn2. Reaching psn1 is a race (the dACL denies it now); reaching
// psn2 is compliant-reached. The race resolves after the hold with
// nothing reaching psn1; the compliant-reached never does while the dACL
// permits, however long traffic stops, and does once the fixed dACL is
// applied and the hold passed.
func TestRaceVersusCompliantReached(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{Hold: 5 * time.Minute})
	l.feed(t, "10.1.0.1>10.0.0.11 accepted mac=1 at=0", "10.1.0.1>10.0.0.12 accepted mac=1 at=0.5")
	want(t, "fired", l.sink.take(), []string{"firing " + race1, "firing " + reached1})
	race := l.activeFinding(t, race1)
	if race.Severity != SeverityWarning || race.ACLLineSeq != 10 || !strings.Contains(race.Action, "Network transition delay = 10 s") {
		t.Errorf("race %s seq %d action %q", race.Severity, race.ACLLineSeq, race.Action)
	}
	for s := 10.0; s <= 299; s += 10 {
		l.tick(s)
	}
	want(t, "before the hold", l.sink.take(), nil)
	l.tick(320)
	want(t, "after the hold", l.sink.take(), []string{"resolved " + race1})
	// The endpoint reached a PSN and stopped probing: after three
	// intervals (not learned: 300 s assumed) it is state-sync-disabled.
	// Nothing else changes, however long the silence.
	silent := "state-sync-disabled|a4:bb:6d:00:00:01|10.0.0.11|8449"
	for s := 330.0; s <= 6*3600; s += 10 {
		l.tick(s)
		if s == 890 {
			want(t, "before three intervals", l.sink.take(), nil)
		}
	}
	want(t, "six hours without traffic", l.sink.take(), []string{"firing " + silent})
	want(t, "active", l.activeKeys(), []string{reached1, silent})

	// The fix: ISE pushes the dACL with every deny.
	l.inv.set(withSession(t, l.inv.get(), "a4:bb:6d:00:00:01", func(s *collectors.Session) { s.DACL = compliantFixed }))
	l.tick(6*3600 + 10)
	l.tick(6*3600 + 200)
	want(t, "hold running", l.sink.take(), nil)
	// A reach during the hold starts it again.
	l.feed(t, fmt.Sprintf("10.1.0.1>10.0.0.12 accepted mac=1 at=%d", 6*3600+250))
	want(t, "the reach is a race now", l.sink.take(), []string{"resolved " + silent, "firing race|a4:bb:6d:00:00:01|10.0.0.12|8449"})
	l.tick(6*3600 + 320)
	want(t, "hold restarted by the reach", l.sink.take(), nil)
	l.tick(6*3600 + 560)
	want(t, "resolved", l.sink.take(), []string{"resolved " + reached1, "resolved race|a4:bb:6d:00:00:01|10.0.0.12|8449"})
}

// TestResolutionOnlyOnEvidence checks that findings outlast silence and
// that while capture is unhealthy nothing resolves, not even on evidence;
// the hold starts again once capture is healthy.
func TestResolutionOnlyOnEvidence(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{Hold: 5 * time.Minute})
	l.feed(t, "10.1.0.3>10.0.0.11 unanswered at=0", "10.1.0.3>10.0.0.12 refused at=1", "10.1.0.1>10.0.0.11 accepted at=2",
		"10.9.9.9>10.0.0.11 unanswered at=3", "10.1.0.4>10.0.0.11 accepted at=4")
	all := []string{race1, "psn-not-listening|a4:bb:6d:00:00:03|10.0.0.12|8449", blocked3, "unclassified|a4:bb:6d:00:00:04|10.0.0.11|8449", "unmanaged|10.9.9.9|10.0.0.11|8449"}
	sort.Strings(all)
	want(t, "active", l.activeKeys(), all)
	l.sink.take()
	for s := 10.0; s < 24*3600; s += 60 {
		if s == 70 {
			l.SetCaptureHealth(false, labT0.Add(70*time.Second))
		}
		l.tick(s)
		if s == 70 {
			// Evidence that would resolve them, while capture is blind.
			l.feed(t, "10.1.0.3>10.0.0.11 accepted at=71", "10.1.0.3>10.0.0.12 accepted at=72")
		}
	}
	want(t, "a day, unhealthy after 70 s", l.sink.take(), nil)
	want(t, "still active", l.activeKeys(), all)

	l.SetCaptureHealth(true, labT0.Add(24*time.Hour))
	l.tick(24*3600 + 10)
	l.tick(24*3600 + 200)
	want(t, "hold from the recovery", l.sink.take(), nil)
	l.feed(t, "10.1.0.3>10.0.0.11 accepted at=86500", "10.1.0.3>10.0.0.12 accepted at=86501")
	want(t, "evidence with capture healthy", l.sink.take(), []string{"resolved " + blocked3, "resolved psn-not-listening|a4:bb:6d:00:00:03|10.0.0.12|8449"})
	l.tick(24*3600 + 310)
	want(t, "race after the hold", l.sink.take(), []string{"resolved " + race1})
	want(t, "left", l.activeKeys(), []string{"unclassified|a4:bb:6d:00:00:04|10.0.0.11|8449", "unmanaged|10.9.9.9|10.0.0.11|8449"})
	// The inventory learns the unmanaged endpoint, and the phone's
	// session gets a classified dACL.
	snap := withSession(t, l.inv.get(), "a4:bb:6d:00:00:07", func(s *collectors.Session) { s.IPv4 = netip.MustParseAddr("10.9.9.9") })
	l.inv.set(withSession(t, snap, "a4:bb:6d:00:00:04", func(s *collectors.Session) { s.DACL = compliantFixed }))
	l.tick(24*3600 + 400)
	want(t, "inventory evidence", l.sink.take(), []string{"resolved unclassified|a4:bb:6d:00:00:04|10.0.0.11|8449", "resolved unmanaged|10.9.9.9|10.0.0.11|8449"})
	want(t, "none left", l.activeKeys(), nil)
}

// TestSyncPathResolution checks the evidence that resolves an unknown
// endpoint's findings: a sync-path-blocked by a probe that got through
// (accepted, or refused: the path is open), a psn-not-listening only by an
// accepted one; both when the session is no longer unknown.
func TestSyncPathResolution(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{})
	l.feed(t, "10.1.0.3>10.0.0.11 unanswered at=0", "10.1.0.3>10.0.0.11 refused at=10")
	want(t, "path open, PSN not listening", l.sink.take(), []string{"firing " + blocked3, "resolved " + blocked3, "firing " + listening3})
	l.feed(t, "10.1.0.3>10.0.0.11 prohibited icmp=13 at=20")
	want(t, "blocked again", l.sink.take(), []string{"firing " + blocked3})
	l.feed(t, "10.1.0.3>10.0.0.11 accepted at=30")
	want(t, "accepted", l.sink.take(), []string{"resolved " + listening3, "resolved " + blocked3})
	l.feed(t, "10.1.0.3>10.0.0.11 unanswered at=40")
	l.inv.set(withSession(t, l.inv.get(), "a4:bb:6d:00:00:03", func(s *collectors.Session) {
		s.DACL, s.URLRedirect, s.URLRedirectACL = compliantFixed, "", ""
	}))
	l.tick(50)
	want(t, "compliant now", l.sink.take(), []string{"firing " + blocked3, "resolved " + blocked3})
}

// TestAuditLifecycle checks that audit findings fire once, update, and
// resolve when the audit no longer finds them.
func TestAuditLifecycle(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{})
	snap := l.inv.get()
	cfg := AuditConfig{PSNs: labPSNs, Rules: labRules(t)}
	at := labT0.Add(time.Minute)
	findings := Audit(snap, cfg)
	l.Audit(findings, at)
	var keys []string
	for _, f := range findings {
		keys = append(keys, "firing "+f.Key)
	}
	if len(keys) < 3 {
		t.Fatalf("the lab audit has %d findings", len(keys))
	}
	want(t, "first audit", l.sink.take(), keys)
	l.Audit(Audit(snap, cfg), at.Add(time.Minute))
	want(t, "same audit", l.sink.take(), nil)
	f := l.activeFinding(t, findings[0].Key)
	if !f.FirstSeen.Equal(at) || !f.LastSeen.Equal(at.Add(time.Minute)) {
		t.Errorf("first %v last %v", f.FirstSeen, f.LastSeen)
	}
	// Every compliant session gets the fixed dACL: the permits-psn findings go.
	fixed := withSession(t, snap, "a4:bb:6d:00:00:01", func(s *collectors.Session) { s.DACL = compliantFixed })
	fixed = withSession(t, fixed, "a4:bb:6d:00:00:06", func(s *collectors.Session) { s.DACL = compliantFixed })
	after := Audit(fixed, cfg)
	l.Audit(after, at.Add(2*time.Minute))
	got := l.sink.take()
	var resolved []string
	still := map[string]bool{}
	for _, f := range after {
		still[f.Key] = true
	}
	for _, f := range findings {
		if !still[f.Key] {
			resolved = append(resolved, "resolved "+f.Key)
		}
	}
	sort.Strings(resolved)
	if len(resolved) == 0 {
		t.Fatal("the fix resolves nothing: the test proves nothing")
	}
	var gotResolved []string
	for _, g := range got {
		if strings.HasPrefix(g, "resolved ") {
			gotResolved = append(gotResolved, g)
		}
	}
	want(t, "resolved by the fix", gotResolved, resolved)
}
