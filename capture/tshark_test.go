package capture

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// tsharkOutcomes classifies the attempts of a capture from tshark's own
// dissection, under the definitions of this package: an attempt is a SYN
// to the port keyed by client, client port, PSN, port and ISN (or an answer
// whose SYN is missing); a SYN-ACK or RST-ACK from the port with
// acknowledgement ISN+1, or an ICMP destination unreachable quoting the
// SYN, answers it if it comes within the timeout; otherwise it is
// unanswered. It returns "client:port>psn:port/isn" -> outcome.
func tsharkOutcomes(t *testing.T, tshark, file string, port int, timeout time.Duration) map[string]string {
	t.Helper()
	fields := []string{"frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
		"tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "icmp.type", "icmpv6.type"}
	args := []string{"-r", file, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, tshark, args...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	type attempt struct {
		first   float64
		outcome string
	}
	attempts := map[string]*attempt{}
	var order []string
	key := func(client, cport, psn, pport string, isn uint64) string {
		return fmt.Sprintf("%s:%s>%s:%s/%d", client, cport, psn, pport, isn)
	}
	answer := func(k string, ts float64, outcome string) {
		a, ok := attempts[k]
		if !ok {
			attempts[k] = &attempt{first: ts, outcome: outcome}
			order = append(order, k)
			return
		}
		// An answer within the timeout decides; a later one within the
		// grace period corrects an unanswered attempt (late).
		if a.outcome == "unanswered" && ts-a.first <= (timeout+DefaultGrace).Seconds() {
			a.outcome = outcome
		}
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != len(fields) {
			t.Fatalf("tshark line %q: %d fields", sc.Text(), len(f))
		}
		ts, _ := strconv.ParseFloat(f[0], 64)
		// The last occurrence of each field belongs to the innermost
		// packet: the quoted one inside an ICMP error.
		last := func(s string) string { return s[strings.LastIndex(s, ",")+1:] }
		src, dst := f[1], f[2]
		if f[3] != "" {
			src, dst = f[3], f[4]
		}
		icmp := f[10] == "3" || f[11] == "1"
		sport, dport := last(f[5]), last(f[6])
		seq, _ := strconv.ParseUint(last(f[7]), 10, 32)
		ack, _ := strconv.ParseUint(last(f[8]), 10, 32)
		flags, _ := strconv.ParseUint(strings.TrimPrefix(last(f[9]), "0x"), 16, 16)
		if icmp {
			if dport != strconv.Itoa(port) {
				continue
			}
			if last(f[7]) == "" {
				// tshark does not dissect the sequence number of an 8-byte
				// quote (RFC 792's minimum): match the latest SYN of the
				// same connection, which is unambiguous in these captures.
				prefix := key(last(src), sport, last(dst), dport, 0)
				prefix = prefix[:strings.LastIndex(prefix, "/")+1]
				for i := len(order) - 1; i >= 0; i-- {
					if strings.HasPrefix(order[i], prefix) {
						seq, _ = strconv.ParseUint(order[i][len(prefix):], 10, 32)
						break
					}
				}
			}
			answer(key(last(src), sport, last(dst), dport, seq), ts, "prohibited")
			continue
		}
		switch {
		case dport == strconv.Itoa(port) && flags&0x17 == 0x02: // SYN
			k := key(src, sport, dst, dport, seq)
			if _, ok := attempts[k]; !ok {
				attempts[k] = &attempt{first: ts, outcome: "unanswered"}
				order = append(order, k)
			}
		case sport == strconv.Itoa(port) && flags&0x17 == 0x12: // SYN-ACK
			answer(key(dst, dport, src, sport, uint64(uint32(ack-1))), ts, "accepted")
		case sport == strconv.Itoa(port) && flags&0x17 == 0x14: // RST-ACK
			answer(key(dst, dport, src, sport, uint64(uint32(ack-1))), ts, "refused")
		}
	}
	res := map[string]string{}
	for _, k := range order {
		res[k] = attempts[k].outcome
	}
	return res
}

// ourOutcomes classifies the same file with the capture package.
func ourOutcomes(t *testing.T, file string, timeout time.Duration) map[string]string {
	t.Helper()
	src, err := OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res := map[string]string{}
	c, err := NewClassifier(TrackerConfig{AnswerTimeout: timeout}, func(a *Attempt) {
		res[fmt.Sprintf("%s:%d>%s:%d/%d", a.Client, a.ClientPort, a.PSN, a.Port, a.ISN)] = a.Outcome.String()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadAll(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestAgainstTshark checks the outcomes against an independent dissector on
// a capture written here with every kind of attempt, and on the example
// capture recorded from real kernels in network namespaces.
func TestAgainstTshark(t *testing.T) {
	tshark := testenv.Command(t, "tshark")
	dir := t.TempDir()
	synthetic := filepath.Join(dir, "mix.pcap")
	var segs []seg
	for i, s := range [][]seg{
		{syn(0), synAck(2 * ms), ack(3 * ms)},
		{syn(0), rstAck(ms)},
		{syn(0), with(syn(ms), func(s *seg) { s.icmp, s.icmpCode, s.icmpFrom = true, 13, "10.1.20.1" })},
		{syn(0), with(syn(time.Second), func(s *seg) { s.ipid = 9 })},
		{syn(0), synAck(12 * time.Second)},
		{with(syn(0), func(s *seg) { s.vlans = []uint16{300, 120}; s.outerTPID = layers.EthernetTypeQinQ }), synAck(ms)},
		{with(syn(0), func(s *seg) { s.src, s.dst = cli6, psn6 }), with(synAck(ms), func(s *seg) { s.src, s.dst = psn6, cli6 })},
		{with(syn(0), func(s *seg) { s.src, s.dst = cli6, psn6 }),
			with(syn(ms), func(s *seg) {
				s.src, s.dst, s.icmp, s.icmpCode, s.icmpFrom, s.quote = cli6, psn6, true, 1, "2001:db8:20::1", 20
			})},
	} {
		for _, x := range s {
			// Each scenario from its own client port, a minute apart.
			x.at += time.Duration(i) * time.Minute
			if x.sport == sport {
				x.sport += uint16(i)
			} else {
				x.dport += uint16(i)
			}
			segs = append(segs, x)
		}
	}
	f, err := os.Create(synthetic)
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriterNanos(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	slices.SortStableFunc(segs, func(a, b seg) int { return int(a.at - b.at) })
	for _, s := range segs {
		b := s.frame(t)
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: wireBase.Add(s.at), CaptureLength: len(b), Length: len(b)}, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	files := []string{synthetic}
	if example, err := filepath.Glob("../examples/*.pcap*"); err == nil {
		files = append(files, example...)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			want := tsharkOutcomes(t, tshark, file, 8449, DefaultAnswerTimeout)
			got := ourOutcomes(t, file, DefaultAnswerTimeout)
			if len(want) == 0 {
				t.Fatalf("tshark found no attempts in %s", file)
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: syncwatch %q, tshark %q", k, got[k], w)
				}
			}
			for k, g := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s: syncwatch %q, tshark has no such attempt", k, g)
				}
			}
			t.Logf("%s: %d attempts agree", filepath.Base(file), len(want))
		})
	}
}
