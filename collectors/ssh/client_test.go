package ssh

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

const (
	testUser     = "syncwatch"
	testPassword = "s3cret-Passw0rd"
	testEnable   = "En4ble-s3cret"
)

// emulated starts an emulated switch behind the in-process SSH server and
// returns it with a Config that reaches it (known_hosts holding its key).
func emulated(t *testing.T, p iosemu.Profile, sc iosemu.ServerConfig) (*iosemu.Server, Config) {
	t.Helper()
	if sc.User == "" {
		sc.User = testUser
	}
	if sc.Password == "" && sc.AuthorizedKey == nil {
		sc.Password = testPassword
	}
	srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(p), sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(srv.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := NewKnownHosts(kh, HostKeyStrict)
	if err != nil {
		t.Fatal(err)
	}
	host, port := splitAddr(t, srv.Addr())
	return srv, Config{
		Name: p.Hostname, Address: host, Port: port, Platform: PlatformIOSXE,
		Username: testUser, Password: testPassword, KnownHosts: k,
		ConnectTimeout: 5 * time.Second, HandshakeTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second,
	}
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	i := strings.LastIndexByte(addr, ':')
	var port int
	for _, c := range addr[i+1:] {
		port = port*10 + int(c-'0')
	}
	return addr[:i], port
}

func dial(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dialFails dials cfg, which must fail for reason, and returns the error.
func dialFails(t *testing.T, cfg Config, reason Reason) error {
	t.Helper()
	c, err := Dial(context.Background(), cfg)
	if err == nil {
		c.Close()
		t.Fatal("Dial succeeded")
	}
	if r := reasonOf(t, err); r != reason {
		t.Errorf("reason %s, want %s (%v)", r, reason, err)
	}
	return err
}

func reasonOf(t *testing.T, err error) Reason {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	return e.Reason
}

func TestClientReadsSwitch(t *testing.T) {
	p := iosemu.Campus("access-sw1", iosemu.ReleaseIOSXE, 3)
	p.Banner = "RESTRICTED>\nlab-switch#\nAuthorized access only"
	p.EnableSecret = testEnable
	srv, cfg := emulated(t, p, iosemu.ServerConfig{})
	cfg.EnableSecret = testEnable
	c := dial(t, cfg)
	if got := c.Hostname(); got != "access-sw1" {
		t.Errorf("hostname %q", got)
	}
	if v := c.Version(); v.Platform != "ios-xe" {
		t.Errorf("version %+v", v)
	}
	c.StartTranscript()
	sum, err := c.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Result.Summary) != 3 {
		t.Fatalf("summary: %d rows: %q", len(sum.Result.Summary), sum.Text)
	}
	d, err := c.Details(context.Background(), sum.Result.Summary[1].MAC)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Result.Sessions) != 1 || d.Result.Sessions[0].SessionID != sum.Result.Summary[1].SessionID {
		t.Fatalf("details: %+v", d.Result.Sessions)
	}
	acls, err := c.ACLs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(acls) != 2 || len(acls[0].Result.ACLs) != 4 || len(acls[1].Result.ACLs) != 1 {
		t.Fatalf("acls: %+v", acls)
	}
	tr := c.Transcript()
	if strings.Contains(tr, testEnable) || strings.Contains(tr, testPassword) {
		t.Errorf("transcript holds a secret:\n%s", tr)
	}
	for _, want := range []string{"access-sw1#show version\n", "access-sw1#show access-session\n", "access-sw1#show ip access-lists\n"} {
		if !strings.Contains(tr, want) {
			t.Errorf("transcript lacks %q:\n%s", want, tr)
		}
	}
	c.Close()
	want := []string{"", "", "enable", testEnable, "terminal length 0", "terminal width 512", "show version",
		"show access-session", "show access-session mac " + DottedMAC(sum.Result.Summary[1].MAC) + " details",
		"show ip access-lists", "show ipv6 access-lists", "exit"}
	waitFor(t, func() bool { return len(srv.Switch().Received()) >= len(want) })
	if got := srv.Switch().Received(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("switch received\n%q\nwant\n%q", got, want)
	}
}

func waitFor(t *testing.T, f func() bool) {
	t.Helper()
	for i := 0; i < 200 && !f(); i++ {
		time.Sleep(10 * time.Millisecond)
	}
}
