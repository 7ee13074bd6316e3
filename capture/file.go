package capture

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/syncwatch/syncwatch/internal/openfile"
)

// Limits that keep a damaged or hostile file from causing a giant allocation.
const (
	// maxCaptureLength is the largest captured length of one frame that a
	// file may claim: libpcap's and Wireshark's maximum snaplen.
	maxCaptureLength = 262144
	// maxParsedBlock is the largest pcapng block that is held in memory
	// whole: a packet of maxCaptureLength plus generous room for options.
	maxParsedBlock = 1 << 20
	// maxSkippedBlock is the largest pcapng block that is skipped unread
	// (name resolution, decryption secrets, custom blocks).
	maxSkippedBlock = 64 << 20
	// readBufferSize is the initial size of the one buffer a file source
	// reads into; large reads keep the per-frame cost low.
	readBufferSize = 256 << 10
	// minReadBuffer is the smallest buffer allocated for a short input.
	minReadBuffer = 4 << 10
	// maxEmptyReads is how many (0, nil) reads in a row mean that the
	// underlying reader makes no progress, as in bufio.
	maxEmptyReads = 100
)

// ErrTruncated marks a file that ends inside a record or block, as a capture
// still being written or cut by a full disk does; the frames before it were
// returned.
var ErrTruncated = errors.New("truncated")

// ErrConcatenated marks a file in which another capture file's header
// begins at a record boundary: several files joined with cat, which is not
// a valid capture file (several pcapng sections are, and are read). The
// frames before the second header were returned.
var ErrConcatenated = errors.New("files were concatenated")

// FileError reports damage in a capture file at a byte offset.
type FileError struct {
	// File is the name the source was opened with.
	File string
	// Offset is where the damaged record or block starts; for gzip input it
	// counts bytes of the decompressed stream.
	Offset int64
	// Decompressed reports that Offset counts decompressed bytes.
	Decompressed bool
	// Err says what is wrong.
	Err error
}

// Error formats the error as "<file>: offset <N>: <message>", with
// "(decompressed)" after the offset for gzip input.
func (e *FileError) Error() string {
	if e.Decompressed {
		return fmt.Sprintf("%s: offset %d (decompressed): %v", e.File, e.Offset, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.File, e.Offset, e.Err)
}

// Unwrap returns the underlying error.
func (e *FileError) Unwrap() error { return e.Err }

// InterfaceStats holds what a capture file says about one interface's
// packet counters.
type InterfaceStats struct {
	// Name is the interface name as Frame.Interface carries it.
	Name string
	// Link is the interface's link-layer type.
	Link LinkType
	// Received is the number of packets the interface received (isb_ifrecv).
	Received uint64
	// Dropped is the number of packets dropped for lack of buffer space (isb_ifdrop).
	Dropped uint64
	// HasReceived reports whether Received was recorded.
	HasReceived bool
	// HasDropped reports whether Dropped was recorded.
	HasDropped bool
}

// InterfaceStatser is implemented by sources that know per-interface packet
// counters, such as pcapng files with Interface Statistics Blocks.
type InterfaceStatser interface {
	// InterfaceStats returns one entry per interface seen so far, in file
	// order, holding the counters of the last statistics block read for it.
	InterfaceStats() []InterfaceStats
}

// OpenFile opens a pcap, pcapng or gzip-compressed capture file, telling the
// format by its magic number rather than its name. A directory is refused
// with an error that wraps syscall.EISDIR.
func OpenFile(path string) (Source, error) {
	return OpenFileContext(context.Background(), path)
}

// OpenFileContext is OpenFile whose open of a named pipe that no program
// writes to gives up when ctx ends.
func OpenFileContext(ctx context.Context, path string) (Source, error) {
	f, err := openfile.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("open capture file: %w", err)
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	} else if err == nil && fi.IsDir() {
		// Opening a directory succeeds; reading it fails with a message
		// that names neither the problem nor the file plainly.
		f.Close()
		return nil, fmt.Errorf("%s: %w, not a capture file", path, syscall.EISDIR)
	}
	src, err := newSource(f, size, path, filepath.Base(path), f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return src, nil
}

// NewReader reads a pcap, pcapng or gzip-compressed capture from r; name is
// used in errors and as the default interface name. Closing the source does
// not close r.
func NewReader(r io.Reader, name string) (Source, error) {
	size := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok { // bytes.Reader, bytes.Buffer, strings.Reader
		size = int64(l.Len())
	}
	return newSource(r, size, name, name, nil)
}

// newSource detects the format of r and returns the matching reader; size
// is r's length or -1, file names r in errors and iface is the default
// interface name.
func newSource(r io.Reader, size int64, file, iface string, closer io.Closer) (Source, error) {
	var closers []io.Closer
	if closer != nil {
		closers = append(closers, closer)
	}
	in := newInput(r, size)
	magic, err := in.peek(4)
	if len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, zerr := gzip.NewReader(in)
		if zerr != nil {
			return nil, &FileError{File: file, Err: fmt.Errorf("gzip header: %w", zerr)}
		}
		// gzip.Reader.Close does not close the file, so both are closed.
		closers = append([]io.Closer{zr}, closers...)
		in = newInput(zr, -1)
		in.decompressed = true
		magic, err = in.peek(4)
	}
	fe := func(err error) error {
		return &FileError{File: file, Decompressed: in.decompressed, Err: err}
	}
	if len(magic) < 4 {
		switch {
		case err != nil && !isEOF(err):
			return nil, fe(fmt.Errorf("reading magic: %w", err))
		case len(magic) == 0:
			return nil, fe(errors.New("empty file: no pcap or pcapng magic"))
		default:
			return nil, fe(fmt.Errorf("file too short: %d bytes, no pcap or pcapng magic", len(magic)))
		}
	}
	m := [4]byte(magic)
	format, isPcap := pcapFormatOf(m)
	isPcapng := m == [4]byte{0x0a, 0x0d, 0x0d, 0x0a}
	if !isPcap && !isPcapng {
		return nil, fe(fmt.Errorf("unknown magic %02x %02x %02x %02x: not a pcap, pcapng or gzip file", m[0], m[1], m[2], m[3]))
	}
	if closer != nil && size >= readAheadMin && !in.decompressed && in.err == nil {
		// A large file opened here: read it in a goroutine, stopped before the file
		// is closed.
		in.ra = newReadAhead(in.src)
		closers = append([]io.Closer{in.ra}, closers...)
	}
	c := sourceCommon{in: in, file: file, iface: iface, closers: closers}
	var src Source
	if isPcapng {
		src, err = newPcapngReader(c)
	} else {
		src, err = newPcapReader(c, format)
	}
	if err != nil {
		if in.ra != nil {
			in.ra.Close()
		}
		return nil, err
	}
	return src, nil
}

// sourceCommon holds what the pcap and pcapng readers share.
type sourceCommon struct {
	in      *input
	file    string // name for errors
	iface   string // default interface name
	closers []io.Closer
	err     error // sticky: once set, Next returns it
}

// fail records a FileError at offset as the source's final result.
func (c *sourceCommon) fail(offset int64, err error) error {
	c.err = &FileError{File: c.file, Offset: offset, Decompressed: c.in.decompressed, Err: err}
	return c.err
}

// shortRead turns a short read at a record or block boundary into the right
// result: io.EOF at a clean end, otherwise a FileError at offset. what names
// the record and got/want are the bytes present and needed.
func (c *sourceCommon) shortRead(offset int64, what string, got, want int, err error) error {
	switch {
	case isEOF(err) && got == 0:
		c.err = io.EOF
		return io.EOF
	case isEOF(err):
		return c.fail(offset, fmt.Errorf("%w %s: %d bytes needed, %d remain", ErrTruncated, what, want, got))
	default:
		return c.fail(offset, fmt.Errorf("reading %s: %w", what, err))
	}
}

// readsAhead reports whether a goroutine reads the file ahead (for tests).
func (c *sourceCommon) readsAhead() bool { return c.in.ra != nil }

// isEOF reports whether err is the end of the stream rather than a failure.
func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// Close releases the file (and the decompressor); later calls to Next fail.
func (c *sourceCommon) Close() error {
	var first error
	for _, cl := range c.closers {
		if err := cl.Close(); err != nil && first == nil {
			first = fmt.Errorf("close %s: %w", c.file, err)
		}
	}
	c.closers = nil
	if c.err == nil || c.err == io.EOF {
		c.err = fmt.Errorf("%s: %w", c.file, os.ErrClosed)
	}
	return first
}

// input is a buffered reader that hands out slices of its one buffer and
// tracks the stream offset, so that reading allocates nothing per frame and
// every error can name its offset.
type input struct {
	src          io.Reader
	buf          []byte
	start        int   // first unconsumed byte in buf
	end          int   // end of the buffered bytes in buf
	base         int64 // stream offset of buf[0]
	err          error // from src; reported once the buffer is drained
	decompressed bool  // offsets count bytes after gunzip
	// ra, when set, reads src ahead in a goroutine; then src is not read
	// here, and Read and ReadByte are not used.
	ra *readAhead
}

// newInput returns an input over r, whose length is size or -1 if unknown;
// a short input gets a small buffer, which grows if a record needs it.
func newInput(r io.Reader, size int64) *input {
	n := readBufferSize
	if size >= 0 && size < readBufferSize {
		n = max(int(size), minReadBuffer)
	}
	return &input{src: r, buf: make([]byte, n)}
}

// offset returns the stream offset of the next unconsumed byte.
func (in *input) offset() int64 { return in.base + int64(in.start) }

// peek returns the next n bytes without consuming them. When the stream ends
// first it returns the bytes that remain with io.EOF, or with the read error.
// The slice is valid until the next call on in.
func (in *input) peek(n int) ([]byte, error) {
	if in.end-in.start >= n {
		return in.buf[in.start : in.start+n], nil
	}
	return in.fill(n)
}

// fill reads until n bytes are buffered or the source fails; callers bound n.
func (in *input) fill(n int) ([]byte, error) {
	if in.ra != nil {
		return in.fillAhead(n)
	}
	switch {
	case n > len(in.buf):
		size := max(n, 2*len(in.buf))
		buf := make([]byte, size)
		in.end = copy(buf, in.buf[in.start:in.end])
		in.base += int64(in.start)
		in.start = 0
		in.buf = buf
	case n > len(in.buf)-in.start:
		in.end = copy(in.buf, in.buf[in.start:in.end])
		in.base += int64(in.start)
		in.start = 0
	}
	for empty := 0; in.end-in.start < n && in.err == nil; {
		m, err := in.src.Read(in.buf[in.end:])
		in.end += m
		if err != nil {
			in.err = err
		} else if m == 0 {
			if empty++; empty >= maxEmptyReads {
				in.err = io.ErrNoProgress
			}
		}
	}
	if in.end-in.start >= n {
		return in.buf[in.start : in.start+n], nil
	}
	return in.buf[in.start:in.end], in.err
}

// advance consumes n bytes that peek returned.
func (in *input) advance(n int) { in.start += n }

// skip consumes n bytes without keeping them and returns how many it could.
func (in *input) skip(n int64) (int64, error) {
	var done int64
	for done < n {
		if in.start == in.end {
			if _, err := in.fill(1); in.start == in.end {
				return done, err
			}
		}
		step := int(min(n-done, int64(in.end-in.start)))
		in.start += step
		done += int64(step)
	}
	return done, nil
}

// Read serves the buffered bytes, then the source, so that a decompressor
// can take over the stream after the magic was peeked.
func (in *input) Read(p []byte) (int, error) {
	if in.start < in.end {
		n := copy(p, in.buf[in.start:in.end])
		in.start += n
		return n, nil
	}
	if in.err != nil {
		return 0, in.err
	}
	return in.src.Read(p)
}

// ReadByte lets the gzip decompressor read from the buffer directly instead
// of wrapping it in another one.
func (in *input) ReadByte() (byte, error) {
	if in.start == in.end {
		if _, err := in.fill(1); in.start == in.end {
			return 0, err
		}
	}
	b := in.buf[in.start]
	in.start++
	return b, nil
}
