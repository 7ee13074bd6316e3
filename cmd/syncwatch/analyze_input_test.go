package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/syncwatch/syncwatch/capture"
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
