package snmp

import (
	"net/netip"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// Method and state numbers of the MIB, for building fake tables.
const (
	mDot1x, mMAB               = 2, 3
	sNotRun, sRunning, sFailed = 1, 2, 5
	sFailedOver, sSuccess      = 3, 4
)

func ip4(s string) []byte { a := netip.MustParseAddr(s).As4(); return a[:] }
func ip6(s string) []byte { a := netip.MustParseAddr(s).As16(); return a[:] }
func mac(a, b, c, d, e, f byte) []byte {
	return []byte{a, b, c, d, e, f}
}

// campus is an access switch with the cases a poller meets: an IPv4-only
// PC, an IPv6-only host, a phone and a PC on one port, an unauthorized
// session, a session still running with no address, and a dual-stack host
// whose IPv6 addresses are only in the neighbor cache.
func campus() fakeSwitch {
	return fakeSwitch{
		ifNames: map[int]string{9: "Gi1/0/1", 10: "Gi1/0/2", 11: "Gi1/0/3", 12: "Gi1/0/4", 13: "Gi1/0/5", 14: "Gi1/0/6", 200: "Vl98"},
		sessions: []fakeSession{
			{ifIndex: 9, id: "0A3462B1000000102983C05C", mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x01), addrType: 1, addr: ip4("10.52.98.21"),
				status: 6, domain: 2, user: "host/pc-01.corp.example", methods: [][2]int{{mDot1x, sSuccess}, {mMAB, sNotRun}}},
			{ifIndex: 10, id: "0A3462B1000000112983D1A0", mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x02), addrType: 2, addr: ip6("2001:db8:52:98::22"),
				status: 6, domain: 2, methods: [][2]int{{mMAB, sSuccess}}},
			{ifIndex: 11, id: "0A3462B1000000122983E210", mac: mac(0x00, 0x1B, 0x54, 0xC2, 0x00, 0x03), addrType: 1, addr: ip4("10.52.99.30"),
				status: 6, domain: 3, methods: [][2]int{{mDot1x, sFailedOver}, {mMAB, sSuccess}}},
			{ifIndex: 11, id: "0A3462B1000000132983E5F4", mac: mac(0x00, 0x50, 0x56, 0xA1, 0x00, 0x04), addrType: 1, addr: ip4("10.52.98.31"),
				status: 6, domain: 2, methods: [][2]int{{mDot1x, sSuccess}}},
			{ifIndex: 12, id: "0A3462B1000000142983F001", mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x05), addrType: 0, addr: []byte{},
				status: 7, domain: 1, methods: [][2]int{{mDot1x, sFailed}}},
			{ifIndex: 14, id: "0A3462B1000000162983F3BB", mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x07), addrType: 1, addr: ip4("0.0.0.0"),
				status: 2, domain: 2, methods: [][2]int{{mDot1x, sRunning}}},
			{ifIndex: 13, id: "0A3462B1000000152983F2AA", mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x06), addrType: 1, addr: ip4("10.52.98.40"),
				status: 6, domain: 2, methods: [][2]int{{mDot1x, sSuccess}}},
		},
		neighbors: []fakeNeighbor{
			{ifIndex: 200, addr: ip4("10.52.98.40"), mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x06)},
			{ifIndex: 200, addr: ip4("10.52.98.1"), mac: mac(0x00, 0x00, 0x0c, 0x9f, 0xf0, 0x62)},
			{ifIndex: 200, addr: ip6("2001:db8:52:98::40"), mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x06)},
			{ifIndex: 200, addr: ip6("fe80::250:56ff:fea1:6"), mac: mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x06)},
			{ifIndex: 200, addr: ip6("2001:db8:52:98::31"), mac: []byte{}}, // incomplete
		},
	}
}

// campusSessions is what campus must decode to; neighbors says whether
// the neighbor cache was walked.
func campusSessions(neighbors bool) []SessionKey {
	dual := []netip.Addr(nil)
	if neighbors {
		dual = []netip.Addr{netip.MustParseAddr("2001:db8:52:98::40"), netip.MustParseAddr("fe80::250:56ff:fea1:6")}
	}
	return []SessionKey{
		{Interface: "GigabitEthernet1/0/1", IfIndex: 9, MAC: "00:50:56:a1:00:01", IPv4: netip.MustParseAddr("10.52.98.21"),
			SessionID: "0A3462B1000000102983C05C", Authorized: true, Status: "authorizationSuccess", Domain: "DATA",
			Methods: []ios.Method{{Method: "dot1x", State: "Authc Success"}, {Method: "mab", State: "Not run"}}},
		{Interface: "GigabitEthernet1/0/2", IfIndex: 10, MAC: "00:50:56:a1:00:02", IPv6: []netip.Addr{netip.MustParseAddr("2001:db8:52:98::22")},
			SessionID: "0A3462B1000000112983D1A0", Authorized: true, Status: "authorizationSuccess", Domain: "DATA",
			Methods: []ios.Method{{Method: "mab", State: "Authc Success"}}},
		{Interface: "GigabitEthernet1/0/3", IfIndex: 11, MAC: "00:1b:54:c2:00:03", IPv4: netip.MustParseAddr("10.52.99.30"),
			SessionID: "0A3462B1000000122983E210", Authorized: true, Status: "authorizationSuccess", Domain: "VOICE",
			Methods: []ios.Method{{Method: "dot1x", State: "Failed over"}, {Method: "mab", State: "Authc Success"}}},
		{Interface: "GigabitEthernet1/0/3", IfIndex: 11, MAC: "00:50:56:a1:00:04", IPv4: netip.MustParseAddr("10.52.98.31"),
			SessionID: "0A3462B1000000132983E5F4", Authorized: true, Status: "authorizationSuccess", Domain: "DATA",
			Methods: []ios.Method{{Method: "dot1x", State: "Authc Success"}}},
		{Interface: "GigabitEthernet1/0/4", IfIndex: 12, MAC: "00:50:56:a1:00:05",
			SessionID: "0A3462B1000000142983F001", Authorized: false, Status: "authorizationFailed", Domain: "",
			Methods: []ios.Method{{Method: "dot1x", State: "Authc Failed"}}},
		{Interface: "GigabitEthernet1/0/5", IfIndex: 13, MAC: "00:50:56:a1:00:06", IPv4: netip.MustParseAddr("10.52.98.40"), IPv6: dual,
			SessionID: "0A3462B1000000152983F2AA", Authorized: true, Status: "authorizationSuccess", Domain: "DATA",
			Methods: []ios.Method{{Method: "dot1x", State: "Authc Success"}}},
		{Interface: "GigabitEthernet1/0/6", IfIndex: 14, MAC: "00:50:56:a1:00:07",
			SessionID: "0A3462B1000000162983F3BB", Authorized: false, Status: "running", Domain: "DATA",
			Methods: []ios.Method{{Method: "dot1x", State: "Running"}}},
	}
}
