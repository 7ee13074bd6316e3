// Package dashboard checks the PromQL queries of syncwatch's Grafana
// dashboard (deploy/grafana/syncwatch.json) against a Prometheus: Queries
// reads every panel target and every label_values template variable, with
// the dashboard's variables and Grafana's built-in ones replaced by what
// Grafana sends for "All" and a short range, and Check runs them through
// the caller's query function, so that a test can use a Prometheus on
// loopback and the lab one inside its network namespace; CheckLive is
// the check for a Prometheus that scraped a real daemon.
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Query is one query of the dashboard.
type Query struct {
	// Panel is the panel's title, or "variable NAME" for a template
	// variable's query.
	Panel string
	// RefID is the target's refId ("" for a variable).
	RefID string
	// Expr is the PromQL expression with every variable substituted.
	Expr string
	// Metrics are the metric names Expr reads ("up" and syncwatch_*; a
	// histogram's _bucket suffix removed), each once, in order.
	Metrics []string
}

// String names the query: its panel and refId.
func (q Query) String() string {
	if q.RefID == "" {
		return q.Panel
	}
	return q.Panel + " " + q.RefID
}

// QuietMetrics are syncwatch's metric families that have no series until
// something rare happens: a psn-down holding back findings, a confirm
// step (and its on-demand refresh of a switch), a notification given up,
// a failed poll of a switch (its reason is a label, so no series exists
// before the first). A query reading one of them may rightly return
// nothing.
var QuietMetrics = []string{"syncwatch_findings_held_back_total", "syncwatch_confirms_total",
	"syncwatch_collector_refreshes_total", "syncwatch_sink_notifications_dropped_total",
	"syncwatch_collector_errors_total"}

// Quiet reports whether the query reads one of QuietMetrics.
func (q Query) Quiet() bool {
	for _, m := range q.Metrics {
		if slices.Contains(QuietMetrics, m) {
			return true
		}
	}
	return false
}

// Interval is what $__interval and $__rate_interval become: Grafana's
// value for a short range over a scrape interval of a few seconds.
const Interval = "1m"

// ErrNoData is Check's error for a query that returned no series while
// data was required.
var ErrNoData = errors.New("no data")

// The dashboard's JSON as far as Queries reads it.
type board struct {
	Time struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []variable `json:"list"`
	} `json:"templating"`
	Panels []panel `json:"panels"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
}

type panel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID string `json:"refId"`
		Expr  string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

var (
	// varRef matches $name, ${name}, ${name:format} and [[name]].
	varRef      = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]`)
	labelValues = regexp.MustCompile(`^\s*label_values\((.+),\s*(\w+)\s*\)\s*$`)
	metricName  = regexp.MustCompile(`\b(up|syncwatch_[a-z0-9_]+)\b`)
	relative    = regexp.MustCompile(`^now-(\d+[smhdw])$`)
)

// Queries returns every query of the dashboard: each panel target's
// expression (rows' nested panels included) and, for each query variable,
// count by (LABEL) (SELECTOR) for its label_values(SELECTOR, LABEL), which
// has one series per value the variable offers. Query variables become
// their allValue (Grafana's "All"), $__interval and $__rate_interval
// Interval, $__range (and $__range_s) the dashboard's default time range.
// A variable it cannot substitute, a variable query it does not know and
// an empty expression are errors.
func Queries(dashboardJSON []byte) ([]Query, error) {
	var b board
	if err := json.Unmarshal(dashboardJSON, &b); err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	values, err := b.values()
	if err != nil {
		return nil, err
	}
	var out []Query
	var errs []error
	add := func(name, refID, expr string) {
		q := Query{Panel: name, RefID: refID}
		if strings.TrimSpace(expr) == "" {
			errs = append(errs, fmt.Errorf("dashboard: %s: empty expression", q))
			return
		}
		e, err := substitute(expr, values)
		if err != nil {
			errs = append(errs, fmt.Errorf("dashboard: %s: %w", q, err))
			return
		}
		q.Expr, q.Metrics = e, MetricNames(e)
		out = append(out, q)
	}
	for _, v := range b.Templating.List {
		if v.Type != "query" {
			continue
		}
		def, err := v.definition()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		m := labelValues.FindStringSubmatch(def)
		if m == nil {
			errs = append(errs, fmt.Errorf("dashboard: variable %s: query %q is not label_values(SELECTOR, LABEL)", v.Name, def))
			continue
		}
		add("variable "+v.Name, "", fmt.Sprintf("count by (%s) (%s)", m[2], strings.TrimSpace(m[1])))
	}
	var walk func(ps []panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				add(p.Title, t.RefID, t.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(b.Panels)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// values returns what each variable the queries may use becomes.
func (b *board) values() (map[string]string, error) {
	v := map[string]string{"__interval": Interval, "__rate_interval": Interval}
	if m := relative.FindStringSubmatch(b.Time.From); m != nil && b.Time.To == "now" {
		d, err := promDuration(m[1])
		if err != nil {
			return nil, fmt.Errorf("dashboard: time.from %q: %w", b.Time.From, err)
		}
		v["__range"] = m[1]
		v["__range_s"] = fmt.Sprint(int64(d / time.Second))
	}
	for _, tv := range b.Templating.List {
		switch {
		case tv.Type != "query" && tv.Type != "custom":
			// Data source, interval, text box...: not substituted in
			// expressions (the data source is in the panels' refs).
		case tv.IncludeAll && tv.AllValue != "":
			v[tv.Name] = tv.AllValue
		default:
			// Without an allValue Grafana sends the options it fetched,
			// which only a live Grafana knows.
			return nil, fmt.Errorf("dashboard: variable %s has no allValue to substitute", tv.Name)
		}
	}
	return v, nil
}

// definition returns a query variable's query: a string, or the query
// field of the Prometheus variable editor's object.
func (v *variable) definition() (string, error) {
	var s string
	if err := json.Unmarshal(v.Query, &s); err == nil {
		return s, nil
	}
	var o struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(v.Query, &o); err != nil {
		return "", fmt.Errorf("dashboard: variable %s: query: %w", v.Name, err)
	}
	return o.Query, nil
}

// substitute replaces every variable reference in expr.
func substitute(expr string, values map[string]string) (string, error) {
	var unknown []string
	s := varRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := values[name]; ok {
			return v
		}
		unknown = append(unknown, ref)
		return ref
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("unknown variable %s in %s", strings.Join(unknown, ", "), expr)
	}
	return s, nil
}

// MetricNames returns the metric names a PromQL expression reads: "up" and
// syncwatch_* names, a histogram's _bucket suffix removed, each once, in
// order of appearance.
func MetricNames(expr string) []string {
	var out []string
	for _, m := range metricName.FindAllString(expr, -1) {
		m = strings.TrimSuffix(m, "_bucket")
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}

// promDuration parses a duration with one unit as Prometheus writes it.
func promDuration(s string) (time.Duration, error) {
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	var n int64
	if _, err := fmt.Sscanf(s[:len(s)-1], "%d", &n); err != nil || unit == 0 {
		return 0, fmt.Errorf("not a duration")
	}
	return time.Duration(n) * unit, nil
}

// Check runs every query through query, which evaluates an instant query
// and returns how many series (or samples) it returned. Each query that
// fails is an error naming it; with requireData, so is each that returned
// nothing (wrapping ErrNoData). It stops when ctx is done.
func Check(ctx context.Context, queries []Query, query func(ctx context.Context, expr string) (series int, err error), requireData bool) []error {
	var errs []error
	for _, q := range queries {
		if err := ctx.Err(); err != nil {
			return append(errs, fmt.Errorf("dashboard check stopped before %s: %w", q, err))
		}
		n, err := query(ctx, q.Expr)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %s: %w", q, q.Expr, err))
		case n == 0 && requireData:
			errs = append(errs, fmt.Errorf("%s: %s: %w", q, q.Expr, ErrNoData))
		}
	}
	return errs
}

// CheckLive is the check against a Prometheus that scraped a real
// daemon: every query must be valid and return data, except that a Quiet
// one need only be valid.
func CheckLive(ctx context.Context, queries []Query, query func(ctx context.Context, expr string) (series int, err error)) []error {
	var loud, quiet []Query
	for _, q := range queries {
		if q.Quiet() {
			quiet = append(quiet, q)
		} else {
			loud = append(loud, q)
		}
	}
	return append(Check(ctx, loud, query, true), Check(ctx, quiet, query, false)...)
}

// SeriesIn returns how many series an answer of Prometheus' instant query
// API (GET /api/v1/query) holds: the length of a vector or matrix, 1 for a
// scalar or string. An answer whose status is not success is an error
// with Prometheus' message. It serves as Check's query function behind
// any HTTP client.
func SeriesIn(body []byte) (int, error) {
	var r struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     string `json:"error"`
		Data      struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("prometheus answer %.200q: %w", body, err)
	}
	if r.Status != "success" {
		return 0, fmt.Errorf("prometheus: %s: %s: %s", r.Status, r.ErrorType, r.Error)
	}
	switch r.Data.ResultType {
	case "scalar", "string":
		return 1, nil
	case "vector", "matrix":
		var series []json.RawMessage
		if err := json.Unmarshal(r.Data.Result, &series); err != nil {
			return 0, fmt.Errorf("prometheus %s result: %w", r.Data.ResultType, err)
		}
		return len(series), nil
	}
	return 0, fmt.Errorf("prometheus: unknown result type %q", r.Data.ResultType)
}
