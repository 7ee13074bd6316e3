package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/sshd"
)

// switchSSH is the switch's management plane: a real OpenSSH server in the
// switch namespace whose ForceCommand is the IOS CLI emulator (this test
// binary re-executed) reading the switch's profile at every login, and
// again before a command when the lab changed it (the daemon's collector
// keeps its connection open).
type switchSSH struct {
	srv        *sshd.Server
	user       *sshd.User
	profile    string // the emulator's profile file
	received   string // what the emulator received, line by line
	knownHosts string // a known_hosts file for the sensor
	mu         sync.Mutex
	p          iosemu.Profile
}

// startSwitchSSH starts sshd on the switch's management address with the
// emulator serving p.
func (l *lab) startSwitchSSH(p iosemu.Profile) *switchSSH {
	l.t.Helper()
	u := sshd.NewUser(l.t, "")
	// sshd prints "Could not chdir to home directory" into the session
	// of a user without one, which no switch does.
	home, err := user.Lookup(u.Name)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := os.Mkdir(home.HomeDir, 0o700); err != nil {
		l.t.Fatalf("lab: home of %s: %v", u.Name, err)
	}
	l.t.Cleanup(func() { os.RemoveAll(home.HomeDir) })
	if err := os.Chown(home.HomeDir, u.UID, u.GID); err != nil {
		l.t.Fatal(err)
	}
	dir := sshd.SharedDir(l.t)
	exe := sshd.Executable(l.t, dir)
	s := &switchSSH{user: u, profile: filepath.Join(dir, "profile.json"), received: filepath.Join(dir, "received.log"), p: p}
	s.write(l.t)
	sshd.WriteFileFor(l.t, u, s.received, nil)
	s.srv = sshd.Start(l.t, sshd.Config{
		User:         u,
		Password:     true,
		Namespace:    l.sw,
		Addr:         switchMgmt.String(),
		ForceCommand: fmt.Sprintf("%s=iosemu LAB_PROFILE=%s LAB_RECEIVED=%s %s", roleVar, s.profile, s.received, exe),
	})
	s.knownHosts = filepath.Join(l.dir, "known_hosts")
	if err := os.WriteFile(s.knownHosts, []byte(s.srv.KnownHostsLine()+"\n"), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return s
}

// write stores the profile where the emulator reads it at its next login.
func (s *switchSSH) write(t *testing.T) {
	t.Helper()
	b, err := json.MarshalIndent(s.p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	tmp := s.profile + ".tmp"
	sshd.WriteFileFor(t, s.user, tmp, b)
	if err := os.Rename(tmp, s.profile); err != nil {
		t.Fatal(err)
	}
}

// update changes the switch's state (a session's dACL, say) from the next
// command on.
func (s *switchSSH) update(t *testing.T, f func(p *iosemu.Profile)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.p)
	s.write(t)
}

// switchProfile is what the lab's switch shows: a session per endpoint
// (its real MAC and address, the dACL its role starts with, a URL
// redirect for posture unknown) and the listings of every dACL and of the
// redirect ACL, from the same text the nftables rules implement.
func (l *lab) switchProfile(t *testing.T, dacls map[string]*dacl) iosemu.Profile {
	p := iosemu.Profile{Hostname: switchName, Release: iosemu.ReleaseIOSXE}
	for i, e := range l.endpoints {
		p.Sessions = append(p.Sessions, l.session(e, roles[i], dacls[roles[i].dacl]))
	}
	var b strings.Builder
	b.WriteString(listing(redirectACL, false, redirectText(t)))
	for _, base := range []string{daclBranch, daclContractor, daclEmployee, daclRedirect} {
		b.WriteString(listing(dacls[base].full, true, dacls[base].text))
	}
	p.ACLs = b.String()
	return p
}

// session is the switch's session of an endpoint under a dACL.
func (l *lab) session(e *endpoint, r role, d *dacl) iosemu.Session {
	s := iosemu.Session{
		Interface: e.ifname,
		MAC:       e.mac.String(),
		IPv4:      e.addr.String(),
		User:      "host/" + e.name + ".lab.invalid",
		Domain:    "DATA",
		Method:    "dot1x",
		SessionID: fmt.Sprintf("0A440001000000%02X5F1E00%02X", indexOf(l, e)+1, e.vlan),
		DACL:      d.full,
		VLAN:      fmt.Sprint(e.vlan),
	}
	if r.redirect {
		s.URLRedirectACL = redirectACL
		s.URLRedirect = "https://10.67.1.11:8443/portal/gateway?sessionId=" + s.SessionID + "&portal=27b1bc30&action=cpp&token=5c7a2e0d"
	}
	return s
}

// transcriptCommands are what the sensor reads from the switch, as the
// README says to save them.
var transcriptCommands = []string{"terminal length 0", "show access-session details", "show ip access-lists", "show device-tracking database"}

// transcript logs in to the switch over SSH from the sensor namespace,
// runs the commands one prompt at a time and returns the terminal log.
func (l *lab) transcript(ctx context.Context, s *switchSSH) (string, error) {
	cb, err := knownhosts.New(s.knownHosts)
	if err != nil {
		return "", err
	}
	var conn net.Conn
	if err := l.sensor.Do(func() error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", s.srv.Addr())
		conn = c
		return err
	}); err != nil {
		return "", fmt.Errorf("ssh to the switch: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	cc, chans, reqs, err := ssh.NewClientConn(conn, s.srv.Addr(), &ssh.ClientConfig{
		User: s.user.Name, Auth: []ssh.AuthMethod{ssh.Password(s.user.Password)}, HostKeyCallback: cb,
	})
	if err != nil {
		return "", fmt.Errorf("ssh to the switch: %w", err)
	}
	c := ssh.NewClient(cc, chans, reqs)
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	if err := sess.RequestPty("vt100", 24, 200, ssh.TerminalModes{}); err != nil {
		return "", err
	}
	in, err := sess.StdinPipe()
	if err != nil {
		return "", err
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := sess.Shell(); err != nil {
		return "", err
	}
	var mu sync.Mutex
	var buf bytes.Buffer
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := out.Read(b)
			mu.Lock()
			buf.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	prompt := switchName + "#"
	waitPrompt := func(count int) error {
		for {
			mu.Lock()
			n := strings.Count(buf.String(), prompt)
			mu.Unlock()
			if n >= count {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("switch prompt %d not seen: %w", count, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	if err := waitPrompt(1); err != nil {
		return "", err
	}
	for i, cmd := range transcriptCommands {
		if _, err := io.WriteString(in, cmd+"\r"); err != nil {
			return "", err
		}
		if err := waitPrompt(i + 2); err != nil {
			return "", err
		}
	}
	io.WriteString(in, "exit\r")
	_ = sess.Wait()
	mu.Lock()
	defer mu.Unlock()
	return strings.ReplaceAll(buf.String(), "\r\n", "\n"), nil
}
