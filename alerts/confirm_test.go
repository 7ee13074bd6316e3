package alerts

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/collectors"
)

// refresherFunc adapts a function to Refresher.
type refresherFunc func(ctx context.Context, sw string) (*collectors.Snapshot, error)

func (f refresherFunc) Refresh(ctx context.Context, sw string) (*collectors.Snapshot, error) {
	return f(ctx, sw)
}

// confirmAt is the wall clock the confirm tests' lifecycles run with.
var confirmAt = labT0.Add(5 * time.Second)

// TestConfirm checks the confirm step with a refresher that shows the same
// dACL, a changed one that now denies, the session back in posture
// unknown, an error and a timeout.
func TestConfirm(t *testing.T) {
	fresh := func(edit func(*collectors.Session)) func(*testing.T) *collectors.Snapshot {
		return func(t *testing.T) *collectors.Snapshot {
			snap := labSnapshot(t)
			if edit == nil {
				return snap
			}
			return withSession(t, snap, "a4:bb:6d:00:00:01", edit)
		}
	}
	tests := []struct {
		name    string
		snap    func(*testing.T) *collectors.Snapshot
		err     error
		block   bool // the refresh never returns: the timeout ends it
		want    string
		confirm Confirm
		summary string
		result  string
	}{
		{name: "same dACL: paged", snap: fresh(nil), want: "firing " + reached1,
			confirm: Confirm{At: confirmAt, Posture: collectors.PostureCompliant, DACL: compliantD, Verdict: ConfirmPermit},
			summary: "; confirmed by a fresh reading of sw1 at 2026-03-02 09:00:05 UTC", result: "confirmed"},
		{name: "the dACL now denies: a race", snap: fresh(func(s *collectors.Session) { s.DACL = compliantFixed }),
			want:    "firing race|a4:bb:6d:00:00:01|10.0.0.12|8449",
			confirm: Confirm{At: confirmAt, Posture: collectors.PostureCompliant, DACL: compliantFixed, Verdict: ConfirmDeny},
			summary: "; syncwatch's inventory made this a compliant-reached, but a fresh reading of sw1 at 2026-03-02 09:00:05 UTC shows otherwise", result: "changed"},
		{name: "the session went back to unknown: nobody paged", snap: fresh(func(s *collectors.Session) {
			s.DACL, s.URLRedirect, s.URLRedirectACL = postureD, postureURL, "REDIRECT"
		}), result: "cleared"},
		{name: "the session is gone: unmanaged", snap: fresh(func(s *collectors.Session) {
			s.MAC, s.IPv4 = "a4:bb:6d:00:00:99", netip.MustParseAddr("10.1.0.99")
		}), want: "firing unmanaged|10.1.0.1|10.0.0.12|8449",
			confirm: Confirm{At: confirmAt, Verdict: ConfirmNoSession}, result: "changed"},
		{name: "refresh error: paged unconfirmed", err: errors.New("ssh: handshake failed: connection refused"), want: "firing " + reached1,
			confirm: Confirm{At: confirmAt, Posture: collectors.PostureCompliant, DACL: compliantD, Verdict: ConfirmUnconfirmed},
			summary: "; not confirmed (re-reading sw1 failed: ssh: handshake failed: connection refused): paged on the inventory as syncwatch last read it", result: "unconfirmed"},
		{name: "refresh timeout: paged unconfirmed", block: true, want: "firing " + reached1,
			confirm: Confirm{At: confirmAt, Posture: collectors.PostureCompliant, DACL: compliantD, Verdict: ConfirmUnconfirmed},
			summary: "; not confirmed (re-reading sw1 failed: context deadline exceeded): paged on the inventory as syncwatch last read it", result: "unconfirmed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			var snap *collectors.Snapshot
			if tc.snap != nil {
				snap = tc.snap(t)
			}
			// The refresh answers only once both attempts are judged, so
			// the second one always arrives while the first is pending.
			fed := make(chan struct{})
			ref := refresherFunc(func(ctx context.Context, sw string) (*collectors.Snapshot, error) {
				calls.Add(1)
				if sw != "sw1" {
					t.Errorf("refreshed %q", sw)
				}
				select {
				case <-fed:
				case <-time.After(10 * time.Second):
					t.Error("the attempts were not fed within 10 s")
				}
				if tc.block {
					<-ctx.Done()
					return nil, ctx.Err()
				}
				return snap, tc.err
			})
			reg := prometheus.NewPedanticRegistry()
			l := newLabLifecycle(t, LifecycleConfig{Refresher: ref, ConfirmTimeout: 100 * time.Millisecond, Registerer: reg,
				Now: func() time.Time { return confirmAt }})
			l.feed(t, "10.1.0.1>10.0.0.12 accepted mac=1 at=0", "10.1.0.1>10.0.0.12 accepted mac=1 at=0.5")
			close(fed)
			if tc.want == "" {
				deadline := time.Now().Add(10 * time.Second)
				for testutil.ToFloat64(l.metrics.confirms.WithLabelValues(tc.result)) == 0 && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				want(t, "notifications", l.sink.take(), nil)
				want(t, "active", l.activeKeys(), nil)
			} else {
				n := l.sink.wait(t)
				want(t, "notifications", l.sink.take(), []string{tc.want})
				f := n.Finding
				if f.Confirm == nil || *f.Confirm != tc.confirm {
					t.Errorf("confirm %+v, want %+v", f.Confirm, tc.confirm)
				}
				if tc.summary != "" && !strings.HasSuffix(f.Summary, tc.summary) {
					t.Errorf("summary %q lacks %q", f.Summary, tc.summary)
				}
				if f.Count != 2 || !f.FirstSeen.Equal(labT0.Add(2*time.Millisecond)) {
					t.Errorf("count %d first seen %v: the occurrences while pending are lost", f.Count, f.FirstSeen)
				}
				want(t, "active", l.activeKeys(), []string{f.Key})
			}
			if got := testutil.ToFloat64(l.metrics.confirms.WithLabelValues(tc.result)); got != 1 {
				t.Errorf("confirms{result=%s} = %v", tc.result, got)
			}
			if calls.Load() != 1 {
				t.Errorf("%d refreshes, want 1 (repeats while pending must not refresh again)", calls.Load())
			}
		})
	}
}

// TestConfirmDoesNotBlockCapture: while refreshes hang, attempts are
// judged at once; with one worker and a queue of one, a third
// compliant-reached is paged unconfirmed at once; Close pages what still
// waits.
func TestConfirmDoesNotBlockCapture(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 10)
	ref := refresherFunc(func(ctx context.Context, sw string) (*collectors.Snapshot, error) {
		entered <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return nil, errors.New("released")
	})
	l := newLabLifecycle(t, LifecycleConfig{Refresher: ref, ConfirmWorkers: 1, ConfirmQueue: 1, ConfirmTimeout: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.feed(t, "10.1.0.1>10.0.0.12 accepted at=0")
		<-entered // the worker took the first: the queue is empty again
		l.feed(t, "10.1.0.2>10.0.0.13 accepted at=1", "10.1.0.6>10.0.0.13 accepted at=2")
		for i := 0; i < 10000; i++ {
			l.feed(t, "10.1.0.1>10.0.0.11 unanswered at=3")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Attempt blocked while confirms hang")
	}
	// The first is being refreshed, the second waits: the third is paged
	// at once, unconfirmed.
	n := l.sink.wait(t)
	if n.Finding.Key != "compliant-reached|a4:bb:6d:00:00:06|10.0.0.13|8449" || n.Finding.Confirm.Verdict != ConfirmUnconfirmed ||
		!strings.HasSuffix(n.Finding.Summary, "; not confirmed (1 confirm was already waiting): paged on the inventory as syncwatch last read it") {
		t.Errorf("got %s %+v %q", n.Finding.Key, n.Finding.Confirm, n.Finding.Summary)
	}
	want(t, "so far", l.sink.take(), []string{"firing compliant-reached|a4:bb:6d:00:00:06|10.0.0.13|8449"})
	close(release)
	l.sink.wait(t)
	l.sink.wait(t)
	got := l.sink.take()
	want(t, "released", got, []string{"firing " + reached1, "firing compliant-reached|a4:bb:6d:00:00:02|10.0.0.13|8449"})
}
