package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

type fixed struct{ active, recent []alerts.Finding }

func (f fixed) Active() []alerts.Finding { return f.active }
func (f fixed) Recent() []alerts.Finding { return f.recent }

func testFindings() fixed {
	at := time.Date(2026, 12, 3, 19, 18, 38, 0, time.UTC)
	return fixed{
		active: []alerts.Finding{
			{Kind: alerts.KindCompliantReached, Severity: alerts.SeverityCritical, Key: "compliant-reached|a4:bb:6d:10:22:03|10.0.0.13|8449",
				EndpointIP: netip.MustParseAddr("10.1.10.23"), PSN: netip.MustParseAddr("10.0.0.13"), Port: 8449, FirstSeen: at, LastSeen: at, Count: 1, Summary: "s1", Action: "a1"},
			{Kind: alerts.KindUnmanaged, Severity: alerts.SeverityInfo, Key: "unmanaged|10.9.9.9|10.0.0.11|8449", Summary: "s2", Action: "a2"},
		},
		recent: []alerts.Finding{{Kind: alerts.KindUnmanaged, Severity: alerts.SeverityInfo, Key: "unmanaged|10.9.9.8|10.0.0.11|8449", Summary: "s3", Action: "a3"}},
	}
}

// start serves the handler on a loopback port and returns its base URL.
func start(t *testing.T, h http.Handler, webConfig, scheme string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, webConfig, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return scheme + "://" + ln.Addr().String()
}

func get(t *testing.T, c *http.Client, url string, auth ...string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if len(auth) == 2 {
		req.SetBasicAuth(auth[0], auth[1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestRoutes(t *testing.T) {
	reg := prometheus.NewRegistry()
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "syncwatch_test_gauge", Help: "A test gauge."})
	g.Set(7)
	reg.MustRegister(g)
	ready := false
	h := Handler(Config{
		Gatherer: reg,
		Findings: func() Findings { return testFindings() },
		Ready: func() (bool, any) {
			if !ready {
				return false, map[string]any{"ready": false, "reasons": []string{"capture: no interface up"}}
			}
			return true, map[string]any{"ready": true}
		},
		Sensor: "span-host-1", Version: "test",
	})
	base := start(t, h, "", "http")
	c := &http.Client{Timeout: 5 * time.Second}

	tests := []struct {
		path string
		code int
		body string
	}{
		{"/healthz", 200, "ok\n"},
		{"/readyz", 503, `{"ready":false,"reasons":["capture: no interface up"]}` + "\n"},
		{"/api/v1/findings?color=red", 400, `{"error":"unknown parameter \"color\" (key, kind)"}` + "\n"},
		{"/api/v1/findings?kind=bogus", 400, `{"error":"unknown kind \"bogus\""}` + "\n"},
		{"/evidence/x.pcap", 404, "404 page not found\n"},
		{"/nothing", 404, "404 page not found\n"},
	}
	for _, tc := range tests {
		code, body, _ := get(t, c, base+tc.path)
		if code != tc.code || body != tc.body {
			t.Errorf("%s: %d %q, want %d %q", tc.path, code, body, tc.code, tc.body)
		}
	}
	ready = true
	if code, body, _ := get(t, c, base+"/readyz"); code != 200 || body != "{\"ready\":true}\n" {
		t.Errorf("ready: %d %q", code, body)
	}
	code, body, hdr := get(t, c, base+"/api/v1/findings?kind=unmanaged")
	want := "{\"active\": [\n  " + mustJSON(t, testFindings().active[1]) + "\n],\n\"recent\": [\n  " + mustJSON(t, testFindings().recent[0]) + "\n]}\n"
	if code != 200 || body != want || hdr.Get("Content-Type") != "application/json" {
		t.Errorf("kind filter: %d %s", code, body)
	}
	code, body, _ = get(t, c, base+"/api/v1/findings?key=compliant-reached%7Ca4:bb:6d:10:22:03%7C10.0.0.13%7C8449")
	if want := "{\"active\": [\n  " + mustJSON(t, testFindings().active[0]) + "\n],\n\"recent\": []}\n"; code != 200 || body != want {
		t.Errorf("key filter: %d %s", code, body)
	}
	code, body, _ = get(t, c, base+"/metrics")
	if code != 200 || !strings.Contains(body, "\nsyncwatch_test_gauge 7\n") {
		t.Errorf("metrics: %d %s", code, body)
	}
	code, body, _ = get(t, c, base+"/")
	for _, link := range []string{`href="metrics"`, `href="api/v1/findings"`, `href="readyz"`, `href="healthz"`, "span-host-1"} {
		if code != 200 || !strings.Contains(body, link) {
			t.Errorf("landing page lacks %s: %d %s", link, code, body)
		}
	}
}

func mustJSON(t *testing.T, f alerts.Finding) string {
	b, err := f.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWebConfig serves with TLS (a certificate the test makes) and basic
// auth from an exporter-toolkit web configuration file.
func TestWebConfig(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSigned(t)
	os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600)
	hash, err := bcrypt.GenerateFromPassword([]byte("test-only-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	webYML := filepath.Join(dir, "web.yml")
	os.WriteFile(webYML, []byte("tls_server_config:\n  cert_file: "+filepath.Join(dir, "cert.pem")+"\n  key_file: "+filepath.Join(dir, "key.pem")+
		"\nbasic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600)
	base := start(t, Handler(Config{Gatherer: prometheus.NewRegistry()}), webYML, "https")

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "syncwatch.test"}}}
	if code, _, _ := get(t, c, base+"/healthz"); code != 401 {
		t.Errorf("without credentials: %d, want 401", code)
	}
	if code, _, _ := get(t, c, base+"/healthz", "prometheus", "wrong"); code != 401 {
		t.Errorf("wrong password: %d, want 401", code)
	}
	if code, body, _ := get(t, c, base+"/healthz", "prometheus", "test-only-password"); code != 200 || body != "ok\n" {
		t.Errorf("with credentials: %d %q", code, body)
	}
	plain := &http.Client{Timeout: 5 * time.Second}
	if code, _, _ := get(t, plain, strings.Replace(base, "https", "http", 1)+"/healthz"); code != 400 {
		t.Errorf("plain HTTP to the TLS port: %d, want 400", code)
	}
}

// selfSigned makes a certificate for syncwatch.test and 127.0.0.1.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	certPEM, keyPEM, err := testenv.SelfSigned("syncwatch.test", []string{"syncwatch.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}
