package live

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	xssh "golang.org/x/crypto/ssh"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ssh"
	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

const (
	testUser     = "syncwatch"
	testPassword = "s3cret-Passw0rd"
)

// lab is a set of emulated switches behind in-process SSH servers, with
// one known_hosts file for all of them.
type lab struct {
	t       testing.TB
	kh      *ssh.KnownHosts
	khPath  string
	servers map[string]*iosemu.Server
	edits   map[string]func(*ssh.Config)
	mu      sync.Mutex
}

func newLab(t testing.TB) *lab {
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	kh, err := ssh.NewKnownHosts(path, ssh.HostKeyStrict)
	if err != nil {
		t.Fatal(err)
	}
	return &lab{t: t, kh: kh, khPath: path, servers: map[string]*iosemu.Server{}, edits: map[string]func(*ssh.Config){}}
}

// add starts an emulated switch and records its host key.
func (l *lab) add(p iosemu.Profile, sc iosemu.ServerConfig) *iosemu.Server {
	l.t.Helper()
	if sc.User == "" {
		sc.User, sc.Password = testUser, testPassword
	}
	srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(p), sc)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { srv.Close() })
	f, err := os.OpenFile(l.khPath, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		l.t.Fatal(err)
	}
	f.WriteString(srv.KnownHostsLine() + "\n")
	f.Close()
	l.servers[p.Hostname] = srv
	return srv
}

// config returns the SSH settings of the switch at addr.
func (l *lab) config(name, addr string) ssh.Config {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return ssh.Config{Address: host, Port: n, Platform: ssh.PlatformIOSXE, Username: testUser, Password: testPassword,
		KnownHosts: l.kh, ConnectTimeout: 2 * time.Second, HandshakeTimeout: 2 * time.Second, CommandTimeout: 2 * time.Second}
}

// switches returns the live.Switch of every emulated switch, plus extra
// ones at other addresses.
func (l *lab) switches(extra map[string]string) []Switch {
	var out []Switch
	for name, srv := range l.servers {
		out = append(out, l.sw(name, srv.Addr()))
	}
	for name, addr := range extra {
		out = append(out, l.sw(name, addr))
	}
	return out
}

func (l *lab) sw(name, addr string) Switch {
	return Switch{Name: name, SSH: func() (ssh.Config, error) {
		c := l.config(name, addr)
		l.mu.Lock()
		e := l.edits[name]
		l.mu.Unlock()
		if e != nil {
			e(&c)
		}
		return c, nil
	}}
}

// clock is a settable clock for LastSeen and AuthzChangedAt.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func received(srv *iosemu.Server, from int) []string {
	r := srv.Switch().Received()
	var out []string
	for _, l := range r[from:] {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func TestPollIncremental(t *testing.T) {
	l := newLab(t)
	srv := l.add(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 12), iosemu.ServerConfig{})
	inv := collectors.NewInventory()
	clk := &clock{t: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	updates := 0
	reg := prometheus.NewPedanticRegistry()
	c, err := New(Config{Switches: l.switches(nil), Now: clk.now, OnUpdate: func(*collectors.Snapshot) { updates++ }}, inv, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sw := inv.Snapshot().Switch("sw1")
	if sw == nil || len(sw.Sessions) != 12 {
		t.Fatalf("inventory: %+v", sw)
	}
	for _, s := range sw.Sessions {
		if !s.LastSeen.Equal(clk.now()) || !s.AuthzChangedAt.IsZero() {
			t.Errorf("session %s: last seen %v, authz changed %v; want now and zero (unknown at the first poll)", s.MAC, s.LastSeen, s.AuthzChangedAt)
		}
	}
	if len(sw.ACLs) != 5 {
		t.Errorf("%d ACLs, want 5", len(sw.ACLs))
	}
	// Session 11 has no address in its details: the device-tracking
	// table gives it.
	if s := inv.Snapshot().LookupMAC(sw.Sessions[0].MAC); len(s) != 1 {
		t.Errorf("lookup by MAC: %d", len(s))
	}
	if updates != 1 {
		t.Errorf("%d updates after the first poll, want 1", updates)
	}

	// Nothing changed: one summary, no details, no ACLs.
	mark := len(srv.Switch().Received())
	clk.set(clk.now().Add(time.Minute))
	p := c.byName["sw1"]
	if err := p.poll(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got := received(srv, mark); strings.Join(got, "|") != "show access-session" {
		t.Errorf("unchanged poll sent %q, want only the summary", got)
	}
	if updates != 1 {
		t.Errorf("%d updates after an unchanged poll, want 1", updates)
	}
	if s := inv.Snapshot().Switch("sw1").Sessions[3]; !s.LastSeen.Equal(clk.now()) {
		t.Errorf("last seen %v, want %v", s.LastSeen, clk.now())
	}
	// Session 11 shows no address: the device-tracking table's binding is
	// kept across polls that do not read the table again.
	n := 0
	for _, s := range inv.Snapshot().Switch("sw1").Sessions {
		if s.IPv4From != "" {
			n++
			if s.IPv4From != "device-tracking" || !s.IPv4.IsValid() {
				t.Errorf("session %s: address %v from %q", s.MAC, s.IPv4, s.IPv4From)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d sessions with an address from the bindings, want 1", n)
	}

	// A re-authentication (new session ID, new dACL version) of one
	// endpoint: only its details and the ACLs are read again.
	var mac string
	srv.Switch().Update(func(pr *iosemu.Profile) {
		ss := append([]iosemu.Session(nil), pr.Sessions...)
		ss[2].SessionID = "0A0114020000FFFF00000002"
		ss[2].DACL = "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22"
		mac = ss[2].MAC
		pr.Sessions = ss
		pr.ACLs += "Extended IP access list xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22 (per-user)\n    10 deny tcp any host 10.0.0.11 eq 8449\n    20 permit ip any any\n"
	})
	mark = len(srv.Switch().Received())
	clk.set(clk.now().Add(time.Minute))
	if err := p.poll(ctx, false); err != nil {
		t.Fatal(err)
	}
	want := []string{"show access-session", "show access-session mac " + mac + " details", "show ip access-lists", "show ipv6 access-lists"}
	if got := received(srv, mark); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("poll after a change sent\n%q\nwant\n%q", got, want)
	}
	if updates != 2 {
		t.Errorf("%d updates, want 2", updates)
	}
	snap := inv.Snapshot()
	for _, s := range snap.Switch("sw1").Sessions {
		changed := s.SessionID == "0A0114020000FFFF00000002"
		if changed != s.AuthzChangedAt.Equal(clk.now()) || !changed && !s.AuthzChangedAt.IsZero() {
			t.Errorf("session %s (%s): authz changed at %v", s.SessionID, s.DACL, s.AuthzChangedAt)
		}
	}
	if len(snap.Switch("sw1").Sessions) != 12 {
		t.Errorf("%d sessions, want 12", len(snap.Switch("sw1").Sessions))
	}
	if a := snap.DACL("xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22"); a == nil || len(a.Printed) != 2 {
		t.Errorf("new dACL version: %+v", a)
	}
	if a := snap.DACL(iosemu.CompliantDACL); a == nil {
		t.Error("the old dACL version is gone while sessions still use it")
	}

	// One connection for all three polls.
	if n := srv.Accepted(); n != 1 {
		t.Errorf("%d SSH connections, want 1 reused", n)
	}
	if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "ssh", "ok")); got != 3 {
		t.Errorf("polls ok %v, want 3", got)
	}
	if got := testutil.ToFloat64(c.m.sessions.WithLabelValues("sw1")); got != 12 {
		t.Errorf("sessions gauge %v, want 12", got)
	}
	if got := testutil.ToFloat64(c.m.up.WithLabelValues("sw1", "ssh")); got != 1 {
		t.Errorf("up %v", got)
	}
	if got := testutil.ToFloat64(c.m.lastSuccess.WithLabelValues("sw1", "ssh")); got != float64(clk.now().Unix()) {
		t.Errorf("last success %v, want %v", got, clk.now().Unix())
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %+v", err, problems)
	}

	// The switch dropped the idle connection: the next poll reconnects.
	srv.DropAll()
	waitFor(t, func() bool { return srv.Open() == 0 })
	if err := p.poll(ctx, false); err != nil {
		t.Fatalf("poll after the switch dropped the connection: %v", err)
	}
	if n := srv.Accepted(); n != 2 {
		t.Errorf("%d SSH connections, want 2", n)
	}
}

func waitFor(t testing.TB, f func() bool) {
	t.Helper()
	for i := 0; i < 300 && !f(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFaultsInOnePoll polls healthy and broken switches together: each
// broken one gives its own error and metric, the others are read.
func TestFaultsInOnePoll(t *testing.T) {
	l := newLab(t)
	l.add(iosemu.Campus("ok1", iosemu.ReleaseIOSXE, 48), iosemu.ServerConfig{})
	l.add(iosemu.Campus("ok2", iosemu.ReleaseIOS15, 48), iosemu.ServerConfig{})
	l.add(iosemu.Campus("badpass", iosemu.ReleaseIOSXE, 2), iosemu.ServerConfig{User: testUser, Password: "another-password"})
	stall := iosemu.Campus("stall", iosemu.ReleaseIOSXE, 4)
	stall.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultStall, AfterBytes: 80}}
	l.add(stall, iosemu.ServerConfig{})
	reset := iosemu.Campus("reset", iosemu.ReleaseIOSXE, 4)
	reset.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultReset, AfterBytes: 80}}
	l.add(reset, iosemu.ServerConfig{})
	// A changed host key: the server's key is not the one recorded.
	changed := l.add(iosemu.Campus("rekeyed", iosemu.ReleaseIOSXE, 2), iosemu.ServerConfig{})
	other, _ := iosemu.NewHostKey()
	b, _ := os.ReadFile(l.khPath)
	line := strings.Fields(changed.KnownHostsLine())
	otherLine := line[0] + " " + strings.TrimSpace(string(xssh.MarshalAuthorizedKey(other.PublicKey())))
	os.WriteFile(l.khPath, []byte(strings.Replace(string(b), changed.KnownHostsLine(), otherLine, 1)), 0o600)
	// A device that accepts TCP and never speaks SSH.
	mute, err := iosemu.ListenMute("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	l.edits["mute"] = func(c *ssh.Config) { c.HandshakeTimeout = 300 * time.Millisecond }
	l.edits["stall"] = func(c *ssh.Config) { c.CommandTimeout = 300 * time.Millisecond }

	inv := collectors.NewInventory()
	reg := prometheus.NewPedanticRegistry()
	var logs testenv.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(Config{Switches: l.switches(map[string]string{"mute": mute.Addr()}), Retries: -1}, inv, reg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.PollOnce(context.Background())
	if err == nil {
		t.Fatal("PollOnce: no error")
	}
	want := map[string]ssh.Reason{
		"badpass": ssh.ReasonAuth, "stall": ssh.ReasonCommandTimeout, "reset": ssh.ReasonDisconnected,
		"rekeyed": ssh.ReasonHostKeyChanged, "mute": ssh.ReasonHandshakeTimeout,
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(nonNil(joined.Unwrap())) != len(want) {
		t.Fatalf("PollOnce error %v, want %d joined errors", err, len(want))
	}
	for _, e := range nonNil(joined.Unwrap()) {
		var se *ssh.Error
		if !errors.As(e, &se) || want[se.Switch] != se.Reason {
			t.Errorf("error %v: want one of %v", e, want)
		}
		if strings.Contains(e.Error(), testPassword) || strings.Contains(e.Error(), "another-password") {
			t.Errorf("error %q holds a secret", e)
		}
	}
	for name, reason := range want {
		if got := testutil.ToFloat64(c.m.errors.WithLabelValues(name, "ssh", string(reason))); got != 1 {
			t.Errorf("%s: errors{reason=%s} = %v, want 1", name, reason, got)
		}
		if got := testutil.ToFloat64(c.m.up.WithLabelValues(name, "ssh")); got != 0 {
			t.Errorf("%s: up %v, want 0", name, got)
		}
	}
	if got := testutil.ToFloat64(c.m.hostKeyMisms.WithLabelValues("rekeyed")); got != 1 {
		t.Errorf("host key mismatches %v, want 1", got)
	}
	snap := inv.Snapshot()
	for _, name := range []string{"ok1", "ok2"} {
		if sw := snap.Switch(name); sw == nil || len(sw.Sessions) != 48 {
			t.Errorf("%s not read: %+v", name, sw)
		}
		if got := testutil.ToFloat64(c.m.up.WithLabelValues(name, "ssh")); got != 1 {
			t.Errorf("%s: up %v, want 1", name, got)
		}
	}
	health := map[string]SwitchHealth{}
	for _, h := range c.Health() {
		health[h.Name] = h
	}
	if h := health["rekeyed"]; h.Up || h.Reason != "host-key-changed" || !strings.Contains(h.Error, "host key CHANGED") {
		t.Errorf("health of rekeyed: %+v", h)
	}
	if h := health["ok1"]; !h.Up || h.Sessions != 48 || !h.Connected {
		t.Errorf("health of ok1: %+v", h)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %+v", err, problems)
	}
	// Every failure is logged with its switch and reason, no secret.
	text := logs.String()
	for name, reason := range want {
		if !strings.Contains(text, `"switch":"`+name+`","source":"ssh","reason":"`+string(reason)+`"`) {
			t.Errorf("no log line for %s (%s):\n%s", name, reason, text)
		}
	}
	if strings.Contains(text, testPassword) || strings.Contains(text, "another-password") {
		t.Errorf("the log holds a secret:\n%s", text)
	}
}

func nonNil(errs []error) []error {
	var out []error
	for _, e := range errs {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

func TestRefreshCoalesces(t *testing.T) {
	l := newLab(t)
	srv := l.add(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 6), iosemu.ServerConfig{})
	inv := collectors.NewInventory()
	reg := prometheus.NewPedanticRegistry()
	c, err := New(Config{Switches: l.switches(nil)}, inv, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := c.byName["sw1"]
	// Hold the switch's poll lock so that the first refresh waits inside
	// its poll until all callers joined it.
	p.mu.Lock()
	const callers = 5
	var wg sync.WaitGroup
	snaps := make([]*collectors.Snapshot, callers)
	errs := make([]error, callers)
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			snaps[i], errs[i] = c.Refresh(context.Background(), "sw1")
		}()
	}
	waitFor(t, func() bool {
		p.refreshMu.Lock()
		defer p.refreshMu.Unlock()
		return p.refreshing != nil && p.refreshing.waiters == callers
	})
	p.mu.Unlock()
	wg.Wait()
	for i := range errs {
		if errs[i] != nil || snaps[i].Switch("sw1") == nil || len(snaps[i].Switch("sw1").Sessions) != 6 {
			t.Fatalf("refresh %d: %v", i, errs[i])
		}
	}
	n := 0
	for _, line := range srv.Switch().Received() {
		if line == "show access-session" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d summaries read for %d coalesced refreshes, want 1", n, callers)
	}
	if got := testutil.ToFloat64(c.m.refreshes.WithLabelValues("sw1", "ok")); got != callers {
		t.Errorf("refreshes ok %v, want %d", got, callers)
	}
	if _, err := c.Refresh(context.Background(), "nosuch"); err == nil {
		t.Error("refresh of an unknown switch succeeded")
	}
}

func TestRunAndCloseLeaveNoGoroutine(t *testing.T) {
	runtime.GC()
	base := runtime.NumGoroutine()
	func() {
		l := newLab(t)
		var servers []*iosemu.Server
		for _, n := range []string{"sw1", "sw2", "sw3"} {
			servers = append(servers, l.add(iosemu.Campus(n, iosemu.ReleaseIOSXE, 4), iosemu.ServerConfig{}))
		}
		stall := iosemu.Campus("stall", iosemu.ReleaseIOSXE, 2)
		stall.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultStall}}
		servers = append(servers, l.add(stall, iosemu.ServerConfig{}))
		l.edits["stall"] = func(c *ssh.Config) { c.CommandTimeout = 100 * time.Millisecond }
		inv := collectors.NewInventory()
		c, err := New(Config{Switches: l.switches(nil), PollInterval: 30 * time.Millisecond, RetryBackoff: 10 * time.Millisecond}, inv, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- c.Run(ctx) }()
		waitFor(t, func() bool {
			return testutil.ToFloat64(c.m.polls.WithLabelValues("sw3", "ssh", "ok")) >= 3 &&
				testutil.ToFloat64(c.m.errors.WithLabelValues("stall", "ssh", "command-timeout")) >= 1
		})
		if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw3", "ssh", "ok")); got < 3 {
			t.Errorf("sw3 polled %v times", got)
		}
		if got := testutil.ToFloat64(c.m.errors.WithLabelValues("stall", "ssh", "command-timeout")); got < 1 {
			t.Errorf("stall: %v command timeouts", got)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
		c.Close()
		for _, s := range servers {
			if s.Accepted() > 1 && s.Switch().Logins() > 1 && s != servers[3] {
				t.Errorf("%d connections to a healthy switch, want 1 reused", s.Accepted())
			}
			s.Close()
		}
	}()
	n := 0
	for i := 0; i < 200; i++ {
		if n = runtime.NumGoroutine(); n <= base {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n > base {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
