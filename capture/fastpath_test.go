package capture

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// refICMP and refAttempt are the documented attempt JSON as encoding/json
// writes it, built from the Attempt with the standard library's own
// formatting: the reference for the hand-written AppendJSON.
type refICMP struct {
	Type    uint8  `json:"type"`
	Code    uint8  `json:"code"`
	From    string `json:"from"`
	Meaning string `json:"meaning"`
	ACL     bool   `json:"acl"`
}

type refAttempt struct {
	Client     string   `json:"client"`
	ClientPort uint16   `json:"client_port"`
	ClientMAC  *string  `json:"client_mac"`
	PSN        string   `json:"psn"`
	Port       uint16   `json:"port"`
	Outcome    string   `json:"outcome"`
	SYNSeen    bool     `json:"syn_seen"`
	Inferred   bool     `json:"inferred"`
	Late       bool     `json:"late"`
	SYNs       int      `json:"syns"`
	Incomplete bool     `json:"incomplete"`
	FirstSeen  string   `json:"first_seen"`
	AnsweredAt *string  `json:"answered_at"`
	RTT        *float64 `json:"rtt_seconds"`
	VLANs      []uint16 `json:"vlans"`
	Interface  string   `json:"interface"`
	ICMP       *refICMP `json:"icmp"`
}

func refJSON(t testing.TB, a *Attempt) []byte {
	t.Helper()
	r := refAttempt{
		Client: a.Client.String(), ClientPort: a.ClientPort, PSN: a.PSN.String(), Port: a.Port,
		Outcome: a.Outcome.String(), SYNSeen: a.SYNSeen, Inferred: a.Inferred, Late: a.Late, SYNs: a.SYNs,
		Incomplete: a.Incomplete, FirstSeen: a.FirstSeen.UTC().Format(TimeFormat), VLANs: []uint16{},
		Interface: a.Interface,
	}
	if a.HasClientMAC {
		m := net.HardwareAddr(a.ClientMAC[:]).String()
		r.ClientMAC = &m
	}
	if !a.AnsweredAt.IsZero() {
		s := a.AnsweredAt.UTC().Format(TimeFormat)
		r.AnsweredAt = &s
		if a.SYNSeen && !a.AnsweredAt.Before(a.FirstSeen) {
			rtt := a.AnsweredAt.Sub(a.FirstSeen).Seconds()
			r.RTT = &rtt
		}
	}
	for i := 0; i < int(a.NumVLANs); i++ {
		r.VLANs = append(r.VLANs, a.VLANs[i])
	}
	if a.HasICMP {
		v6 := a.Client.Is6() && !a.Client.Is4In6()
		r.ICMP = &refICMP{Type: a.ICMPType, Code: a.ICMPCode, From: a.ICMPFrom.String(),
			Meaning: ICMPMeaning(v6, a.ICMPCode), ACL: ICMPIsACL(v6, a.ICMPCode)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&r); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// randomAttempt returns an attempt with every field variant in reach:
// IPv4, IPv6 and IPv4-mapped IPv6 addresses, each outcome, MAC or none,
// answered or not, SYN seen or not, answers stamped before the SYN, 0 to
// MaxVLANs tags, ICMPv4 and ICMPv6 codes, interface names that need
// escaping, times from 1970 to 9999 and outside.
func randomAttempt(r *rand.Rand, iface string) Attempt {
	addr := func() netip.Addr {
		switch r.IntN(3) {
		case 0:
			return netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
		case 1:
			var b [16]byte
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return netip.AddrFrom16(b)
		}
		return netip.AddrFrom16(netip.AddrFrom4([4]byte{10, 1, byte(r.IntN(256)), byte(r.IntN(256))}).As16())
	}
	var first time.Time
	switch r.IntN(8) {
	case 0:
		first = time.Unix(0, 0)
	case 1:
		first = time.Unix(r.Int64N(maxFastSeconds), r.Int64N(1e9)) // up to 9999
	case 2:
		first = time.Date(1900+r.IntN(69), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, r.IntN(1e9), time.UTC)
	case 3:
		first = time.Date(10000+r.IntN(100), 1, 1, 0, 0, 0, 0, time.UTC)
	default:
		first = time.Unix(0, int64(r.Uint64N(1<<62))) // 1970 to 2116, as the tracker makes them
	}
	a := Attempt{
		ID: r.Uint64N(1000), Client: addr(), ClientPort: uint16(r.Uint32()), PSN: addr(), Port: uint16(r.Uint32()),
		ISN: r.Uint32(), Outcome: Outcomes()[r.IntN(4)], SYNSeen: r.IntN(2) == 0, Inferred: r.IntN(4) == 0,
		Late: r.IntN(4) == 0, SYNs: r.IntN(20), Incomplete: r.IntN(4) == 0, FirstSeen: first,
		NumVLANs: uint8(r.IntN(MaxVLANs + 1)), Interface: iface,
	}
	if r.IntN(2) == 0 {
		a.HasClientMAC = true
		for i := range a.ClientMAC {
			a.ClientMAC[i] = byte(r.Uint32())
		}
	}
	for i := range a.NumVLANs {
		a.VLANs[i] = uint16(r.IntN(4096))
	}
	switch r.IntN(4) {
	case 0: // unanswered
	case 1: // answered before the SYN's stamp: no RTT
		a.AnsweredAt = first.Add(-time.Duration(1 + r.Int64N(1e9)))
	default: // at least a microsecond later (encoding/json's float form)
		a.AnsweredAt = first.Add(time.Microsecond + time.Duration(r.Int64N(int64(200*time.Second))))
	}
	if a.Outcome == Prohibited && r.IntN(4) > 0 {
		a.HasICMP, a.ICMPType, a.ICMPCode, a.ICMPFrom = true, uint8(r.IntN(256)), uint8(r.IntN(20)), addr()
	}
	return a
}

var jsonInterfaces = []string{"span0", "", "veth-p", "a<b>&c", "tab\there", "quote\"back\\slash", "é", "bad\xffutf8", "nul\x00", "<é>", "\u2028"}

func TestAttemptJSONMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20000 {
		a := randomAttempt(r, jsonInterfaces[i%len(jsonInterfaces)])
		got, want := a.AppendJSON([]byte("x")), refJSON(t, &a)
		if string(got[1:]) != string(want) {
			t.Fatalf("attempt %d %+v:\n got %s\nwant %s", i, a, got[1:], want)
		}
	}
}

// TestAttemptJSONSubMicrosecondRTT pins the one place the attempt JSON
// differs from encoding/json on purpose: RTTs below a microsecond are
// written as plain decimals (0.000000123), never with an exponent; both
// read back as the same number.
func TestAttemptJSONSubMicrosecondRTT(t *testing.T) {
	a := Attempt{Client: netip.MustParseAddr("10.0.0.1"), PSN: netip.MustParseAddr("10.0.0.2"), Outcome: Accepted,
		SYNSeen: true, FirstSeen: wireBase, AnsweredAt: wireBase.Add(123 * time.Nanosecond)}
	got := string(a.AppendJSON(nil))
	if !strings.Contains(got, `"rtt_seconds":0.000000123,`) {
		t.Errorf("JSON %s: want rtt_seconds 0.000000123", got)
	}
	var back struct {
		RTT float64 `json:"rtt_seconds"`
	}
	if err := json.Unmarshal([]byte(got), &back); err != nil || back.RTT != 123e-9 {
		t.Errorf("read back %v, %v", back.RTT, err)
	}
}

// FuzzAttemptJSON checks AppendJSON against the encoding/json reference on
// attempts drawn from the fuzzer's seeds, with any interface name.
func FuzzAttemptJSON(f *testing.F) {
	for i, name := range jsonInterfaces {
		f.Add(uint64(i), uint64(i*7919), name)
	}
	f.Fuzz(func(t *testing.T, s1, s2 uint64, iface string) {
		r := rand.New(rand.NewPCG(s1, s2))
		a := randomAttempt(r, iface)
		got := a.AppendJSON(nil)
		if want := refJSON(t, &a); string(got) != string(want) {
			t.Fatalf("%+v:\n got %s\nwant %s", a, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %s", got)
		}
	})
}

func TestAppendTime(t *testing.T) {
	cases := []time.Time{
		time.Unix(0, 0), time.Unix(0, 1), time.Unix(0, 999999999),
		time.Date(1972, 2, 29, 23, 59, 59, 5, time.UTC), time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2400, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 3, 10, 0, 0, 0, time.FixedZone("x", -7*3600)),
		time.Now(), // with a monotonic reading
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		cases = append(cases, time.Unix(r.Int64N(maxFastSeconds+1000)-500, r.Int64N(1e9)))
	}
	for day := int64(0); day < 3*146097; day += 1 { // three 400-year eras, every day
		cases = append(cases, time.Unix(day*86400+day%86400, day))
	}
	// Without a cache, and with one cache through all the cases: runs of
	// one day, day changes, and days coming back.
	var days dayCache
	for _, c := range cases {
		want := c.UTC().Format(TimeFormat)
		if got := string(appendTime(nil, c, nil)); got != want {
			t.Fatalf("%v: got %s, want %s", c, got, want)
		}
		if got := string(appendTime(nil, c, &days)); got != want {
			t.Fatalf("%v with the day cache: got %s, want %s", c, got, want)
		}
	}
}

// oldCollect is the Collector as it was before the compact form: attempts
// kept whole, a correction replacing its attempt, then a stable sort by
// first packet and ID. The new Collector must return exactly this.
func oldCollect(in []Attempt) []Attempt {
	var out []Attempt
	unanswered := map[uint64]int{}
	for _, a := range in {
		if i, ok := unanswered[a.ID]; ok {
			out[i] = a
			if a.Outcome != Unanswered {
				delete(unanswered, a.ID)
			}
			continue
		}
		if a.Outcome == Unanswered {
			unanswered[a.ID] = len(out)
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Attempt) int {
		if n := a.FirstSeen.Compare(b.FirstSeen); n != 0 {
			return n
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// trackerLike returns attempts as a Tracker makes them: local times from
// Unix nanoseconds, no zones, unique IDs, some corrected later.
func trackerLike(r *rand.Rand, n int, odd bool) []Attempt {
	var in []Attempt
	base := wireBase.UnixNano()
	for i := range n {
		a := randomAttempt(r, []string{"span0", "span1", "eth2"}[r.IntN(3)])
		a.ID = uint64(i + 1)
		a.FirstSeen = time.Unix(0, base+r.Int64N(int64(time.Second))) // ties and disorder
		if r.IntN(3) == 0 {
			a.FirstSeen = time.Unix(0, base+int64(i%7))
		}
		if !a.AnsweredAt.IsZero() {
			a.AnsweredAt = time.Unix(0, a.FirstSeen.UnixNano()+r.Int64N(int64(time.Second)))
		}
		a.evidence, a.nev = [maxEvidence]uint64{uint64(i), 2, 3, 4}, uint8(r.IntN(maxEvidence+1))
		if odd {
			switch r.IntN(10) {
			case 0:
				a.Client = netip.MustParseAddr("fe80::1").WithZone("eth0")
			case 1:
				a.FirstSeen = a.FirstSeen.UTC()
			case 2:
				a.AnsweredAt = time.Now()
			case 3:
				a.AnsweredAt = time.Time{}.In(time.FixedZone("x", 3600)) // zero, with a location
			}
		}
		in = append(in, a)
		if a.Outcome == Unanswered && r.IntN(2) == 0 {
			// A late correction comes later, maybe corrected once more.
			c := a
			c.Outcome, c.Late, c.AnsweredAt = Outcomes()[r.IntN(3)], true, time.Unix(0, a.FirstSeen.UnixNano()+int64(20*time.Second))
			in = append(in, c)
		}
	}
	r.Shuffle(len(in), func(i, j int) {
		// Keep each correction after its attempt: swap only different IDs.
		if in[i].ID != in[j].ID {
			in[i], in[j] = in[j], in[i]
		}
	})
	// Restore each ID's own order after the shuffle.
	seen := map[uint64][]int{}
	for i := range in {
		seen[in[i].ID] = append(seen[in[i].ID], i)
	}
	for _, pos := range seen {
		if len(pos) == 2 && in[pos[0]].Outcome != Unanswered {
			in[pos[0]], in[pos[1]] = in[pos[1]], in[pos[0]]
		}
	}
	return in
}

func TestCollectorMatchesWholeAttempts(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		odd  bool
		far  bool
	}{
		{"empty", 0, false, false},
		{"tracker-like", 3*collectorBlock + 17, false, false},
		{"with zones, UTC times and monotonic readings", 2000, true, false},
		{"with first times beyond int64 nanoseconds", 2000, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(5, uint64(tc.n)))
			in := trackerLike(r, tc.n, tc.odd)
			if tc.far {
				in[len(in)/2].FirstSeen = time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)
				in[len(in)/3].FirstSeen = time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			c := NewCollector()
			for i := range in {
				a := in[i]
				c.Add(&a)
				a.Interface = "reused" // the tracker reuses its Attempt
			}
			if tc.odd != (len(c.odd) > 0) {
				t.Errorf("%d attempts kept whole, want them only when the compact form cannot hold them", len(c.odd))
			}
			want := oldCollect(in)
			got := c.Attempts()
			if c.Len() != len(want) || len(got) != len(want) {
				t.Fatalf("Len %d, Attempts %d, want %d", c.Len(), len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("attempt %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
			if gs, ws := fmt.Sprintf("%+v", c.Summary()), fmt.Sprintf("%+v", Summarize(want)); gs != ws {
				t.Errorf("Summary %s, want %s", gs, ws)
			}
			var buf bytes.Buffer
			if err := c.WriteJSONArray(&buf, "  "); err != nil {
				t.Fatal(err)
			}
			wantJSON := []byte("[")
			for i := range want {
				if i > 0 {
					wantJSON = append(wantJSON, ',')
				}
				wantJSON = append(wantJSON, "\n  "...)
				wantJSON = want[i].AppendJSON(wantJSON)
			}
			if len(want) > 0 {
				wantJSON = append(wantJSON, '\n')
			}
			wantJSON = append(wantJSON, ']')
			if !bytes.Equal(buf.Bytes(), wantJSON) {
				t.Errorf("WriteJSONArray differs from the attempts' AppendJSON (%d vs %d bytes)", buf.Len(), len(wantJSON))
			}
			if !json.Valid(buf.Bytes()) {
				t.Errorf("WriteJSONArray wrote invalid JSON")
			}
		})
	}
}

// TestCollectorExact checks the quick test of whether the compact form
// holds an attempt exactly against unpacking it and comparing.
func TestCollectorExact(t *testing.T) {
	c := NewCollector()
	r := rand.New(rand.NewPCG(15, 16))
	kinds := map[bool]int{}
	for _, odd := range []bool{false, true} {
		for _, a := range trackerLike(r, 5000, odd) {
			a.Interface = "span0"
			var rec collected
			var back Attempt
			c.pack(&a, &rec)
			c.unpack(&rec, &back)
			if got, want := exact(&rec, &a), back == a; got != want {
				t.Fatalf("exact = %v, round trip %v for %+v", got, want, a)
			}
			kinds[back == a]++
		}
	}
	if kinds[false] == 0 || kinds[true] == 0 {
		t.Errorf("cases: %v, want both kinds", kinds)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n--; w.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestCollectorWriteJSONArrayError(t *testing.T) {
	c := NewCollector()
	for _, a := range trackerLike(rand.New(rand.NewPCG(7, 7)), 2000, false) {
		c.Add(&a)
	}
	for n := range 3 {
		if err := c.WriteJSONArray(&failWriter{n: n}, ""); err == nil || err.Error() != "disk full" {
			t.Errorf("after %d writes: %v, want disk full", n, err)
		}
	}
}

// TestEntryIndex runs the index against a map, with hashes chosen to
// collide, to wrap around the table's end and to make it grow.
func TestEntryIndex(t *testing.T) {
	for _, tc := range []struct {
		spread uint32
		steps  int
	}{{1, 3000}, {16, 20000}, {1<<32 - 1, 200000}} {
		spread := tc.spread
		x := newEntryIndex()
		model := map[int32]uint32{}
		r := rand.New(rand.NewPCG(9, uint64(spread)))
		next := int32(0)
		for step := range tc.steps {
			if len(model) == 0 || r.IntN(5) < 3 {
				h := uint32(r.Uint64N(uint64(spread)+1)) - uint32(r.IntN(2))*8 // near 0 and near the end
				x.insert(h, next)
				model[next] = h
				next++
			} else {
				var victim int32 = -1
				for i := range model { // any one
					victim = i
					break
				}
				if !x.remove(model[victim], victim) {
					t.Fatalf("step %d: remove %d failed", step, victim)
				}
				delete(model, victim)
				if x.remove(0, victim) || x.find(model[victim], victim) >= 0 {
					t.Fatalf("step %d: removed entry %d still found", step, victim)
				}
			}
			if x.n != len(model) {
				t.Fatalf("step %d: n = %d, want %d", step, x.n, len(model))
			}
			if step%997 == 0 || len(model) < 40 {
				for i, h := range model {
					if x.find(h, i) < 0 {
						t.Fatalf("step %d (spread %d): entry %d lost", step, spread, i)
					}
				}
			}
		}
		if 2*x.n > len(x.slots) {
			t.Errorf("load %d/%d over a half", x.n, len(x.slots))
		}
	}
}

// TestTrackerIndexManyAttempts drives the indexes through the tracker:
// many attempts of one connection and many connections, eviction at the
// cap, an answer found among them, Flush emptying everything.
func TestTrackerIndexManyAttempts(t *testing.T) {
	var got []string
	c, err := NewClassifier(TrackerConfig{MaxAttempts: 300}, func(a *Attempt) { got = append(got, attemptLine(a)) })
	if err != nil {
		t.Fatal(err)
	}
	// 1000 attempts on one connection (new ISNs) and 1000 connections:
	// eviction past 300, the connection index keeping the latest.
	for i := range 1000 {
		w := with(syn(time.Duration(i)*ms), func(s *seg) { s.seq = uint32(i * 1000) }).wire(t)
		c.Frame(&w.Frame)
		w = with(syn(time.Duration(i)*ms), func(s *seg) { s.sport = uint16(20000 + i) }).wire(t)
		c.Frame(&w.Frame)
	}
	if h := c.Tracker().Held(); h != 300 {
		t.Errorf("held %d, want the cap of 300", h)
	}
	// The last connection's attempt answered: found by its key.
	w := with(synAck(1000*ms), func(s *seg) { s.dport = 20999 }).wire(t)
	c.Frame(&w.Frame)
	c.Flush()
	if st := c.Stats(); st.Evictions != 1700 || st.Attempts["accepted"] != 1 || st.Attempts["unanswered"] != 1999 {
		t.Errorf("stats %+v", st)
	}
	if c.Tracker().Held() != 0 {
		t.Errorf("held %d after Flush", c.Tracker().Held())
	}
}

// writeBigCapture writes a capture larger than readAheadMin whose records
// straddle the read-ahead's chunks at every alignment, ending in a
// truncated record, as pcap or pcapng.
func writeBigCapture(t *testing.T, ng bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	type writer interface {
		WritePacket(gopacket.CaptureInfo, []byte) error
	}
	var w writer
	var nw *pcapgo.NgWriter
	if ng {
		var err error
		if nw, err = pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		w = nw
	} else {
		pw := pcapgo.NewWriterNanos(&buf)
		if err := pw.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
			t.Fatal(err)
		}
		w = pw
	}
	r := rand.New(rand.NewPCG(11, 12))
	data := make([]byte, 262144)
	for i := range data {
		data[i] = byte(i * 7)
	}
	ts := wireBase
	for i := 0; buf.Len() < readAheadMin+3*readAheadChunk; i++ {
		n := 54 + r.IntN(1500)
		switch i % 50 {
		case 7:
			n = 262144 // the largest frame
		case 8:
			n = 60000 + r.IntN(100000)
		}
		ts = ts.Add(time.Microsecond)
		data[0] = byte(i)
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: n, Length: n}, data[:n]); err != nil {
			t.Fatal(err)
		}
		if nw != nil && i%64 == 0 {
			if err := nw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if nw != nil {
		if err := nw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// TestReadAheadMatchesPlainReads reads big files through OpenFile (with the
// read-ahead goroutine) and through NewReader (without): the same frames,
// the same error at the same offset.
func TestReadAheadMatchesPlainReads(t *testing.T) {
	for _, ng := range []bool{false, true} {
		content := writeBigCapture(t, ng)
		for _, cut := range []int{0, 5, 300} {
			name := fmt.Sprintf("pcapng=%v cut=%d", ng, cut)
			data := content[:len(content)-cut]
			path := filepath.Join(t.TempDir(), "big.cap")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			ahead, err := OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if ahead.(interface{ readsAhead() bool }).readsAhead() != true {
				t.Fatalf("%s: no read-ahead for a %d-byte file", name, len(data))
			}
			plain, err := NewReader(bytes.NewReader(data), path)
			if err != nil {
				t.Fatal(err)
			}
			if plain.(interface{ readsAhead() bool }).readsAhead() {
				t.Fatalf("%s: read-ahead for NewReader", name)
			}
			frames := 0
			for {
				var fa, fp Frame
				ea, ep := ahead.Next(&fa), plain.Next(&fp)
				if fmt.Sprint(ea) != fmt.Sprint(ep) {
					t.Fatalf("%s: frame %d: error %v, plain reads %v", name, frames, ea, ep)
				}
				if ea != nil {
					if cut > 0 && !errors.Is(ea, ErrTruncated) {
						t.Errorf("%s: ends with %v, want truncated", name, ea)
					}
					if cut == 0 && ea != io.EOF {
						t.Errorf("%s: ends with %v, want EOF", name, ea)
					}
					break
				}
				if fa.Timestamp != fp.Timestamp || fa.Length != fp.Length || !bytes.Equal(fa.Data, fp.Data) {
					t.Fatalf("%s: frame %d differs", name, frames)
				}
				frames++
			}
			if frames < 1000 {
				t.Errorf("%s: only %d frames", name, frames)
			}
			if err := ahead.Close(); err != nil {
				t.Error(err)
			}
			plain.Close()
		}
	}
}

// TestReadAheadClose closes a big file after one frame: the goroutine
// stops (Close waits for it) and Next fails.
func TestReadAheadClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pcap")
	if err := os.WriteFile(path, writeBigCapture(t, false), 0o644); err != nil {
		t.Fatal(err)
	}
	src, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := src.Next(&f); err != nil {
		t.Fatal(err)
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if err := src.Next(&f); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next after Close: %v, want %v", err, os.ErrClosed)
	}
}
