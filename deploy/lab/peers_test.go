package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The loopback addresses of the sensor namespace's servers. The sensor
// namespace has its own loopback, so fixed ports cannot collide with
// anything else on the machine.
const (
	metricsListen = "127.0.0.1:9849" // syncwatch watch --metrics-listen, later syncwatch run's http.listen
	amListen      = "127.0.0.1:9093"
	promListen    = "127.0.0.1:9090"
)

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
// where the daemon posts to it. Stop and start keep its port and data, for
// the outage of scenario 6.
//
// internal/peers (branch amreal) starts Alertmanager and Prometheus on the
// test's own loopback, which the sensor namespace cannot reach; once it can
// run them inside a namespace, these two go.
type alertmanager struct {
	l     *lab
	dir   string
	proc  *process
	count int
}

// startAlertmanager starts Alertmanager in the sensor namespace with a
// receiver that notifies nobody (the lab reads the API).
func (l *lab) startAlertmanager(ctx context.Context) *alertmanager {
	l.t.Helper()
	dir := filepath.Join(l.dir, "alertmanager")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		l.t.Fatal(err)
	}
	cfg := "route:\n  receiver: lab\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: lab\n"
	if err := os.WriteFile(filepath.Join(dir, "alertmanager.yml"), []byte(cfg), 0o644); err != nil {
		l.t.Fatal(err)
	}
	am := &alertmanager{l: l, dir: dir}
	am.start(ctx)
	return am
}

// start starts the (stopped) Alertmanager and waits until it is ready.
func (am *alertmanager) start(ctx context.Context) {
	am.l.t.Helper()
	am.count++
	am.proc = am.l.start(am.l.sensor, "alertmanager-"+strconv.Itoa(am.count), nil, "prometheus-alertmanager",
		"--config.file="+filepath.Join(am.dir, "alertmanager.yml"), "--storage.path="+filepath.Join(am.dir, "data"),
		"--web.listen-address="+amListen, "--cluster.listen-address=", "--log.level=info")
	if err := am.l.waitReady(ctx, "alertmanager", "http://"+amListen+"/-/ready", am.proc); err != nil {
		am.l.t.Fatal(err)
	}
}

// stop stops it (SIGTERM), keeping its data.
func (am *alertmanager) stop() { am.proc.stop() }

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
	code, b, err := am.l.sensorHTTP(ctx, http.MethodGet, "http://"+amListen+"/api/v2/alerts", nil)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("alertmanager /api/v2/alerts: HTTP %d: %s", code, b)
	}
	var as []amAlert
	if err := json.Unmarshal(b, &as); err != nil {
		return nil, fmt.Errorf("alertmanager /api/v2/alerts: %w", err)
	}
	return as, nil
}

// prometheus is a real Prometheus in the sensor namespace scraping the
// sensor's metrics every second.
type prometheus struct {
	l    *lab
	proc *process
}

// startPrometheus starts Prometheus in the sensor namespace, scraping
// target (host:port) every second.
func (l *lab) startPrometheus(ctx context.Context, target string) *prometheus {
	l.t.Helper()
	dir := filepath.Join(l.dir, "prometheus")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		l.t.Fatal(err)
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: syncwatch\n    static_configs:\n      - targets: [%q]\n", target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		l.t.Fatal(err)
	}
	p := &prometheus{l: l}
	p.proc = l.start(l.sensor, "prometheus", nil, "prometheus",
		"--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+promListen, "--log.level=warn")
	if err := l.waitReady(ctx, "prometheus", "http://"+promListen+"/-/ready", p.proc); err != nil {
		l.t.Fatal(err)
	}
	return p
}

// query evaluates an instant PromQL query and returns each series'
// value by the given label.
func (p *prometheus) query(ctx context.Context, q, label string) (map[string]string, error) {
	code, b, err := p.l.sensorHTTP(ctx, http.MethodGet, "http://"+promListen+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("prometheus query %s: HTTP %d: %s", q, code, b)
	}
	var r struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("prometheus query %s: %w", q, err)
	}
	m := map[string]string{}
	for _, s := range r.Data.Result {
		v, _ := s.Value[1].(string)
		m[s.Metric[label]] = v
	}
	return m, nil
}
