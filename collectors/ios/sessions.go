package ios

import (
	"net/netip"
	"strings"
)

// Session is one authenticated endpoint as `show authentication sessions
// ... details` or `show access-session ... details` prints it. Values the
// switch prints as "Unknown" are empty (or the zero netip.Addr).
type Session struct {
	Interface     string       // full name: "GigabitEthernet1/0/3"
	MAC           string       // "aa:bb:cc:00:11:22"
	IPv4          netip.Addr   // zero when unknown
	IPv6          []netip.Addr // every IPv6 address printed, link-local included
	User          string       // User-Name as printed (a MAB session's is its MAC)
	Status        string       // as printed: "Authorized", "Authz Success", "Unauthorized", ...
	Authorized    bool         // Status normalized: authorization succeeded
	Domain        string       // "DATA", "VOICE"; empty when UNKNOWN
	HostMode      string       // Oper host mode: "multi-auth", "single-host", ...
	SessionID     string       // Common Session ID (the audit-session-id ISE knows)
	Uptime        string       // Session Uptime as printed ("22444s"), when shown
	DeviceType    string       // Device-type (IOS-XE device classifier), when shown
	DeviceName    string       // Device-name, when shown
	AuthorizedBy  string       // legacy "Authorized By" ("Authentication Server", "Guest Vlan")
	CurrentPolicy string       // Current Policy (the IBNS 2.0 policy map)

	// The authorization the switch applied: Resultant Policies when printed,
	// else Server Policies (or the legacy flat list), else Local Policies.
	DACL             string // downloadable ACL, full name: "xACSACLx-IP-NAME-5f152814"
	DACLv6           string // IPv6 downloadable ACL: "xACSACLx-IPV6-NAME-..."
	FilterID         string // Filter-ID: a switch-local named ACL, not a dACL
	URLRedirectACL   string // the redirect ACL (switch-local); IPv4 by convention, see ParseSessionDetails
	URLRedirectACLv6 string // the IPv6 redirect ACL
	URLRedirect      string // redirect URL (posture: ISE's client provisioning portal)
	PreauthACL       string // local pre-authentication ACL (IOS-XE webauth)
	PreauthACLv6     string // IPv6 pre-authentication ACL
	VLAN             string // "Vlan Group: Vlan: 194", "Vlan Policy: 20" or "VLAN ID: 194"
	SGT              string // SGT Value

	Methods []Method // method status list, in printed order, one per method
	Line    int      // line of the session's first field
}

// Method is one authentication method of a session and its state.
type Method struct {
	Method string // "dot1x", "mab", "webauth"
	State  string // as printed: "Authc Success", "Stopped", "Failed over", ...
}

// IsAuthorized reports whether a printed session status means that
// authorization succeeded ("Authorized", legacy "Authz Success", summary
// "Auth", info "AZ").
func IsAuthorized(status string) bool {
	s := collapse(status)
	return strings.EqualFold(s, "Authorized") || strings.EqualFold(s, "Authz Success") ||
		strings.EqualFold(s, "Auth") || strings.EqualFold(s, "AZ")
}

// sessionKey identifies a "Key: value" line of a session details block.
type sessionKey uint8

const (
	keyUnknown sessionKey = iota
	keyIgnored            // understood, not kept (IIF-ID, Handle, timers, ...)
	keyInterface
	keyMAC
	keyIP // legacy "IP Address": IPv4 or IPv6
	keyIPv4
	keyIPv6
	keyUser
	keyStatus
	keyDomain
	keyHostMode
	keyAuthorizedBy
	keyUptime
	keySessionID
	keyPolicy
	keyDeviceType
	keyDeviceName
	keySectionLocal
	keySectionServer
	keySectionResultant
	keySectionMethods
	// Policy keys: their value belongs to the current policy section.
	keyPolicyIgnored
	keyDACL
	keyDACLv6
	keyFilterID
	keyRedirect
	keyRedirectACL
	keyRedirectACLv4
	keyRedirectACLv6
	keyPreauth
	keyPreauthv4
	keyPreauthv6
	keyVLAN
	keySGT
)

// lookupSessionKey maps a key as printed (any case, any spacing) to its
// meaning.
func lookupSessionKey(key string) sessionKey {
	var buf [40]byte
	n := 0
	space := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		if isSpace(c) {
			space = n > 0
			continue
		}
		if n+2 > len(buf) {
			return keyUnknown
		}
		if space {
			buf[n] = ' '
			n++
			space = false
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	switch string(buf[:n]) {
	case "interface":
		return keyInterface
	case "mac address":
		return keyMAC
	case "ip address":
		return keyIP
	case "ipv4 address":
		return keyIPv4
	case "ipv6 address", "ipv6 addresses":
		return keyIPv6
	case "user-name", "user name", "username":
		return keyUser
	case "status":
		return keyStatus
	case "domain":
		return keyDomain
	case "oper host mode", "host mode":
		return keyHostMode
	case "authorized by":
		return keyAuthorizedBy
	case "session uptime", "uptime":
		return keyUptime
	case "common session id":
		return keySessionID
	case "current policy":
		return keyPolicy
	case "device-type", "device type":
		return keyDeviceType
	case "device-name", "device name":
		return keyDeviceName
	case "iif-id", "oper control dir", "handle", "acct session id", "session timeout",
		"idle timeout", "timeout action", "acct update timeout", "restart timeout",
		"unauth timeout", "periodic acct timeout", "reauth timeout", "aaa uid",
		"security policy", "security status":
		return keyIgnored
	case "local policies":
		return keySectionLocal
	case "server policies":
		return keySectionServer
	case "resultant policies":
		return keySectionResultant
	case "method status list", "runnable methods list", "runnable method list":
		return keySectionMethods
	case "acs acl", "acs acl ipv4", "dacl":
		return keyDACL
	case "acs acl ipv6", "acs ipv6 acl", "ipv6 acs acl", "dacl ipv6", "ipv6 dacl":
		return keyDACLv6
	case "filter-id", "filter id":
		return keyFilterID
	case "url redirect":
		return keyRedirect
	case "url redirect acl":
		return keyRedirectACL
	case "url redirect acl ipv4", "ipv4 url redirect acl":
		return keyRedirectACLv4
	case "url redirect acl ipv6", "ipv6 url redirect acl":
		return keyRedirectACLv6
	case "preauth acl":
		return keyPreauth
	case "preauth acl ipv4", "ipv4 preauth acl":
		return keyPreauthv4
	case "preauth acl ipv6", "ipv6 preauth acl":
		return keyPreauthv6
	case "vlan group", "vlan policy", "vlan id", "vlan":
		return keyVLAN
	case "sgt value", "sgt":
		return keySGT
	case "vn value", "session-timeout", "idle-timeout", "interface template", "template",
		"service template", "termination-action", "acct-interim-interval":
		return keyPolicyIgnored
	}
	return keyUnknown
}

// policySection is where a policy line was printed; later sections win.
type policySection uint8

const (
	sectionLocal policySection = iota
	sectionFlat                // legacy 12.2/15.x: policies in the flat key list
	sectionServer
	sectionResultant
	sectionCount
)

// policies is what one section of a session says about its authorization.
type policies struct {
	dacl, daclv6, filterID, redirect string
	redirectACL, redirectACLv6       string
	preauth, preauthv6               string
	vlan, sgt                        string
	redirectACLs, preauths           int // unlabelled lines seen, see pair
}

// pair stores an ACL name printed under a key that does not say its family.
// IOS-XE prints such a key twice for a dual-stack webauth session, IPv6
// first (fixture ShowAccessSessionMacDetails golden_output_6), so the
// second one moves the first to the IPv6 slot; a single one is IPv4.
func pair(v4, v6 *string, seen *int, value string) bool {
	*seen++
	switch *seen {
	case 1:
		*v4 = value
	case 2:
		*v6, *v4 = *v4, value
	default:
		return false
	}
	return true
}

// detailsParser holds the session being read.
type detailsParser struct {
	w         warnings
	out       []Session
	cur       Session
	pol       [sectionCount]policies
	started   bool
	section   policySection
	inMethods bool
	lastKey   sessionKey
}

// ParseSessionDetails parses the output of `show authentication sessions
// [interface X | mac M | method M | session-id S] details` and `show
// access-session [interface X | mac M] details` in every layout IOS and
// IOS-XE print: the flat 12.2/15.x list ("IP Address", "Authz Success",
// "ACS ACL" in the list), the IOS-XE sectioned form (Local, Server and
// Resultant Policies, Method status list), several sessions separated by
// dashed lines, IPv6 address lists, any indentation or TABs, blank lines
// anywhere, sections in any order, prompts and echoed commands.
//
// A session starts at its first field and ends at a dashed line, at a
// "Session id=" line or where a second Interface, MAC Address or Common
// Session ID begins the next one. When a key names an
// ACL without its family ("URL Redirect ACL", "Preauth ACL") and appears
// twice, the first is taken as IPv6 and the second as IPv4, the order
// IOS-XE prints them in; callers can confirm the family from the ACL
// listing.
func ParseSessionDetails(text string) ([]Session, []Warning) {
	p := detailsParser{}
	// Sizing the result up front saves copying a large output's sessions
	// again and again; a real session takes several hundred bytes, so the
	// hint cannot make a small hostile text allocate much.
	if n := strings.Count(text, "Interface:"); n > 1 {
		p.out = make([]Session, 0, min(n, len(text)/256+1))
	}
	ls := newLines(text)
	prevEcho := false
	for {
		line, num, ok := ls.next()
		if !ok {
			break
		}
		t := trim(line)
		if t == "" {
			continue
		}
		// Pasted from e-mail, bold markers wrap a line ("*ACS ACL: NAME*")
		// or a value ("Interface: *Gi1/0/17*").
		if len(t) >= 2 && t[0] == '*' && t[len(t)-1] == '*' {
			t = trim(t[1 : len(t)-1])
		}
		if key, value, ok := splitKey(t); ok {
			if k := lookupSessionKey(key); k != keyUnknown {
				p.field(k, value, num)
				prevEcho = false
				continue
			}
		}
		if isRule(t) {
			p.finish()
			prevEcho = false
			continue
		}
		if hasPrefixFold(t, "Session id=") {
			p.finish()
			continue
		}
		if p.lastKey == keyIPv6 || p.lastKey == keyIP {
			// IOS-XE lists further IPv6 addresses on their own lines.
			if p.moreAddresses(t) {
				continue
			}
		}
		noise, echo := terminalNoise(t, prevEcho)
		prevEcho = echo
		if noise {
			continue
		}
		if p.inMethods && p.method(t, num) {
			continue
		}
		p.w.unknownLine(num, "session details", t)
	}
	p.finish()
	return p.out, p.w.result()
}

// splitKey splits "Key: value" at the first colon when the part before it
// is short enough to be a field name; the caller decides whether it is one.
func splitKey(t string) (key, value string, ok bool) {
	i := indexByte(t, ':')
	if i <= 0 || i > 40 {
		return "", "", false
	}
	key = trim(t[:i])
	value = trim(t[i+1:])
	if len(value) >= 2 && value[0] == '*' && value[len(value)-1] == '*' {
		value = trim(value[1 : len(value)-1])
	}
	return key, value, key != ""
}

func (p *detailsParser) start(num int) {
	if !p.started {
		p.started = true
		p.cur.Line = num
	}
}

// finish closes the session being read, if any.
func (p *detailsParser) finish() {
	if p.started {
		s := &p.cur
		merge := func(get func(*policies) string) string {
			for _, sec := range [...]policySection{sectionResultant, sectionServer, sectionFlat, sectionLocal} {
				if v := get(&p.pol[sec]); v != "" {
					return v
				}
			}
			return ""
		}
		s.DACL = merge(func(p *policies) string { return p.dacl })
		s.DACLv6 = merge(func(p *policies) string { return p.daclv6 })
		s.FilterID = merge(func(p *policies) string { return p.filterID })
		s.URLRedirect = merge(func(p *policies) string { return p.redirect })
		s.URLRedirectACL = merge(func(p *policies) string { return p.redirectACL })
		s.URLRedirectACLv6 = merge(func(p *policies) string { return p.redirectACLv6 })
		s.PreauthACL = merge(func(p *policies) string { return p.preauth })
		s.PreauthACLv6 = merge(func(p *policies) string { return p.preauthv6 })
		s.VLAN = merge(func(p *policies) string { return p.vlan })
		s.SGT = merge(func(p *policies) string { return p.sgt })
		s.Authorized = IsAuthorized(s.Status)
		p.out = append(p.out, *s)
	}
	p.cur = Session{}
	p.pol = [sectionCount]policies{}
	p.started = false
	p.section = sectionFlat
	p.inMethods = false
	p.lastKey = keyUnknown
}

// field stores one "Key: value" line.
func (p *detailsParser) field(k sessionKey, value string, num int) {
	// A second interface, MAC or session ID cannot belong to the same
	// session: the next one began without a dashed line.
	if p.started && (k == keyInterface && p.cur.Interface != "" ||
		k == keyMAC && p.cur.MAC != "" || k == keySessionID && p.cur.SessionID != "") {
		p.finish()
	}
	if !p.started {
		p.finish() // reset the section state of the previous session
		p.start(num)
	}
	p.lastKey = k
	if k < keySectionLocal || k > keySectionMethods {
		// A field ends the method rows; policy sections last until the
		// next section header, so that fields printed in an unusual order
		// between them do not move a policy to another section.
		p.inMethods = false
	}
	s := &p.cur
	switch k {
	case keyIgnored, keyPolicyIgnored:
	case keyInterface:
		s.Interface = ExpandInterface(value)
	case keyMAC:
		if v := known(value); v != "" {
			if mac, ok := NormalizeMAC(v); ok {
				s.MAC = mac
			} else {
				p.w.add(num, "session details: MAC address %s is not a MAC address", quote(value))
			}
		}
	case keyIP, keyIPv4, keyIPv6:
		p.addresses(k, value, num)
	case keyUser:
		s.User = known(value)
	case keyStatus:
		s.Status = collapse(value)
	case keyDomain:
		s.Domain = known(value)
	case keyHostMode:
		s.HostMode = value
	case keyAuthorizedBy:
		s.AuthorizedBy = value
	case keyUptime:
		s.Uptime = known(value)
	case keySessionID:
		s.SessionID = known(value)
	case keyPolicy:
		s.CurrentPolicy = value
	case keyDeviceType:
		s.DeviceType = known(value)
	case keyDeviceName:
		s.DeviceName = known(value)
	case keySectionLocal:
		p.section, p.inMethods = sectionLocal, false
	case keySectionServer:
		p.section, p.inMethods = sectionServer, false
	case keySectionResultant:
		p.section, p.inMethods = sectionResultant, false
	case keySectionMethods:
		p.inMethods = true
		if value != "" && !strings.EqualFold(value, "empty") {
			p.w.add(num, "session details: method status list %s", quote(value))
		}
	default:
		p.policy(k, value, num)
	}
}

// policy stores a line of a policy section.
func (p *detailsParser) policy(k sessionKey, value string, num int) {
	pol := &p.pol[p.section]
	value = known(value)
	if value == "" {
		return
	}
	switch k {
	case keyDACL, keyDACLv6:
		// The name says the family whatever the key: ISE names IPv6 dACLs
		// xACSACLx-IPV6-... and IPv4 ones xACSACLx-IP-....
		switch {
		case hasPrefixFold(value, "xACSACLx-IPV6-"):
			pol.daclv6 = value
		case hasPrefixFold(value, "xACSACLx-IP-"):
			pol.dacl = value
		case k == keyDACLv6:
			pol.daclv6 = value
		default:
			pol.dacl = value
		}
	case keyFilterID:
		pol.filterID = value
	case keyRedirect:
		pol.redirect = value
	case keyRedirectACL:
		if !pair(&pol.redirectACL, &pol.redirectACLv6, &pol.redirectACLs, value) {
			p.w.add(num, "session details: more than two URL Redirect ACLs, %s ignored", quote(value))
		}
	case keyRedirectACLv4:
		pol.redirectACL = value
	case keyRedirectACLv6:
		pol.redirectACLv6 = value
	case keyPreauth:
		if !pair(&pol.preauth, &pol.preauthv6, &pol.preauths, value) {
			p.w.add(num, "session details: more than two Preauth ACLs, %s ignored", quote(value))
		}
	case keyPreauthv4:
		pol.preauth = value
	case keyPreauthv6:
		pol.preauthv6 = value
	case keyVLAN:
		// "Vlan Group:  Vlan: 194"
		if hasPrefixFold(value, "vlan:") {
			value = trim(value[len("vlan:"):])
		}
		if strings.EqualFold(value, "N/A") {
			value = ""
		}
		pol.vlan = value
	case keySGT:
		pol.sgt = value
	}
}

// addresses stores an "IP Address", "IPv4 Address" or "IPv6 Address" value.
func (p *detailsParser) addresses(k sessionKey, value string, num int) {
	if isUnknownValue(value) || value == "" {
		return
	}
	rest := value
	for rest != "" {
		var tok string
		tok, rest = firstField(rest)
		tok = strings.TrimSuffix(tok, ",")
		if tok == "" {
			continue
		}
		a, err := netip.ParseAddr(tok)
		switch {
		case err != nil || (k == keyIPv4 && !a.Is4()) || (k == keyIPv6 && !a.Is6()):
			p.w.add(num, "session details: %s is not an address for this field", quote(tok))
		case a.Is4():
			p.cur.IPv4 = a
		default:
			p.cur.IPv6 = append(p.cur.IPv6, a)
		}
	}
}

// moreAddresses takes a line that holds only IPv6 addresses as the
// continuation of the address field above it.
func (p *detailsParser) moreAddresses(t string) bool {
	var found []netip.Addr
	rest := t
	for rest != "" {
		var tok string
		tok, rest = firstField(rest)
		tok = strings.TrimSuffix(tok, ",")
		if tok == "" {
			continue
		}
		a, err := netip.ParseAddr(tok)
		if err != nil || !a.Is6() {
			return false
		}
		found = append(found, a)
	}
	p.cur.IPv6 = append(p.cur.IPv6, found...)
	return len(found) > 0
}

// method reads a row of a method status list ("dot1x  Authc Success").
func (p *detailsParser) method(t string, num int) bool {
	name, state := firstField(t)
	if strings.EqualFold(name, "Method") && strings.EqualFold(state, "State") {
		return true // the column header
	}
	if state == "" || len(name) > 20 || indexByte(t, ':') >= 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/') {
			return false
		}
	}
	state = collapse(state)
	// A block printed twice (genie fixtures) repeats each method: keep one.
	for i := range p.cur.Methods {
		if p.cur.Methods[i].Method == name {
			p.cur.Methods[i].State = state
			return true
		}
	}
	if len(p.cur.Methods) >= maxMethods {
		p.w.add(num, "session details: more than %d methods, %s ignored", maxMethods, quote(t))
		return true
	}
	p.cur.Methods = append(p.cur.Methods, Method{Method: name, State: state})
	return true
}

// maxMethods bounds a session's method list (IOS has four methods: dot1x,
// mab, webauth, dot1xSup) so that hostile input cannot make the duplicate
// check quadratic.
const maxMethods = 16
