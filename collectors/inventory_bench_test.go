package collectors

import (
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"
)

// campusTranscript generates a transcript of one switch with n sessions in
// the IOS-XE details layout (dACL on every session, a posture redirect on
// every tenth, an IPv6 address on every other) and the listings of its
// dacls dACLs.
func campusTranscript(name string, n, dacls int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s#show access-session details\n", name)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("----------------------------------------\n")
		}
		fmt.Fprintf(&b, `            Interface:  GigabitEthernet%d/0/%d
               IIF-ID:  0x%08X
          MAC Address:  a4bb.%04x.%04x
`, 1+i/48%8, 1+i%48, i, i>>16, i&0xffff)
		if i%2 == 0 {
			fmt.Fprintf(&b, "         IPv6 Address:  2001:db8:%x::%x, fe80::a6bb:ff:fe%02x:%04x\n", i>>16, i&0xffff, i>>16&0xff, i&0xffff)
		} else {
			b.WriteString("         IPv6 Address:  Unknown\n")
		}
		fmt.Fprintf(&b, `         IPv4 Address:  10.%d.%d.%d
            User-Name:  host/pc%05d.corp.example.com
               Status:  Authorized
               Domain:  DATA
       Oper host mode:  multi-auth
     Oper control dir:  both
      Session timeout:  28800s (server), Remaining: 27000s
    Common Session ID:  0A0A0A0A%016X
      Acct Session ID:  0x%08x
               Handle:  0x%08x
       Current Policy:  PMAP_DefaultWiredDot1xClosedAuth_1X

Server Policies:
           Vlan Group:  Vlan: %d
`, 10+i>>16, i>>8&0xff, i&0xff, i, i, i, i, 10+i%4)
		if i%10 == 9 {
			fmt.Fprintf(&b, "     URL Redirect ACL:  REDIRECT_POSTURE\n         URL Redirect:  https://ise-psn1.corp.example.com:8443/portal/gateway?sessionId=0A0A0A0A%016X&portal=27b1bc30-2e58-11e9-98fb-0050568775a3&action=cpp&token=5c7a2e0d\n", i)
			b.WriteString("              ACS ACL:  xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12\n")
		} else {
			fmt.Fprintf(&b, "              ACS ACL:  xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x\n", i%dacls, i%dacls)
		}
		b.WriteString("\nMethod status list:\n       Method           State\n        dot1x           Authc Success\n          mab           Stopped\n\n")
	}
	fmt.Fprintf(&b, "%s#show ip access-lists\n", name)
	for d := 0; d < dacls; d++ {
		fmt.Fprintf(&b, "Extended IP access list xACSACLx-IP-EMPLOYEE_%02d_COMPLIANT-5f1528%02x (per-user)\n", d, d)
		fmt.Fprintf(&b, "    10 deny tcp any host 10.0.0.11 eq 8449\n    20 deny tcp any host 10.0.0.12 eq 8449\n    30 permit ip any any\n")
	}
	b.WriteString("Extended IP access list xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 (per-user)\n    10 permit udp any any eq domain\n    20 permit tcp any host 10.0.0.11 eq 8449\n    30 deny ip any any\n")
	b.WriteString("Extended IP access list REDIRECT_POSTURE\n    10 deny ip any host 10.0.0.11\n    20 permit tcp any any eq www\n    30 permit tcp any any eq 443\n")
	return b.String()
}

// BenchmarkInventoryLookupIP looks up one endpoint by IPv4 address among
// 10,000 sessions on 10 switches.
func BenchmarkInventoryLookupIP(b *testing.B) {
	var tr Transcripts
	for s := 0; s < 10; s++ {
		tr.Add(fmt.Sprintf("sw%d.log", s), campusTranscript(fmt.Sprintf("SW%d", s), 1000, 50))
	}
	snap, _ := tr.Snapshot()
	if snap.NumSessions() != 10000 {
		b.Fatalf("%d sessions", snap.NumSessions())
	}
	ip := netip.MustParseAddr("10.10.3.7")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, key := snap.Lookup(ip, "")
		if len(got) != 10 || key != MatchIPv4 {
			b.Fatalf("%d sessions by %q", len(got), key)
		}
	}
}

// BenchmarkInventorySessionMemory measures the heap a switch state holds per
// session (10,000 sessions, the transcript text and the parse released),
// reported as B/session.
func BenchmarkInventorySessionMemory(b *testing.B) {
	const n = 10000
	text := campusTranscript("SW1", n, 50)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var tr Transcripts
		tr.Add("sw1.log", text)
		snap, _ := tr.Snapshot()
		tr = Transcripts{} // release the parsed outputs
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		if snap.NumSessions() != n {
			b.Fatalf("%d sessions", snap.NumSessions())
		}
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n, "B/session")
		runtime.KeepAlive(snap)
	}
}
