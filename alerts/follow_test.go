package alerts

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

const silent1 = "state-sync-disabled|a4:bb:6d:00:00:01|10.0.0.12|8449"

// probeRounds feeds the compliant endpoint 10.1.0.1's healthy probes (to
// psn1, denied, and psn3... psn1 only) every interval seconds, n rounds
// from start.
func probeRounds(t *testing.T, l *labLifecycle, start, interval float64, n int) float64 {
	t.Helper()
	at := start
	for i := 0; i < n; i++ {
		l.feed(t, fmt.Sprintf("10.1.0.1>10.0.0.11 unanswered at=%g", at))
		at += interval
	}
	return at - interval
}

// TestStateSyncDisabled: an endpoint probing every 120 s reaches psn2; it
// then stays silent. After three intervals (360 s, above the 5 min floor)
// it is state-sync-disabled, which resolves when it probes again.
func TestStateSyncDisabled(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{})
	last := probeRounds(t, l, 0, 120, 6)
	reach := last + 120
	l.feed(t, fmt.Sprintf("10.1.0.1>10.0.0.12 accepted at=%g", reach), fmt.Sprintf("10.1.0.1>10.0.0.11 unanswered at=%g", reach+0.2))
	want(t, "reached", l.sink.take(), []string{"firing " + reached1})
	for s := reach + 10; s < reach+359; s += 10 {
		l.tick(s)
	}
	want(t, "within three intervals", l.sink.take(), nil)
	l.tick(reach + 361)
	want(t, "silent", l.sink.take(), []string{"firing " + silent1})
	f := l.activeFinding(t, silent1)
	wantSummary := "compliant endpoint 10.1.0.1 (a4:bb:6d:00:00:01) on sw1 GigabitEthernet1/0/1 has sent no state-sync probe for 6 min since it reached PSN psn2 (10.0.0.12) on TCP 8449 at 2026-03-02 09:12:00 UTC (its probe interval, learned from 5 gaps, is 2 min; the threshold is 3 intervals, at least 5 min): its agent has most likely stopped state sync after ISE answered it (Posture Configuration Detection)"
	if f.Summary != wantSummary || f.Severity != SeverityWarning ||
		f.Action != "restart Secure Client on the endpoint (or reboot it) so that state sync resumes; fix the cause first (finding "+reached1+"), or it will reach the port and stop again" {
		t.Errorf("summary %s\naction %s", f.Summary, f.Action)
	}
	for s := reach + 370; s < reach+86400; s += 60 {
		l.tick(s)
	}
	want(t, "a day of silence", l.sink.take(), nil)
	l.feed(t, fmt.Sprintf("10.1.0.1>10.0.0.11 unanswered at=%g", reach+86400))
	want(t, "probing again", l.sink.take(), []string{"resolved " + silent1})
	l.tick(reach + 86400*2)
	want(t, "not again", l.sink.take(), nil)
}

// TestStateSyncDisabledThreshold checks the floor, the assumed interval
// when none was learned, and that an agent that keeps probing after the
// reach is not taken for disabled.
func TestStateSyncDisabledThreshold(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval float64 // 0: no probes before the reach
		fires    float64 // seconds after the reach it fires at
	}{
		{"short interval: the 5 min floor", 10, 300},
		{"long interval: three of them", 150, 450},
		{"not learned: 300 s assumed", 0, 900},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabLifecycle(t, LifecycleConfig{})
			reach := 1000.0
			if tc.interval > 0 {
				probeRounds(t, l, reach-tc.interval*5, tc.interval, 5)
			}
			l.feed(t, fmt.Sprintf("10.1.0.1>10.0.0.12 accepted at=%g", reach))
			l.sink.take()
			l.tick(reach + tc.fires - 1)
			want(t, "just before", l.sink.take(), nil)
			l.tick(reach + tc.fires + 0.01)
			want(t, "at the threshold", l.sink.take(), []string{"firing " + silent1})
		})
	}
	t.Run("still probing", func(t *testing.T) {
		l := newLabLifecycle(t, LifecycleConfig{})
		l.feed(t, "10.1.0.1>10.0.0.12 accepted at=0", "10.1.0.1>10.0.0.11 unanswered at=60")
		l.tick(3600)
		want(t, "an hour later", l.sink.take(), []string{"firing " + reached1})
	})
	t.Run("floor configurable, unhealthy capture does not count", func(t *testing.T) {
		l := newLabLifecycle(t, LifecycleConfig{SilenceFloor: time.Hour})
		probeRounds(t, l, 0, 10, 5)
		l.feed(t, "10.1.0.1>10.0.0.12 accepted at=100")
		l.sink.take()
		l.SetCaptureHealth(false, labT0.Add(200*time.Second))
		l.tick(100 + 3600)
		l.SetCaptureHealth(true, labT0.Add(3000*time.Second))
		l.tick(3000 + 3599)
		want(t, "an hour counted from the recovery", l.sink.take(), nil)
		l.tick(3000 + 3600)
		want(t, "an hour after the recovery", l.sink.take(), []string{"firing " + silent1})
	})
}

// TestFollowerInterval checks the learned interval: the median of recent
// gaps to one PSN, robust to a missed probe and to several PSNs.
func TestFollowerInterval(t *testing.T) {
	id := endpointID{ip: netip.MustParseAddr("10.1.0.1")}
	psn1, psn2 := netip.MustParseAddr("10.0.0.11"), netip.MustParseAddr("10.0.0.12")
	s := int64(time.Second)
	for _, tc := range []struct {
		name  string
		times [][2]int64 // psn (1 or 2), seconds
		want  time.Duration
		gaps  int
	}{
		{"steady", [][2]int64{{1, 0}, {1, 60}, {1, 120}, {1, 180}}, 60 * time.Second, 3},
		{"one missed probe", [][2]int64{{1, 0}, {1, 60}, {1, 180}, {1, 240}, {1, 300}}, 60 * time.Second, 4},
		{"two PSNs a round", [][2]int64{{1, 0}, {2, 0}, {1, 30}, {2, 30}, {1, 60}, {2, 61}}, 30 * time.Second, 4},
		{"one gap is not enough", [][2]int64{{1, 0}, {1, 60}}, 0, 0},
		{"retries within half a second are not gaps", [][2]int64{{1, 0}, {1, 0}, {1, 10}, {1, 10}, {1, 20}}, 10 * time.Second, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fw := newFollower(10, 10)
			for _, x := range tc.times {
				p := psn1
				if x[0] == 2 {
					p = psn2
				}
				fw.observe(id, p, 8449, x[1]*s)
			}
			got, n := fw.interval(id)
			if got != tc.want || n != tc.gaps {
				t.Errorf("interval %v from %d gaps, want %v from %d", got, n, tc.want, tc.gaps)
			}
		})
	}
}

// TestFollowerBounded checks that the follower keeps at most its cap of
// endpoints, evicting the least recently seen, and counts evictions.
func TestFollowerBounded(t *testing.T) {
	fw := newFollower(100, 10)
	psn := netip.MustParseAddr("10.0.0.11")
	ep := func(i int) endpointID { return endpointID{ip: netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})} }
	for i := 0; i < 1000; i++ {
		fw.observe(ep(i), psn, 8449, int64(i)*int64(time.Second))
		if i%10 == 0 {
			fw.observe(ep(0), psn, 8449, int64(i)*int64(time.Second)) // kept fresh
		}
	}
	if len(fw.slots) != 100 || len(fw.index) != 100 || fw.evictions != 900 {
		t.Errorf("%d slots, %d indexed, %d evictions", len(fw.slots), len(fw.index), fw.evictions)
	}
	if _, ok := fw.index[ep(0)]; !ok {
		t.Error("the endpoint seen most recently was evicted")
	}
	if _, ok := fw.index[ep(899)]; ok {
		t.Error("an old endpoint was kept")
	}
	for i := 901; i < 1000; i++ {
		if _, ok := fw.index[ep(i)]; !ok {
			t.Fatalf("recent endpoint %d was evicted", i)
		}
	}
	// The list stays consistent.
	n := 0
	for i := fw.head; i >= 0; i = fw.slots[i].next {
		n++
	}
	if n != 100 {
		t.Errorf("list holds %d", n)
	}
	if iv, g := fw.interval(ep(0)); iv != 10*time.Second || g != followGaps {
		t.Errorf("the kept endpoint's interval %v from %d gaps", iv, g)
	}
	// Watches are bounded too.
	for i := 0; i < 20; i++ {
		fw.watchAfter(ep(i), &Finding{Key: "k", PSN: psn, Port: 8449}, labT0.Add(time.Duration(i)*time.Second))
	}
	if len(fw.watches) != 10 || fw.watchEvicted != 10 {
		t.Errorf("%d watches, %d evicted", len(fw.watches), fw.watchEvicted)
	}
	if fw.watches[ep(19)] == nil || fw.watches[ep(9)] != nil {
		t.Error("the oldest watches were not the ones evicted")
	}
}
