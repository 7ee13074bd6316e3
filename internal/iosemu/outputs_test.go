package iosemu

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// TestGeneratedOutputsParse checks that what the emulator prints for each
// release is what the collector's parsers read, without a warning.
func TestGeneratedOutputsParse(t *testing.T) {
	for _, rel := range []Release{ReleaseIOSXE, ReleaseIOS15, ReleaseIOS12} {
		t.Run(string(rel), func(t *testing.T) {
			p := Campus("sw1", rel, 48)
			summaryCmd, detailsCmd, macCmd := "show authentication sessions", "show authentication sessions details", "show authentication sessions mac %s details"
			switch rel {
			case ReleaseIOSXE:
				summaryCmd, detailsCmd, macCmd = "show access-session", "show access-session details", "show access-session mac %s details"
			case ReleaseIOS12:
				detailsCmd, macCmd = "", "show authentication sessions mac %s"
			}
			out, ok := p.answer(summaryCmd)
			if !ok {
				t.Fatalf("%s unknown", summaryCmd)
			}
			rows, ws := ios.ParseSessionSummary(out)
			if len(ws) > 0 || len(rows) != 48 {
				t.Fatalf("summary: %d rows, warnings %v", len(rows), ws)
			}
			for i, r := range rows {
				s := p.Sessions[i]
				if r.MAC != mustMAC(t, s.MAC) || r.Interface != s.Interface || r.SessionID != s.SessionID || !r.Authorized {
					t.Errorf("row %d: %+v, session %+v", i, r, s)
				}
			}
			var details []ios.Session
			if detailsCmd != "" {
				out, ok := p.answer(detailsCmd)
				if !ok {
					t.Fatalf("%s unknown", detailsCmd)
				}
				details, ws = ios.ParseSessionDetails(out)
				if len(ws) > 0 {
					t.Fatalf("details warnings %v", ws)
				}
			} else if _, ok := p.answer("show authentication sessions details"); ok {
				t.Fatal("IOS 12 knows the details keyword")
			}
			for i, s := range p.Sessions {
				out, ok := p.answer(fmt.Sprintf(macCmd, dotted(s.MAC)))
				if !ok {
					t.Fatalf("per-MAC details unknown")
				}
				one, ws := ios.ParseSessionDetails(out)
				if len(ws) > 0 || len(one) != 1 {
					t.Fatalf("session %d: %d sessions, warnings %v", i, len(one), ws)
				}
				if detailsCmd != "" && !reflect.DeepEqual(stripLine(one[0]), stripLine(details[i])) {
					t.Errorf("session %d: per-MAC details differ from all details", i)
				}
				d := one[0]
				if d.MAC != mustMAC(t, s.MAC) || d.Interface != s.Interface || d.SessionID != s.SessionID || d.DACL != s.DACL ||
					d.URLRedirect != s.URLRedirect || d.URLRedirectACL != s.URLRedirectACL || d.IPv4.IsValid() != (s.IPv4 != "") {
					t.Errorf("session %d: parsed %+v from %+v", i, d, s)
				}
			}
			bindCmd := "show ip device tracking all"
			if rel == ReleaseIOSXE {
				bindCmd = "show device-tracking database"
			}
			out, ok = p.answer(bindCmd)
			if !ok {
				t.Fatalf("%s unknown", bindCmd)
			}
			res, ws := ios.Parse(bindCmd, out)
			if len(ws) > 0 || len(res.Addresses) != 4 {
				t.Errorf("bindings: %d addresses, warnings %v\n%s", len(res.Addresses), ws, out)
			}
			out, _ = p.answer("show ip arp")
			if arp, ws := ios.ParseARP(out); len(ws) > 0 || len(arp) != 4 {
				t.Errorf("arp: %d entries, warnings %v", len(arp), ws)
			}
			out, _ = p.answer("show version")
			v, ws := ios.ParseVersion(out)
			wantPlatform := ios.PlatformIOS
			if rel == ReleaseIOSXE {
				wantPlatform = ios.PlatformIOSXE
			}
			if len(ws) > 0 || v.Platform != wantPlatform || v.Hostname != "sw1" {
				t.Errorf("version %+v, warnings %v", v, ws)
			}
			for _, cmd := range []string{"show ip access-lists", "show ipv6 access-lists"} {
				out, _ := p.answer(cmd)
				if acls, ws := ios.ParseACLs(out); len(ws) > 0 || len(acls) == 0 {
					t.Errorf("%s: %d ACLs, warnings %v", cmd, len(acls), ws)
				}
			}
		})
	}
}

func mustMAC(t *testing.T, s string) string {
	t.Helper()
	m, ok := ios.NormalizeMAC(s)
	if !ok {
		t.Fatalf("bad MAC %q", s)
	}
	return m
}

func stripLine(s ios.Session) ios.Session {
	s.Line = 0
	return s
}

// TestAnswerByRelease checks which commands each release knows.
func TestAnswerByRelease(t *testing.T) {
	tests := []struct {
		cmd  string
		want map[Release]bool
	}{
		{"show access-session", map[Release]bool{ReleaseIOSXE: true}},
		{"show access-session details", map[Release]bool{ReleaseIOSXE: true}},
		{"show access-session mac 0200.0000.0001 details", map[Release]bool{ReleaseIOSXE: true}},
		{"show authentication sessions", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true, ReleaseIOS12: true}},
		{"show authentication sessions details", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true}},
		{"show authentication sessions mac 0200.0000.0001", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true, ReleaseIOS12: true}},
		{"show device-tracking database", map[Release]bool{ReleaseIOSXE: true}},
		{"show ip device tracking all", map[Release]bool{ReleaseIOS15: true, ReleaseIOS12: true}},
		{"show ip arp", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true, ReleaseIOS12: true}},
		{"SHOW   IP  ACCESS-LISTS", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true, ReleaseIOS12: true}},
		{"show ipv6 access-list", map[Release]bool{ReleaseIOSXE: true, ReleaseIOS15: true, ReleaseIOS12: true}},
		{"show running-config", map[Release]bool{}},
		{"show access-session mac nonsense details", map[Release]bool{}},
		{"show access-session interface Gi1/0/1 details", map[Release]bool{}},
	}
	for _, tc := range tests {
		for _, rel := range []Release{ReleaseIOSXE, ReleaseIOS15, ReleaseIOS12} {
			p := Campus("sw1", rel, 2)
			if _, ok := p.answer(tc.cmd); ok != tc.want[rel] {
				t.Errorf("%s on %s: known %v, want %v", tc.cmd, rel, ok, tc.want[rel])
			}
		}
	}
	p := Campus("sw1", ReleaseIOSXE, 2)
	if out, _ := p.answer("show access-session mac 0200.0000.ffff details"); out != "No sessions match supplied criteria.\n" {
		t.Errorf("unknown MAC: %q", out)
	}
	p.Outputs = map[string]string{"show clock": "12:00:00.000 UTC Thu Dec 3 2026\n"}
	if out, ok := p.answer("show  CLOCK"); !ok || !strings.HasPrefix(out, "12:00") {
		t.Errorf("configured output: %q %v", out, ok)
	}
}

// TestProfileFromTranscript serves the example switches' transcripts: every
// session's verbatim block comes back for its MAC.
func TestProfileFromTranscript(t *testing.T) {
	tests := []struct {
		file     string
		host     string
		release  Release
		sessions int
	}{
		{"../../examples/switches/access-sw1.log", "access-sw1", ReleaseIOSXE, 4},
		{"../../examples/switches/access-sw2.log", "access-sw2", ReleaseIOS15, 1},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ProfileFromTranscript(string(data))
			if err != nil {
				t.Fatal(err)
			}
			if p.Hostname != tc.host || p.Release != tc.release || len(p.Sessions) != tc.sessions {
				t.Fatalf("host %q release %q, %d sessions", p.Hostname, p.Release, len(p.Sessions))
			}
			for _, s := range p.Sessions {
				cmd := "show authentication sessions mac " + dotted(s.MAC) + " details"
				out, ok := p.answer(cmd)
				if !ok || !strings.Contains(out, s.SessionID) || !strings.Contains(string(data), strings.TrimRight(s.Text, "\n")) {
					t.Errorf("%s: %v\n%s", cmd, ok, out)
				}
			}
			if p.ACLs == "" || p.Version == "" && tc.release == ReleaseIOSXE {
				t.Error("ACLs or version missing")
			}
		})
	}
	if _, err := ProfileFromTranscript("no prompt here\n"); err == nil {
		t.Error("a transcript without prompt gave a profile")
	}
}
