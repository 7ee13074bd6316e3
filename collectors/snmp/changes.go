package snmp

import "slices"

// ChangeKind says whether a session appeared, changed or went away.
type ChangeKind string

// Kinds of Change.
const (
	Added   ChangeKind = "added"
	Changed ChangeKind = "changed"
	Removed ChangeKind = "removed"
)

// Change is a session that differs between two polls of one switch.
type Change struct {
	Kind    ChangeKind
	Session SessionKey // the current row; the previous one for Removed
	// Fields that differ for Changed: "interface", "mac", "ipv4",
	// "ipv6", "status", "domain", "methods".
	Fields []string
}

// Changes compares two polls of one switch, sessions matched by ifIndex
// and session ID (a new authentication of the same MAC is a new session
// ID, so it shows as Added plus Removed). Unchanged sessions are left
// out; Added and Changed come in cur's order, then Removed in prev's.
func Changes(prev, cur []SessionKey) []Change {
	type key struct {
		ifIndex int
		id      string
	}
	before := make(map[key]int, len(prev))
	for i, s := range prev {
		before[key{s.IfIndex, s.SessionID}] = i
	}
	seen := make([]bool, len(prev))
	var out []Change
	for _, s := range cur {
		i, ok := before[key{s.IfIndex, s.SessionID}]
		if !ok {
			out = append(out, Change{Kind: Added, Session: s})
			continue
		}
		seen[i] = true
		if f := changedFields(prev[i], s); len(f) > 0 {
			out = append(out, Change{Kind: Changed, Session: s, Fields: f})
		}
	}
	for i, s := range prev {
		if !seen[i] {
			out = append(out, Change{Kind: Removed, Session: s})
		}
	}
	return out
}

// changedFields lists the fields of a and b that differ.
func changedFields(a, b SessionKey) []string {
	var f []string
	if a.Interface != b.Interface {
		f = append(f, "interface")
	}
	if a.MAC != b.MAC {
		f = append(f, "mac")
	}
	if a.IPv4 != b.IPv4 {
		f = append(f, "ipv4")
	}
	if !sameSet(a.IPv6, b.IPv6) {
		f = append(f, "ipv6")
	}
	if a.Status != b.Status || a.Authorized != b.Authorized {
		f = append(f, "status")
	}
	if a.Domain != b.Domain {
		f = append(f, "domain")
	}
	if !slices.Equal(a.Methods, b.Methods) {
		f = append(f, "methods")
	}
	return f
}

// sameSet compares address lists ignoring order (a neighbor cache lists
// them in its own order).
func sameSet[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			return false
		}
	}
	return true
}
