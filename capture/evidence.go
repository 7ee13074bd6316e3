package capture

import "encoding/binary"

// MaxEvidenceFrame is how many bytes of each frame the evidence ring keeps:
// enough for every header an attempt's judgement rests on.
const MaxEvidenceFrame = 256

// evidenceHeader is the size of a record header: timestamp, original
// length, captured length, link type.
const evidenceHeader = 8 + 4 + 2 + 2

// evidenceRing keeps the frames of recent attempts in a fixed byte budget,
// so that the evidence pcap of a finding can be written without holding a
// copy of every frame per attempt. A position is the absolute byte count at
// which a record was written; the record is still there while fewer than
// len(buf) bytes were written after it.
type evidenceRing struct {
	buf     []byte
	pos     uint64
	scratch [evidenceHeader + MaxEvidenceFrame]byte
}

func newEvidenceRing(size int) *evidenceRing {
	if size < 4*(evidenceHeader+MaxEvidenceFrame) {
		size = 4 * (evidenceHeader + MaxEvidenceFrame)
	}
	return &evidenceRing{buf: make([]byte, size)}
}

// put writes a frame and returns its position plus one (zero is "none").
func (r *evidenceRing) put(f *Frame) uint64 {
	data := f.Data
	if len(data) > MaxEvidenceFrame {
		data = data[:MaxEvidenceFrame]
	}
	h := r.scratch[:evidenceHeader]
	binary.LittleEndian.PutUint64(h[0:8], uint64(f.Timestamp))
	binary.LittleEndian.PutUint32(h[8:12], uint32(f.Length))
	binary.LittleEndian.PutUint16(h[12:14], uint16(len(data)))
	binary.LittleEndian.PutUint16(h[14:16], uint16(f.Link))
	at := r.pos
	r.write(h)
	r.write(data)
	return at + 1
}

func (r *evidenceRing) write(b []byte) {
	for len(b) > 0 {
		off := int(r.pos % uint64(len(r.buf)))
		n := copy(r.buf[off:], b)
		b = b[n:]
		r.pos += uint64(n)
	}
}

func (r *evidenceRing) read(at uint64, b []byte) {
	for len(b) > 0 {
		off := int(at % uint64(len(r.buf)))
		n := copy(b, r.buf[off:])
		b = b[n:]
		at += uint64(n)
	}
}

// get calls fn with the record at ref (position plus one) if it has not been
// overwritten.
func (r *evidenceRing) get(ref uint64, fn func(ts int64, link LinkType, origLen int, data []byte)) bool {
	if ref == 0 {
		return false
	}
	at := ref - 1
	if r.pos-at > uint64(len(r.buf)) {
		return false
	}
	h := r.scratch[:evidenceHeader]
	r.read(at, h)
	n := int(binary.LittleEndian.Uint16(h[12:14]))
	if r.pos-at < uint64(evidenceHeader+n) || r.pos-at > uint64(len(r.buf)) {
		return false
	}
	ts := int64(binary.LittleEndian.Uint64(h[0:8]))
	orig := int(binary.LittleEndian.Uint32(h[8:12]))
	link := LinkType(binary.LittleEndian.Uint16(h[14:16]))
	data := r.scratch[evidenceHeader : evidenceHeader+n]
	r.read(at+evidenceHeader, data)
	fn(ts, link, orig, data)
	return true
}
