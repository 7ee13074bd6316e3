package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// examplePcap returns the example converted to classic pcap (microseconds,
// as tshark -F pcap writes it): 24 records, 2464 bytes.
func examplePcap(t *testing.T) []byte {
	t.Helper()
	src, err := capture.OpenFile(example)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	var f capture.Frame
	for {
		err := src.Next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ci := gopacket.CaptureInfo{Timestamp: time.Unix(0, f.Timestamp), CaptureLength: len(f.Data), Length: f.Length}
		if err := w.WritePacket(ci, f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if buf.Len() != 2464 {
		t.Fatalf("the example as pcap has %d bytes, want 2464", buf.Len())
	}
	return buf.Bytes()
}

// TestAnalyzeConcatenatedPcap replays cat c.pcap c.pcap: the 24 packets of
// the first copy are classified, then one error names the offset where the
// second file header begins, and the exit code is 1.
func TestAnalyzeConcatenatedPcap(t *testing.T) {
	c := examplePcap(t)
	cc := writeFile(t, "cc.pcap", append(append([]byte(nil), c...), c...))
	code, out, errOut := runCLI(t, "analyze", cc)
	if code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	want := "syncwatch analyze: " + cc + ": offset 2464: a second pcap file header begins here: files were concatenated " +
		"(join captures with mergecap, or give them to analyze as separate files, which merges them by time)\n"
	if errOut != want {
		t.Errorf("stderr\n got %q\nwant %q", errOut, want)
	}
	for _, s := range []string{
		"\nSummary: 8 attempts\n",
		"\nPackets: 24 read, 24 on the port, 0 cut by the snaplen, 0 SPAN duplicates, 0 late corrections, 0 evictions\nIgnored: unmatched 4\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("stdout lacks %q:\n%s", s, out)
		}
	}

	// The two copies given as separate files are read whole, and merged.
	one := writeFile(t, "c.pcap", c)
	code, out, errOut = runCLI(t, "analyze", one)
	if code != exitOK || errOut != "" || !strings.Contains(out, "\nPackets: 24 read, 24 on the port,") {
		t.Errorf("c.pcap alone: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}

// TestAnalyzeConcatenatedPcapng checks that cat of two pcapng files, two
// sections in one file (valid pcapng), is still read whole.
func TestAnalyzeConcatenatedPcapng(t *testing.T) {
	ng := readExample(t)
	cc := writeFile(t, "cc.pcapng", append(append([]byte(nil), ng...), ng...))
	code, out, errOut := runCLI(t, "analyze", cc)
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if s := "\nPackets: 48 read, 48 on the port, 0 cut by the snaplen, "; !strings.Contains(out, s) {
		t.Errorf("stdout lacks %q:\n%s", s, out)
	}
}

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runCLIStdin is runCLI with stdin as standard input.
func runCLIStdin(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), &environment{stdin: stdin, stdout: &stdout, stderr: &stderr}, args)
	return code, stdout.String(), stderr.String()
}

// TestAnalyzeStdin reads captures from standard input ("-"): the same
// report as from the file, with errors naming stdin.
func TestAnalyzeStdin(t *testing.T) {
	code, fromFile, errOut := runCLI(t, "analyze", example)
	if code != exitOK || errOut != "" {
		t.Fatalf("file: exit %d, stderr %q", code, errOut)
	}
	ng := readExample(t)
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write(ng)
	zw.Close()
	c := examplePcap(t)
	for _, tc := range []struct {
		name  string
		stdin []byte
	}{{"pcapng", ng}, {"gzip-compressed pcapng", zipped.Bytes()}} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLIStdin(t, bytes.NewReader(tc.stdin), "analyze", "-")
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if out != fromFile {
				t.Errorf("stdout differs from that of the file:\n%s", out)
			}
		})
	}
	t.Run("classic pcap: the interface is named stdin", func(t *testing.T) {
		code, out, errOut := runCLIStdin(t, iotest.OneByteReader(bytes.NewReader(c)), "analyze", "-")
		if code != exitOK || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		want := "2026-12-03 19:18:38.704653  10.0.0.10:40001       7e:26:4d:06:86:8e  10.0.0.11:8449       accepted    1     18µs   -      stdin\n"
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	})
	t.Run("JSON names the file stdin", func(t *testing.T) {
		code, out, errOut := runCLIStdin(t, bytes.NewReader(ng), "analyze", "--format", "json", "-")
		if code != exitOK || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var doc struct {
			Stats struct {
				Files []struct {
					File  string  `json:"file"`
					Error *string `json:"error"`
				} `json:"files"`
			} `json:"stats"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Stats.Files) != 1 || doc.Stats.Files[0].File != "stdin" || doc.Stats.Files[0].Error != nil {
			t.Errorf("files %+v", doc.Stats.Files)
		}
	})
	t.Run("damage is reported at its offset in stdin", func(t *testing.T) {
		code, out, errOut := runCLIStdin(t, bytes.NewReader(append(append([]byte(nil), c...), c...)), "analyze", "-")
		want := "syncwatch analyze: stdin: offset 2464: a second pcap file header begins here: files were concatenated " +
			"(join captures with mergecap, or give them to analyze as separate files, which merges them by time)\n"
		if code != exitRuntime || errOut != want {
			t.Errorf("exit %d, stderr\n got %q\nwant %q", code, errOut, want)
		}
		if !strings.Contains(out, "\nPackets: 24 read, 24 on the port,") {
			t.Errorf("stdout:\n%s", out)
		}
	})
	t.Run("stdin and a file", func(t *testing.T) {
		other := writeFile(t, "c.pcap", c)
		code, out, errOut := runCLIStdin(t, bytes.NewReader(ng), "analyze", other, "-")
		if code != exitOK || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if !strings.Contains(out, "\nPackets: 48 read, 48 on the port,") {
			t.Errorf("stdout:\n%s", out)
		}
	})
	for _, tc := range []struct {
		name  string
		stdin io.Reader
	}{{"empty", bytes.NewReader(nil)}, {"none", nil}} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLIStdin(t, tc.stdin, "analyze", "-")
			if want := "syncwatch analyze: stdin: offset 0: empty file: no pcap or pcapng magic\n"; code != exitRuntime || errOut != want || out != "" {
				t.Errorf("exit %d, stderr %q, want %q; stdout %q", code, errOut, want, out)
			}
		})
	}
}

// TestAnalyzeStdinTerminal checks that a terminal on standard input is
// refused instead of waited on.
func TestAnalyzeStdinTerminal(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("terminals are recognised on Linux only")
	}
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		testenv.Unavailable(t, "no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	code, out, errOut := runCLIStdin(t, tty, "analyze", "-")
	want := "syncwatch analyze: -: standard input is a terminal, not a capture: pipe one in (tcpdump -w - ... | syncwatch analyze -)\n"
	if code != exitUsage || errOut != want || out != "" {
		t.Errorf("exit %d, stderr\n got %q\nwant %q", code, errOut, want)
	}
}

// TestAnalyzeSameFileTwice replays one file given twice, under the same or
// another name: a usage error before anything is read.
func TestAnalyzeSameFileTwice(t *testing.T) {
	dir := t.TempDir()
	link := filepath.Join(dir, "link.pcapng")
	if err := os.Symlink(mustAbs(t, example), link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.pcapng")
	if err := os.Link(example, hard); err != nil {
		t.Logf("no hard link (%v): copying", err)
		hard = ""
	}
	redirected, err := os.Open(example)
	if err != nil {
		t.Fatal(err)
	}
	defer redirected.Close()
	const hint = ": give each capture file once (read twice, each of its packets would count as a SPAN duplicate)\n"
	other := "../../examples/./state-sync.pcapng"
	tests := []struct {
		name   string
		stdin  io.Reader
		args   []string
		stderr string
	}{
		{"the same path", nil, []string{example, example}, example + " given twice" + hint},
		{"the same path with a dot", nil, []string{example, other}, example + " and " + other + " are the same file" + hint},
		{"a symbolic link", nil, []string{example, link}, example + " and " + link + " are the same file" + hint},
		{"standard input redirected from the file", redirected, []string{example, "-"}, example + " and - (standard input) are the same file" + hint},
		{"standard input twice", bytes.NewReader(nil), []string{"-", "-"}, "- (standard input) given twice: it can be read only once\n"},
	}
	if hard != "" {
		tests = append(tests, struct {
			name   string
			stdin  io.Reader
			args   []string
			stderr string
		}{"a hard link", nil, []string{hard, example}, hard + " and " + example + " are the same file" + hint})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLIStdin(t, tc.stdin, append([]string{"analyze"}, tc.args...)...)
			if want := "syncwatch analyze: " + tc.stderr; code != exitUsage || errOut != want || out != "" {
				t.Errorf("exit %d, stdout %q, stderr\n got %q\nwant %q", code, out, errOut, want)
			}
		})
	}
}

// TestAnalyzeDirectory checks that a directory is named as one.
func TestAnalyzeDirectory(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "analyze", dir)
	if want := "syncwatch analyze: " + dir + ": is a directory, not a capture file\n"; code != exitRuntime || errOut != want || out != "" {
		t.Errorf("exit %d, stdout %q, stderr\n got %q\nwant %q", code, out, errOut, want)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAnalyzeConcatenatedTshark replays the review's reproduction with the
// real tools: the example converted by tshark, joined with cat, and the fix
// the error advises, mergecap.
func TestAnalyzeConcatenatedTshark(t *testing.T) {
	tshark := testenv.Command(t, "tshark", "mergecap")
	dir := t.TempDir()
	c := filepath.Join(dir, "c.pcap")
	if out, err := exec.Command(tshark, "-r", example, "-F", "pcap", "-w", c).CombinedOutput(); err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	b, err := os.ReadFile(c)
	if err != nil {
		t.Fatal(err)
	}
	cc := writeFile(t, "cc.pcap", append(append([]byte(nil), b...), b...))
	code, out, errOut := runCLI(t, "analyze", cc)
	want := "syncwatch analyze: " + cc + ": offset 2464: a second pcap file header begins here: files were concatenated " +
		"(join captures with mergecap, or give them to analyze as separate files, which merges them by time)\n"
	if code != exitRuntime || errOut != want {
		t.Errorf("exit %d, stderr\n got %q\nwant %q", code, errOut, want)
	}
	if !strings.Contains(out, "\nPackets: 24 read, 24 on the port, 0 cut by the snaplen,") {
		t.Errorf("stdout:\n%s", out)
	}

	c2 := filepath.Join(dir, "c2.pcap")
	if err := os.WriteFile(c2, b, 0o644); err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(dir, "merged.pcap")
	if out, err := exec.Command("mergecap", "-F", "pcap", "-w", merged, c, c2).CombinedOutput(); err != nil {
		t.Fatalf("mergecap: %v\n%s", err, out)
	}
	code, out, errOut = runCLI(t, "analyze", merged)
	if code != exitOK || errOut != "" || !strings.Contains(out, "\nPackets: 48 read, 48 on the port,") {
		t.Errorf("merged: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
}

// cancelAfter is standard input that cancels the run's context (as Ctrl-C
// does) once n bytes have been read, and then goes on to the end; like a
// pipe, it gives at most 4,096 bytes a read.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p[:min(len(p), 4096)])
	if c.n -= n; c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestAnalyzeInterrupted: a signal while analyze reads a pipe (Ctrl-C on
// tcpdump -w - | syncwatch analyze - reaches both) stops the read, and the
// report of what was read is still printed, with exit code 1 and an error
// that says how far it got.
func TestAnalyzeInterrupted(t *testing.T) {
	// 150 copies of the example's 24 frames, each copy 10 minutes after the
	// one before: 3,600 frames, 366,024 bytes.
	c := examplePcap(t)
	const copies = 150
	var buf bytes.Buffer
	buf.Write(c[:24])
	for k := range copies {
		rec := bytes.Clone(c[24:])
		for off := 0; off < len(rec); {
			sec := binary.LittleEndian.Uint32(rec[off:])
			binary.LittleEndian.PutUint32(rec[off:], sec+uint32(k*600))
			off += 16 + int(binary.LittleEndian.Uint32(rec[off+8:]))
		}
		buf.Write(rec)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdin := &cancelAfter{r: bytes.NewReader(buf.Bytes()), n: buf.Len() / 3, cancel: cancel}
	var stdout, stderr bytes.Buffer
	code := run(ctx, &environment{stdin: stdin, stdout: &stdout, stderr: &stderr}, []string{"analyze", "-"})
	if code != exitRuntime {
		t.Errorf("exit %d, want %d", code, exitRuntime)
	}
	// The read ends at the first read of standard input after the signal,
	// a third of the way in, well before the end.
	var read int
	if _, err := fmt.Sscanf(stderr.String(), "syncwatch analyze: interrupted after %d packets: the report covers only what was read before\n", &read); err != nil || read < 1 || read >= 3600 {
		t.Fatalf("stderr %q (%v)", stderr.String(), err)
	}
	for _, s := range []string{
		fmt.Sprintf("\nPackets: %d read, %d on the port,", read, read),
		"\nInterrupted: a signal ended the read; this report covers only the packets read before it\n",
	} {
		if !strings.Contains(stdout.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
		}
	}
}

// TestAnalyzeInterruptedBlocked: a signal while standard input is open and
// quiet (a producer that stopped writing) ends the read at once, with the
// report of every packet read and, in JSON, "interrupted": true; a signal
// before the first packet is one error.
func TestAnalyzeInterruptedBlocked(t *testing.T) {
	ng := readExample(t)
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stdin := &quietAfter{data: ng, asked: make(chan struct{}), release: make(chan struct{})}
			defer close(stdin.release)
			var stdout, stderr bytes.Buffer
			done := make(chan int, 1)
			go func() {
				done <- run(ctx, &environment{stdin: stdin, stdout: &stdout, stderr: &stderr}, []string{"analyze", "--format", format, "-"})
			}()
			// analyze asks for more once it has classified every frame.
			select {
			case <-stdin.asked:
			case <-time.After(10 * time.Second):
				t.Fatal("analyze did not read the input within 10 s")
			}
			cancel()
			var code int
			select {
			case code = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("analyze did not end within 10 s of the signal")
			}
			if want := "syncwatch analyze: interrupted after 24 packets: the report covers only what was read before\n"; code != exitRuntime || stderr.String() != want {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), exitRuntime, want)
			}
			if format == "text" {
				if !strings.Contains(stdout.String(), "\nSummary: 8 attempts\n") {
					t.Errorf("stdout:\n%s", stdout.String())
				}
				return
			}
			var doc struct {
				Attempts []json.RawMessage `json:"attempts"`
				Stats    struct {
					Packets     int  `json:"packets"`
					Interrupted bool `json:"interrupted"`
					Files       []struct {
						Error *string `json:"error"`
					} `json:"files"`
				} `json:"stats"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatalf("%v\n%s", err, stdout.String())
			}
			if len(doc.Attempts) != 8 || doc.Stats.Packets != 24 || !doc.Stats.Interrupted || len(doc.Stats.Files) != 1 || doc.Stats.Files[0].Error != nil {
				t.Errorf("JSON %s", stdout.String())
			}
		})
	}
	t.Run("before the first packet", func(t *testing.T) {
		stdin := &quietAfter{asked: make(chan struct{}), release: make(chan struct{})}
		defer close(stdin.release)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var stdout, stderr bytes.Buffer
		code := run(ctx, &environment{stdin: stdin, stdout: &stdout, stderr: &stderr}, []string{"analyze", "-"})
		if code != exitRuntime || stdout.String() != "" || stderr.String() != "syncwatch analyze: interrupted before a packet was read\n" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
	})
}

// quietAfter is standard input that gives data, then blocks as a pipe
// whose writer stays open and quiet does, until release is closed; asked
// is closed at the first read after data.
type quietAfter struct {
	data           []byte
	asked, release chan struct{}
	once           sync.Once
}

func (q *quietAfter) Read(p []byte) (int, error) {
	if len(q.data) > 0 {
		n := copy(p, q.data)
		q.data = q.data[n:]
		return n, nil
	}
	q.once.Do(func() { close(q.asked) })
	<-q.release
	return 0, io.EOF
}
