package alerts

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/internal/peers"
)

// lockedDiscard counts the bytes written to it, safely from any goroutine.
type lockedDiscard struct {
	mu sync.Mutex
	n  int
}

func (w *lockedDiscard) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.n += len(p)
	w.mu.Unlock()
	return len(p), nil
}

// TestRealPrometheusScrape: a real Prometheus scrapes the metrics of
// capture (the example capture classified), the lifecycle (its attempts
// and two lab attempts judged) and the sinks (a real Alertmanager and the
// JSON log) from a loopback exposition; the target is up and the series
// have their exact values in PromQL. promtool check metrics finds no
// problem in the exposition.
func TestRealPrometheusScrape(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	sm, err := NewSinkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	am := peers.StartAlertmanager(t, peers.AlertmanagerOptions{})
	amSink := newRealSink(t, sm, func(c *AlertmanagerConfig) { c.QueueSize = 100 }, am)
	jl, err := NewJSONLog(JSONLogConfig{}, &lockedDiscard{}, sm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jl.Close(context.Background()) })
	rec := newRecordingSink()
	l := newLiveLab(t, "span-host-1", nil, reg, amSink, jl, rec)

	cls, err := capture.NewClassifier(capture.TrackerConfig{}, l.Attempt)
	if err != nil {
		t.Fatal(err)
	}
	if err := capture.RegisterMetrics(reg, cls, nil); err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFile("../examples/state-sync.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()
	if err := cls.ReadAll(ctx, src); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", now))   // compliant-reached, critical
	l.Attempt(liveAttempt(t, "10.1.0.3>10.0.0.11 unanswered mac=3", now)) // sync-path-blocked, warning
	amPeer := strings.TrimPrefix(am.URL, "http://")
	waitAlerts(t, ctx, am, "two alerts", hasAlerts(2))
	notified := len(rec.take())
	for testutil.ToFloat64(sm.notifications.WithLabelValues("jsonlog", "stdout")) < float64(notified) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}

	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	p := peers.StartPrometheus(t, []string{host}, peers.PrometheusOptions{ScrapeInterval: 200 * time.Millisecond})

	// Wait for a scrape that has the lab findings.
	for {
		res, err := p.Query(ctx, `syncwatch_findings_total{kind="compliant-reached"}`)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Samples) > 0 {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("no scrape with the findings")
		}
		time.Sleep(50 * time.Millisecond)
	}
	targets, err := p.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Health != "up" || targets[0].ScrapeURL != srv.URL+"/metrics" || targets[0].LastError != "" {
		t.Errorf("targets %+v", targets)
	}
	for _, tc := range []struct {
		promql string
		want   float64
	}{
		{`up{job="syncwatch"}`, 1},
		// The example capture: 8 attempts, 2 of each outcome (README).
		{`syncwatch_capture_attempts_total{outcome="accepted"}`, 2},
		{`syncwatch_capture_attempts_total{outcome="refused"}`, 2},
		{`syncwatch_capture_attempts_total{outcome="prohibited"}`, 2},
		{`syncwatch_capture_attempts_total{outcome="unanswered"}`, 2},
		{`syncwatch_capture_open_attempts`, 0},
		// Judged: the capture's 8 and the lab's 2.
		{`sum(syncwatch_judged_attempts_total)`, 10},
		{`syncwatch_findings_total{kind="compliant-reached"}`, 1},
		{`syncwatch_findings_total{kind="sync-path-blocked"}`, 1},
		{`syncwatch_findings_active{kind="compliant-reached"}`, 1},
		// Alertmanager gets the two findings of warning and above, the
		// JSON log every notification.
		{`syncwatch_sink_notifications_delivered_total{sink="alertmanager",peer="` + amPeer + `"}`, 2},
		{`syncwatch_sink_queue_length{sink="alertmanager",peer="` + amPeer + `"}`, 0},
		{`syncwatch_sink_queue_capacity{sink="alertmanager",peer="` + amPeer + `"}`, 100},
		{`syncwatch_sink_notifications_delivered_total{sink="jsonlog",peer="stdout"}`, float64(notified)},
		// No delivery failed: the failures have no series at all.
		{`absent(syncwatch_sink_delivery_failures_total)`, 1},
	} {
		res, err := p.Query(ctx, tc.promql)
		if err != nil {
			t.Error(err)
			continue
		}
		if res.Type != "vector" || len(res.Samples) != 1 || res.Samples[0].Value != tc.want {
			t.Errorf("%s = %+v, want one sample of %v", tc.promql, res.Samples, tc.want)
		}
	}
	if notified != 4 {
		t.Errorf("%d notifications, want 4: the lab's two findings and the capture's client 10.0.0.10 unmanaged towards psn1 over IPv4 and IPv6", notified)
	}

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range peers.PromtoolCheckMetrics(t, string(text)) {
		t.Errorf("promtool check metrics: %s", problem)
	}
}
