package acl

// The keyword tables below are the names IOS and IOS-XE accept in access
// list entries (the "?" help lists of "permit tcp any any eq", "permit udp
// any any eq", the protocol position and "permit icmp any any"). A name not
// here makes the condition it stands in undecidable, never a guess.

// tcpPorts are IOS's TCP port keywords. "syslog" is in genieparser's table
// although IOS prints 514 as "cmd" for TCP; "msrpc", "drip", "onep-plain"
// and "onep-tls" exist only on some releases. Accepting them costs nothing.
var tcpPorts = map[string]uint16{
	"bgp": 179, "chargen": 19, "cmd": 514, "daytime": 13, "discard": 9,
	"domain": 53, "drip": 3949, "echo": 7, "exec": 512, "finger": 79,
	"ftp": 21, "ftp-data": 20, "gopher": 70, "hostname": 101, "ident": 113,
	"irc": 194, "klogin": 543, "kshell": 544, "login": 513, "lpd": 515,
	"msrpc": 135, "nntp": 119, "onep-plain": 15001, "onep-tls": 15002,
	"pim-auto-rp": 496, "pop2": 109, "pop3": 110, "smtp": 25, "sunrpc": 111,
	"syslog": 514, "tacacs": 49, "talk": 517, "telnet": 23, "time": 37,
	"uucp": 540, "whois": 43, "www": 80,
}

// udpPorts are IOS's UDP port keywords.
var udpPorts = map[string]uint16{
	"biff": 512, "bootpc": 68, "bootps": 67, "discard": 9, "dnsix": 195,
	"domain": 53, "echo": 7, "isakmp": 500, "mobile-ip": 434,
	"nameserver": 42, "netbios-dgm": 138, "netbios-ns": 137,
	"netbios-ss": 139, "non500-isakmp": 4500, "ntp": 123,
	"pim-auto-rp": 496, "rip": 520, "snmp": 161, "snmptrap": 162,
	"sunrpc": 111, "syslog": 514, "tacacs": 49, "talk": 517, "tftp": 69,
	"time": 37, "who": 513, "xdmcp": 177,
}

// IP protocol numbers the evaluator cares about.
const (
	protoICMP   uint8 = 1
	protoIGMP   uint8 = 2
	protoTCP    uint8 = 6
	protoUDP    uint8 = 17
	protoICMPv6 uint8 = 58
	protoSCTP   uint8 = 132
)

// protoAny is the table value for "ip" / "ipv6": every protocol.
const protoAny = -1

// ipv4Protocols are the protocol keywords of an IPv4 extended entry.
var ipv4Protocols = map[string]int{
	"ip": protoAny, "ahp": 51, "eigrp": 88, "esp": 50, "gre": 47,
	"icmp": int(protoICMP), "igmp": int(protoIGMP), "ipinip": 4, "nos": 94,
	"ospf": 89, "pcp": 108, "pim": 103, "sctp": int(protoSCTP),
	"tcp": int(protoTCP), "udp": int(protoUDP),
}

// ipv6Protocols are the protocol keywords of an IPv6 entry; "icmp" there
// is ICMPv6.
var ipv6Protocols = map[string]int{
	"ipv6": protoAny, "ahp": 51, "esp": 50, "icmp": int(protoICMPv6),
	"pcp": 108, "sctp": int(protoSCTP), "tcp": int(protoTCP),
	"udp": int(protoUDP),
}

// icmpMessage is an ICMP type with one code or, when anyCode, every code.
type icmpMessage struct {
	typ, code uint8
	anyCode   bool
}

func icmpType(t uint8) icmpMessage            { return icmpMessage{typ: t, anyCode: true} }
func icmpTypeCode(t, c uint8) icmpMessage     { return icmpMessage{typ: t, code: c} }
func (m icmpMessage) matches(t, c uint8) bool { return m.typ == t && (m.anyCode || m.code == c) }

// icmpNames are the ICMP message keywords of an IPv4 entry (RFC 792 types
// and codes under IOS's names).
var icmpNames = map[string]icmpMessage{
	"administratively-prohibited": icmpTypeCode(3, 13),
	"alternate-address":           icmpType(6),
	"conversion-error":            icmpType(31),
	"dod-host-prohibited":         icmpTypeCode(3, 10),
	"dod-net-prohibited":          icmpTypeCode(3, 9),
	"echo":                        icmpType(8),
	"echo-reply":                  icmpType(0),
	"general-parameter-problem":   icmpTypeCode(12, 0),
	"host-isolated":               icmpTypeCode(3, 8),
	"host-precedence-unreachable": icmpTypeCode(3, 14),
	"host-redirect":               icmpTypeCode(5, 1),
	"host-tos-redirect":           icmpTypeCode(5, 3),
	"host-tos-unreachable":        icmpTypeCode(3, 12),
	"host-unknown":                icmpTypeCode(3, 7),
	"host-unreachable":            icmpTypeCode(3, 1),
	"information-reply":           icmpType(16),
	"information-request":         icmpType(15),
	"mask-reply":                  icmpType(18),
	"mask-request":                icmpType(17),
	"mobile-redirect":             icmpType(32),
	"net-redirect":                icmpTypeCode(5, 0),
	"net-tos-redirect":            icmpTypeCode(5, 2),
	"net-tos-unreachable":         icmpTypeCode(3, 11),
	"net-unreachable":             icmpTypeCode(3, 0),
	"network-unknown":             icmpTypeCode(3, 6),
	"no-room-for-option":          icmpTypeCode(12, 2),
	"option-missing":              icmpTypeCode(12, 1),
	"packet-too-big":              icmpTypeCode(3, 4),
	"parameter-problem":           icmpType(12),
	"port-unreachable":            icmpTypeCode(3, 3),
	"precedence-unreachable":      icmpTypeCode(3, 15),
	"protocol-unreachable":        icmpTypeCode(3, 2),
	"reassembly-timeout":          icmpTypeCode(11, 1),
	"redirect":                    icmpType(5),
	"router-advertisement":        icmpType(9),
	"router-solicitation":         icmpType(10),
	"source-quench":               icmpType(4),
	"source-route-failed":         icmpTypeCode(3, 5),
	"time-exceeded":               icmpType(11),
	"timestamp-reply":             icmpType(14),
	"timestamp-request":           icmpType(13),
	"traceroute":                  icmpType(30),
	"ttl-exceeded":                icmpTypeCode(11, 0),
	"unreachable":                 icmpType(3),
}

// icmpv6Names are the ICMPv6 message keywords of an IPv6 entry (RFC 4443,
// 4861, 2710 types and codes under IOS's names).
var icmpv6Names = map[string]icmpMessage{
	"beyond-scope":            icmpTypeCode(1, 2),
	"destination-unreachable": icmpType(1),
	"echo-reply":              icmpType(129),
	"echo-request":            icmpType(128),
	"header":                  icmpTypeCode(4, 0),
	"hop-limit":               icmpTypeCode(3, 0),
	"mld-query":               icmpType(130),
	"mld-reduction":           icmpType(132),
	"mld-report":              icmpType(131),
	"nd-na":                   icmpType(136),
	"nd-ns":                   icmpType(135),
	"next-header":             icmpTypeCode(4, 1),
	"no-admin":                icmpTypeCode(1, 1),
	"no-route":                icmpTypeCode(1, 0),
	"packet-too-big":          icmpType(2),
	"parameter-option":        icmpTypeCode(4, 2),
	"parameter-problem":       icmpType(4),
	"port-unreachable":        icmpTypeCode(1, 4),
	"reassembly-timeout":      icmpTypeCode(3, 1),
	"redirect":                icmpType(137),
	"renum-command":           icmpTypeCode(138, 0),
	"renum-result":            icmpTypeCode(138, 1),
	"renum-seq-number":        icmpTypeCode(138, 255),
	"router-advertisement":    icmpType(134),
	"router-renumbering":      icmpType(138),
	"router-solicitation":     icmpType(133),
	"time-exceeded":           icmpType(3),
	"unreachable":             icmpType(1),
}

// igmpNames are the IGMP message keywords; IGMP types are not modelled in a
// Packet, so they only need to be recognised.
var igmpNames = map[string]bool{
	"dvmrp": true, "host-query": true, "host-report": true, "mtrace-resp": true,
	"mtrace-route": true, "pim": true, "trace": true,
}

// dscpNames are the DSCP keywords (RFC 2474, 2597, 3246 code points).
var dscpNames = map[string]uint8{
	"default": 0, "ef": 46,
	"af11": 10, "af12": 12, "af13": 14, "af21": 18, "af22": 20, "af23": 22,
	"af31": 26, "af32": 28, "af33": 30, "af41": 34, "af42": 36, "af43": 38,
	"cs1": 8, "cs2": 16, "cs3": 24, "cs4": 32, "cs5": 40, "cs6": 48, "cs7": 56,
}

// precedenceNames are the IP precedence keywords (RFC 791).
var precedenceNames = map[string]uint8{
	"routine": 0, "priority": 1, "immediate": 2, "flash": 3,
	"flash-override": 4, "critical": 5, "internet": 6, "network": 7,
}

// tosNames are the type-of-service keywords (RFC 1349).
var tosNames = map[string]uint8{
	"normal": 0, "min-monetary-cost": 1, "max-reliability": 2,
	"max-throughput": 4, "min-delay": 8,
}

// tcpFlagNames are the TCP flag keywords of an extended entry.
var tcpFlagNames = map[string]uint8{
	"fin": FIN, "syn": SYN, "rst": RST, "psh": PSH, "ack": ACK, "urg": URG,
}

// ipv6HeaderKeywords match IPv6 extension headers or flow labels, which a
// Packet does not describe; the value says whether an argument follows.
var ipv6HeaderKeywords = map[string]bool{
	"auth": false, "routing": false, "dest-option": false, "hbh": false,
	"mobility": false, "undetermined-transport": false,
	"routing-type": true, "dest-option-type": true, "mobility-type": true,
	"flow-label": true,
}
