package ios

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets: every parser reads untrusted text (a switch, a file an
// engineer saved). None may panic, and what they return must point inside
// the input. Each is seeded with the fixtures of its command and with
// hostile shapes; TestHostileInputs runs the big ones on every test run.

// seedFixtures adds the device outputs of the given fixture folders.
func seedFixtures(f *testing.F, dirs ...string) {
	f.Helper()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(fixtureDir, dir, "*"))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			if isCompanion(file) {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(string(b))
		}
	}
	for _, s := range hostileSeeds() {
		f.Add(s)
	}
}

// hostileSeeds are small inputs of the shapes that break line parsers.
func hostileSeeds() []string {
	return []string{
		"", "\n", "\r", "\r\n\r\n", ":", "::::", "*", "**", "*:*", "-----", "(", ")", "( matches)",
		"Interface:", "Interface: *", "MAC Address: ....", "IPv6 Address: ::", "Method status list:\nx",
		"Extended IP access list", "Extended IP access list (per-user)", "IPv6 access list x\n sequence",
		"10", "10 permit (1 match) sequence", "permit ip any any sequence 99999999999999999999",
		"Interface MAC Address Method\nGi1/0/1 0000.0000.0001", "Gi1/0/1 0000.0000.0001 a b c",
		"SW#", "#", ">", "SW(#", "SW)#", "\b\b\b--More--\r\r", "Session id=", "Vlan Group: Vlan:",
		"ARP 1.2.3.4 0000.0000.0001 Gi1 a ( ( ( (", "Protocol Hardware Addr\nInternet 1.1.1.1 - x",
		"\x00\xff\xfe", "\n\b", strings.Repeat("a", 300) + "#show",
	}
}

// lineCount is the number of lines of text as the parsers count them.
func lineCount(text string) int {
	n := strings.Count(text, "\n")
	if !strings.HasSuffix(text, "\n") {
		n++
	}
	return n
}

// checkWarnings asserts that warnings point inside the text and say what
// they are about.
func checkWarnings(t *testing.T, text string, ws []Warning) {
	t.Helper()
	n := lineCount(text)
	for _, w := range ws {
		if w.Line < 0 || w.Line > n || w.Message == "" || len(w.Message) > 400 {
			t.Fatalf("warning %q outside the %d lines or without a short message", w.String(), n)
		}
	}
}

// checkLine asserts that a record's line is inside the text.
func checkLine(t *testing.T, text string, line int) {
	t.Helper()
	if line < 1 || line > lineCount(text) {
		t.Fatalf("record line %d outside the %d lines", line, lineCount(text))
	}
}

// checkMAC asserts that a MAC is empty or in the normalized form.
func checkMAC(t *testing.T, mac string) {
	t.Helper()
	if mac == "" {
		return
	}
	if n, ok := NormalizeMAC(mac); !ok || n != mac || len(mac) != 17 {
		t.Fatalf("MAC %q not normalized", mac)
	}
}

func FuzzParseSessionDetails(f *testing.F) {
	seedFixtures(f, "show_authentication_sessions_details", "show_access-session_details", "show_authentication_sessions_session-id")
	f.Fuzz(func(t *testing.T, text string) {
		sessions, ws := ParseSessionDetails(text)
		checkWarnings(t, text, ws)
		for _, s := range sessions {
			checkLine(t, text, s.Line)
			checkMAC(t, s.MAC)
			if s.IPv4.IsValid() && !s.IPv4.Is4() {
				t.Fatalf("IPv4 %v", s.IPv4)
			}
			if len(s.Methods) > maxMethods {
				t.Fatalf("%d methods", len(s.Methods))
			}
		}
	})
}

func FuzzParseSessionSummary(f *testing.F) {
	seedFixtures(f, "show_authentication_sessions", "show_access-session")
	f.Fuzz(func(t *testing.T, text string) {
		rows, ws := ParseSessionSummary(text)
		checkWarnings(t, text, ws)
		for _, r := range rows {
			checkLine(t, text, r.Line)
			checkMAC(t, r.MAC)
		}
	})
}

func FuzzParseACLs(f *testing.F) {
	seedFixtures(f, "show_access-lists", "show_ip_access-lists", "show_ipv6_access-lists")
	f.Fuzz(func(t *testing.T, text string) {
		acls, ws := ParseACLs(text)
		checkWarnings(t, text, ws)
		for _, a := range acls {
			checkLine(t, text, a.Line)
			for _, e := range a.Entries {
				checkLine(t, text, e.Line)
				if e.Text != collapse(e.Text) || e.Seq < 0 || e.Matches < 0 {
					t.Fatalf("entry %+v not normalized", e)
				}
			}
		}
	})
}

func FuzzParseARP(f *testing.F) {
	seedFixtures(f, "show_ip_arp")
	f.Fuzz(func(t *testing.T, text string) {
		entries, ws := ParseARP(text)
		checkWarnings(t, text, ws)
		for _, e := range entries {
			checkLine(t, text, e.Line)
			checkMAC(t, e.MAC)
		}
	})
}

func FuzzParseDeviceTracking(f *testing.F) {
	seedFixtures(f, "show_device-tracking_database")
	f.Fuzz(func(t *testing.T, text string) {
		entries, ws := ParseDeviceTracking(text)
		checkWarnings(t, text, ws)
		for _, e := range entries {
			checkLine(t, text, e.Line)
			checkMAC(t, e.MAC)
			if !e.IP.IsValid() {
				t.Fatalf("entry without address %+v", e)
			}
		}
	})
}

func FuzzParseIPDeviceTracking(f *testing.F) {
	seedFixtures(f, "show_ip_device_tracking_all")
	f.Fuzz(func(t *testing.T, text string) {
		entries, ws := ParseIPDeviceTracking(text)
		checkWarnings(t, text, ws)
		for _, e := range entries {
			checkLine(t, text, e.Line)
			checkMAC(t, e.MAC)
		}
	})
}

func FuzzParseMACTable(f *testing.F) {
	seedFixtures(f, "show_mac_address-table")
	f.Fuzz(func(t *testing.T, text string) {
		entries, ws := ParseMACTable(text)
		checkWarnings(t, text, ws)
		for _, e := range entries {
			checkLine(t, text, e.Line)
			checkMAC(t, e.MAC)
		}
	})
}

func FuzzParseVersion(f *testing.F) {
	seedFixtures(f, "show_version")
	f.Fuzz(func(t *testing.T, text string) {
		v, ws := ParseVersion(text)
		checkWarnings(t, text, ws)
		if v.Line != 0 {
			checkLine(t, text, v.Line)
		}
	})
}

func FuzzParseTranscript(f *testing.F) {
	f.Add(transcript)
	seedFixtures(f, "show_authentication_sessions_details", "show_access-lists", "show_ip_arp")
	f.Fuzz(func(t *testing.T, text string) {
		parsed, ws := ParseTranscript(text)
		// Cleaning keeps every line where it was: it may only lose a last
		// line that it emptied ("\b" alone).
		clean := cleanTerminal(text)
		if n, m := lineCount(text), lineCount(clean); m != n && (m != n-1 || !strings.HasSuffix(clean, "\n")) {
			t.Fatalf("cleaning changed the line count: %d -> %d", n, m)
		}
		checkWarnings(t, text, ws)
		for _, p := range parsed {
			checkLine(t, text, p.Command.Line)
			for _, s := range p.Result.Sessions {
				checkLine(t, text, s.Line)
			}
			for _, a := range p.Result.ACLs {
				checkLine(t, text, a.Line)
				for _, e := range a.Entries {
					checkLine(t, text, e.Line)
				}
			}
			for _, r := range p.Result.Summary {
				checkLine(t, text, r.Line)
			}
			for _, e := range p.Result.Addresses {
				checkLine(t, text, e.Line)
			}
		}
	})
}

// TestHostileInputs feeds every parser the large inputs that expose
// quadratic behaviour or unbounded output: a parser quadratic in the line
// length or the line count would spend minutes here instead of well under
// a second. It also keeps their warnings bounded.
func TestHostileInputs(t *testing.T) {
	const size = 256 << 10 // bytes
	const count = 25000    // lines
	inputs := map[string]string{
		"long line":             strings.Repeat("x", size),
		"colons":                strings.Repeat(":", size),
		"spaces":                strings.Repeat(" ", size),
		"parentheses":           strings.Repeat("(", size/2) + strings.Repeat(")", size/2),
		"backspaces":            "SW#show version\n" + strings.Repeat("\b", size),
		"carriage returns":      strings.Repeat("a\r", size/2),
		"empty lines":           strings.Repeat("\n", count),
		"dashed lines":          strings.Repeat("----------\n", count),
		"prompts":               strings.Repeat("SW#show access-session details\n", count),
		"method rows":           "Interface: Gi1/0/1\nMethod status list:\n" + strings.Repeat("m1 Authc Success\nm2 x\n", count/2),
		"distinct methods":      "Interface: Gi1/0/1\nMethod status list:\n" + distinctRows(count),
		"sessions":              strings.Repeat("Interface: Gi1/0/1\n", count),
		"IPv6 continuation":     "Interface: Gi1/0/1\nIPv6 Address: ::1\n" + strings.Repeat("   2001:db8::1\n", count),
		"one ACL, many entries": "Extended IP access list A\n" + strings.Repeat(" 10 permit ip any any (1 match)\n", count),
		"ACL headers":           strings.Repeat("Extended IP access list A (per-user)\n", count),
		"long ACE":              "IPv6 access list A\n permit " + strings.Repeat("tcp ", size/4) + "sequence 10\n",
		"long summary row":      "Gi1/0/1 0000.0000.0001 " + strings.Repeat("a ", size/2),
		"long prompt":           strings.Repeat("a", size) + "#show version\n",
	}
	parsers := map[string]func(string) int{
		"details":    func(s string) int { _, w := ParseSessionDetails(s); return len(w) },
		"summary":    func(s string) int { _, w := ParseSessionSummary(s); return len(w) },
		"acls":       func(s string) int { _, w := ParseACLs(s); return len(w) },
		"arp":        func(s string) int { _, w := ParseARP(s); return len(w) },
		"tracking":   func(s string) int { _, w := ParseDeviceTracking(s); return len(w) },
		"ipdt":       func(s string) int { _, w := ParseIPDeviceTracking(s); return len(w) },
		"mac":        func(s string) int { _, w := ParseMACTable(s); return len(w) },
		"version":    func(s string) int { _, w := ParseVersion(s); return len(w) },
		"transcript": func(s string) int { _, w := ParseTranscript(s); return len(w) },
	}
	for name, text := range inputs {
		for pname, parse := range parsers {
			if n := parse(text); n > 100*(maxWarnings+1) {
				t.Errorf("%s on %s: %d warnings", pname, name, n)
			}
		}
	}
}

// distinctRows is n method rows with distinct method names.
func distinctRows(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("m")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(strconv.Itoa(i))
		b.WriteString(" Stopped\n")
	}
	return b.String()
}
