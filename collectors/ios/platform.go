package ios

import (
	"fmt"
	"strings"
)

// Platforms, as Version.Platform and DetectPlatform name them.
const (
	PlatformIOS   = "ios"
	PlatformIOSXE = "ios-xe"
	PlatformNXOS  = "nx-os"
	PlatformIOSXR = "ios-xr"
	PlatformASA   = "asa"
	// Other vendors' switches, recognised so that their output gets the
	// one unsupported-platform warning instead of a parser's complaints.
	PlatformJunos   = "junos"
	PlatformEOS     = "arista-eos"
	PlatformArubaCX = "aruba-cx"
)

// Supported reports whether syncwatch parses output of the platform; an
// empty platform (not recognisable) is given the benefit of the doubt.
func Supported(platform string) bool {
	return platform == "" || platform == PlatformIOS || platform == PlatformIOSXE
}

// platformMarker returns the platform that a trimmed line proves, or "".
// Only lines that IOS and IOS-XE never print count.
func platformMarker(t string) string {
	switch {
	case hasPrefixFold(t, "Cisco Nexus Operating System"), hasPrefixFold(t, "NXOS: version"),
		nxosACLMarker(t),
		hasPrefixFold(t, "IP ARP Table for "), hasPrefixFold(t, "Flags: * - Adjacencies"),
		strings.Contains(t, "G - Gateway MAC"), strings.Contains(t, "(R) - Routed MAC"):
		return PlatformNXOS
	case hasPrefixFold(t, "Cisco IOS XR Software"):
		return PlatformIOSXR
	case hasPrefixFold(t, "Cisco Adaptive Security Appliance Software"):
		return PlatformASA
	case hasPrefixFold(t, "Junos: "), hasPrefixFold(t, "JUNOS Software Release"), hasPrefixFold(t, "JUNOS OS Kernel"):
		return PlatformJunos
	case hasPrefixFold(t, "Arista DCS-"), hasPrefixFold(t, "Arista CCS-"), hasPrefixFold(t, "Arista vEOS"):
		return PlatformEOS
	case hasPrefixFold(t, "ArubaOS-CX"), hasPrefixFold(t, "(c) Copyright") && strings.Contains(t, "Hewlett Packard Enterprise"):
		return PlatformArubaCX
	}
	return ""
}

// DetectPlatform looks for output that only another platform prints (NX-OS
// ACL, ARP and MAC-table layouts, NX-OS / IOS-XR / ASA version banners) and
// returns that platform with the line that gives it away, or "" and 0.
func DetectPlatform(text string) (platform string, line int) {
	ls := newLines(text)
	for {
		l, num, ok := ls.next()
		if !ok {
			return "", 0
		}
		if p := platformMarker(trim(l)); p != "" {
			return p, num
		}
	}
}

// unsupported is the one warning a parser returns for another platform's
// output instead of half-parsed records.
func unsupported(num int, platform, what, evidence string) Warning {
	return Warning{Line: num, Platform: platform, Message: fmt.Sprintf(
		"unsupported platform %s: %s output not parsed (recognised by %s); syncwatch reads Cisco IOS and IOS-XE only",
		platform, what, quote(evidence))}
}
