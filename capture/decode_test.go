package capture

import (
	"fmt"
	"net/netip"
	"testing"
)

// TestDecodeIPv6ExtensionHeaders decodes IPv6 frames behind every kind of
// extension header, and chains of them beyond what the kernel filter
// follows: the ports, flags, addresses and VLANs come out exact; a
// non-first fragment carries no ports.
func TestDecodeIPv6ExtensionHeaders(t *testing.T) {
	k := filterFrames{t}
	synTo := k.tcp(filterEphemeral, filterPortSync, "S")
	tests := []struct {
		name   string
		frame  []byte
		reason Reason
		kind   PacketKind
		vlans  string
	}{
		{name: "hop-by-hop", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.hopByHop()), kind: KindTCP},
		{name: "destination options", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.destOpts()), kind: KindTCP},
		{name: "routing", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.routing()), kind: KindTCP},
		{name: "first fragment", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.fragment(0, true)), kind: KindTCP},
		{name: "hop-by-hop, destination options, routing and fragment", kind: KindTCP,
			frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.hopByHop(), k.destOpts(), k.routing(), k.fragment(0, true))},
		{name: "QinQ and hop-by-hop", frame: k.tcp6(filterTags{filterTPIDAD, filterTPIDQ}, filterEphemeral, filterPortSync, "S", k.hopByHop()),
			kind: KindTCP, vlans: "[100 200]"},
		{name: "non-first fragment", frame: k.tcp6(nil, filterEphemeral, filterPortSync, "S", k.fragment(185, false)), reason: ReasonFragment},
		{name: "ICMPv6 unreachable behind hop-by-hop", frame: k.icmp6(nil, 1, 1, k.quote6(synTo), k.hopByHop()), kind: KindUnreachable},
	}
	dec := NewDecoder(NewPortSet(filterPortSync))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Packet
			f := Frame{Data: tc.frame, Length: len(tc.frame), Link: LinkEthernet, Interface: "span0", VLAN: -1}
			if r := dec.Decode(&f, &p); r != tc.reason {
				t.Fatalf("Decode = %v, want %v", r, tc.reason)
			}
			if tc.reason != ReasonNone {
				return
			}
			src, dst := netip.AddrFrom16(p.Src), netip.AddrFrom16(p.Dst)
			if p.Kind != tc.kind || !p.IPv6 || src.String() != filterClient6 || dst.String() != filterPSN6 ||
				p.SrcPort != filterEphemeral || p.DstPort != filterPortSync || p.Flags != FlagSYN || p.Truncated {
				t.Errorf("packet kind %v v6 %v %s:%d > %s:%d flags %#x truncated %v", p.Kind, p.IPv6, src, p.SrcPort, dst, p.DstPort, p.Flags, p.Truncated)
			}
			vlans := fmt.Sprint(p.VLANs[:p.NumVLANs])
			if tc.vlans == "" {
				tc.vlans = "[]"
			}
			if vlans != tc.vlans {
				t.Errorf("VLANs %s, want %s", vlans, tc.vlans)
			}
		})
	}
}
