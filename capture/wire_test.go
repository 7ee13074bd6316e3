package capture

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// wireBase is the capture start of the test traffic.
var wireBase = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// seg describes one TCP segment, or with icmp set, an ICMP destination
// unreachable quoting it, as gopacket serializes it: the tests build their
// frames with an implementation independent of the decoder.
type seg struct {
	at           time.Duration // since wireBase
	src, dst     string        // addresses
	sport, dport uint16
	seq, ack     uint32
	flags        string // letters: S A R F P
	ipid         uint16
	ttl          uint8
	payload      int
	srcMAC       string
	dstMAC       string
	vlans        []uint16 // outermost first
	outerTPID    layers.EthernetType
	hopByHop     bool
	iface        string
	// icmp, when set, wraps the segment in an ICMP destination unreachable
	// from icmpFrom with this code; quote limits the quoted TCP bytes.
	icmp     bool
	icmpCode uint8
	icmpFrom string
	quote    int
	// snap cuts the frame to this many bytes.
	snap int
}

func (s seg) tcpLayer() *layers.TCP {
	t := &layers.TCP{SrcPort: layers.TCPPort(s.sport), DstPort: layers.TCPPort(s.dport), Seq: s.seq, Ack: s.ack, Window: 64240}
	for _, c := range s.flags {
		switch c {
		case 'S':
			t.SYN = true
		case 'A':
			t.ACK = true
		case 'R':
			t.RST = true
		case 'F':
			t.FIN = true
		case 'P':
			t.PSH = true
		}
	}
	if t.SYN {
		t.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2}, {OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}}}
	}
	return t
}

func mustMAC(t testing.TB, s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ipPacket serializes the IP packet (header and TCP) of s.
func (s seg) ipPacket(t testing.TB) (gopacket.SerializableLayer, []gopacket.SerializableLayer, layers.EthernetType) {
	src, dst := netip.MustParseAddr(s.src), netip.MustParseAddr(s.dst)
	tcp := s.tcpLayer()
	ttl := s.ttl
	if ttl == 0 {
		ttl = 64
	}
	pl := gopacket.Payload(make([]byte, s.payload))
	if src.Is4() {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: ttl, Id: s.ipid, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
		if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
			t.Fatal(err)
		}
		return ip, []gopacket.SerializableLayer{ip, tcp, pl}, layers.EthernetTypeIPv4
	}
	ip := &layers.IPv6{Version: 6, HopLimit: ttl, NextHeader: layers.IPProtocolTCP, SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	if s.hopByHop {
		ip.NextHeader = layers.IPProtocolIPv6HopByHop
		hbh := &layers.IPv6HopByHop{}
		hbh.NextHeader = layers.IPProtocolTCP
		// Router Alert option, padded to 8 bytes.
		hbh.Options = []*layers.IPv6HopByHopOption{{OptionType: 5, OptionLength: 2, OptionData: []byte{0, 0}}, {OptionType: 1, OptionLength: 0, OptionData: []byte{}}}
		return ip, []gopacket.SerializableLayer{ip, hbh, tcp, pl}, layers.EthernetTypeIPv6
	}
	return ip, []gopacket.SerializableLayer{ip, tcp, pl}, layers.EthernetTypeIPv6
}

func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatalf("serialize: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// frame returns the Ethernet frame of s.
func (s seg) frame(t testing.TB) []byte {
	_, ipLayers, etherType := s.ipPacket(t)
	var body []gopacket.SerializableLayer
	if s.icmp {
		inner := serialize(t, ipLayers...)
		// Quote the IP header and s.quote bytes of TCP (8 by default, as
		// RFC 792 asks).
		q := s.quote
		if q == 0 {
			q = 8
		}
		ihl := 20
		if etherType == layers.EthernetTypeIPv6 {
			ihl = 40
			if s.hopByHop {
				ihl += 8
			}
		} else {
			ihl = int(inner[0]&0x0f) * 4
		}
		if ihl+q < len(inner) {
			inner = inner[:ihl+q]
		}
		from, to := netip.MustParseAddr(s.icmpFrom), netip.MustParseAddr(s.src)
		if from.Is4() {
			ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 255, Protocol: layers.IPProtocolICMPv4, SrcIP: from.AsSlice(), DstIP: to.AsSlice()}
			icmp := &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, s.icmpCode)}
			body = []gopacket.SerializableLayer{ip, icmp, gopacket.Payload(inner)}
		} else {
			ip := &layers.IPv6{Version: 6, HopLimit: 255, NextHeader: layers.IPProtocolICMPv6, SrcIP: from.AsSlice(), DstIP: to.AsSlice()}
			icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(1, s.icmpCode)}
			if err := icmp.SetNetworkLayerForChecksum(ip); err != nil {
				t.Fatal(err)
			}
			// 4 unused bytes follow the ICMPv6 header before the quote.
			body = []gopacket.SerializableLayer{ip, icmp, gopacket.Payload(append([]byte{0, 0, 0, 0}, inner...))}
		}
	} else {
		body = ipLayers
	}
	srcMAC, dstMAC := s.srcMAC, s.dstMAC
	if srcMAC == "" {
		srcMAC = "02:00:00:00:00:01"
	}
	if dstMAC == "" {
		dstMAC = "02:00:00:00:00:02"
	}
	eth := &layers.Ethernet{SrcMAC: mustMAC(t, srcMAC), DstMAC: mustMAC(t, dstMAC), EthernetType: etherType}
	if s.icmp {
		eth.EthernetType = layers.EthernetTypeIPv4
		if !netip.MustParseAddr(s.icmpFrom).Is4() {
			eth.EthernetType = layers.EthernetTypeIPv6
		}
	}
	ls := []gopacket.SerializableLayer{eth}
	if len(s.vlans) > 0 {
		inner := eth.EthernetType
		outer := s.outerTPID
		if outer == 0 {
			outer = layers.EthernetTypeDot1Q
		}
		eth.EthernetType = outer
		for i, id := range s.vlans {
			next := layers.EthernetTypeDot1Q
			if i == len(s.vlans)-1 {
				next = inner
			}
			ls = append(ls, &layers.Dot1Q{VLANIdentifier: id, Type: next})
		}
	}
	b := serialize(t, append(ls, body...)...)
	if s.snap > 0 && s.snap < len(b) {
		b = b[:s.snap]
	}
	return b
}

// wireFrame is a frame with its capture metadata.
type wireFrame struct {
	Frame
	data []byte
}

func (s seg) wire(t testing.TB) wireFrame {
	full := s.frame(t)
	length := len(full)
	if s.snap > 0 {
		// frame() already cut it; recompute the original length.
		s2 := s
		s2.snap = 0
		length = len(s2.frame(t))
	}
	iface := s.iface
	if iface == "" {
		iface = "span0"
	}
	return wireFrame{Frame: Frame{Data: full, Timestamp: wireBase.Add(s.at).UnixNano(), Length: length, Link: LinkEthernet, Interface: iface, VLAN: -1}, data: full}
}

// flagsOK guards against typos in the flag letters of a table.
func flagsOK(t testing.TB, f string) {
	if strings.Trim(f, "SARFP") != "" {
		t.Fatalf("bad flags %q", f)
	}
}
