package ios

import (
	"net/netip"
	"strings"
)

// ARPEntry binds an IP address to a MAC address (and a port), from `show ip
// arp`, `show device-tracking database [details]` or `show ip device
// tracking all`; it fills in sessions whose address the switch printed as
// Unknown.
type ARPEntry struct {
	IP        netip.Addr
	MAC       string // "aa:bb:cc:00:11:22"; empty for an ARP "Incomplete" entry
	Interface string // full name; empty when the table printed none
	VLAN      string // device tracking tables
	State     string // device tracking: "REACHABLE", "STALE", "ACTIVE", ...
	Source    string // "arp" for show ip arp; the table's code or source column ("ARP", "ND", "DH4", "L", "S")
	Age       string // as printed ("-", "18", "116s", "92mn")
	Line      int
}

// ParseARP parses `show ip arp` and `show arp` (IOS and IOS-XE, any VRF):
// "Incomplete" entries are kept with an empty MAC, entries without an
// interface with an empty Interface, and a private-VLAN suffix ("Vlan201 pv
// 202") is dropped from the interface. NX-OS output yields one
// unsupported-platform warning.
func ParseARP(text string) ([]ARPEntry, []Warning) {
	var (
		w        warnings
		out      []ARPEntry
		tok      []string
		prevEcho bool
	)
	ls := newLines(text)
	for {
		line, num, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			continue
		}
		if p := platformMarker(t); p != "" {
			return nil, []Warning{unsupported(num, p, "ARP", t)}
		}
		tok = fields(tok, t)
		if hasPrefixFold(t, "Protocol") && containsFold(t, "Hardware Addr") {
			continue // the header
		}
		if len(tok) >= 5 && isWord(tok[0]) {
			if ip, err := netip.ParseAddr(tok[1]); err == nil {
				e := ARPEntry{IP: ip, Age: tok[2], Source: "arp", Line: num}
				if mac, ok := NormalizeMAC(tok[3]); ok {
					e.MAC = mac
				} else if !strings.EqualFold(tok[3], "Incomplete") {
					w.add(num, "ARP: hardware address %s is not a MAC address", quote(tok[3]))
				}
				if len(tok) >= 6 {
					e.Interface = ExpandInterface(tok[5])
				}
				out = append(out, e)
				prevEcho = false
				continue
			}
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if !noise {
			w.unknownLine(num, "ARP", t)
		}
	}
	return out, w.result()
}

// isWord reports whether s is letters only (the ARP protocol column).
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}

// ParseDeviceTracking parses `show device-tracking database [details]` (SISF
// on IOS-XE 16.x and later): its address bindings, IPv4 and IPv6. Prefix
// entries ("2001:DB8:1::/64") and entries whose link-layer address is "any"
// bind no host and are skipped; the counters and legends above the table
// are understood.
func ParseDeviceTracking(text string) ([]ARPEntry, []Warning) {
	var (
		w        warnings
		out      []ARPEntry
		tok      []string
		table    bool
		prevEcho bool
	)
	ls := newLines(text)
	for {
		line, num, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			continue
		}
		tok = fields(tok, t)
		switch {
		case containsFold(t, "Network Layer Address") && containsFold(t, "Link Layer Address"):
			table = true
			continue
		case len(tok) >= 5 && isBindingCode(tok[0]):
			// Rows are recognised without the header too ("| include").
			if e, ok := bindingRow(tok, num, &w); ok {
				out = append(out, e)
			}
			prevEcho = false
			continue
		case isRule(t), !table && isTrackingLegend(t):
			continue
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if !noise {
			w.unknownLine(num, "device tracking", t)
		}
	}
	return out, w.result()
}

// isBindingCode reports whether s is a binding table code (L, S, ND, ARP,
// DH4, DH6, PKT, API, ...).
func isBindingCode(s string) bool {
	if len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9') {
			return false
		}
	}
	return s != "" && isLetter(s[0])
}

// isTrackingLegend reports whether t is one of the counters and legends
// that `show device-tracking database` prints above its table.
func isTrackingLegend(t string) bool {
	for _, p := range [...]string{"Binding Table has", "Binding table ", "vlanDB has", "Codes:", "Preflevel flags"} {
		if hasPrefixFold(t, p) {
			return true
		}
	}
	// "0001:MAC and LLA match     0002:Orig trunk ..." and "max/box  : no
	// limit", "REACHABLE  : 1": a name, a colon, a value.
	if len(t) > 5 && isHex(t[:4]) && t[4] == ':' {
		return true
	}
	if key, value, ok := splitKey(t); ok && value != "" && isLegendKey(key) && lookupSessionKey(key) == keyUnknown {
		return true
	}
	return false
}

// isLegendKey reports whether key can name a legend's counter ("max/box",
// "REACHABLE"): it starts with a letter and holds only letters, digits,
// spaces, "/", "-" and "_". A logger's "[2026-12-04 10:00:01]" before a
// line, an address or a session's "Interface" key are not legends.
func isLegendKey(key string) bool {
	key = trim(key)
	if key == "" || !isLetter(key[0]) {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(isLetter(c) || c >= '0' && c <= '9' || c == ' ' || c == '/' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// isInterfaceList reports whether t is a comma-separated list of
// interface names ("Vl1, Vl3, Fa0, Gi1/0/1,").
func isInterfaceList(t string) bool {
	n := 0
	for _, name := range strings.Split(t, ",") {
		name = trim(name)
		if name == "" {
			continue
		}
		if !looksLikeInterface(name) {
			return false
		}
		n++
	}
	return n > 0
}

// bindingRow reads one row of the binding table.
func bindingRow(tok []string, num int, w *warnings) (ARPEntry, bool) {
	if strings.Contains(tok[1], "/") {
		return ARPEntry{}, false // a prefix binding, no host
	}
	ip, err := netip.ParseAddr(tok[1])
	if err != nil {
		w.add(num, "device tracking: %s is not an address", quote(tok[1]))
		return ARPEntry{}, false
	}
	lla := tok[2]
	if i := indexByte(lla, '('); i > 0 {
		lla = lla[:i] // details: "dead.beef.0001(S)"
	}
	if strings.EqualFold(lla, "any") {
		return ARPEntry{}, false
	}
	mac, ok := NormalizeMAC(lla)
	if !ok {
		w.add(num, "device tracking: link layer address %s is not a MAC address", quote(tok[2]))
		return ARPEntry{}, false
	}
	e := ARPEntry{IP: ip, MAC: mac, Interface: ExpandInterface(tok[3]), Source: tok[0], Line: num}
	i := 4
	if i < len(tok) && !isDigits(tok[i]) {
		i++ // details: the mode column (access, trunk, svi)
	}
	if i < len(tok) && isDigits(tok[i]) {
		e.VLAN = tok[i]
		i++
	}
	if i < len(tok) && strings.HasPrefix(tok[i], "(") {
		// details: "39  (  39)", the primary VLAN
		for i < len(tok) && !strings.HasSuffix(tok[i], ")") {
			i++
		}
		i++
	}
	// prlvl, age, state
	if i+2 < len(tok) {
		e.Age = tok[i+1]
		e.State = tok[i+2]
	}
	return e, true
}

// ParseIPDeviceTracking parses the legacy `show ip device tracking all`
// (IOS 12.2/15.x IPDT): its address table; the global settings above it and
// the list of enabled interfaces below it are understood.
func ParseIPDeviceTracking(text string) ([]ARPEntry, []Warning) {
	var (
		w        warnings
		out      []ARPEntry
		tok      []string
		list     bool // inside "Enabled interfaces:"
		prevEcho bool
	)
	ls := newLines(text)
	for {
		line, num, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			list = false
			continue
		}
		tok = fields(tok, t)
		switch {
		case hasPrefixFold(t, "Global IP Device Tracking"), hasPrefixFold(t, "IP Device Tracking"),
			hasPrefixFold(t, "Total number interfaces enabled"), isRule(t),
			hasPrefixFold(t, "IP Address") && containsFold(t, "MAC Address"):
			continue
		case hasPrefixFold(t, "Enabled interfaces:"):
			list = true
			continue
		case list && isInterfaceList(t):
			continue // "Vl1, Vl3, Gi1/0/1, ..."
		case len(tok) >= 4:
			if ip, err := netip.ParseAddr(tok[0]); err == nil {
				e := ARPEntry{IP: ip, VLAN: tok[2], Interface: ExpandInterface(tok[3]), Line: num}
				if mac, ok := NormalizeMAC(tok[1]); ok {
					e.MAC = mac
				} else {
					w.add(num, "IP device tracking: %s is not a MAC address", quote(tok[1]))
				}
				if len(tok) >= 7 {
					e.State, e.Source = tok[5], tok[6]
				}
				out = append(out, e)
				prevEcho = false
				continue
			}
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if !noise {
			w.unknownLine(num, "IP device tracking", t)
		}
	}
	return out, w.result()
}
