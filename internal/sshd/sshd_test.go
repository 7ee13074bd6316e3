package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/syncwatch/syncwatch/internal/netns"
)

func run(t *testing.T, s *Server, user string, auth ssh.AuthMethod) (string, error) {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(s.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(kh)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ssh.Dial("tcp", s.Addr(), &ssh.ClientConfig{User: user, Auth: []ssh.AuthMethod{auth}, HostKeyCallback: cb, Timeout: 5 * time.Second})
	if err != nil {
		return "", err
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	out, err := sess.Output("anything the client asks for")
	return string(out), err
}

func TestServerAuthMethodsAndForceCommand(t *testing.T) {
	u := NewUser(t, "")
	_, clientKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}
	s := Start(t, Config{
		User: u, ForceCommand: "echo forced-$USER", Password: true, KeyboardInteractive: true,
		AuthorizedKeys: []ssh.PublicKey{signer.PublicKey()},
	})
	kbd := ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
		ans := make([]string, len(qs))
		for i := range ans {
			ans[i] = u.Password
		}
		return ans, nil
	})
	for _, tc := range []struct {
		name string
		auth ssh.AuthMethod
	}{
		{"password", ssh.Password(u.Password)},
		{"keyboard-interactive", kbd},
		{"public key", ssh.PublicKeys(signer)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, s, u.Name, tc.auth)
			if err != nil {
				t.Fatalf("%v\n%s", err, s.Log())
			}
			if want := "forced-" + u.Name + "\n"; out != want {
				t.Errorf("output %q, want %q", out, want)
			}
		})
	}
	if _, err := run(t, s, u.Name, ssh.Password("wrong")); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("wrong password: err = %v, want an authentication failure", err)
	}
}

// TestServerInNamespace runs sshd inside a network namespace, on the
// namespace's own loopback, reached only from inside it.
func TestServerInNamespace(t *testing.T) {
	ns := netns.New(t, "sshd")
	u := NewUser(t, "")
	s := Start(t, Config{User: u, ForceCommand: "echo in-namespace", Password: true, Namespace: ns, Addr: "127.0.0.1:2222"})
	var conn net.Conn
	if err := ns.Do(func() error {
		var err error
		conn, err = net.DialTimeout("tcp", s.Addr(), 5*time.Second)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sc, chans, reqs, err := ssh.NewClientConn(conn, s.Addr(), &ssh.ClientConfig{
		User: u.Name, Auth: []ssh.AuthMethod{ssh.Password(u.Password)}, HostKeyCallback: ssh.FixedHostKey(s.HostKey()),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
	c := ssh.NewClient(sc, chans, reqs)
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	out, err := sess.Output("")
	if err != nil || string(out) != "in-namespace\n" {
		t.Errorf("output %q, %v", out, err)
	}
	// The host's own loopback has no such server.
	if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		c.Close()
		t.Log("something else listens on 127.0.0.1:2222 on the host; the namespace's sshd was reached from inside")
	}
}
