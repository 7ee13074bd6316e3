package acl

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fixtureDirs hold the committed copies of the public ACL outputs.
var fixtureDirs = []string{
	"../ios/testdata/cisco/show_ip_access-lists",
	"../ios/testdata/cisco/show_access-lists",
	"../ios/testdata/cisco/show_ipv6_access-lists",
}

// These regexps only cut listings into entries for this package's tests;
// the real listing parser lives in collectors/ios.
var (
	fixtureHeader = regexp.MustCompile(`^\s*(?:(Standard|Extended|Role-based|FQDN|Reflexive) IP access list|IPv6 (?:(Role-based|FQDN) )?access list|(?:Extended )?(MAC) access list|IP access list|IPV4 ACL)\s+(\S+)`)
	fixtureEntry  = regexp.MustCompile(`^\s*(?:(\d+)\s+)?((?:permit|deny|remark|evaluate|dynamic)\b.*?)\s*$`)
)

// fixtureList is one access list cut out of a fixture.
type fixtureList struct {
	file, name string
	family     Family
	kind       Kind
	lines      []Line
}

func readFixtureLists(t testing.TB) []fixtureList {
	t.Helper()
	var lists []fixtureList
	for _, dir := range fixtureDirs {
		files, err := os.ReadDir(dir)
		if err != nil {
			t.Fatalf("read fixtures: %v", err)
		}
		for _, f := range files {
			n := f.Name()
			if !strings.HasSuffix(n, "_output.txt") && !strings.HasSuffix(n, ".raw") && !strings.HasSuffix(n, ".txt") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				t.Fatalf("read %s: %v", n, err)
			}
			var cur *fixtureList
			for i, line := range strings.Split(string(data), "\n") {
				if m := fixtureHeader.FindStringSubmatch(line); m != nil {
					if m[3] == "MAC" {
						cur = nil
						continue
					}
					l := fixtureList{file: n, name: m[4], family: IPv4, kind: Extended}
					if strings.HasPrefix(strings.TrimSpace(line), "IPv6") {
						l.family = IPv6
					}
					switch {
					case m[1] == "Standard":
						l.kind = Standard
					case m[1] == "Role-based" || m[2] == "Role-based":
						l.kind = RoleBased
					}
					lists = append(lists, l)
					cur = &lists[len(lists)-1]
					continue
				}
				m := fixtureEntry.FindStringSubmatch(line)
				if m == nil || cur == nil {
					continue
				}
				seq, _ := strconv.Atoi(m[1])
				cur.lines = append(cur.lines, Line{Seq: seq, Text: m[2], LineNo: i + 1})
			}
		}
	}
	return lists
}

// fixtureUnevaluable lists every fixture entry this package cannot judge,
// by file and line, with a piece of the reason it gives. Every other entry
// must parse and print back as the switch showed it.
var fixtureUnevaluable = map[string]string{
	"genie-iosxe-ShowAccessLists__golden_output_3_output.txt:4":       "host dynamic www.msft10.com is an FQDN",
	"genie-iosxe-ShowAccessLists__golden_output_3_output.txt:5":       "host dynamic www.msft11.com is an FQDN",
	"genie-iosxe-ShowAccessLists__golden_output_3_output.txt:6":       "host dynamic www.msft12.com is an FQDN",
	"genie-iosxe-ShowAccessLists__golden_output_3_output.txt:7":       "host dynamic www.msft13.com is an FQDN",
	"ntc__cisco_ios_show_ip_access-lists.raw:16":                      "port name ssh, http is not an IOS keyword",
	"ntc__cisco_ios_show_ip_access-lists_969.raw:17":                  "port name ssh, http is not an IOS keyword",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:2":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:3":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:4":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:5":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:6":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:7":                  "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:8":                  "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:9":                  "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:10":                 "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:11":                 "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:12":                 "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:13":                 "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:14":                 "network object-group SRC_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:15":                 "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:16":                 "network object-group DST_NETWORK_OBJECT_GROUP",
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:17":                 `unknown protocol "SERVICE_OBJECT_GROUP"`,
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:18":                 `unknown protocol "SERVICE_OBJECT_GROUP"`,
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:19":                 `unknown protocol "SERVICE_OBJECT_GROUP"`,
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:20":                 `unknown protocol "SERVICE_OBJECT_GROUP"`,
	"ntc__cisco_ios_show_ip_access-lists_1104.raw:21":                 `unknown protocol "SERVICE_OBJECT_GROUP"`,
	"genie-ios-ShowAccessLists__golden_output_customer2_output.txt:5": "network object-group dummydpd-local",
	"genie-iosxe-ShowAccessLists__golden_output_4_output.txt:2":       "host dynamic *.atoz.msn.com is an FQDN",
	"genie-iosxe-ShowAccessLists__golden_output_4_output.txt:3":       "host dynamic www.ab.*.*.*.test.com is an FQDN",
	"genie-iosxe-ShowAccessLists__golden_output_output.txt:7":         "option 222 matches IP options",
	"genie-iosxe-ShowAccessLists__golden_output_output.txt:20":        `source address "2001:db8:9:9::3" needs a prefix length`,
	"genie-nxos-ShowAccessLists__golden_output2_output.txt:6":         "is NX-OS syntax",
	"genie-nxos-ShowAccessLists__golden_output2_output.txt:7":         "is NX-OS syntax",
	"genie-nxos-ShowAccessLists__golden_output2_output.txt:8":         `unknown keyword "[match=4]"`,
	"genie-nxos-ShowAccessLists__golden_output3_output.txt:4":         "is NX-OS syntax",
	"genie-nxos-ShowAccessLists__golden_output3_output.txt:5":         "is NX-OS syntax",
	"ntc__cisco_ios_show_access-list.raw:22":                          "range 80 53 is empty",
	"ntc__cisco_ios_show_access-list.raw:25":                          `"udp": a standard access list matches the source address only`,
	"ntc__cisco_ios_show_access-list.raw:26":                          `"tcp": a standard access list matches the source address only`,
	"ntc__cisco_nxos_show_access-lists.raw:2":                         "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:3":                         "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:5":                         "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:6":                         "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:7":                         "addrgroup is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:11":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:33":                        `unknown protocol "pim"`,
	"ntc__cisco_nxos_show_access-lists.raw:36":                        `unknown protocol "pim"`,
	"ntc__cisco_nxos_show_access-lists.raw:38":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists.raw:39":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:4":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:6":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:7":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:9":                        "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:11":                       "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:13":                       "is NX-OS syntax",
	"ntc__cisco_nxos_show_access-lists2.raw:15":                       "is NX-OS syntax",
	"ntc__cisco_ios_show_ipv6_access-lists.raw:4":                     "auth matches IPv6 extension headers",
}

// shownAnnotations are what a listing adds to an entry that is not part of
// it: counters, IPv6's trailing sequence number. A time-range's state
// stays: the verdict depends on it.
var shownAnnotations = regexp.MustCompile(`\s*\(\d+ match(es)?\)|\s+sequence \d+$`)

func TestFixtureEntries(t *testing.T) {
	lists := readFixtureLists(t)
	entries, seen := 0, map[string]bool{}
	for _, l := range lists {
		a, errs := Compile(l.name, l.family, l.kind, l.lines)
		for _, pe := range errs {
			if pe.LineNo == 0 || !strings.Contains(pe.Error(), fmt.Sprintf("line %d", pe.LineNo)) {
				t.Errorf("%s: error without its line: %v", l.file, pe)
			}
		}
		for i, e := range a.Entries {
			entries++
			key := fmt.Sprintf("%s:%d", l.file, e.LineNo)
			want, listed := fixtureUnevaluable[key]
			switch {
			case listed:
				seen[key] = true
				if !strings.Contains(e.Unevaluable, want) {
					t.Errorf("%s %q: unevaluable %q, want it to mention %q", key, l.lines[i].Text, e.Unevaluable, want)
				}
			case e.Unevaluable != "":
				t.Errorf("%s %q: unexpectedly unevaluable: %s", key, l.lines[i].Text, e.Unevaluable)
			default:
				shown := strings.Join(strings.Fields(shownAnnotations.ReplaceAllString(l.lines[i].Text, "")), " ")
				if !strings.EqualFold(shown, e.String()) {
					t.Errorf("%s: String() = %q, switch showed %q", key, e.String(), shown)
				}
			}
		}
	}
	for key := range fixtureUnevaluable {
		if !seen[key] {
			t.Errorf("%s: listed as unevaluable but not found", key)
		}
	}
	// Guards against the walk silently reading nothing.
	if len(lists) != 82 || entries != 428 {
		t.Errorf("walked %d lists and %d entries, want 82 and 428", len(lists), entries)
	}
}

// TestFixtureVerdicts judges a SYN from an endpoint to a PSN on 8449 with
// real lists from the fixtures.
func TestFixtureVerdicts(t *testing.T) {
	lists := map[string]fixtureList{}
	for _, l := range readFixtureLists(t) {
		key := l.file + " " + l.name
		if _, dup := lists[key]; dup {
			key += " #2"
		}
		lists[key] = l
	}
	v4 := syn("10.1.1.5", "10.0.0.11", 8449)
	tests := []struct {
		list     string
		pkt      Packet
		verdict  Verdict
		seq      int
		text     string
		implicit bool
		timed    bool
	}{
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt xACSACLx-IP-CWA_PRE_AUTH-69692867", pkt: v4, verdict: Denied, seq: 6, text: "deny ip any any"},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt preauth_v4", pkt: v4, verdict: Denied, seq: 60, text: "deny ip any any"},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt IP-Adm-V4-Int-ACL-global", pkt: v4, verdict: Denied, text: "deny ip any any", implicit: true},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt IP-Adm-V4-Int-ACL-global", pkt: syn("10.1.1.5", "10.0.0.11", 443), verdict: Permitted, seq: 20, text: "permit tcp any any eq 443"},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt implicit_permit", pkt: v4, verdict: Permitted, seq: 10, text: "permit ip any any"},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt meraki-fqdn-dns", pkt: v4, verdict: Denied, text: "deny ip any any", implicit: true},
		// The first FQDN list: seq 10 names another host, seq 20 is an FQDN.
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt FQDN_ACL_WEBAUTH_REDIRECT", pkt: v4, verdict: Unknown, seq: 20, text: "deny ip any host dynamic www.msft10.com"},
		{list: "genie-iosxe-ShowAccessLists__golden_output_3_output.txt FQDN_ACL_WEBAUTH_REDIRECT #2", pkt: v4, verdict: Denied, text: "deny ip any any", implicit: true},
		{list: "hmchen47-DevOps__47-ISEdot1x.md.show_access-lists.txt xACSACLx-IP-NOICMP-TELNET-5f152814", pkt: v4, verdict: Denied, text: "deny ip any any", implicit: true},
		{list: "hmchen47-DevOps__47-ISEdot1x.md.show_access-lists.txt xACSACLx-IP-NOICMP-TELNET-5f152814", pkt: syn("10.1.1.5", "10.0.0.11", 23), verdict: Denied, seq: 20, text: "deny tcp any any eq telnet"},
		{list: "hmchen47-DevOps__47-ISEdot1x.md.show_access-lists.txt Auth-Default-ACL-OPEN", pkt: v4, verdict: Permitted, seq: 10, text: "permit ip any any"},
		// Entry 80 cannot be fully judged but names another destination.
		{list: "ntc__cisco_ios_show_ip_access-lists.raw 101", pkt: v4, verdict: Denied, text: "deny ip any any", implicit: true},
		{list: "ntc__cisco_ios_show_ip_access-lists.raw 101", pkt: syn("10.1.1.5", "10.1.1.1", 80), verdict: Permitted, seq: 10, text: "permit tcp any host 10.1.1.1 eq www"},
		// Seq 20 is excluded by its source port (eq snmp), seq 30 could match.
		{list: "ntc__cisco_ios_show_ip_access-lists_1104.raw access-acl", pkt: v4, verdict: Unknown, seq: 30, text: "permit tcp object-group SRC_NETWORK_OBJECT_GROUP object-group DST_NETWORK_OBJECT_GROUP"},
		{list: "ntc__cisco_ios_show_access-list.raw Virtual-Access1.1#1", pkt: syn("44.33.66.36", "1.1.1.1", 8449), verdict: Denied, seq: 30, text: "deny ip host 44.33.66.36 host 1.1.1.1"},
		{list: "genie-iosxe-ShowIpAccessLists__golden_output_customer_output.txt 43", pkt: syn("10.196.4.5", "10.0.0.11", 8449), verdict: Permitted, seq: 40, text: "permit 10.196.0.0, wildcard bits 0.0.255.255"},
		{list: "ntc__cisco_ios_show_ipv6_access-lists.raw WAN_LOCAL", pkt: syn("aaaa:bbbb::5", "2a05:c100:53::17", 8449), verdict: Denied, seq: 9999, text: "deny ipv6 any any"},
		{list: "ntc__cisco_ios_show_ipv6_access-lists.raw WAN_LOCAL", pkt: syn("aaaa:bbbb::5", "2a05:c100:53::17", 6543), verdict: Permitted, seq: 11, text: "permit tcp aaaa:bbbb::/64 2a05:c100:53::/64 eq 6543"},
		{list: "genie-iosxe-ShowIpv6AccessLists__golden_output_3_output.txt time_based", pkt: syn("2000::1", "2002::1", 8449), verdict: Permitted, seq: 10, text: "permit tcp host 2000::1 host 2002::1 time-range GO (active)", timed: true},
		{list: "genie-iosxe-ShowAccessLists__golden_output_output.txt preauth_v6", pkt: syn("2001:db8::5", "2001:db8::11", 8449), verdict: Denied, seq: 30, text: "deny ipv6 any any"},
	}
	for _, tc := range tests {
		l, ok := lists[tc.list]
		if !ok {
			t.Errorf("%s: no such list", tc.list)
			continue
		}
		a, _ := Compile(l.name, l.family, l.kind, l.lines)
		r := a.Evaluate(tc.pkt)
		if r.Verdict != tc.verdict || r.Seq != tc.seq || r.Text != tc.text || r.Implicit != tc.implicit || r.TimeRange != tc.timed {
			t.Errorf("%s: got %v seq %d %q implicit %v time-range %v (%s), want %v seq %d %q implicit %v time-range %v",
				tc.list, r.Verdict, r.Seq, r.Text, r.Implicit, r.TimeRange, r.Reason, tc.verdict, tc.seq, tc.text, tc.implicit, tc.timed)
		}
	}
}
