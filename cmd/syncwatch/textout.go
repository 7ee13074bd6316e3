package main

import (
	"bufio"
	"bytes"
	"io"
)

// lineTrimmer writes text with the spaces and tabs at the end of each line
// dropped: a table's padding after its last non-empty cell, for instance.
// Whitespace is held back until the line goes on, so it works across
// writes; Flush drops what is held at the end and flushes.
type lineTrimmer struct {
	w    *bufio.Writer
	held []byte // spaces and tabs not yet known to be inside a line
}

func newLineTrimmer(w io.Writer) *lineTrimmer {
	return &lineTrimmer{w: bufio.NewWriterSize(w, 1<<16)}
}

// Write writes p without the whitespace that ends its lines.
func (t *lineTrimmer) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line, rest, newline := bytes.Cut(p, []byte{'\n'})
		p = rest
		text := bytes.TrimRight(line, " \t")
		if len(text) > 0 {
			t.w.Write(t.held)
			t.held = t.held[:0]
			t.w.Write(text)
		}
		if newline {
			t.held = t.held[:0]
			t.w.WriteByte('\n')
		} else {
			t.held = append(t.held, line[len(text):]...)
		}
	}
	// bufio.Writer's error is sticky: the first failure is returned here
	// and by every later call.
	if _, err := t.w.Write(nil); err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes what is buffered, dropping whitespace held at the end.
func (t *lineTrimmer) Flush() error {
	t.held = t.held[:0]
	return t.w.Flush()
}
