package capture

import (
	"errors"
	"io"
)

// Merged interleaves several sources by timestamp, so captures taken at the
// same time on several SPAN ports, or one capture rotated into several
// files, are classified as one stream. A source that fails is dropped with
// its error and the others go on: Errors returns what failed.
type Merged struct {
	srcs    []Source
	heads   []Frame
	live    []bool
	errs    []error
	current int
}

// NewMerged returns the merge of srcs; it closes them on Close.
func NewMerged(srcs ...Source) *Merged {
	m := &Merged{srcs: srcs, heads: make([]Frame, len(srcs)), live: make([]bool, len(srcs)), current: -1}
	for i := range srcs {
		m.live[i] = true
		m.pull(i)
	}
	return m
}

// pull reads the next frame of source i into its head slot.
func (m *Merged) pull(i int) {
	err := m.srcs[i].Next(&m.heads[i])
	if err == nil {
		return
	}
	m.live[i] = false
	if !errors.Is(err, io.EOF) {
		m.errs = append(m.errs, err)
	}
}

// Next returns the earliest pending frame of all sources (on equal
// timestamps, the source listed first). It returns io.EOF when every source
// has ended or failed.
func (m *Merged) Next(f *Frame) error {
	if len(m.srcs) == 1 {
		return m.nextOnly(f)
	}
	// The frame handed out last time is consumed now: its source's buffer
	// may be reused.
	if m.current >= 0 {
		m.pull(m.current)
		m.current = -1
	}
	best := -1
	for i := range m.srcs {
		if m.live[i] && (best < 0 || m.heads[i].Timestamp < m.heads[best].Timestamp) {
			best = i
		}
	}
	if best < 0 {
		return io.EOF
	}
	*f = m.heads[best]
	m.current = best
	return nil
}

// nextOnly is Next for a single source, read straight into f: the head
// slot holds only the first frame, read by NewMerged.
func (m *Merged) nextOnly(f *Frame) error {
	if m.current < 0 {
		// The first call: hand out the frame NewMerged read.
		m.current = 0
		if !m.live[0] {
			return io.EOF
		}
		*f = m.heads[0]
		return nil
	}
	if !m.live[0] {
		return io.EOF
	}
	err := m.srcs[0].Next(f)
	if err == nil {
		return nil
	}
	m.live[0] = false
	if !errors.Is(err, io.EOF) {
		m.errs = append(m.errs, err)
	}
	return io.EOF
}

// Errors returns the errors of the sources that failed, in the order they
// failed.
func (m *Merged) Errors() []error { return m.errs }

// Close closes every source.
func (m *Merged) Close() error {
	var errs []error
	for _, s := range m.srcs {
		if err := s.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
