package acl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// address parses any, host A, A W (IPv4), prefix (IPv6), object-group and
// FQDN forms.
func (p *entryParser) address(what string) (addrMatch, error) {
	t, err := p.word(what + " address")
	if err != nil {
		return addrMatch{}, err
	}
	lt := strings.ToLower(t)
	switch lt {
	case "any":
		p.emit("any")
		return addrMatch{}, nil
	case "object-group":
		name, err := p.word("network object-group name")
		if err != nil {
			return addrMatch{}, err
		}
		p.emit(lt, name)
		reason := "network object-group " + name + " is not resolved (its members are not in the access list output)"
		p.reasons = append(p.reasons, reason)
		return addrMatch{unknown: reason}, nil
	case "addrgroup":
		return addrMatch{}, errors.New("addrgroup is NX-OS syntax, not IOS")
	case "host":
		h, err := p.word("host address")
		if err != nil {
			return addrMatch{}, err
		}
		if strings.EqualFold(h, "dynamic") {
			name, err := p.word("host name after host dynamic")
			if err != nil {
				return addrMatch{}, err
			}
			p.emit("host", "dynamic", name)
			reason := "host dynamic " + name + " is an FQDN the switch resolves at run time"
			p.reasons = append(p.reasons, reason)
			return addrMatch{unknown: reason}, nil
		}
		if p.fam == IPv4 {
			a, err := parseIPv4(h)
			if err != nil {
				return addrMatch{}, err
			}
			p.emit("host", a.String())
			return hostV4(a), nil
		}
		a, err := parseIPv6(h)
		if err != nil {
			return addrMatch{}, err
		}
		p.emit("host", a.String())
		return prefixV6(netip.PrefixFrom(a, 128)), nil
	}
	if p.fam == IPv6 {
		if !strings.Contains(t, "/") {
			return addrMatch{}, fmt.Errorf("%s address %q needs a prefix length, host or any", what, t)
		}
		pf, err := netip.ParsePrefix(t)
		if err != nil || !pf.Addr().Is6() || pf.Addr().Zone() != "" {
			return addrMatch{}, fmt.Errorf("bad IPv6 prefix %q", t)
		}
		p.emit(pf.String())
		return prefixV6(pf), nil
	}
	if strings.Contains(t, "/") {
		return addrMatch{}, fmt.Errorf("prefix %q is NX-OS syntax; IOS needs an address and a wildcard", t)
	}
	a, err := parseIPv4(t)
	if err != nil {
		return addrMatch{}, fmt.Errorf("%s: %w", what, err)
	}
	ws, err := p.word("wildcard after " + t)
	if err != nil {
		return addrMatch{}, err
	}
	w, err := parseIPv4(ws)
	if err != nil {
		return addrMatch{}, fmt.Errorf("wildcard after %s: %w", t, err)
	}
	switch {
	case w == netip.IPv4Unspecified():
		p.emit("host", a.String())
	case w.As4() == [4]byte{255, 255, 255, 255}:
		p.emit("any")
	default:
		p.emit(a.String(), w.String())
	}
	return wildcardV4(a, w), nil
}

func parseIPv4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, fmt.Errorf("bad IPv4 address %q", s)
	}
	return a, nil
}

func parseIPv6(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("bad IPv6 address %q", s)
	}
	return a, nil
}

func hostV4(a netip.Addr) addrMatch { return wildcardV4(a, netip.IPv4Unspecified()) }

// wildcardV4 keeps the bits the wildcard does not free; any wildcard is
// legal, contiguous or not.
func wildcardV4(a, w netip.Addr) addrMatch {
	a4, w4 := a.As4(), w.As4()
	mask := uint64(^binary.BigEndian.Uint32(w4[:]))
	return addrMatch{
		addr: [2]uint64{0, uint64(binary.BigEndian.Uint32(a4[:])) & mask},
		mask: [2]uint64{0, mask},
	}
}

func prefixV6(pf netip.Prefix) addrMatch {
	b := pf.Masked().Addr().As16()
	var m addrMatch
	m.addr = [2]uint64{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	bits := pf.Bits()
	for w := 0; w < 2; w++ {
		n := min(max(bits-64*w, 0), 64)
		if n > 0 {
			m.mask[w] = ^uint64(0) << (64 - n)
		}
	}
	return m
}
