// Package netns builds small networks of Linux network namespaces for tests
// that need real TCP stacks: namespaces, veth pairs, addresses, routes and
// nftables rulesets, all deleted when the test ends.
//
// It needs root and the ip (iproute2) and nft (nftables) programs; through
// internal/testenv the tests skip without them on a developer's machine and
// fail in CI. Traffic stays inside the namespaces a test created: nothing
// here touches an address or route of the host's own namespace.
package netns

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// Prefix starts the name of every namespace this package creates; the rest
// is "<pid>-<random>-<role>", so that stale namespaces of crashed runs can be
// told from those of running tests.
const Prefix = "sw-"

// CommandTimeout bounds every ip and nft command the harness runs.
const CommandTimeout = 10 * time.Second

// DoTimeout bounds a function run inside a namespace with Do.
const DoTimeout = 30 * time.Second

// runDir is where iproute2 keeps its named namespaces.
const runDir = "/run/netns"

// Namespace is a named network namespace created for one test and deleted,
// with every link in it, when the test ends.
type Namespace struct {
	// Name is the namespace's name under /run/netns.
	Name string
	t    testing.TB
}

// New creates a namespace whose name ends in role (letters, digits and
// dashes, for reading test logs), with its loopback up. It first deletes
// the namespaces that crashed test runs left behind. Without root or ip and
// nft the test skips, or fails in CI.
func New(t testing.TB, role string) *Namespace {
	t.Helper()
	testenv.Root(t)
	testenv.Command(t, "ip", "nft")
	if err := sweep(); err != nil {
		t.Logf("netns: sweeping stale namespaces: %v", err)
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatalf("netns: random name: %v", err)
	}
	n := &Namespace{
		Name: fmt.Sprintf("%s%d-%s-%s", Prefix, os.Getpid(), hex.EncodeToString(suffix), role),
		t:    t,
	}
	if out, err := run(nil, "ip", "netns", "add", n.Name); err != nil {
		t.Fatalf("netns: ip netns add %s: %v: %s", n.Name, err, out)
	}
	t.Cleanup(func() {
		if out, err := run(nil, "ip", "netns", "del", n.Name); err != nil {
			t.Errorf("netns: ip netns del %s: %v: %s", n.Name, err, out)
		}
	})
	n.IP("link", "set", "lo", "up")
	return n
}

// Path is the namespace's file, which setns(2) takes.
func (n *Namespace) Path() string { return filepath.Join(runDir, n.Name) }

// IP runs "ip -n <namespace> args..." and returns its output; a failure
// fails the test.
func (n *Namespace) IP(args ...string) string {
	n.t.Helper()
	out, err := run(nil, "ip", append([]string{"-n", n.Name}, args...)...)
	if err != nil {
		n.t.Fatalf("netns: ip -n %s %s: %v: %s", n.Name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Exec runs a program inside the namespace (ip netns exec) and returns its
// combined output; it is killed after CommandTimeout.
func (n *Namespace) Exec(name string, args ...string) (string, error) {
	out, err := run(nil, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...)
	return string(out), err
}

// Nft applies an nftables ruleset (nft -f -) inside the namespace; a
// failure fails the test. An empty ruleset with "flush ruleset" clears it.
func (n *Namespace) Nft(ruleset string) {
	n.t.Helper()
	out, err := run(strings.NewReader(ruleset), "ip", "netns", "exec", n.Name, "nft", "-f", "-")
	if err != nil {
		n.t.Fatalf("netns: nft -f - in %s: %v: %s\nruleset:\n%s", n.Name, err, out, ruleset)
	}
}

// Do runs fn on an OS thread that has entered the namespace, and returns
// its error. Sockets fn creates (listeners, dialers, AF_PACKET sockets)
// belong to the namespace and may be used from any goroutine afterwards;
// goroutines fn starts run in the test's own namespace. fn must return
// within DoTimeout.
func (n *Namespace) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is never unlocked: it leaves the namespace only by
		// exiting with this goroutine, so no other goroutine ever runs in
		// the wrong namespace.
		runtime.LockOSThread()
		f, err := os.Open(n.Path())
		if err != nil {
			errc <- fmt.Errorf("netns %s: %w", n.Name, err)
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			errc <- fmt.Errorf("netns %s: setns: %w", n.Name, err)
			return
		}
		errc <- fn()
	}()
	select {
	case err := <-errc:
		return err
	case <-time.After(DoTimeout):
		return fmt.Errorf("netns %s: function did not return within %v", n.Name, DoTimeout)
	}
}

// Enter moves the calling goroutine's OS thread into the namespace for
// good: the caller has called runtime.LockOSThread and never unlocks it,
// so that the thread leaves the namespace only by exiting with the
// goroutine. A process started from that thread runs in the namespace.
func (n *Namespace) Enter() error {
	f, err := os.Open(n.Path())
	if err != nil {
		return fmt.Errorf("netns %s: %w", n.Name, err)
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("netns %s: setns: %w", n.Name, err)
	}
	return nil
}

// run runs a command with CommandTimeout, feeding it stdin when not nil,
// and returns its combined output.
func run(stdin *strings.Reader, name string, args ...string) ([]byte, error) {
	// Not the test's context: cleanups run after it is cancelled.
	ctx, cancel := context.WithTimeout(context.Background(), CommandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s: killed after %v", name, CommandTimeout)
	}
	return out, err
}

// sweep deletes the namespaces of test processes that no longer run, which
// a crash or a kill -9 left behind.
func sweep() error {
	entries, err := os.ReadDir(runDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		pid, ok := ownerPID(e.Name())
		if !ok || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if out, err := run(nil, "ip", "netns", "del", e.Name()); err != nil {
			errs = append(errs, fmt.Errorf("ip netns del %s: %w: %s", e.Name(), err, out))
		}
	}
	return errors.Join(errs...)
}

// ownerPID returns the process ID in a name this package made.
func ownerPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, Prefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	if err != nil || pid <= 0 {
		return 0, false
	}
	return pid, true
}

// processAlive reports whether a process with the ID exists; a process of
// another user still counts as alive.
func processAlive(pid int) bool {
	err := unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
