package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/netns"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// liveEndpoints is how many compliant endpoints reach the PSN in
// TestRunLive: each is one compliant-reached finding, one webhook call and
// one alert, so the latencies have a distribution.
const liveEndpoints = 100

// compliantTranscript is access-sw3 with n compliant sessions
// (10.1.30.1 ...) whose dACL, listed by access-sw1 in the example, permits
// psn3.
func compliantTranscript(n int) string {
	var b strings.Builder
	b.WriteString("access-sw3#terminal length 0\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `access-sw3#show access-session interface GigabitEthernet2/0/%d details
            Interface:  GigabitEthernet2/0/%d
          MAC Address:  a4bb.6d30.%04x
         IPv6 Address:  Unknown
         IPv4 Address:  10.1.30.%d
            User-Name:  host/pc-3%03d.corp.example.com
               Status:  Authorized
               Domain:  DATA
       Oper host mode:  multi-domain
    Common Session ID:  0A01140200000030%08X

Server Policies:
           Vlan Group:  Vlan: 10
              ACS ACL:  xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814

Method status list:
       Method           State
        dot1x           Authc Success

`, i, i, i, i, i, i)
	}
	b.WriteString("access-sw3#exit\n")
	return b.String()
}

// recorder is a loopback HTTP server that notes when each request came
// and what it carried.
type recorder struct {
	mu    sync.Mutex
	calls []recorded
	srv   *http.Server
	url   string
}

type recorded struct {
	at   time.Time
	path string
	body []byte
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.url = "http://" + ln.Addr().String()
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		at := time.Now()
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.calls = append(r.calls, recorded{at, req.URL.Path, b})
		r.mu.Unlock()
	})}
	go r.srv.Serve(ln)
	t.Cleanup(func() { r.srv.Close() })
	return r
}

func (r *recorder) snapshot() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.calls...)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// TestRunLive runs the daemon in-process on the host end of a SPAN mirror:
// nftables duplicates every frame in and out of the PSN's interface (in
// its own namespace) onto a veth whose other end is in the test's
// namespace, as a switch's SPAN session does. 100 compliant endpoints (in
// the client namespace) connect to the PSN's listener on 8449: each is a
// compliant-reached finding in /api/v1/findings with its evidence, in
// /metrics, posted to the webhook and to the Alertmanager API. The test
// logs the time from the answering SYN-ACK's capture timestamp to each
// post (no confirm refresh: no live collector).
func TestRunLive(t *testing.T) {
	testenv.Root(t)
	testenv.Command(t, "ip", "nft")

	client, span, psnAddr := spanNetwork(t, liveEndpoints)

	dir := t.TempDir()
	sw3 := filepath.Join(dir, "sw3")
	os.MkdirAll(sw3, 0o755)
	os.WriteFile(filepath.Join(sw3, "access-sw3.log"), []byte(compliantTranscript(liveEndpoints)), 0o644)
	hook, am := newRecorder(t), newRecorder(t)
	abs, _ := filepath.Abs("../../examples/switches")
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, abs+", "+sw3, "capture:\n  interfaces: ["+span+"]\n  answer_timeout: 2s\n"+
		"alertmanager:\n  peers: ["+am.url+"]\n  min_severity: critical\n"+
		"webhooks:\n  - name: test\n    url: "+hook.url+"/hook\n    min_severity: critical\n")), 0o644)

	d := startDaemon(t, cfgPath)
	eventually(t, "readiness", func() bool { code, _ := d.get(t, "/readyz"); return code == 200 })
	_, body := d.get(t, "/readyz")
	if !strings.Contains(body, `"interfaces":[{"name":"`+span+`","up":true,"failures":0,"last_error":""}]`) {
		t.Errorf("readyz: %s", body)
	}

	// Each endpoint connects from its own address: a real handshake with
	// the PSN's listener.
	if err := client.Do(func() error {
		for i := 1; i <= liveEndpoints; i++ {
			from := netip.AddrFrom4([4]byte{10, 1, 30, byte(i)})
			dl := net.Dialer{Timeout: 3 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
			c, err := dl.Dial("tcp", netip.AddrPortFrom(psnAddr, 8449).String())
			if err != nil {
				return fmt.Errorf("connecting from %s: %w", from, err)
			}
			c.Close()
			// Spaced out, so that each finding's delivery is measured
			// rather than its wait behind the others' in the queue.
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	eventually(t, "the findings", func() bool { return len(d.findings(t, "?kind=compliant-reached").Active) == liveEndpoints })
	doc := d.findings(t, "?kind=compliant-reached")
	f := doc.Active[0]
	if f["psn"] != "10.0.0.13" || f["psn_name"] != "psn3" || f["switch"] != "access-sw3" || f["posture"] != "compliant" ||
		f["acl_line"] != "permit ip any any" || f["sensor"] != "test-sensor" || f["matched_by"] != "ipv4" {
		t.Errorf("finding: %v", f)
	}
	ev, _ := f["evidence"].(string)
	if !strings.HasPrefix(ev, "/evidence/compliant-reached_") {
		t.Fatalf("evidence %q", ev)
	}
	code, pcap := d.get(t, ev)
	if code != 200 || len(pcap) < 24+16+54 || pcap[:4] != "\xd4\xc3\xb2\xa1" && pcap[:4] != "\x4d\x3c\xb2\xa1" {
		t.Errorf("evidence: %d, %d bytes", code, len(pcap))
	}
	_, metrics := d.get(t, "/metrics")
	for _, line := range []string{
		fmt.Sprintf(`syncwatch_findings_active{kind="compliant-reached"} %d`, liveEndpoints),
		fmt.Sprintf(`syncwatch_judged_attempts_total{outcome="accepted",posture="compliant",psn="10.0.0.13"} %d`, liveEndpoints),
		fmt.Sprintf(`syncwatch_capture_attempts_total{outcome="accepted"} %d`, liveEndpoints),
		`syncwatch_capture_interface_up{interface="` + span + `"} 1`,
	} {
		if !strings.Contains(metrics, "\n"+line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}

	// Latency: from the SYN-ACK's capture time to the webhook's and the
	// Alertmanager's receipt.
	answered, byIP := map[string]time.Time{}, map[string]time.Time{}
	for _, f := range doc.Active {
		a := f["attempt"].(map[string]any)
		at, err := time.Parse(time.RFC3339Nano, a["answered_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		answered[f["key"].(string)] = at
		byIP[f["endpoint_ip"].(string)] = at
	}
	eventually(t, "the webhook calls", func() bool { return len(hook.snapshot()) >= liveEndpoints })
	var toHook []time.Duration
	for _, c := range hook.snapshot() {
		var n struct {
			Status  string
			Finding struct{ Key string }
		}
		json.Unmarshal(c.body, &n)
		if at, ok := answered[n.Finding.Key]; ok && n.Status == "firing" {
			toHook = append(toHook, c.at.Sub(at))
		}
	}
	eventually(t, "the alerts", func() bool {
		n := 0
		for _, c := range am.snapshot() {
			var as []map[string]any
			json.Unmarshal(c.body, &as)
			n += len(as)
		}
		return n >= liveEndpoints
	})
	var toAM []time.Duration
	seen := map[string]bool{}
	for _, c := range am.snapshot() {
		if c.path != "/api/v2/alerts" {
			t.Errorf("alert posted to %s", c.path)
		}
		var as []struct{ Labels map[string]string }
		json.Unmarshal(c.body, &as)
		for _, a := range as {
			ip := a.Labels["endpoint_ip"]
			if at, ok := byIP[ip]; ok && !seen[ip] && a.Labels["kind"] == "compliant-reached" {
				seen[ip] = true
				toAM = append(toAM, c.at.Sub(at))
			}
		}
	}
	if len(toHook) != liveEndpoints {
		t.Errorf("%d webhook calls for the findings, want %d", len(toHook), liveEndpoints)
	}
	if len(toHook) > 0 {
		t.Logf("answering packet to webhook post: min %v, p50 %v, p99 %v, max %v (%d findings)", percentile(toHook, 0), percentile(toHook, .5), percentile(toHook, .99), percentile(toHook, 1), len(toHook))
	}
	if len(toAM) > 0 {
		t.Logf("answering packet to Alertmanager post: min %v, p50 %v, p99 %v, max %v (%d alerts)", percentile(toAM, 0), percentile(toAM, .5), percentile(toAM, .99), percentile(toAM, 1), len(toAM))
	} else {
		t.Errorf("no alert matched a finding: %d posts", len(am.snapshot()))
	}

	// The SPAN port goes down: not ready, and the lifecycle hears capture
	// is unhealthy; it comes back: ready again.
	if out, err := exec.Command("ip", "link", "set", span, "down").CombinedOutput(); err != nil {
		t.Fatalf("ip link set down: %v %s", err, out)
	}
	eventually(t, "not ready with the interface down", func() bool {
		code, body := d.get(t, "/readyz")
		return code == 503 && strings.Contains(body, `"reasons":["capture is running on no interface"]`)
	})
	if out, err := exec.Command("ip", "link", "set", span, "up").CombinedOutput(); err != nil {
		t.Fatalf("ip link set up: %v %s", err, out)
	}
	eventually(t, "ready again", func() bool { code, _ := d.get(t, "/readyz"); return code == 200 })
	_, metrics = d.get(t, "/metrics")
	if !strings.Contains(metrics, "\nsyncwatch_capture_interface_failures_total{interface=\""+span+"\"} 1\n") {
		t.Errorf("the interface's failure is not counted")
	}
}

// TestRunRestartKeepsAlerts restarts the daemon on the same data folder:
// the findings come back from the store without being notified again (the
// webhook hears nothing new), and the Alertmanager sink still sends their
// alerts, so that they do not expire in Alertmanager.
func TestRunRestartKeepsAlerts(t *testing.T) {
	dir := t.TempDir()
	hook, am := newRecorder(t), newRecorder(t)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, "../../examples/switches",
		"alertmanager:\n  peers: ["+am.url+"]\n  min_severity: critical\n"+
			"webhooks:\n  - name: test\n    url: "+hook.url+"/hook\n")), 0o644)
	critical := func() int {
		n := 0
		for _, c := range am.snapshot() {
			var as []struct{ Labels map[string]string }
			json.Unmarshal(c.body, &as)
			for _, a := range as {
				if a.Labels["kind"] == "dacl-permits-psn" {
					n++
				}
			}
		}
		return n
	}
	d := startDaemon(t, cfgPath)
	eventually(t, "the first alert", func() bool { return critical() == 1 })
	eventually(t, "the webhook calls", func() bool { return len(hook.snapshot()) == 4 })
	if code := d.stop(); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	d2 := startDaemon(t, cfgPath)
	eventually(t, "the restored findings", func() bool { return len(d2.findings(t, "").Active) == 4 })
	eventually(t, "the alert after the restart", func() bool { return critical() == 2 })
	d2.stop()
	if n := len(hook.snapshot()); n != 4 {
		t.Errorf("%d webhook calls: the restart notified the findings again", n)
	}
}

// spanNetwork builds the live tests' network: a client namespace with
// endpoints 10.1.30.1 to .n, a PSN namespace at 10.0.0.13 that accepts on
// 8449 (and closes at once) until the test ends, and a SPAN veth in the
// PSN namespace that an nftables netdev dup fills with both directions of
// the PSN's port; it returns the SPAN interface's name.
func spanNetwork(t *testing.T, n int) (client *netns.Namespace, span string, psnAddr netip.Addr) {
	t.Helper()
	client = netns.New(t, "client")
	psn := netns.New(t, "psn")
	client.Veth("veth-c", psn, "veth-p")
	span = psn.Veth("veth-m", nil, "")
	psnAddr = netip.MustParseAddr("10.0.0.13")
	psn.AddAddr("veth-p", netip.PrefixFrom(psnAddr, 8))
	for i := 1; i <= n; i++ {
		client.AddAddr("veth-c", netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, 30, byte(i)}), 8))
	}
	psn.Nft(`table netdev span {
	chain in { type filter hook ingress device "veth-p" priority 0; dup to "veth-m"; }
	chain out { type filter hook egress device "veth-p" priority 0; dup to "veth-m"; }
}`)
	var ln net.Listener
	if err := psn.Do(func() error {
		var err error
		ln, err = net.Listen("tcp", netip.AddrPortFrom(psnAddr, 8449).String())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return client, span, psnAddr
}
