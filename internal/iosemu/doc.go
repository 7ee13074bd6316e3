// Package iosemu emulates the command line of a Cisco IOS or IOS-XE access
// switch well enough for syncwatch's SSH collector to be tested against real
// SSH servers: a hostname prompt (sw1> and sw1#), enable with a password,
// --More-- paging until terminal length 0, terminal width, a login banner,
// exit, and "% Invalid input detected at '^' marker." for anything it does
// not know, including the commands an older release lacks (so the collector
// has to fall back). It answers the show commands the collector sends from
// saved transcripts or from generated sessions, can be slow, and can fail
// on purpose: stop in the middle of an output, drop the connection, or
// never answer.
//
// A Switch runs behind an in-process golang.org/x/crypto/ssh server
// (Server, for tests with hundreds of switches) or as the login shell of a
// real OpenSSH server (RunProcess, reading its profile from a file). It
// records every line it receives, so a test can prove that a command was
// never sent.
//
// It is test equipment: it never changes anything, it only prints.
package iosemu
