//go:build linux

package capture

import (
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// TestFilterInKernel attaches the program to an AF_PACKET socket on the
// loopback device of a private network namespace and sends it every table
// frame. The kernel must accept the program, and its verdicts must be the
// VM's on each frame as the kernel delivers it: with the outermost 802.1Q or
// 802.1ad tag stripped into metadata before the filter runs, which is why
// the 3-tag frame the filter documents as a limit is accepted live.
func TestFilterInKernel(t *testing.T) {
	testenv.Root(t)
	raw, err := Filter(filterTestPorts(), filterSnaplen)
	if err != nil {
		t.Fatal(err)
	}
	vm := filterRawVM(t, raw)
	cases := filterCases(t)
	var frames [][]byte
	want := make(map[string][]string)
	for _, c := range cases {
		if len(c.frame) < 14 {
			continue // the kernel refuses to send less than an Ethernet header
		}
		frames = append(frames, c.frame)
		seen := c.frame
		if tpid := binary.BigEndian.Uint16(c.frame[12:]); tpid == 0x8100 || tpid == 0x88a8 {
			seen = slices.Concat(c.frame[:12], c.frame[16:])
		}
		if filterRun(t, vm, seen) != 0 {
			want[string(seen)] = append(want[string(seen)], c.name)
		}
		if strings.HasPrefix(c.name, "3 VLAN tags") && filterRun(t, vm, seen) == 0 {
			t.Errorf("%s: the VM drops it even with the outer tag stripped", c.name)
		}
	}

	type result struct {
		got              map[string]int
		unavailable, err error
	}
	done := make(chan result)
	go func() {
		// Never unlocked: the thread, namespace and all, ends with the goroutine.
		runtime.LockOSThread()
		got, unavailable, err := filterKernelVerdicts(raw, frames)
		done <- result{got, unavailable, err}
	}()
	res := <-done
	if res.unavailable != nil {
		testenv.Unavailable(t, "namespaced loopback for AF_PACKET: %v", res.unavailable)
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	for seen, names := range want {
		if res.got[seen] != len(names) {
			t.Errorf("kernel delivered %d, VM accepts %d: %v", res.got[seen], len(names), names)
		}
	}
	for seen, n := range res.got {
		if len(want[seen]) == 0 {
			t.Errorf("kernel delivered %d frames the VM drops: % x", n, seen)
		}
	}
}

// filterKernelVerdicts moves the calling thread into a new network
// namespace, sends frames on its loopback device and returns how often each
// frame's bytes arrived on a packet socket running the program. Failures to
// set up the namespace and sockets are returned as unavailable; the
// kernel refusing the program, or failing to send or receive, as err.
func filterKernelVerdicts(raw []bpf.RawInstruction, frames [][]byte) (got map[string]int, unavailable, err error) {
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, fmt.Errorf("unshare network namespace: %w", err), nil
	}
	ctl, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err), nil
	}
	defer unix.Close(ctl)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return nil, err, nil
	}
	if err := unix.IoctlIfreq(ctl, unix.SIOCGIFFLAGS, ifr); err != nil {
		return nil, fmt.Errorf("lo flags: %w", err), nil
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(ctl, unix.SIOCSIFFLAGS, ifr); err != nil {
		return nil, fmt.Errorf("lo up: %w", err), nil
	}
	if err := unix.IoctlIfreq(ctl, unix.SIOCGIFINDEX, ifr); err != nil {
		return nil, fmt.Errorf("lo index: %w", err), nil
	}
	lo := int(ifr.Uint32())

	allProtocols := int(uint16(unix.ETH_P_ALL)<<8 | uint16(unix.ETH_P_ALL)>>8)
	rx, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, allProtocols)
	if err != nil {
		return nil, fmt.Errorf("packet socket: %w", err), nil
	}
	defer unix.Close(rx)
	prog := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		prog[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	// Attached before bind, so that no frame reaches the socket unfiltered.
	if err := unix.SetsockoptSockFprog(rx, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}); err != nil {
		return nil, nil, fmt.Errorf("kernel refused the program (SO_ATTACH_FILTER): %w", err)
	}
	// Loopback hands every frame to packet sockets twice, outgoing and
	// incoming; only the incoming copy has been through VLAN untagging.
	if err := unix.SetsockoptInt(rx, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
		return nil, fmt.Errorf("PACKET_IGNORE_OUTGOING (Linux 4.20): %w", err), nil
	}
	if err := unix.Bind(rx, &unix.SockaddrLinklayer{Protocol: uint16(allProtocols), Ifindex: lo}); err != nil {
		return nil, fmt.Errorf("bind packet socket to lo: %w", err), nil
	}
	if err := unix.SetsockoptTimeval(rx, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 300000}); err != nil {
		return nil, fmt.Errorf("receive timeout: %w", err), nil
	}

	tx, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sending packet socket: %w", err), nil
	}
	defer unix.Close(tx)
	for i, f := range frames {
		to := &unix.SockaddrLinklayer{Ifindex: lo, Halen: 6}
		copy(to.Addr[:], f[:6])
		if err := unix.Sendto(tx, f, 0, to); err != nil {
			return nil, nil, fmt.Errorf("send frame %d: %w", i, err)
		}
	}
	got = make(map[string]int)
	buf := make([]byte, 65536)
	for {
		n, _, err := unix.Recvfrom(rx, buf, 0)
		if err == unix.EAGAIN || err == unix.EINTR {
			// Every frame was sent before the first read, so a quiet
			// timeout means the kernel has delivered all it accepted.
			if err == unix.EAGAIN {
				return got, nil, nil
			}
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("receive: %w", err)
		}
		got[string(buf[:n])]++
	}
}
