package capture

import "io"

// Sizes of the read-ahead of large files.
const (
	// readAheadMin is the smallest file that gets a read-ahead goroutine.
	readAheadMin = 8 << 20
	// readAheadChunk is how much the goroutine reads at once.
	readAheadChunk = 1 << 20
	// readAheadHeadroom is the room before each chunk's data where the
	// unconsumed end of the previous chunk is copied, so that a record
	// (at most maxParsedBlock) is always contiguous.
	readAheadHeadroom = maxParsedBlock + 64
	// readAheadBuffers is how many chunks circulate: one being parsed, one
	// waiting, one being read.
	readAheadBuffers = 3
)

// readAhead reads a file in a goroutine, a chunk ahead of the parser, so
// that copying the file from the page cache overlaps with decoding instead
// of adding to it. The chunks are handed to input, which parses them in
// place: no byte is copied twice.
type readAhead struct {
	full  chan raChunk
	empty chan []byte
	stop  chan struct{}
	done  chan struct{}
}

// raChunk is a buffer whose bytes [readAheadHeadroom, readAheadHeadroom+n)
// were read; err is what the read ended with (io.EOF at the end).
type raChunk struct {
	mem []byte
	n   int
	err error
}

func newReadAhead(src io.Reader) *readAhead {
	ra := &readAhead{
		full:  make(chan raChunk, readAheadBuffers),
		empty: make(chan []byte, readAheadBuffers),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	for range readAheadBuffers {
		ra.empty <- make([]byte, readAheadHeadroom+readAheadChunk)
	}
	go ra.run(src)
	return ra
}

func (ra *readAhead) run(src io.Reader) {
	defer close(ra.done)
	for {
		var mem []byte
		select {
		case mem = <-ra.empty:
		case <-ra.stop:
			return
		}
		n, err := readChunk(src, mem[readAheadHeadroom:])
		select {
		case ra.full <- raChunk{mem: mem, n: n, err: err}:
		case <-ra.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// readChunk fills b from src, or reads until src fails; a source that
// keeps returning nothing fails with io.ErrNoProgress, as in bufio.
func readChunk(src io.Reader, b []byte) (int, error) {
	n := 0
	for empty := 0; n < len(b); {
		m, err := src.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
		if m == 0 {
			if empty++; empty >= maxEmptyReads {
				return n, io.ErrNoProgress
			}
		}
	}
	return n, nil
}

// next returns the next chunk, blocking until it is read.
func (ra *readAhead) next() raChunk { return <-ra.full }

// recycle hands a chunk's buffer back for reading into.
func (ra *readAhead) recycle(mem []byte) {
	if len(mem) != readAheadHeadroom+readAheadChunk {
		return // the input's first buffer, or one of its own
	}
	select {
	case ra.empty <- mem:
	default:
	}
}

// Close stops the goroutine and waits for it, so the file can be closed
// after it. It is idempotent.
func (ra *readAhead) Close() error {
	select {
	case <-ra.stop:
	default:
		close(ra.stop)
	}
	<-ra.done
	return nil
}

// fillAhead is fill for an input with a read-ahead: the unconsumed bytes
// move to the headroom of the next chunk, which becomes the buffer.
func (in *input) fillAhead(n int) ([]byte, error) {
	for in.end-in.start < n && in.err == nil {
		c := in.ra.next()
		left := in.end - in.start
		old := in.buf
		if left <= readAheadHeadroom {
			at := readAheadHeadroom - left
			copy(c.mem[at:], in.buf[in.start:in.end])
			in.base += int64(in.start) - int64(at)
			in.buf, in.start, in.end = c.mem, at, readAheadHeadroom+c.n
		} else {
			// Longer than any record the readers ask for: keep going in a
			// buffer of its own.
			buf := make([]byte, left+c.n)
			copy(buf, in.buf[in.start:in.end])
			copy(buf[left:], c.mem[readAheadHeadroom:readAheadHeadroom+c.n])
			in.base += int64(in.start)
			in.buf, in.start, in.end = buf, 0, len(buf)
			in.ra.recycle(c.mem)
		}
		in.ra.recycle(old)
		if c.err != nil {
			in.err = c.err
		}
	}
	if in.end-in.start >= n {
		return in.buf[in.start : in.start+n], nil
	}
	return in.buf[in.start:in.end], in.err
}
