package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// concatHint is what every concatenation error ends with.
const concatHint = ": files were concatenated (join captures with mergecap, or give them to analyze as separate files, which merges them by time)"

// TestConcatenated replays files joined with cat: the frames of the first
// file are returned, then one error at the offset where the second file's
// header begins. Several pcapng sections in a row stay one valid file.
func TestConcatenated(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	t0 := time.Unix(1796000000, 123456000)
	first := writePcapgo(t, false, layers.LinkTypeEthernet, pcapgoFrame{t0, data74, 74}, pcapgoFrame{t0, data3, 60})
	second := writePcapgo(t, true, layers.LinkTypeEthernet, pcapgoFrame{t0.Add(time.Second), data74, 74})
	firstFrames := []Frame{
		frame(1796000000_123456000, 74, LinkEthernet, "t", data74),
		frame(1796000000_123456000, 60, LinkEthernet, "t", data3),
	}
	ng := writeNgPcapgo(t)
	cat := func(files ...[]byte) []byte { return bytes.Join(files, nil) }
	tests := []struct {
		name    string
		file    []byte
		want    []Frame
		wantErr string // empty: io.EOF after want
	}{
		{
			name:    "two pcapgo files",
			file:    cat(first, second),
			want:    firstFrames,
			wantErr: "t: offset 133: a second pcap file header begins here" + concatHint,
		},
		{
			name:    "a header only, then a file",
			file:    cat(buildPcap(le, magicMicro, 1), first),
			wantErr: "t: offset 24: a second pcap file header begins here" + concatHint,
		},
		{
			name:    "big-endian nanoseconds, then little-endian microseconds",
			file:    cat(buildPcap(be, magicNano, 101, rec(1796000000, 5, data3, 3)), first),
			want:    []Frame{frame(1796000000_000000005, 3, LinkRaw, "t", data3)},
			wantErr: "t: offset 43: a second pcap file header begins here" + concatHint,
		},
		{
			name:    "modified format, then modified format",
			file:    cat(buildPcap(le, magicModified, 1, rec(1796000000, 5, data3, 3)), buildPcap(be, magicModified, 1, rec(1, 0, data3, 3))),
			want:    []Frame{frame(1796000000_000005000, 3, LinkEthernet, "t", data3)},
			wantErr: "t: offset 51: a second pcap file header begins here" + concatHint,
		},
		{
			name:    "pcap, then pcapng",
			file:    cat(first, ng),
			want:    firstFrames,
			wantErr: "t: offset 133: a pcapng section header begins here" + concatHint,
		},
		{
			name: "pcapng, then pcap",
			file: cat(ng, first),
			want: []Frame{
				frame(1796000000_000000000, 74, LinkEthernet, "eth0", data74),
				frame(1796000000_000000001, 4, LinkLinuxSLL, "any", data3),
				frame(1796000010_000000002, 76, LinkLinuxSLL2, "any2", data74),
				frame(1796000000_000000003, 3, LinkRaw, "tun0", data0),
				frame(1796000000_000000004, 7, LinkIPv4, "v4", data3),
				frame(1796000000_000000005, 79, LinkIPv6, "t#5", data74),
			},
			wantErr: "t: offset " + strconv.Itoa(len(ng)) + ": a pcap file header begins here" + concatHint,
		},
		{
			name: "pcapng, then pcapng: a second section, read",
			file: cat(ng, ng),
			want: []Frame{
				frame(1796000000_000000000, 74, LinkEthernet, "eth0", data74),
				frame(1796000000_000000001, 4, LinkLinuxSLL, "any", data3),
				frame(1796000010_000000002, 76, LinkLinuxSLL2, "any2", data74),
				frame(1796000000_000000003, 3, LinkRaw, "tun0", data0),
				frame(1796000000_000000004, 7, LinkIPv4, "v4", data3),
				frame(1796000000_000000005, 79, LinkIPv6, "t#5", data74),
				frame(1796000000_000000000, 74, LinkEthernet, "eth0", data74),
				frame(1796000000_000000001, 4, LinkLinuxSLL, "any", data3),
				frame(1796000010_000000002, 76, LinkLinuxSLL2, "any2", data74),
				frame(1796000000_000000003, 3, LinkRaw, "tun0", data0),
				frame(1796000000_000000004, 7, LinkIPv4, "v4", data3),
				frame(1796000000_000000005, 79, LinkIPv6, "t#11", data74),
			},
		},
		{
			name:    "gzip of two pcap files: the offset counts decompressed bytes",
			file:    gz(cat(first, second)),
			want:    firstFrames,
			wantErr: "t: offset 133 (decompressed): a second pcap file header begins here" + concatHint,
		},
		// Records whose first bytes look like a magic but are not followed
		// by a header's version are records.
		{
			name: "timestamp seconds equal to the magic, fraction not a version",
			file: buildPcap(le, magicMicro, 1, rec(magicMicro, 999999, data3, 3), rec(magicNano, 2, data3, 3)),
			want: []Frame{
				frame(magicMicro*1e9+999999000, 3, LinkEthernet, "t", data3),
				frame(magicNano*1e9+2000, 3, LinkEthernet, "t", data3),
			},
		},
		{
			name: "big-endian timestamp seconds equal to the swapped magic (2011-01-23)",
			file: buildPcap(be, magicMicro, 1, rec(0x4d3cb2a1, 5, data3, 3)),
			want: []Frame{frame(0x4d3cb2a1*1e9+5000, 3, LinkEthernet, "t", data3)},
		},
		{
			name: "timestamp seconds equal to the pcapng block type (1975)",
			file: buildPcap(le, magicMicro, 1, rec(ngSectionHeader, 1, data74, 74)),
			want: []Frame{frame(ngSectionHeader*1e9+1000, 74, LinkEthernet, "t", data74)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.file, "t")
			checkFrames(t, got, tt.want)
			checkEnd(t, err, tt.wantErr)
			if tt.wantErr != "" && !errors.Is(err, ErrConcatenated) {
				t.Errorf("%v is not ErrConcatenated", err)
			}
		})
	}
}

// TestOpenFileDirectory checks that a directory is refused by name, not
// with the read error of the magic.
func TestOpenFileDirectory(t *testing.T) {
	dir := t.TempDir()
	src, err := OpenFile(dir)
	if err == nil {
		src.Close()
		t.Fatal("a directory opened as a capture")
	}
	if want := dir + ": is a directory, not a capture file"; err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err, want)
	}
	if !errors.Is(err, syscall.EISDIR) {
		t.Errorf("%v does not wrap EISDIR", err)
	}
}
