package ssh

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Algorithms changes what the SSH handshake offers a switch, one list per
// kind; a nil list keeps the SSH library's defaults. A list of plain
// names replaces the defaults, in that order of preference; a list whose
// every name starts with "+" adds those names, least preferred, to the
// defaults (OpenSSH's KexAlgorithms +name). Old releases need this: IOS
// 12.2 offers only diffie-hellman-group1-sha1 and CBC ciphers, which the
// defaults leave out as insecure. The one-name list [default] keeps the
// defaults, so a switch can undo a list set for all switches.
type Algorithms struct {
	KeyExchanges []string // key_exchanges
	Ciphers      []string // ciphers
	MACs         []string // macs
	HostKeys     []string // host_key_algorithms
}

// Default is the name of the one-name list that keeps the SSH library's
// defaults.
const Default = "default"

// The kinds of algorithms, named as the configuration names their lists.
const (
	KindKeyExchanges = "key_exchanges"
	KindCiphers      = "ciphers"
	KindMACs         = "macs"
	KindHostKeys     = "host_key_algorithms"
)

// implemented returns every algorithm of a kind the SSH library can
// negotiate, secure or not, in its order of preference.
func implemented(kind string) []string {
	s, in := ssh.SupportedAlgorithms(), ssh.InsecureAlgorithms()
	switch kind {
	case KindKeyExchanges:
		// The library offers the libssh name of curve25519 alongside
		// the standard one, and negotiates either.
		return slices.Concat(s.KeyExchanges, []string{"curve25519-sha256@libssh.org"}, in.KeyExchanges)
	case KindCiphers:
		return slices.Concat(s.Ciphers, in.Ciphers)
	case KindMACs:
		return slices.Concat(s.MACs, in.MACs)
	case KindHostKeys:
		return slices.Concat(s.HostKeys, in.HostKeys)
	}
	return nil
}

// defaults returns what the SSH library offers of a kind when not told.
func defaults(kind string) []string {
	var c ssh.Config
	c.SetDefaults()
	switch kind {
	case KindKeyExchanges:
		return c.KeyExchanges
	case KindCiphers:
		return c.Ciphers
	case KindMACs:
		return c.MACs
	case KindHostKeys:
		// The client's host key defaults are not exported: every host
		// key algorithm it implements is the same set.
		return implemented(KindHostKeys)
	}
	return nil
}

// CheckAlgorithms reports the first problem of a list of one kind: an
// empty list, an empty or unknown name, a name twice, or plain names mixed
// with "+" ones. The error names the kind and the name.
func CheckAlgorithms(kind string, names []string) error {
	known := implemented(kind)
	if known == nil {
		return fmt.Errorf("unknown kind of SSH algorithm %q", kind)
	}
	if names == nil {
		return nil
	}
	if len(names) == 0 {
		return fmt.Errorf("%s: an empty list offers nothing (leave the key out for the defaults)", kind)
	}
	if slices.Contains(names, Default) {
		if len(names) > 1 {
			return fmt.Errorf("%s: %q keeps the defaults and goes alone", kind, Default)
		}
		return nil
	}
	plus := strings.HasPrefix(names[0], "+")
	seen := map[string]bool{}
	for _, n := range names {
		if strings.HasPrefix(n, "+") != plus {
			return fmt.Errorf("%s: %q: either every name adds to the defaults (+name) or none does", kind, n)
		}
		bare := strings.TrimPrefix(n, "+")
		switch {
		case bare == "":
			return fmt.Errorf("%s: an empty name", kind)
		case !slices.Contains(known, bare):
			return fmt.Errorf("%s: %q is not an algorithm syncwatch's SSH library implements (it does: %s)", kind, printable(bare), strings.Join(known, ", "))
		case seen[bare]:
			return fmt.Errorf("%s: %q given twice", kind, bare)
		}
		seen[bare] = true
	}
	return nil
}

// replaces reports whether a checked list replaces the defaults (plain
// names) rather than adding to them ("+name") or keeping them (empty or
// [default]).
func replaces(names []string) bool {
	return len(names) > 0 && !strings.HasPrefix(names[0], "+") && names[0] != Default
}

// resolve returns the list to offer for a kind: nil for the defaults.
func resolve(kind string, names []string) []string {
	if len(names) == 0 || names[0] == Default {
		return nil
	}
	if replaces(names) {
		return slices.Clone(names)
	}
	out := slices.Clone(defaults(kind))
	for _, n := range names {
		if n = strings.TrimPrefix(n, "+"); !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// check reports the first problem of any list.
func (a Algorithms) check() error {
	for _, l := range a.lists() {
		if err := CheckAlgorithms(l.kind, *l.names); err != nil {
			return err
		}
	}
	return nil
}

func (a *Algorithms) lists() []struct {
	kind  string
	names *[]string
} {
	return []struct {
		kind  string
		names *[]string
	}{
		{KindKeyExchanges, &a.KeyExchanges},
		{KindCiphers, &a.Ciphers},
		{KindMACs, &a.MACs},
		{KindHostKeys, &a.HostKeys},
	}
}

// apply sets the lists on the handshake's configuration.
func (a Algorithms) apply(cc *ssh.ClientConfig) {
	cc.KeyExchanges = resolve(KindKeyExchanges, a.KeyExchanges)
	cc.Ciphers = resolve(KindCiphers, a.Ciphers)
	cc.MACs = resolve(KindMACs, a.MACs)
	cc.HostKeyAlgorithms = resolve(KindHostKeys, a.HostKeys)
}

// negotiationError explains a handshake that found no algorithm in common:
// what the switch offers, which of those syncwatch could allow, and the
// configuration key that allows them; configured is what the switch's
// settings asked for. nil when err is another error.
func negotiationError(err error, configured Algorithms) error {
	var ne *ssh.AlgorithmNegotiationError
	if !errors.As(err, &ne) {
		return nil
	}
	kind := ""
	switch {
	case strings.Contains(ne.What, "key exchange"):
		kind = KindKeyExchanges
	case strings.Contains(ne.What, "host key"):
		kind = KindHostKeys
	case strings.Contains(ne.What, "cipher"):
		kind = KindCiphers
	case strings.Contains(ne.What, "MAC"):
		kind = KindMACs
	default:
		return fmt.Errorf("no common %s algorithm: the switch offers %s", ne.What, quotedList(ne.RequestedAlgorithms))
	}
	var could []string
	for _, a := range ne.RequestedAlgorithms {
		if slices.Contains(implemented(kind), a) {
			could = append(could, a)
		}
	}
	msg := fmt.Sprintf("no common %s algorithm: the switch offers %s, syncwatch offers %s", ne.What,
		quotedList(ne.RequestedAlgorithms), quotedList(ne.SupportedAlgorithms))
	if len(could) == 0 {
		return errors.New(msg + "; syncwatch's SSH library implements none of the switch's (upgrade the switch's SSH)")
	}
	for _, l := range configured.lists() {
		if l.kind == kind && replaces(*l.names) {
			return fmt.Errorf("%s; the switch's ssh.%s allows only those: add %s to it, or set it to [default] to offer the defaults", msg,
				kind, strings.Join(could, " or "))
		}
	}
	return fmt.Errorf("%s; if the switch cannot be upgraded, allow %s with ssh.%s: [\"+%s\"] for this switch", msg,
		strings.Join(could, " or "), kind, could[0])
}

// quotedList formats a name list for an error, bounded in length, with
// control characters removed and without the pseudo-algorithms that only
// signal extensions (ext-info-c, kex-strict-s-v00@openssh.com).
func quotedList(names []string) string {
	const most = 20
	out := make([]string, 0, min(len(names), most))
	for _, n := range names {
		if strings.HasPrefix(n, "ext-info-") || strings.HasPrefix(n, "kex-strict-") {
			continue
		}
		if len(out) == most {
			out = append(out, "...")
			break
		}
		out = append(out, printable(n))
	}
	return "[" + strings.Join(out, " ") + "]"
}
