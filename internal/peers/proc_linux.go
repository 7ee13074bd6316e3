package peers

import (
	"os/exec"
	"syscall"
)

// setProcAttr puts the server in its own process group, so that stopping
// it reaches every process it started, and has the kernel kill it if the
// test binary dies before its cleanups run (a test timeout).
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup sends sig to the server's process group.
func signalGroup(cmd *exec.Cmd, sig syscall.Signal) error {
	return syscall.Kill(-cmd.Process.Pid, sig)
}
