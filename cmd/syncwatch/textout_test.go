package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLineTrimmer(t *testing.T) {
	in := "a  b   \nveth-p     \n   \n\t x\t \n  \nend  "
	want := "a  b\nveth-p\n\n\t x\n\nend"
	for _, chunk := range []int{len(in), 1, 2, 3, 5} {
		var out bytes.Buffer
		w := newLineTrimmer(&out)
		for i := 0; i < len(in); i += chunk {
			part := in[i:min(i+chunk, len(in))]
			if n, err := w.Write([]byte(part)); n != len(part) || err != nil {
				t.Fatalf("chunk %d: Write = %d, %v", chunk, n, err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("chunk %d:\n got %q\nwant %q", chunk, out.String(), want)
		}
	}
}

// TestAnalyzeTextNoTrailingSpace checks every line of the text output,
// attempts with and without notes, summary and findings.
func TestAnalyzeTextNoTrailingSpace(t *testing.T) {
	pcap := filepath.Join(t.TempDir(), "handshakes.pcap")
	writeHandshakes(t, pcap)
	for _, args := range [][]string{
		{"analyze", example},
		{"analyze", "--config", "../../examples/syncwatch.yml", "--switch-output", "../../examples/switches", pcap},
	} {
		code, out, errOut := runCLI(t, args...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		for i, line := range strings.Split(out, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Errorf("%v: line %d ends in whitespace: %q", args, i+1, line)
			}
		}
	}
}

// TestAnalyzeSynopsis checks that analyze's usage line lists every flag
// and only those, and that the README shows the same synopsis and no flag
// analyze does not have.
func TestAnalyzeSynopsis(t *testing.T) {
	code, help, _ := runCLI(t, "analyze", "--help")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	usage, _, _ := strings.Cut(help, "\n")
	if want := "Usage: syncwatch analyze " + analyzeSynopsis; usage != want {
		t.Errorf("usage line\n got %q\nwant %q", usage, want)
	}
	var defined []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(help, -1) {
		defined = append(defined, m[1])
	}
	flagRE := regexp.MustCompile(`--([a-z][a-z-]*)`)
	var listed []string
	for _, m := range flagRE.FindAllStringSubmatch(analyzeSynopsis, -1) {
		listed = append(listed, m[1])
	}
	want := []string{"answer-timeout", "config", "fail-on", "format", "grace", "max-attempts", "port", "psn", "switch-output"}
	slices.Sort(defined)
	if !slices.Equal(defined, want) {
		t.Errorf("flags defined %v, want %v", defined, want)
	}
	slices.Sort(listed)
	if !slices.Equal(listed, defined) {
		t.Errorf("synopsis lists %v, the flags are %v", listed, defined)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if line := "\n    syncwatch analyze " + analyzeSynopsis + "\n"; !strings.Contains(string(readme), line) {
		t.Errorf("README lacks the synopsis %q", line)
	}
	shown := 0
	for _, line := range strings.Split(string(readme), "\n") {
		_, cmd, ok := strings.Cut(line, "syncwatch analyze ")
		if !ok || !strings.HasPrefix(line, "    ") {
			continue
		}
		shown++
		for _, m := range flagRE.FindAllStringSubmatch(cmd, -1) {
			if !slices.Contains(defined, m[1]) {
				t.Errorf("README shows analyze --%s, which analyze does not have: %q", m[1], line)
			}
		}
	}
	if shown < 3 {
		t.Errorf("found %d analyze command lines in the README, want at least 3", shown)
	}
}
