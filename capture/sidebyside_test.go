package capture

import (
	"bufio"
	"context"
	"encoding/binary"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var sideBySide = flag.String("sidebyside", "", "write a capture of -sidebyside-packets packets of SPAN traffic to this `file` and time syncwatch analyze, tcpdump and tshark on it (not part of CI)")
var sideBySidePackets = flag.Int("sidebyside-packets", 5_000_000, "packets in the -sidebyside capture")
var sideBySideOther = flag.Int("sidebyside-other", 6, "rounds of 8 other frames per attempt's 2 frames in the -sidebyside capture (6: 4 % of frames on the port)")
var sideBySideRuns = flag.Int("sidebyside-runs", 5, "times syncwatch and tcpdump run, alternating, in the -sidebyside comparison (tshark runs once)")

// TestSideBySide compares whole runs with the reference tools. Run it by
// hand, e.g.
//
//	go test ./capture -run SideBySide -sidebyside /tmp/span.pcap -v
func TestSideBySide(t *testing.T) {
	if *sideBySide == "" {
		t.Skip("side-by-side run only with -sidebyside FILE (it takes minutes)")
	}
	path := *sideBySide
	if _, err := os.Stat(path); err != nil {
		writeSpanCapture(t, path, *sideBySidePackets)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "syncwatch")
	build := exec.Command("go", "build", "-o", bin, "./cmd/syncwatch")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	runs := []struct {
		name string
		args []string
	}{
		{"syncwatch analyze --format json", []string{bin, "analyze", "--format", "json", path}},
		{"tcpdump -r FILE -w /dev/null FILTER", []string{"tcpdump", "-r", path, "-w", "/dev/null",
			"(tcp port 8449) or (vlan and tcp port 8449) or (vlan and tcp port 8449) or (icmp[icmptype] = icmp-unreach) or (icmp6 and ip6[40] = 1)"}},
		{"tshark -r FILE -Y FILTER", []string{"tshark", "-n", "-r", path, "-Y", "tcp.port == 8449 || icmp.type == 3 || icmpv6.type == 1"}},
	}
	// syncwatch and tcpdump alternate, so that a busy machine slows both
	// alike; the best and the median of the runs are reported.
	walls := make([][]time.Duration, len(runs))
	for round := range *sideBySideRuns {
		for i, r := range runs {
			if i == 2 && round > 0 {
				continue // tshark takes minutes: once is enough
			}
			if _, err := exec.LookPath(r.args[0]); err != nil {
				if round == 0 {
					t.Logf("%s: not installed", r.name)
				}
				continue
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			cmd := exec.CommandContext(ctx, r.args[0], r.args[1:]...)
			cmd.Stdout, cmd.Stderr = nil, nil
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			cancel()
			if err != nil {
				t.Errorf("%s: %v", r.name, err)
				continue
			}
			walls[i] = append(walls[i], wall)
			ru := cmd.ProcessState
			t.Logf("run %d: %-40s wall %7.2fs  user %7.2fs  sys %5.2fs", round+1, r.name, wall.Seconds(), ru.UserTime().Seconds(), ru.SystemTime().Seconds())
		}
	}
	best := make([]time.Duration, len(runs))
	for i, w := range walls {
		if len(w) == 0 {
			continue
		}
		slices.Sort(w)
		best[i] = w[0]
		t.Logf("%-40s best %7.2fs  median %7.2fs  of %d", runs[i].name, w[0].Seconds(), w[len(w)/2].Seconds(), len(w))
	}
	if best[0] > 0 && best[1] > 0 {
		m0, m1 := walls[0][len(walls[0])/2], walls[1][len(walls[1])/2]
		t.Logf("syncwatch / tcpdump: best %.2fx, median %.2fx", best[0].Seconds()/best[1].Seconds(), m0.Seconds()/m1.Seconds())
	}
}

// writeSpanCapture writes n frames of the benchmark's SPAN mix as a pcap.
func writeSpanCapture(t *testing.T, path string, n int) {
	frames, patches := spanMix(t, 10000, *sideBySideOther)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriterNanos(bw)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	ts := wireBase
	for i := 0; i < n; i++ {
		k := i % len(frames)
		if k == 0 && i > 0 {
			for _, p := range patches {
				d := frames[p[0]].Data[p[1]:]
				binary.BigEndian.PutUint32(d, binary.BigEndian.Uint32(d)+uint32(len(frames)))
			}
		}
		ts = ts.Add(time.Microsecond)
		d := frames[k].Data
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(d), Length: frames[k].Length}, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
