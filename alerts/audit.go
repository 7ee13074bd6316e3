package alerts

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// PSN is a Policy Service Node whose state-sync port the audit checks: a
// name for findings and its addresses.
type PSN struct {
	Name  string
	Addrs []netip.Addr
}

// AuditConfig is what the audit judges sessions against.
type AuditConfig struct {
	PSNs  []PSN
	Ports []uint16
	Rules collectors.PostureRules
}

// RuleGiven is the posture_rule of findings about a dACL judged with a
// posture given by the caller (AuditDACL).
const RuleGiven = "given"

// Audit judges the configuration the snapshot shows, before any traffic:
// for every session and every PSN address (of the family of each of the
// session's ACLs) on every port, a TCP SYN from the session's address is
// evaluated first-match. A compliant or noncompliant session's dACL must
// deny it (else dacl-permits-psn); an unknown or pending session's dACL must
// permit it and its redirect ACL must not capture it (a redirect ACL permit
// sends the SYN to the switch instead of the PSN), else dacl-blocks-sync.
// An ACL a session names but no switch listed is dacl-missing, a verdict
// that cannot be known dacl-unevaluable, and a dACL base name no posture
// rule classifies posture-unclassified. One finding per ACL, PSN address
// and port lists every session it affects.
//
// Audit is a pure function of its arguments: the daemon reruns it on every
// inventory change. Findings are ordered by severity, kind and key.
func Audit(snap *collectors.Snapshot, cfg AuditConfig) []Finding {
	a := newAuditor(cfg)
	for _, sw := range snap.Switches() {
		for i := range sw.Sessions {
			a.session(snap, sw, &sw.Sessions[i])
		}
	}
	return a.result()
}

// AuditDACL judges dACLs read from text (collectors.DACLFromText) before
// ISE pushes them, for sessions in posture p: every SYN from any source to
// every PSN address of each ACL's family on every port. Findings list no
// sessions; their posture_rule is RuleGiven.
func AuditDACL(acls []*collectors.ACL, p collectors.Posture, cfg AuditConfig) []Finding {
	a := newAuditor(cfg)
	for _, x := range acls {
		for _, t := range a.targets[x.Family] {
			if p.MustBlock() {
				a.judgeDACL(x, nil, nil, nil, t, p, RuleGiven)
			} else if p.MustReach() {
				a.judgeReach(x, nil, nil, nil, nil, t, p, RuleGiven)
			}
		}
	}
	return a.result()
}

// psnTarget is one PSN address and port with the PSN's name.
type psnTarget struct {
	target
	name string
}

type auditor struct {
	targets [3][]psnTarget // by acl.Family
	rules   collectors.PostureRules
	judges  map[*acl.ACL]*judge
	// whenActive judges each ACL with its inactive time-ranges active
	// (nil: it has none).
	whenActive map[*acl.ACL]*judge
	byKey      map[string]*pending
	byVerdict  map[verdictKey]*pending // the same findings, found without building their key
	order      []*pending
	classified map[[3]string]classification
}

// verdictKey identifies an ACL verdict finding: kind, ACL, PSN address and
// port, and the switch of a switch-local ACL.
type verdictKey struct {
	kind Kind
	acl  string
	t    target
	sw   string
}

type classification struct {
	posture collectors.Posture
	rule    string
}

// pending is a finding being gathered: its sessions arrive one by one.
type pending struct {
	f            Finding
	acl          *collectors.ACL // the deciding ACL, for the action
	res          acl.Result
	redirect     bool
	last         *collectors.Session
	mixedPosture bool
	mixedDACL    bool
	unfiltered   acl.Family // the family no dACL of the sessions filters (acl is the other family's)
}

func newAuditor(cfg AuditConfig) *auditor {
	a := &auditor{
		rules:      cfg.Rules,
		judges:     map[*acl.ACL]*judge{},
		whenActive: map[*acl.ACL]*judge{},
		byKey:      map[string]*pending{},
		byVerdict:  map[verdictKey]*pending{},
		classified: map[[3]string]classification{},
	}
	ports := cfg.Ports
	if len(ports) == 0 {
		ports = []uint16{8449}
	}
	for _, p := range cfg.PSNs {
		for _, ip := range p.Addrs {
			ip = ip.Unmap()
			fam := acl.IPv6
			if ip.Is4() {
				fam = acl.IPv4
			}
			for _, port := range ports {
				a.targets[fam] = append(a.targets[fam], psnTarget{target{ip, port}, p.Name})
			}
		}
	}
	return a
}

func (a *auditor) judge(x *collectors.ACL) *judge {
	j := a.judges[x.Compiled]
	if j == nil {
		j = newJudge(x.Compiled)
		a.judges[x.Compiled] = j
	}
	return j
}

// activeJudge returns the judge of x as it is while its inactive
// time-ranges are active, or nil when it has none.
func (a *auditor) activeJudge(x *collectors.ACL) *judge {
	c := x.Compiled
	if j, ok := a.whenActive[c]; ok {
		return j
	}
	var j *judge
	if v := variant(c, func(_ int, e *acl.Entry) (string, bool) {
		return strings.Replace(e.String(), "(inactive)", "(active)", 1), e.TimeRangeState == "inactive"
	}); v != nil {
		j = newJudge(v)
	}
	a.whenActive[c] = j
	return j
}

// unlessActive turns a healthy verdict r (good) into unknown when an entry
// whose time-range is inactive now would give the bad verdict while it is
// active: the path opens or closes at those hours.
func (a *auditor) unlessActive(x *collectors.ACL, r acl.Result, srcs []netip.Addr, t target, good, bad acl.Verdict) acl.Result {
	if r.Verdict != good {
		return r
	}
	j := a.activeJudge(x)
	if j == nil {
		return r
	}
	w := j.worst(srcs, t, bad)
	if w.Verdict != bad || w.Entry == nil || w.Entry.TimeRange == "" {
		return r
	}
	i := entryIndex(j.a, w.Entry)
	if i < 0 {
		return r
	}
	e := &x.Compiled.Entries[i]
	return acl.Result{Verdict: acl.Unknown, Entry: e, Seq: e.Seq, Text: e.String(), TimeRange: true,
		Reason: fmt.Sprintf("time-range %s is inactive now (as the switch shows it); while it is active, entry %d %s the SYN", e.TimeRange, e.Seq,
			map[acl.Verdict]string{acl.Permitted: "permits", acl.Denied: "denies"}[bad])}
}

func (a *auditor) classify(s *collectors.Session) (collectors.Posture, string) {
	k := [3]string{s.FilterACL(acl.IPv4), s.DACLv6, s.URLRedirect}
	c, ok := a.classified[k]
	if !ok {
		c.posture, c.rule = a.rules.Classify(k[0], k[1], k[2])
		a.classified[k] = c
	}
	return c.posture, c.rule
}

var families = [...]acl.Family{acl.IPv4, acl.IPv6}

// session judges one session.
func (a *auditor) session(snap *collectors.Snapshot, sw *collectors.SwitchState, s *collectors.Session) {
	if s.SummaryOnly {
		return // its policies are unknown; NewSwitchState warned
	}
	p, rule := a.classify(s)
	if p == collectors.PostureUnclassified {
		if rule == collectors.RuleDefault {
			for _, name := range [...]string{s.FilterACL(acl.IPv4), s.DACLv6} {
				if name != "" {
					a.unclassified(s, name)
				}
			}
		}
		return
	}
	if !p.MustBlock() && !p.MustReach() {
		return
	}
	var dacls, redirects [3]*collectors.ACL
	var noDACL, noRedirect [3]bool // the family's ACL is missing: nothing to judge
	for _, ref := range [...]struct {
		name     string
		fam      acl.Family
		redirect bool
	}{{s.FilterACL(acl.IPv4), acl.IPv4, false}, {s.DACLv6, acl.IPv6, false}, {s.URLRedirectACL, acl.IPv4, true}, {s.URLRedirectACLv6, acl.IPv6, true}} {
		if ref.name == "" || ref.redirect && !p.MustReach() {
			continue
		}
		x := snap.ResolveACL(sw, ref.name)
		switch {
		case x == nil && ref.redirect:
			a.missing(sw, s, ref.name, true, p, rule)
			noRedirect[ref.fam] = true
		case x == nil:
			a.missing(sw, s, ref.name, false, p, rule)
			noDACL[ref.fam] = true
		case ref.redirect && redirects[x.Family] == nil:
			redirects[x.Family] = x
		case !ref.redirect && dacls[x.Family] == nil:
			dacls[x.Family] = x
		}
	}
	for _, fam := range families {
		if noDACL[fam] || len(a.targets[fam]) == 0 {
			continue
		}
		redirect := redirects[fam]
		if noRedirect[fam] {
			redirect = nil
		}
		srcs := s.SourceAddrs(fam)
		if p.MustBlock() && dacls[fam] == nil {
			// A dACL of the other family only: this family's traffic is
			// not filtered by a dACL at all. With an address of the
			// family, the path to the PSN is open unless a port ACL
			// syncwatch does not read closes it: unknown, said so.
			if other := dacls[acl.IPv4+acl.IPv6-fam]; other != nil && len(srcs) > 0 && !noDACL[acl.IPv4+acl.IPv6-fam] {
				for _, t := range a.targets[fam] {
					a.unfiltered(other, fam, sw, s, srcs, t, p, rule)
				}
			}
			continue
		}
		for _, t := range a.targets[fam] {
			if p.MustBlock() {
				a.judgeDACL(dacls[fam], sw, s, srcs, t, p, rule)
			} else {
				a.judgeReach(dacls[fam], redirect, sw, s, srcs, t, p, rule)
			}
		}
	}
}

// judgeDACL checks that the dACL of a compliant or noncompliant session
// denies a SYN from srcs (none: any source; s nil: a dACL judged from
// text).
func (a *auditor) judgeDACL(d *collectors.ACL, sw *collectors.SwitchState, s *collectors.Session, srcs []netip.Addr, t psnTarget, p collectors.Posture, rule string) {
	r := timeBound(a.judge(d).worst(srcs, t.target, acl.Permitted), acl.Denied)
	switch r = a.unlessActive(d, r, srcs, t.target, acl.Denied, acl.Permitted); r.Verdict {
	case acl.Permitted:
		a.verdict(KindDACLPermitsPSN, d, false, sw, s, srcs, t, r, p, rule)
	case acl.Unknown:
		a.verdict(KindDACLUnevaluable, d, false, sw, s, srcs, t, r, p, rule)
	}
}

// judgeReach checks that an unknown or pending session's dACL (may be nil)
// permits the SYN and its redirect ACL (may be nil) does not capture it.
func (a *auditor) judgeReach(d, redirect *collectors.ACL, sw *collectors.SwitchState, s *collectors.Session, srcs []netip.Addr, t psnTarget, p collectors.Posture, rule string) {
	if d != nil {
		r := timeBound(a.judge(d).worst(srcs, t.target, acl.Denied), acl.Permitted)
		switch r = a.unlessActive(d, r, srcs, t.target, acl.Permitted, acl.Denied); r.Verdict {
		case acl.Denied:
			a.verdict(KindDACLBlocksSync, d, false, sw, s, srcs, t, r, p, rule)
			return
		case acl.Unknown:
			a.verdict(KindDACLUnevaluable, d, false, sw, s, srcs, t, r, p, rule)
			return
		}
	}
	if redirect == nil {
		return
	}
	r := timeBound(a.judge(redirect).worst(srcs, t.target, acl.Permitted), acl.Denied)
	switch r = a.unlessActive(redirect, r, srcs, t.target, acl.Denied, acl.Permitted); r.Verdict {
	case acl.Permitted:
		a.verdict(KindDACLBlocksSync, redirect, true, sw, s, srcs, t, r, p, rule)
	case acl.Unknown:
		a.verdict(KindDACLUnevaluable, redirect, true, sw, s, srcs, t, r, p, rule)
	}
}

// timeBound turns a healthy verdict (good) that an entry with an active
// time-range decides into unknown: it holds only while the time-range is
// active, and outside it the entries after it decide.
func timeBound(r acl.Result, good acl.Verdict) acl.Result {
	if r.Verdict != good || !r.TimeRange || r.Entry == nil {
		return r
	}
	r.Verdict = acl.Unknown
	r.Reason = fmt.Sprintf("it holds only while time-range %s is active (the switch shows it active now); outside it, the entries after entry %d decide",
		r.Entry.TimeRange, r.Seq)
	return r
}

// verdict records an ACL's verdict as a finding about (ACL, PSN, port),
// and the switch for a switch-local ACL.
func (a *auditor) verdict(kind Kind, x *collectors.ACL, local bool, sw *collectors.SwitchState, s *collectors.Session,
	srcs []netip.Addr, t psnTarget, r acl.Result, p collectors.Posture, rule string) {
	vk := verdictKey{kind: kind, acl: x.Name, t: t.target}
	dacl := x.Name
	if local {
		dacl = sessionDACL(s, x.Family)
	}
	// A switch-local ACL (a redirect ACL, a Filter-ID's) is one per
	// switch: the same name may hold other entries elsewhere.
	perSwitch := sw != nil && (local || !collectors.IsDACLName(x.Name))
	if perSwitch {
		vk.sw = sw.Name
	}
	f := a.byVerdict[vk]
	if f == nil {
		parts := []string{string(kind), x.Name, t.addr.String(), strconv.Itoa(int(t.port))}
		if perSwitch {
			parts = append(parts, sw.Name)
		}
		f = a.get(kind, KeyOf(parts...), func(f *Finding) {
			if perSwitch {
				f.Switch = sw.Name
			}
			f.ACL = x.Name
			f.ACLLine, f.ACLLineSeq = line(x, r)
			f.PSN, f.PSNName, f.Port = t.addr, t.name, t.port
		})
		f.acl, f.res, f.redirect = x, r, local
		a.byVerdict[vk] = f
	}
	a.addSession(f, s, srcs, p, rule, dacl)
}

// unfiltered records that a compliant or noncompliant session has
// addresses of family fam but only the dACL x of the other family, so that
// nothing syncwatch reads filters its SYN to the PSN t: dacl-unevaluable,
// keyed by x and t.
func (a *auditor) unfiltered(x *collectors.ACL, fam acl.Family, sw *collectors.SwitchState, s *collectors.Session,
	srcs []netip.Addr, t psnTarget, p collectors.Posture, rule string) {
	r := acl.Result{Verdict: acl.Unknown, Reason: fmt.Sprintf(
		"the sessions have %s addresses but no %s dACL, so no dACL filters their %s traffic: only a port ACL on the switch could block it, and syncwatch does not read port ACLs",
		familyTitle(fam), familyTitle(fam), familyTitle(fam))}
	a.verdict(KindDACLUnevaluable, x, false, sw, s, srcs, t, r, p, rule)
	a.byVerdict[verdictKey{kind: KindDACLUnevaluable, acl: x.Name, t: t.target}].unfiltered = fam
}

// missing records an ACL a session names that no listing shows.
func (a *auditor) missing(sw *collectors.SwitchState, s *collectors.Session, name string, redirect bool, p collectors.Posture, rule string) {
	f := a.get(KindDACLMissing, KeyOf(string(KindDACLMissing), name, sw.Name), func(f *Finding) {
		f.Switch, f.ACL = sw.Name, name
	})
	f.redirect = redirect
	dacl := name
	if redirect {
		dacl = s.FilterACL(acl.IPv4)
	}
	a.addSession(f, s, sourcesAny(s), p, rule, dacl)
}

// unclassified records a dACL base name no posture rule classifies.
func (a *auditor) unclassified(s *collectors.Session, name string) {
	f := a.get(KindPostureUnclassified, KeyOf(string(KindPostureUnclassified), collectors.DACLBaseName(name)), func(*Finding) {})
	a.addSession(f, s, sourcesAny(s), collectors.PostureUnclassified, collectors.RuleDefault, name)
}

// sourcesAny returns the session's IPv4 address, else its IPv6 ones.
func sourcesAny(s *collectors.Session) []netip.Addr {
	if v4 := s.SourceAddrs(acl.IPv4); len(v4) > 0 {
		return v4
	}
	return s.SourceAddrs(acl.IPv6)
}

func sessionDACL(s *collectors.Session, fam acl.Family) string {
	if s == nil {
		return ""
	}
	return s.FilterACL(fam)
}

// get returns the finding with key, creating it with init.
func (a *auditor) get(kind Kind, key string, init func(*Finding)) *pending {
	if f := a.byKey[key]; f != nil {
		return f
	}
	f := &pending{f: Finding{Kind: kind, Severity: kind.Severity(), Key: key, Sessions: []SessionRef{}}}
	init(&f.f)
	a.byKey[key] = f
	a.order = append(a.order, f)
	return f
}

// addSession adds a session to a finding; posture, rule and dACL stay set
// only while every session agrees on them.
func (a *auditor) addSession(f *pending, s *collectors.Session, srcs []netip.Addr, p collectors.Posture, rule, dacl string) {
	first := f.last == nil && len(f.f.Sessions) == 0
	switch {
	case first:
		f.f.Posture, f.f.PostureRule, f.f.DACL = p, rule, dacl
	default:
		f.mixedPosture = f.mixedPosture || f.f.Posture != p || f.f.PostureRule != rule
		f.mixedDACL = f.mixedDACL || f.f.DACL != dacl
	}
	if s == nil || f.last == s {
		return
	}
	f.last = s
	ref := SessionRef{Switch: s.Switch, Interface: s.Interface, EndpointMAC: s.MAC, SessionID: s.SessionID}
	if len(srcs) > 0 {
		ref.EndpointIP = srcs[0]
	}
	f.f.Sessions = append(f.f.Sessions, ref)
}

// line names the deciding entry of a verdict: its text as the switch (or
// the dACL text) printed it and its sequence number, or the implicit deny.
func line(x *collectors.ACL, r acl.Result) (string, int) {
	if r.Entry == nil {
		if r.Implicit {
			return r.Text + " (implicit)", 0
		}
		return r.Text, 0
	}
	if i := entryIndex(x.Compiled, r.Entry); i >= 0 && i < len(x.Printed) {
		return x.Printed[i], r.Seq
	}
	return r.Text, r.Seq
}

func (a *auditor) result() []Finding {
	out := make([]Finding, 0, len(a.order))
	for _, f := range a.order {
		if f.mixedPosture {
			f.f.Posture, f.f.PostureRule = "", ""
		}
		if f.mixedDACL {
			f.f.DACL = ""
		}
		f.f.Count = len(f.f.Sessions)
		f.f.Summary, f.f.Action = describeFinding(f)
		out = append(out, f.f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if r1, r2 := out[i].Severity.Rank(), out[j].Severity.Rank(); r1 != r2 {
			return r1 > r2
		}
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Key < out[j].Key
	})
	return out
}
