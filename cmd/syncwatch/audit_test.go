package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	exampleConfig   = "../../examples/syncwatch.yml"
	exampleSwitches = "../../examples/switches"
	exampleDACL     = "../../examples/dacl/EMPLOYEE_COMPLIANT.txt"
)

// auditJSON is audit's JSON document, loosely typed to check its shape.
type auditJSON struct {
	Sessions []map[string]any `json:"sessions"`
	ACLs     []map[string]any `json:"acls"`
	Findings []map[string]any `json:"findings"`
	Warnings []map[string]any `json:"warnings"`
}

func decodeAudit(t *testing.T, out string) auditJSON {
	t.Helper()
	var doc auditJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if doc.Sessions == nil || doc.ACLs == nil || doc.Findings == nil || doc.Warnings == nil {
		t.Fatalf("a list is null or missing:\n%s", out)
	}
	return doc
}

func TestAuditExampleGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"audit-example", []string{"audit", "--config", exampleConfig, "--switch-output", exampleSwitches}},
		{"audit-dacl", []string{"audit", "--config", exampleConfig, "--dacl", exampleDACL, "--posture", "compliant"}},
	} {
		for _, format := range []string{"json", "text"} {
			t.Run(tc.name+"."+format, func(t *testing.T) {
				code, out, errOut := runCLI(t, append(tc.args, "--format", format)...)
				if code != exitOK || errOut != "" {
					t.Fatalf("exit %d, stderr %q", code, errOut)
				}
				if format == "json" {
					decodeAudit(t, out)
				}
				golden(t, tc.name+"."+format, out)
			})
		}
	}
}

// TestAuditExampleFindings checks the example's findings by key, so that a
// golden file rewritten by mistake cannot hide a change of verdict.
func TestAuditExampleFindings(t *testing.T) {
	_, out, _ := runCLI(t, "audit", "--config", exampleConfig, "--switch-output", exampleSwitches, "--format", "json")
	doc := decodeAudit(t, out)
	var keys []string
	for _, f := range doc.Findings {
		keys = append(keys, f["severity"].(string)+" "+f["key"].(string))
	}
	want := []string{
		"critical dacl-permits-psn|xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814|10.0.0.13|8449",
		"warning dacl-blocks-sync|xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12|10.0.0.13|8449",
		"warning dacl-missing|xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22|access-sw1",
		"info posture-unclassified|PHONES",
	}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("findings %q", keys)
	}
	if len(doc.Sessions) != 5 || len(doc.ACLs) != 6 || len(doc.Warnings) != 0 {
		t.Errorf("%d sessions, %d ACLs, %d warnings", len(doc.Sessions), len(doc.ACLs), len(doc.Warnings))
	}
	// Every field of the finding schema is present, in order.
	var raw struct {
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	fields := []string{"kind", "severity", "key", "endpoint_ip", "endpoint_mac", "switch", "interface", "session_id", "posture",
		"posture_rule", "dacl", "acl", "acl_line", "acl_line_seq", "psn", "psn_name", "port", "sessions", "attempt", "matched_by",
		"authz_changed_at", "confirm", "evidence", "sensor", "first_seen", "last_seen", "count", "summary", "action"}
	dec := json.NewDecoder(strings.NewReader(string(raw.Findings[0])))
	var got []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && len(got) < len(fields) && (len(got) == 0 || dec.More()) {
				got = append(got, v)
				// Skip the value.
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if !reflect.DeepEqual(got, fields) {
		t.Errorf("finding fields:\n got %q\nwant %q", got, fields)
	}
}

func TestAuditFailOn(t *testing.T) {
	base := []string{"audit", "--config", exampleConfig, "--switch-output", exampleSwitches}
	// Without psn3 the example has no critical finding: dacl-missing
	// (warning) and posture-unclassified (info) remain.
	noPSN3 := []string{"--psn", "10.0.0.11", "--psn", "10.0.0.12"}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"critical finding, --fail-on critical", []string{"--fail-on", "critical"}, exitFindings},
		{"critical finding, --fail-on info", []string{"--fail-on", "info"}, exitFindings},
		{"no --fail-on", nil, exitOK},
		{"warnings only, --fail-on critical", append(noPSN3, "--fail-on", "critical"), exitOK},
		{"warnings only, --fail-on warning", append(noPSN3, "--fail-on", "warning"), exitFindings},
		{"dACL text, --fail-on critical", []string{}, exitFindings},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, base...), tc.args...)
			if strings.HasPrefix(tc.name, "dACL text") {
				args = []string{"audit", "--config", exampleConfig, "--dacl", exampleDACL, "--posture", "compliant", "--fail-on", "critical"}
			}
			code, out, errOut := runCLI(t, args...)
			if code != tc.code || errOut != "" {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.HasPrefix(out, "Audited ") {
				t.Errorf("the findings were not printed:\n%s", out)
			}
		})
	}
}

func TestAuditDACLModes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		keys []string
	}{
		{"unknown posture: the denies block every PSN but psn3", []string{"--posture", "unknown", "--config", exampleConfig},
			[]string{"dacl-blocks-sync|EMPLOYEE_COMPLIANT|10.0.0.11|8449", "dacl-blocks-sync|EMPLOYEE_COMPLIANT|10.0.0.12|8449",
				"dacl-blocks-sync|EMPLOYEE_COMPLIANT|2001:db8::11|8449", "dacl-blocks-sync|EMPLOYEE_COMPLIANT|2001:db8::12|8449"}},
		{"compliant, PSNs from flags on two ports", []string{"--posture", "noncompliant", "--psn", "10.0.0.11", "--psn", "2001:db8::13", "--port", "8449,8905"},
			[]string{"dacl-permits-psn|EMPLOYEE_COMPLIANT|10.0.0.11|8905", "dacl-permits-psn|EMPLOYEE_COMPLIANT|2001:db8::13|8449",
				"dacl-permits-psn|EMPLOYEE_COMPLIANT|2001:db8::13|8905"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, append([]string{"audit", "--dacl", exampleDACL, "--format", "json"}, tc.args...)...)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			doc := decodeAudit(t, out)
			var keys []string
			for _, f := range doc.Findings {
				keys = append(keys, f["key"].(string))
			}
			if !reflect.DeepEqual(keys, tc.keys) || len(doc.Sessions) != 0 || len(doc.ACLs) != 2 {
				t.Errorf("findings %q, %d sessions, %d ACLs", keys, len(doc.Sessions), len(doc.ACLs))
			}
		})
	}
}

func TestAuditBadInput(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "site-a")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	sw1, err := os.ReadFile(filepath.Join(exampleSwitches, "access-sw1.log"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"access-sw1.log": string(sw1), "notes.txt": "ask the ISE team about psn3\n"} {
		if err := os.WriteFile(filepath.Join(folder, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	badConfig := writeFile(t, "bad.yml", []byte("psns:\n  - name: psn1\n    adresses: [10.0.0.11]\n"))
	emptyDACL := writeFile(t, "EMPTY.txt", []byte("\n"))
	v4DACL := writeFile(t, "V4.txt", []byte("deny tcp any host 10.0.0.11 eq 8449\npermit ip any any\n"))
	// A dACL text is read bounded, and a binary one is refused: --dacl
	// /dev/zero read until memory ran out, a binary file printed its bytes
	// as unevaluable entries.
	binaryDACL := writeFile(t, "BIN.txt", []byte("deny tcp any any eq 8449\n\x00\x01\x02"))
	utf16DACL := writeFile(t, "WIDE.txt", []byte("\xff\xfed\x00e\x00n\x00y\x00"))
	hugeDACL := writeFile(t, "HUGE.txt", bytes.Repeat([]byte("deny tcp any host 10.0.0.11 eq 8449\n"), maxDACLText/36+1))

	tests := []struct {
		name       string
		args       []string
		code       int
		stderr     string
		stdoutHas  string
		stdoutNone bool
	}{
		{name: "missing transcript", args: []string{"audit", "--psn", "10.0.0.11", "--switch-output", "/nonexistent/sw9.log"},
			code: exitRuntime, stderr: "syncwatch audit: transcript: stat /nonexistent/sw9.log: no such file or directory", stdoutNone: true},
		{name: "a folder with a file that is not switch output: a warning", args: []string{"audit", "--config", exampleConfig, "--switch-output", folder},
			code: exitOK, stdoutHas: "warning: " + filepath.Join(folder, "notes.txt") + ":1: output not parsed: not a command syncwatch reads"},
		{name: "missing dACL text", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", "/nonexistent/X.txt", "--posture", "compliant"},
			code: exitRuntime, stderr: "syncwatch audit: dACL text: open /nonexistent/X.txt: no such file or directory", stdoutNone: true},
		{name: "binary dACL text", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", binaryDACL, "--posture", "compliant"},
			code: exitRuntime, stderr: "syncwatch audit: dACL text " + binaryDACL + ": offset 25: NUL byte: a binary file (or UTF-16), not a dACL text\n", stdoutNone: true},
		{name: "UTF-16 dACL text", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", utf16DACL, "--posture", "compliant"},
			code: exitRuntime, stderr: "syncwatch audit: dACL text " + utf16DACL + ": offset 3: NUL byte", stdoutNone: true},
		{name: "oversized dACL text", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", hugeDACL, "--posture", "compliant"},
			code: exitRuntime, stderr: "syncwatch audit: dACL text " + hugeDACL + ": larger than 4 MiB: not a dACL\n", stdoutNone: true},
		{name: "an IPv4 dACL text says nothing of an IPv6 PSN: a warning", args: []string{"audit", "--psn", "10.0.0.11,2001:db8::11", "--dacl", v4DACL, "--posture", "compliant"},
			code: exitOK, stdoutHas: "warning: " + v4DACL + ": PSN address 2001:db8::11 not judged: the text holds no ipv6 entries (ISE sends the ipv6 dACL as an object of its own: audit it with --dacl too)\n"},
		{name: "empty dACL text: a warning, no finding", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", emptyDACL, "--posture", "compliant"},
			code: exitOK, stdoutHas: "warning: " + emptyDACL + ": dACL EMPTY has no entries"},
		{name: "bad configuration", args: []string{"audit", "--config", badConfig, "--switch-output", exampleSwitches},
			code: exitUsage, stderr: "syncwatch audit: configuration errors:\n" + badConfig + `:3: unknown key "adresses" in a psns entry (known: addresses, name)`, stdoutNone: true},
		{name: "missing configuration", args: []string{"audit", "--config", "/nonexistent/s.yml", "--switch-output", exampleSwitches},
			code: exitUsage, stderr: "syncwatch audit: config: open /nonexistent/s.yml: no such file or directory", stdoutNone: true},
		{name: "no switch output", args: []string{"audit", "--psn", "10.0.0.11"}, code: exitUsage,
			stderr: "no --switch-output, --config (to read the switches live) or --dacl given", stdoutNone: true},
		{name: "live without credentials", args: []string{"audit", "--config", exampleConfig}, code: exitUsage,
			stderr: "syncwatch audit: configuration errors for live collection (or give --switch-output):\n../../examples/syncwatch.yml: collect: known_hosts is required", stdoutNone: true},
		{name: "no PSN", args: []string{"audit", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: "no PSN to judge against: give --psn ADDR or psns in --config", stdoutNone: true},
		{name: "positional argument", args: []string{"audit", "--psn", "10.0.0.11", exampleSwitches}, code: exitUsage,
			stderr: "unexpected arguments", stdoutNone: true},
		{name: "bad format", args: []string{"audit", "--format", "yaml", "--psn", "10.0.0.11", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: `--format must be text or json, not "yaml"`, stdoutNone: true},
		{name: "bad severity", args: []string{"audit", "--fail-on", "error", "--psn", "10.0.0.11", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: `--fail-on: "error" is not a severity (critical, warning or info)`, stdoutNone: true},
		{name: "bad PSN", args: []string{"audit", "--psn", "psn1", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: `"psn1" is not an IP address`, stdoutNone: true},
		{name: "bad port", args: []string{"audit", "--port", "0", "--psn", "10.0.0.11", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: `"0" is not a TCP port`, stdoutNone: true},
		{name: "--dacl without --posture", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", exampleDACL}, code: exitUsage,
			stderr: "--dacl needs --posture", stdoutNone: true},
		{name: "--posture without --dacl", args: []string{"audit", "--psn", "10.0.0.11", "--posture", "compliant", "--switch-output", exampleSwitches}, code: exitUsage,
			stderr: "--posture applies to --dacl only", stdoutNone: true},
		{name: "--dacl and --switch-output", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", exampleDACL, "--posture", "compliant", "--switch-output", exampleSwitches},
			code: exitUsage, stderr: "give either --dacl or --switch-output", stdoutNone: true},
		{name: "--posture unclassified", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", exampleDACL, "--posture", "unclassified"}, code: exitUsage,
			stderr: `--posture must be compliant, noncompliant, unknown or pending, not "unclassified"`, stdoutNone: true},
		{name: "--posture Compliant", args: []string{"audit", "--psn", "10.0.0.11", "--dacl", exampleDACL, "--posture", "Compliant"}, code: exitUsage,
			stderr: `not "Compliant"`, stdoutNone: true},
		{name: "help", args: []string{"audit", "--help"}, code: exitOK, stdoutHas: "Usage: syncwatch audit"},
		{name: "listed in the commands", args: []string{"--help"}, code: exitOK, stdoutHas: "  audit         judge the switches' dACLs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) || tc.stderr == "" && errOut != "" {
				t.Errorf("stderr %q lacks %q", errOut, tc.stderr)
			}
			if tc.stdoutHas != "" && !strings.Contains(out, tc.stdoutHas) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdoutHas, out)
			}
			if tc.stdoutNone && out != "" {
				t.Errorf("stdout should be empty, got:\n%s", out)
			}
		})
	}
}
