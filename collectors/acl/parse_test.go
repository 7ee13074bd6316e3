package acl

import (
	"strings"
	"testing"
)

func TestParseEntry(t *testing.T) {
	const (
		og      = "network object-group INSIDE is not resolved (its members are not in the access list output)"
		optRR   = "option record-route matches IP options, which a Packet does not describe"
		authHdr = "auth matches IPv6 extension headers or flow labels, which a Packet does not describe"
	)
	tests := []struct {
		name        string
		fam         Family
		kind        Kind
		text        string
		want        string // canonical text
		seq         int
		action      Action
		unevaluable string
		timeRange   string
		trState     string
	}{
		// Addresses.
		{name: "any any", text: "permit ip any any", want: "permit ip any any"},
		{name: "case and spacing", text: "  Deny   TCP Any HOST 10.0.0.11 EQ 8449 ", want: "deny tcp any host 10.0.0.11 eq 8449", action: Deny},
		{name: "wildcard", text: "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", want: "deny tcp any 10.0.0.0 0.0.0.255 range 8440 8450", action: Deny},
		{name: "non-contiguous wildcard", text: "permit ip 10.0.0.0 0.0.255.0 any", want: "permit ip 10.0.0.0 0.0.255.0 any"},
		{name: "zero wildcard is host, full wildcard is any", text: "permit ip 10.0.0.1 0.0.0.0 1.2.3.4 255.255.255.255", want: "permit ip host 10.0.0.1 any"},
		{name: "address with bits under the wildcard kept as written", text: "permit ip 10.70.10.0 0.0.10.255 any", want: "permit ip 10.70.10.0 0.0.10.255 any"},
		// Ports.
		{name: "eq name", text: "permit tcp any any eq www", want: "permit tcp any any eq www"},
		{name: "eq several on source", text: "permit tcp host 10.16.2.2 eq www telnet 443 any precedence network ttl eq 255", want: "permit tcp host 10.16.2.2 eq www telnet 443 any precedence network ttl eq 255"},
		{name: "neq several", text: "permit tcp any any neq 80 443", want: "permit tcp any any neq 80 443"},
		{name: "lt gt", text: "permit udp any lt 1024 any gt 1023", want: "permit udp any lt 1024 any gt 1023"},
		{name: "range with names", text: "permit tcp any range ftp-data bgp any", want: "permit tcp any range ftp-data bgp any"},
		{name: "number with leading zeros", text: "permit tcp any any eq 0443", want: "permit tcp any any eq 443"},
		{name: "udp names", text: "permit udp any eq bootpc any eq bootps", want: "permit udp any eq bootpc any eq bootps"},
		{name: "udp table name on tcp, as IOS prints it", text: "permit tcp any eq snmp any", want: "permit tcp any eq snmp any"},
		{name: "tcp table name on udp, as IOS prints it", text: "permit udp any any eq www", want: "permit udp any any eq www"},
		{name: "unknown port name", text: "permit tcp any any eq https", want: "permit tcp any any eq https",
			unevaluable: "https after the destination port is neither a port name nor a keyword this package knows"},
		// TCP flags.
		{name: "established", text: "permit tcp any any established", want: "permit tcp any any established"},
		{name: "match-all", text: "permit tcp any any match-all +ack -fin log", want: "permit tcp any any match-all +ack -fin log"},
		{name: "match-any", text: "permit tcp any any match-any +SYN -ack", want: "permit tcp any any match-any +syn -ack"},
		{name: "flag words", text: "permit tcp any 10.1.1.0 0.0.255.255 established psh", want: "permit tcp any 10.1.1.0 0.0.255.255 established psh"},
		// Tolerated keywords.
		{name: "log-input and time-range", text: "permit ahp any any log-input time-range test (active)", want: "permit ahp any any log-input time-range test (active)",
			timeRange: "test", trState: "active"},
		{name: "inactive time-range", text: "permit ip any host 10.1.10.11 log time-range test2 (inactive)", want: "permit ip any host 10.1.10.11 log time-range test2 (inactive)",
			timeRange: "test2", trState: "inactive"},
		{name: "log cookie as shown", text: "permit tcp host 169.254.3.3 gt 1023 169.254.3.4 0.0.0.1 log (tag = established)", want: "permit tcp host 169.254.3.3 gt 1023 169.254.3.4 0.0.0.1 log (tag = established)"},
		{name: "log cookie as configured", text: "permit tcp any any log established", want: "permit tcp any any log (tag = established)"},
		{name: "precedence", text: "deny esp any any precedence internet", want: "deny esp any any precedence internet", action: Deny},
		{name: "tos", text: "deny esp any any tos normal", want: "deny esp any any tos normal", action: Deny},
		{name: "dscp number", text: "permit ip any any dscp 46", want: "permit ip any any dscp 46"},
		{name: "ttl range", text: "permit ip any any ttl range 1 5", want: "permit ip any any ttl range 1 5"},
		{name: "fragments", text: "deny ip any any fragments", want: "deny ip any any fragments", action: Deny},
		{name: "option", text: "deny ip any any option record-route", want: "deny ip any any option record-route", action: Deny, unevaluable: optRR},
		{name: "reflect", text: "permit tcp any any reflect tcptraffic timeout 300", want: "permit tcp any any reflect tcptraffic timeout 300"},
		{name: "counter dropped", text: "permit udp any host 10.4.1.1 eq 1985 (67 matches)", want: "permit udp any host 10.4.1.1 eq 1985"},
		{name: "one match counter", text: "deny tcp any any eq telnet (1 match)", want: "deny tcp any any eq telnet", action: Deny},
		{name: "remark", text: "remark  allow   DNS (first)", want: "remark allow DNS (first)", action: Remark},
		// Sequence numbers in the text.
		{name: "leading number", text: "10 permit ip any any", want: "permit ip any any", seq: 10},
		{name: "leading sequence", text: "sequence 20 permit ip any any", want: "permit ip any any", seq: 20},
		{name: "trailing sequence after counter", fam: IPv6, text: "permit tcp any any eq bgp (8 matches) sequence 10", want: "permit tcp any any eq bgp", seq: 10},
		// Protocols.
		{name: "protocol number", text: "permit 53 any any log (123456 matches)", want: "permit 53 any any log"},
		{name: "protocol 0", text: "permit 0 any any", want: "permit 0 any any",
			unevaluable: "protocol number 0 may stand for every protocol (ip) on IOS"},
		{name: "unknown protocol", text: "permit SERVICE_GROUP host 10.1.2.3 any", want: "permit SERVICE_GROUP host 10.1.2.3 any",
			unevaluable: `unknown protocol "SERVICE_GROUP"`},
		{name: "service object-group", text: "permit object-group WEB any any", want: "permit object-group WEB any any",
			unevaluable: "service object-group WEB is not resolved (its protocols and ports are not in the access list output)"},
		{name: "icmp type code", text: "permit icmp 0.1.1.1 255.0.0.0 any 10 66", want: "permit icmp 0.1.1.1 255.0.0.0 any 10 66"},
		{name: "icmp name", text: "permit icmp host 10.10.10.10 any ttl-exceeded  (1278456 matches)", want: "permit icmp host 10.10.10.10 any ttl-exceeded"},
		{name: "igmp type", text: "permit igmp any any host-query", want: "permit igmp any any host-query",
			unevaluable: "IGMP message type host-query is not described by a Packet"},
		// Entries that cannot be judged.
		{name: "object-group", text: "permit tcp object-group INSIDE host 10.1.2.3", want: "permit tcp object-group INSIDE host 10.1.2.3", unevaluable: og},
		{name: "fqdn", text: "deny ip any host dynamic www.msft10.com", want: "deny ip any host dynamic www.msft10.com", action: Deny,
			unevaluable: "host dynamic www.msft10.com is an FQDN the switch resolves at run time"},
		{name: "unknown keyword", text: "permit ip any any foo bar", want: "permit ip any any foo bar", unevaluable: `unknown keyword "foo"`},
		{name: "sequence not at the end", text: "permit ip any any sequence 5 log", want: "permit ip any any sequence 5 log", unevaluable: `unknown keyword "sequence"`},
		{name: "unknown word after destination port", text: "permit tcp any any eq 443 packet-length gt 100", want: "permit tcp any any eq 443 packet-length gt 100",
			unevaluable: `packet-length after the destination port is neither a port name nor a keyword this package knows; unknown keyword "gt"`},
		{name: "dynamic", text: "dynamic testlist timeout 5 permit ip any any", want: "dynamic testlist timeout 5 permit ip any any",
			unevaluable: "dynamic (lock-and-key) entry matches only after a user authenticates"},
		{name: "evaluate", text: "evaluate tcptraffic", want: "evaluate tcptraffic", action: Evaluate,
			unevaluable: "evaluate tcptraffic nests a reflexive access list whose entries exist only at run time"},
		// IPv6.
		{name: "ipv6 prefix lower-cased", fam: IPv6, text: "deny ipv6 2001:DB8:B30A:DC63::/64 any sequence 74", want: "deny ipv6 2001:db8:b30a:dc63::/64 any", seq: 74, action: Deny},
		{name: "ipv6 host and ports", fam: IPv6, text: "permit tcp any eq www 8443 host 2001:2::2 sequence 30", want: "permit tcp any eq www 8443 host 2001:2::2", seq: 30},
		{name: "ipv6 ::/0", fam: IPv6, text: "permit ipv6 ::/0 any", want: "permit ipv6 ::/0 any"},
		{name: "ipv6 extension headers", fam: IPv6, text: "permit tcp 2A01:720::/29 any log auth routing sequence 10", want: "permit tcp 2a01:720::/29 any log auth routing", seq: 10,
			unevaluable: authHdr + "; routing matches IPv6 extension headers or flow labels, which a Packet does not describe"},
		{name: "ipv6 icmp name", fam: IPv6, text: "deny icmp any any nd-ns sequence 1920000", want: "deny icmp any any nd-ns", seq: 1920000, action: Deny},
		{name: "ipv6 time-range then sequence", fam: IPv6, text: "permit tcp host 2000::1 host 2002::1 time-range GO (active) sequence 10", want: "permit tcp host 2000::1 host 2002::1 time-range GO (active)", seq: 10,
			timeRange: "GO", trState: "active"},
		// Standard lists.
		{name: "standard as shown", kind: Standard, text: "permit 10.70.10.0, wildcard bits 0.0.10.255 (8353358 matches)", want: "permit 10.70.10.0, wildcard bits 0.0.10.255"},
		{name: "standard as configured", kind: Standard, text: "permit 10.0.0.0 0.0.0.255", want: "permit 10.0.0.0, wildcard bits 0.0.0.255"},
		{name: "standard host", kind: Standard, text: "permit host 10.1.1.1", want: "permit 10.1.1.1"},
		{name: "standard bare address", kind: Standard, text: "deny   10.1.1.2 (1 match)", want: "deny 10.1.1.2", action: Deny},
		{name: "standard any log", kind: Standard, text: "deny   any log", want: "deny any log", action: Deny},
		// Role-based lists.
		{name: "sgacl icmp", kind: RoleBased, text: "permit icmp echo-reply (19 matches)", want: "permit icmp echo-reply"},
		{name: "sgacl ports", kind: RoleBased, text: "permit tcp src eq 1024 dst range 80 90 log", want: "permit tcp src eq 1024 dst range 80 90 log"},
		{name: "sgacl ipv6", fam: IPv6, kind: RoleBased, text: "permit icmp (19 matches) sequence 10", want: "permit icmp", seq: 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fam, kind, action := tc.fam, tc.kind, tc.action
			if fam == 0 {
				fam = IPv4
			}
			if kind == 0 {
				kind = Extended
			}
			if action == 0 {
				action = Permit
			}
			e, err := ParseEntry(fam, kind, tc.text)
			if err != nil {
				t.Fatalf("ParseEntry(%q): %v", tc.text, err)
			}
			if got := e.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if e.Seq != tc.seq || e.Action != action || e.Unevaluable != tc.unevaluable || e.TimeRange != tc.timeRange || e.TimeRangeState != tc.trState {
				t.Errorf("got seq %d action %v unevaluable %q time-range %q/%q, want %d %v %q %q/%q",
					e.Seq, e.Action, e.Unevaluable, e.TimeRange, e.TimeRangeState, tc.seq, action, tc.unevaluable, tc.timeRange, tc.trState)
			}
			// The canonical text is a fixed point.
			again, err := ParseEntry(fam, kind, e.String())
			if err != nil || again.String() != e.String() || again.Unevaluable != e.Unevaluable {
				t.Errorf("reparse of %q: %q, %q, %v", e.String(), again.String(), again.Unevaluable, err)
			}
		})
	}
}

func TestParseEntryErrors(t *testing.T) {
	tests := []struct {
		fam  Family
		kind Kind
		text string
		err  string
	}{
		{text: "", err: "empty entry"},
		{text: "(12 matches)", err: "empty entry"},
		{text: "allow ip any any", err: `entry starts with "allow", not permit, deny or remark`},
		{text: "permit", err: "missing protocol at the end"},
		{text: "permit tcp any", err: "missing destination address at the end"},
		{text: "permit any any", err: `"any" where a protocol is expected`},
		{text: "permit tcp 10.0.0.0 any", err: `wildcard after 10.0.0.0: bad IPv4 address "any"`},
		{text: "permit tcp 10.0.0.300 0.0.0.255 any", err: `source: bad IPv4 address "10.0.0.300"`},
		{text: "permit tcp host 2001:db8::1 any", err: `bad IPv4 address "2001:db8::1"`},
		{text: "permit ip 10.0.0.0/8 any", err: `prefix "10.0.0.0/8" is NX-OS syntax; IOS needs an address and a wildcard`},
		{text: "permit tcp addrgroup A any", err: "addrgroup is NX-OS syntax, not IOS"},
		{text: "permit udp any any established", err: "established applies only to tcp"},
		{text: "permit udp any any syn", err: "syn applies only to tcp"},
		{text: "permit icmp any any eq 80", err: `port operator "eq" needs tcp, udp or sctp`},
		{text: "permit tcp any any range 90 80", err: "range 90 80 is empty"},
		{text: "permit tcp any any range 80", err: "missing port after range at the end"},
		{text: "permit tcp any any eq 70000", err: `port "70000" is not 0-65535`},
		{text: "permit tcp any eq +x any", err: `"+x" is not a port`},
		{text: "permit tcp any any match-all", err: "match-all needs at least one +flag or -flag"},
		{text: "permit tcp any any match-all +syn +xyz", err: `"+xyz" is not a TCP flag`},
		{text: "permit tcp any any match-all +syn -syn", err: "TCP flag syn listed twice"},
		{text: "permit tcp any any syn match-all -syn", err: "match-all contradicts the flags before it"},
		{text: "permit tcp any any match-any +syn match-any +ack", err: "match-any given twice"},
		{text: "permit ip any any dscp 64", err: `dscp value "64" is not a name or 0-63`},
		{text: "permit ip any any precedence 8", err: `precedence value "8" is not a name or 0-7`},
		{text: "permit ip any any ttl foo 3", err: `ttl operator "foo" is not eq, neq, lt, gt or range`},
		{text: "permit ip any any ttl eq 300", err: `ttl value "300" is not 0-255`},
		{text: "permit ip any any ttl range 9 3", err: "ttl range 9 3 is empty"},
		{text: "permit ip any any time-range", err: "missing time-range name at the end"},
		{text: "permit 256 any any", err: `protocol number "256" is not 0-255`},
		{text: "permit icmp any any 300", err: `ICMP type "300" is not 0-255`},
		{text: "permit ip any any reflect r timeout x", err: `reflect timeout "x" is not a number`},
		{text: "99999999999 permit ip any any", err: `bad sequence number "99999999999"`},
		{text: "evaluate", err: "evaluate needs exactly one reflexive access list name"},
		{fam: IPv6, text: "permit tcp any any sequence 5 sequence 6", err: "sequence number given twice"},
		{fam: IPv6, text: "permit ipv6 2001:db8::1 any", err: `source address "2001:db8::1" needs a prefix length, host or any`},
		{fam: IPv6, text: "permit ipv6 fe80::/10%eth0 any", err: `bad IPv6 prefix "fe80::/10%eth0"`},
		{fam: IPv6, text: "permit ipv6 host 10.0.0.1 any", err: `bad IPv6 address "10.0.0.1"`},
		{fam: IPv6, kind: Standard, text: "permit any", err: "IPv6 access lists have no standard form"},
		{kind: Standard, text: "deny udp host 192.168.1.3 host 192.168.2.12 range 12 15", err: `"udp": a standard access list matches the source address only, not a protocol`},
		{kind: Standard, text: "permit 10.0.0.0, wildcard 0.0.0.255", err: `expected "wildcard bits" after "10.0.0.0,"`},
		{kind: Standard, text: "permit host 10.0.0.1 0.0.0.255", err: `"0.0.0.255": a standard access list entry has one address and wildcard`},
		{kind: RoleBased, text: "permit tcp dst 80", err: "dst needs a port operator (eq, neq, lt, gt, range)"},
		{fam: 9, text: "permit ip any any", err: "unknown address family 9"},
		{kind: 9, text: "permit ip any any", err: "unknown access list kind 9"},
		{text: "permit ip any any" + strings.Repeat(" log", 600), err: "entry has 604 words, more than 512"},
	}
	for _, tc := range tests {
		fam, kind := tc.fam, tc.kind
		if fam == 0 {
			fam = IPv4
		}
		if kind == 0 {
			kind = Extended
		}
		e, err := ParseEntry(fam, kind, tc.text)
		if err == nil || err.Error() != tc.err {
			t.Errorf("ParseEntry(%q) error = %v, want %q", tc.text, err, tc.err)
			continue
		}
		if want := "the entry could not be parsed: " + tc.err; e.Unevaluable != want || e.cond.whole != want {
			t.Errorf("ParseEntry(%q) unevaluable = %q, want %q", tc.text, e.Unevaluable, want)
		}
	}
}

// TestPortTablesAgree guards the parser's use of both tables for either
// protocol: a name in both must mean one port.
func TestPortTablesAgree(t *testing.T) {
	for name, tv := range tcpPorts {
		if uv, ok := udpPorts[name]; ok && uv != tv {
			t.Errorf("%s is %d for tcp and %d for udp", name, tv, uv)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{IPv4.String(), "ipv4"}, {IPv6.String(), "ipv6"}, {Family(7).String(), "family(7)"},
		{Extended.String(), "extended"}, {Standard.String(), "standard"}, {RoleBased.String(), "role-based"}, {Kind(7).String(), "kind(7)"},
		{Permit.String(), "permit"}, {Deny.String(), "deny"}, {Remark.String(), "remark"}, {Evaluate.String(), "evaluate"}, {Unparsed.String(), "unparsed"},
		{Permitted.String(), "permit"}, {Denied.String(), "deny"}, {Unknown.String(), "unknown"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	b, _ := Denied.MarshalText()
	if string(b) != "deny" {
		t.Errorf("Denied.MarshalText() = %q", b)
	}
}
