// Package sshd runs a real OpenSSH server (Debian's openssh-server) for
// tests: its own sshd_config, host key and authorized keys in a temporary
// folder, a throwaway system user with a password, a ForceCommand (the
// test binary re-executed as an emulated switch, typically), listening on a
// free loopback port or inside a network namespace the test created. All of
// it (process, user, files) is removed when the test ends.
//
// It needs root and sshd, useradd, userdel and chpasswd; through
// internal/testenv the tests skip without them on a developer's machine and
// fail in CI. It never touches the host's own sshd or its configuration.
package sshd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/syncwatch/syncwatch/internal/netns"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// StartTimeout bounds the wait for sshd to answer on its port.
const StartTimeout = 10 * time.Second

// UserPrefix starts the name of every user this package creates.
const UserPrefix = "swt"

// User is a throwaway system user, deleted when the test ends.
type User struct {
	Name     string
	Password string
	UID, GID int
}

// NewUser creates a system user with a random name and the password (a
// random one when empty), without a home directory, and deletes it when
// the test ends.
func NewUser(t testing.TB, password string) *User {
	t.Helper()
	testenv.Root(t)
	testenv.Command(t, "useradd", "userdel", "chpasswd")
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatalf("sshd: random name: %v", err)
	}
	if password == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			t.Fatalf("sshd: random password: %v", err)
		}
		password = hex.EncodeToString(b)
	}
	u := &User{Name: UserPrefix + hex.EncodeToString(suffix), Password: password}
	if out, err := exec.Command("useradd", "--system", "--no-create-home", "--shell", "/bin/sh", u.Name).CombinedOutput(); err != nil {
		t.Fatalf("sshd: useradd %s: %v: %s", u.Name, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("userdel", "--force", u.Name).CombinedOutput(); err != nil {
			t.Errorf("sshd: userdel %s: %v: %s", u.Name, err, out)
		}
	})
	cmd := exec.Command("chpasswd")
	cmd.Stdin = strings.NewReader(u.Name + ":" + password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sshd: chpasswd %s: %v: %s", u.Name, err, out)
	}
	out, err := exec.Command("id", "-u", u.Name).Output()
	if err != nil {
		t.Fatalf("sshd: id -u %s: %v", u.Name, err)
	}
	u.UID, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	out, err = exec.Command("id", "-g", u.Name).Output()
	if err != nil {
		t.Fatalf("sshd: id -g %s: %v", u.Name, err)
	}
	u.GID, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	return u
}

// Config says how to run one sshd.
type Config struct {
	// User is the only user allowed in (AllowUsers).
	User *User
	// ForceCommand is run (by /bin/sh -c, as sshd does) for every
	// session, whatever the client asks for.
	ForceCommand string
	// AuthorizedKeys are accepted for public-key authentication.
	AuthorizedKeys []ssh.PublicKey
	// Password and KeyboardInteractive turn those methods on (through
	// PAM for keyboard-interactive).
	Password, KeyboardInteractive bool
	// HostKey is the server's key; a new ed25519 key when nil.
	HostKey ed25519.PrivateKey
	// Namespace, when set, runs sshd inside it, listening on Addr there.
	Namespace *netns.Namespace
	// Addr is the address to listen on: 127.0.0.1 and a free port when
	// empty (outside a namespace); inside a namespace an IP address of
	// it, port 22 when none is given.
	Addr string
	// Extra lines are appended to sshd_config.
	Extra []string
}

// Server is a running sshd.
type Server struct {
	// Dir holds the configuration, keys and log; readable by the user.
	Dir     string
	addr    string
	hostKey ssh.PublicKey
	cmd     *exec.Cmd
	log     *bytes.Buffer
	mu      sync.Mutex
	done    chan struct{}
}

// SharedDir returns a new folder that a throwaway user can traverse and
// read (t.TempDir's parents are private to root), removed when the test
// ends.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "syncwatch-sshd-")
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Start runs sshd with c until the test ends.
func Start(t testing.TB, c Config) *Server {
	t.Helper()
	testenv.Root(t)
	bin := testenv.Command(t, "sshd")
	if c.User == nil {
		t.Fatal("sshd: Config.User is required")
	}
	// Privilege separation needs its empty, root-owned folder.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	s := &Server{Dir: SharedDir(t), log: &bytes.Buffer{}, done: make(chan struct{})}

	if c.HostKey == nil {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatalf("sshd: host key: %v", err)
		}
		c.HostKey = k
	}
	block, err := ssh.MarshalPrivateKey(c.HostKey, "")
	if err != nil {
		t.Fatalf("sshd: host key: %v", err)
	}
	keyPath := filepath.Join(s.Dir, "ssh_host_ed25519_key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	pub, err := ssh.NewPublicKey(c.HostKey.Public())
	if err != nil {
		t.Fatalf("sshd: host key: %v", err)
	}
	s.hostKey = pub

	var ak bytes.Buffer
	for _, k := range c.AuthorizedKeys {
		ak.Write(ssh.MarshalAuthorizedKey(k))
	}
	akPath := filepath.Join(s.Dir, "authorized_keys")
	if err := os.WriteFile(akPath, ak.Bytes(), 0o644); err != nil {
		t.Fatalf("sshd: %v", err)
	}

	addr := c.Addr
	if addr == "" {
		if c.Namespace != nil {
			t.Fatal("sshd: Config.Addr is required inside a namespace")
		}
		addr = freePort(t)
	} else if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "22")
	}
	s.addr = addr

	yesNo := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	lines := []string{
		"ListenAddress " + addr,
		"HostKey " + keyPath,
		"PidFile none",
		"StrictModes no",
		"UsePAM " + yesNo(c.KeyboardInteractive),
		"PasswordAuthentication " + yesNo(c.Password),
		"KbdInteractiveAuthentication " + yesNo(c.KeyboardInteractive),
		"PubkeyAuthentication yes",
		"AuthorizedKeysFile " + akPath,
		"PermitRootLogin no",
		"AllowUsers " + c.User.Name,
		"PermitEmptyPasswords no",
		"X11Forwarding no",
		"AllowTcpForwarding no",
		"AllowAgentForwarding no",
		"PrintMotd no",
		"PrintLastLog no",
		"UseDNS no",
		"MaxStartups 200:30:400",
		"MaxAuthTries 6",
		"LoginGraceTime 30",
		"LogLevel VERBOSE",
		"Subsystem sftp none",
	}
	if c.ForceCommand != "" {
		lines = append(lines, "ForceCommand "+c.ForceCommand)
	}
	lines = append(lines, c.Extra...)
	cfgPath := filepath.Join(s.Dir, "sshd_config")
	if err := os.WriteFile(cfgPath, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	if out, err := exec.Command(bin, "-t", "-f", cfgPath).CombinedOutput(); err != nil {
		t.Fatalf("sshd -t: %v: %s", err, out)
	}

	args := []string{bin, "-D", "-e", "-f", cfgPath}
	if c.Namespace != nil {
		args = append([]string{"ip", "netns", "exec", c.Namespace.Name}, args...)
	}
	s.cmd = exec.Command(args[0], args[1:]...)
	w := &lockedWriter{mu: &s.mu, b: s.log}
	s.cmd.Stdout, s.cmd.Stderr = w, w
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.Log())
		}
	})
	if c.Namespace != nil {
		err = c.Namespace.Do(func() error { return s.waitReady() })
	} else {
		err = s.waitReady()
	}
	if err != nil {
		t.Fatalf("sshd: %v\n%s", err, s.Log())
	}
	return s
}

// waitReady waits until sshd sends its version banner.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(StartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("sshd exited at start")
		default:
		}
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 4)
			_, err = io.ReadFull(c, buf)
			c.Close()
			if err == nil && string(buf) == "SSH-" {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no SSH banner on %s within %s", s.addr, StartTimeout)
}

// Addr returns the address sshd listens on ("127.0.0.1:PORT").
func (s *Server) Addr() string { return s.addr }

// Host returns the address's host part.
func (s *Server) Host() string {
	h, _, _ := net.SplitHostPort(s.addr)
	return h
}

// Port returns the address's port.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// HostKey returns the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey }

// KnownHostsLine returns the known_hosts line for the server.
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey)
}

// Log returns what sshd logged so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Stop ends sshd (and, as sshd does, leaves its session processes to end
// with their connections); it is called when the test ends.
func (s *Server) Stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// freePort returns 127.0.0.1 with a port free now.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("sshd: free port: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// Executable copies the running test binary into a folder the throwaway
// user can execute from, for a ForceCommand that re-executes it.
func Executable(t testing.TB, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	defer src.Close()
	dst := filepath.Join(dir, filepath.Base(self))
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatalf("sshd: %v", err)
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		t.Fatalf("sshd: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	return dst
}

// WriteFileFor writes a file in dir owned by the user (so that a
// ForceCommand running as the user can read and write it).
func WriteFileFor(t testing.TB, u *User, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("sshd: %v", err)
	}
	if err := os.Chown(path, u.UID, u.GID); err != nil {
		t.Fatalf("sshd: %v", err)
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len() > 1<<20 {
		return len(p), nil
	}
	return w.b.Write(p)
}
