package iosemu

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// RunProcess runs the emulated switch described by the JSON profile file
// on this process's standard input and output, as the login shell (or
// ForceCommand) of a real SSH server; every line received is appended to
// logPath. It puts a terminal into raw mode first, because IOS, not the
// terminal driver, echoes what is typed. A reset fault ends the process at
// once. It returns the process's exit code.
func RunProcess(profilePath, logPath string) int {
	data, err := os.ReadFile(profilePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iosemu:", err)
		return 2
	}
	var p Profile
	if err := json.Unmarshal(data, &p); err != nil {
		fmt.Fprintf(os.Stderr, "iosemu: %s: %v\n", profilePath, err)
		return 2
	}
	sw := NewSwitch(p)
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			fmt.Fprintln(os.Stderr, "iosemu:", err)
			return 2
		}
		defer f.Close()
		sw.SetRecorder(f)
	}
	restore := rawTerminal(os.Stdin)
	defer restore()
	rw := struct {
		io.Reader
		io.Writer
	}{os.Stdin, os.Stdout}
	if err := sw.Serve(rw, func() { restore(); os.Exit(3) }); err != nil {
		return 1
	}
	return 0
}
