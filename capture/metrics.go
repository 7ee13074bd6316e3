package capture

import (
	"fmt"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// metricsCollector exports a classifier's counters at scrape time. It reads
// atomics only, so a scrape never slows the capture down.
type metricsCollector struct {
	ctr     *counters
	sockets SocketReporter

	packets, ignored, decoded, truncated, duplicates *prometheus.Desc
	attempts, late, open, evictions, lastPacket      *prometheus.Desc
	kernelPackets, kernelDrops, ifaceUp, ifaceFails  *prometheus.Desc
}

// SocketReporter is what live capture tells about its sockets; Live
// implements it.
type SocketReporter interface {
	// InterfaceStats returns the kernel's counters per interface.
	InterfaceStats() []InterfaceStats
	// InterfaceHealth returns whether each interface is being captured.
	InterfaceHealth() []InterfaceHealth
}

// RegisterMetrics registers the classifier's metrics on reg. sockets, when
// not nil, adds the live capture sockets' kernel counters and health.
func RegisterMetrics(reg prometheus.Registerer, c *Classifier, sockets SocketReporter) error {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("syncwatch_capture_"+name, help, labels, nil)
	}
	m := &metricsCollector{
		ctr:           c.ctr,
		sockets:       sockets,
		packets:       d("packets_total", "Frames read by the sensor, by capture interface.", "interface"),
		ignored:       d("packets_ignored_total", "Frames that were not part of an attempt, by reason.", "reason"),
		decoded:       d("packets_decoded_total", "Frames decoded as TCP on a state-sync port or an ICMP error about it."),
		truncated:     d("packets_truncated_total", "Decoded frames that the snaplen cut inside their headers."),
		duplicates:    d("duplicate_packets_total", "SPAN copies of packets already seen, counted once."),
		attempts:      d("attempts_total", "Connection attempts to the state-sync port, by outcome (late corrections counted again under their new outcome).", "outcome"),
		late:          d("late_corrections_total", "Attempts reported unanswered whose answer came within the grace period."),
		open:          d("open_attempts", "Attempts waiting for an answer."),
		evictions:     d("attempt_evictions_total", "Attempts dropped from memory to stay under the attempt cap."),
		lastPacket:    d("last_packet_timestamp_seconds", "Capture time of the last frame read, in seconds since the epoch."),
		kernelPackets: d("kernel_packets_total", "Packets the kernel passed to the capture socket, by interface.", "interface"),
		kernelDrops:   d("kernel_drops_total", "Packets the kernel dropped because the capture ring was full, by interface.", "interface"),
		ifaceUp:       d("interface_up", "Whether a capture socket is open on the interface (0 while it is down and being reopened).", "interface"),
		ifaceFails:    d("interface_failures_total", "Times the interface's capture socket failed (link down, interface removed).", "interface"),
	}
	if err := reg.Register(m); err != nil {
		return fmt.Errorf("registering capture metrics: %w", err)
	}
	return nil
}

// Describe sends every descriptor.
func (m *metricsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.packets, m.ignored, m.decoded, m.truncated, m.duplicates,
		m.attempts, m.late, m.open, m.evictions, m.lastPacket, m.kernelPackets, m.kernelDrops, m.ifaceUp, m.ifaceFails} {
		ch <- d
	}
}

// Collect reads the counters.
func (m *metricsCollector) Collect(ch chan<- prometheus.Metric) {
	c := m.ctr
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	c.mu.Lock()
	names := make([]string, 0, len(c.perIf))
	for name := range c.perIf {
		names = append(names, name)
	}
	c.mu.Unlock()
	slices.Sort(names)
	for _, name := range names {
		c.mu.Lock()
		v := c.perIf[name].Load()
		c.mu.Unlock()
		counter(m.packets, v, name)
	}
	for _, r := range Reasons() {
		counter(m.ignored, c.ignored[r].Load(), r.String())
	}
	counter(m.decoded, c.decoded.Load())
	counter(m.truncated, c.truncated.Load())
	counter(m.duplicates, c.duplicates.Load())
	for _, o := range Outcomes() {
		counter(m.attempts, c.attempts[o].Load(), o.String())
	}
	counter(m.late, c.late.Load())
	counter(m.evictions, c.evictions.Load())
	ch <- prometheus.MustNewConstMetric(m.open, prometheus.GaugeValue, float64(c.open.Load()))
	if ts := c.lastPacket.Load(); ts != 0 {
		ch <- prometheus.MustNewConstMetric(m.lastPacket, prometheus.GaugeValue, float64(ts)/1e9)
	}
	if m.sockets != nil {
		for _, s := range m.sockets.InterfaceStats() {
			if s.HasReceived {
				counter(m.kernelPackets, s.Received, s.Name)
			}
			if s.HasDropped {
				counter(m.kernelDrops, s.Dropped, s.Name)
			}
		}
		for _, h := range m.sockets.InterfaceHealth() {
			up := 0.0
			if h.Up {
				up = 1
			}
			ch <- prometheus.MustNewConstMetric(m.ifaceUp, prometheus.GaugeValue, up, h.Name)
			counter(m.ifaceFails, h.Failures, h.Name)
		}
	}
}
