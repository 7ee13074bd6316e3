package main

import (
	"context"
	"encoding/json"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// TestRunPrometheusScrape has a real Prometheus (Debian's) scrape the
// daemon on loopback and answers queries over what it scraped.
func TestRunPrometheusScrape(t *testing.T) {
	prom := testenv.Command(t, "prometheus")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, "../../examples/switches", "")), 0o644)
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	promAddr := ln.Addr().String()
	ln.Close()
	target := strings.TrimPrefix(d.base, "http://")
	promCfg := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(promCfg, []byte("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: syncwatch\n    static_configs:\n      - targets: ['"+target+"']\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prom, "--config.file="+promCfg, "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr, "--log.level=warn")
	var promLog testenv.Buffer
	cmd.Stdout, cmd.Stderr = &promLog, &promLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	defer func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("prometheus log:\n%s", promLog.String())
		}
	}()

	query := func(q string) string {
		c := d.client()
		resp, err := c.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Value [2]any
				}
			}
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || len(r.Data.Result) != 1 {
			return ""
		}
		s, _ := r.Data.Result[0].Value[1].(string)
		return s
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
