package dashboard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// board1 has every form of variable reference, a row with a nested panel
// and a label_values variable in the Prometheus editor's object form.
const board1 = `{
  "time": {"from": "now-6h", "to": "now"},
  "templating": {"list": [
    {"name": "datasource", "type": "datasource", "query": "prometheus"},
    {"name": "sensor", "type": "query", "includeAll": true, "allValue": ".+",
     "query": {"query": "label_values(up{job=\"syncwatch\"}, instance)", "refId": "V"}},
    {"name": "kind", "type": "custom", "includeAll": true, "allValue": "psn-down|race", "query": "psn-down,race"}
  ]},
  "panels": [
    {"title": "Rate", "targets": [
      {"refId": "A", "expr": "sum(rate(syncwatch_capture_packets_total{instance=~\"$sensor\"}[$__rate_interval]))"},
      {"refId": "B", "expr": "increase(syncwatch_findings_total{kind=~\"${kind:regex}\", instance=~\"[[sensor]]\"}[$__range])"}
    ]},
    {"title": "A row", "type": "row", "panels": [
      {"title": "Nested", "targets": [{"refId": "A", "expr": "histogram_quantile(0.5, sum by (le) (rate(syncwatch_confirm_refresh_duration_seconds_bucket[$__interval]))) + $__range_s * 0 + count(syncwatch_confirms_total)"}]}
    ]}
  ]
}`

func TestQueries(t *testing.T) {
	qs, err := Queries([]byte(board1))
	if err != nil {
		t.Fatal(err)
	}
	want := []Query{
		{Panel: "variable sensor", Expr: `count by (instance) (up{job="syncwatch"})`, Metrics: []string{"up"}},
		{Panel: "Rate", RefID: "A", Expr: `sum(rate(syncwatch_capture_packets_total{instance=~".+"}[1m]))`,
			Metrics: []string{"syncwatch_capture_packets_total"}},
		{Panel: "Rate", RefID: "B", Expr: `increase(syncwatch_findings_total{kind=~"psn-down|race", instance=~".+"}[6h])`,
			Metrics: []string{"syncwatch_findings_total"}},
		{Panel: "Nested", RefID: "A", Expr: `histogram_quantile(0.5, sum by (le) (rate(syncwatch_confirm_refresh_duration_seconds_bucket[1m]))) + 21600 * 0 + count(syncwatch_confirms_total)`,
			Metrics: []string{"syncwatch_confirm_refresh_duration_seconds", "syncwatch_confirms_total"}},
	}
	if fmt.Sprintf("%q", qs) != fmt.Sprintf("%q", want) {
		t.Errorf("Queries:\n got %q\nwant %q", qs, want)
	}
	if got := []string{qs[0].String(), qs[1].String()}; !slices.Equal(got, []string{"variable sensor", "Rate A"}) {
		t.Errorf("String: %q", got)
	}
	if qs[1].Quiet() || !qs[3].Quiet() {
		t.Errorf("Quiet: %v for %s, %v for %s; want false, true", qs[1].Quiet(), qs[1].Expr, qs[3].Quiet(), qs[3].Expr)
	}
}

func TestQueriesErrors(t *testing.T) {
	for _, c := range []struct{ name, json, want string }{
		{"not JSON", `{`, "dashboard: unexpected end of JSON input"},
		{"unknown variable", `{"panels": [{"title": "P", "targets": [{"refId": "A", "expr": "up{instance=~\"$instance\"} + up{x=\"${other}\"}"}]}]}`,
			`dashboard: P A: unknown variable $instance, ${other} in up{instance=~"$instance"} + up{x="${other}"}`},
		{"no allValue", `{"templating": {"list": [{"name": "instance", "type": "query", "includeAll": true, "query": "label_values(up, instance)"}]}}`,
			"dashboard: variable instance has no allValue to substitute"},
		{"unknown variable query", `{"templating": {"list": [{"name": "v", "type": "query", "includeAll": true, "allValue": ".*", "query": "query_result(up)"}]}}`,
			`dashboard: variable v: query "query_result(up)" is not label_values(SELECTOR, LABEL)`},
		{"empty expression", `{"panels": [{"title": "P", "targets": [{"refId": "A", "expr": " "}, {"refId": "B", "expr": ""}]}]}`,
			"dashboard: P A: empty expression\ndashboard: P B: empty expression"},
		{"$__range without a relative range", `{"time": {"from": "2026-01-01T00:00:00Z", "to": "now"}, "panels": [{"title": "P", "targets": [{"refId": "A", "expr": "increase(up[$__range])"}]}]}`,
			"dashboard: P A: unknown variable $__range in increase(up[$__range])"},
	} {
		qs, err := Queries([]byte(c.json))
		if err == nil || err.Error() != c.want || qs != nil {
			t.Errorf("%s: Queries = %q, %v; want the error %q", c.name, qs, err, c.want)
		}
	}
}

func TestMetricNames(t *testing.T) {
	got := MetricNames(`up + syncwatch_a_total / syncwatch_b_seconds_bucket + rate(syncwatch_a_total[1m]) + other_metric + setup`)
	if want := []string{"up", "syncwatch_a_total", "syncwatch_b_seconds"}; !slices.Equal(got, want) {
		t.Errorf("MetricNames = %q, want %q", got, want)
	}
}

func TestCheck(t *testing.T) {
	qs := []Query{{Panel: "P", RefID: "A", Expr: "data"}, {Panel: "P", RefID: "B", Expr: "empty"}, {Panel: "Q", RefID: "A", Expr: "bad"},
		{Panel: "Q", RefID: "B", Expr: "quiet", Metrics: []string{"syncwatch_confirms_total"}}}
	var asked []string
	query := func(_ context.Context, expr string) (int, error) {
		asked = append(asked, expr)
		switch expr {
		case "data":
			return 3, nil
		case "bad":
			return 0, errors.New("bad_data: parse error")
		}
		return 0, nil
	}
	str := func(errs []error) string {
		var s []string
		for _, e := range errs {
			s = append(s, e.Error())
		}
		return strings.Join(s, "; ")
	}
	ctx := context.Background()
	errs := Check(ctx, qs, query, true)
	if got, want := str(errs), "P B: empty: no data; Q A: bad: bad_data: parse error; Q B: quiet: no data"; got != want {
		t.Errorf("Check with data required: %s, want %s", got, want)
	}
	if !errors.Is(errs[0], ErrNoData) || errors.Is(errs[1], ErrNoData) {
		t.Errorf("errors.Is(ErrNoData): %v, %v; want true, false", errors.Is(errs[0], ErrNoData), errors.Is(errs[1], ErrNoData))
	}
	if got, want := str(Check(ctx, qs, query, false)), "Q A: bad: bad_data: parse error"; got != want {
		t.Errorf("Check without data required: %s, want %s", got, want)
	}
	if got, want := str(CheckLive(ctx, qs, query)), "P B: empty: no data; Q A: bad: bad_data: parse error"; got != want {
		t.Errorf("CheckLive: %s, want %s", got, want)
	}
	asked = nil
	done, cancel := context.WithCancel(ctx)
	cancel()
	if got, want := str(Check(done, qs, query, true)), "dashboard check stopped before P A: context canceled"; got != want || len(asked) != 0 {
		t.Errorf("Check after cancel: %s (asked %q), want %s and no query", got, asked, want)
	}
}

func TestSeriesIn(t *testing.T) {
	for _, c := range []struct {
		body string
		n    int
		err  string
	}{
		{`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]},{"metric":{"a":"b"},"value":[1,"2"]}]}}`, 2, ""},
		{`{"status":"success","data":{"resultType":"vector","result":[]}}`, 0, ""},
		{`{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`, 1, ""},
		{`{"status":"success","data":{"resultType":"scalar","result":[1,"0"]}}`, 1, ""},
		{`{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error"}`, 0,
			`prometheus: error: bad_data: invalid parameter "query": 1:5: parse error`},
		{`{"status":"success","data":{"resultType":"streams","result":[]}}`, 0, `prometheus: unknown result type "streams"`},
		{`<html>502 Bad Gateway</html>`, 0, `prometheus answer "<html>502 Bad Gateway</html>": invalid character '<' looking for beginning of value`},
	} {
		n, err := SeriesIn([]byte(c.body))
		if got := fmt.Sprint(err); n != c.n || (c.err == "" && err != nil) || (c.err != "" && got != c.err) {
			t.Errorf("SeriesIn(%s) = %d, %v; want %d, %q", c.body, n, err, c.n, c.err)
		}
	}
}
