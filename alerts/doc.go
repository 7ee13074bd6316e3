// Package alerts judges what syncwatch sees against what posture requires
// and reports it as findings, in the one finding schema of the product
// (finding.go): the audit of switch configuration (audit.go: every
// session's dACL and redirect ACL evaluated first-match against a SYN to
// every PSN), and, in later issues, the judge of captured attempts (the
// verdict table in DOMAIN.md) and the sinks that deliver findings to
// Alertmanager, webhooks and logs.
//
// The audit and the judge are pure functions of their inputs (an inventory
// snapshot, the PSNs, ports and posture rules): no I/O, no clock, no global
// state. alerts depends on capture and collectors, never the other way
// round.
package alerts
