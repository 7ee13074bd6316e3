package acl

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

// fuzzKinds maps a fuzzed byte to a family and kind.
func fuzzKinds(b uint8) (Family, Kind) {
	fam := IPv4
	if b&1 != 0 {
		fam = IPv6
	}
	return fam, []Kind{Extended, Standard, RoleBased}[int(b>>1)%3]
}

func FuzzParseEntry(f *testing.F) {
	for _, l := range readFixtureLists(f) {
		for _, line := range l.lines {
			b := uint8(0)
			if l.family == IPv6 {
				b = 1
			}
			switch l.kind {
			case Standard:
				b |= 2
			case RoleBased:
				b |= 4
			}
			f.Add(line.Text, b)
		}
	}
	for _, s := range []string{
		"permit tcp any any log established", "permit tcp any any match-any +syn -ack",
		"deny ip any any ttl range 1 5 dscp ef", "permit tcp any eq ssh 8080 any neq telnet ssh",
		"dynamic d timeout 5 permit ip any any", "evaluate r", "remark (1 match) x",
		"permit tcp any any log (tag = a b c)", "10 permit ip any any sequence 20",
	} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, text string, b uint8) {
		fam, kind := fuzzKinds(b)
		e, err := ParseEntry(fam, kind, text)
		if err != nil {
			if want := "the entry could not be parsed: " + err.Error(); e.Unevaluable != want || e.cond.whole != want {
				t.Fatalf("error %v but unevaluable %q", err, e.Unevaluable)
			}
			return
		}
		again, err := ParseEntry(fam, kind, e.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", e.String(), text, err)
		}
		if again.String() != e.String() || again.Unevaluable != e.Unevaluable || again.Action != e.Action || again.TimeRange != e.TimeRange {
			t.Fatalf("canonical text is not a fixed point:\n%q\n-> %q (%q)\n-> %q (%q)", text, e.String(), e.Unevaluable, again.String(), again.Unevaluable)
		}
	})
}

// fuzzPacket builds a packet from fuzzed bytes; addresses fall in
// 10.0.0.0/16 and 2001:db8::/112 so that the seeds' entries can match.
func fuzzPacket(fam Family, b []byte) Packet {
	var raw [16]byte
	copy(raw[:], b)
	var p Packet
	if fam == IPv4 {
		p.Src = netip.AddrFrom4([4]byte{10, 0, raw[0], raw[1]})
		p.Dst = netip.AddrFrom4([4]byte{10, 0, raw[2], raw[3]})
	} else {
		s := netip.MustParseAddr("2001:db8::").As16()
		d := s
		s[14], s[15], d[14], d[15] = raw[0], raw[1], raw[2], raw[3]
		p.Src, p.Dst = netip.AddrFrom16(s), netip.AddrFrom16(d)
	}
	if raw[15]&1 != 0 {
		// A packet of the other family now and then.
		p.Src, p.Dst = netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("10.0.0.1")
	}
	p.Proto = raw[4]
	p.SrcPort = binary.BigEndian.Uint16(raw[5:7])
	p.DstPort = binary.BigEndian.Uint16(raw[7:9])
	p.Flags = raw[9]
	p.Fragment = raw[10]&1 != 0
	p.TOS, p.TTL, p.ICMPType, p.ICMPCode = raw[11], raw[12], raw[13], raw[14]
	return p
}

// reference is the plain walk Evaluate must agree with: the full
// three-valued match of every entry in order.
func reference(a *ACL, p Packet) (Verdict, *Entry, string, bool) {
	var src, dst [2]uint64
	s, d := p.Src.Unmap(), p.Dst.Unmap()
	switch {
	case a.Family == IPv4 && s.Is4() && d.Is4():
		src[1], dst[1] = uint64(binary.BigEndian.Uint32(s.AsSlice())), uint64(binary.BigEndian.Uint32(d.AsSlice()))
	case a.Family == IPv6 && p.Src.Is6() && p.Dst.Is6():
		s16, d16 := p.Src.As16(), p.Dst.As16()
		src = [2]uint64{binary.BigEndian.Uint64(s16[:8]), binary.BigEndian.Uint64(s16[8:])}
		dst = [2]uint64{binary.BigEndian.Uint64(d16[:8]), binary.BigEndian.Uint64(d16[8:])}
	default:
		return Unknown, nil, reasonFamily, false
	}
	for i := range a.Entries {
		e := &a.Entries[i]
		if e.Action == Remark {
			continue
		}
		switch t, why := e.cond.match(&p, &src, &dst, e.Action); t {
		case yes:
			switch e.Action {
			case Permit:
				return Permitted, e, "", false
			case Deny:
				return Denied, e, "", false
			}
			return Unknown, e, e.Unevaluable, false
		case maybe:
			return Unknown, e, why, false
		}
	}
	return 0, nil, "", true
}

func FuzzEvaluate(f *testing.F) {
	syn := []byte{1, 2, 0, 11, 6, 0xc7, 0x38, 0x21, 0x01, SYN}
	f.Add("permit tcp any any established\ndeny tcp any host 10.0.0.11 eq 8449\npermit ip any any", uint8(0), syn)
	f.Add("deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450\npermit ip any any", uint8(0), syn)
	f.Add("permit tcp object-group G host 10.0.0.11 eq 8449\ndeny ip any any", uint8(0), syn)
	f.Add("deny ip any host 10.0.0.11\npermit tcp any any eq www\npermit tcp any any eq 443", uint8(0), syn)
	f.Add("deny 10.0.1.0, wildcard bits 0.0.0.255\npermit any", uint8(2), syn)
	f.Add("permit tcp dst eq 8449\ndeny ip", uint8(4), syn)
	f.Add("deny tcp any host 2001:db8::b eq 8449 sequence 10\npermit ipv6 any any sequence 20", uint8(1), syn)
	f.Add("permit tcp any range 16384 32767 any\ndeny ip any any fragments\ndeny ip any any ttl lt 5", uint8(0), []byte{1, 2, 0, 11, 6, 0, 0, 0x21, 0x01, SYN, 1})
	f.Fuzz(func(t *testing.T, text string, b uint8, raw []byte) {
		fam, kind := fuzzKinds(b)
		var lines []Line
		for i, l := range strings.Split(text, "\n") {
			lines = append(lines, Line{Seq: i + 1, Text: l})
		}
		a, _ := Compile("fuzz", fam, kind, lines)
		p := fuzzPacket(fam, raw)
		r := a.Evaluate(p)
		verdict, entry, reason, implicit := reference(a, p)
		if implicit {
			if !r.Implicit || r.Entry != nil || (r.Verdict != Denied && r.Verdict != Permitted) {
				t.Fatalf("no entry matches but got %v %+v", r.Verdict, r)
			}
			return
		}
		if r.Verdict != verdict || r.Entry != entry || r.Implicit {
			t.Fatalf("Evaluate = %v entry %v implicit %v, reference %v entry %v", r.Verdict, r.Entry, r.Implicit, verdict, entry)
		}
		if verdict == Unknown && r.Reason != reason {
			t.Fatalf("reason %q, reference %q", r.Reason, reason)
		}
		if entry == nil {
			return
		}
		if r.Seq != entry.Seq || r.Text != entry.String() || r.TimeRange != (entry.TimeRange != "" && verdict != Unknown) {
			t.Fatalf("result fields %+v do not describe entry %q", r, entry.String())
		}
		// The canonical text judges the packet the same way.
		again, err := ParseEntry(fam, kind, entry.String())
		if err == nil && entry.Unevaluable == "" {
			one, _ := Compile("again", fam, kind, []Line{{Seq: entry.Seq, Text: again.String()}})
			if got := one.Evaluate(p); got.Verdict != verdict || got.Implicit {
				t.Fatalf("entry %q decides %v, its canonical text %v", entry.String(), verdict, got.Verdict)
			}
		}
	})
}
