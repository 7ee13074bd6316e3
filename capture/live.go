package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Defaults and limits of LiveConfig.
const (
	DefaultSnaplen   = 256
	MinSnaplen       = 128
	MaxSnaplen       = 65535
	DefaultRingBytes = 4 << 20
	MinRingBytes     = 2 * ringBlockBytes
	MaxRingBytes     = 1 << 30
	DefaultIdleTick  = 250 * time.Millisecond
)

// Ring and reader settings of live capture.
const (
	// ringBlockBytes is the TPACKET_V3 block size: the kernel hands blocks
	// to user space whole, so small blocks keep a quiet link from holding
	// frames in a half-filled one.
	ringBlockBytes = 128 << 10
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
)

// LiveConfig sets up live capture.
type LiveConfig struct {
	// Interfaces are the capture interfaces (SPAN destination ports); each
	// gets its own socket and ring. Only Ethernet interfaces (and loopback)
	// are supported.
	Interfaces []string
	// Ports are the state-sync ports the kernel filter keeps (default 8449).
	Ports []uint16
	// Snaplen is how many bytes of each frame are kept (default 256, at
	// least 128 so that tagged IPv6 with extension headers keeps its TCP
	// header, at most 65535).
	Snaplen int
	// RingBytes is the size of each interface's ring buffer (default 4 MiB,
	// rounded down to 128 KiB blocks, at least 256 KiB, at most 1 GiB).
	RingBytes int
	// IdleTick is how long nothing must arrive before Run calls tick, so
	// that attempts time out on a silent link (default 250 ms).
	IdleTick time.Duration
	// NoPromiscuous leaves the interfaces out of promiscuous mode. Leave it
	// false on a SPAN destination port, whose frames are addressed to other
	// hosts' MACs: a NIC in normal mode discards them.
	NoPromiscuous bool
	// Logger receives interface failures; nil discards them.
	Logger *slog.Logger
}

// withDefaults fills in the defaults and checks the configuration.
func (c LiveConfig) withDefaults() (LiveConfig, error) {
	if len(c.Ports) == 0 {
		c.Ports = []uint16{DefaultPort}
	}
	if c.Snaplen == 0 {
		c.Snaplen = DefaultSnaplen
	}
	if c.RingBytes == 0 {
		c.RingBytes = DefaultRingBytes
	}
	if c.IdleTick == 0 {
		c.IdleTick = DefaultIdleTick
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if len(c.Interfaces) == 0 {
		errs = append(errs, errors.New("no capture interface"))
	}
	seen := make(map[string]bool, len(c.Interfaces))
	for _, name := range c.Interfaces {
		switch {
		case name == "":
			errs = append(errs, errors.New("empty interface name"))
		case seen[name]:
			errs = append(errs, fmt.Errorf("interface %q listed twice", name))
		}
		seen[name] = true
	}
	if c.Snaplen < MinSnaplen || c.Snaplen > MaxSnaplen {
		errs = append(errs, fmt.Errorf("snaplen %d outside %d..%d", c.Snaplen, MinSnaplen, MaxSnaplen))
	}
	if c.RingBytes < MinRingBytes || c.RingBytes > MaxRingBytes {
		errs = append(errs, fmt.Errorf("ring size %d bytes outside %d..%d", c.RingBytes, MinRingBytes, MaxRingBytes))
	}
	if c.IdleTick < 0 {
		errs = append(errs, fmt.Errorf("idle tick %v is negative", c.IdleTick))
	}
	return c, errors.Join(errs...)
}

// packetRing is what live capture uses of an AF_PACKET ring.
type packetRing interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	// counters returns the kernel's packet and drop counters summed since
	// the socket was opened, wrapping at 2^32.
	counters() (packets, drops uint32, err error)
	Close()
}

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
// behind a kernel filter that keeps only state-sync traffic.
type Live struct {
	cfg    LiveConfig
	ifaces []*liveIface
	frames chan *liveSlot

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
	ring packetRing
	// attached is when the kernel filter was attached (ns): frames stamped
	// earlier may have entered the ring unfiltered.
	attached int64
	free     chan *liveSlot

	mu     sync.Mutex // guards ring closing against stats reads, and the fields below
	closed bool
	stats  InterfaceStats
	// lastPackets and lastDrops are the 32-bit counters at the last read:
	// the stats grow by the difference, so they do not wrap.
	lastPackets, lastDrops uint32
}

// liveSlot is a pooled frame buffer on its way from a reader to Run.
type liveSlot struct {
	frame Frame
	buf   []byte
	owner *liveIface
}

// OpenLive opens a socket on every configured interface, attaches the
// kernel filter and puts the interface in promiscuous mode. The sockets
// belong to the network namespace of the calling thread. Any failure
// closes what was opened and names the interface.
func OpenLive(cfg LiveConfig) (*Live, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("live capture: %w", err)
	}
	filter, err := Filter(cfg.Ports, uint32(cfg.Snaplen))
	if err != nil {
		return nil, fmt.Errorf("live capture: %w", err)
	}
	rings := make([]packetRing, 0, len(cfg.Interfaces))
	attached := make([]int64, 0, len(cfg.Interfaces))
	for _, name := range cfg.Interfaces {
		ring, at, err := openRing(name, cfg, filter)
		if err != nil {
			for _, r := range rings {
				r.Close()
			}
			return nil, fmt.Errorf("live capture: interface %q: %w", name, err)
		}
		rings = append(rings, tpacketRing{ring})
		attached = append(attached, at)
	}
	return newLive(cfg, rings, attached), nil
}

// newLive assembles a Live around opened rings (real or, in tests, fake).
func newLive(cfg LiveConfig, rings []packetRing, attached []int64) *Live {
	l := &Live{
		cfg:    cfg,
		frames: make(chan *liveSlot, len(rings)*slotsPerInterface),
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
// filter was attached.
func openRing(name string, cfg LiveConfig, filter []bpf.RawInstruction) (*afpacket.TPacket, int64, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Err != nil && op.Err.Error() == "no such network interface" {
			return nil, 0, errors.New("no such interface in this network namespace")
		}
		return nil, 0, fmt.Errorf("looking up the interface: %w", err)
	}
	if err := checkLinkType(ifi.Index); err != nil {
		return nil, 0, err
	}
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
// and returns ctx's error (context.Canceled after Close). Frame.Data is valid only during the call. When no
// frame arrived during a whole IdleTick, Run calls tick with the wall clock
// minus the ring's block timeout: a frame younger than that may still sit in
// a block the kernel has not handed over, and must not find its attempt
// timed out already. tick may be nil.
//
// An interface whose read fails (it went down or was removed) is logged and
// given up; the others go on. Run returns an error when every interface has
// failed. Run may be called once.
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
	failed := make(chan ifaceFailure, len(l.ifaces))
	var wg sync.WaitGroup
	for _, li := range l.ifaces {
		wg.Go(func() {
			err := li.read(done, l.frames)
			li.close()
			if err != nil {
				failed <- ifaceFailure{name: li.name, err: err}
			}
		})
	}
	stop := func() {
		close(done)
		wg.Wait()
		// The frames already handed over are not lost on the way out.
		for {
			select {
			case s := <-l.frames:
				frame(&s.frame)
				s.owner.free <- s
			default:
				l.mu.Lock()
				l.state = liveClosed
				close(l.ran)
				l.mu.Unlock()
				return
			}
		}
	}

	ticker := time.NewTicker(l.cfg.IdleTick)
	defer ticker.Stop()
	quiet := true
	alive := len(l.ifaces)
	var errs []error
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
		case f := <-failed:
			l.cfg.Logger.Error("live capture interface failed; capturing on the others", "interface", f.name, "err", f.err)
			errs = append(errs, f.err)
			if alive--; alive == 0 {
				stop()
				return fmt.Errorf("live capture: every interface failed: %w", errors.Join(errs...))
			}
		case <-ctx.Done():
			stop()
			return ctx.Err()
		}
	}
}

// ifaceFailure is a reader's final error.
type ifaceFailure struct {
	name string
	err  error
}

// read copies frames from the ring into free slots and sends them to out
// until done is closed or the ring fails.
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
// dropped included) and Dropped those lost because the ring was full. After
// an interface failed or Run returned, its last counters stay. It is safe
// to call while Run runs.
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
