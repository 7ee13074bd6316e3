//go:build linux

package capture

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"golang.org/x/sys/unix"

	"github.com/syncwatch/syncwatch/internal/netns"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

var record = flag.Bool("record", false, "TestRecordExample: capture scenarios 1-4 live and write ../examples/state-sync.pcapng")

// The lab: namespace client (veth-c) and namespace psn (veth-p) on one
// link, both families.
var (
	labClient4 = netip.MustParseAddr("10.0.0.10")
	labPSN4    = netip.MustParseAddr("10.0.0.11")
	labClient6 = netip.MustParseAddr("2001:db8::10")
	labPSN6    = netip.MustParseAddr("2001:db8::11")
)

const (
	labAnswerTimeout = time.Second
	labIdleTick      = 50 * time.Millisecond
)

// lab is a client and a PSN namespace joined by a veth pair, with live
// capture on the PSN's end feeding a classifier.
type lab struct {
	client, psn       *netns.Namespace
	clientMAC, psnMAC net.HardwareAddr
	live              *Live

	mu       sync.Mutex
	attempts []Attempt
	arrived  chan struct{}
	overflow bool
}

// labOptions change the lab's capture.
type labOptions struct {
	// extra are more capture interfaces to create in psn (veth pairs with
	// both ends there) and to capture on.
	extra []string
	// hook sees every frame before the classifier, on Run's goroutine.
	hook func(*Frame)
	// logger receives the capture's log.
	logger *slog.Logger
	// retryMin and retryMax are the capture's pauses before reopening a
	// failed interface (zero for the defaults).
	retryMin, retryMax time.Duration
	// ringBytes sizes each interface's ring (zero for the default).
	ringBytes int
	// maxAttempts bounds the attempts the lab keeps (zero: 1,000); one
	// more is a test failure.
	maxAttempts int
}

func newLab(t *testing.T, opt labOptions) *lab {
	t.Helper()
	l := &lab{client: netns.New(t, "client"), psn: netns.New(t, "psn"), arrived: make(chan struct{}, 1)}
	maxAttempts := cmp.Or(opt.maxAttempts, 1000)
	l.client.Veth("veth-c", l.psn, "veth-p")
	l.client.AddAddr("veth-c", netip.PrefixFrom(labClient4, 24))
	l.client.AddAddr("veth-c", netip.PrefixFrom(labClient6, 64))
	l.psn.AddAddr("veth-p", netip.PrefixFrom(labPSN4, 24))
	l.psn.AddAddr("veth-p", netip.PrefixFrom(labPSN6, 64))
	l.clientMAC = l.client.HardwareAddr("veth-c")
	l.psnMAC = l.psn.HardwareAddr("veth-p")
	ifaces := []string{"veth-p"}
	for _, name := range opt.extra {
		l.psn.Veth(name, l.psn, name+"x")
		ifaces = append(ifaces, name)
	}

	cl, err := NewClassifier(TrackerConfig{AnswerTimeout: labAnswerTimeout}, func(a *Attempt) {
		l.mu.Lock()
		if len(l.attempts) < maxAttempts {
			l.attempts = append(l.attempts, *a)
		} else {
			l.overflow = true
		}
		l.mu.Unlock()
		select {
		case l.arrived <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	err = l.psn.Do(func() error {
		var err error
		l.live, err = OpenLive(LiveConfig{Interfaces: ifaces, IdleTick: labIdleTick, Logger: opt.logger,
			RetryMin: opt.retryMin, RetryMax: opt.retryMax, RingBytes: opt.ringBytes})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		res <- l.live.Run(ctx, func(f *Frame) {
			if opt.hook != nil {
				opt.hook(f)
			}
			cl.Frame(f)
		}, cl.Advance)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-res:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(testWait):
			t.Errorf("Run did not return within %v of the cancel", testWait)
		}
		if l.overflow {
			t.Errorf("more than %d attempts: the lab dropped some", maxAttempts)
		}
	})
	return l
}

// attempt waits for the attempt from the client port and returns it.
func (l *lab) attempt(t *testing.T, clientPort uint16) Attempt {
	t.Helper()
	deadline := time.After(testWait)
	for {
		l.mu.Lock()
		for _, a := range l.attempts {
			if a.ClientPort == clientPort {
				l.mu.Unlock()
				return a
			}
		}
		l.mu.Unlock()
		select {
		case <-l.arrived:
		case <-deadline:
			t.Fatalf("no attempt from client port %d within %v", clientPort, testWait)
		}
	}
}

// countAttempts returns how many attempts came from the client port.
func (l *lab) countAttempts(clientPort uint16) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, a := range l.attempts {
		if a.ClientPort == clientPort {
			n++
		}
	}
	return n
}

// listen starts a TCP listener in psn that accepts and closes connections
// until the test ends.
func (l *lab) listen(t *testing.T, addr netip.AddrPort) {
	t.Helper()
	var ln net.Listener
	err := l.psn.Do(func() error {
		var err error
		ln, err = net.Listen("tcp", addr.String())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
}

// dial connects from the client port to the PSN's port 8449 from inside
// client and returns the dial's error.
func (l *lab) dial(t *testing.T, client netip.Addr, clientPort uint16, psn netip.Addr, timeout time.Duration) error {
	var err error
	doErr := l.client.Do(func() error {
		d := net.Dialer{Timeout: timeout, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(client, clientPort))}
		var c net.Conn
		c, err = d.Dial("tcp", netip.AddrPortFrom(psn, DefaultPort).String())
		if err == nil {
			c.Close()
		}
		return nil
	})
	if doErr != nil {
		t.Fatal(doErr)
	}
	return err
}

// scenario is one of the lab's four outcomes.
type scenario struct {
	name    string
	outcome Outcome
	// nft is the ruleset psn enforces during the dial; empty for none.
	nft string
	// listen starts a listener on the PSN's port.
	listen bool
	// dialTimeout is short for the drop, which never answers.
	dialTimeout time.Duration
	// dialErr checks the dial's result.
	dialErr func(error) bool
}

// The rulesets of the scenarios, in an inet table so one covers both
// families.
const (
	nftDrop = `table inet dacl {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport 8449 drop
	}
}`
	nftReject = `table inet dacl {
	chain input {
		type filter hook input priority 0; policy accept;
		meta nfproto ipv4 tcp dport 8449 reject with icmp type admin-prohibited
		meta nfproto ipv6 tcp dport 8449 reject with icmpv6 type admin-prohibited
	}
}`
)

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

var labScenarios = []scenario{
	{name: "accepted", outcome: Accepted, listen: true, dialTimeout: 2 * time.Second,
		dialErr: func(err error) bool { return err == nil }},
	{name: "unanswered", outcome: Unanswered, nft: nftDrop, dialTimeout: 300 * time.Millisecond,
		dialErr: isTimeout},
	{name: "prohibited", outcome: Prohibited, nft: nftReject, dialTimeout: 2 * time.Second,
		// ICMP 3/13 is EHOSTUNREACH, ICMPv6 1/1 is EACCES.
		dialErr: func(err error) bool {
			return errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.EACCES)
		}},
	{name: "refused", outcome: Refused, dialTimeout: 2 * time.Second,
		dialErr: func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }},
}

// run runs a scenario from the client port and returns the attempt.
func (l *lab) run(t *testing.T, sc scenario, client, psn netip.Addr, clientPort uint16) Attempt {
	t.Helper()
	if sc.listen {
		l.listen(t, netip.AddrPortFrom(psn, DefaultPort))
	}
	if sc.nft != "" {
		l.psn.Nft(sc.nft)
		defer l.psn.Nft("flush ruleset")
	}
	if err := l.dial(t, client, clientPort, psn, sc.dialTimeout); !sc.dialErr(err) {
		t.Errorf("dial %s from port %d: unexpected result %v", sc.name, clientPort, err)
	}
	return l.attempt(t, clientPort)
}

// wantAttempt is the attempt a scenario must produce, with the fields that
// vary from run to run (ID, ISN, times, evidence) left zero.
func (l *lab) wantAttempt(sc scenario, client, psn netip.Addr, clientPort uint16) Attempt {
	a := Attempt{
		Client:       client,
		ClientPort:   clientPort,
		ClientMAC:    [6]byte(l.clientMAC),
		HasClientMAC: true,
		PSN:          psn,
		Port:         DefaultPort,
		Outcome:      sc.outcome,
		SYNSeen:      true,
		SYNs:         1,
		Interface:    "veth-p",
	}
	if sc.outcome == Prohibited {
		a.HasICMP, a.ICMPType, a.ICMPCode, a.ICMPFrom = true, 3, 13, psn
		if psn.Is6() {
			a.ICMPType, a.ICMPCode = 1, 1
		}
	}
	return a
}

// checkAttempt compares an attempt with the expected one, after checking
// and clearing the fields that vary.
func checkAttempt(t *testing.T, got, want Attempt, start time.Time) {
	t.Helper()
	if got.FirstSeen.Before(start.Add(-time.Second)) || got.FirstSeen.After(time.Now()) {
		t.Errorf("FirstSeen %v, not during the test (started %v)", got.FirstSeen, start)
	}
	answered := want.Outcome != Unanswered
	if answered != !got.AnsweredAt.IsZero() || (answered && got.AnsweredAt.Before(got.FirstSeen)) {
		t.Errorf("AnsweredAt %v with FirstSeen %v for outcome %v", got.AnsweredAt, got.FirstSeen, want.Outcome)
	}
	if got.ID == 0 {
		t.Error("attempt ID 0")
	}
	got.ID, got.ISN, got.FirstSeen, got.AnsweredAt = 0, 0, time.Time{}, time.Time{}
	got.evidence, got.nev = [maxEvidence]uint64{}, 0
	if got != want {
		t.Errorf("attempt\n got %+v\nwant %+v", got, want)
	}
}

// TestLiveScenarios drives real Linux TCP stacks through the live capture
// and the classifier: each outcome over IPv4 and IPv6, with the client's
// MAC, the ports, the SYN count and the ICMP details exact.
func TestLiveScenarios(t *testing.T) {
	l := newLab(t, labOptions{})
	// A SPAN destination port's frames are addressed to other hosts: the
	// capture's socket makes the interface promiscuous (a membership, which
	// "ip -d" shows as the promiscuity count, not as the PROMISC flag).
	if out := l.psn.IP("-d", "link", "show", "veth-p"); !strings.Contains(out, " promiscuity 1 ") {
		t.Errorf("veth-p is not promiscuous while captured: %s", out)
	}
	runScenarios(t, l)
	stats := l.live.InterfaceStats()
	if len(stats) != 1 || stats[0].Name != "veth-p" || stats[0].Link != LinkEthernet ||
		stats[0].Received == 0 || stats[0].Dropped != 0 || !stats[0].HasReceived || !stats[0].HasDropped {
		t.Errorf("InterfaceStats() = %+v, want veth-p with received > 0 and nothing dropped", stats)
	}
}

// runScenarios runs the four scenarios over IPv4 (client ports 40001-40004)
// and IPv6 (40011-40014), each as a subtest, so that the accepted
// scenario's listener is gone before the refused one.
func runScenarios(t *testing.T, l *lab) {
	for fi, fam := range []struct {
		name        string
		client, psn netip.Addr
	}{{"ipv4", labClient4, labPSN4}, {"ipv6", labClient6, labPSN6}} {
		for si, sc := range labScenarios {
			t.Run(fam.name+"/"+sc.name, func(t *testing.T) {
				port := uint16(40001 + 10*fi + si)
				start := time.Now()
				got := l.run(t, sc, fam.client, fam.psn, port)
				checkAttempt(t, got, l.wantAttempt(sc, fam.client, fam.psn, port), start)
			})
		}
	}
	// The IPv6 client ignores the first ICMPv6 error and gives up on the
	// second, one RTO later: still one attempt, reported at the first.
	for fi := range 2 {
		for si := range labScenarios {
			if n := l.countAttempts(uint16(40001 + 10*fi + si)); n != 1 {
				t.Errorf("%d attempts from client port %d, want 1", n, 40001+10*fi+si)
			}
		}
	}
}

// rawSYN builds an Ethernet frame with a TCP SYN from the client, behind
// the given VLAN tags (outermost first, each with its TPID).
func rawSYN(t *testing.T, src, dst net.HardwareAddr, srcPort, dstPort uint16, tags ...[2]uint16) []byte {
	t.Helper()
	eth := &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeIPv4}
	ls := []gopacket.SerializableLayer{eth}
	for i, tag := range tags {
		if i == 0 {
			eth.EthernetType = layers.EthernetType(tag[0])
		} else {
			ls[len(ls)-1].(*layers.Dot1Q).Type = layers.EthernetType(tag[0])
		}
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: tag[1], Type: layers.EthernetTypeIPv4})
	}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP,
		SrcIP: labClient4.AsSlice(), DstIP: labPSN4.AsSlice()}
	tcp := &layers.TCP{SrcPort: layers.TCPPort(srcPort), DstPort: layers.TCPPort(dstPort), Seq: 1000 + uint32(srcPort), SYN: true, Window: 64240}
	if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	ls = append(ls, ip, tcp)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sendRaw writes frames onto a link of ns with an AF_PACKET socket, as
// they are, tags included.
func sendRaw(t *testing.T, ns *netns.Namespace, link string, frames ...[]byte) {
	t.Helper()
	index := ns.Index(link)
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("AF_PACKET socket: %w", err)
		}
		defer unix.Close(fd)
		for _, f := range frames {
			sa := &unix.SockaddrLinklayer{Ifindex: index, Halen: 6}
			copy(sa.Addr[:], f[0:6])
			if err := unix.Sendto(fd, f, 0, sa); err != nil {
				return fmt.Errorf("sendto: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLiveVLAN writes 802.1Q and QinQ tagged SYNs raw onto the client's
// link: the capture must report the VLAN stack outermost first, whether
// the kernel stripped the outer tag into ancillary data or not; a frame to
// another port must not reach user space at all.
func TestLiveVLAN(t *testing.T) {
	var mu sync.Mutex
	var ports []uint16
	var vlanSeen []int
	dec := NewDecoder(NewPortSet(443, DefaultPort))
	var pkt Packet
	l := newLab(t, labOptions{hook: func(f *Frame) {
		mu.Lock()
		defer mu.Unlock()
		vlanSeen = append(vlanSeen, f.VLAN)
		if dec.Decode(f, &pkt) == ReasonNone {
			ports = append(ports, pkt.SrcPort, pkt.DstPort)
		}
	}})
	other := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x99} // a host the PSN is not: the SPAN case
	const (
		tpid8021Q  = 0x8100
		tpid8021AD = 0x88a8
	)
	frames := [][]byte{
		rawSYN(t, l.clientMAC, l.psnMAC, 41001, DefaultPort, [2]uint16{tpid8021Q, 100}),
		rawSYN(t, l.clientMAC, l.psnMAC, 41002, DefaultPort, [2]uint16{tpid8021AD, 300}, [2]uint16{tpid8021Q, 100}),
		rawSYN(t, l.clientMAC, other, 41003, DefaultPort, [2]uint16{tpid8021Q, 200}),
		rawSYN(t, l.clientMAC, l.psnMAC, 41004, 443),
		rawSYN(t, l.clientMAC, l.psnMAC, 41005, 443, [2]uint16{tpid8021Q, 100}),
		// Last: once its attempt is in, every frame before it was read.
		rawSYN(t, l.clientMAC, l.psnMAC, 41006, DefaultPort),
	}
	start := time.Now()
	sendRaw(t, l.client, "veth-c", frames...)

	want := func(port uint16, o Outcome, vlans ...uint16) Attempt {
		a := Attempt{Client: labClient4, ClientPort: port, ClientMAC: [6]byte(l.clientMAC), HasClientMAC: true,
			PSN: labPSN4, Port: DefaultPort, Outcome: o, SYNSeen: true, SYNs: 1, Interface: "veth-p",
			NumVLANs: uint8(len(vlans))}
		copy(a.VLANs[:], vlans)
		return a
	}
	// The PSN has no VLAN interface, so it drops the tagged SYNs: they stay
	// unanswered. The untagged one is refused.
	checkAttempt(t, l.attempt(t, 41006), want(41006, Refused), start)
	checkAttempt(t, l.attempt(t, 41001), want(41001, Unanswered, 100), start)
	checkAttempt(t, l.attempt(t, 41002), want(41002, Unanswered, 300, 100), start)
	checkAttempt(t, l.attempt(t, 41003), want(41003, Unanswered, 200), start)
	for _, p := range []uint16{41004, 41005} {
		if n := l.countAttempts(p); n != 0 {
			t.Errorf("%d attempts from the port-443 SYN from port %d", n, p)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(ports, 443) {
		t.Errorf("a port-443 frame reached user space (ports seen %v): the kernel filter let it through", ports)
	}
	// The kernel strips the outermost tag on receive, veth included.
	if got := fmt.Sprint(vlanSeen[:min(3, len(vlanSeen))]); got != "[100 300 200]" {
		t.Errorf("ancillary VLANs of the tagged frames %s, want [100 300 200]", got)
	}
}

// TestLiveInterfaceDown captures on three interfaces, takes one down and
// deletes another: both failures are logged, the third goes on, and the
// reopenings fail for the reasons of the PSN's namespace (where the
// capture was opened), not the test's. Once one is up again and the other
// created again under its name (with a new index), both are captured
// again.
func TestLiveInterfaceDown(t *testing.T) {
	logs := newLogRecorder(slog.LevelInfo)
	l := newLab(t, labOptions{extra: []string{"spare", "gone"}, logger: logs.logger(),
		retryMin: 10 * time.Millisecond, retryMax: 50 * time.Millisecond})
	goneIndex := l.psn.Index("gone")
	l.psn.IP("link", "set", "spare", "down")
	l.psn.IP("link", "del", "gone")
	logs.wait(t, logFailed("spare", pollFailed("spare")), 1)
	logs.wait(t, logFailed("gone", pollFailed("gone")), 1)
	downErr := `interface "spare": reopening: interface is down`
	goneErr := `interface "gone": reopening: no such interface in this network namespace`
	logs.wait(t, logStillFailing("WARN", "spare", downErr), 1)
	logs.wait(t, logStillFailing("WARN", "gone", goneErr), 1)
	checkHealth(t, l.live, "with spare down and gone deleted", InterfaceHealth{Name: "veth-p", Up: true},
		InterfaceHealth{Name: "spare", Failures: 1, LastError: downErr}, InterfaceHealth{Name: "gone", Failures: 1, LastError: goneErr})

	start := time.Now()
	sc := labScenarios[3]
	checkAttempt(t, l.run(t, sc, labClient4, labPSN4, 42001), l.wantAttempt(sc, labClient4, labPSN4, 42001), start)

	l.psn.SetUp("spare")
	l.psn.Veth("gone", l.psn, "gonex")
	if index := l.psn.Index("gone"); index == goneIndex {
		t.Errorf("gone created again with its old index %d: the test needs a new one", index)
	}
	logs.wait(t, logRecovered("spare", 1), 1)
	logs.wait(t, logRecovered("gone", 1), 1)
	health := l.live.InterfaceHealth()
	// A retry may have found the new gone before it was set up.
	if len(health) == 3 && health[2].LastError == `interface "gone": reopening: interface is down` {
		health[2].LastError = goneErr
	}
	if want := []InterfaceHealth{{Name: "veth-p", Up: true}, {Name: "spare", Up: true, Failures: 1, LastError: downErr},
		{Name: "gone", Up: true, Failures: 1, LastError: goneErr}}; !slices.Equal(health, want) {
		t.Errorf("InterfaceHealth() after both came back\n got %+v\nwant %+v", health, want)
	}
	// Frames sent into the peers arrive on the capture interfaces; nothing
	// in psn answers them.
	start = time.Now()
	sendRaw(t, l.psn, "sparex", rawSYN(t, l.clientMAC, l.psnMAC, 42002, DefaultPort))
	sendRaw(t, l.psn, "gonex", rawSYN(t, l.clientMAC, l.psnMAC, 42003, DefaultPort))
	for port, iface := range map[uint16]string{42002: "spare", 42003: "gone"} {
		checkAttempt(t, l.attempt(t, port), Attempt{Client: labClient4, ClientPort: port, ClientMAC: [6]byte(l.clientMAC),
			HasClientMAC: true, PSN: labPSN4, Port: DefaultPort, Outcome: Unanswered, SYNSeen: true, SYNs: 1, Interface: iface}, start)
	}
	stats := l.live.InterfaceStats()
	if len(stats) != 3 || stats[0].Name != "veth-p" || stats[1].Name != "spare" || stats[2].Name != "gone" {
		t.Fatalf("InterfaceStats() = %+v", stats)
	}
	for _, s := range stats {
		if s.Received == 0 || s.Dropped != 0 {
			t.Errorf("%s: received %d, dropped %d; want some received and none dropped", s.Name, s.Received, s.Dropped)
		}
	}
}

// TestLiveInterfaceRecovers takes the capture interface down and up again,
// then deletes it and creates it again under its name: each time the
// failure is logged, no frame arrives while it lasts, the socket is
// closed, and once the interface is back a real TCP connection to port
// 8449 is captured and classified again, on a new socket bound to the
// interface's current index, with the kernel counters going on from where
// they were.
func TestLiveInterfaceRecovers(t *testing.T) {
	goroutines := runtime.NumGoroutine()
	t.Run("lab", func(t *testing.T) {
		logs := newLogRecorder(slog.LevelInfo)
		var frames atomic.Int64
		l := newLab(t, labOptions{logger: logs.logger(), hook: func(*Frame) { frames.Add(1) },
			retryMin: 10 * time.Millisecond, retryMax: 100 * time.Millisecond})
		// One listener for all the connections, on whichever address the
		// PSN has.
		l.listen(t, netip.AddrPortFrom(netip.IPv4Unspecified(), DefaultPort))
		accepted := labScenarios[0]
		accepted.listen = false
		connect := func(port uint16) {
			t.Helper()
			start := time.Now()
			checkAttempt(t, l.run(t, accepted, labClient4, labPSN4, port), l.wantAttempt(accepted, labClient4, labPSN4, port), start)
		}
		// The counters must never go back, and nothing is dropped here.
		var last InterfaceStats
		checkGrown := func(when string) {
			t.Helper()
			s := l.live.InterfaceStats()[0]
			if s.Received <= last.Received || s.Dropped != 0 {
				t.Errorf("%s: received %d, dropped %d; want more than %d received, none dropped", when, s.Received, s.Dropped, last.Received)
			}
			last = s
		}
		connect(43001)
		checkGrown("before the failures")
		checkSockets(t, l.psn, l.psn.Index("veth-p"))

		// Down and up again.
		l.psn.IP("link", "set", "veth-p", "down")
		logs.wait(t, logFailed("veth-p", pollFailed("veth-p")), 1)
		seen := frames.Load()
		downErr := `interface "veth-p": reopening: interface is down`
		logs.wait(t, logStillFailing("WARN", "veth-p", downErr), 1)
		checkHealth(t, l.live, "with veth-p down", InterfaceHealth{Name: "veth-p", Failures: 1, LastError: downErr})
		checkSockets(t, l.psn)
		if s := l.live.InterfaceStats()[0]; s != last {
			t.Errorf("InterfaceStats() while down %+v, want the last counters %+v", s, last)
		}
		if n := frames.Load(); n != seen {
			t.Errorf("%d frames delivered while veth-p was down", n-seen)
		}
		l.psn.SetUp("veth-p")
		waitRunning(t, l.psn, "veth-p")
		waitRunning(t, l.client, "veth-c")
		logs.wait(t, logRecovered("veth-p", 1), 1)
		checkHealth(t, l.live, "with veth-p up again", InterfaceHealth{Name: "veth-p", Up: true, Failures: 1, LastError: downErr})
		checkSockets(t, l.psn, l.psn.Index("veth-p"))
		connect(43002)
		checkGrown("after veth-p came up again")

		// Deleted (with its peer) and created again under the same name.
		index := l.psn.Index("veth-p")
		l.psn.IP("link", "del", "veth-p")
		logs.wait(t, logFailed("veth-p", pollFailed("veth-p")), 2)
		goneErr := `interface "veth-p": reopening: no such interface in this network namespace`
		logs.wait(t, logStillFailing("WARN", "veth-p", goneErr), 1)
		checkHealth(t, l.live, "with veth-p deleted", InterfaceHealth{Name: "veth-p", Failures: 2, LastError: goneErr})
		checkSockets(t, l.psn)
		l.client.Veth("veth-c", l.psn, "veth-p")
		l.client.AddAddr("veth-c", netip.PrefixFrom(labClient4, 24))
		l.psn.AddAddr("veth-p", netip.PrefixFrom(labPSN4, 24))
		l.clientMAC = l.client.HardwareAddr("veth-c")
		l.psnMAC = l.psn.HardwareAddr("veth-p")
		newIndex := l.psn.Index("veth-p")
		if newIndex == index {
			t.Errorf("veth-p created again with its old index %d: the test needs a new one", index)
		}
		logs.wait(t, logRecovered("veth-p", 2), 1)
		// A retry may have found the new link before it was set up.
		if h := l.live.InterfaceHealth(); len(h) != 1 || h[0].Name != "veth-p" || !h[0].Up || h[0].Failures != 2 ||
			(h[0].LastError != goneErr && h[0].LastError != downErr) {
			t.Errorf("InterfaceHealth() with veth-p created again %+v, want veth-p up after 2 failures, the last error %q or %q", h, goneErr, downErr)
		}
		checkSockets(t, l.psn, newIndex)
		connect(43003)
		checkGrown("after veth-p was created again")
		if n := l.countAttempts(43001) + l.countAttempts(43002) + l.countAttempts(43003); n != 3 {
			t.Errorf("%d attempts from the three client ports, want 3", n)
		}
	})
	waitGoroutines(t, goroutines)
}

// waitRunning waits until a link of ns is running (up, with carrier).
func waitRunning(t *testing.T, ns *netns.Namespace, link string) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for {
		var running bool
		err := ns.Do(func() error {
			ifi, err := net.InterfaceByName(link)
			if err != nil {
				return err
			}
			running = ifi.Flags&net.FlagRunning != 0
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if running {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not running within %v", link, testWait)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkSockets checks the interface indexes the packet sockets of ns are
// bound to (from /proc/net/packet, which shows the reading thread's
// namespace), in any order: one per open capture socket.
func checkSockets(t *testing.T, ns *netns.Namespace, want ...int) {
	t.Helper()
	var got []int
	err := ns.Do(func() error {
		data, err := os.ReadFile("/proc/thread-self/net/packet")
		if err != nil {
			return err
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, line := range lines[1:] {
			// sk RefCnt Type Proto Iface R Rmem User Inode
			f := strings.Fields(line)
			if len(f) < 5 {
				return fmt.Errorf("/proc/net/packet line %q", line)
			}
			index, err := strconv.Atoi(f[4])
			if err != nil {
				return fmt.Errorf("/proc/net/packet line %q: %w", line, err)
			}
			got = append(got, index)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("packet sockets in %s bound to interface indexes %v, want %v", ns.Name, got, want)
	}
}

// TestLiveRunReleases checks that Run, once cancelled, leaves no goroutine
// and no file descriptor behind.
func TestLiveRunReleases(t *testing.T) {
	ns := netns.New(t, "release")
	ns.Veth("veth-a", ns, "veth-b")
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	goroutines, files := runtime.NumGoroutine(), fds()
	var live *Live
	if err := ns.Do(func() error {
		var err error
		live, err = OpenLive(LiveConfig{Interfaces: []string{"veth-a", "veth-b"}, IdleTick: 10 * time.Millisecond})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := fds(); got != files+3 {
		t.Errorf("%d file descriptors open with two sockets and the network namespace, want %d", got, files+3)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ticked := make(chan struct{}, 1)
	res := make(chan error, 1)
	go func() {
		res <- live.Run(ctx, func(*Frame) {}, func(int64) {
			select {
			case ticked <- struct{}{}:
			default:
			}
		})
	}()
	select {
	case <-ticked:
	case <-time.After(testWait):
		t.Fatalf("no idle tick within %v", testWait)
	}
	cancel()
	select {
	case err := <-res:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(testWait):
		t.Fatalf("Run did not return within %v", testWait)
	}
	deadline := time.Now().Add(testWait)
	for runtime.NumGoroutine() > goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > goroutines {
		t.Errorf("%d goroutines after Run, %d before", got, goroutines)
	}
	if got := fds(); got != files {
		t.Errorf("%d file descriptors after Run, %d before", got, files)
	}
}

// TestOpenLiveLinkType checks that a tun interface, which carries bare IP
// packets, is refused with a clear message.
func TestOpenLiveLinkType(t *testing.T) {
	ns := netns.New(t, "tun")
	ns.IP("tuntap", "add", "dev", "tun0", "mode", "tun")
	err := ns.Do(func() error {
		l, err := OpenLive(LiveConfig{Interfaces: []string{"tun0"}})
		if l != nil {
			l.Close()
		}
		return err
	})
	want := `live capture: interface "tun0": hardware type none (tun, WireGuard) (ARPHRD 65534): live capture supports only Ethernet interfaces (and loopback)`
	if err == nil || err.Error() != want {
		t.Errorf("OpenLive(tun0) error %q, want %q", err, want)
	}
}

// TestOpenLivePermission checks the message without CAP_NET_RAW: as root it
// runs itself again under setpriv with the capability dropped.
func TestOpenLivePermission(t *testing.T) {
	const childVar = "SYNCWATCH_LIVE_PERMISSION_CHILD"
	want := `live capture: interface "lo": AF_PACKET socket: operation not permitted: live capture needs CAP_NET_RAW (run as root or grant it: setcap cap_net_raw+ep)`
	open := func() string {
		l, err := OpenLive(LiveConfig{Interfaces: []string{"lo"}})
		if l != nil {
			l.Close()
		}
		return fmt.Sprint(err)
	}
	if os.Getenv(childVar) == "1" {
		fmt.Printf("result: %s\n", open())
		return
	}
	if os.Geteuid() != 0 {
		if got := open(); got != want {
			t.Errorf("OpenLive(lo) without root: %q, want %q", got, want)
		}
		return
	}
	setpriv := testenv.Command(t, "setpriv")
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, setpriv, "--bounding-set", "-net_raw", "--inh-caps", "-net_raw",
		os.Args[0], "-test.run", "^TestOpenLivePermission$", "-test.count", "1")
	cmd.Env = append(os.Environ(), childVar+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "result: "+want+"\n") {
		t.Errorf("child output\n%s\nwant the line: result: %s", out, want)
	}
}

// TestRecordExample captures scenarios 1-4 over IPv4 and IPv6 live and
// writes the frames to ../examples/state-sync.pcapng. It runs only with
// -record.
func TestRecordExample(t *testing.T) {
	if !*record {
		t.Skip("records the example capture only with -record")
	}
	type rec struct {
		ci   gopacket.CaptureInfo
		data []byte
	}
	var mu sync.Mutex
	var recs []rec
	l := newLab(t, labOptions{hook: func(f *Frame) {
		mu.Lock()
		recs = append(recs, rec{gopacket.CaptureInfo{Timestamp: time.Unix(0, f.Timestamp), CaptureLength: len(f.Data), Length: f.Length}, slices.Clone(f.Data)})
		mu.Unlock()
	}})
	runScenarios(t, l)
	if t.Failed() {
		t.Fatal("not recording a failed run")
	}
	// The accepted connections' closing frames come after their attempts.
	time.Sleep(200 * time.Millisecond)
	stats := l.live.InterfaceStats()[0]

	path := filepath.Join("..", "examples", "state-sync.pcapng")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pcapgo.NewNgWriterInterface(f, pcapgo.NgInterface{
		Name: "veth-p", Description: "PSN side of a veth pair, syncwatch TestRecordExample",
		Filter: "syncwatch kernel filter, port 8449", OS: "linux", LinkType: layers.LinkTypeEthernet,
		SnapLength: DefaultSnaplen, TimestampResolution: 9,
	}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{OS: "linux",
		Application: "syncwatch capture test: go test ./capture -run TestRecordExample -record"}})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range recs {
		if err := w.WritePacket(r.ci, r.data); err != nil {
			t.Fatal(err)
		}
	}
	last := recs[len(recs)-1].ci.Timestamp
	if err := w.WriteInterfaceStats(0, pcapgo.NgInterfaceStatistics{LastUpdate: last,
		PacketsReceived: stats.Received, PacketsDropped: stats.Dropped}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d frames to %s", len(recs), path)
}

// TestLiveKernelDrops stalls the consumer while 5,000 SYNs (and the PSN's
// 5,000 RSTs) arrive at a ring of the minimum size: the kernel drops
// frames, and the drop counter read from the socket says so, per
// interface, with every frame the filter accepted counted as received.
func TestLiveKernelDrops(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	const n = 5000
	// As many attempts as SYNs may come through, when the kernel drops
	// few (it drops what the ring cannot hold, which varies).
	l := newLab(t, labOptions{ringBytes: MinRingBytes, maxAttempts: n + 100, hook: func(*Frame) {
		once.Do(func() { <-release })
	}})
	frames := make([][]byte, 0, n)
	for i := range n {
		frames = append(frames, rawSYN(t, l.clientMAC, l.psnMAC, uint16(20000+i), DefaultPort))
	}
	sendRaw(t, l.client, "veth-c", frames...)
	// The PSN's RSTs leave through veth-p within moments of their SYNs;
	// wait until the kernel has counted the SYNs at least.
	var stats []InterfaceStats
	for deadline := time.Now().Add(testWait); ; {
		stats = l.live.InterfaceStats()
		if stats[0].Received >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if len(stats) != 1 || stats[0].Name != "veth-p" || stats[0].Received < n || stats[0].Dropped == 0 ||
		stats[0].Dropped >= stats[0].Received {
		t.Fatalf("InterfaceStats() = %+v, want veth-p with at least %d received and some, not all, dropped", stats, n)
	}
	t.Logf("veth-p: %d received, %d dropped by the kernel", stats[0].Received, stats[0].Dropped)
	// The counters never go back, and the capture goes on after the drops.
	later := l.live.InterfaceStats()
	if later[0].Received < stats[0].Received || later[0].Dropped < stats[0].Dropped {
		t.Errorf("counters went back: %+v after %+v", later[0], stats[0])
	}
	// While the backlog drains the ring is still full and frames are still
	// dropped: send one SYN at a time until one comes through.
	for k := range uint16(50) {
		port := 41900 + k
		sendRaw(t, l.client, "veth-c", rawSYN(t, l.clientMAC, l.psnMAC, port, DefaultPort))
		for wait := 0; wait < 20 && l.countAttempts(port) == 0; wait++ {
			time.Sleep(10 * time.Millisecond)
		}
		if l.countAttempts(port) > 0 {
			if a := l.attempt(t, port); a.Outcome != Refused || a.SYNs != 1 {
				t.Errorf("attempt after the drops: %v with %d SYNs, want refused with 1", a.Outcome, a.SYNs)
			}
			return
		}
	}
	t.Error("no attempt came through after the drops")
}
