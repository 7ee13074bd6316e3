package capture

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// spanMixFrames returns a traffic mix like a SPAN of access ports: per 10
// frames, 8 of other traffic (HTTPS, DNS) and one SYN and one SYN-ACK (or
// RST) on the state-sync port, each from its own client port. seqOffsets
// lists where the ISN-bearing fields are, so each pass can start new
// attempts.
func spanMixFrames(b testing.TB, n int) (frames []Frame, patches [][2]int) {
	return spanMix(b, n, 1)
}

// spanMix is spanMixFrames with otherRounds times the other traffic per
// attempt: 8*otherRounds other frames for each SYN and answer.
func spanMix(b testing.TB, n, otherRounds int) (frames []Frame, patches [][2]int) {
	b.Helper()
	for i := 0; len(frames) < n; i++ {
		cport := uint16(10000 + i%50000)
		client := fmt.Sprintf("10.1.%d.%d", i/250%250, i%250+1)
		other := []seg{
			{src: client, dst: "192.0.2.10", sport: cport, dport: 443, seq: 5, ack: 9, flags: "PA", payload: 200},
			{src: "192.0.2.10", dst: client, sport: 443, dport: cport, seq: 9, ack: 205, flags: "A", payload: 1200},
			{src: client, dst: "192.0.2.10", sport: cport, dport: 443, seq: 205, ack: 1209, flags: "A"},
			{src: "192.0.2.10", dst: client, sport: 443, dport: cport, seq: 1209, ack: 205, flags: "PA", payload: 600},
			{src: client, dst: "192.0.2.11", sport: cport + 1, dport: 80, seq: 1, flags: "S"},
			{src: client, dst: "192.0.2.10", sport: cport, dport: 443, seq: 205, ack: 1809, flags: "A", vlans: []uint16{20}},
			{src: "2001:db8::10", dst: "2001:db8:1::5", sport: 443, dport: cport, seq: 1, ack: 1, flags: "PA", payload: 300},
			{src: client, dst: "192.0.2.10", sport: cport, dport: 443, seq: 205, ack: 2109, flags: "FA"},
		}
		for range otherRounds {
			for _, s := range other {
				frames = append(frames, s.wire(b).Frame)
			}
		}
		psn := []string{"10.0.0.11", "10.0.0.12", "10.0.0.13"}[i%3]
		s := seg{src: client, dst: psn, sport: cport, dport: 8449, seq: uint32(i), flags: "S", srcMAC: "00:50:56:00:00:01"}
		frames = append(frames, s.wire(b).Frame)
		patches = append(patches, [2]int{len(frames) - 1, 14 + 20 + 4}) // the SYN's sequence number
		a := seg{src: psn, dst: client, sport: 8449, dport: cport, seq: 7, ack: uint32(i) + 1, flags: "SA"}
		if i%4 == 0 {
			a.flags, a.seq = "RA", 0
		}
		frames = append(frames, a.wire(b).Frame)
		patches = append(patches, [2]int{len(frames) - 1, 14 + 20 + 8}) // the answer's acknowledgement number
	}
	return frames, patches
}

// BenchmarkClassify measures decode and tracking per frame in steady state:
// attempts are created, answered and forgotten at the rate of the mix.
func BenchmarkClassify(b *testing.B) {
	frames, patches := spanMixFrames(b, 10000)
	c, err := NewClassifier(TrackerConfig{AnswerTimeout: time.Second, Grace: time.Second}, func(*Attempt) {})
	if err != nil {
		b.Fatal(err)
	}
	ts := wireBase.UnixNano()
	pass := uint32(0)
	run := func(n int) {
		for i := 0; i < n; i++ {
			k := i % len(frames)
			if k == 0 {
				// A new pass: shift every ISN so the attempts are new ones.
				pass++
				for _, p := range patches {
					d := frames[p[0]].Data[p[1]:]
					binary.BigEndian.PutUint32(d, binary.BigEndian.Uint32(d)+uint32(len(frames)))
				}
			}
			f := &frames[k]
			ts += 50_000 // 50 µs apart: 20 kpps of SPAN traffic in capture time
			f.Timestamp = ts
			c.Frame(f)
		}
	}
	// Reach steady state: more than the answer timeout plus the time a
	// completed attempt is remembered (MinRemember, 130 s) of capture time,
	// 150 s, so the indexes, slab and free list have grown to size.
	run(3_000_000)
	b.ReportAllocs()
	b.SetBytes(int64(len(frames[0].Data)))
	b.ResetTimer()
	run(b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mpps")
	if st := c.Stats(); st.Attempts["accepted"] == 0 || st.Attempts["refused"] == 0 {
		b.Fatalf("the mix produced no attempts: %v", st)
	}
}

// BenchmarkOpenAttemptMemory reports the heap cost of one open attempt.
func BenchmarkOpenAttemptMemory(b *testing.B) {
	const n = 100000
	frames := make([]Frame, 0, n)
	for i := range n {
		s := seg{src: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), dst: "10.0.0.11", sport: 40000, dport: 8449, seq: uint32(i), flags: "S"}
		if i == 0 {
			frames = append(frames, s.wire(b).Frame)
			continue
		}
		f := frames[0]
		f.Data = append([]byte(nil), frames[0].Data...)
		binary.BigEndian.PutUint32(f.Data[14+12:], uint32(0x0a000000|i))
		frames = append(frames, f)
	}
	b.ReportAllocs()
	var perAttempt float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c, err := NewClassifier(TrackerConfig{EvidenceBytes: -1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for i := range frames {
			c.Frame(&frames[i])
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		if got := c.Tracker().Open(); got != n {
			b.Fatalf("open attempts = %d, want %d", got, n)
		}
		perAttempt = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(c)
	}
	b.ReportMetric(perAttempt, "B/open-attempt")
}
