package deploy

import (
	"os"
	"path"
	"regexp"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// sensorSections are the top-level keys of syncwatch.yml: those of the
// config package and those the daemon and the live collector add.
var sensorSections = []string{"sensor", "capture", "judge", "alertmanager", "webhooks", "findings_log", "http",
	"data_dir", "evidence", "transcripts", "collect", "psns", "ports", "posture", "switches"}

// secretRef matches a secret given as a file, the only form the shipped
// configurations use.
var secretRef = regexp.MustCompile(`\{file: (/[^}\s]+)\}`)

// checkSensorConfig checks a shipped syncwatch.yml until `syncwatch
// check-config` can: YAML, known sections only, no inline secret, every
// secret a file the deployment mounts (have), and the port the probes and
// the scrape use.
func checkSensorConfig(t *testing.T, name, text string, have func(path string) bool) {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for k := range doc {
		if !slices.Contains(sensorSections, k) {
			t.Errorf("%s: unknown section %q", name, k)
		}
	}
	for _, k := range []string{"password", "passphrase", "enable_secret", "bearer_token", "secret"} {
		if m := regexp.MustCompile(`(?m)^\s*` + k + `:\s*[^{\s#]`).FindString(text); m != "" {
			t.Errorf("%s: inline secret %q: secrets are {file: ...} or {env: ...}", name, m)
		}
	}
	refs := secretRef.FindAllStringSubmatch(text, -1)
	if len(refs) == 0 {
		t.Errorf("%s: no secret file", name)
	}
	for _, r := range refs {
		if !have(r[1]) {
			t.Errorf("%s: secret file %s is not mounted", name, r[1])
		}
	}
	h, _ := doc["http"].(map[string]any)
	if h["listen"] != ":9849" {
		t.Errorf("%s: http.listen %v, want :9849 (probes, scrape and healthcheck use it)", name, h["listen"])
	}
}

// TestShippedSensorConfigs checks the compose stack's and the ConfigMap's
// syncwatch.yml against what their deployments mount.
func TestShippedSensorConfigs(t *testing.T) {
	b, err := os.ReadFile("compose/syncwatch.yml")
	if err != nil {
		t.Fatal(err)
	}
	// The compose file as written: secrets in the short form (a name) or
	// the long one (source and target).
	var cf struct {
		Services map[string]struct {
			Secrets []any `yaml:"secrets"`
		} `yaml:"services"`
	}
	raw, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(raw, &cf); err != nil {
		t.Fatal(err)
	}
	checkSensorConfig(t, "compose/syncwatch.yml", string(b), func(p string) bool {
		for _, s := range cf.Services["syncwatch"].Secrets {
			target, _ := s.(string)
			if m, ok := s.(map[string]any); ok {
				target, _ = m["target"].(string)
				if target == "" {
					target, _ = m["source"].(string)
				}
			}
			if p == "/run/secrets/"+target {
				return true
			}
		}
		return false
	})

	m := readManifests(t)
	checkSensorConfig(t, "kubernetes/configmap.yaml", m.configMap.Data["syncwatch.yml"], func(p string) bool {
		dir, key := path.Split(p)
		_, ok := m.secret.StringData[key]
		return dir == "/etc/syncwatch/secrets/" && ok
	})
}
