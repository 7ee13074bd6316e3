package ios

import (
	"reflect"
	"testing"
)

func TestParseAddressTables(t *testing.T) {
	tests := []struct {
		name     string
		parse    func(string) ([]ARPEntry, []Warning)
		text     string
		want     []ARPEntry
		warnings []string
	}{
		{
			name:  "arp: incomplete, no interface, IPv6-looking garbage, prompt",
			parse: ParseARP,
			text: `SW1#show ip arp
Protocol  Address          Age (min)  Hardware Addr   Type   Interface
Internet  10.1.1.1                -   0011.2233.4455  ARPA   Vlan10
Internet  10.1.1.2                0   Incomplete      ARPA
Internet  10.1.1.3                5   zzzz.zzzz.zzzz  ARPA   Gi1/0/3
Internet  not-an-ip               5   0011.2233.4455  ARPA   Vlan10
SW1#`,
			want: []ARPEntry{
				{IP: ip("10.1.1.1"), MAC: "00:11:22:33:44:55", Interface: "Vlan10", Source: "arp", Age: "-", Line: 3},
				{IP: ip("10.1.1.2"), Source: "arp", Age: "0", Line: 4},
				{IP: ip("10.1.1.3"), Interface: "GigabitEthernet1/0/3", Source: "arp", Age: "5", Line: 5},
			},
			warnings: []string{
				`line 5: ARP: hardware address "zzzz.zzzz.zzzz" is not a MAC address`,
				`line 6: ARP: unrecognised line "Internet  not-an-ip               5   0011.2233.4455  ARPA   Vlan10"`,
			},
		},
		{
			name:  "arp of NX-OS",
			parse: ParseARP,
			text:  "IP ARP Table for context default\nAddress Age MAC Address Interface\n10.1.1.1 00:01:02 0011.2233.4455 Vlan10\n",
			warnings: []string{
				`line 1: unsupported platform nx-os: ARP output not parsed (recognised by "IP ARP Table for context default"); syncwatch reads Cisco IOS and IOS-XE only`,
			},
		},
		{
			name:  "device tracking: prefix and any bindings skipped, bad rows warned",
			parse: ParseDeviceTracking,
			text: `Binding Table has 4 entries, 3 dynamic (limit 200000)
Codes: L - Local, S - Static, ND - Neighbor Discovery, ARP - Address Resolution Protocol, DH4 - IPv4 DHCP, DH6 - IPv6 DHCP, PKT - Other Packet, API - API created
Preflevel flags (prlvl):
0001:MAC and LLA match     0002:Orig trunk            0004:Orig access

    Network Layer Address               Link Layer Address Interface        vlan prlvl  age   state     Time left
ARP 10.2.0.5                            0011.2233.4455     Gi1/0/5          20   0005   30s   REACHABLE 270 s
ND  2001:DB8::5                         0011.2233.4455     Gi1/0/5          20   0005   30s   REACHABLE 270 s
DH6 2001:DB8::/64                       0011.2233.4455     Gi1/0/5          20   0024   3mn   REACHABLE (100 s)
ND  2001:DB8:1::/64                     any                any              20   0005   3mn   REACHABLE
ARP 10.2.0.999                          0011.2233.4455     Gi1/0/5          20   0005   30s   REACHABLE 270 s
ARP 10.2.0.6                            0011.2233         Gi1/0/6          20   0005   30s   REACHABLE 270 s
`,
			want: []ARPEntry{
				{IP: ip("10.2.0.5"), MAC: "00:11:22:33:44:55", Interface: "GigabitEthernet1/0/5", VLAN: "20", State: "REACHABLE", Source: "ARP", Age: "30s", Line: 7},
				{IP: ip("2001:db8::5"), MAC: "00:11:22:33:44:55", Interface: "GigabitEthernet1/0/5", VLAN: "20", State: "REACHABLE", Source: "ND", Age: "30s", Line: 8},
			},
			warnings: []string{
				`line 11: device tracking: "10.2.0.999" is not an address`,
				`line 12: device tracking: link layer address "0011.2233" is not a MAC address`,
			},
		},
		{
			name:  "device tracking filtered with | include: rows without the header",
			parse: ParseDeviceTracking,
			text:  "SW1#show device-tracking database | include 0011.2233.4455\nARP 10.2.0.5   0011.2233.4455   Gi1/0/5   20   0005   30s   REACHABLE  270 s\n",
			want: []ARPEntry{
				{IP: ip("10.2.0.5"), MAC: "00:11:22:33:44:55", Interface: "GigabitEthernet1/0/5", VLAN: "20", State: "REACHABLE", Source: "ARP", Age: "30s", Line: 2},
			},
		},
		{
			name:  "ip device tracking",
			parse: ParseIPDeviceTracking,
			text: `Global IP Device Tracking for clients = Enabled
-----------------------------------------------------------------------------------------------
  IP Address    MAC Address   Vlan  Interface           Probe-Timeout      State    Source
-----------------------------------------------------------------------------------------------
10.3.0.7        0011.2233.4457 30   GigabitEthernet1/0/7   30              ACTIVE   DHCP
10.3.0.8        bad-mac        30   GigabitEthernet1/0/8   30              INACTIVE ARP

Total number interfaces enabled: 2
Enabled interfaces:
  Gi1/0/7, Gi1/0/8
what is this
`,
			want: []ARPEntry{
				{IP: ip("10.3.0.7"), MAC: "00:11:22:33:44:57", Interface: "GigabitEthernet1/0/7", VLAN: "30", State: "ACTIVE", Source: "DHCP", Line: 5},
				{IP: ip("10.3.0.8"), Interface: "GigabitEthernet1/0/8", VLAN: "30", State: "INACTIVE", Source: "ARP", Line: 6},
			},
			warnings: []string{
				`line 6: IP device tracking: "bad-mac" is not a MAC address`,
				`line 11: IP device tracking: unrecognised line "what is this"`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ws := tc.parse(tc.text)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("entries:\n got %+v\nwant %+v", got, tc.want)
			}
			if gw := warningStrings(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tc.warnings)
			}
		})
	}
}

func TestParseMACTableLayouts(t *testing.T) {
	text := `          Mac Address Table
-------------------------------------------
Vlan    Mac Address       Type        Ports
----    -----------       --------    -----
  10    0011.2233.4455    DYNAMIC     Gi1/0/1
  10    0011.2233.4456    SECURE      Gi1/0/2 Gi1/0/3
                                      Po1
  10    0011.2233.4457    STATIC
this is not a row
Total Mac Addresses for this criterion: 3
`
	got, ws := ParseMACTable(text)
	want := []MACEntry{
		{VLAN: "10", MAC: "00:11:22:33:44:55", Type: "dynamic", Ports: []string{"GigabitEthernet1/0/1"}, Line: 5},
		{VLAN: "10", MAC: "00:11:22:33:44:56", Type: "secure", Ports: []string{"GigabitEthernet1/0/2", "GigabitEthernet1/0/3", "Port-channel1"}, Line: 6},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("entries:\n got %+v\nwant %+v", got, want)
	}
	wantW := []string{
		`line 8: MAC address table: unrecognised line "10    0011.2233.4457    STATIC"`,
		`line 9: MAC address table: unrecognised line "this is not a row"`,
	}
	if gw := warningStrings(ws); !reflect.DeepEqual(gw, wantW) {
		t.Errorf("warnings:\n got %q\nwant %q", gw, wantW)
	}
}

func TestParseVersionOthers(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     Version
		warnings []string
	}{
		{
			name: "IOS-XE 3.x names itself in the IOS line",
			text: `Cisco IOS Software, IOS-XE Software, Catalyst L3 Switch Software (CAT3K_CAA-UNIVERSALK9-M), Version 03.06.06E RELEASE SOFTWARE (fc1)
sw3850 uptime is 3 weeks, 2 days
System image file is "flash:packages.conf"
`,
			want: Version{Platform: PlatformIOSXE, Release: "03.06.06E", ImageID: "CAT3K_CAA-UNIVERSALK9-M",
				Image: "flash:packages.conf", Hostname: "sw3850", Uptime: "3 weeks, 2 days", Line: 1},
		},
		{
			// "show version | include XE" keeps only the XE banner: the
			// release was not found.
			name: "IOS-XE banner alone",
			text: "Cisco IOS XE Software, Version 17.09.04a\n",
			want: Version{Platform: PlatformIOSXE, Release: "17.09.04a", Line: 1},
		},
		{
			name: "IOS-XE banner and IOS line: the IOS line's release",
			text: "Cisco IOS XE Software, Version 17.09.04a\nCisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)\n",
			want: Version{Platform: PlatformIOSXE, Release: "17.9.4a", ImageID: "CAT9K_IOSXE", Line: 1},
		},
		{
			name:     "no release",
			text:     "hello\n",
			warnings: []string{"show version: no Cisco IOS software release found"},
		},
		{
			// Another vendor's switch said only "no Cisco IOS software
			// release found".
			name: "Junos",
			text: "Hostname: ex-1\nModel: ex4300-48p\nJunos: 20.4R3-S2\n",
			want: Version{Platform: PlatformJunos, Line: 3},
			warnings: []string{`line 3: unsupported platform junos: show version output not parsed (recognised by ` +
				`"Junos: 20.4R3-S2"); syncwatch reads Cisco IOS and IOS-XE only`},
		},
		{
			name: "Arista EOS",
			text: "Arista DCS-7050SX-64-R\nHardware version:    01.11\nSoftware image version: 4.24.2F\n",
			want: Version{Platform: PlatformEOS, Line: 1},
			warnings: []string{`line 1: unsupported platform arista-eos: show version output not parsed (recognised by ` +
				`"Arista DCS-7050SX-64-R"); syncwatch reads Cisco IOS and IOS-XE only`},
		},
		{
			name: "IOS-XR",
			text: "Cisco IOS XR Software, Version 7.3.2\n",
			want: Version{Platform: PlatformIOSXR, Line: 1},
			warnings: []string{`line 1: unsupported platform ios-xr: show version output not parsed (recognised by ` +
				`"Cisco IOS XR Software, Version 7.3.2"); syncwatch reads Cisco IOS and IOS-XE only`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ws := ParseVersion(tc.text)
			if got != tc.want {
				t.Errorf("version:\n got %+v\nwant %+v", got, tc.want)
			}
			if gw := warningStrings(ws); !reflect.DeepEqual(gw, tc.warnings) {
				t.Errorf("warnings:\n got %q\nwant %q", gw, tc.warnings)
			}
		})
	}
}

// TestParseDeviceTrackingLegendKeys: above the table, any line with a colon
// was taken for a legend and dropped without a warning: a terminal
// logger's timestamp ("[2026-12-04 10:00:01] ...") hid a whole transcript,
// and a session line pasted above the table vanished.
func TestParseDeviceTrackingLegendKeys(t *testing.T) {
	text := "Binding Table has 1 entries, 1 dynamic (limit 200000)\n" + // 1
		"Codes: L - Local, S - Static, ND - Neighbor Discovery\n" + // 2
		"0001:MAC and LLA match     0002:Orig trunk\n" + // 3
		"max/box  : no limit\n" + // 4
		"[2026-12-04 10:00:01] access-sw1#show access-session\n" + // 5
		"            Interface:  GigabitEthernet1/0/3\n" + // 6
		"10.1.1.1: reachable\n" + // 7
		"    Network Layer Address                    Link Layer Address     Interface  vlan       prlvl      age        state      Time left\n" + // 8
		"DH4 10.1.10.25                               a4bb.6d10.2205         Gi1/0/5    10         0025       7s         REACHABLE  293 s try 0\n" // 9
	got, ws := ParseDeviceTracking(text)
	if len(got) != 1 || got[0].IP.String() != "10.1.10.25" || got[0].Line != 9 {
		t.Errorf("entries %+v", got)
	}
	want := []string{
		`line 5: device tracking: unrecognised line "[2026-12-04 10:00:01] access-sw1#show access-session"`,
		`line 6: device tracking: unrecognised line "Interface:  GigabitEthernet1/0/3"`,
		`line 7: device tracking: unrecognised line "10.1.1.1: reachable"`,
	}
	if gw := warningStrings(ws); !reflect.DeepEqual(gw, want) {
		t.Errorf("warnings:\n got %q\nwant %q", gw, want)
	}
}
