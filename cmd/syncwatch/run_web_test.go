package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// TestRunWebConfig serves the daemon with TLS (a certificate the test
// makes) and basic auth from an exporter-toolkit web configuration, and
// runs healthcheck against it: refused without credentials, healthy with
// the CA and the password file; then a real SIGHUP reloads the daemon.
func TestRunWebConfig(t *testing.T) {
	dir := t.TempDir()
	cert, keyFile, err := testenv.WriteSelfSigned(dir, "syncwatch.test", []string{"syncwatch.test"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte("test-only-password"), bcrypt.MinCost)
	web := filepath.Join(dir, "web.yml")
	os.WriteFile(web, []byte("tls_server_config:\n  cert_file: "+cert+"\n  key_file: "+keyFile+"\nbasic_auth_users:\n  docker: "+string(hash)+"\n"), 0o600)
	pwFile := filepath.Join(dir, "password")
	os.WriteFile(pwFile, []byte("test-only-password\n"), 0o600)

	cfgPath := filepath.Join(dir, "syncwatch.yml")
	base := strings.Replace(daemonConfig(dir, "../../examples/switches", ""), `http: {listen: "127.0.0.1:0"}`,
		`http: {listen: "127.0.0.1:0", web_config_file: `+web+`}`, 1)
	os.WriteFile(cfgPath, []byte(base), 0o644)
	if code, out, errOut := runCLI(t, "check-config", "--config", cfgPath); code != exitOK ||
		!strings.Contains(out, "  http: 127.0.0.1:0 (web config "+web+")\n") || !strings.Contains(out, "  transcripts: 5 sessions on 2 switches, 0 warnings\n") {
		t.Errorf("check-config: %d %q %q", code, out, errOut)
	}
	d := startDaemonSignals(t, cfgPath, false)
	url := strings.Replace(d.base, "http://", "https://", 1) + "/healthz"

	code, out, _ := runCLI(t, "healthcheck", "--url", url, "--ca-file", cert)
	if code != exitRuntime || out != "unhealthy: "+url+" answered 401 Unauthorized: Unauthorized\n" {
		t.Errorf("without credentials: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "healthcheck", "--url", url, "--ca-file", cert, "--username", "docker", "--password-file", pwFile)
	if code != exitOK || out != "healthy: "+url+" answered 200 OK: ok\n" {
		t.Errorf("with credentials: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "healthcheck", "--url", url, "--username", "docker", "--password-file", pwFile)
	if code != exitRuntime || !strings.Contains(out, "certificate signed by unknown authority") {
		t.Errorf("without the CA: %d %q", code, out)
	}

	// A real SIGHUP: the daemon catches it and reloads.
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the reload", func() bool { return strings.Contains(d.stderr.String(), `"msg":"configuration reloaded"`) })
	if code := d.stop(); code != exitOK {
		t.Errorf("exit %d", code)
	}
	if strings.Contains(d.stderr.String(), "test-only-password") {
		t.Error("the password is in the log")
	}
}

func TestCheckConfig(t *testing.T) {
	code, out, errOut := runCLI(t, "check-config", "--config", "../../config/testdata/invalid-http-listen.yml")
	if code != exitUsage || out != "" || errOut != "syncwatch check-config: configuration errors:\n../../config/testdata/invalid-http-listen.yml:2: http.listen \"9849\": not host:port (e.g. :9849 or 127.0.0.1:9849)\n" {
		t.Errorf("bad: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "check-config", "--config", "../../examples/syncwatch.yml")
	if code != exitOK || !strings.HasPrefix(out, "../../examples/syncwatch.yml: valid\n  PSNs: 3, ports: [8449], posture rules: 3, switches: 2\n  capture: span0\n  sinks: alertmanager (2 peers)\n  http: :9849 (plain HTTP)\n") {
		t.Errorf("example: %d %q", code, out)
	}
	// A switch with SSH settings is checked as run would poll it.
	dir := t.TempDir()
	t.Setenv("SYNCWATCH_TEST_SSH_PW", "test-only-password")
	live := func(knownHosts string) string {
		return writeIn(t, dir, "live.yml", []byte("psns:\n  - {name: psn1, addresses: [10.0.0.11]}\n"+
			"collect:\n  known_hosts: "+knownHosts+"\n  ssh: {username: syncwatch, password: {env: SYNCWATCH_TEST_SSH_PW}}\n"+
			"switches:\n  - {name: sw1, address: 192.0.2.1, platform: cisco_iosxe}\n"))
	}
	missing := filepath.Join(dir, "known_hosts")
	code, out, errOut = runCLI(t, "check-config", "--config", live(missing))
	if want := "syncwatch check-config: collect: known_hosts " + missing + ": open " + missing +
		": no such file or directory (strict checking needs the switches' keys in it: ssh-keyscan them, or use trust-on-first-use)\n"; code != exitUsage || out != "" || errOut != want {
		t.Errorf("known_hosts missing: %d %q %q", code, out, errOut)
	}
	writeIn(t, dir, "known_hosts", nil)
	code, out, _ = runCLI(t, "check-config", "--config", live(missing))
	if code != exitOK || !strings.Contains(out, "\n  live collection: 1 switch over SSH, known_hosts "+missing+" (strict)\n") || strings.Contains(out, "test-only-password") {
		t.Errorf("live: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "check-config", "--config", writeIn(t, dir, "empty.yml", []byte("# nothing yet\n")))
	if code != exitOK || !strings.HasSuffix(out, "\nwarning: no psns: any address on the state-sync port counts as a PSN, and no dACL can be audited against one\n") {
		t.Errorf("no PSNs: %d %q", code, out)
	}
	// What run refuses at its start, check-config refuses: a data_dir
	// that is a file, a webhook URL with a fragment; a webhook's query
	// (its token) is fine.
	notDir := writeIn(t, dir, "ddfile", nil)
	code, out, errOut = runCLI(t, "check-config", "--config", writeIn(t, dir, "dd.yml", []byte("data_dir: "+notDir+"\n")))
	if code != exitUsage || out != "" || errOut != "syncwatch check-config: data_dir "+notDir+": "+notDir+" is not a folder\n" {
		t.Errorf("data_dir a file: %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "check-config", "--config", writeIn(t, dir, "dd2.yml", []byte("data_dir: "+filepath.Join(dir, "new", "data")+"\n")))
	if code != exitOK {
		t.Errorf("data_dir to create: %d %q", code, errOut)
	}
	hook := func(url string) string {
		return writeIn(t, dir, "hook.yml", []byte("webhooks:\n  - name: oncall\n    url: "+url+"\n"))
	}
	if code, out, errOut := runCLI(t, "check-config", "--config", hook("http://127.0.0.1:9/hook?token=URLTOKEN42")); code != exitOK || strings.Contains(out+errOut, "URLTOKEN42") {
		t.Errorf("webhook with a query: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "check-config", "--config", hook("http://127.0.0.1:9/hook#x")); code != exitUsage || errOut != "syncwatch check-config: sinks: webhook oncall: URL: a URL sent to has no fragment\n" {
		t.Errorf("webhook with a fragment: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "check-config"); code != exitUsage {
		t.Errorf("no --config: %d", code)
	}
	if code, out, _ := runCLI(t, "check-config", "--help"); code != exitOK || !strings.HasPrefix(out, "Usage: syncwatch check-config --config FILE") {
		t.Errorf("help: %d %q", code, out)
	}
}
