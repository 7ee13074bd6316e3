package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/peers"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// TestRunPrometheusScrape has a real Prometheus (Debian's) scrape the
// daemon on loopback and answers queries over what it scraped.
func TestRunPrometheusScrape(t *testing.T) {
	testenv.Command(t, peers.PrometheusProgram)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, "../../examples/switches", "")), 0o644)
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })

	target := strings.TrimPrefix(d.base, "http://")
	prom := peers.StartPrometheus(t, []string{target}, peers.PrometheusOptions{ScrapeInterval: time.Second})
	query := func(q string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := prom.Query(ctx, q)
		if err != nil || len(r.Samples) != 1 {
			return ""
		}
		return strconv.FormatFloat(r.Samples[0].Value, 'f', -1, 64)
	}
	eventually(t, "a successful scrape", func() bool { return query(`up{job="syncwatch"}`) == "1" })
	for q, want := range map[string]string{
		`syncwatch_inventory_sessions`:                        "5",
		`sum(syncwatch_finding_active_info)`:                  "4",
		`syncwatch_findings_active{kind="compliant-reached"}`: "0",
		`count(syncwatch_build_info)`:                         "1",
	} {
		if got := query(q); got != want {
			t.Errorf("%s = %q, want %q", q, got, want)
		}
	}
}
