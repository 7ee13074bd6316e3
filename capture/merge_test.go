package capture

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// TestMerged interleaves sources by timestamp, the first listed on ties,
// drops a damaged one with its error after its good frames, and gives one
// source's frames unchanged (its own fast path).
func TestMerged(t *testing.T) {
	file := func(name string, cut int, stamps ...int) Source {
		var frames []pcapgoFrame
		for _, s := range stamps {
			frames = append(frames, pcapgoFrame{ts: wireBase.Add(time.Duration(s) * time.Millisecond), data: []byte{byte(s)}, length: 1})
		}
		b := writePcapgo(t, true, layers.LinkTypeEthernet, frames...)
		src, err := NewReader(bytes.NewReader(b[:len(b)-cut]), name)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	read := func(m *Merged) string {
		var out []string
		var f Frame
		for i := 0; ; i++ {
			if err := m.Next(&f); err != nil {
				if err != io.EOF {
					t.Fatalf("Next: %v, want io.EOF", err)
				}
				// Further calls stay at the end.
				if err := m.Next(&f); err != io.EOF {
					t.Fatalf("Next after the end: %v", err)
				}
				break
			}
			out = append(out, fmt.Sprintf("%s:%d", f.Interface, f.Data[0]))
		}
		return fmt.Sprint(out, m.Errors())
	}
	for _, tc := range []struct {
		name string
		srcs func() []Source
		want string
	}{
		{"one source", func() []Source { return []Source{file("a", 0, 1, 2, 3)} }, "[a:1 a:2 a:3] []"},
		{"one empty source", func() []Source { return []Source{file("a", 0)} }, "[] []"},
		{"one damaged source: its frames, then its error", func() []Source { return []Source{file("a", 1, 1, 2, 3)} },
			"[a:1 a:2] [a: offset 58: truncated record: header says 1 bytes, 0 remain]"},
		{"one source damaged at its first frame", func() []Source { return []Source{file("a", 1, 1)} },
			"[] [a: offset 24: truncated record: header says 1 bytes, 0 remain]"},
		{"two sources by time, the first on ties", func() []Source { return []Source{file("a", 0, 1, 3, 5), file("b", 0, 2, 3, 4)} },
			"[a:1 b:2 a:3 b:3 b:4 a:5] []"},
		{"a damaged source drops out, the other goes on", func() []Source { return []Source{file("a", 1, 1, 3, 5), file("b", 0, 2, 4, 6)} },
			"[a:1 b:2 a:3 b:4 b:6] [a: offset 58: truncated record: header says 1 bytes, 0 remain]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMerged(tc.srcs()...)
			defer m.Close()
			if got := read(m); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
