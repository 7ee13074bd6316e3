package ios

import (
	"fmt"
	"strings"
	"testing"
)

// sessionDetailsOutput generates `show access-session details` output of n
// sessions in the IOS-XE sectioned layout, dACL on every session, a
// redirect on every tenth, separated by dashed lines as the switch prints
// several sessions.
func sessionDetailsOutput(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("\n----------------------------------------\n\n")
		}
		fmt.Fprintf(&b, `            Interface:  GigabitEthernet%d/0/%d
               IIF-ID:  0x%08X
          MAC Address:  00%02x.%04x.%04x
         IPv6 Address:  Unknown
         IPv4 Address:  10.%d.%d.%d
            User-Name:  host/pc%05d.example.com
          Device-type:  Microsoft-Workstation
          Device-name:  PC%05d
               Status:  Authorized
               Domain:  DATA
       Oper host mode:  multi-auth
     Oper control dir:  both
      Session timeout:  28800s (server), Remaining: 27000s
       Timeout action:  Reauthenticate
  Acct update timeout:  172800s (local), Remaining: 170000s
    Common Session ID:  0A0A0A0A%016X
      Acct Session ID:  0x%08x
               Handle:  0x%08x
       Current Policy:  PMAP_DefaultWiredDot1xClosedAuth_1X


Local Policies:

Server Policies:
              ACS ACL: xACSACLx-IP-COMPLIANT-5f152814
           Vlan Group:  Vlan: %d
            SGT Value:  %d
`, i/48%8+1, i%48+1, i, i>>16&0xff, i&0xffff, i*7&0xffff,
			i>>16&0xff, i>>8&0xff, i&0xff, i, i, i, i, i, 100+i%50, 10+i%20)
		if i%10 == 0 {
			b.WriteString("         URL Redirect ACL: ACL-POSTURE-REDIRECT\n             URL Redirect: https://ise.example.com:8443/portal/gateway?sessionId=0A0A&portal=1&action=cpp\n")
		}
		b.WriteString(`

Method status list:
       Method           State
        dot1x           Authc Success
          mab           Stopped
`)
	}
	return b.String()
}

// BenchmarkParseSessionDetails10k parses 10,000 sessions (about 11 MB); the
// target is 20 MB/s or more.
func BenchmarkParseSessionDetails10k(b *testing.B) {
	text := sessionDetailsOutput(10000)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sessions, ws := ParseSessionDetails(text)
		if len(sessions) != 10000 || len(ws) != 0 {
			b.Fatalf("%d sessions, %d warnings (first %v)", len(sessions), len(ws), ws)
		}
	}
}
