package iosemu

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Names used by generated switches.
const (
	CompliantDACL = "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"
	RedirectDACL  = "xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12"
	RedirectACL   = "REDIRECT_POSTURE"
	PhoneDACL     = "xACSACLx-IP-PHONES-1a2b3c4d"
)

// Campus returns the profile of an access switch with n sessions on its
// ports: mostly compliant PCs (dACL CompliantDACL), every tenth a
// posture-unknown PC with a URL redirect, every sixth a phone in the voice
// domain, and every twelfth without an address in its details, bound in
// the device-tracking table instead. MACs, addresses and session IDs are
// unique per hostname.
func Campus(hostname string, release Release, n int) Profile {
	h := fnv.New32a()
	h.Write([]byte(hostname))
	id := h.Sum32()
	p := Profile{Hostname: hostname, Release: release}
	for i := 0; i < n; i++ {
		p.Sessions = append(p.Sessions, CampusSession(id, i))
	}
	p.ACLs = fmt.Sprintf(`Extended IP access list %s
    10 deny ip any host 10.0.0.11
    20 deny ip any host 10.0.0.12
    30 permit tcp any any eq www (1187 matches)
    40 permit tcp any any eq 443 (2203 matches)
Extended IP access list %s (per-user)
    10 deny tcp any host 10.0.0.11 eq 8449 (412 matches)
    20 deny tcp any host 10.0.0.12 eq 8449 (37 matches)
    30 permit ip any any (918273 matches)
Extended IP access list %s (per-user)
    10 permit ip any any (55012 matches)
Extended IP access list %s (per-user)
    10 permit udp any any eq domain (310 matches)
    20 permit tcp any host 10.0.0.11 eq 8449 (12 matches)
    30 permit tcp any host 10.0.0.12 eq 8449
    40 deny ip any any (47 matches)
`, RedirectACL, CompliantDACL, PhoneDACL, RedirectDACL)
	p.ACLsV6 = "IPv6 access list xACSACLx-IPV6-EMPLOYEE_COMPLIANT-64a351c6 (per-user)\n    deny tcp any host 2001:DB8::11 eq 8449 sequence 10\n    permit ipv6 any any (5120 matches) sequence 20\n"
	return p
}

// CampusSession returns the i-th session of a generated switch whose
// hostname hashes to id.
func CampusSession(id uint32, i int) Session {
	s := Session{
		Interface: fmt.Sprintf("GigabitEthernet%d/0/%d", 1+i/48, 1+i%48),
		MAC:       fmt.Sprintf("%02x%02x.%02x%02x.%04x", 0x02, byte(id>>16), byte(id>>8), byte(id), i),
		User:      fmt.Sprintf("host/pc-%05d.corp.example.com", i),
		Domain:    "DATA",
		Method:    "dot1x",
		SessionID: strings.ToUpper(fmt.Sprintf("0a01%08x%012x", id, i)),
		DACL:      CompliantDACL,
		VLAN:      "10",
	}
	ip := fmt.Sprintf("10.%d.%d.%d", 64+byte(id)%64, byte(i>>8)+byte(id>>8)%64*4, 1+i%250)
	switch {
	case i%12 == 11:
		s.Bound = ip
	default:
		s.IPv4 = ip
	}
	switch {
	case i%10 == 9:
		s.DACL = RedirectDACL
		s.URLRedirectACL = RedirectACL
		s.URLRedirect = "https://ise-psn1.corp.example.com:8443/portal/gateway?sessionId=" + s.SessionID + "&portal=27b1bc30&action=cpp&token=5c7a2e0d"
	case i%6 == 5:
		s.DACL = PhoneDACL
		s.Domain, s.Method, s.VLAN = "VOICE", "mab", "20"
		s.User = strings.ToUpper(strings.ReplaceAll(s.MAC, ".", ""))
	}
	return s
}
