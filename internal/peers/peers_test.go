package peers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"
)

// postAlert posts one alert to an Alertmanager as a client would.
func postAlert(t *testing.T, am *Alertmanager, name string, ends time.Time) {
	t.Helper()
	body := fmt.Sprintf(`[{"labels":{"alertname":%q,"severity":"critical"},"annotations":{"summary":"s"},"endsAt":%q}]`,
		name, ends.UTC().Format(time.RFC3339Nano))
	resp, err := http.Post(am.URL+"/api/v2/alerts", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: HTTP %d", resp.StatusCode)
	}
}

// TestAlertmanager posts an alert to a real Alertmanager, reads it back,
// gets its webhook notification, resolves it (it leaves the listing, also
// with active=false: the API lists no resolved alert), and checks that the
// server comes back on the same port after a stop, without the alert that
// was firing when it stopped.
func TestAlertmanager(t *testing.T) {
	hook := StartWebhook(t)
	am := StartAlertmanager(t, AlertmanagerOptions{Route: Route{WebhookURL: hook.URL}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	postAlert(t, am, "PeersTest", time.Now().Add(time.Hour))
	alerts, err := am.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Labels["alertname"] != "PeersTest" || alerts[0].Annotations["summary"] != "s" ||
		alerts[0].Fingerprint == "" || alerts[0].Status.State == "" {
		t.Fatalf("alerts %+v", alerts)
	}
	got, err := hook.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := got[0]; n.Version != "4" || n.Status != "firing" || n.Receiver != "webhook" || len(n.Alerts) != 1 || n.Alerts[0].Labels["alertname"] != "PeersTest" {
		t.Errorf("notification %+v", n)
	}

	postAlert(t, am, "PeersTest", time.Now().Add(-time.Second))
	for _, q := range []url.Values{nil, {"active": {"false"}}} {
		alerts, err := am.AlertsWhere(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 0 {
			t.Errorf("resolved, %v lists %+v", q, alerts)
		}
	}
	got, err = hook.WaitFor(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n := got[1]; n.Status != "resolved" || len(n.Alerts) != 1 || n.Alerts[0].Status != "resolved" {
		t.Errorf("resolved notification %+v", n)
	}

	postAlert(t, am, "FiringAtTheStop", time.Now().Add(time.Hour))
	url := am.URL
	am.Stop(t)
	if am.Running() {
		t.Fatal("running after Stop")
	}
	if _, err := am.Alerts(ctx); err == nil {
		t.Fatal("a stopped Alertmanager answers")
	}
	am.Start(t)
	if am.URL != url {
		t.Fatalf("URL changed: %s", am.URL)
	}
	if alerts, err := am.Alerts(ctx); err != nil || len(alerts) != 0 {
		t.Fatalf("after the restart: %v %+v (Alertmanager keeps no alerts across restarts)", err, alerts)
	}
}

// TestCluster forms a cluster of two and checks that an alert posted to
// one is not gossiped to the other (only silences and the notification
// log are), which is why senders post to every peer.
func TestCluster(t *testing.T) {
	ams := StartCluster(t, 2, AlertmanagerOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, am := range ams {
		st, err := am.Cluster(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != "ready" || len(st.Peers) != 2 {
			t.Errorf("%s: %+v", am.URL, st)
		}
	}
	postAlert(t, ams[0], "OnlyFirst", time.Now().Add(time.Hour))
	time.Sleep(500 * time.Millisecond)
	alerts, err := ams[1].Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 0 {
		t.Errorf("the second peer lists %+v", alerts)
	}
}

// TestPrometheus scrapes a loopback exposition with a real Prometheus and
// queries it.
func TestPrometheus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprint(w, "# HELP peers_test_things Things.\n# TYPE peers_test_things gauge\npeers_test_things{kind=\"a\"} 3\npeers_test_things{kind=\"b\"} 4.5\n")
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	p := StartPrometheus(t, []string{host}, PrometheusOptions{ScrapeInterval: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var res QueryResult
	for {
		var err error
		res, err = p.Query(ctx, `peers_test_things{kind="b"}`)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Samples) > 0 || ctx.Err() != nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if res.Type != "vector" || len(res.Samples) != 1 || res.Samples[0].Value != 4.5 || res.Samples[0].Metric["job"] != "syncwatch" ||
		res.Samples[0].Metric["instance"] != host {
		t.Errorf("query: %+v", res)
	}
	res, err := p.Query(ctx, `scalar(sum(peers_test_things))`)
	if err != nil || res.Type != "scalar" || len(res.Samples) != 1 || res.Samples[0].Value != 7.5 {
		t.Errorf("scalar: %+v %v", res, err)
	}
	if _, err := p.Query(ctx, `peers_test_things[1m]`); err == nil {
		t.Error("a range vector was accepted")
	}
	if _, err := p.Query(ctx, `sum(`); err == nil || !strings.Contains(err.Error(), "bad_data") {
		t.Errorf("bad PromQL: %v", err)
	}
	targets, err := p.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Health != "up" || targets[0].ScrapeURL != srv.URL+"/metrics" {
		t.Errorf("targets %+v", targets)
	}
}

// TestPromtoolCheckMetrics checks that promtool's problems are returned
// and a clean text gives none.
func TestPromtoolCheckMetrics(t *testing.T) {
	if p := PromtoolCheckMetrics(t, "# HELP x_total Things.\n# TYPE x_total counter\nx_total 1\n"); len(p) != 0 {
		t.Errorf("clean text: %q", p)
	}
	p := PromtoolCheckMetrics(t, "# HELP x Things.\n# TYPE x counter\nx 1\n")
	if len(p) != 1 || !strings.Contains(p[0], `counter metrics should have "_total" suffix`) {
		t.Errorf("problems %q", p)
	}
}

// fatalRecorder keeps the message of a Fatalf and ends the goroutine, as
// testing.T does, without failing the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// TestAlertmanagerBadConfig: a server that exits before it is ready is
// reported with its own last words.
func TestAlertmanagerBadConfig(t *testing.T) {
	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		StartAlertmanager(rec, AlertmanagerOptions{Config: "route:\n  receiver: nowhere\n"})
	}()
	<-done
	if !strings.Contains(rec.msg, "exited before it was ready") || !strings.Contains(rec.msg, `undefined receiver \"nowhere\"`) {
		t.Errorf("error %q", rec.msg)
	}
}
