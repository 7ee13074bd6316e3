package snmp

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testTimeout keeps fault tests short: every request is tried twice.
const testTimeout = 300 * time.Millisecond

func v2cConfig(port int) Config {
	return Config{Name: "sw-access-01", Address: "127.0.0.1", Port: port, Version: "2c", Community: testCommunity,
		Timeout: testTimeout, Retries: 1}
}

func v3Config(port int, user, auth, priv string) Config {
	c := Config{Name: "sw-access-01", Address: "127.0.0.1", Port: port, Version: "3", User: user,
		AuthProto: auth, AuthPass: testAuthPass, Timeout: testTimeout, Retries: 1}
	if priv != "" {
		c.PrivProto, c.PrivPass = priv, testPrivPass
	}
	return c
}

// checkNoSecret fails when s contains one of the test agent's secrets.
func checkNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{testCommunity, testAuthPass, testPrivPass} {
		if strings.Contains(s, secret) {
			t.Errorf("%s contains a secret: %s", what, s)
		}
	}
}

func sessionsEqual(t *testing.T, got, want []SessionKey) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	t.Errorf("got %d sessions, want %d", len(got), len(want))
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w SessionKey
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("session %d:\n got  %+v\n want %+v", i, g, w)
		}
	}
}

func TestSessionsV2c(t *testing.T) {
	a := startAgent(t, campus(), true)
	for _, neighbors := range []bool{false, true} {
		cfg := v2cConfig(a.port)
		cfg.Neighbors = neighbors
		res, err := Sessions(context.Background(), cfg)
		if err != nil {
			t.Fatalf("neighbors=%v: %v", neighbors, err)
		}
		sessionsEqual(t, res.Sessions, campusSessions(neighbors))
		if len(res.Warnings) != 0 {
			t.Errorf("warnings: %v", res.Warnings)
		}
		// 5 columns and the methods, one GetBulk each (fewer rows than
		// MaxRepetitions), one Get of the 6 ifNames, and the neighbors.
		want := 7
		if neighbors {
			want = 8
		}
		if res.Requests != want {
			t.Errorf("neighbors=%v: %d requests, want %d", neighbors, res.Requests, want)
		}
	}
}

func TestSessionsV3(t *testing.T) {
	a := startAgent(t, campus(), true)
	for _, u := range testUsers {
		t.Run(u.user, func(t *testing.T) {
			cfg := v3Config(a.port, u.user, u.auth, u.priv)
			cfg.Neighbors = true
			res, err := Sessions(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			sessionsEqual(t, res.Sessions, campusSessions(true))
		})
	}
}

// TestSessionsSmallBulk walks with one row per GetBulk, so every column
// needs several requests and each continues from the last OID.
func TestSessionsSmallBulk(t *testing.T) {
	a := startAgent(t, campus(), true)
	cfg := v2cConfig(a.port)
	cfg.MaxRepetitions = 1
	res, err := Sessions(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	sessionsEqual(t, res.Sessions, campusSessions(false))
	// Each column: 7 rows plus the request that leaves the column; the
	// methods table has 9 rows; one Get of the ifNames.
	if want := 5*8 + 10 + 1; res.Requests != want {
		t.Errorf("%d requests, want %d", res.Requests, want)
	}
}

func TestSessionsEmptyTable(t *testing.T) {
	a := startAgent(t, fakeSwitch{}, true)
	res, err := Sessions(context.Background(), v2cConfig(a.port))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sessions) != 0 || len(res.Warnings) != 0 {
		t.Errorf("got %+v, want no sessions and no warnings", res)
	}
	if res.Requests != 6 {
		t.Errorf("%d requests, want 5 walks and the MIB check", res.Requests)
	}
}

func TestSessionsNotSupported(t *testing.T) {
	a := startAgent(t, campus(), false)
	for _, cfg := range []Config{v2cConfig(a.port), v3Config(a.port, "sha-aes256c", "SHA", "AES-256-C")} {
		_, err := Sessions(context.Background(), cfg)
		if ReasonOf(err) != ReasonNotSupported {
			t.Fatalf("v%s: got %v, want reason %s", cfg.Version, err, ReasonNotSupported)
		}
		want := "snmp sw-access-01 (" + cfg.target() + "): walk cafSessionTable: CISCO-AUTH-FRAMEWORK-MIB not supported: " +
			"the agent has nothing under 1.3.6.1.4.1.9.9.656.1 (the switch does not implement the MIB, " +
			"or the SNMP view of this community or user excludes it)"
		if err.Error() != want {
			t.Errorf("got  %s\nwant %s", err, want)
		}
	}
}

// TestSessionsFaults checks what each wrong setting gives: a reason for
// the metric and an error that names the device and never a secret.
func TestSessionsFaults(t *testing.T) {
	a := startAgent(t, campus(), true)
	target := "127.0.0.1:" + strconv.Itoa(a.port)
	v2Timeout := "snmp sw-access-01 (" + target + "): walk cafSessionClientMacAddress: no answer after 2 tries of 300ms " +
		"(agent down or unreachable, an SNMP ACL, or a wrong community: agents drop those without an answer)"
	v3Timeout := "snmp sw-access-01 (" + target + "): walk cafSessionClientMacAddress: no answer after 2 tries of 300ms " +
		"(agent down or unreachable, an SNMP ACL, or a privacy passphrase or protocol that does not match the user's, " +
		"e.g. AES-256 for an AES-256-C user: such requests are dropped without a report)"
	wrongDigest := "snmp sw-access-01 (" + target + "): walk cafSessionClientMacAddress: the agent reported a wrong digest " +
		"(usmStatsWrongDigests): the authentication passphrase or protocol does not match the user's"
	tests := []struct {
		name   string
		cfg    Config
		reason Reason
		want   string
	}{
		{"wrong community", func() Config { c := v2cConfig(a.port); c.Community = "not-the-community"; return c }(),
			ReasonTimeout, v2Timeout},
		{"unknown user", v3Config(a.port, "nobody", "SHA", "AES-128"), ReasonUnknownUser,
			"snmp sw-access-01 (" + target + "): walk cafSessionClientMacAddress: the agent reported an unknown user name " +
				"(usmStatsUnknownUserNames) for user \"nobody\""},
		{"wrong auth passphrase", func() Config {
			c := v3Config(a.port, "sha-aes128", "SHA", "AES-128")
			c.AuthPass = "wrong-auth-pass"
			return c
		}(), ReasonWrongDigest, wrongDigest},
		{"wrong auth protocol", v3Config(a.port, "sha-aes128", "SHA-256", "AES-128"), ReasonWrongDigest, wrongDigest},
		{"wrong privacy passphrase", func() Config {
			c := v3Config(a.port, "sha-aes128", "SHA", "AES-128")
			c.PrivPass = "wrong-priv-pass"
			return c
		}(), ReasonTimeout, v3Timeout},
		// With SHA-1 the two AES-256 key extensions differ: never guessed.
		{"AES-256 for an AES-256-C user", v3Config(a.port, "sha-aes256c", "SHA", "AES-256"), ReasonTimeout, v3Timeout},
		{"AES-256-C for an AES-256 user", v3Config(a.port, "sha-aes256", "SHA", "AES-256-C"), ReasonTimeout, v3Timeout},
		{"AES-128 for an AES-256 user", v3Config(a.port, "sha256-aes256", "SHA-256", "AES-128"), ReasonTimeout, v3Timeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Sessions(context.Background(), tc.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if got := ReasonOf(err); got != tc.reason {
				t.Errorf("reason %q, want %q (%v)", got, tc.reason, err)
			}
			if err.Error() != tc.want {
				t.Errorf("got  %s\nwant %s", err, tc.want)
			}
			checkNoSecret(t, "error", err.Error())
		})
	}
}

// TestSessionsLowerSecurityLevel asks with authNoPriv as a user the agent
// only serves with privacy: net-snmp's access control answers
// authorizationError.
func TestSessionsLowerSecurityLevel(t *testing.T) {
	a := startAgent(t, campus(), true)
	cfg := v3Config(a.port, "sha-aes128", "SHA", "")
	_, err := Sessions(context.Background(), cfg)
	if ReasonOf(err) != ReasonAccessDenied {
		t.Fatalf("got %v, want reason %s", err, ReasonAccessDenied)
	}
	want := "snmp sw-access-01 (" + cfg.target() + "): walk cafSessionClientMacAddress: the agent refused access " +
		"(error-status AuthorizationError): the community or user may not read these objects (its SNMP view, " +
		"or a security level below the user's, such as authNoPriv for a user configured for privacy)"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
}

// silentAgent is a UDP socket that reads requests and never answers; it
// counts the datagrams.
func silentAgent(t *testing.T) (port int, count func() int) {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	n := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			if _, _, err := c.ReadFrom(buf); err != nil {
				return
			}
			mu.Lock()
			n++
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { c.Close(); <-done })
	return c.LocalAddr().(*net.UDPAddr).Port, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func TestSessionsSilentAgent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   func(port int) Config
		sends int
	}{
		{"v2c", v2cConfig, 2},
		// v3 starts with engine discovery, which times out the same way.
		{"v3", func(port int) Config { return v3Config(port, "sha-aes128", "SHA", "AES-128") }, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port, count := silentAgent(t)
			cfg := tc.cfg(port)
			_, err := Sessions(context.Background(), cfg)
			if ReasonOf(err) != ReasonTimeout {
				t.Fatalf("got %v, want reason %s", err, ReasonTimeout)
			}
			if !strings.HasPrefix(err.Error(), "snmp sw-access-01 (127.0.0.1:"+strconv.Itoa(port)+"): walk cafSessionClientMacAddress: no answer after 2 tries of 300ms") {
				t.Errorf("error %q does not name the device, the request and the tries", err)
			}
			if got := count(); got != tc.sends {
				t.Errorf("the agent received %d datagrams, want %d (1 + Retries)", got, tc.sends)
			}
		})
	}
}

func TestSessionsRefused(t *testing.T) {
	port := freeUDPPort(t)
	_, err := Sessions(context.Background(), v2cConfig(port))
	if ReasonOf(err) != ReasonRefused {
		t.Fatalf("got %v, want reason %s", err, ReasonRefused)
	}
}

// TestSessionsCanceled cancels a poll waiting on a silent agent with a long
// Timeout: the poll ends with the caller's error, not after the Timeout.
func TestSessionsCanceled(t *testing.T) {
	port, _ := silentAgent(t)
	cfg := v2cConfig(port)
	cfg.Timeout = time.Minute
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	_, err = c.Sessions(ctx)
	if ReasonOf(err) != ReasonCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want reason %s wrapping context.Canceled", err, ReasonCanceled)
	}
	// The Client opens a new socket for the next poll, which the
	// caller's deadline ends the same way.
	ctx, cancel = context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = c.Sessions(ctx)
	if ReasonOf(err) != ReasonCanceled || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second poll: got %v, want reason %s wrapping context.DeadlineExceeded", err, ReasonCanceled)
	}
}

// TestClientChanges polls one switch twice through one Client, the table
// changing in between, and checks what Changes reports.
func TestClientChanges(t *testing.T) {
	sw := campus()
	a := startAgent(t, sw, true)
	c, err := New(v3Config(a.port, "sha-aes256c", "SHA", "AES-256-C"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	first, err := c.Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sessionsEqual(t, first.Sessions, campusSessions(false))

	// Port 4 authorizes, the running session on port 6 goes away and a
	// new one (new session ID, same MAC) replaces it on port 6, the
	// phone on port 3 gets a new address.
	sw.sessions[4].status = 6
	sw.sessions[4].methods = [][2]int{{mDot1x, sFailed}, {mMAB, sSuccess}}
	sw.sessions[2].addr = ip4("10.52.99.31")
	sw.sessions[5].id = "0A3462B1000000172983F4CC"
	a.write(t, sw)

	second, err := c.Sessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range Changes(first.Sessions, second.Sessions) {
		got = append(got, string(ch.Kind)+" "+ch.Session.Interface+" "+ch.Session.SessionID+" "+strings.Join(ch.Fields, ","))
	}
	want := []string{
		"changed GigabitEthernet1/0/3 0A3462B1000000122983E210 ipv4",
		"changed GigabitEthernet1/0/4 0A3462B1000000142983F001 status,methods",
		"added GigabitEthernet1/0/6 0A3462B1000000172983F4CC ",
		"removed GigabitEthernet1/0/6 0A3462B1000000162983F3BB ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got  %q\n want %q", got, want)
	}
}

// TestClientsConcurrent runs one Client per goroutine against one agent.
func TestClientsConcurrent(t *testing.T) {
	a := startAgent(t, campus(), true)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 8; i++ {
		u := testUsers[i%3]
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := New(v3Config(a.port, u.user, u.auth, u.priv))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			for j := 0; j < 3; j++ {
				res, err := c.Sessions(context.Background())
				if err != nil {
					errs <- err
					return
				}
				if !reflect.DeepEqual(res.Sessions, campusSessions(false)) {
					errs <- errors.New("sessions differ from campus")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
