package ios

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// fixtureDir holds the public switch outputs (see its SOURCES.md).
const fixtureDir = "testdata/cisco"

// fixtureCase is what one real output must parse to.
type fixtureCase struct {
	file     string   // relative to fixtureDir
	command  string   // the command that produced it (folder name and genie arguments)
	kind     Kind     // Detect(command, output), also Detect("", output) unless blank
	blank    bool     // the output is empty: only the command tells what it is
	warnings []string // every warning, as Warning.String()

	sessions     []Session            // the whole result
	summaryCount int                  // number of summary rows
	summary      map[int]SummaryEntry // rows by index (the rest are cross-checked upstream)
	acls         []aclWant            // every ACL, in order
	addresses    []ARPEntry           // the whole result
	macTable     []MACEntry           // the whole result
	version      Version              // the whole result
}

// aclWant is an ACL's header, its entry count, and entries by index.
type aclWant struct {
	name    string
	perUser bool
	note    string
	family  string
	typ     string
	header  string
	line    int
	count   int
	entries map[int]ACLEntry
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func ips(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, ip(a))
	}
	return out
}

// methods builds a method list from name, state pairs.
func methods(pairs ...string) []Method {
	var out []Method
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, Method{Method: pairs[i], State: pairs[i+1]})
	}
	return out
}

// isCompanion reports whether a fixture file is an upstream expectation or
// argument file rather than a device output.
func isCompanion(name string) bool {
	return strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, "_expected.json") ||
		strings.HasSuffix(name, "_arguments.json") || strings.HasSuffix(name, ".md")
}

// deviceOutputs lists every device output under fixtureDir (MIB files
// excepted: they are the SNMP collector's).
func deviceOutputs(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(fixtureDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "mibs" {
				return filepath.SkipDir
			}
			return nil
		}
		if !isCompanion(d.Name()) {
			rel, _ := filepath.Rel(fixtureDir, path)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestFixturesAllCovered(t *testing.T) {
	have := map[string]bool{}
	for _, c := range fixtureCases {
		if have[c.file] {
			t.Errorf("%s: two cases", c.file)
		}
		have[c.file] = true
	}
	files := deviceOutputs(t)
	for _, f := range files {
		if !have[f] {
			t.Errorf("%s: no table entry", f)
		}
		delete(have, f)
	}
	for f := range have {
		t.Errorf("%s: table entry for a missing file", f)
	}
	if len(files) < 90 {
		t.Errorf("only %d device outputs found", len(files))
	}
}

func TestFixtures(t *testing.T) {
	for _, c := range fixtureCases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(fixtureDir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			if k := Detect(c.command, text); k != c.kind {
				t.Errorf("Detect(%q) = %q, want %q", c.command, k, c.kind)
			}
			bare := c.kind
			if c.blank {
				bare = KindUnknown
			}
			if k := Detect("", text); k != bare {
				t.Errorf("Detect without command = %q, want %q", k, bare)
			}
			r, ws := Parse(c.command, text)
			var got []string
			for _, w := range ws {
				got = append(got, w.String())
			}
			if !reflect.DeepEqual(got, c.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", got, c.warnings)
			}
			switch c.kind {
			case KindSessionDetails:
				checkSessions(t, r.Sessions, c.sessions)
			case KindSessionSummary:
				if len(r.Summary) != c.summaryCount {
					t.Errorf("%d summary rows, want %d", len(r.Summary), c.summaryCount)
				}
				for i, want := range c.summary {
					if i >= len(r.Summary) {
						t.Errorf("row %d missing", i)
						continue
					}
					if got := r.Summary[i]; !reflect.DeepEqual(got, want) {
						t.Errorf("row %d:\n got %+v\nwant %+v", i, got, want)
					}
				}
			case KindACLs:
				checkACLs(t, r.ACLs, c.acls)
			case KindARP, KindDeviceTracking, KindIPDeviceTracking:
				if !reflect.DeepEqual(r.Addresses, c.addresses) {
					t.Errorf("addresses:\n got %+v\nwant %+v", r.Addresses, c.addresses)
				}
			case KindMACTable:
				if !reflect.DeepEqual(r.MACTable, c.macTable) {
					t.Errorf("MAC table:\n got %+v\nwant %+v", r.MACTable, c.macTable)
				}
			case KindVersion:
				if r.Version != c.version {
					t.Errorf("version:\n got %+v\nwant %+v", r.Version, c.version)
				}
			}
		})
	}
}

// checkSessions compares whole sessions, one by one for readable failures.
func checkSessions(t *testing.T, got, want []Session) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d sessions, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("session %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

// checkACLs compares ACL headers and counts, and the listed entries.
func checkACLs(t *testing.T, got []ACL, want []aclWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d ACLs, want %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		g, w := got[i], want[i]
		head := aclWant{name: g.Name, perUser: g.PerUser, note: g.Note, family: g.Family, typ: g.Type,
			header: g.Header, line: g.Line, count: len(g.Entries), entries: w.entries}
		if !reflect.DeepEqual(head, w) {
			t.Errorf("ACL %d header:\n got %+v\nwant %+v", i, head, w)
		}
		for j, e := range w.entries {
			if j >= len(g.Entries) {
				t.Errorf("ACL %q entry %d missing", g.Name, j)
				continue
			}
			if g.Entries[j] != e {
				t.Errorf("ACL %q entry %d:\n got %+v\nwant %+v", g.Name, j, g.Entries[j], e)
			}
		}
	}
}

// fixtureCases: one per device output, asserting exact values; every value
// of every record is also checked against the upstream expectations in
// upstream_test.go.
var fixtureCases = []fixtureCase{
	{
		file:    "show_access-lists/genie-ios-ShowAccessLists__golden_output_customer2_output.txt",
		command: "show access-lists acl1",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "acl1", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 2, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp any any", Line: 3},
				1: {Seq: 20, Text: "permit udp any host 10.4.1.1 eq 1985", Matches: 67, Line: 4},
				2: {Seq: 30, Text: "permit ip object-group dummydpd-local object-group dummydpd-remote", Line: 5},
			}},
		},
	},
	{
		file:    "show_access-lists/genie-ios-ShowAccessLists__golden_output_ios_output.txt",
		command: "show access-lists 101",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "101", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 2, count: 4, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ip host 10.3.3.3 host 10.5.5.34", Line: 3},
				1: {Seq: 20, Text: "permit icmp any any", Line: 4},
				2: {Seq: 30, Text: "permit ip host 10.34.2.2 host 10.2.54.2", Line: 5},
				3: {Seq: 40, Text: "permit ip host 10.3.4.31 host 10.3.32.3 log", Line: 6},
			}},
		},
	},
	{
		file:    "show_access-lists/genie-ios-ShowAccessLists__golden_output_standard_output.txt",
		command: "show ip access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "1", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 2, count: 1, entries: map[int]ACLEntry{
				0: {Text: "permit 172.20.10.10", Line: 3},
			}},
			{name: "10", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 4, count: 1, entries: map[int]ACLEntry{
				0: {Text: "permit 10.66.12.12", Line: 5},
			}},
			{name: "12", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 6, count: 1, entries: map[int]ACLEntry{
				0: {Text: "deny 10.16.3.2", Line: 7},
			}},
			{name: "32", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 8, count: 1, entries: map[int]ACLEntry{
				0: {Text: "permit 172.20.20.20", Line: 9},
			}},
			{name: "34", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 10, count: 2, entries: map[int]ACLEntry{
				0: {Text: "permit 10.24.35.56", Line: 11},
				1: {Text: "permit 10.34.56.34", Line: 12},
			}},
		},
	},
	{
		file:    "show_access-lists/genie-iosxe-ShowAccessLists__golden_output_4_output.txt",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "FQDN_v6ACL_WEBAUTH_REDIRECT", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 FQDN access list", line: 1, count: 17, entries: map[int]ACLEntry{
				0:  {Seq: 4, Text: "deny ipv6 any host dynamic *.atoz.msn.com", Line: 2},
				1:  {Seq: 5, Text: "deny ipv6 any host dynamic www.ab.*.*.*.test.com", Line: 3},
				16: {Seq: 2000000, Text: "permit tcp any any eq 443", Line: 18},
			}},
		},
	},
	{
		file:    "show_access-lists/genie-iosxe-ShowAccessLists__golden_output_output.txt",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "acl_name", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ip any any", Matches: 10031, Line: 2},
			}},
			{name: "ipv4_acl", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 3, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp any any eq www", Line: 4},
				1: {Seq: 20, Text: "permit tcp any any eq 22", Line: 5},
			}},
			{name: "test1", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 6, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit pim any any dscp default option 222 log", Line: 7},
				1: {Seq: 20, Text: "permit icmp 0.1.1.1 255.0.0.0 any 10 66", Line: 8},
			}},
			{name: "test22", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 9, count: 4, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp 192.168.1.0 0.0.0.255 host 10.4.1.1 established log", Line: 10},
				1: {Seq: 20, Text: "permit tcp host 10.16.2.2 eq www telnet 443 any precedence network ttl eq 255", Line: 11},
				2: {Seq: 30, Text: "deny ip any any", Line: 12},
				3: {Seq: 40, Text: "permit tcp any range ftp-data bgp any", Line: 13},
			}},
			{name: "test33", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 14, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp any 10.120.194.64 0.0.0.63", Line: 15},
				1: {Seq: 20, Text: "permit tcp any eq 443 10.120.194.64 0.0.0.63", Line: 16},
			}},
			{name: "ipv6_acl", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 17, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 20, Text: "permit ipv6 host 2001::1 host 2001:1::2", Line: 18},
				1: {Seq: 30, Text: "permit tcp any eq www 8443 host 2001:2::2", Line: 19},
				2: {Seq: 80, Text: "permit ipv6 2001:db8:9:9::3 2001:db8:10:10::4 2001:db8:1:1::1 2001:db8:24:24::6 log", Line: 20},
			}},
			{name: "preauth_v6", perUser: true, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 21, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit udp any any eq domain", Line: 22},
				1: {Seq: 20, Text: "permit esp any any dscp cs7 log", Line: 23},
				2: {Seq: 30, Text: "deny ipv6 any any", Line: 24},
			}},
			{name: "mac_acl", perUser: false, note: "", family: "mac", typ: "unknown", header: "Extended MAC access list", line: 25, count: 5, entries: map[int]ACLEntry{
				0: {Text: "permit any any", Line: 26},
				1: {Text: "deny any any msdos", Line: 27},
				2: {Text: "deny any any vlan 10", Line: 28},
				3: {Text: "permit host 0001.00ff.0235 host 0003.00ff.0306 lsap 0x1 0xD8FE", Line: 29},
				4: {Text: "permit any any aarp cos 4 vlan 20", Line: 30},
			}},
		},
	},
	{
		file:     "show_access-lists/genie-nxos-ShowAccessLists__golden_output2_output.txt",
		command:  "show access-lists",
		kind:     KindACLs,
		warnings: []string{"line 4: unsupported platform nx-os: access list output not parsed (recognised by \"IP access list NTP-ACL\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:     "show_access-lists/genie-nxos-ShowAccessLists__golden_output3_output.txt",
		command:  "show access-lists",
		kind:     KindACLs,
		warnings: []string{"line 2: unsupported platform nx-os: access list output not parsed (recognised by \"IPV4 ACL 1\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:    "show_access-lists/hmchen47-DevOps__47-ISEdot1x.md.show_access-lists.txt",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "Auth-Default-ACL-OPEN", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 2, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ip any any", Matches: 80, Line: 3},
			}},
			{name: "xACSACLx-IP-NOICMP-TELNET-5f152814", perUser: true, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 4, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny icmp any any", Line: 5},
				1: {Seq: 20, Text: "deny tcp any any eq telnet", Line: 6},
			}},
		},
	},
	{
		file:    "show_access-lists/ntc__cisco_ios_show_access-list.raw",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "Virtual-Access1.1#1", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 1, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 20, Text: "permit icmp host 1.1.1.1 any", Line: 2},
				1: {Seq: 30, Text: "deny ip host 44.33.66.36 host 1.1.1.1", Line: 3},
				2: {Seq: 40, Text: "permit udp any host 1.1.1.1", Line: 4},
			}},
			{name: "Virtual-Access1.1#2", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 5, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit igmp any host 13.1.1.2", Line: 6},
				1: {Seq: 20, Text: "permit icmp host 13.1.1.2 any", Line: 7},
			}},
			{name: "102", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 8, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp any host 192.168.1.100 eq ftp", Line: 9},
				1: {Seq: 20, Text: "permit tcp any host 192.168.1.100 gt 1024", Line: 10},
			}},
			{name: "VLAN-TEST", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 11, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ip any any", Line: 12},
				1: {Seq: 20, Text: "deny ip any any", Line: 13},
			}},
			{name: "1", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 14, count: 4, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 10.1.2.3 log", Line: 15},
				1: {Seq: 20, Text: "deny 10.1.1.1", Line: 16},
				2: {Seq: 30, Text: "deny 192.168.1.0, wildcard bits 0.0.0.255", Line: 17},
				3: {Seq: 40, Text: "deny any log", Line: 18},
			}},
			{name: "ciao", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 19, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp any eq www whois uucp domain ident host 10.10.10.10 tos normal", Line: 20},
				1: {Seq: 20, Text: "deny tcp any eq www any log", Line: 21},
				2: {Seq: 30, Text: "deny tcp any range www domain 10.10.10.10 0.0.0.255", Line: 22},
			}},
			{name: "10", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 23, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 192.168.1.0, wildcard bits 0.0.0.255", Matches: 5177, Line: 24},
				1: {Seq: 16, Text: "deny udp host 192.168.1.3 host 192.168.2.12 range 12 15", Line: 25},
				2: {Seq: 17, Text: "deny tcp host 192.168.1.12 eq 12 host 192.168.2.30 eq 40", Line: 26},
			}},
		},
	},
	{
		file:    "show_access-lists/ntc__cisco_ios_show_access-list2.raw",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "1", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 1, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 4.5.6.0 log", Line: 2},
				1: {Seq: 20, Text: "permit any", Line: 3},
			}},
			{name: "2", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 4, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 0.0.0.0, wildcard bits 255.255.255.252 log", Matches: 4556, Line: 5},
				1: {Seq: 20, Text: "permit any", Matches: 11665, Line: 6},
			}},
		},
	},
	{
		file:    "show_access-lists/ntc__cisco_ios_show_access-list3.raw",
		command: "show access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "115", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 9999, Text: "permit ip any any", Matches: 10878, Line: 2},
			}},
			{name: "150", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 3, count: 26, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit tcp any any eq 5060", Line: 4},
				1:  {Seq: 20, Text: "permit udp any any eq 5060", Matches: 2, Line: 5},
				25: {Seq: 260, Text: "permit ip 81.93.0.0 0.0.31.255 any", Line: 29},
			}},
		},
	},
	{
		file:     "show_access-lists/ntc__cisco_nxos_show_access-lists.raw",
		command:  "show access-lists",
		kind:     KindACLs,
		warnings: []string{"line 1: unsupported platform nx-os: access list output not parsed (recognised by \"IP access list acl-test\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:     "show_access-lists/ntc__cisco_nxos_show_access-lists2.raw",
		command:  "show access-lists",
		kind:     KindACLs,
		warnings: []string{"line 1: unsupported platform nx-os: access list output not parsed (recognised by \"IP access list TEST-ACL\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSessionBrief__golden_output_output.txt",
		command:      "show access-session brief",
		kind:         KindSessionSummary,
		summaryCount: 2,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet1/0/23", MAC: "34:bd:c8:53:05:05", Status: "AZ", Authorized: true, Flags: "X", AuthC: "d:OK", AuthZ: "AZ: SA-", Uptime: "6858s", Line: 3},
			1: {Interface: "GigabitEthernet1/0/23", MAC: "34:bd:c8:53:05:43", Status: "UZ", Flags: "X", AuthC: "d:NR", AuthZ: "UZ: SA- FA-", Uptime: "6853s", Line: 4},
		},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSessionInterface__golden_output_1_output.txt",
		command:      "show access-session interface TenGigabitEthernet3/0/1",
		kind:         KindSessionSummary,
		summaryCount: 2,
		summary: map[int]SummaryEntry{
			0: {Interface: "TenGigabitEthernet3/0/1", MAC: "50:f7:22:2b:f6:73", Method: "N/A", Status: "Unauth", SessionID: "07001BAC0000000C82D79139", Line: 4},
			1: {Interface: "TenGigabitEthernet3/0/1", MAC: "cc:98:91:14:9d:9e", Method: "N/A", Status: "Unauth", SessionID: "000000000000000B82D759B9", Line: 5},
		},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSession__empty_output_output.txt",
		command:      "show access-session",
		kind:         KindSessionSummary,
		blank:        true,
		summaryCount: 0,
		summary:      map[int]SummaryEntry{},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSession__golden_output1_output.txt",
		command:      "show access-session",
		kind:         KindSessionSummary,
		summaryCount: 1,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet1/0/1", MAC: "f4:cf:be:ff:9c:b1", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "000000000000000BB6FC9EAF", Line: 3},
		},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSession__golden_output2_output.txt",
		command:      "show access-session",
		kind:         KindSessionSummary,
		summaryCount: 0,
		summary:      map[int]SummaryEntry{},
	},
	{
		file:         "show_access-session/genie-iosxe-ShowAccessSessionsInfo__golden_output_2_output.txt",
		command:      "show access-session info",
		kind:         KindSessionSummary,
		summaryCount: 33,
		summary: map[int]SummaryEntry{
			0:  {Interface: "GigabitEthernet2/0/7", MAC: "00:10:94:00:00:03", Method: "D1x", Domain: "D", Status: "AZ", Authorized: true, VLAN: "1001", IPv4: ip("101.100.100.110"), Policy: "WA_Dot1xMabWa_conc..", UserRole: "USERABCD", Line: 4},
			1:  {Interface: "GigabitEthernet2/0/7", MAC: "00:10:94:00:00:04", Method: "D1x", Domain: "D", Status: "AZ", Authorized: true, VLAN: "1001", IPv4: ip("101.100.100.111"), Policy: "WA_Dot1xMabWa_conc..", UserRole: "ABCDEFGH..", Line: 5},
			3:  {Interface: "GigabitEthernet2/0/7", MAC: "00:10:94:00:00:06", Method: "D1x", Domain: "D", Status: "AZ", Authorized: true, VLAN: "1001", IPv4: ip("101.100.100.113"), Policy: "WA_Dot1xMabWa_conc..", UserRole: "RANDOM", Line: 7},
			13: {Interface: "GigabitEthernet3/0/11", MAC: "00:15:01:00:00:04", Method: "D1x", Domain: "D", Status: "AZ", Authorized: true, IPv4: ip("200.1.0.213"), Policy: "Dot1x", UserRole: "ABCDEFGH..", Line: 17},
			23: {Interface: "GigabitEthernet3/0/11", MAC: "00:15:01:00:00:0e", Method: "D1x", Domain: "D", Status: "AZ", Authorized: true, IPv4: ip("200.1.0.198"), Policy: "Dot1x", UserRole: "ABCDEFGH..", Line: 27},
			30: {Interface: "GigabitEthernet2/0/24", MAC: "08:00:0f:cb:b7:bf", Method: "N/A", Domain: "U", Status: "UZ", Policy: "Dot1x_MAB", UserRole: "MITEL 53..", Line: 34},
			32: {Interface: "GigabitEthernet3/0/3", MAC: "34:db:fd:e5:34:ab", Method: "D1x", Domain: "V", Status: "AZ", Authorized: true, IPv4: ip("101.101.101.21"), Policy: "Dot1x", UserRole: "CP-6941-..", Line: 36},
		},
	},
	{
		file:         "show_access-session/ntc__cisco_ios_show_access-session3.raw",
		command:      "show access-session",
		kind:         KindSessionSummary,
		summaryCount: 41,
		summary: map[int]SummaryEntry{
			0:  {Interface: "GigabitEthernet1/0/10", MAC: "c8:9a:12:cd:3b:74", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FB3000101FF", Line: 5},
			1:  {Interface: "GigabitEthernet1/0/5", MAC: "84:8a:12:cd:36:36", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBD000101FF", Line: 6},
			3:  {Interface: "GigabitEthernet1/0/26", MAC: "00:5a:12:cd:35:67", Method: "N/A", Status: "Unauth", SessionID: "0A0A1DFE00001F8D160101FF", Line: 8},
			13: {Interface: "GigabitEthernet1/0/31", MAC: "54:ea:12:cd:32:dc", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD3000101FF", Line: 18},
			23: {Interface: "GigabitEthernet1/0/37", MAC: "c8:9a:12:cd:32:9d", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD5000101FF", Line: 28},
			33: {Interface: "GigabitEthernet1/0/45", MAC: "84:8a:12:cd:35:fa", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBF000101FF", Line: 38},
			40: {Interface: "GigabitEthernet1/0/29", MAC: "8c:8a:12:cd:39:43", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE0000202C3F0101FF", Line: 45},
		},
	},
	{
		file:         "show_access-session/ntc__cisco_ios_show_access-session4.raw",
		command:      "show access-session",
		kind:         KindSessionSummary,
		summaryCount: 63,
		summary: map[int]SummaryEntry{
			0:  {Interface: "FastEthernet3/0/40", Method: "mab", Status: "Running", SessionID: "0A5C58FE00000018000101FF", Line: 3},
			1:  {Interface: "FastEthernet2/0/33", Method: "mab", Status: "Running", SessionID: "0A0A7F9B000001E8010101FF", Line: 4},
			3:  {Interface: "FastEthernet3/0/1", MAC: "34:7a:12:cd:3f:e8", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B00000055000101FF", Line: 6},
			13: {Interface: "FastEthernet2/0/31", MAC: "84:8a:12:cd:33:bf", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B00000031000101FF", Line: 16},
			23: {Interface: "FastEthernet3/0/10", MAC: "00:0a:12:cd:3e:a4", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B0000AD443C0101FF", Line: 26},
			33: {Interface: "FastEthernet2/0/16", MAC: "84:8a:12:cd:32:ea", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A5C58FE00000005000101FF", Line: 36},
			43: {Interface: "FastEthernet2/0/6", MAC: "8c:8a:12:cd:3a:a9", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A0A497E00000001000101FF", Line: 46},
			53: {Interface: "FastEthernet3/0/35", MAC: "84:8a:12:cd:37:aa", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B0000003C000101FF", Line: 56},
			62: {Interface: "FastEthernet2/0/35", MAC: "8c:8a:12:cd:31:f9", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A5C58FE0000000E000101FF", Line: 65},
		},
	},
	{
		file:         "show_access-session/ntc__cisco_ios_show_access-session5.raw",
		command:      "show access-session",
		kind:         KindSessionSummary,
		summaryCount: 41,
		summary: map[int]SummaryEntry{
			0:  {Interface: "GigabitEthernet1/0/10", MAC: "c8:9a:12:cd:3b:74", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FB3000101FF", Line: 4},
			1:  {Interface: "GigabitEthernet1/0/5", MAC: "84:8a:12:cd:36:36", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBD000101FF", Line: 5},
			3:  {Interface: "GigabitEthernet1/0/26", MAC: "00:5a:12:cd:35:67", Method: "N/A", Status: "Unauth", SessionID: "0A0A1DFE00001F8D160101FF", Line: 7},
			13: {Interface: "GigabitEthernet1/0/31", MAC: "54:ea:12:cd:32:dc", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD3000101FF", Line: 17},
			23: {Interface: "GigabitEthernet1/0/37", MAC: "c8:9a:12:cd:32:9d", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD5000101FF", Line: 27},
			33: {Interface: "GigabitEthernet1/0/45", MAC: "84:8a:12:cd:35:fa", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBF000101FF", Line: 37},
			40: {Interface: "GigabitEthernet1/0/29", MAC: "8c:8a:12:cd:39:43", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE0000202C3F0101FF", Line: 44},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionDetails__golden_output_1_output.txt",
		command: "show access-session details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", IPv4: ip("192.168.194.1"), User: "CP-7961G-GE-SEP001AA136C68A", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "2300130B0000002ABD0A2AF1", DeviceType: "Cisco-IP-Phone-7961", DeviceName: "Cisco IP Phone 7961", CurrentPolicy: "test_dot1x", VLAN: "194", Methods: methods("dot1x", "Authc Success"), Line: 1},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionDetails__golden_output_3_output.txt",
		command: "show access-session details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", IPv4: ip("192.168.194.1"), User: "CP-7961G-GE-SEP001AA136C68A", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "2300130B0000002ABD0A2AF1", DeviceType: "Cisco-IP-Phone-7961", DeviceName: "Cisco IP Phone 7961", CurrentPolicy: "test_dot1x", VLAN: "194", Methods: methods("dot1x", "Authc Success"), Line: 1},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionDetails__golden_output_6_output.txt",
		command: "show access-session details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", IPv4: ip("192.168.194.1"), User: "CP-7961G-GE-SEP001AA136C68A", Domain: "VOICE", SessionID: "2300130B0000002ABD0A2AF1", DeviceType: "Cisco-IP-Phone-7961", DeviceName: "Cisco IP Phone 7961", VLAN: "194", Line: 1},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionInterfaceDetails__golden_output_1_output.txt",
		command: "show access-session interface GigabitEthernet1/0/21 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/21", MAC: "08:00:37:ff:f5:85", IPv4: ip("10.4.1.1"), User: "genie123", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "0A7820020000413CCCE37640", CurrentPolicy: "Test_DOT1X-DEFAULT_V1", DACL: "xACSACLx-IP-Test_ACL_XeroxPrinters_v1-597a95c4", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionInterfaceDetails__golden_output_2_output.txt",
		command: "show access-session interface GigabitEthernet1/0/24 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/24", MAC: "00:12:7f:ae:96:62", Status: "Unauthorized", HostMode: "multi-auth", SessionID: "0000000000000032E325469F", DeviceType: "Cisco-IP-Phone-7971", DeviceName: "Cisco IP Phone 7971", CurrentPolicy: "BUILTIN_AUTOCONF_POLICY", Line: 1},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetailsMethod__golden_output_2_output.txt",
		command: "show access-session mac 001a.a136.c68a method dot1x details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", IPv4: ip("192.168.194.1"), User: "CP-7961G-GE-SEP001AA136C68A", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "2300130B0000002ABD0A2AF1", DeviceType: "Cisco-IP-Phone-7961", DeviceName: "Cisco IP Phone 7961", CurrentPolicy: "test_dot1x", VLAN: "194", Methods: methods("dot1x", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_1_output.txt",
		command: "show access-session mac 000e.83e5.3398 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/12", MAC: "00:0e:83:e5:33:98", IPv4: ip("194.10.0.1"), User: "CP-7970G-SEP000E83E53398", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "EE01060A0000000FBB64DB50", CurrentPolicy: "POLICY_Gi1/0/12", DACL: "xACSACLx-IP-legacy_TC9_permit_user_CP-7970G-SEP000E83E53398-63ced261", VLAN: "194", Methods: methods("dot1x", "Authc Success"), Line: 1},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_5_output.txt",
		command: "show access-session mac 000c.2911.69b9 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/24", MAC: "00:0c:29:11:69:b9", IPv4: ip("101.1.0.2"), User: "webauth_user1", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "910C140B00000017F40DA338", CurrentPolicy: "Webauth", DACL: "xACSACLx-IP-Webauth_ACL-64cbe188", Methods: methods("webauth", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_6_output.txt",
		command: "show access-session mac 000c.2911.69b9 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/24", MAC: "00:0c:29:11:69:b9", IPv4: ip("101.1.0.2"), Status: "Unauthorized", HostMode: "multi-auth", SessionID: "910C140B000000258F543887", CurrentPolicy: "WA_logout_vip", URLRedirectACL: "IP-Adm-V4-Int-ACL-global", URLRedirectACLv6: "IP-Adm-V6-Int-ACL-global", PreauthACL: "preauth_v4", PreauthACLv6: "preauth_v6", Methods: methods("webauth", "Running"), Line: 2},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_7_output.txt",
		command: "show access-session mac 000c.2911.69b9 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/24", MAC: "00:0c:29:11:69:b9", IPv4: ip("101.1.0.2"), User: "webauth_user2", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "910C140B000000248F52CD2F", CurrentPolicy: "WA_logout_vip", FilterID: "Webauth_ACL", URLRedirectACL: "IP-Adm-V4-LOGOUT-ACL", Methods: methods("webauth", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_access-session_details/genie-iosxe-ShowAccessSessionMacDetails__golden_output_8_output.txt",
		command: "show access-session mac 000c.29b4.4159 details R0",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/48", MAC: "00:0c:29:b4:41:59", IPv4: ip("101.1.0.2"), User: "webauth_user1", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "000000000000000B3C58F9B4", CurrentPolicy: "Webauth", DACL: "xACSACLx-IP-Webauth_ACL-650d25d8", Methods: methods("webauth", "Authc Success"), Line: 2},
		},
	},
	{
		file:         "show_authentication_sessions/genie-iosxe-ShowAuthenticationSessionInterfaceSwitch__golden_output1_output.txt",
		command:      "show authentication sessions interface Gi2/0/3",
		kind:         KindSessionSummary,
		summaryCount: 2,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", Method: "dot1x", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "2300130B0000002ABD0A2AF1", Line: 3},
			1: {Interface: "GigabitEthernet2/0/3", MAC: "00:55:66:77:88:55", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "2300130B0000002CBD0A520E", Line: 4},
		},
	},
	{
		file:         "show_authentication_sessions/genie-iosxe-ShowAuthenticationSessionInterfaceSwitch__golden_output_output.txt",
		command:      "show authentication sessions interface Te1/0/1",
		kind:         KindSessionSummary,
		summaryCount: 1,
		summary: map[int]SummaryEntry{
			0: {Interface: "TenGigabitEthernet1/0/1", MAC: "00:50:56:bc:21:a4", Method: "dot1x", Status: "Unauth", SessionID: "5E0D130B00013C30D4524D05", Line: 3},
		},
	},
	{
		file:         "show_authentication_sessions/genie-iosxe-ShowAuthenticationSessions__empty_output_output.txt",
		command:      "show authentication sessions",
		kind:         KindSessionSummary,
		blank:        true,
		summaryCount: 0,
		summary:      map[int]SummaryEntry{},
	},
	{
		file:         "show_authentication_sessions/genie-iosxe-ShowAuthenticationSessions__golden_output_2_output.txt",
		command:      "show authentication sessions interface GigabitEthernet1/7/35",
		kind:         KindSessionSummary,
		summaryCount: 1,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet1/7/35", MAC: "00:00:00:ff:44:44", Method: "dot1x", Status: "Auth", Authorized: true, SessionID: "141927640000000E0B40EDB0", Line: 5},
		},
	},
	{
		file:         "show_authentication_sessions/genie-iosxe-ShowAuthenticationSessions__golden_output_output.txt",
		command:      "show authentication sessions",
		kind:         KindSessionSummary,
		summaryCount: 3,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet1/0/48", MAC: "00:15:63:ff:a7:27", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A3462B1000000102983C05C", Line: 3},
			1: {Interface: "GigabitEthernet1/0/5", MAC: "00:0f:23:ff:69:c5", Method: "mab", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A3462B10000000D24F80B58", Line: 4},
			2: {Interface: "GigabitEthernet1/0/7", MAC: "00:14:bf:ff:30:ca", Method: "N/A", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A3462B10000000E29811B94", Line: 5},
		},
	},
	{
		file:         "show_authentication_sessions/ntc__cisco_ios_show_authentication_sessions.raw",
		command:      "show authentication sessions",
		kind:         KindSessionSummary,
		summaryCount: 63,
		summary: map[int]SummaryEntry{
			0:  {Interface: "FastEthernet3/0/40", Method: "mab", Status: "Running", SessionID: "0A5C58FE00000018000101FF", Line: 3},
			1:  {Interface: "FastEthernet2/0/33", Method: "mab", Status: "Running", SessionID: "0A0A7F9B000001E8010101FF", Line: 4},
			3:  {Interface: "FastEthernet3/0/1", MAC: "34:7a:12:cd:3f:e8", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B00000055000101FF", Line: 6},
			13: {Interface: "FastEthernet2/0/31", MAC: "84:8a:12:cd:33:bf", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B00000031000101FF", Line: 16},
			23: {Interface: "FastEthernet3/0/10", MAC: "00:0a:12:cd:3e:a4", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B0000AD443C0101FF", Line: 26},
			33: {Interface: "FastEthernet2/0/16", MAC: "84:8a:12:cd:32:ea", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A5C58FE00000005000101FF", Line: 36},
			43: {Interface: "FastEthernet2/0/6", MAC: "8c:8a:12:cd:3a:a9", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A0A497E00000001000101FF", Line: 46},
			53: {Interface: "FastEthernet3/0/35", MAC: "84:8a:12:cd:37:aa", Method: "mab", Domain: "VOICE", Status: "Authz Success", Authorized: true, SessionID: "0A0A7F9B0000003C000101FF", Line: 56},
			62: {Interface: "FastEthernet2/0/35", MAC: "8c:8a:12:cd:31:f9", Method: "dot1x", Domain: "DATA", Status: "Authz Success", Authorized: true, SessionID: "0A5C58FE0000000E000101FF", Line: 65},
		},
	},
	{
		file:         "show_authentication_sessions/ntc__cisco_ios_show_authentication_sessions2.raw",
		command:      "show authentication sessions",
		kind:         KindSessionSummary,
		summaryCount: 41,
		summary: map[int]SummaryEntry{
			0:  {Interface: "GigabitEthernet1/0/10", MAC: "c8:9a:12:cd:3b:74", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FB3000101FF", Line: 4},
			1:  {Interface: "GigabitEthernet1/0/5", MAC: "84:8a:12:cd:36:36", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBD000101FF", Line: 5},
			3:  {Interface: "GigabitEthernet1/0/26", MAC: "00:5a:12:cd:35:67", Method: "N/A", Status: "Unauth", SessionID: "0A0A1DFE00001F8D160101FF", Line: 7},
			13: {Interface: "GigabitEthernet1/0/31", MAC: "54:ea:12:cd:32:dc", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD3000101FF", Line: 17},
			23: {Interface: "GigabitEthernet1/0/37", MAC: "c8:9a:12:cd:32:9d", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD5000101FF", Line: 27},
			33: {Interface: "GigabitEthernet1/0/45", MAC: "84:8a:12:cd:35:fa", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBF000101FF", Line: 37},
			40: {Interface: "GigabitEthernet1/0/29", MAC: "8c:8a:12:cd:39:43", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE0000202C3F0101FF", Line: 44},
		},
	},
	{
		file:         "show_authentication_sessions/ntc__cisco_ios_show_authentication_sessions3.raw",
		command:      "show authentication sessions",
		kind:         KindSessionSummary,
		summaryCount: 41,
		summary: map[int]SummaryEntry{
			0:  {Interface: "GigabitEthernet1/0/10", MAC: "c8:9a:12:cd:3b:74", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FB3000101FF", Line: 5},
			1:  {Interface: "GigabitEthernet1/0/5", MAC: "84:8a:12:cd:36:36", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBD000101FF", Line: 6},
			3:  {Interface: "GigabitEthernet1/0/26", MAC: "00:5a:12:cd:35:67", Method: "N/A", Status: "Unauth", SessionID: "0A0A1DFE00001F8D160101FF", Line: 8},
			13: {Interface: "GigabitEthernet1/0/31", MAC: "54:ea:12:cd:32:dc", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD3000101FF", Line: 18},
			23: {Interface: "GigabitEthernet1/0/37", MAC: "c8:9a:12:cd:32:9d", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FD5000101FF", Line: 28},
			33: {Interface: "GigabitEthernet1/0/45", MAC: "84:8a:12:cd:35:fa", Method: "mab", Domain: "VOICE", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE00000FBF000101FF", Line: 38},
			40: {Interface: "GigabitEthernet1/0/29", MAC: "8c:8a:12:cd:39:43", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "0A0A1DFE0000202C3F0101FF", Line: 45},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-ios-ShowAuthenticationSessionsInterface__golden_output_1_output.txt",
		command: "show authentication sessions interface GigabitEthernet2/0/47",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/47", Status: "Authz Success", Authorized: true, Domain: "DATA", HostMode: "multi-host", SessionID: "0A3462C8000000000002763C", AuthorizedBy: "Guest Vlan", VLAN: "20", Methods: methods("mab", "Failed over", "dot1x", "Failed over"), Line: 3},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-ios-ShowAuthenticationSessionsInterface__golden_output_2_output.txt",
		command: "show authentication sessions interface GigabitEthernet2/0/47",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/47", Status: "Authz Success", Authorized: true, Domain: "DATA", HostMode: "multi-host", SessionID: "0A3462C8000000000002763C", AuthorizedBy: "Guest Vlan", VLAN: "20", Methods: methods("mab", "Failed over", "dot1x", "Failed over"), Line: 3},
			{Interface: "GigabitEthernet2/0/47", MAC: "00:05:5e:ff:57:81", User: "00055eff5781", Status: "Authz Success", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "0A3462C8000000010002A238", AuthorizedBy: "Authentication Server", Methods: methods("mab", "Authc Success", "dot1x", "Not run"), Line: 22},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionMethod__golden_output_1_output.txt",
		command: "show authentication sessions method dot1x details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:1a:a1:36:c6:8a", IPv4: ip("192.168.194.1"), User: "CP-7961G-GE-SEP001AA136C68A", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "2300130B0000002ABD0A2AF1", DeviceType: "Cisco-IP-Phone-7961", DeviceName: "Cisco IP Phone 7961", CurrentPolicy: "test_dot1x", VLAN: "194", Methods: methods("dot1x", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__empty_output_output.txt",
		command: "show authentication sessions interface GigabitEthernet3/0/2 details",
		kind:    KindSessionDetails,
		blank:   true,
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_11_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/0/2 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/6", MAC: "00:24:9b:ff:07:7a", User: "User1", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "0A788905000029BE6BFF02FE", CurrentPolicy: "Test_DOT1X-DEFAULT_V1", DACL: "xACSACLx-IP-Test_ACL_PERMIT_ALL-565bad69", Methods: methods("dot1x", "Authc Success", "mab", "Stopped"), Line: 4},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_12_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/0/2 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/48", MAC: "00:6b:f1:ff:5b:0c", User: "00-6B-F1-FF-5B-0C", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "0A788905000021FBF8593E6C", CurrentPolicy: "Test_DOT1X-DEFAULT_V1", DACL: "xACSACLx-IP-Test_ACL_WAPs-598d0d01", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 4},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_13_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/0/2 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/17", MAC: "00:e1:6d:ff:a9:9e", User: "00-E1-6D-FF-A9-9E", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-auth", SessionID: "0A8628020000003463B40D0F", CurrentPolicy: "Test_DOT1X-DEFAULT_V1", DACL: "xACSACLx-IP-Test_ACL_CiscoPhones-583e3751", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 3},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_15_output.txt",
		command: "show authentication sessions interface Gi4/0/18 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet4/0/18", MAC: "08:00:27:3f:f4:27", IPv4: ip("10.15.1.233"), IPv6: ips("fe80::7635:22a5:7597:2429"), User: "08-00-27-3F-F4-27", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "86010F8900002F29A505F344", CurrentPolicy: "C3PL_ISE_210", DACL: "xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 2},
			{Interface: "GigabitEthernet4/0/18", MAC: "10:62:e5:19:07:2e", IPv4: ip("10.15.1.176"), User: "J2XD0170154", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "86010F8900002F28A5016B11", CurrentPolicy: "C3PL_ISE_210", DACL: "xACSACLx-IP-PERMIT_ALL_IPV4_TRAFFIC-57f6b0d3", Methods: methods("dot1x", "Authc Success", "mab", "Stopped"), Line: 35},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_16_output.txt",
		command: "show authentication sessions interface GigabitEthernet2/0/2 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/2", MAC: "00:b7:71:fa:f7:d5", User: "rreddyc", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "000000000000000BFDC31297", CurrentPolicy: "SOM-DOT1X-AUTH-POLICY", Methods: methods("dot1x", "Authc Success", "mab", "Authc Failed"), Line: 1},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_17_output.txt",
		command: "show authentication sessions interface GigabitEthernet2/0/24 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/24", MAC: "00:0c:29:11:69:b9", IPv4: ip("101.1.0.2"), User: "webauth_user1", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "910C140B00000017F40DA338", CurrentPolicy: "Webauth", DACL: "xACSACLx-IP-Webauth_ACL-64cbe188", Methods: methods("webauth", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_3_output.txt",
		command: "show authentication sessions interface GigabitEthernet3/0/2 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet3/0/2", MAC: "00:10:00:ff:10:11", IPv4: ip("192.0.2.1"), User: "genie123", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "AC14FC0A0000101200E28D62", CurrentPolicy: "dot1x_dvlan_reauth_hm", VLAN: "130", Methods: methods("dot1x", "Authc Failed"), Line: 3},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_4_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/0/12 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/12", MAC: "00:10:00:ff:10:11", IPv4: ip("192.0.2.1"), User: "genie123", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "AC14FC0A0000101200E28D62", CurrentPolicy: "dot1x_dvlan_reauth_hm", VLAN: "100", Methods: methods("mab", "Running"), Line: 3},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_5_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/12 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/12", MAC: "63:90:c2:ff:55:19", IPv4: ip("10.1.2.102"), User: "host/genie.cisco.corp", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "single-host", SessionID: "0A805A0A000012C8FDF2EF40", Uptime: "22444s", CurrentPolicy: "POLICY_Gi1/12", Methods: methods("dot1x", "Authc Success", "mab", "Stopped"), Line: 5},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_6_output.txt",
		command: "show authentication sessions interface gigabitethernet2/0/47",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/47", MAC: "00:01:10:ff:11:11", IPv4: ip("10.1.2.3"), Status: "Authz Success", Authorized: true, Domain: "DATA", HostMode: "multi-host", SessionID: "0A3462C8000000000002763C", AuthorizedBy: "Guest Vlan", VLAN: "20", Methods: methods("mab", "Failed over", "dot1x", "Failed over"), Line: 3},
			{Interface: "GigabitEthernet2/0/47", MAC: "00:05:5e:ff:57:81", IPv4: ip("10.1.3.5"), User: "00055eff5781", Status: "Authz Success", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "0A3462C8000000010002A238", AuthorizedBy: "Authentication Server", Methods: methods("mab", "Authc Success", "dot1x", "Not run"), Line: 22},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsInterfaceDetails__golden_output_7_output.txt",
		command: "show authentication sessions interface GigabitEthernet1/0/1 details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/1", MAC: "00:50:b6:ff:7f:87", IPv4: ip("192.168.1.5"), IPv6: ips("fe80::2119:3248:786b:40db"), User: "00-50-B6-FF-7F-87", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "0A76060A00000018DD109536", CurrentPolicy: "POLICY_Gi1/0/1", Line: 3},
		},
	},
	{
		file:    "show_authentication_sessions_details/genie-iosxe-ShowAuthenticationSessionsMACDetails__golden_output_output.txt",
		command: "show authentication sessions mac 34db.fde5.34ab details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet3/0/3", MAC: "34:db:fd:e5:34:ab", User: "CP-6941-SEP34dbfde534ab", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-domain", SessionID: "41186A0A000000F43F4FBBBE", CurrentPolicy: "POLICY_Gi3/0/3", Methods: methods("dot1x", "Authc Success"), Line: 1},
		},
	},
	{
		file:    "show_authentication_sessions_details/hmchen47-DevOps__47-ISEdot1x.md.show_authentication_sessions_interface.txt",
		command: "show authentication sessions interface f0/1",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "FastEthernet0/1", MAC: "58:82:a8:99:5c:81", IPv4: ip("10.80.0.12"), User: "bob", Status: "Authz Success", Authorized: true, Domain: "DATA", HostMode: "multi-domain", SessionID: "C0A8...A84B", AuthorizedBy: "Authentication Server", DACL: "xACSACLx-IP-NOICMP-TELNET-5f152814", VLAN: "80", Methods: methods("dot1x", "Authc Success", "mab", "Not run"), Line: 2},
		},
	},
	{
		file:    "show_authentication_sessions_details/ntc__cisco_ios_show_authentication_sessions_method_mab_details_01.raw",
		command: "show authentication sessions method mab details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "TenGigabitEthernet2/0/39", MAC: "00:60:aa:aa:bb:bb", IPv4: ip("10.11.11.117"), User: "00-60-AA-AA-BB-BB", Status: "Authorized", Authorized: true, Domain: "VOICE", HostMode: "multi-auth", SessionID: "123414AC000066635A83835D", DeviceType: "IP-Phone", DeviceName: "Unknown Device", CurrentPolicy: "PMAP_DefaultWDot1xClosedAuth_1X", VLAN: "1133", SGT: "20", Methods: methods("dot1x", "Authc Success", "mab", "Stopped"), Line: 2},
			{Interface: "GigabitEthernet1/0/21", MAC: "70:7d:b9:aa:bb:cc", IPv4: ip("172.22.5.2"), IPv6: ips("fe80::727d:abcd:abcd:abcd"), User: "70-7D-B9-AA-BB-CC", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "118214AC11110C6A86D02356", DeviceType: "Cisco-AIR-LAP", DeviceName: "cisco AIR-AP2802I-Z-K9", CurrentPolicy: "PMAP_DefaultWiredDot1xClosedAuth_1X", VLAN: "1000", SGT: "35", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 42},
			{Interface: "GigabitEthernet2/0/1", MAC: "38:14:28:aa:bb:cc", IPv4: ip("10.11.12.83"), IPv6: ips("fe80::75e2:aaaa:bbbb:cccc"), User: "DOMAIN\\\\koli", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "118214AC000017C56C52F101", DeviceType: "Microsoft-Workstation", DeviceName: "IDC-2AE53D34", CurrentPolicy: "PMAP_DefaultWiredDot1xClosedAuth_1X", VLAN: "1133", SGT: "20", Methods: methods("dot1x", "Authc Success"), Line: 78},
		},
	},
	{
		file:    "show_authentication_sessions_details/ntc__cisco_ios_show_authentication_sessions_method_mab_details_02.raw",
		command: "show authentication sessions method mab details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet1/0/31", MAC: "cc:96:ab:cd:12:34", IPv4: ip("10.10.10.190"), User: "CC-96-AA-BB-CC-DD", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-auth", SessionID: "0A4014AC0000002F555FD224", DeviceType: "Microsoft-Workstation", DeviceName: "MOED-9212345", CurrentPolicy: "PMAP_DefaultWiredDot1xClosedAuth_1X", VLAN: "1011", SGT: "40", Methods: methods("dot1x", "Stopped", "mab", "Authc Success"), Line: 1},
		},
	},
	{
		file:    "show_authentication_sessions_session-id/genie-iosxe-ShowAuthenticationSessionsSessionId__golden_output_1_output.txt",
		command: "show authentication sessions session-id 2300130B0000002CBD0A520E details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:55:66:77:88:55", IPv4: ip("192.168.10.101"), User: "asp_dot1x_user2", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-domain", SessionID: "2300130B0000002CBD0A520E", DeviceType: "Un-Classified Device", DeviceName: "Unknown Device", CurrentPolicy: "test_dot1x", VLAN: "10", Methods: methods("dot1x", "Authc Success"), Line: 2},
		},
	},
	{
		file:    "show_authentication_sessions_session-id/genie-iosxe-ShowAuthenticationSessionsSessionId__golden_output_2_output.txt",
		command: "show authentication sessions session-id 2300130B0000002CBD0A520E details",
		kind:    KindSessionDetails,
		sessions: []Session{
			{Interface: "GigabitEthernet2/0/3", MAC: "00:55:66:77:88:55", IPv4: ip("192.168.10.101"), User: "asp_dot1x_user2", Status: "Authorized", Authorized: true, Domain: "DATA", HostMode: "multi-domain", SessionID: "2300130B0000002CBD0A520E", DeviceType: "Un-Classified Device", DeviceName: "Unknown Device", CurrentPolicy: "test_dot1x", VLAN: "10", Methods: methods("dot1x", "Authc Success"), Line: 2},
		},
	},
	{
		file:         "show_authentication_sessions_session-id/genie-iosxe-ShowAuthenticationSessionsSessionId__golden_output_3_output.txt",
		command:      "show authentication sessions session-id 2300130B0000002CBD0A520E",
		kind:         KindSessionSummary,
		summaryCount: 1,
		summary: map[int]SummaryEntry{
			0: {Interface: "GigabitEthernet2/0/3", MAC: "00:55:66:77:88:55", Method: "dot1x", Domain: "DATA", Status: "Auth", Authorized: true, SessionID: "2300130B0000002CBD0A520E", Line: 5},
		},
	},
	{
		file:    "show_device-tracking_database/genie-iosxe-ShowDeviceTrackingDatabaseDetails__golden_output_output.txt",
		command: "show device-tracking database details",
		kind:    KindDeviceTracking,
		addresses: []ARPEntry{
			{IP: ip("100.100.100.1"), MAC: "de:ad:be:ef:00:01", Interface: "TwentyFiveGigE1/0/42", VLAN: "39", State: "STALE", Source: "ND", Age: "92mn", Line: 29},
			{IP: ip("39.39.39.1"), MAC: "5c:5a:c7:91:d6:9f", Interface: "Vlan39", VLAN: "39", State: "REACHABLE", Source: "L", Age: "11591mn", Line: 30},
			{IP: ip("10.10.10.10"), MAC: "de:ad:be:ef:00:01", Interface: "TwentyFiveGigE1/0/42", VLAN: "39", State: "STALE", Source: "S", Age: "59mn", Line: 31},
			{IP: ip("1000::1"), MAC: "00:0a:00:0b:00:0c", Interface: "TwentyFiveGigE1/0/1", VLAN: "100", State: "DOWN", Source: "S", Age: "30565mn", Line: 32},
			{IP: ip("20.0.0.20"), MAC: "00:0a:00:0b:00:0c", Interface: "TwentyFiveGigE1/0/1", VLAN: "100", State: "DOWN", Source: "DH4", Age: "30566mn", Line: 33},
		},
	},
	{
		file:    "show_device-tracking_database/genie-iosxe-ShowDeviceTrackingDatabase__golden_output2_output.txt",
		command: "show device-tracking database vlanid 101",
		kind:    KindDeviceTracking,
		addresses: []ARPEntry{
			{IP: ip("10.230.62.1"), MAC: "6c:41:0e:2c:01:01", Interface: "Vlan101", VLAN: "101", State: "REACHABLE", Source: "L", Age: "781mn", Line: 10},
			{IP: ip("10.230.62.80"), MAC: "00:00:ad:bb:8d:06", Interface: "Port-channel2", VLAN: "101", State: "REACHABLE", Source: "ARP", Age: "116s", Line: 11},
			{IP: ip("10.230.62.2"), MAC: "00:00:84:d8:41:4d", Interface: "Port-channel2", VLAN: "101", State: "REACHABLE", Source: "ARP", Age: "101s", Line: 12},
		},
	},
	{
		file:    "show_device-tracking_database/genie-iosxe-ShowDeviceTrackingDatabase__golden_output6_output.txt",
		command: "show device-tracking database",
		kind:    KindDeviceTracking,
		addresses: []ARPEntry{
			{IP: ip("100.8.14.10"), MAC: "40:f4:9f:46:7b:d1", Interface: "Port-channel100", VLAN: "100", State: "REACHABLE", Source: "ARP", Age: "5s", Line: 10},
			{IP: ip("fe80::7688:bbff:fe93:6e3f"), MAC: "74:88:bb:93:6e:3f", Interface: "Port-channel100", VLAN: "100", State: "REACHABLE", Source: "ND", Age: "98s", Line: 11},
			{IP: ip("2001:db8:bad::1"), MAC: "70:18:a7:8e:9d:77", Interface: "GigabitEthernet3/0/12", VLAN: "100", State: "REACHABLE", Source: "S", Age: "11s", Line: 12},
			{IP: ip("2001:db8:1::1"), MAC: "74:88:bb:93:6e:3f", Interface: "Port-channel100", VLAN: "100", State: "REACHABLE", Source: "ND", Age: "108s", Line: 13},
		},
	},
	{
		file:    "show_device-tracking_database/genie-iosxe-ShowDeviceTrackingDatabase__golden_output_output.txt",
		command: "show device-tracking database",
		kind:    KindDeviceTracking,
		addresses: []ARPEntry{
			{IP: ip("10.22.66.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan230", VLAN: "230", State: "REACHABLE", Source: "L", Age: "10194mn", Line: 10},
			{IP: ip("10.22.28.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan238", VLAN: "238", State: "REACHABLE", Source: "L", Age: "10255mn", Line: 11},
			{IP: ip("10.22.24.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan236", VLAN: "236", State: "REACHABLE", Source: "L", Age: "10330mn", Line: 12},
			{IP: ip("10.22.20.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan234", VLAN: "234", State: "REACHABLE", Source: "L", Age: "10329mn", Line: 13},
			{IP: ip("10.22.16.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan232", VLAN: "232", State: "REACHABLE", Source: "L", Age: "10330mn", Line: 14},
			{IP: ip("10.22.12.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan228", VLAN: "228", State: "REACHABLE", Source: "L", Age: "10330mn", Line: 15},
			{IP: ip("10.22.8.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan226", VLAN: "226", State: "REACHABLE", Source: "L", Age: "10329mn", Line: 16},
			{IP: ip("10.22.4.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan224", VLAN: "224", State: "REACHABLE", Source: "L", Age: "10329mn", Line: 17},
			{IP: ip("10.22.0.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan222", VLAN: "222", State: "REACHABLE", Source: "L", Age: "10329mn", Line: 18},
			{IP: ip("10.10.68.10"), MAC: "70:81:05:ff:eb:40", Interface: "Vlan243", VLAN: "243", State: "REACHABLE", Source: "L", Age: "10330mn", Line: 19},
			{IP: ip("10.160.43.197"), MAC: "94:d4:69:ff:e6:06", Interface: "TenGigabitEthernet8/0/37", VLAN: "1023", State: "REACHABLE", Source: "DH4", Age: "116s", Line: 20},
		},
	},
	{
		file:    "show_ip_access-lists/genie-iosxe-ShowAccessLists__golden_output_3_output.txt",
		command: "show ip access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "FQDN_ACL_WEBAUTH_REDIRECT", perUser: false, note: "", family: "ipv4", typ: "extended", header: "FQDN IP access list", line: 2, count: 5, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny ip any host 100.8.12.107", Line: 3},
				1: {Seq: 20, Text: "deny ip any host dynamic www.msft10.com", Line: 4},
				2: {Seq: 30, Text: "deny ip any host dynamic www.msft11.com", Line: 5},
				3: {Seq: 40, Text: "permit ip any host dynamic www.msft12.com", Line: 6},
				4: {Seq: 50, Text: "permit ip any host dynamic www.msft13.com", Line: 7},
			}},
			{name: "FQDN_ACL_WEBAUTH_REDIRECT", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 8, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 100000, Text: "deny ip any host 100.8.12.107", Line: 9},
			}},
			{name: "IP-Adm-V4-Int-ACL-global", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 10, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp any any eq www", Line: 11},
				1: {Seq: 20, Text: "permit tcp any any eq 443", Line: 12},
			}},
			{name: "implicit_deny", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 13, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny ip any any", Line: 14},
			}},
			{name: "implicit_permit", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 15, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ip any any", Line: 16},
			}},
			{name: "meraki-fqdn-dns", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 17, count: 0, entries: map[int]ACLEntry{}},
			{name: "preauth_v4", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 18, count: 6, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit udp any any eq domain", Line: 19},
				1: {Seq: 20, Text: "permit tcp any any eq domain", Line: 20},
				2: {Seq: 30, Text: "permit udp any eq bootps any", Line: 21},
				3: {Seq: 40, Text: "permit udp any any eq bootpc", Line: 22},
				4: {Seq: 50, Text: "permit udp any eq bootpc any", Line: 23},
				5: {Seq: 60, Text: "deny ip any any", Line: 24},
			}},
			{name: "xACSACLx-IP-CWA_PRE_AUTH-69692867", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 25, count: 6, entries: map[int]ACLEntry{
				0: {Seq: 1, Text: "permit udp any eq bootpc any eq bootps", Line: 26},
				1: {Seq: 2, Text: "permit tcp any any eq www", Line: 27},
				2: {Seq: 3, Text: "permit tcp any any eq 443", Line: 28},
				3: {Seq: 4, Text: "permit tcp any any eq 8443", Line: 29},
				4: {Seq: 5, Text: "permit udp any any eq domain", Line: 30},
				5: {Seq: 6, Text: "deny ip any any", Line: 31},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/genie-iosxe-ShowIpAccessLists__golden_ip_access_list_output_1_output.txt",
		command: "show ip access-lists permit_icmp",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "permit_icmp", perUser: false, note: "", family: "ipv4", typ: "role-based", header: "Role-based IP access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp echo-reply", Matches: 19, Line: 2},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/genie-iosxe-ShowIpAccessLists__golden_ip_access_list_output_2_output.txt",
		command: "show ip access-lists icmp_echo-01",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "icmp_echo-01", perUser: false, note: "downloaded", family: "ipv4", typ: "role-based", header: "Role-based IP access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp echo", Line: 2},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/genie-iosxe-ShowIpAccessLists__golden_ip_access_list_output_output.txt",
		command: "show ip access-lists ACL_TEST",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "ACL_TEST", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 5, count: 17, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "deny tcp 10.69.188.0 0.0.0.255 host 192.168.16.1 eq www", Line: 6},
				1:  {Seq: 20, Text: "deny tcp 10.4.1.0 0.0.0.255 host 192.168.16.1 eq www", Line: 7},
				16: {Seq: 170, Text: "deny tcp 10.4.16.0 0.0.0.255 host 192.168.16.1 eq www", Line: 22},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/genie-iosxe-ShowIpAccessLists__golden_output_customer_output.txt",
		command: "show ip access-lists 43",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "43", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 2, count: 4, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 10.1.0.2", Matches: 1168716, Line: 3},
				1: {Seq: 20, Text: "permit 10.144.0.9", Line: 4},
				2: {Seq: 30, Text: "permit 10.70.10.0, wildcard bits 0.0.10.255", Line: 5},
				3: {Seq: 40, Text: "permit 10.196.0.0, wildcard bits 0.0.255.255", Matches: 8353358, Line: 6},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/ntc__cisco_ios_show_ip_access-lists.raw",
		command: "show ip access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "99", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 1, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 172.16.191.199", Line: 2},
				1: {Seq: 20, Text: "deny any log", Line: 3},
				2: {Seq: 30, Text: "permit 10.0.10.0, wildcard bits 0.255.0.255", Matches: 20, Line: 4},
			}},
			{name: "stdacl", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 5, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 10.1.1.1", Line: 6},
			}},
			{name: "test", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 7, count: 0, entries: map[int]ACLEntry{}},
			{name: "101", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 8, count: 11, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit tcp any host 10.1.1.1 eq www", Line: 9},
				1:  {Seq: 20, Text: "permit tcp any host 10.1.1.1 eq 443 log", Line: 10},
				2:  {Seq: 30, Text: "permit ahp any any log-input", Line: 11},
				3:  {Seq: 40, Text: "permit ahp any any log-input time-range test (active)", Line: 12},
				4:  {Seq: 50, Text: "permit ip any host 10.1.10.11 log time-range test2 (inactive)", Line: 13},
				8:  {Seq: 90, Text: "permit tcp any any match-all +ack -fin log", Line: 17},
				10: {Seq: 110, Text: "permit tcp any 10.1.1.0 0.0.255.255 established psh", Line: 19},
			}},
			{name: "sample", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 20, count: 66, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit tcp host 10.10.37.18 host 10.10.37.17 eq bgp", Line: 21},
				1:  {Seq: 20, Text: "permit tcp host 10.10.37.18 eq bgp host 10.10.37.17", Line: 22},
				58: {Seq: 590, Text: "permit tcp 10.10.37.24 0.0.0.7 10.3.140.64 0.0.0.31 eq 9815 log time-range test (active)", Line: 79},
				65: {Seq: 660, Text: "permit pim host 10.10.37.18 host 224.0.0.1 time-range test2 (inactive)", Line: 86},
			}},
			{name: "test2", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 87, count: 0, entries: map[int]ACLEntry{}},
		},
	},
	{
		file:    "show_ip_access-lists/ntc__cisco_ios_show_ip_access-lists_1104.raw",
		command: "show ip access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "access-acl", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 1, count: 20, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit udp object-group SRC_NETWORK_OBJECT_GROUP object-group DST_NETWORK_OBJECT_GROUP eq domain", Line: 2},
				1:  {Seq: 20, Text: "permit tcp object-group SRC_NETWORK_OBJECT_GROUP eq snmp object-group DST_NETWORK_OBJECT_GROUP", Line: 3},
				19: {Seq: 200, Text: "permit SERVICE_OBJECT_GROUP 10.1.2.0 0.0.0.255 object-group DST_NETWORK_OBJECT_GROUP", Line: 21},
			}},
		},
	},
	{
		file:    "show_ip_access-lists/ntc__cisco_ios_show_ip_access-lists_969.raw",
		command: "show ip access-lists",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "99", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 1, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 172.16.191.199", Line: 2},
				1: {Seq: 20, Text: "deny any log", Line: 3},
				2: {Seq: 30, Text: "permit 10.0.10.0, wildcard bits 0.255.0.255", Matches: 20, Line: 4},
			}},
			{name: "stdacl", perUser: false, note: "", family: "ipv4", typ: "standard", header: "Standard IP access list", line: 5, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 10.1.1.1", Line: 6},
				1: {Seq: 20, Text: "deny 10.1.1.2", Matches: 1, Line: 7},
			}},
			{name: "test", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 8, count: 0, entries: map[int]ACLEntry{}},
			{name: "101", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 9, count: 13, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit tcp any host 10.1.1.1 eq www", Line: 10},
				1:  {Seq: 20, Text: "permit tcp any host 10.1.1.1 eq 443 log", Line: 11},
				2:  {Seq: 30, Text: "permit ahp any any log-input", Line: 12},
				3:  {Seq: 40, Text: "permit ahp any any log-input time-range test (active)", Line: 13},
				4:  {Seq: 50, Text: "permit ip any host 10.1.10.11 log time-range test2 (inactive)", Line: 14},
				8:  {Seq: 90, Text: "permit tcp any any match-all +ack -fin log", Line: 18},
				12: {Seq: 130, Text: "deny esp any any tos normal", Line: 22},
			}},
			{name: "sample", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 23, count: 66, entries: map[int]ACLEntry{
				0:  {Seq: 10, Text: "permit tcp host 10.10.37.18 host 10.10.37.17 eq bgp", Line: 24},
				1:  {Seq: 20, Text: "permit tcp host 10.10.37.18 eq bgp host 10.10.37.17", Line: 25},
				40: {Seq: 410, Text: "permit tcp 10.10.37.24 0.0.0.7 host 10.10.6.146 eq 4020", Matches: 1, Line: 64},
				58: {Seq: 590, Text: "permit tcp 10.10.37.24 0.0.0.7 10.3.140.64 0.0.0.31 eq 9815 log time-range test (active)", Line: 82},
				65: {Seq: 660, Text: "permit pim host 10.10.37.18 host 224.0.0.1 time-range test2 (inactive)", Line: 89},
			}},
			{name: "test2", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 90, count: 0, entries: map[int]ACLEntry{}},
			{name: "ios_show_ip_acl", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 91, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit 53 any any log", Matches: 123456, Line: 92},
				1: {Seq: 20, Text: "permit ip any any log", Matches: 23, Line: 93},
			}},
			{name: "ntc-templates", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 94, count: 7, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp host 10.10.10.10 any echo-reply", Line: 95},
				1: {Seq: 20, Text: "permit icmp host 10.10.10.10 any administratively-prohibited", Matches: 123456, Line: 96},
				2: {Seq: 30, Text: "permit icmp host 10.10.10.10 any unreachable log", Line: 97},
				3: {Seq: 40, Text: "permit icmp host 10.10.10.10 any redirect", Matches: 900123456, Line: 98},
				4: {Seq: 50, Text: "permit icmp 10.10.10.0 0.0.0.255 any ttl-exceeded", Matches: 1278456, Line: 99},
				5: {Seq: 60, Text: "permit icmp 10.10.10.0 0.0.0.255 20.20.0.0 0.0.255.255 port-unreachable", Line: 100},
				6: {Seq: 70, Text: "permit icmp 10.10.10.0 0.0.0.255 20.20.0.0 0.0.255.255 parameter-problem log", Line: 101},
			}},
			{name: "mask-request", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 102, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny icmp any any mask-request", Line: 103},
			}},
			{name: "Log_Tags_Test", perUser: false, note: "", family: "ipv4", typ: "extended", header: "Extended IP access list", line: 104, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp host 169.254.3.3 gt 1023 169.254.3.4 0.0.0.1 log (tag = established)", Line: 105},
				1: {Seq: 20, Text: "permit tcp host 169.254.3.3 gt 1023 169.254.3.4 0.0.0.1 established log", Line: 106},
				2: {Seq: 30, Text: "permit tcp host 169.254.3.3 gt 1023 169.254.3.4 0.0.0.1 established log (tag = tag_name)", Line: 107},
			}},
		},
	},
	{
		file:    "show_ip_arp/genie-iosxe-ShowArp__golden_output_2_output.txt",
		command: "show arp",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("10.169.197.93"), MAC: "fa:16:3e:ff:b7:ad", Source: "arp", Age: "-", Line: 7},
			{IP: ip("10.169.197.94"), MAC: "fa:16:3e:ff:aa:e1", Interface: "GigabitEthernet2", Source: "arp", Age: "-", Line: 8},
			{IP: ip("10.169.197.97"), MAC: "fa:16:3e:ff:45:a8", Interface: "GigabitEthernet4", Source: "arp", Age: "18", Line: 9},
			{IP: ip("10.169.197.98"), MAC: "fa:16:3e:ff:9d:ca", Interface: "GigabitEthernet4", Source: "arp", Age: "-", Line: 10},
		},
	},
	{
		file:    "show_ip_arp/genie-iosxe-ShowArp__golden_output_3_output.txt",
		command: "show arp vrf red 192.168.111.111",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("192.168.111.111"), MAC: "aa:bb:01:11:01:11", Interface: "Vlan111", Source: "arp", Age: "0", Line: 2},
		},
	},
	{
		file:    "show_ip_arp/genie-iosxe-ShowIpArp__golden_output_1_output.txt",
		command: "show ip arp vrf green",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("172.16.255.1"), MAC: "28:af:fd:ea:cc:df", Interface: "Vlan200", Source: "arp", Age: "-", Line: 2},
			{IP: ip("192.168.1.201"), MAC: "00:00:00:00:00:01", Interface: "Vlan201", Source: "arp", Age: "3", Line: 3},
			{IP: ip("192.168.1.203"), MAC: "00:15:01:00:00:01", Interface: "Vlan201", Source: "arp", Age: "3", Line: 4},
		},
	},
	{
		file:    "show_ip_arp/genie-iosxe-ShowIpArp__golden_output_output.txt",
		command: "show ip arp vrf VRF1",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("10.12.90.1"), MAC: "fa:16:3e:ff:9c:9e", Interface: "GigabitEthernet2.390", Source: "arp", Age: "-", Line: 3},
			{IP: ip("10.12.90.2"), MAC: "fa:16:3e:ff:5a:76", Interface: "GigabitEthernet2.390", Source: "arp", Age: "139", Line: 4},
			{IP: ip("10.12.110.1"), MAC: "fa:16:3e:ff:9c:9e", Interface: "GigabitEthernet2.410", Source: "arp", Age: "-", Line: 5},
		},
	},
	{
		file:     "show_ip_arp/genie-nxos-ShowIpArp__golden_output_3_output.txt",
		command:  "show ip arp vrf all",
		kind:     KindARP,
		warnings: []string{"line 4: unsupported platform nx-os: ARP output not parsed (recognised by \"Flags: * - Adjacencies learnt on non-active FHRP router\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:    "show_ip_arp/ntc__cisco_ios_show_arp.raw",
		command: "show arp",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("10.100.88.1"), MAC: "c4:f7:d5:64:b7:16", Interface: "Vlan10", Source: "arp", Age: "-", Line: 2},
			{IP: ip("10.100.88.199"), Source: "arp", Age: "0", Line: 3},
			{IP: ip("10.152.1.229"), MAC: "48:8f:5a:5a:87:ea", Interface: "Vlan1", Source: "arp", Age: "0", Line: 4},
			{IP: ip("1.2.3.4"), MAC: "c4:ad:34:25:b7:be", Interface: "FastEthernet4", Source: "arp", Age: "0", Line: 5},
			{IP: ip("1.2.3.5"), MAC: "c4:f7:d5:64:b7:1a", Interface: "FastEthernet4", Source: "arp", Age: "-", Line: 6},
		},
	},
	{
		file:    "show_ip_arp/ntc__cisco_ios_show_ip_arp.raw",
		command: "show ip arp",
		kind:    KindARP,
		addresses: []ARPEntry{
			{IP: ip("172.16.233.229"), MAC: "00:00:0c:59:f8:92", Interface: "Ethernet0/0", Source: "arp", Age: "-", Line: 2},
			{IP: ip("172.16.233.218"), MAC: "00:00:0c:07:ac:00", Interface: "Ethernet0/0", Source: "arp", Age: "-", Line: 3},
			{IP: ip("172.16.233.19"), MAC: "00:00:0c:63:13:00", Interface: "Ethernet0/0", Source: "arp", Age: "-", Line: 4},
			{IP: ip("172.16.233.209"), MAC: "00:00:0c:36:69:65", Interface: "Ethernet0/0", Source: "arp", Age: "-", Line: 5},
			{IP: ip("172.16.168.11"), MAC: "00:00:0c:63:13:00", Interface: "Ethernet0/0", Source: "arp", Age: "-", Line: 6},
			{IP: ip("172.16.168.254"), MAC: "00:00:0c:36:69:65", Interface: "Ethernet0/0", Source: "arp", Age: "9", Line: 7},
			{IP: ip("10.0.0.0"), MAC: "aa:bb:cc:03:82:00", Source: "arp", Age: "-", Line: 8},
		},
	},
	{
		file:     "show_ip_arp/ntc__cisco_nxos_show_ip_arp.raw",
		command:  "show ip arp vrf all",
		kind:     KindARP,
		warnings: []string{"line 2: unsupported platform nx-os: ARP output not parsed (recognised by \"Flags: * - Adjacencies learnt on non-active FHRP router\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:    "show_ip_device_tracking_all/ntc__cisco_ios_show_ip_device_tracking_all.raw",
		command: "show ip device tracking all",
		kind:    KindIPDeviceTracking,
		addresses: []ARPEntry{
			{IP: ip("192.168.1.104"), MAC: "8c:12:90:11:00:e2", Interface: "GigabitEthernet1/0/9", VLAN: "1", State: "ACTIVE", Source: "ARP", Line: 8},
			{IP: ip("192.168.1.108"), MAC: "00:65:2d:a2:5d:6e", Interface: "GigabitEthernet1/0/1", VLAN: "1", State: "ACTIVE", Source: "ARP", Line: 9},
			{IP: ip("192.168.1.110"), MAC: "00:0c:29:ed:e0:90", Interface: "GigabitEthernet1/0/1", VLAN: "1", State: "ACTIVE", Source: "ARP", Line: 10},
		},
	},
	{
		file:    "show_ipv6_access-lists/genie-iosxe-ShowIpv6AccessLists__golden_ipv6_access_list_all_output_output.txt",
		command: "show ipv6 access-list",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "inbound", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 2, count: 3, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp any any eq bgp", Matches: 8, Line: 3},
				1: {Seq: 20, Text: "permit tcp any any eq telnet", Matches: 15, Line: 4},
				2: {Seq: 30, Text: "permit udp any any", Line: 5},
			}},
			{name: "Virtual-Access2.1#427819008151", perUser: true, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 6, count: 2, entries: map[int]ACLEntry{
				0: {Seq: 1, Text: "permit tcp host 2001:DB8:1::32 eq bgp host 2001:DB8:2::32 eq 11000", Line: 7},
				1: {Seq: 2, Text: "permit tcp host 2001:DB8:1::32 eq telnet host 2001:DB8:2::32 eq 11001", Line: 8},
			}},
		},
	},
	{
		file:    "show_ipv6_access-lists/genie-iosxe-ShowIpv6AccessLists__golden_ipv6_access_list_output_1_output.txt",
		command: "show ipv6 access-list v6_sgacl",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "v6_sgacl", perUser: false, note: "", family: "ipv6", typ: "role-based", header: "IPv6 Role-based access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit icmp", Matches: 19, Line: 2},
			}},
		},
	},
	{
		file:    "show_ipv6_access-lists/genie-iosxe-ShowIpv6AccessLists__golden_ipv6_access_list_output_output.txt",
		command: "show ipv6 access-list OutFilter_IPv6",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "OutFilter_IPv6", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 2, count: 12, entries: map[int]ACLEntry{
				0:  {Seq: 30, Text: "permit icmp any any mld-query", Line: 3},
				1:  {Seq: 40, Text: "permit icmp any any router-advertisement", Line: 4},
				7:  {Seq: 80, Text: "permit ipv6 any 2001:db8:1d14::/16 log-input", Line: 10},
				11: {Seq: 120, Text: "permit ipv6 any any", Matches: 3974749339, Line: 14},
			}},
		},
	},
	{
		file:    "show_ipv6_access-lists/genie-iosxe-ShowIpv6AccessLists__golden_output_3_output.txt",
		command: "show ipv6 access-list time_based",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "time_based", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 2, count: 8, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp host 2000::1 host 2002::1 time-range GO (active)", Line: 3},
				1: {Seq: 20, Text: "deny udp host 2000::1 host 2002::1", Line: 4},
				2: {Seq: 30, Text: "permit tcp host 2000::1 host 2003::1", Line: 5},
				3: {Seq: 40, Text: "deny udp host 2000::1 host 2003::1 time-range GO (active)", Line: 6},
				4: {Seq: 50, Text: "permit udp host 2000::1 host 2004::1 time-range GO (active)", Line: 7},
				5: {Seq: 60, Text: "deny tcp host 2000::1 host 2004::1", Line: 8},
				6: {Seq: 70, Text: "permit udp host 2000::1 host 2004::1", Line: 9},
				7: {Seq: 80, Text: "deny tcp host 2000::1 host 2004::1 time-range GO (active)", Line: 10},
			}},
		},
	},
	{
		file:    "show_ipv6_access-lists/ntc__cisco_ios_show_ipv6_access-lists.raw",
		command: "show ipv6 access-list",
		kind:    KindACLs,
		acls: []aclWant{
			{name: "ACL2_IPv6", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 1, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny ipv6 2A01:728::/29 any", Line: 2},
			}},
			{name: "ACL3_IPv6", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 3, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit tcp 2A01:720::/29 any log auth routing", Line: 4},
			}},
			{name: "ACL_IPv6", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 5, count: 1, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "deny ipv6 2A01:728::/29 any", Line: 6},
			}},
			{name: "WAN_LOCAL", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 7, count: 8, entries: map[int]ACLEntry{
				0: {Seq: 11, Text: "permit tcp AAAA:BBBB::/64 2A05:C100:53::/64 eq 6543", Line: 8},
				1: {Seq: 12, Text: "permit udp AAAA:BBBB::/64 2A05:C100:53::/64 eq 6543", Line: 9},
				2: {Seq: 14, Text: "deny udp host 2A05:C100:53::17 host 2A05:C100:53::145 eq 45", Line: 10},
				3: {Seq: 15, Text: "deny tcp host 2A05:C100:53::14 host 2A05:C100:53::17 range 46 48", Line: 11},
				4: {Seq: 9996, Text: "permit tcp any any established", Line: 12},
				5: {Seq: 9997, Text: "permit icmp any any", Line: 13},
				6: {Seq: 9998, Text: "permit udp any any", Line: 14},
				7: {Seq: 9999, Text: "deny ipv6 any any", Line: 15},
			}},
			{name: "WAN_ROUTEUR", perUser: false, note: "", family: "ipv6", typ: "ipv6", header: "IPv6 access list", line: 16, count: 7, entries: map[int]ACLEntry{
				0: {Seq: 10, Text: "permit ipv6 2A05:C100:53::/64 any", Line: 17},
				1: {Seq: 20, Text: "permit ipv6 2A05:C100:53:1::/64 any", Line: 18},
				2: {Seq: 30, Text: "permit ipv6 2A05:C100::/48 any", Line: 19},
				3: {Seq: 40, Text: "permit ipv6 2A00:41E0::/48 any", Line: 20},
				4: {Seq: 45, Text: "permit ipv6 2A05:C100:43::/64 any", Line: 21},
				5: {Seq: 50, Text: "deny ipv6 any any", Line: 22},
				6: {Seq: 9996, Text: "permit tcp any any established", Line: 23},
			}},
		},
	},
	{
		file:    "show_mac_address-table/genie-iosxe-ShowMacAddressTable__golden_output_output.txt",
		command: "show mac address-table",
		kind:    KindMACTable,
		macTable: []MACEntry{
			{VLAN: "All", MAC: "01:00:0c:ff:99:99", Type: "static", Ports: []string{"CPU"}, Line: 6},
			{VLAN: "All", MAC: "01:00:0c:ff:99:9a", Type: "static", Ports: []string{"CPU"}, Line: 7},
			{VLAN: "20", MAC: "aa:aa:bb:ff:88:88", Type: "static", Ports: []string{"Drop"}, Line: 8},
			{VLAN: "100", MAC: "38:20:56:ff:6f:75", Type: "dynamic", Ports: []string{"Port-channel12"}, Line: 9},
			{VLAN: "100", MAC: "58:bf:ea:ff:e5:08", Type: "static", Ports: []string{"Vlan100"}, Line: 10},
			{VLAN: "100", MAC: "ec:bd:1d:ff:5f:92", Type: "dynamic", Ports: []string{"Drop"}, Line: 11},
			{VLAN: "101", MAC: "38:20:56:ff:6f:75", Type: "dynamic", Ports: []string{"Port-channel12"}, Line: 12},
			{VLAN: "101", MAC: "38:20:56:ff:6f:b3", Type: "dynamic", Ports: []string{"Port-channel12"}, Line: 13},
			{VLAN: "101", MAC: "58:bf:ea:ff:e5:f7", Type: "static", Ports: []string{"Vlan101"}, Line: 14},
			{VLAN: "10", MAC: "aa:aa:bb:ff:88:88", Type: "static", Ports: []string{"GigabitEthernet1/0/8", "GigabitEthernet1/0/9", "Vlan101"}, Line: 15},
		},
	},
	{
		file:    "show_mac_address-table/ntc__cisco_ios_show_mac-address-table.raw",
		command: "show mac-address-table",
		kind:    KindMACTable,
		macTable: []MACEntry{
			{VLAN: "1", MAC: "00:10:0d:e0:e2:89", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 9},
			{VLAN: "2", MAC: "00:10:7b:00:15:40", Type: "dynamic", Ports: []string{"FastEthernet0/5"}, Line: 10},
			{VLAN: "2", MAC: "00:10:7b:00:15:45", Type: "dynamic", Ports: []string{"FastEthernet0/5"}, Line: 11},
			{VLAN: "1", MAC: "00:60:5c:f4:00:76", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 12},
			{VLAN: "1", MAC: "00:60:5c:f4:00:77", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 13},
			{VLAN: "1", MAC: "00:60:5c:f4:13:15", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 14},
			{VLAN: "1", MAC: "00:60:70:cb:f3:01", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 15},
			{VLAN: "1", MAC: "00:e0:1e:42:99:78", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 16},
			{VLAN: "1", MAC: "00:e0:1e:9f:39:00", Type: "dynamic", Ports: []string{"FastEthernet0/1"}, Line: 17},
		},
	},
	{
		file:    "show_mac_address-table/ntc__cisco_ios_show_mac-address-table2.raw",
		command: "show mac address-table",
		kind:    KindMACTable,
		macTable: []MACEntry{
			{VLAN: "666", MAC: "30:a3:30:a3:a1:c3", Type: "dynamic", Ports: []string{"TenGigabitEthernet1/30"}, Line: 7},
			{VLAN: "666", MAC: "30:a3:30:a3:5a:b8", Type: "dynamic", Ports: []string{"Port-channel3"}, Line: 8},
			{VLAN: "60", MAC: "30:a3:30:a3:4d:54", Type: "dynamic", Ports: []string{"TenGigabitEthernet1/21"}, Line: 9},
			{VLAN: "777", MAC: "00:00:30:a3:01:67", Type: "static", Ports: []string{"Router"}, Line: 10},
			{VLAN: "664", MAC: "30:a3:30:a3:58:b5", Type: "dynamic", Ports: []string{"Port-channel6"}, Line: 11},
			{VLAN: "667", MAC: "30:a3:30:a3:da:f5", Type: "dynamic", Ports: []string{"TenGigabitEthernet3/20"}, Line: 12},
			{VLAN: "668", MAC: "30:a3:30:a3:e4:01", Type: "dynamic", Ports: []string{"Port-channel6"}, Line: 13},
			{VLAN: "669", MAC: "30:a3:30:a3:5a:22", Type: "dynamic", Ports: []string{"TenGigabitEthernet3/20"}, Line: 14},
			{VLAN: "2000", MAC: "30:a3:30:a3:5a:22", Type: "dynamic", Ports: []string{"TenGigabitEthernet3/20"}, Line: 15},
		},
	},
	{
		file:    "show_mac_address-table/ntc__cisco_ios_show_mac-address-table6.raw",
		command: "show mac address-table",
		kind:    KindMACTable,
		macTable: []MACEntry{
			{VLAN: "All", MAC: "01:80:c2:00:00:0f", Type: "static", Ports: []string{"CPU"}, Line: 6},
			{VLAN: "All", MAC: "01:80:c2:00:00:10", Type: "static", Ports: []string{"CPU"}, Line: 7},
			{VLAN: "All", MAC: "ff:ff:ff:ff:ff:ff", Type: "static", Ports: []string{"CPU"}, Line: 8},
			{VLAN: "2", MAC: "c8:69:cd:54:1f:71", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/7"}, Line: 9},
			{VLAN: "2", MAC: "d0:52:a8:26:5d:8d", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/3"}, Line: 10},
			{VLAN: "2", MAC: "e4:6f:13:a9:08:e5", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/36"}, Line: 11},
			{VLAN: "2", MAC: "e8:eb:11:90:d0:ff", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/37"}, Line: 12},
			{VLAN: "2", MAC: "fc:a1:83:1b:8b:a9", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/41"}, Line: 13},
			{VLAN: "2", MAC: "fc:ec:da:7a:c9:55", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/1"}, Line: 14},
			{VLAN: "2", MAC: "fc:ec:da:80:0a:3e", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/22"}, Line: 15},
			{VLAN: "2", MAC: "fc:ec:da:80:0a:f9", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/41"}, Line: 16},
		},
	},
	{
		file:     "show_mac_address-table/ntc__cisco_nxos_show_mac_address-table.raw",
		command:  "show mac address-table",
		kind:     KindMACTable,
		warnings: []string{"line 2: unsupported platform nx-os: MAC address table output not parsed (recognised by \"* - primary entry, G - Gateway MAC, (R) - Routed MAC, O - Overlay MAC\"); syncwatch reads Cisco IOS and IOS-XE only"},
	},
	{
		file:    "show_version/genie-iosxe-ShowVersion__golden_output_c3850_output.txt",
		command: "show version",
		kind:    KindVersion,
		version: Version{Platform: "ios-xe", Release: "16.4.20170410:165034", ImageID: "CAT3K_CAA-UNIVERSALK9-M", Image: "tftp://10.1.6.241//auto/tftp-ssr/Edison/cat3k_caa-universalk9.BLD_V164_THROTTLE_LATEST_20170410_174845.SSA.bin", Hostname: "R1", Uptime: "1 hour, 24 minutes", Model: "WS-C3850-24P", Serial: "FCW1932D0LB", Line: 1},
	},
	{
		file:    "show_version/genie-iosxe-ShowVersion__golden_output_c9300_output.txt",
		command: "show version",
		kind:    KindVersion,
		version: Version{Platform: "ios-xe", Release: "17.6.20210302:012459", ImageID: "CAT9K_IOSXE", Image: "flash:cat9k_iosxe.BLD_POLARIS_DEV_LATEST_20210302_012043.SSA.bin", Hostname: "ssr-cat9300", Uptime: "19 minutes", Model: "C9300-24P", Serial: "FCW2223G0B9", Line: 1},
	},
	{
		file:    "show_version/ntc__cisco_ios_show_version.raw",
		command: "show version",
		kind:    KindVersion,
		version: Version{Platform: "ios", Release: "12.2(54)SG1", ImageID: "cat4500e-ENTSERVICESK9-M", Image: "bootflash:cat4500e-entservicesk9-mz.122-54.SG1.bin", Hostname: "router1", Uptime: "2 years, 31 weeks, 6 days, 9 hours, 55 minutes", Model: "WS-C4948E", Serial: "CAT1451S15C", Line: 1},
	},
	{
		file:    "show_version/ntc__cisco_ios_show_version4.raw",
		command: "show version",
		kind:    KindVersion,
		version: Version{Platform: "ios-xe", Release: "16.9.3", ImageID: "CAT9K_IOSXE", Image: "flash:packages.conf", Hostname: "AKBTESTW01", Uptime: "1 year, 22 weeks, 6 days, 9 hours, 38 minutes", Model: "C9500-40X", Serial: "FCW2233FFG3", Line: 1},
	},
	{
		file:     "show_version/ntc__cisco_nxos_show_version.raw",
		command:  "show version",
		kind:     KindVersion,
		warnings: []string{"line 1: unsupported platform nx-os: show version output not parsed (recognised by \"Cisco Nexus Operating System (NX-OS) Software\"); syncwatch reads Cisco IOS and IOS-XE only"},
		version:  Version{Platform: "nx-os", Line: 1},
	},
}
