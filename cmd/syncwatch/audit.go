package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/config"
)

const auditDescription = `Judge the switches' configuration before any traffic: for every session in the saved switch
output, evaluate its dACL first-match (implicit deny at the end) against a TCP SYN from the
session's address to every PSN address on every state-sync port.

  compliant / noncompliant sessions: the dACL must deny the SYN       else dacl-permits-psn (critical)
  unknown / pending sessions: the dACL must permit it, and the URL
    redirect ACL must not match it (a redirect "permit" sends the
    SYN to the switch instead of the PSN)                             else dacl-blocks-sync (warning)
  an ACL a session names is missing from the output                   dacl-missing (warning)
  a verdict syncwatch cannot know (object-group, FQDN, ...)           dacl-unevaluable (warning)
  a dACL base name no posture rule classifies                         posture-unclassified (info)

A session's posture comes from the posture rules of --config (default: a dACL base name matching
(?i)non.?compliant is noncompliant, (?i)compliant compliant; a URL redirect is unknown; anything
else is unclassified and expected nothing of). One finding per ACL, PSN and port lists every
session it affects, and says what to fix.

--switch-output takes saved terminal sessions (prompt, command and output, any number of
commands and switches per file, as a terminal logger saves them) or bare command outputs (the
file's name then names the switch), files or folders: show access-session [interface X] details
(or show authentication sessions ... details), show ip access-lists, show ipv6 access-list, and,
for sessions whose address is Unknown, show device-tracking database or show ip arp.

With --config and no --switch-output, read the configured switches live over SSH first (as
syncwatch collect does, with the collect section's settings and credentials); a switch that cannot
be read is a warning, the others are audited, and the exit code is 1.

With --dacl, judge a dACL's text as ISE stores it (one entry per line) before pushing it, for
sessions in the --posture given; entries are named by their line in FILE.

Exit codes: 0 ok, 1 a file could not be read, 2 usage or configuration error, 3 a finding at or
above --fail-on.`

func runAudit(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "audit",
		"--config FILE [--psn ADDR]... [--port N]... [--format text|json] [--fail-on SEVERITY]   (reads the switches live)\n"+
			"       syncwatch audit [--config FILE] [--switch-output PATH]... [--psn ADDR]... [--port N]... [--format text|json] [--fail-on SEVERITY]\n"+
			"       syncwatch audit --dacl FILE --posture compliant|noncompliant|unknown|pending --psn ADDR... [--port N]... [--format text|json] [--fail-on SEVERITY]",
		auditDescription)
	configFile := fs.String("config", "", "configuration `file` (YAML): PSNs, ports, posture rules (see examples/syncwatch.yml)")
	var outputs stringList
	fs.Var(&outputs, "switch-output", "saved switch output: a transcript `file` or a folder of them; repeat for several")
	var psns addrList
	fs.Var(&psns, "psn", "PSN `address` (IPv4 or IPv6); repeat for several. Replaces the config's PSNs (their names are kept)")
	var ports portList
	fs.Var(&ports, "port", "state-sync `port`; repeat for several. Replaces the config's ports (default 8449)")
	format := fs.String("format", "text", "output `format`: text (one line per finding, for people) or json (for machines)")
	failOn := fs.String("fail-on", "", "exit with code 3 when a finding of this `severity` or above exists: info, warning or critical")
	daclFile := fs.String("dacl", "", "judge this dACL text `file` (as ISE stores it) instead of switch output")
	posture := fs.String("posture", "", "with --dacl: the `posture` of the sessions that get the dACL: compliant, noncompliant, unknown or pending")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q (switch output is given with --switch-output)", fs.Args())
	}
	if *format != "text" && *format != "json" {
		return usagef("--format must be text or json, not %q", *format)
	}
	var threshold alerts.Severity
	if *failOn != "" {
		s, err := alerts.ParseSeverity(*failOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		threshold = s
	}
	var p collectors.Posture
	switch {
	case *daclFile != "" && len(outputs) > 0:
		return usagef("--dacl judges a dACL text alone: give either --dacl or --switch-output")
	case *daclFile != "" && *posture == "":
		return usagef("--dacl needs --posture: the posture of the sessions that get the dACL")
	case *daclFile == "" && *posture != "":
		return usagef("--posture applies to --dacl only: a session's posture comes from the posture rules")
	case *daclFile == "" && len(outputs) == 0 && *configFile == "":
		return usagef("no --switch-output, --config (to read the switches live) or --dacl given (try syncwatch audit --help)")
	case *daclFile != "":
		v, err := collectors.ParsePosture(*posture)
		if err != nil || v == collectors.PostureUnclassified {
			return usagef("--posture must be compliant, noncompliant, unknown or pending, not %q", *posture)
		}
		p = v
	}

	var cfg *config.Config
	if *configFile != "" {
		c, err := loadConfig(*configFile)
		if err != nil {
			return err
		}
		cfg = c
	}
	ac := alerts.AuditConfig{PSNs: auditPSNs(cfg, psns), Ports: dedupePorts(ports), Rules: cfg.PostureRules()}
	if len(ports) == 0 {
		ac.Ports = cfg.PortList()
	}
	if len(ac.PSNs) == 0 {
		return usagef("no PSN to judge against: give --psn ADDR or psns in --config")
	}

	rep := auditReport{cfg: ac, sessions: []collectors.SessionJSON{}, acls: []collectors.ACLJSON{}}
	var liveErr error
	switch {
	case *daclFile != "":
		if err := rep.judgeDACL(*daclFile, p); err != nil {
			return err
		}
	case len(outputs) == 0:
		// No saved output: read the configured switches now.
		if err := cfg.CheckCollect(); err != nil {
			return usageError{fmt.Errorf("configuration errors for live collection (or give --switch-output):\n%w", err)}
		}
		var err error
		if liveErr, err = rep.readLive(ctx, cfg); err != nil {
			return err
		}
	default:
		if err := rep.readSwitches(ctx, outputs); err != nil {
			return err
		}
	}
	var err error
	if *format == "json" {
		err = rep.writeJSON(env.stdout)
	} else {
		err = rep.writeText(env.stdout)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if liveErr != nil {
		// The report covers the switches that answered; the others are
		// its warnings, and the audit is incomplete.
		return fmt.Errorf("not every switch could be read: %w", liveErr)
	}
	if threshold != "" {
		n := 0
		for _, f := range rep.findings {
			if f.Severity.Rank() >= threshold.Rank() {
				n++
			}
		}
		if n > 0 {
			return findingsError{n}
		}
	}
	return nil
}

// auditPSNs returns the PSNs to judge: the --psn addresses (named as the
// config names them) when given, else the config's.
func auditPSNs(cfg *config.Config, flags addrList) []alerts.PSN {
	var out []alerts.PSN
	if len(flags) > 0 {
		seen := map[netip.Addr]bool{}
		for _, a := range flags {
			if !seen[a] {
				seen[a] = true
				out = append(out, alerts.PSN{Name: cfg.PSNName(a), Addrs: []netip.Addr{a}})
			}
		}
		return out
	}
	if cfg == nil {
		return nil
	}
	for _, p := range cfg.PSNs {
		ps := alerts.PSN{Name: p.Name}
		for _, a := range p.Addresses {
			ps.Addrs = append(ps.Addrs, netip.Addr(a))
		}
		out = append(out, ps)
	}
	return out
}

// auditReport is what audit prints.
type auditReport struct {
	cfg      alerts.AuditConfig
	subject  string // what was judged, for the text header
	sessions []collectors.SessionJSON
	acls     []collectors.ACLJSON
	findings []alerts.Finding
	warnings []collectors.Warning
}

func (r *auditReport) readSwitches(ctx context.Context, paths []string) error {
	snap, ws, err := readTranscripts(ctx, paths)
	if err != nil {
		return err
	}
	r.warnings = ws
	r.judge(snap)
	return nil
}

// readLive polls the configured switches once and judges what they said;
// the switches that failed are warnings and the returned pollErr.
func (r *auditReport) readLive(ctx context.Context, cfg *config.Config) (pollErr error, err error) {
	c, inv, err := newLiveCollector(cfg, nil, false)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	pollErr = c.PollOnce(ctx)
	r.warnings = append(r.warnings, switchesNotRead(c.Health())...)
	r.judge(inv.Snapshot())
	return pollErr, nil
}

// switchesNotRead is a warning for each switch a poll could not read, named
// ssh://SWITCH.
func switchesNotRead(health []live.SwitchHealth) []collectors.Warning {
	var out []collectors.Warning
	for _, h := range health {
		if !h.Up {
			msg := h.Error
			if msg == "" {
				msg = "not polled"
			}
			out = append(out, collectors.Warning{File: "ssh://" + h.Name, Message: "switch not read: " + msg})
		}
	}
	return out
}

// judge audits a snapshot into the report.
func (r *auditReport) judge(snap *collectors.Snapshot) {
	nacls := 0
	for _, sw := range snap.Switches() {
		for i := range sw.Sessions {
			r.sessions = append(r.sessions, sw.Sessions[i].JSON(r.cfg.Rules))
		}
		for _, a := range sw.ACLs {
			r.acls = append(r.acls, a.JSON())
		}
		nacls += len(sw.ACLs)
	}
	r.findings = alerts.Audit(snap, r.cfg)
	r.subject = fmt.Sprintf("%s on %s (%s)", plural(len(r.sessions), "session"), plural(len(snap.Switches()), "switch"), plural(nacls, "ACL"))
}

func (r *auditReport) judgeDACL(path string, p collectors.Posture) error {
	text, err := readDACLText(path)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	acls, ws := collectors.DACLFromText(path, name, text)
	r.warnings = ws
	var fams []string
	has := map[acl.Family]bool{}
	for _, a := range acls {
		r.acls = append(r.acls, a.JSON())
		fams = append(fams, a.Family.String())
		has[a.Family] = true
	}
	if len(acls) > 0 {
		// ISE downloads an IPv6 dACL as an object of its own: a text of
		// one family says nothing of the other family's PSN addresses.
		for _, psn := range r.cfg.PSNs {
			for _, ip := range psn.Addrs {
				if fam := acl.FamilyOf(ip); !has[fam] {
					r.warnings = append(r.warnings, collectors.Warning{File: path, Message: fmt.Sprintf(
						"PSN address %s not judged: the text holds no %s entries (ISE sends the %s dACL as an object of its own: audit it with --dacl too)", ip, fam, fam)})
				}
			}
		}
	}
	r.findings = alerts.AuditDACL(acls, p, r.cfg)
	if len(fams) == 0 {
		fams = []string{"no entries"}
	}
	r.subject = fmt.Sprintf("dACL %s (%s, %s) for %s sessions", name, path, strings.Join(fams, " and "), p)
	return nil
}

// maxDACLText bounds a dACL text: ISE's largest dACLs are a few thousand
// entries, far below it.
const maxDACLText = 4 << 20

// readDACLText reads a dACL text file, refusing what cannot be one: a file
// larger than maxDACLText (a device such as /dev/zero would otherwise be
// read until memory runs out) or a binary file (a NUL byte; a text saved as
// UTF-16 too).
func readDACLText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("dACL text: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDACLText+1))
	if err != nil {
		return "", fmt.Errorf("dACL text %s: %w", path, err)
	}
	if len(data) > maxDACLText {
		return "", fmt.Errorf("dACL text %s: larger than %d MiB: not a dACL", path, maxDACLText>>20)
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", fmt.Errorf("dACL text %s: offset %d: NUL byte: a binary file (or UTF-16), not a dACL text", path, i)
	}
	return string(data), nil
}

// writeJSON prints {"sessions", "acls", "findings", "warnings"}, one
// element per line.
func (r *auditReport) writeJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // actions quote ISE menu paths: "Policy > Policy Elements"
	list := func(name string, n int, item func(i int) any, last bool) error {
		fmt.Fprintf(bw, "%q: [", name)
		for i := 0; i < n; i++ {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n  ")
			buf.Reset()
			if err := enc.Encode(item(i)); err != nil {
				return err
			}
			bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		}
		if n > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("]")
		if !last {
			bw.WriteString(",\n")
		}
		return nil
	}
	bw.WriteString("{")
	steps := []struct {
		name string
		n    int
		item func(i int) any
	}{
		{"sessions", len(r.sessions), func(i int) any { return r.sessions[i] }},
		{"acls", len(r.acls), func(i int) any { return r.acls[i] }},
		{"findings", len(r.findings), func(i int) any { return &r.findings[i] }},
		{"warnings", len(r.warnings), func(i int) any { return r.warnings[i] }},
	}
	for i, s := range steps {
		if err := list(s.name, s.n, s.item, i == len(steps)-1); err != nil {
			return err
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeText prints a header, one line per finding with what to fix, and
// the warnings.
func (r *auditReport) writeText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	naddrs := 0
	for _, p := range r.cfg.PSNs {
		naddrs += len(p.Addrs)
	}
	portList := make([]string, len(r.cfg.Ports))
	for i, p := range r.cfg.Ports {
		portList[i] = fmt.Sprint(p)
	}
	fmt.Fprintf(bw, "Audited %s against %s on port %s: ", r.subject, plural(naddrs, "PSN address"), strings.Join(portList, ", "))
	counts := map[alerts.Severity]int{}
	for _, f := range r.findings {
		counts[f.Severity]++
	}
	if len(r.findings) == 0 {
		fmt.Fprintf(bw, "no findings.\n")
	} else {
		fmt.Fprintf(bw, "%s (%d critical, %d warning, %d info).\n\n", plural(len(r.findings), "finding"),
			counts[alerts.SeverityCritical], counts[alerts.SeverityWarning], counts[alerts.SeverityInfo])
	}
	for _, f := range r.findings {
		fmt.Fprintf(bw, "%-8s %s: %s. Fix: %s.\n", strings.ToUpper(string(f.Severity)), f.Kind, f.Summary, f.Action)
	}
	if len(r.warnings) > 0 {
		fmt.Fprintf(bw, "\n%s reading the input:\n", plural(len(r.warnings), "warning"))
		for _, wn := range r.warnings {
			fmt.Fprintf(bw, "warning: %s\n", wn)
		}
	}
	return bw.Flush()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "ch") || strings.HasSuffix(what, "ss") {
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
