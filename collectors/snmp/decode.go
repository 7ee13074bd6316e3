package snmp

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/gosnmp/gosnmp"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// maxWarnings bounds the warnings of one poll, so that an agent answering
// garbage for every row cannot flood the log; the rest are counted.
const maxWarnings = 100

// rowKey identifies a cafSessionTable row by its index.
type rowKey struct {
	ifIndex uint32
	id      string // cafSessionId's octets
}

// sessionRow holds the columns of one row as they arrived; they are
// combined only at the end because each column is a separate walk.
type sessionRow struct {
	mac       string
	addrType  int64
	hasType   bool
	addr      []byte
	addrOID   string
	hasAddr   bool
	status    int64
	hasStatus bool
	domain    int64
}

// table accumulates what one poll's walks returned and turns it into
// SessionKeys. It is the pure core of the package: it never does I/O and
// accepts any PDU without panicking.
type table struct {
	device    string
	rows      map[rowKey]*sessionRow
	methods   map[rowKey][]ios.Method
	ifNames   map[uint32]string
	neighbors map[string][]netip.Addr // by MAC, in walk order
	warnings  []Warning
	dropped   int
}

func newTable(device string) *table {
	return &table{
		device:  device,
		rows:    make(map[rowKey]*sessionRow),
		methods: make(map[rowKey][]ios.Method),
		ifNames: make(map[uint32]string),
	}
}

// warn records a warning unless maxWarnings were already recorded.
func (t *table) warn(oid, format string, args ...any) {
	if len(t.warnings) >= maxWarnings {
		t.dropped++
		return
	}
	t.warnings = append(t.warnings, Warning{Device: t.device, OID: oid, Message: fmt.Sprintf(format, args...)})
}

// add files one varbind under the table, column or index its name says.
func (t *table) add(pdu gosnmp.SnmpPDU) {
	name := pdu.Name
	if name != "" && name[0] != '.' {
		name = "." + name
	}
	if missing(pdu) {
		// A walk ends at these; a Get of an ifName the agent lacks
		// returns one, which leaves the session without a name.
		if rest, ok := under(name, oidIfName); ok {
			t.warn(name, "no ifName for ifIndex %s (%s): the session's interface is unknown", rest, pdu.Type)
		}
		return
	}
	if rest, ok := under(name, oidSessionEntry); ok {
		col, index, _ := strings.Cut(rest, ".")
		t.addSession(name, col, index, pdu)
		return
	}
	if rest, ok := under(name, oidMethodState); ok {
		t.addMethod(name, rest, pdu)
		return
	}
	if rest, ok := under(name, oidIfName); ok {
		t.addIfName(name, rest, pdu)
		return
	}
	if rest, ok := under(name, oidNetToPhysicalPhysAddress); ok {
		t.addNeighbor(name, rest, pdu)
		return
	}
	t.warn(name, "unexpected object in the answer (%s)", pdu.Type)
}

// missing reports whether a varbind carries no value but an exception.
func missing(pdu gosnmp.SnmpPDU) bool {
	switch pdu.Type {
	case gosnmp.NoSuchObject, gosnmp.NoSuchInstance, gosnmp.EndOfMibView:
		return true
	}
	return false
}

// under returns the part of name after prefix and a dot.
func under(name, prefix string) (string, bool) {
	if len(name) <= len(prefix)+1 || !strings.HasPrefix(name, prefix) || name[len(prefix)] != '.' {
		return "", false
	}
	return name[len(prefix)+1:], true
}

func (t *table) addSession(name, col, index string, pdu gosnmp.SnmpPDU) {
	key, ok := t.sessionIndex(name, index)
	if !ok {
		return
	}
	get := func() *sessionRow {
		r := t.rows[key]
		if r == nil {
			r = &sessionRow{}
			t.rows[key] = r
		}
		return r
	}
	switch col {
	case "2":
		b, ok := octets(pdu)
		if !ok {
			t.warn(name, "cafSessionClientMacAddress is %s, not an OCTET STRING", describe(pdu))
			get()
			return
		}
		mac, ok := formatMAC(b)
		if !ok {
			t.warn(name, "cafSessionClientMacAddress has %d octets, not 6: %s", len(b), hexOctets(b))
		}
		get().mac = mac
	case "3":
		v, ok := integer(pdu)
		if !ok {
			t.warn(name, "cafSessionClientAddrType is %s, not an INTEGER", describe(pdu))
			get()
			return
		}
		r := get()
		r.addrType, r.hasType = v, true
	case "4":
		b, ok := octets(pdu)
		if !ok {
			t.warn(name, "cafSessionClientAddress is %s, not an OCTET STRING", describe(pdu))
			get()
			return
		}
		r := get()
		r.addr, r.addrOID, r.hasAddr = append([]byte(nil), b...), name, true
	case "5":
		v, ok := integer(pdu)
		if !ok {
			t.warn(name, "cafSessionStatus is %s, not an INTEGER", describe(pdu))
			get()
			return
		}
		r := get()
		r.status, r.hasStatus = v, true
	case "6":
		v, ok := integer(pdu)
		if !ok {
			t.warn(name, "cafSessionDomain is %s, not an INTEGER", describe(pdu))
			get()
			return
		}
		get().domain = v
	default:
		// Columns this package does not walk are ignored, so that an
		// agent answering a wider walk costs nothing but the bytes.
		get()
	}
}

// sessionIndex decodes "<ifIndex>.<octet>.<octet>..." (cafSessionId is an
// IMPLIED index: no length sub-id).
func (t *table) sessionIndex(name, index string) (rowKey, bool) {
	var buf [130]uint32
	ids, ok := parseSubIDs(index, buf[:0])
	if !ok || len(ids) < 2 {
		t.warn(name, "cafSessionTable index is not <ifIndex>.<session ID octets>")
		return rowKey{}, false
	}
	if ids[0] == 0 || ids[0] > 2147483647 {
		t.warn(name, "cafSessionTable index has ifIndex %d, outside 1..2147483647", ids[0])
		return rowKey{}, false
	}
	id, ok := subIDOctets(ids[1:])
	if !ok {
		t.warn(name, "cafSessionId in the index is not 1 to 64 octets")
		return rowKey{}, false
	}
	return rowKey{ifIndex: ids[0], id: id}, true
}

// addMethod decodes cafSessionMethodState.<ifIndex>.<len>.<octets>.<method>
// (cafSessionId is not IMPLIED here, so it has its length).
func (t *table) addMethod(name, index string, pdu gosnmp.SnmpPDU) {
	var buf [130]uint32
	ids, ok := parseSubIDs(index, buf[:0])
	if !ok || len(ids) < 4 || ids[0] == 0 || ids[0] > 2147483647 || uint64(ids[1]) != uint64(len(ids)-3) {
		t.warn(name, "cafSessionMethodsInfoTable index is not <ifIndex>.<length>.<session ID octets>.<method>")
		return
	}
	id, ok := subIDOctets(ids[2 : len(ids)-1])
	if !ok {
		t.warn(name, "cafSessionId in the index is not 1 to 64 octets")
		return
	}
	v, ok := integer(pdu)
	if !ok {
		t.warn(name, "cafSessionMethodState is %s, not an INTEGER", describe(pdu))
		return
	}
	key := rowKey{ifIndex: ids[0], id: id}
	t.methods[key] = append(t.methods[key], ios.Method{Method: methodName(ids[len(ids)-1]), State: methodStateName(v)})
}

// addIfName decodes ifName.<ifIndex>.
func (t *table) addIfName(name, index string, pdu gosnmp.SnmpPDU) {
	var buf [2]uint32
	ids, ok := parseSubIDs(index, buf[:0])
	if !ok || len(ids) != 1 || ids[0] == 0 {
		t.warn(name, "ifName index is not an ifIndex")
		return
	}
	b, ok := octets(pdu)
	if !ok {
		t.warn(name, "ifName is %s, not an OCTET STRING", describe(pdu))
		return
	}
	s := strings.TrimSpace(string(b))
	if s == "" || !printable(s) {
		t.warn(name, "ifName is not a printable name: %s", hexOctets(b))
		return
	}
	t.ifNames[ids[0]] = ios.ExpandInterface(s)
}

// addNeighbor decodes ipNetToPhysicalPhysAddress.<ifIndex>.<type>.<len>.<octets>.
func (t *table) addNeighbor(name, index string, pdu gosnmp.SnmpPDU) {
	var buf [24]uint32
	ids, ok := parseSubIDs(index, buf[:0])
	if !ok || len(ids) < 3 || uint64(ids[2]) != uint64(len(ids)-3) {
		t.warn(name, "ipNetToPhysicalTable index is not <ifIndex>.<type>.<length>.<address>")
		return
	}
	raw, ok := subIDOctets(ids[3:])
	if !ok {
		t.warn(name, "ipNetToPhysicalTable index has an address octet over 255")
		return
	}
	addr, err := inetAddress(int64(ids[1]), []byte(raw))
	if err != nil {
		t.warn(name, "ipNetToPhysicalTable index: %v", err)
		return
	}
	b, ok := octets(pdu)
	if !ok {
		t.warn(name, "ipNetToPhysicalPhysAddress is %s, not an OCTET STRING", describe(pdu))
		return
	}
	mac, ok := formatMAC(b)
	if !ok || !addr.IsValid() || addr.IsUnspecified() {
		// Incomplete entries have no MAC yet; other link layers are
		// not Ethernet sessions. Neither is a fault of the agent.
		return
	}
	if t.neighbors == nil {
		t.neighbors = make(map[string][]netip.Addr)
	}
	t.neighbors[mac] = append(t.neighbors[mac], addr.Unmap())
}

// ifIndexes returns the distinct ifIndexes of the sessions, ascending.
func (t *table) ifIndexes() []uint32 {
	seen := make(map[uint32]bool, len(t.rows))
	var out []uint32
	for k := range t.rows {
		if !seen[k.ifIndex] {
			seen[k.ifIndex] = true
			out = append(out, k.ifIndex)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// sessions combines the columns into SessionKeys in table order.
func (t *table) sessions() []SessionKey {
	keys := make([]rowKey, 0, len(t.rows))
	for k := range t.rows {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ifIndex != keys[j].ifIndex {
			return keys[i].ifIndex < keys[j].ifIndex
		}
		return keys[i].id < keys[j].id
	})
	out := make([]SessionKey, 0, len(keys))
	for _, k := range keys {
		r := t.rows[k]
		s := SessionKey{
			Interface: t.ifNames[k.ifIndex],
			IfIndex:   int(k.ifIndex),
			MAC:       r.mac,
			SessionID: sessionID(k.id),
			Domain:    domainName(r.domain),
			Methods:   t.methods[k],
		}
		if r.hasStatus {
			s.Status = statusName(r.status)
			s.Authorized = r.status == statusAuthorized
		}
		if r.hasAddr {
			t.setAddress(&s, r)
		}
		if s.MAC != "" {
			for _, a := range t.neighbors[s.MAC] {
				addAddress(&s, a)
			}
		}
		out = append(out, s)
	}
	if t.dropped > 0 {
		t.warnings = append(t.warnings, Warning{Device: t.device, Message: fmt.Sprintf("%d more warnings not shown", t.dropped)})
		t.dropped = 0
	}
	return out
}

// setAddress decodes cafSessionClientAddress by cafSessionClientAddrType.
func (t *table) setAddress(s *SessionKey, r *sessionRow) {
	typ := r.addrType
	if !r.hasType {
		// An agent without the type column: the length is all there
		// is, and 4 or 16 octets can only be IPv4 or IPv6.
		switch len(r.addr) {
		case 4:
			typ = inetIPv4
		case 16:
			typ = inetIPv6
		case 0:
			return
		default:
			t.warn(r.addrOID, "cafSessionClientAddress has %d octets and no cafSessionClientAddrType: %s", len(r.addr), hexOctets(r.addr))
			return
		}
	}
	a, err := inetAddress(typ, r.addr)
	if err != nil {
		t.warn(r.addrOID, "cafSessionClientAddress: %v", err)
		return
	}
	addAddress(s, a)
}

// addAddress adds a to the session's addresses unless it is unset,
// unspecified (what a switch reports before it learns one) or known.
func addAddress(s *SessionKey, a netip.Addr) {
	if !a.IsValid() || a.IsUnspecified() {
		return
	}
	a = a.Unmap()
	if a.Is4() {
		if !s.IPv4.IsValid() {
			s.IPv4 = a
		}
		return
	}
	for _, b := range s.IPv6 {
		if b == a {
			return
		}
	}
	s.IPv6 = append(s.IPv6, a)
}

// InetAddressType values (RFC 4001).
const (
	inetUnknown = 0
	inetIPv4    = 1
	inetIPv6    = 2
	inetIPv4z   = 3
	inetIPv6z   = 4
	inetDNS     = 16
)

// inetAddress decodes an InetAddress by its InetAddressType. An empty value
// is "no address" for every type; the zone index of ipv4z/ipv6z is dropped
// because a session's address is compared without it.
func inetAddress(typ int64, b []byte) (netip.Addr, error) {
	if len(b) == 0 {
		return netip.Addr{}, nil
	}
	want := 0
	switch typ {
	case inetUnknown:
		return netip.Addr{}, fmt.Errorf("type unknown(0) with %d octets: %s", len(b), hexOctets(b))
	case inetIPv4:
		want = 4
	case inetIPv6:
		want = 16
	case inetIPv4z:
		want = 8
	case inetIPv6z:
		want = 20
	case inetDNS:
		return netip.Addr{}, fmt.Errorf("type dns(16) is a name, not an address: %q", shorten(string(b)))
	default:
		return netip.Addr{}, fmt.Errorf("unknown InetAddressType %d", typ)
	}
	if len(b) != want {
		return netip.Addr{}, fmt.Errorf("type %s needs %d octets, got %d: %s", inetTypeName(typ), want, len(b), hexOctets(b))
	}
	if typ == inetIPv4 || typ == inetIPv4z {
		return netip.AddrFrom4([4]byte(b[:4])), nil
	}
	return netip.AddrFrom16([16]byte(b[:16])), nil
}

func inetTypeName(typ int64) string {
	switch typ {
	case inetIPv4:
		return "ipv4(1)"
	case inetIPv6:
		return "ipv6(2)"
	case inetIPv4z:
		return "ipv4z(3)"
	case inetIPv6z:
		return "ipv6z(4)"
	}
	return fmt.Sprintf("%d", typ)
}

// parseSubIDs appends the sub-identifiers of a dotted decimal OID part to
// buf; ok is false for empty parts, non-digits, values over 2^32-1 or more
// sub-identifiers than buf can hold (an OID has at most 128).
func parseSubIDs(s string, buf []uint32) ([]uint32, bool) {
	if s == "" {
		return buf, false
	}
	var v uint64
	digits := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || len(buf) == cap(buf) {
				return buf, false
			}
			buf = append(buf, uint32(v))
			v, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return buf, false
		}
		v = v*10 + uint64(c-'0')
		digits++
		if v > 0xFFFFFFFF {
			return buf, false
		}
	}
	return buf, true
}

// subIDOctets turns sub-identifiers that each hold one octet into the
// octets; ok is false for 0 or more than 64 of them or a value over 255.
func subIDOctets(ids []uint32) (string, bool) {
	if len(ids) == 0 || len(ids) > 64 {
		return "", false
	}
	var b [64]byte
	for i, v := range ids {
		if v > 255 {
			return "", false
		}
		b[i] = byte(v)
	}
	return string(b[:len(ids)]), true
}

// sessionID renders cafSessionId: as text when every octet is printable
// ASCII (how IOS encodes the hex Common Session ID), else as hex.
func sessionID(id string) string {
	if printable(id) {
		return id
	}
	return strings.ToUpper(fmt.Sprintf("%x", id))
}

// printable reports whether s is non-empty visible ASCII (spaces allowed
// inside).
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s[0] != ' ' && s[len(s)-1] != ' '
}

// formatMAC renders 6 octets in lower-case colon form.
func formatMAC(b []byte) (string, bool) {
	if len(b) != 6 {
		return "", false
	}
	const hexDigits = "0123456789abcdef"
	var out [17]byte
	for i, c := range b {
		if i > 0 {
			out[3*i-1] = ':'
		}
		out[3*i] = hexDigits[c>>4]
		out[3*i+1] = hexDigits[c&0xf]
	}
	return string(out[:]), true
}

// octets returns an OCTET STRING's value.
func octets(pdu gosnmp.SnmpPDU) ([]byte, bool) {
	if pdu.Type != gosnmp.OctetString {
		return nil, false
	}
	b, ok := pdu.Value.([]byte)
	return b, ok
}

// integer returns an INTEGER's value.
func integer(pdu gosnmp.SnmpPDU) (int64, bool) {
	if pdu.Type != gosnmp.Integer {
		return 0, false
	}
	switch v := pdu.Value.(type) {
	case int:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	}
	return 0, false
}

// describe names a varbind's type for a warning, with a short value.
func describe(pdu gosnmp.SnmpPDU) string {
	switch v := pdu.Value.(type) {
	case []byte:
		return fmt.Sprintf("%s %s", pdu.Type, hexOctets(v))
	case string:
		return fmt.Sprintf("%s %q", pdu.Type, shorten(v))
	case nil:
		return pdu.Type.String()
	}
	return fmt.Sprintf("%s %v", pdu.Type, pdu.Value)
}

// hexOctets renders at most 32 octets as "00 1a 2b", marking the rest.
func hexOctets(b []byte) string {
	if len(b) == 0 {
		return "(empty)"
	}
	n := min(len(b), 32)
	s := fmt.Sprintf("% x", b[:n])
	if n < len(b) {
		s += fmt.Sprintf(" ... (%d octets)", len(b))
	}
	return s
}

// shorten cuts text quoted in a warning to 64 bytes.
func shorten(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
