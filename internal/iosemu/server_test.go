package iosemu

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func TestServerAuth(t *testing.T) {
	clientKey, err := NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	otherKey, _ := NewHostKey()
	tests := []struct {
		name string
		cfg  ServerConfig
		auth ssh.AuthMethod
		ok   bool
	}{
		{"password", ServerConfig{User: "u", Password: "pw"}, ssh.Password("pw"), true},
		{"wrong password", ServerConfig{User: "u", Password: "pw"}, ssh.Password("nope"), false},
		{"keyboard-interactive", ServerConfig{User: "u", Password: "pw", KeyboardInteractive: true}, ssh.KeyboardInteractive(answer("pw")), true},
		{"password where keyboard-interactive is asked", ServerConfig{User: "u", Password: "pw", KeyboardInteractive: true}, ssh.Password("pw"), false},
		{"key", ServerConfig{User: "u", AuthorizedKey: clientKey.PublicKey()}, ssh.PublicKeys(clientKey), true},
		{"other key", ServerConfig{User: "u", AuthorizedKey: clientKey.PublicKey()}, ssh.PublicKeys(otherKey), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := Listen("127.0.0.1:0", NewSwitch(Campus("sw1", ReleaseIOSXE, 2)), tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			c, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{
				User: "u", Auth: []ssh.AuthMethod{tc.auth}, HostKeyCallback: ssh.FixedHostKey(srv.HostKey()), Timeout: 5 * time.Second,
			})
			if (err == nil) != tc.ok {
				t.Fatalf("dial: %v, want ok %v", err, tc.ok)
			}
			if err != nil {
				return
			}
			defer c.Close()
			out := shell(t, c, "terminal length 0\nshow version\nexit\n")
			if !strings.Contains(out, "sw1 uptime is") || !strings.HasSuffix(out, "sw1#exit\r\n") {
				t.Errorf("shell output %q", out)
			}
		})
	}
}

func answer(pw string) ssh.KeyboardInteractiveChallenge {
	return func(_, _ string, qs []string, _ []bool) ([]string, error) {
		a := make([]string, len(qs))
		for i := range a {
			a[i] = pw
		}
		return a, nil
	}
}

// shell runs input through an interactive shell and returns the output.
func shell(t *testing.T, c *ssh.Client, input string) string {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s.Stdout = &out
	s.Stdin = strings.NewReader(input)
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(); err != nil && err != io.EOF {
		t.Logf("wait: %v", err)
	}
	return out.String()
}

func TestServerResetAndDrop(t *testing.T) {
	p := Campus("sw1", ReleaseIOSXE, 2)
	p.Faults = []Fault{{Command: "show version", Kind: FaultReset, AfterBytes: 5}}
	srv, err := Listen("127.0.0.1:0", NewSwitch(p), ServerConfig{User: "u", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{User: "u", Auth: []ssh.AuthMethod{ssh.Password("pw")}, HostKeyCallback: ssh.FixedHostKey(srv.HostKey())})
	if err != nil {
		t.Fatal(err)
	}
	out := shell(t, c, "show version\n")
	if !strings.HasSuffix(out, "show version\r\nCisco") {
		t.Errorf("output before the reset %q", out)
	}
	if err := c.Wait(); err == nil || !strings.Contains(err.Error(), "reset") && !strings.Contains(err.Error(), "EOF") {
		t.Logf("connection ended with %v", err)
	}
	if srv.Accepted() != 1 {
		t.Errorf("%d accepted", srv.Accepted())
	}
	if line := srv.KnownHostsLine(); !strings.HasPrefix(line, "[127.0.0.1]:") || !strings.Contains(line, "ssh-ed25519 ") {
		t.Errorf("known_hosts line %q", line)
	}
}
