package capture

import (
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"
)

// TestSYNFloodMemoryBounded floods the tracker with SYNs from random IPv4
// and IPv6 sources, ports and ISNs, 100 times its cap of open attempts:
// the attempts held never exceed the cap, every SYN beyond it evicts
// exactly one attempt, which is still reported, and the heap does not grow
// once the cap is reached.
func TestSYNFloodMemoryBounded(t *testing.T) {
	const (
		limit = 10_000
		total = 100 * limit
	)
	reported := 0
	c, err := NewClassifier(TrackerConfig{MaxAttempts: limit}, func(*Attempt) { reported++ })
	if err != nil {
		t.Fatal(err)
	}
	v4 := syn(0).wire(t)
	v6 := with(syn(0), func(s *seg) { s.src, s.dst = cli6, psn6 }).wire(t)
	r := rand.New(rand.NewPCG(13, 14))
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	var atCap uint64
	for i := range total {
		w := &v4
		src, ports, seq := 14+12, 14+20, 14+20+4
		if i%2 == 1 {
			w = &v6
			src, ports, seq = 14+8, 14+40, 14+40+4
		}
		d := w.Frame.Data
		for j := 0; j < 4; j++ {
			d[src+j] = byte(r.Uint32())
		}
		if i%2 == 1 {
			binary.BigEndian.PutUint64(d[src+4:], r.Uint64())
		}
		binary.BigEndian.PutUint16(d[ports:], uint16(1024+r.IntN(60000)))
		binary.BigEndian.PutUint32(d[seq:], r.Uint32())
		w.Frame.Timestamp = wireBase.UnixNano() + int64(i)*int64(time.Microsecond) // 1 s of flood
		c.Frame(&w.Frame)
		if held := c.Tracker().Held(); held > limit || c.Tracker().Open() > limit {
			t.Fatalf("SYN %d: %d attempts held, %d open, cap %d", i, held, c.Tracker().Open(), limit)
		}
		if i == 2*limit {
			atCap = heap()
		}
	}
	end := heap()
	st := c.Stats()
	if st.Decoded != total || st.Evictions != total-limit || c.Tracker().Held() != limit {
		t.Errorf("decoded %d, evictions %d, held %d; want %d, %d, %d", st.Decoded, st.Evictions, c.Tracker().Held(), total, total-limit, limit)
	}
	if end > atCap+512<<10 {
		t.Errorf("heap grew from %d B at the cap to %d B after %d more SYNs", atCap, end, total-2*limit)
	}
	c.Flush()
	if reported != total || c.Tracker().Held() != 0 {
		t.Errorf("reported %d attempts, held %d after Flush; want %d, 0", reported, c.Tracker().Held(), total)
	}
	t.Logf("heap %d B at the cap of %d attempts, %d B after %d SYNs", atCap, limit, end, total)
}
