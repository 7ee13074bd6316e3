package lab

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildSyncwatch builds the binary as CI and the container do (static, no
// cgo) into a world-readable folder, so that an unprivileged user can run
// it.
func buildSyncwatch(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "syncwatch-lab-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "syncwatch")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/syncwatch/syncwatch/cmd/syncwatch")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// unprivileged runs argv as user nobody with CAP_NET_RAW as its only
// capability, as the container runs syncwatch.
func unprivileged(argv ...string) []string {
	return append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--"}, argv...)
}

// attempt is the part of syncwatch's attempt JSON the lab checks.
type attempt struct {
	Client     string     `json:"client"`
	ClientPort int        `json:"client_port"`
	ClientMAC  string     `json:"client_mac"`
	PSN        string     `json:"psn"`
	Port       int        `json:"port"`
	Outcome    string     `json:"outcome"`
	SynSeen    bool       `json:"syn_seen"`
	Incomplete bool       `json:"incomplete"`
	Late       bool       `json:"late"`
	VLANs      []uint16   `json:"vlans"`
	AnsweredAt *time.Time `json:"answered_at"`
	Interface  string     `json:"interface"`
	ICMP       *struct {
		Type int    `json:"type"`
		Code int    `json:"code"`
		From string `json:"from"`
		ACL  bool   `json:"acl"`
	} `json:"icmp"`
}

// attemptKey identifies an attempt in the lab: every agent try has its
// own client port.
type attemptKey struct {
	client string
	port   int
}

// sensor is syncwatch running in the sensor namespace.
type sensor struct {
	proc *process
	mu   sync.Mutex
	// attempts holds the last line printed for each attempt (a late
	// correction replaces the first report).
	attempts map[attemptKey]attempt
	lines    int
}

// sensorOptions is what the sensor is started with: the seam where
// `syncwatch run` plugs in takes the same.
type sensorOptions struct {
	// span is the SPAN interface in the sensor namespace.
	span string
	// mgmt is the switch's management address, reachable from the
	// sensor namespace (SSH on port 22).
	mgmt netip.Addr
	// config is the lab's configuration file (config.yml for today's
	// commands, with daemon.yml appended for syncwatch run).
	config string
	// psns are the PSN addresses, for the commands that take --psn.
	psns []netip.Addr
	// answerTimeout is the capture's answer timeout.
	answerTimeout time.Duration
	// metricsListen, when set, is where the sensor serves /metrics (on
	// the sensor namespace's loopback).
	metricsListen string
}

// startWatch starts today's sensor: `syncwatch watch --interface SPAN` as
// nobody with only CAP_NET_RAW in the sensor namespace, and collects the
// attempts it prints. It returns once the capture runs.
//
// The daemon replaces it at one seam, startDaemon (daemon_test.go), with
// the same options.
func (l *lab) startWatch(ctx context.Context, bin, name string, o sensorOptions) *sensor {
	l.t.Helper()
	argv := []string{bin, "watch", "--interface", o.span, "--answer-timeout", o.answerTimeout.String(), "--log-level", "debug"}
	for _, p := range o.psns {
		argv = append(argv, "--psn", p.String())
	}
	if o.metricsListen != "" {
		argv = append(argv, "--metrics-listen", o.metricsListen)
	}
	s := &sensor{proc: l.start(l.sensor, name, nil, unprivileged(argv...)...), attempts: map[attemptKey]attempt{}}
	go func() {
		for line := range s.proc.lines {
			var a attempt
			if err := json.Unmarshal([]byte(line), &a); err != nil {
				l.t.Errorf("%s printed a line that is not an attempt: %q", name, line)
				continue
			}
			s.mu.Lock()
			s.attempts[attemptKey{a.Client, a.ClientPort}] = a
			s.lines++
			s.mu.Unlock()
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := s.proc.waitStderr(wctx, `"msg":"capturing"`); err != nil {
		l.t.Fatal(err)
	}
	return s
}

// waitAttempts waits until the sensor printed an attempt for every key,
// or the deadline passes, and returns what it printed.
func (s *sensor) waitAttempts(ctx context.Context, keys []attemptKey) (map[attemptKey]attempt, error) {
	for {
		s.mu.Lock()
		missing := 0
		for _, k := range keys {
			if a, ok := s.attempts[k]; !ok || a.Incomplete {
				missing++
			}
		}
		got := make(map[attemptKey]attempt, len(s.attempts))
		for k, a := range s.attempts {
			got[k] = a
		}
		s.mu.Unlock()
		if missing == 0 {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return got, fmt.Errorf("%d of %d attempts not printed: %w", missing, len(keys), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// outcomeOf is the capture outcome a probe's result must give.
func outcomeOf(result string) string {
	switch result {
	case resultConnected:
		return "accepted"
	case resultRefused:
		return "refused"
	case resultProhibited:
		return "prohibited"
	case resultTimeout:
		return "unanswered"
	}
	return "?" + result
}

// checkAttempts compares every try the agents logged with the attempt the
// sensor printed for it: same PSN, the outcome the real packets had, the
// endpoint's real MAC and, for the second pass, its VLAN.
func checkAttempts(t *testing.T, l *lab, tries []probe, got map[attemptKey]attempt, withVLAN bool) {
	t.Helper()
	byAddr := map[string]*endpoint{}
	for _, e := range l.endpoints {
		byAddr[e.addr.String()] = e
	}
	for _, p := range tries {
		k := attemptKey{p.Endpoint, p.LocalPort}
		a, ok := got[k]
		if !ok {
			t.Errorf("%s:%d -> %s (%s): no attempt printed", p.Endpoint, p.LocalPort, p.PSN, p.Result)
			continue
		}
		e := byAddr[p.Endpoint]
		wantVLANs := "[]"
		if withVLAN {
			wantVLANs = fmt.Sprint([]uint16{e.vlan})
		}
		icmpOK := a.ICMP == nil
		if p.Result == resultProhibited {
			icmpOK = a.ICMP != nil && a.ICMP.Type == 3 && a.ICMP.Code == 13 && a.ICMP.ACL && a.ICMP.From == e.gw.String()
		}
		if a.PSN != p.PSN || a.Port != StatePort || a.Outcome != outcomeOf(p.Result) || a.ClientMAC != e.mac.String() ||
			!a.SynSeen || a.Incomplete || a.Late || fmt.Sprint(a.VLANs) != wantVLANs || a.Interface != spanLink || !icmpOK {
			t.Errorf("%s:%d -> %s: agent saw %s; syncwatch printed %+v (icmp %+v), want outcome %s, mac %s, vlans %s",
				p.Endpoint, p.LocalPort, p.PSN, p.Result, a, a.ICMP, outcomeOf(p.Result), e.mac, wantVLANs)
		}
	}
	if len(got) != len(tries) {
		var extra []string
		seen := map[attemptKey]bool{}
		for _, p := range tries {
			seen[attemptKey{p.Endpoint, p.LocalPort}] = true
		}
		for k, a := range got {
			if !seen[k] {
				extra = append(extra, fmt.Sprintf("%+v", a))
			}
		}
		t.Errorf("syncwatch printed %d attempts for %d tries; not tried: %s", len(got), len(tries), strings.Join(extra, "; "))
	}
}
