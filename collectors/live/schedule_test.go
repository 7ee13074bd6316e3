package live

import (
	"errors"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/ssh"
)

func TestBackoffAndRetryable(t *testing.T) {
	c, err := New(Config{Switches: []Switch{{Name: "sw1", SSH: func() (ssh.Config, error) { return ssh.Config{}, nil }}}}, collectors.NewInventory(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.byName["sw1"]
	for n, want := range map[int]time.Duration{1: 5 * time.Second, 2: 10 * time.Second, 3: 20 * time.Second, 4: 40 * time.Second, 5: 60 * time.Second, 40: 60 * time.Second} {
		if got := p.backoff(n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
	for reason, want := range map[ssh.Reason]bool{
		ssh.ReasonConnect: true, ssh.ReasonHandshakeTimeout: true, ssh.ReasonCommandTimeout: true, ssh.ReasonDisconnected: true,
		ssh.ReasonCommandFailed: true, ssh.ReasonParse: true, ssh.ReasonHandshake: true,
		ssh.ReasonAuth: false, ssh.ReasonHostKeyChanged: false, ssh.ReasonHostKeyUnknown: false, ssh.ReasonConfig: false,
		ssh.ReasonEnable: false, ssh.ReasonRefused: false, ssh.ReasonCanceled: false, ssh.ReasonAlgorithms: false,
	} {
		if got := retryable(&ssh.Error{Switch: "sw1", Reason: reason, Op: "x"}); got != want {
			t.Errorf("retryable(%s) = %v, want %v", reason, got, want)
		}
	}
	if !retryable(errors.New("other")) {
		t.Error("an unclassified error is not retried")
	}
	for i := 0; i < 1000; i++ {
		if d := firstDelay(time.Minute); d < 0 || d > 6*time.Second {
			t.Fatalf("firstDelay(1m) = %v, outside [0, 6s]", d)
		}
		if d := firstDelay(time.Hour); d < 0 || d > MaxFirstSpread {
			t.Fatalf("firstDelay(1h) = %v, outside [0, %v]", d, MaxFirstSpread)
		}
		if d := jittered(time.Minute); d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("jittered(1m) = %v, outside ±10 %%", d)
		}
	}
}

func TestNewRejects(t *testing.T) {
	sshOK := func() (ssh.Config, error) { return ssh.Config{}, nil }
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Switches: []Switch{{SSH: sshOK}}}, "live: a switch has no name"},
		{Config{Switches: []Switch{{Name: "a", SSH: sshOK}, {Name: "a", SSH: sshOK}}}, "live: switch a given twice"},
		{Config{Switches: []Switch{{Name: "a"}}}, "live: switch a has no SSH settings"},
	} {
		if _, err := New(tc.cfg, collectors.NewInventory(), nil, nil); err == nil || err.Error() != tc.want {
			t.Errorf("New: %v, want %q", err, tc.want)
		}
	}
	if _, err := New(Config{}, nil, nil, nil); err == nil {
		t.Error("New without an inventory succeeded")
	}
}
