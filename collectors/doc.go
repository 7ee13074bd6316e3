// Package collectors gathers what switches say about authenticated sessions
// and their downloadable ACLs. Its subpackages parse IOS and IOS-XE output
// (pure functions over text) and evaluate ACLs first-match; it never sends a
// configuration command to a switch and never imports capture.
package collectors
