// Package ssh reads one Cisco IOS or IOS-XE switch over SSH, read-only by
// construction: it sends only the strings that commands.go allows (the show
// commands the collector uses, and the session's own enable, terminal
// length 0, terminal width N and exit), and every send goes through one
// function (Client.send) that refuses anything else before it reaches the
// wire. It must never send a configuration command.
//
// It drives scrapligo's generic driver (channel, prompt handling, per
// command time limits) over its own transport, built on
// golang.org/x/crypto/ssh as scrapligo's standard transport is, because the
// standard one bounds only the TCP connect (not the SSH handshake), ignores
// an encrypted key's passphrase, cannot record a new host key
// (trust-on-first-use), and leaks its connection on Close when the device
// closes the session first. No platform name ever reaches scrapligo (it
// would fetch an unknown one as a file or URL): the platform is checked
// against an allow-list here and only selects the command dialect.
//
// Secrets (password, key passphrase, enable secret) never appear in errors,
// logs, or the transcript a Client records.
package ssh
