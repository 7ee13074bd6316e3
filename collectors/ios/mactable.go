package ios

import "strings"

// MACEntry is one row of `show mac address-table`: where the switch learnt
// a MAC address.
type MACEntry struct {
	VLAN  string   // "100"; "All" for the CPU entries
	MAC   string   // "aa:bb:cc:00:11:22"
	Type  string   // lower-cased as printed: "dynamic", "static", "secure"...
	Ports []string // full interface names; "CPU", "Drop", "Router" as printed
	Line  int
}

// ParseMACTable parses `show mac address-table` (also `show
// mac-address-table`) in the Catalyst layout ("Vlan Mac Address Type
// Ports", with a second line of ports), the Catalyst 6500 layout with learn
// and age columns, and the 12.0 "Destination Address" layout. NX-OS output
// yields one unsupported-platform warning.
func ParseMACTable(text string) ([]MACEntry, []Warning) {
	var (
		w        warnings
		out      []MACEntry
		tok      []string
		lastRow  bool // the previous line was a row: a ports-only line continues it
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
			lastRow = false
			continue
		}
		if p := platformMarker(t); p != "" {
			return nil, []Warning{unsupported(num, p, "MAC address table", t)}
		}
		tok = fields(tok, t)
		if e, ok := macRow(tok, num); ok {
			out = append(out, e)
			lastRow, prevEcho = true, false
			continue
		}
		if lastRow && allInterfaces(tok) {
			last := &out[len(out)-1]
			for _, p := range tok {
				last.Ports = append(last.Ports, ExpandInterface(p))
			}
			continue
		}
		lastRow = false
		if isMACTableLegend(t) || isRule(t) {
			continue
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if !noise {
			w.unknownLine(num, "MAC address table", t)
		}
	}
	return out, w.result()
}

// macRow reads a row in any of the layouts: the MAC is the first, second or
// third word.
func macRow(tok []string, num int) (MACEntry, bool) {
	m := -1
	for i := 0; i < len(tok) && i < 3; i++ {
		if isDottedMAC(tok[i]) {
			m = i
			break
		}
	}
	if m < 0 || len(tok) < m+3 {
		return MACEntry{}, false
	}
	mac, _ := NormalizeMAC(tok[m])
	e := MACEntry{MAC: mac, Line: num}
	var ports []string
	if m == 0 {
		// 12.0: Destination Address, Address Type, VLAN, Destination Port
		if len(tok) < 4 {
			return MACEntry{}, false
		}
		e.Type, e.VLAN, ports = strings.ToLower(tok[1]), tok[2], tok[3:]
	} else {
		// [flag] Vlan Mac Type [learn age] Ports
		e.VLAN, e.Type, ports = tok[m-1], strings.ToLower(tok[m+1]), tok[m+2:]
		if len(ports) >= 3 && (strings.EqualFold(ports[0], "Yes") || strings.EqualFold(ports[0], "No")) {
			ports = ports[2:]
		}
	}
	for _, p := range ports {
		e.Ports = append(e.Ports, ExpandInterface(p))
	}
	return e, true
}

// allInterfaces reports whether every word is an interface name (the
// continuation line of a MAC learnt on several ports).
func allInterfaces(tok []string) bool {
	for _, s := range tok {
		if !looksLikeInterface(s) {
			return false
		}
	}
	return len(tok) > 0
}

// isMACTableLegend reports whether t is a title, header, legend or counter
// line of a MAC address table.
func isMACTableLegend(t string) bool {
	for _, p := range [...]string{"Mac Address Table", "Vlan ", "Destination Address", "Legend:",
		"* - ", "age - ", "n/a - ", "Total Mac Addresses", "Non-static Address Table"} {
		if hasPrefixFold(t, p) {
			return true
		}
	}
	// "Dynamic Addresses Count:               9"
	if key, value, ok := splitKey(t); ok && isDigits(value) && containsFold(key, "addresses") {
		return true
	}
	return false
}
