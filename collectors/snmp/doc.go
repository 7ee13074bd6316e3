// Package snmp reads which authenticated sessions a Cisco switch holds from
// CISCO-AUTH-FRAMEWORK-MIB's cafSessionTable over SNMP v2c or v3 (gosnmp),
// so that the SSH poller fetches details only for sessions that are new or
// changed: the MIB has no column for the downloadable ACL or the ISE posture,
// so a SessionKey says which session to look at, never what it may reach.
//
// What it sends: GetBulk walks of a few cafSessionTable and
// cafSessionMethodsInfoTable columns (and, when asked, IP-MIB's
// ipNetToPhysicalTable), Gets of IF-MIB ifName for the interfaces those
// sessions are on, and one GetNext to tell "no sessions" from "MIB not
// supported". It never sends a Set.
//
// What it never does: put a community, user passphrase or privacy
// passphrase in an error, a warning, a log line or a formatted Config; guess
// a privacy protocol (AES-256 and Cisco's AES-256-C derive different keys
// with SHA-1 and fail as a silent timeout, so the configured name is used as
// is); share a gosnmp.GoSNMP between goroutines (one Client per goroutine
// and switch); leave a request without a timeout; panic on what an agent
// sends (a value it cannot use becomes a Warning naming the device and OID).
package snmp
