package alerts

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
)

// The judge's test inventory: one access switch, sw1, whose sessions cover
// every row of the verdict table, and four PSNs.
const (
	compliantD     = "xACSACLx-IP-EMP_COMPLIANT-00000001" // denies psn1 only
	noncompliantD  = "xACSACLx-IP-QUARANTINE-NONCOMPLIANT-00000002"
	postureD       = "xACSACLx-IP-POSTURE-00000003" // permits psn1..psn3, denies the rest
	phonesD        = "xACSACLx-IP-PHONES-00000004"
	missingD       = "xACSACLx-IP-EMP_COMPLIANT-0000000f" // named, not listed
	compliantFixed = "xACSACLx-IP-EMP_COMPLIANT-00000010" // the fixed version: denies psn1..psn4, listed, unused
	pendingURL     = "https://ise.example.com:8443/portal/gateway?sessionId=0A01&action=nsp"
)

var labPSNs = []PSN{
	{"psn1", addrs("10.0.0.11", "2001:db8::11")}, {"psn2", addrs("10.0.0.12")}, {"psn3", addrs("10.0.0.13")}, {"psn4", addrs("10.0.0.14")},
}

// labSessions are sw1's sessions: interface GigabitEthernet1/0/N holds MAC
// a4bb.6d00.000N and 10.1.0.N.
var labSessions = []session{
	{iface: "GigabitEthernet1/0/1", mac: "a4bb.6d00.0001", ipv4: "10.1.0.1", dacl: compliantD},
	{iface: "GigabitEthernet1/0/2", mac: "a4bb.6d00.0002", ipv4: "10.1.0.2", dacl: noncompliantD},
	{iface: "GigabitEthernet1/0/3", mac: "a4bb.6d00.0003", ipv4: "10.1.0.3", dacl: postureD, redirectACL: "REDIRECT", redirectURL: postureURL},
	{iface: "GigabitEthernet1/0/4", mac: "a4bb.6d00.0004", ipv4: "10.1.0.4", dacl: phonesD},
	{iface: "GigabitEthernet1/0/5", mac: "a4bb.6d00.0005", ipv4: "10.1.0.5", dacl: missingD},
	{iface: "GigabitEthernet1/0/6", mac: "a4bb.6d00.0006", ipv4: "10.1.0.6", ipv6: "2001:db8:1::6", dacl: compliantD},
	{iface: "GigabitEthernet1/0/7", mac: "a4bb.6d00.0007", ipv4: "10.1.0.7", dacl: postureD, redirectACL: "REDIRECT", redirectURL: pendingURL},
}

func labACLs() string {
	return dacl(compliantD, "deny tcp any host 10.0.0.11 eq 8449", "permit ip any any") +
		dacl(noncompliantD, "deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any") +
		dacl(postureD, "permit udp any any eq domain", "permit tcp any host 10.0.0.11 eq 8449", "permit tcp any host 10.0.0.12 eq 8449",
			"permit tcp any host 10.0.0.13 eq 8449", "deny ip any any") +
		dacl(phonesD, "permit ip any any") +
		dacl(compliantFixed, "deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "deny tcp any host 10.0.0.13 eq 8449",
			"deny tcp any host 10.0.0.14 eq 8449", "permit ip any any") +
		local("REDIRECT", "deny ip any host 10.0.0.11", "deny ip any host 10.0.0.12", "permit tcp any host 10.0.0.13 eq 8449", "permit tcp any any eq www")
}

// labRules are the default rules with a pending rule first.
func labRules(t testing.TB) collectors.PostureRules {
	r, err := collectors.NewRedirectRule("action=nsp", collectors.PosturePending)
	if err != nil {
		t.Fatal(err)
	}
	return append(collectors.PostureRules{r}, collectors.DefaultPostureRules()...)
}

func labSnapshot(t testing.TB) *collectors.Snapshot {
	t.Helper()
	var tr collectors.Transcripts
	tr.Add("sw1.log", transcript("sw1", labSessions, labACLs()))
	snap, ws := tr.Snapshot()
	for _, w := range ws {
		t.Errorf("transcript warning: %s", w)
	}
	return snap
}

func labJudge(t testing.TB) *Judge {
	return NewJudge(JudgeConfig{PSNs: labPSNs, Rules: labRules(t)})
}

// labT0 is the lab's first packet time.
var labT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// attemptSpec describes an attempt briefly: "10.1.0.1>10.0.0.12 accepted",
// with options mac=N (the frame carries a4:bb:6d:00:00:0N), router (a
// router's MAC), icmp=CODE (from the PSN's router 10.1.0.254), at=SECONDS.
func attemptOf(t testing.TB, spec string) *capture.Attempt {
	t.Helper()
	f := strings.Fields(spec)
	if len(f) < 2 {
		t.Fatalf("bad spec %q", spec)
	}
	client, psn, _ := strings.Cut(f[0], ">")
	out, err := capture.ParseOutcome(f[1])
	if err != nil {
		t.Fatal(err)
	}
	a := &capture.Attempt{ID: 1, Client: netip.MustParseAddr(client), ClientPort: 50000, PSN: netip.MustParseAddr(psn), Port: 8449,
		Outcome: out, SYNSeen: true, SYNs: 1, FirstSeen: labT0, Interface: "span0"}
	for _, opt := range f[2:] {
		k, v, _ := strings.Cut(opt, "=")
		switch k {
		case "mac":
			a.HasClientMAC = true
			a.ClientMAC = [6]byte{0xa4, 0xbb, 0x6d, 0, 0, 0}
			fmt.Sscanf(v, "%d", &a.ClientMAC[5])
		case "router":
			a.HasClientMAC = true
			a.ClientMAC = [6]byte{0x00, 0x00, 0x5e, 0x00, 0x01, 0x01}
		case "icmp":
			a.HasICMP, a.ICMPType, a.ICMPFrom = true, 3, netip.MustParseAddr("10.1.0.254")
			if a.PSN.Is6() {
				a.ICMPType, a.ICMPFrom = 1, netip.MustParseAddr("2001:db8:1::fe")
			}
			fmt.Sscanf(v, "%d", &a.ICMPCode)
		case "at":
			var s float64
			fmt.Sscanf(v, "%g", &s)
			a.FirstSeen = labT0.Add(time.Duration(s * float64(time.Second)))
		case "port":
			fmt.Sscanf(v, "%d", &a.ClientPort)
		default:
			t.Fatalf("bad option %q", opt)
		}
	}
	if out == capture.Accepted || out == capture.Refused || out == capture.Prohibited {
		a.AnsweredAt = a.FirstSeen.Add(2 * time.Millisecond)
	}
	return a
}
