package alerts

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
)

// campus100k builds 100 switches of 1,000 sessions each, as campus does
// for 10.
func campus100k(tb testing.TB) *collectors.Snapshot {
	var tr collectors.Transcripts
	for s := 0; s < 100; s++ {
		var sessions []session
		for i := 0; i < 1000; i++ {
			ss := session{iface: fmt.Sprintf("GigabitEthernet%d/0/%d", 1+i/48, 1+i%48), mac: fmt.Sprintf("a4bb.%04x.%04x", s, i),
				ipv4: fmt.Sprintf("10.%d.%d.%d", s, i/250, 1+i%250)}
			if i%10 == 9 {
				ss.dacl, ss.redirectACL, ss.redirectURL = redirectD, "REDIRECT_WEB", postureURL
			} else {
				ss.dacl = fmt.Sprintf("xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x", i%50, i%50)
			}
			sessions = append(sessions, ss)
		}
		var acls strings.Builder
		for d := 0; d < 50; d++ {
			acls.WriteString(dacl(fmt.Sprintf("xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x", d, d),
				"deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "deny tcp any host 10.0.0.13 eq 8449", "permit ip any any"))
		}
		acls.WriteString(dacl(redirectD, "permit udp any any eq domain", "permit tcp any host 10.0.0.11 eq 8449",
			"permit tcp any host 10.0.0.12 eq 8449", "permit tcp any host 10.0.0.13 eq 8449", "deny ip any any"))
		acls.WriteString(local("REDIRECT_WEB", "deny ip any host 10.0.0.11", "deny ip any host 10.0.0.12", "deny ip any host 10.0.0.13", "permit tcp any any eq www"))
		name := fmt.Sprintf("SW%02d", s)
		tr.Add(name+".log", transcript(name, sessions, acls.String()))
	}
	snap, ws := tr.Snapshot()
	if snap.NumSessions() != 100_000 || len(ws) != 0 {
		tb.Fatalf("%d sessions, warnings %v", snap.NumSessions(), ws)
	}
	return snap
}

// healthyAttempts are 4,096 probes from sessions spread over the campus:
// compliant ones unanswered (their dACL denies the PSN), unknown ones
// accepted (their dACL permits it), half of them with the endpoint's MAC
// on the frame, half without (matched by address).
func healthyAttempts() []capture.Attempt {
	psns := []netip.Addr{netip.MustParseAddr("10.0.0.11"), netip.MustParseAddr("10.0.0.12"), netip.MustParseAddr("10.0.0.13")}
	t0 := time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC)
	out := make([]capture.Attempt, 4096)
	for k := range out {
		s, i := (k*37)%100, (k*7919)%1000
		a := capture.Attempt{
			Client: netip.AddrFrom4([4]byte{10, byte(s), byte(i / 250), byte(1 + i%250)}), ClientPort: uint16(40000 + k%20000),
			PSN: psns[k%3], Port: 8449, SYNSeen: true, SYNs: 1, FirstSeen: t0.Add(time.Duration(k) * time.Millisecond), Outcome: capture.Unanswered,
		}
		if k%2 == 0 {
			a.HasClientMAC = true
			a.ClientMAC = [6]byte{0xa4, 0xbb, byte(s >> 8), byte(s), byte(i >> 8), byte(i)}
		}
		if i%10 == 9 {
			a.Outcome, a.AnsweredAt = capture.Accepted, a.FirstSeen.Add(time.Millisecond)
		}
		out[k] = a
	}
	return out
}

// BenchmarkJudge100kSessions judges attempts against an inventory of
// 100,000 sessions: the judge alone, and the whole lifecycle (metrics,
// follow-up, psn-down) as the daemon runs it on the capture goroutine.
func BenchmarkJudge100kSessions(b *testing.B) {
	snap := campus100k(b)
	atts := healthyAttempts()
	j := NewJudge(JudgeConfig{PSNs: threePSNs, Rules: collectors.DefaultPostureRules()})
	j.Prepare(snap)
	for i := range atts {
		if v := j.Judge(&atts[i], snap); v.Kind != "" || v.Session == nil {
			b.Fatalf("attempt %d: %s, session %v", i, v.Kind, v.Session != nil)
		}
	}
	b.Run("judge", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			j.Judge(&atts[i&4095], snap)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
	})
	b.Run("lifecycle", func(b *testing.B) {
		l, err := NewLifecycle(LifecycleConfig{Judge: j, Inventory: func() *collectors.Snapshot { return snap }})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			a := &atts[i&4095]
			l.Attempt(a)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "attempts/s")
		if n := len(l.Active()); n != 0 {
			b.Fatalf("%d findings from healthy attempts", n)
		}
	})
}
