package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// pcapFileHeaderLen is the size of the classic pcap file header.
const pcapFileHeaderLen = 24

// pcapFormat is one variant of the classic pcap format, told by its magic.
type pcapFormat struct {
	bigEndian bool
	// fracNanos is how many nanoseconds one unit of the record header's
	// fraction field is: 1000 for microsecond files, 1 for nanosecond ones.
	fracNanos int64
	// recordHeaderLen is 16, or 24 in Kuznetsov's modified format, whose
	// records add ifindex, protocol, packet type and padding.
	recordHeaderLen int
}

// pcapFormatOf returns the pcap variant that the magic number announces.
func pcapFormatOf(magic [4]byte) (pcapFormat, bool) {
	switch magic {
	case [4]byte{0xa1, 0xb2, 0xc3, 0xd4}:
		return pcapFormat{bigEndian: true, fracNanos: 1000, recordHeaderLen: 16}, true
	case [4]byte{0xd4, 0xc3, 0xb2, 0xa1}:
		return pcapFormat{fracNanos: 1000, recordHeaderLen: 16}, true
	case [4]byte{0xa1, 0xb2, 0x3c, 0x4d}:
		return pcapFormat{bigEndian: true, fracNanos: 1, recordHeaderLen: 16}, true
	case [4]byte{0x4d, 0x3c, 0xb2, 0xa1}:
		return pcapFormat{fracNanos: 1, recordHeaderLen: 16}, true
	case [4]byte{0xa1, 0xb2, 0xcd, 0x34}:
		return pcapFormat{bigEndian: true, fracNanos: 1000, recordHeaderLen: 24}, true
	case [4]byte{0x34, 0xcd, 0xb2, 0xa1}:
		return pcapFormat{fracNanos: 1000, recordHeaderLen: 24}, true
	}
	return pcapFormat{}, false
}

// pcapReader reads classic pcap files.
type pcapReader struct {
	sourceCommon
	format pcapFormat
	link   LinkType
}

// newPcapReader reads the file header that c.in starts with.
func newPcapReader(c sourceCommon, format pcapFormat) (*pcapReader, error) {
	p := &pcapReader{sourceCommon: c, format: format}
	hdr, err := p.in.peek(pcapFileHeaderLen)
	if len(hdr) < pcapFileHeaderLen {
		return nil, p.shortRead(0, "pcap file header", len(hdr), pcapFileHeaderLen, err)
	}
	major, minor := p.u16(hdr[4:]), p.u16(hdr[6:])
	if major != 2 {
		return nil, p.fail(0, fmt.Errorf("unsupported pcap version %d.%d", major, minor))
	}
	// The upper bits of the link-type field carry the FCS length, which
	// does not change how the frame starts.
	p.link = LinkType(p.u32(hdr[20:]) & 0xffff)
	p.in.advance(pcapFileHeaderLen)
	return p, nil
}

func (p *pcapReader) u16(b []byte) uint16 {
	v := binary.LittleEndian.Uint16(b)
	if p.format.bigEndian {
		v = bits.ReverseBytes16(v)
	}
	return v
}

func (p *pcapReader) u32(b []byte) uint32 {
	v := binary.LittleEndian.Uint32(b)
	if p.format.bigEndian {
		v = bits.ReverseBytes32(v)
	}
	return v
}

// Next fills f with the next record's frame.
func (p *pcapReader) Next(f *Frame) error {
	if p.err != nil {
		return p.err
	}
	off := p.in.offset()
	hl := p.format.recordHeaderLen
	hdr, err := p.in.peek(hl)
	if len(hdr) < hl {
		return p.shortRead(off, "record header", len(hdr), hl, err)
	}
	// The cheap test first: a pcap header's version 2.4 in either byte
	// order, or pcapng's block type, which reads the same in both.
	if v := binary.LittleEndian.Uint32(hdr[4:]); v == 0x0004_0002 || v == 0x0400_0200 || binary.LittleEndian.Uint32(hdr) == ngSectionHeader {
		if err := p.concatenatedAt(off, hdr); err != nil {
			return err
		}
	}
	capLen := p.u32(hdr[8:])
	if capLen > maxCaptureLength {
		return p.fail(off, fmt.Errorf("record captured length %d exceeds the limit of %d", capLen, maxCaptureLength))
	}
	n := hl + int(capLen)
	rec, err := p.in.peek(n)
	if len(rec) < n {
		return p.truncated(off, capLen, len(rec)-hl, err)
	}
	sec, frac := p.u32(rec[0:]), p.u32(rec[4:])
	length := p.u32(rec[12:])
	f.Data = rec[hl:n:n]
	f.Timestamp = int64(sec)*1e9 + int64(frac)*p.format.fracNanos
	f.Length = int(max(length, capLen))
	f.Link = p.link
	f.Interface = p.iface
	f.VLAN = -1
	p.in.advance(n)
	return nil
}

// Formats of a capture file header found where a record or block should
// start.
const (
	startsPcap   = "pcap file header"
	startsPcapng = "pcapng section header"
)

// captureFileStart tells whether b, the bytes at a record or block boundary,
// begin a capture file header: startsPcap, startsPcapng or "" for none.
//
// A classic pcap header counts when its magic is followed by version 2.4 in
// the magic's byte order (8 bytes), the version every writer has written
// for decades: read as a record header, those bytes are a timestamp whose
// seconds are one of six values (in 1998, 2011, or 2055 to 2083) and whose
// fraction is exactly 0x00040002 or 0x02000400, which a real capture does
// not hold. A pcapng Section Header Block counts when its block type is
// followed, after the length, by the byte-order magic in either byte order
// (12 bytes).
func captureFileStart(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	if format, ok := pcapFormatOf([4]byte(b)); ok {
		order := binary.ByteOrder(binary.LittleEndian)
		if format.bigEndian {
			order = binary.BigEndian
		}
		if order.Uint16(b[4:]) == 2 && order.Uint16(b[6:]) == 4 {
			return startsPcap
		}
		return ""
	}
	if len(b) >= 12 && [4]byte(b) == [4]byte{0x0a, 0x0d, 0x0d, 0x0a} {
		if bom := binary.LittleEndian.Uint32(b[8:]); bom == ngByteOrderMagic || bom == bits.ReverseBytes32(ngByteOrderMagic) {
			return startsPcapng
		}
	}
	return ""
}

// concatenated is the error for the header of another capture file found
// where a record or block should start (files joined with cat); what says
// which header it is, as "a second pcap file header".
func concatenated(what string) error {
	return fmt.Errorf("%s begins here: %w (join captures with mergecap, or give them to analyze as separate files, which merges them by time)", what, ErrConcatenated)
}

// concatenatedAt fails the reader when the record header hdr at off is the
// header of another capture file.
func (p *pcapReader) concatenatedAt(off int64, hdr []byte) error {
	switch captureFileStart(hdr) {
	case startsPcap:
		return p.fail(off, concatenated("a second "+startsPcap))
	case startsPcapng:
		return p.fail(off, concatenated("a "+startsPcapng))
	}
	return nil
}

// truncated reports a record whose data the file does not hold in full.
func (p *pcapReader) truncated(off int64, capLen uint32, remain int, err error) error {
	if err != nil && !isEOF(err) {
		return p.fail(off, fmt.Errorf("reading record: %w", err))
	}
	return p.fail(off, fmt.Errorf("%w record: header says %d bytes, %d remain", ErrTruncated, capLen, remain))
}
