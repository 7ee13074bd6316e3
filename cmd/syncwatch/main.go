// Command syncwatch finds the network faults behind Cisco ISE's "Posture
// Configuration Detection" alarm: compliant endpoints that still reach the
// PSNs' posture state-sync port (TCP 8449), and unknown ones that cannot.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Exit codes that scripts can rely on.
const (
	exitOK       = 0
	exitRuntime  = 1 // a runtime error, including a damaged capture file
	exitUsage    = 2 // bad flags or arguments
	exitFindings = 3 // --fail-on matched a finding
)

// usageError marks an error as the user's (exit code 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment carries what a subcommand may touch, so tests can run
// subcommands in-process with their own streams.
type environment struct {
	stdin  io.Reader // analyze reads a capture from it for the file "-"; nil is empty
	stdout io.Writer
	stderr io.Writer

	// For run: hups replaces SIGHUP (tests send on it; nil listens for the
	// signal); onListen is told the HTTP address once it listens;
	// transcriptPoll is how often the transcripts' files are compared
	// (default 5 s); newCollector makes the live collector (main's is
	// liveCollectorFor; nil: switches are read from transcripts only).
	hups           <-chan os.Signal
	onListen       func(net.Addr)
	transcriptPoll time.Duration
	newCollector   collectorFactory
}

func commands() []command {
	return []command{
		{"run", "run the sensor: live capture, inventory, audit, judge, sinks and HTTP", runDaemon},
		{"check-config", "check a configuration file without starting anything", runCheckConfig},
		{"analyze", "classify connection attempts to the state-sync port in capture files", runAnalyze},
		{"watch", "classify attempts live on SPAN interfaces and print each as a JSON line", runWatch},
		{"audit", "judge the switches' dACLs and redirect ACLs against the PSNs' state-sync port", runAudit},
		{"healthcheck", "ask a running daemon whether it is healthy (for Docker's HEALTHCHECK)", runHealthcheck},
		{"collect", "read the switches once over SSH and save each one's transcript", runCollect},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal asks for an orderly end; a second one kills, as
	// Ctrl-C does when the first is not enough.
	context.AfterFunc(ctx, stop)
	code := run(ctx, &environment{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, newCollector: liveCollectorFor}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and maps its error to an exit code.
func run(ctx context.Context, env *environment, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help" {
		printUsage(env.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, env, args[1:])
		return exitCode(env, c.name, err)
	}
	fmt.Fprintf(env.stderr, "syncwatch: unknown command %q (try syncwatch --help)\n", args[0])
	return exitUsage
}

func exitCode(env *environment, name string, err error) int {
	var u usageError
	var f findingsError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errUnhealthy):
		return exitRuntime
	case errors.As(err, &u):
		fmt.Fprintf(env.stderr, "syncwatch %s: %v\n", name, err)
		return exitUsage
	case errors.As(err, &f):
		return exitFindings
	default:
		fmt.Fprintf(env.stderr, "syncwatch %s: %v\n", name, err)
		return exitRuntime
	}
}

// findingsError reports that --fail-on matched; the findings were printed.
type findingsError struct{ n int }

func (f findingsError) Error() string {
	return fmt.Sprintf("%d findings at or above the --fail-on severity", f.n)
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "syncwatch finds compliant endpoints that reach the ISE posture state-sync port, and unknown ones that cannot.\n\nUsage: syncwatch COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun syncwatch COMMAND --help for a command's flags.\nExit codes: 0 ok, 1 runtime error, 2 usage error, 3 findings at or above --fail-on.\n")
}
