package ios

import "strings"

// ExpandInterface returns the full IOS name of an interface written in any
// abbreviation or case: "Gi1/0/3" and "gigabitethernet1/0/3" become
// "GigabitEthernet1/0/3", "Twe1/0/1" "TwentyFiveGigE1/0/1", "Po12"
// "Port-channel12". Names it does not know ("CPU", "Drop", "mgmt0") and
// ambiguous abbreviations ("T1/0/1") are returned unchanged, so that a
// finding never names a guessed port.
func ExpandInterface(name string) string {
	name = trim(name)
	// The type is the letters before the first digit; "Port-channel" has a
	// hyphen, "GigabitEthernet 1/0/3" (as typed in a command) a space.
	i := 0
	for i < len(name) && (isLetter(name[i]) || name[i] == '-') {
		i++
	}
	if i == 0 || i == len(name) {
		return name
	}
	typ, num := name[:i], trim(name[i:])
	if num == "" || num[0] < '0' || num[0] > '9' {
		return name
	}
	full := interfaceType(typ)
	if full == "" {
		return name
	}
	if full == typ && len(num) == len(name)-i {
		return name
	}
	return full + num
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// interfaceType maps an interface type, full or abbreviated in any case, to
// its canonical spelling, or "" when it is unknown or ambiguous.
func interfaceType(typ string) string {
	// Abbreviations IOS itself prints (show interfaces status, session
	// summaries) and the ones that plain prefix matching gets wrong.
	switch strings.ToLower(typ) {
	case "gi":
		return "GigabitEthernet"
	case "te":
		return "TenGigabitEthernet"
	case "fa":
		return "FastEthernet"
	case "fo":
		return "FortyGigabitEthernet"
	case "fi":
		return "FiveGigabitEthernet"
	case "tw":
		return "TwoGigabitEthernet"
	case "twe":
		return "TwentyFiveGigE"
	case "hu":
		return "HundredGigE"
	case "po":
		return "Port-channel"
	case "vl":
		return "Vlan"
	case "ap":
		return "AppGigabitEthernet"
	case "et", "eth":
		return "Ethernet"
	case "lo":
		return "Loopback"
	case "tu":
		return "Tunnel"
	case "vi":
		return "Virtual-Access"
	}
	// Otherwise any unambiguous prefix of a full name, as the IOS parser
	// accepts it ("gig", "TenGig", "port-chan").
	full := [...]string{
		"GigabitEthernet", "TenGigabitEthernet", "FastEthernet", "FortyGigabitEthernet",
		"FiveGigabitEthernet", "TwoGigabitEthernet", "TwentyFiveGigE", "HundredGigE",
		"Port-channel", "Vlan", "AppGigabitEthernet", "Ethernet", "Loopback", "Tunnel",
		"Virtual-Access", "TwentyFiveGigabitEthernet", "HundredGigabitEthernet",
		"FourHundredGigE", "Serial", "Dialer", "BDI", "Virtual-Template",
	}
	match := ""
	for _, f := range full {
		if hasPrefixFold(f, typ) {
			if len(f) == len(typ) {
				return f
			}
			if match != "" {
				return ""
			}
			match = f
		}
	}
	return match
}
