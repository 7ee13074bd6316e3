package deploy

import (
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

const (
	rulesFile     = "rules/syncwatch-rules.yml"
	rulesTestFile = "rules/tests/syncwatch-rules-test.yml"
)

// ruleGroups is the part of a Prometheus rule file the tests read.
type ruleGroups struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Record      string            `yaml:"record"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func readRules(t *testing.T, path string) ruleGroups {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rg ruleGroups
	if err := yaml.Unmarshal(b, &rg); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rg
}

// runTool runs a program and fails the test with its output unless it
// exits 0.
func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	b, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
	return string(b)
}

// TestRules checks the health rules with promtool (syntax, then the unit
// tests), and that each alert has a severity, the three annotations, a
// runbook_url into the README's health entries named after the alert, and
// unit tests where it fires and where it does not.
func TestRules(t *testing.T) {
	promtool := testenv.Command(t, "promtool")
	out := runTool(t, promtool, "check", "rules", rulesFile)
	rg := readRules(t, rulesFile)
	var alerts []string
	for _, g := range rg.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			alerts = append(alerts, r.Alert)
			if s := r.Labels["severity"]; s != "critical" && s != "warning" {
				t.Errorf("%s: severity %q, want critical or warning", r.Alert, s)
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("%s: no %s annotation", r.Alert, a)
				}
			}
			if want := "https://github.com/syncwatch/syncwatch/blob/main/README.md#" + strings.ToLower(r.Alert); r.Annotations["runbook_url"] != want {
				t.Errorf("%s: runbook_url %q, want %q", r.Alert, r.Annotations["runbook_url"], want)
			}
		}
	}
	if !strings.Contains(out, "SUCCESS: "+strconv.Itoa(len(alerts))+" rules found") {
		t.Errorf("promtool check rules: %s", out)
	}
	want := []string{"SyncwatchSensorDown", "SyncwatchCaptureDrops", "SyncwatchNoPackets", "SyncwatchInterfaceSilent",
		"SyncwatchInterfaceDown", "SyncwatchCollectorFailing", "SyncwatchHostKeyChanged", "SyncwatchAlertDeliveryFailing",
		"SyncwatchAlertQueueFull", "SyncwatchFindingsDropped", "SyncwatchFindingsStoreFailing"}
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts %q, want %q", alerts, want)
	}

	out = runTool(t, promtool, "test", "rules", rulesTestFile)
	if !strings.Contains(out, "SUCCESS") {
		t.Errorf("promtool test rules: %s", out)
	}

	// Every alert is tested firing and not firing.
	b, err := os.ReadFile(rulesTestFile)
	if err != nil {
		t.Fatal(err)
	}
	var tf struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string           `yaml:"alertname"`
				ExpAlerts []map[string]any `yaml:"exp_alerts"`
			} `yaml:"alert_rule_test"`
		} `yaml:"tests"`
	}
	if err := yaml.Unmarshal(b, &tf); err != nil {
		t.Fatal(err)
	}
	fires, quiet := map[string]bool{}, map[string]bool{}
	for _, tc := range tf.Tests {
		for _, a := range tc.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			} else {
				quiet[a.Alertname] = true
			}
		}
	}
	for _, a := range alerts {
		if !fires[a] || !quiet[a] {
			t.Errorf("%s: tested firing %v, not firing %v; want both", a, fires[a], quiet[a])
		}
	}
}
