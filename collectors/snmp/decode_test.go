package snmp

import (
	"fmt"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gosnmp/gosnmp"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// Varbind builders for decoder tests.

func sessOID(col, ifIndex int, id string) string {
	s := fmt.Sprintf("%s.%d.%d", oidSessionEntry, col, ifIndex)
	for i := 0; i < len(id); i++ {
		s += "." + strconv.Itoa(int(id[i]))
	}
	return s
}

func octetPDU(oid string, b []byte) gosnmp.SnmpPDU {
	return gosnmp.SnmpPDU{Name: oid, Type: gosnmp.OctetString, Value: b}
}

func intPDU(oid string, v int) gosnmp.SnmpPDU {
	return gosnmp.SnmpPDU{Name: oid, Type: gosnmp.Integer, Value: v}
}

func methodOID(ifIndex int, id string, method int) string {
	s := fmt.Sprintf("%s.%d.%d", oidMethodState, ifIndex, len(id))
	for i := 0; i < len(id); i++ {
		s += "." + strconv.Itoa(int(id[i]))
	}
	return s + "." + strconv.Itoa(method)
}

func ifNamePDU(ifIndex int, name string) gosnmp.SnmpPDU {
	return octetPDU(fmt.Sprintf("%s.%d", oidIfName, ifIndex), []byte(name))
}

func neighborPDU(ifIndex int, addr []byte, mac []byte) gosnmp.SnmpPDU {
	typ := 1
	if len(addr) == 16 {
		typ = 2
	}
	oid := fmt.Sprintf("%s.%d.%d.%d", oidNetToPhysicalPhysAddress, ifIndex, typ, len(addr))
	for _, b := range addr {
		oid += "." + strconv.Itoa(int(b))
	}
	return octetPDU(oid, mac)
}

// row returns the varbinds of one complete session row.
func row(ifIndex int, id string, m []byte, addrType int, addr []byte, status int) []gosnmp.SnmpPDU {
	return []gosnmp.SnmpPDU{
		octetPDU(sessOID(colMAC, ifIndex, id), m),
		intPDU(sessOID(colAddrType, ifIndex, id), addrType),
		octetPDU(sessOID(colAddr, ifIndex, id), addr),
		intPDU(sessOID(colStatus, ifIndex, id), status),
	}
}

const (
	idA = "0A3462B1000000102983C05C"
	idB = "0A3462B1000000112983D1A0"
)

var (
	macA = mac(0x00, 0x50, 0x56, 0xa1, 0x00, 0x01)
	macB = mac(0x00, 0x1b, 0x54, 0xc2, 0x00, 0x03)
)

func join(parts ...[]gosnmp.SnmpPDU) []gosnmp.SnmpPDU {
	var out []gosnmp.SnmpPDU
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func one(p ...gosnmp.SnmpPDU) []gosnmp.SnmpPDU { return p }

func TestTableDecode(t *testing.T) {
	a4 := netip.MustParseAddr
	base := SessionKey{IfIndex: 9, MAC: "00:50:56:a1:00:01", SessionID: idA, Authorized: true, Status: "authorizationSuccess"}
	with := func(f func(*SessionKey)) []SessionKey {
		s := base
		f(&s)
		return []SessionKey{s}
	}
	tests := []struct {
		name     string
		pdus     []gosnmp.SnmpPDU
		want     []SessionKey
		warnings []string
	}{
		{"ipv4", row(9, idA, macA, 1, ip4("10.52.98.21"), 6),
			with(func(s *SessionKey) { s.IPv4 = a4("10.52.98.21") }), nil},
		{"ipv6", row(9, idA, macA, 2, ip6("2001:db8::22"), 6),
			with(func(s *SessionKey) { s.IPv6 = []netip.Addr{a4("2001:db8::22")} }), nil},
		{"ipv4z drops the zone", row(9, idA, macA, 3, append(ip4("10.1.2.3"), 0, 0, 0, 7), 6),
			with(func(s *SessionKey) { s.IPv4 = a4("10.1.2.3") }), nil},
		{"ipv6z drops the zone", row(9, idA, macA, 4, append(ip6("fe80::1"), 0, 0, 0, 12), 6),
			with(func(s *SessionKey) { s.IPv6 = []netip.Addr{a4("fe80::1")} }), nil},
		{"IPv4-mapped IPv6 is IPv4", row(9, idA, macA, 2, ip6("::ffff:10.1.2.3"), 6),
			with(func(s *SessionKey) { s.IPv4 = a4("10.1.2.3") }), nil},
		{"empty address", row(9, idA, macA, 1, []byte{}, 6), with(func(*SessionKey) {}), nil},
		{"unspecified address", row(9, idA, macA, 1, ip4("0.0.0.0"), 6), with(func(*SessionKey) {}), nil},
		{"unknown type, no octets", row(9, idA, macA, 0, []byte{}, 6), with(func(*SessionKey) {}), nil},
		{"no type column, 4 octets",
			one(octetPDU(sessOID(colMAC, 9, idA), macA), octetPDU(sessOID(colAddr, 9, idA), ip4("10.9.8.7")), intPDU(sessOID(colStatus, 9, idA), 6)),
			with(func(s *SessionKey) { s.IPv4 = a4("10.9.8.7") }), nil},
		{"no type column, 16 octets",
			one(octetPDU(sessOID(colMAC, 9, idA), macA), octetPDU(sessOID(colAddr, 9, idA), ip6("2001:db8::9")), intPDU(sessOID(colStatus, 9, idA), 6)),
			with(func(s *SessionKey) { s.IPv6 = []netip.Addr{a4("2001:db8::9")} }), nil},
		{"no type column, 5 octets",
			one(octetPDU(sessOID(colMAC, 9, idA), macA), octetPDU(sessOID(colAddr, 9, idA), []byte{1, 2, 3, 4, 5}), intPDU(sessOID(colStatus, 9, idA), 6)),
			with(func(*SessionKey) {}),
			[]string{"sw1: " + sessOID(colAddr, 9, idA) + ": cafSessionClientAddress has 5 octets and no cafSessionClientAddrType: 01 02 03 04 05"}},
		{"ipv4 type with 16 octets", row(9, idA, macA, 1, ip6("2001:db8::1"), 6), with(func(*SessionKey) {}),
			[]string{"sw1: " + sessOID(colAddr, 9, idA) + ": cafSessionClientAddress: type ipv4(1) needs 4 octets, got 16: 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01"}},
		{"dns type", row(9, idA, macA, 16, []byte("pc-01.example"), 6), with(func(*SessionKey) {}),
			[]string{"sw1: " + sessOID(colAddr, 9, idA) + ": cafSessionClientAddress: type dns(16) is a name, not an address: \"pc-01.example\""}},
		{"unknown type with octets", row(9, idA, macA, 0, ip4("10.1.1.1"), 6), with(func(*SessionKey) {}),
			[]string{"sw1: " + sessOID(colAddr, 9, idA) + ": cafSessionClientAddress: type unknown(0) with 4 octets: 0a 01 01 01"}},
		{"undefined type", row(9, idA, macA, 9, ip4("10.1.1.1"), 6), with(func(*SessionKey) {}),
			[]string{"sw1: " + sessOID(colAddr, 9, idA) + ": cafSessionClientAddress: unknown InetAddressType 9"}},
		{"short MAC", row(9, idA, []byte{0, 0x50, 0x56, 0xa1, 0}, 1, ip4("10.1.1.1"), 6),
			with(func(s *SessionKey) { s.MAC, s.IPv4 = "", a4("10.1.1.1") }),
			[]string{"sw1: " + sessOID(colMAC, 9, idA) + ": cafSessionClientMacAddress has 5 octets, not 6: 00 50 56 a1 00"}},
		{"MAC of the wrong type",
			one(intPDU(sessOID(colMAC, 9, idA), 5), intPDU(sessOID(colStatus, 9, idA), 6)),
			with(func(s *SessionKey) { s.MAC = "" }),
			[]string{"sw1: " + sessOID(colMAC, 9, idA) + ": cafSessionClientMacAddress is Integer 5, not an OCTET STRING"}},
		{"status of the wrong type",
			one(octetPDU(sessOID(colMAC, 9, idA), macA), octetPDU(sessOID(colStatus, 9, idA), []byte("6"))),
			with(func(s *SessionKey) { s.Status, s.Authorized = "", false }),
			[]string{"sw1: " + sessOID(colStatus, 9, idA) + ": cafSessionStatus is OctetString 36, not an INTEGER"}},
		{"statuses that are not authorized",
			join(row(9, idA, macA, 1, nil, 4), row(9, idB, macB, 1, nil, 9)),
			[]SessionKey{
				{IfIndex: 9, MAC: "00:50:56:a1:00:01", SessionID: idA, Status: "authenticationSuccess"},
				{IfIndex: 9, MAC: "00:1b:54:c2:00:03", SessionID: idB, Status: "unknown(9)"},
			}, nil},
		{"domain, methods and ifName",
			join(row(9, idA, macA, 1, ip4("10.1.1.1"), 6), one(
				intPDU(sessOID(colDomain, 9, idA), 3),
				intPDU(methodOID(9, idA, 2), 3), intPDU(methodOID(9, idA, 3), 4), intPDU(methodOID(9, idA, 4), 1),
				intPDU(methodOID(9, idA, 7), 8),
				ifNamePDU(9, "Te1/1/4"))),
			with(func(s *SessionKey) {
				s.IPv4, s.Domain, s.Interface = a4("10.1.1.1"), "VOICE", "TenGigabitEthernet1/1/4"
				s.Methods = []ios.Method{{Method: "dot1x", State: "Failed over"}, {Method: "mab", State: "Authc Success"},
					{Method: "webauth", State: "Not run"}, {Method: "unknown(7)", State: "unknown(8)"}}
			}), nil},
		{"methods of a session not in the table are dropped",
			join(row(9, idA, macA, 1, nil, 6), one(intPDU(methodOID(10, idA, 2), 4))),
			with(func(*SessionKey) {}), nil},
		{"ifName missing",
			join(row(9, idA, macA, 1, nil, 6), one(gosnmp.SnmpPDU{Name: oidIfName + ".9", Type: gosnmp.NoSuchInstance})),
			with(func(*SessionKey) {}),
			[]string{"sw1: " + oidIfName + ".9: no ifName for ifIndex 9 (NoSuchInstance): the session's interface is unknown"}},
		{"ifName not printable",
			join(row(9, idA, macA, 1, nil, 6), one(ifNamePDU(9, "Gi1/0/1\x00"))),
			with(func(*SessionKey) {}),
			[]string{"sw1: " + oidIfName + ".9: ifName is not a printable name: 47 69 31 2f 30 2f 31 00"}},
		{"unknown ifName is kept as given",
			join(row(9, idA, macA, 1, nil, 6), one(ifNamePDU(9, "CPU"))),
			with(func(s *SessionKey) { s.Interface = "CPU" }), nil},
		{"session ID that is not text is hex",
			row(9, "\x01\xfe\x00", macA, 1, nil, 6),
			with(func(s *SessionKey) { s.SessionID = "01FE00" }), nil},
		{"order: ifIndex, then session ID octets",
			join(row(12, idA, macA, 1, nil, 6), row(9, idB, macB, 1, nil, 6), row(9, idA, macA, 1, nil, 6), row(9, "0A", macA, 1, nil, 6)),
			[]SessionKey{
				{IfIndex: 9, MAC: "00:50:56:a1:00:01", SessionID: "0A", Authorized: true, Status: "authorizationSuccess"},
				{IfIndex: 9, MAC: "00:50:56:a1:00:01", SessionID: idA, Authorized: true, Status: "authorizationSuccess"},
				{IfIndex: 9, MAC: "00:1b:54:c2:00:03", SessionID: idB, Authorized: true, Status: "authorizationSuccess"},
				{IfIndex: 12, MAC: "00:50:56:a1:00:01", SessionID: idA, Authorized: true, Status: "authorizationSuccess"},
			}, nil},
		{"bad indexes",
			one(
				intPDU(oidSessionEntry+".5.0.65", 6),
				intPDU(oidSessionEntry+".5.9.256", 6),
				intPDU(oidSessionEntry+".5.9", 6),
				intPDU(oidSessionEntry+".5.9."+strings.Repeat("65.", 64)+"65", 6),
				intPDU(oidSessionEntry+".5.9.65..66", 6),
				intPDU(oidSessionEntry+".5.9.65.x", 6),
				intPDU(oidSessionEntry+".5.99999999999.65", 6),
				intPDU(oidSessionEntry, 6),
				intPDU(methodOID(9, "AB", 2)+".1", 4),
				octetPDU(oidIfName+".0", []byte("Gi1/0/1")),
				octetPDU(oidNetToPhysicalPhysAddress+".9.1.4.10.1.1", macA),
				gosnmp.SnmpPDU{Name: ".1.3.6.1.2.1.1.5.0", Type: gosnmp.OctetString, Value: []byte("sw1")},
			),
			[]SessionKey{},
			[]string{
				"sw1: " + oidSessionEntry + ".5.0.65: cafSessionTable index has ifIndex 0, outside 1..2147483647",
				"sw1: " + oidSessionEntry + ".5.9.256: cafSessionId in the index is not 1 to 64 octets",
				"sw1: " + oidSessionEntry + ".5.9: cafSessionTable index is not <ifIndex>.<session ID octets>",
				"sw1: " + oidSessionEntry + ".5.9." + strings.Repeat("65.", 64) + "65: cafSessionId in the index is not 1 to 64 octets",
				"sw1: " + oidSessionEntry + ".5.9.65..66: cafSessionTable index is not <ifIndex>.<session ID octets>",
				"sw1: " + oidSessionEntry + ".5.9.65.x: cafSessionTable index is not <ifIndex>.<session ID octets>",
				"sw1: " + oidSessionEntry + ".5.99999999999.65: cafSessionTable index is not <ifIndex>.<session ID octets>",
				"sw1: " + oidSessionEntry + ": unexpected object in the answer (Integer)",
				"sw1: " + methodOID(9, "AB", 2) + ".1: cafSessionMethodsInfoTable index is not <ifIndex>.<length>.<session ID octets>.<method>",
				"sw1: " + oidIfName + ".0: ifName index is not an ifIndex",
				"sw1: " + oidNetToPhysicalPhysAddress + ".9.1.4.10.1.1: ipNetToPhysicalTable index is not <ifIndex>.<type>.<length>.<address>",
				"sw1: .1.3.6.1.2.1.1.5.0: unexpected object in the answer (OctetString)",
			}},
		{"neighbors add addresses by MAC",
			join(row(9, idA, macA, 1, ip4("10.1.1.1"), 6), one(
				neighborPDU(200, ip4("10.1.1.99"), macA), // the session's own address wins
				neighborPDU(200, ip6("2001:db8::1"), macA),
				neighborPDU(200, ip6("2001:db8::1"), macA), // listed twice (two SVIs)
				neighborPDU(200, ip6("fe80::1"), macA),
				neighborPDU(200, ip6("2001:db8::2"), []byte{}), // incomplete
				neighborPDU(200, ip6("2001:db8::3"), macB),     // another host
				neighborPDU(200, ip6("::"), macA),
			)),
			with(func(s *SessionKey) {
				s.IPv4 = a4("10.1.1.1")
				s.IPv6 = []netip.Addr{a4("2001:db8::1"), a4("fe80::1")}
			}), nil},
		{"a neighbor IPv4 fills a session without one",
			join(row(9, idA, macA, 0, []byte{}, 6), one(neighborPDU(200, ip4("10.1.1.99"), macA))),
			with(func(s *SessionKey) { s.IPv4 = a4("10.1.1.99") }), nil},
		{"columns not read are ignored",
			join(row(9, idA, macA, 1, nil, 6), one(gosnmp.SnmpPDU{Name: sessOID(10, 9, idA), Type: gosnmp.OctetString, Value: []byte("host/pc")})),
			with(func(*SessionKey) {}), nil},
		{"names without the leading dot",
			one(octetPDU(sessOID(colMAC, 9, idA)[1:], macA), intPDU(sessOID(colStatus, 9, idA)[1:], 6)),
			with(func(*SessionKey) {}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := newTable("sw1")
			for _, p := range tc.pdus {
				tab.add(p)
			}
			got := tab.sessions()
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("sessions:\n got  %+v\n want %+v", got, tc.want)
			}
			var warnings []string
			for _, w := range tab.warnings {
				warnings = append(warnings, w.String())
			}
			if !reflect.DeepEqual(warnings, tc.warnings) {
				t.Errorf("warnings:\n got  %q\n want %q", warnings, tc.warnings)
			}
		})
	}
}

func TestTableWarningLimit(t *testing.T) {
	tab := newTable("sw1")
	for i := 0; i < maxWarnings+50; i++ {
		tab.add(intPDU(fmt.Sprintf("%s.5.0.%d", oidSessionEntry, i%256), 6))
	}
	tab.sessions()
	if len(tab.warnings) != maxWarnings+1 {
		t.Fatalf("%d warnings, want %d", len(tab.warnings), maxWarnings+1)
	}
	if got, want := tab.warnings[maxWarnings].String(), "sw1: 50 more warnings not shown"; got != want {
		t.Errorf("last warning %q, want %q", got, want)
	}
}

func TestIfIndexes(t *testing.T) {
	tab := newTable("sw1")
	for _, p := range join(row(12, idA, macA, 1, nil, 6), row(9, idA, macA, 1, nil, 6), row(12, idB, macB, 1, nil, 6)) {
		tab.add(p)
	}
	if got, want := tab.ifIndexes(), []uint32{9, 12}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestCompareOID(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{".1.3.6", ".1.3.6", 0},
		{"1.3.6", ".1.3.6", 0},
		{".1.3.6", ".1.3.6.1", -1},
		{".1.3.6.1", ".1.3.6", 1},
		{".1.3.10", ".1.3.9", 1},
		{".1.3.9", ".1.3.10", -1},
		{".1.3.4294967295", ".1.3.4294967294", 1},
		{".1.3.x", ".1.3", 0},
		{"", ".1", -1},
	}
	for _, tc := range tests {
		if got := compareOID(tc.a, tc.b); got != tc.want {
			t.Errorf("compareOID(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestParseSubIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []uint32
		ok   bool
	}{
		{"9.65.66", []uint32{9, 65, 66}, true},
		{"4294967295", []uint32{4294967295}, true},
		{"4294967296", nil, false},
		{"", nil, false},
		{"1.", nil, false},
		{".1", nil, false},
		{"1..2", nil, false},
		{"1.-2", nil, false},
		{"1.2.3.4.5", nil, false}, // more than the buffer holds
	}
	for _, tc := range tests {
		var buf [4]uint32
		got, ok := parseSubIDs(tc.in, buf[:0])
		if ok != tc.ok || (ok && !reflect.DeepEqual(got, tc.want)) {
			t.Errorf("parseSubIDs(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
