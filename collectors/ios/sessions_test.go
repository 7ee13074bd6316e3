package ios

import (
	"reflect"
	"strings"
	"testing"
)

// Synthetic session-details layouts that no fixture covers.
func TestParseSessionDetailsLayouts(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     []Session
		warnings []string
	}{
		{
			name: "empty",
			text: "",
		},
		{
			name: "whitespace only",
			text: "   \n\t\n      ",
		},
		{
			name: "tabs for indentation and between key and value",
			text: "\tInterface:\tGigabitEthernet1/0/3\n" +
				"\tMAC Address:\t\tAABB.CC00.1122\n" +
				"\tIPv4 Address:\t10.1.2.3\n" +
				"\tStatus:\tAuthorized\n" +
				"Server Policies:\n" +
				"\t\tACS ACL:\txACSACLx-IP-COMPLIANT-5f152814\n",
			want: []Session{{Interface: "GigabitEthernet1/0/3", MAC: "aa:bb:cc:00:11:22", IPv4: ip("10.1.2.3"),
				Status: "Authorized", Authorized: true, DACL: "xACSACLx-IP-COMPLIANT-5f152814", Line: 1}},
		},
		{
			name: "blank lines inside sections and CRLF",
			text: "Interface:  Gi1/0/3\r\n\r\nMAC Address:  aabb.cc00.1122\r\n" +
				"Server Policies:\r\n\r\n\r\n   ACS ACL: xACSACLx-IP-COMPLIANT-5f152814\r\n\r\n   Vlan Group:  Vlan: 20\r\n" +
				"Method status list:\r\n\r\n   Method  State\r\n\r\n   dot1x   Authc Success\r\n\r\n   mab     Stopped\r\n",
			want: []Session{{Interface: "GigabitEthernet1/0/3", MAC: "aa:bb:cc:00:11:22",
				DACL: "xACSACLx-IP-COMPLIANT-5f152814", VLAN: "20",
				Methods: methods("dot1x", "Authc Success", "mab", "Stopped"), Line: 1}},
		},
		{
			name: "sections in unusual order, a field after them",
			text: `Interface:  GigabitEthernet1/0/4
Method status list:
   Method  State
   mab     Authc Success
Resultant Policies:
   ACS ACL: xACSACLx-IP-NONCOMPLIANT-0a0b0c0d
Server Policies:
   ACS ACL: xACSACLx-IP-OLD-11111111
   SGT Value: 15
Local Policies:
   Vlan Group:  Vlan: 99
MAC Address:  0011.2233.4455
Status:  Authorized
`,
			// Resultant wins over Server, Server over Local; fields printed
			// after the sections still belong to the session.
			want: []Session{{Interface: "GigabitEthernet1/0/4", MAC: "00:11:22:33:44:55", Status: "Authorized",
				Authorized: true, DACL: "xACSACLx-IP-NONCOMPLIANT-0a0b0c0d", VLAN: "99", SGT: "15",
				Methods: methods("mab", "Authc Success"), Line: 1}},
		},
		{
			name: "prompts and echoed commands, wrapped command, final prompt",
			text: `SW1#show access-session interface GigabitEthernet1/0/5
details
Load for five secs: 3%/0%; one minute: 2%; five minutes: 2%
Time source is NTP, 10:00:00.000 UTC Mon Jan 1 2024
            Interface:  GigabitEthernet1/0/5
          MAC Address:  0011.2233.4466
SW1#
show authentication sessions interface Gi1/0/6 details
            Interface:  GigabitEthernet1/0/6
          MAC Address:  0011.2233.4477
SW1>`,
			want: []Session{
				{Interface: "GigabitEthernet1/0/5", MAC: "00:11:22:33:44:66", Line: 5},
				{Interface: "GigabitEthernet1/0/6", MAC: "00:11:22:33:44:77", Line: 9},
			},
		},
		{
			name: "phone and PC on one port, separated by dashes, each with its own dACLs",
			text: `            Interface:  GigabitEthernet1/0/7
          MAC Address:  0011.2233.4401
         IPv6 Address:  Unknown
         IPv4 Address:  10.1.1.10
            User-Name:  CP-8845-SEP001122334401
               Status:  Authorized
               Domain:  VOICE
       Oper host mode:  multi-domain
    Common Session ID:  0A0000010000000100000001
Server Policies:
              ACS ACL: xACSACLx-IP-PHONES-1a2b3c4d
Method status list:
       Method           State
          mab           Authc Success

----------------------------------------

            Interface:  GigabitEthernet1/0/7
          MAC Address:  0011.2233.4402
         IPv6 Address:  2001:db8:1::10, fe80::211:22ff:fe33:4402
         IPv4 Address:  10.1.2.20
            User-Name:  EXAMPLE\alice
               Status:  Authorized
               Domain:  DATA
       Oper host mode:  multi-domain
    Common Session ID:  0A0000010000000200000002
       Session Uptime:  3600s
Server Policies:
              ACS ACL: xACSACLx-IP-COMPLIANT-5f152814
         ACS ACL IPV6: xACSACLx-IPV6-COMPLIANT_V6-6a1c0e22
Method status list:
       Method           State
        dot1x           Authc Success
`,
			want: []Session{
				{Interface: "GigabitEthernet1/0/7", MAC: "00:11:22:33:44:01", IPv4: ip("10.1.1.10"),
					User: "CP-8845-SEP001122334401", Status: "Authorized", Authorized: true, Domain: "VOICE",
					HostMode: "multi-domain", SessionID: "0A0000010000000100000001",
					DACL: "xACSACLx-IP-PHONES-1a2b3c4d", Methods: methods("mab", "Authc Success"), Line: 1},
				{Interface: "GigabitEthernet1/0/7", MAC: "00:11:22:33:44:02", IPv4: ip("10.1.2.20"),
					IPv6: ips("2001:db8:1::10", "fe80::211:22ff:fe33:4402"), User: `EXAMPLE\alice`,
					Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-domain",
					SessionID: "0A0000010000000200000002", Uptime: "3600s",
					DACL: "xACSACLx-IP-COMPLIANT-5f152814", DACLv6: "xACSACLx-IPV6-COMPLIANT_V6-6a1c0e22",
					Methods: methods("dot1x", "Authc Success"), Line: 18},
			},
		},
		{
			name: "IPv6 addresses continued on their own lines",
			text: `Interface:  Te1/0/1
IPv6 Address:  2001:db8::1
               2001:db8::2
               FE80::1
IPv4 Address:  Unknown
`,
			want: []Session{{Interface: "TenGigabitEthernet1/0/1", IPv6: ips("2001:db8::1", "2001:db8::2", "fe80::1"), Line: 1}},
		},
		{
			name: "legacy IP Address with an IPv6 value, Unknown values",
			text: `Interface:  Fa0/1
MAC Address:  Unknown
IP Address:  2001:db8::7
User-Name:  unknown
Status:  Authz Failed
Domain:  UNKNOWN
Common Session ID:  Unknown
`,
			want: []Session{{Interface: "FastEthernet0/1", IPv6: ips("2001:db8::7"), Status: "Authz Failed", Line: 1}},
		},
		{
			name: "posture unknown: redirect in server policies, IPv6 dACL name under ACS ACL",
			text: `Interface:  GigabitEthernet2/0/1
Status:  Authorized
Server Policies:
   URL Redirect:  https://ise.example.com:8443/portal/gateway?sessionId=0A&portal=p&action=cpp
   URL Redirect ACL:  ACL-POSTURE-REDIRECT
   ACS ACL:  xACSACLx-IPV6-POSTURE_V6-0badf00d
   Filter-ID:  LOCAL_ACL
`,
			want: []Session{{Interface: "GigabitEthernet2/0/1", Status: "Authorized", Authorized: true,
				DACLv6: "xACSACLx-IPV6-POSTURE_V6-0badf00d", FilterID: "LOCAL_ACL",
				URLRedirectACL: "ACL-POSTURE-REDIRECT",
				URLRedirect:    "https://ise.example.com:8443/portal/gateway?sessionId=0A&portal=p&action=cpp", Line: 1}},
		},
		{
			name: "a new Interface line starts a new session without a separator",
			text: "Interface: Gi1/0/1\nMAC Address: 0000.0000.0001\nInterface: Gi1/0/2\nMAC Address: 0000.0000.0002\n",
			want: []Session{
				{Interface: "GigabitEthernet1/0/1", MAC: "00:00:00:00:00:01", Line: 1},
				{Interface: "GigabitEthernet1/0/2", MAC: "00:00:00:00:00:02", Line: 3},
			},
		},
		{
			name: "sessions in an unusual field order without separators",
			text: "MAC Address: 0000.0000.0001\nInterface: Gi1/0/1\nStatus: Authorized\n" +
				"MAC Address: 0000.0000.0002\nInterface: Gi1/0/2\nCommon Session ID: 0A02\nCommon Session ID: 0A03\n",
			want: []Session{
				{Interface: "GigabitEthernet1/0/1", MAC: "00:00:00:00:00:01", Status: "Authorized", Authorized: true, Line: 1},
				{Interface: "GigabitEthernet1/0/2", MAC: "00:00:00:00:00:02", SessionID: "0A02", Line: 4},
				{SessionID: "0A03", Line: 7},
			},
		},
		{
			name: "lines not understood are warnings with their line numbers",
			text: `Interface:  Gi1/0/1
MAC Address:  not-a-mac
IPv4 Address:  2001:db8::1
Posture Token:  Healthy
this line means nothing
Server Policies:
   Frobnicate:  yes
`,
			want: []Session{{Interface: "GigabitEthernet1/0/1", Line: 1}},
			warnings: []string{
				`line 2: session details: MAC address "not-a-mac" is not a MAC address`,
				`line 3: session details: "2001:db8::1" is not an address for this field`,
				`line 4: session details: unrecognised line "Posture Token:  Healthy"`,
				`line 5: session details: unrecognised line "this line means nothing"`,
				`line 7: session details: unrecognised line "Frobnicate:  yes"`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ws := ParseSessionDetails(tc.text)
			checkSessions(t, got, tc.want)
			if gw := warningStrings(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tc.warnings)
			}
		})
	}
}

func warningStrings(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return out
}

func TestIsAuthorized(t *testing.T) {
	for status, want := range map[string]bool{
		"Authorized": true, "authz success": true, "Authz  Success": true, "Auth": true, "AZ": true,
		"Unauthorized": false, "Unauth": false, "Authz Failed": false, "Running": false, "": false, "UZ": false,
	} {
		if got := IsAuthorized(status); got != want {
			t.Errorf("IsAuthorized(%q) = %v, want %v", status, got, want)
		}
	}
}

func TestWarningsAreBounded(t *testing.T) {
	text := strings.Repeat("garbage\n", 5000)
	_, ws := ParseSessionDetails(text)
	if len(ws) != maxWarnings+1 {
		t.Fatalf("%d warnings, want %d", len(ws), maxWarnings+1)
	}
	if got := ws[len(ws)-1].String(); got != "4000 more warnings not shown" {
		t.Errorf("last warning %q", got)
	}
	long := strings.Repeat("x", 1<<20)
	_, ws = ParseSessionDetails(long)
	if len(ws) != 1 || len(ws[0].Message) > 200 {
		t.Errorf("a 1 MB line gave %d warnings, the first %d bytes long", len(ws), len(ws[0].Message))
	}
}
