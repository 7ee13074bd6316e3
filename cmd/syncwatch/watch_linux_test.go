package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/netns"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// buildSyncwatch builds the binary as CI and the container do: static, no
// cgo. The directory is world-readable so an unprivileged user can run it.
func buildSyncwatch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "syncwatch")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestWatchLive runs `syncwatch watch` as user nobody with only CAP_NET_RAW
// (as the container runs it) on the PSN end of a veth pair between two
// network namespaces, makes real connections from the client namespace and
// checks each JSON line it prints, then its metrics.
func TestWatchLive(t *testing.T) {
	testenv.Root(t)
	testenv.Command(t, "ip", "nft", "setpriv")
	bin := buildSyncwatch(t)

	client, psn := netns.New(t, "client"), netns.New(t, "psn")
	client.Veth("veth-c", psn, "veth-p")
	cli4, psn4 := netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("10.0.0.11")
	cli6, psn6 := netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8::11")
	client.AddAddr("veth-c", netip.PrefixFrom(cli4, 24))
	client.AddAddr("veth-c", netip.PrefixFrom(cli6, 64))
	psn.AddAddr("veth-p", netip.PrefixFrom(psn4, 24))
	psn.AddAddr("veth-p", netip.PrefixFrom(psn6, 64))
	clientMAC := client.HardwareAddr("veth-c").String()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const metricsAddr = "127.0.0.1:9849"
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", psn.Name,
		"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--",
		bin, "watch", "--interface", "veth-p", "--answer-timeout", "1s", "--metrics-listen", metricsAddr, "--log-level", "debug")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr testenv.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("syncwatch watch stderr:\n%s", stderr.String())
		}
	})

	var mu sync.Mutex
	lines := map[int]map[string]any{} // client port -> last line for it
	arrived := make(chan struct{}, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var a map[string]any
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				t.Errorf("watch printed a line that is not JSON: %q", sc.Text())
				continue
			}
			mu.Lock()
			lines[int(a["client_port"].(float64))] = a
			mu.Unlock()
			arrived <- struct{}{}
		}
	}()
	// Wait for the capture to start: the log line says so.
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(stderr.String(), `"msg":"capturing"`) {
		if time.Now().After(deadline) {
			t.Fatalf("watch did not start capturing within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}

	dial := func(from, to netip.Addr, port uint16, timeout time.Duration) {
		_ = client.Do(func() error {
			d := net.Dialer{Timeout: timeout, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, port))}
			c, err := d.Dial("tcp", netip.AddrPortFrom(to, 8449).String())
			if err == nil {
				c.Close()
			}
			return nil
		})
	}
	var ln []net.Listener
	if err := psn.Do(func() error {
		for _, a := range []netip.Addr{psn4, psn6} {
			l, err := net.Listen("tcp", netip.AddrPortFrom(a, 8449).String())
			if err != nil {
				return err
			}
			ln = append(ln, l)
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	type check struct {
		port    uint16
		outcome string
		icmp    string
	}
	var checks []check
	for _, fam := range []struct {
		cli, psn netip.Addr
		base     uint16
		icmp     string
	}{{cli4, psn4, 41000, "3/13"}, {cli6, psn6, 41010, "1/1"}} {
		dial(fam.cli, fam.psn, fam.base+1, 2*time.Second)
		checks = append(checks, check{fam.base + 1, "accepted", ""})
	}
	for _, l := range ln {
		l.Close()
	}
	for _, fam := range []struct {
		cli, psn netip.Addr
		base     uint16
		icmp     string
	}{{cli4, psn4, 41000, "3/13"}, {cli6, psn6, 41010, "1/1"}} {
		dial(fam.cli, fam.psn, fam.base+2, 2*time.Second)
		checks = append(checks, check{fam.base + 2, "refused", ""})
	}
	psn.Nft(`table inet dacl {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8449 drop
	}
}`)
	dial(cli4, psn4, 41003, 300*time.Millisecond)
	dial(cli6, psn6, 41013, 300*time.Millisecond)
	checks = append(checks, check{41003, "unanswered", ""}, check{41013, "unanswered", ""})
	psn.Nft(`flush ruleset
table inet dacl {
	chain input {
		type filter hook input priority 0; policy accept;
		meta nfproto ipv4 tcp dport 8449 reject with icmp type admin-prohibited
		meta nfproto ipv6 tcp dport 8449 reject with icmpv6 type admin-prohibited
	}
}`)
	dial(cli4, psn4, 41004, 2*time.Second)
	dial(cli6, psn6, 41014, 2*time.Second)
	checks = append(checks, check{41004, "prohibited", "3/13"}, check{41014, "prohibited", "1/1"})

	// Every attempt within its answer timeout (1 s) plus idle ticks.
	deadline = time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(lines)
		mu.Unlock()
		if n >= len(checks) || time.Now().After(deadline) {
			break
		}
		select {
		case <-arrived:
		case <-time.After(200 * time.Millisecond):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range checks {
		a, ok := lines[int(c.port)]
		if !ok {
			t.Errorf("client port %d: no attempt printed", c.port)
			continue
		}
		icmp := ""
		if m, ok := a["icmp"].(map[string]any); ok {
			icmp = fmt.Sprintf("%v/%v", m["type"], m["code"])
		}
		if a["outcome"] != c.outcome || icmp != c.icmp || a["client_mac"] != clientMAC || a["port"] != 8449.0 ||
			a["interface"] != "veth-p" || a["syn_seen"] != true || fmt.Sprint(a["vlans"]) != "[]" {
			t.Errorf("client port %d: got %v, want outcome %s icmp %q mac %s", c.port, a, c.outcome, c.icmp, clientMAC)
		}
	}
	if len(lines) != len(checks) {
		t.Errorf("printed attempts for %d client ports, want %d", len(lines), len(checks))
	}

	var body string
	if err := psn.Do(func() error {
		// The socket must be made on this thread, inside the namespace;
		// http.Transport dials from goroutines of its own.
		conn, err := net.DialTimeout("tcp", metricsAddr, 5*time.Second)
		if err != nil {
			return err
		}
		tr := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return conn, nil }}
		resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: tr}).Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		body = string(b)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`syncwatch_capture_attempts_total{outcome="accepted"} 2`,
		`syncwatch_capture_attempts_total{outcome="refused"} 2`,
		`syncwatch_capture_attempts_total{outcome="prohibited"} 2`,
		`syncwatch_capture_attempts_total{outcome="unanswered"} 2`,
		`syncwatch_capture_kernel_drops_total{interface="veth-p"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
