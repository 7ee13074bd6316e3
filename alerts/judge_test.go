package alerts

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
)

func icmpMeaning(code uint8) string { return capture.ICMPMeaning(false, code) }

// withSession returns a snapshot of snap's switches in which the session
// with the MAC address is changed by edit, as a live collector's next
// reading would show it.
func withSession(t testing.TB, snap *collectors.Snapshot, mac string, edit func(*collectors.Session)) *collectors.Snapshot {
	t.Helper()
	var states []*collectors.SwitchState
	found := false
	for _, sw := range snap.Switches() {
		cp := *sw
		cp.Sessions = slices.Clone(sw.Sessions)
		for i := range cp.Sessions {
			if cp.Sessions[i].MAC == mac {
				edit(&cp.Sessions[i])
				found = true
			}
		}
		states = append(states, &cp)
	}
	if !found {
		t.Fatalf("no session with MAC %s", mac)
	}
	return collectors.NewSnapshot(states...)
}

func withAuthzChange(t testing.TB, snap *collectors.Snapshot, mac string, at time.Time) *collectors.Snapshot {
	return withSession(t, snap, mac, func(s *collectors.Session) { s.AuthzChangedAt = at })
}

// verdictBrief renders the fields of a traffic finding the verdict table
// decides, for exact comparison.
func verdictBrief(f *Finding) string {
	return fmt.Sprintf("%s %s | by=%s sw=%s if=%s sid=%s | posture=%s rule=%s dacl=%s | acl=%s line=%q seq=%d | psn=%s %s:%d | ep=%s %s",
		f.Severity, f.Key, f.MatchedBy, f.Switch, f.Interface, f.SessionID, f.Posture, f.PostureRule, f.DACL,
		f.ACL, f.ACLLine, f.ACLLineSeq, f.PSNName, f.PSN, f.Port, f.EndpointIP, f.EndpointMAC)
}

// TestVerdictTable judges one attempt per row and outcome of the verdict
// table in DOMAIN.md against the lab inventory, and checks every field of
// the finding it gives (or that a healthy attempt gives none).
func TestVerdictTable(t *testing.T) {
	snap := labSnapshot(t)
	j := labJudge(t)
	const (
		s1 = "0A0A0A0A0000000000000000"
		s2 = "0A0A0A0A0000000000000001"
		s3 = "0A0A0A0A0000000000000002"
		s4 = "0A0A0A0A0000000000000003"
		s5 = "0A0A0A0A0000000000000004"
		s6 = "0A0A0A0A0000000000000005"
		s7 = "0A0A0A0A0000000000000006"
	)
	compliantAt20 := "posture=compliant rule=dacl:(?i)compliant dacl=" + compliantD + " | acl=" + compliantD + ` line="permit ip any any" seq=20`
	compliantAt10 := "posture=compliant rule=dacl:(?i)compliant dacl=" + compliantD + " | acl=" + compliantD + ` line="deny tcp any host 10.0.0.11 eq 8449" seq=10`
	sw1 := func(n int, sid string) string {
		return fmt.Sprintf("sw=sw1 if=GigabitEthernet1/0/%d sid=%s", n, sid)
	}
	tests := []struct {
		row, attempt string
		want         string // "" healthy
		path         acl.Verdict
	}{
		// Compliant, the dACL permits the PSN.
		{"compliant permits", "10.1.0.1>10.0.0.12 accepted mac=1",
			"critical compliant-reached|a4:bb:6d:00:00:01|10.0.0.12|8449 | by=mac " + sw1(1, s1) + " | " + compliantAt20 + " | psn=psn2 10.0.0.12:8449 | ep=10.1.0.1 a4:bb:6d:00:00:01", acl.Permitted},
		{"compliant permits", "10.1.0.1>10.0.0.12 refused",
			"warning not-blocked|a4:bb:6d:00:00:01|10.0.0.12|8449 | by=ipv4 " + sw1(1, s1) + " | " + compliantAt20 + " | psn=psn2 10.0.0.12:8449 | ep=10.1.0.1 a4:bb:6d:00:00:01", acl.Permitted},
		{"compliant permits", "10.1.0.1>10.0.0.12 prohibited icmp=13", "", acl.Permitted},
		{"compliant permits", "10.1.0.1>10.0.0.12 unanswered", "", acl.Permitted},
		// Compliant, the dACL denies the PSN.
		{"compliant denies", "10.1.0.1>10.0.0.11 accepted",
			"warning race|a4:bb:6d:00:00:01|10.0.0.11|8449 | by=ipv4 " + sw1(1, s1) + " | " + compliantAt10 + " | psn=psn1 10.0.0.11:8449 | ep=10.1.0.1 a4:bb:6d:00:00:01", acl.Denied},
		{"compliant denies", "10.1.0.1>10.0.0.11 refused",
			"warning race|a4:bb:6d:00:00:01|10.0.0.11|8449 | by=ipv4 " + sw1(1, s1) + " | " + compliantAt10 + " | psn=psn1 10.0.0.11:8449 | ep=10.1.0.1 a4:bb:6d:00:00:01", acl.Denied},
		{"compliant denies", "10.1.0.1>10.0.0.11 prohibited icmp=13", "", acl.Denied},
		{"compliant denies", "10.1.0.1>10.0.0.11 unanswered", "", acl.Denied},
		// Noncompliant: the same table.
		{"noncompliant permits", "10.1.0.2>10.0.0.13 accepted",
			"critical compliant-reached|a4:bb:6d:00:00:02|10.0.0.13|8449 | by=ipv4 " + sw1(2, s2) + " | posture=noncompliant rule=dacl:(?i)non.?compliant dacl=" + noncompliantD +
				" | acl=" + noncompliantD + ` line="permit ip any any" seq=30 | psn=psn3 10.0.0.13:8449 | ep=10.1.0.2 a4:bb:6d:00:00:02`, acl.Permitted},
		{"noncompliant denies", "10.1.0.2>10.0.0.12 accepted",
			"warning race|a4:bb:6d:00:00:02|10.0.0.12|8449 | by=ipv4 " + sw1(2, s2) + " | posture=noncompliant rule=dacl:(?i)non.?compliant dacl=" + noncompliantD +
				" | acl=" + noncompliantD + ` line="deny tcp any host 10.0.0.12 eq 8449" seq=20 | psn=psn2 10.0.0.12:8449 | ep=10.1.0.2 a4:bb:6d:00:00:02`, acl.Denied},
		{"noncompliant denies", "10.1.0.2>10.0.0.12 unanswered", "", acl.Denied},
		// Compliant whose dACL the switch did not list: reached is
		// compliant-reached, the dACL unknown.
		{"compliant, dACL missing", "10.1.0.5>10.0.0.11 accepted",
			"critical compliant-reached|a4:bb:6d:00:00:05|10.0.0.11|8449 | by=ipv4 " + sw1(5, s5) + " | posture=compliant rule=dacl:(?i)compliant dacl=" + missingD +
				" | acl=" + missingD + ` line="" seq=0 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.5 a4:bb:6d:00:00:05`, acl.Unknown},
		{"compliant, dACL missing", "10.1.0.5>10.0.0.11 unanswered", "", acl.Unknown},
		// Compliant over IPv6 without an IPv6 dACL.
		{"compliant, no IPv6 dACL", "2001:db8:1::6>2001:db8::11 accepted",
			"critical compliant-reached|a4:bb:6d:00:00:06|2001:db8::11|8449 | by=ipv6 " + sw1(6, s6) + " | posture=compliant rule=dacl:(?i)compliant dacl= | acl= line=\"\" seq=0 | psn=psn1 2001:db8::11:8449 | ep=2001:db8:1::6 a4:bb:6d:00:00:06", acl.Permitted},
		// Unknown.
		{"unknown", "10.1.0.3>10.0.0.11 accepted", "", acl.Permitted},
		{"unknown", "10.1.0.3>10.0.0.11 refused",
			"warning psn-not-listening|a4:bb:6d:00:00:03|10.0.0.11|8449 | by=ipv4 " + sw1(3, s3) + " | posture=unknown rule=url-redirect dacl=" + postureD +
				" | acl=" + postureD + ` line="permit tcp any host 10.0.0.11 eq 8449" seq=20 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.3 a4:bb:6d:00:00:03`, acl.Permitted},
		{"unknown", "10.1.0.3>10.0.0.11 prohibited icmp=13",
			"warning sync-path-blocked|a4:bb:6d:00:00:03|10.0.0.11|8449 | by=ipv4 " + sw1(3, s3) + " | posture=unknown rule=url-redirect dacl=" + postureD +
				" | acl=" + postureD + ` line="permit tcp any host 10.0.0.11 eq 8449" seq=20 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.3 a4:bb:6d:00:00:03`, acl.Permitted},
		{"unknown", "10.1.0.3>10.0.0.11 unanswered",
			"warning sync-path-blocked|a4:bb:6d:00:00:03|10.0.0.11|8449 | by=ipv4 " + sw1(3, s3) + " | posture=unknown rule=url-redirect dacl=" + postureD +
				" | acl=" + postureD + ` line="permit tcp any host 10.0.0.11 eq 8449" seq=20 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.3 a4:bb:6d:00:00:03`, acl.Permitted},
		{"unknown, redirect ACL captures", "10.1.0.3>10.0.0.13 unanswered",
			"warning sync-path-blocked|a4:bb:6d:00:00:03|10.0.0.13|8449 | by=ipv4 " + sw1(3, s3) + " | posture=unknown rule=url-redirect dacl=" + postureD +
				` | acl=REDIRECT line="permit tcp any host 10.0.0.13 eq 8449" seq=30 | psn=psn3 10.0.0.13:8449 | ep=10.1.0.3 a4:bb:6d:00:00:03`, acl.Denied},
		{"unknown, dACL denies", "10.1.0.3>10.0.0.14 prohibited icmp=1",
			"warning sync-path-blocked|a4:bb:6d:00:00:03|10.0.0.14|8449 | by=ipv4 " + sw1(3, s3) + " | posture=unknown rule=url-redirect dacl=" + postureD +
				" | acl=" + postureD + ` line="deny ip any any" seq=50 | psn=psn4 10.0.0.14:8449 | ep=10.1.0.3 a4:bb:6d:00:00:03`, acl.Denied},
		// Pending: as unknown.
		{"pending", "10.1.0.7>10.0.0.12 accepted", "", acl.Permitted},
		{"pending", "10.1.0.7>10.0.0.12 refused",
			"warning psn-not-listening|a4:bb:6d:00:00:07|10.0.0.12|8449 | by=ipv4 " + sw1(7, s7) + " | posture=pending rule=url-redirect:action=nsp dacl=" + postureD +
				" | acl=" + postureD + ` line="permit tcp any host 10.0.0.12 eq 8449" seq=30 | psn=psn2 10.0.0.12:8449 | ep=10.1.0.7 a4:bb:6d:00:00:07`, acl.Permitted},
		{"pending", "10.1.0.7>10.0.0.12 unanswered",
			"warning sync-path-blocked|a4:bb:6d:00:00:07|10.0.0.12|8449 | by=ipv4 " + sw1(7, s7) + " | posture=pending rule=url-redirect:action=nsp dacl=" + postureD +
				" | acl=" + postureD + ` line="permit tcp any host 10.0.0.12 eq 8449" seq=30 | psn=psn2 10.0.0.12:8449 | ep=10.1.0.7 a4:bb:6d:00:00:07`, acl.Permitted},
		// Unclassified: every outcome is an info finding.
		{"unclassified", "10.1.0.4>10.0.0.11 accepted mac=4",
			"info unclassified|a4:bb:6d:00:00:04|10.0.0.11|8449 | by=mac " + sw1(4, s4) + " | posture=unclassified rule=default dacl=" + phonesD +
				` | acl= line="" seq=0 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.4 a4:bb:6d:00:00:04`, acl.Unknown},
		{"unclassified", "10.1.0.4>10.0.0.11 unanswered",
			"info unclassified|a4:bb:6d:00:00:04|10.0.0.11|8449 | by=ipv4 " + sw1(4, s4) + " | posture=unclassified rule=default dacl=" + phonesD +
				` | acl= line="" seq=0 | psn=psn1 10.0.0.11:8449 | ep=10.1.0.4 a4:bb:6d:00:00:04`, acl.Unknown},
		// No session: unmanaged, keyed by address.
		{"unmanaged", "10.9.9.9>10.0.0.11 accepted router",
			"info unmanaged|10.9.9.9|10.0.0.11|8449 | by= sw= if= sid= | posture= rule= dacl= | acl= line=\"\" seq=0 | psn=psn1 10.0.0.11:8449 | ep=10.9.9.9 ", acl.Unknown},
		{"unmanaged", "10.9.9.9>10.0.0.99 refused",
			"info unmanaged|10.9.9.9|10.0.0.99|8449 | by= sw= if= sid= | posture= rule= dacl= | acl= line=\"\" seq=0 | psn= 10.0.0.99:8449 | ep=10.9.9.9 ", acl.Unknown},
		// The frame's MAC is a router's: the address finds the session.
		{"router MAC", "10.1.0.1>10.0.0.12 accepted router",
			"critical compliant-reached|a4:bb:6d:00:00:01|10.0.0.12|8449 | by=ipv4 " + sw1(1, s1) + " | " + compliantAt20 + " | psn=psn2 10.0.0.12:8449 | ep=10.1.0.1 a4:bb:6d:00:00:01", acl.Permitted},
		// The endpoint's own MAC finds its session even from an address
		// the switch does not show (DHCP renewed since).
		{"MAC before address", "10.1.0.99>10.0.0.12 accepted mac=1",
			"critical compliant-reached|a4:bb:6d:00:00:01|10.0.0.12|8449 | by=mac " + sw1(1, s1) + " | " + compliantAt20 + " | psn=psn2 10.0.0.12:8449 | ep=10.1.0.99 a4:bb:6d:00:00:01", acl.Permitted},
	}
	for _, tc := range tests {
		t.Run(tc.row+"/"+tc.attempt, func(t *testing.T) {
			a := attemptOf(t, tc.attempt)
			v := j.Judge(a, snap)
			if tc.want == "" {
				if v.Kind != "" {
					t.Fatalf("healthy attempt judged %s", v.Kind)
				}
			} else {
				if v.Kind == "" {
					t.Fatal("judged healthy")
				}
				f := v.Finding(a)
				if got := verdictBrief(&f); got != tc.want {
					t.Errorf("got  %s\nwant %s", got, tc.want)
				}
				if f.Summary == "" || f.Action == "" || f.Attempt == nil || f.Attempt == a || *f.Attempt != *a || f.Count != 1 ||
					!f.FirstSeen.Equal(attemptTime(a)) || !f.LastSeen.Equal(f.FirstSeen) || f.Severity != f.Kind.Severity() {
					t.Errorf("finding %+v", f)
				}
			}
			if v.Kind != KindUnclassified && v.Kind != KindUnmanaged && v.Path != tc.path {
				t.Errorf("path %v, want %v", v.Path, tc.path)
			}
		})
	}
}

// TestVerdictText checks the summary and action of each kind word for
// word: they are what on-call reads.
func TestVerdictText(t *testing.T) {
	snap := labSnapshot(t)
	j := labJudge(t)
	tests := []struct {
		attempt         string
		summary, action string
	}{
		{"10.1.0.1>10.0.0.12 accepted mac=1",
			"compliant endpoint 10.1.0.1 (a4:bb:6d:00:00:01) on sw1 GigabitEthernet1/0/1 reached PSN psn2 (10.0.0.12) on TCP 8449 (the PSN answered with SYN-ACK): its dACL " + compliantD + " permits it at entry 20 (`permit ip any any`); ISE raises Posture Configuration Detection and the agent stops state sync",
			"add `deny tcp any host 10.0.0.12 eq 8449` before entry 20 (`permit ip any any`) of dACL EMP_COMPLIANT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs); then restart Secure Client on the endpoint (or reboot it): after reaching the port its agent stops state sync until then"},
		{"10.1.0.1>10.0.0.12 refused",
			"compliant endpoint 10.1.0.1 (a4:bb:6d:00:00:01) on sw1 GigabitEthernet1/0/1 got through to PSN psn2 (10.0.0.12) on TCP 8449, which refused it (RST: nothing listens there now): its dACL " + compliantD + " permits it at entry 20 (`permit ip any any`); once state sync listens on that PSN, ISE will raise Posture Configuration Detection",
			"add `deny tcp any host 10.0.0.12 eq 8449` before entry 20 (`permit ip any any`) of dACL EMP_COMPLIANT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs)"},
		{"10.1.0.1>10.0.0.11 accepted",
			"compliant endpoint 10.1.0.1 (a4:bb:6d:00:00:01) on sw1 GigabitEthernet1/0/1 reached PSN psn1 (10.0.0.11) on TCP 8449 (the PSN answered with SYN-ACK) although its dACL " + compliantD + " denies it at entry 10 (`deny tcp any host 10.0.0.11 eq 8449`): the probe came before the switch applied the dACL (Cisco bug CSCwd58316) or the dACL changed since; the session's last authorization change is unknown (transcripts do not show it)",
			"set Network transition delay = 10 s in the Secure Client posture profile in ISE (Work Centers > Posture > Client Provisioning > Resources), so that the agent waits for the switch to apply the compliant dACL; if this endpoint races again, compare the dACL versions ISE pushed with `show access-session mac a4:bb:6d:00:00:01 details`"},
		{"10.1.0.3>10.0.0.11 refused",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 reached PSN psn1 (10.0.0.11) on TCP 8449, which refused it (RST): the PSN is up but nothing listens on 8449, so posture state sync cannot work for this endpoint",
			"enable posture state synchronization on PSN psn1 (10.0.0.11) (ISE 3.1 or later, client provisioning portal settings) and check that its port is 8449, the port syncwatch watches"},
		{"10.1.0.3>10.0.0.11 unanswered",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 could not reach PSN psn1 (10.0.0.11) on TCP 8449 (no answer within the answer timeout): the session's ACLs permit it, so the PSN is down or something beyond the switch drops it",
			"check that PSN psn1 (10.0.0.11) is up and listens on TCP 8449, and that no firewall or ACL between the access switch and the PSN drops TCP 8449"},
		{"10.1.0.3>10.0.0.11 prohibited icmp=13",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 could not reach PSN psn1 (10.0.0.11) on TCP 8449 (ICMP type 3 code 13 from 10.1.0.254: " + icmpMeaning(13) + "): an ACL or firewall at 10.1.0.254 rejects it (ICMP code 13: " + icmpMeaning(13) + ") while the session's ACLs permit it",
			"find the ACL or firewall rule on 10.1.0.254 that rejects TCP 8449 to 10.0.0.11 and permit it for unknown and pending endpoints"},
		{"10.1.0.3>10.0.0.11 prohibited icmp=1",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 could not reach PSN psn1 (10.0.0.11) on TCP 8449 (ICMP type 3 code 1 from 10.1.0.254: " + icmpMeaning(1) + "): 10.1.0.254 reports a routing or host problem (ICMP code 1: " + icmpMeaning(1) + "), not an ACL; the session's ACLs permit it",
			"check the route from the endpoint's VLAN to 10.0.0.11 and that the PSN is up (10.1.0.254 answered for it)"},
		{"10.1.0.3>10.0.0.13 unanswered",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 could not reach PSN psn3 (10.0.0.13) on TCP 8449 (no answer within the answer timeout): its URL-redirect ACL REDIRECT captures the SYN at entry 30 (`permit tcp any host 10.0.0.13 eq 8449`): a redirect ACL permit sends it to the switch instead of the PSN",
			"add `deny tcp any host 10.0.0.13 eq 8449` before entry 30 (`permit tcp any host 10.0.0.13 eq 8449`) of the redirect ACL REDIRECT on switch sw1"},
		{"10.1.0.3>10.0.0.14 unanswered",
			"unknown endpoint 10.1.0.3 (a4:bb:6d:00:00:03) on sw1 GigabitEthernet1/0/3 could not reach PSN psn4 (10.0.0.14) on TCP 8449 (no answer within the answer timeout): its dACL " + postureD + " denies it at entry 50 (`deny ip any any`)",
			"add `permit tcp any host 10.0.0.14 eq 8449` before entry 50 (`deny ip any any`) of dACL POSTURE in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs)"},
		{"10.1.0.5>10.0.0.11 accepted",
			"compliant endpoint 10.1.0.5 (a4:bb:6d:00:00:05) on sw1 GigabitEthernet1/0/5 reached PSN psn1 (10.0.0.11) on TCP 8449 (the PSN answered with SYN-ACK): its ACL " + missingD + " is not in the switch's ACL output, so syncwatch cannot tell what it does; ISE raises Posture Configuration Detection and the agent stops state sync",
			"add the output of `show ip access-lists " + missingD + "` on sw1 to the switch output to see why; in ISE make sure the dACL has `deny tcp any host 10.0.0.11 eq 8449` before any permit; then " + restartAgent},
		{"2001:db8:1::6>2001:db8::11 accepted",
			"compliant endpoint 2001:db8:1::6 (a4:bb:6d:00:00:06) on sw1 GigabitEthernet1/0/6 reached PSN psn1 (2001:db8::11) on TCP 8449 (the PSN answered with SYN-ACK): the session has no IPv6 dACL, so nothing on the switch filters it; ISE raises Posture Configuration Detection and the agent stops state sync",
			"give the compliant authorization profile in ISE an IPv6 dACL that starts with `deny tcp any host 2001:db8::11 eq 8449` (the session has none, so nothing filters IPv6); then " + restartAgent},
		{"10.1.0.4>10.0.0.11 accepted",
			"unclassified endpoint 10.1.0.4 (a4:bb:6d:00:00:04) on sw1 GigabitEthernet1/0/4 probed PSN psn1 (10.0.0.11) on TCP 8449 (the PSN answered with SYN-ACK); its posture is unclassified (no posture rule classifies dACL PHONES), so nothing is expected of its path",
			"if posture applies to this endpoint, add a posture rule for its dACL (or redirect) to posture.rules in the configuration; if it does not (phones, printers), give it `posture: unclassified` to silence this"},
		{"10.9.9.9>10.0.0.99 unanswered",
			"no switch syncwatch reads has a session for endpoint 10.9.9.9, which probed PSN 10.0.0.99 on TCP 8449 (no answer within the answer timeout)",
			"add the switch that serves 10.9.9.9 to the configuration (or its `show access-session details` output to the transcripts); if the endpoint is not posture-assessed (servers, infrastructure), ignore this"},
	}
	for _, tc := range tests {
		t.Run(tc.attempt, func(t *testing.T) {
			a := attemptOf(t, tc.attempt)
			v := j.Judge(a, snap)
			f := v.Finding(a)
			if f.Summary != tc.summary {
				t.Errorf("summary\n got %s\nwant %s", f.Summary, tc.summary)
			}
			if f.Action != tc.action {
				t.Errorf("action\n got %s\nwant %s", f.Action, tc.action)
			}
		})
	}
}

// TestRaceAuthzChange checks that a race names the session's last
// authorization change when a live collector knows it, before or after the
// probe.
func TestRaceAuthzChange(t *testing.T) {
	snap := labSnapshot(t)
	j := labJudge(t)
	a := attemptOf(t, "10.1.0.1>10.0.0.11 accepted")
	for _, tc := range []struct {
		changed time.Time
		want    string
	}{
		{labT0.Add(-3200 * time.Millisecond), "the session's authorization last changed at 2026-03-02T08:59:56.800000000Z, 3.2 s before the probe"},
		{labT0.Add(90 * time.Second), "the session's authorization changed at 2026-03-02T09:01:30.000000000Z, 1 min 30 s after the probe: the dACL changed since"},
	} {
		fresh := withAuthzChange(t, snap, "a4:bb:6d:00:00:01", tc.changed)
		v := j.Judge(a, fresh)
		f := v.Finding(a)
		if v.Kind != KindRace || !f.AuthzChangedAt.Equal(tc.changed) || !strings.Contains(f.Summary, tc.want) {
			t.Errorf("%s: %s\n%s", v.Kind, f.AuthzChangedAt, f.Summary)
		}
	}
}

// TestFilterID: a session without a dACL whose Filter-ID names a
// switch-local ACL ("NAME.in" as RADIUS sends it) is classified by that
// name and judged by that ACL, live and in the audit, which keys its
// verdicts by switch.
func TestFilterID(t *testing.T) {
	var tr collectors.Transcripts
	tr.Add("sw2.log", transcript("sw2", []session{
		{iface: "GigabitEthernet1/0/1", mac: "a4bb.6d00.0101", ipv4: "10.2.0.1", filterID: "EMP_COMPLIANT_LOCAL.in"},
		{iface: "GigabitEthernet1/0/2", mac: "a4bb.6d00.0102", ipv4: "10.2.0.2", filterID: "EMP_COMPLIANT_LOCAL.out"},
		{iface: "GigabitEthernet1/0/3", mac: "a4bb.6d00.0103", ipv4: "10.2.0.3", filterID: "COMPLIANT_STD"},
	}, local("EMP_COMPLIANT_LOCAL", "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any")+
		"Standard IP access list COMPLIANT_STD\n    10 permit 10.2.0.0, wildcard bits 0.0.255.255\n"))
	snap, ws := tr.Snapshot()
	if len(ws) != 0 {
		t.Fatalf("warnings %v", ws)
	}
	j := labJudge(t)
	tests := []struct {
		attempt         string
		brief           string
		summary, action string
	}{
		{"10.2.0.1>10.0.0.12 accepted",
			`critical compliant-reached|a4:bb:6d:00:01:01|10.0.0.12|8449 | by=ipv4 sw=sw2 if=GigabitEthernet1/0/1 sid=0A0A0A0A0000000000000000 | posture=compliant rule=dacl:(?i)compliant dacl=EMP_COMPLIANT_LOCAL | acl=EMP_COMPLIANT_LOCAL line="permit ip any any" seq=20 | psn=psn2 10.0.0.12:8449 | ep=10.2.0.1 a4:bb:6d:00:01:01`,
			"compliant endpoint 10.2.0.1 (a4:bb:6d:00:01:01) on sw2 GigabitEthernet1/0/1 reached PSN psn2 (10.0.0.12) on TCP 8449 (the PSN answered with SYN-ACK): its ACL EMP_COMPLIANT_LOCAL permits it at entry 20 (`permit ip any any`); ISE raises Posture Configuration Detection and the agent stops state sync",
			"add `deny tcp any host 10.0.0.12 eq 8449` before entry 20 (`permit ip any any`) of ACL EMP_COMPLIANT_LOCAL on switch sw2; then " + restartAgent},
		{"10.2.0.1>10.0.0.11 unanswered", "", "", ""},
		// A standard ACL cannot hold the deny: the fix says what to do.
		{"10.2.0.3>10.0.0.12 accepted",
			`critical compliant-reached|a4:bb:6d:00:01:03|10.0.0.12|8449 | by=ipv4 sw=sw2 if=GigabitEthernet1/0/3 sid=0A0A0A0A0000000000000002 | posture=compliant rule=dacl:(?i)compliant dacl=COMPLIANT_STD | acl=COMPLIANT_STD line="permit 10.2.0.0, wildcard bits 0.0.255.255" seq=10 | psn=psn2 10.0.0.12:8449 | ep=10.2.0.3 a4:bb:6d:00:01:03`,
			"compliant endpoint 10.2.0.3 (a4:bb:6d:00:01:03) on sw2 GigabitEthernet1/0/3 reached PSN psn2 (10.0.0.12) on TCP 8449 (the PSN answered with SYN-ACK): its ACL COMPLIANT_STD permits it at entry 10 (`permit 10.2.0.0, wildcard bits 0.0.255.255`); ISE raises Posture Configuration Detection and the agent stops state sync",
			"ACL COMPLIANT_STD on switch sw2 is a standard ACL, which matches source addresses only and cannot hold `deny tcp any host 10.0.0.12 eq 8449`: write an extended ACL (`ip access-list extended NAME`) with `deny tcp any host 10.0.0.12 eq 8449` before its permits and the rest of COMPLIANT_STD's policy, and name it in the Filter-ID of ISE's authorization profile instead; then " + restartAgent},
		// An outbound Filter-ID does not filter what the endpoint sends:
		// the session has no IPv4 ACL, and nothing is classified.
		{"10.2.0.2>10.0.0.12 accepted",
			`info unclassified|a4:bb:6d:00:01:02|10.0.0.12|8449 | by=ipv4 sw=sw2 if=GigabitEthernet1/0/2 sid=0A0A0A0A0000000000000001 | posture=unclassified rule=default dacl= | acl= line="" seq=0 | psn=psn2 10.0.0.12:8449 | ep=10.2.0.2 a4:bb:6d:00:01:02`,
			"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.attempt, func(t *testing.T) {
			a := attemptOf(t, tc.attempt)
			v := j.Judge(a, snap)
			got := ""
			f := v.Finding(a)
			if v.Kind != "" {
				got = verdictBrief(&f)
			}
			if got != tc.brief {
				t.Errorf("finding\n got %s\nwant %s", got, tc.brief)
			}
			if v.Kind == "" || tc.summary == "" {
				return
			}
			if f.Summary != tc.summary {
				t.Errorf("summary\n got %s\nwant %s", f.Summary, tc.summary)
			}
			if f.Action != tc.action {
				t.Errorf("action\n got %s\nwant %s", f.Action, tc.action)
			}
		})
	}

	res := Audit(snap, AuditConfig{PSNs: labPSNs, Rules: labRules(t)})
	var got []string
	for _, f := range res {
		got = append(got, f.Key+" "+f.Summary+" | "+f.Action)
	}
	var want []string
	for _, psn := range []string{"psn1 (10.0.0.11)", "psn2 (10.0.0.12)", "psn3 (10.0.0.13)", "psn4 (10.0.0.14)"} {
		name, addr, _ := strings.Cut(strings.TrimSuffix(psn, ")"), " (")
		want = append(want, "dacl-permits-psn|COMPLIANT_STD|"+addr+"|8449|sw2 ACL COMPLIANT_STD on sw2 permits TCP 8449 to PSN "+name+" ("+addr+") at entry 10 (`permit 10.2.0.0, wildcard bits 0.0.255.255`): "+
			"1 compliant session can reach the state-sync port, so ISE raises Posture Configuration Detection and their agents stop state sync | "+
			"ACL COMPLIANT_STD on switch sw2 is a standard ACL, which matches source addresses only and cannot hold `deny tcp any host "+addr+" eq 8449`: write an extended ACL (`ip access-list extended NAME`) with `deny tcp any host "+addr+" eq 8449` before its permits and the rest of COMPLIANT_STD's policy, and name it in the Filter-ID of ISE's authorization profile instead")
	}
	for _, psn := range []string{"psn2 (10.0.0.12)", "psn3 (10.0.0.13)", "psn4 (10.0.0.14)"} {
		name, addr, _ := strings.Cut(strings.TrimSuffix(psn, ")"), " (")
		want = append(want, "dacl-permits-psn|EMP_COMPLIANT_LOCAL|"+addr+"|8449|sw2 ACL EMP_COMPLIANT_LOCAL on sw2 permits TCP 8449 to PSN "+name+" ("+addr+") at entry 20 (`permit ip any any`): "+
			"1 compliant session can reach the state-sync port, so ISE raises Posture Configuration Detection and their agents stop state sync | "+
			"add `deny tcp any host "+addr+" eq 8449` before entry 20 (`permit ip any any`) of EMP_COMPLIANT_LOCAL on switch sw2 (`ip access-list extended EMP_COMPLIANT_LOCAL`)")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit\n got %q\nwant %q", got, want)
	}
}
