package netns

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

func TestOwnerPID(t *testing.T) {
	tests := []struct {
		name string
		pid  int
		ok   bool
	}{
		{"sw-1234-0a1b2c3d-psn", 1234, true},
		{"sw-1-x", 1, true},
		{"sw-1234", 0, false},
		{"sw--abc", 0, false},
		{"sw-0-abc", 0, false},
		{"sw-12a-abc", 0, false},
		{"other-1234-abc", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		pid, ok := ownerPID(tt.name)
		if pid != tt.pid || ok != tt.ok {
			t.Errorf("ownerPID(%q) = %d, %v; want %d, %v", tt.name, pid, ok, tt.pid, tt.ok)
		}
	}
}

// TestNamespacePair builds two namespaces joined by a veth pair and checks
// that TCP works over IPv4 and IPv6, that an nftables drop rule takes
// effect, and that everything is gone after the test.
func TestNamespacePair(t *testing.T) {
	testenv.Root(t)
	var names []string
	t.Run("pair", func(t *testing.T) {
		a := New(t, "a")
		b := New(t, "b")
		names = []string{a.Name, b.Name}
		a.Veth("veth-a", b, "veth-b")
		for _, p := range []string{"10.9.0.1/24", "2001:db8:9::1/64"} {
			a.AddAddr("veth-a", netip.MustParsePrefix(p))
		}
		for _, p := range []string{"10.9.0.2/24", "2001:db8:9::2/64"} {
			b.AddAddr("veth-b", netip.MustParsePrefix(p))
		}
		if got, want := len(a.HardwareAddr("veth-a")), 6; got != want {
			t.Errorf("MAC length %d, want %d", got, want)
		}
		if a.Index("veth-a") <= 1 {
			t.Errorf("veth-a has index %d, want > 1 (1 is lo)", a.Index("veth-a"))
		}

		var ln net.Listener
		if err := b.Do(func() error {
			var err error
			ln, err = net.Listen("tcp", ":7000")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Write([]byte("hi"))
				c.Close()
			}
		}()
		dial := func(addr string, timeout time.Duration) error {
			return a.Do(func() error {
				c, err := net.DialTimeout("tcp", addr, timeout)
				if err != nil {
					return err
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(time.Second))
				buf := make([]byte, 2)
				if _, err := c.Read(buf); err != nil {
					return err
				}
				if string(buf) != "hi" {
					return errors.New("read " + string(buf))
				}
				return nil
			})
		}
		for _, addr := range []string{"10.9.0.2:7000", "[2001:db8:9::2]:7000"} {
			// Long enough for a lost neighbour solicitation to be resent
			// (1 s) on a loaded machine.
			if err := dial(addr, 3*time.Second); err != nil {
				t.Errorf("dial %s: %v", addr, err)
			}
		}
		// The host's namespace has no such address: the traffic above
		// stayed between the two namespaces.
		if _, err := exec.Command("ip", "-o", "addr", "show", "to", "10.9.0.0/24").Output(); err != nil {
			t.Errorf("ip addr show on the host: %v", err)
		}

		b.Nft(`table inet t {
			chain in {
				type filter hook input priority 0; policy accept;
				tcp dport 7000 drop
			}
		}`)
		err := dial("10.9.0.2:7000", 300*time.Millisecond)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("dial through drop rule: %v, want a timeout", err)
		}
		b.Nft("flush ruleset")
		if err := dial("10.9.0.2:7000", 3*time.Second); err != nil {
			t.Errorf("dial after flush: %v", err)
		}
		if out, err := b.Exec("nft", "list", "ruleset"); err != nil || strings.TrimSpace(out) != "" {
			t.Errorf("nft list ruleset after flush = %q, %v; want empty", out, err)
		}
	})
	for _, name := range names {
		if _, err := os.Stat("/run/netns/" + name); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("namespace %s still exists after the test: %v", name, err)
		}
	}
}

// TestHostPeer checks a veth pair with one end in the test's own namespace:
// the host end gets a unique name and is gone after the test.
func TestHostPeer(t *testing.T) {
	testenv.Root(t)
	var host string
	t.Run("pair", func(t *testing.T) {
		a := New(t, "hostpeer")
		host = a.Veth("veth-a", nil, "")
		if !strings.HasPrefix(host, "sw") || len(host) > 15 {
			t.Errorf("host end name %q, want sw + 10 hex digits", host)
		}
		if _, err := net.InterfaceByName(host); err != nil {
			t.Errorf("host end %s: %v", host, err)
		}
	})
	if host == "" {
		return
	}
	if _, err := net.InterfaceByName(host); err == nil {
		t.Errorf("host end %s still exists after the test", host)
	}
}

// TestSweep checks that a namespace named for a process that no longer
// exists is deleted by the next New.
func TestSweep(t *testing.T) {
	New(t, "probe") // skips or fails without root and ip
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	stale := Prefix + strconv.Itoa(cmd.Process.Pid) + "-00000000-stale"
	if out, err := exec.Command("ip", "netns", "add", stale).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", stale, err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", stale).Run() })
	New(t, "sweeper")
	if _, err := os.Stat("/run/netns/" + stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale namespace %s not swept: %v", stale, err)
	}
}
