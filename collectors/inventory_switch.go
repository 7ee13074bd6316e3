package collectors

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/acl"
	"github.com/syncwatch/syncwatch/collectors/ios"
)

// SwitchOutput is what one source (a transcript file, one live
// collection) said about one switch, already parsed by collectors/ios.
type SwitchOutput struct {
	Switch   string
	File     string // where it came from, for warnings: a path, "ssh://sw1"
	Version  ios.Version
	Sessions []ios.Session
	Summary  []ios.SummaryEntry
	ACLs     []ios.ACL
	// ARP (show ip arp) and DeviceTracking (show device-tracking
	// database, show ip device tracking all) bind addresses to MACs: they
	// fill in sessions whose address the switch printed as Unknown.
	ARP            []ios.ARPEntry
	DeviceTracking []ios.ARPEntry
}

// NewSwitchState builds a switch's state from its outputs, later outputs
// being fresher: a session (by session ID, else MAC and interface) or an
// ACL (by family and name) read twice keeps its last form. Sessions whose
// address the switch printed as Unknown get it from the ARP and device
// tracking tables, by MAC. dACLs that prev (may be nil) already holds with
// the same entries are not compiled again.
func NewSwitchState(name string, outputs []SwitchOutput, prev *Snapshot) (*SwitchState, []Warning) {
	b := stateBuilder{
		st:     &SwitchState{Name: strings.Clone(name), acls: map[aclKey]*ACL{}},
		strs:   map[string]string{},
		prev:   prev,
		byID:   map[string]int{},
		byPort: map[string]int{},
	}
	for i := range outputs {
		o := &outputs[i]
		if v := o.Version; v.Platform != "" || v.Release != "" {
			b.st.Version = ios.Version{
				Platform: b.intern(v.Platform), Release: b.intern(v.Release), ImageID: b.intern(v.ImageID),
				Image: b.intern(v.Image), Hostname: b.intern(v.Hostname), Uptime: b.intern(v.Uptime),
				Model: b.intern(v.Model), Serial: b.intern(v.Serial), Line: v.Line,
			}
		}
		for j := range o.Sessions {
			b.addSession(o.File, &o.Sessions[j])
		}
		for j := range o.ACLs {
			b.addACL(o.File, &o.ACLs[j])
		}
	}
	// Summary rows only add sessions that no details output showed.
	summaryOnly := 0
	for i := range outputs {
		o := &outputs[i]
		for j := range o.Summary {
			if b.addSummary(o.File, &o.Summary[j]) {
				summaryOnly++
			}
		}
	}
	if summaryOnly > 0 {
		appear := fmt.Sprintf("%d sessions appear", summaryOnly)
		if summaryOnly == 1 {
			appear = "1 session appears"
		}
		b.warn(outputs[0].File, 0, "switch %s: %s only in a session summary, so their dACL and redirect are unknown and the audit skips them: add the output of `show access-session details` (or `show authentication sessions details`)", name, appear)
	}
	b.fillAddresses(outputs)
	// Appending left up to a quarter of the slice unused: the state lives
	// until the switch is read again.
	b.st.Sessions = append([]Session(nil), b.st.Sessions...)
	b.index()
	return b.st, b.warnings
}

// stateBuilder accumulates one switch's state.
type stateBuilder struct {
	st       *SwitchState
	strs     map[string]string // interned strings: a campus repeats dACL names, URLs, statuses
	prev     *Snapshot
	byID     map[string]int // session ID -> index
	byPort   map[string]int // MAC + interface -> index
	warnings []Warning
}

func (b *stateBuilder) warn(file string, line int, format string, args ...any) {
	b.warnings = append(b.warnings, Warning{File: file, Line: line, Message: fmt.Sprintf(format, args...)})
}

// intern returns one shared copy of s, detached from the text it was cut
// from so that a session never keeps a whole transcript alive.
func (b *stateBuilder) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := b.strs[s]; ok {
		return v
	}
	v := strings.Clone(s)
	b.strs[v] = v
	return v
}

func (b *stateBuilder) addSession(file string, in *ios.Session) {
	s := Session{
		Switch:           b.intern(b.st.Name),
		Interface:        b.intern(ios.ExpandInterface(in.Interface)),
		MAC:              b.intern(in.MAC),
		IPv4:             in.IPv4.Unmap(),
		User:             b.intern(in.User),
		Status:           b.intern(in.Status),
		Authorized:       in.Authorized,
		Domain:           b.intern(in.Domain),
		HostMode:         b.intern(in.HostMode),
		SessionID:        strings.Clone(in.SessionID),
		DACL:             b.intern(in.DACL),
		DACLv6:           b.intern(in.DACLv6),
		FilterID:         b.intern(in.FilterID),
		URLRedirectACL:   b.intern(in.URLRedirectACL),
		URLRedirectACLv6: b.intern(in.URLRedirectACLv6),
		URLRedirect:      b.intern(in.URLRedirect),
		PreauthACL:       b.intern(in.PreauthACL),
		PreauthACLv6:     b.intern(in.PreauthACLv6),
		VLAN:             b.intern(in.VLAN),
		SGT:              b.intern(in.SGT),
		File:             b.intern(file),
		Line:             in.Line,
	}
	if len(in.IPv6) > 0 {
		s.IPv6 = append([]netip.Addr(nil), in.IPv6...)
	}
	if len(in.Methods) > 0 {
		s.Methods = make([]ios.Method, len(in.Methods))
		for i, m := range in.Methods {
			s.Methods[i] = ios.Method{Method: b.intern(m.Method), State: b.intern(m.State)}
		}
	}
	b.put(s)
}

// put adds a session or replaces the one it is a fresher view of.
func (b *stateBuilder) put(s Session) {
	port := s.MAC + "|" + s.Interface
	i, ok := -1, false
	if s.SessionID != "" {
		i, ok = b.byID[s.SessionID]
	}
	if !ok && s.MAC != "" {
		i, ok = b.byPort[port]
	}
	if ok {
		if old := &b.st.Sessions[i]; old.File != s.File {
			if diff := stateDiff(old, &s); diff != "" {
				who := s.SessionID
				if who == "" {
					who = s.MAC + " on " + s.Interface
				}
				b.warn(s.File, s.Line, "session %s shown again with another %s (first at %s:%d): the last one read is judged; a switch's transcripts are read in file name order, so remove the stale one", who, diff, old.File, old.Line)
			}
		}
		b.st.Sessions[i] = s
	} else {
		i = len(b.st.Sessions)
		b.st.Sessions = append(b.st.Sessions, s)
	}
	if s.SessionID != "" {
		b.byID[s.SessionID] = i
	}
	if s.MAC != "" {
		b.byPort[port] = i
	}
}

// stateDiff names what the audit judges that differs between two readings
// of a session (its ACLs, status, addresses), or "" when nothing does.
func stateDiff(a, b *Session) string {
	var d []string
	for _, f := range []struct {
		name string
		x, y string
	}{
		{"dACL", a.DACL, b.DACL}, {"IPv6 dACL", a.DACLv6, b.DACLv6}, {"Filter-ID", a.FilterID, b.FilterID},
		{"redirect ACL", a.URLRedirectACL, b.URLRedirectACL}, {"IPv6 redirect ACL", a.URLRedirectACLv6, b.URLRedirectACLv6},
		{"status", a.Status, b.Status}, {"IPv4 address", a.IPv4.String(), b.IPv4.String()}, {"user", a.User, b.User},
	} {
		if f.x != f.y {
			d = append(d, fmt.Sprintf("%s (%s, now %s)", f.name, orNone(f.x), orNone(f.y)))
		}
	}
	if !slices.Equal(a.IPv6, b.IPv6) {
		d = append(d, "IPv6 addresses")
	}
	return strings.Join(d, ", ")
}

func orNone(s string) string {
	if s == "" || s == "invalid IP" {
		return "none"
	}
	return s
}

// addSummary adds a summary row as a session when no details output
// showed it; it reports whether it did.
func (b *stateBuilder) addSummary(file string, e *ios.SummaryEntry) bool {
	if e.SessionID != "" {
		if _, ok := b.byID[e.SessionID]; ok {
			return false
		}
	}
	iface := ios.ExpandInterface(e.Interface)
	if e.MAC != "" {
		if _, ok := b.byPort[e.MAC+"|"+iface]; ok {
			return false
		}
	}
	if e.MAC == "" && e.SessionID == "" {
		return false
	}
	s := Session{
		Switch:      b.intern(b.st.Name),
		Interface:   b.intern(iface),
		MAC:         b.intern(e.MAC),
		IPv4:        e.IPv4.Unmap(),
		Status:      b.intern(e.Status),
		Authorized:  e.Authorized,
		Domain:      b.intern(e.Domain),
		SessionID:   strings.Clone(e.SessionID),
		VLAN:        b.intern(e.VLAN),
		SummaryOnly: true,
		File:        b.intern(file),
		Line:        e.Line,
	}
	if e.Method != "" && !strings.EqualFold(e.Method, "N/A") {
		s.Methods = []ios.Method{{Method: b.intern(e.Method)}}
	}
	b.put(s)
	return true
}

func (b *stateBuilder) addACL(file string, in *ios.ACL) {
	var fam acl.Family
	switch in.Family {
	case ios.FamilyIPv4:
		fam = acl.IPv4
	case ios.FamilyIPv6:
		fam = acl.IPv6
	default:
		return // MAC lists filter no IP packet
	}
	kind := acl.Extended
	switch in.Type {
	case ios.TypeStandard:
		kind = acl.Standard
	case ios.TypeRoleBased:
		kind = acl.RoleBased
	}
	a := &ACL{
		Switch:  b.intern(b.st.Name),
		Name:    strings.Clone(in.Name),
		PerUser: in.PerUser,
		Family:  fam,
		Header:  b.intern(in.Header),
		Printed: make([]string, len(in.Entries)),
		File:    b.intern(file),
		Line:    in.Line,
	}
	lines := make([]acl.Line, len(in.Entries))
	for i, e := range in.Entries {
		a.Printed[i] = strings.Clone(e.Text)
		lines[i] = acl.Line{Seq: e.Seq, Text: a.Printed[i], LineNo: e.Line}
		if e.Matches != 0 {
			if a.Matches == nil {
				a.Matches = make([]int64, len(in.Entries))
			}
			a.Matches[i] = e.Matches
		}
	}
	if old := b.prev.DACL(a.Name); old != nil && a.PerUser && sameEntries(old, a, in) {
		a.Compiled, a.Errors = old.Compiled, old.Errors
	} else {
		a.Compiled, a.Errors = acl.Compile(a.Name, fam, kind, lines)
		for _, e := range a.Errors {
			b.warn(file, e.LineNo, "access list %s: entry %q cannot be judged: %v", a.Name, e.Text, e.Err)
		}
		for i := range a.Compiled.Entries {
			if e := &a.Compiled.Entries[i]; e.NotUnderstood != "" {
				b.warn(file, e.LineNo, "access list %s: entry %q cannot be judged: %s", a.Name, a.Printed[i], e.NotUnderstood)
			}
		}
	}
	key := aclKey{fam, a.Name}
	if old := b.st.acls[key]; old != nil {
		if !sameEntries(old, a, in) {
			b.warn(file, in.Line, "access list %s listed again with other entries (first at %s:%d): the last listing is judged", a.Name, old.File, old.Line)
		}
		for i, x := range b.st.ACLs {
			if x == old {
				b.st.ACLs[i] = a
			}
		}
	} else {
		b.st.ACLs = append(b.st.ACLs, a)
	}
	b.st.acls[key] = a
}

// sameEntries reports whether old lists the same entries as the new
// listing in (sequence numbers and texts).
func sameEntries(old, a *ACL, in *ios.ACL) bool {
	if len(old.Printed) != len(in.Entries) || old.Compiled == nil || len(old.Compiled.Entries) != len(in.Entries) || old.Family != a.Family {
		return false
	}
	for i, e := range in.Entries {
		if old.Printed[i] != e.Text || e.Seq != 0 && old.Compiled.Entries[i].Seq != e.Seq {
			return false
		}
	}
	return true
}

// addressSource ranks where an address binding came from: device tracking
// sees the host on its access port, ARP only on the routed interface.
type addressSource struct {
	addr     netip.Addr
	from     string
	rank     int
	iface    string
	file     string
	line     int
	reliable bool
}

// fillAddresses gives sessions without an address the one the switch's
// ARP and device-tracking tables bind to the session's MAC.
func (b *stateBuilder) fillAddresses(outputs []SwitchOutput) {
	byMAC := map[string][]addressSource{}
	add := func(o *SwitchOutput, e *ios.ARPEntry, tracking bool) {
		if e.MAC == "" || !e.IP.IsValid() {
			return
		}
		src := addressSource{addr: e.IP.Unmap(), from: "arp", rank: 1, reliable: true, iface: ios.ExpandInterface(e.Interface), file: o.File, line: e.Line}
		if tracking {
			st := strings.ToUpper(e.State)
			src.from, src.rank = "device-tracking", 2
			src.reliable = st == "" || st == "REACHABLE" || st == "ACTIVE" || st == "VERIFY" || st == "TENTATIVE"
		}
		byMAC[e.MAC] = append(byMAC[e.MAC], src)
	}
	for i := range outputs {
		o := &outputs[i]
		for j := range o.DeviceTracking {
			add(o, &o.DeviceTracking[j], true)
		}
		for j := range o.ARP {
			add(o, &o.ARP[j], false)
		}
	}
	if len(byMAC) == 0 {
		return
	}
	for i := range b.st.Sessions {
		s := &b.st.Sessions[i]
		cands := byMAC[s.MAC]
		if len(cands) == 0 {
			continue
		}
		if !s.IPv4.IsValid() {
			if best, ok := b.pick(s, cands, true); ok {
				s.IPv4, s.IPv4From = best.addr, b.intern(best.from)
			}
		}
		if len(s.SourceAddrs(acl.IPv6)) == 0 {
			for _, c := range cands {
				if c.addr.Is6() && !c.addr.IsLinkLocalUnicast() && !containsAddr(s.IPv6, c.addr) {
					s.IPv6 = append(s.IPv6, c.addr)
					s.IPv6From = b.intern(c.from)
				}
			}
		}
	}
}

// pick chooses the IPv4 binding of a session's MAC: device tracking on the
// session's port before device tracking elsewhere before ARP, reachable
// before stale. Several different addresses at the best rank are warned
// about and the first is used.
func (b *stateBuilder) pick(s *Session, cands []addressSource, v4 bool) (addressSource, bool) {
	score := func(c addressSource) int {
		n := c.rank * 4
		if c.iface != "" && c.iface == s.Interface {
			n += 2
		}
		if c.reliable {
			n++
		}
		return n
	}
	var best []addressSource
	top := -1
	for _, c := range cands {
		if c.addr.Is4() != v4 {
			continue
		}
		switch sc := score(c); {
		case sc > top:
			top, best = sc, []addressSource{c}
		case sc == top && !containsSource(best, c.addr):
			best = append(best, c)
		}
	}
	if len(best) == 0 {
		return addressSource{}, false
	}
	if len(best) > 1 {
		var addrs []string
		for _, c := range best {
			addrs = append(addrs, c.addr.String())
		}
		b.warn(best[0].file, best[0].line, "switch %s: MAC %s of the session on %s is bound to %s; %s is used", b.st.Name, s.MAC, s.Interface, strings.Join(addrs, ", "), addrs[0])
	}
	return best[0], true
}

func containsSource(cs []addressSource, a netip.Addr) bool {
	for _, c := range cs {
		if c.addr == a {
			return true
		}
	}
	return false
}

func containsAddr(as []netip.Addr, a netip.Addr) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

// index sorts the ACLs and builds the lookup indexes.
func (b *stateBuilder) index() {
	st := b.st
	sort.SliceStable(st.ACLs, func(i, j int) bool {
		if st.ACLs[i].Family != st.ACLs[j].Family {
			return st.ACLs[i].Family < st.ACLs[j].Family
		}
		return st.ACLs[i].Name < st.ACLs[j].Name
	})
	for i := range st.Sessions {
		s := &st.Sessions[i]
		if k, ok := macKey(s.MAC); ok {
			st.byMAC = append(st.byMAC, macRef{k, int32(i)})
		}
		if s.IPv4.Is4() {
			b4 := s.IPv4.As4()
			st.byIPv4 = append(st.byIPv4, v4Ref{uint32(b4[0])<<24 | uint32(b4[1])<<16 | uint32(b4[2])<<8 | uint32(b4[3]), int32(i)})
		}
		for _, a := range s.IPv6 {
			st.byIPv6 = append(st.byIPv6, v6Ref{a, int32(i)})
		}
	}
	sort.Slice(st.byMAC, func(i, j int) bool {
		return st.byMAC[i].mac < st.byMAC[j].mac || st.byMAC[i].mac == st.byMAC[j].mac && st.byMAC[i].i < st.byMAC[j].i
	})
	sort.Slice(st.byIPv4, func(i, j int) bool {
		return st.byIPv4[i].ip < st.byIPv4[j].ip || st.byIPv4[i].ip == st.byIPv4[j].ip && st.byIPv4[i].i < st.byIPv4[j].i
	})
	sort.Slice(st.byIPv6, func(i, j int) bool {
		c := st.byIPv6[i].ip.Compare(st.byIPv6[j].ip)
		return c < 0 || c == 0 && st.byIPv6[i].i < st.byIPv6[j].i
	})
}
