package deploy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/internal/peers"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

const (
	composeFile      = "compose/docker-compose.yml"
	alertmanagerFile = "compose/alertmanager.yml"
	goldenAlerts     = "../alerts/testdata/alertmanager"
)

// composeService is the part of a resolved compose service the tests read.
type composeService struct {
	Image       string            `yaml:"image"`
	NetworkMode string            `yaml:"network_mode"`
	User        string            `yaml:"user"`
	CapDrop     []string          `yaml:"cap_drop"`
	CapAdd      []string          `yaml:"cap_add"`
	ReadOnly    bool              `yaml:"read_only"`
	SecurityOpt []string          `yaml:"security_opt"`
	Command     []string          `yaml:"command"`
	Volumes     []string          `yaml:"volumes"`
	Environment map[string]string `yaml:"environment"`
	Secrets     []struct {
		Source string `yaml:"source"`
		Target string `yaml:"target"`
	} `yaml:"secrets"`
	Healthcheck map[string]any `yaml:"healthcheck"`
}

// composeFileResolved is the compose file as docker-compose resolves it.
type composeFileResolved struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
}

// resolvedCompose runs docker-compose config (dc) on the compose file, with
// the image variables at their defaults, and decodes what it prints.
func resolvedCompose(t *testing.T, dc string) composeFileResolved {
	t.Helper()
	cmd := exec.Command(dc, "-f", composeFile, "config")
	cmd.Env = append(os.Environ(), "SYNCWATCH_IMAGE=", "SYNCWATCH_BUILDER_IMAGE=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("docker-compose config: %v", err)
	}
	var cf composeFileResolved
	if err := yaml.Unmarshal(out, &cf); err != nil {
		t.Fatal(err)
	}
	return cf
}

// TestCompose validates the compose file with docker-compose, checks the
// sensor's service (host network, CAP_NET_RAW only, read-only, non-root,
// config and secrets mounted, the image's healthcheck not overridden), the
// two Alertmanagers peering with each other, and that every file the stack
// mounts from the repository exists (secrets and known_hosts as tracked
// .example placeholders).
func TestCompose(t *testing.T) {
	dc := testenv.Command(t, "docker-compose")
	runTool(t, dc, "-f", composeFile, "config", "-q")
	cf := resolvedCompose(t, dc)
	names := make([]string, 0, len(cf.Services))
	for n := range cf.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{"alertmanager-1", "alertmanager-2", "grafana", "prometheus", "syncwatch"}; !slices.Equal(names, want) {
		t.Errorf("services %q, want %q", names, want)
	}
	sw := cf.Services["syncwatch"]
	if sw.NetworkMode != "host" || sw.User != "65532:65532" || !sw.ReadOnly ||
		!slices.Equal(sw.CapDrop, []string{"ALL"}) || !slices.Equal(sw.CapAdd, []string{"NET_RAW"}) ||
		!slices.Equal(sw.SecurityOpt, []string{"no-new-privileges:true"}) {
		t.Errorf("syncwatch service: network %q user %q read_only %v cap_drop %q cap_add %q security_opt %q; want host, 65532:65532, true, [ALL], [NET_RAW], [no-new-privileges:true]",
			sw.NetworkMode, sw.User, sw.ReadOnly, sw.CapDrop, sw.CapAdd, sw.SecurityOpt)
	}
	if sw.Healthcheck != nil {
		t.Errorf("syncwatch service overrides the image's healthcheck: %v", sw.Healthcheck)
	}
	if sw.Image != "localhost/syncwatch:dev" {
		t.Errorf("syncwatch image %q, want the default localhost/syncwatch:dev", sw.Image)
	}
	abs, _ := filepath.Abs("compose")
	mounts := map[string]string{}
	for _, s := range cf.Services {
		for _, v := range s.Volumes {
			parts := strings.Split(v, ":")
			if strings.HasPrefix(parts[0], "/") {
				mounts[parts[0]] = parts[1]
			}
		}
	}
	for _, want := range []string{abs + "/syncwatch.yml:/etc/syncwatch/syncwatch.yml:ro", abs + "/known_hosts:/etc/syncwatch/known_hosts:ro"} {
		if !slices.Contains(sw.Volumes, want) {
			t.Errorf("syncwatch volumes %q lack %s", sw.Volumes, want)
		}
	}
	var targets []string
	for _, s := range sw.Secrets {
		targets = append(targets, s.Source+">"+s.Target)
	}
	if want := []string{"ssh_password>ssh_password", "ssh_enable_secret>ssh_enable_secret", "webhook_hmac>webhook_hmac"}; !slices.Equal(targets, want) {
		t.Errorf("syncwatch secrets %q, want %q", targets, want)
	}
	for src := range mounts {
		p := src
		if src == abs+"/known_hosts" || src == abs+"/secrets" {
			p = src + ".example"
			if src == abs+"/secrets" {
				p = src
			}
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("mounted %s: %v", src, err)
		}
	}
	for name, s := range cf.Secrets {
		if _, err := os.Stat(s.File + ".example"); err != nil {
			t.Errorf("secret %s: no placeholder %s.example", name, s.File)
		}
		if b, _ := os.ReadFile(s.File + ".example"); string(b) != "CHANGE-ME\n" {
			t.Errorf("secret %s: placeholder %q, want CHANGE-ME", name, b)
		}
	}
	// The Alertmanagers peer with each other; Prometheus and the sensor's
	// example configuration name both.
	flag := func(svc, name string) string {
		for _, c := range cf.Services[svc].Command {
			if v, ok := strings.CutPrefix(c, "--"+name+"="); ok {
				return v
			}
		}
		return ""
	}
	if flag("alertmanager-1", "cluster.peer") != flag("alertmanager-2", "cluster.listen-address") ||
		flag("alertmanager-2", "cluster.peer") != flag("alertmanager-1", "cluster.listen-address") {
		t.Errorf("the Alertmanagers do not peer: am1 %s -> %s, am2 %s -> %s", flag("alertmanager-1", "cluster.listen-address"),
			flag("alertmanager-1", "cluster.peer"), flag("alertmanager-2", "cluster.listen-address"), flag("alertmanager-2", "cluster.peer"))
	}
	sc, err := os.ReadFile("compose/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"alertmanager-1", "alertmanager-2"} {
		addr := flag(svc, "web.listen-address")
		if !strings.Contains(string(sc), `"http://`+addr+`"`) {
			t.Errorf("compose/syncwatch.yml alertmanager.peers lacks %s's http://%s", svc, addr)
		}
	}
}

// TestComposePrometheusConfig checks prometheus.yml with promtool, with
// its rule_files pointed at deploy/rules so that the rules it loads in the
// stack are checked through it.
func TestComposePrometheusConfig(t *testing.T) {
	promtool := testenv.Command(t, "promtool")
	b, err := os.ReadFile("compose/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := filepath.Abs("rules")
	s := strings.Replace(string(b), "/etc/prometheus/rules/*.yml", rules+"/*.yml", 1)
	if s == string(b) {
		t.Fatal("prometheus.yml does not load /etc/prometheus/rules/*.yml")
	}
	p := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runTool(t, promtool, "check", "config", p)
	if !strings.Contains(out, "SUCCESS: 11 rules found") {
		t.Errorf("promtool check config: the rules were not loaded:\n%s", out)
	}
	var pc struct {
		ScrapeConfigs []struct {
			JobName string `yaml:"job_name"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &pc); err != nil {
		t.Fatal(err)
	}
	if len(pc.ScrapeConfigs) == 0 || pc.ScrapeConfigs[0].JobName != "syncwatch" {
		t.Errorf("first scrape job %+v, want syncwatch (the rules select job=\"syncwatch\")", pc.ScrapeConfigs)
	}
}

// templateLine is a commented-out YAML key of a receiver template.
var templateLine = regexp.MustCompile(`^(\s*)# (\s*(- )?[a-z_]+:( .*)?)$`)

// TestAlertmanagerConfig checks alertmanager.yml with amtool as shipped and
// with every commented receiver template uncommented, and routes the
// labels of every finding kind's alert (the Alertmanager sink's golden
// payloads) and of the health alerts to the expected receiver.
func TestAlertmanagerConfig(t *testing.T) {
	amtool := testenv.Command(t, "amtool")
	runTool(t, amtool, "check-config", alertmanagerFile)
	b, err := os.ReadFile(alertmanagerFile)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if m := templateLine.FindStringSubmatch(l); m != nil {
			l = m[1] + m[2]
			n++
		}
		lines = append(lines, l)
	}
	if n < 20 {
		t.Errorf("only %d template lines uncommented", n)
	}
	p := filepath.Join(t.TempDir(), "alertmanager.yml")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	runTool(t, amtool, "check-config", p)

	receiver := func(labels map[string]string) string {
		args := []string{"config", "routes", "test", "--config.file=" + alertmanagerFile}
		keys := make([]string, 0, len(labels))
		for k := range labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			args = append(args, k+"="+labels[k])
		}
		out, err := exec.Command(amtool, args...).Output()
		if err != nil {
			t.Fatalf("amtool %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	wantByKind := map[string]string{
		"compliant-reached": "oncall", "dacl-permits-psn": "oncall", "psn-down": "oncall",
		"not-blocked": "chat", "race": "chat", "psn-not-listening": "chat", "sync-path-blocked": "chat",
		"state-sync-disabled": "chat", "dacl-blocks-sync": "chat", "dacl-missing": "chat", "dacl-unevaluable": "chat",
		"unmanaged": "email", "unclassified": "email", "posture-unclassified": "email",
	}
	for kind, alert := range readGoldenAlerts(t) {
		want, ok := wantByKind[kind]
		if !ok {
			t.Errorf("golden alert of kind %s: no expected receiver", kind)
			continue
		}
		if got := receiver(alert.Labels); got != want {
			t.Errorf("%s (%v) routes to %q, want %q", kind, alert.Labels, got, want)
		}
	}
	for _, r := range readRules(t, rulesFile).Groups[0].Rules {
		want := "chat"
		if r.Labels["severity"] == "critical" {
			want = "oncall"
		}
		if got := receiver(map[string]string{"alertname": r.Alert, "severity": r.Labels["severity"], "job": "syncwatch", "instance": "sensor-a:9849"}); got != want {
			t.Errorf("%s routes to %q, want %q", r.Alert, got, want)
		}
	}
}

// postableAlert is one alert of Alertmanager's API v2.
type postableAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
}

// readGoldenAlerts reads the Alertmanager sink's golden payloads, one
// alert per finding kind, keyed by kind.
func readGoldenAlerts(t *testing.T) map[string]postableAlert {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(goldenAlerts, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden alerts in %s: %v", goldenAlerts, err)
	}
	out := map[string]postableAlert{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var as []postableAlert
		if err := json.Unmarshal(b, &as); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, a := range as {
			out[a.Labels["kind"]] = a
		}
	}
	return out
}

// TestAlertmanagerGroupingAndInhibition runs a real Alertmanager with
// alertmanager.yml, posts every finding kind's golden alert, and checks
// that compliant-reached and dacl-permits-psn of the same dACL and PSN are
// one group, and that psn-down inhibits the sync-path-blocked of its PSN
// and nothing else.
func TestAlertmanagerGroupingAndInhibition(t *testing.T) {
	base := startAlertmanager(t, alertmanagerFile)
	client := &http.Client{Timeout: 5 * time.Second}

	now := time.Now().UTC()
	var post []postableAlert
	for _, a := range readGoldenAlerts(t) {
		a.StartsAt, a.EndsAt = now, now.Add(time.Hour)
		post = append(post, a)
	}
	body, _ := json.Marshal(post)
	resp, err := client.Post(base+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/v2/alerts: %s", resp.Status)
	}

	type gettable struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
		Fingerprint string `json:"fingerprint"`
	}
	getJSON := func(path string, v any) {
		t.Helper()
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var alerts []gettable
	waitFor(t, 30*time.Second, "the alerts to be listed", func() bool {
		alerts = nil
		getJSON("/api/v2/alerts", &alerts)
		return len(alerts) == len(post)
	})
	fp := map[string]string{}
	for _, a := range alerts {
		fp[a.Labels["kind"]] = a.Fingerprint
	}
	for _, a := range alerts {
		kind := a.Labels["kind"]
		wantState, wantBy := "active", []string(nil)
		if kind == "sync-path-blocked" {
			wantState, wantBy = "suppressed", []string{fp["psn-down"]}
		}
		if a.Status.State != wantState || !slices.Equal(a.Status.InhibitedBy, wantBy) {
			t.Errorf("%s: state %s inhibited by %q, want %s by %q", kind, a.Status.State, a.Status.InhibitedBy, wantState, wantBy)
		}
	}

	var groups []struct {
		Labels   map[string]string `json:"labels"`
		Receiver struct {
			Name string `json:"name"`
		} `json:"receiver"`
		Alerts []gettable `json:"alerts"`
	}
	getJSON("/api/v2/alerts/groups", &groups)
	found := false
	for _, g := range groups {
		var kinds []string
		for _, a := range g.Alerts {
			kinds = append(kinds, a.Labels["kind"])
		}
		sort.Strings(kinds)
		if !slices.Contains(kinds, "compliant-reached") {
			continue
		}
		found = true
		got := fmt.Sprintf("%s %v %q", g.Receiver.Name, g.Labels, kinds)
		want := `oncall map[dacl:xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 psn:10.0.0.13] ["compliant-reached" "dacl-permits-psn"]`
		if got != want {
			t.Errorf("compliant-reached's group: %s, want %s", got, want)
		}
	}
	if !found {
		t.Errorf("no group holds compliant-reached: %+v", groups)
	}
}

// startAlertmanager runs Debian's Alertmanager with the configuration file
// config (internal/peers: a free loopback port, temporary storage, no
// clustering) until the test ends, and returns its base URL once it is
// ready.
func startAlertmanager(t *testing.T, config string) string {
	t.Helper()
	text, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	return peers.StartAlertmanager(t, peers.AlertmanagerOptions{Config: string(text)}).URL
}
