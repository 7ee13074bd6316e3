package lab

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/netns"
)

// The lab's addresses: all inside the namespaces the test creates.
//
//	endpoint N   10.66.N.10/24 on eth0, gateway 10.66.N.1 on the switch's port gi1-0-N
//	PSN K        10.67.K.1K/24 on eth0 (10.67.1.11, 10.67.2.12, 10.67.3.13), switch 10.67.K.1
//	sensor       10.68.0.2/30 on mgmt0, the switch's management address 10.68.0.1
//	SPAN         span0 in the switch to span0 in the sensor, no addresses
const (
	spanLink = "span0"
	mgmtLink = "mgmt0"
	// switchName is the hostname the switch's prompt shows.
	switchName = "lab-sw1"
)

var (
	switchMgmt = netip.MustParseAddr("10.68.0.1")
	sensorMgmt = netip.MustParseAddr("10.68.0.2")
)

// endpoint is one endpoint namespace on its own switch port.
type endpoint struct {
	name string // ep1 ...
	ns   *netns.Namespace
	// port is the switch-side link, ifname the switch's name for it.
	port, ifname string
	addr, gw     netip.Addr
	mac          net.HardwareAddr
	// vlan is the access VLAN the 802.1Q second pass tags its frames with.
	vlan uint16
}

// psn is one PSN namespace.
type psn struct {
	name string // psn1 ...
	ns   *netns.Namespace
	addr netip.Addr
	// server is its HTTPS server on 8449, nil while it does not listen.
	server *process
}

// lab is the built topology and the processes running in it.
type lab struct {
	t         *testing.T
	dir       string // scratch files: certificates, posture, logs
	sw        *netns.Namespace
	sensor    *netns.Namespace
	endpoints []*endpoint
	psns      []*psn
}

// newLab builds the topology: nEndpoints endpoints and nPSNs PSNs around a
// routing switch, the sensor with its management and SPAN links, and the
// SPAN mirror of every endpoint port in both directions before filtering.
// Everything is deleted when the test ends.
func newLab(t *testing.T, nEndpoints, nPSNs int) *lab {
	t.Helper()
	dir := t.TempDir()
	// The probes and servers run as root, but the sensor reads nothing
	// here; keep the folder private.
	l := &lab{t: t, dir: dir, sw: netns.New(t, "switch"), sensor: netns.New(t, "sensor")}
	l.sysctl(l.sw, "net.ipv4.ip_forward=1")
	for i := 1; i <= nEndpoints; i++ {
		e := &endpoint{
			name:   fmt.Sprintf("ep%d", i),
			ns:     netns.New(t, fmt.Sprintf("ep%d", i)),
			port:   fmt.Sprintf("gi1-0-%d", i),
			ifname: fmt.Sprintf("GigabitEthernet1/0/%d", i),
			addr:   netip.AddrFrom4([4]byte{10, 66, byte(i), 10}),
			gw:     netip.AddrFrom4([4]byte{10, 66, byte(i), 1}),
			vlan:   uint16(100 + i),
		}
		e.ns.Veth("eth0", l.sw, e.port)
		e.ns.AddAddr("eth0", netip.PrefixFrom(e.addr, 24))
		l.sw.AddAddr(e.port, netip.PrefixFrom(e.gw, 24))
		e.ns.IP("route", "add", "default", "via", e.gw.String())
		e.mac = e.ns.HardwareAddr("eth0")
		l.endpoints = append(l.endpoints, e)
	}
	for k := 1; k <= nPSNs; k++ {
		p := &psn{
			name: fmt.Sprintf("psn%d", k),
			ns:   netns.New(t, fmt.Sprintf("psn%d", k)),
			addr: netip.AddrFrom4([4]byte{10, 67, byte(k), byte(10 + k)}),
		}
		gw := netip.AddrFrom4([4]byte{10, 67, byte(k), 1})
		link := fmt.Sprintf("psn%d", k)
		p.ns.Veth("eth0", l.sw, link)
		p.ns.AddAddr("eth0", netip.PrefixFrom(p.addr, 24))
		l.sw.AddAddr(link, netip.PrefixFrom(gw, 24))
		p.ns.IP("route", "add", "default", "via", gw.String())
		l.psns = append(l.psns, p)
	}
	l.sensor.Veth(mgmtLink, l.sw, mgmtLink)
	l.sensor.AddAddr(mgmtLink, netip.PrefixFrom(sensorMgmt, 30))
	l.sw.AddAddr(mgmtLink, netip.PrefixFrom(switchMgmt, 30))
	l.sensor.Veth(spanLink, l.sw, spanLink)
	// The SPAN destination carries no IP: no address, no IPv6 link-local
	// chatter of its own on the mirror.
	l.sysctl(l.sw, "net.ipv6.conf."+spanLink+".disable_ipv6=1")
	l.sysctl(l.sensor, "net.ipv6.conf."+spanLink+".disable_ipv6=1")
	l.sw.Nft(l.spanRuleset() + l.daclBaseRuleset())
	return l
}

// sysctl sets a kernel parameter of a namespace ("net.ipv4.ip_forward=1")
// by writing its /proc/sys file from a thread inside the namespace:
// network parameters are those of the namespace of the thread that opens
// the file.
func (l *lab) sysctl(ns *netns.Namespace, setting string) {
	l.t.Helper()
	key, value, ok := strings.Cut(setting, "=")
	if !ok {
		l.t.Fatalf("lab: sysctl %q: not key=value", setting)
	}
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	if err := ns.Do(func() error { return os.WriteFile(path, []byte(value+"\n"), 0o644) }); err != nil {
		l.t.Fatalf("lab: sysctl %s in %s: %v", setting, ns.Name, err)
	}
}

// spanRuleset mirrors every endpoint port to the SPAN link: the ingress
// hook sees a frame from the endpoint before the forward chain can drop
// it, the egress hook every frame sent to the endpoint (answers, and the
// switch's own ICMP errors), as "monitor session 1 source interface ...
// both" does on a Catalyst.
func (l *lab) spanRuleset() string {
	var b strings.Builder
	b.WriteString("table netdev span {\n")
	for _, e := range l.endpoints {
		fmt.Fprintf(&b, "\tchain rx-%[1]s {\n\t\ttype filter hook ingress device %[1]q priority -500; policy accept;\n\t\tdup to %[2]q\n\t}\n", e.port, spanLink)
		fmt.Fprintf(&b, "\tchain tx-%[1]s {\n\t\ttype filter hook egress device %[1]q priority -500; policy accept;\n\t\tdup to %[2]q\n\t}\n", e.port, spanLink)
	}
	b.WriteString("}\n")
	return b.String()
}

// daclBaseRuleset sends the IPv4 traffic each endpoint port receives
// through that port's chain, where applyDACL puts the rules of the
// endpoint's dACL. An empty port chain lets everything through, as a port
// without a dACL does. IPv4 dACLs do not filter IPv6, so neither does this.
func (l *lab) daclBaseRuleset() string {
	var b strings.Builder
	b.WriteString("table inet dacl {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n")
	for _, e := range l.endpoints {
		fmt.Fprintf(&b, "\t\tmeta nfproto ipv4 iifname %q jump port-%s\n", e.port, e.port)
	}
	b.WriteString("\t}\n")
	for _, e := range l.endpoints {
		fmt.Fprintf(&b, "\tchain port-%s {\n\t}\n", e.port)
	}
	b.WriteString("}\n")
	return b.String()
}

// process is a program the lab runs inside a namespace.
type process struct {
	name   string
	cmd    *exec.Cmd
	done   chan struct{}
	err    error
	stderr *os.File
	lines  chan string // stdout, line by line
	once   sync.Once
}

// roleVar tells the re-executed test binary which lab program to be.
const roleVar = "SYNCWATCH_LAB_ROLE"

// startRole runs this test binary inside ns as one of the lab's programs
// (TestMain dispatches on roleVar), with env added to its environment.
// It is killed when the test ends, if it has not been stopped before.
func (l *lab) startRole(ns *netns.Namespace, name, role string, env ...string) *process {
	l.t.Helper()
	exe, err := os.Executable()
	if err != nil {
		l.t.Fatalf("lab: test binary: %v", err)
	}
	return l.start(ns, name, append([]string{roleVar + "=" + role}, env...), exe)
}

// start runs a program inside ns (ip netns exec, which execs it, so the
// process is the program itself). Its stderr goes to a file of the lab's
// folder, shown when the test fails; its stdout is read line by line.
func (l *lab) start(ns *netns.Namespace, name string, env []string, argv ...string) *process {
	l.t.Helper()
	stderr, err := os.Create(filepath.Join(l.dir, name+".stderr"))
	if err != nil {
		l.t.Fatalf("lab: %v", err)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.Name}, argv...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		l.t.Fatalf("lab: %v", err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), stderr: stderr, lines: make(chan string, 4096)}
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("lab: start %s: %v", name, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // a reader that stopped reading never blocks the program
			}
		}
		close(p.lines)
		p.err = cmd.Wait()
		close(p.done)
	}()
	l.t.Cleanup(func() {
		p.stop()
		stderr.Close()
		if l.t.Failed() {
			if b, err := os.ReadFile(stderr.Name()); err == nil && len(b) > 0 {
				l.t.Logf("%s stderr:\n%s", name, tail(string(b), 4000))
			}
		}
	})
	return p
}

// stopTimeout bounds the wait for a stopped program to exit.
const stopTimeout = 10 * time.Second

// stop ends the program (SIGTERM, then SIGKILL after stopTimeout) and
// waits for it.
func (p *process) stop() {
	p.once.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// waitLine waits until the program prints a line containing want, or the
// deadline passes, and returns that line.
func (p *process) waitLine(ctx context.Context, want string) (string, error) {
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				return "", fmt.Errorf("%s exited before printing %q", p.name, want)
			}
			if strings.Contains(line, want) {
				return line, nil
			}
		case <-ctx.Done():
			return "", fmt.Errorf("%s did not print %q: %w", p.name, want, ctx.Err())
		}
	}
}

// waitStderr waits until the program's stderr file holds want.
func (p *process) waitStderr(ctx context.Context, want string) error {
	for {
		b, err := os.ReadFile(p.stderr.Name())
		if err != nil {
			return err
		}
		if strings.Contains(string(b), want) {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited before logging %q: %s", p.name, want, tail(string(b), 2000))
		case <-ctx.Done():
			return fmt.Errorf("%s did not log %q: %w", p.name, want, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
