package snmp

import (
	"net/netip"
	"strconv"

	"github.com/syncwatch/syncwatch/collectors/ios"
)

// SessionKey is one row of a switch's cafSessionTable: enough to tell
// whether a session is new or changed since the last poll, not what it may
// reach (the MIB has no dACL or posture column). Values the agent did not
// give are empty.
type SessionKey struct {
	Interface string // full name from IF-MIB ifName: "GigabitEthernet1/0/3"
	IfIndex   int    // the session table's ifIndex, kept when ifName is missing
	MAC       string // lower-case colon form: "aa:bb:cc:00:11:22"
	IPv4      netip.Addr
	IPv6      []netip.Addr
	// SessionID is cafSessionId, the index's octets as text when they are
	// printable (the CLI's "Session ID", e.g. "0A3462B1000000102983C05C"),
	// else upper-case hex of the octets.
	SessionID  string
	Authorized bool   // cafSessionStatus is authorizationSuccess
	Status     string // cafSessionStatus by its MIB name: "authorizationSuccess", "running", ...
	Domain     string // "DATA" or "VOICE", as the CLI prints it; empty for other or absent
	// Methods are cafSessionMethodsInfoTable's rows of the session in the
	// CLI's words ("dot1x"/"mab"/"webauth", "Authc Success"/"Running"/...).
	Methods []ios.Method
}

// Warning is a value an agent sent that could not be used, with the device
// and the OID it came from; the session it belonged to is kept without it.
type Warning struct {
	Device  string
	OID     string // empty when it concerns the whole walk
	Message string
}

// String formats the warning as "DEVICE: OID: MESSAGE".
func (w Warning) String() string {
	s := w.Device + ": "
	if w.OID != "" {
		s += w.OID + ": "
	}
	return s + w.Message
}

// Result is what one poll of a switch returned.
type Result struct {
	Sessions []SessionKey // in table order: by ifIndex, then session ID octets
	Warnings []Warning
	// Requests counts the SNMP requests the poll needed (retransmissions
	// not counted), the figure to watch for the cost on the switch.
	Requests int
}

// statusName returns cafSessionStatus's MIB name for v.
func statusName(v int64) string {
	switch v {
	case 1:
		return "idle"
	case 2:
		return "running"
	case 3:
		return "noMethod"
	case 4:
		return "authenticationSuccess"
	case 5:
		return "authenticationFailed"
	case 6:
		return "authorizationSuccess"
	case 7:
		return "authorizationFailed"
	}
	return "unknown(" + strconv.FormatInt(v, 10) + ")"
}

// statusAuthorized is cafSessionStatus authorizationSuccess, the only value
// the CLI prints as "Authorized".
const statusAuthorized = 6

// domainName returns cafSessionDomain in the CLI's spelling, "" for other(1)
// and unknown values (the CLI's "UNKNOWN", which collectors/ios also keeps
// as "").
func domainName(v int64) string {
	switch v {
	case 2:
		return "DATA"
	case 3:
		return "VOICE"
	}
	return ""
}

// methodName returns CiscoAuthMethod in the CLI's spelling.
func methodName(v uint32) string {
	switch v {
	case 1:
		return "other"
	case 2:
		return "dot1x"
	case 3:
		return "mab"
	case 4:
		return "webauth"
	}
	return "unknown(" + strconv.FormatUint(uint64(v), 10) + ")"
}

// methodStateName returns cafSessionMethodState in the CLI's spelling
// ("Method status list"); the CLI's "Stopped" has no MIB value.
func methodStateName(v int64) string {
	switch v {
	case 1:
		return "Not run"
	case 2:
		return "Running"
	case 3:
		return "Failed over"
	case 4:
		return "Authc Success"
	case 5:
		return "Authc Failed"
	}
	return "unknown(" + strconv.FormatInt(v, 10) + ")"
}
