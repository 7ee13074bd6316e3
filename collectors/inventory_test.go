package collectors

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/syncwatch/syncwatch/collectors/acl"
)

const exampleSwitches = "../examples/switches"

// readSnapshot reads transcripts from paths and fails on an error.
func readSnapshot(t testing.TB, paths ...string) (*Snapshot, []string) {
	t.Helper()
	var tr Transcripts
	for _, p := range paths {
		if err := tr.ReadPath(p); err != nil {
			t.Fatal(err)
		}
	}
	snap, ws := tr.Snapshot()
	return snap, warningTexts(ws)
}

// snapshotOf builds a snapshot from transcripts given as file name and text.
func snapshotOf(t testing.TB, files ...string) (*Snapshot, []string) {
	t.Helper()
	var tr Transcripts
	for i := 0; i+1 < len(files); i += 2 {
		tr.Add(files[i], files[i+1])
	}
	snap, ws := tr.Snapshot()
	return snap, warningTexts(ws)
}

func warningTexts(ws []Warning) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.String())
	}
	return out
}

// sessionLine is the part of a session the inventory tests compare.
func sessionLine(s *Session) string {
	v6 := make([]string, len(s.IPv6))
	for i, a := range s.IPv6 {
		v6[i] = a.String()
	}
	ip := "-"
	if s.IPv4.IsValid() {
		ip = s.IPv4.String()
	}
	from := ""
	if s.IPv4From != "" || s.IPv6From != "" {
		from = " from " + s.IPv4From + "/" + s.IPv6From
	}
	return fmt.Sprintf("%s %s %s %s [%s]%s dacl=%s dacl6=%s redirect=%s/%v line %d",
		s.Switch, s.Interface, s.MAC, ip, strings.Join(v6, " "), from, s.DACL, s.DACLv6, s.URLRedirectACL, s.URLRedirect != "", s.Line)
}

func allSessions(snap *Snapshot) []string {
	var out []string
	for _, sw := range snap.Switches() {
		for i := range sw.Sessions {
			out = append(out, sessionLine(&sw.Sessions[i]))
		}
	}
	return out
}

func aclNames(snap *Snapshot) []string {
	var out []string
	for _, sw := range snap.Switches() {
		for _, a := range sw.ACLs {
			out = append(out, fmt.Sprintf("%s %s %s per-user=%v entries=%d", sw.Name, a.Family, a.Name, a.PerUser, len(a.Compiled.Entries)))
		}
	}
	return out
}

func TestInventoryExample(t *testing.T) {
	snap, ws := readSnapshot(t, exampleSwitches)
	if len(ws) != 0 {
		t.Errorf("warnings: %q", ws)
	}
	wantSessions := []string{
		"access-sw1 GigabitEthernet1/0/3 00:50:56:a1:0a:03 10.1.20.31 [] dacl=xACSACLx-IP-PHONES-1a2b3c4d dacl6= redirect=/false line 7",
		"access-sw1 GigabitEthernet1/0/3 a4:bb:6d:10:22:03 10.1.10.23 [2001:db8:10::23 fe80::a6bb:6dff:fe10:2203] dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 dacl6=xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 redirect=/false line 37",
		"access-sw1 GigabitEthernet1/0/5 a4:bb:6d:10:22:05 10.1.10.25 [] from device-tracking/ dacl=xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 dacl6= redirect=REDIRECT_POSTURE/true line 68",
		"access-sw1 GigabitEthernet1/0/7 a4:bb:6d:10:22:07 10.1.10.27 [] dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22 dacl6= redirect=/false line 98",
		"access-sw2 GigabitEthernet1/0/12 a4:bb:6d:20:10:12 10.2.10.12 [] dacl=xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 dacl6= redirect=/false line 4",
	}
	if got := allSessions(snap); !reflect.DeepEqual(got, wantSessions) {
		t.Errorf("sessions:\n%s", strings.Join(got, "\n"))
	}
	wantACLs := []string{
		"access-sw1 ipv4 REDIRECT_POSTURE per-user=false entries=5",
		"access-sw1 ipv4 xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 per-user=true entries=3",
		"access-sw1 ipv4 xACSACLx-IP-PHONES-1a2b3c4d per-user=true entries=1",
		"access-sw1 ipv4 xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 per-user=true entries=9",
		"access-sw1 ipv6 xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 per-user=true entries=3",
		"access-sw2 ipv4 xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 per-user=true entries=3",
	}
	if got := aclNames(snap); !reflect.DeepEqual(got, wantACLs) {
		t.Errorf("ACLs:\n%s", strings.Join(got, "\n"))
	}
	sw1 := snap.Switch("access-sw1")
	if sw1 == nil || sw1.Version.Platform != "ios-xe" || sw1.Version.Release != "17.9.4a" {
		t.Errorf("access-sw1 version %+v", sw1)
	}
	if d := snap.DACL("xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"); d == nil || d.Switch != "access-sw1" {
		t.Errorf("DACL cache: %+v", d)
	}
	if snap.DACL("xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22") != nil || snap.DACL("REDIRECT_POSTURE") != nil {
		t.Error("DACL cache holds a missing dACL or a switch-local ACL")
	}
	if a := snap.ResolveACL(snap.Switch("access-sw2"), "REDIRECT_POSTURE"); a != nil {
		t.Error("a switch-local ACL resolved on another switch")
	}
	if snap.NumSessions() != 5 {
		t.Errorf("NumSessions %d", snap.NumSessions())
	}
}

func TestInventoryLookup(t *testing.T) {
	snap, _ := readSnapshot(t, exampleSwitches)
	// A second switch that still holds a stale session of the same PC.
	tr := Transcripts{}
	tr.Add("sw3.log", "access-sw3#show access-session interface Gi2/0/1 details\n"+
		"Interface: GigabitEthernet2/0/1\nMAC Address: a4bb.6d10.2203\nIPv4 Address: Unknown\nStatus: Authorized\n")
	s3, _ := tr.Snapshot()
	snap = NewSnapshot(append(snap.Switches(), s3.Switches()...)...)

	tests := []struct {
		name string
		ip   string
		mac  string
		want []string // switch interface mac
		key  MatchKey
	}{
		{name: "IPv4", ip: "10.1.10.23", want: []string{"access-sw1 GigabitEthernet1/0/3 a4:bb:6d:10:22:03"}, key: MatchIPv4},
		{name: "IPv4-mapped IPv6", ip: "::ffff:10.1.10.23", want: []string{"access-sw1 GigabitEthernet1/0/3 a4:bb:6d:10:22:03"}, key: MatchIPv4},
		{name: "IPv6", ip: "2001:db8:10::23", want: []string{"access-sw1 GigabitEthernet1/0/3 a4:bb:6d:10:22:03"}, key: MatchIPv6},
		{name: "phone on the same port", ip: "10.1.20.31", want: []string{"access-sw1 GigabitEthernet1/0/3 00:50:56:a1:0a:03"}, key: MatchIPv4},
		{name: "address from device tracking", ip: "10.1.10.25", want: []string{"access-sw1 GigabitEthernet1/0/5 a4:bb:6d:10:22:05"}, key: MatchIPv4},
		{name: "IP first, even with another MAC", ip: "10.2.10.12", mac: "00:50:56:a1:0a:03", want: []string{"access-sw2 GigabitEthernet1/0/12 a4:bb:6d:20:10:12"}, key: MatchIPv4},
		{name: "MAC when the IP is unknown, on every switch", ip: "10.9.9.9", mac: "A4-BB-6D-10-22-03",
			want: []string{"access-sw1 GigabitEthernet1/0/3 a4:bb:6d:10:22:03", "access-sw3 GigabitEthernet2/0/1 a4:bb:6d:10:22:03"}, key: MatchMAC},
		{name: "MAC in Cisco's form", mac: "a4bb.6d10.2207", want: []string{"access-sw1 GigabitEthernet1/0/7 a4:bb:6d:10:22:07"}, key: MatchMAC},
		{name: "nobody", ip: "10.9.9.9", mac: "02:00:00:00:00:01", key: MatchNone},
		{name: "bad MAC", mac: "router", key: MatchNone},
		{name: "nothing", key: MatchNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ip netip.Addr
			if tc.ip != "" {
				ip = netip.MustParseAddr(tc.ip)
			}
			got, key := snap.Lookup(ip, tc.mac)
			var lines []string
			for _, s := range got {
				lines = append(lines, s.Switch+" "+s.Interface+" "+s.MAC)
			}
			if !reflect.DeepEqual(lines, tc.want) || key != tc.key {
				t.Errorf("got %q by %q, want %q by %q", lines, key, tc.want, tc.key)
			}
		})
	}
}

const fillTranscript = `SW5#show authentication sessions interface Gi1/0/1 details
            Interface:  GigabitEthernet1/0/1
          MAC Address:  0011.2233.4401
           IP Address:  Unknown
               Status:  Authz Success
----------------------------------------
            Interface:  GigabitEthernet1/0/2
          MAC Address:  0011.2233.4402
           IP Address:  Unknown
               Status:  Authz Success
----------------------------------------
            Interface:  GigabitEthernet1/0/3
          MAC Address:  0011.2233.4403
           IP Address:  Unknown
               Status:  Authz Success
----------------------------------------
            Interface:  GigabitEthernet1/0/4
          MAC Address:  0011.2233.4404
           IP Address:  10.5.0.4
               Status:  Authz Success
----------------------------------------
            Interface:  GigabitEthernet1/0/6
          MAC Address:  0011.2233.4406
           IP Address:  Unknown
               Status:  Authz Success
SW5#show ip arp
Protocol  Address          Age (min)  Hardware Addr   Type   Interface
Internet  10.5.0.1                4   0011.2233.4401  ARPA   Vlan10
Internet  10.5.0.2               12   0011.2233.4402  ARPA   Vlan10
Internet  10.5.0.40               1   0011.2233.4404  ARPA   Vlan10
Internet  10.5.0.61               1   0011.2233.4406  ARPA   Vlan10
Internet  10.5.0.62               1   0011.2233.4406  ARPA   Vlan10
SW5#show device-tracking database
Binding Table has 4 entries, 4 dynamic (limit 200000)

    Network Layer Address                    Link Layer Address     Interface  vlan       prlvl      age        state      Time left
DH4 10.5.0.22                                0011.2233.4402         Gi1/0/2    10         0025       5s         REACHABLE  300 s
ARP 10.5.0.23                                0011.2233.4402         Gi1/0/9    10         0005       5s         REACHABLE  300 s
ND  FE80::211:22FF:FE33:4403                 0011.2233.4403         Gi1/0/3    10         0005       5s         REACHABLE  300 s
ND  2001:DB8:5::3                            0011.2233.4403         Gi1/0/3    10         0005       5s         REACHABLE  300 s
ND  2001:DB8:5::33                           0011.2233.4403         Gi1/0/3    10         0005       5s         STALE      300 s
`

func TestInventoryFillsAddresses(t *testing.T) {
	snap, ws := snapshotOf(t, "sw5.log", fillTranscript)
	want := []string{
		// From ARP: nothing better.
		"SW5 GigabitEthernet1/0/1 00:11:22:33:44:01 10.5.0.1 [] from arp/ dacl= dacl6= redirect=/false line 2",
		// Device tracking on the session's port beats ARP and device tracking elsewhere.
		"SW5 GigabitEthernet1/0/2 00:11:22:33:44:02 10.5.0.22 [] from device-tracking/ dacl= dacl6= redirect=/false line 7",
		// IPv6 from device tracking (link-local skipped), no IPv4 anywhere.
		"SW5 GigabitEthernet1/0/3 00:11:22:33:44:03 - [2001:db8:5::3 2001:db8:5::33] from /device-tracking dacl= dacl6= redirect=/false line 12",
		// The session's own address is kept.
		"SW5 GigabitEthernet1/0/4 00:11:22:33:44:04 10.5.0.4 [] dacl= dacl6= redirect=/false line 17",
		// Two ARP entries for one MAC: the first, with a warning.
		"SW5 GigabitEthernet1/0/6 00:11:22:33:44:06 10.5.0.61 [] from arp/ dacl= dacl6= redirect=/false line 22",
	}
	if got := allSessions(snap); !reflect.DeepEqual(got, want) {
		t.Errorf("sessions:\n%s", strings.Join(got, "\n"))
	}
	wantWarnings := []string{"sw5.log:31: switch SW5: MAC 00:11:22:33:44:06 of the session on GigabitEthernet1/0/6 is bound to 10.5.0.61, 10.5.0.62; 10.5.0.61 is used"}
	if !reflect.DeepEqual(ws, wantWarnings) {
		t.Errorf("warnings %q", ws)
	}
	if got, key := snap.Lookup(netip.MustParseAddr("2001:db8:5::33"), ""); len(got) != 1 || key != MatchIPv6 || got[0].Interface != "GigabitEthernet1/0/3" {
		t.Errorf("IPv6 from device tracking not indexed: %v %q", got, key)
	}
}

func TestInventoryLegacyIPDeviceTracking(t *testing.T) {
	text := "SW6#show authentication sessions interface Fa0/1\n" +
		"            Interface:  FastEthernet0/1\n          MAC Address:  5882.a899.5c81\n           IP Address:  Unknown\n               Status:  Authz Success\n" +
		"SW6#show ip device tracking all\n" +
		"IP Device Tracking = Enabled\nIP Device Tracking Probe Count = 3\n" +
		"---------------------------------------------------------------------\n" +
		"  IP Address     MAC Address   Vlan  Interface                STATE\n" +
		"---------------------------------------------------------------------\n" +
		"10.80.0.12       5882.a899.5c81  80  FastEthernet0/1          ACTIVE\n" +
		"\nTotal number interfaces enabled: 1\nEnabled interfaces:\n  Fa0/1\n"
	snap, ws := snapshotOf(t, "sw6.log", text)
	want := []string{"SW6 FastEthernet0/1 58:82:a8:99:5c:81 10.80.0.12 [] from device-tracking/ dacl= dacl6= redirect=/false line 2"}
	if got := allSessions(snap); !reflect.DeepEqual(got, want) || len(ws) != 0 {
		t.Errorf("sessions:\n%s\nwarnings %q", strings.Join(got, "\n"), ws)
	}
}

func TestTranscriptsLayouts(t *testing.T) {
	details := "Interface: GigabitEthernet1/0/9\nMAC Address: 0011.2233.4409\nIPv4 Address: 10.9.0.9\nStatus: Authorized\nCommon Session ID: 0A0000000000000000000009\n" +
		"Server Policies:\n  ACS ACL: xACSACLx-IP-COMPLIANT-5f152814\n"
	acls := "Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)\n    1 deny tcp any host 10.0.0.11 eq 8449\n    2 permit ip any any\n"
	tests := []struct {
		name     string
		files    []string
		sessions []string
		acls     []string
		warnings []string
	}{
		{
			name:     "bare outputs: the file names the switch",
			files:    []string{"/tmp/x/edge-7.txt", details, "/tmp/x/edge-7.acl", acls},
			sessions: []string{"edge-7 GigabitEthernet1/0/9 00:11:22:33:44:09 10.9.0.9 [] dacl=xACSACLx-IP-COMPLIANT-5f152814 dacl6= redirect=/false line 1"},
			acls:     []string{"edge-7 ipv4 xACSACLx-IP-COMPLIANT-5f152814 per-user=true entries=2"},
		},
		{
			name: "two switches in one file, one switch in two files",
			files: []string{"a.log", "SWA#show access-session interface Gi1/0/9 details\n" + details + "SWA#ssh -l admin 10.0.0.2\nPassword:\nSWB#show ip access-lists\n" + acls,
				"b.log", "SWB#show access-session int Gi1/0/9 det\n" + details},
			sessions: []string{
				"SWA GigabitEthernet1/0/9 00:11:22:33:44:09 10.9.0.9 [] dacl=xACSACLx-IP-COMPLIANT-5f152814 dacl6= redirect=/false line 2",
				"SWB GigabitEthernet1/0/9 00:11:22:33:44:09 10.9.0.9 [] dacl=xACSACLx-IP-COMPLIANT-5f152814 dacl6= redirect=/false line 2",
			},
			acls: []string{"SWB ipv4 xACSACLx-IP-COMPLIANT-5f152814 per-user=true entries=2"},
			// "ssh" output ("Password:") is not something syncwatch reads.
			warnings: []string{`a.log:9: output of "ssh -l admin 10.0.0.2" not parsed: not a command syncwatch reads`},
		},
		{
			name: "a session shown twice keeps its last form",
			files: []string{"c.log", "SW#show access-session int Gi1/0/9 details\n" + details +
				"SW#show access-session int Gi1/0/9 details\n" + strings.Replace(details, "xACSACLx-IP-COMPLIANT-5f152814", "xACSACLx-IP-COMPLIANT-6a1c0e22", 1)},
			sessions: []string{"SW GigabitEthernet1/0/9 00:11:22:33:44:09 10.9.0.9 [] dacl=xACSACLx-IP-COMPLIANT-6a1c0e22 dacl6= redirect=/false line 10"},
		},
		{
			name: "sessions only in a summary",
			files: []string{"d.log", "SW#show access-session\nInterface                MAC Address    Method  Domain  Status Fg  Session ID\n" +
				"--------------------------------------------------------------------------------------------\n" +
				"Gi1/0/9                  0011.2233.4409 dot1x   DATA    Auth        0A0000000000000000000009\n" +
				"Gi1/0/10                 0011.2233.4410 mab     VOICE   Auth        0A0000000000000000000010\n" +
				"\nSession count = 2\n" +
				"SW#show access-session int Gi1/0/9 details\n" + details},
			sessions: []string{
				"SW GigabitEthernet1/0/9 00:11:22:33:44:09 10.9.0.9 [] dacl=xACSACLx-IP-COMPLIANT-5f152814 dacl6= redirect=/false line 9",
				"SW GigabitEthernet1/0/10 00:11:22:33:44:10 - [] dacl= dacl6= redirect=/false line 5",
			},
			warnings: []string{"d.log: switch SW: 1 session appears only in a session summary, so their dACL and redirect are unknown and the audit skips them: add the output of `show access-session details` (or `show authentication sessions details`)"},
		},
		{
			name: "an ACL listed again with other entries: the last listing counts",
			files: []string{"e.log", "SW#show ip access-lists\n" + acls + "SW#show ip access-lists xACSACLx-IP-COMPLIANT-5f152814\n" +
				"Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)\n    1 permit ip any any\n" +
				"SW#show ip access-lists\n" + "Extended IP access list xACSACLx-IP-COMPLIANT-5f152814 (per-user)\n    1 permit ip any any (4 matches)\n"},
			acls:     []string{"SW ipv4 xACSACLx-IP-COMPLIANT-5f152814 per-user=true entries=1"},
			warnings: []string{"e.log:6: access list xACSACLx-IP-COMPLIANT-5f152814 listed again with other entries (first at e.log:2): the last listing is judged"},
		},
		{
			name:     "not a transcript",
			files:    []string{"notes.txt", "call ISE team about psn3\n"},
			warnings: []string{"notes.txt:1: output not parsed: not a command syncwatch reads"},
		},
		{
			name:     "binary",
			files:    []string{"span.pcap", "\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00"},
			warnings: []string{"span.pcap: binary file, not a transcript: skipped"},
		},
		{
			name:     "only terminal commands",
			files:    []string{"f.log", "SW#terminal length 0\nSW#exit\n"},
			warnings: []string{"f.log: no switch output syncwatch reads (sessions, access lists, ARP, device tracking, show version)"},
		},
		{
			name:     "an entry the evaluator cannot read is kept and warned about",
			files:    []string{"g.log", "SW#show ip access-lists\nExtended IP access list X\n    10 permit tcp any any eq\n"},
			acls:     []string{"SW ipv4 X per-user=false entries=1"},
			warnings: []string{`g.log:3: access list X: entry "permit tcp any any eq" cannot be judged: access list X: missing port after eq at the end`},
		},
		// An empty or blank file (a terminal log that failed, a zero-byte
		// copy) was read without a word: an audit of it passed --fail-on.
		{
			// An unknown word in a switch's listing made the entry
			// unevaluable without a warning: only an audit that reached
			// it said so, and an ACL no session uses said nothing.
			name:     "a word the evaluator does not know is warned about with its line",
			files:    []string{"j.log", "SW#show ip access-lists\nExtended IP access list B\n    10 deny ip any host 10.0.0.12\n    20 permit tcp any any eq 8449 blah\n    30 permit tcp any object-group G eq 8449 frob 2\n    40 permit tcp any object-group G eq 443\n"},
			acls:     []string{"SW ipv4 B per-user=false entries=4"},
			warnings: []string{`j.log:4: access list B: entry "permit tcp any any eq 8449 blah" cannot be judged: blah after the destination port is neither a port name nor a keyword this package knows`, `j.log:5: access list B: entry "permit tcp any object-group G eq 8449 frob 2" cannot be judged: frob after the destination port is neither a port name nor a keyword this package knows`},
		},
		{
			// The parser's warning and the evaluator's said the same
			// about one line.
			name:     "a line in a listing that is not an entry: one warning",
			files:    []string{"k.log", "SW#show ip access-lists\nExtended IP access list A\n    10 permit ip any any\n    this is garbage\n"},
			acls:     []string{"SW ipv4 A per-user=false entries=2"},
			warnings: []string{`k.log:4: access list: entry "this is garbage" does not start with permit, deny or remark`},
		},
		{
			// Telnet sends CR as CR NUL, and a log of the session keeps it.
			name:  "a telnet log's CR NUL",
			files: []string{"t.log", strings.ReplaceAll("SW#show ip access-lists\n"+acls, "\n", "\r\x00\n")},
			acls:  []string{"SW ipv4 xACSACLx-IP-COMPLIANT-5f152814 per-user=true entries=2"},
		},
		{name: "empty", files: []string{"h.log", ""}, warnings: []string{"h.log: empty file: no switch output read"}},
		{name: "blank", files: []string{"i.log", "\r\n \n\t\n"}, warnings: []string{"i.log: empty file: no switch output read"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, ws := snapshotOf(t, tc.files...)
			if got := allSessions(snap); !reflect.DeepEqual(got, tc.sessions) {
				t.Errorf("sessions:\n%s", strings.Join(got, "\n"))
			}
			if got := aclNames(snap); !reflect.DeepEqual(got, tc.acls) {
				t.Errorf("ACLs:\n%s", strings.Join(got, "\n"))
			}
			if !reflect.DeepEqual(ws, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", ws, tc.warnings)
			}
		})
	}
}

func TestTranscriptsReadPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sw1, err := os.ReadFile(filepath.Join(exampleSwitches, "access-sw1.log"))
	if err != nil {
		t.Fatal(err)
	}
	write("site-a/access-sw1.log", string(sw1))
	write("site-a/README", "transcripts of site A, saved 2026-03-02\n")
	write("site-a/.hidden.log", "SWX#show ip arp\n")
	write("site-a/README.md", "# Site A\n\nSaved by the night shift.\n")
	write(".git/config", "[core]\n")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}

	var tr Transcripts
	if err := tr.ReadPath(dir); err != nil {
		t.Fatal(err)
	}
	if err := tr.ReadPath(empty); err != nil {
		t.Fatal(err)
	}
	snap, ws := tr.Snapshot()
	want := []string{
		filepath.Join(dir, "site-a/README") + ":1: output not parsed: not a command syncwatch reads",
		empty + ": folder holds no transcript file",
	}
	if got := warningTexts(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings %q", got)
	}
	if len(snap.Switches()) != 1 || snap.Switches()[0].Name != "access-sw1" || len(snap.Switches()[0].Sessions) != 4 {
		t.Errorf("switches %+v", snap.Switches())
	}

	missing := filepath.Join(dir, "nope.log")
	if err := tr.ReadPath(missing); err == nil || err.Error() != "transcript: stat "+missing+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	if os.Geteuid() != 0 {
		locked := write("locked.log", "SW#show ip arp\n")
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		if err := tr.ReadPath(locked); err == nil || err.Error() != "transcript: open "+locked+": permission denied" {
			t.Errorf("unreadable file: %v", err)
		}
	}
}

func TestDACLFromText(t *testing.T) {
	type acl1 struct {
		family  string
		entries []string // seq line action text
	}
	tests := []struct {
		name     string
		text     string
		want     []acl1
		warnings []string
	}{
		{
			name: "IPv4 as ISE stores it",
			text: "remark block state sync on every PSN\n\ndeny tcp any host 10.0.0.11 eq 8449\r\ndeny tcp any host 10.0.0.12 eq 8449\n  permit ip any any  \n",
			want: []acl1{{"ipv4", []string{"1 1 remark remark block state sync on every PSN", "2 3 deny deny tcp any host 10.0.0.11 eq 8449",
				"3 4 deny deny tcp any host 10.0.0.12 eq 8449", "4 5 permit permit ip any any"}}},
		},
		{
			name: "IPv6",
			text: "deny tcp any host 2001:db8::11 eq 8449\npermit ipv6 any any\n",
			want: []acl1{{"ipv6", []string{"1 1 deny deny tcp any host 2001:db8::11 eq 8449", "2 2 permit permit ipv6 any any"}}},
		},
		{
			name: "IP agnostic: split by family, shared entries in both",
			text: "deny tcp any host 10.0.0.11 eq 8449\ndeny tcp any host 2001:db8::11 eq 8449\npermit tcp any any eq 443\npermit ip any any\npermit ipv6 any any\n",
			want: []acl1{
				{"ipv4", []string{"1 1 deny deny tcp any host 10.0.0.11 eq 8449", "2 3 permit permit tcp any any eq 443", "3 4 permit permit ip any any"}},
				{"ipv6", []string{"1 2 deny deny tcp any host 2001:db8::11 eq 8449", "2 3 permit permit tcp any any eq 443", "3 5 permit permit ipv6 any any"}},
			},
		},
		{
			name: "neutral entries only: judged as both",
			text: "deny tcp any any eq 8449\npermit tcp any any\n",
			want: []acl1{
				{"ipv4", []string{"1 1 deny deny tcp any any eq 8449", "2 2 permit permit tcp any any"}},
				{"ipv6", []string{"1 1 deny deny tcp any any eq 8449", "2 2 permit permit tcp any any"}},
			},
		},
		{
			name: "RADIUS AV-pairs name the family",
			text: "ip:inacl#1=deny tcp any any eq 8449\nip:inacl#2=permit ip any any\n",
			want: []acl1{{"ipv4", []string{"1 1 deny deny tcp any any eq 8449", "2 2 permit permit ip any any"}}},
		},
		{
			// Copied from ISE's RADIUS live log, the dACL download shows
			// each entry as "cisco-av-pair=ip:inacl#N=...": it was
			// unevaluable.
			name: "AV-pairs as the RADIUS live log shows them",
			text: "cisco-av-pair=ip:inacl#1=deny tcp any host 10.0.0.11 eq 8449\nCisco-AV-Pair = ip:inacl#2=permit ip any any\n",
			want: []acl1{{"ipv4", []string{"1 1 deny deny tcp any host 10.0.0.11 eq 8449", "2 2 permit permit ip any any"}}},
		},
		{
			name:     "cisco-av-pair without an inacl entry is not an entry",
			text:     "cisco-av-pair=url-redirect-acl=REDIRECT\n",
			want:     []acl1{{"ipv4", []string{"1 1 unparsed cisco-av-pair=url-redirect-acl=REDIRECT"}}, {"ipv6", []string{"1 1 unparsed cisco-av-pair=url-redirect-acl=REDIRECT"}}},
			warnings: []string{`x.acl:1: dACL X: entry "cisco-av-pair=url-redirect-acl=REDIRECT" cannot be judged: access list X: entry starts with "cisco-av-pair=url-redirect-acl=REDIRECT", not permit, deny or remark`},
		},
		{
			name:     "an entry no family accepts stays in, unevaluable",
			text:     "deny tcp any host 10.0.0.11 eq 8449\npermit tcp any object-group PSNS eq 8449 bogus\npermit ip any any\n",
			want:     []acl1{{"ipv4", []string{"1 1 deny deny tcp any host 10.0.0.11 eq 8449", "2 2 permit permit tcp any object-group PSNS eq 8449 bogus", "3 3 permit permit ip any any"}}},
			warnings: []string{`x.acl:2: dACL X: entry "permit tcp any object-group PSNS eq 8449 bogus" cannot be judged: network object-group PSNS is not resolved (its members are not in the access list output); bogus after the destination port is neither a port name nor a keyword this package knows`},
		},
		{
			// Notepad's UTF-8 with a byte order mark: the first entry was
			// "\ufeffdeny ..." and unevaluable.
			name: "a byte order mark and Windows line ends",
			text: "\ufeffdeny tcp any host 10.0.0.11 eq 8449\r\npermit ip any any\r\n",
			want: []acl1{{"ipv4", []string{"1 1 deny deny tcp any host 10.0.0.11 eq 8449", "2 2 permit permit ip any any"}}},
		},
		{
			// A listing copied from the switch: its header was an
			// unparsable entry, unevaluable before every PSN.
			name: "a switch's listing pasted whole",
			text: "IPv6 access list xACSACLx-IPV6-EMP-64a351c6 (per-user)\n    deny tcp any host 2001:DB8::11 eq 8449 sequence 10\n    permit ipv6 any any (5120 matches) sequence 20\n",
			want: []acl1{{"ipv6", []string{"1 2 deny deny tcp any host 2001:DB8::11 eq 8449 sequence 10", "2 3 permit permit ipv6 any any (5120 matches) sequence 20"}}},
		},
		{
			name:     "two listings pasted: judged as one, with a warning",
			text:     "Extended IP access list A\n    10 deny tcp any host 10.0.0.11 eq 8449\nExtended IP access list B\n    10 permit ip any any\n",
			want:     []acl1{{"ipv4", []string{"1 2 deny 10 deny tcp any host 10.0.0.11 eq 8449", "2 4 permit 10 permit ip any any"}}},
			warnings: []string{"x.acl:3: dACL X: a second access list starts here: the text is judged as one list"},
		},
		{name: "empty", text: "\n \n", warnings: []string{"x.acl: dACL X has no entries"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acls, ws := DACLFromText("x.acl", "X", tc.text)
			var got []acl1
			for _, a := range acls {
				g := acl1{family: a.Family.String()}
				for i, e := range a.Compiled.Entries {
					g.entries = append(g.entries, fmt.Sprintf("%d %d %s %s", e.Seq, e.LineNo, e.Action, a.Printed[i]))
				}
				if a.Name != "X" || !a.PerUser || a.File != "x.acl" {
					t.Errorf("ACL %+v", a)
				}
				got = append(got, g)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
			if gw := warningTexts(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings %q", gw)
			}
		})
	}
}

func TestInventoryJSON(t *testing.T) {
	snap, _ := readSnapshot(t, exampleSwitches)
	sw := snap.Switch("access-sw1")
	got, err := json.Marshal(sw.Sessions[2].JSON(DefaultPostureRules()))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"switch":"access-sw1","interface":"GigabitEthernet1/0/5","mac":"a4:bb:6d:10:22:05","ipv4":"10.1.10.25","ipv6":[],` +
		`"user":"host/pc-0025.corp.example.com","status":"Authorized","authorized":true,"domain":"DATA",` +
		`"methods":[{"method":"dot1x","state":"Authc Success"},{"method":"mab","state":"Stopped"}],"session_id":"0A0114020000001C2B3C4D05",` +
		`"dacl":"xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12","dacl_ipv6":null,"filter_id":null,"url_redirect_acl":"REDIRECT_POSTURE",` +
		`"url_redirect":"https://ise-psn1.corp.example.com:8443/portal/gateway?sessionId=0A0114020000001C2B3C4D05\u0026portal=27b1bc30-2e58-11e9-98fb-0050568775a3\u0026action=cpp\u0026token=5c7a2e0d1b8f",` +
		`"vlan":"10","posture":"unknown","posture_rule":"url-redirect"}`
	if string(got) != want {
		t.Errorf("session JSON:\n%s\nwant\n%s", got, want)
	}
	got, err = json.Marshal(sw.ACL("xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6", acl.IPv6).JSON())
	if err != nil {
		t.Fatal(err)
	}
	want = `{"switch":"access-sw1","name":"xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6","per_user":true,"family":"ipv6","entries":[` +
		`{"seq":10,"action":"deny","text":"deny tcp any host 2001:DB8::11 eq 8449","matches":0},` +
		`{"seq":20,"action":"deny","text":"deny tcp any host 2001:DB8::12 eq 8449","matches":0},` +
		`{"seq":30,"action":"permit","text":"permit ipv6 any any","matches":5120}]}`
	if string(got) != want {
		t.Errorf("ACL JSON:\n%s\nwant\n%s", got, want)
	}
	w, _ := json.Marshal([]Warning{{File: "a.log", Line: 3, Message: "m"}, {File: "b.log", Message: "n"}})
	if string(w) != `[{"file":"a.log","line":3,"message":"m"},{"file":"b.log","line":null,"message":"n"}]` {
		t.Errorf("warnings JSON %s", w)
	}
}

func TestInventorySetSwitch(t *testing.T) {
	inv := NewInventory()
	if n := len(inv.Snapshot().Switches()); n != 0 {
		t.Fatalf("new inventory has %d switches", n)
	}
	var tr Transcripts
	if err := tr.ReadPath(exampleSwitches); err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]SwitchOutput{}
	for _, o := range tr.Outputs() {
		outputs[o.Switch] = append(outputs[o.Switch], o)
	}
	sw1, _ := NewSwitchState("access-sw1", outputs["access-sw1"], inv.Snapshot())
	sw2, _ := NewSwitchState("access-sw2", outputs["access-sw2"], inv.Snapshot())
	inv.SetSwitch(sw2)
	inv.SetSwitch(sw1)
	before := inv.Snapshot()
	if names := []string{before.Switches()[0].Name, before.Switches()[1].Name}; !reflect.DeepEqual(names, []string{"access-sw1", "access-sw2"}) {
		t.Errorf("switches %q", names)
	}
	// A fresh read of the same switch reuses the compiled dACLs.
	again, _ := NewSwitchState("access-sw1", outputs["access-sw1"], before)
	name := "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"
	if again.ACL(name, acl.IPv4).Compiled != sw1.ACL(name, acl.IPv4).Compiled {
		t.Error("dACL compiled again")
	}
	if again.ACL("REDIRECT_POSTURE", acl.IPv4).Compiled == sw1.ACL("REDIRECT_POSTURE", acl.IPv4).Compiled {
		t.Error("a switch-local ACL was taken from the cache")
	}

	// Readers look up while the switch is replaced: each sees one whole
	// state, old or new.
	empty, _ := NewSwitchState("access-sw1", nil, nil)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				snap := inv.Snapshot()
				byIP := len(snap.LookupIP(netip.MustParseAddr("10.1.10.23")))
				byMAC := len(snap.LookupMAC("a4:bb:6d:10:22:03"))
				if byIP != byMAC || snap.NumSessions() != 1+4*byIP {
					t.Errorf("inconsistent snapshot: %d by IP, %d by MAC, %d sessions", byIP, byMAC, snap.NumSessions())
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if i%2 == 0 {
			inv.SetSwitch(empty)
		} else {
			inv.SetSwitch(again)
		}
	}
	close(stop)
	wg.Wait()
	if len(before.Switch("access-sw1").Sessions) != 4 {
		t.Error("an old snapshot changed")
	}
	if !inv.RemoveSwitch("access-sw2") || inv.RemoveSwitch("access-sw2") || inv.Snapshot().Switch("access-sw2") != nil {
		t.Error("RemoveSwitch")
	}
}

// TestTranscriptsReadPathLinks: a symbolic link in a folder ("latest.log"
// pointing at the day's transcript) was skipped without a word, so the
// switch was missing from the audit.
func TestTranscriptsReadPathLinks(t *testing.T) {
	dir := t.TempDir()
	saved := filepath.Join(dir, "saved")
	links := filepath.Join(dir, "links")
	for _, d := range []string{saved, links} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sw1, err := os.ReadFile(filepath.Join(exampleSwitches, "access-sw1.log"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(saved, "access-sw1-2026-03-02.log"), sw1, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"latest.log":  filepath.Join(saved, "access-sw1-2026-03-02.log"),
		"loop":        links,
		"gone.log":    filepath.Join(dir, "nowhere.log"),
		"devnull.log": os.DevNull,
	} {
		if err := os.Symlink(target, filepath.Join(links, name)); err != nil {
			t.Fatal(err)
		}
	}
	var tr Transcripts
	if err := tr.ReadPath(links); err != nil {
		t.Fatal(err)
	}
	snap, ws := tr.Snapshot()
	want := []string{
		filepath.Join(links, "devnull.log") + ": symbolic link to a device or pipe, not a file: skipped",
		filepath.Join(links, "gone.log") + ": symbolic link not read: stat " + filepath.Join(links, "gone.log") + ": no such file or directory",
		filepath.Join(links, "loop") + ": symbolic link to a folder not followed: give the folder itself",
	}
	if got := warningTexts(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
	if len(snap.Switches()) != 1 || snap.Switches()[0].Name != "access-sw1" || len(snap.Switches()[0].Sessions) != 4 {
		t.Errorf("switches %+v", snap.Switches())
	}
}

// TestTranscriptsConflict: two transcripts of one switch that disagree on
// a session: the one read last (in file name order) is judged, and a
// warning names both places.
func TestTranscriptsConflict(t *testing.T) {
	sw2, err := os.ReadFile(filepath.Join(exampleSwitches, "access-sw2.log"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	older := filepath.Join(dir, "b.log")
	newer := filepath.Join(dir, "z.log")
	changed := strings.Replace(string(sw2), "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814", "xACSACLx-IP-EMPLOYEE_COMPLIANT-00000000", 1)
	for p, text := range map[string]string{older: string(sw2), newer: changed, filepath.Join(dir, "same.log"): string(sw2)} {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var tr Transcripts
	if err := tr.ReadPath(dir); err != nil {
		t.Fatal(err)
	}
	snap, ws := tr.Snapshot()
	// same.log repeats b.log: no warning for it; z.log changes the dACL.
	want := []string{newer + ":4: session 0A0214020000002F1A2B3C12 shown again with another dACL (xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814, now xACSACLx-IP-EMPLOYEE_COMPLIANT-00000000) (first at " +
		filepath.Join(dir, "same.log") + ":4): the last one read is judged; a switch's transcripts are read in file name order, so remove the stale one"}
	if got := warningTexts(ws); !reflect.DeepEqual(got, want) {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
	sws := snap.Switches()
	if len(sws) != 1 || len(sws[0].Sessions) != 1 || sws[0].Sessions[0].DACL != "xACSACLx-IP-EMPLOYEE_COMPLIANT-00000000" {
		t.Errorf("switches %+v", sws)
	}
}
