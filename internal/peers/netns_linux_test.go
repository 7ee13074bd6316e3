package peers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/netns"
)

// inNamespace reports whether the process runs in the namespace whose file
// is nsPath.
func inNamespace(t *testing.T, pid int, nsPath string) bool {
	t.Helper()
	a, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Stat(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	return os.SameFile(a, b)
}

// TestPeersInNamespace runs Alertmanager and Prometheus inside a network
// namespace the test creates: both processes are in it, Prometheus scrapes
// a target on the namespace's loopback, Alertmanager takes an alert posted
// from inside it, and comes back on the same port after a stop.
func TestPeersInNamespace(t *testing.T) {
	ns := netns.New(t, "peers")
	var ln net.Listener
	if err := ns.Do(func() error {
		var err error
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "# TYPE lab_gauge gauge\nlab_gauge 42\n")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	prom := StartPrometheus(t, []string{ln.Addr().String()}, PrometheusOptions{Namespace: ns})
	am := StartAlertmanager(t, AlertmanagerOptions{Namespace: ns})
	for _, p := range []*process{prom.proc, am.proc} {
		if !inNamespace(t, p.cmd.Process.Pid, ns.Path()) {
			t.Errorf("%s does not run in %s", p.name, ns.Name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	body := `[{"labels":{"alertname":"InNamespace","severity":"critical"},"annotations":{"summary":"s"}}]`
	resp, err := am.client.Post(am.URL+"/api/v2/alerts", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: HTTP %d", resp.StatusCode)
	}
	as, err := am.Alerts(ctx)
	if err != nil || len(as) != 1 || as[0].Labels["alertname"] != "InNamespace" {
		t.Fatalf("alerts: %v %v", as, err)
	}
	am.Stop(t)
	if _, err := am.Alerts(ctx); err == nil {
		t.Error("a stopped Alertmanager answers")
	}
	am.Start(t)
	if as, err := am.Alerts(ctx); err != nil || len(as) != 0 {
		t.Errorf("alerts after the restart: %v %v", as, err)
	}
	if !inNamespace(t, am.proc.cmd.Process.Pid, ns.Path()) {
		t.Errorf("the restarted Alertmanager does not run in %s", ns.Name)
	}

	for {
		r, err := prom.Query(ctx, "lab_gauge")
		if err == nil && len(r.Samples) == 1 && r.Samples[0].Value == 42 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Prometheus did not scrape the target in the namespace: %v %v", r, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
