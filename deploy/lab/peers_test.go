package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syncwatch/syncwatch/internal/peers"
)

// metricsListen is the sensor's metrics and API address on the sensor
// namespace's loopback (syncwatch watch --metrics-listen, syncwatch run's
// http.listen): the namespace has its own loopback, so a fixed port cannot
// collide with anything else on the machine. Alertmanager and Prometheus
// (internal/peers) take free ports there.
const metricsListen = "127.0.0.1:9849"

// sensorHTTP makes one HTTP request to a server of the sensor namespace:
// the connection is dialled on a thread inside it (http.Transport would
// dial from goroutines of its own, in the test's namespace).
func (l *lab) sensorHTTP(ctx context.Context, method, rawURL string, body io.Reader) (int, []byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0, nil, err
	}
	var conn net.Conn
	if err := l.sensor.Do(func() error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", u.Host)
		conn = c
		return err
	}); err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	tr := &http.Transport{
		DialContext:       func(context.Context, string, string) (net.Conn, error) { return conn, nil },
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, method, rawURL, body)
	if err != nil {
		conn.Close()
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// waitReady polls a server's readiness URL until it answers 200.
func (l *lab) waitReady(ctx context.Context, name, rawURL string, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		code, _, err := l.sensorHTTP(ctx, http.MethodGet, rawURL, nil)
		if err == nil && code == http.StatusOK {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before it was ready", name)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready at %s (last: %d %v): %w", name, rawURL, code, err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// alertmanager is a real Alertmanager on the sensor namespace's loopback,
// where the daemon posts to it, run by internal/peers inside the
// namespace. Stop and start keep its port and data, for the outage of
// scenario 6.
type alertmanager struct {
	l  *lab
	am *peers.Alertmanager
}

// startAlertmanager starts Alertmanager in the sensor namespace with a
// receiver that notifies nobody (the lab reads the API).
func (l *lab) startAlertmanager(ctx context.Context) *alertmanager {
	l.t.Helper()
	cfg := "route:\n  receiver: lab\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: lab\n"
	am := peers.StartAlertmanager(l.t, peers.AlertmanagerOptions{Namespace: l.sensor, Config: cfg})
	return &alertmanager{l: l, am: am}
}

// url is its API's base URL in the sensor namespace.
func (am *alertmanager) url() string { return am.am.URL }

// start starts the (stopped) Alertmanager and waits until it is ready.
func (am *alertmanager) start(context.Context) { am.am.Start(am.l.t) }

// stop stops it (SIGTERM), keeping its data.
func (am *alertmanager) stop() { am.am.Stop(am.l.t) }

// amAlert is an alert as Alertmanager's API v2 lists it.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	UpdatedAt   time.Time         `json:"updatedAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// alertSeen records when each alert was first seen in Alertmanager's API,
// by a poll every 100 ms: the arrival time the latencies are measured to.
type alertSeen struct {
	mu    sync.Mutex
	first map[string]time.Time // kind|endpoint_ip|psn
	// received is the alert's updatedAt at its first sight: when
	// Alertmanager took it in, by its own clock (the machine's).
	received map[string]time.Time
}

// alertKey identifies an alert for alertSeen.
func alertKey(labels map[string]string) string {
	return labels["kind"] + "|" + labels["endpoint_ip"] + "|" + labels["psn"]
}

// watchAlerts polls Alertmanager until ctx ends (errors, as during an
// outage, are skipped) and records the first sight of every alert.
func (am *alertmanager) watchAlerts(ctx context.Context) *alertSeen {
	seen := &alertSeen{first: map[string]time.Time{}, received: map[string]time.Time{}}
	go func() {
		for {
			as, err := am.alerts(ctx)
			now := time.Now()
			if err == nil {
				seen.mu.Lock()
				for _, a := range as {
					if _, ok := seen.first[alertKey(a.Labels)]; !ok {
						seen.first[alertKey(a.Labels)] = now
						seen.received[alertKey(a.Labels)] = a.UpdatedAt
					}
				}
				seen.mu.Unlock()
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return seen
}

// at returns when an alert was first seen.
func (s *alertSeen) at(kind, endpoint, psn string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.first[kind+"|"+endpoint+"|"+psn]
	return t, ok
}

// wait waits until an alert of the kind was seen, for the endpoint and
// PSN unless they are "", within an explicit deadline; resolved since or
// not.
func (s *alertSeen) wait(ctx context.Context, within time.Duration, kind, endpoint, psn string) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		s.mu.Lock()
		for k := range s.first {
			p := strings.SplitN(k, "|", 3)
			if len(p) == 3 && p[0] == kind && (endpoint == "" || p[1] == endpoint) && (psn == "" || p[2] == psn) {
				s.mu.Unlock()
				return nil
			}
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return fmt.Errorf("no %s alert for endpoint %q and PSN %q seen in Alertmanager within %v", kind, endpoint, psn, within)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// receivedAt returns when Alertmanager took in an alert (its updatedAt at
// the first sight).
func (s *alertSeen) receivedAt(kind, endpoint, psn string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.received[kind+"|"+endpoint+"|"+psn]
	return t, ok
}

// alerts returns the alerts Alertmanager holds.
func (am *alertmanager) alerts(ctx context.Context) ([]amAlert, error) {
	as, err := am.am.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]amAlert, len(as))
	for i, a := range as {
		out[i] = amAlert{Labels: a.Labels, Annotations: a.Annotations, StartsAt: a.StartsAt, UpdatedAt: a.UpdatedAt}
		out[i].Status.State = a.Status.State
	}
	return out, nil
}

// prometheus is a real Prometheus in the sensor namespace scraping the
// sensor's metrics every second, run by internal/peers.
type prometheus struct {
	p *peers.Prometheus
}

// startPrometheus starts Prometheus in the sensor namespace, scraping
// target (host:port) every second.
func (l *lab) startPrometheus(ctx context.Context, target string) *prometheus {
	l.t.Helper()
	return &prometheus{p: peers.StartPrometheus(l.t, []string{target}, peers.PrometheusOptions{Namespace: l.sensor, ScrapeInterval: time.Second})}
}

// query evaluates an instant PromQL query and returns each series'
// value by the given label.
func (p *prometheus) query(ctx context.Context, q, label string) (map[string]string, error) {
	r, err := p.p.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, smp := range r.Samples {
		out[smp.Metric[label]] = strconv.FormatFloat(smp.Value, 'f', -1, 64)
	}
	return out, nil
}
