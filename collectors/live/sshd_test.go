package live

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	xssh "golang.org/x/crypto/ssh"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ssh"
	"github.com/syncwatch/syncwatch/internal/iosemu"
	"github.com/syncwatch/syncwatch/internal/sshd"
)

// profileEnv makes the test binary the emulated switch when sshd runs it
// as the ForceCommand.
const profileEnv = "SYNCWATCH_TEST_LIVE_IOSEMU_PROFILE"

func TestMain(m *testing.M) {
	if p := os.Getenv(profileEnv); p != "" {
		os.Exit(iosemu.RunProcess(p, ""))
	}
	os.Exit(m.Run())
}

// TestPollRealSSHD polls switches behind Debian's OpenSSH server in one
// poll: a healthy one, one that resets the connection mid-output, one
// whose host key changed; each broken one gets its own error and metric,
// the healthy one is read and its connection reused by the next poll.
func TestPollRealSSHD(t *testing.T) {
	u := sshd.NewUser(t, "")
	dir := sshd.SharedDir(t)
	bin := sshd.Executable(t, dir)
	khPath := filepath.Join(t.TempDir(), "known_hosts")
	var kh strings.Builder
	start := func(name string, p iosemu.Profile) *sshd.Server {
		path := filepath.Join(dir, name+".json")
		b, _ := json.Marshal(p)
		sshd.WriteFileFor(t, u, path, b)
		s := sshd.Start(t, sshd.Config{User: u, Password: true, ForceCommand: profileEnv + "=" + path + " exec " + bin})
		return s
	}
	good := start("good", iosemu.Campus("good", iosemu.ReleaseIOSXE, 48))
	reset := iosemu.Campus("reset", iosemu.ReleaseIOSXE, 8)
	reset.Faults = []iosemu.Fault{{Command: "show ip access-lists", Kind: iosemu.FaultReset, AfterBytes: 100}}
	resetSrv := start("reset", reset)
	rekeyed := start("rekeyed", iosemu.Campus("rekeyed", iosemu.ReleaseIOSXE, 2))
	other, _ := iosemu.NewHostKey()
	kh.WriteString(good.KnownHostsLine() + "\n" + resetSrv.KnownHostsLine() + "\n")
	kh.WriteString(strings.Fields(rekeyed.KnownHostsLine())[0] + " " + string(marshalAuthorizedKey(other)))
	if err := os.WriteFile(khPath, []byte(kh.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	known, _ := ssh.NewKnownHosts(khPath, ssh.HostKeyStrict)
	sw := func(name string, s *sshd.Server) Switch {
		return Switch{Name: name, SSH: func() (ssh.Config, error) {
			return ssh.Config{Address: s.Host(), Port: s.Port(), Platform: ssh.PlatformIOSXE, Username: u.Name, Password: u.Password,
				KnownHosts: known, CommandTimeout: 5 * time.Second}, nil
		}}
	}
	inv := collectors.NewInventory()
	reg := prometheus.NewPedanticRegistry()
	c, err := New(Config{Switches: []Switch{sw("good", good), sw("reset", resetSrv), sw("rekeyed", rekeyed)}, Retries: -1}, inv, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.PollOnce(context.Background())
	want := map[string]ssh.Reason{"reset": ssh.ReasonDisconnected, "rekeyed": ssh.ReasonHostKeyChanged}
	for _, e := range nonNil(unwrapJoined(err)) {
		var se *ssh.Error
		if !errors.As(e, &se) || want[se.Switch] != se.Reason {
			t.Errorf("error %v, want one of %v", e, want)
		}
	}
	for name, reason := range want {
		if got := testutil.ToFloat64(c.m.errors.WithLabelValues(name, "ssh", string(reason))); got != 1 {
			t.Errorf("%s: errors{%s} = %v, want 1", name, reason, got)
		}
	}
	if got := testutil.ToFloat64(c.m.hostKeyMisms.WithLabelValues("rekeyed")); got != 1 {
		t.Errorf("host key mismatches %v", got)
	}
	if s := inv.Snapshot().Switch("good"); s == nil || len(s.Sessions) != 48 {
		t.Fatalf("good switch not read: %+v", s)
	}
	// The next poll of the healthy switch reuses its connection: sshd
	// logs one accepted login.
	if err := c.byName["good"].poll(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(good.Log(), "Accepted password for "+u.Name); n != 1 {
		t.Errorf("%d logins on the healthy switch for two polls, want 1\n%s", n, good.Log())
	}
}

func marshalAuthorizedKey(s xssh.Signer) []byte { return xssh.MarshalAuthorizedKey(s.PublicKey()) }

func unwrapJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}
