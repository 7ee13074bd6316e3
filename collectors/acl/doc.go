// Package acl models Cisco IOS and IOS-XE access lists (standard, extended,
// IPv6 and role-based) and evaluates them first-match, with the implicit deny
// at the end, for one packet at a time: typically a TCP SYN from an endpoint
// to a PSN's posture state sync port.
//
// An ACL is compiled once (Compile, or ParseDACL for a dACL as ISE stores
// it) and then evaluated many times with no allocation. The evaluator never
// guesses: an entry it cannot judge (an object-group, an FQDN host, an
// unknown keyword, a reflexive "evaluate", a "dynamic" entry) makes the
// verdict Unknown whenever the packet reaches it and its other conditions
// do not already exclude the packet, and the Result names that entry.
//
// The package is pure: no I/O, no global mutable state, no dependency on the
// IOS output parsers (collectors/ios hands it entry texts).
package acl
