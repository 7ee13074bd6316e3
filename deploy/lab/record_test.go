package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// analyzeFile runs `syncwatch analyze --format json` on a capture and
// returns its attempts by client and client port.
func analyzeFile(ctx context.Context, bin, pcap string, psns []string) (map[attemptKey]attempt, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	args := []string{"analyze", "--format", "json", "--answer-timeout", answerTimeout.String()}
	for _, p := range psns {
		args = append(args, "--psn", p)
	}
	out, err := exec.CommandContext(ctx, bin, append(args, pcap)...).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("syncwatch analyze %s: %w: %s", pcap, err, stderr)
	}
	var doc struct {
		Attempts []attempt `json:"attempts"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("syncwatch analyze %s: %w", pcap, err)
	}
	m := map[attemptKey]attempt{}
	for _, a := range doc.Attempts {
		m[attemptKey{a.Client, a.ClientPort}] = a
	}
	return m, nil
}

// compareOutcomes checks that a capture file's analysis has exactly one
// attempt per try, to the same PSN, with the outcome the real packets had.
// An unanswered attempt may be incomplete: at the end of the file its
// answer timeout had not passed.
func compareOutcomes(t *testing.T, tries []probe, got map[attemptKey]attempt) {
	t.Helper()
	for _, p := range tries {
		a, ok := got[attemptKey{p.Endpoint, p.LocalPort}]
		if !ok {
			t.Errorf("%s:%d -> %s (%s): no attempt", p.Endpoint, p.LocalPort, p.PSN, p.Result)
			continue
		}
		if a.PSN != p.PSN || a.Outcome != outcomeOf(p.Result) || a.Incomplete && a.Outcome != "unanswered" {
			t.Errorf("%s:%d -> %s: agent saw %s; analyze says %+v", p.Endpoint, p.LocalPort, p.PSN, p.Result, a)
		}
	}
	if len(got) != len(tries) {
		t.Errorf("analyze found %d attempts for %d tries", len(got), len(tries))
	}
}

// recording is what -record writes.
type recording struct {
	span          string  // the SPAN capture
	before, after string  // the switch's transcripts before and after the run
	config        string  // the configuration (the lab's three PSNs)
	tries         []probe // every try of every agent
	summary       string  // what each endpoint did, for the folder's README
}

// writeRecording writes a run into dir: span.pcap, switches/lab-sw1.log
// (the switch read at the end of the run: what a judge of the whole
// capture needs, ep3's faulty dACL and ep5 compliant), before/lab-sw1.log
// (read before the traffic), syncwatch.yml, probes.jsonl and a README.md,
// so that
// examples/lab can be made again with
//
//	go test ./deploy/lab -run TestLab -record examples/lab
//
// It is never run in CI.
func writeRecording(dir string, r recording) error {
	for _, sub := range []string{"switches", "before"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	copies := map[string]string{
		r.span:   "span.pcap",
		r.before: filepath.Join("before", switchName+".log"),
		r.after:  filepath.Join("switches", switchName+".log"),
		r.config: "syncwatch.yml",
	}
	for from, to := range copies {
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o644); err != nil {
			return err
		}
	}
	tries := slices.Clone(r.tries)
	slices.SortStableFunc(tries, func(a, b probe) int { return a.Time.Compare(b.Time) })
	var b strings.Builder
	for _, p := range tries {
		j, err := json.Marshal(p)
		if err != nil {
			return err
		}
		b.Write(j)
		b.WriteString("\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "probes.jsonl"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	readme := fmt.Sprintf(`# A run of the network lab, with faults

Recorded by `+"`go test ./deploy/lab -run TestLab -record DIR`"+` (as root; see the README's
"The lab" section). Real frames from real Linux TCP stacks: the switch namespace
mirrored its endpoint ports, both directions, before its nftables dACLs, to the
SPAN link, where tcpdump wrote span.pcap. The transcripts were read over SSH
from the lab switch (OpenSSH, IOS emulator) at the end of the run (switches/:
ep3 got the faulty dACL and ep5 turned compliant during the run) and before
the traffic (before/).

| file | what |
|---|---|
| span.pcap | the SPAN capture (TCP 8449 and ICMP, 256 bytes a frame) |
| switches/%[1]s.log | the switch at the end of the run: sessions, ACL listings, device tracking |
| before/%[1]s.log | the same before the traffic |
| syncwatch.yml | the configuration: the lab's PSNs and switch |
| probes.jsonl | every try of every endpoint's agent, with what came back |

What the endpoints did:

%[2]s
Try it (only Go needed, no root):

    go run ./cmd/syncwatch analyze --psn 10.67.1.11 --psn 10.67.2.12 --psn 10.67.3.13 --answer-timeout 3s examples/lab/span.pcap
    go run ./cmd/syncwatch audit --config examples/lab/syncwatch.yml --switch-output examples/lab/switches
`, switchName, r.summary)
	return os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme), 0o644)
}

// TestLabExample checks the recorded lab run in examples/lab, without
// root: analyze finds exactly the agents' tries with the outcomes they
// had, and the audit of the switch's transcript the two faulty dACLs.
func TestLabExample(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "lab")
	if _, err := os.Stat(filepath.Join(dir, "span.pcap")); err != nil {
		t.Skipf("no recorded lab run in %s", dir)
	}
	bin := buildSyncwatch(t)
	tries, err := readProbes(filepath.Join(dir, "probes.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := analyzeFile(ctx, bin, filepath.Join(dir, "span.pcap"), []string{"10.67.1.11", "10.67.2.12", "10.67.3.13"})
	if err != nil {
		t.Fatal(err)
	}
	compareOutcomes(t, tries, got)
	findings, err := audit(ctx, bin, filepath.Join(dir, "syncwatch.yml"), filepath.Join(dir, "switches"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range findings {
		keys = append(keys, f.Key)
	}
	want := []string{
		"dacl-permits-psn|xACSACLx-IP-" + daclContractor + "-" + daclVersions[daclContractor] + "|10.67.2.12|8449",
		"dacl-blocks-sync|xACSACLx-IP-" + daclBranch + "-" + daclVersions[daclBranch] + "|10.67.1.11|8449",
	}
	slices.Sort(keys)
	slices.Sort(want)
	if !slices.Equal(keys, want) {
		t.Errorf("audit of %s: %v, want %v", dir, keys, want)
	}
}
