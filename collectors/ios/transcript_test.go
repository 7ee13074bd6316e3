package ios

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// transcript is a terminal session as an engineer saves it: login noise,
// commands without output, a wrapped command, paging leftovers, CRLF, an
// unsupported command and a hop to a second switch.
const transcript = "Last login: Mon Jan  1 10:00:00 2024 from 192.0.2.1\r\n" + // 1
	"SW1>enable\r\n" + // 2
	"SW1#terminal length 0\r\n" + // 3
	"SW1#show access-session interface GigabitEthernet1/0/7\r\n" + // 4
	"details\r\n" + // 5
	"            Interface:  GigabitEthernet1/0/7\r\n" + // 6
	"          MAC Address:  0011.2233.4402\r\n" + // 7
	"               Status:  Authorized\r\n" + // 8
	"Server Policies:\r\n" + // 9
	"              ACS ACL: xACSACLx-IP-COMPLIANT-5f152814\r\n" + // 10
	"SW1#sh ip access-lists xACSACLx-IP-COMPLIANT-5f152814\r\n" + // 11
	"Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)\r\n" + // 12
	"    10 deny tcp any host 10.0.0.11 eq 8449\r\n" + // 13
	" --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\b    20 permit ip any any\r\n" + // 14
	"SW1#show clock\r\n" + // 15
	"*10:00:05.123 UTC Mon Jan 1 2024\r\n" + // 16
	"SW1#ssh -l admin 192.0.2.2\r\n" + // 17
	"Password:\r\n" + // 18
	"SW2#show authentication sessions\r\n" + // 19
	"Interface    MAC Address    Method  Domain  Status Fg Session ID\r\n" + // 20
	"Gi1/0/1      0011.2233.4455 dot1x   DATA    Auth      0A0000010000000100000001\r\n" + // 21
	"SW2#exit\r\n" // 22

func TestSplitTranscript(t *testing.T) {
	cmds, ws := SplitTranscript(transcript)
	if len(ws) != 0 {
		t.Errorf("warnings %q", warningStrings(ws))
	}
	type cmd struct {
		sw, prompt, command string
		line, outputLine    int
		outputPrefix        string
	}
	want := []cmd{
		{"", "", "", 1, 1, "Last login:"},
		{"SW1", "SW1>", "enable", 2, 3, ""},
		{"SW1", "SW1#", "terminal length 0", 3, 4, ""},
		{"SW1", "SW1#", "show access-session interface GigabitEthernet1/0/7 details", 4, 6, "            Interface:  GigabitEthernet1/0/7"},
		{"SW1", "SW1#", "sh ip access-lists xACSACLx-IP-COMPLIANT-5f152814", 11, 12, "Extended IP access list"},
		{"SW1", "SW1#", "show clock", 15, 16, "*10:00:05.123"},
		{"SW1", "SW1#", "ssh -l admin 192.0.2.2", 17, 18, "Password:"},
		{"SW2", "SW2#", "show authentication sessions", 19, 20, "Interface    MAC Address"},
		{"SW2", "SW2#", "exit", 22, 23, ""},
	}
	var got []cmd
	for _, c := range cmds {
		prefix := ""
		for _, w := range want {
			if w.line == c.Line && strings.HasPrefix(c.Output, w.outputPrefix) {
				prefix = w.outputPrefix
			}
		}
		got = append(got, cmd{c.Switch, c.Prompt, c.Command, c.Line, c.OutputLine, prefix})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("commands:\n got %+v\nwant %+v", got, want)
	}
	// The pager's "--More--" and the backspaces that erased it are gone.
	if acl := cmds[4].Output; !strings.Contains(acl, "\n    20 permit ip any any") || strings.Contains(acl, "More") {
		t.Errorf("ACL output not cleaned: %q", acl)
	}
}

func TestParseTranscript(t *testing.T) {
	parsed, ws := ParseTranscript(transcript)
	wantW := []string{
		`line 1: output not parsed: not a command syncwatch reads`,
		`line 15: output of "show clock" not parsed: not a command syncwatch reads`,
		`line 17: output of "ssh -l admin 192.0.2.2" not parsed: not a command syncwatch reads`,
	}
	if gw := warningStrings(ws); !reflect.DeepEqual(gw, wantW) {
		t.Errorf("warnings:\n got %q\nwant %q", gw, wantW)
	}
	var kinds []Kind
	for _, p := range parsed {
		kinds = append(kinds, p.Result.Kind)
	}
	wantKinds := []Kind{KindUnknown, KindUnknown, KindUnknown, KindSessionDetails, KindACLs, KindUnknown,
		KindUnknown, KindSessionSummary, KindUnknown}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Fatalf("kinds %q, want %q", kinds, wantKinds)
	}
	// Records carry transcript line numbers.
	s := parsed[3].Result.Sessions
	if len(s) != 1 || s[0].Line != 6 || s[0].DACL != "xACSACLx-IP-COMPLIANT-5f152814" || parsed[3].Command.Switch != "SW1" {
		t.Errorf("sessions %+v", s)
	}
	acls := parsed[4].Result.ACLs
	wantACL := []ACL{{Name: "xACSACLx-IP-COMPLIANT-5f152814", PerUser: true, Family: FamilyIPv4, Type: TypeExtended,
		Header: "Extended IP access list", Line: 12, Entries: []ACLEntry{
			{Seq: 10, Text: "deny tcp any host 10.0.0.11 eq 8449", Line: 13},
			{Seq: 20, Text: "permit ip any any", Line: 14},
		}}}
	if !reflect.DeepEqual(acls, wantACL) {
		t.Errorf("ACLs:\n got %+v\nwant %+v", acls, wantACL)
	}
	sum := parsed[7].Result.Summary
	if len(sum) != 1 || sum[0].Line != 21 || sum[0].Interface != "GigabitEthernet1/0/1" || parsed[7].Command.Switch != "SW2" {
		t.Errorf("summary %+v", sum)
	}
}

func TestParseTranscriptWarningLines(t *testing.T) {
	text := "SW1#show access-lists\nExtended IP access list A\n 10 permit ip any any\n 20 bogus\nSW1#show access-session details\n\nInterface: Gi1/0/1\nnonsense here\n"
	_, ws := ParseTranscript(text)
	want := []string{
		`line 4: access list: entry "bogus" does not start with permit, deny or remark`,
		`line 8: session details: unrecognised line "nonsense here"`,
	}
	if gw := warningStrings(ws); !reflect.DeepEqual(gw, want) {
		t.Errorf("warnings:\n got %q\nwant %q", gw, want)
	}
}

func TestSplitTranscriptBareOutput(t *testing.T) {
	for _, text := range []string{"", "\n \n"} {
		if cmds, _ := SplitTranscript(text); len(cmds) != 0 {
			t.Errorf("%q: %d commands", text, len(cmds))
		}
	}
	cmds, _ := SplitTranscript("Interface: Gi1/0/1\nMAC Address: 0011.2233.4455\n")
	if len(cmds) != 1 || cmds[0].Command != "" || cmds[0].OutputLine != 1 || cmds[0].Output != "Interface: Gi1/0/1\nMAC Address: 0011.2233.4455" {
		t.Errorf("%+v", cmds)
	}
	// Output lines that look like prompts of another host without a command
	// do not split the output.
	cmds, _ = SplitTranscript("SW1#show version\nrouter>\nabc#def ghi\nSW1#\n")
	if len(cmds) != 2 || cmds[0].Output != "router>\nabc#def ghi" {
		t.Errorf("%+v", cmds)
	}
}

func TestParsePrompt(t *testing.T) {
	tests := []struct {
		line              string
		ok                bool
		host, text, cmdln string
	}{
		{"SW1#show version", true, "SW1", "SW1#", "show version"},
		{"  Router# show access-lists 101", true, "Router", "Router#", "show access-lists 101"},
		{"core-sw.example(config-if)#exit", true, "core-sw.example", "core-sw.example(config-if)#", "exit"},
		{"Switch>", true, "Switch", "Switch>", ""},
		{"\t\tR2# show ip arp vrf all", true, "R2", "R2#", "show ip arp vrf all"},
		{"Interface: Gi1/0/1", false, "", "", ""},
		{"# - Adjacencies Throttled for Glean", false, "", "", ""},
		{"10 permit ip any any", false, "", "", ""},
		{"a>1", false, "", "", ""},
		{"Extended IP access list Virtual-Access1.1#1", false, "", "", ""},
		{"", false, "", "", ""},
	}
	for _, tc := range tests {
		p, ok := parsePrompt(tc.line)
		if ok != tc.ok || p.host != tc.host || p.text != tc.text || p.command != tc.cmdln {
			t.Errorf("parsePrompt(%q) = %+v, %v", tc.line, p, ok)
		}
	}
}

// TestCleanTerminalEscapes: PuTTY and SecureCRT logs keep the ANSI escape
// sequences of a coloured prompt or of a pager that erases its "--More--",
// and a log saved by a Windows editor starts with a byte order mark. A
// prompt hidden behind them was not recognised, so the whole transcript
// was one bare output that the version parser read: every session and ACL
// was dropped without a warning.
func TestCleanTerminalEscapes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[0m\x1b[1;32mSW1#\x1b[0mshow ip arp\n", "SW1#show ip arp\n"},
		{"\x1b]0;SW1 - PuTTY\x07SW1#show version\n", "SW1#show version\n"},
		{"\x1b]0;title\x1b\\SW1#exit\n", "SW1#exit\n"},
		{"\x1b(B\x1b=SW1>enable\n", "SW1>enable\n"},
		{" --More-- \x1b[10D\x1b[K    20 permit ip any any\n", "    20 permit ip any any\n"},
		{"abcdef\x1b[3D\x1b[KXY\n", "abcXY\n"},
		{"ab\x1b[5Cc\n", "abc\n"},
		{"\ufeffSW1#show version\r\nCisco IOS Software\r\n", "SW1#show version\r\nCisco IOS Software\r\n"},
		{"cut at the end\x1b[1;3", "cut at the end"},
		{"cut\x1b", "cut"},
		{"no escapes here\n", "no escapes here\n"},
		// PuTTY's header each time it opens the log was an output no
		// parser reads, a warning in every PuTTY log.
		{"=~=~=~=~=~=~=~=~=~=~=~= PuTTY log 2026.12.04 10:00:00 =~=~=~=~=~=~=~=~=~=~=~=\r\nSW1#exit\r\n", "\nSW1#exit\r\n"},
		// SecureCRT's per-line timestamps hid every prompt: the whole log
		// was one output.
		{"[12/04/2026 10:00:01] SW1#show ip arp\r\n[12/04/2026 10:00:01] Protocol  Address\r\n\r\n[12/04/2026 10:00:02] \r\n",
			"SW1#show ip arp\r\nProtocol  Address\r\n\r\n\r\n"},
		{"[2026-12-04 10:00:01]SW1#exit\n", "SW1#exit\n"},
		// Not every line stamped, or a bracket that is not a time: as is.
		{"[10:00:01] SW1#exit\nSW1#show ip arp\n", "[10:00:01] SW1#exit\nSW1#show ip arp\n"},
		{"[section one]\n[section two]\n", "[section one]\n[section two]\n"},
	}
	for _, tc := range tests {
		if got := cleanTerminal(tc.in); got != tc.want {
			t.Errorf("cleanTerminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	text := "\ufeff\x1b[1;32mSW1#\x1b[0mshow version | include IOS\r\n" + // 1
		"Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\r\n" + // 2
		"\x1b[1;32mSW1#\x1b[0mshow access-session interface Gi1/0/3 details\r\n" + // 3
		"            Interface:  GigabitEthernet1/0/3\r\n" + // 4
		"          MAC Address:  0011.2233.4402\r\n" + // 5
		"\x1b[1;32mSW1#\x1b[0mshow ip access-lists\r\n" + // 6
		"Extended IP access list A\r\n" + // 7
		"    10 permit ip any any\r\n" // 8
	parsed, ws := ParseTranscript(text)
	if len(ws) != 0 {
		t.Errorf("warnings %q", warningStrings(ws))
	}
	var got []string
	for _, p := range parsed {
		got = append(got, fmt.Sprintf("%s|%s|%d|%s", p.Command.Switch, p.Command.Command, p.Command.Line, p.Result.Kind))
	}
	want := []string{
		"SW1|show version | include IOS|1|version",
		"SW1|show access-session interface Gi1/0/3 details|3|session-details",
		"SW1|show ip access-lists|6|acls",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("commands:\n got %q\nwant %q", got, want)
	}
	if s := parsed[1].Result.Sessions; len(s) != 1 || s[0].MAC != "00:11:22:33:44:02" || s[0].Line != 4 {
		t.Errorf("sessions %+v", s)
	}
}

// TestParseTranscriptOtherPlatform: an NX-OS switch's transcript gave one
// unsupported-platform warning per command, and its outputs without a
// telling line were parsed as IOS. Now one warning, the rest skipped; a
// hop to an IOS switch is parsed as usual.
func TestParseTranscriptOtherPlatform(t *testing.T) {
	text := "n9k-1# show version\n" + // 1
		"Cisco Nexus Operating System (NX-OS) Software\n" + // 2
		"  NXOS: version 9.3(8)\n" + // 3
		"n9k-1# show ip access-lists\n" + // 4
		"\n" + // 5
		"IP access list ACL-X\n" + // 6
		"        10 permit ip any any\n" + // 7
		"n9k-1# show ip arp\n" + // 8
		"Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n" + // 9
		"Internet  10.5.5.5                3   0011.2233.4466  ARPA   Vlan10\n" + // 10
		"n9k-1# terminal length 0\n" + // 11
		"n9k-1# ssh admin@10.0.0.2\n" + // 12
		"SW2#show ip arp\n" + // 13
		"Protocol  Address          Age (min)  Hardware Addr   Type   Interface\n" + // 14
		"Internet  10.5.5.6                3   0011.2233.4467  ARPA   Vlan10\n" // 15
	parsed, ws := ParseTranscript(text)
	want := []string{`line 2: unsupported platform nx-os: show version output not parsed (recognised by "Cisco Nexus Operating System (NX-OS) Software"); syncwatch reads Cisco IOS and IOS-XE only; 2 later outputs of this switch not parsed either`}
	if got := warningStrings(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	var addrs []string
	for _, p := range parsed {
		if len(p.Result.ACLs) > 0 {
			t.Errorf("%s: ACLs parsed: %+v", p.Command.Command, p.Result.ACLs)
		}
		for _, a := range p.Result.Addresses {
			addrs = append(addrs, p.Command.Switch+" "+a.IP.String())
		}
	}
	if !reflect.DeepEqual(addrs, []string{"SW2 10.5.5.6"}) {
		t.Errorf("addresses %q", addrs)
	}
}

// TestParseTranscriptHiddenPrompt: a log whose prompts follow a prefix
// syncwatch does not clean up was read as one output, the version parser
// taking it and dropping every session without a word. Now the first
// hidden prompt is warned about.
func TestParseTranscriptHiddenPrompt(t *testing.T) {
	text := "10:00:01.123 SW1#show version | include IOS\n" + // 1
		"10:00:01.124 Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\n" + // 2
		"10:00:02.001 SW1#show access-session interface Gi1/0/3 details\n" + // 3
		"10:00:02.002             Interface:  GigabitEthernet1/0/3\n" // 4
	_, ws := ParseTranscript(text)
	want := []string{`line 1: "10:00:01.123 SW1#show version | include IOS" looks like a prompt and command after other text: no prompt was recognised at the start of a line, so the file is read as one output and may lose what follows`,
		`line 1: output not parsed: not a command syncwatch reads`}
	if got := warningStrings(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	// Bare outputs with a '#' or '>' inside are not prompts.
	for _, bare := range []string{
		"Extended IP access list A\n    10 permit tcp any any eq 443\n",
		"Codes: L - Local, S - Static\nDH4 10.1.1.1  0011.2233.4455  Gi1/0/1  10  0005  31s  REACHABLE  270 s\n",
		"Description: uplink to core#1 >show-room\n",
	} {
		if _, ws := ParseTranscript(bare); len(ws) > 0 && strings.Contains(ws[len(ws)-1].Message, "looks like a prompt") {
			t.Errorf("%q: %q", bare, warningStrings(ws))
		}
	}
}

// TestCleanTerminalSyslog: a log message that console logging printed amid
// a dACL listing became an entry of the dACL, so the dACL was unevaluable
// for every PSN after it; amid session details it was an unrecognised
// line.
func TestCleanTerminalSyslog(t *testing.T) {
	for _, tc := range []struct {
		line   string
		syslog bool
	}{
		{"*Dec  4 10:00:01.123: %DOT1X-5-SUCCESS: Authentication successful for client (0011.2233.4466) on Interface Gi1/0/2", true},
		{"000123: Dec  4 10:00:02.123 UTC: %AUTHMGR-5-START: Starting 'dot1x' for client (0011.2233.4466)", true},
		{".Dec  4 10:00:03: %LINEPROTO-5-UPDOWN: Line protocol on Interface Gi1/0/2, changed state to up", true},
		{"Dec 4 10:00:04.001 CET: %SYS-5-CONFIG_I: Configured from console by admin on vty0", true},
		{"Jan 12 2026 10:00:04: %SESSION_MGR-5-SUCCESS: Authorization succeeded", true},
		{"10 permit tcp any any eq 443", false},
		{"Session timeout:  28800s (server), Remaining: 27013s", false},
		{"URL Redirect: https://psn:8443/portal?x=10:00:01: %41", false},
		{"uptime 10:00:01: %BAD-x-NAME: lower-case severity", false},
	} {
		if got := isSyslog(tc.line); got != tc.syslog {
			t.Errorf("isSyslog(%q) = %v", tc.line, got)
		}
	}
	text := "SW1#show ip access-lists\n" + // 1
		"Extended IP access list xACSACLx-IP-EMP_COMPLIANT-11112222 (per-user)\n" + // 2
		"    10 deny tcp any host 10.0.0.11 eq 8449\n" + // 3
		"*Dec  4 10:00:01.123: %DOT1X-5-SUCCESS: Authentication successful for client (0011.2233.4466) on Interface Gi1/0/2\n" + // 4
		"    20 permit ip any any\n" // 5
	parsed, ws := ParseTranscript(text)
	if len(ws) != 0 {
		t.Errorf("warnings %q", warningStrings(ws))
	}
	want := []ACLEntry{{Seq: 10, Text: "deny tcp any host 10.0.0.11 eq 8449", Line: 3}, {Seq: 20, Text: "permit ip any any", Line: 5}}
	if len(parsed) != 1 || len(parsed[0].Result.ACLs) != 1 || !reflect.DeepEqual(parsed[0].Result.ACLs[0].Entries, want) {
		t.Errorf("parsed %+v", parsed)
	}
}
