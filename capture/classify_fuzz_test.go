package capture

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzClassify feeds arbitrary frames through the decoder and the tracker.
// The input is a sequence of frames, each a 2-byte length and its bytes; the
// first byte picks the link type. The classifier must never panic, and must
// keep its books: after Flush, nothing is open and every attempt that was
// created was reported.
func FuzzClassify(f *testing.F) {
	links := []LinkType{LinkEthernet, LinkLinuxSLL, LinkLinuxSLL2, LinkRaw, LinkIPv4, LinkIPv6, 0}
	seed := func(segs ...seg) []byte {
		out := []byte{0}
		for _, s := range segs {
			b := s.frame(f)
			out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
			out = append(out, b...)
		}
		return out
	}
	f.Add(seed(syn(0), synAck(ms), ack(2*ms)))
	f.Add(seed(syn(0), rstAck(ms)))
	f.Add(seed(synAck(ms), syn(0)))
	f.Add(seed(syn(0), with(syn(ms), func(s *seg) { s.icmp, s.icmpCode, s.icmpFrom = true, 13, "10.1.20.1" })))
	f.Add(seed(with(syn(0), func(s *seg) { s.vlans = []uint16{1, 2, 3} }), with(syn(0), func(s *seg) { s.src, s.dst, s.hopByHop = cli6, psn6, true })))
	f.Add(seed(with(syn(0), func(s *seg) { s.src, s.dst, s.icmp, s.icmpFrom, s.quote = cli6, psn6, true, "2001:db8::1", 20 })))
	f.Add([]byte{3, 0, 1, 0x45})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		link := links[int(in[0])%len(links)]
		in = in[1:]
		reported := 0
		c, err := NewClassifier(TrackerConfig{Ports: []uint16{8449, 0x4545}, MaxAttempts: 8, AnswerTimeout: time.Millisecond, EvidenceBytes: 4096}, func(a *Attempt) {
			reported++
			if a.Outcome == OutcomeOpen || a.Outcome >= numOutcomes {
				t.Fatalf("reported outcome %v", a.Outcome)
			}
			_, _ = a.MarshalJSON()
		})
		if err != nil {
			t.Fatal(err)
		}
		ts := int64(1)
		for len(in) >= 2 {
			n := int(binary.BigEndian.Uint16(in))
			in = in[2:]
			if n > len(in) {
				n = len(in)
			}
			fr := Frame{Data: in[:n], Timestamp: ts, Length: n, Link: link, Interface: "fuzz", VLAN: -1}
			c.Frame(&fr)
			in = in[n:]
			ts += int64(time.Microsecond)
		}
		c.Flush()
		st := c.Stats()
		if st.Open != 0 {
			t.Fatalf("open after flush: %d", st.Open)
		}
		if c.Tracker().Held() > 8 {
			t.Fatalf("held %d attempts over the cap of 8", c.Tracker().Held())
		}
		var sum uint64
		for _, n := range st.Attempts {
			sum += n
		}
		if sum != uint64(reported) {
			t.Fatalf("attempt counters %d != reported %d", sum, reported)
		}
	})
}
