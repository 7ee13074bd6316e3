package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// byteOrder is what the hand-written builders need of binary's byte orders.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// pcapRecord is one record for buildPcap; capLen is written as given so
// that tests can damage it.
type pcapRecord struct {
	sec, frac      uint32
	capLen, length uint32
	data           []byte
}

// rec is a well-formed record of data that was length bytes on the wire.
func rec(sec, frac uint32, data []byte, length int) pcapRecord {
	return pcapRecord{sec: sec, frac: frac, capLen: uint32(len(data)), length: uint32(length), data: data}
}

// Magics of the pcap variants as numbers; the byte order of the file
// decides how they appear on disk.
const (
	magicMicro    = 0xa1b2c3d4
	magicNano     = 0xa1b23c4d
	magicModified = 0xa1b2cd34
)

// buildPcap writes a classic pcap file by hand, in either byte order and
// for Kuznetsov's modified format, which pcapgo does not write.
func buildPcap(order byteOrder, magic uint32, network uint32, recs ...pcapRecord) []byte {
	return buildPcapVersion(order, magic, 2, 4, network, recs...)
}

func buildPcapVersion(order byteOrder, magic uint32, major, minor uint16, network uint32, recs ...pcapRecord) []byte {
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, major)
	b = order.AppendUint16(b, minor)
	b = order.AppendUint32(b, 0)     // thiszone
	b = order.AppendUint32(b, 0)     // sigfigs
	b = order.AppendUint32(b, 65535) // snaplen
	b = order.AppendUint32(b, network)
	for _, r := range recs {
		b = order.AppendUint32(b, r.sec)
		b = order.AppendUint32(b, r.frac)
		b = order.AppendUint32(b, r.capLen)
		b = order.AppendUint32(b, r.length)
		if magic == magicModified {
			b = order.AppendUint32(b, 7) // ifindex
			b = order.AppendUint16(b, 8) // protocol
			b = append(b, 4, 0xee)       // packet type, padding
		}
		b = append(b, r.data...)
	}
	return b
}

// pcapgoFrame is a frame for the independent pcapgo writer.
type pcapgoFrame struct {
	ts     time.Time
	data   []byte
	length int
}

// writePcapgo writes a little-endian pcap file with gopacket's writer.
func writePcapgo(t testing.TB, nanos bool, link layers.LinkType, frames ...pcapgoFrame) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if nanos {
		w = pcapgo.NewWriterNanos(&buf)
	}
	if err := w.WriteFileHeader(65535, link); err != nil {
		t.Fatalf("pcapgo header: %v", err)
	}
	for _, f := range frames {
		ci := gopacket.CaptureInfo{Timestamp: f.ts, CaptureLength: len(f.data), Length: f.length}
		if err := w.WritePacket(ci, f.data); err != nil {
			t.Fatalf("pcapgo packet: %v", err)
		}
	}
	return buf.Bytes()
}

// frame is the Frame a file source should return.
func frame(ts int64, length int, link LinkType, iface string, data []byte) Frame {
	return Frame{Data: data, Timestamp: ts, Length: length, Link: link, Interface: iface, VLAN: -1}
}

// Sample frame contents; the file readers do not look inside.
var (
	data74 = bytes.Repeat([]byte{0xab}, 74)
	data3  = []byte{1, 2, 3}
	data0  = []byte{}
)

func TestPcap(t *testing.T) {
	be, le := binary.BigEndian, binary.LittleEndian
	t0 := time.Unix(1796000000, 123456789)
	t1 := time.Unix(1796000001, 999999999)
	const name = "t.pcap"
	big := bytes.Repeat([]byte{0x5a}, maxCaptureLength)
	tests := []struct {
		name    string
		file    []byte
		want    []Frame
		wantErr string // empty: io.EOF after want
	}{
		{
			name: "pcapgo microseconds little-endian",
			file: writePcapgo(t, false, layers.LinkTypeEthernet,
				pcapgoFrame{t0, data74, 74}, pcapgoFrame{t1, data3, 1514}, pcapgoFrame{t1, data0, 0}),
			want: []Frame{
				frame(1796000000_123456000, 74, LinkEthernet, name, data74),
				frame(1796000001_999999000, 1514, LinkEthernet, name, data3),
				frame(1796000001_999999000, 0, LinkEthernet, name, data0),
			},
		},
		{
			name: "pcapgo nanoseconds little-endian",
			file: writePcapgo(t, true, layers.LinkTypeLinuxSLL,
				pcapgoFrame{t0, data74, 74}, pcapgoFrame{t1, data3, 60}),
			want: []Frame{
				frame(1796000000_123456789, 74, LinkLinuxSLL, name, data74),
				frame(1796000001_999999999, 60, LinkLinuxSLL, name, data3),
			},
		},
		{
			name: "microseconds big-endian",
			file: buildPcap(be, magicMicro, 101, rec(1796000000, 123456, data74, 74), rec(1796000002, 1, data3, 3)),
			want: []Frame{
				frame(1796000000_123456000, 74, LinkRaw, name, data74),
				frame(1796000002_000001000, 3, LinkRaw, name, data3),
			},
		},
		{
			name: "nanoseconds big-endian",
			file: buildPcap(be, magicNano, 276, rec(1796000000, 123456789, data74, 1500)),
			want: []Frame{frame(1796000000_123456789, 1500, LinkLinuxSLL2, name, data74)},
		},
		{
			name: "nanoseconds little-endian by hand",
			file: buildPcap(le, magicNano, 229, rec(4294967295, 999999999, data3, 3)),
			want: []Frame{frame(4294967295_999999999, 3, LinkIPv6, name, data3)},
		},
		{
			name: "modified pcap little-endian",
			file: buildPcap(le, magicModified, 1, rec(1796000000, 5, data74, 74), rec(1796000000, 6, data3, 9)),
			want: []Frame{
				frame(1796000000_000005000, 74, LinkEthernet, name, data74),
				frame(1796000000_000006000, 9, LinkEthernet, name, data3),
			},
		},
		{
			name: "modified pcap big-endian",
			file: buildPcap(be, magicModified, 228, rec(1796000000, 5, data3, 3)),
			want: []Frame{frame(1796000000_000005000, 3, LinkIPv4, name, data3)},
		},
		{
			name: "FCS length bits in the link-type field are ignored",
			file: buildPcap(le, magicMicro, 0x1<<28|0x0400_0000|1, rec(1, 0, data3, 3)),
			want: []Frame{frame(1_000000000, 3, LinkEthernet, name, data3)},
		},
		{
			name: "unsupported link types are returned, not filtered",
			file: buildPcap(le, magicMicro, 147, rec(1, 0, data3, 3)),
			want: []Frame{frame(1_000000000, 3, LinkType(147), name, data3)},
		},
		{
			name: "captured longer than original: the captured length counts",
			file: buildPcap(le, magicMicro, 1, rec(1, 0, data74, 60)),
			want: []Frame{frame(1_000000000, 74, LinkEthernet, name, data74)},
		},
		{
			name: "header only",
			file: buildPcap(be, magicMicro, 1),
		},
		{
			name:    "record cut in its data",
			file:    buildPcap(le, magicMicro, 1, rec(1, 0, data3, 3), rec(2, 0, data74, 74))[:24+16+3+16+30],
			want:    []Frame{frame(1_000000000, 3, LinkEthernet, name, data3)},
			wantErr: "t.pcap: offset 43: truncated record: header says 74 bytes, 30 remain",
		},
		{
			name:    "record cut in its header",
			file:    buildPcap(le, magicMicro, 1, rec(1, 0, data3, 3), rec(2, 0, data74, 74))[:24+16+3+5],
			want:    []Frame{frame(1_000000000, 3, LinkEthernet, name, data3)},
			wantErr: "t.pcap: offset 43: truncated record header: 16 bytes needed, 5 remain",
		},
		{
			name:    "modified record cut in its header",
			file:    buildPcap(be, magicModified, 1, rec(2, 0, data74, 74))[:24+20],
			wantErr: "t.pcap: offset 24: truncated record header: 24 bytes needed, 20 remain",
		},
		{
			name: "absurd captured length",
			file: buildPcap(le, magicNano, 1, rec(1, 0, data3, 3),
				pcapRecord{sec: 2, capLen: 0x7fffffff, length: 0x7fffffff, data: data74}),
			want:    []Frame{frame(1_000000000, 3, LinkEthernet, name, data3)},
			wantErr: "t.pcap: offset 43: record captured length 2147483647 exceeds the limit of 262144",
		},
		{
			name: "captured length at the limit, more than the read buffer",
			file: buildPcap(be, magicMicro, 1, rec(1, 0, big, maxCaptureLength), rec(2, 0, data3, 3)),
			want: []Frame{frame(1e9, maxCaptureLength, LinkEthernet, name, big), frame(2e9, 3, LinkEthernet, name, data3)},
		},
		{
			name:    "captured length one past the limit",
			file:    buildPcap(be, magicMicro, 1, pcapRecord{capLen: maxCaptureLength + 1}),
			wantErr: "t.pcap: offset 24: record captured length 262145 exceeds the limit of 262144",
		},
		{
			name:    "file header cut",
			file:    buildPcap(le, magicMicro, 1)[:10],
			wantErr: "t.pcap: offset 0: truncated pcap file header: 24 bytes needed, 10 remain",
		},
		{
			name:    "unknown major version",
			file:    buildPcapVersion(le, magicMicro, 3, 0, 1),
			wantErr: "t.pcap: offset 0: unsupported pcap version 3.0",
		},
		{
			name:    "archaic major version big-endian",
			file:    buildPcapVersion(be, magicNano, 1, 0, 1),
			wantErr: "t.pcap: offset 0: unsupported pcap version 1.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.file, name)
			checkFrames(t, got, tt.want)
			checkEnd(t, err, tt.wantErr)
		})
	}
}

// TestPcapRecordOffsets checks that each error names the damaged record's
// offset when records of every size come before it.
func TestPcapRecordOffsets(t *testing.T) {
	le := binary.LittleEndian
	var recs []pcapRecord
	off := 24
	for n := range 40 {
		recs = append(recs, rec(uint32(n), 0, bytes.Repeat([]byte{byte(n)}, n*7), n*7))
		off += 16 + n*7
	}
	file := buildPcap(le, magicMicro, 1, recs...)
	for cut := off - 1; cut > off-16-39*7; cut -= 13 {
		got, err := readAll(t, file[:cut], "x")
		if len(got) != 39 {
			t.Errorf("cut at %d: got %d frames, want 39", cut, len(got))
		}
		fe, ok := err.(*FileError)
		if !ok || fe.Offset != int64(off-16-39*7) {
			t.Errorf("cut at %d: error %v, want a FileError at offset %d", cut, err, off-16-39*7)
		}
	}
}

// benchFrames builds an in-memory capture of n copies of a 74-byte SYN.
func benchFrames(b *testing.B, n int, write func(ts time.Time, data []byte)) {
	syn := append([]byte(nil), data74...)
	ts := time.Unix(1796000000, 0)
	for i := range n {
		write(ts.Add(time.Duration(i)*time.Microsecond), syn)
	}
}

// benchNext measures Next over file, which holds frames frames, starting
// again at the end; one operation is one frame.
func benchNext(b *testing.B, file []byte, frames int) {
	b.Helper()
	open := func() Source {
		src, err := NewReader(bytes.NewReader(file), "bench")
		if err != nil {
			b.Fatal(err)
		}
		return src
	}
	src := open()
	var f Frame
	got := 0
	b.SetBytes(int64(len(file) / frames))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		err := src.Next(&f)
		if err == io.EOF {
			if got != frames {
				b.Fatalf("read %d frames, want %d", got, frames)
			}
			got = 0
			src = open()
			err = src.Next(&f)
		}
		if err != nil || len(f.Data) != 74 {
			b.Fatalf("frame %d: %d bytes, error %v", got, len(f.Data), err)
		}
		got++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpps")
}

// BenchmarkPcapNext reads an in-memory microsecond pcap of up to 1M frames.
func BenchmarkPcapNext(b *testing.B) {
	n := min(b.N, 1<<20)
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		b.Fatal(err)
	}
	benchFrames(b, n, func(ts time.Time, data []byte) {
		ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(data), Length: len(data)}
		if err := w.WritePacket(ci, data); err != nil {
			b.Fatal(err)
		}
	})
	benchNext(b, buf.Bytes(), n)
}
