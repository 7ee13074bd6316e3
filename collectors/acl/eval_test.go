package acl

import (
	"net/netip"
	"testing"
)

// numbered gives texts the sequence numbers 10, 20, 30, ...
func numbered(texts ...string) []Line {
	lines := make([]Line, len(texts))
	for i, t := range texts {
		lines[i] = Line{Seq: 10 * (i + 1), Text: t}
	}
	return lines
}

// syn is a TCP SYN from src to dst:port from an ephemeral source port.
func syn(src, dst string, port uint16) Packet {
	return Packet{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: 6, SrcPort: 51000, DstPort: port, Flags: SYN}
}

func with(p Packet, change func(*Packet)) Packet {
	change(&p)
	return p
}

const (
	host   = "10.1.2.3"
	psn11  = "10.0.0.11"
	psn12  = "10.0.0.12"
	psn13  = "10.0.0.13"
	host6  = "2001:db8:1::5"
	psn6   = "2001:db8:0:1::11"
	og     = "network object-group INSIDE is not resolved (its members are not in the access list output)"
	parsed = "the entry could not be parsed: "
)

type evalCase struct {
	name     string
	fam      Family
	kind     Kind
	lines    []string
	pkt      Packet
	verdict  Verdict
	seq      int
	text     string
	implicit bool
	timed    bool
	reason   string
}

// implicitDeny fills the fields of an implicit deny result for IPv4.
func implicitDeny(c evalCase) evalCase {
	c.verdict, c.text, c.implicit, c.reason = Denied, "deny ip any any", true, reasonImplicit
	return c
}

func runEvalCases(t *testing.T, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fam, kind := tc.fam, tc.kind
			if fam == 0 {
				fam = IPv4
			}
			if kind == 0 {
				kind = Extended
			}
			a, _ := Compile("test", fam, kind, numbered(tc.lines...))
			r := a.Evaluate(tc.pkt)
			if r.Verdict != tc.verdict || r.Seq != tc.seq || r.Text != tc.text || r.Implicit != tc.implicit || r.TimeRange != tc.timed || r.Reason != tc.reason {
				t.Errorf("Evaluate =\n  %v seq %d %q implicit %v time-range %v reason %q\nwant\n  %v seq %d %q implicit %v time-range %v reason %q",
					r.Verdict, r.Seq, r.Text, r.Implicit, r.TimeRange, r.Reason,
					tc.verdict, tc.seq, tc.text, tc.implicit, tc.timed, tc.reason)
			}
			switch {
			case r.Implicit || r.Reason == reasonFamily:
				if r.Entry != nil {
					t.Errorf("Entry = %q, want nil", r.Entry.String())
				}
			case r.Entry == nil:
				t.Errorf("Entry is nil")
			case r.Entry != &a.Entries[tc.seq/10-1]:
				t.Errorf("Entry is not the ACL's entry with seq %d", tc.seq)
			}
			if got := testing.AllocsPerRun(10, func() { a.Evaluate(tc.pkt) }); got != 0 {
				t.Errorf("Evaluate allocates %.0f times", got)
			}
		})
	}
}

// TestEvaluateIssueInputs are the small inputs of issue 3, section 4.
func TestEvaluateIssueInputs(t *testing.T) {
	psnDenies := []string{"deny tcp any host 10.0.0.11 eq 8449", "deny tcp any host 10.0.0.12 eq 8449"}
	redirect := []string{"deny ip any host 10.0.0.11", "permit tcp any any eq www", "permit tcp any any eq 443"}
	runEvalCases(t, []evalCase{
		{name: "established above the denies does not let a SYN through",
			lines: append([]string{"permit tcp any any established"}, append(psnDenies, "permit ip any any")...),
			pkt:   syn(host, psn11, 8449), verdict: Denied, seq: 20, text: "deny tcp any host 10.0.0.11 eq 8449"},
		{name: "established lets the ACK through",
			lines: append([]string{"permit tcp any any established"}, psnDenies...),
			pkt:   with(syn(host, psn11, 8449), func(p *Packet) { p.Flags = ACK }), verdict: Permitted, seq: 10, text: "permit tcp any any established"},
		{name: "permit tcp any any shadows the deny",
			lines: []string{"permit tcp any any", "deny tcp any host 10.0.0.12 eq 8449"},
			pkt:   syn(host, psn12, 8449), verdict: Permitted, seq: 10, text: "permit tcp any any"},
		{name: "third PSN without a deny is permitted by permit ip any any",
			lines: append(psnDenies, "permit ip any any"),
			pkt:   syn(host, psn13, 8449), verdict: Permitted, seq: 30, text: "permit ip any any"},
		implicitDeny(evalCase{name: "third PSN without a deny and no permit: implicit deny",
			lines: psnDenies, pkt: syn(host, psn13, 8449)}),
		{name: "range denies .11", lines: []string{"deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", "permit ip any any"},
			pkt: syn(host, psn11, 8449), verdict: Denied, seq: 10, text: "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450"},
		{name: "range denies .12", lines: []string{"deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", "permit ip any any"},
			pkt: syn(host, psn12, 8449), verdict: Denied, seq: 10, text: "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450"},
		{name: "range denies .13", lines: []string{"deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", "permit ip any any"},
			pkt: syn(host, psn13, 8449), verdict: Denied, seq: 10, text: "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450"},
		{name: "IPv6 dACL without a deny for the PSN permits it", fam: IPv6,
			lines: []string{"deny tcp any host 2001:db8:0:1::99 eq 8449", "permit ipv6 any any"},
			pkt:   syn(host6, psn6, 8449), verdict: Permitted, seq: 20, text: "permit ipv6 any any"},
		{name: "redirect ACL permit tcp any any captures the SYN",
			lines: []string{"permit tcp any any"}, pkt: syn(host, psn11, 8449), verdict: Permitted, seq: 10, text: "permit tcp any any"},
		{name: "redirect ACL starting with a deny for the PSN",
			lines: redirect, pkt: syn(host, psn11, 8449), verdict: Denied, seq: 10, text: "deny ip any host 10.0.0.11"},
		implicitDeny(evalCase{name: "redirect ACL does not capture 8449 to another address",
			lines: redirect, pkt: syn(host, psn12, 8449)}),
		{name: "redirect ACL captures 443",
			lines: redirect, pkt: syn(host, psn12, 443), verdict: Permitted, seq: 30, text: "permit tcp any any eq 443"},
		{name: "object-group that could match: unknown, naming it",
			lines: []string{"permit tcp object-group INSIDE host 10.0.0.11 eq 8449", "deny ip any any"},
			pkt:   syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "permit tcp object-group INSIDE host 10.0.0.11 eq 8449", reason: og},
		{name: "object-group whose other conditions exclude the packet is passed",
			lines: []string{"permit tcp object-group INSIDE host 10.0.0.11 eq 8449", "deny ip any any"},
			pkt:   syn(host, psn12, 8449), verdict: Denied, seq: 20, text: "deny ip any any"},
		{name: "unknown keyword that could match: unknown",
			lines: []string{"deny tcp any host 10.0.0.11 eq 8449 foo", "permit ip any any"},
			pkt:   syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "deny tcp any host 10.0.0.11 eq 8449 foo",
			reason: "foo after the destination port is neither a port name nor a keyword this package knows"},
		{name: "unknown keyword without ports: unknown",
			lines: []string{"deny ip any host 10.0.0.11 foo", "permit ip any any"},
			pkt:   syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "deny ip any host 10.0.0.11 foo", reason: `unknown keyword "foo"`},
		{name: "unknown keyword on an entry for another host is passed",
			lines: []string{"deny tcp any host 10.0.0.11 eq 8449 foo", "permit ip any any"},
			pkt:   syn(host, psn12, 8449), verdict: Permitted, seq: 20, text: "permit ip any any"},
	})
}

func TestEvaluatePorts(t *testing.T) {
	src0 := func(p Packet) Packet { p.SrcPort = 0; return p }
	runEvalCases(t, []evalCase{
		{name: "eq several, listed", lines: []string{"deny tcp any any eq 443 8449 8905"}, pkt: syn(host, psn11, 8449), verdict: Denied, seq: 10, text: "deny tcp any any eq 443 8449 8905"},
		implicitDeny(evalCase{name: "eq several, not listed", lines: []string{"permit tcp any any eq 443 8449 8905"}, pkt: syn(host, psn11, 8448)}),
		implicitDeny(evalCase{name: "neq several, listed", lines: []string{"permit tcp any any neq 8449 8905"}, pkt: syn(host, psn11, 8449)}),
		{name: "neq several, not listed", lines: []string{"permit tcp any any neq 8449 8905"}, pkt: syn(host, psn11, 80), verdict: Permitted, seq: 10, text: "permit tcp any any neq 8449 8905"},
		{name: "lt below", lines: []string{"permit tcp any any lt 1024"}, pkt: syn(host, psn11, 1023), verdict: Permitted, seq: 10, text: "permit tcp any any lt 1024"},
		implicitDeny(evalCase{name: "lt is strict", lines: []string{"permit tcp any any lt 1024"}, pkt: syn(host, psn11, 1024)}),
		{name: "gt above", lines: []string{"permit tcp any any gt 8448"}, pkt: syn(host, psn11, 8449), verdict: Permitted, seq: 10, text: "permit tcp any any gt 8448"},
		implicitDeny(evalCase{name: "gt is strict", lines: []string{"permit tcp any any gt 8449"}, pkt: syn(host, psn11, 8449)}),
		{name: "range inclusive", lines: []string{"permit tcp any any range 8449 8449"}, pkt: syn(host, psn11, 8449), verdict: Permitted, seq: 10, text: "permit tcp any any range 8449 8449"},
		implicitDeny(evalCase{name: "range upper bound", lines: []string{"permit tcp any any range 8440 8449"}, pkt: syn(host, psn11, 8450)}),
		implicitDeny(evalCase{name: "lt 0 matches nothing", lines: []string{"permit tcp any any lt 0"}, pkt: syn(host, psn11, 0)}),
		{name: "source gt 1023", lines: []string{"permit tcp any gt 1023 any"}, pkt: syn(host, psn11, 8449), verdict: Permitted, seq: 10, text: "permit tcp any gt 1023 any"},
		implicitDeny(evalCase{name: "source eq www, port 51000", lines: []string{"permit tcp any eq www any"}, pkt: syn(host, psn11, 8449)}),
		{name: "unknown source port, condition covering all ephemeral ports", lines: []string{"permit tcp any gt 1023 any"},
			pkt: src0(syn(host, psn11, 8449)), verdict: Permitted, seq: 10, text: "permit tcp any gt 1023 any"},
		implicitDeny(evalCase{name: "unknown source port, condition outside the ephemeral ports", lines: []string{"permit tcp any eq www any"},
			pkt: src0(syn(host, psn11, 8449))}),
		{name: "unknown source port, condition covering part of them", lines: []string{"permit tcp any range 16384 32767 any"},
			pkt: src0(syn(host, psn11, 8449)), verdict: Unknown, seq: 10, text: "permit tcp any range 16384 32767 any", reason: reasonEphemeral},
		{name: "unknown source port, neq", lines: []string{"deny tcp any neq 80 any"},
			pkt: src0(syn(host, psn11, 8449)), verdict: Denied, seq: 10, text: "deny tcp any neq 80 any"},
		{name: "unknown port name on the source side, listed port", lines: []string{"permit tcp any eq ssh 8080 any"},
			pkt: with(syn(host, psn11, 8449), func(p *Packet) { p.SrcPort = 8080 }), verdict: Permitted, seq: 10, text: "permit tcp any eq ssh 8080 any"},
		{name: "unknown port name on the source side, other port", lines: []string{"permit tcp any eq ssh 8080 any"},
			pkt: syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "permit tcp any eq ssh 8080 any", reason: "port name ssh is not an IOS keyword this package knows"},
		{name: "unknown word after the destination port, listed port", lines: []string{"deny tcp any any eq 8449 https"},
			pkt: syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "deny tcp any any eq 8449 https",
			reason: "https after the destination port is neither a port name nor a keyword this package knows"},
		implicitDeny(evalCase{name: "neq with an unknown name, excluded port", lines: []string{"permit tcp any any neq telnet ssh"}, pkt: syn(host, psn11, 23)}),
		{name: "neq with an unknown name, other port", lines: []string{"permit tcp any any neq telnet ssh"},
			pkt: syn(host, psn11, 8449), verdict: Unknown, seq: 10, text: "permit tcp any any neq telnet ssh",
			reason: "ssh after the destination port is neither a port name nor a keyword this package knows"},
		{name: "port names: www", lines: []string{"deny tcp any any eq www"}, pkt: syn(host, psn11, 80), verdict: Denied, seq: 10, text: "deny tcp any any eq www"},
		{name: "port names: ftp-data ftp telnet smtp", lines: []string{"deny tcp any any eq ftp-data ftp telnet smtp"}, pkt: syn(host, psn11, 25), verdict: Denied, seq: 10, text: "deny tcp any any eq ftp-data ftp telnet smtp"},
		{name: "port names: pop3 range", lines: []string{"deny tcp any any range pop3 pop3"}, pkt: syn(host, psn11, 110), verdict: Denied, seq: 10, text: "deny tcp any any range pop3 pop3"},
		{name: "port names: cmd is 514", lines: []string{"deny tcp any any eq cmd"}, pkt: syn(host, psn11, 514), verdict: Denied, seq: 10, text: "deny tcp any any eq cmd"},
		{name: "port names: bootps", lines: []string{"permit udp any any eq bootps"}, pkt: with(syn(host, psn11, 67), func(p *Packet) { p.Proto = 17 }), verdict: Permitted, seq: 10, text: "permit udp any any eq bootps"},
		{name: "port names: domain ntp snmp tftp", lines: []string{"permit udp any any eq domain ntp snmp tftp"}, pkt: with(syn(host, psn11, 69), func(p *Packet) { p.Proto = 17 }), verdict: Permitted, seq: 10, text: "permit udp any any eq domain ntp snmp tftp"},
		{name: "port names: non500-isakmp", lines: []string{"permit udp any any eq non500-isakmp"}, pkt: with(syn(host, psn11, 4500), func(p *Packet) { p.Proto = 17 }), verdict: Permitted, seq: 10, text: "permit udp any any eq non500-isakmp"},
		implicitDeny(evalCase{name: "udp entry does not match tcp", lines: []string{"permit udp any any eq 8449"}, pkt: syn(host, psn11, 8449)}),
	})
}

func TestEvaluateTCPFlags(t *testing.T) {
	flags := func(f uint8) Packet { return with(syn(host, psn11, 8449), func(p *Packet) { p.Flags = f }) }
	est := []string{"permit tcp any any established"}
	estOK := evalCase{verdict: Permitted, seq: 10, text: "permit tcp any any established"}
	named := func(name string, c evalCase, p Packet) evalCase { c.name, c.lines, c.pkt = name, est, p; return c }
	runEvalCases(t, []evalCase{
		named("established: ACK", estOK, flags(ACK)),
		named("established: RST", estOK, flags(RST)),
		named("established: SYN-ACK", estOK, flags(SYN|ACK)),
		implicitDeny(evalCase{name: "established: SYN", lines: est, pkt: flags(SYN)}),
		implicitDeny(evalCase{name: "established: FIN", lines: est, pkt: flags(FIN)}),
		{name: "syn keyword: SYN", lines: []string{"deny tcp any any syn"}, pkt: flags(SYN), verdict: Denied, seq: 10, text: "deny tcp any any syn"},
		implicitDeny(evalCase{name: "syn keyword: ACK", lines: []string{"deny tcp any any syn"}, pkt: flags(ACK)}),
		{name: "match-any +syn -ack: SYN", lines: []string{"permit tcp any any match-any +syn -ack"}, pkt: flags(SYN), verdict: Permitted, seq: 10, text: "permit tcp any any match-any +syn -ack"},
		{name: "match-any +syn -ack: FIN", lines: []string{"permit tcp any any match-any +syn -ack"}, pkt: flags(FIN), verdict: Permitted, seq: 10, text: "permit tcp any any match-any +syn -ack"},
		implicitDeny(evalCase{name: "match-any +syn -ack: ACK", lines: []string{"permit tcp any any match-any +syn -ack"}, pkt: flags(ACK)}),
		{name: "match-all +syn -ack: SYN", lines: []string{"deny tcp any any match-all +syn -ack"}, pkt: flags(SYN), verdict: Denied, seq: 10, text: "deny tcp any any match-all +syn -ack"},
		implicitDeny(evalCase{name: "match-all +syn -ack: SYN-ACK", lines: []string{"deny tcp any any match-all +syn -ack"}, pkt: flags(SYN | ACK)}),
		implicitDeny(evalCase{name: "match-all +ack -fin: SYN", lines: []string{"permit tcp any any match-all +ack -fin"}, pkt: flags(SYN)}),
		{name: "match-all +ack -fin: ACK", lines: []string{"permit tcp any any match-all +ack -fin"}, pkt: flags(ACK), verdict: Permitted, seq: 10, text: "permit tcp any any match-all +ack -fin"},
		{name: "established psh: ACK-PSH", lines: []string{"permit tcp any any established psh"}, pkt: flags(ACK | PSH), verdict: Permitted, seq: 10, text: "permit tcp any any established psh"},
		implicitDeny(evalCase{name: "established psh: ACK", lines: []string{"permit tcp any any established psh"}, pkt: flags(ACK)}),
		{name: "log cookie is not established", lines: []string{"permit tcp any any log established"}, pkt: flags(SYN), verdict: Permitted, seq: 10, text: "permit tcp any any log (tag = established)"},
	})
}

func TestEvaluateAddresses(t *testing.T) {
	ip := func(src, dst string) Packet { return syn(src, dst, 8449) }
	runEvalCases(t, []evalCase{
		{name: "wildcard 0.0.255.0: third octet free", lines: []string{"deny ip 10.0.0.0 0.0.255.0 any"}, pkt: ip("10.0.7.0", psn11), verdict: Denied, seq: 10, text: "deny ip 10.0.0.0 0.0.255.0 any"},
		implicitDeny(evalCase{name: "wildcard 0.0.255.0: fourth octet fixed", lines: []string{"deny ip 10.0.0.0 0.0.255.0 any"}, pkt: ip("10.0.7.1", psn11)}),
		{name: "non-contiguous 0.0.255.254: odd host", lines: []string{"permit ip any 10.0.0.1 0.0.255.254"}, pkt: ip(host, "10.0.9.11"), verdict: Permitted, seq: 10, text: "permit ip any 10.0.0.1 0.0.255.254"},
		implicitDeny(evalCase{name: "non-contiguous 0.0.255.254: even host", lines: []string{"permit ip any 10.0.0.1 0.0.255.254"}, pkt: ip(host, "10.0.9.12")}),
		{name: "address bits under the wildcard are ignored", lines: []string{"permit ip 10.0.0.5 0.0.0.255 any"}, pkt: ip("10.0.0.200", psn11), verdict: Permitted, seq: 10, text: "permit ip 10.0.0.5 0.0.0.255 any"},
		{name: "host", lines: []string{"deny ip host 10.1.2.3 any"}, pkt: ip(host, psn11), verdict: Denied, seq: 10, text: "deny ip host 10.1.2.3 any"},
		implicitDeny(evalCase{name: "host, other address", lines: []string{"deny ip host 10.1.2.3 any"}, pkt: ip("10.1.2.4", psn11)}),
		{name: "IPv4-mapped packet against an IPv4 list", lines: []string{"deny ip any host 10.0.0.11"}, pkt: ip("::ffff:10.1.2.3", "::ffff:10.0.0.11"), verdict: Denied, seq: 10, text: "deny ip any host 10.0.0.11"},
		{name: "IPv6 prefix", fam: IPv6, lines: []string{"deny tcp any 2001:db8::/32 eq 8449"}, pkt: ip(host6, psn6), verdict: Denied, seq: 10, text: "deny tcp any 2001:db8::/32 eq 8449"},
		{name: "IPv6 prefix, outside", fam: IPv6, lines: []string{"deny tcp any 2001:db8::/32 eq 8449", "permit ipv6 any any"}, pkt: ip(host6, "2001:db9::11"), verdict: Permitted, seq: 20, text: "permit ipv6 any any"},
		{name: "IPv6 prefix longer than 64", fam: IPv6, lines: []string{"deny ipv6 2001:db8:1::/120 any", "permit ipv6 any any"}, pkt: ip("2001:db8:1::1:5", psn6), verdict: Permitted, seq: 20, text: "permit ipv6 any any"},
		{name: "IPv6 prefix written with host bits", fam: IPv6, lines: []string{"deny ipv6 2001:db8:1d14::/16 any"}, pkt: ip("2001:ffff::1", psn6), verdict: Denied, seq: 10, text: "deny ipv6 2001:db8:1d14::/16 any"},
		{name: "IPv6 host", fam: IPv6, lines: []string{"deny tcp any host 2001:DB8:0:1::11 eq 8449"}, pkt: ip(host6, psn6), verdict: Denied, seq: 10, text: "deny tcp any host 2001:db8:0:1::11 eq 8449"},
		{name: "IPv6 ::/0", fam: IPv6, lines: []string{"deny ipv6 ::/0 any"}, pkt: ip(host6, psn6), verdict: Denied, seq: 10, text: "deny ipv6 ::/0 any"},
		{name: "IPv6 implicit deny", fam: IPv6, lines: []string{"permit udp any any eq domain"}, pkt: ip(host6, psn6), verdict: Denied, text: "deny ipv6 any any", implicit: true, reason: reasonImplicit},
		{name: "IPv6 implicit neighbor solicitation permit", fam: IPv6, lines: []string{"permit udp any any eq domain"},
			pkt:     Packet{Src: netip.MustParseAddr("fe80::1"), Dst: netip.MustParseAddr("ff02::1:ff00:11"), Proto: 58, ICMPType: 135},
			verdict: Permitted, text: "permit icmp any any nd-ns", implicit: true, reason: reasonImplicitND},
		{name: "IPv6 implicit neighbor advertisement permit", fam: IPv6, lines: nil,
			pkt:     Packet{Src: netip.MustParseAddr("fe80::1"), Dst: netip.MustParseAddr("fe80::2"), Proto: 58, ICMPType: 136},
			verdict: Permitted, text: "permit icmp any any nd-na", implicit: true, reason: reasonImplicitND},
		{name: "IPv6 packet against an IPv4 list", lines: []string{"permit ip any any"}, pkt: ip(host6, psn6), verdict: Unknown, reason: reasonFamily},
		{name: "IPv4 packet against an IPv6 list", fam: IPv6, lines: []string{"permit ipv6 any any"}, pkt: ip(host, psn11), verdict: Unknown, reason: reasonFamily},
		{name: "packet without addresses", lines: []string{"permit ip any any"}, pkt: Packet{Proto: 6}, verdict: Unknown, reason: reasonFamily},
	})
}

func TestEvaluateProtocolsAndKeywords(t *testing.T) {
	pkt := syn(host, psn11, 8449)
	proto := func(n uint8) Packet { return with(pkt, func(p *Packet) { p.Proto = n }) }
	icmp := func(typ, code uint8) Packet {
		return with(pkt, func(p *Packet) {
			p.Proto, p.ICMPType, p.ICMPCode, p.SrcPort, p.DstPort, p.Flags = 1, typ, code, 0, 0, 0
		})
	}
	tos := func(b uint8) Packet { return with(pkt, func(p *Packet) { p.TOS = b }) }
	ttl := func(v uint8) Packet { return with(pkt, func(p *Packet) { p.TTL = v }) }
	frag := with(pkt, func(p *Packet) { p.Fragment, p.SrcPort, p.DstPort, p.Flags = true, 0, 0, 0 })
	runEvalCases(t, []evalCase{
		{name: "protocol number 6 is tcp", lines: []string{"deny 6 any any"}, pkt: pkt, verdict: Denied, seq: 10, text: "deny 6 any any"},
		implicitDeny(evalCase{name: "protocol 17 is not tcp", lines: []string{"permit 17 any any"}, pkt: pkt}),
		{name: "ahp", lines: []string{"permit ahp any any log-input"}, pkt: proto(51), verdict: Permitted, seq: 10, text: "permit ahp any any log-input"},
		{name: "gre", lines: []string{"permit gre any any"}, pkt: proto(47), verdict: Permitted, seq: 10, text: "permit gre any any"},
		{name: "protocol 0 may be ip", lines: []string{"deny 0 any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "deny 0 any any", reason: "protocol number 0 may stand for every protocol (ip) on IOS"},
		{name: "icmp name", lines: []string{"permit icmp any any echo"}, pkt: icmp(8, 0), verdict: Permitted, seq: 10, text: "permit icmp any any echo"},
		implicitDeny(evalCase{name: "icmp name, other type", lines: []string{"permit icmp any any echo"}, pkt: icmp(0, 0)}),
		{name: "icmp name with code", lines: []string{"permit icmp any any port-unreachable"}, pkt: icmp(3, 3), verdict: Permitted, seq: 10, text: "permit icmp any any port-unreachable"},
		implicitDeny(evalCase{name: "icmp name with code, other code", lines: []string{"permit icmp any any port-unreachable"}, pkt: icmp(3, 1)}),
		{name: "icmp type number", lines: []string{"deny icmp any any 3"}, pkt: icmp(3, 13), verdict: Denied, seq: 10, text: "deny icmp any any 3"},
		{name: "log and log-input are no conditions", lines: []string{"deny tcp any any eq 8449 log", "permit ip any any log-input"}, pkt: pkt, verdict: Denied, seq: 10, text: "deny tcp any any eq 8449 log"},
		// A time-range entry applies as the switch showed it now; an
		// inactive deny was taken as active, and a compliant session that
		// reaches the PSN while it is inactive judged healthy.
		{name: "active time-range", lines: []string{"deny tcp any any eq 8449 time-range WORK (active)"}, pkt: pkt, verdict: Denied, seq: 10, text: "deny tcp any any eq 8449 time-range WORK (active)", timed: true},
		{name: "inactive time-range matches nothing", lines: []string{"deny tcp any any eq 8449 time-range WORK (inactive)", "permit ip any any"}, pkt: pkt, verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "time-range of unknown state: unknown", lines: []string{"deny tcp any any eq 8449 time-range WORK", "permit ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "deny tcp any any eq 8449 time-range WORK",
			reason: "time-range WORK: whether it is active now is not known (the switch prints (active) or (inactive))"},
		{name: "time-range of another port: no match whatever its state", lines: []string{"deny tcp any any eq 443 time-range WORK", "deny tcp any any eq 8449"}, pkt: pkt, verdict: Denied, seq: 20, text: "deny tcp any any eq 8449"},
		{name: "dscp ef, best-effort SYN", lines: []string{"deny tcp any any eq 8449 dscp ef", "permit ip any any"}, pkt: pkt, verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "dscp ef, EF SYN", lines: []string{"deny tcp any any eq 8449 dscp ef", "permit ip any any"}, pkt: tos(46 << 2), verdict: Denied, seq: 10, text: "deny tcp any any eq 8449 dscp ef"},
		{name: "dscp default", lines: []string{"deny tcp any any dscp default"}, pkt: pkt, verdict: Denied, seq: 10, text: "deny tcp any any dscp default"},
		{name: "precedence", lines: []string{"deny ip any any precedence internet"}, pkt: tos(6 << 5), verdict: Denied, seq: 10, text: "deny ip any any precedence internet"},
		{name: "tos", lines: []string{"deny ip any any tos max-throughput", "permit ip any any"}, pkt: tos(4 << 1), verdict: Denied, seq: 10, text: "deny ip any any tos max-throughput"},
		{name: "contradicting dscp and precedence never match", lines: []string{"deny ip any any dscp ef precedence routine", "permit ip any any"}, pkt: tos(46 << 2), verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "ttl unknown", lines: []string{"deny ip any any ttl lt 5", "permit ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "deny ip any any ttl lt 5", reason: reasonTTL},
		{name: "ttl inside", lines: []string{"deny ip any any ttl lt 5", "permit ip any any"}, pkt: ttl(3), verdict: Denied, seq: 10, text: "deny ip any any ttl lt 5"},
		{name: "ttl outside", lines: []string{"deny ip any any ttl lt 5", "permit ip any any"}, pkt: ttl(64), verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "fragments: never the SYN", lines: []string{"deny ip any any fragments", "permit ip any any"}, pkt: pkt, verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "fragments: a non-initial fragment", lines: []string{"deny ip any any fragments", "permit ip any any"}, pkt: frag, verdict: Denied, seq: 10, text: "deny ip any any fragments"},
		{name: "non-initial fragment passes a deny with ports", lines: []string{"deny tcp any any eq 8449", "permit ip any any"}, pkt: frag, verdict: Permitted, seq: 20, text: "permit ip any any"},
		{name: "non-initial fragment matches a permit with ports on layer 3", lines: []string{"permit tcp any host 10.0.0.11 eq www"}, pkt: frag, verdict: Permitted, seq: 10, text: "permit tcp any host 10.0.0.11 eq www"},
		{name: "non-initial fragment matches a layer-3 deny", lines: []string{"deny tcp any host 10.0.0.11", "permit ip any any"}, pkt: frag, verdict: Denied, seq: 10, text: "deny tcp any host 10.0.0.11"},
		{name: "option", lines: []string{"deny ip any any option record-route", "permit ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "deny ip any any option record-route",
			reason: "option record-route matches IP options, which a Packet does not describe"},
		{name: "remark never matches", lines: []string{"remark block the PSNs", "deny tcp any host 10.0.0.11 eq 8449"}, pkt: pkt, verdict: Denied, seq: 20, text: "deny tcp any host 10.0.0.11 eq 8449"},
		{name: "reflect is no condition", lines: []string{"permit tcp any any reflect tcptraffic"}, pkt: pkt, verdict: Permitted, seq: 10, text: "permit tcp any any reflect tcptraffic"},
		{name: "evaluate", lines: []string{"evaluate tcptraffic", "deny ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "evaluate tcptraffic",
			reason: "evaluate tcptraffic nests a reflexive access list whose entries exist only at run time"},
		{name: "dynamic", lines: []string{"dynamic lock timeout 5 permit ip any any", "deny ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "dynamic lock timeout 5 permit ip any any",
			reason: "dynamic (lock-and-key) entry matches only after a user authenticates"},
		{name: "fqdn", lines: []string{"deny ip any host 100.8.12.107", "deny ip any host dynamic www.msft10.com", "permit ip any any"}, pkt: pkt, verdict: Unknown, seq: 20,
			text: "deny ip any host dynamic www.msft10.com", reason: "host dynamic www.msft10.com is an FQDN the switch resolves at run time"},
		{name: "service object-group", lines: []string{"permit object-group WEB any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "permit object-group WEB any any",
			reason: "service object-group WEB is not resolved (its protocols and ports are not in the access list output)"},
		{name: "unparseable entry", lines: []string{"permit tcp 10.0.0.0/8 any", "deny ip any any"}, pkt: pkt, verdict: Unknown, seq: 10, text: "permit tcp 10.0.0.0/8 any",
			reason: parsed + `prefix "10.0.0.0/8" is NX-OS syntax; IOS needs an address and a wildcard`},
		{name: "standard: listed source", kind: Standard, lines: []string{"deny 10.1.2.0, wildcard bits 0.0.0.255", "permit any"}, pkt: pkt, verdict: Denied, seq: 10, text: "deny 10.1.2.0, wildcard bits 0.0.0.255"},
		{name: "standard: other source", kind: Standard, lines: []string{"deny 10.1.2.0 0.0.0.255", "permit any"}, pkt: syn("10.1.3.3", psn11, 8449), verdict: Permitted, seq: 20, text: "permit any"},
		{name: "standard: implicit deny", kind: Standard, lines: []string{"permit 10.9.9.9"}, pkt: pkt, verdict: Denied, text: "deny any", implicit: true, reason: reasonImplicit},
		{name: "role-based: destination port", kind: RoleBased, lines: []string{"permit tcp dst eq 8449"}, pkt: pkt, verdict: Permitted, seq: 10, text: "permit tcp dst eq 8449"},
		{name: "role-based: implicit deny", kind: RoleBased, lines: []string{"permit tcp dst eq 443"}, pkt: pkt, verdict: Denied, text: "deny ip", implicit: true, reason: reasonImplicit},
	})
}

func TestEvaluateSequenceFromText(t *testing.T) {
	a, errs := Compile("v6", IPv6, Extended, []Line{
		{Text: "permit udp any any eq domain sequence 10"},
		{Text: "deny tcp any any eq 8449 (3 matches) sequence 30"},
	})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	r := a.Evaluate(syn(host6, psn6, 8449))
	if r.Verdict != Denied || r.Seq != 30 || r.Text != "deny tcp any any eq 8449" || r.Entry.LineNo != 2 {
		t.Errorf("got %v seq %d %q line %d", r.Verdict, r.Seq, r.Text, r.Entry.LineNo)
	}
}

func TestCompileErrors(t *testing.T) {
	a, errs := Compile("ACL-X", IPv4, Extended, []Line{
		{Seq: 10, Text: "permit tcp any any eq www", LineNo: 7},
		{Seq: 20, Text: "permit tcp any any eq 99999", LineNo: 8},
		{Text: "bogus"},
	})
	want := []string{
		`line 8 (seq 20) "permit tcp any any eq 99999": access list ACL-X: port "99999" is not 0-65535`,
		`line 3 "bogus": access list ACL-X: entry starts with "bogus", not permit, deny or remark`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(want))
	}
	for i, e := range errs {
		if e.Error() != want[i] {
			t.Errorf("error %d = %q, want %q", i, e.Error(), want[i])
		}
	}
	if len(a.Entries) != 3 || a.Entries[2].Action != Unparsed {
		t.Errorf("entries = %d, last action %v", len(a.Entries), a.Entries[2].Action)
	}
	// Every packet that reaches the broken entry is undecided.
	r := a.Evaluate(syn(host, psn11, 8449))
	if r.Verdict != Unknown || r.Seq != 20 {
		t.Errorf("got %v seq %d, want unknown at 20", r.Verdict, r.Seq)
	}
	if r := a.Evaluate(syn(host, psn11, 80)); r.Verdict != Permitted || r.Seq != 10 {
		t.Errorf("got %v seq %d, want permit at 10", r.Verdict, r.Seq)
	}

	bad, errs := Compile("x", 0, Extended, []Line{{Text: "permit ip any any"}})
	if len(errs) != 1 || errs[0].Error() != `line 1 "permit ip any any": access list x: unknown address family 0` {
		t.Errorf("errors = %v", errs)
	}
	if r := bad.Evaluate(syn(host, psn11, 8449)); r.Verdict != Unknown || r.Reason != reasonFamily {
		t.Errorf("got %v %q", r.Verdict, r.Reason)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
