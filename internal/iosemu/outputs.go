package iosemu

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// answer returns the output of a show command, or false when the release
// does not know the command (the caller prints "% Invalid input").
func (p *Profile) answer(cmd string) (string, bool) {
	n := normalize(cmd)
	for k, v := range p.Outputs {
		if normalize(k) == n {
			return v, true
		}
	}
	rel := p.release()
	w := strings.Fields(n)
	switch {
	case n == "show version":
		return p.version(), true
	case n == "show ip access-lists" || n == "show ip access-list" || n == "show access-lists":
		out := p.ACLs
		if n == "show access-lists" {
			out += p.ACLsV6
		}
		return out, true
	case n == "show ipv6 access-lists" || n == "show ipv6 access-list":
		return p.ACLsV6, true
	case n == "show ip arp":
		return p.arp(), true
	case n == "show device-tracking database":
		if rel != ReleaseIOSXE {
			return "", false
		}
		return p.bindings(), true
	case n == "show ip device tracking all":
		if rel == ReleaseIOSXE {
			return "", false
		}
		return p.bindings(), true
	case len(w) >= 2 && w[0] == "show" && (w[1] == "access-session" || len(w) >= 3 && w[1] == "authentication" && w[2] == "sessions"):
		return p.sessionCommand(w)
	}
	return "", false
}

// sessionCommand answers show access-session and show authentication
// sessions, with or without mac M and details, as the release does.
func (p *Profile) sessionCommand(w []string) (string, bool) {
	rel := p.release()
	access := w[1] == "access-session"
	rest := w[2:]
	if !access {
		rest = w[3:]
	}
	if access && rel != ReleaseIOSXE {
		return "", false
	}
	details := false
	if len(rest) > 0 && rest[len(rest)-1] == "details" {
		if rel == ReleaseIOS12 {
			return "", false
		}
		details = true
		rest = rest[:len(rest)-1]
	}
	sessions := p.Sessions
	if len(rest) > 0 {
		if len(rest) != 2 || rest[0] != "mac" {
			return "", false
		}
		mac, ok := ios.NormalizeMAC(rest[1])
		if !ok {
			return "", false
		}
		sessions = nil
		for _, s := range p.Sessions {
			if m, _ := ios.NormalizeMAC(s.MAC); m == mac {
				sessions = append(sessions, s)
			}
		}
		// Old releases print the details of one MAC without being
		// asked, and all releases say so when there is none.
		if rel == ReleaseIOS12 {
			details = true
		}
		if len(sessions) == 0 {
			return "No sessions match supplied criteria.\n", true
		}
	}
	if details {
		return p.details(sessions), true
	}
	return p.summary(sessions), true
}

func (p *Profile) version() string {
	if p.Version != "" {
		return p.Version
	}
	if p.release() == ReleaseIOSXE {
		return fmt.Sprintf(`Cisco IOS XE Software, Version 17.09.04a
Cisco IOS Software [Cupertino], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2023 by Cisco Systems, Inc.

ROM: IOS-XE ROMMON
BOOTLDR: System Bootstrap, Version 17.9.1r, RELEASE SOFTWARE (P)

%s uptime is 12 weeks, 3 days, 4 hours, 10 minutes
System returned to ROM by Reload Command
System image file is "flash:packages.conf"

cisco C9300-48P (X86) processor with 1315360K/6147K bytes of memory.
Processor board ID FOC2233X0AB
48 Gigabit Ethernet interfaces
4 Ten Gigabit Ethernet interfaces

Model Number                       : C9300-48P
System Serial Number               : FOC2233X0AB
`, p.Hostname)
	}
	return fmt.Sprintf(`Cisco IOS Software, C3750E Software (C3750E-UNIVERSALK9-M), Version 15.0(2)SE11, RELEASE SOFTWARE (fc3)
Technical Support: http://www.cisco.com/techsupport
Copyright (c) 1986-2017 by Cisco Systems, Inc.
Compiled Sat 19-Aug-17 09:34 by prod_rel_team

ROM: Bootstrap program is C3750E boot loader
BOOTLDR: C3750E Boot Loader (C3750X-HBOOT-M) Version 15.2(3r)E, RELEASE SOFTWARE (fc1)

%s uptime is 2 years, 31 weeks, 6 days, 9 hours, 55 minutes
System image file is "flash:c3750e-universalk9-mz.150-2.SE11.bin"

cisco WS-C3750X-48P (PowerPC405) processor (revision W0) with 262144K bytes of memory.
Processor board ID FDO1723X0CD
`, p.Hostname)
}

// dotted prints a MAC as IOS does: "a4bb.6d10.2203".
func dotted(mac string) string {
	m, ok := ios.NormalizeMAC(mac)
	if !ok {
		return mac
	}
	h := strings.ReplaceAll(m, ":", "")
	return h[0:4] + "." + h[4:8] + "." + h[8:12]
}

// short abbreviates an interface name as summary tables print it.
func short(iface string) string {
	for _, a := range [...][2]string{
		{"TwentyFiveGigE", "Twe"}, {"TenGigabitEthernet", "Te"}, {"GigabitEthernet", "Gi"},
		{"FastEthernet", "Fa"}, {"Port-channel", "Po"},
	} {
		if strings.HasPrefix(iface, a[0]) {
			return a[1] + iface[len(a[0]):]
		}
	}
	return iface
}

func (s *Session) domain() string {
	if s.Domain == "" {
		return "DATA"
	}
	return s.Domain
}

func (s *Session) method() string {
	if s.Method == "" {
		return "dot1x"
	}
	return s.Method
}

// summary prints the session table in the layout of the release.
func (p *Profile) summary(sessions []Session) string {
	var b strings.Builder
	if len(sessions) == 0 {
		return "No sessions currently exist\n"
	}
	if p.release() == ReleaseIOS12 {
		b.WriteString("Interface  MAC Address     Method   Domain   Status         Session ID\n")
		for _, s := range sessions {
			st := "Authz Success"
			if s.Unauthorized {
				st = "Authz Failed"
			}
			fmt.Fprintf(&b, "%-10s %-15s %-8s %-8s %-14s %s\n", short(s.Interface), dotted(s.MAC), s.method(), s.domain(), st, s.SessionID)
		}
		return b.String()
	}
	b.WriteString("Interface                MAC Address    Method  Domain  Status Fg  Session ID\n")
	b.WriteString(strings.Repeat("-", 92) + "\n")
	for _, s := range sessions {
		st := "Auth"
		if s.Unauthorized {
			st = "Unauth"
		}
		fmt.Fprintf(&b, "%-24s %-14s %-7s %-7s %-11s %s\n", short(s.Interface), dotted(s.MAC), s.method(), s.domain(), st, s.SessionID)
	}
	fmt.Fprintf(&b, "\nSession count = %d\n\nKey to Session Events Blocked Status Flags:\n\n  A - Applying Policy (multi-line status for details)\n  D - Awaiting Removal\n  F - Final Removal in progress\n  I - Awaiting IIF ID allocation\n  P - Pushed Session\n  R - Removing User Profile (multi-line status for details)\n  U - Applying User Profile (multi-line status for details)\n  X - Unknown Blocker\n", len(sessions))
	return b.String()
}

// details prints the details of sessions, separated by dashed lines.
func (p *Profile) details(sessions []Session) string {
	if len(sessions) == 0 {
		return "No sessions currently exist\n"
	}
	var b strings.Builder
	for i := range sessions {
		if i > 0 {
			b.WriteString("----------------------------------------\n")
		}
		s := &sessions[i]
		switch {
		case s.Text != "":
			b.WriteString(strings.TrimRight(s.Text, "\n") + "\n")
		case p.release() == ReleaseIOSXE:
			p.sectioned(&b, s)
		default:
			p.flat(&b, s)
		}
	}
	return b.String()
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

// sectioned prints a session in the IOS-XE layout.
func (p *Profile) sectioned(b *strings.Builder, s *Session) {
	v6 := "Unknown"
	if len(s.IPv6) > 0 {
		v6 = strings.Join(s.IPv6, ", ")
	}
	status := "Authorized"
	if s.Unauthorized {
		status = "Unauthorized"
	}
	user := s.User
	if user == "" {
		user = strings.ToUpper(strings.ReplaceAll(dotted(s.MAC), ".", ""))
	}
	fmt.Fprintf(b, `            Interface:  %s
               IIF-ID:  0x1A2B3C01
          MAC Address:  %s
         IPv6 Address:  %s
         IPv4 Address:  %s
            User-Name:  %s
               Status:  %s
               Domain:  %s
       Oper host mode:  multi-auth
     Oper control dir:  both
      Session timeout:  28800s (server), Remaining: 27013s
       Timeout action:  Reauthenticate
    Common Session ID:  %s
      Acct Session ID:  0x00000102
               Handle:  0x6a000102
       Current Policy:  PMAP_DefaultWiredDot1xClosedAuth_1X_MAB


Server Policies:
`, s.Interface, dotted(s.MAC), v6, orUnknown(s.IPv4), user, status, s.domain(), s.SessionID)
	if s.VLAN != "" {
		fmt.Fprintf(b, "           Vlan Group:  Vlan: %s\n", s.VLAN)
	}
	if s.URLRedirectACL != "" {
		fmt.Fprintf(b, "     URL Redirect ACL:  %s\n", s.URLRedirectACL)
	}
	if s.URLRedirect != "" {
		fmt.Fprintf(b, "         URL Redirect:  %s\n", s.URLRedirect)
	}
	if s.DACL != "" {
		fmt.Fprintf(b, "              ACS ACL:  %s\n", s.DACL)
	}
	if s.DACLv6 != "" {
		fmt.Fprintf(b, "         ACS ACL IPV6:  %s\n", s.DACLv6)
	}
	other := "mab"
	if s.method() == "mab" {
		other = "dot1x"
	}
	fmt.Fprintf(b, "\n\nMethod status list:\n       Method           State\n%13s           Authc Success\n%13s           Stopped\n\n", s.method(), other)
}

// flat prints a session in the IOS 12.2 / 15.x layout.
func (p *Profile) flat(b *strings.Builder, s *Session) {
	status := "Authz Success"
	if s.Unauthorized {
		status = "Authz Failed"
	}
	user := s.User
	if user == "" {
		user = strings.ToUpper(strings.ReplaceAll(dotted(s.MAC), ".", ""))
	}
	fmt.Fprintf(b, `            Interface:  %s
          MAC Address:  %s
           IP Address:  %s
`, s.Interface, dotted(s.MAC), orUnknown(s.IPv4))
	if len(s.IPv6) > 0 {
		fmt.Fprintf(b, "         IPv6 Address:  %s\n", strings.Join(s.IPv6, ", "))
	}
	fmt.Fprintf(b, `            User-Name:  %s
               Status:  %s
               Domain:  %s
       Oper host mode:  multi-auth
     Oper control dir:  both
        Authorized By:  Authentication Server
`, user, status, s.domain())
	if s.VLAN != "" {
		fmt.Fprintf(b, "          Vlan Policy:  %s\n", s.VLAN)
	}
	if s.DACL != "" {
		fmt.Fprintf(b, "              ACS ACL:  %s\n", s.DACL)
	}
	if s.DACLv6 != "" {
		fmt.Fprintf(b, "         ACS ACL IPV6:  %s\n", s.DACLv6)
	}
	if s.URLRedirectACL != "" {
		fmt.Fprintf(b, "     URL Redirect ACL:  %s\n", s.URLRedirectACL)
	}
	if s.URLRedirect != "" {
		fmt.Fprintf(b, "         URL Redirect:  %s\n", s.URLRedirect)
	}
	other := "mab"
	if s.method() == "mab" {
		other = "dot1x"
	}
	fmt.Fprintf(b, `      Session timeout:  28800s (server), Remaining: 11200s
       Timeout action:  Reauthenticate
         Idle timeout:  N/A
    Common Session ID:  %s
      Acct Session ID:  0x00000212
               Handle:  0x4e000212

Runnable methods list:
       Method   State
       %-8s Authc Success
       %-8s Not run

`, s.SessionID, s.method(), other)
}

// bindings prints the address table of the release: the configured one,
// or one generated from the sessions' bound addresses.
func (p *Profile) bindings() string {
	if p.Bindings != "" {
		return p.Bindings
	}
	var rows []string
	for _, s := range p.Sessions {
		if s.Bound == "" {
			continue
		}
		vlan := s.VLAN
		if vlan == "" {
			vlan = "1"
		}
		if p.release() == ReleaseIOSXE {
			code := "DH4"
			if a, err := netip.ParseAddr(s.Bound); err == nil && a.Is6() {
				code = "ND "
			}
			rows = append(rows, fmt.Sprintf("%s %-40s %-22s %-10s %-10s 0025       18s        REACHABLE  280 s try 0", code, s.Bound, dotted(s.MAC), short(s.Interface), vlan))
		} else {
			rows = append(rows, fmt.Sprintf("%-15s %-14s %-5s %-20s 30              ACTIVE   ARP", s.Bound, dotted(s.MAC), vlan, s.Interface))
		}
	}
	if p.release() == ReleaseIOSXE {
		return fmt.Sprintf(`Binding Table has %d entries, %d dynamic (limit 200000)
Codes: L - Local, S - Static, ND - Neighbor Discovery, ARP - Address Resolution Protocol, DH4 - IPv4 DHCP, DH6 - IPv6 DHCP, PKT - Other Packet, API - API created
Preflevel flags (prlvl):
0001:MAC and LLA match     0002:Orig trunk            0004:Orig access
0008:Orig trusted trunk    0010:Orig trusted access   0020:DHCP assigned
0040:Cga authenticated     0080:Cert authenticated    0100:Statically assigned


    Network Layer Address                    Link Layer Address     Interface  vlan       prlvl      age        state      Time left
%s`, len(rows), len(rows), joinLines(rows))
	}
	return fmt.Sprintf(`Global IP Device Tracking for clients = Enabled
Global IP Device Tracking Probe Count = 3
Global IP Device Tracking Probe Interval = 30
Global IP Device Tracking Probe Delay Interval = 0
-----------------------------------------------------------------------------------------------
  IP Address    MAC Address   Vlan  Interface           Probe-Timeout      State    Source
-----------------------------------------------------------------------------------------------
%s
Total number interfaces enabled: 1
Enabled interfaces:
  Gi1/0/1
`, joinLines(rows))
}

// arp prints show ip arp for the sessions' bound IPv4 addresses.
func (p *Profile) arp() string {
	rows := []string{"Protocol  Address          Age (min)  Hardware Addr   Type   Interface"}
	for _, s := range p.Sessions {
		a, err := netip.ParseAddr(s.Bound)
		if err != nil || !a.Is4() {
			continue
		}
		vlan := s.VLAN
		if vlan == "" {
			vlan = "1"
		}
		rows = append(rows, fmt.Sprintf("Internet  %-16s %-10s %-15s ARPA   Vlan%s", s.Bound, "3", dotted(s.MAC), vlan))
	}
	return joinLines(rows)
}

func joinLines(rows []string) string {
	if len(rows) == 0 {
		return ""
	}
	return strings.Join(rows, "\n") + "\n"
}
