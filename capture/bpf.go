package capture

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
)

// MaxFilterPorts is the most distinct ports Filter accepts. Each port costs
// two instructions and the port checks jump to the accept instruction with
// 8-bit conditional jumps, so the bound keeps every program near 170
// instructions (the kernel allows 4096) while leaving room for far more
// client-provisioning portals than a deployment has.
const MaxFilterPorts = 32

// Header values and offsets the kernel filter tests.
const (
	bpfEtherTypeIPv4   = 0x0800
	bpfEtherTypeIPv6   = 0x86dd
	bpfTpidDot1Q       = 0x8100 // IEEE 802.1Q C-tag, and the inner tag of QinQ
	bpfTpidDot1AD      = 0x88a8 // IEEE 802.1ad S-tag
	bpfTpidLegacyQinQ  = 0x9100 // pre-802.1ad QinQ gear
	bpfProtoHopByHop   = 0
	bpfProtoICMPv4     = 1
	bpfProtoTCP        = 6
	bpfProtoRouting    = 43
	bpfProtoFragment   = 44
	bpfProtoICMPv6     = 58
	bpfProtoDestOpts   = 60
	bpfIcmpv4Unreach   = 3
	bpfIcmpv6Unreach   = 1
	bpfIpv4FragOffset  = 0x1fff // fragment offset bits of IPv4 bytes 6-7
	bpfIpv6FragOffset  = 0xfff8 // fragment offset bits of the Fragment header bytes 2-3
	bpfIpv6HeaderLen   = 40
	bpfIcmpHeaderLen   = 8 // ICMPv4 and ICMPv6 error messages: the quoted packet starts here
	bpfTcpFlagsOffset  = 13
	bpfScratchNextProt = 0 // scratch slot holding the transport protocol of the packet
)

// Filter returns the classic BPF program that a live AF_PACKET socket
// attaches (SO_ATTACH_FILTER) so that the kernel only copies the frames the
// tracker needs: each accepted Ethernet frame is kept up to snaplen bytes,
// every other frame is dropped in the kernel.
//
// A frame is accepted when, behind 0, 1 or 2 VLAN tags (outer TPID 0x8100,
// 0x88a8 or 0x9100, inner TPID 0x8100), it holds
//   - TCP over IPv4 or IPv6 from or to any of ports, with the whole fixed
//     TCP header up to the flags byte present;
//   - an ICMPv4 destination unreachable (type 3) or ICMPv6 destination
//     unreachable (type 1) whose quoted packet is TCP from or to any of ports.
//
// IP headers must carry the version their ethertype (or ICMP quote)
// promises. IPv4 packets whose fragment offset is not 0 are dropped, since
// only the first fragment carries ports, and the transport header is found
// through the IHL (below 5 is dropped). IPv6 transport headers are found directly behind the fixed
// header or behind exactly one Hop-by-Hop, Routing, Destination Options or
// Fragment (offset 0 only) header; the packet quoted in an ICMPv6 error must
// have TCP directly behind its fixed header.
//
// Classic BPF cannot loop, so deeper IPv6 extension-header chains and
// frames with 3 or more VLAN tags are not matched: that is a limit of the
// kernel filter only, as the user-space decoder reads any depth. On live
// capture the kernel strips the outermost VLAN tag (TPID 0x8100 or 0x88a8,
// not 0x9100) into packet metadata before the socket filter runs, so the
// filter sees one tag fewer and its 0, 1 and 2 tag paths cover frames with
// up to 3 tags on the wire.
//
// Unlike libpcap's "tcp port N or (vlan and tcp port N) ...", the program
// finds TCP behind one IPv6 extension header, reads only 0x8100 as an inner
// TPID, rejects an IPv4 IHL below 5, and drops TCP segments cut before the
// flags byte, which the tracker needs to classify them.
//
// ports are de-duplicated and sorted, so the same set always yields the
// same program. Filter fails when they are empty, hold port 0, or hold more
// than MaxFilterPorts distinct ports, and when snaplen is 0, which would
// drop everything.
func Filter(ports []uint16, snaplen uint32) ([]bpf.RawInstruction, error) {
	if snaplen == 0 {
		return nil, errors.New("kernel filter: snaplen 0 would drop every frame")
	}
	set, err := filterPortSet(ports)
	if err != nil {
		return nil, err
	}
	var p bpfProgram
	filterLinkLayer(&p)
	filterIPv4(&p)
	filterIPv6(&p)
	p.mark("drop")
	p.emit(bpf.RetConstant{Val: 0})
	filterPortChecks(&p, set, snaplen)
	insns, err := p.resolve()
	if err != nil {
		return nil, fmt.Errorf("kernel filter for ports %v: %w", set, err)
	}
	raw, err := bpf.Assemble(insns)
	if err != nil {
		return nil, fmt.Errorf("kernel filter for ports %v: assemble: %w", set, err)
	}
	return raw, nil
}

// filterPortSet validates ports and returns them sorted without duplicates.
func filterPortSet(ports []uint16) ([]uint16, error) {
	if len(ports) == 0 {
		return nil, errors.New("kernel filter: no ports")
	}
	set := slices.Clone(ports)
	slices.Sort(set)
	set = slices.Compact(set)
	if set[0] == 0 {
		return nil, fmt.Errorf("kernel filter: port 0 in %v is not a TCP port a client connects to", ports)
	}
	if len(set) > MaxFilterPorts {
		return nil, fmt.Errorf("kernel filter: %d distinct ports, at most %d", len(set), MaxFilterPorts)
	}
	return set, nil
}

// filterLinkLayer dispatches on the ethertype behind 0, 1 or 2 VLAN tags and
// enters the IPv4 or IPv6 block with X holding the network header offset,
// so that one copy of each block serves every tag depth.
func filterLinkLayer(p *bpfProgram) {
	// At depth d the ethertype (or a further tag's TPID) is at 12+4d and
	// the network header at 14+4d; a third tag is not followed.
	depths := []struct {
		tag, ipv4, ipv6 bpfLabel
		tpids           []uint32 // TPIDs of a further tag
	}{
		{"tag0", "ipv4@14", "ipv6@14", []uint32{bpfTpidDot1Q, bpfTpidDot1AD, bpfTpidLegacyQinQ}},
		{"tag1", "ipv4@18", "ipv6@18", []uint32{bpfTpidDot1Q}},
		{"tag2", "ipv4@22", "ipv6@22", nil},
	}
	for i, d := range depths {
		p.mark(d.tag)
		p.emit(bpf.LoadAbsolute{Off: uint32(12 + 4*i), Size: 2})
		p.jumpIf(bpf.JumpEqual, bpfEtherTypeIPv4, d.ipv4, "")
		if len(d.tpids) == 0 {
			p.jumpIf(bpf.JumpEqual, bpfEtherTypeIPv6, d.ipv6, "drop")
			continue
		}
		p.jumpIf(bpf.JumpEqual, bpfEtherTypeIPv6, d.ipv6, "")
		for j, tpid := range d.tpids {
			otherwise := bpfLabel("")
			if j == len(d.tpids)-1 {
				otherwise = "drop"
			}
			p.jumpIf(bpf.JumpEqual, tpid, depths[i+1].tag, otherwise)
		}
	}
	for i, d := range depths {
		p.mark(d.ipv4)
		p.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: uint32(14 + 4*i)})
		p.jump("ipv4")
	}
	for i, d := range depths {
		p.mark(d.ipv6)
		p.emit(bpf.LoadConstant{Dst: bpf.RegX, Val: uint32(14 + 4*i)})
		p.jump("ipv6")
	}
}

// filterIPv4 checks the IPv4 header at X and enters the TCP or ICMPv4 block
// with X holding the transport header offset.
func filterIPv4(p *bpfProgram) {
	p.mark("ipv4")
	filterVersionCheck(p, 0, 4)
	p.emit(bpf.LoadIndirect{Off: 6, Size: 2})
	p.jumpIf(bpf.JumpBitsSet, bpfIpv4FragOffset, "drop", "")
	p.emit(
		bpf.LoadIndirect{Off: 9, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: bpfScratchNextProt},
	)
	// LoadMemShift takes a constant offset only, and the header's offset
	// depends on the tag depth, so the IHL is scaled by hand.
	filterIHL(p, 0)
	p.emit(
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.TAX{},
		bpf.LoadScratch{Dst: bpf.RegA, N: bpfScratchNextProt},
	)
	p.jumpIf(bpf.JumpEqual, bpfProtoTCP, "tcp", "")
	p.jumpIf(bpf.JumpEqual, bpfProtoICMPv4, "", "drop")

	// ICMPv4 header at X; the quoted IPv4 header at X+8 has its own IHL.
	p.emit(bpf.LoadIndirect{Off: 0, Size: 1})
	p.jumpIf(bpf.JumpEqual, bpfIcmpv4Unreach, "", "drop")
	filterVersionCheck(p, bpfIcmpHeaderLen, 4)
	p.emit(bpf.LoadIndirect{Off: bpfIcmpHeaderLen + 9, Size: 1})
	p.jumpIf(bpf.JumpEqual, bpfProtoTCP, "", "drop")
	p.emit(bpf.LoadIndirect{Off: bpfIcmpHeaderLen + 6, Size: 2})
	p.jumpIf(bpf.JumpBitsSet, bpfIpv4FragOffset, "drop", "")
	filterIHL(p, bpfIcmpHeaderLen)
	p.emit(
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: bpfIcmpHeaderLen},
		bpf.TAX{},
	)
	p.jump("ports")
}

// filterIHL leaves in A the length of the IPv4 header at X+off, and drops
// the frame when the IHL is below the 20-byte minimum.
func filterIHL(p *bpfProgram, off uint32) {
	p.emit(
		bpf.LoadIndirect{Off: off, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x0f},
		bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 2},
	)
	p.jumpIf(bpf.JumpLessThan, 20, "drop", "")
}

// filterVersionCheck drops the frame unless the IP header at X+off has the
// version, so that bytes behind a wrong ethertype or in a garbled ICMP
// quote are not read as ports.
func filterVersionCheck(p *bpfProgram, off uint32, version uint32) {
	p.emit(
		bpf.LoadIndirect{Off: off, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf0},
	)
	p.jumpIf(bpf.JumpEqual, version<<4, "", "drop")
}

// filterIPv6 checks the IPv6 header at X, steps over at most one extension
// header, and enters the TCP or ICMPv6 block with X holding the transport
// header offset.
func filterIPv6(p *bpfProgram) {
	p.mark("ipv6")
	filterVersionCheck(p, 0, 6)
	p.emit(
		bpf.LoadIndirect{Off: 6, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: bpfScratchNextProt},
	)
	p.jumpIf(bpf.JumpEqual, bpfProtoFragment, "ipv6-fragment", "")
	p.jumpIf(bpf.JumpEqual, bpfProtoHopByHop, "ipv6-extension", "")
	p.jumpIf(bpf.JumpEqual, bpfProtoRouting, "ipv6-extension", "")
	p.jumpIf(bpf.JumpEqual, bpfProtoDestOpts, "ipv6-extension", "")
	p.emit(
		bpf.TXA{},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: bpfIpv6HeaderLen},
		bpf.TAX{},
	)
	p.jump("ipv6-transport")

	// Hop-by-Hop, Routing and Destination Options give their length in
	// 8-byte units after the first 8 bytes.
	p.mark("ipv6-extension")
	p.emit(
		bpf.LoadIndirect{Off: bpfIpv6HeaderLen, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: bpfScratchNextProt},
		bpf.LoadIndirect{Off: bpfIpv6HeaderLen + 1, Size: 1},
		bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 3},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: bpfIpv6HeaderLen + 8},
		bpf.ALUOpX{Op: bpf.ALUOpAdd},
		bpf.TAX{},
	)
	p.jump("ipv6-transport")

	p.mark("ipv6-fragment")
	p.emit(bpf.LoadIndirect{Off: bpfIpv6HeaderLen + 2, Size: 2})
	p.jumpIf(bpf.JumpBitsSet, bpfIpv6FragOffset, "drop", "")
	p.emit(
		bpf.LoadIndirect{Off: bpfIpv6HeaderLen, Size: 1},
		bpf.StoreScratch{Src: bpf.RegA, N: bpfScratchNextProt},
		bpf.TXA{},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: bpfIpv6HeaderLen + 8},
		bpf.TAX{},
	)

	p.mark("ipv6-transport")
	p.emit(bpf.LoadScratch{Dst: bpf.RegA, N: bpfScratchNextProt})
	p.jumpIf(bpf.JumpEqual, bpfProtoTCP, "tcp", "")
	p.jumpIf(bpf.JumpEqual, bpfProtoICMPv6, "", "drop")

	// ICMPv6 header at X; the quoted IPv6 header at X+8 is 40 bytes.
	p.emit(bpf.LoadIndirect{Off: 0, Size: 1})
	p.jumpIf(bpf.JumpEqual, bpfIcmpv6Unreach, "", "drop")
	filterVersionCheck(p, bpfIcmpHeaderLen, 6)
	p.emit(bpf.LoadIndirect{Off: bpfIcmpHeaderLen + 6, Size: 1})
	p.jumpIf(bpf.JumpEqual, bpfProtoTCP, "", "drop")
	p.emit(
		bpf.TXA{},
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: bpfIcmpHeaderLen + bpfIpv6HeaderLen},
		bpf.TAX{},
	)
	p.jump("ports")
}

// filterPortChecks tests the TCP header at X against the ports. The "tcp" entry
// first loads the flags byte, because a load past the frame's end ends the
// program with 0: a frame too short for the tracker to classify is dropped
// rather than misread. ICMP quotes enter at "ports", since an error message
// only has to quote the first 8 bytes of the TCP header.
func filterPortChecks(p *bpfProgram, ports []uint16, snaplen uint32) {
	p.mark("tcp")
	p.emit(bpf.LoadIndirect{Off: bpfTcpFlagsOffset, Size: 1})
	p.mark("ports")
	// The destination port first: it is the PSN's port on the SYN that
	// starts an attempt, and loading it first proves both ports are present.
	for _, off := range []uint32{2, 0} {
		p.emit(bpf.LoadIndirect{Off: off, Size: 2})
		for _, port := range ports {
			p.jumpIf(bpf.JumpEqual, uint32(port), "accept", "")
		}
	}
	p.emit(bpf.RetConstant{Val: 0})
	p.mark("accept")
	p.emit(bpf.RetConstant{Val: snaplen})
}

// bpfLabel names an instruction of a bpfProgram under construction.
type bpfLabel string

// bpfJump records the labels a jump instruction goes to; an empty
// label means the next instruction.
type bpfJump struct {
	at              int
	ifTrue, ifFalse bpfLabel
}

// bpfProgram is a classic BPF program under construction whose jumps name
// labels; resolve turns them into the forward skips cBPF encodes, so
// that blocks can be reordered or grown without recounting offsets.
type bpfProgram struct {
	insns  []bpf.Instruction
	jumps  []bpfJump
	labels map[bpfLabel]int
	// dup records the first label marked twice, reported by resolve.
	dup bpfLabel
}

// emit appends instructions that do not jump.
func (p *bpfProgram) emit(insns ...bpf.Instruction) {
	p.insns = append(p.insns, insns...)
}

// mark names the next instruction to be emitted.
func (p *bpfProgram) mark(l bpfLabel) {
	if p.labels == nil {
		p.labels = make(map[bpfLabel]int)
	}
	if _, ok := p.labels[l]; ok && p.dup == "" {
		p.dup = l
	}
	p.labels[l] = len(p.insns)
}

// jumpIf appends a conditional jump comparing A with val.
func (p *bpfProgram) jumpIf(cond bpf.JumpTest, val uint32, ifTrue, ifFalse bpfLabel) {
	p.jumps = append(p.jumps, bpfJump{at: len(p.insns), ifTrue: ifTrue, ifFalse: ifFalse})
	p.insns = append(p.insns, bpf.JumpIf{Cond: cond, Val: val})
}

// jump appends an unconditional jump.
func (p *bpfProgram) jump(to bpfLabel) {
	p.jumps = append(p.jumps, bpfJump{at: len(p.insns), ifTrue: to})
	p.insns = append(p.insns, bpf.Jump{})
}

// resolve returns the instructions with every jump's skips filled in. It
// fails on a label marked twice or never, on a backward jump (cBPF only
// jumps forward, which is what guarantees termination), and on a
// conditional jump farther than its 8-bit skip reaches.
func (p *bpfProgram) resolve() ([]bpf.Instruction, error) {
	if p.dup != "" {
		return nil, fmt.Errorf("label %q marked twice", p.dup)
	}
	out := slices.Clone(p.insns)
	skip := func(at int, to bpfLabel) (int, error) {
		if to == "" {
			return 0, nil
		}
		target, ok := p.labels[to]
		if !ok {
			return 0, fmt.Errorf("instruction %d jumps to unknown label %q", at, to)
		}
		if target >= len(p.insns) {
			return 0, fmt.Errorf("instruction %d jumps to label %q past the end", at, to)
		}
		if target <= at {
			return 0, fmt.Errorf("instruction %d jumps backward to label %q at %d", at, to, target)
		}
		return target - at - 1, nil
	}
	for _, j := range p.jumps {
		t, err := skip(j.at, j.ifTrue)
		if err != nil {
			return nil, err
		}
		f, err := skip(j.at, j.ifFalse)
		if err != nil {
			return nil, err
		}
		switch ins := out[j.at].(type) {
		case bpf.Jump:
			ins.Skip = uint32(t)
			out[j.at] = ins
		case bpf.JumpIf:
			if t > 255 || f > 255 {
				return nil, fmt.Errorf("instruction %d: conditional jump of %d/%d instructions exceeds the 8-bit skip", j.at, t, f)
			}
			ins.SkipTrue, ins.SkipFalse = uint8(t), uint8(f)
			out[j.at] = ins
		}
	}
	return out, nil
}
