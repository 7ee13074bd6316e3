package alerts

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SinkMetrics counts, per sink and peer, what was delivered, what failed
// and why, and what waits in the queues. One SinkMetrics is shared by
// every sink of a daemon: the metric families exist once per registry.
type SinkMetrics struct {
	deliveries    *prometheus.CounterVec
	notifications *prometheus.CounterVec
	failures      *prometheus.CounterVec
	refused       *prometheus.CounterVec
	dropped       *prometheus.CounterVec
	queueLength   *prometheus.GaugeVec
	queueCapacity *prometheus.GaugeVec
	lastSuccess   *prometheus.GaugeVec
	duration      *prometheus.HistogramVec
}

// The reasons a delivery fails or a notification is dropped, as the
// reason label of the metrics says them.
const (
	reasonTimeout    = "timeout"    // no answer within the timeout
	reasonConnection = "connection" // refused, unreachable, reset, DNS
	reasonTLS        = "tls"        // handshake or certificate
	reasonHTTP3xx    = "http_3xx"   // a redirect, which is not followed
	reasonHTTP4xx    = "http_4xx"   // a client error worth retrying (401, 403, 404, 408, 429, ...)
	reasonHTTP5xx    = "http_5xx"
	reasonRejected   = "rejected" // 400, 413, 422: the peer refuses the payload itself
	reasonWrite      = "write"    // a local file or stream
	reasonShutdown   = "shutdown" // left in the queue when Close's deadline passed
	reasonOther      = "other"
)

// NewSinkMetrics creates the sink metrics and registers them on reg; a nil
// reg keeps them unregistered (tests, tools).
func NewSinkMetrics(reg prometheus.Registerer) (*SinkMetrics, error) {
	peer := []string{"sink", "peer"}
	m := &SinkMetrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_sink_deliveries_total",
			Help: "Successful deliveries (one POST or one log write, carrying one or more notifications) per sink and peer.",
		}, peer),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_sink_notifications_delivered_total",
			Help: "Notifications (alerts, webhook calls, log lines) delivered per sink and peer.",
		}, peer),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_sink_delivery_failures_total",
			Help: "Failed delivery attempts per sink, peer and reason; failed deliveries are retried.",
		}, append(peer, "reason")),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_sink_queue_refused_total",
			Help: "Notifications a full queue refused, per sink and peer: they are lost.",
		}, peer),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_sink_notifications_dropped_total",
			Help: "Queued notifications given up per sink, peer and reason (rejected by the peer, left at shutdown).",
		}, append(peer, "reason")),
		queueLength: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_sink_queue_length",
			Help: "Notifications waiting in the queue per sink and peer.",
		}, peer),
		queueCapacity: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_sink_queue_capacity",
			Help: "How many notifications the queue holds at most, per sink and peer.",
		}, peer),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "syncwatch_sink_last_success_timestamp_seconds",
			Help: "Unix time of the last successful delivery per sink and peer; 0 before the first.",
		}, peer),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "syncwatch_sink_delivery_duration_seconds",
			Help:    "Time of one delivery attempt (successful or not) per sink and peer.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, peer),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.notifications, m.failures, m.refused, m.dropped, m.queueLength, m.queueCapacity, m.lastSuccess, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering sink metrics: %w", err)
		}
	}
	return m, nil
}

// peerMetrics are one peer's series, resolved once so that counting on
// every delivery needs no label lookup.
type peerMetrics struct {
	m             *SinkMetrics
	sink, peer    string
	deliveries    prometheus.Counter
	notifications prometheus.Counter
	refused       prometheus.Counter
	queueLength   prometheus.Gauge
	lastSuccess   prometheus.Gauge
	duration      prometheus.Observer
}

// peer returns the series of one sink's peer, creating them at zero so
// that a peer that never failed still shows its counters.
func (m *SinkMetrics) peer(sink, peer string, capacity int) *peerMetrics {
	if m == nil {
		m, _ = NewSinkMetrics(nil)
	}
	pm := &peerMetrics{
		m: m, sink: sink, peer: peer,
		deliveries:    m.deliveries.WithLabelValues(sink, peer),
		notifications: m.notifications.WithLabelValues(sink, peer),
		refused:       m.refused.WithLabelValues(sink, peer),
		queueLength:   m.queueLength.WithLabelValues(sink, peer),
		lastSuccess:   m.lastSuccess.WithLabelValues(sink, peer),
		duration:      m.duration.WithLabelValues(sink, peer),
	}
	m.queueCapacity.WithLabelValues(sink, peer).Set(float64(capacity))
	return pm
}

func (pm *peerMetrics) success(n int, took time.Duration, at time.Time) {
	pm.deliveries.Inc()
	pm.notifications.Add(float64(n))
	pm.duration.Observe(took.Seconds())
	pm.lastSuccess.Set(float64(at.UnixNano()) / 1e9)
}

func (pm *peerMetrics) failure(reason string, took time.Duration) {
	pm.m.failures.WithLabelValues(pm.sink, pm.peer, reason).Inc()
	pm.duration.Observe(took.Seconds())
}

func (pm *peerMetrics) drop(reason string, n int) {
	pm.m.dropped.WithLabelValues(pm.sink, pm.peer, reason).Add(float64(n))
}
