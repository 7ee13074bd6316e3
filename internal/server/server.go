// Package server is the daemon's HTTP side: /metrics, /healthz, /readyz,
// /api/v1/findings, /evidence/ and a landing page linking them, served
// with the exporter-toolkit web configuration (TLS, basic auth). It only
// reads what the daemon hands it; it never shows a secret: findings carry
// none, and the configuration is not served.
package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/syncwatch/syncwatch/alerts"
)

// Findings is what the API reads the findings from; alerts.Lifecycle
// implements it.
type Findings interface {
	// Active returns the active findings, Recent those resolved lately.
	Active() []alerts.Finding
	Recent() []alerts.Finding
}

// Config is what the handler serves.
type Config struct {
	// Gatherer provides /metrics (the daemon's registry).
	Gatherer prometheus.Gatherer
	// Findings provides /api/v1/findings; nil answers 503 until set.
	Findings func() Findings
	// Ready reports whether the daemon is ready (config loaded, capture
	// running) and a JSON-encodable detail served by /readyz.
	Ready func() (bool, any)
	// Evidence serves /evidence/NAME (alerts.EvidenceStore's handler);
	// nil answers 404.
	Evidence http.Handler
	// Sensor and Version are shown on the landing page.
	Sensor, Version string
	Logger          *slog.Logger
}

// Handler returns the daemon's routes.
func Handler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Gatherer, promhttp.HandlerOpts{
		EnableOpenMetrics:   true,
		ErrorHandling:       promhttp.ContinueOnError,
		ErrorLog:            slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelError),
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		ok, detail := false, any(map[string]string{"reason": "starting"})
		if cfg.Ready != nil {
			ok, detail = cfg.Ready()
		}
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, detail)
	})
	mux.HandleFunc("GET /api/v1/findings", func(w http.ResponseWriter, r *http.Request) {
		var src Findings
		if cfg.Findings != nil {
			src = cfg.Findings()
		}
		if src == nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "the judge is not running yet"})
			return
		}
		q := r.URL.Query()
		for k := range q {
			if k != "key" && k != "kind" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown parameter %q (key, kind)", k)})
				return
			}
		}
		keys, kinds := q["key"], q["kind"]
		for _, k := range kinds {
			if !slices.Contains(alerts.Kinds(), alerts.Kind(k)) {
				// A typo would otherwise read as "no such finding".
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("unknown kind %q", k)})
				return
			}
		}
		writeFindings(w, filter(src.Active(), keys, kinds), filter(src.Recent(), keys, kinds))
	})
	if cfg.Evidence != nil {
		mux.Handle("/evidence/", http.StripPrefix("/evidence", cfg.Evidence))
	} else {
		mux.Handle("/evidence/", http.NotFoundHandler())
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		landing.Execute(w, cfg)
	})
	return mux
}

var landing = template.Must(template.New("landing").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>syncwatch</title></head>
<body>
<h1>syncwatch</h1>
<p>Sensor {{.Sensor}}, version {{.Version}}: watches SYNs to the ISE PSNs' posture state-sync port and judges them against the switches' sessions and dACLs.</p>
<ul>
<li><a href="api/v1/findings">/api/v1/findings</a>: active and recently resolved findings (JSON; <code>?key=KEY</code>, <code>?kind=KIND</code>)</li>
<li><a href="metrics">/metrics</a>: Prometheus metrics</li>
<li><a href="readyz">/readyz</a>: ready (configuration loaded, capture running)</li>
<li><a href="healthz">/healthz</a>: alive</li>
<li>/evidence/NAME: a finding's evidence capture (linked from the finding)</li>
</ul>
</body></html>
`))

// filter keeps the findings whose key is one of keys and kind one of kinds
// (either list empty: any).
func filter(fs []alerts.Finding, keys, kinds []string) []alerts.Finding {
	out := make([]alerts.Finding, 0, len(fs))
	for _, f := range fs {
		if len(keys) > 0 && !contains(keys, f.Key) || len(kinds) > 0 && !contains(kinds, string(f.Kind)) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeFindings writes {"active": [...], "recent": [...]}, one finding per
// line, in the one finding schema. It streams: 100,000 active findings
// need no second copy in memory. A finding always encodes (its fields are
// plain values), so the status is sent first.
func writeFindings(w http.ResponseWriter, active, recent []alerts.Finding) {
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	list := func(name string, fs []alerts.Finding) {
		fmt.Fprintf(bw, "%q: [", name)
		n := 0
		for i := range fs {
			j, err := fs[i].MarshalJSON()
			if err != nil {
				continue
			}
			if n > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n  ")
			bw.Write(j)
			n++
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]")
	}
	bw.WriteString("{")
	list("active", active)
	bw.WriteString(",\n")
	list("recent", recent)
	bw.WriteString("}\n")
	bw.Flush()
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"error":"encoding the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// Serve serves h on ln until ctx ends, with TLS and basic auth from the
// exporter-toolkit web configuration file webConfig ("" serves plain
// HTTP); then it shuts the server down, giving requests in flight up to
// five seconds. It returns nil after a shutdown by ctx.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, webConfig string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	noSystemd := false
	addrs := []string{ln.Addr().String()}
	flags := &web.FlagConfig{WebListenAddresses: &addrs, WebSystemdSocket: &noSystemd, WebConfigFile: &webConfig}
	done := make(chan error, 1)
	go func() { done <- web.Serve(ln, srv, flags, log) }()
	select {
	case err := <-done:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http: %w", err)
	}
	return nil
}
