package ios

import "strings"

// Version is what `show version` says about the switch: enough for the live
// collector to choose its commands (newer releases answer `show
// access-session` and `show device-tracking database`, older ones `show
// authentication sessions` and `show ip device tracking all`).
type Version struct {
	Platform string // PlatformIOS, PlatformIOSXE, PlatformNXOS, ...; "" when not recognised
	Release  string // "16.9.3", "12.2(54)SG1", "16.4.20170410:165034"
	ImageID  string // the image family in parentheses: "CAT9K_IOSXE", "cat4500e-ENTSERVICESK9-M"
	Image    string // System image file: "flash:packages.conf"
	Hostname string // from "<hostname> uptime is ..."
	Uptime   string // "1 year, 22 weeks, 6 days, 9 hours, 38 minutes"
	Model    string // "C9300-24P", "WS-C4948E": the (first) Model Number, else the processor line
	Serial   string // Processor board ID
	Line     int    // line of the first software banner
}

// ParseVersion parses `show version` of IOS and IOS-XE. Unlike the table
// parsers it picks the lines it needs out of free text (licence notices,
// memory sizes, the stack table) and does not warn about the others; it
// warns when it finds no release. NX-OS, IOS-XR and ASA output is
// recognised: Platform says which, with one unsupported-platform warning.
func ParseVersion(text string) (Version, []Warning) {
	var (
		v        Version
		w        warnings
		xe       bool
		seenIOS  bool
		modelNum string
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
			v.Platform = p
			v.Line = num
			return v, []Warning{unsupported(num, p, "show version", t)}
		}
		switch {
		case hasPrefixFold(t, "Cisco IOS XE Software"), hasPrefixFold(t, "Cisco IOS-XE software"),
			hasPrefixFold(t, "ROM: IOS-XE"):
			xe = true
			if v.Line == 0 {
				v.Line = num
			}
			// "Cisco IOS XE Software, Version 17.09.04a": the release when
			// the IOS line is filtered out (show version | include XE);
			// the IOS line, when present, names it as its images do.
			if v.Release == "" {
				v.Release = versionAfter(t)
			}
		case hasPrefixFold(t, "Cisco IOS Software") || hasPrefixFold(t, "IOS (tm)"):
			// "Cisco IOS Software [Fuji], Catalyst L3 Switch Software
			// (CAT9K_IOSXE), Version 16.9.3, RELEASE SOFTWARE (fc2)"
			if seenIOS {
				continue
			}
			seenIOS = true
			if containsFold(t, "IOS-XE") || containsFold(t, "IOS XE") {
				xe = true // IOS-XE 3.x: "Cisco IOS Software, IOS-XE Software, ..."
			}
			if v.Line == 0 {
				v.Line = num
			}
			if r := versionAfter(t); r != "" {
				v.Release = r
			}
			if i := strings.IndexByte(t, '('); i >= 0 {
				if j := strings.IndexByte(t[i:], ')'); j > 0 {
					v.ImageID = t[i+1 : i+j]
				}
			}
		case strings.Contains(t, " uptime is ") && v.Hostname == "":
			i := strings.Index(t, " uptime is ")
			if h := t[:i]; !strings.ContainsAny(h, " \t") {
				v.Hostname = h
				v.Uptime = trim(t[i+len(" uptime is "):])
			}
		case hasPrefixFold(t, "System image file is "):
			v.Image = strings.Trim(trim(t[len("System image file is "):]), `"`)
		case hasPrefixFold(t, "Processor board ID ") && v.Serial == "":
			v.Serial, _ = firstField(trim(t[len("Processor board ID "):]))
		case hasPrefixFold(t, "Model Number") && modelNum == "":
			if _, value, ok := splitKey(t); ok {
				modelNum = value
			}
		case hasPrefixFold(t, "cisco ") && containsFold(t, "processor") && v.Model == "":
			// "cisco WS-C4948E (MPC8548) processor (revision 4) with ..."
			_, rest := firstField(t)
			v.Model, _ = firstField(rest)
		}
	}
	if modelNum != "" {
		v.Model = modelNum
	}
	switch {
	case xe:
		v.Platform = PlatformIOSXE
	case seenIOS:
		v.Platform = PlatformIOS
	}
	if v.Release == "" {
		w.add(0, "show version: no Cisco IOS software release found")
	}
	return v, w.result()
}

// versionAfter returns the word after "Version " in a banner line, without
// a trailing comma; "" when there is none.
func versionAfter(t string) string {
	i := strings.Index(t, "Version ")
	if i < 0 {
		return ""
	}
	r := t[i+len("Version "):]
	if j := strings.IndexAny(r, ", "); j >= 0 {
		r = r[:j]
	}
	return r
}
