package alerts

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// iseDACLs is where ISE keeps downloadable ACLs.
const iseDACLs = "in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs)"

// describeFinding writes an audit finding's summary and the action that
// fixes it, in the words an ISE or network engineer acts on.
func describeFinding(p *pending) (summary, action string) {
	f := &p.f
	switch f.Kind {
	case KindDACLPermitsPSN:
		return fmt.Sprintf("%s permits TCP %d to %s at %s (`%s`): %s can reach the state-sync port, so ISE raises Posture Configuration Detection and their agents stop state sync",
				aclTitle(p), f.Port, psnTitle(f), entryRef(p), f.ACLLine, sessionsTitle(f)),
			orStandard(p.acl, fmt.Sprintf("deny tcp any host %s eq %d", f.PSN, f.Port),
				fmt.Sprintf("add `deny tcp any host %s eq %d` before %s (`%s`) of %s", f.PSN, f.Port, entryRef(p), f.ACLLine, aclWhere(p)))
	case KindDACLBlocksSync:
		if p.redirect {
			return fmt.Sprintf("redirect ACL %s on %s captures TCP %d to %s at %s (`%s`): a redirect ACL permit sends the SYN to the switch instead of the PSN, so %s cannot reach the state-sync port",
					f.ACL, f.Switch, f.Port, psnTitle(f), entryRef(p), f.ACLLine, sessionsTitle(f)),
				fmt.Sprintf("add `deny tcp any host %s eq %d` before %s (`%s`) of %s", f.PSN, f.Port, entryRef(p), f.ACLLine, aclWhere(p))
		}
		permit := fmt.Sprintf("permit tcp any host %s eq %d", f.PSN, f.Port)
		if p.res.Implicit {
			return fmt.Sprintf("%s denies TCP %d to %s by its implicit deny at the end: %s cannot reach the state-sync port, so posture state sync cannot work for them",
					aclTitle(p), f.Port, psnTitle(f), sessionsTitle(f)),
				orStandard(p.acl, permit, fmt.Sprintf("add `%s` to %s (no entry permits it)", permit, aclWhere(p)))
		}
		return fmt.Sprintf("%s denies TCP %d to %s at %s (`%s`): %s cannot reach the state-sync port, so posture state sync cannot work for them",
				aclTitle(p), f.Port, psnTitle(f), entryRef(p), f.ACLLine, sessionsTitle(f)),
			orStandard(p.acl, permit, fmt.Sprintf("add `%s` before %s (`%s`) of %s", permit, entryRef(p), f.ACLLine, aclWhere(p)))
	case KindDACLUnevaluable:
		if p.unfiltered != 0 {
			return fmt.Sprintf("%s traffic of the sessions with %s cannot be judged for TCP %d to %s: %s; %s",
					familyTitle(p.unfiltered), aclTitle(p), f.Port, psnTitle(f), p.res.Reason, sessionsTitle(f)),
				fmt.Sprintf("make dACL %s IP-agnostic with `deny tcp any host %s eq %d` before its permits (ISE then downloads an %s dACL too) %s, or check the ports' %s ACL by hand",
					collectors.DACLBaseName(p.acl.Name), f.PSN, f.Port, familyTitle(p.unfiltered), iseDACLs, familyTitle(p.unfiltered))
		}
		title := aclTitle(p)
		if p.redirect {
			title = fmt.Sprintf("redirect ACL %s on %s", f.ACL, f.Switch)
		}
		summary = fmt.Sprintf("%s cannot be judged for TCP %d to %s at %s (`%s`): %s; %s",
			title, f.Port, psnTitle(f), entryRef(p), f.ACLLine, p.res.Reason, sessionsTitle(f))
		if e := p.res.Entry; e != nil && e.TimeRange != "" && e.TimeRangeState == "active" {
			return summary, fmt.Sprintf("remove `time-range %s` from %s (`%s`) of %s, so that it holds at all hours", e.TimeRange, entryRef(p), f.ACLLine, aclWhere(p))
		}
		if e := p.res.Entry; e != nil && e.TimeRange != "" && e.TimeRangeState == "inactive" {
			entry, stays := fmt.Sprintf("permit tcp any host %s eq %d", f.PSN, f.Port), "open"
			if f.Posture.MustBlock() {
				entry, stays = fmt.Sprintf("deny tcp any host %s eq %d", f.PSN, f.Port), "closed"
			}
			return summary, orStandard(p.acl, entry, fmt.Sprintf("add `%s` before %s (`%s`) of %s, so that the port stays %s while time-range %s is active",
				entry, entryRef(p), f.ACLLine, aclWhere(p), stays, e.TimeRange))
		}
		if strings.Contains(p.res.Reason, reasonSourceUnknown) {
			return summary, fmt.Sprintf("add the switch's `show device-tracking database` (or `show ip arp`) output to the transcripts so that the sessions' addresses are known, or check %s of %s by hand", entryRef(p), aclWhere(p))
		}
		return summary, fmt.Sprintf("check %s (`%s`) of %s by hand: syncwatch cannot tell whether it matches a SYN to %s port %d; write it with addresses and ports instead if it decides this traffic",
			entryRef(p), f.ACLLine, aclWhere(p), f.PSN, f.Port)
	case KindDACLMissing:
		show := "show ip access-lists " + f.ACL
		if strings.HasPrefix(strings.ToLower(f.ACL), "xacsaclx-ipv6-") {
			show = "show ipv6 access-list " + f.ACL
		}
		what, cause := "dACL", fmt.Sprintf("its download from ISE failed: look for the dACL download in ISE's RADIUS live log and in `show logging` on %s", f.Switch)
		switch {
		case p.redirect:
			what, cause = "redirect ACL", fmt.Sprintf("the redirect ACL that ISE's authorization profile names is not configured on %s: create it there", f.Switch)
		case !collectors.IsDACLName(f.ACL):
			what, cause = "Filter-ID ACL", fmt.Sprintf("the ACL that ISE's authorization profile names in its Filter-ID is not configured on %s: create it there", f.Switch)
		}
		return fmt.Sprintf("%s %s named by %s on %s is not in the switch's access-list output: its verdict is unknown",
				what, f.ACL, sessionsTitle(f), f.Switch),
			fmt.Sprintf("add the output of `%s` on %s to the transcripts; if the switch does not list it, %s", show, f.Switch, cause)
	case KindPostureUnclassified:
		base := strings.TrimPrefix(f.Key, string(KindPostureUnclassified)+"|")
		what := "dACL"
		if f.DACL != "" && !collectors.IsDACLName(f.DACL) {
			what = "Filter-ID ACL"
		}
		return fmt.Sprintf("no posture rule classifies %s %s (%s): nothing is expected of their path to the PSNs", what, base, sessionsTitle(f)),
			fmt.Sprintf("if posture applies to these sessions, add a rule to posture.rules in the configuration before the defaults (`- dacl: '^%s$'` with `posture: compliant` or `posture: noncompliant`); if it does not (phones, printers), give it `posture: unclassified` to silence this",
				strings.ReplaceAll(regexp.QuoteMeta(base), "'", "''"))
	}
	return "", ""
}

// fromText reports whether the finding's ACL was read from a dACL text
// file rather than a switch.
func fromText(p *pending) bool { return p.acl != nil && p.acl.Switch == "" && p.acl.File != "" }

// aclTitle names the deciding ACL in a summary.
func aclTitle(p *pending) string {
	if fromText(p) {
		return "dACL " + p.acl.Name + " (" + p.acl.File + ")"
	}
	if p.acl != nil && !collectors.IsDACLName(p.acl.Name) {
		return fmt.Sprintf("ACL %s on %s", p.acl.Name, p.acl.Switch)
	}
	return "dACL " + p.f.ACL
}

// aclWhere says where the deciding ACL is edited.
func aclWhere(p *pending) string {
	x := p.acl
	switch {
	case fromText(p):
		return x.File
	case p.redirect || !collectors.IsDACLName(x.Name):
		cfg := "ip access-list extended " + x.Name
		if x.Family == acl.IPv6 {
			cfg = "ipv6 access-list " + x.Name
		}
		return fmt.Sprintf("%s on switch %s (`%s`)", x.Name, x.Switch, cfg)
	}
	return fmt.Sprintf("dACL %s %s", collectors.DACLBaseName(x.Name), iseDACLs)
}

// entryRef names the deciding entry: its line in a dACL text file, else its
// sequence number (for a dACL, its position as ISE stores it).
func entryRef(p *pending) string {
	if p.res.Entry == nil {
		return "the implicit deny at the end"
	}
	if fromText(p) {
		return fmt.Sprintf("line %d", p.res.Entry.LineNo)
	}
	return fmt.Sprintf("entry %d", p.res.Seq)
}

func psnTitle(f *Finding) string {
	if f.PSNName == "" {
		return "PSN " + f.PSN.String()
	}
	return fmt.Sprintf("PSN %s (%s)", f.PSNName, f.PSN)
}

// sessionsTitle counts the sessions a finding affects: "2 compliant
// sessions".
func sessionsTitle(f *Finding) string {
	n := len(f.Sessions)
	if n == 0 {
		if f.Posture != "" {
			return string(f.Posture) + " sessions with this dACL"
		}
		return "sessions with this dACL"
	}
	posture := ""
	if f.Posture != "" {
		posture = string(f.Posture) + " "
	}
	if n == 1 {
		return "1 " + posture + "session"
	}
	return fmt.Sprintf("%d %ssessions", n, posture)
}

// familyTitle names an address family as engineers write it.
func familyTitle(f acl.Family) string {
	if f == acl.IPv6 {
		return "IPv6"
	}
	return "IPv4"
}
