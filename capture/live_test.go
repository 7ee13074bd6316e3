//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
)

// testWait bounds every wait in the live tests.
const testWait = 10 * time.Second

// fakeItem is what a fakeRing's next read returns.
type fakeItem struct {
	data []byte
	ci   gopacket.CaptureInfo
	err  error
}

// fakeRing is a packetRing fed by the test through a channel; with nothing
// queued a read times out as a real ring's poll does.
type fakeRing struct {
	items  chan fakeItem
	closed atomic.Bool
	// useAfterClose is set when the ring was read after Close.
	useAfterClose atomic.Bool

	mu       sync.Mutex
	counts   [][2]uint32 // counters returned by successive reads; the last repeats
	countErr error
}

func newFakeRing() *fakeRing { return &fakeRing{items: make(chan fakeItem, 64)} }

func (r *fakeRing) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	if r.closed.Load() {
		r.useAfterClose.Store(true)
	}
	select {
	case it := <-r.items:
		return it.data, it.ci, it.err
	case <-time.After(time.Millisecond):
		return nil, gopacket.CaptureInfo{}, afpacket.ErrTimeout
	}
}

func (r *fakeRing) counters() (uint32, uint32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.countErr != nil {
		return 0, 0, r.countErr
	}
	if len(r.counts) == 0 {
		return 0, 0, nil
	}
	c := r.counts[0]
	if len(r.counts) > 1 {
		r.counts = r.counts[1:]
	}
	return c[0], c[1], nil
}

func (r *fakeRing) Close() { r.closed.Store(true) }

// fakeLive returns a Live over fake rings named a, b, ... whose filters were
// attached at time attached. It cannot reopen a failed ring unless the test
// replaces l.open.
func fakeLive(t testing.TB, cfg LiveConfig, attached int64, rings ...*fakeRing) *Live {
	t.Helper()
	for i := range rings {
		cfg.Interfaces = append(cfg.Interfaces, string(rune('a'+i)))
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	pr := make([]packetRing, len(rings))
	at := make([]int64, len(rings))
	for i, r := range rings {
		pr[i], at[i] = r, attached
	}
	return newLive(cfg, pr, at, (&fakeOpener{}).open)
}

// seenFrame is a delivered frame, copied.
type seenFrame struct {
	iface  string
	data   string
	ts     int64
	length int
	vlan   int
	link   LinkType
}

// collector records frames from Run's callback and checks that calls never
// overlap.
type collector struct {
	inFlight atomic.Int32
	overlap  atomic.Bool
	mu       sync.Mutex
	frames   []seenFrame
	arrived  chan struct{}
}

func newCollector() *collector { return &collector{arrived: make(chan struct{}, 1024)} }

func (c *collector) frame(f *Frame) {
	if c.inFlight.Add(1) != 1 {
		c.overlap.Store(true)
	}
	c.mu.Lock()
	c.frames = append(c.frames, seenFrame{iface: f.Interface, data: string(f.Data), ts: f.Timestamp,
		length: f.Length, vlan: f.VLAN, link: f.Link})
	c.mu.Unlock()
	c.inFlight.Add(-1)
	c.arrived <- struct{}{}
}

// wait waits until n frames in all arrived.
func (c *collector) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(testWait)
	for {
		c.mu.Lock()
		got := len(c.frames)
		c.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-c.arrived:
		case <-deadline:
			t.Fatalf("%d frames arrived within %v, want %d", got, testWait, n)
		}
	}
}

func (c *collector) byInterface(name string) []seenFrame {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []seenFrame
	for _, f := range c.frames {
		if f.iface == name {
			out = append(out, f)
		}
	}
	return out
}

// runAsync starts Run and returns a channel with its result.
func runAsync(ctx context.Context, l *Live, c *collector, tick func(int64)) <-chan error {
	res := make(chan error, 1)
	go func() { res <- l.Run(ctx, c.frame, tick) }()
	return res
}

func waitRun(t *testing.T, res <-chan error) error {
	t.Helper()
	select {
	case err := <-res:
		return err
	case <-time.After(testWait):
		t.Fatalf("Run did not return within %v", testWait)
		return nil
	}
}

func TestLiveConfigErrors(t *testing.T) {
	_, portErr := Filter([]uint16{0}, DefaultSnaplen)
	if portErr == nil {
		t.Fatal("Filter accepted port 0")
	}
	tests := []struct {
		name string
		cfg  LiveConfig
		want string
	}{
		{"no interface", LiveConfig{}, "live capture: no capture interface"},
		{"empty name", LiveConfig{Interfaces: []string{""}}, "live capture: empty interface name"},
		{"twice", LiveConfig{Interfaces: []string{"eth1", "eth1"}}, `live capture: interface "eth1" listed twice`},
		{"snaplen small", LiveConfig{Interfaces: []string{"eth1"}, Snaplen: 64}, "live capture: snaplen 64 outside 128..65535"},
		{"snaplen large", LiveConfig{Interfaces: []string{"eth1"}, Snaplen: 65536}, "live capture: snaplen 65536 outside 128..65535"},
		{"ring small", LiveConfig{Interfaces: []string{"eth1"}, RingBytes: 1000}, "live capture: ring size 1000 bytes outside 262144..1073741824"},
		{"ring negative", LiveConfig{Interfaces: []string{"eth1"}, RingBytes: -1}, "live capture: ring size -1 bytes outside 262144..1073741824"},
		{"idle negative", LiveConfig{Interfaces: []string{"eth1"}, IdleTick: -time.Second}, "live capture: idle tick -1s is negative"},
		{"retry negative", LiveConfig{Interfaces: []string{"eth1"}, RetryMin: -time.Second}, "live capture: retry pause -1s is negative"},
		{"retry max below min", LiveConfig{Interfaces: []string{"eth1"}, RetryMin: 2 * time.Second, RetryMax: time.Second},
			"live capture: longest retry pause 1s is shorter than the first, 2s"},
		{"retry max negative", LiveConfig{Interfaces: []string{"eth1"}, RetryMax: -time.Second}, "live capture: longest retry pause -1s is shorter than the first, 1s"},
		{"several", LiveConfig{Interfaces: []string{"eth1", "eth1"}, Snaplen: 1}, "live capture: interface \"eth1\" listed twice\nsnaplen 1 outside 128..65535"},
		{"port 0", LiveConfig{Interfaces: []string{"eth1"}, Ports: []uint16{0}}, "live capture: " + portErr.Error()},
		{"no such interface", LiveConfig{Interfaces: []string{"sw-missing0"}}, `live capture: interface "sw-missing0": no such interface in this network namespace`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := OpenLive(tt.cfg)
			if l != nil {
				l.Close()
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("OpenLive error %q, want %q", err, tt.want)
			}
		})
	}
}

func TestLiveConfigDefaults(t *testing.T) {
	cfg, err := LiveConfig{Interfaces: []string{"eth1"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Ports) != 1 || cfg.Ports[0] != 8449 || cfg.Snaplen != 256 || cfg.RingBytes != 4<<20 ||
		cfg.IdleTick != 250*time.Millisecond || cfg.NoPromiscuous || cfg.Logger == nil ||
		cfg.RetryMin != time.Second || cfg.RetryMax != 30*time.Second {
		t.Errorf("defaults %+v", cfg)
	}
	// A first pause longer than the default longest is the longest too.
	cfg, err = LiveConfig{Interfaces: []string{"eth1"}, RetryMin: time.Minute}.withDefaults()
	if err != nil || cfg.RetryMin != time.Minute || cfg.RetryMax != time.Minute {
		t.Errorf("RetryMin 1m: RetryMin %v, RetryMax %v, error %v; want 1m, 1m, nil", cfg.RetryMin, cfg.RetryMax, err)
	}
}

// TestLiveRunFrames checks what Run delivers: every frame of every
// interface, in each interface's order, with its fields, cut at the
// snaplen, from one goroutine at a time.
func TestLiveRunFrames(t *testing.T) {
	a, b := newFakeRing(), newFakeRing()
	const attached = 1_000_000_000
	l := fakeLive(t, LiveConfig{Snaplen: 128}, attached, a, b)
	long := strings.Repeat("x", 200)
	ts := func(ns int64) time.Time { return time.Unix(0, attached+ns) }
	a.items <- fakeItem{data: []byte("a1"), ci: gopacket.CaptureInfo{Timestamp: ts(1), Length: 60}}
	a.items <- fakeItem{data: []byte("a2"), ci: gopacket.CaptureInfo{Timestamp: ts(2), Length: 64,
		AncillaryData: []any{afpacket.AncillaryVLAN{VLAN: 100}}}}
	a.items <- fakeItem{data: []byte(long), ci: gopacket.CaptureInfo{Timestamp: ts(3), Length: 1514}}
	b.items <- fakeItem{data: []byte("b1"), ci: gopacket.CaptureInfo{Timestamp: ts(4), Length: 60,
		AncillaryData: []any{"other", afpacket.AncillaryVLAN{VLAN: 0}}}}

	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := runAsync(ctx, l, c, nil)
	c.wait(t, 4)
	cancel()
	if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	wantA := []seenFrame{
		{iface: "a", data: "a1", ts: attached + 1, length: 60, vlan: -1, link: LinkEthernet},
		{iface: "a", data: "a2", ts: attached + 2, length: 64, vlan: 100, link: LinkEthernet},
		{iface: "a", data: long[:128], ts: attached + 3, length: 1514, vlan: -1, link: LinkEthernet},
	}
	wantB := []seenFrame{{iface: "b", data: "b1", ts: attached + 4, length: 60, vlan: 0, link: LinkEthernet}}
	for name, want := range map[string][]seenFrame{"a": wantA, "b": wantB} {
		got := c.byInterface(name)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("interface %s frames\n got %v\nwant %v", name, got, want)
		}
	}
	if c.overlap.Load() {
		t.Error("frame callbacks overlapped: Run must call frame from one goroutine")
	}
	for i, r := range []*fakeRing{a, b} {
		if !r.closed.Load() {
			t.Errorf("ring %d not closed after Run", i)
		}
		if r.useAfterClose.Load() {
			t.Errorf("ring %d read after Close", i)
		}
	}
}

// TestLiveRunFilterGuard checks that frames stamped before the kernel
// filter was attached are dropped, until a later frame or an empty poll
// shows that the ring holds only filtered frames.
func TestLiveRunFilterGuard(t *testing.T) {
	a, b := newFakeRing(), newFakeRing()
	const attached = 1_000_000_000
	l := fakeLive(t, LiveConfig{}, attached, a, b)
	at := func(ns int64) gopacket.CaptureInfo {
		return gopacket.CaptureInfo{Timestamp: time.Unix(0, ns), Length: 60}
	}
	a.items <- fakeItem{data: []byte("early"), ci: at(attached - 2)}
	a.items <- fakeItem{data: []byte("early"), ci: at(attached - 1)}
	a.items <- fakeItem{data: []byte("first"), ci: at(attached)}
	// A clock step back after the guard ended loses nothing.
	a.items <- fakeItem{data: []byte("stepped back"), ci: at(attached - 5)}
	a.items <- fakeItem{err: afpacket.ErrTimeout}
	b.items <- fakeItem{err: afpacket.ErrTimeout}
	b.items <- fakeItem{data: []byte("after empty poll"), ci: at(attached - 3)}

	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := runAsync(ctx, l, c, nil)
	c.wait(t, 3)
	cancel()
	waitRun(t, res)
	var got []string
	for _, f := range append(c.byInterface("a"), c.byInterface("b")...) {
		got = append(got, f.iface+":"+f.data)
	}
	if want := "[a:first a:stepped back b:after empty poll]"; fmt.Sprint(got) != want {
		t.Errorf("delivered %v, want %s", got, want)
	}
}

// TestLiveRunTick checks that a silent capture calls tick with the wall
// clock less the ring's block timeout.
func TestLiveRunTick(t *testing.T) {
	l := fakeLive(t, LiveConfig{IdleTick: 5 * time.Millisecond}, 0, newFakeRing())
	ticks := make(chan int64, 100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := time.Now().UnixNano()
	res := runAsync(ctx, l, newCollector(), func(now int64) {
		select {
		case ticks <- now:
		default:
		}
	})
	var got []int64
	for len(got) < 3 {
		select {
		case now := <-ticks:
			got = append(got, now)
		case <-time.After(testWait):
			t.Fatalf("%d ticks within %v, want 3", len(got), testWait)
		}
	}
	after := time.Now().UnixNano()
	cancel()
	waitRun(t, res)
	lag := int64(ringBlockTimeout)
	for i, now := range got {
		if now < before-lag || now > after-lag {
			t.Errorf("tick %d at %d, want within [%d, %d]", i, now, before-lag, after-lag)
		}
		if i > 0 && now <= got[i-1] {
			t.Errorf("tick %d at %d, not after tick %d at %d", i, now, i-1, got[i-1])
		}
	}
}

// logRecorder is a slog handler that keeps each record at or above its
// level as one line: level, message and attributes.
type logRecorder struct {
	level slog.Level
	added chan struct{} // signalled after each line

	mu    sync.Mutex
	lines []string
}

func newLogRecorder(level slog.Level) *logRecorder {
	return &logRecorder{level: level, added: make(chan struct{}, 1)}
}

func (r *logRecorder) logger() *slog.Logger { return slog.New(r) }

func (r *logRecorder) Enabled(_ context.Context, level slog.Level) bool { return level >= r.level }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler               { return r }
func (r *logRecorder) WithGroup(string) slog.Handler                    { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	line := rec.Level.String() + " " + rec.Message
	rec.Attrs(func(a slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	})
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.mu.Unlock()
	select {
	case r.added <- struct{}{}:
	default:
	}
	return nil
}

// snapshot returns the lines so far.
func (r *logRecorder) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

// wait waits until a line equal to want was logged n times.
func (r *logRecorder) wait(t *testing.T, want string, n int) {
	t.Helper()
	deadline := time.After(testWait)
	for {
		got := 0
		for _, l := range r.snapshot() {
			if l == want {
				got++
			}
		}
		if got >= n {
			return
		}
		select {
		case <-r.added:
		case <-deadline:
			t.Fatalf("%q logged %d times within %v, want %d; the log:\n%s", want, got, testWait, n, strings.Join(r.snapshot(), "\n"))
		}
	}
}

// Log lines of an interface's failure and recovery.
func logFailed(iface, err string) string {
	return fmt.Sprintf("ERROR live capture interface failed; reopening it until it comes back interface=%s err=%s", iface, err)
}

func logStillFailing(level, iface, err string) string {
	return fmt.Sprintf("%s live capture interface still failing interface=%s err=%s", level, iface, err)
}

func logRecovered(iface string, failures int) string {
	return fmt.Sprintf("INFO live capture interface recovered interface=%s failures=%d", iface, failures)
}

// pollFailed is the error of a ring whose interface went down or away.
func pollFailed(iface string) string {
	return fmt.Sprintf("interface %q: packet poll failed (the interface went down or was removed)", iface)
}

// fakeOpen is what one call of a fakeOpener returns.
type fakeOpen struct {
	ring     *fakeRing
	attached int64
	err      error
}

// fakeOpener reopens failed interfaces with the results it was given, in
// order; once they are used up, it fails.
type fakeOpener struct {
	mu      sync.Mutex
	results []fakeOpen
	names   []string // of the interfaces asked for
}

func (o *fakeOpener) open(name string) (packetRing, int64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.names = append(o.names, name)
	if len(o.results) == 0 {
		return nil, 0, errors.New("fake: no such interface")
	}
	r := o.results[0]
	o.results = o.results[1:]
	if r.err != nil {
		return nil, 0, r.err
	}
	return r.ring, r.attached, nil
}

func (o *fakeOpener) calls() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.names)
}

// stepPause is a pause hook that records each pause's length and then,
// instead of waiting it out, waits for the test to allow it.
type stepPause struct {
	step chan struct{}

	mu     sync.Mutex
	delays []time.Duration
}

func newStepPause() *stepPause { return &stepPause{step: make(chan struct{})} }

func (p *stepPause) pause(done <-chan struct{}, d time.Duration) bool {
	p.mu.Lock()
	p.delays = append(p.delays, d)
	p.mu.Unlock()
	select {
	case <-p.step:
		return true
	case <-done:
		return false
	}
}

// allow ends the pause a reader is in, or is about to begin.
func (p *stepPause) allow(t *testing.T) {
	t.Helper()
	select {
	case p.step <- struct{}{}:
	case <-time.After(testWait):
		t.Fatalf("no reader paused within %v", testWait)
	}
}

func (p *stepPause) lengths() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.delays)
}

// checkHealth compares InterfaceHealth with want.
func checkHealth(t *testing.T, l *Live, when string, want ...InterfaceHealth) {
	t.Helper()
	if got := l.InterfaceHealth(); !slices.Equal(got, want) {
		t.Errorf("InterfaceHealth() %s\n got %+v\nwant %+v", when, got, want)
	}
}

// checkStats compares the received and dropped counters of the
// interfaces, in order, with want.
func checkStats(t *testing.T, l *Live, when string, want ...[2]uint64) {
	t.Helper()
	var got [][2]uint64
	for _, s := range l.InterfaceStats() {
		got = append(got, [2]uint64{s.Received, s.Dropped})
	}
	if !slices.Equal(got, want) {
		t.Errorf("InterfaceStats() received, dropped %s: %v, want %v", when, got, want)
	}
}

// TestLiveRunInterfaceRecovers fails one of two interfaces twice: each
// failure is logged, the other interface goes on, the failed one is
// reopened after pauses that double from RetryMin, its frames flow again,
// its counters go on from where the old socket left them, and
// InterfaceHealth follows each step.
func TestLiveRunInterfaceRecovers(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b, a2, a3 := newFakeRing(), newFakeRing(), newFakeRing(), newFakeRing()
	a.counts = [][2]uint32{{10, 2}}
	b.counts = [][2]uint32{{7, 0}}
	a2.counts = [][2]uint32{{3, 1}}
	a3.counts = [][2]uint32{{1, 0}}
	logs := newLogRecorder(slog.LevelDebug)
	l := fakeLive(t, LiveConfig{Logger: logs.logger(), RetryMin: time.Second, RetryMax: 4 * time.Second}, 0, a, b)
	notFound := errors.New("no such interface in this network namespace")
	opener := &fakeOpener{results: []fakeOpen{{err: notFound}, {err: notFound}, {ring: a2}, {ring: a3}}}
	l.open = opener.open
	pauses := newStepPause()
	l.pause = pauses.pause
	ci := gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), Length: 60}
	a.items <- fakeItem{data: []byte("a1"), ci: ci}
	a.items <- fakeItem{err: afpacket.ErrPoll}

	c := newCollector()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := runAsync(ctx, l, c, nil)
	c.wait(t, 1)
	logs.wait(t, logFailed("a", pollFailed("a")), 1)
	up := InterfaceHealth{Name: "b", Up: true}
	checkHealth(t, l, "after the failure", InterfaceHealth{Name: "a", Failures: 1, LastError: pollFailed("a")}, up)
	checkStats(t, l, "after the failure", [2]uint64{10, 2}, [2]uint64{7, 0})
	if !a.closed.Load() || b.closed.Load() {
		t.Errorf("closed: a %v b %v, want a closed and b open", a.closed.Load(), b.closed.Load())
	}
	b.items <- fakeItem{data: []byte("b1"), ci: ci}
	c.wait(t, 2)

	reopenErr := `interface "a": reopening: no such interface in this network namespace`
	pauses.allow(t)
	logs.wait(t, logStillFailing("WARN", "a", reopenErr), 1)
	checkHealth(t, l, "after a failed reopening", InterfaceHealth{Name: "a", Failures: 1, LastError: reopenErr}, up)
	pauses.allow(t)
	logs.wait(t, logStillFailing("DEBUG", "a", reopenErr), 1)
	a2.items <- fakeItem{data: []byte("a2"), ci: ci}
	pauses.allow(t)
	logs.wait(t, logRecovered("a", 1), 1)
	c.wait(t, 3)
	checkHealth(t, l, "after the recovery", InterfaceHealth{Name: "a", Up: true, Failures: 1, LastError: reopenErr}, up)
	checkStats(t, l, "after the recovery", [2]uint64{13, 3}, [2]uint64{7, 0})

	a2.items <- fakeItem{err: afpacket.ErrPoll}
	logs.wait(t, logFailed("a", pollFailed("a")), 2)
	checkHealth(t, l, "after the second failure", InterfaceHealth{Name: "a", Failures: 2, LastError: pollFailed("a")}, up)
	a3.items <- fakeItem{data: []byte("a3"), ci: ci}
	pauses.allow(t)
	logs.wait(t, logRecovered("a", 2), 1)
	c.wait(t, 4)
	checkStats(t, l, "after the second recovery", [2]uint64{14, 3}, [2]uint64{7, 0})

	cancel()
	if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	wantLog := []string{
		logFailed("a", pollFailed("a")),
		logStillFailing("WARN", "a", reopenErr),
		logStillFailing("DEBUG", "a", reopenErr),
		logRecovered("a", 1),
		logFailed("a", pollFailed("a")),
		logRecovered("a", 2),
	}
	if got := logs.snapshot(); !slices.Equal(got, wantLog) {
		t.Errorf("log\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(wantLog, "\n     "))
	}
	// Each reopening starts again from RetryMin.
	nominal := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, time.Second}
	got := pauses.lengths()
	if len(got) != len(nominal) {
		t.Fatalf("pauses %v, want about %v", got, nominal)
	}
	for i, d := range got {
		if lo, hi := nominal[i]*9/10, nominal[i]*11/10; d < lo || d > hi {
			t.Errorf("pause %d lasted %v, want %v..%v", i, d, lo, hi)
		}
	}
	if got := fmt.Sprint(opener.names); got != "[a a a a]" {
		t.Errorf("reopened %s, want a four times", got)
	}
	var frames []string
	for _, f := range append(c.byInterface("a"), c.byInterface("b")...) {
		frames = append(frames, f.iface+":"+f.data)
	}
	if want := "[a:a1 a:a2 a:a3 b:b1]"; fmt.Sprint(frames) != want {
		t.Errorf("delivered %v, want %s", frames, want)
	}
	for i, r := range []*fakeRing{a, b, a2, a3} {
		if !r.closed.Load() || r.useAfterClose.Load() {
			t.Errorf("ring %d: closed %v, read after close %v; want closed and not read after", i, r.closed.Load(), r.useAfterClose.Load())
		}
	}
	checkHealth(t, l, "after Run", InterfaceHealth{Name: "a", Failures: 2, LastError: pollFailed("a")}, InterfaceHealth{Name: "b"})
	checkStats(t, l, "after Run", [2]uint64{14, 3}, [2]uint64{7, 0})
	waitGoroutines(t, before)
}

// TestLiveRunKeepsRetrying checks that Run does not end when its only
// interface failed and cannot be reopened, but goes on trying until it is
// cancelled, even in the middle of a reopening.
func TestLiveRunKeepsRetrying(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Run("never comes back", func(t *testing.T) {
		a := newFakeRing()
		logs := newLogRecorder(slog.LevelError)
		l := fakeLive(t, LiveConfig{Logger: logs.logger(), RetryMin: time.Millisecond, RetryMax: 2 * time.Millisecond}, 0, a)
		opener := &fakeOpener{}
		l.open = opener.open
		// Any read error, not only a failed poll, fails the interface.
		a.items <- fakeItem{err: errors.New("boom")}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		res := runAsync(ctx, l, newCollector(), nil)
		deadline := time.Now().Add(testWait)
		for opener.calls() < 5 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := opener.calls(); n < 5 {
			t.Fatalf("%d reopenings within %v, want 5", n, testWait)
		}
		select {
		case err := <-res:
			t.Fatalf("Run returned %v with its interface failed, want it to go on", err)
		default:
		}
		cancel()
		if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		checkHealth(t, l, "after Run", InterfaceHealth{Name: "a", Failures: 1, LastError: `interface "a": reopening: fake: no such interface`})
		if got, want := logs.snapshot(), []string{logFailed("a", `interface "a": reading the ring: boom`)}; !slices.Equal(got, want) {
			t.Errorf("errors logged %q, want %q", got, want)
		}
	})
	t.Run("cancelled while reopening", func(t *testing.T) {
		a, a2 := newFakeRing(), newFakeRing()
		l := fakeLive(t, LiveConfig{RetryMin: time.Millisecond}, 0, a)
		entered, release := make(chan struct{}), make(chan struct{})
		l.open = func(string) (packetRing, int64, error) {
			close(entered)
			<-release
			return a2, 0, nil
		}
		a.items <- fakeItem{err: afpacket.ErrPoll}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		res := runAsync(ctx, l, newCollector(), nil)
		select {
		case <-entered:
		case <-time.After(testWait):
			t.Fatalf("no reopening within %v", testWait)
		}
		cancel()
		close(release)
		if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		if !a2.closed.Load() || a2.useAfterClose.Load() {
			t.Errorf("ring opened as Run stopped: closed %v, read after close %v; want closed, never read", a2.closed.Load(), a2.useAfterClose.Load())
		}
		checkHealth(t, l, "after Run", InterfaceHealth{Name: "a", Failures: 1, LastError: pollFailed("a")})
	})
	waitGoroutines(t, before)
}

// TestLiveRetryDelay checks the pauses before reopening an interface: doubled
// from the least up to the most, without overflow, varied by 10 % either
// way.
func TestLiveRetryDelay(t *testing.T) {
	const s = time.Second
	tests := []struct {
		n           int
		least, most time.Duration
		u           float64
		want        time.Duration
	}{
		{0, s, 30 * s, 0.5, s},
		{1, s, 30 * s, 0.5, 2 * s},
		{4, s, 30 * s, 0.5, 16 * s},
		{5, s, 30 * s, 0.5, 30 * s},
		{1000, s, 30 * s, 0.5, 30 * s},
		{0, s, 30 * s, 0, 900 * time.Millisecond},
		{1, s, 30 * s, 0.75, 2100 * time.Millisecond},
		{9, s, 30 * s, 0, 27 * s},
		{3, 5 * time.Millisecond, 5 * time.Millisecond, 0.5, 5 * time.Millisecond},
		{0, 0, 0, 0.9, 0},
		{1000, s, math.MaxInt64, 0.5, math.MaxInt64},
		{1000, s, math.MaxInt64, 0.99, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := retryDelay(tt.n, tt.least, tt.most, tt.u); got != tt.want {
			t.Errorf("retryDelay(%d, %v, %v, %v) = %v, want %v", tt.n, tt.least, tt.most, tt.u, got, tt.want)
		}
	}
}

// waitGoroutines fails the test unless, within testWait, no more
// goroutines run than before.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after", before, after)
	}
}

// TestLiveStop checks Run's and Close's life cycle: no goroutine outlives
// Run, rings are closed once, Run runs once.
func TestLiveStop(t *testing.T) {
	before := runtime.NumGoroutine()

	t.Run("cancel", func(t *testing.T) {
		rings := []*fakeRing{newFakeRing(), newFakeRing(), newFakeRing()}
		l := fakeLive(t, LiveConfig{}, 0, rings...)
		ctx, cancel := context.WithCancel(context.Background())
		res := runAsync(ctx, l, newCollector(), nil)
		cancel()
		if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		for i, r := range rings {
			if !r.closed.Load() {
				t.Errorf("ring %d open after Run", i)
			}
		}
		if err := l.Run(context.Background(), func(*Frame) {}, nil); err == nil || err.Error() != "live capture: Run called twice or after Close" {
			t.Errorf("second Run: %v", err)
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close after Run: %v", err)
		}
	})
	t.Run("close during run", func(t *testing.T) {
		r := newFakeRing()
		l := fakeLive(t, LiveConfig{}, 0, r)
		c := newCollector()
		res := runAsync(context.Background(), l, c, nil)
		r.items <- fakeItem{data: []byte("x"), ci: gopacket.CaptureInfo{Timestamp: time.Unix(1, 0)}}
		c.wait(t, 1)
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := waitRun(t, res); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
		if !r.closed.Load() {
			t.Error("ring open after Close")
		}
	})
	t.Run("close before run", func(t *testing.T) {
		r := newFakeRing()
		l := fakeLive(t, LiveConfig{}, 0, r)
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if !r.closed.Load() {
			t.Error("ring open after Close")
		}
		if err := l.Run(context.Background(), func(*Frame) {}, nil); err == nil {
			t.Error("Run after Close succeeded")
		}
	})

	waitGoroutines(t, before)
}

// TestLiveInterfaceStats checks the counters: summed past the kernel's
// 32-bit wrap, kept over a failed read and after the ring closed, and
// readable while Run runs.
func TestLiveInterfaceStats(t *testing.T) {
	a, b := newFakeRing(), newFakeRing()
	a.counts = [][2]uint32{{4294967290, 1}, {5, 3}}
	b.counts = [][2]uint32{{7, 0}}
	l := fakeLive(t, LiveConfig{}, 0, a, b)
	want := func(aRecv, aDrop, bRecv uint64) string {
		return fmt.Sprint([]InterfaceStats{
			{Name: "a", Link: LinkEthernet, Received: aRecv, Dropped: aDrop, HasReceived: true, HasDropped: true},
			{Name: "b", Link: LinkEthernet, Received: bRecv, HasReceived: true, HasDropped: true},
		})
	}
	if got, w := fmt.Sprint(l.InterfaceStats()), want(4294967290, 1, 7); got != w {
		t.Errorf("first read\n got %s\nwant %s", got, w)
	}
	if got, w := fmt.Sprint(l.InterfaceStats()), want(4294967301, 3, 7); got != w {
		t.Errorf("after the wrap\n got %s\nwant %s", got, w)
	}
	a.mu.Lock()
	a.countErr = errors.New("EBADF")
	a.mu.Unlock()
	if got, w := fmt.Sprint(l.InterfaceStats()), want(4294967301, 3, 7); got != w {
		t.Errorf("failed read\n got %s\nwant %s", got, w)
	}
	a.mu.Lock()
	a.countErr = nil
	a.mu.Unlock()

	ctx, cancel := context.WithCancel(context.Background())
	res := runAsync(ctx, l, newCollector(), nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				l.InterfaceStats()
			}
		})
	}
	wg.Wait()
	cancel()
	waitRun(t, res)
	if got, w := fmt.Sprint(l.InterfaceStats()), want(4294967301, 3, 7); got != w {
		t.Errorf("after Run\n got %s\nwant %s", got, w)
	}
	if got := fmt.Sprint(l.Interfaces()); got != "[a b]" {
		t.Errorf("Interfaces() = %s", got)
	}
}

// loopRing returns the same frame on every read, as a ring that always has
// one ready.
type loopRing struct {
	data []byte
	ci   gopacket.CaptureInfo
}

func (r *loopRing) ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error) {
	return r.data, r.ci, nil
}
func (r *loopRing) counters() (uint32, uint32, error) { return 0, 0, nil }
func (r *loopRing) Close()                            {}

// BenchmarkLiveRun measures the hand-over of one frame from a reader to the
// Run goroutine, copy included; it allocates nothing per frame.
func BenchmarkLiveRun(b *testing.B) {
	b.ReportAllocs()
	frame := make([]byte, 128)
	ring := &loopRing{data: frame, ci: gopacket.CaptureInfo{Timestamp: time.Unix(1, 0), Length: 1514, CaptureLength: 128}}
	cfg, err := LiveConfig{Interfaces: []string{"bench0"}}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	l := newLive(cfg, []packetRing{ring}, []int64{0}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	b.SetBytes(int64(len(frame)))
	b.ResetTimer()
	err = l.Run(ctx, func(f *Frame) {
		if n++; n == b.N {
			cancel()
		}
	}, nil)
	b.StopTimer()
	if !errors.Is(err, context.Canceled) || n < b.N {
		b.Fatalf("Run returned %v after %d frames, want context.Canceled after %d", err, n, b.N)
	}
}

// TestExampleCapture reads the capture TestRecordExample recorded live
// (examples/state-sync.pcapng) and checks that it holds each outcome over
// both families, and that its statistics account for every frame.
func TestExampleCapture(t *testing.T) {
	src, err := OpenFile("../examples/state-sync.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var got []string
	macs := map[[6]byte]bool{}
	cl, err := NewClassifier(TrackerConfig{}, func(a *Attempt) {
		icmp := ""
		if a.HasICMP {
			icmp = fmt.Sprintf(" icmp %d/%d from %s", a.ICMPType, a.ICMPCode, a.ICMPFrom)
		}
		got = append(got, fmt.Sprintf("%s:%d > %s:%d %s syns=%d vlans=%v on %s%s",
			a.Client, a.ClientPort, a.PSN, a.Port, a.Outcome, a.SYNs, a.VLANList(), a.Interface, icmp))
		if a.HasClientMAC {
			macs[a.ClientMAC] = true
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.ReadAll(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{
		"10.0.0.10:40001 > 10.0.0.11:8449 accepted syns=1 vlans=[] on veth-p",
		"10.0.0.10:40002 > 10.0.0.11:8449 unanswered syns=1 vlans=[] on veth-p",
		"10.0.0.10:40003 > 10.0.0.11:8449 prohibited syns=1 vlans=[] on veth-p icmp 3/13 from 10.0.0.11",
		"10.0.0.10:40004 > 10.0.0.11:8449 refused syns=1 vlans=[] on veth-p",
		"2001:db8::10:40011 > 2001:db8::11:8449 accepted syns=1 vlans=[] on veth-p",
		"2001:db8::10:40012 > 2001:db8::11:8449 unanswered syns=1 vlans=[] on veth-p",
		"2001:db8::10:40013 > 2001:db8::11:8449 prohibited syns=1 vlans=[] on veth-p icmp 1/1 from 2001:db8::11",
		"2001:db8::10:40014 > 2001:db8::11:8449 refused syns=1 vlans=[] on veth-p",
	}
	if !slices.Equal(got, want) {
		t.Errorf("attempts\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if len(macs) != 1 {
		t.Errorf("client MACs %v, want the client's one veth MAC", macs)
	}
	st, ok := src.(InterfaceStatser)
	if !ok {
		t.Fatalf("%T has no interface statistics", src)
	}
	stats := st.InterfaceStats()
	frames := cl.Stats().Packets
	if len(stats) != 1 || stats[0].Name != "veth-p" || !stats[0].HasReceived || stats[0].Received != frames ||
		!stats[0].HasDropped || stats[0].Dropped != 0 {
		t.Errorf("interface statistics %+v, want veth-p with %d received, 0 dropped", stats, frames)
	}
}
