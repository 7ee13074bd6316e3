package snmp

// Object identifiers, numeric (Debian ships no Cisco MIB files) and with the
// leading dot gosnmp uses in responses. Derived from the MIB files in
// collectors/ios/testdata/cisco/mibs (see OIDS.md there).
const (
	// oidAuthFramework is ciscoAuthFrameworkMIB; anything under its objects
	// means the agent implements (and the view exposes) the MIB.
	oidAuthFrameworkObjects = ".1.3.6.1.4.1.9.9.656.1"

	// oidSessionEntry is cafSessionEntry; a column's instances are
	// <entry>.<column>.<ifIndex>.<one sub-id per octet of cafSessionId>
	// (IMPLIED index: no length sub-id).
	oidSessionEntry = ".1.3.6.1.4.1.9.9.656.1.4.1.1"

	// oidMethodState is cafSessionMethodState; instances are
	// <column>.<ifIndex>.<length>.<octets of cafSessionId>.<cafSessionMethod>.
	oidMethodState = ".1.3.6.1.4.1.9.9.656.1.4.2.1.2"

	// oidIfName is IF-MIB ifName; instances are <column>.<ifIndex>.
	oidIfName = ".1.3.6.1.2.1.31.1.1.1.1"

	// oidNetToPhysicalPhysAddress is IP-MIB ipNetToPhysicalPhysAddress;
	// instances are <column>.<ifIndex>.<InetAddressType>.<length>.<octets>.
	oidNetToPhysicalPhysAddress = ".1.3.6.1.2.1.4.35.1.4"
)

// cafSessionTable columns this package reads (CafSessionEntry numbering).
const (
	colMAC      = 2 // cafSessionClientMacAddress
	colAddrType = 3 // cafSessionClientAddrType
	colAddr     = 4 // cafSessionClientAddress
	colStatus   = 5 // cafSessionStatus
	colDomain   = 6 // cafSessionDomain
)

// columnName names a cafSessionTable column in errors and warnings.
func columnName(col int) string {
	switch col {
	case colMAC:
		return "cafSessionClientMacAddress"
	case colAddrType:
		return "cafSessionClientAddrType"
	case colAddr:
		return "cafSessionClientAddress"
	case colStatus:
		return "cafSessionStatus"
	case colDomain:
		return "cafSessionDomain"
	}
	return "cafSessionEntry column"
}
