package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// The dACLs of TestRunLiveCollector's switch: the one both endpoints
// start with permits everything; the fixed one ISE pushes to ep2 denies
// the state-sync port of the PSN.
const (
	daclOpen  = "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"
	daclFixed = "xACSACLx-IP-EMPLOYEE_COMPLIANT-7c0e93d1"
)

// collectorSwitch is access-sw3 as the emulator shows it: two compliant
// sessions (10.1.30.1 and .2) under daclOpen, and both dACLs listed.
func collectorSwitch() iosemu.Profile {
	p := iosemu.Profile{Hostname: "access-sw3", Release: iosemu.ReleaseIOSXE,
		ACLs: "Extended IP access list " + daclOpen + " (per-user)\n    10 permit ip any any\n" +
			"Extended IP access list " + daclFixed + " (per-user)\n    10 deny tcp any host 10.0.0.13 eq 8449\n    20 permit ip any any\n"}
	for i := 1; i <= 2; i++ {
		p.Sessions = append(p.Sessions, iosemu.Session{
			Interface: fmt.Sprintf("GigabitEthernet2/0/%d", i), MAC: fmt.Sprintf("a4bb.6d30.%04x", i), IPv4: fmt.Sprintf("10.1.30.%d", i),
			User: fmt.Sprintf("host/pc-3%03d.corp.example.com", i), Domain: "DATA", Method: "dot1x",
			SessionID: fmt.Sprintf("0A01140200000030%08X", i), DACL: daclOpen, VLAN: "10",
		})
	}
	return p
}

// TestRunLiveCollector runs the daemon with a switch read by the live
// collector (the IOS emulator behind an SSH server on loopback) and
// capture on a SPAN mirror as TestRunLive has it. The first poll, which
// ends before capture starts and the daemon is ready, makes both endpoints
// compliant under a dACL that permits the PSN. ep1 reaches
// the PSN: the compliant-reached is confirmed by a refresh of the switch
// (its confirm shows the fresh posture, dACL and verdict) and paged. Then
// ISE fixes ep2's dACL on the switch, which the collector has not polled
// since (its interval is an hour): ep2 reaching the PSN is a
// compliant-reached on the stale inventory, but the refresh shows the
// fixed dACL denying the SYN, so it becomes a race and pages no one.
// /readyz shows the switch's polling health, the collector's metrics are
// in /metrics, and the confirm refreshes' own time is logged.
func TestRunLiveCollector(t *testing.T) {
	testenv.Root(t)
	testenv.Command(t, "ip", "nft")

	client, span, psnAddr := spanNetwork(t, 2)

	const user, password = "syncwatch", "Lab-Passw0rd-9c1"
	srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(collectorSwitch()), iosemu.ServerConfig{User: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	host, port, _ := net.SplitHostPort(srv.Addr())
	dir := t.TempDir()
	kh, pw := filepath.Join(dir, "known_hosts"), filepath.Join(dir, "switch-password")
	os.WriteFile(kh, []byte(srv.KnownHostsLine()+"\n"), 0o600)
	os.WriteFile(pw, []byte(password+"\n"), 0o600)
	am := newRecorder(t)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, "", "capture:\n  interfaces: ["+span+"]\n  answer_timeout: 2s\n"+
		"alertmanager:\n  peers: ["+am.url+"]\n  min_severity: critical\n"+
		"switches:\n  - name: access-sw3\n    address: "+host+"\n    platform: cisco_iosxe\n"+
		"    ssh: {username: "+user+", password: {file: "+pw+"}, port: "+port+"}\n"+
		"collect:\n  poll_interval: 1h\n  known_hosts: "+kh+"\n")), 0o644)

	d := startDaemon(t, cfgPath)
	// Capture starts after the first poll: once ready, the switch is read.
	eventually(t, "readiness", func() bool { code, _ := d.get(t, "/readyz"); return code == 200 })
	_, body := d.get(t, "/readyz")
	if !strings.Contains(body, `"switches":[{"name":"access-sw3","up":true,"connected":true,"sessions":2,"failures":0,`) ||
		!strings.Contains(body, `"reason":"","last_error":""}]`) {
		t.Errorf("readyz after the first poll: %s", body)
	}
	if strings.Contains(body, password) {
		t.Errorf("/readyz shows the switch's password")
	}
	// The audit ran on the collector's inventory: the open dACL permits
	// the PSN.
	eventually(t, "the audit of the polled dACL", func() bool {
		return len(d.findings(t, "?key=dacl-permits-psn|"+daclOpen+"|10.0.0.13|8449").Active) == 1
	})

	connect := func(i int) {
		t.Helper()
		if err := client.Do(func() error {
			from := netip.AddrFrom4([4]byte{10, 1, 30, byte(i)})
			dl := net.Dialer{Timeout: 3 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
			c, err := dl.Dial("tcp", netip.AddrPortFrom(psnAddr, 8449).String())
			if err != nil {
				return fmt.Errorf("connecting from %s: %w", from, err)
			}
			return c.Close()
		}); err != nil {
			t.Fatal(err)
		}
	}
	confirmOf := func(f map[string]any) map[string]any {
		c, _ := f["confirm"].(map[string]any)
		return c
	}

	// ep1: confirmed and paged.
	logins := srv.Switch().Logins()
	connect(1)
	eventually(t, "ep1's compliant-reached", func() bool {
		fs := d.findings(t, "?kind=compliant-reached").Active
		return len(fs) == 1 && confirmOf(fs[0]) != nil
	})
	f := d.findings(t, "?kind=compliant-reached").Active[0]
	c := confirmOf(f)
	if f["endpoint_ip"] != "10.1.30.1" || f["switch"] != "access-sw3" || f["dacl"] != daclOpen || f["acl_line"] != "permit ip any any" ||
		c["posture"] != "compliant" || c["dacl"] != daclOpen || c["verdict"] != "permit" {
		t.Errorf("ep1's finding: %v", f)
	}
	if at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(c["at"])); err != nil || at.IsZero() {
		t.Errorf("ep1's confirm at %v: %v", c["at"], err)
	}
	if s := fmt.Sprint(f["summary"]); !strings.Contains(s, "confirmed by a fresh reading of access-sw3") {
		t.Errorf("ep1's summary %q", s)
	}
	if n := srv.Switch().Logins(); n != logins {
		// The refresh reuses the poll's connection.
		t.Errorf("%d logins for the refresh, want none (the connection is kept)", n-logins)
	}
	eventually(t, "ep1's alert", func() bool { return len(alertsFor(am, "compliant-reached", "10.1.30.1")) > 0 })

	// ISE fixes ep2's dACL; the collector has not seen it.
	srv.Switch().Update(func(p *iosemu.Profile) { p.Sessions[1].DACL = daclFixed })
	connect(2)
	eventually(t, "ep2's race", func() bool { return len(d.findings(t, "?kind=race").Active) == 1 })
	f = d.findings(t, "?kind=race").Active[0]
	c = confirmOf(f)
	if f["endpoint_ip"] != "10.1.30.2" || f["dacl"] != daclFixed || f["acl_line"] != "deny tcp any host 10.0.0.13 eq 8449" ||
		c == nil || c["posture"] != "compliant" || c["dacl"] != daclFixed || c["verdict"] != "deny" {
		t.Errorf("ep2's finding: %v", f)
	}
	if fs := d.findings(t, "?kind=compliant-reached").Active; len(fs) != 1 || fs[0]["endpoint_ip"] != "10.1.30.1" {
		t.Errorf("compliant-reached findings after ep2: %v", fs)
	}
	// The refresh's change re-ran the audit: the fixed dACL is read.
	eventually(t, "the audit of the refreshed switch", func() bool {
		_, m := d.get(t, "/metrics")
		return strings.Contains(m, "\nsyncwatch_confirms_total{result=\"changed\"} 1\n")
	})
	_, metrics := d.get(t, "/metrics")
	for _, line := range []string{
		`syncwatch_confirms_total{result="confirmed"} 1`,
		`syncwatch_confirms_total{result="changed"} 1`,
		`syncwatch_collector_refreshes_total{result="ok",switch="access-sw3"} 2`,
		`syncwatch_collector_up{source="ssh",switch="access-sw3"} 1`,
		`syncwatch_collector_sessions{switch="access-sw3"} 2`,
		`syncwatch_confirm_refresh_duration_seconds_count 2`,
		`syncwatch_inventory_switches 1`,
	} {
		if !strings.Contains(metrics, "\n"+line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	if strings.Contains(metrics, password) {
		t.Errorf("/metrics shows the switch's password")
	}
	// ep2's pending compliant-reached was never paged (and its race is
	// below the sink's severity).
	if as := alertsForIP(am, "10.1.30.2"); len(as) > 0 {
		t.Errorf("alerts for ep2: %v", as)
	}

	// The confirm refreshes' own time, from the log.
	code := d.stop()
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	logs := d.stderr.String()
	if strings.Contains(logs, password) {
		t.Errorf("the log shows the switch's password")
	}
	var took []time.Duration
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var e struct{ Msg, Took string }
		if json.Unmarshal(sc.Bytes(), &e) == nil && e.Msg == "confirm refresh" {
			if dd, err := time.ParseDuration(e.Took); err == nil {
				took = append(took, dd)
			}
		}
	}
	if len(took) != 2 {
		t.Errorf("%d confirm refreshes logged, want 2", len(took))
	}
	t.Logf("confirm refresh of the emulated switch over SSH on loopback: %v", took)
	if !strings.Contains(logs, `"msg":"first poll of the live switches done","switches":1,`) {
		t.Errorf("no log of the first poll")
	}
	if !strings.Contains(logs, `"msg":"live collector started","switches":["access-sw3"],"poll_interval":"1h0m0s"`) {
		t.Errorf("no log of the live collector's start")
	}
}

// alertsFor returns the alerts posted to the recorder with a kind and
// endpoint.
func alertsFor(am *recorder, kind, ip string) []map[string]string {
	var out []map[string]string
	for _, l := range alertsForIP(am, ip) {
		if l["kind"] == kind {
			out = append(out, l)
		}
	}
	return out
}

// alertsForIP returns the labels of the alerts posted about an endpoint.
func alertsForIP(am *recorder, ip string) []map[string]string {
	var out []map[string]string
	for _, c := range am.snapshot() {
		var as []struct{ Labels map[string]string }
		json.Unmarshal(c.body, &as)
		for _, a := range as {
			if a.Labels["endpoint_ip"] == ip {
				out = append(out, a.Labels)
			}
		}
	}
	return out
}
