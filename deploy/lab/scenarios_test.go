package lab

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

// scenarioFiles holds each dACL's IOS text (NAME.dacl, as ISE stores it)
// next to the nftables rules written by hand that implement it on the
// switch (NAME.nft), and the switch's URL-redirect ACL (REDIRECT_POSTURE.acl).
//
//go:embed scenarios
var scenarioFiles embed.FS

// dacl is one downloadable ACL of the lab.
type dacl struct {
	// base is the name ISE shows, full the name the switch lists
	// (xACSACLx-IP-<base>-<version>).
	base, full string
	text       string // IOS entries, as ISE stores them
	nft        string // the hand-written nftables rules
	// answers says whether a deny answers with ICMP admin-prohibited
	// (the switch's rules reject) or stays silent (they drop).
	answers bool
}

// The lab's dACLs and redirect ACL.
const (
	daclEmployee   = "EMPLOYEE_COMPLIANT"
	daclContractor = "CONTRACTOR_COMPLIANT"
	daclRedirect   = "POSTURE_REDIRECT"
	daclBranch     = "BRANCH_REDIRECT"
	redirectACL    = "REDIRECT_POSTURE"
)

// daclVersions are the version suffixes ISE would give the dACLs.
var daclVersions = map[string]string{
	daclEmployee:   "1e000001",
	daclContractor: "2c000002",
	daclRedirect:   "3a000003",
	daclBranch:     "4b000004",
}

// loadDACLs reads every dACL of the scenarios folder.
func loadDACLs(t *testing.T) map[string]*dacl {
	t.Helper()
	m := map[string]*dacl{}
	for base, version := range daclVersions {
		text, err := scenarioFiles.ReadFile("scenarios/" + base + ".dacl")
		if err != nil {
			t.Fatal(err)
		}
		nft, err := scenarioFiles.ReadFile("scenarios/" + base + ".nft")
		if err != nil {
			t.Fatal(err)
		}
		m[base] = &dacl{
			base: base, full: "xACSACLx-IP-" + base + "-" + version,
			text: string(text), nft: string(nft),
			answers: strings.Contains(string(nft), "reject with icmp type admin-prohibited"),
		}
	}
	return m
}

// redirectText returns the switch's URL-redirect ACL entries.
func redirectText(t *testing.T) string {
	t.Helper()
	b, err := scenarioFiles.ReadFile("scenarios/" + redirectACL + ".acl")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// applyDACL enforces d on the endpoint's port: the port's chain is
// replaced by d's hand-written rules in one nftables transaction.
func (l *lab) applyDACL(e *endpoint, d *dacl) {
	l.t.Helper()
	l.sw.Nft(fmt.Sprintf("flush chain inet dacl port-%[1]s\ntable inet dacl {\n\tchain port-%[1]s {\n%[2]s\n\t}\n}\n", e.port, d.nft))
}

// listing returns an ACL's text as show ip access-lists prints it, under
// its header: entries numbered by ten, remarks left out (a switch does not
// list a dACL's remarks).
func listing(name string, perUser bool, text string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Extended IP access list %s", name)
	if perUser {
		b.WriteString(" (per-user)")
	}
	b.WriteString("\n")
	seq := 0
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "remark") {
			continue
		}
		seq += 10
		fmt.Fprintf(&b, "    %d %s\n", seq, line)
	}
	return b.String()
}

// verdict is syncwatch's ACL evaluator's answer for a state-sync SYN from
// an endpoint to a PSN under a dACL.
func verdict(t *testing.T, d *dacl, from, to netip.Addr) acl.Result {
	t.Helper()
	a, errs := acl.ParseDACL(d.full, acl.IPv4, d.text)
	if len(errs) > 0 {
		t.Fatalf("dACL %s: %v", d.base, errs)
	}
	return a.Evaluate(acl.Packet{Src: from, Dst: to, Proto: 6, DstPort: StatePort, Flags: acl.SYN})
}

// consistent reports whether what the real packets met (a probe's result)
// is what an ACL verdict predicts: a permitted SYN reaches the PSN
// (connected, or refused where nothing listens), a denied one is dropped
// (timeout) or rejected (prohibited) as the switch's rules answer.
func consistent(v acl.Verdict, answers bool, result string) bool {
	switch v {
	case acl.Permitted:
		return result == resultConnected || result == resultRefused
	case acl.Denied:
		if answers {
			return result == resultProhibited
		}
		return result == resultTimeout
	}
	return false
}

// TestScenarioFiles checks, without root, that every dACL text parses,
// that its nftables file has one rule per entry, each under the entry it
// implements as a comment, and that each is used by the lab.
func TestScenarioFiles(t *testing.T) {
	for base, d := range loadDACLs(t) {
		a, errs := acl.ParseDACL(d.full, acl.IPv4, d.text)
		if len(errs) > 0 {
			t.Errorf("%s.dacl: %v", base, errs)
			continue
		}
		var entries []string
		for _, e := range a.Entries {
			if e.Action == acl.Permit || e.Action == acl.Deny {
				entries = append(entries, e.String())
			}
		}
		var comments, rules []string
		for _, line := range strings.Split(d.nft, "\n") {
			line = strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(line, "# permit ") || strings.HasPrefix(line, "# deny "):
				comments = append(comments, strings.TrimPrefix(line, "# "))
			case line != "" && !strings.HasPrefix(line, "#"):
				rules = append(rules, line)
			}
		}
		if strings.Join(comments, "\n") != strings.Join(entries, "\n") {
			t.Errorf("%s.nft: entries in comments\n%s\nwant those of %s.dacl\n%s", base, strings.Join(comments, "\n"), base, strings.Join(entries, "\n"))
		}
		if len(rules) != len(entries) {
			t.Errorf("%s.nft: %d rules for %d entries", base, len(rules), len(entries))
		}
	}
}

// ruleCounters returns the packet counters of the rules of an endpoint
// port's chain, in order: one per permit or deny entry of its dACL.
func (l *lab) ruleCounters(e *endpoint) ([]uint64, error) {
	out, err := l.sw.Exec("nft", "-j", "list", "chain", "inet", "dacl", "port-"+e.port)
	if err != nil {
		return nil, fmt.Errorf("nft list chain port-%s: %w: %s", e.port, err, out)
	}
	var doc struct {
		Nftables []struct {
			Rule *struct {
				Expr []map[string]json.RawMessage `json:"expr"`
			} `json:"rule"`
		} `json:"nftables"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		return nil, fmt.Errorf("nft list chain port-%s: %w", e.port, err)
	}
	var counters []uint64
	for _, item := range doc.Nftables {
		if item.Rule == nil {
			continue
		}
		var packets uint64
		found := false
		for _, x := range item.Rule.Expr {
			if raw, ok := x["counter"]; ok {
				var c struct {
					Packets uint64 `json:"packets"`
				}
				if err := json.Unmarshal(raw, &c); err != nil {
					return nil, err
				}
				packets, found = c.Packets, true
			}
		}
		if !found {
			return nil, fmt.Errorf("port-%s: a rule without a counter", e.port)
		}
		counters = append(counters, packets)
	}
	return counters, nil
}

// decidingEntry returns the position, among the permit and deny entries of
// the dACL, of the entry syncwatch's evaluator says decides a SYN; -1 for
// the implicit deny.
func decidingEntry(t *testing.T, d *dacl, from, to netip.Addr) int {
	t.Helper()
	a, errs := acl.ParseDACL(d.full, acl.IPv4, d.text)
	if len(errs) > 0 {
		t.Fatalf("dACL %s: %v", d.base, errs)
	}
	r := a.Evaluate(acl.Packet{Src: from, Dst: to, Proto: 6, DstPort: StatePort, Flags: acl.SYN})
	n := 0
	for i := range a.Entries {
		e := &a.Entries[i]
		if e.Action != acl.Permit && e.Action != acl.Deny {
			continue
		}
		if r.Entry != nil && e.Seq == r.Entry.Seq {
			return n
		}
		n++
	}
	return -1
}
