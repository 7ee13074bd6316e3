package peers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// The Debian prometheus package's programs.
const (
	PrometheusProgram = "prometheus"
	PromtoolProgram   = "promtool"
)

// PrometheusOptions configure StartPrometheus.
type PrometheusOptions struct {
	// ScrapeInterval is the scrape (and evaluation) interval, also the
	// scrape timeout (default 500 ms).
	ScrapeInterval time.Duration
	// MetricsPath is the targets' path (default /metrics).
	MetricsPath string
	// Namespace, when set, runs the server inside that network namespace,
	// on its loopback: its targets and URL are addresses there, and Query
	// dials from inside it.
	Namespace Namespace
	// Job is the job label (default syncwatch).
	Job string
}

// Prometheus is one running Prometheus.
type Prometheus struct {
	// URL is the API's base URL, http://127.0.0.1:PORT.
	URL    string
	proc   *process
	client *http.Client
}

// StartPrometheus starts a Prometheus that scrapes targets (host:port, on
// loopback), on a free loopback port with its TSDB in a temporary
// directory, and waits until it is ready; the test ends it. It skips the
// test (fails it in CI) when the program is missing.
func StartPrometheus(t testing.TB, targets []string, opts PrometheusOptions) *Prometheus {
	t.Helper()
	path := testenv.Command(t, PrometheusProgram)
	if opts.ScrapeInterval <= 0 {
		opts.ScrapeInterval = 500 * time.Millisecond
	}
	if opts.MetricsPath == "" {
		opts.MetricsPath = "/metrics"
	}
	if opts.Job == "" {
		opts.Job = "syncwatch"
	}
	quoted := make([]string, len(targets))
	for i, tg := range targets {
		quoted[i] = strconv.Quote(tg)
	}
	iv := strconv.FormatInt(opts.ScrapeInterval.Milliseconds(), 10) + "ms"
	cfg := fmt.Sprintf("global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n"+
		"scrape_configs:\n  - job_name: %s\n    metrics_path: %s\n    static_configs:\n      - targets: [%s]\n",
		iv, iv, iv, strconv.Quote(opts.Job), strconv.Quote(opts.MetricsPath), strings.Join(quoted, ", "))
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var last error
	for range startAttempts {
		port, err := freePortIn(opts.Namespace, false)
		if err != nil {
			t.Fatal(err)
		}
		p := &Prometheus{URL: "http://127.0.0.1:" + strconv.Itoa(port), client: httpClient(opts.Namespace, RequestTimeout)}
		p.proc = newProcess(t, "prometheus "+p.URL, path, p.URL, []string{
			"--config.file=" + cfgFile,
			"--storage.tsdb.path=" + filepath.Join(dir, "data"),
			"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
			"--log.level=info",
		})
		p.proc.ns = opts.Namespace
		err = p.proc.start()
		if err == nil {
			return p
		}
		last = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("starting Prometheus: %v", last)
	return nil
}

// Sample is one series' value of an instant query: a vector's element,
// or a scalar (no labels).
type Sample struct {
	Metric map[string]string
	Value  float64
	Time   time.Time
}

// QueryResult is the answer to an instant query.
type QueryResult struct {
	// Type is "vector" or "scalar".
	Type    string
	Samples []Sample
}

// apiAnswer is the envelope of every /api/v1 answer.
type apiAnswer struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

// api gets path from the v1 API and decodes its data into v.
func (p *Prometheus) api(ctx context.Context, path string, v any) error {
	var a apiAnswer
	if err := getJSON(ctx, p.client, p.URL+path, &a); err != nil {
		return fmt.Errorf("prometheus: %w", err)
	}
	if a.Status != "success" {
		return fmt.Errorf("prometheus %s: %s: %s", path, a.ErrorType, a.Error)
	}
	if err := json.Unmarshal(a.Data, v); err != nil {
		return fmt.Errorf("prometheus %s: decoding the data: %w", path, err)
	}
	return nil
}

// Query evaluates promql now through /api/v1/query. A range vector or a
// string result is an error.
func (p *Prometheus) Query(ctx context.Context, promql string) (QueryResult, error) {
	var data struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := p.api(ctx, "/api/v1/query?"+url.Values{"query": {promql}}.Encode(), &data); err != nil {
		return QueryResult{}, err
	}
	res := QueryResult{Type: data.ResultType}
	switch data.ResultType {
	case "vector":
		var vec []struct {
			Metric map[string]string `json:"metric"`
			Value  []any             `json:"value"`
		}
		if err := json.Unmarshal(data.Result, &vec); err != nil {
			return QueryResult{}, fmt.Errorf("prometheus query %q: %w", promql, err)
		}
		for _, e := range vec {
			s, err := sampleOf(e.Value)
			if err != nil {
				return QueryResult{}, fmt.Errorf("prometheus query %q: %w", promql, err)
			}
			s.Metric = e.Metric
			res.Samples = append(res.Samples, s)
		}
	case "scalar":
		var v []any
		if err := json.Unmarshal(data.Result, &v); err != nil {
			return QueryResult{}, fmt.Errorf("prometheus query %q: %w", promql, err)
		}
		s, err := sampleOf(v)
		if err != nil {
			return QueryResult{}, fmt.Errorf("prometheus query %q: %w", promql, err)
		}
		res.Samples = []Sample{s}
	default:
		return QueryResult{}, fmt.Errorf("prometheus query %q: result type %q is not an instant vector or scalar", promql, data.ResultType)
	}
	return res, nil
}

// sampleOf decodes [unix seconds, "value"].
func sampleOf(v []any) (Sample, error) {
	if len(v) != 2 {
		return Sample{}, fmt.Errorf("a sample has %d parts, not 2", len(v))
	}
	ts, ok := v[0].(float64)
	str, ok2 := v[1].(string)
	if !ok || !ok2 {
		return Sample{}, fmt.Errorf("sample %v is not [time, \"value\"]", v)
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return Sample{}, fmt.Errorf("sample value %q: %w", str, err)
	}
	sec := int64(ts)
	return Sample{Value: f, Time: time.Unix(sec, int64((ts-float64(sec))*1e9)).UTC()}, nil
}

// Target is one active scrape target of /api/v1/targets.
type Target struct {
	ScrapeURL string            `json:"scrapeUrl"`
	Labels    map[string]string `json:"labels"`
	// Health is "up", "down" or "unknown" (not scraped yet).
	Health     string    `json:"health"`
	LastError  string    `json:"lastError"`
	LastScrape time.Time `json:"lastScrape"`
}

// Targets returns the active scrape targets.
func (p *Prometheus) Targets(ctx context.Context) ([]Target, error) {
	var data struct {
		ActiveTargets []Target `json:"activeTargets"`
	}
	if err := p.api(ctx, "/api/v1/targets?state=active", &data); err != nil {
		return nil, err
	}
	return data.ActiveTargets, nil
}

// PromtoolTimeout bounds one promtool run.
const PromtoolTimeout = 30 * time.Second

// PromtoolCheckMetrics runs promtool check metrics on an exposition text
// and returns the lint problems it prints, one a line (none when the text
// is clean). A promtool that cannot run, or fails otherwise than by
// finding problems, fails the test; a missing one skips it (fails in CI).
func PromtoolCheckMetrics(t testing.TB, text string) []string {
	t.Helper()
	path := testenv.Command(t, PromtoolProgram)
	ctx, cancel := context.WithTimeout(context.Background(), PromtoolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var problems []string
	for _, l := range strings.Split(out.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			problems = append(problems, l)
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return problems
	case errors.As(err, &ee) && ee.ExitCode() == 3 && len(problems) > 0:
		// promtool's exit for lint problems (1 is a text it cannot parse).
		return problems
	default:
		t.Fatalf("promtool check metrics: %v: %s", err, out.String())
		return nil
	}
}
