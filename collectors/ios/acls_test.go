package ios

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Synthetic ACL listings for what no fixture covers.
func TestParseACLsLayouts(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     []ACL
		warnings []string
	}{
		{name: "empty", text: ""},
		{
			name: "dACL with its counters, entries without indentation, prompt lines",
			text: `SW1#show ip access-lists xACSACLx-IP-COMPLIANT-5f152814
Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)
10 deny tcp any host 10.0.0.11 eq 8449 (1 match)
    20 deny tcp any host 10.0.0.12 eq 8449 (12 matches)
    30 permit ip any any (123456789 matches)
SW1#`,
			want: []ACL{{Name: "xACSACLx-IP-COMPLIANT-5f152814", PerUser: true, Family: FamilyIPv4, Type: TypeExtended,
				Header: "Extended IP access list", Line: 2, Entries: []ACLEntry{
					{Seq: 10, Text: "deny tcp any host 10.0.0.11 eq 8449", Matches: 1, Line: 3},
					{Seq: 20, Text: "deny tcp any host 10.0.0.12 eq 8449", Matches: 12, Line: 4},
					{Seq: 30, Text: "permit ip any any", Matches: 123456789, Line: 5},
				}}},
		},
		{
			name: "an empty list followed directly by another header; remarks; keywords kept in the text",
			text: `Extended IP access list EMPTY
Extended IP access list KEYWORDS
    5 remark   allow the portal, block sync
    10 permit tcp any host 10.0.0.11 eq 8443 log
    20 permit udp any any eq domain log-input
    30 permit tcp any any eq www time-range WORKDAY (active)
    40 deny   ip any any fragments
    50 permit ip any any dscp ef
    60 deny ip any any log (tag = audit)
Standard IP access list 7
    remark no sequence numbers here
    permit 10.1.1.0, wildcard bits 0.0.0.255 (3 matches)
`,
			want: []ACL{
				{Name: "EMPTY", Family: FamilyIPv4, Type: TypeExtended, Header: "Extended IP access list", Line: 1},
				{Name: "KEYWORDS", Family: FamilyIPv4, Type: TypeExtended, Header: "Extended IP access list", Line: 2,
					Entries: []ACLEntry{
						{Seq: 5, Text: "remark allow the portal, block sync", Remark: true, Line: 3},
						{Seq: 10, Text: "permit tcp any host 10.0.0.11 eq 8443 log", Line: 4},
						{Seq: 20, Text: "permit udp any any eq domain log-input", Line: 5},
						{Seq: 30, Text: "permit tcp any any eq www time-range WORKDAY (active)", Line: 6},
						{Seq: 40, Text: "deny ip any any fragments", Line: 7},
						{Seq: 50, Text: "permit ip any any dscp ef", Line: 8},
						{Seq: 60, Text: "deny ip any any log (tag = audit)", Line: 9},
					}},
				{Name: "7", Family: FamilyIPv4, Type: TypeStandard, Header: "Standard IP access list", Line: 10,
					Entries: []ACLEntry{
						{Text: "remark no sequence numbers here", Remark: true, Line: 11},
						{Text: "permit 10.1.1.0, wildcard bits 0.0.0.255", Matches: 3, Line: 12},
					}},
			},
		},
		{
			name: "IPv6 dACL: sequence at the end, counter before or after it",
			text: `IPv6 access list xACSACLx-IPV6-COMPLIANT_V6-6a1c0e22 (per-user)
    deny tcp any host 2001:DB8::11 eq 8449 sequence 10
    deny tcp any host 2001:db8::12 eq 8449 (7 matches) sequence 20
    permit ipv6 any any sequence 30 (1 match)
    remark v6 ends here sequence 40
`,
			want: []ACL{{Name: "xACSACLx-IPV6-COMPLIANT_V6-6a1c0e22", PerUser: true, Family: FamilyIPv6, Type: TypeIPv6,
				Header: "IPv6 access list", Line: 1, Entries: []ACLEntry{
					{Seq: 10, Text: "deny tcp any host 2001:DB8::11 eq 8449", Line: 2},
					{Seq: 20, Text: "deny tcp any host 2001:db8::12 eq 8449", Matches: 7, Line: 3},
					{Seq: 30, Text: "permit ipv6 any any", Matches: 1, Line: 4},
					{Seq: 40, Text: "remark v6 ends here", Remark: true, Line: 5},
				}}},
		},
		{
			name: "header spellings and notes",
			text: `Extended IP access list A (per user)
Extended IP access list B (Compiled)
Role-based IP access list C (downloaded)
Reflexive IP access list D
IPv6 Role-based access list E
`,
			want: []ACL{
				{Name: "A", PerUser: true, Family: FamilyIPv4, Type: TypeExtended, Header: "Extended IP access list", Line: 1},
				{Name: "B", Note: "Compiled", Family: FamilyIPv4, Type: TypeExtended, Header: "Extended IP access list", Line: 2},
				{Name: "C", Note: "downloaded", Family: FamilyIPv4, Type: TypeRoleBased, Header: "Role-based IP access list", Line: 3},
				{Name: "D", Family: FamilyIPv4, Type: TypeUnknown, Header: "Reflexive IP access list", Line: 4},
				{Name: "E", Family: FamilyIPv6, Type: TypeRoleBased, Header: "IPv6 Role-based access list", Line: 5},
			},
		},
		{
			name: "what is not understood is warned about, and an odd entry is kept",
			text: `10 permit ip any any
Extended IP access list X extra words
    10 frobnicate ip any any
    20 permit
    99999999999 permit ip any any
    30 permit ip any any (99999999999999999999 matches)
`,
			want: []ACL{{Name: "X", Family: FamilyIPv4, Type: TypeExtended, Header: "Extended IP access list", Line: 2,
				Entries: []ACLEntry{
					{Seq: 10, Text: "frobnicate ip any any", Line: 3},
					{Seq: 20, Text: "permit", Line: 4},
					{Text: "permit ip any any", Line: 5},
					{Seq: 30, Text: "permit ip any any", Line: 6},
				}}},
			warnings: []string{
				`line 1: access list: unrecognised line "10 permit ip any any"`,
				`line 2: access list: unexpected text after the name: "extra words"`,
				`line 3: access list: entry "frobnicate ip any any" does not start with permit, deny or remark`,
				`line 4: access list: "permit" without a match`,
				`line 5: access list: sequence number "99999999999" out of range`,
				`line 6: access list: match counter "99999999999999999999" out of range`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ws := ParseACLs(tc.text)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ACLs:\n got %+v\nwant %+v", got, tc.want)
			}
			if gw := warningStrings(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tc.warnings)
			}
		})
	}
}

func TestParseACLsNXOS(t *testing.T) {
	acls, ws := ParseACLs("Extended IP access list OK\n 10 permit ip any any\nIP access list NX\n        10 permit ip 10.0.0.1/32 any [match=3]\n")
	if acls != nil || len(ws) != 1 ||
		ws[0].String() != `line 3: unsupported platform nx-os: access list output not parsed (recognised by "IP access list NX"); syncwatch reads Cisco IOS and IOS-XE only` {
		t.Errorf("got %v, %q", acls, warningStrings(ws))
	}
}

// BenchmarkParseACLs parses 100 dACLs of 100 entries each.
func BenchmarkParseACLs(b *testing.B) {
	var sb strings.Builder
	for a := 0; a < 100; a++ {
		sb.WriteString("Extended IP access list xACSACLx-IP-COMPLIANT_" + strconv.Itoa(a) + "-5f152814 (per-user)\n")
		for e := 1; e <= 100; e++ {
			sb.WriteString("    " + strconv.Itoa(e*10) + " deny tcp any host 10.0." + strconv.Itoa(e) + ".11 eq 8449 (" + strconv.Itoa(e) + " matches)\n")
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		acls, ws := ParseACLs(text)
		if len(acls) != 100 || len(acls[99].Entries) != 100 || len(ws) != 0 {
			b.Fatalf("%d ACLs, %d warnings", len(acls), len(ws))
		}
	}
}
