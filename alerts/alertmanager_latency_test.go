package alerts

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/internal/peers"
)

// manyCompliant is an inventory of n compliant endpoints on sw1
// (GigabitEthernet2/0/1..n, a4bb.6d02.0001.., 10.2.0.1..), each with the
// dACL that denies psn1 only, so that each reaching psn2 is one
// compliant-reached finding.
func manyCompliant(t testing.TB, n int) *collectors.Snapshot {
	t.Helper()
	sessions := make([]session, n)
	for i := range sessions {
		ip := manyIP(i)
		sessions[i] = session{iface: fmt.Sprintf("GigabitEthernet2/0/%d", i+1), mac: fmt.Sprintf("a4bb.6d02.%04x", i+1), ipv4: ip.String(), dacl: compliantD}
	}
	var tr collectors.Transcripts
	tr.Add("sw1.log", transcript("sw1", sessions, labACLs()))
	snap, ws := tr.Snapshot()
	for _, w := range ws {
		t.Errorf("transcript warning: %s", w)
	}
	return snap
}

func manyIP(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, 2, byte((i + 1) >> 8), byte(i + 1)})
}

// manyAttempt is endpoint i of manyCompliant reaching psn2 at at.
func manyAttempt(i int, at time.Time) *capture.Attempt {
	return &capture.Attempt{ID: uint64(i + 1), Client: manyIP(i), ClientPort: 50000, PSN: netip.MustParseAddr("10.0.0.12"), Port: 8449,
		Outcome: capture.Accepted, SYNSeen: true, SYNs: 1, FirstSeen: at, AnsweredAt: at.Add(2 * time.Millisecond), Interface: "span0",
		HasClientMAC: true, ClientMAC: [6]byte{0xa4, 0xbb, 0x6d, 0x02, byte((i + 1) >> 8), byte(i + 1)}}
}

// reachLatencies judges n compliant-reached attempts one after the other
// (no confirm refresher) and returns, for each, the time from
// Lifecycle.Attempt to the alert being listed by the real Alertmanager.
func reachLatencies(tb testing.TB, n int, start func()) []time.Duration {
	tb.Helper()
	am := peers.StartAlertmanager(tb, peers.AlertmanagerOptions{})
	sink := newRealSink(tb, nil, nil, am)
	l := newLiveLab(tb, "span-host-1", manyCompliant(tb, n), nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(n)*time.Second+realWait)
	defer cancel()
	out := make([]time.Duration, n)
	if start != nil {
		start()
	}
	for i := range n {
		q := url.Values{"filter": {fmt.Sprintf("endpoint_ip=%q", manyIP(i))}}
		begin := time.Now()
		l.Attempt(manyAttempt(i, begin))
		for {
			got, err := am.AlertsWhere(ctx, q)
			if err != nil {
				tb.Fatal(err)
			}
			if len(got) == 1 {
				break
			}
			if len(got) > 1 || ctx.Err() != nil {
				tb.Fatalf("finding %d: alerts %+v (%v)", i, got, ctx.Err())
			}
			time.Sleep(time.Millisecond)
		}
		out[i] = time.Since(begin)
	}
	return out
}

// quantile returns the q-quantile of sorted durations (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// TestRealAlertmanagerLatency logs how long a compliant-reached finding
// takes from its attempt to being listed by a real Alertmanager, over 50
// findings (p50, p99, max). The figures are logged, never asserted; the
// poll of the API adds up to about a millisecond.
func TestRealAlertmanagerLatency(t *testing.T) {
	lat := reachLatencies(t, 50, nil)
	slices.Sort(lat)
	t.Logf("attempt to /api/v2/alerts over %d findings: p50 %v, p99 %v, max %v", len(lat), quantile(lat, .5), quantile(lat, .99), lat[len(lat)-1])
}

// BenchmarkRealAlertmanagerLatency measures the same per finding, with the
// p50 and p99 as extra metrics.
func BenchmarkRealAlertmanagerLatency(b *testing.B) {
	lat := reachLatencies(b, b.N, b.ResetTimer)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(quantile(lat, .5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(quantile(lat, .99).Microseconds())/1000, "p99-ms")
}
