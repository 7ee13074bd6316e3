package ios

import (
	"reflect"
	"strings"
	"testing"
)

func TestDetectCommand(t *testing.T) {
	tests := []struct {
		command string
		want    Kind
	}{
		{"show authentication sessions", KindSessionSummary},
		{"sh auth sess int Gi1/0/3 det", KindSessionDetails},
		{"show authentication sessions interface GigabitEthernet1/0/3 details", KindSessionDetails},
		{"show authentication sessions mac 0011.2233.4455 detail", KindSessionDetails},
		{"show authentication sessions session-id 0A0000010000000100000001 details", KindSessionDetails},
		{"show access-session", KindSessionSummary},
		{"show access-session brief", KindSessionSummary},
		{"show access-session info", KindSessionSummary},
		{"show access-session mac 000c.29b4.4159 details R0", KindSessionDetails},
		{"show access-session interface Gi1/0/1 details | include ACS", KindSessionDetails},
		{"show access-session | include Gi1/0/1", KindSessionSummary},
		{"show ip access-lists", KindACLs},
		{"show ip access-list xACSACLx-IP-COMPLIANT-5f152814", KindACLs},
		{"sh ip acc", KindACLs},
		{"show access-lists", KindACLs},
		{"show access-list 101", KindACLs},
		{"show ipv6 access-list", KindACLs},
		{"show ipv6 access-lists OutFilter", KindACLs},
		{"show ip arp", KindARP},
		{"show ip arp vrf green", KindARP},
		{"show arp", KindARP},
		{"show device-tracking database details", KindDeviceTracking},
		{"show ip device tracking all", KindIPDeviceTracking},
		{"show mac address-table", KindMACTable},
		{"show mac-address-table", KindMACTable},
		{"show version", KindVersion},
		{"sh ver", KindVersion},
		{"show running-config", KindUnknown},
		{"terminal length 0", KindUnknown},
		{"show", KindUnknown},
		{"", KindUnknown},
	}
	for _, tc := range tests {
		if got := detectCommand(tc.command); got != tc.want {
			t.Errorf("detectCommand(%q) = %q, want %q", tc.command, got, tc.want)
		}
	}
}

func TestDetectByOutput(t *testing.T) {
	// Classic IOS prints details for "interface X" without "details"; the
	// session-id form without "details" prints a table.
	details := "            Interface:  GigabitEthernet2/0/47\n          MAC Address:  0005.5eff.5781\n"
	table := "Interface    MAC Address    Method  Domain  Status Fg Session ID\nGi1/0/1 0011.2233.4455 dot1x DATA Auth 0A01\n"
	tests := []struct {
		command, output string
		want            Kind
	}{
		{"show authentication sessions interface Gi2/0/47", details, KindSessionDetails},
		{"show authentication sessions session-id 0A01 details", table, KindSessionSummary},
		{"show authentication sessions", "", KindSessionSummary},
		{"show authentication sessions interface Gi1/0/1 details", "", KindSessionDetails},
		{"", details, KindSessionDetails},
		{"", table, KindSessionSummary},
		{"", "Standard IP access list 1\n permit any\n", KindACLs},
		{"", "Protocol  Address   Age (min)  Hardware Addr   Type   Interface\n", KindARP},
		{"", "    Network Layer Address    Link Layer Address Interface  vlan\n", KindDeviceTracking},
		{"", "Global IP Device Tracking for clients = Enabled\n", KindIPDeviceTracking},
		{"", "          Mac Address Table\n", KindMACTable},
		{"", "Cisco IOS XE Software, Version 17.09.04a\n", KindVersion},
		{"", "IP access list NX\n 10 permit ip any any\n", KindACLs},
		{"", "hello world\n", KindUnknown},
		{"show clock", "*10:00:05.123 UTC Mon Jan 1 2024\n", KindUnknown},
	}
	for _, tc := range tests {
		if got := Detect(tc.command, tc.output); got != tc.want {
			t.Errorf("Detect(%q, %q) = %q, want %q", tc.command, tc.output, got, tc.want)
		}
	}
}

func TestParseUnsupported(t *testing.T) {
	r, ws := Parse("show dot1x all", "Cisco Nexus Operating System (NX-OS) Software\nsomething\n")
	if r.Kind != KindVersion || r.Version.Platform != PlatformNXOS || len(ws) != 1 {
		t.Errorf("%+v %q", r, warningStrings(ws))
	}
	r, ws = Parse("show running-config", "hostname SW1\n")
	if r.Kind != KindUnknown || len(ws) != 1 || ws[0].String() != `output of "show running-config" not parsed: not a command syncwatch reads` {
		t.Errorf("%+v %q", r, warningStrings(ws))
	}
	// ArubaOS-CX's client details share IOS's session keys: after its
	// command they are not sessions; a bare output of them still is.
	aruba := " Client Base Details :\n  Port                   : 1/1/1\n  IPv4 Address           : 10.1.1.50\n  MAC Address            : aa:bb:cc:dd:ee:ff\n  Downloadable ACL       : EMPLOYEE_COMPLIANT\n"
	r, ws = Parse("show port-access clients detailed", aruba)
	if r.Kind != KindUnknown || len(ws) != 1 || ws[0].String() != `output of "show port-access clients detailed" not parsed: not a command syncwatch reads` {
		t.Errorf("%+v %q", r, warningStrings(ws))
	}
	if k := Detect("", aruba); k != KindSessionDetails {
		t.Errorf("bare output: %s", k)
	}
	if _, ws := Parse("terminal length 0", ""); ws != nil {
		t.Errorf("an empty output warned: %q", warningStrings(ws))
	}
}

func TestExpandInterface(t *testing.T) {
	for in, want := range map[string]string{
		"Gi1/0/3":               "GigabitEthernet1/0/3",
		"gi1/0/3":               "GigabitEthernet1/0/3",
		"gigabitethernet2/0/47": "GigabitEthernet2/0/47",
		"gigabitEthernet 1/12":  "GigabitEthernet1/12",
		"GigabitEthernet1/0/3":  "GigabitEthernet1/0/3",
		"Gig1/0/3":              "GigabitEthernet1/0/3",
		"Te1/0/1":               "TenGigabitEthernet1/0/1",
		"Fa0/1":                 "FastEthernet0/1",
		"f0/1":                  "f0/1",
		"Fo1/1/1":               "FortyGigabitEthernet1/1/1",
		"Fi1/0/1":               "FiveGigabitEthernet1/0/1",
		"Tw1/0/1":               "TwoGigabitEthernet1/0/1",
		"Twe1/0/42":             "TwentyFiveGigE1/0/42",
		"Hu1/0/49":              "HundredGigE1/0/49",
		"Po12":                  "Port-channel12",
		"port-channel12":        "Port-channel12",
		"Vl101":                 "Vlan101",
		"Vlan101":               "Vlan101",
		"Ap1/0/1":               "AppGigabitEthernet1/0/1",
		"Et0/0":                 "Ethernet0/0",
		"GigabitEthernet2.390":  "GigabitEthernet2.390",
		"T1/0/1":                "T1/0/1",
		"CPU":                   "CPU",
		"Drop":                  "Drop",
		"mgmt0":                 "mgmt0",
		"":                      "",
		"1/0/1":                 "1/0/1",
	} {
		if got := ExpandInterface(in); got != want {
			t.Errorf("ExpandInterface(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeMAC(t *testing.T) {
	for in, want := range map[string]string{
		"aabb.cc00.1122":    "aa:bb:cc:00:11:22",
		"AABB.CC00.1122":    "aa:bb:cc:00:11:22",
		"aa:bb:cc:00:11:22": "aa:bb:cc:00:11:22",
		"AA-BB-CC-00-11-22": "aa:bb:cc:00:11:22",
		"00055eff5781":      "00:05:5e:ff:57:81",
		"Unknown":           "",
		"Incomplete":        "",
		"aabb.cc00.112":     "",
		"aabb.cc00.11223":   "",
		"aab.bcc00.1122":    "",
		"aa:bb:cc-00:11:22": "",
		"aa:bb:cc:00:11":    "",
		"aabbcc00112":       "",
		"gggg.cc00.1122":    "",
		"":                  "",
	} {
		got, ok := NormalizeMAC(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeMAC(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestDetectPlatform(t *testing.T) {
	tests := []struct {
		text     string
		platform string
		line     int
	}{
		{"Cisco IOS XE Software, Version 16.09.03\n", "", 0},
		{"x\nCisco Nexus Operating System (NX-OS) Software\n", PlatformNXOS, 2},
		{"IP access list acl-test\n", PlatformNXOS, 1},
		{"        statistics per-entry\n", PlatformNXOS, 1},
		{"10 permit ip any any [match=66]\n", PlatformNXOS, 1},
		{"IP ARP Table for all contexts\n", PlatformNXOS, 1},
		{"Cisco IOS XR Software, Version 7.3.2\n", PlatformIOSXR, 1},
		{"Cisco Adaptive Security Appliance Software Version 9.16\n", PlatformASA, 1},
	}
	for _, tc := range tests {
		p, line := DetectPlatform(tc.text)
		if p != tc.platform || line != tc.line {
			t.Errorf("DetectPlatform(%q) = %q, %d", tc.text, p, line)
		}
	}
	if !Supported("") || !Supported(PlatformIOS) || !Supported(PlatformIOSXE) || Supported(PlatformNXOS) {
		t.Error("Supported")
	}
}

// TestParseOtherPlatformOutput: an output no parser takes, from another
// platform, named the command as its evidence (`recognised by ""` for a
// bare output) instead of the line that gave the platform away.
func TestParseOtherPlatformOutput(t *testing.T) {
	tests := []struct{ command, output, want string }{
		{"", "Arista DCS-7050SX-64-R\nSoftware image version: 4.24.2F\n",
			`line 1: unsupported platform arista-eos: command output not parsed (recognised by "Arista DCS-7050SX-64-R"); syncwatch reads Cisco IOS and IOS-XE only`},
		{"show interfaces status", "x\n  ArubaOS-CX 10.08\n",
			`line 2: unsupported platform aruba-cx: "show interfaces status" output not parsed (recognised by "ArubaOS-CX 10.08"); syncwatch reads Cisco IOS and IOS-XE only`},
		{"", "Hostname: ex-1\nModel: ex4300-48p\nJunos: 20.4R3-S2\n",
			`line 3: unsupported platform junos: command output not parsed (recognised by "Junos: 20.4R3-S2"); syncwatch reads Cisco IOS and IOS-XE only`},
	}
	for _, tc := range tests {
		_, ws := Parse(tc.command, tc.output)
		if got := warningStrings(ws); !reflect.DeepEqual(got, []string{tc.want}) {
			t.Errorf("Parse(%q, %q) warnings %q, want %q", tc.command, tc.output, got, tc.want)
		}
	}
}

// TestParseRejectedCommand: the error IOS prints for a mistyped command
// was an "unrecognised line" of the parser the command named.
func TestParseRejectedCommand(t *testing.T) {
	tests := []struct{ command, output, want string }{
		{"show access-session int Gi1/0/9 det", "% Invalid input detected at '^' marker.\n",
			`line 1: the switch rejected "show access-session int Gi1/0/9 det": "% Invalid input detected at '^' marker."`},
		{"sh ip acc", "                    ^\n% Ambiguous command:  \"sh ip acc\"\n",
			`line 2: the switch rejected "sh ip acc": "% Ambiguous command:  \"sh ip acc\""`},
		{"", "% Incomplete command.\n", `line 1: the switch rejected the command: "% Incomplete command."`},
	}
	for _, tc := range tests {
		r, ws := Parse(tc.command, tc.output)
		if got := warningStrings(ws); r.Kind != KindUnknown || !reflect.DeepEqual(got, []string{tc.want}) {
			t.Errorf("Parse(%q): kind %q warnings %q, want %q", tc.command, r.Kind, got, tc.want)
		}
	}
}

// TestQuote: a quoted excerpt stays short however its bytes are escaped (a
// run of invalid bytes once made an NX-OS warning of 320 characters).
func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  short line  ", `"short line"`},
		{strings.Repeat("a", 80), `"` + strings.Repeat("a", 80) + `"`},
		{strings.Repeat("a", 81), `"` + strings.Repeat("a", 80) + `"...`},
		{"NXOS: version\xeb" + strings.Repeat("\xfe", 70), `"NXOS: version\xeb` + strings.Repeat(`\xfe`, 15) + `"...`},
		{strings.Repeat("é", 50), `"` + strings.Repeat("é", 40) + `"...`},
		{strings.Repeat("\x01", 30), `"` + strings.Repeat(`\x01`, 20) + `"...`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	w := unsupported(1, PlatformNXOS, "show version", "NXOS: version\xeb"+strings.Repeat("\xfe", 9600))
	if len(w.Message) > 200 {
		t.Errorf("warning of %d bytes: %s", len(w.Message), w.Message)
	}
}
