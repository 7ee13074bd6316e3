package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/config"
)

// fakeCollector records the switches it was asked to refresh.
type fakeCollector struct {
	refreshed []string
}

func (f *fakeCollector) Run(context.Context) error                 { return nil }
func (f *fakeCollector) PollOnce(context.Context, ...string) error { return nil }
func (f *fakeCollector) OnUpdate(func(*collectors.Snapshot))       {}
func (f *fakeCollector) Health() []live.SwitchHealth               { return nil }
func (f *fakeCollector) Close() error                              { return nil }
func (f *fakeCollector) Refresh(_ context.Context, sw string) (*collectors.Snapshot, error) {
	f.refreshed = append(f.refreshed, sw)
	return nil, errors.New("refreshed " + sw)
}

// TestRefresherTranscriptSwitch: the confirm step re-reads a live switch
// through the collector; a switch from transcripts answers with the
// inventory as it is, without asking the collector.
func TestRefresherTranscriptSwitch(t *testing.T) {
	inv := collectors.NewInventory()
	fc := &fakeCollector{}
	r := &refresher{c: fc, live: setOf([]string{"access-sw1"}), inv: inv}
	if _, err := r.Refresh(context.Background(), "access-sw1"); err == nil || err.Error() != "refreshed access-sw1" {
		t.Errorf("live switch: %v", err)
	}
	snap, err := r.Refresh(context.Background(), "access-sw3")
	if err != nil || snap == nil {
		t.Errorf("transcript switch: %v %v", snap, err)
	}
	if strings.Join(fc.refreshed, ",") != "access-sw1" {
		t.Errorf("the collector refreshed %v, want access-sw1 only", fc.refreshed)
	}
}

// TestLiveCollectorFor: no switch with ssh settings is an untyped nil and
// no error; one with incomplete settings is a configuration error naming
// it; the live switches are those with settings of their own or from
// collect.ssh.
func TestLiveCollectorFor(t *testing.T) {
	dir := t.TempDir()
	put := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	load := func(text string) *config.Config {
		t.Helper()
		put("c.yml", text)
		c, err := config.Load(filepath.Join(dir, "c.yml"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	base := "psns:\n  - name: psn1\n    addresses: [10.0.0.11]\nswitches:\n  - {name: sw1, address: 10.1.0.1, platform: cisco_iosxe}\n  - name: sw2\n    address: 10.1.0.2\n    platform: cisco_iosxe\n"
	c, err := liveCollectorFor(load(base), collectors.NewInventory(), nil, nil)
	if c != nil || err != nil {
		t.Errorf("no ssh settings: %v (%T), %v", c, c, err)
	}
	cfg := load(base + "    ssh: {username: u}\n")
	if got := strings.Join(liveSwitches(cfg), ","); got != "sw2" {
		t.Errorf("live switches %q, want sw2", got)
	}
	_, err = liveCollectorFor(cfg, collectors.NewInventory(), nil, nil)
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), `switch "sw2": no ssh password or private_key`) ||
		!strings.Contains(err.Error(), "known_hosts is required") || strings.Contains(err.Error(), `"sw1"`) {
		t.Errorf("incomplete settings: %v", err)
	}
	put("pw", "secret\n")
	put("kh", "")
	cfg = load(base + "collect:\n  known_hosts: " + dir + "/kh\n  ssh: {username: u, password: {file: " + dir + "/pw}}\n")
	if got := strings.Join(liveSwitches(cfg), ","); got != "sw1,sw2" {
		t.Errorf("live switches %q, want sw1,sw2", got)
	}
	c, err = liveCollectorFor(cfg, collectors.NewInventory(), nil, nil)
	if err != nil || c == nil {
		t.Fatalf("collector: %v %v", c, err)
	}
	if hs := c.Health(); len(hs) != 2 || hs[0].Name != "sw1" || hs[1].Name != "sw2" {
		t.Errorf("health %+v", hs)
	}
	c.Close()
}

// TestRestartNeededSwitches: a reload that changes what live collection
// was started with says it needs a restart; the same settings on other
// lines (a comment added above them) do not.
func TestRestartNeededSwitches(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("SW_PASSWORD", "not-a-real-one")
	load := func(text string) *config.Config {
		t.Helper()
		path := filepath.Join(dir, "c.yml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sw := func(addr, user, poll string) string {
		return "psns:\n  - name: psn1\n    addresses: [10.0.0.11]\nswitches:\n  - name: sw1\n    address: " + addr +
			"\n    platform: cisco_iosxe\n    ssh: {username: " + user + ", password: {env: SW_PASSWORD}}\ncollect:\n  poll_interval: " + poll + "\n  known_hosts: /etc/kh\n"
	}
	old := load(sw("10.1.0.1", "u", "60s"))
	for _, tc := range []struct {
		text string
		want string
	}{
		{sw("10.1.0.1", "u", "60s"), ""},
		{"# a comment\n\n" + sw("10.1.0.1", "u", "60s"), ""},
		{sw("10.1.0.2", "u", "60s"), "switches or collect (live collection)"},
		{sw("10.1.0.1", "v", "60s"), "switches or collect (live collection)"},
		{sw("10.1.0.1", "u", "30s"), "switches or collect (live collection)"},
	} {
		if got := strings.Join(restartNeeded(old, load(tc.text)), "; "); got != tc.want {
			t.Errorf("%q: restart needed for %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestUnderPaths: a transcript still configured (itself or in a folder) is
// one whose silence fails a read; one dropped from the paths is not.
func TestUnderPaths(t *testing.T) {
	paths := []string{"/srv/switches", "/srv/extra/sw9.log"}
	for file, want := range map[string]bool{
		"/srv/switches/sw1.log":     true,
		"/srv/switches/a/sw2.log":   true,
		"/srv/extra/sw9.log":        true,
		"/srv/extra/sw8.log":        false,
		"/srv/switches-old/sw1.log": false,
		"/srv/..switches/x.log":     false,
	} {
		if got := underPaths(file, paths); got != want {
			t.Errorf("underPaths(%s) = %v, want %v", file, got, want)
		}
	}
}
