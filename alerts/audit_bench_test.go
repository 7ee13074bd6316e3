package alerts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors"
)

// campus builds a snapshot of 10 switches with 1,000 sessions each: 50
// compliant dACLs (every one lacking the deny for 10.0.0.13), a posture
// redirect on every tenth session, IPv6 on every other.
func campus(tb testing.TB) *collectors.Snapshot {
	var tr collectors.Transcripts
	k := 0 // sessions with a compliant dACL so far
	for s := 0; s < 10; s++ {
		var sessions []session
		for i := 0; i < 1000; i++ {
			n := s*1000 + i
			ss := session{iface: fmt.Sprintf("GigabitEthernet%d/0/%d", 1+i/48, 1+i%48), mac: fmt.Sprintf("a4bb.%04x.%04x", s, i),
				ipv4: fmt.Sprintf("10.%d.%d.%d", 10+s, i/250, 1+i%250)}
			if n%2 == 0 {
				ss.ipv6 = fmt.Sprintf("2001:db8:%x::%x", s, i+1)
			}
			if n%10 == 9 {
				ss.dacl, ss.redirectACL, ss.redirectURL = redirectD, "REDIRECT_WEB", postureURL
			} else {
				ss.dacl = fmt.Sprintf("xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x", k%50, k%50)
				k++
			}
			sessions = append(sessions, ss)
		}
		var acls strings.Builder
		for d := 0; d < 50; d++ {
			acls.WriteString(dacl(fmt.Sprintf("xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x", d, d),
				"deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449", "permit ip any any"))
		}
		acls.WriteString(dacl(redirectD, "permit udp any any eq domain", "permit tcp any host 10.0.0.11 eq 8443", "permit tcp any host 10.0.0.11 eq 8449",
			"permit tcp any host 10.0.0.12 eq 8443", "permit tcp any host 10.0.0.12 eq 8449", "deny ip any any"))
		acls.WriteString(local("REDIRECT_WEB", "deny ip any host 10.0.0.11", "deny ip any host 10.0.0.12", "permit tcp any any eq www", "permit tcp any any eq 443"))
		name := fmt.Sprintf("SW%d", s)
		tr.Add(name+".log", transcript(name, sessions, acls.String()))
	}
	snap, ws := tr.Snapshot()
	if snap.NumSessions() != 10000 || len(ws) != 0 {
		tb.Fatalf("%d sessions, warnings %v", snap.NumSessions(), ws)
	}
	return snap
}

// BenchmarkAudit audits 10,000 sessions over 50 dACLs against 3 PSNs on 2
// ports.
func BenchmarkAudit(b *testing.B) {
	snap := campus(b)
	cfg := AuditConfig{PSNs: threePSNs, Ports: []uint16{8449, 8443}, Rules: collectors.DefaultPostureRules()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		fs := Audit(snap, cfg)
		// 50 dACLs x (.13 on both ports, .11 and .12 on 8443) permit; the
		// redirect dACL blocks .13 on both ports; and the IPv6 path of the
		// sessions with IPv6 addresses but only an IPv4 dACL is
		// unevaluable for psn1's IPv6 address on both ports (50 x 2).
		if len(fs) != 50*4+2+50*2 || fs[0].Count != 180 {
			b.Fatalf("%d findings, first with %d sessions", len(fs), fs[0].Count)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/session")
}

// FuzzAuditDACLText judges arbitrary dACL text for every posture: no panic,
// and every finding names an entry of the text or the implicit deny.
func FuzzAuditDACLText(f *testing.F) {
	f.Add("deny tcp any host 10.0.0.11 eq 8449\npermit ip any any\n")
	f.Add("remark x\ndeny tcp 10.1.0.0 0.0.255.255 host 10.0.0.11 eq 8449\npermit tcp any object-group PSN\npermit ipv6 any any\n")
	f.Add("ip:inacl#1=deny tcp any any range 8440 8450\nipv6:inacl#2=permit tcp any host 2001:db8::11 eq 8449 established\n")
	f.Add("permit tcp host dynamic ise.example.com any eq 8449 log\ndeny ip any any fragments\n")
	cfg := AuditConfig{PSNs: threePSNs, Ports: []uint16{8449, 8443}}
	f.Fuzz(func(t *testing.T, text string) {
		acls, _ := collectors.DACLFromText("f.acl", "F", text)
		lines := strings.Count(text, "\n") + 1
		for _, p := range collectors.Postures() {
			for _, fd := range AuditDACL(acls, p, cfg) {
				if fd.ACL != "F" || fd.Summary == "" || fd.Action == "" || fd.ACLLine == "" {
					t.Fatalf("finding %+v", fd)
				}
				if fd.ACLLineSeq < 0 || fd.ACLLineSeq > lines {
					t.Fatalf("entry %d of a %d-line text", fd.ACLLineSeq, lines)
				}
			}
		}
	})
}
