package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// The filter under test in the frame table: two client-provisioning ports,
// and libpcap's default snaplen so that verdicts compare with tcpdump's.
const (
	filterSnaplen   = 262144
	filterPortSync  = 8449
	filterPortCPP   = 8905
	filterPortHTTPS = 443
	filterEphemeral = 51000
)

func filterTestPorts() []uint16 { return []uint16{filterPortSync, filterPortCPP} }

// Addresses of the frames: a client on an access VLAN, the PSN, and the
// access switch that answers a dACL deny with ICMP.
const (
	filterClient4  = "10.1.20.15"
	filterPSN4     = "10.1.1.21"
	filterSwitch4  = "10.1.20.1"
	filterClient6  = "2001:db8:20::15"
	filterPSN6     = "2001:db8:1::21"
	filterSwitch6  = "2001:db8:20::1"
	filterTPIDQ    = layers.EthernetType(0x8100)
	filterTPIDAD   = layers.EthernetType(0x88a8)
	filterTPID9100 = layers.EthernetType(0x9100)
)

// filterTags lists a frame's VLAN TPIDs, the outermost first.
type filterTags []layers.EthernetType

// filterFrames builds the test frames; its methods keep the helpers out of
// the package namespace that other test files share.
type filterFrames struct{ t testing.TB }

// serialize builds a packet from its layers, outermost first, with lengths
// and checksums filled in as a real sender would.
func (k filterFrames) serialize(ls ...gopacket.SerializableLayer) []byte {
	k.t.Helper()
	var network gopacket.NetworkLayer
	for _, l := range ls {
		var err error
		switch l := l.(type) {
		case *layers.IPv4:
			network = l
		case *layers.IPv6:
			network = l
		case *layers.TCP:
			err = l.SetNetworkLayerForChecksum(network)
		case *layers.UDP:
			err = l.SetNetworkLayerForChecksum(network)
		case *layers.ICMPv6:
			err = l.SetNetworkLayerForChecksum(network)
		}
		if err != nil {
			k.t.Fatalf("checksum layer for %T: %v", l, err)
		}
	}
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		k.t.Fatalf("serialize: %v", err)
	}
	return slices.Clone(buf.Bytes())
}

// ether builds an Ethernet frame carrying etherType behind the VLAN tags.
func (k filterFrames) ether(tags filterTags, etherType layers.EthernetType, rest ...gopacket.SerializableLayer) []byte {
	k.t.Helper()
	types := append(slices.Clone(tags), etherType)
	eth := &layers.Ethernet{
		SrcMAC:       net.HardwareAddr{0x00, 0x50, 0x56, 0x9a, 0x20, 0x15},
		DstMAC:       net.HardwareAddr{0x00, 0x1b, 0x54, 0xc2, 0x00, 0x01},
		EthernetType: types[0],
	}
	ls := []gopacket.SerializableLayer{eth}
	for i := range tags {
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: uint16(100 * (i + 1)), Type: types[i+1]})
	}
	return k.serialize(append(ls, rest...)...)
}

func (filterFrames) ip4(proto layers.IPProtocol, src, dst string, opts ...layers.IPv4Option) *layers.IPv4 {
	return &layers.IPv4{Version: 4, TTL: 64, Id: 0x1234, Flags: layers.IPv4DontFragment,
		Protocol: proto, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst), Options: opts}
}

func (filterFrames) ip6(next layers.IPProtocol, src, dst string) *layers.IPv6 {
	return &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: next, SrcIP: net.ParseIP(src), DstIP: net.ParseIP(dst)}
}

// tcp builds a segment; flags holds S, A and R. SYNs carry an MSS option,
// as real ones do, which makes their header 24 bytes.
func (filterFrames) tcp(src, dst uint16, flags string) *layers.TCP {
	seg := &layers.TCP{SrcPort: layers.TCPPort(src), DstPort: layers.TCPPort(dst), Seq: 1000, Window: 64240,
		SYN: strings.Contains(flags, "S"), ACK: strings.Contains(flags, "A"), RST: strings.Contains(flags, "R")}
	if seg.ACK {
		seg.Ack = 2000
	}
	if seg.SYN {
		seg.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}}}
	}
	return seg
}

func (filterFrames) udp(src, dst uint16) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(src), DstPort: layers.UDPPort(dst)}
}

// routerAlert is a 4-byte IPv4 option: one makes the IHL 6; with a NOP
// after it the header is padded to IHL 7.
func (filterFrames) routerAlert() layers.IPv4Option {
	return layers.IPv4Option{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}
}

func (filterFrames) nop() layers.IPv4Option { return layers.IPv4Option{OptionType: 1} }

// tcp4 builds a TCP segment from the client to the PSN (or back, by ports)
// over IPv4.
func (k filterFrames) tcp4(tags filterTags, src, dst uint16, flags string, opts ...layers.IPv4Option) []byte {
	k.t.Helper()
	from, to := filterClient4, filterPSN4
	if src < dst {
		from, to = filterPSN4, filterClient4
	}
	return k.ether(tags, layers.EthernetTypeIPv4, k.ip4(layers.IPProtocolTCP, from, to, opts...), k.tcp(src, dst, flags))
}

// tcp6 builds a TCP segment over IPv6 behind the extension headers, which
// are chained in order.
func (k filterFrames) tcp6(tags filterTags, src, dst uint16, flags string, ext ...gopacket.SerializableLayer) []byte {
	k.t.Helper()
	from, to := filterClient6, filterPSN6
	if src < dst {
		from, to = filterPSN6, filterClient6
	}
	ls := append(k.chain6(k.ip6(layers.IPProtocolTCP, from, to), layers.IPProtocolTCP, ext), k.tcp(src, dst, flags))
	return k.ether(tags, layers.EthernetTypeIPv6, ls...)
}

// chain6 links the IPv6 header, its extension headers and the transport.
func (filterFrames) chain6(h *layers.IPv6, transport layers.IPProtocol, ext []gopacket.SerializableLayer) []gopacket.SerializableLayer {
	ls := []gopacket.SerializableLayer{h}
	next := &h.NextHeader
	for _, e := range ext {
		switch e := e.(type) {
		case *layers.IPv6HopByHop:
			*next, next = layers.IPProtocolIPv6HopByHop, &e.NextHeader
		case *layers.IPv6Destination:
			*next, next = layers.IPProtocolIPv6Destination, &e.NextHeader
		case *layers.IPv6Routing:
			*next, next = layers.IPProtocolIPv6Routing, &e.NextHeader
		case *layers.IPv6Fragment:
			*next, next = layers.IPProtocolIPv6Fragment, &e.NextHeader
		}
		ls = append(ls, e)
	}
	*next = transport
	return ls
}

// hopByHop is 16 bytes long (Hdr Ext Len 1), so that the length arithmetic
// is exercised beyond the minimum 8 bytes.
func (filterFrames) hopByHop() *layers.IPv6HopByHop {
	return &layers.IPv6HopByHop{Options: []*layers.IPv6HopByHopOption{{OptionType: 0x1e, OptionData: make([]byte, 12)}}}
}

func (filterFrames) destOpts() *layers.IPv6Destination {
	return &layers.IPv6Destination{Options: []*layers.IPv6DestinationOption{{OptionType: 0x1e, OptionData: make([]byte, 4)}}}
}

// routing is 24 bytes long (Hdr Ext Len 2).
func (filterFrames) routing() *layers.IPv6Routing {
	return &layers.IPv6Routing{Reserved: make([]byte, 4), SourceRoutingIPs: []net.IP{net.ParseIP(filterPSN6)}}
}

func (filterFrames) fragment(offset uint16, more bool) *layers.IPv6Fragment {
	return &layers.IPv6Fragment{FragmentOffset: offset, MoreFragments: more, Identification: 0x5eed}
}

func (filterFrames) protocolOf(l4 gopacket.SerializableLayer) layers.IPProtocol {
	if _, ok := l4.(*layers.UDP); ok {
		return layers.IPProtocolUDP
	}
	return layers.IPProtocolTCP
}

// quote4 is the start of a client's IPv4 packet as an ICMP error quotes it:
// the IP header and the first 8 bytes of its payload (RFC 792).
func (k filterFrames) quote4(l4 gopacket.SerializableLayer, opts ...layers.IPv4Option) []byte {
	k.t.Helper()
	p := k.serialize(k.ip4(k.protocolOf(l4), filterClient4, filterPSN4, opts...), l4)
	return p[:int(p[0]&0x0f)*4+8]
}

// quote6 is a client's whole IPv6 packet, as ICMPv6 errors quote as much
// as fits (RFC 4443).
func (k filterFrames) quote6(l4 gopacket.SerializableLayer) []byte {
	k.t.Helper()
	return k.serialize(k.ip6(k.protocolOf(l4), filterClient6, filterPSN6), l4)
}

// icmp4 builds an ICMPv4 message from the access switch to the client.
func (k filterFrames) icmp4(tags filterTags, typ, code uint8, body []byte, opts ...layers.IPv4Option) []byte {
	k.t.Helper()
	return k.ether(tags, layers.EthernetTypeIPv4, k.ip4(layers.IPProtocolICMPv4, filterSwitch4, filterClient4, opts...),
		&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, code)}, gopacket.Payload(body))
}

// icmp6 builds an ICMPv6 error from the access switch to the client; the
// 4 unused bytes of an error message precede the quote.
func (k filterFrames) icmp6(tags filterTags, typ, code uint8, quote []byte, ext ...gopacket.SerializableLayer) []byte {
	k.t.Helper()
	ls := append(k.chain6(k.ip6(layers.IPProtocolICMPv6, filterSwitch6, filterClient6), layers.IPProtocolICMPv6, ext),
		&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(typ, code)}, gopacket.Payload(append(make([]byte, 4), quote...)))
	return k.ether(tags, layers.EthernetTypeIPv6, ls...)
}

// filterCase is one frame with the filter's verdict on it for ports 8449
// and 8905, and the reason when libpcap's equivalent expression decides
// otherwise.
type filterCase struct {
	name    string
	frame   []byte
	accept  bool
	libpcap string
}

const (
	filterLibpcapExtHeaders = "libpcap's tcp and icmp6[] only look at the IPv6 header's next-header field"
	filterLibpcapInnerTPID  = "libpcap's vlan accepts 0x8100, 0x88a8 and 0x9100 at every depth"
	filterLibpcapTruncated  = "libpcap only needs the ports; the tracker needs the TCP flags"
	filterLibpcapIHL        = "libpcap trusts any IHL, even below the minimum 5"
)

func filterCases(t testing.TB) []filterCase {
	t.Helper()
	k := filterFrames{t}
	synTo := func(port uint16) *layers.TCP { return k.tcp(filterEphemeral, port, "S") }
	v4 := k.ip4(layers.IPProtocolTCP, filterClient4, filterPSN4)
	v4.Flags, v4.FragOffset = 0, 185
	nonFirst4 := k.ether(nil, layers.EthernetTypeIPv4, v4, synTo(filterPortSync))
	inner4 := k.ip4(layers.IPProtocolTCP, filterClient4, filterPSN4)
	inner4.Flags, inner4.FragOffset = 0, 185
	innerNonFirst := k.serialize(inner4, synTo(filterPortSync))[:28]
	first4 := k.ip4(layers.IPProtocolTCP, filterClient4, filterPSN4)
	first4.Flags = layers.IPv4MoreFragments
	// With IHL 4 the destination address 33.1.1.21 sits where the ports
	// would be and reads as port 8449.
	ihl4 := k.ether(nil, layers.EthernetTypeIPv4, k.ip4(layers.IPProtocolTCP, filterClient4, "33.1.1.21"), k.tcp(filterEphemeral, filterPortHTTPS, "S"))
	ihl4[14] = 0x44
	syn := k.tcp4(nil, filterEphemeral, filterPortSync, "S")

	return []filterCase{
		// TCP over IPv4 and IPv6 in both directions, untagged.
		{name: "ipv4 SYN to 8449", frame: syn, accept: true},
		{name: "ipv4 SYN-ACK from 8449", frame: k.tcp4(nil, filterPortSync, filterEphemeral, "SA"), accept: true},
		{name: "ipv4 RST-ACK from 8449", frame: k.tcp4(nil, filterPortSync, filterEphemeral, "RA"), accept: true},
		{name: "ipv4 SYN to 8905", frame: k.tcp4(nil, filterEphemeral, filterPortCPP, "S"), accept: true},
		{name: "ipv4 RST from 8905", frame: k.tcp4(nil, filterPortCPP, filterEphemeral, "R"), accept: true},
		{name: "ipv6 SYN to 8449", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S"), accept: true},
		{name: "ipv6 SYN-ACK from 8449", frame: k.tcp6(nil, filterPortSync, filterEphemeral, "SA"), accept: true},
		{name: "ipv6 RST from 8449", frame: k.tcp6(nil, filterPortSync, filterEphemeral, "R"), accept: true},
		{name: "ipv6 SYN-ACK from 8905", frame: k.tcp6(nil, filterPortCPP, filterEphemeral, "SA"), accept: true},

		// VLAN tags.
		{name: "802.1Q ipv4 SYN", frame: k.tcp4(filterTags{filterTPIDQ}, filterEphemeral, filterPortSync, "S"), accept: true},
		{name: "802.1Q ipv6 SYN-ACK", frame: k.tcp6(filterTags{filterTPIDQ}, filterPortSync, filterEphemeral, "SA"), accept: true},
		{name: "802.1ad single tag ipv4 RST", frame: k.tcp4(filterTags{filterTPIDAD}, filterPortSync, filterEphemeral, "R"), accept: true},
		{name: "0x9100 single tag ipv6 SYN", frame: k.tcp6(filterTags{filterTPID9100}, filterEphemeral, filterPortSync, "S"), accept: true},
		{name: "QinQ 88a8+8100 ipv4 SYN", frame: k.tcp4(filterTags{filterTPIDAD, filterTPIDQ}, filterEphemeral, filterPortSync, "S"), accept: true},
		{name: "QinQ 88a8+8100 ipv6 RST", frame: k.tcp6(filterTags{filterTPIDAD, filterTPIDQ}, filterPortSync, filterEphemeral, "R"), accept: true},
		{name: "QinQ 8100+8100 ipv4 SYN-ACK", frame: k.tcp4(filterTags{filterTPIDQ, filterTPIDQ}, filterPortSync, filterEphemeral, "SA"), accept: true},
		{name: "QinQ 9100+8100 ipv6 SYN", frame: k.tcp6(filterTags{filterTPID9100, filterTPIDQ}, filterEphemeral, filterPortCPP, "S"), accept: true},
		{name: "3 VLAN tags ipv4 SYN (kernel filter limit)", frame: k.tcp4(filterTags{filterTPIDAD, filterTPIDQ, filterTPIDQ}, filterEphemeral, filterPortSync, "S")},
		{name: "QinQ 88a8+88a8 ipv4 SYN (inner TPID not 0x8100)", frame: k.tcp4(filterTags{filterTPIDAD, filterTPIDAD}, filterEphemeral, filterPortSync, "S"), libpcap: filterLibpcapInnerTPID},

		// IPv4 header length and fragments.
		{name: "ipv4 options (IHL 6) SYN", frame: k.tcp4(nil, filterEphemeral, filterPortSync, "S", k.routerAlert()), accept: true},
		{name: "QinQ ipv4 options (IHL 7) SYN-ACK", frame: k.tcp4(filterTags{filterTPIDAD, filterTPIDQ}, filterPortSync, filterEphemeral, "SA", k.routerAlert(), k.nop()), accept: true},
		{name: "ipv4 first fragment SYN", frame: k.ether(nil, layers.EthernetTypeIPv4, first4, synTo(filterPortSync)), accept: true},
		{name: "ipv4 non-first fragment holding bytes of a SYN to 8449", frame: nonFirst4},
		{name: "ipv4 IHL 4 (below the minimum 5)", frame: ihl4, libpcap: filterLibpcapIHL},
		{name: "ipv4 ethertype carrying an ipv6 packet", frame: k.ether(nil, layers.EthernetTypeIPv4, k.ip6(layers.IPProtocolTCP, filterClient6, filterPSN6), synTo(filterPortSync))},

		// IPv6 extension headers.
		{name: "ipv6 hop-by-hop SYN", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.hopByHop()), accept: true, libpcap: filterLibpcapExtHeaders},
		{name: "ipv6 destination options SYN", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.destOpts()), accept: true, libpcap: filterLibpcapExtHeaders},
		{name: "ipv6 routing SYN-ACK", frame: k.tcp6(nil, filterPortSync, filterEphemeral, "SA", k.routing()), accept: true, libpcap: filterLibpcapExtHeaders},
		{name: "ipv6 first fragment SYN", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.fragment(0, true)), accept: true, libpcap: filterLibpcapExtHeaders},
		{name: "QinQ ipv6 hop-by-hop SYN", frame: k.tcp6(filterTags{filterTPIDAD, filterTPIDQ}, filterEphemeral, filterPortSync, "S", k.hopByHop()), accept: true, libpcap: filterLibpcapExtHeaders},
		{name: "ipv6 non-first fragment holding bytes of a SYN to 8449", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.fragment(185, false))},
		{name: "ipv6 hop-by-hop and destination options SYN (kernel filter limit)", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.hopByHop(), k.destOpts())},

		// ICMP errors quoting a client's SYN.
		{name: "icmp admin prohibited quoting SYN to 8449", frame: k.icmp4(nil, 3, 13, k.quote4(synTo(filterPortSync))), accept: true},
		{name: "icmp host unreachable quoting SYN with options (inner IHL 7)", frame: k.icmp4(nil, 3, 1, k.quote4(synTo(filterPortSync), k.routerAlert(), k.nop())), accept: true},
		{name: "802.1Q icmp with outer IHL 6 quoting SYN with inner IHL 7", frame: k.icmp4(filterTags{filterTPIDQ}, 3, 13, k.quote4(synTo(filterPortSync), k.routerAlert(), k.nop()), k.routerAlert()), accept: true},
		{name: "QinQ icmp port unreachable quoting SYN to 8905", frame: k.icmp4(filterTags{filterTPIDAD, filterTPIDQ}, 3, 3, k.quote4(synTo(filterPortCPP))), accept: true},
		{name: "icmp unreachable quoting SYN-ACK from 8449", frame: k.icmp4(nil, 3, 1, k.quote4(k.tcp(filterPortSync, filterEphemeral, "SA"))), accept: true},
		{name: "icmpv6 admin prohibited quoting SYN to 8449", frame: k.icmp6(nil, 1, 1, k.quote6(synTo(filterPortSync))), accept: true},
		{name: "802.1Q icmpv6 address unreachable quoting SYN to 8905", frame: k.icmp6(filterTags{filterTPIDQ}, 1, 3, k.quote6(synTo(filterPortCPP))), accept: true},
		{name: "QinQ 9100+8100 icmpv6 reject route quoting SYN to 8449", frame: k.icmp6(filterTags{filterTPID9100, filterTPIDQ}, 1, 6, k.quote6(synTo(filterPortSync))), accept: true},
		{name: "icmpv6 behind hop-by-hop quoting SYN to 8449", frame: k.icmp6(nil, 1, 1, k.quote6(synTo(filterPortSync)), k.hopByHop()), accept: true, libpcap: filterLibpcapExtHeaders},

		// Other traffic.
		{name: "ipv4 TCP to 443", frame: k.tcp4(nil, filterEphemeral, filterPortHTTPS, "S")},
		{name: "ipv6 TCP to 443", frame: k.tcp6(filterTags{filterTPIDQ}, filterEphemeral, filterPortHTTPS, "S")},
		{name: "ipv4 UDP to 8449", frame: k.ether(nil, layers.EthernetTypeIPv4, k.ip4(layers.IPProtocolUDP, filterClient4, filterPSN4), k.udp(filterEphemeral, filterPortSync), gopacket.Payload("posture"))},
		{name: "ipv6 UDP to 8449", frame: k.ether(nil, layers.EthernetTypeIPv6, k.ip6(layers.IPProtocolUDP, filterClient6, filterPSN6), k.udp(filterEphemeral, filterPortSync), gopacket.Payload("posture"))},
		{name: "ARP request", frame: k.ether(filterTags{filterTPIDQ}, layers.EthernetTypeARP, &layers.ARP{
			AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: []byte{0x00, 0x50, 0x56, 0x9a, 0x20, 0x15},
			SourceProtAddress: net.ParseIP(filterClient4).To4(), DstHwAddress: make([]byte, 6), DstProtAddress: net.ParseIP(filterSwitch4).To4()})},
		{name: "LLDP", frame: k.ether(nil, layers.EthernetType(0x88cc), gopacket.Payload(bytes.Repeat([]byte{0x21, 0x01}, 20)))},
		{name: "icmp echo request", frame: k.icmp4(nil, 8, 0, k.quote4(synTo(filterPortSync)))},
		{name: "icmpv6 echo request", frame: k.ether(nil, layers.EthernetTypeIPv6, k.ip6(layers.IPProtocolICMPv6, filterClient6, filterPSN6),
			&layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(128, 0)}, &layers.ICMPv6Echo{Identifier: 1, SeqNumber: 1})},
		{name: "icmp unreachable quoting TCP to 443", frame: k.icmp4(nil, 3, 13, k.quote4(synTo(filterPortHTTPS)))},
		{name: "icmp unreachable quoting UDP to 8449", frame: k.icmp4(nil, 3, 3, k.quote4(k.udp(filterEphemeral, filterPortSync)))},
		{name: "icmp unreachable quoting a non-first fragment", frame: k.icmp4(nil, 3, 13, innerNonFirst)},
		{name: "icmp time exceeded quoting SYN to 8449", frame: k.icmp4(nil, 11, 0, k.quote4(synTo(filterPortSync)))},
		{name: "icmpv6 unreachable quoting TCP to 443", frame: k.icmp6(nil, 1, 1, k.quote6(synTo(filterPortHTTPS)))},
		{name: "icmpv6 unreachable quoting UDP to 8449", frame: k.icmp6(nil, 1, 4, k.quote6(k.udp(filterEphemeral, filterPortSync)))},
		{name: "icmpv6 packet too big quoting SYN to 8449", frame: k.icmp6(nil, 2, 0, k.quote6(synTo(filterPortSync)))},

		// Frames too short for their headers: cut after the ports, before
		// the TCP flags, and inside the IPv4 header.
		{name: "ipv4 SYN-ACK from 8449 cut before the TCP flags", frame: k.tcp4(nil, filterPortSync, filterEphemeral, "SA")[:14+20+12], libpcap: filterLibpcapTruncated},
		{name: "ipv4 SYN to 8449 cut inside the IPv4 header", frame: syn[:14+16]},
		{name: "ethernet header only", frame: syn[:14]},
		{name: "empty frame", frame: []byte{}},
	}
}

// filterVM builds the filter and loads it, as the kernel would, from its
// raw form.
func filterVM(t testing.TB, ports []uint16, snaplen uint32) *bpf.VM {
	t.Helper()
	raw, err := Filter(ports, snaplen)
	if err != nil {
		t.Fatalf("Filter(%v, %d): %v", ports, snaplen, err)
	}
	return filterRawVM(t, raw)
}

func filterRawVM(t testing.TB, raw []bpf.RawInstruction) *bpf.VM {
	t.Helper()
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("program does not disassemble: %v", raw)
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("NewVM: %v", err)
	}
	return vm
}

func filterRun(t testing.TB, vm *bpf.VM, frame []byte) int {
	t.Helper()
	n, err := vm.Run(frame)
	if err != nil {
		t.Fatalf("VM filterRun: %v", err)
	}
	return n
}

func TestFilterVerdicts(t *testing.T) {
	vm := filterVM(t, filterTestPorts(), filterSnaplen)
	for _, c := range filterCases(t) {
		t.Run(c.name, func(t *testing.T) {
			want := 0
			if c.accept {
				want = filterSnaplen
			}
			if got := filterRun(t, vm, c.frame); got != want {
				t.Errorf("verdict %d, want %d; frame % x", got, want, c.frame)
			}
			if got := filterReference(c.frame, filterTestPorts()); got != c.accept {
				t.Errorf("reference verdict %v, want %v", got, c.accept)
			}
		})
	}
}

func TestFilterPortSelection(t *testing.T) {
	k := filterFrames{t}
	cases := []struct {
		name  string
		ports []uint16
		frame []byte
		want  int
	}{
		{"8449 only: SYN to 8449", []uint16{filterPortSync}, k.tcp4(nil, filterEphemeral, filterPortSync, "S"), 128},
		{"8449 only: SYN to 8905", []uint16{filterPortSync}, k.tcp4(nil, filterEphemeral, filterPortCPP, "S"), 0},
		{"8449 only: icmp quoting SYN to 8905", []uint16{filterPortSync}, k.icmp4(nil, 3, 13, k.quote4(k.tcp(filterEphemeral, filterPortCPP, "S"))), 0},
		{"8905 only: SYN-ACK from 8449", []uint16{filterPortCPP}, k.tcp6(nil, filterPortSync, filterEphemeral, "SA"), 0},
		{"8905 only: SYN-ACK from 8905", []uint16{filterPortCPP}, k.tcp6(nil, filterPortCPP, filterEphemeral, "SA"), 128},
		{"443 and 8449: SYN to 443", []uint16{filterPortSync, filterPortHTTPS}, k.tcp4(nil, filterEphemeral, filterPortHTTPS, "S"), 128},
		{"ephemeral port configured: SYN from it", []uint16{filterEphemeral}, k.tcp4(nil, filterEphemeral, filterPortSync, "S"), 128},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := filterRun(t, filterVM(t, c.ports, 128), c.frame); got != c.want {
				t.Errorf("verdict %d, want %d", got, c.want)
			}
		})
	}
}

// TestFilterTruncated cuts accepted frames at every length: the program
// must accept exactly from the length that holds every header it reads,
// since a load past the end ends the program with 0.
func TestFilterTruncated(t *testing.T) {
	k := filterFrames{t}
	syn := k.tcp(filterEphemeral, filterPortSync, "S")
	cases := []struct {
		name  string
		frame []byte
		need  int
	}{
		{"ipv4 SYN: TCP flags at 14+20+13", k.tcp4(nil, filterEphemeral, filterPortSync, "S"), 14 + 20 + 14},
		{"QinQ ipv6 hop-by-hop SYN: TCP flags at 22+40+16+13", k.tcp6(filterTags{filterTPIDAD, filterTPIDQ}, filterEphemeral, filterPortSync, "S", k.hopByHop()), 22 + 40 + 16 + 14},
		{"ipv6 first fragment SYN: TCP flags at 14+40+8+13", k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.fragment(0, true)), 14 + 40 + 8 + 14},
		{"802.1Q icmp IHL 6 quoting IHL 7: ports at 18+24+8+28", k.icmp4(filterTags{filterTPIDQ}, 3, 13, k.quote4(syn, k.routerAlert(), k.nop()), k.routerAlert()), 18 + 24 + 8 + 28 + 4},
		{"icmpv6: ports at 14+40+8+40", k.icmp6(nil, 1, 1, k.quote6(syn)), 14 + 40 + 8 + 40 + 4},
	}
	vm := filterVM(t, filterTestPorts(), 128)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.frame) < c.need {
				t.Fatalf("frame of %d bytes is shorter than %d", len(c.frame), c.need)
			}
			for n := 0; n <= len(c.frame); n++ {
				want := 0
				if n >= c.need {
					want = 128
				}
				if got := filterRun(t, vm, c.frame[:n]); got != want {
					t.Errorf("cut at %d bytes: verdict %d, want %d", n, got, want)
				}
			}
		})
	}
}

func TestFilterErrors(t *testing.T) {
	many := func(n int) []uint16 {
		ps := make([]uint16, n)
		for i := range ps {
			ps[i] = uint16(8000 + i)
		}
		return ps
	}
	cases := []struct {
		name    string
		ports   []uint16
		snaplen uint32
		want    string
	}{
		{"nil ports", nil, 128, "kernel filter: no ports"},
		{"empty ports", []uint16{}, 128, "kernel filter: no ports"},
		{"port 0", []uint16{0}, 128, "kernel filter: port 0 in [0] is not a TCP port a client connects to"},
		{"port 0 among others", []uint16{8449, 0, 8905}, 128, "kernel filter: port 0 in [8449 0 8905] is not a TCP port a client connects to"},
		{"33 ports", many(33), 128, "kernel filter: 33 distinct ports, at most 32"},
		{"snaplen 0", []uint16{8449}, 0, "kernel filter: snaplen 0 would drop every frame"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw, err := Filter(c.ports, c.snaplen)
			if err == nil || err.Error() != c.want {
				t.Fatalf("Filter error %v, want %q", err, c.want)
			}
			if raw != nil {
				t.Errorf("program of %d instructions returned with the error", len(raw))
			}
		})
	}
}

// TestFilterPortSets checks de-duplication, order independence, the
// program's size, and that every port of the largest set is matched both
// ways, which also proves the longest conditional jumps assemble.
func TestFilterPortSets(t *testing.T) {
	k := filterFrames{t}
	set32 := make([]uint16, 0, 40)
	for i := range 32 {
		set32 = append(set32, uint16(9000+31-i))
	}
	withDups := append(slices.Clone(set32), 9000, 9031, 9015, 9000, 9001, 9002, 9003, 9004)
	cases := []struct {
		name  string
		ports []uint16
		same  []uint16
		size  int
	}{
		{"one port", []uint16{8449}, []uint16{8449, 8449, 8449}, 108},
		{"two ports in either order", []uint16{8905, 8449}, []uint16{8449, 8905, 8449}, 110},
		{"16 ports", set32[:16], slices.Concat(set32[:16], set32[:16]), 138},
		{"32 ports with duplicates", withDups, set32, 170},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Filter(c.ports, 128)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Filter(c.same, 128)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(a, b) {
				t.Errorf("Filter(%v) and Filter(%v) differ", c.ports, c.same)
			}
			if len(a) != c.size {
				t.Errorf("%d instructions, want %d", len(a), c.size)
			}
			vm := filterRawVM(t, a)
			for _, p := range c.ports {
				if got := filterRun(t, vm, k.tcp4(filterTags{filterTPIDAD, filterTPIDQ}, filterEphemeral, p, "S")); got != 128 {
					t.Errorf("SYN to %d: verdict %d, want 128", p, got)
				}
				if got := filterRun(t, vm, k.tcp6(nil, p, filterEphemeral, "SA")); got != 128 {
					t.Errorf("SYN-ACK from %d: verdict %d, want 128", p, got)
				}
			}
			if got := filterRun(t, vm, k.tcp4(nil, filterEphemeral, 8999, "S")); got != 0 {
				t.Errorf("SYN to 8999: verdict %d, want 0", got)
			}
		})
	}
}

func TestBPFProgramResolve(t *testing.T) {
	cases := []struct {
		name  string
		build func(p *bpfProgram)
		want  []bpf.Instruction
		err   string
	}{
		{
			name: "forward jumps",
			build: func(p *bpfProgram) {
				p.emit(bpf.LoadAbsolute{Off: 12, Size: 2})
				p.jumpIf(bpf.JumpEqual, 0x800, "yes", "")
				p.jump("no")
				p.mark("yes")
				p.emit(bpf.RetConstant{Val: 1})
				p.mark("no")
				p.emit(bpf.RetConstant{Val: 0})
			},
			want: []bpf.Instruction{
				bpf.LoadAbsolute{Off: 12, Size: 2},
				bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x800, SkipTrue: 1},
				bpf.Jump{Skip: 1},
				bpf.RetConstant{Val: 1},
				bpf.RetConstant{Val: 0},
			},
		},
		{
			name: "unconditional jump beyond 255",
			build: func(p *bpfProgram) {
				p.jump("end")
				for range 300 {
					p.emit(bpf.TAX{})
				}
				p.mark("end")
				p.emit(bpf.RetConstant{Val: 0})
			},
			want: slices.Concat([]bpf.Instruction{bpf.Jump{Skip: 300}}, slices.Repeat([]bpf.Instruction{bpf.TAX{}}, 300), []bpf.Instruction{bpf.RetConstant{}}),
		},
		{
			name: "conditional jump beyond 255",
			build: func(p *bpfProgram) {
				p.jumpIf(bpf.JumpEqual, 1, "", "end")
				for range 256 {
					p.emit(bpf.TAX{})
				}
				p.mark("end")
				p.emit(bpf.RetConstant{Val: 0})
			},
			err: "instruction 0: conditional jump of 0/256 instructions exceeds the 8-bit skip",
		},
		{
			name: "unknown label",
			build: func(p *bpfProgram) {
				p.jump("nowhere")
				p.emit(bpf.RetConstant{Val: 0})
			},
			err: `instruction 0 jumps to unknown label "nowhere"`,
		},
		{
			name: "backward jump",
			build: func(p *bpfProgram) {
				p.mark("top")
				p.emit(bpf.TAX{})
				p.jumpIf(bpf.JumpEqual, 1, "top", "")
				p.emit(bpf.RetConstant{Val: 0})
			},
			err: `instruction 1 jumps backward to label "top" at 0`,
		},
		{
			name: "label past the end",
			build: func(p *bpfProgram) {
				p.jump("end")
				p.emit(bpf.RetConstant{Val: 0})
				p.mark("end")
			},
			err: `instruction 0 jumps to label "end" past the end`,
		},
		{
			name: "label marked twice",
			build: func(p *bpfProgram) {
				p.mark("a")
				p.emit(bpf.TAX{})
				p.mark("a")
				p.emit(bpf.RetConstant{Val: 0})
			},
			err: `label "a" marked twice`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p bpfProgram
			c.build(&p)
			got, err := p.resolve()
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("resolved\n%v\nwant\n%v", got, c.want)
			}
		})
	}
}

// filterReference is the filter's specification written as plain Go, an
// oracle independent of the BPF program that the fuzz target compares
// with it.
func filterReference(frame []byte, ports []uint16) bool {
	be16 := func(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
	from := func(b []byte, off int) []byte {
		if off > len(b) {
			return nil
		}
		return b[off:]
	}
	matches := func(seg []byte, need int) bool {
		return len(seg) >= need && (slices.Contains(ports, be16(seg[0:])) || slices.Contains(ports, be16(seg[2:])))
	}
	if len(frame) < 14 {
		return false
	}
	etherType, off := be16(frame[12:]), 14
	for depth := 0; ; depth++ {
		outer := depth == 0 && (etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100)
		inner := depth == 1 && etherType == 0x8100
		if !outer && !inner {
			break
		}
		if len(frame) < off+4 {
			return false
		}
		etherType, off = be16(frame[off+2:]), off+4
	}
	ip := frame[off:]
	switch etherType {
	case 0x0800:
		if len(ip) < 20 || ip[0]>>4 != 4 || ip[0]&0x0f < 5 || be16(ip[6:])&0x1fff != 0 {
			return false
		}
		l4 := from(ip, int(ip[0]&0x0f)*4)
		switch ip[9] {
		case 6:
			return matches(l4, 14)
		case 1:
			if len(l4) < 28 || l4[0] != 3 || l4[8]>>4 != 4 || l4[8]&0x0f < 5 || l4[17] != 6 || be16(l4[14:])&0x1fff != 0 {
				return false
			}
			return matches(from(l4, 8+int(l4[8]&0x0f)*4), 4)
		}
	case 0x86dd:
		if len(ip) < 40 || ip[0]>>4 != 6 {
			return false
		}
		next, l4 := ip[6], ip[40:]
		switch next {
		case 0, 43, 60:
			if len(l4) < 2 {
				return false
			}
			next, l4 = l4[0], from(l4, (int(l4[1])+1)*8)
		case 44:
			if len(l4) < 8 || be16(l4[2:])&0xfff8 != 0 {
				return false
			}
			next, l4 = l4[0], l4[8:]
		}
		switch next {
		case 6:
			return matches(l4, 14)
		case 58:
			if len(l4) < 48 || l4[0] != 1 || l4[8]>>4 != 6 || l4[14] != 6 {
				return false
			}
			return matches(l4[48:], 4)
		}
	}
	return false
}

// FuzzFilter compares the program's verdict with filterReference on
// arbitrary frames, for 8449 and one more port.
func FuzzFilter(f *testing.F) {
	for _, c := range filterCases(f) {
		f.Add(c.frame, uint16(filterPortCPP))
	}
	f.Add([]byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, frame []byte, extra uint16) {
		ports := []uint16{filterPortSync}
		if extra != 0 {
			ports = append(ports, extra)
		}
		want := 0
		if filterReference(frame, ports) {
			want = 96
		}
		if got := filterRun(t, filterVM(t, ports, 96), frame); got != want {
			t.Errorf("ports %v: verdict %d, reference %d; frame % x", ports, got, want, frame)
		}
	})
}

// filterLibpcapExpression is the closest pcap-filter(7) expression to Filter:
// the same test at 0, 1 and 2 tags (each vlan keyword shifts the offsets
// for the rest of the expression, hence the repetition).
func filterLibpcapExpression(ports []uint16) string {
	var tcpPorts, inner4, inner6 []string
	for _, p := range ports {
		tcpPorts = append(tcpPorts, fmt.Sprintf("tcp port %d", p))
		inner4 = append(inner4,
			fmt.Sprintf("icmp[8 + (icmp[8] & 0xf) * 4 : 2] = %d", p),
			fmt.Sprintf("icmp[10 + (icmp[8] & 0xf) * 4 : 2] = %d", p))
		inner6 = append(inner6, fmt.Sprintf("icmp6[48:2] = %d", p), fmt.Sprintf("icmp6[50:2] = %d", p))
	}
	icmpv4 := "(icmp[0] = 3 and icmp[8] & 0xf0 = 0x40 and icmp[8] & 0xf >= 5 and icmp[17] = 6 and icmp[14:2] & 0x1fff = 0 and (" +
		strings.Join(inner4, " or ") + "))"
	icmpv6 := "(icmp6[0] = 1 and icmp6[8] & 0xf0 = 0x60 and icmp6[14] = 6 and (" + strings.Join(inner6, " or ") + "))"
	one := "(" + strings.Join(tcpPorts, " or ") + " or " + icmpv4 + " or " + icmpv6 + ")"
	return one + " or (vlan and " + one + ") or (vlan and " + one + ")"
}

// filterEmptyPcap is a pcap file header for Ethernet with libpcap's default
// snaplen, from which tcpdump compiles a filter without an interface.
func filterEmptyPcap() []byte {
	h := make([]byte, 24)
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], filterSnaplen)
	binary.LittleEndian.PutUint32(h[20:], uint32(LinkEthernet))
	return h
}

// parseTcpdumpDD reads tcpdump -dd output: one "{ op, jt, jf, k }," per line.
func parseTcpdumpDD(out string) ([]bpf.RawInstruction, error) {
	var raw []bpf.RawInstruction
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Split(strings.Trim(strings.TrimSpace(line), "{},"), ",")
		if len(fields) != 4 {
			return nil, fmt.Errorf("line %d: %q is not { op, jt, jf, k }", i+1, line)
		}
		var v [4]uint64
		for j, f := range fields {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 0, 32)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			v[j] = n
		}
		raw = append(raw, bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])})
	}
	return raw, nil
}

// TestFilterMatchesLibpcap runs tcpdump's compilation of the equivalent
// expression over the same frames: the verdicts must agree except on the
// cases whose libpcap field names the documented difference.
func TestFilterMatchesLibpcap(t *testing.T) {
	tcpdump := testenv.Command(t, "tcpdump")
	expr := filterLibpcapExpression(filterTestPorts())
	cmd := exec.Command(tcpdump, "-dd", "-r", "-", expr)
	cmd.Stdin = bytes.NewReader(filterEmptyPcap())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tcpdump -dd %q: %v: %s", expr, err, stderr.Bytes())
	}
	raw, err := parseTcpdumpDD(string(out))
	if err != nil {
		t.Fatalf("tcpdump -dd output: %v", err)
	}
	theirs := filterRawVM(t, raw)
	ours := filterVM(t, filterTestPorts(), filterSnaplen)
	for _, c := range filterCases(t) {
		t.Run(c.name, func(t *testing.T) {
			our, their := filterRun(t, ours, c.frame), filterRun(t, theirs, c.frame)
			differs := (our != 0) != (their != 0)
			if differs != (c.libpcap != "") {
				t.Errorf("ours %d, libpcap %d; documented difference %q", our, their, c.libpcap)
			}
		})
	}
}

func BenchmarkFilterVM(b *testing.B) {
	cases := filterCases(b)
	vm := filterVM(b, filterTestPorts(), filterSnaplen)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if _, err := vm.Run(c.frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFilter(b *testing.B) {
	ports := filterTestPorts()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Filter(ports, filterSnaplen); err != nil {
			b.Fatal(err)
		}
	}
}
