package capture

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata/files/*.frames from tshark's reading of the files")

// readAll reads every frame of file through NewReader.
func readAll(t testing.TB, file []byte, name string) ([]Frame, error) {
	t.Helper()
	src, err := NewReader(bytes.NewReader(file), name)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	return drain(t, src)
}

// drain reads src to its end, copying each frame's data, and checks that the
// end is final. It gives up after more frames than any test file holds, so
// that a reader that loops fails the test instead of hanging it.
func drain(t testing.TB, src Source) ([]Frame, error) {
	t.Helper()
	var frames []Frame
	var f Frame
	for range 1 << 20 {
		err := src.Next(&f)
		if err != nil {
			if again := src.Next(&f); again != err {
				t.Errorf("Next after %v returned %v, want the same error", err, again)
			}
			return frames, err
		}
		g := f
		g.Data = bytes.Clone(f.Data)
		frames = append(frames, g)
	}
	t.Fatalf("no end after %d frames", 1<<20)
	return nil, nil
}

func checkFrames(t testing.TB, got, want []Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d frames, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Data, w.Data) || g.Timestamp != w.Timestamp || g.Length != w.Length ||
			g.Link != w.Link || g.Interface != w.Interface || g.VLAN != w.VLAN {
			t.Errorf("frame %d:\n got {ts %d len %d link %v iface %q vlan %d data % x}\nwant {ts %d len %d link %v iface %q vlan %d data % x}", i,
				g.Timestamp, g.Length, g.Link, g.Interface, g.VLAN, g.Data, w.Timestamp, w.Length, w.Link, w.Interface, w.VLAN, w.Data)
		}
	}
}

// checkEnd checks how reading ended: io.EOF when wantErr is empty, else a
// *FileError with exactly that text.
func checkEnd(t testing.TB, err error, wantErr string) {
	t.Helper()
	if wantErr == "" {
		if err != io.EOF {
			t.Errorf("end: got %v, want io.EOF", err)
		}
		return
	}
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Errorf("end: got %v (%T), want *FileError %q", err, err, wantErr)
		return
	}
	if err.Error() != wantErr {
		t.Errorf("end:\n got %q\nwant %q", err.Error(), wantErr)
	}
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// smallPcap is a little-endian microsecond pcap with two 3-byte frames.
func smallPcap() []byte {
	return buildPcap(binary.LittleEndian, magicMicro, 1, rec(1, 0, data3, 3), rec(2, 0, data3, 3))
}

func TestDetect(t *testing.T) {
	ng := newNg(binary.BigEndian)
	ng.shb(1, 0).idb(LinkRaw, 0).epb(0, 1, 3, data3)
	badGzipTrailer := gz(smallPcap())
	badGzipTrailer[len(badGzipTrailer)-5] ^= 0xff // CRC-32
	tests := []struct {
		name    string
		file    []byte
		want    []Frame
		wantErr string
	}{
		{name: "empty", file: nil, wantErr: "in: offset 0: empty file: no pcap or pcapng magic"},
		{name: "three bytes", file: []byte{0xd4, 0xc3, 0xb2}, wantErr: "in: offset 0: file too short: 3 bytes, no pcap or pcapng magic"},
		{name: "HTML", file: []byte("<!DOCTYPE html>"), wantErr: "in: offset 0: unknown magic 3c 21 44 4f: not a pcap, pcapng or gzip file"},
		{name: "pcap magic in the wrong place", file: append([]byte{0}, smallPcap()...), wantErr: "in: offset 0: unknown magic 00 d4 c3 b2: not a pcap, pcapng or gzip file"},
		{name: "pcap", file: smallPcap(), want: []Frame{frame(1e9, 3, LinkEthernet, "in", data3), frame(2e9, 3, LinkEthernet, "in", data3)}},
		{name: "pcapng", file: ng.b, want: []Frame{frame(1000, 3, LinkRaw, "in#0", data3)}},
		{name: "gzip pcap", file: gz(smallPcap()), want: []Frame{frame(1e9, 3, LinkEthernet, "in", data3), frame(2e9, 3, LinkEthernet, "in", data3)}},
		{name: "gzip pcapng", file: gz(ng.b), want: []Frame{frame(1000, 3, LinkRaw, "in#0", data3)}},
		{
			name:    "gzip of a cut pcap: offsets count decompressed bytes",
			file:    gz(smallPcap()[:24+19+10]),
			want:    []Frame{frame(1e9, 3, LinkEthernet, "in", data3)},
			wantErr: "in: offset 43 (decompressed): truncated record header: 16 bytes needed, 10 remain",
		},
		{
			name:    "gzip with a bad checksum",
			file:    badGzipTrailer,
			want:    []Frame{frame(1e9, 3, LinkEthernet, "in", data3), frame(2e9, 3, LinkEthernet, "in", data3)},
			wantErr: "in: offset 62 (decompressed): reading record header: gzip: invalid checksum",
		},
		{
			name:    "gzip stream cut before its trailer",
			file:    gz(smallPcap())[:len(gz(smallPcap()))-8],
			want:    []Frame{frame(1e9, 3, LinkEthernet, "in", data3), frame(2e9, 3, LinkEthernet, "in", data3)},
			wantErr: "in: offset 62 (decompressed): reading record header: unexpected EOF",
		},
		{name: "gzip of nothing", file: gz(nil), wantErr: "in: offset 0 (decompressed): empty file: no pcap or pcapng magic"},
		// A valid header followed by data that does not inflate: the
		// inflater's error, not "empty file".
		{name: "gzip header, then garbage", file: append(gz(nil)[:10], 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), wantErr: "in: offset 0 (decompressed): reading magic: flate: corrupt input before offset 1"},
		{name: "gzip of text", file: gz([]byte("hello")), wantErr: "in: offset 0 (decompressed): unknown magic 68 65 6c 6c: not a pcap, pcapng or gzip file"},
		{name: "gzip magic only", file: []byte{0x1f, 0x8b}, wantErr: "in: offset 0: gzip header: unexpected EOF"},
		{name: "gzip magic and garbage", file: []byte("\x1f\x8bxxxxxxxxxxxxxxxx"), wantErr: "in: offset 0: gzip header: gzip: invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.file, "in")
			checkFrames(t, got, tt.want)
			checkEnd(t, err, tt.wantErr)
		})
	}
}

// TestGzipCutAnywhere cuts a compressed capture at every byte: the reader
// returns a prefix of the frames and then an error, never more frames.
func TestGzipCutAnywhere(t *testing.T) {
	whole := gz(writeNgPcapgo(t))
	want, err := readAll(t, whole, "x")
	checkEnd(t, err, "")
	for cut := range len(whole) {
		got, err := readAll(t, whole[:cut], "x")
		if err == io.EOF || err == nil {
			t.Fatalf("cut at %d: got %v, want an error", cut, err)
		}
		if len(got) > len(want) {
			t.Fatalf("cut at %d: %d frames, more than %d", cut, len(got), len(want))
		}
		checkFrames(t, got, want[:len(got)])
	}
}

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	ng := newNg(binary.LittleEndian)
	ng.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 3, data3)
	files := map[string][]byte{
		"pcapng-named.pcap":  ng.b,
		"pcap-named.pcapng":  smallPcap(),
		"gzip-named.pcap":    gz(smallPcap()),
		"pcap.gz":            gz(smallPcap()),
		"garbage.pcap":       []byte("not a capture"),
		"ng-cut.pcapng.gz":   gz(ng.b[:len(ng.b)-3]),
		"no-extension-at-al": ng.b,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ngFrame := func(n string) []Frame { return []Frame{frame(1000, 3, LinkEthernet, n+"#0", data3)} }
	pcapFrames := func(n string) []Frame {
		return []Frame{frame(1e9, 3, LinkEthernet, n, data3), frame(2e9, 3, LinkEthernet, n, data3)}
	}
	tests := []struct {
		name    string
		want    []Frame
		wantErr string // "@" stands for the directory
	}{
		{"pcapng-named.pcap", ngFrame("pcapng-named.pcap"), ""},
		{"pcap-named.pcapng", pcapFrames("pcap-named.pcapng"), ""},
		{"gzip-named.pcap", pcapFrames("gzip-named.pcap"), ""},
		{"pcap.gz", pcapFrames("pcap.gz"), ""},
		{"no-extension-at-al", ngFrame("no-extension-at-al"), ""},
		{"garbage.pcap", nil, "@/garbage.pcap: offset 0: unknown magic 6e 6f 74 20: not a pcap, pcapng or gzip file"},
		{"ng-cut.pcapng.gz", nil, "@/ng-cut.pcapng.gz: offset 48 (decompressed): truncated block: header says 36 bytes, 33 remain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Frame
			src, err := OpenFile(filepath.Join(dir, tt.name))
			if err == nil {
				got, err = drain(t, src)
				if cerr := src.Close(); cerr != nil {
					t.Errorf("Close: %v", cerr)
				}
			}
			checkFrames(t, got, tt.want)
			checkEnd(t, err, strings.ReplaceAll(tt.wantErr, "@", dir))
		})
	}

	t.Run("missing file", func(t *testing.T) {
		_, err := OpenFile(filepath.Join(dir, "missing.pcap"))
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.pcap") {
			t.Errorf("got %v, want a not-exist error naming the file", err)
		}
	})
	t.Run("Next after Close", func(t *testing.T) {
		src, err := OpenFile(filepath.Join(dir, "gzip-named.pcap"))
		if err != nil {
			t.Fatal(err)
		}
		if err := src.Close(); err != nil {
			t.Fatal(err)
		}
		var f Frame
		if err := src.Next(&f); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Next after Close: %v, want os.ErrClosed", err)
		}
		if err := src.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// closeCounter is a reader that counts Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

// zeroReader makes no progress and reports no error.
type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestNewReaderStreams(t *testing.T) {
	// Blocks at 0 (SHB), 28 (IDB), 48, 156 and 192 (EPBs); 300 bytes.
	ng := newNg(binary.LittleEndian)
	ng.shb(1, 0).idb(LinkEthernet, 0).epb(0, 1, 74, data74).epb(0, 2, 3, data3).epb(0, 3, 74, data74)
	ngFile := ng.b
	want, err := readAll(t, ngFile, "s")
	checkEnd(t, err, "")
	errDisk := errors.New("disk on fire")
	tests := []struct {
		name    string
		r       io.Reader
		frames  int
		wantErr string
		is      error
	}{
		{name: "one byte per read", r: iotest.OneByteReader(bytes.NewReader(ngFile)), frames: len(want)},
		{name: "half reads", r: iotest.HalfReader(bytes.NewReader(ngFile)), frames: len(want)},
		{name: "data with EOF", r: iotest.DataErrReader(bytes.NewReader(ngFile)), frames: len(want)},
		{name: "gzip one byte per read", r: iotest.OneByteReader(bytes.NewReader(gz(ngFile))), frames: len(want)},
		{
			name:    "read error inside a block",
			r:       io.MultiReader(bytes.NewReader(ngFile[:170]), iotest.ErrReader(errDisk)),
			frames:  1,
			wantErr: "s: offset 156: reading block: disk on fire",
			is:      errDisk,
		},
		{
			name:    "read error between blocks",
			r:       io.MultiReader(bytes.NewReader(ngFile[:192]), iotest.ErrReader(errDisk)),
			frames:  2,
			wantErr: "s: offset 192: reading block header: disk on fire",
			is:      errDisk,
		},
		{
			name:    "read error inside a pcap record",
			r:       io.MultiReader(bytes.NewReader(smallPcap()[:42]), iotest.ErrReader(errDisk)),
			wantErr: "s: offset 24: reading record: disk on fire",
			is:      errDisk,
		},
		{
			name:    "reader that makes no progress",
			r:       io.MultiReader(bytes.NewReader(smallPcap()[:30]), zeroReader{}),
			wantErr: "s: offset 24: reading record header: multiple Read calls return no data or error",
			is:      io.ErrNoProgress,
		},
		{
			name:    "reader that fails at once",
			r:       iotest.ErrReader(errDisk),
			wantErr: "s: offset 0: reading magic: disk on fire",
			is:      errDisk,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := &closeCounter{Reader: tt.r}
			var got []Frame
			src, err := NewReader(cc, "s")
			if err == nil {
				got, err = drain(t, src)
				src.Close()
			}
			checkFrames(t, got, want[:tt.frames])
			checkEnd(t, err, tt.wantErr)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
			if cc.closed != 0 {
				t.Errorf("Close closed the caller's reader")
			}
		})
	}
}

func TestNoStatsForPcap(t *testing.T) {
	src, err := NewReader(bytes.NewReader(smallPcap()), "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(InterfaceStatser); ok {
		t.Error("a pcap source claims interface statistics")
	}
}

func TestErrTruncated(t *testing.T) {
	_, err := readAll(t, smallPcap()[:50], "p")
	var fe *FileError
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &fe) || fe.Offset != 43 {
		t.Errorf("got %v, want ErrTruncated in a FileError at offset 43", err)
	}
	_, err = readAll(t, []byte("garbage!"), "p")
	if errors.Is(err, ErrTruncated) {
		t.Errorf("garbage reported as truncated: %v", err)
	}
}

// TestNextAllocs checks that reading allocates nothing per frame once the
// source is open.
func TestNextAllocs(t *testing.T) {
	var pcap, ng bytes.Buffer
	pcap.Write(buildPcap(binary.LittleEndian, magicNano, 1))
	n := newNg(binary.BigEndian)
	n.shb(1, 0).idb(LinkEthernet, 0, optString(ngOptIfName, "eth0"))
	ng.Write(n.b)
	for i := range 2000 {
		pcap.Write(buildPcap(binary.LittleEndian, magicNano, 1, rec(uint32(i), 0, data74, 74))[24:])
		n.b = n.b[:0]
		ng.Write(n.epb(0, uint64(i), 74, data74).b)
	}
	for name, file := range map[string][]byte{"pcap": pcap.Bytes(), "pcapng": ng.Bytes(), "gzip pcap": gz(pcap.Bytes())} {
		src, err := NewReader(bytes.NewReader(file), name)
		if err != nil {
			t.Fatal(err)
		}
		var f Frame
		allocs := testing.AllocsPerRun(1000, func() {
			if err := src.Next(&f); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Next, want 0", name, allocs)
		}
	}
}

// realFiles are captures written by tcpdump, dumpcap and editcap (see
// testdata/files/README.md); each has a .frames file with tshark's reading
// of it: Unix nanoseconds, length, captured length, interface, MD5 of the data.
var realFiles = []struct {
	file    string
	links   map[string]LinkType // by interface
	stats   []InterfaceStats
	wantErr string
}{
	{file: "lo-usec.pcap", links: map[string]LinkType{"lo-usec.pcap": LinkEthernet}},
	{file: "lo-nsec.pcap", links: map[string]LinkType{"lo-nsec.pcap": LinkEthernet}},
	{file: "lo-modified.pcap", links: map[string]LinkType{"lo-modified.pcap": LinkEthernet}},
	{file: "any-sll.pcap", links: map[string]LinkType{"any-sll.pcap": LinkLinuxSLL}},
	{file: "any-sll2-snap60.pcap", links: map[string]LinkType{"any-sll2-snap60.pcap": LinkLinuxSLL2}},
	{
		file:  "lo-any.pcapng",
		links: map[string]LinkType{"lo": LinkEthernet, "any": LinkLinuxSLL},
		stats: []InterfaceStats{
			{Name: "lo", Link: LinkEthernet, Received: 12, HasReceived: true, HasDropped: true},
			{Name: "any", Link: LinkLinuxSLL, Received: 12, HasReceived: true, HasDropped: true},
		},
	},
	{
		file:    "lo-any-cut.pcapng",
		links:   map[string]LinkType{"lo": LinkEthernet, "any": LinkLinuxSLL},
		stats:   []InterfaceStats{{Name: "lo", Link: LinkEthernet}, {Name: "any", Link: LinkLinuxSLL}},
		wantErr: "testdata/files/lo-any-cut.pcapng: offset 1904: truncated block: header says 108 bytes, 96 remain",
	},
	{
		file:  "lo-nsec.pcapng.gz",
		links: map[string]LinkType{"lo-nsec.pcapng.gz#0": LinkEthernet},
		stats: []InterfaceStats{{Name: "lo-nsec.pcapng.gz#0", Link: LinkEthernet}},
	},
}

func TestRealFiles(t *testing.T) {
	for _, tt := range realFiles {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "files", tt.file)
			golden := path + ".frames"
			if *update {
				testenv.Command(t, "tshark")
				lines := tsharkFrames(t, path)
				if err := os.WriteFile(golden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			src, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			frames, err := drain(t, src)
			checkEnd(t, err, tt.wantErr)
			got := frameLines(frames, tt.file)
			compareLines(t, got, want)
			for i, f := range frames {
				if link, ok := tt.links[f.Interface]; !ok || f.Link != link {
					t.Errorf("frame %d on %q: link %v, want %v", i, f.Interface, f.Link, link)
				}
			}
			if s, ok := src.(InterfaceStatser); ok {
				if got := s.InterfaceStats(); fmt.Sprint(got) != fmt.Sprint(tt.stats) {
					t.Errorf("InterfaceStats:\n got %+v\nwant %+v", got, tt.stats)
				}
			}
		})
	}
}

// frameLines renders frames as the .frames files hold them; the interface
// of a pcap file, which tshark leaves empty, is written as "-".
func frameLines(frames []Frame, base string) []string {
	lines := make([]string, len(frames))
	for i, f := range frames {
		iface := f.Interface
		switch {
		case iface == base:
			iface = "-"
		case strings.HasPrefix(iface, base+"#"):
			iface = "unknown" // tshark's name for a pcapng interface without if_name
		}
		lines[i] = fmt.Sprintf("%d %d %d %s %x", f.Timestamp, f.Length, len(f.Data), iface, md5.Sum(f.Data))
	}
	return lines
}

func compareLines(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d frames, want %d", len(got), len(want))
	}
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Errorf("frame %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// tsharkFrames returns tshark's reading of a capture file in the form of
// frameLines. tshark reports a cut file on stderr and with a non-zero exit
// status after printing the frames before the cut, which are kept.
func tsharkFrames(t *testing.T, path string) []string {
	t.Helper()
	cmd := exec.Command("tshark", "-r", path, "-o", "frame.generate_md5_hash:TRUE", "-T", "fields", "-E", "separator= ",
		"-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.interface_name", "-e", "frame.md5_hash")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && !strings.Contains(stderr.String(), "cut short") {
		t.Fatalf("tshark -r %s: %v: %s", path, err, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fs := strings.Split(l, " ")
		if len(fs) != 5 {
			t.Fatalf("tshark line %q: want 5 fields", l)
		}
		sec, frac, _ := strings.Cut(fs[0], ".")
		ns, err := strconv.ParseInt(sec+(frac + "000000000")[:9], 10, 64)
		if err != nil {
			t.Fatalf("tshark time %q: %v", fs[0], err)
		}
		if fs[3] == "" {
			fs[3] = "-"
		}
		lines = append(lines, fmt.Sprintf("%d %s %s %s %s", ns, fs[1], fs[2], fs[3], fs[4]))
	}
	return lines
}

// TestTsharkAgrees has tshark, an independent reader, read the files that
// the tests build by hand, and compares every frame with ours.
func TestTsharkAgrees(t *testing.T) {
	testenv.Command(t, "tshark")
	le, be := binary.LittleEndian, binary.BigEndian
	// tshark 4.0 numbers interfaces across the whole file instead of per
	// section, so the first section defines none and the numbering agrees;
	// TestPcapng covers interfaces in several sections.
	sections := newNg(le)
	sections.shb(1, 0).block(4, make([]byte, 16))
	sections.order = be
	sections.shb(1, 0).idb(LinkRaw, 0, optString(ngOptIfName, "r"), optByte(ngOptIfTsresol, 0x80|20), sections.optU64(ngOptIfTsoffset, 60)).
		idb(LinkIPv6, 0, optString(ngOptIfName, "b")).
		epb(1, 1796000000e6+1, 3, data3).epb(0, 1796000000<<20|1<<19, 74, data74).pb(1, 1796000000e6+2, 90, data74).
		block(4, make([]byte, 40)).block(0x0a, make([]byte, 40))
	files := map[string][]byte{
		"be-usec.pcap":    buildPcap(be, magicMicro, 1, rec(1796000000, 1, data74, 74), rec(1796000000, 2, data3, 60)),
		"be-nsec.pcap":    buildPcap(be, magicNano, 101, rec(1796000000, 999999999, data74, 1500)),
		"be-mod.pcap":     buildPcap(be, magicModified, 113, rec(1796000000, 3, data74, 74)),
		"le-mod.pcap":     buildPcap(le, magicModified, 276, rec(1796000000, 4, data3, 3)),
		"pcapgo.pcapng":   writeNgPcapgo(t),
		"sections.pcapng": sections.b,
		"cut.pcap":        smallPcap()[:50],
	}
	dir := t.TempDir()
	for name, b := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			frames, _ := readAll(t, b, name)
			compareLines(t, frameLines(frames, name), tsharkFrames(t, path))
		})
	}
}

// FuzzReader feeds arbitrary bytes to NewReader: it must not panic, must
// end with io.EOF or a *FileError, must hand out sane frames and must end
// within a number of calls bounded by the input size.
func FuzzReader(f *testing.F) {
	le, be := binary.LittleEndian, binary.BigEndian
	ng := newNg(be)
	ng.shb(1, 0).idb(LinkEthernet, 60, optString(ngOptIfName, "x"), optByte(ngOptIfTsresol, 0x94)).
		epb(0, 5, 74, data74).spb(74, data74[:60]).pb(0, 6, 3, data3).isb(0, ng.optU64(ngOptIsbIfrecv, 3)).
		block(4, make([]byte, 8))
	ng.order = le
	ng.shb(1, 0).idb(LinkRaw, 0).epb(0, 7, 3, data3)
	seeds := [][]byte{
		smallPcap(),
		smallPcap()[:50],
		buildPcap(be, magicNano, 1, rec(1, 2, data74, 74)),
		buildPcap(le, magicModified, 1, rec(1, 2, data3, 3)),
		ng.b,
		ng.b[:len(ng.b)-7],
		gz(smallPcap()),
		gz(ng.b),
	}
	seeds = append(seeds, writeNgPcapgo(f))
	for _, rf := range realFiles {
		if b, err := os.ReadFile(filepath.Join("testdata", "files", rf.file)); err == nil {
			seeds = append(seeds, b)
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		src, err := NewReader(bytes.NewReader(b), "fuzz")
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("open: %v (%T), want *FileError", err, err)
			}
			return
		}
		defer src.Close()
		// Each frame consumes at least 12 bytes of the file, or of what
		// gzip makes of it, which is at most about 1032 times as much.
		limit := len(b)/12 + 2
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
			limit = len(b)*1100/12 + 2
		}
		var f Frame
		for range limit {
			err := src.Next(&f)
			if err == io.EOF {
				return
			}
			if err != nil {
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Fatalf("Next: %v (%T), want *FileError", err, err)
				}
				return
			}
			if len(f.Data) > maxCaptureLength || f.Length < len(f.Data) || f.VLAN != -1 || cap(f.Data) != len(f.Data) {
				t.Fatalf("bad frame: %d bytes of %d, cap %d, VLAN %d", len(f.Data), f.Length, cap(f.Data), f.VLAN)
			}
			if in := sourceInput(src); len(in.buf) > maxParsedBlock {
				t.Fatalf("read buffer grew to %d bytes", len(in.buf))
			}
		}
		t.Fatalf("no end after %d frames from %d bytes", limit, len(b))
	})
}

// sourceInput returns the input buffer of a file source.
func sourceInput(src Source) *input {
	switch s := src.(type) {
	case *pcapReader:
		return s.in
	case *pcapngReader:
		return s.in
	}
	panic(fmt.Sprintf("unknown source %T", src))
}
