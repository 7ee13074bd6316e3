package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/config"
	"github.com/syncwatch/syncwatch/internal/dashboard"
	"github.com/syncwatch/syncwatch/internal/peers"
)

const dashboardFile = "grafana/syncwatch.json"

// dashboardPrometheusVar names a Prometheus (base URL) that scraped a real
// daemon as job "syncwatch": the dashboard test then runs the lab's check
// (dashboard.CheckLive) against it instead, e.g. inside the lab's sensor
// namespace with nsenter.
const dashboardPrometheusVar = "SYNCWATCH_DASHBOARD_PROMETHEUS"

// The dashboard's JSON as far as the test reads it. Every object the test
// looks into is decoded with unknown fields disallowed, so a misspelled key
// fails; option blocks are left to Grafana.
type dashboardDoc struct {
	UID                  string   `json:"uid"`
	Title                string   `json:"title"`
	Description          string   `json:"description"`
	Tags                 []string `json:"tags"`
	Editable             bool     `json:"editable"`
	GraphTooltip         int      `json:"graphTooltip"`
	Timezone             string   `json:"timezone"`
	Refresh              string   `json:"refresh"`
	SchemaVersion        int      `json:"schemaVersion"`
	Version              int      `json:"version"`
	FiscalYearStartMonth int      `json:"fiscalYearStartMonth"`
	LiveNow              bool     `json:"liveNow"`
	WeekStart            string   `json:"weekStart"`
	Time                 struct{ From, To string }
	Timepicker           map[string]any    `json:"timepicker"`
	Links                []json.RawMessage `json:"links"`
	Annotations          json.RawMessage   `json:"annotations"`
	Templating           struct {
		List []dashboardVariable `json:"list"`
	} `json:"templating"`
	Panels []dashboardPanel `json:"panels"`
}

type datasourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type dashboardVariable struct {
	Name        string         `json:"name"`
	Label       string         `json:"label"`
	Type        string         `json:"type"`
	Datasource  *datasourceRef `json:"datasource"`
	Definition  string         `json:"definition"`
	Query       any            `json:"query"`
	Current     map[string]any `json:"current"`
	Hide        int            `json:"hide"`
	IncludeAll  bool           `json:"includeAll"`
	AllValue    string         `json:"allValue"`
	Multi       bool           `json:"multi"`
	Options     []any          `json:"options"`
	Refresh     int            `json:"refresh"`
	Regex       string         `json:"regex"`
	SkipURLSync bool           `json:"skipUrlSync"`
	Sort        int            `json:"sort"`
}

type dashboardPanel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Collapsed   bool           `json:"collapsed"`
	Datasource  *datasourceRef `json:"datasource"`
	GridPos     struct {
		H int `json:"h"`
		W int `json:"w"`
		X int `json:"x"`
		Y int `json:"y"`
	} `json:"gridPos"`
	FieldConfig *struct {
		Defaults  map[string]any    `json:"defaults"`
		Overrides []json.RawMessage `json:"overrides"`
	} `json:"fieldConfig"`
	Options         map[string]any    `json:"options"`
	Targets         []dashboardTarget `json:"targets"`
	Transformations []json.RawMessage `json:"transformations"`
	Panels          []dashboardPanel  `json:"panels"`
}

type dashboardTarget struct {
	RefID        string         `json:"refId"`
	Datasource   *datasourceRef `json:"datasource"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat"`
	Instant      bool           `json:"instant"`
	Range        bool           `json:"range"`
	Format       string         `json:"format"`
}

func readDashboard(t *testing.T) dashboardDoc {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d dashboardDoc
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if dec.More() {
		t.Fatalf("%s: data after the dashboard object", dashboardFile)
	}
	return d
}

// TestDashboardSchema checks the dashboard's structure: the current schema,
// a stable uid, the data source as a variable used by every panel and
// query, panel ids unique, panels inside the 24-column grid without
// overlapping, the panels the issue asks for, and every query's variables
// known.
func TestDashboardSchema(t *testing.T) {
	d := readDashboard(t)
	if d.SchemaVersion < 39 || d.SchemaVersion > 41 {
		t.Errorf("schemaVersion %d, want 39-41", d.SchemaVersion)
	}
	if !regexp.MustCompile(`^[a-z0-9-]{1,40}$`).MatchString(d.UID) || d.Title == "" || !slices.Contains(d.Tags, "syncwatch") {
		t.Errorf("uid %q title %q tags %q", d.UID, d.Title, d.Tags)
	}
	var vars []string
	for _, v := range d.Templating.List {
		vars = append(vars, v.Name+":"+v.Type)
	}
	if want := []string{"datasource:datasource", "instance:query"}; !slices.Equal(vars, want) {
		t.Errorf("variables %q, want %q", vars, want)
	}
	if ds := d.Templating.List[0]; ds.Query != "prometheus" {
		t.Errorf("datasource variable's query %v, want prometheus", ds.Query)
	}
	want := datasourceRef{"prometheus", "${datasource}"}
	if in := d.Templating.List[1]; in.Datasource == nil || *in.Datasource != want {
		t.Errorf("instance variable's data source %v, want %v", in.Datasource, want)
	}

	ids := map[int]bool{}
	type rect struct {
		title      string
		x, y, w, h int
	}
	var rects []rect
	var titles []string
	for _, p := range d.Panels {
		if ids[p.ID] || p.ID <= 0 {
			t.Errorf("panel %q: id %d repeated or not positive", p.Title, p.ID)
		}
		ids[p.ID] = true
		g := p.GridPos
		if g.W <= 0 || g.H <= 0 || g.X < 0 || g.X+g.W > 24 || g.Y < 0 {
			t.Errorf("panel %q: gridPos %+v outside the grid", p.Title, g)
		}
		for _, r := range rects {
			if g.X < r.x+r.w && r.x < g.X+g.W && g.Y < r.y+r.h && r.y < g.Y+g.H {
				t.Errorf("panel %q overlaps %q", p.Title, r.title)
			}
		}
		rects = append(rects, rect{p.Title, g.X, g.Y, g.W, g.H})
		if p.Type == "row" {
			if len(p.Targets) > 0 || len(p.Panels) > 0 || p.Collapsed {
				t.Errorf("row %q: has targets or is collapsed", p.Title)
			}
			continue
		}
		titles = append(titles, p.Title)
		if !slices.Contains([]string{"timeseries", "stat", "table"}, p.Type) {
			t.Errorf("panel %q: type %q, want timeseries, stat or table", p.Title, p.Type)
		}
		if p.Datasource == nil || *p.Datasource != want {
			t.Errorf("panel %q: datasource %v, want %v", p.Title, p.Datasource, want)
		}
		if p.Description == "" || p.FieldConfig == nil || len(p.Targets) == 0 {
			t.Errorf("panel %q: no description, fieldConfig or targets", p.Title)
		}
		refs := map[string]bool{}
		for _, tg := range p.Targets {
			if tg.Datasource == nil || *tg.Datasource != want || tg.Expr == "" || refs[tg.RefID] || tg.RefID == "" {
				t.Errorf("panel %q target %q: datasource %v, expr %q or refId repeated", p.Title, tg.RefID, tg.Datasource, tg.Expr)
			}
			refs[tg.RefID] = true
			if tg.Instant == tg.Range {
				t.Errorf("panel %q target %s: instant %v, range %v: want one", p.Title, tg.RefID, tg.Instant, tg.Range)
			}
			if p.Type == "timeseries" && !tg.Range || p.Type == "table" && tg.Format != "table" {
				t.Errorf("panel %q target %s: a %s panel with range %v format %q", p.Title, tg.RefID, p.Type, tg.Range, tg.Format)
			}
		}
	}
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dashboard.Queries(b); err != nil {
		t.Errorf("%s: %v", dashboardFile, err)
	}
	for _, w := range []string{"Attempts by PSN and outcome", "Active findings by kind", "Current faults", "Packets by interface",
		"Kernel drops", "Evictions", "Collector up per switch", "Collector errors by reason", "Deliveries and failures", "Queue fill"} {
		if !slices.Contains(titles, w) {
			t.Errorf("no panel %q", w)
		}
	}
}

// dashboardQueries returns every query of the dashboard, its variables
// substituted.
func dashboardQueries(t *testing.T) []dashboard.Query {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := dashboard.Queries(b)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// inFlightMetrics are the metrics of the daemon and the live collector,
// which the registry of exerciseMetrics does not register; the lab's check
// (dashboard.Check against the Prometheus that scraped the real daemon)
// requires their data.
var inFlightMetrics = []string{"syncwatch_build_info", "syncwatch_collector_polls_total", "syncwatch_collector_errors_total",
	"syncwatch_collector_last_poll_duration_seconds", "syncwatch_collector_last_success_timestamp_seconds",
	"syncwatch_collector_up", "syncwatch_collector_sessions", "syncwatch_collector_host_key_mismatches_total",
	"syncwatch_collector_refreshes_total"}

// TestDashboardQueries runs every panel's query, and the instance
// variable's, against a real Prometheus that scraped a registry with the
// real capture, judge, lifecycle and sink metrics after the example
// capture was classified and judged, the example switches audited and the
// findings delivered to a real Alertmanager (and to a peer that refuses
// connections). Every query must be valid, and return data when the
// metrics it names are exported; with SYNCWATCH_DASHBOARD_PROMETHEUS set,
// the queries run against that Prometheus instead, as the lab runs them
// (dashboard.CheckLive: all must return data but those of quiet metrics).
func TestDashboardQueries(t *testing.T) {
	base := os.Getenv(dashboardPrometheusVar)
	qs := dashboardQueries(t)
	if len(qs) < 40 || qs[0].String() != "variable instance" || qs[0].Expr != `count by (instance) (up{job="syncwatch"})` {
		t.Fatalf("dashboard.Queries: %d queries, the first %q: %s; want the instance variable's count by (instance) (up{job=\"syncwatch\"}) and the panels'", len(qs), qs[0], qs[0].Expr)
	}
	query := func(ctx context.Context, expr string) (int, error) { return queryPrometheus(ctx, base, expr) }
	if base != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for _, err := range dashboard.CheckLive(ctx, qs, query) {
			t.Error(err)
		}
		return
	}
	reg := exerciseMetrics(t)
	exported := map[string]bool{"up": true}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		exported[mf.GetName()] = true
	}
	base = startPrometheus(t, serveRegistry(t, reg))
	var withData, valid []dashboard.Query
	for _, q := range qs {
		needData := true
		for _, m := range q.Metrics {
			switch {
			case exported[m]:
			case slices.Contains(dashboard.QuietMetrics, m) || slices.Contains(inFlightMetrics, m):
				needData = false
			default:
				t.Errorf("%s: %s: metric %s is neither exported nor known", q, q.Expr, m)
			}
		}
		if needData {
			withData = append(withData, q)
		} else {
			valid = append(valid, q)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, err := range dashboard.Check(ctx, withData, query, true) {
		t.Error(err)
	}
	logEmpty := func(ctx context.Context, expr string) (int, error) {
		n, err := query(ctx, expr)
		if err == nil && n == 0 {
			t.Logf("valid, no data (quiet or in-flight metrics): %s", expr)
		}
		return n, err
	}
	for _, err := range dashboard.Check(ctx, valid, logEmpty, false) {
		t.Error(err)
	}
}

// queryPrometheus runs an instant query and returns how many series or
// samples it returned.
func queryPrometheus(ctx context.Context, base, expr string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/query?query="+url.QueryEscape(expr), nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, fmt.Errorf("reading the answer (%s): %w", resp.Status, err)
	}
	return dashboard.SeriesIn(b)
}

// fakeSockets stands in for live capture's sockets: two interfaces, one
// with kernel drops.
type fakeSockets struct{}

func (fakeSockets) InterfaceStats() []capture.InterfaceStats {
	return []capture.InterfaceStats{
		{Name: "span0", Received: 1000, Dropped: 0, HasReceived: true, HasDropped: true},
		{Name: "span1", Received: 500, Dropped: 7, HasReceived: true, HasDropped: true},
	}
}

func (fakeSockets) InterfaceHealth() []capture.InterfaceHealth {
	return []capture.InterfaceHealth{{Name: "span0", Up: true}, {Name: "span1", Up: true, Failures: 1}}
}

// exerciseMetrics registers the real metrics and makes them move: the
// example capture through a classifier into a lifecycle judging against
// the example switches, the audit of those switches, and delivery of the
// findings to a real Alertmanager and to a peer that refuses connections.
func exerciseMetrics(t *testing.T) *prometheus.Registry {
	t.Helper()
	cfg, err := config.Load("../examples/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	var psns []alerts.PSN
	var psnAddrs []netip.Addr
	for _, p := range cfg.PSNs {
		ps := alerts.PSN{Name: p.Name}
		for _, a := range p.Addresses {
			ps.Addrs = append(ps.Addrs, netip.Addr(a))
			psnAddrs = append(psnAddrs, netip.Addr(a))
		}
		psns = append(psns, ps)
	}
	var tr collectors.Transcripts
	if err := tr.ReadPath("../examples/switches"); err != nil {
		t.Fatal(err)
	}
	snap, _ := tr.Snapshot()

	reg := prometheus.NewPedanticRegistry()
	sm, err := alerts.NewSinkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	am := startAlertmanager(t, alertmanagerFile)
	refused := "http://127.0.0.1:" + fmt.Sprint(freePort(t))
	sink, err := alerts.NewAlertmanager(alerts.AlertmanagerConfig{Peers: []string{am, refused}, MinSeverity: alerts.SeverityInfo}, sm)
	if err != nil {
		t.Fatal(err)
	}
	lc, err := alerts.NewLifecycle(alerts.LifecycleConfig{
		Judge:      alerts.NewJudge(alerts.JudgeConfig{PSNs: psns, Rules: cfg.PostureRules()}),
		Inventory:  func() *collectors.Snapshot { return snap },
		Sinks:      []alerts.Sink{sink},
		Registerer: reg,
		Sensor:     "test-sensor",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = lc.Close(ctx)
		_ = sink.Close(ctx)
	})
	cls, err := capture.NewClassifier(capture.TrackerConfig{Ports: []uint16{8449}, PSNs: psnAddrs}, lc.Attempt)
	if err != nil {
		t.Fatal(err)
	}
	if err := capture.RegisterMetrics(reg, cls, fakeSockets{}); err != nil {
		t.Fatal(err)
	}
	src, err := capture.OpenFile("../examples/state-sync.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	if err := cls.ReadAll(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	lc.Audit(alerts.Audit(snap, alerts.AuditConfig{PSNs: psns, Ports: []uint16{8449}, Rules: cfg.PostureRules()}), time.Now())
	if len(lc.Active()) == 0 {
		t.Fatal("no active finding after the example capture and audit")
	}
	// Wait for the sink to deliver to the Alertmanager and fail on the other.
	waitFor(t, 30*time.Second, "a delivery and a failure", func() bool {
		mfs, _ := reg.Gather()
		var ok, failed bool
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				switch mf.GetName() {
				case "syncwatch_sink_deliveries_total":
					ok = ok || m.GetCounter().GetValue() > 0
				case "syncwatch_sink_delivery_failures_total":
					failed = failed || m.GetCounter().GetValue() > 0
				}
			}
		}
		return ok && failed
	})
	return reg
}

// serveRegistry serves reg's /metrics on a loopback port until the test
// ends and returns host:port.
func serveRegistry(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// startPrometheus runs Debian's Prometheus (internal/peers: a free loopback
// port, temporary storage) scraping target every second as job
// "syncwatch", and returns its base URL once it has scraped the target a
// few times (enough for rate over a minute).
func startPrometheus(t *testing.T, target string) string {
	t.Helper()
	base := peers.StartPrometheus(t, []string{target}, peers.PrometheusOptions{ScrapeInterval: time.Second}).URL
	waitFor(t, 60*time.Second, "prometheus to scrape the target 4 times", func() bool {
		n, err := queryPrometheus(context.Background(), base, `count_over_time(up{job="syncwatch"}[1m]) >= 4`)
		return err == nil && n == 1
	})
	return base
}
