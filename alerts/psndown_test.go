package alerts

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
)

// unknownFloor adds switch sw2 with n posture-unknown endpoints (MAC
// a4bb.6d02.00NN, 10.2.0.N, N from 1) to the lab inventory: their dACL
// permits psn1 to psn3, their redirect ACL captures only web traffic.
func unknownFloor(t testing.TB, n int) *collectors.Snapshot {
	t.Helper()
	var ss []session
	for i := 1; i <= n; i++ {
		ss = append(ss, session{iface: fmt.Sprintf("GigabitEthernet1/0/%d", i), mac: fmt.Sprintf("a4bb.6d02.%04x", i),
			ipv4: fmt.Sprintf("10.2.0.%d", i), dacl: postureD, redirectACL: "REDIRECT", redirectURL: postureURL})
	}
	var tr collectors.Transcripts
	tr.Add("sw1.log", transcript("sw1", labSessions, labACLs()))
	tr.Add("sw2.log", transcript("sw2", ss, local("REDIRECT", "deny ip any host 10.0.0.11", "deny ip any host 10.0.0.12", "permit tcp any any eq www")))
	snap, ws := tr.Snapshot()
	for _, w := range ws {
		t.Errorf("transcript warning: %s", w)
	}
	return snap
}

func floorKey(kind Kind, i int, psn string) string {
	return fmt.Sprintf("%s|a4:bb:6d:02:00:%02x|%s|8449", kind, i, psn)
}

// TestPSNDownHoldsBackSyncPathBlocked: unknown endpoints whose ACLs permit
// psn2 fail to reach it. The first four are sync-path-blocked each; the
// fifth within 60 s makes one psn-down and is held back, as are the
// failures after it; those already sent are not notified again while it
// is active. psn2 answering one endpoint resolves psn-down and that
// endpoint's finding; the others wait for their own probes.
func TestPSNDownHoldsBackSyncPathBlocked(t *testing.T) {
	l := newLabLifecycle(t, LifecycleConfig{})
	l.inv.set(unknownFloor(t, 8))
	for i := 1; i <= 4; i++ {
		l.feed(t, fmt.Sprintf("10.2.0.%d>10.0.0.12 unanswered at=%d", i, 10*i))
	}
	var first []string
	for i := 1; i <= 4; i++ {
		first = append(first, "firing "+floorKey(KindSyncPathBlocked, i, "10.0.0.12"))
	}
	want(t, "four failures", l.sink.take(), first)

	down := "psn-down|10.0.0.12|8449"
	l.feed(t, "10.2.0.5>10.0.0.12 prohibited icmp=1 at=50")
	want(t, "the fifth", l.sink.take(), []string{"firing " + down})
	f := l.activeFinding(t, down)
	var refs []string
	for _, s := range f.Sessions {
		refs = append(refs, s.Switch+" "+s.Interface+" "+s.EndpointIP.String()+" "+s.EndpointMAC)
	}
	if f.Severity != SeverityCritical || f.Count != 5 || f.PSNName != "psn2" || f.Port != 8449 || len(f.Sessions) != 5 ||
		refs[0] != "sw2 GigabitEthernet1/0/1 10.2.0.1 a4:bb:6d:02:00:01" || refs[4] != "sw2 GigabitEthernet1/0/5 10.2.0.5 a4:bb:6d:02:00:05" {
		t.Errorf("psn-down %s count %d name %s port %d sessions %q", f.Severity, f.Count, f.PSNName, f.Port, refs)
	}
	wantSummary := "5 unknown or pending endpoints whose ACLs permit PSN psn2 (10.0.0.12) failed to reach it on TCP 8449 within 1 min (4 unanswered, 1 answered by ICMP errors) while none reached it: the PSN is down, its posture service has stopped, or the path to it is blocked"
	if f.Summary != wantSummary {
		t.Errorf("summary\n got %s\nwant %s", f.Summary, wantSummary)
	}

	// Held back: new endpoints, and repeats of those already sent.
	l.feed(t, "10.2.0.6>10.0.0.12 unanswered at=60", "10.2.0.7>10.0.0.12 unanswered at=70", "10.2.0.1>10.0.0.12 prohibited icmp=13 at=80")
	want(t, "while psn-down is active", l.sink.take(), nil)
	if f := l.activeFinding(t, down); f.Count != 7 || len(f.Sessions) != 7 {
		t.Errorf("psn-down count %d, %d sessions", f.Count, len(f.Sessions))
	}
	if f := l.activeFinding(t, floorKey(KindSyncPathBlocked, 1, "10.0.0.12")); f.Count != 2 {
		t.Errorf("held-back repeat not counted: %d", f.Count)
	}
	for _, k := range []string{floorKey(KindSyncPathBlocked, 6, "10.0.0.12"), floorKey(KindSyncPathBlocked, 7, "10.0.0.12")} {
		for _, a := range l.activeKeys() {
			if a == k {
				t.Errorf("%s was not held back", k)
			}
		}
	}
	// Another PSN is not explained by it.
	l.feed(t, "10.2.0.1>10.0.0.11 unanswered at=85")
	want(t, "psn1", l.sink.take(), []string{"firing " + floorKey(KindSyncPathBlocked, 1, "10.0.0.11")})

	// Hours pass: psn-down stays (silence is no evidence).
	for s := 90.0; s < 3*3600; s += 30 {
		l.tick(s)
	}
	want(t, "hours later", l.sink.take(), nil)

	// psn2 answers endpoint 2.
	l.feed(t, "10.2.0.2>10.0.0.12 accepted at=10900")
	want(t, "psn2 answers", l.sink.take(), []string{"resolved " + down, "resolved " + floorKey(KindSyncPathBlocked, 2, "10.0.0.12")})
	// Endpoint 3 still fails, alone: its finding is notified again now
	// that nothing explains it... only if it changed; a repeat stays quiet.
	l.feed(t, "10.2.0.3>10.0.0.12 unanswered at=10910")
	want(t, "a lone failure", l.sink.take(), nil)
	if n := strings.Count(strings.Join(l.activeKeys(), " "), "sync-path-blocked|a4:bb:6d:02"); n != 4 {
		t.Errorf("%d sync-path-blocked findings active, want 4 (1, 3, 4 and psn1's)", n)
	}
}

// TestPSNDownNeedsSilence checks that psn-down needs every failure within
// the window and no reach in it, and that failures blocked by the
// endpoint's own ACLs do not count.
func TestPSNDownNeedsSilence(t *testing.T) {
	for _, tc := range []struct {
		name  string
		specs []string
	}{
		{"a reach within the window", []string{"10.2.0.1>10.0.0.12 unanswered at=0", "10.2.0.2>10.0.0.12 unanswered at=5",
			"10.2.0.8>10.0.0.12 accepted at=6", "10.2.0.3>10.0.0.12 unanswered at=10", "10.2.0.4>10.0.0.12 unanswered at=15", "10.2.0.5>10.0.0.12 unanswered at=20"}},
		{"a refusal within the window", []string{"10.2.0.1>10.0.0.12 unanswered at=0", "10.2.0.2>10.0.0.12 unanswered at=5",
			"10.1.0.1>10.0.0.12 refused at=6", "10.2.0.3>10.0.0.12 unanswered at=10", "10.2.0.4>10.0.0.12 unanswered at=15", "10.2.0.5>10.0.0.12 unanswered at=20"}},
		{"failures spread over more than the window", []string{"10.2.0.1>10.0.0.12 unanswered at=0", "10.2.0.2>10.0.0.12 unanswered at=20",
			"10.2.0.3>10.0.0.12 unanswered at=40", "10.2.0.4>10.0.0.12 unanswered at=60", "10.2.0.5>10.0.0.12 unanswered at=80"}},
		{"the same endpoint five times", []string{"10.2.0.1>10.0.0.12 unanswered at=0", "10.2.0.1>10.0.0.12 unanswered at=5",
			"10.2.0.1>10.0.0.12 unanswered at=10", "10.2.0.1>10.0.0.12 unanswered at=15", "10.2.0.1>10.0.0.12 unanswered at=20"}},
		{"blocked by their own redirect ACL", []string{"10.1.0.3>10.0.0.13 unanswered at=0", "10.1.0.7>10.0.0.13 unanswered at=5",
			"10.2.0.1>10.0.0.14 unanswered at=10", "10.2.0.2>10.0.0.14 unanswered at=15", "10.2.0.3>10.0.0.14 unanswered at=20"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLabLifecycle(t, LifecycleConfig{})
			l.inv.set(unknownFloor(t, 8))
			l.feed(t, tc.specs...)
			l.tick(100)
			for _, k := range l.activeKeys() {
				if strings.HasPrefix(k, "psn-down") {
					t.Errorf("%s fired", k)
				}
			}
		})
	}
	// Threshold and window are configurable.
	l := newLabLifecycle(t, LifecycleConfig{PSNDownEndpoints: 2, PSNDownWindow: 10 * time.Second})
	l.inv.set(unknownFloor(t, 8))
	l.feed(t, "10.2.0.1>10.0.0.12 unanswered at=0", "10.2.0.2>10.0.0.12 unanswered at=11", "10.2.0.3>10.0.0.12 unanswered at=20")
	want(t, "2 in 10 s", l.sink.take(), []string{"firing " + floorKey(KindSyncPathBlocked, 1, "10.0.0.12"),
		"firing " + floorKey(KindSyncPathBlocked, 2, "10.0.0.12"), "firing psn-down|10.0.0.12|8449"})
}
