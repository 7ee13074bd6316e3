package live

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/snmp"
	"github.com/syncwatch/syncwatch/internal/iosemu"
)

// TestSNMPAgentNeverAnswers: the SNMP poll of a switch whose agent is
// silent fails with its own error and metric, and the poll falls back to
// the SSH summary; the other switch's SNMP poll is not affected.
func TestSNMPAgentNeverAnswers(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := silent.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	l := newLab(t)
	srv := l.add(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 6), iosemu.ServerConfig{})
	sws := l.switches(nil)
	host, port, _ := net.SplitHostPort(silent.LocalAddr().String())
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	sws[0].SNMP = func() (snmp.Config, error) {
		return snmp.Config{Address: host, Port: p, Version: "2c", Community: "c0mmunity-s3cret", Timeout: 200 * time.Millisecond, Retries: -1}, nil
	}
	inv := collectors.NewInventory()
	reg := prometheus.NewPedanticRegistry()
	c, err := New(Config{Switches: sws}, inv, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "snmp", "error")); got != 0 {
		t.Errorf("a full sweep polled SNMP: %v", got)
	}
	mark := len(srv.Switch().Received())
	if err := c.byName["sw1"].poll(ctx, false); err != nil {
		t.Fatalf("poll with a silent SNMP agent: %v", err)
	}
	if got := testutil.ToFloat64(c.m.errors.WithLabelValues("sw1", "snmp", "timeout")); got != 1 {
		t.Errorf("snmp timeouts %v, want 1", got)
	}
	if got := testutil.ToFloat64(c.m.up.WithLabelValues("sw1", "snmp")); got != 0 {
		t.Errorf("snmp up %v, want 0", got)
	}
	if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "ssh", "ok")); got != 2 {
		t.Errorf("ssh polls ok %v, want 2 (the fallback read the summary)", got)
	}
	if got := received(srv, mark); strings.Join(got, "|") != "show access-session" {
		t.Errorf("fallback sent %q, want the summary", got)
	}
	if n := len(inv.Snapshot().Switch("sw1").Sessions); n != 6 {
		t.Errorf("%d sessions", n)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %+v", err, problems)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if !strings.Contains(mf.String(), "c0mmunity-s3cret") {
			continue
		}
		t.Error("a metric holds the community")
	}
}
