package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// ngBuilder writes pcapng blocks by hand, in the byte order of the section
// being written, for what pcapgo cannot write: big-endian sections, other
// timestamp resolutions, simple and obsolete packet blocks, damage.
type ngBuilder struct {
	order byteOrder
	b     []byte
	at    int // offset recorded by mark
}

func newNg(order byteOrder) *ngBuilder { return &ngBuilder{order: order} }

// mark records the current offset, where the next block starts.
func (n *ngBuilder) mark() *ngBuilder { n.at = len(n.b); return n }

// raw appends bytes as they are.
func (n *ngBuilder) raw(b ...byte) *ngBuilder { n.b = append(n.b, b...); return n }

// blockLen appends a block whose leading and trailing lengths are given.
func (n *ngBuilder) blockLen(typ uint32, lead, trail uint32, body []byte) *ngBuilder {
	n.b = n.order.AppendUint32(n.b, typ)
	n.b = n.order.AppendUint32(n.b, lead)
	n.b = append(n.b, body...)
	n.b = append(n.b, make([]byte, pad4(len(body))-len(body))...)
	n.b = n.order.AppendUint32(n.b, trail)
	return n
}

// block appends a well-formed block with body padded to 4 bytes.
func (n *ngBuilder) block(typ uint32, body []byte) *ngBuilder {
	l := uint32(12 + pad4(len(body)))
	return n.blockLen(typ, l, l, body)
}

func pad4(n int) int { return (n + 3) &^ 3 }

// opts encodes options followed by opt_endofopt.
func (n *ngBuilder) opts(o ...ngOpt) []byte {
	if len(o) == 0 {
		return nil
	}
	var b []byte
	for _, op := range o {
		b = n.order.AppendUint16(b, op.code)
		b = n.order.AppendUint16(b, uint16(len(op.val)))
		b = append(b, op.val...)
		b = append(b, make([]byte, pad4(len(op.val))-len(op.val))...)
	}
	return append(b, 0, 0, 0, 0)
}

type ngOpt struct {
	code uint16
	val  []byte
}

func optString(code uint16, s string) ngOpt { return ngOpt{code, []byte(s)} }
func optByte(code uint16, v byte) ngOpt     { return ngOpt{code, []byte{v}} }

// optU64 is encoded in the order of the builder when the options are.
func (n *ngBuilder) optU64(code uint16, v uint64) ngOpt {
	return ngOpt{code, n.order.AppendUint64(nil, v)}
}

func (n *ngBuilder) shb(major, minor uint16, o ...ngOpt) *ngBuilder {
	body := n.order.AppendUint32(nil, ngByteOrderMagic)
	body = n.order.AppendUint16(body, major)
	body = n.order.AppendUint16(body, minor)
	body = n.order.AppendUint64(body, ^uint64(0))
	return n.block(ngSectionHeader, append(body, n.opts(o...)...))
}

func (n *ngBuilder) idb(link LinkType, snap uint32, o ...ngOpt) *ngBuilder {
	body := n.order.AppendUint16(nil, uint16(link))
	body = n.order.AppendUint16(body, 0)
	body = n.order.AppendUint32(body, snap)
	return n.block(ngInterfaceDesc, append(body, n.opts(o...)...))
}

func (n *ngBuilder) epb(id uint32, ticks uint64, length int, data []byte, o ...ngOpt) *ngBuilder {
	return n.epbCap(id, ticks, uint32(len(data)), length, data, o...)
}

// epbCap writes an EPB whose captured-length field is capLen whatever the data.
func (n *ngBuilder) epbCap(id uint32, ticks uint64, capLen uint32, length int, data []byte, o ...ngOpt) *ngBuilder {
	body := n.order.AppendUint32(nil, id)
	body = n.order.AppendUint32(body, uint32(ticks>>32))
	body = n.order.AppendUint32(body, uint32(ticks))
	body = n.order.AppendUint32(body, capLen)
	body = n.order.AppendUint32(body, uint32(length))
	body = append(body, data...)
	body = append(body, make([]byte, pad4(len(data))-len(data))...)
	return n.block(ngEnhancedPacket, append(body, n.opts(o...)...))
}

func (n *ngBuilder) pb(id uint16, ticks uint64, length int, data []byte) *ngBuilder {
	body := n.order.AppendUint16(nil, id)
	body = n.order.AppendUint16(body, 9) // drops count
	body = n.order.AppendUint32(body, uint32(ticks>>32))
	body = n.order.AppendUint32(body, uint32(ticks))
	body = n.order.AppendUint32(body, uint32(len(data)))
	body = n.order.AppendUint32(body, uint32(length))
	return n.block(ngObsoletePacket, append(body, data...))
}

func (n *ngBuilder) spb(length int, data []byte) *ngBuilder {
	return n.block(ngSimplePacket, append(n.order.AppendUint32(nil, uint32(length)), data...))
}

func (n *ngBuilder) isb(id uint32, o ...ngOpt) *ngBuilder {
	body := n.order.AppendUint32(nil, id)
	body = n.order.AppendUint64(body, 0)
	return n.block(ngInterfaceStatistics, append(body, n.opts(o...)...))
}

// writeNgPcapgo writes a pcapng file with six interfaces of the link types
// syncwatch decodes, statistics blocks and one packet per interface, using
// gopacket's writer.
func writeNgPcapgo(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "eth0", LinkType: layers.LinkTypeEthernet}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, intf := range []pcapgo.NgInterface{
		{Name: "any", LinkType: layers.LinkTypeLinuxSLL},
		{Name: "any2", LinkType: layers.LinkTypeLinuxSLL2, TimestampOffset: 10},
		{Name: "tun0", LinkType: layers.LinkTypeRaw},
		{Name: "v4", LinkType: layers.LinkTypeIPv4},
		{LinkType: layers.LinkTypeIPv6},
	} {
		if _, err := w.AddInterface(intf); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for id, data := range [][]byte{data74, data3, data74, data0, data3, data74} {
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(1796000000, int64(id)), CaptureLength: len(data), Length: len(data) + id, InterfaceIndex: id}
		must(w.WritePacket(ci, data))
	}
	none := uint64(pcapgo.NgNoValue64)
	must(w.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{PacketsReceived: 10, PacketsDropped: 1}))
	must(w.WriteInterfaceStats(2, pcapgo.NgInterfaceStatistics{PacketsReceived: none, PacketsDropped: 3}))
	must(w.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{PacketsReceived: 20, PacketsDropped: none}))
	must(w.WriteInterfaceStats(4, pcapgo.NgInterfaceStatistics{PacketsReceived: 0, PacketsDropped: 0}))
	must(w.Flush())
	return buf.Bytes()
}

func TestPcapngPcapgo(t *testing.T) {
	src, err := NewReader(bytes.NewReader(writeNgPcapgo(t)), "t.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	got, err := drain(t, src)
	checkFrames(t, got, []Frame{
		frame(1796000000_000000000, 74, LinkEthernet, "eth0", data74),
		frame(1796000000_000000001, 4, LinkLinuxSLL, "any", data3),
		frame(1796000010_000000002, 76, LinkLinuxSLL2, "any2", data74),
		frame(1796000000_000000003, 3, LinkRaw, "tun0", data0),
		frame(1796000000_000000004, 7, LinkIPv4, "v4", data3),
		frame(1796000000_000000005, 79, LinkIPv6, "t.pcapng#5", data74),
	})
	checkEnd(t, err, "")
	stats := src.(InterfaceStatser).InterfaceStats()
	want := []InterfaceStats{
		{Name: "eth0", Link: LinkEthernet, Received: 20, HasReceived: true},
		{Name: "any", Link: LinkLinuxSLL},
		{Name: "any2", Link: LinkLinuxSLL2, Dropped: 3, HasDropped: true},
		{Name: "tun0", Link: LinkRaw},
		{Name: "v4", Link: LinkIPv4, HasReceived: true, HasDropped: true},
		{Name: "t.pcapng#5", Link: LinkIPv6},
	}
	if !reflect.DeepEqual(stats, want) {
		t.Errorf("InterfaceStats:\n got %+v\nwant %+v", stats, want)
	}
}

func TestPcapng(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	const name = "t.pcapng"
	const t0 = 1796000000 // seconds
	tests := []struct {
		name    string
		order   byteOrder
		build   func(n *ngBuilder)
		want    []Frame
		stats   []InterfaceStats
		wantErr string // "@" stands for the offset recorded by mark
	}{
		{
			name:  "big-endian, names and the default microsecond resolution",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0, optString(ngOptIfName, "Gi1/0/48")).
					epb(0, t0*1e6+123456, 74, data74)
			},
			want:  []Frame{frame(t0*1e9+123456000, 74, LinkEthernet, "Gi1/0/48", data74)},
			stats: []InterfaceStats{{Name: "Gi1/0/48", Link: LinkEthernet}},
		},
		{
			name:  "resolutions 10^-9, 10^-6, 2^-20, 2^0, 10^-12 and offsets",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).
					idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 9)).
					idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 6), n.optU64(ngOptIfTsoffset, 3600)).
					idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 0x80|20)).
					idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 0x80), n.optU64(ngOptIfTsoffset, ^uint64(0))). // -1 s
					idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 12)).
					epb(0, t0*1e9+123456789, 3, data3).
					epb(1, t0*1e6+999999, 3, data3).
					epb(2, t0<<20|1<<19, 3, data3).
					epb(2, t0<<20|1, 3, data3).
					epb(2, t0<<20|(1<<20-1), 3, data3).
					epb(3, t0, 3, data3).
					epb(4, 1_234_567_890_123, 3, data3)
			},
			want: []Frame{
				frame(t0*1e9+123456789, 3, LinkEthernet, "t.pcapng#0", data3),
				frame((t0+3600)*1e9+999999000, 3, LinkEthernet, "t.pcapng#1", data3),
				frame(t0*1e9+500000000, 3, LinkEthernet, "t.pcapng#2", data3),
				frame(t0*1e9+953, 3, LinkEthernet, "t.pcapng#2", data3),       // 10^9/2^20 = 953.67
				frame(t0*1e9+999999046, 3, LinkEthernet, "t.pcapng#2", data3), // (2^20-1)*10^9/2^20 = 999999046.3
				frame((t0-1)*1e9, 3, LinkEthernet, "t.pcapng#3", data3),
				frame(1_234_567_890, 3, LinkEthernet, "t.pcapng#4", data3),
			},
		},
		{
			name:  "2^-40 resolution does not overflow the fraction",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 2).idb(LinkRaw, 0, optByte(ngOptIfTsresol, 0x80|40)).
					epb(0, 1000<<40|(1<<40-1), 3, data3)
			},
			want: []Frame{frame(1000*1e9+999999999, 3, LinkRaw, "t.pcapng#0", data3)},
		},
		{
			name:  "two sections in different byte orders; interface IDs restart",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0, optString(ngOptIfName, "a")).epb(0, t0*1e6, 74, data74)
				n.order = be
				n.shb(1, 0).idb(LinkRaw, 0).idb(LinkIPv6, 0, optString(ngOptIfName, "b\x00")).
					epb(1, t0*1e6+1, 3, data3).epb(0, t0*1e6+2, 3, data3).
					isb(1, n.optU64(ngOptIsbIfdrop, 7))
				n.order = le
				n.shb(1, 0).idb(LinkIPv4, 0).epb(0, t0*1e6+3, 3, data3).
					isb(0, n.optU64(ngOptIsbIfrecv, 1<<40))
			},
			want: []Frame{
				frame(t0*1e9, 74, LinkEthernet, "a", data74),
				frame(t0*1e9+1000, 3, LinkIPv6, "b", data3),
				frame(t0*1e9+2000, 3, LinkRaw, "t.pcapng#1", data3),
				frame(t0*1e9+3000, 3, LinkIPv4, "t.pcapng#3", data3),
			},
			stats: []InterfaceStats{
				{Name: "a", Link: LinkEthernet},
				{Name: "t.pcapng#1", Link: LinkRaw},
				{Name: "b", Link: LinkIPv6, Dropped: 7, HasDropped: true},
				{Name: "t.pcapng#3", Link: LinkIPv4, Received: 1 << 40, HasReceived: true},
			},
		},
		{
			name:  "simple packet blocks take interface 0, its snaplen and the previous timestamp",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 60, optString(ngOptIfName, "span0")).idb(LinkRaw, 0).
					spb(74, data74[:60]).
					epb(1, t0*1e6+5, 3, data3).
					spb(3, data3).
					spb(74, data74[:61]) // one byte more than the snaplen
			},
			want: []Frame{
				frame(0, 74, LinkEthernet, "span0", data74[:60]),
				frame(t0*1e9+5000, 3, LinkRaw, "t.pcapng#1", data3),
				frame(t0*1e9+5000, 3, LinkEthernet, "span0", data3),
				frame(t0*1e9+5000, 74, LinkEthernet, "span0", data74[:60]),
			},
		},
		{
			name:  "obsolete packet blocks",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkLinuxSLL, 0).idb(LinkLinuxSLL2, 0).
					pb(1, t0*1e6+7, 1500, data74).pb(0, t0*1e6+8, 3, data3)
			},
			want: []Frame{
				frame(t0*1e9+7000, 1500, LinkLinuxSLL2, "t.pcapng#1", data74),
				frame(t0*1e9+8000, 3, LinkLinuxSLL, "t.pcapng#0", data3),
			},
		},
		{
			name:  "name resolution, decryption secrets, custom and unknown blocks are skipped",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0, optString(1, "comment"), optString(4, "syncwatch test")).
					block(4, []byte{1, 0, 8, 0, 10, 0, 0, 1, 'p', 's', 'n', 0, 0, 0, 0, 0}).
					idb(LinkEthernet, 0, optString(1, "an interface comment"), optString(ngOptIfName, "eth0")).
					block(0x0a, bytes.Repeat([]byte{'k'}, 300)).
					epb(0, t0*1e6, 74, data74, optString(1, "packet comment"), n.optU64(2, 1)).
					block(0x00000bad, []byte{0, 0, 0x7e, 0x57}).
					block(0x40000bad, nil).
					block(0x12345678, bytes.Repeat([]byte{0xff}, 600000)). // more than the read buffer
					block(0, nil).
					isb(0).
					epb(0, t0*1e6+1, 3, data3)
			},
			want: []Frame{
				frame(t0*1e9, 74, LinkEthernet, "eth0", data74),
				frame(t0*1e9+1000, 3, LinkEthernet, "eth0", data3),
			},
			stats: []InterfaceStats{{Name: "eth0", Link: LinkEthernet}},
		},
		{
			name:  "unsupported link types are returned, not filtered",
			order: le,
			build: func(n *ngBuilder) { n.shb(1, 0).idb(LinkType(105), 0).epb(0, 1, 3, data3) },
			want:  []Frame{frame(1000, 3, LinkType(105), "t.pcapng#0", data3)},
		},
		{
			name:  "captured longer than original: the captured length counts",
			order: le,
			build: func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 2, data3) },
			want:  []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#0", data3)},
		},
		{
			name:  "section header only",
			order: be,
			build: func(n *ngBuilder) { n.shb(1, 0) },
			stats: []InterfaceStats{},
		},

		// Damage.
		{
			name:  "packet names an interface that does not exist",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).idb(LinkEthernet, 0).epb(1, 1, 3, data3).mark().epb(2, 2, 3, data3)
			},
			want:    []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#1", data3)},
			wantErr: "t.pcapng: offset @: packet block type 6 names interface 2, but the section has 2",
		},
		{
			name:  "interface IDs are per section",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).idb(LinkEthernet, 0).shb(1, 0).idb(LinkRaw, 0).mark().epb(1, 2, 3, data3)
			},
			wantErr: "t.pcapng: offset @: packet block type 6 names interface 1, but the section has 1",
		},
		{
			name:    "obsolete packet block names a missing interface",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().pb(5, 1, 3, data3) },
			wantErr: "t.pcapng: offset @: packet block type 2 names interface 5, but the section has 1",
		},
		{
			name:    "simple packet block before any interface",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().spb(3, data3) },
			wantErr: "t.pcapng: offset @: packet block type 3 names interface 0, but the section has 0",
		},
		{
			name:    "statistics for a missing interface",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().isb(3) },
			wantErr: "t.pcapng: offset @: interface statistics block names interface 3, but the section has 1",
		},
		{
			name:  "block length not a multiple of 4",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).mark().blockLen(ngEnhancedPacket, 45, 45, make([]byte, 32))
			},
			wantErr: "t.pcapng: offset @: block type 0x00000006: bad length 45 (must be a multiple of 4, at least 12)",
		},
		{
			name:    "block length below 12",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().blockLen(4, 8, 8, nil) },
			wantErr: "t.pcapng: offset @: block type 0x00000004: bad length 8 (must be a multiple of 4, at least 12)",
		},
		{
			name:    "zero block length",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().blockLen(0, 0, 0, nil) },
			wantErr: "t.pcapng: offset @: block type 0x00000000: bad length 0 (must be a multiple of 4, at least 12)",
		},
		{
			name:  "trailing length differs",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 3, data3).mark().blockLen(ngEnhancedPacket, 36, 40, make([]byte, 24))
			},
			want:    []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#0", data3)},
			wantErr: "t.pcapng: offset @: block type 0x00000006: trailing length 40 differs from leading length 36",
		},
		{
			name:    "trailing length of a skipped block differs",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().blockLen(4, 16, 20, []byte{0, 0, 0, 0}) },
			wantErr: "t.pcapng: offset @: block type 0x00000004: trailing length 20 differs from leading length 16",
		},
		{
			name:  "absurd packet block length",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).mark().blockLen(ngEnhancedPacket, 0xfffffff0, 0, make([]byte, 64))
			},
			wantErr: "t.pcapng: offset @: block type 0x00000006: length 4294967280 exceeds the limit of 1048576",
		},
		{
			name:    "absurd skipped block length",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().blockLen(0x0a, 0xfffffffc, 0, make([]byte, 64)) },
			wantErr: "t.pcapng: offset @: block type 0x0000000a: length 4294967292 exceeds the limit of 67108864",
		},
		{
			name:    "absurd captured length",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().epbCap(0, 1, 300000, 300000, data74) },
			wantErr: "t.pcapng: offset @: packet block type 6: captured length 300000 exceeds the limit of 262144",
		},
		{
			name:    "captured length overruns the block",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().epbCap(0, 1, 77, 77, data74) },
			wantErr: "t.pcapng: offset @: packet block type 6: captured length 77 overruns the 108-byte block",
		},
		{
			name:    "packet block shorter than its fixed fields",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().block(ngEnhancedPacket, make([]byte, 16)) },
			wantErr: "t.pcapng: offset @: packet block type 6: length 28 is shorter than the minimum 32",
		},
		{
			name:    "simple packet block without room for its length",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).idb(LinkEthernet, 0).mark().block(ngSimplePacket, nil) },
			wantErr: "t.pcapng: offset @: packet block type 3: length 12 is shorter than the minimum 16",
		},
		{
			name:    "interface description block too short",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().block(ngInterfaceDesc, []byte{0, 1, 0, 0}) },
			wantErr: "t.pcapng: offset @: interface description block: length 16 is shorter than the minimum 20",
		},
		{
			name:  "interface statistics block too short",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).mark().block(ngInterfaceStatistics, make([]byte, 8))
			},
			wantErr: "t.pcapng: offset @: interface statistics block: length 20 is shorter than the minimum 24",
		},
		{
			name:  "option overruns the block",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().block(ngInterfaceDesc, []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 9, 0, 'e', 't', 'h', '0'})
			},
			wantErr: "t.pcapng: offset @: interface description block: option 2 of 9 bytes overruns the block",
		},
		{
			name:    "if_tsresol of two bytes",
			order:   be,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().idb(LinkEthernet, 0, ngOpt{ngOptIfTsresol, []byte{6, 0}}) },
			wantErr: "t.pcapng: offset @: interface description block: if_tsresol has 2 bytes, not 1",
		},
		{
			name:    "if_tsresol finer than 10^-19",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 20)) },
			wantErr: "t.pcapng: offset @: interface description block: unsupported if_tsresol 0x14: 10^-20",
		},
		{
			name:    "if_tsresol finer than 2^-63",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(1, 0).mark().idb(LinkEthernet, 0, optByte(ngOptIfTsresol, 0x80|64)) },
			wantErr: "t.pcapng: offset @: interface description block: unsupported if_tsresol 0xc0: 2^-64",
		},
		{
			name:  "if_tsoffset of four bytes",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().idb(LinkEthernet, 0, ngOpt{ngOptIfTsoffset, []byte{1, 0, 0, 0}})
			},
			wantErr: "t.pcapng: offset @: interface description block: if_tsoffset has 4 bytes, not 8",
		},
		{
			name:  "isb_ifdrop of four bytes",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).mark().isb(0, ngOpt{ngOptIsbIfdrop, []byte{1, 0, 0, 0}})
			},
			wantErr: "t.pcapng: offset @: interface statistics block: option 5 has 4 bytes, not 8",
		},
		{
			name:    "unknown major version",
			order:   le,
			build:   func(n *ngBuilder) { n.shb(2, 0) },
			wantErr: "t.pcapng: offset 0: section header block: unsupported pcapng version 2.0",
		},
		{
			name:  "unknown major version in a later section",
			order: be,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 3, data3).mark().shb(0, 9)
			},
			want:    []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#0", data3)},
			wantErr: "t.pcapng: offset @: section header block: unsupported pcapng version 0.9",
		},
		{
			name:  "bad byte-order magic",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().raw(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x1a, 0x2b, 0x3c, 0x4e)
			},
			wantErr: "t.pcapng: offset @: section header block: bad byte-order magic 1a 2b 3c 4e",
		},
		{
			name:  "section header block too short",
			order: le,
			build: func(n *ngBuilder) {
				body := n.order.AppendUint32(nil, ngByteOrderMagic)
				body = n.order.AppendUint16(body, 1)
				body = n.order.AppendUint16(body, 0)
				n.blockLen(ngSectionHeader, 24, 24, n.order.AppendUint32(body, 0)) // no room for the section length
			},
			wantErr: "t.pcapng: offset 0: section header block: length 24 is shorter than the minimum 28",
		},
		{
			name:    "file cut in the first section header",
			order:   le,
			build:   func(n *ngBuilder) { n.raw(0x0a, 0x0d, 0x0d, 0x0a, 28, 0) },
			wantErr: "t.pcapng: offset 0: truncated block header: 8 bytes needed, 6 remain",
		},
		{
			name:    "file cut in the first section header's byte-order magic",
			order:   le,
			build:   func(n *ngBuilder) { n.raw(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c) },
			wantErr: "t.pcapng: offset 0: truncated section header block: 12 bytes needed, 10 remain",
		},
		{
			name:  "file cut in a packet block",
			order: le,
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 3, data3).mark().epb(0, 2, 74, data74)
				n.b = n.b[:n.at+30]
			},
			want:    []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#0", data3)},
			wantErr: "t.pcapng: offset @: truncated block: header says 108 bytes, 30 remain",
		},
		{
			name: "file cut in a block header",
			build: func(n *ngBuilder) {
				n.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 3, data3).mark().epb(0, 2, 74, data74)
				n.b = n.b[:n.at+5]
			},
			want:    []Frame{frame(1000, 3, LinkEthernet, "t.pcapng#0", data3)},
			wantErr: "t.pcapng: offset @: truncated block header: 8 bytes needed, 5 remain",
		},
		{
			name: "file cut in a skipped block",
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().block(4, make([]byte, 100))
				n.b = n.b[:n.at+50]
			},
			wantErr: "t.pcapng: offset @: truncated block: header says 112 bytes, 50 remain",
		},
		{
			name: "file cut in a skipped block's trailing length",
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().block(4, make([]byte, 100))
				n.b = n.b[:len(n.b)-2]
			},
			wantErr: "t.pcapng: offset @: truncated block: header says 112 bytes, 110 remain",
		},
		{
			name: "file cut in a later section header",
			build: func(n *ngBuilder) {
				n.shb(1, 0).mark().shb(1, 0)
				n.b = n.b[:n.at+10]
			},
			wantErr: "t.pcapng: offset @: truncated section header block: 12 bytes needed, 10 remain",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := tt.order
			if order == nil {
				order = le
			}
			n := newNg(order)
			tt.build(n)
			wantErr := strings.ReplaceAll(tt.wantErr, "@", fmt.Sprint(n.at))
			src, err := NewReader(bytes.NewReader(n.b), name)
			var got []Frame
			if err == nil {
				got, err = drain(t, src)
			}
			checkFrames(t, got, tt.want)
			checkEnd(t, err, wantErr)
			if tt.stats != nil {
				stats := src.(InterfaceStatser).InterfaceStats()
				if !reflect.DeepEqual(stats, tt.stats) && len(stats)+len(tt.stats) > 0 {
					t.Errorf("InterfaceStats:\n got %+v\nwant %+v", stats, tt.stats)
				}
			}
		})
	}
}

// BenchmarkPcapngNext reads an in-memory pcapng of up to 1M enhanced packet
// blocks.
func BenchmarkPcapngNext(b *testing.B) {
	n := min(b.N, 1<<20)
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
	if err != nil {
		b.Fatal(err)
	}
	benchFrames(b, n, func(ts time.Time, data []byte) {
		ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}
		if err := w.WritePacket(ci, data); err != nil {
			b.Fatal(err)
		}
	})
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	benchNext(b, buf.Bytes(), n)
}
