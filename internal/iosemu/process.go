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
//
// The profile file is read again before a command when it was replaced or
// changed since (a test changes the switch's state between two polls of a
// collector that keeps its connection, as a real switch's state changes
// under an open session); a file that cannot be read then keeps the
// profile read before.
func RunProcess(profilePath, logPath string) int {
	p, info, err := readProfile(profilePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iosemu:", err)
		return 2
	}
	sw := NewSwitch(p)
	sw.beforeCommand = func() {
		now, err := os.Stat(profilePath)
		if err != nil || os.SameFile(now, info) && now.ModTime().Equal(info.ModTime()) && now.Size() == info.Size() {
			return
		}
		np, ninfo, err := readProfile(profilePath)
		if err != nil {
			return
		}
		info = ninfo
		sw.Update(func(cur *Profile) { *cur = np })
	}
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

// readProfile reads a JSON profile file and what it was when read.
func readProfile(path string) (Profile, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return Profile{}, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return Profile{}, nil, err
	}
	var p Profile
	if err := json.NewDecoder(f).Decode(&p); err != nil {
		return Profile{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, info, nil
}
