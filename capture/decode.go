package capture

import (
	"encoding/binary"
	"net/netip"
)

// MaxVLANs is how many VLAN IDs a Packet and an Attempt keep. Deeper stacks
// are still decoded; only their innermost IDs beyond this depth are not kept.
const MaxVLANs = 8

// PacketKind says what a decoded packet is.
type PacketKind uint8

// The packet kinds the tracker consumes.
const (
	// KindTCP is a TCP segment to or from a configured port.
	KindTCP PacketKind = iota + 1
	// KindUnreachable is an ICMP or ICMPv6 destination unreachable whose
	// quoted packet is TCP to or from a configured port. The Packet's
	// addresses, ports and sequence number are those of the quoted packet.
	KindUnreachable
)

// TCP flag bits as they sit in byte 13 of the TCP header.
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
	FlagPSH = 0x08
	FlagACK = 0x10
	FlagURG = 0x20
)

// Packet is one decoded frame reduced to what attempt tracking needs. It
// holds no pointers into the frame, so it stays valid after the source
// reuses its buffer.
type Packet struct {
	Kind      PacketKind
	Timestamp int64 // nanoseconds since the Unix epoch
	// Interface is where the frame was captured (see Frame.Interface).
	Interface string

	SrcMAC, DstMAC       [6]byte
	HasSrcMAC, HasDstMAC bool
	// VLANs lists the 802.1Q/802.1ad VLAN IDs outermost first; NumVLANs of
	// them are valid, VLANDepth counts every tag (it may exceed MaxVLANs).
	VLANs     [MaxVLANs]uint16
	NumVLANs  uint8
	VLANDepth uint8

	// Src and Dst are IPv4-mapped for IPv4; IPv6 tells the family.
	Src, Dst [16]byte
	IPv6     bool
	// IPID is the IPv4 identification field (zero for IPv6).
	IPID uint16

	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	// HasFlags is false when the flags byte was cut off (possible only in
	// the quoted packet of an ICMP error, which may quote just 8 bytes).
	HasFlags bool
	// HasSeq is false when the sequence number was cut off (possible only
	// in an ICMP error's quote cut by the snaplen).
	HasSeq bool
	// PayloadLen is the TCP payload length from the IP length fields, not
	// from the captured bytes.
	PayloadLen int

	// ICMP fields, for KindUnreachable.
	ICMPType, ICMPCode uint8
	// ICMPFrom is the address that sent the ICMP error (a router, a
	// firewall or the PSN itself).
	ICMPFrom [16]byte

	// Truncated is set when the snaplen cut the frame inside the headers
	// (the ports and flags were still present, or the packet would have been
	// ignored with ReasonTruncated).
	Truncated bool
}

// SrcAddr returns the source address.
func (p *Packet) SrcAddr() netip.Addr { return addrFrom(p.Src, p.IPv6) }

// DstAddr returns the destination address.
func (p *Packet) DstAddr() netip.Addr { return addrFrom(p.Dst, p.IPv6) }

func addrFrom(a [16]byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16(a)
	}
	return netip.AddrFrom4([4]byte{a[12], a[13], a[14], a[15]})
}

// mapped returns an address as the 16-byte form Packet uses.
func mapped(a netip.Addr) [16]byte { return a.Unmap().As16() }

// Reason says why a frame was not turned into a Packet.
type Reason uint8

// The reasons a frame is ignored; String gives the label used in JSON stats
// and metrics.
const (
	ReasonNone      Reason = iota
	ReasonLinkType         // a link type syncwatch does not decode
	ReasonNotIP            // ARP, LLDP, 802.3 LLC, ...
	ReasonProtocol         // IP but neither TCP nor ICMP/ICMPv6
	ReasonPort             // TCP with neither port configured, or an ICMP error about such a packet
	ReasonICMPType         // ICMP that is not a destination unreachable
	ReasonFragment         // a non-first IP fragment: it carries no ports
	ReasonTruncated        // cut by the snaplen before the ports and flags
	ReasonMalformed        // header fields that contradict each other or the frame
	ReasonNotPSN           // the port matches but neither address is a configured PSN
	ReasonUnmatched        // TCP on the port that belongs to no attempt (data, FIN, midstream)
	ReasonTooLate          // an answer to an attempt reported unanswered, after the grace period
	numReasons
)

var reasonNames = [numReasons]string{
	ReasonNone:      "none",
	ReasonLinkType:  "unsupported-link",
	ReasonNotIP:     "not-ip",
	ReasonProtocol:  "other-protocol",
	ReasonPort:      "other-port",
	ReasonICMPType:  "icmp-other",
	ReasonFragment:  "fragment",
	ReasonTruncated: "truncated",
	ReasonMalformed: "malformed",
	ReasonNotPSN:    "not-psn",
	ReasonUnmatched: "unmatched",
	ReasonTooLate:   "after-grace",
}

// String returns the reason's label.
func (r Reason) String() string {
	if r < numReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Reasons lists every reason a packet can be ignored for, in label order of
// their declaration.
func Reasons() []Reason {
	out := make([]Reason, 0, numReasons-1)
	for r := ReasonNone + 1; r < numReasons; r++ {
		out = append(out, r)
	}
	return out
}

// PortSet is a set of TCP ports, cheap to test on every packet.
type PortSet struct{ bits [1024]uint64 }

// NewPortSet returns the set of the given ports.
func NewPortSet(ports ...uint16) *PortSet {
	s := &PortSet{}
	for _, p := range ports {
		s.bits[p>>6] |= 1 << (p & 63)
	}
	return s
}

// Has reports whether p is in the set.
func (s *PortSet) Has(p uint16) bool { return s.bits[p>>6]&(1<<(p&63)) != 0 }

// Decoder turns frames into Packets. It is a pure function of the frame and
// the configured ports; it keeps no state between frames and allocates
// nothing.
type Decoder struct {
	ports *PortSet
}

// NewDecoder returns a decoder for TCP to or from the given ports.
func NewDecoder(ports *PortSet) *Decoder { return &Decoder{ports: ports} }

// Ethernet types.
const (
	etherIPv4   = 0x0800
	etherIPv6   = 0x86dd
	etherVLAN   = 0x8100
	etherQinQ   = 0x88a8
	etherQinQv1 = 0x9100 // pre-standard QinQ, still on older gear
	etherQinQv2 = 0x9200
)

// IP protocol numbers.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoICMPv6 = 58
)

// Decode decodes f into p. It returns ReasonNone when p holds a packet for
// the tracker, or the reason the frame is of no interest. p is overwritten
// either way.
func (d *Decoder) Decode(f *Frame, p *Packet) Reason {
	*p = Packet{Timestamp: f.Timestamp, Interface: f.Interface}
	if f.VLAN >= 0 {
		p.pushVLAN(uint16(f.VLAN))
	}
	b := f.Data
	var etherType uint16
	switch f.Link {
	case LinkEthernet:
		if len(b) < 14 {
			return ReasonTruncated
		}
		copy(p.DstMAC[:], b[0:6])
		copy(p.SrcMAC[:], b[6:12])
		p.HasSrcMAC, p.HasDstMAC = true, true
		etherType = binary.BigEndian.Uint16(b[12:14])
		b = b[14:]
	case LinkLinuxSLL:
		// packet type, ARPHRD type, address length, 8 address bytes, protocol.
		if len(b) < 16 {
			return ReasonTruncated
		}
		if binary.BigEndian.Uint16(b[2:4]) == 1 && binary.BigEndian.Uint16(b[4:6]) == 6 {
			copy(p.SrcMAC[:], b[6:12])
			p.HasSrcMAC = true
		}
		etherType = binary.BigEndian.Uint16(b[14:16])
		b = b[16:]
	case LinkLinuxSLL2:
		// protocol, reserved, interface index, ARPHRD type, packet type,
		// address length, 8 address bytes.
		if len(b) < 20 {
			return ReasonTruncated
		}
		etherType = binary.BigEndian.Uint16(b[0:2])
		if binary.BigEndian.Uint16(b[8:10]) == 1 && b[11] == 6 {
			copy(p.SrcMAC[:], b[12:18])
			p.HasSrcMAC = true
		}
		b = b[20:]
	case LinkRaw:
		if len(b) < 1 {
			return ReasonTruncated
		}
		switch b[0] >> 4 {
		case 4:
			etherType = etherIPv4
		case 6:
			etherType = etherIPv6
		default:
			return ReasonNotIP
		}
	case LinkIPv4:
		etherType = etherIPv4
	case LinkIPv6:
		etherType = etherIPv6
	default:
		return ReasonLinkType
	}
	for etherType == etherVLAN || etherType == etherQinQ || etherType == etherQinQv1 || etherType == etherQinQv2 {
		if len(b) < 4 {
			return ReasonTruncated
		}
		p.pushVLAN(binary.BigEndian.Uint16(b[0:2]) & 0x0fff)
		etherType = binary.BigEndian.Uint16(b[2:4])
		b = b[4:]
	}
	switch etherType {
	case etherIPv4:
		return d.ipv4(b, p, f.Length-(len(f.Data)-len(b)))
	case etherIPv6:
		return d.ipv6(b, p)
	}
	return ReasonNotIP
}

func (p *Packet) pushVLAN(id uint16) {
	if p.NumVLANs < MaxVLANs {
		p.VLANs[p.NumVLANs] = id
		p.NumVLANs++
	}
	if p.VLANDepth < 255 {
		p.VLANDepth++
	}
}

// ipv4 decodes an IPv4 header and what it carries. wireLen is the length of
// the IP packet on the wire as far as the frame tells (unused when the IP
// total length is present, kept for TSO captures whose total length is 0).
func (d *Decoder) ipv4(b []byte, p *Packet, wireLen int) Reason {
	if len(b) < 20 {
		return ReasonTruncated
	}
	if b[0]>>4 != 4 {
		return ReasonMalformed
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		return ReasonMalformed
	}
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if total == 0 {
		// Segmentation offload on the capturing host: the length is unset.
		total = wireLen
	}
	if total < ihl {
		return ReasonMalformed
	}
	if binary.BigEndian.Uint16(b[6:8])&0x1fff != 0 {
		return ReasonFragment
	}
	proto := b[9]
	if proto != protoTCP && proto != protoICMP {
		return ReasonProtocol
	}
	p.IPID = binary.BigEndian.Uint16(b[4:6])
	p.Src[10], p.Src[11] = 0xff, 0xff
	p.Dst[10], p.Dst[11] = 0xff, 0xff
	copy(p.Src[12:], b[12:16])
	copy(p.Dst[12:], b[16:20])
	if len(b) < ihl {
		return ReasonTruncated
	}
	body := b[ihl:]
	bodyLen := total - ihl
	if proto == protoTCP {
		return d.tcp(body, bodyLen, p)
	}
	return d.icmpv4(body, p)
}

// ipv6Payload walks the extension headers from the fixed header and returns
// the upper-layer protocol, its offset in b and the payload length left for
// it. ok is false with a reason when the packet is of no use.
func ipv6Payload(b []byte) (proto uint8, off int, payloadLen int, reason Reason) {
	if len(b) < 40 {
		return 0, 0, 0, ReasonTruncated
	}
	if b[0]>>4 != 6 {
		return 0, 0, 0, ReasonMalformed
	}
	payloadLen = int(binary.BigEndian.Uint16(b[4:6]))
	next := b[6]
	off = 40
	// Each extension header is at least 8 bytes long, so the walk ends
	// after at most len(b)/8 steps.
	for {
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination options, mobility, HIP, shim6
			if len(b) < off+2 {
				return 0, 0, 0, ReasonTruncated
			}
			n := (int(b[off+1]) + 1) * 8
			next = b[off]
			off += n
			payloadLen -= n
		case 44: // fragment
			if len(b) < off+8 {
				return 0, 0, 0, ReasonTruncated
			}
			if binary.BigEndian.Uint16(b[off+2:off+4])&0xfff8 != 0 {
				return 0, 0, 0, ReasonFragment
			}
			next = b[off]
			off += 8
			payloadLen -= 8
		case 51: // authentication header: length in 4-byte units, minus 2
			if len(b) < off+2 {
				return 0, 0, 0, ReasonTruncated
			}
			n := (int(b[off+1]) + 2) * 4
			next = b[off]
			off += n
			payloadLen -= n
		default:
			if payloadLen < 0 {
				return 0, 0, 0, ReasonMalformed
			}
			return next, off, payloadLen, ReasonNone
		}
		if payloadLen < 0 {
			return 0, 0, 0, ReasonMalformed
		}
	}
}

func (d *Decoder) ipv6(b []byte, p *Packet) Reason {
	proto, off, payloadLen, r := ipv6Payload(b)
	if r != ReasonNone {
		return r
	}
	if proto != protoTCP && proto != protoICMPv6 {
		return ReasonProtocol
	}
	p.IPv6 = true
	copy(p.Src[:], b[8:24])
	copy(p.Dst[:], b[24:40])
	if len(b) < off {
		return ReasonTruncated
	}
	if proto == protoTCP {
		return d.tcp(b[off:], payloadLen, p)
	}
	return d.icmpv6(b[off:], p)
}

// tcp decodes a TCP header. segLen is the segment's length from the IP
// header. The header may be cut short by the snaplen: 14 bytes give the
// ports, sequence numbers and flags, which is all that tracking needs.
func (d *Decoder) tcp(b []byte, segLen int, p *Packet) Reason {
	if len(b) < 14 {
		return ReasonTruncated
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	if !d.ports.Has(p.SrcPort) && !d.ports.Has(p.DstPort) {
		return ReasonPort
	}
	p.Seq = binary.BigEndian.Uint32(b[4:8])
	p.Ack = binary.BigEndian.Uint32(b[8:12])
	p.Flags = b[13]
	p.HasFlags, p.HasSeq = true, true
	hdr := int(b[12]>>4) * 4
	if hdr < 20 || hdr > segLen {
		return ReasonMalformed
	}
	p.PayloadLen = segLen - hdr
	p.Truncated = len(b) < hdr
	p.Kind = KindTCP
	return ReasonNone
}

// quoted decodes the start of the TCP header an ICMP error quotes: RFC 792
// guarantees only 8 bytes (ports and sequence number); most stacks quote
// more, which gives the flags too. A quote the snaplen cut after the ports
// is still usable: the tracker matches it to the connection's latest
// attempt.
func (d *Decoder) quoted(b []byte, p *Packet) Reason {
	if len(b) < 4 {
		return ReasonTruncated
	}
	p.SrcPort = binary.BigEndian.Uint16(b[0:2])
	p.DstPort = binary.BigEndian.Uint16(b[2:4])
	if !d.ports.Has(p.SrcPort) && !d.ports.Has(p.DstPort) {
		return ReasonPort
	}
	p.Kind = KindUnreachable
	if len(b) < 8 {
		p.Truncated = true
		return ReasonNone
	}
	p.Seq = binary.BigEndian.Uint32(b[4:8])
	p.HasSeq = true
	if len(b) >= 14 {
		p.Ack = binary.BigEndian.Uint32(b[8:12])
		p.Flags = b[13]
		p.HasFlags = true
	}
	p.Kind = KindUnreachable
	return ReasonNone
}

func (d *Decoder) icmpv4(b []byte, p *Packet) Reason {
	if len(b) < 2 {
		return ReasonTruncated
	}
	if b[0] != 3 {
		return ReasonICMPType
	}
	p.ICMPType, p.ICMPCode = b[0], b[1]
	p.ICMPFrom = p.Src
	// The quoted IPv4 header starts after the 8-byte ICMP header.
	if len(b) < 8+20 {
		return ReasonTruncated
	}
	in := b[8:]
	if in[0]>>4 != 4 {
		return ReasonMalformed
	}
	ihl := int(in[0]&0x0f) * 4
	if ihl < 20 {
		return ReasonMalformed
	}
	if in[9] != protoTCP {
		return ReasonProtocol
	}
	if binary.BigEndian.Uint16(in[6:8])&0x1fff != 0 {
		return ReasonFragment
	}
	p.IPID = binary.BigEndian.Uint16(in[4:6])
	copy(p.Src[12:], in[12:16])
	copy(p.Dst[12:], in[16:20])
	if len(in) < ihl {
		return ReasonTruncated
	}
	return d.quoted(in[ihl:], p)
}

func (d *Decoder) icmpv6(b []byte, p *Packet) Reason {
	if len(b) < 2 {
		return ReasonTruncated
	}
	if b[0] != 1 {
		return ReasonICMPType
	}
	p.ICMPType, p.ICMPCode = b[0], b[1]
	p.ICMPFrom = p.Src
	if len(b) < 8 {
		return ReasonTruncated
	}
	in := b[8:]
	// The quoted packet is usually cut short; its length fields still
	// describe the original, so the walk below is unaffected.
	proto, off, _, r := ipv6Payload(in)
	if r != ReasonNone {
		return r
	}
	if proto != protoTCP {
		return ReasonProtocol
	}
	copy(p.Src[:], in[8:24])
	copy(p.Dst[:], in[24:40])
	if len(in) < off {
		return ReasonTruncated
	}
	return d.quoted(in[off:], p)
}
