package config

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/syncwatch/syncwatch/collectors"
)

// validate checks what decoding cannot: required values, duplicates and
// patterns. It compiles the posture rules.
func (c *Config) validate() Errors {
	var errs Errors
	add := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: c.file, Line: line, Message: fmt.Sprintf(format, args...)})
	}

	psnNames := map[string]int{}
	addrs := map[netip.Addr]string{}
	for i, p := range c.PSNs {
		switch {
		case p.Name == "":
			add(p.line, "psns entry %d has no name", i+1)
		case psnNames[p.Name] > 0:
			add(p.line, "PSN name %q given twice (also line %d)", p.Name, psnNames[p.Name])
		default:
			psnNames[p.Name] = p.line
		}
		if len(p.Addresses) == 0 {
			add(p.line, "PSN %q has no addresses", p.Name)
		}
		for _, a := range p.Addresses {
			ip := netip.Addr(a)
			if !ip.IsValid() {
				add(p.line, "PSN %q has an empty address", p.Name)
				continue
			}
			if other, ok := addrs[ip]; ok {
				add(p.line, "address %s of PSN %q is also PSN %q's", ip, p.Name, other)
				continue
			}
			addrs[ip] = p.Name
		}
	}

	seenPort := map[Port]int{}
	for i, p := range c.Ports {
		line := 0
		if i < len(c.portLines) {
			line = c.portLines[i]
		}
		if seenPort[p] > 0 {
			add(line, "port %d given twice in ports (also line %d)", p, seenPort[p])
		}
		seenPort[p] = line
	}

	for i := range c.Posture.Rules {
		r := &c.Posture.Rules[i]
		var err error
		switch {
		case r.DACL != nil && r.URLRedirect != nil:
			add(r.line, "posture rule %d has both dacl and url_redirect: give one per rule", i+1)
			continue
		case r.DACL == nil && r.URLRedirect == nil:
			add(r.line, "posture rule %d needs dacl (a pattern for dACL names) or url_redirect (a pattern for redirect URLs, '' for any)", i+1)
			continue
		case r.Posture == "":
			add(r.line, "posture rule %d has no posture (compliant, noncompliant, unknown, pending or unclassified)", i+1)
			continue
		case r.DACL != nil:
			r.rule, err = collectors.NewDACLRule(*r.DACL, collectors.Posture(r.Posture))
		default:
			r.rule, err = collectors.NewRedirectRule(*r.URLRedirect, collectors.Posture(r.Posture))
		}
		if err != nil {
			add(r.line, "posture rule %d: %v", i+1, err)
		}
	}

	switchNames := map[string]int{}
	for i, s := range c.Switches {
		switch {
		case s.Name == "":
			add(s.line, "switches entry %d has no name", i+1)
		case switchNames[s.Name] > 0:
			add(s.line, "switch name %q given twice (also line %d)", s.Name, switchNames[s.Name])
		default:
			switchNames[s.Name] = s.line
		}
		if !validHost(s.Address) {
			add(s.line, "switch %q: address %q is not an IP address or host name", s.Name, s.Address)
		}
		if s.Platform == "" {
			add(s.line, "switch %q has no platform (cisco_ios or cisco_iosxe)", s.Name)
		}
	}
	c.validateDaemon(add)
	c.validateCollect(add)
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
	return errs
}

// validHost reports whether s is an IP address or a DNS host name.
func validHost(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
