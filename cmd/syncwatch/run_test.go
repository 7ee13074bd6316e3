package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/internal/peers"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// runningDaemon is syncwatch run in-process.
type runningDaemon struct {
	base   string
	hups   chan os.Signal
	stderr *testenv.Buffer
	stdout *testenv.Buffer
	stop   func() int
}

// startDaemon runs `syncwatch run --config cfg` in-process and waits for
// its HTTP listener.
func startDaemon(t *testing.T, cfg string) *runningDaemon {
	return startDaemonSignals(t, cfg, true)
}

// startDaemonSignals starts the daemon; without fakeHUP it listens for the
// real SIGHUP.
func startDaemonSignals(t *testing.T, cfg string, fakeHUP bool) *runningDaemon {
	t.Helper()
	d := &runningDaemon{hups: make(chan os.Signal, 1), stderr: &testenv.Buffer{}, stdout: &testenv.Buffer{}}
	addr := make(chan net.Addr, 1)
	env := &environment{stdout: d.stdout, stderr: d.stderr, hups: d.hups, transcriptPoll: 50 * time.Millisecond, newCollector: liveCollectorFor,
		onListen: func(a net.Addr) { addr <- a }}
	if !fakeHUP {
		env.hups = nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	code := make(chan int, 1)
	go func() { code <- run(ctx, env, []string{"run", "--config", cfg, "--log-level", "debug"}) }()
	select {
	case a := <-addr:
		d.base = "http://" + a.String()
	case c := <-code:
		cancel()
		t.Fatalf("run exited with %d before listening:\n%s", c, d.stderr.String())
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatalf("run did not listen within 20 s:\n%s", d.stderr.String())
	}
	var once sync.Once
	result := -1
	d.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case result = <-code:
			case <-time.After(30 * time.Second):
				t.Errorf("run did not stop within 30 s")
			}
		})
		return result
	}
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.stderr.String())
		}
	})
	return d
}

func (d *runningDaemon) client() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

func (d *runningDaemon) get(t *testing.T, path string) (int, string) {
	t.Helper()
	c := d.client()
	resp, err := c.Get(d.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric returns the value of one series of /metrics, named with its
// labels as the exposition writes them, or "" when it is not there.
func (d *runningDaemon) metric(t *testing.T, series string) string {
	t.Helper()
	_, m := d.get(t, "/metrics")
	for _, line := range strings.Split(m, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			return v
		}
	}
	return ""
}

type findingsDoc struct {
	Active []map[string]any `json:"active"`
	Recent []map[string]any `json:"recent"`
}

func (d *runningDaemon) findings(t *testing.T, query string) findingsDoc {
	t.Helper()
	code, body := d.get(t, "/api/v1/findings"+query)
	var doc findingsDoc
	if code != 200 || json.Unmarshal([]byte(body), &doc) != nil {
		t.Fatalf("findings: %d %s", code, body)
	}
	return doc
}

func keysOf(fs []map[string]any) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f["key"].(string))
	}
	sort.Strings(out)
	return out
}

// eventually polls cond every 20 ms for up to 20 s: it waits for what the
// daemon does on its own, asserting no timing.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within 20 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// auditKeys runs the audit command on the same input: what the daemon's
// audit findings must be.
func auditKeys(t *testing.T, cfg, transcripts string) []string {
	t.Helper()
	code, out, errOut := runCLI(t, "audit", "--config", cfg, "--switch-output", transcripts, "--format", "json")
	if code != exitOK {
		t.Fatalf("audit: %d %s", code, errOut)
	}
	var doc struct{ Findings []map[string]any }
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return keysOf(doc.Findings)
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(to, 0o755)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// daemonConfig is the example's PSNs and posture rules with the daemon's
// sections for a test; extra is appended.
func daemonConfig(dir, transcripts, extra string) string {
	return `psns:
  - name: psn1
    addresses: [10.0.0.11, 2001:db8::11]
  - name: psn2
    addresses: [10.0.0.12, 2001:db8::12]
  - name: psn3
    addresses: [10.0.0.13]
sensor: {name: test-sensor}
http: {listen: "127.0.0.1:0"}
data_dir: ` + filepath.Join(dir, "data") + `
findings_log: ` + filepath.Join(dir, "findings.jsonl") + `
transcripts: [` + transcripts + `]
` + extra
}

// TestRunAuditReloadTranscripts runs the daemon without capture on a copy
// of the example transcripts: the audit's findings are in the API and the
// findings log; a transcript removed changes them; a bad configuration on
// SIGHUP is rejected and the old one kept; a good one adds a posture rule
// (resolving a finding) and a webhook that hears of it; SIGTERM saves the
// store.
func TestRunAuditReloadTranscripts(t *testing.T) {
	dir := t.TempDir()
	switches := filepath.Join(dir, "switches")
	copyDir(t, "../../examples/switches", switches)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	if err := os.WriteFile(cfgPath, []byte(daemonConfig(dir, switches, "")), 0o644); err != nil {
		t.Fatal(err)
	}
	want := auditKeys(t, cfgPath, switches)
	if len(want) != 4 {
		t.Fatalf("the example's audit: %v", want)
	}
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return reflect.DeepEqual(keysOf(d.findings(t, "").Active), want) })
	doc := d.findings(t, "?kind=dacl-permits-psn")
	if len(doc.Active) != 1 || doc.Active[0]["sensor"] != "test-sensor" || doc.Active[0]["count"] != float64(2) {
		t.Errorf("dacl-permits-psn: %v", doc.Active)
	}
	code, body := d.get(t, "/readyz")
	if code != 503 || !strings.Contains(body, `"reasons":["no capture interface configured (capture.interfaces)"]`) {
		t.Errorf("readyz without capture: %d %s", code, body)
	}
	if code, body := d.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	_, metrics := d.get(t, "/metrics")
	for _, line := range []string{"syncwatch_inventory_sessions 5", "syncwatch_inventory_switches 2", "syncwatch_config_last_reload_successful 1",
		`syncwatch_findings_active{kind="compliant-reached"} 0`, `syncwatch_transcript_reads_total{result="success"} 1`} {
		if !strings.Contains(metrics, "\n"+line+"\n") {
			t.Errorf("metrics lack %q", line)
		}
	}
	if !strings.Contains(metrics, `syncwatch_build_info{goversion="go`) {
		t.Error("no build info")
	}

	// SIGHUP with a broken file: rejected, the old configuration kept.
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, switches, "judge:\n  hold: 10\n")), 0o644)
	d.hups <- syscall.SIGHUP
	eventually(t, "the rejected reload", func() bool {
		_, m := d.get(t, "/metrics")
		return strings.Contains(m, "\nsyncwatch_config_last_reload_successful 0\n") && strings.Contains(m, "\nsyncwatch_config_reloads_total{result=\"failure\"} 1\n")
	})
	_, body = d.get(t, "/readyz")
	if !strings.Contains(body, `"last_reload":{"at":`) || !strings.Contains(body, `"ok":false,"errors":["`+cfgPath+`:14: \"10\" is not a duration (give a unit: 10s, 5m)"]`) {
		t.Errorf("readyz after a bad reload: %s", body)
	}
	if got := keysOf(d.findings(t, "").Active); !reflect.DeepEqual(got, want) {
		t.Errorf("after a bad reload: %v", got)
	}

	// SIGHUP with a good file: a posture rule silences PHONES, and a new
	// webhook hears of the resolution.
	hooks := make(chan alerts.Notification, 16)
	secretFile := filepath.Join(dir, "hmac")
	os.WriteFile(secretFile, []byte("test-only-hmac\n"), 0o600)
	var hookErr error
	hook := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !alerts.VerifySignature([]byte("test-only-hmac"), b, r.Header.Get(alerts.SignatureHeader)) {
			hookErr = io.ErrUnexpectedEOF
		}
		var n struct {
			Status  alerts.Status
			Finding struct{ Key string }
		}
		json.Unmarshal(b, &n)
		hooks <- alerts.Notification{Status: n.Status, Finding: alerts.Finding{Key: n.Finding.Key}}
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hook.Serve(ln)
	defer hook.Close()
	good := daemonConfig(dir, switches, "posture:\n  rules:\n    - dacl: '^PHONES$'\n      posture: unclassified\n"+
		"    - dacl: '(?i)non.?compliant'\n      posture: noncompliant\n    - dacl: '(?i)compliant'\n      posture: compliant\n    - url_redirect: ''\n      posture: unknown\n"+
		"webhooks:\n  - name: test\n    url: http://"+ln.Addr().String()+"/hook\n    secret: {file: "+secretFile+"}\n")
	os.WriteFile(cfgPath, []byte(good), 0o644)
	want3 := auditKeys(t, cfgPath, switches)
	d.hups <- syscall.SIGHUP
	eventually(t, "the good reload", func() bool { return reflect.DeepEqual(keysOf(d.findings(t, "").Active), want3) })
	select {
	case n := <-hooks:
		if n.Status != alerts.Resolved || n.Finding.Key != "posture-unclassified|PHONES" {
			t.Errorf("webhook heard %s %s", n.Status, n.Finding.Key)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the new webhook heard nothing")
	}
	if hookErr != nil {
		t.Error("a webhook call's signature did not verify")
	}
	for _, path := range []string{"/metrics", "/api/v1/findings", "/readyz", "/"} {
		if _, body := d.get(t, path); strings.Contains(body, "test-only-hmac") {
			t.Errorf("%s shows the webhook secret", path)
		}
	}
	if got := keysOf(d.findings(t, "?kind=posture-unclassified").Recent); !reflect.DeepEqual(got, []string{"posture-unclassified|PHONES"}) {
		t.Errorf("recent: %v", got)
	}

	// A switch's transcript goes away: its sessions leave the inventory
	// and the audit's findings follow.
	if err := os.Remove(filepath.Join(switches, "access-sw1.log")); err != nil {
		t.Fatal(err)
	}
	want2 := auditKeys(t, cfgPath, switches)
	if reflect.DeepEqual(want3, want2) {
		t.Fatalf("removing access-sw1 changes nothing: %v", want2)
	}
	eventually(t, "the findings of the changed transcripts", func() bool { return reflect.DeepEqual(keysOf(d.findings(t, "").Active), want2) })
	eventually(t, "the sessions gauge", func() bool {
		_, m := d.get(t, "/metrics")
		return strings.Contains(m, "\nsyncwatch_inventory_sessions 1\n")
	})

	if code := d.stop(); code != exitOK {
		t.Fatalf("run exited with %d", code)
	}
	var store struct{ Findings []json.RawMessage }
	b, err := os.ReadFile(filepath.Join(dir, "data", alerts.StoreFile))
	if err != nil || json.Unmarshal(b, &store) != nil || len(store.Findings) != len(want2) {
		t.Errorf("store: %v, %d findings, want %d", err, len(store.Findings), len(want2))
	}
	log, _ := os.ReadFile(filepath.Join(dir, "findings.jsonl"))
	if lines := strings.Count(string(log), "\n"); lines < len(want) {
		t.Errorf("findings log has %d lines:\n%s", lines, log)
	}
	if strings.Contains(d.stderr.String(), "test-only-hmac") {
		t.Error("the webhook secret is in the log")
	}
}

// TestRunMetricsPromtool checks the daemon's /metrics with promtool.
func TestRunMetricsPromtool(t *testing.T) {
	testenv.Command(t, peers.PromtoolProgram)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, "../../examples/switches", "")), 0o644)
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })
	_, metrics := d.get(t, "/metrics")
	if problems := peers.PromtoolCheckMetrics(t, metrics); len(problems) > 0 {
		t.Errorf("promtool check metrics:\n%s", strings.Join(problems, "\n"))
	}
}

func TestRunUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "run")
	if code != exitUsage || !strings.Contains(errOut, "no --config") {
		t.Errorf("no config: %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "run", "--config", "../../config/testdata/invalid-secret-inline.yml")
	if code != exitUsage || errOut != "syncwatch run: configuration errors:\n../../config/testdata/invalid-secret-inline.yml:5: a secret is never written in the configuration file: give {env: VARIABLE} or {file: PATH}\n" {
		t.Errorf("bad config: %d %q", code, errOut)
	}
	// A capture interface this host lacks (the example's span0) is a
	// runtime error naming it, after what was started is closed: it was a
	// crash (closing through the nil daemon of the error return).
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "no-such-if.yml")
	if err := os.WriteFile(cfgFile, []byte("psns:\n  - name: psn1\n    addresses: [10.0.0.11]\ncapture:\n  interfaces: [syncwatch-none0]\nhttp:\n  listen: 127.0.0.1:0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "run", "--config", cfgFile)
	want := "\nsyncwatch run: opening the capture: "
	if os.Geteuid() == 0 {
		want += "live capture: interface \"syncwatch-none0\": no such interface in this network namespace\n"
	}
	if code != exitRuntime || !strings.Contains(errOut, want) {
		t.Errorf("missing interface: %d %q", code, errOut)
	}
	code, out, _ := runCLI(t, "run", "--help")
	if code != exitOK || !strings.HasPrefix(out, "Usage: syncwatch run --config FILE") {
		t.Errorf("help: %d %q", code, out)
	}
}

// TestRunTranscriptErrors: transcripts that cannot be read keep the
// inventory read before, is counted once (not on every poll), and is read
// again when it changes.
func TestRunTranscriptErrors(t *testing.T) {
	dir := t.TempDir()
	switches := filepath.Join(dir, "switches")
	copyDir(t, "../../examples/switches", switches)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, switches, "")), 0o644)
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })
	// The folder goes away (a configuration management run replacing it,
	// say).
	moved := filepath.Join(dir, "moved")
	if err := os.Rename(switches, moved); err != nil {
		t.Fatal(err)
	}
	reads := func(result string) string {
		return d.metric(t, `syncwatch_transcript_reads_total{result="`+result+`"}`)
	}
	eventually(t, "the failed read", func() bool { return reads("failure") == "1" })
	time.Sleep(300 * time.Millisecond) // several polls: none reads again
	if got := reads("failure"); got != "1" {
		t.Errorf("%s failed reads of the same files", got)
	}
	if n := len(d.findings(t, "").Active); n != 4 {
		t.Errorf("%d findings after the failed read, want the 4 of before", n)
	}
	if !strings.Contains(d.stderr.String(), "no such file or directory") {
		t.Error("the error is not logged")
	}
	if err := os.Rename(moved, switches); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the read after the fix", func() bool { return reads("success") == "2" })

	// A transcript emptied in place (a copy being written, a truncate)
	// says nothing of its switch: what it said before is kept, and its
	// findings do not resolve.
	sw1 := filepath.Join(switches, "access-sw1.log")
	good, err := os.ReadFile(sw1)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sw1, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refused read", func() bool { return reads("failure") == "2" })
	if n := len(d.findings(t, "").Active); n != 4 {
		t.Errorf("%d findings after the emptied transcript, want the 4 of before", n)
	}
	if want := "transcript " + sw1 + " gives no switch output any more: keeping what was read before (remove the file if its switch is gone)"; !strings.Contains(d.stderr.String(), want) {
		t.Errorf("the refusal is not logged: %s", d.stderr.String())
	}
	if err := os.WriteFile(sw1, good, 0o644); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the read of the restored file", func() bool { return reads("success") == "3" })
	// A transcript removed is its switch gone: that read is taken.
	if err := os.Remove(sw1); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the read without the file", func() bool { return reads("success") == "4" })
}

// TestRunStoreFailure: a findings store that cannot be written is counted
// as it happens, and the stop exits 1: the next start would forget what
// was active.
func TestRunStoreFailure(t *testing.T) {
	dir := t.TempDir()
	switches := filepath.Join(dir, "switches")
	copyDir(t, "../../examples/switches", switches)
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, switches, "")), 0o644)
	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })
	saves := func(result string) string {
		return d.metric(t, `syncwatch_findings_store_saves_total{result="`+result+`"}`)
	}
	eventually(t, "the first save", func() bool { return saves("success") != "0" && saves("success") != "" })
	// The folder is replaced by a file: even root cannot write in it.
	data := filepath.Join(dir, "data")
	if err := os.Rename(data, data+".old"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(data, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(switches, "access-sw2.log")); err != nil { // its findings resolve
		t.Fatal(err)
	}
	eventually(t, "the failed save", func() bool { return saves("failure") != "0" && saves("failure") != "" })
	if code := d.stop(); code != exitRuntime || !strings.Contains(d.stderr.String(), "syncwatch run: the active findings were not saved: ") {
		t.Errorf("exit %d, stderr %s", code, d.stderr.String())
	}
}

// TestRunWebhookOutbox: what a webhook could not deliver before the stop
// is kept in data_dir and sent, signed, at the next start (a chat or a
// pager has no endsAt: a lost "resolved" would leave it firing for good).
func TestRunWebhookOutbox(t *testing.T) {
	dir := t.TempDir()
	switches := filepath.Join(dir, "switches")
	copyDir(t, "../../examples/switches", switches)
	secretFile := filepath.Join(dir, "hmac")
	os.WriteFile(secretFile, []byte("test-only-hmac\n"), 0o600)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the webhook is down at first
	cfgPath := filepath.Join(dir, "syncwatch.yml")
	os.WriteFile(cfgPath, []byte(daemonConfig(dir, switches, "webhooks:\n  - name: chat\n    url: http://"+addr+"/hook\n    secret: {file: "+secretFile+"}\n")), 0o644)

	d := startDaemon(t, cfgPath)
	eventually(t, "the audit findings", func() bool { return len(d.findings(t, "").Active) == 4 })
	want := keysOf(d.findings(t, "").Active)
	if code := d.stop(); code != exitOK {
		t.Fatalf("exit %d: %s", code, d.stderr.String())
	}
	outbox := filepath.Join(dir, "data", "outbox", "webhook-chat.json")
	if !strings.Contains(d.stderr.String(), "webhook chat: 4 notifications not delivered before the shutdown deadline, kept in "+outbox+" for the next start") {
		t.Errorf("the stop does not say what it kept:\n%s", d.stderr.String())
	}
	if _, err := os.Stat(outbox); err != nil {
		t.Fatal(err)
	}

	// The webhook is back; the next start sends what was kept, and only
	// that (the active findings themselves are not notified again).
	got := make(chan string, 16)
	var badSignature atomic.Bool
	hook := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if !alerts.VerifySignature([]byte("test-only-hmac"), b, r.Header.Get(alerts.SignatureHeader)) {
			badSignature.Store(true)
		}
		var n struct {
			Status  alerts.Status
			Finding struct{ Key string }
		}
		json.Unmarshal(b, &n)
		got <- string(n.Status) + " " + n.Finding.Key
	})}
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the webhook's port was taken meanwhile: %v", err)
	}
	go hook.Serve(ln)
	defer hook.Close()
	d2 := startDaemon(t, cfgPath)
	defer d2.stop()
	var heard []string
	for len(heard) < 4 {
		select {
		case n := <-got:
			heard = append(heard, n)
		case <-time.After(20 * time.Second):
			t.Fatalf("heard %q, want 4 notifications; log:\n%s", heard, d2.stderr.String())
		}
	}
	sort.Strings(heard)
	var wantHeard []string
	for _, k := range want {
		wantHeard = append(wantHeard, "firing "+k)
	}
	sort.Strings(wantHeard)
	if !reflect.DeepEqual(heard, wantHeard) || badSignature.Load() {
		t.Errorf("heard %q (signatures bad: %v), want %q", heard, badSignature.Load(), wantHeard)
	}
	select {
	case n := <-got:
		t.Errorf("a fifth notification: %s", n)
	case <-time.After(300 * time.Millisecond):
	}
	// Kept until a stop that delivered it: a crash meanwhile loses none.
	if _, err := os.Stat(outbox); err != nil {
		t.Errorf("the outbox went before the stop: %v", err)
	}
	if code := d2.stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
	if _, err := os.Stat(outbox); !os.IsNotExist(err) {
		t.Errorf("the outbox is still there after a stop that delivered it: %v", err)
	}
}

// TestRunFailedStartKeepsOutbox: a start that fails (a capture interface
// that is not there) with the webhook down exits at once, and leaves the
// outbox of the last stop for the next start.
func TestRunFailedStartKeepsOutbox(t *testing.T) {
	dir := t.TempDir()
	outbox := filepath.Join(dir, "data", "outbox", "webhook-chat.json")
	kept := `{"version":1,"webhook":"chat","saved_at":"2026-12-04T00:00:00Z","notifications":[{"event":"resolved","delivery":"x","body":{"a":1}}]}`
	if err := os.MkdirAll(filepath.Dir(outbox), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outbox, []byte(kept), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeIn(t, dir, "c.yml", []byte("psns:\n  - {name: p, addresses: [10.0.0.11]}\ndata_dir: "+filepath.Join(dir, "data")+
		"\nhttp: {listen: \"127.0.0.1:0\"}\ncapture: {interfaces: [syncwatch-none0]}\nwebhooks:\n  - name: chat\n    url: http://127.0.0.1:9/hook\n"))
	start := time.Now()
	code, _, errOut := runCLI(t, "run", "--config", cfg)
	if code != exitRuntime || time.Since(start) > 30*time.Second { // a hang, not a speed
		t.Errorf("exit %d after %v: %s", code, time.Since(start), errOut)
	}
	if b, err := os.ReadFile(outbox); err != nil || string(b) != kept {
		t.Errorf("outbox after the failed start: %q %v", b, err)
	}
}
