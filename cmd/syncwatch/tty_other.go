//go:build !linux

package main

import "io"

// isTerminal reports whether r is a terminal; only Linux is asked.
func isTerminal(io.Reader) bool { return false }
