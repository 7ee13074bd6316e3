//go:build !linux

package peers

import (
	"os/exec"
	"syscall"
)

// setProcAttr leaves the process attributes as they are off Linux.
func setProcAttr(*exec.Cmd) {}

// signalGroup kills the server itself off Linux, whatever sig is.
func signalGroup(cmd *exec.Cmd, _ syscall.Signal) error {
	return cmd.Process.Kill()
}
