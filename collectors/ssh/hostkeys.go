package ssh

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyPolicy says how a switch's host key is checked.
type HostKeyPolicy string

// The policies. A key that differs from the recorded one is refused under
// both.
const (
	// HostKeyStrict accepts only keys already in the known_hosts file.
	HostKeyStrict HostKeyPolicy = "strict"
	// HostKeyTOFU (trust on first use) records the key of a host that the
	// file does not know yet, and accepts it.
	HostKeyTOFU HostKeyPolicy = "trust-on-first-use"
)

// KnownHosts checks host keys against one known_hosts file, shared by
// every switch's Client so that trust-on-first-use writes never
// interleave. It re-reads the file at every check: an operator's edit
// (removing a replaced switch's old key) takes effect without a restart.
type KnownHosts struct {
	path   string
	policy HostKeyPolicy
	mu     sync.Mutex
}

// NewKnownHosts returns the checker for a known_hosts file under a policy.
// Under HostKeyTOFU a missing file is created (empty, mode 0600) when the
// first key is recorded.
func NewKnownHosts(path string, policy HostKeyPolicy) (*KnownHosts, error) {
	switch policy {
	case HostKeyStrict, HostKeyTOFU:
	case "":
		policy = HostKeyStrict
	default:
		return nil, fmt.Errorf("host key policy %q: want %s or %s", policy, HostKeyStrict, HostKeyTOFU)
	}
	if path == "" {
		return nil, errors.New("a known_hosts file is required (host keys are always checked)")
	}
	// The file is read at each connection; a file that cannot be read at
	// all is a mistake to report at the start, not at every poll.
	if _, err := knownhosts.New(path); err != nil {
		switch {
		case policy == HostKeyTOFU && errors.Is(err, os.ErrNotExist):
			// Created, with its folder, when the first key is recorded.
		case errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("known_hosts %s: %w (strict checking needs the switches' keys in it: ssh-keyscan them, or use trust-on-first-use)", path, err)
		default:
			return nil, fmt.Errorf("known_hosts %s: %w", path, err)
		}
	}
	return &KnownHosts{path: path, policy: policy}, nil
}

// Policy returns the checker's policy.
func (k *KnownHosts) Policy() HostKeyPolicy { return k.policy }

// hostKeyError is a refused host key, with its reason.
type hostKeyError struct {
	reason Reason
	msg    string
}

func (e *hostKeyError) Error() string { return e.msg }

// check verifies key for the host dialed as addr ("host:port").
func (k *KnownHosts) check(addr string, remote net.Addr, key ssh.PublicKey) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	cb, err := knownhosts.New(k.path)
	if err != nil {
		if !(k.policy == HostKeyTOFU && errors.Is(err, os.ErrNotExist)) {
			return &hostKeyError{ReasonHostKeyUnknown, fmt.Sprintf("known_hosts: %v", err)}
		}
		cb = func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }
	}
	// The callback wants "host:port" and normalizes it itself (port 22
	// matches a line without a port); normalized first, port 22's
	// address would lose its port and never match.
	err = cb(addr, remote, key)
	if err == nil {
		return nil
	}
	fp := ssh.FingerprintSHA256(key)
	var re *knownhosts.RevokedError
	if errors.As(err, &re) {
		return &hostKeyError{ReasonHostKeyChanged, fmt.Sprintf(
			"host key REVOKED: %s offered %s %s, which %s:%d marks @revoked: refused",
			addr, key.Type(), fp, re.Revoked.Filename, re.Revoked.Line)}
	}
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return &hostKeyError{ReasonHostKeyUnknown, fmt.Sprintf("known_hosts %s: %v", k.path, err)}
	}
	want, cas := plainKeys(ke.Want)
	if len(want) > 0 {
		w := want[0]
		for _, o := range want {
			if o.Key.Type() == key.Type() {
				w = o
				break
			}
		}
		if w.Key.Type() != key.Type() {
			// The switch showed a key of a type the file does not
			// hold for it: it may have lost the recorded key (a
			// regenerated or replaced switch), or never offer that
			// type first. Refused as well: nothing vouches for it.
			return &hostKeyError{ReasonHostKeyChanged, fmt.Sprintf(
				"host key of another type: %s offered %s %s, %s:%d records a %s key (%s) and no %s key: refused (check the switch's keys, e.g. `show crypto key mypubkey rsa`; if it was replaced or its keys regenerated, replace that line)",
				addr, key.Type(), fp, w.Filename, w.Line, w.Key.Type(), ssh.FingerprintSHA256(w.Key), key.Type())}
		}
		return &hostKeyError{ReasonHostKeyChanged, fmt.Sprintf(
			"host key CHANGED: %s offered %s %s, %s:%d records %s: refused (if the switch was replaced or its key regenerated, remove that line)",
			addr, key.Type(), fp, w.Filename, w.Line, ssh.FingerprintSHA256(w.Key))}
	}
	if k.policy != HostKeyTOFU {
		note := ""
		if cas > 0 {
			note = "; its @cert-authority lines do not count: switches show plain host keys, not certificates"
		}
		return &hostKeyError{ReasonHostKeyUnknown, fmt.Sprintf(
			"host key unknown: %s offered %s %s, not in %s (strict checking: add it, or use trust-on-first-use%s)",
			addr, key.Type(), fp, k.path, note)}
	}
	if err := k.record(addr, key); err != nil {
		return &hostKeyError{ReasonHostKeyUnknown, fmt.Sprintf("recording the host key of %s: %v", addr, err)}
	}
	return nil
}

// plainKeys returns the keys of want that are host keys, leaving out the
// @cert-authority lines (x/crypto's knownhosts lists them as well), and how
// many it left out. A line's marker is read from its file.
func plainKeys(want []knownhosts.KnownKey) (plain []knownhosts.KnownKey, cas int) {
	files := map[string][]string{}
	for _, w := range want {
		lines, ok := files[w.Filename]
		if !ok {
			if b, err := os.ReadFile(w.Filename); err == nil {
				lines = strings.Split(string(b), "\n")
			}
			files[w.Filename] = lines
		}
		if w.Line >= 1 && w.Line <= len(lines) && strings.HasPrefix(strings.TrimSpace(lines[w.Line-1]), "@cert-authority") {
			cas++
			continue
		}
		plain = append(plain, w)
	}
	return plain, cas
}

// absentKey is a key no known_hosts line holds: checking it lists the
// keys recorded for a host.
var absentKey, _ = ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))

// preferred orders the host key algorithms to offer a host (base, in
// its order of preference) as OpenSSH does: those of the key types
// known_hosts records for the host first, in OpenSSH's order of
// preference, then the others. Otherwise a switch with an RSA and an
// Ed25519 key may show the one the file does not hold, and be refused as
// changed. nil when the file records nothing for the host.
func (k *KnownHosts) preferred(addr string, remote net.Addr, base []string) []string {
	k.mu.Lock()
	cb, err := knownhosts.New(k.path)
	k.mu.Unlock()
	if err != nil {
		return nil
	}
	var ke *knownhosts.KeyError
	if !errors.As(cb(addr, remote, absentKey), &ke) {
		return nil
	}
	want, _ := plainKeys(ke.Want)
	if len(want) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, w := range want {
		known[w.Key.Type()] = true
	}
	var first, rest []string
	for _, alg := range opensshHostKeyOrder {
		if known[keyTypeOf(alg)] && slices.Contains(base, alg) {
			first = append(first, alg)
		}
	}
	for _, alg := range base {
		if !slices.Contains(first, alg) {
			rest = append(rest, alg)
		}
	}
	return append(first, rest...)
}

// opensshHostKeyOrder is OpenSSH's order of preference among the plain
// host key algorithms.
var opensshHostKeyOrder = []string{
	ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA,
}

// keyTypeOf returns the key type a host key algorithm signs with: an RSA
// key signs with SHA-2 or, on old releases, SHA-1.
func keyTypeOf(alg string) string {
	switch alg {
	case ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256:
		return ssh.KeyAlgoRSA
	}
	return alg
}

// record appends a known_hosts line for addr.
func (k *KnownHosts) record(addr string, key ssh.PublicKey) error {
	if err := os.MkdirAll(filepath.Dir(k.path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(k.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
