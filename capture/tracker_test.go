package capture

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// attemptLine renders the fields of an attempt that the tests assert, in
// one line, times relative to wireBase.
func attemptLine(a *Attempt) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d>%s:%d isn=%d %s", a.Client, a.ClientPort, a.PSN, a.Port, a.ISN, a.Outcome)
	if !a.SYNSeen {
		b.WriteString(" syn-unseen")
	}
	if a.Inferred {
		b.WriteString(" inferred")
	}
	if a.Late {
		b.WriteString(" late")
	}
	if a.Incomplete {
		b.WriteString(" incomplete")
	}
	fmt.Fprintf(&b, " syns=%d first=%s", a.SYNs, a.FirstSeen.Sub(wireBase))
	if !a.AnsweredAt.IsZero() {
		fmt.Fprintf(&b, " answered=%s", a.AnsweredAt.Sub(wireBase))
	}
	if a.NumVLANs > 0 {
		fmt.Fprintf(&b, " vlans=%v", a.VLANList())
	}
	if a.HasClientMAC {
		fmt.Fprintf(&b, " mac=%s", formatMAC(a.ClientMAC))
	}
	if a.HasICMP {
		fmt.Fprintf(&b, " icmp=%d/%d from %s", a.ICMPType, a.ICMPCode, a.ICMPFrom)
	}
	return b.String()
}

// classify runs frames through a classifier and returns the reported
// attempts (corrections included, in report order) and the stats.
func classify(t *testing.T, cfg TrackerConfig, frames []wireFrame) ([]string, Stats) {
	t.Helper()
	var got []string
	c, err := NewClassifier(cfg, func(a *Attempt) { got = append(got, attemptLine(a)) })
	if err != nil {
		t.Fatal(err)
	}
	for i := range frames {
		c.Frame(&frames[i].Frame)
	}
	c.Flush()
	return got, c.Stats()
}

const (
	cli   = "10.1.20.50"
	psn1  = "10.0.0.11"
	psn2  = "10.0.0.12"
	cli6  = "2001:db8:20::50"
	psn6  = "2001:db8::11"
	cliM  = "00:50:56:aa:bb:01" // the endpoint
	gwM   = "00:00:0c:9f:f0:14" // the switch's SVI
	ms    = time.Millisecond
	isn   = 1000
	sport = 51000
)

// Shorthands for the segments of an attempt from cli:sport to psn1:8449.
func syn(at time.Duration) seg {
	return seg{at: at, src: cli, dst: psn1, sport: sport, dport: 8449, seq: isn, flags: "S", ipid: 1, srcMAC: cliM, dstMAC: gwM}
}
func synAck(at time.Duration) seg {
	return seg{at: at, src: psn1, dst: cli, sport: 8449, dport: sport, seq: 777, ack: isn + 1, flags: "SA", srcMAC: gwM, dstMAC: cliM}
}
func rstAck(at time.Duration) seg {
	return seg{at: at, src: psn1, dst: cli, sport: 8449, dport: sport, seq: 0, ack: isn + 1, flags: "RA", srcMAC: gwM, dstMAC: cliM}
}
func ack(at time.Duration) seg {
	return seg{at: at, src: cli, dst: psn1, sport: sport, dport: 8449, seq: isn + 1, ack: 778, flags: "A", ipid: 2, srcMAC: cliM, dstMAC: gwM}
}

func with(s seg, f func(*seg)) seg { f(&s); return s }

func TestTrackerOutcomes(t *testing.T) {
	unreach := func(at time.Duration, code uint8) seg {
		return with(syn(at), func(s *seg) {
			s.icmp, s.icmpCode, s.icmpFrom = true, code, "10.1.20.1"
			s.srcMAC, s.dstMAC = gwM, cliM
		})
	}
	v6 := func(s seg) seg {
		return with(s, func(s *seg) {
			if s.src == cli {
				s.src, s.dst = cli6, psn6
			} else {
				s.src, s.dst = psn6, cli6
			}
		})
	}
	const a0 = "10.1.20.50:51000>10.0.0.11:8449 isn=1000 "
	tests := []struct {
		name   string
		cfg    TrackerConfig
		segs   []seg
		want   []string
		ignore map[string]uint64
		dups   uint64
	}{
		{
			name: "accepted",
			segs: []seg{syn(0), synAck(2 * ms), ack(3 * ms)},
			want: []string{a0 + "accepted syns=1 first=0s answered=2ms mac=00:50:56:aa:bb:01"},
		},
		{
			name: "refused",
			segs: []seg{syn(0), rstAck(1 * ms)},
			want: []string{a0 + "refused syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01"},
		},
		{
			name: "prohibited by an ACL (ICMP 3/13, 8 bytes quoted)",
			segs: []seg{syn(0), unreach(1*ms, 13)},
			want: []string{a0 + "prohibited syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01 icmp=3/13 from 10.1.20.1"},
		},
		{
			name: "prohibited with the whole TCP header quoted (host unreachable)",
			segs: []seg{syn(0), with(unreach(1*ms, 1), func(s *seg) { s.quote = 40 })},
			want: []string{a0 + "prohibited syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01 icmp=3/1 from 10.1.20.1"},
		},
		{
			name: "unanswered, retransmissions counted, timer driven by other traffic",
			segs: []seg{syn(0), with(syn(time.Second), func(s *seg) { s.ipid = 2 }), with(syn(3*time.Second), func(s *seg) { s.ipid = 3 }),
				{at: 12 * time.Second, src: cli, dst: "10.9.9.9", sport: 1, dport: 443, flags: "S"}},
			want:   []string{a0 + "unanswered syns=3 first=0s mac=00:50:56:aa:bb:01"},
			ignore: map[string]uint64{"other-port": 1},
		},
		{
			name: "late answer within the grace period corrects the attempt",
			segs: []seg{syn(0), {at: 11 * time.Second, src: cli, dst: "10.9.9.9", sport: 1, dport: 443, flags: "S"}, synAck(15 * time.Second)},
			want: []string{
				a0 + "unanswered syns=1 first=0s mac=00:50:56:aa:bb:01",
				a0 + "accepted late syns=1 first=0s answered=15s mac=00:50:56:aa:bb:01",
			},
			ignore: map[string]uint64{"other-port": 1},
		},
		{
			name: "an answer after the grace period corrects nothing",
			segs: []seg{syn(0), synAck(10*time.Second + 121*time.Second)},
			want: []string{
				a0 + "unanswered syns=1 first=0s mac=00:50:56:aa:bb:01",
			},
			ignore: map[string]uint64{"after-grace": 1},
		},
		{
			name: "an answer after the attempt is forgotten is an attempt of its own",
			segs: []seg{syn(0), synAck(10*time.Second + MinRemember + time.Second)},
			want: []string{
				a0 + "unanswered syns=1 first=0s mac=00:50:56:aa:bb:01",
				a0 + "accepted syn-unseen syns=0 first=2m21s answered=2m21s mac=00:50:56:aa:bb:01",
			},
		},
		{
			name: "without a grace period, retransmissions are still one attempt",
			cfg:  TrackerConfig{Grace: -1},
			segs: []seg{syn(0), with(syn(15*time.Second), func(s *seg) { s.ipid = 2 }), with(syn(31*time.Second), func(s *seg) { s.ipid = 3 }),
				synAck(31*time.Second + ms)},
			want:   []string{a0 + "unanswered syns=1 first=0s mac=00:50:56:aa:bb:01"},
			ignore: map[string]uint64{"after-grace": 1},
		},
		{
			name: "an attempt still within its timeout when the capture ends",
			segs: []seg{with(syn(0), func(s *seg) { s.sport = 1 }), syn(9 * time.Second),
				{at: 10500 * ms, src: cli, dst: "10.9.9.9", sport: 1, dport: 443, flags: "S"}},
			want: []string{
				"10.1.20.50:1>10.0.0.11:8449 isn=1000 unanswered syns=1 first=0s mac=00:50:56:aa:bb:01",
				a0 + "unanswered incomplete syns=1 first=9s mac=00:50:56:aa:bb:01",
			},
			ignore: map[string]uint64{"other-port": 1},
		},
		{
			name: "an ICMP quote cut by the snaplen after the ports",
			segs: []seg{syn(0), with(syn(ms), func(s *seg) {
				s.icmp, s.icmpCode, s.icmpFrom, s.srcMAC, s.dstMAC = true, 13, "10.1.20.1", gwM, cliM
				s.snap = 14 + 20 + 8 + 20 + 6
			})},
			want: []string{a0 + "prohibited syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01 icmp=3/13 from 10.1.20.1"},
		},
		{
			name: "an answer exactly at the timeout is in time",
			segs: []seg{syn(0), synAck(10 * time.Second)},
			want: []string{a0 + "accepted syns=1 first=0s answered=10s mac=00:50:56:aa:bb:01"},
		},
		{
			name: "SPAN duplicates count once (TTL and VLAN differ)",
			segs: []seg{syn(0), with(syn(40*time.Microsecond), func(s *seg) { s.ttl = 63; s.vlans = []uint16{20} }),
				synAck(2 * ms), with(synAck(2*ms+50*time.Microsecond), func(s *seg) { s.ttl = 63 })},
			want: []string{a0 + "accepted syns=1 first=0s answered=2ms mac=00:50:56:aa:bb:01"},
			dups: 2,
		},
		{
			name: "same SYN after the duplicate window is a retransmission",
			segs: []seg{syn(0), syn(1 * time.Second), synAck(1*time.Second + 2*ms)},
			want: []string{a0 + "accepted syns=2 first=0s answered=1.002s mac=00:50:56:aa:bb:01"},
		},
		{
			name: "802.1Q tag",
			segs: []seg{with(syn(0), func(s *seg) { s.vlans = []uint16{120} }), with(synAck(ms), func(s *seg) { s.vlans = []uint16{120} })},
			want: []string{a0 + "accepted syns=1 first=0s answered=1ms vlans=[120] mac=00:50:56:aa:bb:01"},
		},
		{
			name: "QinQ 802.1ad outer tag",
			segs: []seg{with(syn(0), func(s *seg) { s.vlans = []uint16{300, 120}; s.outerTPID = layers.EthernetTypeQinQ }), synAck(ms)},
			want: []string{a0 + "accepted syns=1 first=0s answered=1ms vlans=[300 120] mac=00:50:56:aa:bb:01"},
		},
		{
			name: "three tags deep",
			segs: []seg{with(syn(0), func(s *seg) { s.vlans = []uint16{7, 300, 120}; s.outerTPID = layers.EthernetTypeQinQ }), synAck(ms)},
			want: []string{a0 + "accepted syns=1 first=0s answered=1ms vlans=[7 300 120] mac=00:50:56:aa:bb:01"},
		},
		{
			name: "IPv6 with a Hop-by-Hop header",
			segs: []seg{v6(with(syn(0), func(s *seg) { s.hopByHop = true })), v6(synAck(ms))},
			want: []string{"2001:db8:20::50:51000>2001:db8::11:8449 isn=1000 accepted syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01"},
		},
		{
			name: "ICMPv6 administratively prohibited",
			segs: []seg{v6(syn(0)), with(v6(syn(ms)), func(s *seg) {
				s.icmp, s.icmpCode, s.icmpFrom, s.srcMAC, s.dstMAC = true, 1, "2001:db8:20::1", gwM, cliM
			})},
			want: []string{"2001:db8:20::50:51000>2001:db8::11:8449 isn=1000 prohibited syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01 icmp=1/1 from 2001:db8:20::1"},
		},
		{
			name: "only the PSN-to-client direction mirrored: SYN-ACK",
			segs: []seg{synAck(5 * ms), with(synAck(5*ms+20*time.Microsecond), func(s *seg) {})},
			want: []string{a0 + "accepted syn-unseen syns=0 first=5ms answered=5ms mac=00:50:56:aa:bb:01"},
			dups: 1,
		},
		{
			name: "only the PSN-to-client direction mirrored: RST for a SYN",
			segs: []seg{rstAck(5 * ms)},
			want: []string{a0 + "refused syn-unseen syns=0 first=5ms answered=5ms mac=00:50:56:aa:bb:01"},
		},
		{
			name:   "a RST ending an established connection is not an attempt",
			segs:   []seg{with(rstAck(5*ms), func(s *seg) { s.seq = 99999 })},
			ignore: map[string]uint64{"unmatched": 1},
		},
		{
			name: "only the client-to-PSN direction mirrored: the ACK proves the SYN-ACK",
			segs: []seg{syn(0), ack(3 * ms)},
			want: []string{a0 + "accepted inferred syns=1 first=0s answered=3ms mac=00:50:56:aa:bb:01"},
		},
		{
			name: "only the client-to-PSN direction mirrored: data after the SYN",
			segs: []seg{syn(0), with(ack(3*ms), func(s *seg) { s.flags = "PA"; s.payload = 517 }),
				with(ack(4*ms), func(s *seg) { s.flags = "PA"; s.seq = isn + 518; s.payload = 100 })},
			want:   []string{a0 + "accepted inferred syns=1 first=0s answered=3ms mac=00:50:56:aa:bb:01"},
			ignore: map[string]uint64{"unmatched": 1},
		},
		{
			name: "the answer captured before its SYN (mirror of several ports, clock skew)",
			segs: []seg{synAck(2 * ms), syn(1 * ms)},
			want: []string{a0 + "accepted syns=1 first=1ms answered=2ms mac=00:50:56:aa:bb:01"},
		},
		{
			name: "snaplen cut inside the TCP options still gives ports and flags",
			segs: []seg{with(syn(0), func(s *seg) { s.snap = 14 + 20 + 14 }), synAck(ms)},
			want: []string{a0 + "accepted syns=1 first=0s answered=1ms mac=00:50:56:aa:bb:01"},
		},
		{
			name:   "snaplen cut before the flags",
			segs:   []seg{with(syn(0), func(s *seg) { s.snap = 14 + 20 + 10 })},
			ignore: map[string]uint64{"truncated": 1},
		},
		{
			name: "client port reused with a new ISN is a new attempt",
			segs: []seg{syn(0), with(syn(2*time.Second), func(s *seg) { s.seq = 5000 }),
				with(synAck(2*time.Second+ms), func(s *seg) { s.ack = 5001 })},
			want: []string{
				"10.1.20.50:51000>10.0.0.11:8449 isn=5000 accepted syns=1 first=2s answered=2.001s mac=00:50:56:aa:bb:01",
				a0 + "unanswered incomplete syns=1 first=0s mac=00:50:56:aa:bb:01",
			},
		},
		{
			name: "two ports at once",
			cfg:  TrackerConfig{Ports: []uint16{8449, 8905}},
			segs: []seg{syn(0), with(syn(ms), func(s *seg) { s.dport = 8905; s.sport = 51001 }), synAck(2 * ms),
				{at: 3 * ms, src: psn1, dst: cli, sport: 8905, dport: 51001, ack: isn + 1, flags: "RA", dstMAC: cliM}},
			want: []string{
				a0 + "accepted syns=1 first=0s answered=2ms mac=00:50:56:aa:bb:01",
				"10.1.20.50:51001>10.0.0.11:8905 isn=1000 refused syns=1 first=1ms answered=3ms mac=00:50:56:aa:bb:01",
			},
		},
		{
			name:   "the PSN list restricts which addresses are PSNs",
			cfg:    TrackerConfig{PSNs: []netip.Addr{netip.MustParseAddr(psn2)}},
			segs:   []seg{syn(0), synAck(ms), with(syn(2*ms), func(s *seg) { s.dst = psn2 })},
			want:   []string{"10.1.20.50:51000>10.0.0.12:8449 isn=1000 unanswered incomplete syns=1 first=2ms mac=00:50:56:aa:bb:01"},
			ignore: map[string]uint64{"not-psn": 2},
		},
		{
			name: "eviction keeps memory capped and reports what it drops",
			cfg:  TrackerConfig{MaxAttempts: 2},
			segs: []seg{syn(0), with(syn(ms), func(s *seg) { s.sport = 2 }), with(syn(2*ms), func(s *seg) { s.sport = 3 })},
			want: []string{
				a0 + "unanswered incomplete syns=1 first=0s mac=00:50:56:aa:bb:01",
				"10.1.20.50:2>10.0.0.11:8449 isn=1000 unanswered incomplete syns=1 first=1ms mac=00:50:56:aa:bb:01",
				"10.1.20.50:3>10.0.0.11:8449 isn=1000 unanswered incomplete syns=1 first=2ms mac=00:50:56:aa:bb:01",
			},
		},
		{
			name: "noise on other ports and protocols",
			segs: []seg{{at: 0, src: cli, dst: psn1, sport: 1, dport: 443, flags: "S"}, {at: ms, src: cli, dst: psn1, sport: 8449, dport: 443, flags: "A"}},
			want: nil,
			// The second segment comes from port 8449 of the "client": it
			// is TCP on the port, from a side that could be a PSN.
			ignore: map[string]uint64{"other-port": 1, "unmatched": 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var frames []wireFrame
			for _, s := range tc.segs {
				flagsOK(t, s.flags)
				frames = append(frames, s.wire(t))
			}
			got, st := classify(t, tc.cfg, frames)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("attempts:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(tc.want, "\n      "))
			}
			ign := tc.ignore
			if ign == nil {
				ign = map[string]uint64{}
			}
			if fmt.Sprint(st.Ignored) != fmt.Sprint(ign) {
				t.Errorf("ignored = %v, want %v", st.Ignored, ign)
			}
			if st.Duplicates != tc.dups {
				t.Errorf("duplicates = %d, want %d", st.Duplicates, tc.dups)
			}
			if st.Open != 0 {
				t.Errorf("open after flush = %d", st.Open)
			}
			// The same traffic written to capture files by an independent
			// writer (gopacket's pcapgo) and read back gives the same
			// attempts, in every file format and link type.
			for _, format := range []string{"pcap-us", "pcap-ns", "pcapng", "pcapng-sll2"} {
				want := tc.want
				if format == "pcapng-sll2" {
					if tagged(tc.segs) {
						continue // tcpdump -i any shows no tags in SLL2 frames
					}
					// SLL2 carries only the sender's MAC: an attempt first
					// seen from the PSN side has none.
					want = nil
					for _, w := range tc.want {
						if strings.Contains(w, "syn-unseen") {
							w = strings.Replace(w, " mac="+cliM, "", 1)
						}
						want = append(want, w)
					}
				}
				path := writeCapture(t, format, frames)
				got := classifyFile(t, tc.cfg, path)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s: attempts:\n got: %s\nwant: %s", format, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
				}
			}
		})
	}
}

func tagged(segs []seg) bool {
	for _, s := range segs {
		if len(s.vlans) > 0 {
			return true
		}
	}
	return false
}

// toSLL2 rewrites an untagged Ethernet frame as tcpdump -i any records it.
func toSLL2(eth []byte) []byte {
	h := make([]byte, 20, 20+len(eth)-14)
	copy(h[0:2], eth[12:14])             // protocol
	binary.BigEndian.PutUint32(h[4:], 3) // interface index
	binary.BigEndian.PutUint16(h[8:], 1) // ARPHRD_ETHER
	h[10] = 0                            // packet type: to us
	h[11] = 6                            // address length
	copy(h[12:18], eth[6:12])            // the sender's MAC
	return append(h, eth[14:]...)
}

// writeCapture writes frames to a capture file of the given format with
// pcapgo and returns its path.
func writeCapture(t *testing.T, format string, frames []wireFrame) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "span."+format)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ci := func(fr *wireFrame, n int) gopacket.CaptureInfo {
		return gopacket.CaptureInfo{Timestamp: time.Unix(0, fr.Timestamp), CaptureLength: n, Length: fr.Length - len(fr.data) + n}
	}
	switch format {
	case "pcap-us", "pcap-ns":
		w := pcapgo.NewWriter(f)
		if format == "pcap-ns" {
			w = pcapgo.NewWriterNanos(f)
		}
		if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		for i := range frames {
			if err := w.WritePacket(ci(&frames[i], len(frames[i].data)), frames[i].data); err != nil {
				t.Fatal(err)
			}
		}
	case "pcapng", "pcapng-sll2":
		link := layers.LinkTypeEthernet
		if format == "pcapng-sll2" {
			link = layers.LinkTypeLinuxSLL2
		}
		w, err := pcapgo.NewNgWriterInterface(f, pcapgo.NgInterface{Name: "any", LinkType: link, SnapLength: 65535}, pcapgo.DefaultNgWriterOptions)
		if err != nil {
			t.Fatal(err)
		}
		for i := range frames {
			d := frames[i].data
			if format == "pcapng-sll2" {
				d = toSLL2(d)
			}
			c := ci(&frames[i], len(d))
			c.Length = len(d) + frames[i].Length - len(frames[i].data)
			if err := w.WritePacket(c, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// classifyFile classifies a capture file and returns the reported attempts.
func classifyFile(t *testing.T, cfg TrackerConfig, path string) []string {
	t.Helper()
	src, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []string
	c, err := NewClassifier(cfg, func(a *Attempt) { got = append(got, attemptLine(a)) })
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadAll(context.Background(), src); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return got
}

func TestAttemptJSON(t *testing.T) {
	var got []byte
	c, err := NewClassifier(TrackerConfig{}, func(a *Attempt) {
		var err error
		got, err = json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []seg{with(syn(0), func(s *seg) { s.vlans = []uint16{300, 120} }),
		with(syn(ms), func(s *seg) { s.icmp, s.icmpCode, s.icmpFrom, s.srcMAC, s.dstMAC = true, 13, "10.1.20.1", gwM, cliM })} {
		w := s.wire(t)
		c.Frame(&w.Frame)
	}
	want := `{"client":"10.1.20.50","client_port":51000,"client_mac":"00:50:56:aa:bb:01","psn":"10.0.0.11","port":8449,` +
		`"outcome":"prohibited","syn_seen":true,"inferred":false,"late":false,"syns":1,"incomplete":false,` +
		`"first_seen":"2026-12-03T10:00:00.000000000Z","answered_at":"2026-12-03T10:00:00.001000000Z","rtt_seconds":0.001,` +
		`"vlans":[300,120],"interface":"span0",` +
		`"icmp":{"type":3,"code":13,"from":"10.1.20.1","meaning":"communication administratively prohibited (ACL)","acl":true}}`
	if string(got) != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}

	// An unanswered attempt has nulls where nothing is known, and [] VLANs.
	c, _ = NewClassifier(TrackerConfig{}, func(a *Attempt) { got, _ = json.Marshal(a) })
	w := with(synAck(0), func(s *seg) { s.dstMAC = "ff:ff:ff:ff:ff:ff" }).wire(t)
	w.Link, w.Data = LinkRaw, w.Data[14:]
	c.Frame(&w.Frame)
	c.Flush()
	want = `{"client":"10.1.20.50","client_port":51000,"client_mac":null,"psn":"10.0.0.11","port":8449,` +
		`"outcome":"accepted","syn_seen":false,"inferred":false,"late":false,"syns":0,"incomplete":false,` +
		`"first_seen":"2026-12-03T10:00:00.000000000Z","answered_at":"2026-12-03T10:00:00.000000000Z","rtt_seconds":null,` +
		`"vlans":[],"interface":"span0","icmp":null}`
	if string(got) != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
}

func TestTrackerEvidence(t *testing.T) {
	var frames [][]byte
	var c *Classifier
	c, err := NewClassifier(TrackerConfig{}, func(a *Attempt) {
		c.Tracker().Evidence(a, func(ts int64, link LinkType, orig int, data []byte) {
			frames = append(frames, append([]byte(nil), data...))
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	in := []wireFrame{syn(0).wire(t), synAck(ms).wire(t), ack(2 * ms).wire(t)}
	for i := range in {
		c.Frame(&in[i].Frame)
	}
	if len(frames) != 2 || string(frames[0]) != string(in[0].data) || string(frames[1]) != string(in[1].data) {
		t.Fatalf("evidence = %d frames, want the SYN and the SYN-ACK", len(frames))
	}
}

func TestEvidenceRingOverwrite(t *testing.T) {
	r := newEvidenceRing(0) // the minimum size: 4 full records
	f := &Frame{Data: make([]byte, 1000), Length: 1000, Link: LinkEthernet}
	var refs []uint64
	for i := range 6 {
		f.Timestamp = int64(i)
		f.Data[0] = byte(i)
		refs = append(refs, r.put(f))
	}
	var seen []int64
	for _, ref := range refs {
		r.get(ref, func(ts int64, link LinkType, orig int, data []byte) {
			if len(data) != MaxEvidenceFrame || orig != 1000 || link != LinkEthernet || data[0] != byte(ts) {
				t.Errorf("record %d: len %d orig %d link %v first byte %d", ts, len(data), orig, link, data[0])
			}
			seen = append(seen, ts)
		})
	}
	if fmt.Sprint(seen) != "[2 3 4 5]" {
		t.Errorf("records still in the ring = %v, want [2 3 4 5]", seen)
	}
}

// TestAttemptJSONMatchesEncodingJSON checks the hand-written encoder against
// encoding/json's view of the same object, escapes included.
func TestAttemptJSONMatchesEncodingJSON(t *testing.T) {
	a := &Attempt{Client: netip.MustParseAddr(cli6), ClientPort: 1, PSN: netip.MustParseAddr(psn6), Port: 8449,
		Outcome: Prohibited, SYNSeen: true, SYNs: 2, FirstSeen: wireBase, AnsweredAt: wireBase.Add(1234567 * time.Nanosecond),
		Interface: "span\"0\\\x01é\xff", HasICMP: true, ICMPType: 1, ICMPCode: 1, ICMPFrom: netip.MustParseAddr("2001:db8::1"),
		VLANs: [MaxVLANs]uint16{4094, 1}, NumVLANs: 2}
	var generic map[string]any
	if err := json.Unmarshal(a.AppendJSON(nil), &generic); err != nil {
		t.Fatalf("invalid JSON %s: %v", a.AppendJSON(nil), err)
	}
	if generic["interface"] != "span\"0\\\x01é\ufffd" || generic["rtt_seconds"] != 0.001234567 ||
		fmt.Sprint(generic["vlans"]) != "[4094 1]" || generic["client"] != cli6 {
		t.Errorf("decoded %v", generic)
	}
}
