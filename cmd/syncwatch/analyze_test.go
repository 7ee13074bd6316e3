package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runCLI runs syncwatch in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &environment{stdout: &stdout, stderr: &stderr}, args)
	return code, stdout.String(), stderr.String()
}

const example = "../../examples/state-sync.pcapng"

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n%s", path, got)
	}
}

func TestAnalyzeExampleGolden(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := runCLI(t, "analyze", "--format", format, example)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if format == "json" && !json.Valid([]byte(out)) {
				t.Fatalf("invalid JSON:\n%s", out)
			}
			golden(t, "analyze-example."+format, out)
		})
	}
}

// writeFile writes b to a file in a temporary directory.
func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	return writeIn(t, t.TempDir(), name, b)
}

// writeIn writes b to the file name in dir.
func writeIn(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnalyzeBadInput(t *testing.T) {
	good, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	// The example cut in the middle of its 13th block: the frames before it
	// are still classified.
	cut := writeFile(t, "cut.pcapng", good[:1900])
	garbage := writeFile(t, "notes.pcap", []byte("these are my notes, not a capture\n"))
	empty := writeFile(t, "empty.pcap", nil)

	tests := []struct {
		name       string
		args       []string
		code       int
		stderr     []string // substrings
		stdoutHas  string
		stdoutNone bool
	}{
		{name: "truncated file: attempts before the damage, then the error", args: []string{"analyze", "--format", "json", cut},
			code: exitRuntime, stderr: []string{cut + ": offset ", "truncated"}, stdoutHas: `"outcome":"accepted"`},
		{name: "garbage", args: []string{"analyze", garbage}, code: exitRuntime,
			stderr: []string{garbage + ": offset 0: unknown magic 74 68 65 73"}, stdoutNone: true},
		{name: "empty", args: []string{"analyze", empty}, code: exitRuntime, stderr: []string{empty + ": offset 0: empty file"}, stdoutNone: true},
		{name: "missing", args: []string{"analyze", "/nonexistent/x.pcap"}, code: exitRuntime,
			stderr: []string{"open capture file: open /nonexistent/x.pcap: no such file or directory"}, stdoutNone: true},
		{name: "one bad file among good ones: the good one is reported", args: []string{"analyze", example, garbage}, code: exitRuntime,
			stderr: []string{garbage + ": offset 0"}, stdoutHas: "Summary: 8 attempts"},
		{name: "no file", args: []string{"analyze"}, code: exitUsage, stderr: []string{"no capture file given"}, stdoutNone: true},
		{name: "bad format", args: []string{"analyze", "--format", "xml", example}, code: exitUsage, stderr: []string{`--format must be text or json, not "xml"`}, stdoutNone: true},
		{name: "bad port", args: []string{"analyze", "--port", "70000", example}, code: exitUsage, stderr: []string{`"70000" is not a TCP port`}, stdoutNone: true},
		{name: "bad PSN", args: []string{"analyze", "--psn", "psn1.example", example}, code: exitUsage, stderr: []string{`"psn1.example" is not an IP address`}, stdoutNone: true},
		{name: "bad timeout", args: []string{"analyze", "--answer-timeout", "0s", example}, code: exitUsage, stderr: []string{"--answer-timeout must be positive"}, stdoutNone: true},
		{name: "timeout without unit", args: []string{"analyze", "--answer-timeout", "10", example}, code: exitUsage,
			stderr: []string{`invalid value "10" for flag -answer-timeout: "10" has no unit (give one: 10s, 5m)`}, stdoutNone: true},
		{name: "grace of centuries", args: []string{"analyze", "--grace", "2500000h", example}, code: exitUsage,
			stderr: []string{"--answer-timeout and --grace must be at most 24h0m0s"}, stdoutNone: true},
		{name: "unknown flag", args: []string{"analyze", "--colour", example}, code: exitUsage, stderr: []string{"flag provided but not defined: -colour"}, stdoutNone: true},
		{name: "help", args: []string{"analyze", "--help"}, code: exitOK, stdoutHas: "Usage: syncwatch analyze"},
		{name: "watch help", args: []string{"watch", "--help"}, code: exitOK, stdoutHas: "Usage: syncwatch watch"},
		{name: "watch without interface", args: []string{"watch"}, code: exitUsage, stderr: []string{"no --interface given"}, stdoutNone: true},
		{name: "watch snaplen", args: []string{"watch", "--interface", "lo", "--snaplen", "10"}, code: exitUsage, stderr: []string{"snaplen 10 outside 128..65535"}, stdoutNone: true},
		{name: "watch interface twice", args: []string{"watch", "--interface", "lo,lo"}, code: exitUsage, stderr: []string{`interface "lo" listed twice`}, stdoutNone: true},
		{name: "watch metrics port", args: []string{"watch", "--interface", "lo", "--metrics-listen", "127.0.0.1:99999"}, code: exitUsage,
			stderr: []string{`--metrics-listen "127.0.0.1:99999": "99999" is not a TCP port (0-65535)`}, stdoutNone: true},
		{name: "watch log level", args: []string{"watch", "--interface", "lo", "--log-level", "loud"}, code: exitUsage,
			stderr: []string{`--log-level must be debug, info, warn or error, not "loud"`}, stdoutNone: true},
		{name: "unknown command", args: []string{"analyse"}, code: exitUsage, stderr: []string{`unknown command "analyse"`}, stdoutNone: true},
		{name: "top-level help", args: []string{"--help"}, code: exitOK, stdoutHas: "Commands:"},
		{name: "version", args: []string{"version"}, code: exitOK, stdoutHas: "syncwatch " + version + " (go1."},
		{name: "--version", args: []string{"--version"}, code: exitOK, stdoutHas: "syncwatch " + version + " (go1."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr %q lacks %q", errOut, s)
				}
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

// TestAnalyzeTruncatedJSONValid checks that what a damaged file yields is
// still one valid JSON document naming the damage.
func TestAnalyzeTruncatedJSONValid(t *testing.T) {
	good, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	cut := writeFile(t, "cut.pcapng", good[:1900])
	_, out, _ := runCLI(t, "analyze", "--format", "json", cut)
	var doc struct {
		Attempts []json.RawMessage `json:"attempts"`
		Stats    struct {
			Files []struct {
				File  string  `json:"file"`
				Error *string `json:"error"`
			} `json:"files"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, out)
	}
	if len(doc.Attempts) == 0 || len(doc.Stats.Files) != 1 || doc.Stats.Files[0].Error == nil ||
		!strings.Contains(*doc.Stats.Files[0].Error, "offset") {
		t.Errorf("attempts %d, files %+v", len(doc.Attempts), doc.Stats.Files)
	}
}
