//go:build !linux

package iosemu

import "os"

// rawTerminal does nothing off Linux: the emulator runs under sshd only in
// Linux tests.
func rawTerminal(*os.File) func() { return func() {} }
