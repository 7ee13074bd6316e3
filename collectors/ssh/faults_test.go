package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/syncwatch/syncwatch/internal/iosemu"
)

func TestDialErrors(t *testing.T) {
	// A device that accepts TCP and never speaks SSH.
	mute, err := iosemu.ListenMute("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer mute.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	enable := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1)
	enable.EnableSecret = testEnable
	login := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1)
	login.Faults = []iosemu.Fault{{Kind: iosemu.FaultSilent}}
	// Not a switch: a Linux shell's prompt, which no IOS prompt pattern
	// takes.
	shell := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1)
	shell.Banner = "Last login: Fri Dec  4 06:14:12 2026 from 10.9.9.9\nnetops@jumphost:~$ "
	shell.Faults = []iosemu.Fault{{Kind: iosemu.FaultStall, AfterBytes: 1000}}

	for _, tc := range []struct {
		name    string
		profile iosemu.Profile
		edit    func(*Config)
		reason  Reason
		msg     string
	}{
		{"wrong password", iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), func(c *Config) { c.Password = "wrong-password" }, ReasonAuth, "user syncwatch: credentials refused"},
		{"wrong user", iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), func(c *Config) { c.Username = "other" }, ReasonAuth, "user other"},
		{"never speaks SSH", iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), func(c *Config) {
			c.Address, c.Port = splitAddr(t, mute.Addr())
			c.HandshakeTimeout = 300 * time.Millisecond
		}, ReasonHandshakeTimeout, "no SSH handshake within 300ms"},
		{"nothing listens", iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), func(c *Config) { c.Address, c.Port = splitAddr(t, closedAddr) }, ReasonConnect, "connection refused"},
		{"no enable secret", enable, func(c *Config) {}, ReasonEnable, "lands in user mode (sw1>) and no enable secret"},
		{"wrong enable secret", enable, func(c *Config) { c.EnableSecret = "wrong-enable" }, ReasonEnable, "refused the enable secret"},
		{"silent after login", login, func(c *Config) { c.CommandTimeout = 300 * time.Millisecond }, ReasonCommandTimeout, "login: command-timeout: no prompt within 300ms"},
		{"a shell, not a switch", shell, func(c *Config) { c.CommandTimeout = 300 * time.Millisecond }, ReasonCommandTimeout,
			`login: command-timeout: no prompt within 300ms; the device last printed "netops@jumphost:~$"`},
		{"platform", iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1), func(c *Config) { c.Platform = "https://example.com/x.yaml" }, ReasonConfig, "not supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg := emulated(t, tc.profile, iosemu.ServerConfig{})
			tc.edit(&cfg)
			err := dialFails(t, cfg, tc.reason)
			if !strings.Contains(err.Error(), tc.msg) || !strings.HasPrefix(err.Error(), "switch sw1: ") {
				t.Errorf("error %q, want it to name the switch and say %q", err, tc.msg)
			}
			for _, s := range []string{testPassword, testEnable, "wrong-password", "wrong-enable"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q holds a secret", err)
				}
			}
		})
	}
}

func TestCommandFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  iosemu.Fault
		reason Reason
	}{
		{"stops mid-output", iosemu.Fault{Command: "show ip access-lists", Kind: iosemu.FaultStall, AfterBytes: 60}, ReasonCommandTimeout},
		{"reset connection", iosemu.Fault{Command: "show ip access-lists", Kind: iosemu.FaultReset, AfterBytes: 60}, ReasonDisconnected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2)
			p.Faults = []iosemu.Fault{tc.fault}
			_, cfg := emulated(t, p, iosemu.ServerConfig{})
			cfg.CommandTimeout = 300 * time.Millisecond
			c := dial(t, cfg)
			if _, err := c.Summary(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, err := c.ACLs(context.Background())
			if r := reasonOf(t, err); r != tc.reason {
				t.Errorf("reason %s, want %s (%v)", r, tc.reason, err)
			}
			if c.Usable() {
				t.Error("Client usable after the fault")
			}
			if _, err := c.Summary(context.Background()); reasonOf(t, err) != ReasonDisconnected {
				t.Errorf("after the fault: %v, want disconnected", err)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2)
	p.Faults = []iosemu.Fault{{Command: "show ip arp", Kind: iosemu.FaultStall}}
	_, cfg := emulated(t, p, iosemu.ServerConfig{})
	c := dial(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.Run(ctx, CmdIPARP)
	if r := reasonOf(t, err); r != ReasonCanceled {
		t.Errorf("reason %s, want canceled (%v)", r, err)
	}
}

func TestHostKeys(t *testing.T) {
	p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1)
	srv, cfg := emulated(t, p, iosemu.ServerConfig{})
	other, err := iosemu.NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	caLine := "@cert-authority " + strings.TrimSpace(strings.Fields(srv.KnownHostsLine())[0]+" "+string(ssh.MarshalAuthorizedKey(other.PublicKey())))
	changedLine := strings.TrimSpace(strings.Fields(srv.KnownHostsLine())[0] + " " + string(ssh.MarshalAuthorizedKey(other.PublicKey())))
	for _, tc := range []struct {
		name   string
		file   string
		policy HostKeyPolicy
		reason Reason
	}{
		{"strict, unknown", write("empty", ""), HostKeyStrict, ReasonHostKeyUnknown},
		{"strict, changed", write("changed", changedLine+"\n"), HostKeyStrict, ReasonHostKeyChanged},
		{"trust-on-first-use, changed", write("changed-tofu", changedLine+"\n"), HostKeyTOFU, ReasonHostKeyChanged},
		{"trust-on-first-use, new", filepath.Join(dir, "sub", "tofu"), HostKeyTOFU, ""},
		{"strict, known", write("known", srv.KnownHostsLine()+"\n"), HostKeyStrict, ""},
		// A @cert-authority line vouches for certificates, which switches
		// do not show: the host is unknown, not changed.
		{"strict, a @cert-authority line only", write("ca", caLine+"\n"), HostKeyStrict, ReasonHostKeyUnknown},
		{"trust-on-first-use, a @cert-authority line only", write("ca-tofu", caLine+"\n"), HostKeyTOFU, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := NewKnownHosts(tc.file, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			cfg.KnownHosts = k
			if tc.reason == "" {
				dial(t, cfg)
				return
			}
			err = dialFails(t, cfg, tc.reason)
			if tc.reason == ReasonHostKeyChanged && !strings.Contains(err.Error(), "host key CHANGED") {
				t.Errorf("error %q does not say the key changed", err)
			}
			if strings.Contains(tc.name, "@cert-authority") && !strings.HasSuffix(err.Error(),
				"(strict checking: add it, or use trust-on-first-use; its @cert-authority lines do not count: switches show plain host keys, not certificates)") {
				t.Errorf("error %q does not explain the @cert-authority line", err)
			}
		})
	}
	// A file missing at the start is a configuration error; one that goes
	// missing later refuses the switch.
	missing := filepath.Join(dir, "missing")
	if _, err := NewKnownHosts(missing, HostKeyStrict); err == nil || err.Error() != "known_hosts "+missing+": open "+missing+
		": no such file or directory (strict checking needs the switches' keys in it: ssh-keyscan them, or use trust-on-first-use)" {
		t.Errorf("strict, missing file: %v", err)
	}
	if _, err := NewKnownHosts(dir, HostKeyTOFU); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: %v", err)
	}
	gone := write("gone", "")
	k, err := NewKnownHosts(gone, HostKeyStrict)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	cfg.KnownHosts = k
	dialFails(t, cfg, ReasonHostKeyUnknown)
	// Trust on first use recorded the key: strict checking now accepts it.
	b, err := os.ReadFile(filepath.Join(dir, "sub", "tofu"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != srv.KnownHostsLine() {
		t.Errorf("recorded %q, want %q", got, srv.KnownHostsLine())
	}
	k, _ = NewKnownHosts(filepath.Join(dir, "sub", "tofu"), HostKeyStrict)
	cfg.KnownHosts = k
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("strict with the recorded key: %v", err)
	}
	c.Close()
}

func TestAuthMethods(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	plainBlock, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	encBlock, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("key-passphrase"))
	if err != nil {
		t.Fatal(err)
	}
	plain, enc := pem.EncodeToMemory(plainBlock), pem.EncodeToMemory(encBlock)
	p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 1)
	for _, tc := range []struct {
		name   string
		server iosemu.ServerConfig
		edit   func(*Config)
		reason Reason
	}{
		{"keyboard-interactive", iosemu.ServerConfig{Password: testPassword, KeyboardInteractive: true}, func(c *Config) {}, ""},
		{"key", iosemu.ServerConfig{AuthorizedKey: signer.PublicKey()}, func(c *Config) { c.Password, c.PrivateKey = "", plain }, ""},
		{"encrypted key", iosemu.ServerConfig{AuthorizedKey: signer.PublicKey()}, func(c *Config) { c.Password, c.PrivateKey, c.Passphrase = "", enc, "key-passphrase" }, ""},
		{"encrypted key, wrong passphrase", iosemu.ServerConfig{AuthorizedKey: signer.PublicKey()}, func(c *Config) { c.Password, c.PrivateKey, c.Passphrase = "", enc, "wrong-passphrase" }, ReasonConfig},
		{"encrypted key, no passphrase", iosemu.ServerConfig{AuthorizedKey: signer.PublicKey()}, func(c *Config) { c.Password, c.PrivateKey = "", enc }, ReasonConfig},
		{"garbage key", iosemu.ServerConfig{AuthorizedKey: signer.PublicKey()}, func(c *Config) { c.Password, c.PrivateKey = "", []byte("not a key") }, ReasonConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg := emulated(t, p, tc.server)
			tc.edit(&cfg)
			if tc.reason == "" {
				dial(t, cfg)
				return
			}
			err := dialFails(t, cfg, tc.reason)
			if strings.Contains(err.Error(), "passphrase\"") || strings.Contains(err.Error(), "wrong-passphrase") {
				t.Errorf("error %q holds the passphrase", err)
			}
		})
	}
}

func TestDialects(t *testing.T) {
	for _, rel := range []iosemu.Release{iosemu.ReleaseIOSXE, iosemu.ReleaseIOS15, iosemu.ReleaseIOS12} {
		t.Run(string(rel), func(t *testing.T) {
			_, cfg := emulated(t, iosemu.Campus("sw1", rel, 12), iosemu.ServerConfig{})
			c := dial(t, cfg)
			for round := 0; round < 2; round++ {
				sum, err := c.Summary(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(sum.Result.Summary) != 12 {
					t.Fatalf("summary rows %d", len(sum.Result.Summary))
				}
				last := sum.Result.Summary[11]
				d, err := c.Details(context.Background(), last.MAC)
				if err != nil {
					t.Fatal(err)
				}
				if len(d.Result.Sessions) != 1 || d.Result.Sessions[0].MAC != last.MAC {
					t.Fatalf("details %+v", d.Result.Sessions)
				}
				b, err := c.Bindings(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if len(b.Result.Addresses) != 1 {
					t.Errorf("bindings %+v", b.Result.Addresses)
				}
			}
		})
	}
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	stall := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2)
	stall.Faults = []iosemu.Fault{{Command: "show ip arp", Kind: iosemu.FaultStall}}
	reset := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2)
	reset.Faults = []iosemu.Fault{{Command: "show ip arp", Kind: iosemu.FaultReset}}
	runtime.GC()
	base := runtime.NumGoroutine()
	var servers []*iosemu.Server
	var cfgs []Config
	for _, p := range []iosemu.Profile{iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2), stall, reset} {
		srv, err := iosemu.Listen("127.0.0.1:0", iosemu.NewSwitch(p), iosemu.ServerConfig{User: testUser, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, srv)
		kh := filepath.Join(t.TempDir(), "kh")
		os.WriteFile(kh, []byte(srv.KnownHostsLine()+"\n"), 0o600)
		k, _ := NewKnownHosts(kh, HostKeyStrict)
		host, port := splitAddr(t, srv.Addr())
		cfgs = append(cfgs, Config{Name: "sw1", Address: host, Port: port, Platform: PlatformIOSXE, Username: testUser,
			Password: testPassword, KnownHosts: k, CommandTimeout: 200 * time.Millisecond})
	}
	for i := 0; i < 5; i++ {
		for _, cfg := range cfgs {
			c, err := Dial(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.Summary(context.Background())
			c.Run(context.Background(), CmdIPARP)
			c.Close()
		}
	}
	// The servers' goroutines end when they notice the clients left; the
	// clients' own must be gone at once, so wait a bounded time only.
	for _, s := range servers {
		s.Close()
	}
	n := 0
	for i := 0; i < 100; i++ {
		if n = runtime.NumGoroutine(); n <= base {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n > base {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
