// Package ios parses what Cisco IOS and IOS-XE switches print about
// authenticated sessions, their ACLs and their addresses: `show
// authentication sessions` / `show access-session` (summary and details),
// `show [ip|ipv6] access-lists`, `show ip arp`, `show device-tracking
// database`, `show ip device tracking all`, `show mac address-table` and
// `show version`, one command at a time or as a saved terminal transcript.
//
// Every parser is a pure function over text: no I/O, no global state, no
// panics on any input, and time linear in the input. A line a parser does
// not understand is returned as a Warning with its line number, never
// dropped silently; prompts, echoed commands, blank lines, banners and the
// switch's own legends and footers count as understood. Output of other
// platforms (NX-OS, ...) yields one "unsupported" warning instead of
// half-parsed records.
//
// The package hands ACE text on as text: it knows the structure of an ACL
// listing (names, sequence numbers, counters, remarks) but never interprets
// an entry, which is collectors/acl's job, and it never imports that
// package.
package ios
