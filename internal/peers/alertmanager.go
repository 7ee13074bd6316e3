package peers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// AlertmanagerProgram is the Debian package's Alertmanager binary.
const AlertmanagerProgram = "prometheus-alertmanager"

// Route is the configuration StartAlertmanager writes when
// AlertmanagerOptions.Config is empty: one route to one receiver named
// "webhook", with times short enough for tests.
type Route struct {
	// WebhookURL is where the receiver posts (a Webhook's URL); empty, the
	// receiver notifies nobody.
	WebhookURL string
	// GroupBy lists the grouping labels (default alertname; "..." groups by
	// every label, one alert per group).
	GroupBy []string
	// GroupWait, GroupInterval and RepeatInterval default to 200 ms, 1 s
	// and 1 h.
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

// Config returns the route as an alertmanager.yml, resolved alerts sent
// to the webhook too.
func (r Route) Config() string {
	def := func(d, v time.Duration) string {
		if d <= 0 {
			d = v
		}
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	groupBy := r.GroupBy
	if len(groupBy) == 0 {
		groupBy = []string{"alertname"}
	}
	quoted := make([]string, len(groupBy))
	for i, l := range groupBy {
		quoted[i] = strconv.Quote(l)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "route:\n  receiver: webhook\n  group_by: [%s]\n  group_wait: %s\n  group_interval: %s\n  repeat_interval: %s\n",
		strings.Join(quoted, ", "), def(r.GroupWait, 200*time.Millisecond), def(r.GroupInterval, time.Second), def(r.RepeatInterval, time.Hour))
	b.WriteString("receivers:\n  - name: webhook\n")
	if r.WebhookURL != "" {
		fmt.Fprintf(&b, "    webhook_configs:\n      - url: %s\n        send_resolved: true\n", strconv.Quote(r.WebhookURL))
	}
	return b.String()
}

// AlertmanagerOptions configure StartAlertmanager.
type AlertmanagerOptions struct {
	// Config is the alertmanager.yml text; Route.Config() when empty.
	Config string
	Route  Route
	// Cluster makes the server gossip on a free loopback port (TCP and
	// UDP); without it clustering is off.
	Cluster bool
	// Join lists the cluster addresses (ClusterAddr) of peers to join;
	// it implies Cluster.
	Join []string
	// PeerTimeout is how long a cluster peer waits per position before it
	// notifies in place of those before it (default 1 s; Alertmanager's
	// is 15 s).
	PeerTimeout time.Duration
	// Args are further command-line flags.
	Args []string
	// Namespace, when set, runs the server inside that network namespace,
	// on its loopback; URL and ClusterAddr are then addresses there, and
	// the methods of Alertmanager dial from inside it.
	Namespace Namespace
}

// Alertmanager is one running (or stopped) Alertmanager.
type Alertmanager struct {
	// URL is the API's base URL, http://127.0.0.1:PORT.
	URL string
	// ClusterAddr is the gossip address, 127.0.0.1:PORT, or "" when not
	// clustered.
	ClusterAddr string
	proc        *process
	client      *http.Client
}

// StartAlertmanager starts an Alertmanager on free loopback ports with
// storage in a temporary directory and waits until it is ready; the test
// ends it. It skips the test (fails it in CI) when the program is missing.
func StartAlertmanager(t testing.TB, opts AlertmanagerOptions) *Alertmanager {
	t.Helper()
	path := testenv.Command(t, AlertmanagerProgram)
	dir := t.TempDir()
	cfg := opts.Config
	if cfg == "" {
		cfg = opts.Route.Config()
	}
	cfgFile := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cluster := opts.Cluster || len(opts.Join) > 0
	peerTimeout := opts.PeerTimeout
	if peerTimeout <= 0 {
		peerTimeout = time.Second
	}
	var last error
	for range startAttempts {
		port, err := freePortIn(opts.Namespace, false)
		if err != nil {
			t.Fatal(err)
		}
		am := &Alertmanager{URL: "http://127.0.0.1:" + strconv.Itoa(port), client: httpClient(opts.Namespace, RequestTimeout)}
		args := []string{
			"--config.file=" + cfgFile,
			"--storage.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--log.level=info",
		}
		if cluster {
			cport, err := freePortIn(opts.Namespace, true)
			if err != nil {
				t.Fatal(err)
			}
			am.ClusterAddr = "127.0.0.1:" + strconv.Itoa(cport)
			args = append(args,
				"--cluster.listen-address="+am.ClusterAddr,
				"--cluster.advertise-address="+am.ClusterAddr,
				"--cluster.gossip-interval=50ms",
				"--cluster.pushpull-interval=500ms",
				"--cluster.peer-timeout="+peerTimeout.String(),
				"--cluster.reconnect-interval=1s",
			)
			for _, j := range opts.Join {
				args = append(args, "--cluster.peer="+j)
			}
		} else {
			args = append(args, "--cluster.listen-address=")
		}
		args = append(args, opts.Args...)
		am.proc = newProcess(t, "alertmanager "+am.URL, path, am.URL, args)
		am.proc.ns = opts.Namespace
		err = am.proc.start()
		if err == nil {
			return am
		}
		last = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("starting Alertmanager: %v", last)
	return nil
}

// Stop stops the server (SIGTERM; the process group is killed if it does
// not exit in time). Its ports and data stay for Start.
func (a *Alertmanager) Stop(t testing.TB) {
	t.Helper()
	if err := a.proc.stop(); err != nil {
		t.Errorf("%s: %v", a.proc.name, err)
	}
}

// Start starts a stopped server again on the same ports and data and waits
// until it is ready.
func (a *Alertmanager) Start(t testing.TB) {
	t.Helper()
	if err := a.proc.start(); err != nil {
		t.Fatalf("starting Alertmanager again: %v", err)
	}
}

// Running reports whether the server is started.
func (a *Alertmanager) Running() bool { return a.proc.running() }

// Alert is one alert of GET /api/v2/alerts (gettableAlert).
type Alert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	UpdatedAt    time.Time         `json:"updatedAt"`
	GeneratorURL string            `json:"generatorURL"`
	Fingerprint  string            `json:"fingerprint"`
	Receivers    []struct {
		Name string `json:"name"`
	} `json:"receivers"`
	Status struct {
		// State is "active", "suppressed" or "unprocessed".
		State       string   `json:"state"`
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// Alerts returns the alerts GET /api/v2/alerts lists with its default
// filter (active, silenced, inhibited and unprocessed ones).
func (a *Alertmanager) Alerts(ctx context.Context) ([]Alert, error) {
	return a.AlertsWhere(ctx, nil)
}

// AlertsWhere returns the alerts GET /api/v2/alerts lists with query's
// filter (active, silenced, inhibited, unprocessed, filter, receiver).
func (a *Alertmanager) AlertsWhere(ctx context.Context, query url.Values) ([]Alert, error) {
	u := a.URL + "/api/v2/alerts"
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var out []Alert
	if err := getJSON(ctx, a.client, u, &out); err != nil {
		return nil, fmt.Errorf("alertmanager alerts: %w", err)
	}
	return out, nil
}

// ClusterStatus is the cluster part of GET /api/v2/status.
type ClusterStatus struct {
	// Status is "ready", "settling" or "disabled".
	Status string `json:"status"`
	Name   string `json:"name"`
	Peers  []struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"peers"`
}

// Cluster returns the server's view of its cluster.
func (a *Alertmanager) Cluster(ctx context.Context) (ClusterStatus, error) {
	var st struct {
		Cluster ClusterStatus `json:"cluster"`
	}
	if err := getJSON(ctx, a.client, a.URL+"/api/v2/status", &st); err != nil {
		return ClusterStatus{}, fmt.Errorf("alertmanager status: %w", err)
	}
	return st.Cluster, nil
}

// ClusterTimeout bounds how long StartCluster waits for the peers to see
// each other and settle.
const ClusterTimeout = 30 * time.Second

// StartCluster starts n clustered Alertmanagers with opts (Cluster and
// Join are set by it), each joining the first, and waits until every one
// sees all n and its cluster status is ready.
func StartCluster(t testing.TB, n int, opts AlertmanagerOptions) []*Alertmanager {
	t.Helper()
	opts.Cluster = true
	var ams []*Alertmanager
	for i := range n {
		o := opts
		if i > 0 {
			o.Join = []string{ams[0].ClusterAddr}
		}
		ams = append(ams, StartAlertmanager(t, o))
	}
	ctx, cancel := context.WithTimeout(context.Background(), ClusterTimeout)
	defer cancel()
	for _, am := range ams {
		if err := am.WaitClustered(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	return ams
}

// WaitClustered waits until the server sees n peers (itself included) and
// its cluster status is ready, or ctx ends.
func (a *Alertmanager) WaitClustered(ctx context.Context, n int) error {
	var last ClusterStatus
	var lastErr error
	for {
		st, err := a.Cluster(ctx)
		if err == nil && st.Status == "ready" && len(st.Peers) == n {
			return nil
		}
		last, lastErr = st, err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: cluster of %d not ready: status %q with %d peers (%v): %w", a.URL, n, last.Status, len(last.Peers), lastErr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
