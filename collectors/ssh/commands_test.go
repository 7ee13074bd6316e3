package ssh

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		cmd string
		ok  bool
	}{
		{"show version", true},
		{"enable", true},
		{"terminal length 0", true},
		{"terminal width 512", true},
		{"terminal width 0", true},
		{"terminal width 80", true},
		{"exit", true},
		{"show access-session", true},
		{"show authentication sessions", true},
		{"show ip access-lists", true},
		{"show ipv6 access-lists", true},
		{"show device-tracking database", true},
		{"show ip device tracking all", true},
		{"show ip arp", true},
		{"show access-session mac a4bb.6d10.2203 details", true},
		{"show authentication sessions mac a4bb.6d10.2203 details", true},
		{"show authentication sessions mac a4bb.6d10.2203", true},

		{"", false},
		{"configure terminal", false},
		{"conf t", false},
		{"show running-config", false},
		{"terminal width 513", false},
		{"terminal width 080", false},
		{"terminal width -1", false},
		{"terminal length 24", false},
		{"show version | redirect flash:x", false},
		{"show version\nconfigure terminal", false},
		{"show version ", false},
		{"Show version", false},
		{"sh ver", false},
		{"reload", false},
		{"disable", false},
		{"show access-session mac A4BB.6D10.2203 details", false},
		{"show access-session mac a4bb.6d10.2203 details\nreload", false},
		{"show access-session mac a4bb.6d10.22 details", false},
		{"show access-session mac a4bb.6d10.2203", false},
		{"show access-session details", false},
		{"show authentication sessions details", false},
		{"show access-session interface Gi1/0/1 details", false},
		{"clear access-session mac a4bb.6d10.2203", false},
	} {
		if err := Allowed(tc.cmd); (err == nil) != tc.ok {
			t.Errorf("Allowed(%q) = %v, want ok %v", tc.cmd, err, tc.ok)
		}
	}
}

func TestDottedMAC(t *testing.T) {
	for in, want := range map[string]string{
		"a4:bb:6d:10:22:03": "a4bb.6d10.2203",
		"A4:BB:6D:10:22:03": "",
		"a4bb.6d10.2203":    "",
		"":                  "",
	} {
		if got := DottedMAC(in); got != want {
			t.Errorf("DottedMAC(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRefusedNeverReachesTheWire sends commands outside the allow-list
// through the Client and proves, from every byte the emulated switch
// received, that none of them got there.
func TestRefusedNeverReachesTheWire(t *testing.T) {
	srv, cfg := emulated(t, iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), iosemu.ServerConfig{})
	c := dial(t, cfg)
	for _, cmd := range []string{"configure terminal", "reload", "show running-config", "terminal length 24", "show version\nreload"} {
		_, err := c.Run(context.Background(), cmd)
		if reasonOf(t, err) != ReasonRefused {
			t.Errorf("Run(%q): %v, want reason refused", cmd, err)
		}
	}
	// The transport refuses on its own too: a write scrapligo would make
	// outside Client.send never reaches the switch.
	if err := c.t.Write([]byte("configure terminal")); err != errNotAllowed {
		t.Errorf("transport write: %v, want errNotAllowed", err)
	}
	if err := c.t.Write([]byte(testEnable)); err != errNotAllowed {
		t.Errorf("transport write of an unarmed secret: %v, want errNotAllowed", err)
	}
	// The Client still works after refusals.
	if _, err := c.Run(context.Background(), CmdShowVersion); err != nil {
		t.Fatal(err)
	}
	c.Close()
	got := string(srv.Switch().ReceivedBytes())
	for _, bad := range []string{"conf", "reload", "running", "length 24", testEnable} {
		if strings.Contains(got, bad) {
			t.Errorf("the switch received %q: %q", bad, got)
		}
	}
	for _, line := range srv.Switch().Received() {
		if line != "" && Allowed(line) != nil {
			t.Errorf("the switch received %q, not in the allow-list", line)
		}
	}
}

// allowedShape is what every allowed command must look like, written
// independently of Allowed: one line of lower-case words from the list,
// a MAC only where the per-MAC details take one, a width only after
// terminal width.
var allowedShape = regexp.MustCompile(`^(enable|exit|terminal length 0|terminal width (0|[1-9][0-9]{0,2})|show version|show access-session|show authentication sessions|show ip access-lists|show ipv6 access-lists|show device-tracking database|show ip device tracking all|show ip arp|show access-session mac [0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4} details|show authentication sessions mac [0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}( details)?)$`)

func FuzzAllowed(f *testing.F) {
	for _, s := range []string{"show version", "terminal width 512", "show access-session mac a4bb.6d10.2203 details",
		"configure terminal", "show version\nreload", "terminal width 5120", "show ip arp ", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		if Allowed(cmd) != nil {
			return
		}
		if !allowedShape.MatchString(cmd) {
			t.Fatalf("Allowed(%q) accepted a command outside the allow-list's shape", cmd)
		}
		if strings.HasPrefix(cmd, "terminal width ") {
			if n, _ := strconv.Atoi(strings.TrimPrefix(cmd, "terminal width ")); n > MaxTerminalWidth {
				t.Fatalf("Allowed(%q) accepted a width over %d", cmd, MaxTerminalWidth)
			}
		}
	})
}
