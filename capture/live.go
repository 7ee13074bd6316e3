//go:build linux

package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Ring and reader settings of live capture.
const (
	ringFrameBytes = 4096
	// ringBlockTimeout is how long the kernel keeps filling a block before
	// handing it over anyway. It bounds how late a frame is delivered, and
	// so the skew between interfaces, well inside the tracker's duplicate
	// window.
	ringBlockTimeout = 10 * time.Millisecond
	// readerPoll is how long a reader waits in poll(2) before it checks
	// whether Run is stopping: it bounds the time Run takes to return.
	readerPoll = 100 * time.Millisecond
	// slotsPerInterface is how many frames of one interface may wait for
	// the Run goroutine. When they are all taken the reader stops reading,
	// the ring fills, and the kernel counts the drops.
	slotsPerInterface = 256
	// retryJitter is the fraction by which a pause before reopening an
	// interface may be shorter or longer than its nominal length, so that
	// interfaces that failed together (a switch reload) are not reopened
	// in lockstep.
	retryJitter = 0.1
)

// packetRing is what live capture uses of an AF_PACKET ring.
type packetRing interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	// counters returns the kernel's packet and drop counters summed since
	// the socket was opened, wrapping at 2^32.
	counters() (packets, drops uint32, err error)
	Close()
}

// ringOpener opens an interface's ring and returns it with the time its
// filter was attached (ns).
type ringOpener func(name string) (packetRing, int64, error)

// tpacketRing is an afpacket ring.
type tpacketRing struct{ *afpacket.TPacket }

func (r tpacketRing) counters() (packets, drops uint32, err error) {
	_, v3, err := r.SocketStats()
	if err != nil {
		return 0, 0, err
	}
	return uint32(v3.Packets()), uint32(v3.Drops()), nil
}

// Live captures from AF_PACKET sockets, one TPACKET_V3 ring per interface,
// behind a kernel filter that keeps only state-sync traffic. An interface
// that fails is reopened until it comes back.
type Live struct {
	cfg    LiveConfig
	ifaces []*liveIface
	frames chan *liveSlot
	// open reopens a failed interface's ring.
	open ringOpener
	// pause waits d and reports true, or false as soon as done is closed;
	// tests replace it to see the pauses without waiting them out.
	pause func(done <-chan struct{}, d time.Duration) bool
	// ns is where open creates sockets; released when Run returns or on
	// Close.
	ns netNamespace

	mu      sync.Mutex // guards the fields below
	state   liveState
	stopRun context.CancelFunc
	ran     chan struct{} // closed when Run returns
}

type liveState uint8

const (
	liveOpen liveState = iota
	liveRunning
	liveClosed
)

// liveIface is one interface's socket and the buffers its frames are copied
// into.
type liveIface struct {
	name string
	// ring and attached change only on the interface's reader goroutine
	// (under mu, for InterfaceStats), which reads them without locking.
	ring packetRing
	// attached is when the kernel filter was attached (ns): frames stamped
	// earlier may have entered the ring unfiltered.
	attached int64
	free     chan *liveSlot

	mu sync.Mutex // guards ring closing and replacing against stats reads, and the fields below
	// closed is set while no socket is open: after a failure until the
	// interface is reopened, and for good once Run returned.
	closed bool
	stats  InterfaceStats
	// lastPackets and lastDrops are the current socket's 32-bit counters
	// at the last read: the stats grow by the difference, so they do not
	// wrap, and a reopened socket's counts add to its predecessors'.
	lastPackets, lastDrops uint32
	failures               uint64
	lastErr                string
}

// liveSlot is a pooled frame buffer on its way from a reader to Run.
type liveSlot struct {
	frame Frame
	buf   []byte
	owner *liveIface
}

// OpenLive opens a socket on every configured interface, attaches the
// kernel filter and puts the interface in promiscuous mode. The sockets
// belong to the network namespace of the calling thread, and so do those
// Run reopens after a failure. Any failure closes what was opened and
// names the interface: an interface that cannot be opened at start is a
// configuration error, not a failure to wait out.
func OpenLive(cfg LiveConfig) (*Live, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("live capture: %w", err)
	}
	filter, err := Filter(cfg.Ports, uint32(cfg.Snaplen))
	if err != nil {
		return nil, fmt.Errorf("live capture: %w", err)
	}
	// The namespace recorded and the sockets opened must be the same
	// thread's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ns, err := openNetNamespace()
	if err != nil {
		cfg.Logger.Warn("live capture: failed interfaces will be reopened in the network namespace of whichever thread retries", "err", err)
	}
	rings := make([]packetRing, 0, len(cfg.Interfaces))
	attached := make([]int64, 0, len(cfg.Interfaces))
	for _, name := range cfg.Interfaces {
		ring, at, err := openRing(name, cfg, filter, false)
		if err != nil {
			for _, r := range rings {
				r.Close()
			}
			ns.close()
			return nil, fmt.Errorf("live capture: interface %q: %w", name, err)
		}
		rings = append(rings, tpacketRing{ring})
		attached = append(attached, at)
	}
	l := newLive(cfg, rings, attached, func(name string) (packetRing, int64, error) {
		var ring *afpacket.TPacket
		var at int64
		err := ns.do(func() error {
			var err error
			ring, at, err = openRing(name, cfg, filter, true)
			return err
		})
		if err != nil {
			return nil, 0, err
		}
		return tpacketRing{ring}, at, nil
	})
	l.ns = ns
	return l, nil
}

// newLive assembles a Live around opened rings (real or, in tests, fake)
// and the function that reopens them.
func newLive(cfg LiveConfig, rings []packetRing, attached []int64, open ringOpener) *Live {
	l := &Live{
		cfg:    cfg,
		frames: make(chan *liveSlot, len(rings)*slotsPerInterface),
		open:   open,
		pause:  sleepUnlessDone,
		ns:     netNamespace{fd: -1},
		ran:    make(chan struct{}),
	}
	for i, ring := range rings {
		li := &liveIface{
			name:     cfg.Interfaces[i],
			ring:     ring,
			attached: attached[i],
			free:     make(chan *liveSlot, slotsPerInterface),
			stats:    InterfaceStats{Name: cfg.Interfaces[i], Link: LinkEthernet, HasReceived: true, HasDropped: true},
		}
		// One allocation for all of an interface's buffers.
		bufs := make([]byte, slotsPerInterface*cfg.Snaplen)
		for j := range slotsPerInterface {
			li.free <- &liveSlot{
				frame: Frame{Link: LinkEthernet, Interface: li.name},
				buf:   bufs[j*cfg.Snaplen : (j+1)*cfg.Snaplen : (j+1)*cfg.Snaplen],
				owner: li,
			}
		}
		l.ifaces = append(l.ifaces, li)
	}
	return l
}

// openRing opens one interface's ring and returns it with the time its
// filter was attached. With requireUp it refuses an interface that is
// administratively down: the kernel would bind the socket anyway but mark
// it with an error that never clears, so the reopened ring would fail at
// its first read and never see the interface come up.
func openRing(name string, cfg LiveConfig, filter []bpf.RawInstruction, requireUp bool) (*afpacket.TPacket, int64, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil && op.Err.Error() == "no such network interface" {
			return nil, 0, errors.New("no such interface in this network namespace")
		}
		return nil, 0, fmt.Errorf("looking up the interface: %w", err)
	}
	if requireUp && ifi.Flags&net.FlagUp == 0 {
		return nil, 0, errors.New("interface is down")
	}
	if err := checkLinkType(ifi.Index); err != nil {
		return nil, 0, err
	}
	// The ring binds to the index the name has now: an interface deleted
	// and created again under the same name has a new one.
	ring, err := afpacket.NewTPacket(
		afpacket.OptInterface(name),
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptFrameSize(ringFrameBytes),
		afpacket.OptBlockSize(ringBlockBytes),
		afpacket.OptNumBlocks(cfg.RingBytes/ringBlockBytes),
		afpacket.OptBlockTimeout(ringBlockTimeout),
		afpacket.OptPollTimeout(readerPoll),
	)
	if err != nil {
		return nil, 0, socketError("opening TPACKET_V3 ring", err)
	}
	if err := ring.SetBPF(filter); err != nil {
		ring.Close()
		return nil, 0, socketError("attaching kernel filter", err)
	}
	attached := time.Now().UnixNano()
	if !cfg.NoPromiscuous {
		if err := ring.SetPromiscuous(true); err != nil {
			ring.Close()
			return nil, 0, socketError("promiscuous mode", err)
		}
	}
	return ring, attached, nil
}

// threadNetNS is the calling thread's network namespace.
const threadNetNS = "/proc/thread-self/ns/net"

// netNamespace is the network namespace OpenLive ran in. Run's goroutines
// may run on threads of another one (a test opens the capture from a
// thread it moved into a namespace), and a reopened socket must see the
// same interfaces as the first.
type netNamespace struct {
	fd       int // -1 when unknown: sockets are then opened wherever the thread is
	dev, ino uint64
}

// openNetNamespace opens the calling thread's network namespace.
func openNetNamespace() (netNamespace, error) {
	fd, err := unix.Open(threadNetNS, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return netNamespace{fd: -1}, fmt.Errorf("opening %s: %w", threadNetNS, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return netNamespace{fd: -1}, fmt.Errorf("stat %s: %w", threadNetNS, err)
	}
	return netNamespace{fd: fd, dev: st.Dev, ino: st.Ino}, nil
}

// do runs fn on a thread in the namespace and returns its error. Entering
// the namespace takes CAP_SYS_ADMIN, so it does so only when the thread is
// in another one, which a daemon started inside its namespace never is.
func (ns netNamespace) do(fn func() error) error {
	if ns.fd < 0 {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		var st unix.Stat_t
		if err := unix.Stat(threadNetNS, &st); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("stat %s: %w", threadNetNS, err)
			return
		}
		if st.Dev == ns.dev && st.Ino == ns.ino {
			err := fn()
			runtime.UnlockOSThread()
			errc <- err
			return
		}
		if err := unix.Setns(ns.fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("entering the capture's network namespace: %w", err)
			return
		}
		// The thread stays locked: it exits with this goroutine instead of
		// running others in the wrong namespace.
		errc <- fn()
	}()
	return <-errc
}

// close releases the namespace.
func (ns *netNamespace) close() {
	if ns.fd >= 0 {
		unix.Close(ns.fd)
		ns.fd = -1
	}
}

// checkLinkType refuses interfaces whose frames do not start with an
// Ethernet header (tunnels, WireGuard, PPP, ...). It asks the kernel through
// a packet socket of protocol 0, which receives nothing, so that a missing
// CAP_NET_RAW is reported before any ring is set up.
func checkLinkType(index int) error {
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return socketError("AF_PACKET socket", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Ifindex: index}); err != nil {
		return socketError("binding AF_PACKET socket", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fmt.Errorf("AF_PACKET socket name: %w", err)
	}
	ll, ok := sa.(*unix.SockaddrLinklayer)
	if !ok {
		return fmt.Errorf("AF_PACKET socket name is %T, not a link-layer address", sa)
	}
	switch ll.Hatype {
	case unix.ARPHRD_ETHER, unix.ARPHRD_LOOPBACK:
		return nil
	}
	return fmt.Errorf("hardware type %s (ARPHRD %d): live capture supports only Ethernet interfaces (and loopback)", hardwareName(ll.Hatype), ll.Hatype)
}

// hardwareName names the ARPHRD types a capture interface is most likely to
// be by mistake.
func hardwareName(t uint16) string {
	switch t {
	case unix.ARPHRD_NONE:
		return "none (tun, WireGuard)"
	case unix.ARPHRD_PPP:
		return "PPP"
	case unix.ARPHRD_TUNNEL, unix.ARPHRD_TUNNEL6, unix.ARPHRD_SIT, unix.ARPHRD_IPGRE, unix.ARPHRD_IP6GRE:
		return "IP tunnel"
	case unix.ARPHRD_IEEE80211, unix.ARPHRD_IEEE80211_RADIOTAP, unix.ARPHRD_IEEE80211_PRISM:
		return "802.11 monitor"
	case unix.ARPHRD_INFINIBAND:
		return "InfiniBand"
	case unix.ARPHRD_CAN:
		return "CAN"
	}
	return "unknown"
}

// socketError wraps a socket error, saying which capability is missing when
// the kernel refused.
func socketError(what string, err error) error {
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EACCES) {
		return fmt.Errorf("%s: %w: live capture needs CAP_NET_RAW (run as root or grant it: setcap cap_net_raw+ep)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Run delivers the frames of every interface to frame, all from the calling
// goroutine, until ctx ends or Close is called; it then closes the sockets
// and returns ctx's error (context.Canceled after Close). Frame.Data is
// valid only during the call. When no frame arrived during a whole
// IdleTick, Run calls tick with the wall clock minus the ring's block
// timeout: a frame younger than that may still sit in a block the kernel
// has not handed over, and must not find its attempt timed out already.
// tick may be nil.
//
// An interface whose socket fails (it went down or was removed) is logged
// and reopened, with the same settings, after a pause that grows from
// RetryMin to RetryMax, until it comes back or Run ends; the others go on
// meanwhile. Run therefore does not return when every interface has
// failed: it keeps retrying until ctx ends, and InterfaceHealth tells
// which interfaces are up. Run may be called once.
func (l *Live) Run(ctx context.Context, frame func(*Frame), tick func(now int64)) error {
	l.mu.Lock()
	if l.state != liveOpen {
		l.mu.Unlock()
		return errors.New("live capture: Run called twice or after Close")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.state, l.stopRun = liveRunning, cancel
	l.mu.Unlock()

	done := make(chan struct{})
	var wg sync.WaitGroup
	for _, li := range l.ifaces {
		wg.Go(func() {
			l.watch(li, done)
			li.close()
		})
	}

	ticker := time.NewTicker(l.cfg.IdleTick)
	defer ticker.Stop()
	quiet := true
	for {
		select {
		case s := <-l.frames:
			frame(&s.frame)
			// Never blocks: the free list has room for every slot.
			s.owner.free <- s
			quiet = false
		case <-ticker.C:
			if quiet && tick != nil {
				tick(time.Now().UnixNano() - int64(ringBlockTimeout))
			}
			quiet = true
		case <-ctx.Done():
			close(done)
			wg.Wait()
			// The frames already handed over are not lost on the way out.
			l.drain(frame)
			l.mu.Lock()
			l.ns.close()
			l.state = liveClosed
			close(l.ran)
			l.mu.Unlock()
			return ctx.Err()
		}
	}
}

// drain delivers the frames waiting for Run.
func (l *Live) drain(frame func(*Frame)) {
	for {
		select {
		case s := <-l.frames:
			frame(&s.frame)
			s.owner.free <- s
		default:
			return
		}
	}
}

// watch reads an interface until done is closed, reopening its socket
// whenever it fails.
func (l *Live) watch(li *liveIface, done <-chan struct{}) {
	for {
		err := li.read(done, l.frames)
		if err == nil {
			return
		}
		li.fail(err)
		l.cfg.Logger.Error("live capture interface failed; reopening it until it comes back", "interface", li.name, "err", err)
		if !l.reopen(li, done) {
			return
		}
		li.mu.Lock()
		failures := li.failures
		li.mu.Unlock()
		l.cfg.Logger.Info("live capture interface recovered", "interface", li.name, "failures", failures)
	}
}

// reopen tries to reopen a failed interface's socket, pausing before each
// attempt, until it succeeds (true) or done is closed (false).
func (l *Live) reopen(li *liveIface, done <-chan struct{}) bool {
	var lastMsg string
	for n := 0; ; n++ {
		delay := retryDelay(n, l.cfg.RetryMin, l.cfg.RetryMax, rand.Float64())
		if !l.pause(done, delay) {
			return false
		}
		ring, attached, err := l.open(li.name)
		if err != nil {
			err = fmt.Errorf("interface %q: reopening: %w", li.name, err)
			li.mu.Lock()
			li.lastErr = err.Error()
			li.mu.Unlock()
			// A new reason is worth a warning; the same one again, every
			// half minute for as long as a port stays down, is not.
			level := slog.LevelDebug
			if msg := err.Error(); msg != lastMsg {
				level, lastMsg = slog.LevelWarn, msg
			}
			l.cfg.Logger.Log(context.Background(), level, "live capture interface still failing", "interface", li.name, "err", err)
			continue
		}
		select {
		case <-done:
			ring.Close()
			return false
		default:
		}
		li.mu.Lock()
		li.ring, li.attached, li.closed = ring, attached, false
		// The new socket counts from zero.
		li.lastPackets, li.lastDrops = 0, 0
		li.mu.Unlock()
		return true
	}
}

// retryDelay returns the pause before the nth attempt (from 0) to reopen an
// interface: least doubled n times, at most most, then lengthened or
// shortened by up to retryJitter of itself as u goes from 0 to 1.
func retryDelay(n int, least, most time.Duration, u float64) time.Duration {
	d := least
	for i := 0; i < n && d > 0 && d < most; i++ {
		if d > most/2 {
			d = most
			break
		}
		d *= 2
	}
	d = min(d, most)
	jitter := time.Duration((2*u - 1) * retryJitter * float64(d))
	if jitter > 0 && d > math.MaxInt64-jitter {
		return math.MaxInt64
	}
	return d + jitter
}

// sleepUnlessDone waits d and reports true, or reports false as soon as
// done is closed.
func sleepUnlessDone(done <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

// read copies frames from the ring into free slots and sends them to out
// until done is closed (nil) or the ring fails (its error).
func (li *liveIface) read(done <-chan struct{}, out chan<- *liveSlot) error {
	// Until the first frame stamped after the filter was attached, or the
	// first empty poll (by then every block filled earlier was handed
	// over), frames may predate the filter.
	guard := true
	for {
		select {
		case <-done:
			return nil
		default:
		}
		data, ci, err := li.ring.ZeroCopyReadPacketData()
		if errors.Is(err, afpacket.ErrTimeout) {
			guard = false
			continue
		}
		if errors.Is(err, afpacket.ErrPoll) {
			// The kernel marked the socket with an error that no poll
			// clears, even once the interface is up again: only a new
			// socket reads on.
			return fmt.Errorf("interface %q: %w (the interface went down or was removed)", li.name, err)
		}
		if err != nil {
			return fmt.Errorf("interface %q: reading the ring: %w", li.name, err)
		}
		ts := ci.Timestamp.UnixNano()
		if guard {
			if ts < li.attached {
				continue
			}
			guard = false
		}
		var s *liveSlot
		select {
		case s = <-li.free:
		case <-done:
			return nil
		}
		s.frame.Data = s.buf[:copy(s.buf, data)]
		s.frame.Timestamp = ts
		s.frame.Length = ci.Length
		s.frame.VLAN = ancillaryVLAN(ci.AncillaryData)
		select {
		case out <- s:
		case <-done:
			return nil
		}
	}
}

// fail closes a failed ring and records the failure.
func (li *liveIface) fail(err error) {
	li.close()
	li.mu.Lock()
	li.failures++
	li.lastErr = err.Error()
	li.mu.Unlock()
}

// ancillaryVLAN returns the VLAN ID the kernel stripped from the frame, or
// -1.
func ancillaryVLAN(data []any) int {
	for _, d := range data {
		if v, ok := d.(afpacket.AncillaryVLAN); ok {
			return v.VLAN
		}
	}
	return -1
}

// close reads the counters one last time and closes the socket.
func (li *liveIface) close() {
	li.mu.Lock()
	defer li.mu.Unlock()
	if li.closed {
		return
	}
	li.refresh()
	li.ring.Close()
	li.closed = true
}

// refresh reads the kernel's counters; li.mu must be held. The kernel
// resets them on every read and gopacket adds them up in 32 bits, which a
// busy link wraps within days.
func (li *liveIface) refresh() {
	packets, drops, err := li.ring.counters()
	if err != nil {
		// The last counters stand; the next read may succeed.
		return
	}
	li.stats.Received += uint64(packets - li.lastPackets)
	li.stats.Dropped += uint64(drops - li.lastDrops)
	li.lastPackets, li.lastDrops = packets, drops
}

// InterfaceStats returns each interface's kernel counters, in configuration
// order: Received counts the frames the kernel filter accepted (those then
// dropped included) and Dropped those lost because the ring was full. The
// counts of a reopened interface's sockets add up, so they never go back.
// While an interface is failed and after Run returned, its last counters
// stay. It is safe to call while Run runs.
func (l *Live) InterfaceStats() []InterfaceStats {
	out := make([]InterfaceStats, len(l.ifaces))
	for i, li := range l.ifaces {
		li.mu.Lock()
		if !li.closed {
			li.refresh()
		}
		out[i] = li.stats
		li.mu.Unlock()
	}
	return out
}

// InterfaceHealth returns each interface's state, in configuration order.
// It is safe to call while Run runs.
func (l *Live) InterfaceHealth() []InterfaceHealth {
	out := make([]InterfaceHealth, len(l.ifaces))
	for i, li := range l.ifaces {
		li.mu.Lock()
		out[i] = InterfaceHealth{Name: li.name, Up: !li.closed, Failures: li.failures, LastError: li.lastErr}
		li.mu.Unlock()
	}
	return out
}

// Interfaces returns the capture interfaces' names in configuration order.
func (l *Live) Interfaces() []string {
	out := make([]string, len(l.ifaces))
	for i, li := range l.ifaces {
		out[i] = li.name
	}
	return out
}

// Close releases the sockets. During Run it stops Run and waits for it to
// return; after Run it does nothing.
func (l *Live) Close() error {
	l.mu.Lock()
	switch l.state {
	case liveOpen:
		l.state = liveClosed
		l.ns.close()
		l.mu.Unlock()
		for _, li := range l.ifaces {
			li.close()
		}
		return nil
	case liveRunning:
		l.stopRun()
		l.mu.Unlock()
		<-l.ran
		return nil
	}
	l.mu.Unlock()
	return nil
}
