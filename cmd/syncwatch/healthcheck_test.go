package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	healthy := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy {
			http.Error(w, "shutting down", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()

	code, out, errOut := runCLI(t, "healthcheck", "--url", srv.URL+"/healthz")
	if code != exitOK || out != "healthy: "+srv.URL+"/healthz answered 200 OK: ok\n" || errOut != "" {
		t.Errorf("live: exit %d, %q, %q", code, out, errOut)
	}
	healthy = false
	code, out, _ = runCLI(t, "healthcheck", "--url", srv.URL+"/healthz")
	if code != exitRuntime || out != "unhealthy: "+srv.URL+"/healthz answered 503 Service Unavailable: shutting down\n" {
		t.Errorf("503: exit %d, %q", code, out)
	}

	// A dead daemon: nothing listens on the port any more.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String() + "/healthz"
	ln.Close()
	code, out, _ = runCLI(t, "healthcheck", "--url", dead, "--timeout", "2s")
	if code != exitRuntime || !strings.HasPrefix(out, "unhealthy: "+dead+": Get ") || !strings.Contains(out, "connection refused") || strings.Count(out, "\n") != 1 {
		t.Errorf("dead: exit %d, %q", code, out)
	}

	// A daemon that accepts but never answers: the timeout.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	code, out, _ = runCLI(t, "healthcheck", "--url", "http://"+hang.Addr().String()+"/healthz", "--timeout", "200ms")
	if code != exitRuntime || out != "unhealthy: http://"+hang.Addr().String()+"/healthz: no answer within 200ms\n" {
		t.Errorf("hang: exit %d, %q", code, out)
	}

	for _, args := range [][]string{{"--url", "ftp://x/healthz"}, {"--url", "http://u:p@127.0.0.1/healthz"}, {"extra"}, {"--timeout", "0s"}} {
		if code, _, errOut := runCLI(t, append([]string{"healthcheck"}, args...)...); code != exitUsage || errOut == "" {
			t.Errorf("%v: exit %d, %q", args, code, errOut)
		}
	}
	code, out, _ = runCLI(t, "healthcheck", "--help")
	if code != exitOK || !strings.HasPrefix(out, "Usage: syncwatch healthcheck [--url URL]") || !strings.Contains(out, defaultHealthURL) {
		t.Errorf("help: %d %q", code, out)
	}
}
