package capture

import (
	"fmt"
)

// LinkType is the link-layer header type of captured frames, numbered as the
// pcap LINKTYPE_ registry numbers them (and as pcap and pcapng files store them).
type LinkType uint16

// The link types syncwatch decodes.
const (
	LinkEthernet  LinkType = 1   // LINKTYPE_ETHERNET
	LinkRaw       LinkType = 101 // LINKTYPE_RAW: IPv4 or IPv6, told apart by the version nibble
	LinkLinuxSLL  LinkType = 113 // LINKTYPE_LINUX_SLL: tcpdump -i any, libpcap before 1.10
	LinkIPv4      LinkType = 228 // LINKTYPE_IPV4
	LinkIPv6      LinkType = 229 // LINKTYPE_IPV6
	LinkLinuxSLL2 LinkType = 276 // LINKTYPE_LINUX_SLL2: tcpdump -i any, libpcap 1.10 and later
)

// String names the link type as tcpdump and Wireshark do.
func (l LinkType) String() string {
	switch l {
	case LinkEthernet:
		return "EN10MB"
	case LinkRaw:
		return "RAW"
	case LinkLinuxSLL:
		return "LINUX_SLL"
	case LinkIPv4:
		return "IPV4"
	case LinkIPv6:
		return "IPV6"
	case LinkLinuxSLL2:
		return "LINUX_SLL2"
	}
	return fmt.Sprintf("LINKTYPE_%d", uint16(l))
}

// Supported reports whether frames of this link type can be decoded.
func (l LinkType) Supported() bool {
	switch l {
	case LinkEthernet, LinkRaw, LinkLinuxSLL, LinkIPv4, LinkIPv6, LinkLinuxSLL2:
		return true
	}
	return false
}

// Frame is one captured frame as a Source hands it over. Data is only valid
// until the next call to Next: sources reuse their buffers so that reading
// allocates nothing per frame.
type Frame struct {
	// Data holds the captured bytes, starting at the link-layer header.
	Data []byte
	// Timestamp is the capture time in nanoseconds since the Unix epoch.
	Timestamp int64
	// Length is the frame's length on the wire; more than len(Data) when the
	// snaplen cut it.
	Length int
	// Link is the link-layer type of Data.
	Link LinkType
	// Interface names where the frame was captured: the interface name on
	// live capture, the pcapng interface name (or "file#N"), or the file name.
	Interface string
	// VLAN is the outer 802.1Q tag's VLAN ID that the kernel stripped into
	// ancillary data on live capture, or -1 when there was none.
	VLAN int
}

// Source delivers captured frames in capture order.
type Source interface {
	// Next fills f with the next frame. It returns io.EOF at the end of a
	// file; any other error names the source and, for files, the byte offset.
	Next(f *Frame) error
	// Close releases the source.
	Close() error
}
