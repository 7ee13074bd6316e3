package capture

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	c, err := NewClassifier(TrackerConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := RegisterMetrics(reg, c, fakeSockets{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []seg{syn(0), synAck(ms), with(syn(2*ms), func(s *seg) { s.sport = 2 }),
		{at: 3 * ms, src: cli, dst: psn1, sport: 1, dport: 443, flags: "S"}, syn(4 * ms)} {
		w := s.wire(t)
		c.Frame(&w.Frame)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Fatalf("promlint: %v %v", err, problems)
	}
	want := `
# HELP syncwatch_capture_attempts_total Connection attempts to the state-sync port, by outcome (late corrections counted again under their new outcome).
# TYPE syncwatch_capture_attempts_total counter
syncwatch_capture_attempts_total{outcome="accepted"} 1
syncwatch_capture_attempts_total{outcome="prohibited"} 0
syncwatch_capture_attempts_total{outcome="refused"} 0
syncwatch_capture_attempts_total{outcome="unanswered"} 0
# HELP syncwatch_capture_duplicate_packets_total SPAN copies of packets already seen, counted once.
# TYPE syncwatch_capture_duplicate_packets_total counter
syncwatch_capture_duplicate_packets_total 1
# HELP syncwatch_capture_kernel_drops_total Packets the kernel dropped because the capture ring was full, by interface.
# TYPE syncwatch_capture_kernel_drops_total counter
syncwatch_capture_kernel_drops_total{interface="span0"} 3
# HELP syncwatch_capture_interface_failures_total Times the interface's capture socket failed (link down, interface removed).
# TYPE syncwatch_capture_interface_failures_total counter
syncwatch_capture_interface_failures_total{interface="span0"} 2
# HELP syncwatch_capture_interface_up Whether a capture socket is open on the interface (0 while it is down and being reopened).
# TYPE syncwatch_capture_interface_up gauge
syncwatch_capture_interface_up{interface="span0"} 1
# HELP syncwatch_capture_open_attempts Attempts waiting for an answer.
# TYPE syncwatch_capture_open_attempts gauge
syncwatch_capture_open_attempts 1
# HELP syncwatch_capture_packets_total Frames read by the sensor, by capture interface.
# TYPE syncwatch_capture_packets_total counter
syncwatch_capture_packets_total{interface="span0"} 5
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"syncwatch_capture_attempts_total", "syncwatch_capture_duplicate_packets_total", "syncwatch_capture_kernel_drops_total",
		"syncwatch_capture_open_attempts", "syncwatch_capture_packets_total",
		"syncwatch_capture_interface_up", "syncwatch_capture_interface_failures_total"); err != nil {
		t.Error(err)
	}
	// The SYN at 4 ms repeats the first one (same IP ID, within 100 ms): a
	// SPAN duplicate. The HTTPS SYN is ignored as other-port.
	if got := testutil.ToFloat64(constGauge(t, reg, "syncwatch_capture_packets_ignored_total", "reason", "other-port")); got != 1 {
		t.Errorf("ignored other-port = %v, want 1", got)
	}
	if got := testutil.ToFloat64(constGauge(t, reg, "syncwatch_capture_last_packet_timestamp_seconds")); got != float64(wireBase.Add(4*time.Millisecond).UnixNano())/1e9 {
		t.Errorf("last packet timestamp = %v", got)
	}
}

// constGauge finds one gathered sample as a collector for testutil.ToFloat64.
func constGauge(t *testing.T, reg prometheus.Gatherer, name string, labelPairs ...string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labelPairs); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labelPairs[i] && lp.GetValue() == labelPairs[i+1] {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "x", Help: "x"}, func() float64 { return v })
		}
	}
	t.Fatalf("no sample %s %v", name, labelPairs)
	return nil
}

// fakeSockets stands for live capture's sockets.
type fakeSockets struct{}

func (fakeSockets) InterfaceStats() []InterfaceStats {
	return []InterfaceStats{{Name: "span0", Received: 120, Dropped: 3, HasReceived: true, HasDropped: true}}
}

func (fakeSockets) InterfaceHealth() []InterfaceHealth {
	return []InterfaceHealth{{Name: "span0", Up: true, Failures: 2, LastError: "link down"}}
}

// TestMetricsEvictionsAndLate checks the counters TestMetrics leaves at
// zero: an eviction at a cap of one attempt, a late correction, decoded and
// truncated frames and the kernel's packet count.
func TestMetricsEvictionsAndLate(t *testing.T) {
	c, err := NewClassifier(TrackerConfig{MaxAttempts: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := RegisterMetrics(reg, c, fakeSockets{}); err != nil {
		t.Fatal(err)
	}
	// The first SYN is unanswered at 10 s, its SYN-ACK at 12 s corrects it;
	// the second SYN, from another port, evicts it (the cap is one).
	for _, s := range []seg{syn(0), synAck(12 * time.Second), with(syn(13*time.Second), func(s *seg) { s.sport = 2 })} {
		w := s.wire(t)
		c.Frame(&w.Frame)
	}
	// A SYN cut by the snaplen after its flags: decoded, truncated.
	w := with(syn(14*time.Second), func(s *seg) { s.sport = 3 }).wire(t)
	w.Frame.Data = w.Frame.Data[:14+20+14]
	c.Frame(&w.Frame)
	want := `
# HELP syncwatch_capture_attempt_evictions_total Attempts dropped from memory to stay under the attempt cap.
# TYPE syncwatch_capture_attempt_evictions_total counter
syncwatch_capture_attempt_evictions_total 2
# HELP syncwatch_capture_attempts_total Connection attempts to the state-sync port, by outcome (late corrections counted again under their new outcome).
# TYPE syncwatch_capture_attempts_total counter
syncwatch_capture_attempts_total{outcome="accepted"} 1
syncwatch_capture_attempts_total{outcome="prohibited"} 0
syncwatch_capture_attempts_total{outcome="refused"} 0
syncwatch_capture_attempts_total{outcome="unanswered"} 2
# HELP syncwatch_capture_kernel_packets_total Packets the kernel passed to the capture socket, by interface.
# TYPE syncwatch_capture_kernel_packets_total counter
syncwatch_capture_kernel_packets_total{interface="span0"} 120
# HELP syncwatch_capture_late_corrections_total Attempts reported unanswered whose answer came within the grace period.
# TYPE syncwatch_capture_late_corrections_total counter
syncwatch_capture_late_corrections_total 1
# HELP syncwatch_capture_open_attempts Attempts waiting for an answer.
# TYPE syncwatch_capture_open_attempts gauge
syncwatch_capture_open_attempts 1
# HELP syncwatch_capture_packets_decoded_total Frames decoded as TCP on a state-sync port or an ICMP error about it.
# TYPE syncwatch_capture_packets_decoded_total counter
syncwatch_capture_packets_decoded_total 4
# HELP syncwatch_capture_packets_truncated_total Decoded frames that the snaplen cut inside their headers.
# TYPE syncwatch_capture_packets_truncated_total counter
syncwatch_capture_packets_truncated_total 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"syncwatch_capture_attempt_evictions_total", "syncwatch_capture_attempts_total", "syncwatch_capture_kernel_packets_total",
		"syncwatch_capture_late_corrections_total", "syncwatch_capture_open_attempts",
		"syncwatch_capture_packets_decoded_total", "syncwatch_capture_packets_truncated_total"); err != nil {
		t.Error(err)
	}
}
