package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/capture"
)

// errHelp is returned when --help was asked for; the usage was printed.
var errHelp = flag.ErrHelp

// newFlagSet returns a flag set whose errors are usage errors and whose
// --help prints the synopsis, the description and the flags to stdout.
func newFlagSet(env *environment, name, synopsis, description string) *flag.FlagSet {
	fs := flag.NewFlagSet("syncwatch "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		w := env.stdout
		fmt.Fprintf(w, "Usage: syncwatch %s %s\n\n%s\n\nFlags:\n", name, synopsis, description)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parseFlags parses args, printing usage on --help.
func parseFlags(fs *flag.FlagSet, args []string) error {
	// The flag package prints the usage on every parse error; only --help
	// should print it (to stdout), the error itself goes to stderr.
	usage := fs.Usage
	fs.Usage = func() {}
	err := fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		usage()
		return errHelp
	}
	if err != nil {
		return usageError{fmt.Errorf("%w (see %s --help)", err, fs.Name())}
	}
	return nil
}

// portList is a repeatable --port flag.
type portList []uint16

func (p *portList) String() string {
	s := make([]string, len(*p))
	for i, v := range *p {
		s[i] = strconv.Itoa(int(v))
	}
	return strings.Join(s, ",")
}

func (p *portList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("%q is not a TCP port (1-65535)", f)
		}
		*p = append(*p, uint16(n))
	}
	return nil
}

// addrList is a repeatable --psn flag.
type addrList []netip.Addr

func (a *addrList) String() string {
	s := make([]string, len(*a))
	for i, v := range *a {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (a *addrList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		ip, err := netip.ParseAddr(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%q is not an IP address", f)
		}
		*a = append(*a, ip.Unmap())
	}
	return nil
}

// durationFlag is a duration flag whose error says what a duration looks
// like (the flag package's says "parse error").
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(v string) error {
	t, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		if _, numErr := strconv.ParseFloat(strings.TrimSpace(v), 64); numErr == nil {
			return fmt.Errorf("%q has no unit (give one: 10s, 5m)", v)
		}
		return fmt.Errorf("%q is not a duration (e.g. 500ms, 10s, 2m)", v)
	}
	*d = durationFlag(t)
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			*s = append(*s, f)
		}
	}
	return nil
}

// trackerFlags are the attempt-tracking flags that analyze and watch share.
type trackerFlags struct {
	ports portList
	psns  addrList
	// psnsFromConfig: psns are the configuration's, not --psn flags.
	psnsFromConfig bool
	answerTimeout  time.Duration
	grace          time.Duration
	maxAttempts    int
}

func (t *trackerFlags) register(fs *flag.FlagSet) {
	fs.Var(&t.ports, "port", "state-sync `port` of the PSNs; repeat or comma-separate for several (default 8449)")
	fs.Var(&t.psns, "psn", "PSN `address`; repeat for several. When given, only these addresses count as PSNs (default: any address on the port)")
	t.answerTimeout, t.grace = capture.DefaultAnswerTimeout, capture.DefaultGrace
	fs.Var((*durationFlag)(&t.answerTimeout), "answer-timeout", "how long after the first SYN an attempt without answer is unanswered")
	fs.Var((*durationFlag)(&t.grace), "grace", "how long after the answer timeout a late answer still corrects an unanswered attempt")
	fs.IntVar(&t.maxAttempts, "max-attempts", capture.DefaultMaxAttempts, "cap on attempts held in memory; the oldest are evicted first")
}

// flagPSNs returns the --psn addresses (none when the PSNs came from the
// configuration).
func (t *trackerFlags) flagPSNs() addrList {
	if t.psnsFromConfig {
		return nil
	}
	return t.psns
}

func (t *trackerFlags) config() (capture.TrackerConfig, error) {
	if t.answerTimeout <= 0 {
		return capture.TrackerConfig{}, usagef("--answer-timeout must be positive, not %s", t.answerTimeout)
	}
	if t.grace < 0 {
		return capture.TrackerConfig{}, usagef("--grace must not be negative")
	}
	if t.answerTimeout > capture.MaxTimeout || t.grace > capture.MaxTimeout {
		return capture.TrackerConfig{}, usagef("--answer-timeout and --grace must be at most %s", capture.MaxTimeout)
	}
	if t.maxAttempts <= 0 {
		return capture.TrackerConfig{}, usagef("--max-attempts must be positive")
	}
	return capture.TrackerConfig{
		Ports:         dedupePorts(t.ports),
		PSNs:          t.psns,
		AnswerTimeout: t.answerTimeout,
		Grace:         t.grace,
		MaxAttempts:   t.maxAttempts,
	}, nil
}

func dedupePorts(ps []uint16) []uint16 {
	var out []uint16
	seen := map[uint16]bool{}
	for _, p := range ps {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = []uint16{capture.DefaultPort}
	}
	return out
}
