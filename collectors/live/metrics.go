package live

import "github.com/prometheus/client_golang/prometheus"

// metrics are the collector's per-switch series (label switch is the
// configured name).
type metrics struct {
	polls        *prometheus.CounterVec
	errors       *prometheus.CounterVec
	duration     *prometheus.GaugeVec
	lastSuccess  *prometheus.GaugeVec
	up           *prometheus.GaugeVec
	sessions     *prometheus.GaugeVec
	hostKeyMisms *prometheus.CounterVec
	refreshes    *prometheus.CounterVec
}

// The sources of a poll, as the metrics' label source names them.
const (
	sourceSSH  = "ssh"
	sourceSNMP = "snmp"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_collector_polls_total",
			Help: "Polls of a switch by source (ssh, snmp) and result (ok, error).",
		}, []string{"switch", "source", "result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_collector_errors_total",
			Help: "Failed polls of a switch by source and reason (connect, handshake-timeout, auth, host-key-changed, command-timeout, ...).",
		}, []string{"switch", "source", "reason"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_collector_last_poll_duration_seconds",
			Help: "How long the last poll of a switch took, by source.",
		}, []string{"switch", "source"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_collector_last_success_timestamp_seconds",
			Help: "When the last successful poll of a switch ended (Unix time), by source.",
		}, []string{"switch", "source"}),
		up: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_collector_up",
			Help: "1 when the last poll of a switch by that source succeeded, else 0.",
		}, []string{"switch", "source"}),
		sessions: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_collector_sessions",
			Help: "Sessions the inventory holds for a switch.",
		}, []string{"switch"}),
		hostKeyMisms: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_collector_host_key_mismatches_total",
			Help: "Connections refused because the switch's SSH host key differs from the recorded one.",
		}, []string{"switch"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_collector_refreshes_total",
			Help: "On-demand refreshes of a switch (the judge's confirm step) by result (ok, error); coalesced requests count once each.",
		}, []string{"switch", "result"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.polls, m.errors, m.duration, m.lastSuccess, m.up, m.sessions, m.hostKeyMisms, m.refreshes} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// init makes a switch's series exist from the start (a switch that never
// answered shows up as down, not as missing).
func (m *metrics) init(name string, snmp bool) {
	sources := []string{sourceSSH}
	if snmp {
		sources = append(sources, sourceSNMP)
	}
	for _, src := range sources {
		m.polls.WithLabelValues(name, src, "ok")
		m.polls.WithLabelValues(name, src, "error")
		m.up.WithLabelValues(name, src)
	}
	m.sessions.WithLabelValues(name)
	m.hostKeyMisms.WithLabelValues(name)
}
