package capture

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"strings"
)

// pcapng block types (draft-ietf-opsawg-pcapng) that the reader looks into;
// all others are skipped.
const (
	ngSectionHeader       = 0x0a0d0d0a
	ngInterfaceDesc       = 0x00000001
	ngObsoletePacket      = 0x00000002
	ngSimplePacket        = 0x00000003
	ngInterfaceStatistics = 0x00000005
	ngEnhancedPacket      = 0x00000006
)

// pcapng option codes that the reader uses.
const (
	ngOptEnd        = 0
	ngOptIfName     = 2
	ngOptIfTsresol  = 9
	ngOptIfTsoffset = 14
	ngOptIsbIfrecv  = 4
	ngOptIsbIfdrop  = 5
)

// ngByteOrderMagic is the section header's byte-order magic as written.
const ngByteOrderMagic = 0x1a2b3c4d

// Minimum total lengths of the blocks the reader parses: header, fixed
// fields and trailing length.
const (
	ngMinBlock          = 12
	ngMinSectionHeader  = 28
	ngMinInterfaceDesc  = 20
	ngMinPacket         = 32
	ngMinSimplePacket   = 16
	ngMinInterfaceStats = 24
)

// ngInterface is one Interface Description Block of the current section.
type ngInterface struct {
	name    string
	link    LinkType
	snapLen uint32
	// Timestamps are ticks of the interface's resolution; nanos converts:
	// ticks*mul, or ticks/div, or for binary resolutions a shift.
	mul, div uint64
	shift    uint
	offset   int64 // if_tsoffset in nanoseconds
	stats    int   // index into pcapngReader.stats
}

// nanos converts a timestamp in the interface's ticks to Unix nanoseconds.
func (i *ngInterface) nanos(ticks uint64) int64 {
	var ns uint64
	switch {
	case i.shift != 0:
		// ticks = seconds<<shift | fraction; scale the fraction in 128 bits
		// so that resolutions finer than 2^-34 do not overflow.
		hi, lo := bits.Mul64(ticks&(1<<i.shift-1), 1e9)
		ns = (ticks>>i.shift)*1e9 + (hi<<(64-i.shift) | lo>>i.shift)
	case i.div != 0:
		ns = ticks / i.div
	default:
		ns = ticks * i.mul
	}
	return int64(ns) + i.offset
}

// setResolution applies an if_tsresol value: a negative power of 10, or of
// 2 when the high bit is set.
func (i *ngInterface) setResolution(v byte) error {
	exp := uint(v & 0x7f)
	i.mul, i.div, i.shift = 0, 0, 0
	switch {
	case v&0x80 != 0 && exp == 0:
		i.mul = 1e9
	case v&0x80 != 0 && exp < 64:
		i.shift = exp
	case v&0x80 != 0:
		return fmt.Errorf("unsupported if_tsresol 0x%02x: 2^-%d", v, exp)
	case exp <= 9:
		i.mul = pow10(9 - exp)
	case exp <= 19:
		i.div = pow10(exp - 9)
	default:
		return fmt.Errorf("unsupported if_tsresol 0x%02x: 10^-%d", v, exp)
	}
	return nil
}

func pow10(n uint) uint64 {
	v := uint64(1)
	for range n {
		v *= 10
	}
	return v
}

// pcapngReader reads pcapng files, section by section.
type pcapngReader struct {
	sourceCommon
	bigEndian bool          // byte order of the current section
	ifaces    []ngInterface // the current section's interfaces, by ID
	stats     []InterfaceStats
	lastTS    int64 // for Simple Packet Blocks, which carry no timestamp
}

// newPcapngReader returns a reader for the stream c.in, which starts with a
// Section Header Block.
func newPcapngReader(c sourceCommon) (*pcapngReader, error) {
	r := &pcapngReader{sourceCommon: c}
	// Read the first section header now, so that a file that is not pcapng
	// after all fails at open.
	if _, err := r.block(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *pcapngReader) u16(b []byte) uint16 {
	v := binary.LittleEndian.Uint16(b)
	if r.bigEndian {
		v = bits.ReverseBytes16(v)
	}
	return v
}

func (r *pcapngReader) u32(b []byte) uint32 {
	v := binary.LittleEndian.Uint32(b)
	if r.bigEndian {
		v = bits.ReverseBytes32(v)
	}
	return v
}

func (r *pcapngReader) u64(b []byte) uint64 {
	v := binary.LittleEndian.Uint64(b)
	if r.bigEndian {
		v = bits.ReverseBytes64(v)
	}
	return v
}

// InterfaceStats returns the interfaces of all sections read so far with the
// counters of the last Interface Statistics Block seen for each.
func (r *pcapngReader) InterfaceStats() []InterfaceStats {
	return append([]InterfaceStats(nil), r.stats...)
}

// Next fills f with the frame of the next packet block, reading the blocks
// before it.
func (r *pcapngReader) Next(f *Frame) error {
	if r.err != nil {
		return r.err
	}
	for {
		blk, err := r.block()
		if err != nil {
			return err
		}
		if blk == nil {
			continue
		}
		if err := r.packet(blk, f); err != nil {
			return err
		}
		r.in.advance(len(blk))
		return nil
	}
}

// block reads one block. It returns a packet block whole (not yet consumed)
// for the caller to decode, or nil after consuming any other block.
func (r *pcapngReader) block() ([]byte, error) {
	off := r.in.offset()
	hdr, err := r.in.peek(8)
	if len(hdr) < 8 {
		return nil, r.shortRead(off, "block header", len(hdr), 8, err)
	}
	typ := r.u32(hdr)
	if typ == ngSectionHeader {
		// The byte order of the section, and so of its length field, is
		// known only from the byte-order magic that follows.
		hdr, err = r.in.peek(12)
		if len(hdr) < 12 {
			return nil, r.shortRead(off, "section header block", len(hdr), 12, err)
		}
		switch binary.LittleEndian.Uint32(hdr[8:]) {
		case ngByteOrderMagic:
			r.bigEndian = false
		case bits.ReverseBytes32(ngByteOrderMagic):
			r.bigEndian = true
		default:
			return nil, r.fail(off, fmt.Errorf("section header block: bad byte-order magic % x", hdr[8:12]))
		}
	}
	known := false
	switch typ {
	case ngSectionHeader, ngInterfaceDesc, ngInterfaceStatistics, ngEnhancedPacket, ngObsoletePacket, ngSimplePacket:
		known = true
	}
	if !known && captureFileStart(hdr) == startsPcap {
		// A classic pcap file appended to this one: its header's version
		// would be read as a block length.
		return nil, r.fail(off, concatenated("a "+startsPcap))
	}
	length := r.u32(hdr[4:])
	if length < ngMinBlock || length%4 != 0 {
		return nil, r.fail(off, fmt.Errorf("block type 0x%08x: bad length %d (must be a multiple of 4, at least %d)", typ, length, ngMinBlock))
	}
	if !known {
		return nil, r.skip(off, typ, length)
	}
	if length > maxParsedBlock {
		return nil, r.fail(off, fmt.Errorf("block type 0x%08x: length %d exceeds the limit of %d", typ, length, maxParsedBlock))
	}
	blk, err := r.in.peek(int(length))
	if len(blk) < int(length) {
		return nil, r.truncated(off, length, len(blk), err)
	}
	if trail := r.u32(blk[length-4:]); trail != length {
		return nil, r.fail(off, fmt.Errorf("block type 0x%08x: trailing length %d differs from leading length %d", typ, trail, length))
	}
	switch typ {
	case ngEnhancedPacket, ngObsoletePacket, ngSimplePacket:
		return blk, nil
	case ngSectionHeader:
		err = r.sectionHeader(blk)
	case ngInterfaceDesc:
		err = r.interfaceDesc(blk)
	case ngInterfaceStatistics:
		err = r.interfaceStatistics(blk)
	}
	if err != nil {
		return nil, r.fail(off, err)
	}
	r.in.advance(len(blk))
	return nil, nil
}

// skip consumes a block the reader has no use for, checking its trailer.
func (r *pcapngReader) skip(off int64, typ, length uint32) error {
	if length > maxSkippedBlock {
		return r.fail(off, fmt.Errorf("block type 0x%08x: length %d exceeds the limit of %d", typ, length, maxSkippedBlock))
	}
	done, err := r.in.skip(int64(length) - 4)
	if done < int64(length)-4 {
		return r.truncated(off, length, int(done), err)
	}
	trail, err := r.in.peek(4)
	if len(trail) < 4 {
		return r.truncated(off, length, int(done)+len(trail), err)
	}
	if t := r.u32(trail); t != length {
		return r.fail(off, fmt.Errorf("block type 0x%08x: trailing length %d differs from leading length %d", typ, t, length))
	}
	r.in.advance(4)
	return nil
}

// truncated reports a block that the file does not hold in full.
func (r *pcapngReader) truncated(off int64, length uint32, remain int, err error) error {
	if err != nil && !isEOF(err) {
		return r.fail(off, fmt.Errorf("reading block: %w", err))
	}
	return r.fail(off, fmt.Errorf("%w block: header says %d bytes, %d remain", ErrTruncated, length, remain))
}

// sectionHeader starts a new section, whose interface IDs start from 0.
func (r *pcapngReader) sectionHeader(blk []byte) error {
	if len(blk) < ngMinSectionHeader {
		return fmt.Errorf("section header block: length %d is shorter than the minimum %d", len(blk), ngMinSectionHeader)
	}
	major, minor := r.u16(blk[12:]), r.u16(blk[14:])
	if major != 1 {
		return fmt.Errorf("section header block: unsupported pcapng version %d.%d", major, minor)
	}
	r.ifaces = r.ifaces[:0]
	return nil
}

// interfaceDesc adds an interface to the current section.
func (r *pcapngReader) interfaceDesc(blk []byte) error {
	if len(blk) < ngMinInterfaceDesc {
		return fmt.Errorf("interface description block: length %d is shorter than the minimum %d", len(blk), ngMinInterfaceDesc)
	}
	i := ngInterface{
		link:    LinkType(r.u16(blk[8:])),
		snapLen: r.u32(blk[12:]),
		mul:     1e3, // the default resolution is microseconds
		stats:   len(r.stats),
	}
	err := r.options(blk[16:len(blk)-4], func(code uint16, val []byte) error {
		switch code {
		case ngOptIfName:
			i.name = strings.TrimRight(string(val), "\x00")
		case ngOptIfTsresol:
			if len(val) != 1 {
				return fmt.Errorf("if_tsresol has %d bytes, not 1", len(val))
			}
			return i.setResolution(val[0])
		case ngOptIfTsoffset:
			if len(val) != 8 {
				return fmt.Errorf("if_tsoffset has %d bytes, not 8", len(val))
			}
			i.offset = int64(r.u64(val)) * 1e9
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("interface description block: %w", err)
	}
	if i.name == "" {
		// Numbered across the whole file, so that interfaces of different
		// sections keep different names.
		i.name = fmt.Sprintf("%s#%d", r.iface, len(r.stats))
	}
	r.ifaces = append(r.ifaces, i)
	r.stats = append(r.stats, InterfaceStats{Name: i.name, Link: i.link})
	return nil
}

// interfaceStatistics records the counters of an Interface Statistics Block,
// replacing those of any earlier one for the same interface.
func (r *pcapngReader) interfaceStatistics(blk []byte) error {
	if len(blk) < ngMinInterfaceStats {
		return fmt.Errorf("interface statistics block: length %d is shorter than the minimum %d", len(blk), ngMinInterfaceStats)
	}
	id := r.u32(blk[8:])
	if id >= uint32(len(r.ifaces)) {
		return fmt.Errorf("interface statistics block names interface %d, but the section has %d", id, len(r.ifaces))
	}
	st := &r.stats[r.ifaces[id].stats]
	st.Received, st.Dropped, st.HasReceived, st.HasDropped = 0, 0, false, false
	err := r.options(blk[20:len(blk)-4], func(code uint16, val []byte) error {
		switch code {
		case ngOptIsbIfrecv, ngOptIsbIfdrop:
			if len(val) != 8 {
				return fmt.Errorf("option %d has %d bytes, not 8", code, len(val))
			}
			if code == ngOptIsbIfrecv {
				st.Received, st.HasReceived = r.u64(val), true
			} else {
				st.Dropped, st.HasDropped = r.u64(val), true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("interface statistics block: %w", err)
	}
	return nil
}

// options calls fn for each option in b, up to opt_endofopt or the end.
func (r *pcapngReader) options(b []byte, fn func(code uint16, val []byte) error) error {
	for len(b) > 0 {
		if len(b) < 4 {
			return fmt.Errorf("%d stray bytes after the last option", len(b))
		}
		code, n := r.u16(b), int(r.u16(b[2:]))
		if code == ngOptEnd {
			return nil
		}
		padded := (n + 3) &^ 3
		if 4+padded > len(b) {
			return fmt.Errorf("option %d of %d bytes overruns the block", code, n)
		}
		if err := fn(code, b[4:4+n]); err != nil {
			return err
		}
		b = b[4+padded:]
	}
	return nil
}

// packet fills f from an Enhanced, Simple or obsolete Packet Block.
func (r *pcapngReader) packet(blk []byte, f *Frame) error {
	off := r.in.offset()
	var (
		id             uint32
		capLen, length uint32
		data           = 28 // where the packet data starts in an EPB or PB
		ts             int64
	)
	typ := r.u32(blk)
	minLen := ngMinPacket
	if typ == ngSimplePacket {
		minLen = ngMinSimplePacket
	}
	if len(blk) < minLen {
		return r.fail(off, fmt.Errorf("packet block type %d: length %d is shorter than the minimum %d", typ, len(blk), minLen))
	}
	switch typ {
	case ngEnhancedPacket:
		id = r.u32(blk[8:])
	case ngObsoletePacket:
		id = uint32(r.u16(blk[8:]))
	case ngSimplePacket:
		// The captured length is implied: the data fills the block, cut to
		// the original length and the interface's snaplen.
		data = 12
		length = r.u32(blk[8:])
		capLen = min(length, uint32(len(blk)-16))
		if len(r.ifaces) > 0 && r.ifaces[0].snapLen != 0 {
			capLen = min(capLen, r.ifaces[0].snapLen)
		}
		ts = r.lastTS
	}
	if id >= uint32(len(r.ifaces)) {
		return r.fail(off, fmt.Errorf("packet block type %d names interface %d, but the section has %d", typ, id, len(r.ifaces)))
	}
	iface := &r.ifaces[id]
	if typ != ngSimplePacket {
		ts = iface.nanos(uint64(r.u32(blk[12:]))<<32 | uint64(r.u32(blk[16:])))
		capLen, length = r.u32(blk[20:]), r.u32(blk[24:])
	}
	if capLen > maxCaptureLength {
		return r.fail(off, fmt.Errorf("packet block type %d: captured length %d exceeds the limit of %d", typ, capLen, maxCaptureLength))
	}
	end := data + int(capLen)
	if end > len(blk)-4 {
		return r.fail(off, fmt.Errorf("packet block type %d: captured length %d overruns the %d-byte block", typ, capLen, len(blk)))
	}
	f.Data = blk[data:end:end]
	f.Timestamp = ts
	f.Length = int(max(length, capLen))
	f.Link = iface.link
	f.Interface = iface.name
	f.VLAN = -1
	r.lastTS = ts
	return nil
}
