package alerts

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors"
)

const fixtures = "../collectors/ios/testdata/cisco"

// fixture returns a real switch output; prompt, when given, turns a bare
// output into a transcript of that switch (a line "PROMPT#command" first).
func fixture(t *testing.T, path, prompt string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, path))
	if err != nil {
		t.Fatal(err)
	}
	if prompt != "" {
		return prompt + "#show access-session details\n" + string(b)
	}
	return string(b)
}

// TestAuditFixtures audits real switch outputs: sessions and ACL listings of
// the same source where the fixtures have both, otherwise real sessions
// with a listing written for the dACLs they name.
func TestAuditFixtures(t *testing.T) {
	rule := func(pattern string, p collectors.Posture) collectors.PostureRules {
		return append(collectors.PostureRules{mustRule(t, pattern, p)}, collectors.DefaultPostureRules()...)
	}
	lab := []string{
		fixture(t, "show_authentication_sessions_details/hmchen47-DevOps__47-ISEdot1x.md.show_authentication_sessions_interface.txt", ""),
		fixture(t, "show_access-lists/hmchen47-DevOps__47-ISEdot1x.md.show_access-lists.txt", ""),
	}
	nac := []string{
		fixture(t, "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_11_output.txt", ""),
		fixture(t, "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_12_output.txt", ""),
		fixture(t, "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_13_output.txt", ""),
		"Test_NAC_SW#show ip access-lists\n" +
			"Extended IP access list xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 (per-user)\n    1 permit ip any any\n" +
			"Extended IP access list xACSACLx-IP-Test_ACL_WAPs-598d0d01 (per-user)\n    1 permit udp any eq bootpc any eq bootps\n    2 permit ip any 10.100.0.0 0.0.255.255\n    3 deny ip any any\n",
	}
	dmf := []string{
		fixture(t, "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_15_output.txt", ""),
		"dmf1#show ip access-lists xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3\n" +
			"Extended IP access list xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3 (per-user)\n    1 permit ip any any (1473 matches)\n",
	}
	webauth := []string{
		fixture(t, "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_6_output.txt", "WA"),
		fixture(t, "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_7_output.txt", "WA"),
		"WA#" + fixture(t, "show_ip_access-lists/genie-iosxe-ShowAccessLists__golden_output_3_output.txt", ""),
	}
	psns := []PSN{{"psn1", addrs("10.0.0.11")}, {"psn2", addrs("10.0.0.12")}}
	tests := []struct {
		name  string
		files []string
		rules collectors.PostureRules
		want  []string
	}{
		{
			name:  "lab switch, default rules: its dACL is reported unclassified",
			files: lab,
			want: []string{
				`info posture-unclassified|NOICMP-TELNET | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=xACSACLx-IP-NOICMP-TELNET-5f152814 | SW FastEthernet0/1 10.80.0.12 58:82:a8:99:5c:81`,
			},
		},
		{
			name:  "lab switch, its dACL compliant: the implicit deny blocks the PSNs",
			files: lab,
			rules: rule("NOICMP", collectors.PostureCompliant),
		},
		{
			name:  "lab switch, its dACL for unknown posture: the implicit deny blocks the probe",
			files: lab,
			rules: rule("NOICMP", collectors.PostureUnknown),
			want: []string{
				`warning dacl-blocks-sync|xACSACLx-IP-NOICMP-TELNET-5f152814|10.0.0.11|8449 | acl=xACSACLx-IP-NOICMP-TELNET-5f152814 line="deny ip any any (implicit)" seq=0 | switch= posture=unknown rule=dacl:NOICMP dacl=xACSACLx-IP-NOICMP-TELNET-5f152814 | SW FastEthernet0/1 10.80.0.12 58:82:a8:99:5c:81`,
				`warning dacl-blocks-sync|xACSACLx-IP-NOICMP-TELNET-5f152814|10.0.0.12|8449 | acl=xACSACLx-IP-NOICMP-TELNET-5f152814 line="deny ip any any (implicit)" seq=0 | switch= posture=unknown rule=dacl:NOICMP dacl=xACSACLx-IP-NOICMP-TELNET-5f152814 | SW FastEthernet0/1 10.80.0.12 58:82:a8:99:5c:81`,
			},
		},
		{
			name:  "Test_NAC_SW, default rules: three unclassified dACL names",
			files: nac,
			want: []string{
				`info posture-unclassified|Test_ACL_CiscoPhones | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=xACSACLx-IP-Test_ACL_CiscoPhones-583e3751 | Test_NAC_SW GigabitEthernet1/0/17 - 00:e1:6d:ff:a9:9e`,
				`info posture-unclassified|Test_ACL_PERMIT_ALL | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 | Test_NAC_SW GigabitEthernet1/0/6 - 00:24:9b:ff:07:7a`,
				`info posture-unclassified|Test_ACL_WAPs | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=xACSACLx-IP-Test_ACL_WAPs-598d0d01 | Test_NAC_SW GigabitEthernet1/0/48 - 00:6b:f1:ff:5b:0c`,
			},
		},
		{
			name:  "Test_NAC_SW, every dACL compliant: PERMIT_ALL opens the port, WAPs blocks it, CiscoPhones was not listed",
			files: nac,
			rules: rule("^Test_ACL_", collectors.PostureCompliant),
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69|10.0.0.11|8449 | acl=xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 line="permit ip any any" seq=1 | switch= posture=compliant rule=dacl:^Test_ACL_ dacl=xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 | Test_NAC_SW GigabitEthernet1/0/6 - 00:24:9b:ff:07:7a`,
				`critical dacl-permits-psn|xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69|10.0.0.12|8449 | acl=xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 line="permit ip any any" seq=1 | switch= posture=compliant rule=dacl:^Test_ACL_ dacl=xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69 | Test_NAC_SW GigabitEthernet1/0/6 - 00:24:9b:ff:07:7a`,
				`warning dacl-missing|xACSACLx-IP-Test_ACL_CiscoPhones-583e3751|Test_NAC_SW | acl=xACSACLx-IP-Test_ACL_CiscoPhones-583e3751 line="" seq=0 | switch=Test_NAC_SW posture=compliant rule=dacl:^Test_ACL_ dacl=xACSACLx-IP-Test_ACL_CiscoPhones-583e3751 | Test_NAC_SW GigabitEthernet1/0/17 - 00:e1:6d:ff:a9:9e`,
			},
		},
		{
			name:  "dmf1: a phone and a PC on one port with the same permit-all dACL: one finding per PSN lists both",
			files: dmf,
			rules: rule("^PERMIT_ALL_IPV4_TRAFFIC$", collectors.PostureCompliant),
			want: []string{
				`critical dacl-permits-psn|xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3|10.0.0.11|8449 | acl=xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3 line="permit ip any any" seq=1 | switch= posture=compliant rule=dacl:^PERMIT_ALL_IPV4_TRAFFIC$ dacl=xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3 | dmf1 GigabitEthernet4/0/18 10.15.1.233 08:00:27:3f:f4:27; dmf1 GigabitEthernet4/0/18 10.15.1.176 10:62:e5:19:07:2e`,
				`critical dacl-permits-psn|xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3|10.0.0.12|8449 | acl=xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3 line="permit ip any any" seq=1 | switch= posture=compliant rule=dacl:^PERMIT_ALL_IPV4_TRAFFIC$ dacl=xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3 | dmf1 GigabitEthernet4/0/18 10.15.1.233 08:00:27:3f:f4:27; dmf1 GigabitEthernet4/0/18 10.15.1.176 10:62:e5:19:07:2e`,
			},
		},
		{
			name:  "local web authentication: a redirect ACL without a redirect URL is not posture; the Filter-ID ACL's name is classified as a dACL's",
			files: webauth,
			want: []string{
				`info posture-unclassified|Webauth_ACL | acl= line="" seq=0 | switch= posture=unclassified rule=default dacl=Webauth_ACL | WA GigabitEthernet2/0/24 101.1.0.2 00:0c:29:11:69:b9`,
			},
		},
		{
			name:  "local web authentication, the Filter-ID ACL compliant: not listed by the switch",
			files: webauth,
			rules: rule("^Webauth_ACL$", collectors.PostureCompliant),
			want: []string{
				`warning dacl-missing|Webauth_ACL|WA | acl=Webauth_ACL line="" seq=0 | switch=WA posture=compliant rule=dacl:^Webauth_ACL$ dacl=Webauth_ACL | WA GigabitEthernet2/0/24 101.1.0.2 00:0c:29:11:69:b9`,
			},
		},
		{
			name:  "local web authentication, the Filter-ID ACL compliant and listed: its permit opens the port",
			files: append(slices.Clone(webauth), "WA#show ip access-lists Webauth_ACL\nExtended IP access list Webauth_ACL\n    10 permit udp any any eq domain\n    20 permit ip any 10.0.0.0 0.0.0.255\n"),
			rules: rule("^Webauth_ACL$", collectors.PostureCompliant),
			want: []string{
				`critical dacl-permits-psn|Webauth_ACL|10.0.0.11|8449|WA | acl=Webauth_ACL line="permit ip any 10.0.0.0 0.0.0.255" seq=20 | switch=WA posture=compliant rule=dacl:^Webauth_ACL$ dacl=Webauth_ACL | WA GigabitEthernet2/0/24 101.1.0.2 00:0c:29:11:69:b9`,
				`critical dacl-permits-psn|Webauth_ACL|10.0.0.12|8449|WA | acl=Webauth_ACL line="permit ip any 10.0.0.0 0.0.0.255" seq=20 | switch=WA posture=compliant rule=dacl:^Webauth_ACL$ dacl=Webauth_ACL | WA GigabitEthernet2/0/24 101.1.0.2 00:0c:29:11:69:b9`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tr collectors.Transcripts
			for i, text := range tc.files {
				tr.Add(string(rune('a'+i))+".log", text)
			}
			snap, _ := tr.Snapshot()
			rules := tc.rules
			if rules == nil {
				rules = collectors.DefaultPostureRules()
			}
			got := briefs(Audit(snap, AuditConfig{PSNs: psns, Rules: rules}))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
