package alerts

import (
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestJudgeMetrics checks the metrics' values after a few attempts, the
// info gauge's cap and its counter, and that promlint finds nothing.
func TestJudgeMetrics(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	l := newLabLifecycle(t, LifecycleConfig{Registerer: reg, InfoSeries: 2})
	l.feed(t, "10.1.0.1>10.0.0.12 accepted mac=1 at=0", "10.1.0.1>10.0.0.12 accepted at=1", "10.1.0.1>10.0.0.11 unanswered at=2",
		"10.1.0.3>10.0.0.11 refused at=3", "10.9.9.9>10.0.0.99 unanswered at=4")
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	wantText := `
# HELP syncwatch_finding_active_info One series per active finding (value 1), labelled from its key; capped, see syncwatch_finding_info_omitted_total.
# TYPE syncwatch_finding_active_info gauge
syncwatch_finding_active_info{dacl="xACSACLx-IP-EMP_COMPLIANT-00000001",endpoint="a4:bb:6d:00:00:01",interface="GigabitEthernet1/0/1",kind="compliant-reached",port="8449",psn="10.0.0.12",switch="sw1"} 1
syncwatch_finding_active_info{dacl="xACSACLx-IP-POSTURE-00000003",endpoint="a4:bb:6d:00:00:03",interface="GigabitEthernet1/0/3",kind="psn-not-listening",port="8449",psn="10.0.0.11",switch="sw1"} 1
# HELP syncwatch_finding_info_omitted_total Findings that fired while syncwatch_finding_active_info already had its cap of series.
# TYPE syncwatch_finding_info_omitted_total counter
syncwatch_finding_info_omitted_total 1
# HELP syncwatch_findings_active Findings active now, by kind.
# TYPE syncwatch_findings_active gauge
syncwatch_findings_active{kind="compliant-reached"} 1
syncwatch_findings_active{kind="not-blocked"} 0
syncwatch_findings_active{kind="psn-down"} 0
syncwatch_findings_active{kind="psn-not-listening"} 1
syncwatch_findings_active{kind="race"} 0
syncwatch_findings_active{kind="state-sync-disabled"} 0
syncwatch_findings_active{kind="sync-path-blocked"} 0
syncwatch_findings_active{kind="unclassified"} 0
syncwatch_findings_active{kind="unmanaged"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantText), "syncwatch_finding_active_info", "syncwatch_finding_info_omitted_total", "syncwatch_findings_active"); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		psn, outcome, posture string
		want                  float64
	}{
		{"10.0.0.12", "accepted", "compliant", 2},
		{"10.0.0.11", "unanswered", "compliant", 1},
		{"10.0.0.11", "refused", "unknown", 1},
		{"10.0.0.99", "unanswered", "none", 1},
		{"10.0.0.11", "accepted", "compliant", 0},
	} {
		if got := testutil.ToFloat64(l.metrics.attempts.WithLabelValues(tc.psn, tc.outcome, tc.posture)); got != tc.want {
			t.Errorf("attempts{%s,%s,%s} = %v, want %v", tc.psn, tc.outcome, tc.posture, got, tc.want)
		}
	}
	if got := testutil.ToFloat64(l.metrics.findings.WithLabelValues("compliant-reached")); got != 1 {
		t.Errorf("findings_total{compliant-reached} = %v", got)
	}
	// The attempts' PSN label is bounded.
	for i := 0; i < 3*maxPSNLabels; i++ {
		l.Attempt(attemptOf(t, "10.9.9.9>10.7."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250)+" unanswered at=10"))
	}
	n := testutil.CollectAndCount(l.metrics.attempts)
	if max := (maxPSNLabels + 1) * 4 * len(postureLabels); n != max {
		t.Errorf("%d attempt series, want the cap %d", n, max)
	}
}
