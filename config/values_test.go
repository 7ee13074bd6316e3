package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

type valuesDoc struct {
	Password *Secret  `yaml:"password"`
	Every    Duration `yaml:"every"`
}

func decodeValues(t *testing.T, text string) (valuesDoc, error) {
	t.Helper()
	var v valuesDoc
	err := yaml.Unmarshal([]byte(text), &v)
	if err != nil {
		return v, yamlErrors("v.yml", err)
	}
	return v, nil
}

func TestSecretAndDuration(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	if err := os.WriteFile(pw, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYNCWATCH_TEST_PW", "from-env")
	good := []struct {
		text  string
		value string
		every time.Duration
		line  int
	}{
		{"password: {file: " + pw + "}\nevery: 90s\n", "hunter2", 90 * time.Second, 1},
		{"password:\n  env: SYNCWATCH_TEST_PW\nevery: 1m30s\n", "from-env", 90 * time.Second, 2},
	}
	for _, tc := range good {
		v, err := decodeValues(t, tc.text)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		got, err := v.Password.Source().Value()
		if err != nil || got != tc.value || time.Duration(v.Every) != tc.every {
			t.Errorf("%q: %q %v %v", tc.text, got, err, v.Every)
		}
		if strings.Contains(v.Password.String(), tc.value) {
			t.Errorf("String %q shows the secret", v.Password.String())
		}
		if v.Password.Line() != tc.line {
			t.Errorf("line %d", v.Password.Line())
		}
	}
	bad := []struct{ text, want string }{
		{"password: hunter2\n", "v.yml:1: a secret is never written in the configuration file: give {env: VARIABLE} or {file: PATH}"},
		{"password: {}\n", "v.yml:1: a secret needs env (an environment variable) or file (a path)"},
		{"password: {env: A, file: B}\n", "v.yml:1: a secret comes from env or from file, not both"},
		{"password: {path: x}\n", `v.yml:1: unknown key "path" in a secret (known: env, file)`},
		{"password: {env: SYNCWATCH_TEST_UNSET_PW}\n", "v.yml:1: environment variable SYNCWATCH_TEST_UNSET_PW is not set or empty"},
		{"password:\n  file: " + dir + "/missing\n", "v.yml:2: secret file: open " + dir + "/missing: no such file or directory"},
		{"every: 10\n", `v.yml:1: "10" is not a duration (give a unit: 10s, 5m)`},
		{"every: soon\n", `v.yml:1: "soon" is not a duration`},
		{"every: -5s\n", `v.yml:1: "-5s": a duration cannot be negative`},
		{"every: [1s]\n", `v.yml:1: a duration must be a single value, not a list`},
	}
	for _, tc := range bad {
		_, err := decodeValues(t, tc.text)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got  %v\n want %s", tc.text, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the secret", tc.text)
		}
	}
	if (Duration(0)).D(time.Minute) != time.Minute || Duration(time.Second).D(time.Minute) != time.Second {
		t.Error("D")
	}
}
