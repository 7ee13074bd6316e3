package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

// postureProfile is where ISE keeps the agent's posture profile.
const postureProfile = "the Secure Client posture profile in ISE (Work Centers > Posture > Client Provisioning > Resources)"

// restartAgent tells how to bring back an agent that stopped state sync.
const restartAgent = "restart Secure Client on the endpoint (or reboot it): after reaching the port its agent stops state sync until then"

// describeVerdict writes a traffic finding's summary and action, in the
// words an on-call engineer acts on.
func describeVerdict(v *Verdict, f *Finding) (summary, action string) {
	a := f.Attempt
	ep := endpointTitle(f)
	psn := psnTitle(f)
	deny := fmt.Sprintf("deny tcp any host %s eq %d", f.PSN, f.Port)
	switch v.Kind {
	case KindCompliantReached:
		return fmt.Sprintf("%s reached %s on TCP %d (%s): %s; ISE raises Posture Configuration Detection and the agent stops state sync",
				ep, psn, f.Port, outcomeText(a), pathText(v, f)),
			blockFix(v, f, deny) + "; then " + restartAgent
	case KindNotBlocked:
		return fmt.Sprintf("%s got through to %s on TCP %d, which refused it (RST: nothing listens there now): %s; once state sync listens on that PSN, ISE will raise Posture Configuration Detection",
				ep, psn, f.Port, pathText(v, f)),
			blockFix(v, f, deny)
	case KindRace:
		when := "the session's last authorization change is unknown (transcripts do not show it)"
		if !f.AuthzChangedAt.IsZero() {
			d := a.FirstSeen.Sub(f.AuthzChangedAt)
			when = fmt.Sprintf("the session's authorization last changed at %s, %s before the probe",
				f.AuthzChangedAt.UTC().Format(capture.TimeFormat), fmtAge(d))
			if d < 0 {
				when = fmt.Sprintf("the session's authorization changed at %s, %s after the probe: the dACL changed since",
					f.AuthzChangedAt.UTC().Format(capture.TimeFormat), fmtAge(-d))
			}
		}
		return fmt.Sprintf("%s reached %s on TCP %d (%s) although %s: the probe came before the switch applied the dACL (Cisco bug CSCwd58316) or the dACL changed since; %s",
				ep, psn, f.Port, outcomeText(a), pathText(v, f), when),
			fmt.Sprintf("set Network transition delay = 10 s in %s, so that the agent waits for the switch to apply the compliant dACL; if this endpoint races again, compare the dACL versions ISE pushed with `show access-session mac %s details`",
				postureProfile, orUnknown(f.EndpointMAC))
	case KindPSNNotListening:
		return fmt.Sprintf("%s reached %s on TCP %d, which refused it (RST): the PSN is up but nothing listens on %d, so posture state sync cannot work for this endpoint",
				ep, psn, f.Port, f.Port),
			fmt.Sprintf("enable posture state synchronization on %s (ISE 3.1 or later, client provisioning portal settings) and check that its port is %d, the port syncwatch watches", psn, f.Port)
	case KindSyncPathBlocked:
		return syncPathBlocked(v, f, ep, psn)
	case KindUnclassified:
		s := fmt.Sprintf("%s probed %s on TCP %d (%s); its posture is unclassified (%s), so nothing is expected of its path",
			ep, psn, f.Port, outcomeText(a), unclassifiedWhy(v, f))
		if v.PostureRule == ruleSummaryOnly {
			return s, fmt.Sprintf("add `show access-session mac %s details` of %s to the switch output so that its dACL and redirect are known", orUnknown(f.EndpointMAC), f.Switch)
		}
		if v.PostureRule != collectors.RuleDefault {
			return s, fmt.Sprintf("nothing, if posture does not apply to this endpoint (posture rule %s says so)", v.PostureRule)
		}
		return s, "if posture applies to this endpoint, add a posture rule for its dACL (or redirect) to posture.rules in the configuration; if it does not (phones, printers), give it `posture: unclassified` to silence this"
	case KindUnmanaged:
		return fmt.Sprintf("no switch syncwatch reads has a session for endpoint %s, which probed %s on TCP %d (%s)", f.EndpointIP, psn, f.Port, outcomeText(a)),
			fmt.Sprintf("add the switch that serves %s to the configuration (or its `show access-session details` output to the transcripts); if the endpoint is not posture-assessed (servers, infrastructure), ignore this", f.EndpointIP)
	}
	return "", ""
}

func syncPathBlocked(v *Verdict, f *Finding, ep, psn string) (string, string) {
	a := f.Attempt
	permit := fmt.Sprintf("permit tcp any host %s eq %d", f.PSN, f.Port)
	head := fmt.Sprintf("%s could not reach %s on TCP %d (%s)", ep, psn, f.Port, outcomeText(a))
	switch {
	case v.Path == acl.Denied && v.Redirect:
		return fmt.Sprintf("%s: its URL-redirect ACL %s captures the SYN at %s (`%s`): a redirect ACL permit sends it to the switch instead of the PSN",
				head, f.ACL, entryName(f), f.ACLLine),
			fmt.Sprintf("add `deny tcp any host %s eq %d` before %s (`%s`) of the redirect ACL %s on switch %s", f.PSN, f.Port, entryName(f), f.ACLLine, f.ACL, f.Switch)
	case v.Path == acl.Denied:
		return fmt.Sprintf("%s: %s", head, pathText(v, f)),
			orStandard(v.ACL, permit, fmt.Sprintf("add `%s` before %s (`%s`) of %s", permit, entryName(f), f.ACLLine, aclPlace(v)))
	case v.Path == acl.Unknown:
		return fmt.Sprintf("%s; %s", head, pathText(v, f)),
			fmt.Sprintf("check by hand whether %s lets TCP %d to %s through; then check the PSN and the path to it", aclPlaceOrName(v), f.Port, f.PSN)
	case a.HasICMP && capture.ICMPIsACL(f.PSN.Is6(), a.ICMPCode):
		return fmt.Sprintf("%s: an ACL or firewall at %s rejects it (ICMP code %d: %s) while the session's ACLs permit it",
				head, a.ICMPFrom, a.ICMPCode, capture.ICMPMeaning(f.PSN.Is6(), a.ICMPCode)),
			fmt.Sprintf("find the ACL or firewall rule on %s that rejects TCP %d to %s and permit it for unknown and pending endpoints", a.ICMPFrom, f.Port, f.PSN)
	case a.HasICMP:
		return fmt.Sprintf("%s: %s reports a routing or host problem (ICMP code %d: %s), not an ACL; the session's ACLs permit it",
				head, a.ICMPFrom, a.ICMPCode, capture.ICMPMeaning(f.PSN.Is6(), a.ICMPCode)),
			fmt.Sprintf("check the route from the endpoint's VLAN to %s and that the PSN is up (%s answered for it)", f.PSN, a.ICMPFrom)
	}
	return fmt.Sprintf("%s: the session's ACLs permit it, so the PSN is down or something beyond the switch drops it", head),
		fmt.Sprintf("check that %s is up and listens on TCP %d, and that no firewall or ACL between the access switch and the PSN drops TCP %d", psn, f.Port, f.Port)
}

// blockFix is the action that makes a dACL deny the SYN.
func blockFix(v *Verdict, f *Finding, deny string) string {
	switch {
	case v.Missing != "":
		return fmt.Sprintf("add the output of `show ip access-lists %s` on %s to the switch output to see why; in ISE make sure the dACL has `%s` before any permit", v.Missing, f.Switch, deny)
	case v.ACL == nil && v.DACL == "":
		fam := "IPv4"
		if f.PSN.Is6() {
			fam = "IPv6"
		}
		return fmt.Sprintf("give the compliant authorization profile in ISE an %s dACL that starts with `%s` (the session has none, so nothing filters %s)", fam, deny, fam)
	case v.Path == acl.Unknown:
		return fmt.Sprintf("put `%s` first in %s, where syncwatch can evaluate it", deny, aclPlace(v))
	}
	return orStandard(v.ACL, deny, fmt.Sprintf("add `%s` before %s (`%s`) of %s", deny, entryName(f), f.ACLLine, aclPlace(v)))
}

// orStandard returns fix, or, when x is a standard ACL (source addresses
// only: a Filter-ID may name one), what to do instead, since it cannot
// hold the entry the fix adds.
func orStandard(x *collectors.ACL, entry, fix string) string {
	if x == nil || x.Compiled == nil || x.Compiled.Kind != acl.Standard {
		return fix
	}
	return fmt.Sprintf("ACL %s on switch %s is a standard ACL, which matches source addresses only and cannot hold `%s`: "+
		"write an extended ACL (`ip access-list extended NAME`) with `%s` before its permits and the rest of %s's policy, and name it in the Filter-ID of ISE's authorization profile instead",
		x.Name, x.Switch, entry, entry, x.Name)
}

// pathText says what the session's ACLs do with the SYN.
func pathText(v *Verdict, f *Finding) string {
	switch {
	case v.Missing != "":
		return fmt.Sprintf("its ACL %s is not in the switch's ACL output, so syncwatch cannot tell what it does", v.Missing)
	case v.ACL == nil:
		fam := "IPv4"
		if f.PSN.Is6() {
			fam = "IPv6"
		}
		return fmt.Sprintf("the session has no %s dACL, so nothing on the switch filters it", fam)
	}
	what := aclTitleOf(v)
	switch v.Path {
	case acl.Permitted:
		return fmt.Sprintf("%s permits it at %s (`%s`)", what, entryName(f), f.ACLLine)
	case acl.Denied:
		if v.Result.Entry == nil {
			return fmt.Sprintf("%s denies it by its implicit deny at the end", what)
		}
		return fmt.Sprintf("%s denies it at %s (`%s`)", what, entryName(f), f.ACLLine)
	}
	return fmt.Sprintf("syncwatch cannot evaluate %s at %s (`%s`): %s", what, entryName(f), f.ACLLine, v.Result.Reason)
}

func aclTitleOf(v *Verdict) string {
	if v.Redirect {
		return "its URL-redirect ACL " + v.ACL.Name
	}
	if !collectors.IsDACLName(v.ACL.Name) {
		return "its ACL " + v.ACL.Name
	}
	return "its dACL " + v.ACL.Name
}

// aclPlace says where the deciding ACL is edited.
func aclPlace(v *Verdict) string {
	x := v.ACL
	if x == nil {
		return "the session's dACL " + iseDACLs
	}
	if v.Redirect || !collectors.IsDACLName(x.Name) {
		return fmt.Sprintf("ACL %s on switch %s", x.Name, x.Switch)
	}
	return fmt.Sprintf("dACL %s %s", collectors.DACLBaseName(x.Name), iseDACLs)
}

func aclPlaceOrName(v *Verdict) string {
	if v.Missing != "" {
		return "ACL " + v.Missing
	}
	return aclPlace(v)
}

// entryName names the deciding entry.
func entryName(f *Finding) string {
	if f.ACLLineSeq == 0 {
		return "the implicit deny at the end"
	}
	return fmt.Sprintf("entry %d", f.ACLLineSeq)
}

// endpointTitle names the endpoint with its posture and where it is
// attached.
func endpointTitle(f *Finding) string {
	var b strings.Builder
	if f.Posture != "" {
		b.WriteString(string(f.Posture) + " ")
	}
	b.WriteString("endpoint " + f.EndpointIP.String())
	if f.EndpointMAC != "" {
		b.WriteString(" (" + f.EndpointMAC + ")")
	}
	if f.Switch != "" {
		b.WriteString(" on " + f.Switch)
		if f.Interface != "" {
			b.WriteString(" " + f.Interface)
		}
	}
	return b.String()
}

// outcomeText says what the wire showed.
func outcomeText(a *capture.Attempt) string {
	var s string
	switch a.Outcome {
	case capture.Accepted:
		s = "the PSN answered with SYN-ACK"
		if a.Inferred {
			s = "the endpoint's ACK shows the PSN answered"
		}
	case capture.Refused:
		s = "the PSN answered with RST"
	case capture.Prohibited:
		v6 := a.PSN.Unmap().Is6()
		s = fmt.Sprintf("ICMP type %d code %d from %s: %s", a.ICMPType, a.ICMPCode, a.ICMPFrom, capture.ICMPMeaning(v6, a.ICMPCode))
	case capture.Unanswered:
		s = "no answer within the answer timeout"
	default:
		s = a.Outcome.String()
	}
	if a.Late {
		s += ", late"
	}
	return s
}

func unclassifiedWhy(v *Verdict, f *Finding) string {
	switch {
	case v.PostureRule == ruleSummaryOnly:
		return "the switch output shows the session only in a summary, without its dACL or redirect"
	case v.PostureRule != collectors.RuleDefault:
		return "posture rule " + v.PostureRule
	case f.DACL != "":
		return "no posture rule classifies dACL " + collectors.DACLBaseName(f.DACL)
	}
	return "no posture rule classifies a session without dACL or redirect"
}

func orUnknown(s string) string {
	if s == "" {
		return "<MAC>"
	}
	return s
}

// fmtAge renders a duration for people: "4.2 s", "3 min 5 s".
func fmtAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", d.Seconds()), ".0") + " s"
	case d < time.Hour && d%time.Minute < time.Second:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return d.Round(time.Second).String()
}
