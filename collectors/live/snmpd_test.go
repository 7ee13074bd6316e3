package live

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ios"
	"github.com/syncwatch/syncwatch/collectors/snmp"
	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/testenv"
)

// Credentials of the test agent.
const (
	snmpCommunity = "c0mmunity-s3cret"
	snmpUser      = "syncwatch"
	snmpAuthPass  = "auth-s3cret-pass"
	snmpPrivPass  = "priv-s3cret-pass"
)

// snmpAgent is Debian's snmpd on a loopback port serving an emulated
// switch's sessions as CISCO-AUTH-FRAMEWORK-MIB rows (override
// directives; rewritten and restarted to change them).
type snmpAgent struct {
	t    *testing.T
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  *testenv.Buffer
}

func startSNMPD(t *testing.T, sessions []iosemu.Session) *snmpAgent {
	t.Helper()
	testenv.Root(t)
	testenv.Command(t, "snmpd")
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := c.LocalAddr().(*net.UDPAddr).Port
	c.Close()
	a := &snmpAgent{t: t, dir: t.TempDir(), port: port, log: &testenv.Buffer{}}
	a.serve(sessions)
	t.Cleanup(func() {
		a.stop()
		if t.Failed() {
			t.Logf("snmpd:\n%s", a.log)
		}
	})
	return a
}

// rows renders sessions as override lines: ifIndex 10000+port, the
// session ID's octets as the index, MAC, IPv4, status, domain; ifName.
func rows(sessions []iosemu.Session) []string {
	var out []string
	seen := map[int]bool{}
	for _, s := range sessions {
		port, _ := strconv.Atoi(s.Interface[strings.LastIndexByte(s.Interface, '/')+1:])
		ifIndex := 10000 + port
		idx := strconv.Itoa(ifIndex)
		for i := 0; i < len(s.SessionID); i++ {
			idx += "." + strconv.Itoa(int(s.SessionID[i]))
		}
		col := func(n int) string { return fmt.Sprintf(".1.3.6.1.4.1.9.9.656.1.4.1.1.%d.%s", n, idx) }
		m, _ := ios.NormalizeMAC(s.MAC)
		out = append(out, col(2)+" octet_str 0x"+strings.ReplaceAll(m, ":", ""))
		if s.IPv4 != "" {
			a := netip.MustParseAddr(s.IPv4).As4()
			out = append(out, col(3)+" integer 1", col(4)+fmt.Sprintf(" octet_str 0x%02x%02x%02x%02x", a[0], a[1], a[2], a[3]))
		}
		domain := 2
		if s.Domain == "VOICE" {
			domain = 3
		}
		out = append(out, col(5)+" integer 6", col(6)+" integer "+strconv.Itoa(domain))
		if !seen[ifIndex] {
			seen[ifIndex] = true
			out = append(out, fmt.Sprintf(".1.3.6.1.2.1.31.1.1.1.1.%d octet_str %q", ifIndex, "Gi1/0/"+strconv.Itoa(port)))
		}
	}
	return out
}

// serve (re)starts snmpd with the sessions (its engine ID kept in its
// state folder, its boots counter incremented, as a switch reload does).
func (a *snmpAgent) serve(sessions []iosemu.Session) {
	a.t.Helper()
	var conf strings.Builder
	fmt.Fprintf(&conf, "rocommunity %s 127.0.0.1\ncreateUser %s SHA-256 %q AES %q\nrouser %s priv\n", snmpCommunity, snmpUser, snmpAuthPass, snmpPrivPass, snmpUser)
	fmt.Fprintf(&conf, "override .1.3.6.1.4.1.9.9.656.1.1.3.0 integer 1\n")
	for _, r := range rows(sessions) {
		conf.WriteString("override " + r + "\n")
	}
	path := filepath.Join(a.dir, "snmpd.conf")
	if err := os.WriteFile(path, []byte(conf.String()), 0o600); err != nil {
		a.t.Fatal(err)
	}
	a.stop()
	a.cmd = exec.Command("snmpd", "-f", "-Lo", "-C", "-c", path, "-I", "-ifXTable,ipNetToPhysicalTable,inetNetToMediaTable",
		fmt.Sprintf("udp:127.0.0.1:%d", a.port))
	a.cmd.Env = append(os.Environ(), "SNMP_PERSISTENT_DIR="+filepath.Join(a.dir, "state"), "MIBS=")
	a.cmd.Stdout, a.cmd.Stderr = a.log, a.log
	if err := a.cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	a.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(a.cmd, a.done)
	a.wait(sessions)
}

// wait waits until snmpd serves exactly the sessions.
func (a *snmpAgent) wait(sessions []iosemu.Session) {
	a.t.Helper()
	for i := 0; i < 100; i++ {
		r, err := snmp.Sessions(context.Background(), snmp.Config{Address: "127.0.0.1", Port: a.port, Version: "2c",
			Community: snmpCommunity, Timeout: 200 * time.Millisecond, Retries: -1})
		if err == nil && len(r.Sessions) == len(sessions) {
			same := true
			for j, s := range r.Sessions {
				same = same && s.SessionID == sessions[j].SessionID
			}
			if same {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.t.Fatalf("snmpd did not serve the sessions:\n%s", a.log)
}

func (a *snmpAgent) stop() {
	if a.cmd == nil {
		return
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(5 * time.Second):
		a.cmd.Process.Kill()
		<-a.done
	}
	a.cmd = nil
}

// TestSNMPChangeDetection: with SNMP, an unchanged session table costs
// no SSH command at all, a re-authenticated session costs its details
// (and the ACLs for its new dACL version), a session gone costs nothing.
// The agent restarts at each change (v3: new engine boots), which the
// collector rides over without falling back to SSH.
func TestSNMPChangeDetection(t *testing.T) {
	for _, version := range []string{"2c", "3"} {
		t.Run("v"+version, func(t *testing.T) {
			p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 6)
			agent := startSNMPD(t, p.Sessions)
			l := newLab(t)
			srv := l.add(p, iosemu.ServerConfig{})
			sws := l.switches(nil)
			sws[0].SNMP = func() (snmp.Config, error) {
				c := snmp.Config{Address: "127.0.0.1", Port: agent.port, Version: version, Timeout: time.Second}
				if version == "2c" {
					c.Community = snmpCommunity
				} else {
					c.User, c.AuthProto, c.AuthPass, c.PrivProto, c.PrivPass = snmpUser, "SHA-256", snmpAuthPass, "AES-128", snmpPrivPass
				}
				return c, nil
			}
			inv := collectors.NewInventory()
			reg := prometheus.NewPedanticRegistry()
			c, err := New(Config{Switches: sws}, inv, reg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			if err := c.PollOnce(ctx); err != nil {
				t.Fatal(err)
			}
			pl := c.byName["sw1"]

			mark := len(srv.Switch().Received())
			if err := pl.poll(ctx, false); err != nil {
				t.Fatal(err)
			}
			if got := received(srv, mark); len(got) != 0 {
				t.Errorf("unchanged table: SSH sent %q, want nothing", got)
			}
			if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "snmp", "ok")); got != 1 {
				t.Fatalf("snmp polls ok %v, want 1; errors: %v", got, testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "snmp", "error")))
			}

			// Re-authentication of session 2 with a new dACL version.
			var mac string
			srv.Switch().Update(func(pr *iosemu.Profile) {
				ss := append([]iosemu.Session(nil), pr.Sessions...)
				ss[2].SessionID = "0A0114020000FFFF00000002"
				ss[2].DACL = "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22"
				mac = ss[2].MAC
				pr.Sessions = ss
				pr.ACLs += "Extended IP access list xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22 (per-user)\n    10 deny tcp any host 10.0.0.11 eq 8449\n    20 permit ip any any\n"
				agent.serve(ss)
			})
			mark = len(srv.Switch().Received())
			if err := pl.poll(ctx, false); err != nil {
				t.Fatal(err)
			}
			want := []string{"show access-session mac " + mac + " details", "show ip access-lists", "show ipv6 access-lists"}
			if got := received(srv, mark); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("after a re-authentication SSH sent\n%q\nwant\n%q", got, want)
			}
			sw := inv.Snapshot().Switch("sw1")
			found := false
			for _, s := range sw.Sessions {
				if s.SessionID == "0A0114020000FFFF00000002" {
					found = s.DACL == "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22" && !s.AuthzChangedAt.IsZero()
				}
			}
			if !found || len(sw.Sessions) != 6 {
				t.Errorf("inventory after the re-authentication: %d sessions, new one found %v", len(sw.Sessions), found)
			}

			// Session 4 leaves.
			srv.Switch().Update(func(pr *iosemu.Profile) {
				ss := append(append([]iosemu.Session(nil), pr.Sessions[:4]...), pr.Sessions[5:]...)
				pr.Sessions = ss
				agent.serve(ss)
			})
			mark = len(srv.Switch().Received())
			if err := pl.poll(ctx, false); err != nil {
				t.Fatal(err)
			}
			if got := received(srv, mark); len(got) != 0 {
				t.Errorf("a session gone: SSH sent %q, want nothing", got)
			}
			if n := len(inv.Snapshot().Switch("sw1").Sessions); n != 5 {
				t.Errorf("%d sessions, want 5", n)
			}
			if got := testutil.ToFloat64(c.m.polls.WithLabelValues("sw1", "snmp", "ok")); got != 3 {
				t.Errorf("snmp polls ok %v, want 3", got)
			}
		})
	}
}
