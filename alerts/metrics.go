package alerts

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
)

// maxPSNLabels bounds the psn label values of the attempts counter: a
// tracker without a PSN list takes any address on the port as a PSN, and a
// scan must not grow the series without end. Beyond it, "other".
const maxPSNLabels = 64

// postureLabels are the posture label values; "none" is an attempt whose
// endpoint has no session.
var postureLabels = [...]string{"compliant", "noncompliant", "unknown", "pending", "unclassified", "none"}

func postureIndex(p collectors.Posture, hasSession bool) int {
	if !hasSession {
		return 5
	}
	switch p {
	case collectors.PostureCompliant:
		return 0
	case collectors.PostureNonCompliant:
		return 1
	case collectors.PostureUnknown:
		return 2
	case collectors.PosturePending:
		return 3
	}
	return 4
}

// judgeMetrics are the judge's and lifecycle's metrics. None carries a
// per-endpoint label except the capped info gauge of active findings.
type judgeMetrics struct {
	attempts        *prometheus.CounterVec
	byPSN           map[netip.Addr]*psnCounters
	other           *psnCounters
	findings        *prometheus.CounterVec
	active          *prometheus.GaugeVec
	infoOmitted     prometheus.Counter
	heldBack        *prometheus.CounterVec
	confirms        *prometheus.CounterVec
	confirmDuration prometheus.Histogram
	dropped         prometheus.Counter
	saves           *prometheus.CounterVec
	followedGauge   prometheus.Gauge
	followEvicted   prometheus.Counter
	watchedGauge    prometheus.Gauge
	watchEvicted    prometheus.Counter
	lastEvictions   uint64
	lastWatchEvict  uint64
}

// psnCounters are one PSN's attempt counters by outcome and posture, looked
// up once so that counting an attempt allocates nothing.
type psnCounters [5][len(postureLabels)]prometheus.Counter

func newJudgeMetrics(reg prometheus.Registerer, l *Lifecycle) (*judgeMetrics, error) {
	m := &judgeMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_judged_attempts_total",
			Help: "Attempts judged, by PSN address, outcome and the posture of the endpoint's session (none: no session).",
		}, []string{"psn", "outcome", "posture"}),
		byPSN: map[netip.Addr]*psnCounters{},
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_findings_total",
			Help: "Findings that fired (first occurrence), by kind.",
		}, []string{"kind"}),
		active: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_findings_active",
			Help: "Findings active now, by kind.",
		}, []string{"kind"}),
		infoOmitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "syncwatch_finding_info_omitted_total",
			Help: "Findings that fired while syncwatch_finding_active_info already had its cap of series.",
		}),
		heldBack: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_findings_held_back_total",
			Help: "Occurrences not reported as their own finding because an active psn-down explains them, by kind.",
		}, []string{"kind"}),
		confirms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_confirms_total",
			Help: "Confirm steps of compliant-reached findings, by result: confirmed, changed (the fresh state makes it another finding), cleared (healthy on the fresh state), unconfirmed (the refresh failed or could not run).",
		}, []string{"result"}),
		confirmDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "syncwatch_confirm_refresh_duration_seconds",
			Help:    "Time a confirm step's refresh of one switch took.",
			Buckets: []float64{0.25, 0.5, 1, 2, 4, 8, 15, 30, 60},
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "syncwatch_findings_dropped_total",
			Help: "Findings not kept because the cap on active findings was reached.",
		}),
		saves: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_findings_store_saves_total",
			Help: "Saves of the active findings to data_dir, by result (success, failure): a failing store forgets them at the next restart.",
		}, []string{"result"}),
		followedGauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_followed_endpoints",
			Help: "Endpoints whose probe interval is being learned.",
		}),
		followEvicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "syncwatch_followed_endpoint_evictions_total",
			Help: "Endpoints forgotten (least recently seen first) to stay within the cap on followed endpoints.",
		}),
		watchedGauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_watched_endpoints",
			Help: "Endpoints watched for silence after they reached a PSN.",
		}),
		watchEvicted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "syncwatch_watched_endpoint_evictions_total",
			Help: "Watched endpoints forgotten (oldest watch first) to stay within the cap on watches.",
		}),
	}
	for _, kind := range traffickinds() {
		m.findings.WithLabelValues(string(kind))
		m.active.WithLabelValues(string(kind))
	}
	m.saves.WithLabelValues("success")
	m.saves.WithLabelValues("failure")
	m.other = m.counters("other")
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.attempts, m.findings, m.active, m.infoOmitted, m.heldBack, m.confirms,
		m.confirmDuration, m.dropped, m.saves, m.followedGauge, m.followEvicted, m.watchedGauge, m.watchEvicted, &activeInfo{l: l}} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering judge metrics: %w", err)
		}
	}
	return m, nil
}

// Kinds lists every kind of finding: the audit's, then the judge's.
func Kinds() []Kind {
	return append([]Kind{KindDACLPermitsPSN, KindDACLBlocksSync, KindDACLMissing, KindDACLUnevaluable, KindPostureUnclassified},
		traffickinds()...)
}

// traffickinds lists the judge's kinds, whose series exist from the start.
func traffickinds() []Kind {
	return []Kind{KindCompliantReached, KindNotBlocked, KindRace, KindPSNNotListening, KindSyncPathBlocked,
		KindPSNDown, KindStateSyncDisabled, KindUnclassified, KindUnmanaged}
}

func (m *judgeMetrics) counters(psn string) *psnCounters {
	var c psnCounters
	for _, o := range capture.Outcomes() {
		for p, name := range postureLabels {
			c[o][p] = m.attempts.WithLabelValues(psn, o.String(), name)
		}
	}
	return &c
}

// attempt counts a judged attempt. The lock is held.
func (m *judgeMetrics) attempt(a *capture.Attempt, v *Verdict) {
	o := a.Outcome
	if int(o) >= len(psnCounters{}) {
		return
	}
	psn := a.PSN.Unmap()
	c := m.byPSN[psn]
	if c == nil {
		c = m.other
		if len(m.byPSN) < maxPSNLabels {
			c = m.counters(psn.String())
			m.byPSN[psn] = c
		}
	}
	c[o][postureIndex(v.Posture, v.Session != nil)].Inc()
}

// activated counts a finding that became active; n is how many are now.
func (m *judgeMetrics) activated(f *Finding, n, infoCap int) {
	m.findings.WithLabelValues(string(f.Kind)).Inc()
	m.active.WithLabelValues(string(f.Kind)).Inc()
	if n > infoCap {
		m.infoOmitted.Inc()
	}
}

func (m *judgeMetrics) resolved(f *Finding) {
	m.active.WithLabelValues(string(f.Kind)).Dec()
}

// followed updates the follow-up gauges and counters.
func (m *judgeMetrics) followed(n int, evictions uint64, watches int, watchEvictions uint64) {
	m.followedGauge.Set(float64(n))
	m.watchedGauge.Set(float64(watches))
	if evictions > m.lastEvictions {
		m.followEvicted.Add(float64(evictions - m.lastEvictions))
		m.lastEvictions = evictions
	}
	if watchEvictions > m.lastWatchEvict {
		m.watchEvicted.Add(float64(watchEvictions - m.lastWatchEvict))
		m.lastWatchEvict = watchEvictions
	}
}

// activeInfo exports one series per active finding, for dashboards' fault
// tables, with the labels of its key: at most InfoSeries of them, the most
// severe and oldest first.
type activeInfo struct{ l *Lifecycle }

var activeInfoDesc = prometheus.NewDesc("syncwatch_finding_active_info",
	"One series per active finding (value 1), labelled from its key; capped, see syncwatch_finding_info_omitted_total.",
	[]string{"kind", "endpoint", "psn", "port", "switch", "interface", "dacl"}, nil)

// Describe sends the descriptor.
func (c *activeInfo) Describe(ch chan<- *prometheus.Desc) { ch <- activeInfoDesc }

// Collect sends the capped series.
func (c *activeInfo) Collect(ch chan<- prometheus.Metric) {
	l := c.l
	l.mu.Lock()
	fs := make([]*Finding, 0, len(l.active))
	for _, tr := range l.active {
		if !tr.pending {
			fs = append(fs, &tr.f)
		}
	}
	sort.Slice(fs, func(i, j int) bool {
		if r1, r2 := fs[i].Severity.Rank(), fs[j].Severity.Rank(); r1 != r2 {
			return r1 > r2
		}
		if !fs[i].FirstSeen.Equal(fs[j].FirstSeen) {
			return fs[i].FirstSeen.Before(fs[j].FirstSeen)
		}
		return fs[i].Key < fs[j].Key
	})
	if len(fs) > l.cfg.InfoSeries {
		fs = fs[:l.cfg.InfoSeries]
	}
	type series struct{ labels [7]string }
	out := make([]series, len(fs))
	for i, f := range fs {
		out[i].labels = infoLabels(f)
	}
	l.mu.Unlock()
	for _, s := range out {
		ch <- prometheus.MustNewConstMetric(activeInfoDesc, prometheus.GaugeValue, 1, s.labels[:]...)
	}
}

// infoLabels are a finding's info gauge labels: kind, endpoint (MAC, else
// address), PSN, port, switch, interface and dACL, empty where they do not
// apply.
func infoLabels(f *Finding) [7]string {
	ep := f.EndpointMAC
	if ep == "" && f.EndpointIP.IsValid() {
		ep = f.EndpointIP.String()
	}
	psn, port := "", ""
	if f.PSN.IsValid() {
		psn = f.PSN.String()
	}
	if f.Port != 0 {
		port = strconv.Itoa(int(f.Port))
	}
	dacl := f.DACL
	if dacl == "" && f.ACL != "" && !f.Kind.Traffic() {
		dacl = f.ACL
	}
	return [7]string{string(f.Kind), ep, psn, port, f.Switch, f.Interface, dacl}
}
