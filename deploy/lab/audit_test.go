package lab

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
)

//go:embed syncwatch.yml.tmpl
var configTemplate string

// configPSN is a PSN as the configuration names it.
type configPSN struct {
	Name string
	Addr netip.Addr
}

// configData fills syncwatch.yml.tmpl.
type configData struct {
	PSNs []configPSN
	// Daemon adds the sections of syncwatch run; the fields below are
	// theirs. Live reads the switch with the SSH collector (collect:
	// and the switch's ssh:), else the daemon reads Transcripts.
	Daemon          bool
	Live            bool
	Transcripts     string
	Span            string
	AnswerTimeout   time.Duration
	Alertmanagers   []string
	Listen          string
	DataDir         string
	SSHUser         string
	SSHPasswordFile string
	KnownHosts      string
}

// newPSN is the PSN scenario 7 adds to the configuration but to no dACL.
var newPSN = configPSN{"psn4", netip.MustParseAddr("10.67.4.14")}

// writeConfig renders the lab's configuration into path.
func writeConfig(path string, d configData) error {
	tmpl, err := template.New("syncwatch.yml").Option("missingkey=error").Parse(configTemplate)
	if err != nil {
		return fmt.Errorf("config template: %w", err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, d); err != nil {
		return fmt.Errorf("config template: %w", err)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// labPSNs are the lab's PSNs as the configuration names them.
func (l *lab) labPSNs() []configPSN {
	var ps []configPSN
	for _, p := range l.psns {
		ps = append(ps, configPSN{p.name, p.addr})
	}
	return ps
}

// auditFinding is the part of an audit finding the lab checks.
type auditFinding struct {
	Kind       string `json:"kind"`
	Key        string `json:"key"`
	ACL        string `json:"acl"`
	ACLLine    string `json:"acl_line"`
	ACLLineSeq *int   `json:"acl_line_seq"`
	PSN        string `json:"psn"`
	PSNName    string `json:"psn_name"`
	Posture    string `json:"posture"`
	Count      int    `json:"count"`
	Sessions   []struct {
		Switch      string `json:"switch"`
		Interface   string `json:"interface"`
		EndpointIP  string `json:"endpoint_ip"`
		EndpointMAC string `json:"endpoint_mac"`
	} `json:"sessions"`
}

// audit runs `syncwatch audit --config CONFIG --switch-output TRANSCRIPT
// --format json`, as an unprivileged user needs nothing more, and returns
// its findings.
func audit(ctx context.Context, bin, config, transcript string) ([]auditFinding, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "audit", "--config", config, "--switch-output", transcript, "--format", "json")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		return nil, fmt.Errorf("syncwatch audit: %w: %s", err, stderr)
	}
	var doc struct {
		Sessions []json.RawMessage `json:"sessions"`
		Findings []auditFinding    `json:"findings"`
		Warnings []json.RawMessage `json:"warnings"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, fmt.Errorf("syncwatch audit: %w", err)
	}
	if len(doc.Warnings) > 0 || len(doc.Sessions) == 0 {
		return nil, fmt.Errorf("syncwatch audit read %d sessions, warnings %s", len(doc.Sessions), doc.Warnings)
	}
	return doc.Findings, nil
}

// wantFinding is an audit finding the lab expects: its key, the deciding
// entry and the endpoints it names.
type wantFinding struct {
	key       string
	aclLine   string
	seq       int // 0: the implicit deny
	endpoints []string
}

// checkAudit compares the audit's findings with the expected ones,
// exactly: the same keys, deciding entries and sessions (switch, port,
// real address and MAC of each endpoint).
func checkAudit(t *testing.T, l *lab, got []auditFinding, want []wantFinding) {
	t.Helper()
	byName := map[string]*endpoint{}
	for _, e := range l.endpoints {
		byName[e.name] = e
	}
	var gotKeys, wantKeys []string
	for _, f := range got {
		gotKeys = append(gotKeys, f.Key)
	}
	for _, w := range want {
		wantKeys = append(wantKeys, w.key)
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("audit findings\n%s\nwant\n%s", strings.Join(gotKeys, "\n"), strings.Join(wantKeys, "\n"))
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(f auditFinding) bool { return f.Key == w.key })
		if i < 0 {
			continue
		}
		f := got[i]
		seq := 0
		if f.ACLLineSeq != nil {
			seq = *f.ACLLineSeq
		}
		if f.ACLLine != w.aclLine || seq != w.seq || f.Count != len(w.endpoints) || len(f.Sessions) != len(w.endpoints) {
			t.Errorf("%s: entry %d %q, %d sessions; want entry %d %q, %d sessions", w.key, seq, f.ACLLine, f.Count, w.seq, w.aclLine, len(w.endpoints))
			continue
		}
		for j, name := range w.endpoints {
			e, s := byName[name], f.Sessions[j]
			if s.Switch != switchName || s.Interface != e.ifname || s.EndpointIP != e.addr.String() || s.EndpointMAC != e.mac.String() {
				t.Errorf("%s: session %+v, want %s on %s (%s, %s)", w.key, s, name, e.ifname, e.addr, e.mac)
			}
		}
	}
}

// The audit's expectations, by hand. Before any traffic, with the lab's
// three PSNs: scenario 2's faulty dACL (scenario 6's endpoint has it from
// the start) permits PSN2 (entry 30 of the listing),
// scenario 4's blocks PSN1 (its deny ip any any).
func wantAuditBefore(dacls map[string]*dacl) []wantFinding {
	return []wantFinding{
		{"dacl-permits-psn|" + dacls[daclContractor].full + "|10.67.2.12|8449", "permit ip any any", 30, []string{"ep6"}},
		{"dacl-blocks-sync|" + dacls[daclBranch].full + "|10.67.1.11|8449", "deny ip any any", 40, []string{"ep4"}},
	}
}

// wantAuditNewPSN is scenario 7: psn4 added to the configuration and to no
// dACL. Both compliant dACLs permit it, both posture dACLs block it.
func wantAuditNewPSN(dacls map[string]*dacl) []wantFinding {
	return append(wantAuditBefore(dacls),
		wantFinding{"dacl-permits-psn|" + dacls[daclEmployee].full + "|10.67.4.14|8449", "permit ip any any", 40, []string{"ep1", "ep3"}},
		wantFinding{"dacl-permits-psn|" + dacls[daclContractor].full + "|10.67.4.14|8449", "permit ip any any", 30, []string{"ep6"}},
		wantFinding{"dacl-blocks-sync|" + dacls[daclRedirect].full + "|10.67.4.14|8449", "deny ip any any", 50, []string{"ep2", "ep5"}},
		wantFinding{"dacl-blocks-sync|" + dacls[daclBranch].full + "|10.67.4.14|8449", "deny ip any any", 40, []string{"ep4"}},
	)
}

// wantAuditAfter is the audit after the run: ep3 has scenario 2's faulty
// dACL too, ep5 the correct compliant one.
func wantAuditAfter(dacls map[string]*dacl) []wantFinding {
	return []wantFinding{
		{"dacl-permits-psn|" + dacls[daclContractor].full + "|10.67.2.12|8449", "permit ip any any", 30, []string{"ep3", "ep6"}},
		{"dacl-blocks-sync|" + dacls[daclBranch].full + "|10.67.1.11|8449", "deny ip any any", 40, []string{"ep4"}},
	}
}
