package ssh

import (
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

// TestKnownHostsDefaultPort checks a switch on port 22, whose known_hosts
// line has no port (as ssh-keyscan and OpenSSH write it), and one on
// another port ([host]:port): each key matches its own line only, and
// trust-on-first-use records port 22's without a port.
func TestKnownHostsDefaultPort(t *testing.T) {
	signer, err := iosemu.NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	other, err := iosemu.NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	key, otherKey := signer.PublicKey(), other.PublicKey()
	remote := &net.TCPAddr{IP: net.ParseIP("10.68.0.1"), Port: 22}
	path := filepath.Join(t.TempDir(), "known_hosts")
	lines := knownhosts.Line([]string{"10.68.0.1"}, key) + "\n" + knownhosts.Line([]string{"[10.68.0.1]:2222"}, otherKey) + "\n"
	if err := os.WriteFile(path, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := NewKnownHosts(path, HostKeyStrict)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr   string
		key    ssh.PublicKey
		reason Reason
	}{
		{"10.68.0.1:22", key, ""},
		{"10.68.0.1:2222", otherKey, ""},
		{"10.68.0.1:22", otherKey, ReasonHostKeyChanged},
		{"10.68.0.1:2222", key, ReasonHostKeyChanged},
		{"10.68.0.2:22", key, ReasonHostKeyUnknown},
	} {
		err := k.check(tc.addr, remote, tc.key)
		var reason Reason
		if he, ok := err.(*hostKeyError); ok {
			reason = he.reason
		} else if err != nil {
			t.Errorf("%s: %v", tc.addr, err)
			continue
		}
		if reason != tc.reason {
			t.Errorf("%s: reason %q (%v), want %q", tc.addr, reason, err, tc.reason)
		}
	}

	tofuPath := filepath.Join(t.TempDir(), "known_hosts")
	tofu, err := NewKnownHosts(tofuPath, HostKeyTOFU)
	if err != nil {
		t.Fatal(err)
	}
	if err := tofu.check("10.68.0.1:22", remote, key); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := tofu.check("10.68.0.1:22", remote, key); err != nil {
		t.Fatalf("second use: %v", err)
	}
	b, _ := os.ReadFile(tofuPath)
	if want := knownhosts.Line([]string{"10.68.0.1"}, key) + "\n"; string(b) != want {
		t.Errorf("recorded %q, want %q", b, want)
	}
}
