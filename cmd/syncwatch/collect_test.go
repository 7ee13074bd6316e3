package main

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

const (
	collectUser     = "syncwatch"
	collectPassword = "Coll3ct-s3cret"
	collectEnable   = "En4ble-c0llect"
)

// collectLab starts emulated switches and writes a configuration that
// reaches them: passwords from an environment variable and a file. old
// adds two switches that offer only IOS 12.2's SSH algorithms, one
// configured with them and one not.
func collectLab(t *testing.T, badPassword, old bool) (cfgPath string) {
	t.Helper()
	dir := t.TempDir()
	var kh, sw strings.Builder
	addWith := func(name string, p iosemu.Profile, sc iosemu.ServerConfig, ssh string) {
		srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(p), sc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		kh.WriteString(srv.KnownHostsLine() + "\n")
		host, port, _ := net.SplitHostPort(srv.Addr())
		fmt.Fprintf(&sw, "  - name: %s\n    address: %s\n    platform: cisco_iosxe\n    ssh: {port: %s%s}\n", name, host, port, ssh)
	}
	add := func(name string, p iosemu.Profile, password string) {
		addWith(name, p, iosemu.ServerConfig{User: collectUser, Password: password}, "")
	}
	xe := iosemu.Campus("access-sw1", iosemu.ReleaseIOSXE, 12)
	xe.EnableSecret = collectEnable
	xe.Banner = "access-sw9#\nUNAUTHORIZED ACCESS PROHIBITED"
	add("access-sw1", xe, collectPassword)
	add("access-sw2", iosemu.Campus("access-sw2", iosemu.ReleaseIOS15, 6), collectPassword)
	if badPassword {
		add("access-sw3", iosemu.Campus("access-sw3", iosemu.ReleaseIOSXE, 2), "another-password")
	}
	if old {
		sc := iosemu.ServerConfig{User: collectUser, Password: collectPassword,
			KeyExchanges: []string{"diffie-hellman-group1-sha1"}, Ciphers: []string{"aes128-cbc", "3des-cbc"}}
		addWith("old-sw4", iosemu.Campus("old-sw4", iosemu.ReleaseIOS12, 3), sc,
			`, key_exchanges: ["+diffie-hellman-group1-sha1"], ciphers: ["+aes128-cbc"]`)
		addWith("old-sw5", iosemu.Campus("old-sw5", iosemu.ReleaseIOS12, 3), sc, "")
	}
	khPath := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	enable := filepath.Join(dir, "enable")
	if err := os.WriteFile(enable, []byte(collectEnable+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYNCWATCH_TEST_COLLECT_PW", collectPassword)
	cfg := fmt.Sprintf(`psns:
  - name: psn1
    addresses: [10.0.0.11]
  - name: psn3
    addresses: [10.0.0.13]
collect:
  known_hosts: %s
  command_timeout: 5s
  ssh:
    username: %s
    password: {env: SYNCWATCH_TEST_COLLECT_PW}
    enable_secret: {file: %s}
switches:
%s`, khPath, collectUser, enable, sw.String())
	cfgPath = filepath.Join(dir, "syncwatch.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfgPath
}

func TestCollectSavesTranscripts(t *testing.T) {
	cfg := collectLab(t, true, false)
	save := filepath.Join(t.TempDir(), "saved")
	code, out, errOut := runCLI(t, "collect", "--config", cfg, "--save", save, "--format", "json")
	if code != exitRuntime || errOut != "syncwatch collect: 1 of 3 switches failed (their partial transcripts, if any, were saved)\n" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var doc struct {
		Switches []collectResult `json:"switches"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	type row struct {
		name     string
		ok       bool
		sessions int
		acls     int
		reason   string
	}
	var got []row
	for _, r := range doc.Switches {
		x := row{r.Switch, r.OK, r.Sessions, r.ACLs, ""}
		if r.Reason != nil {
			x.reason = *r.Reason
			if !strings.HasPrefix(*r.Error, "switch access-sw3: ") || strings.Contains(*r.Error, "another-password") {
				t.Errorf("error %q", *r.Error)
			}
		}
		got = append(got, x)
	}
	want := []row{{"access-sw1", true, 12, 5, ""}, {"access-sw2", true, 6, 5, ""}, {"access-sw3", false, 0, 0, "auth"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results %+v, want %+v", got, want)
	}
	files, _ := filepath.Glob(filepath.Join(save, "*"))
	sort.Strings(files)
	if len(files) != 2 || filepath.Base(files[0]) != "access-sw1.txt" || filepath.Base(files[1]) != "access-sw2.txt" {
		t.Fatalf("saved %q", files)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), collectPassword) || strings.Contains(string(b), collectEnable) {
			t.Errorf("%s holds a secret", f)
		}
	}

	// The saved transcripts audit as the live switches do.
	code, fromFiles, errOut := runCLI(t, "audit", "--config", cfg, "--switch-output", save, "--format", "json")
	if code != exitOK || errOut != "" {
		t.Fatalf("audit of the transcripts: exit %d, stderr %q", code, errOut)
	}
	saved := decodeAudit(t, fromFiles)
	if len(saved.Sessions) != 18 || len(saved.Warnings) != 0 {
		t.Errorf("audit of the transcripts: %d sessions, warnings %v", len(saved.Sessions), saved.Warnings)
	}
	code, liveOut, errOut := runCLI(t, "audit", "--config", cfg, "--format", "json")
	if code != exitRuntime || !strings.HasPrefix(errOut, "syncwatch audit: not every switch could be read: switch access-sw3: ") {
		t.Fatalf("live audit: exit %d, stderr %q", code, errOut)
	}
	lv := decodeAudit(t, liveOut)
	if !reflect.DeepEqual(lv.Sessions, saved.Sessions) || !reflect.DeepEqual(lv.Findings, saved.Findings) {
		t.Errorf("live audit differs from the audit of the saved transcripts:\n%s\n%s", liveOut, fromFiles)
	}
	if len(lv.Findings) == 0 {
		t.Error("no findings: the campus dACLs leave psn3 open")
	}
	if len(lv.Warnings) != 1 || !strings.Contains(fmt.Sprint(lv.Warnings[0]["message"]), "switch not read: switch access-sw3: ssh handshake: auth") {
		t.Errorf("live audit warnings %v", lv.Warnings)
	}
}

// TestCollectOldAlgorithms: a switch that offers only IOS 12.2's key
// exchange and ciphers is read when its ssh: allows them, and refused
// with the reason algorithms and what to configure when not.
func TestCollectOldAlgorithms(t *testing.T) {
	cfg := collectLab(t, false, true)
	save := t.TempDir()
	code, out, errOut := runCLI(t, "collect", "--config", cfg, "--save", save, "--switch", "old-sw4", "--switch", "old-sw5", "--format", "json")
	if code != exitRuntime || errOut != "syncwatch collect: 1 of 2 switches failed (their partial transcripts, if any, were saved)\n" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var doc struct {
		Switches []collectResult `json:"switches"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Switches) != 2 {
		t.Fatalf("results %s", out)
	}
	if r := doc.Switches[0]; r.Switch != "old-sw4" || !r.OK || r.Sessions != 3 {
		t.Errorf("old-sw4: %s", out)
	}
	r := doc.Switches[1]
	wantErr := `switch old-sw5: ssh handshake: algorithms: no common key exchange algorithm: the switch offers [diffie-hellman-group1-sha1], syncwatch offers [`
	wantHint := `; if the switch cannot be upgraded, allow diffie-hellman-group1-sha1 with ssh.key_exchanges: ["+diffie-hellman-group1-sha1"] for this switch`
	if r.Switch != "old-sw5" || r.OK || r.Reason == nil || *r.Reason != "algorithms" || r.Error == nil ||
		!strings.HasPrefix(*r.Error, wantErr) || !strings.HasSuffix(*r.Error, wantHint) {
		t.Errorf("old-sw5: %s", out)
	}
}

func TestCollectOneSwitchText(t *testing.T) {
	cfg := collectLab(t, true, false)
	save := t.TempDir()
	code, out, errOut := runCLI(t, "collect", "--config", cfg, "--save", save, "--switch", "access-sw2")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "access-sw2  ok      6         5     "+filepath.Join(save, "access-sw2.txt")) {
		t.Errorf("output:\n%s", out)
	}
}

func TestCollectUsage(t *testing.T) {
	cfg := collectLab(t, false, false)
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"collect", "--save", "x"}, exitUsage, "--config is required"},
		{[]string{"collect", "--config", cfg}, exitUsage, "--save is required"},
		{[]string{"collect", "--config", cfg, "--save", t.TempDir(), "--switch", "nosuch"}, exitUsage, `no switch named "nosuch" in the configuration`},
		{[]string{"collect", "--config", exampleConfig, "--save", t.TempDir()}, exitUsage, "collect: known_hosts is required"},
		{[]string{"collect", "--config", "/nonexistent/s.yml", "--save", t.TempDir()}, exitUsage, "config: open /nonexistent/s.yml: no such file or directory"},
		{[]string{"collect", "--help"}, exitOK, ""},
	} {
		code, out, errOut := runCLI(t, tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.stderr)
		}
		if tc.code == exitOK && !strings.Contains(out, "Usage: syncwatch collect --config FILE --save DIR") {
			t.Errorf("--help: %q", out)
		}
	}
}
