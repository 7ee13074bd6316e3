package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/sshd"
)

// The test binary re-executes itself as the emulated switch when sshd
// runs it as the ForceCommand.
const (
	profileEnv = "SYNCWATCH_TEST_IOSEMU_PROFILE"
	logEnv     = "SYNCWATCH_TEST_IOSEMU_LOG"
)

func TestMain(m *testing.M) {
	if p := os.Getenv(profileEnv); p != "" {
		os.Exit(iosemu.RunProcess(p, os.Getenv(logEnv)))
	}
	os.Exit(m.Run())
}

// realSwitch is an emulated switch behind Debian's OpenSSH server, logged
// into as a throwaway system user.
type realSwitch struct {
	t       *testing.T
	user    *sshd.User
	srv     *sshd.Server
	profile string
	log     string
	key     xssh.Signer
	priv    ed25519.PrivateKey
}

func startReal(t *testing.T, extra ...string) *realSwitch {
	t.Helper()
	u := sshd.NewUser(t, "")
	dir := sshd.SharedDir(t)
	bin := sshd.Executable(t, dir)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := xssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	r := &realSwitch{t: t, user: u, profile: filepath.Join(dir, "profile.json"), log: filepath.Join(dir, "received.log"), key: signer, priv: priv}
	sshd.WriteFileFor(t, u, r.log, nil)
	r.setProfile(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 4))
	r.srv = sshd.Start(t, sshd.Config{
		User: u, Password: true, KeyboardInteractive: true, AuthorizedKeys: []xssh.PublicKey{signer.PublicKey()},
		ForceCommand: profileEnv + "=" + r.profile + " " + logEnv + "=" + r.log + " exec " + bin,
		Extra:        extra,
	})
	return r
}

func (r *realSwitch) setProfile(p iosemu.Profile) {
	b, err := json.Marshal(p)
	if err != nil {
		r.t.Fatal(err)
	}
	sshd.WriteFileFor(r.t, r.user, r.profile, b)
}

func (r *realSwitch) config(t *testing.T) Config {
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(r.srv.KnownHostsLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, _ := NewKnownHosts(kh, HostKeyStrict)
	return Config{Name: "sw1", Address: r.srv.Host(), Port: r.srv.Port(), Platform: PlatformIOSXE,
		Username: r.user.Name, Password: r.user.Password, KnownHosts: k,
		ConnectTimeout: 5 * time.Second, HandshakeTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second}
}

// received returns the lines the emulated switch logged.
func (r *realSwitch) received() []string {
	b, _ := os.ReadFile(r.log)
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func TestRealSSHD(t *testing.T) {
	r := startReal(t)
	t.Run("password, enable, banner, slow output", func(t *testing.T) {
		p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 4)
		p.EnableSecret = testEnable
		p.Banner = "sw9#\n*** AUTHORIZED USE ONLY ***"
		p.LineDelay = 2 * time.Millisecond
		r.setProfile(p)
		sshd.WriteFileFor(t, r.user, r.log, nil)
		cfg := r.config(t)
		cfg.EnableSecret = testEnable
		c, err := Dial(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%v\n%s", err, r.srv.Log())
		}
		c.StartTranscript()
		sum, err := c.Summary(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Result.Summary) != 4 {
			t.Fatalf("summary %q", sum.Text)
		}
		d, err := c.Details(context.Background(), sum.Result.Summary[0].MAC)
		if err != nil || len(d.Result.Sessions) != 1 {
			t.Fatalf("details: %v %+v", err, d.Result.Sessions)
		}
		tr := c.Transcript()
		c.Close()
		if strings.Contains(tr, testEnable) || strings.Contains(tr, r.user.Password) {
			t.Errorf("transcript holds a secret")
		}
		waitFor(t, func() bool { return len(r.received()) >= 9 })
		want := []string{"", "", "enable", testEnable, "terminal length 0", "terminal width 512", "show version",
			"show access-session", "show access-session mac " + DottedMAC(sum.Result.Summary[0].MAC) + " details", "exit"}
		if got := r.received(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("the switch received\n%q\nwant\n%q", got, want)
		}
	})
	t.Run("IOS 15 dialect", func(t *testing.T) {
		r.setProfile(iosemu.Campus("sw1", iosemu.ReleaseIOS15, 3))
		c, err := Dial(context.Background(), r.config(t))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sum, err := c.Summary(context.Background())
		if err != nil || len(sum.Result.Summary) != 3 || sum.Command != CmdAuthSessions {
			t.Fatalf("summary: %v %q", err, sum.Command)
		}
	})
	r.setProfile(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2))
	t.Run("encrypted private key", func(t *testing.T) {
		cfg := r.config(t)
		cfg.Password = ""
		cfg.PrivateKey, cfg.Passphrase = r.encryptedKey(t, "p4ssphrase"), "p4ssphrase"
		c, err := Dial(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%v\n%s", err, r.srv.Log())
		}
		c.Close()
	})
	t.Run("wrong password", func(t *testing.T) {
		// sshd (PAM) delays each failed attempt by seconds.
		cfg := r.config(t)
		cfg.Password = "wrong-password"
		cfg.HandshakeTimeout = 30 * time.Second
		_, err := Dial(context.Background(), cfg)
		if reasonOf(t, err) != ReasonAuth || strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("err %v, want auth", err)
		}
		// With a time limit shorter than the delays, the error says so.
		cfg.HandshakeTimeout = time.Second
		_, err = Dial(context.Background(), cfg)
		if reasonOf(t, err) != ReasonHandshakeTimeout || !strings.Contains(err.Error(), "host key verified, but authentication did not finish within 1s") {
			t.Errorf("err %v, want handshake-timeout after the key exchange", err)
		}
	})
	t.Run("changed host key", func(t *testing.T) {
		cfg := r.config(t)
		other, _ := iosemu.NewHostKey()
		kh := filepath.Join(t.TempDir(), "kh")
		line := strings.Fields(r.srv.KnownHostsLine())[0] + " " + string(xssh.MarshalAuthorizedKey(other.PublicKey()))
		os.WriteFile(kh, []byte(line), 0o600)
		cfg.KnownHosts, _ = NewKnownHosts(kh, HostKeyTOFU)
		_, err := Dial(context.Background(), cfg)
		if reasonOf(t, err) != ReasonHostKeyChanged {
			t.Errorf("err %v, want host-key-changed", err)
		}
	})
	t.Run("stops mid-output", func(t *testing.T) {
		p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 8)
		p.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultStall, AfterBytes: 100}}
		r.setProfile(p)
		cfg := r.config(t)
		cfg.CommandTimeout = 500 * time.Millisecond
		c, err := Dial(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ACLs(context.Background()); reasonOf(t, err) != ReasonCommandTimeout {
			t.Errorf("err %v, want command-timeout", err)
		}
	})
	t.Run("connection reset", func(t *testing.T) {
		p := iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 8)
		p.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultReset, AfterBytes: 100}}
		r.setProfile(p)
		c, err := Dial(context.Background(), r.config(t))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.ACLs(context.Background()); reasonOf(t, err) != ReasonDisconnected {
			t.Errorf("err %v, want disconnected", err)
		}
	})
	t.Run("no goroutine left", func(t *testing.T) {
		r.setProfile(iosemu.Campus("sw1", iosemu.ReleaseIOSXE, 2))
		runtime.GC()
		base := runtime.NumGoroutine()
		for i := 0; i < 5; i++ {
			c, err := Dial(context.Background(), r.config(t))
			if err != nil {
				t.Fatal(err)
			}
			c.Summary(context.Background())
			c.Close()
		}
		n := 0
		for i := 0; i < 100; i++ {
			if n = runtime.NumGoroutine(); n <= base {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n > base {
			t.Errorf("%d goroutines after Close, %d before", n, base)
		}
	})
}

// encryptedKey returns the authorized key's private half encrypted with
// the passphrase.
func (r *realSwitch) encryptedKey(t *testing.T, passphrase string) []byte {
	t.Helper()
	block, err := xssh.MarshalPrivateKeyWithPassphrase(r.priv, "", []byte(passphrase))
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(block)
}

func TestRealSSHDKeyboardInteractiveOnly(t *testing.T) {
	r := startReal(t, "AuthenticationMethods keyboard-interactive")
	c, err := Dial(context.Background(), r.config(t))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.srv.Log())
	}
	c.Close()
}

// TestRealSSHDOldAlgorithms: a switch that offers only what IOS 12.2
// does (diffie-hellman-group1-sha1, CBC ciphers) is refused with an error
// that names what it offers and the configuration that allows it; with
// those lists, the switch is read.
func TestRealSSHDOldAlgorithms(t *testing.T) {
	r := startReal(t, "KexAlgorithms diffie-hellman-group1-sha1", "Ciphers aes128-cbc,3des-cbc", "MACs hmac-sha1")
	r.setProfile(iosemu.Campus("sw1", iosemu.ReleaseIOS12, 2))
	cfg := r.config(t)
	offered := func(kind string) string { return quotedList(defaults(kind)) }
	for _, step := range []struct {
		name       string
		algorithms Algorithms
		err        string
	}{
		{"the defaults", Algorithms{},
			"switch sw1: ssh handshake: algorithms: no common key exchange algorithm: the switch offers [diffie-hellman-group1-sha1], syncwatch offers " +
				offered(KindKeyExchanges) + `; if the switch cannot be upgraded, allow diffie-hellman-group1-sha1 with ssh.key_exchanges: ["+diffie-hellman-group1-sha1"] for this switch`},
		{"the old key exchange added", Algorithms{KeyExchanges: []string{"+diffie-hellman-group1-sha1"}},
			"switch sw1: ssh handshake: algorithms: no common client to server cipher algorithm: the switch offers [aes128-cbc 3des-cbc], syncwatch offers " +
				offered(KindCiphers) + `; if the switch cannot be upgraded, allow aes128-cbc or 3des-cbc with ssh.ciphers: ["+aes128-cbc"] for this switch`},
		{"and a CBC cipher", Algorithms{KeyExchanges: []string{"+diffie-hellman-group1-sha1"}, Ciphers: []string{"+aes128-cbc"}}, ""},
		{"only the old ones", Algorithms{KeyExchanges: []string{"diffie-hellman-group1-sha1"}, Ciphers: []string{"aes128-cbc"}, MACs: []string{"hmac-sha1"}}, ""},
		{"[default] offers the defaults again", Algorithms{KeyExchanges: []string{Default}, Ciphers: []string{"aes128-cbc"}, MACs: []string{"hmac-sha1"}},
			"switch sw1: ssh handshake: algorithms: no common key exchange algorithm: the switch offers [diffie-hellman-group1-sha1], syncwatch offers " +
				offered(KindKeyExchanges) + `; if the switch cannot be upgraded, allow diffie-hellman-group1-sha1 with ssh.key_exchanges: ["+diffie-hellman-group1-sha1"] for this switch`},
	} {
		t.Run(step.name, func(t *testing.T) {
			cfg.Algorithms = step.algorithms
			if step.err != "" {
				if err := dialFails(t, cfg, ReasonAlgorithms); err.Error() != step.err {
					t.Errorf("error\n got %q\nwant %q", err, step.err)
				}
				return
			}
			sum, err := dial(t, cfg).Summary(context.Background())
			if err != nil || len(sum.Result.Summary) != 2 {
				t.Fatalf("summary: %v %q", err, sum.Text)
			}
		})
	}
}

// TestRealSSHDHostKeyTypes: a switch with an Ed25519 and an RSA host key
// is checked against whichever of the two known_hosts records (the
// handshake asks for that type first); one whose known_hosts line is of a
// type it does not offer is refused, and the error says so.
func TestRealSSHDHostKeyTypes(t *testing.T) {
	dir := t.TempDir()
	rsaPath := filepath.Join(dir, "rsa")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsaPath).CombinedOutput(); err != nil {
		t.Skipf("ssh-keygen: %v %s", err, out)
	}
	pubText, err := os.ReadFile(rsaPath + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, _, _, _, err := xssh.ParseAuthorizedKey(pubText)
	if err != nil {
		t.Fatal(err)
	}
	staleRSA := filepath.Join(dir, "rsa-stale")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", staleRSA).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	staleText, err := os.ReadFile(staleRSA + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	staleKey, _, _, _, err := xssh.ParseAuthorizedKey(staleText) // an RSA key the switch no longer has
	if err != nil {
		t.Fatal(err)
	}
	otherSigner, err := xssh.NewSignerFromKey(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	otherKey := otherSigner.PublicKey() // an Ed25519 key no switch has
	both := startReal(t, "HostKey "+rsaPath)
	edOnly := startReal(t)
	withLine := func(r *realSwitch, line string) Config {
		cfg := r.config(t)
		kh := filepath.Join(t.TempDir(), "known_hosts")
		if err := os.WriteFile(kh, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.KnownHosts, _ = NewKnownHosts(kh, HostKeyStrict)
		return cfg
	}
	hostOf := func(r *realSwitch) string {
		return knownhosts.Normalize(net.JoinHostPort(r.srv.Host(), strconv.Itoa(r.srv.Port())))
	}
	rsaLine := func(r *realSwitch) string { return knownhosts.Line([]string{hostOf(r)}, rsaKey) }
	withAlgs := func(c Config, hostKeys ...string) Config {
		c.Algorithms.HostKeys = hostKeys
		return c
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		err  string
	}{
		{"Ed25519 recorded", withLine(both, both.srv.KnownHostsLine()), ""},
		{"RSA recorded", withLine(both, rsaLine(both)), ""},
		{"Ed25519 recorded, +ssh-rsa configured", withAlgs(withLine(both, both.srv.KnownHostsLine()), "+ssh-rsa"), ""},
		// A stale line of another type before the right one: the
		// recorded types are asked for in OpenSSH's order, not the
		// file's (Ed25519 before RSA).
		{"a stale RSA line, then the Ed25519 one", withLine(both, knownhosts.Line([]string{hostOf(both)}, staleKey)+"\n"+both.srv.KnownHostsLine()), ""},
		{"RSA recorded, the switch has only Ed25519", withLine(edOnly, rsaLine(edOnly)),
			"host key of another type: " + net.JoinHostPort(edOnly.srv.Host(), strconv.Itoa(edOnly.srv.Port())) + " offered ssh-ed25519 "},
		{"a wrong Ed25519 key recorded", withLine(edOnly, knownhosts.Line([]string{hostOf(edOnly)}, otherKey)),
			"host key CHANGED: " + net.JoinHostPort(edOnly.srv.Host(), strconv.Itoa(edOnly.srv.Port())) + " offered ssh-ed25519 "},
		{"the key revoked", withLine(edOnly, "@revoked "+edOnly.srv.KnownHostsLine()),
			"host key REVOKED: " + net.JoinHostPort(edOnly.srv.Host(), strconv.Itoa(edOnly.srv.Port())) + " offered ssh-ed25519 "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == "" {
				dial(t, tc.cfg)
				return
			}
			if err := dialFails(t, tc.cfg, ReasonHostKeyChanged); !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q, want %q", err, tc.err)
			}
		})
	}
}
