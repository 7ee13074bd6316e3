package alerts

import (
	"net/netip"
	"slices"
	"time"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/acl"
	"github.com/syncwatch/syncwatch/collectors/ios"
)

// sessionIndex is what the judge precomputes once per inventory snapshot so
// that judging an attempt is a few binary searches and one ACL walk, with
// no allocation: every session's posture, its ACLs resolved, and sorted
// keys by MAC, IPv4 and IPv6 address over all switches.
type sessionIndex struct {
	snap  *collectors.Snapshot
	info  []sessionInfo
	byMAC []keyRef
	byV4  []keyRef
	byV6  []v6Ref
}

// keyRef maps a packed MAC or IPv4 address to a session's info.
type keyRef struct {
	key uint64
	i   int32
}

type v6Ref struct {
	hi, lo uint64
	i      int32
}

// sessionInfo is one session with what the judge needs of it resolved.
type sessionInfo struct {
	s       *collectors.Session
	mac     uint64 // packed; valid when hasMAC
	hasMAC  bool
	posture collectors.Posture
	rule    string
	// dacl and redirect are the session's ACLs by family (acl.IPv4,
	// acl.IPv6); nil when it names none or the switch did not list it
	// (daclMissing, redirectMissing).
	dacl, redirect                   [3]*collectors.ACL
	daclMissing, redirectMissing     [3]bool
	daclName                         [3]string
	redirectName                     [3]string
	summaryOnly                      bool
	authorized                       bool
	authzChanged, lastSeen, sortTime int64 // unix nanoseconds, 0 unknown
}

// ruleSummaryOnly is the posture_rule of a session seen only in a summary
// table: its policies, and so its posture, are unknown.
const ruleSummaryOnly = "summary-only"

// newSessionIndex indexes a snapshot; rules classify the sessions.
func newSessionIndex(snap *collectors.Snapshot, rules collectors.PostureRules) *sessionIndex {
	n := snap.NumSessions()
	x := &sessionIndex{snap: snap, info: make([]sessionInfo, 0, n), byMAC: make([]keyRef, 0, n), byV4: make([]keyRef, 0, n)}
	type class struct {
		p    collectors.Posture
		rule string
	}
	classes := map[[3]string]class{}
	for _, sw := range snap.Switches() {
		for k := range sw.Sessions {
			s := &sw.Sessions[k]
			in := sessionInfo{s: s, summaryOnly: s.SummaryOnly, authorized: s.Authorized,
				authzChanged: unixNano(s.AuthzChangedAt), lastSeen: unixNano(s.LastSeen)}
			in.sortTime = max(in.authzChanged, in.lastSeen)
			if mac, ok := packMAC(s.MAC); ok {
				in.mac, in.hasMAC = mac, true
			}
			if s.SummaryOnly {
				in.posture, in.rule = collectors.PostureUnclassified, ruleSummaryOnly
			} else {
				key := [3]string{s.FilterACL(acl.IPv4), s.DACLv6, s.URLRedirect}
				c, ok := classes[key]
				if !ok {
					c.p, c.rule = rules.Classify(key[0], key[1], key[2])
					classes[key] = c
				}
				in.posture, in.rule = c.p, c.rule
			}
			in.daclName = [3]string{acl.IPv4: s.FilterACL(acl.IPv4), acl.IPv6: s.DACLv6}
			in.redirectName = [3]string{acl.IPv4: s.URLRedirectACL, acl.IPv6: s.URLRedirectACLv6}
			for _, fam := range families {
				if name := in.daclName[fam]; name != "" {
					in.dacl[fam] = resolveFamily(snap, sw, name, fam)
					in.daclMissing[fam] = in.dacl[fam] == nil
				}
				if name := in.redirectName[fam]; name != "" {
					in.redirect[fam] = resolveFamily(snap, sw, name, fam)
					in.redirectMissing[fam] = in.redirect[fam] == nil
				}
			}
			i := int32(len(x.info))
			x.info = append(x.info, in)
			if in.hasMAC {
				x.byMAC = append(x.byMAC, keyRef{in.mac, i})
			}
			if s.IPv4.IsValid() {
				x.byV4 = append(x.byV4, keyRef{uint64(v4Key(s.IPv4)), i})
			}
			for _, a := range s.IPv6 {
				hi, lo := v6Key(a)
				x.byV6 = append(x.byV6, v6Ref{hi, lo, i})
			}
		}
	}
	cmpKey := func(a, b keyRef) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.i - b.i)
	}
	slices.SortFunc(x.byMAC, cmpKey)
	slices.SortFunc(x.byV4, cmpKey)
	slices.SortFunc(x.byV6, func(a, b v6Ref) int {
		switch {
		case a.hi != b.hi:
			if a.hi < b.hi {
				return -1
			}
			return 1
		case a.lo != b.lo:
			if a.lo < b.lo {
				return -1
			}
			return 1
		}
		return int(a.i - b.i)
	})
	return x
}

// resolveFamily returns the ACL a session names for a family: a dACL of
// the wrong family (a switch listing an IPv6 dACL under an IPv4 policy)
// is not one the SYN meets.
func resolveFamily(snap *collectors.Snapshot, sw *collectors.SwitchState, name string, fam acl.Family) *collectors.ACL {
	if a := sw.ACL(name, fam); a != nil {
		return a
	}
	if a := snap.ResolveACL(sw, name); a != nil && a.Family == fam {
		return a
	}
	return nil
}

// unixNano is t in nanoseconds since the epoch, 0 for the zero time.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// rangeOf returns the index range of key in refs (sorted).
func rangeOf(refs []keyRef, key uint64) []keyRef {
	lo, hi := 0, len(refs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if refs[m].key < key {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo
	for end < len(refs) && refs[end].key == key {
		end++
	}
	return refs[lo:end]
}

func rangeOf6(refs []v6Ref, hi64, lo64 uint64) []v6Ref {
	lo, hi := 0, len(refs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r := refs[m]; r.hi < hi64 || r.hi == hi64 && r.lo < lo64 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo
	for end < len(refs) && refs[end].hi == hi64 && refs[end].lo == lo64 {
		end++
	}
	return refs[lo:end]
}

// packMAC packs a MAC address in any notation the switch prints into the
// low 48 bits.
func packMAC(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	if k, ok := packColonMAC(s); ok {
		return k, true
	}
	norm, ok := ios.NormalizeMAC(s)
	if !ok {
		return 0, false
	}
	return packColonMAC(norm)
}

// packColonMAC packs "aa:bb:cc:00:11:22" (lower case).
func packColonMAC(s string) (uint64, bool) {
	if len(s) != 17 {
		return 0, false
	}
	var k uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i%3 == 2 {
			if c != ':' {
				return 0, false
			}
			continue
		}
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

// macBytes packs a frame's MAC address.
func macBytes(m [6]byte) uint64 {
	return uint64(m[0])<<40 | uint64(m[1])<<32 | uint64(m[2])<<24 | uint64(m[3])<<16 | uint64(m[4])<<8 | uint64(m[5])
}

// macString formats a packed MAC address as "aa:bb:cc:00:11:22".
func macString(k uint64) string {
	const hex = "0123456789abcdef"
	var b [17]byte
	for i := 0; i < 6; i++ {
		v := byte(k >> (40 - 8*i))
		b[i*3], b[i*3+1] = hex[v>>4], hex[v&15]
		if i < 5 {
			b[i*3+2] = ':'
		}
	}
	return string(b[:])
}

func v4Key(a netip.Addr) uint32 {
	b := a.Unmap().As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func v6Key(a netip.Addr) (uint64, uint64) {
	b := a.As16()
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return hi, lo
}
