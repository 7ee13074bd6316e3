package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/collectors/ssh"
	"github.com/syncwatch/syncwatch/config"
)

const collectDescription = `Log into every configured switch (or the --switch ones) over SSH once, read its sessions and
ACLs as the live collector does (show version, the session summary and every session's details,
show ip access-lists, show ipv6 access-lists, the device-tracking table where a session shows no
address), and save each switch's transcript as DIR/<switch>.txt: prompts, commands and outputs,
never a secret, in the format that audit --switch-output reads (and that a support case wants).

Only read-only commands are sent (see collectors/ssh/commands.go). The switches' SSH settings,
credentials (environment variables or files, never inline) and host-key checking come from the
collect section of --config and each switch's ssh settings.

Prints one result per switch; exit code 1 when a switch failed (the others are still saved), 2 for
a usage or configuration error.`

// collectResult is one switch's result, as --format json prints it.
type collectResult struct {
	Switch   string  `json:"switch"`
	OK       bool    `json:"ok"`
	Sessions int     `json:"sessions"`
	ACLs     int     `json:"acls"`
	File     *string `json:"file"`
	Reason   *string `json:"reason"`
	Error    *string `json:"error"`
}

func runCollect(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "collect", "--config FILE --save DIR [--switch NAME]... [--format text|json]", collectDescription)
	configFile := fs.String("config", "", "configuration `file` (YAML) with the switches and the collect section")
	save := fs.String("save", "", "`folder` to save each switch's transcript in (created if missing)")
	var names stringList
	fs.Var(&names, "switch", "collect only this `switch` (its name in the configuration); repeat for several")
	format := fs.String("format", "text", "output `format`: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usagef("unexpected arguments %q", fs.Args())
	case *configFile == "":
		return usagef("--config is required")
	case *save == "":
		return usagef("--save is required: the folder for the transcripts")
	case *format != "text" && *format != "json":
		return usagef("--format must be text or json, not %q", *format)
	}
	cfg, err := loadCollectConfig(*configFile, names)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*save, 0o755); err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	c, inv, err := newLiveCollector(cfg, names, true)
	if err != nil {
		return err
	}
	defer c.Close()
	pollErr := c.PollOnce(ctx, names...)
	failed := map[string]error{}
	for _, e := range unjoin(pollErr) {
		var se *ssh.Error
		if errors.As(e, &se) {
			failed[se.Switch] = e
		}
	}
	snap := inv.Snapshot()
	var results []collectResult
	anyFailed := false
	for _, h := range c.Health() {
		r := collectResult{Switch: h.Name, OK: h.Up}
		if sw := snap.Switch(h.Name); sw != nil {
			r.Sessions, r.ACLs = len(sw.Sessions), len(sw.ACLs)
		}
		if tr := c.Transcript(h.Name); tr != "" {
			path := filepath.Join(*save, safeName(h.Name)+".txt")
			if err := os.WriteFile(path, []byte(tr), 0o640); err != nil {
				return fmt.Errorf("saving the transcript of %s: %w", h.Name, err)
			}
			r.File = &path
		}
		if !h.Up {
			anyFailed = true
			msg := h.Error
			if e := failed[h.Name]; e != nil {
				msg = e.Error()
			}
			if msg == "" {
				msg = "not polled"
			}
			reason := h.Reason
			r.Reason, r.Error = &reason, &msg
		}
		results = append(results, r)
	}
	if *format == "json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(struct {
			Switches []collectResult `json:"switches"`
		}{results}); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(env.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SWITCH\tRESULT\tSESSIONS\tACLS\tTRANSCRIPT\tERROR")
		for _, r := range results {
			res, file, msg := "ok", "-", ""
			if !r.OK {
				res = "error: " + *r.Reason
				msg = *r.Error
			}
			if r.File != nil {
				file = *r.File
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\n", r.Switch, res, r.Sessions, r.ACLs, file, msg)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if anyFailed {
		n := 0
		for _, r := range results {
			if !r.OK {
				n++
			}
		}
		return fmt.Errorf("%d of %d switches failed (their partial transcripts, if any, were saved)", n, len(results))
	}
	return nil
}

// loadCollectConfig loads the configuration and checks what live
// collection needs; its problems are usage errors (exit 2).
func loadCollectConfig(path string, names []string) (*config.Config, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, err
	}
	if err := cfg.CheckCollect(names...); err != nil {
		return nil, usageError{fmt.Errorf("configuration errors for live collection:\n%w", err)}
	}
	return cfg, nil
}

// newLiveCollector builds the live collector of the configured switches.
func newLiveCollector(cfg *config.Config, names []string, transcripts bool) (*live.Collector, *collectors.Inventory, error) {
	lc, err := liveConfig(cfg, names)
	if err != nil {
		return nil, nil, usageError{err}
	}
	lc.Transcripts = transcripts
	inv := collectors.NewInventory()
	c, err := live.New(lc, inv, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	return c, inv, nil
}

// unjoin returns the errors joined in err.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// safeName makes a switch name usable as a file name.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r < 0x20 {
			return '_'
		}
		return r
	}, strings.TrimLeft(name, "."))
}
