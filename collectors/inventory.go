package collectors

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syncwatch/syncwatch/collectors/acl"
	"github.com/syncwatch/syncwatch/collectors/ios"
)

// Warning is input that was not understood or could not be used, with the
// file (or live source) and line it came from.
type Warning struct {
	File    string
	Line    int // 0 when it concerns the whole file
	Message string
}

// String formats the warning as "FILE:LINE: MESSAGE".
func (w Warning) String() string {
	switch {
	case w.File == "" && w.Line <= 0:
		return w.Message
	case w.Line <= 0:
		return w.File + ": " + w.Message
	}
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Message)
}

// MarshalJSON renders {"file", "line", "message"}, line null when 0.
func (w Warning) MarshalJSON() ([]byte, error) {
	var line *int
	if w.Line > 0 {
		line = &w.Line
	}
	return json.Marshal(struct {
		File    string `json:"file"`
		Line    *int   `json:"line"`
		Message string `json:"message"`
	}{w.File, line, w.Message})
}

// Session is one authenticated endpoint as a switch showed it, kept small
// (strings shared between sessions) because a campus holds hundreds of
// thousands. Values the switch did not show are empty.
type Session struct {
	Switch    string
	Interface string // full name: "GigabitEthernet1/0/3"
	MAC       string // "aa:bb:cc:00:11:22"
	IPv4      netip.Addr
	IPv6      []netip.Addr
	// IPv4From and IPv6From say where an address the session output did
	// not show was found: "arp" or "device-tracking".
	IPv4From, IPv6From string

	User       string
	Status     string // as printed
	Authorized bool
	Domain     string
	HostMode   string
	SessionID  string
	Methods    []ios.Method

	DACL, DACLv6                     string // full names: "xACSACLx-IP-NAME-5f152814"
	FilterID                         string
	URLRedirectACL, URLRedirectACLv6 string
	URLRedirect                      string
	PreauthACL, PreauthACLv6         string
	VLAN, SGT                        string

	// SummaryOnly marks a session seen only in a summary table: its
	// policies (dACL, redirect) are unknown.
	SummaryOnly bool

	// AuthzChangedAt is when the session's authorization (dACL, redirect)
	// last changed, as a live collector saw it; zero when unknown (always
	// for transcripts). The judge quotes it in race findings.
	AuthzChangedAt time.Time
	// LastSeen is when a collector last read the session; zero when
	// unknown (always for transcripts).
	LastSeen time.Time

	File string // where the session was read
	Line int
}

// FilterACL returns the name of the ACL that filters what the session
// sends in a family: its dACL, or, for IPv4 without one, the switch-local
// ACL its Filter-ID names; "" when none does.
func (s *Session) FilterACL(family acl.Family) string {
	if family == acl.IPv6 {
		return s.DACLv6
	}
	if s.DACL != "" {
		return s.DACL
	}
	return FilterIDACL(s.FilterID)
}

// FilterIDACL returns the name of the ACL a Filter-ID names: RADIUS's
// Filter-Id is "NAME" or "NAME.in" (the switch shows it as sent); "" for
// an outbound one ("NAME.out"), which does not filter what the endpoint
// sends.
func FilterIDACL(filterID string) string {
	if i := strings.LastIndexByte(filterID, '.'); i > 0 {
		switch strings.ToLower(filterID[i+1:]) {
		case "in":
			return filterID[:i]
		case "out":
			return ""
		}
	}
	return filterID
}

// SourceAddrs returns the session's addresses of a family that can be the
// source of a connection to a PSN: its IPv4 address, or its IPv6 addresses
// other than link-local ones.
func (s *Session) SourceAddrs(family acl.Family) []netip.Addr {
	if family == acl.IPv4 {
		if s.IPv4.IsValid() {
			return []netip.Addr{s.IPv4}
		}
		return nil
	}
	var out []netip.Addr
	for _, a := range s.IPv6 {
		if !a.IsLinkLocalUnicast() {
			out = append(out, a)
		}
	}
	return out
}

// ACL is one access list a switch listed, compiled for evaluation.
type ACL struct {
	Switch   string // the switch that listed it; empty for a dACL text read from a file
	Name     string // without " (per-user)"
	PerUser  bool   // a dACL downloaded for sessions
	Family   acl.Family
	Header   string   // "Extended IP access list", "dACL text"
	Compiled *acl.ACL // entries in listed order
	Printed  []string // each entry's text as listed, for comparison and display
	Matches  []int64  // each entry's "(N matches)" counter; nil when none was printed
	Errors   []acl.ParseError
	File     string
	Line     int
}

// SwitchState is everything the inventory knows about one switch: its
// sessions and ACLs. It is immutable once built (NewSwitchState), so
// snapshots can share it.
type SwitchState struct {
	Name     string
	Version  ios.Version // zero when `show version` was not read
	Sessions []Session
	ACLs     []*ACL // sorted by family, then name

	acls   map[aclKey]*ACL
	byMAC  []macRef
	byIPv4 []v4Ref
	byIPv6 []v6Ref
}

type aclKey struct {
	family acl.Family
	name   string
}

// ACL returns the access list the switch listed under name in a family,
// or nil.
func (s *SwitchState) ACL(name string, family acl.Family) *ACL {
	return s.acls[aclKey{family, name}]
}

// ACLNamed returns the access list the switch listed under name, IPv4
// first, or nil.
func (s *SwitchState) ACLNamed(name string) *ACL {
	if a := s.acls[aclKey{acl.IPv4, name}]; a != nil {
		return a
	}
	return s.acls[aclKey{acl.IPv6, name}]
}

// Index entries: sorted keys with the session they point to, so a lookup
// is a binary search and costs a few bytes per session.
type (
	macRef struct {
		mac uint64
		i   int32
	}
	v4Ref struct {
		ip uint32
		i  int32
	}
	v6Ref struct {
		ip netip.Addr
		i  int32
	}
)

// MatchKey says how a lookup found a session.
type MatchKey string

// The lookup keys, as the finding's "matched_by" names them.
const (
	MatchNone MatchKey = ""
	MatchMAC  MatchKey = "mac"
	MatchIPv4 MatchKey = "ipv4"
	MatchIPv6 MatchKey = "ipv6"
)

// Snapshot is one consistent, immutable view of the inventory: every
// switch's state and the dACLs they listed. Callers must not modify what
// it returns.
type Snapshot struct {
	switches []*SwitchState // by name
	dacls    map[string]*ACL
}

// Switches returns the switches by name.
func (s *Snapshot) Switches() []*SwitchState {
	if s == nil {
		return nil
	}
	return s.switches
}

// Switch returns the state of the named switch, or nil.
func (s *Snapshot) Switch(name string) *SwitchState {
	if s == nil {
		return nil
	}
	i := sort.Search(len(s.switches), func(i int) bool { return s.switches[i].Name >= name })
	if i < len(s.switches) && s.switches[i].Name == name {
		return s.switches[i]
	}
	return nil
}

// NumSessions counts the sessions of every switch.
func (s *Snapshot) NumSessions() int {
	n := 0
	for _, sw := range s.Switches() {
		n += len(sw.Sessions)
	}
	return n
}

// DACL returns a downloaded ACL by its full name ("xACSACLx-IP-NAME-5f152814")
// as any switch listed it, or nil. Its content is the same on every switch:
// ISE changes the version suffix whenever it changes the content.
func (s *Snapshot) DACL(name string) *ACL {
	if s == nil {
		return nil
	}
	return s.dacls[name]
}

// ResolveACL returns the ACL a session on switch sw names: the switch's own
// listing first, then, for a dACL, any switch's.
func (s *Snapshot) ResolveACL(sw *SwitchState, name string) *ACL {
	if sw != nil {
		if a := sw.ACLNamed(name); a != nil {
			return a
		}
	}
	if IsDACLName(name) {
		return s.DACL(name)
	}
	return nil
}

// Lookup finds the sessions of an endpoint: by its IP address first, then,
// when no session has that address, by its MAC address (which may be a
// router's when the capture point is not at the access layer). It says
// which key matched.
func (s *Snapshot) Lookup(ip netip.Addr, mac string) ([]*Session, MatchKey) {
	if ip.IsValid() {
		if out := s.LookupIP(ip); len(out) > 0 {
			if ip.Unmap().Is4() {
				return out, MatchIPv4
			}
			return out, MatchIPv6
		}
	}
	if mac != "" {
		if out := s.LookupMAC(mac); len(out) > 0 {
			return out, MatchMAC
		}
	}
	return nil, MatchNone
}

// LookupIP returns the sessions with the address ip, on any switch.
func (s *Snapshot) LookupIP(ip netip.Addr) []*Session {
	ip = ip.Unmap()
	var out []*Session
	for _, sw := range s.Switches() {
		if ip.Is4() {
			b := ip.As4()
			key := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			idx := sw.byIPv4
			for i := sort.Search(len(idx), func(i int) bool { return idx[i].ip >= key }); i < len(idx) && idx[i].ip == key; i++ {
				out = append(out, &sw.Sessions[idx[i].i])
			}
			continue
		}
		idx := sw.byIPv6
		for i := sort.Search(len(idx), func(i int) bool { return idx[i].ip.Compare(ip) >= 0 }); i < len(idx) && idx[i].ip == ip; i++ {
			out = append(out, &sw.Sessions[idx[i].i])
		}
	}
	return out
}

// LookupMAC returns the sessions of a MAC address in any notation, on any
// switch.
func (s *Snapshot) LookupMAC(mac string) []*Session {
	norm, ok := ios.NormalizeMAC(mac)
	if !ok {
		return nil
	}
	key, _ := macKey(norm)
	var out []*Session
	for _, sw := range s.Switches() {
		idx := sw.byMAC
		for i := sort.Search(len(idx), func(i int) bool { return idx[i].mac >= key }); i < len(idx) && idx[i].mac == key; i++ {
			out = append(out, &sw.Sessions[idx[i].i])
		}
	}
	return out
}

// macKey packs a normalized MAC ("aa:bb:cc:00:11:22") into an integer.
func macKey(mac string) (uint64, bool) {
	if len(mac) != 17 {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(mac); i++ {
		if i%3 == 2 {
			continue
		}
		c := mac[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		default:
			return 0, false
		}
		k = k<<4 | uint64(d)
	}
	return k, true
}

// Inventory holds the latest state of every switch. Readers take a
// Snapshot (lock-free, consistent); writers replace one switch at a time,
// atomically, as the live collector reads it again.
type Inventory struct {
	mu   sync.Mutex // serializes writers
	snap atomic.Pointer[Snapshot]
}

// NewInventory returns an empty inventory.
func NewInventory() *Inventory {
	inv := &Inventory{}
	inv.snap.Store(&Snapshot{dacls: map[string]*ACL{}})
	return inv
}

// Snapshot returns the current view; it never changes afterwards.
func (inv *Inventory) Snapshot() *Snapshot { return inv.snap.Load() }

// SetSwitch replaces (or adds) one switch's state.
func (inv *Inventory) SetSwitch(st *SwitchState) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	old := inv.snap.Load()
	switches := make([]*SwitchState, 0, len(old.switches)+1)
	for _, sw := range old.switches {
		if sw.Name != st.Name {
			switches = append(switches, sw)
		}
	}
	switches = append(switches, st)
	inv.snap.Store(newSnapshot(switches))
}

// RemoveSwitch forgets a switch; it reports whether the switch was known.
func (inv *Inventory) RemoveSwitch(name string) bool {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	old := inv.snap.Load()
	switches := make([]*SwitchState, 0, len(old.switches))
	for _, sw := range old.switches {
		if sw.Name != name {
			switches = append(switches, sw)
		}
	}
	if len(switches) == len(old.switches) {
		return false
	}
	inv.snap.Store(newSnapshot(switches))
	return true
}

// newSnapshot indexes the dACLs of the switches by full name; the first
// switch by name that lists a dACL provides it.
func newSnapshot(switches []*SwitchState) *Snapshot {
	sort.Slice(switches, func(i, j int) bool { return switches[i].Name < switches[j].Name })
	s := &Snapshot{switches: switches, dacls: map[string]*ACL{}}
	for _, sw := range switches {
		for _, a := range sw.ACLs {
			if IsDACLName(a.Name) && s.dacls[a.Name] == nil {
				s.dacls[a.Name] = a
			}
		}
	}
	return s
}

// NewSnapshot returns a snapshot of the given switch states, for callers
// (tests, one-shot commands) that need no Inventory.
func NewSnapshot(states ...*SwitchState) *Snapshot {
	return newSnapshot(append([]*SwitchState(nil), states...))
}
