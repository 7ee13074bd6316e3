package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncwatch/syncwatch/config"
)

func runCheckConfig(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "check-config", "--config FILE",
		"Check a configuration file as syncwatch run would read it, without starting anything: the YAML\n"+
			"(unknown keys, wrong kinds, bad values, each as FILE:LINE: message), every secret readable (from its\n"+
			"variable or file; an inline secret is an error), the web configuration file valid, the\n"+
			"transcripts readable, and for the switches with SSH settings what live collection needs (a\n"+
			"username, a password or key, a readable known_hosts). Prints what the file configures.\n\n"+
			"Exit codes: 0 valid, 1 a transcript could not be read, 2 configuration errors.")
	configFile := fs.String("config", "", "configuration `file` (YAML)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *configFile == "" {
		return usagef("no --config given (try syncwatch check-config --help)")
	}
	cfg, err := loadConfig(*configFile)
	if err != nil {
		return err
	}
	lc, err := checkLive(cfg)
	if err != nil {
		return err
	}
	if err := checkHTTPSinks(cfg); err != nil {
		return err
	}
	dataWarning, err := checkDataDir(cfg.DataDir)
	if err != nil {
		return usageError{err}
	}
	snap, ws, err := readTranscripts(ctx, cfg.Transcripts)
	if err != nil {
		return err
	}
	w := env.stdout
	fmt.Fprintf(w, "%s: valid\n", *configFile)
	fmt.Fprintf(w, "  PSNs: %d, ports: %v, posture rules: %d, switches: %d\n", len(cfg.PSNs), cfg.PortList(), len(cfg.PostureRules()), len(cfg.Switches))
	ifaces := "none (audit only)"
	if len(cfg.Capture.Interfaces) > 0 {
		ifaces = strings.Join(cfg.Capture.Interfaces, ", ")
	}
	fmt.Fprintf(w, "  capture: %s\n", ifaces)
	if n := len(lc.Switches); n > 0 {
		policy := cfg.Collect.HostKeyPolicy
		if policy == "" {
			policy = config.HostKeyStrict
		}
		fmt.Fprintf(w, "  live collection: %s over SSH, known_hosts %s (%s)\n", plural(n, "switch"), cfg.Collect.KnownHosts, policy)
	}
	var sinks []string
	if n := len(cfg.Alertmanager.Peers); n > 0 {
		sinks = append(sinks, fmt.Sprintf("alertmanager (%s)", plural(n, "peer")))
	}
	for i := range cfg.Webhooks {
		sinks = append(sinks, "webhook "+cfg.WebhookName(i))
	}
	if cfg.FindingsLog != "" {
		sinks = append(sinks, "findings log "+cfg.FindingsLog)
	}
	if len(sinks) == 0 {
		sinks = []string{"none"}
	}
	fmt.Fprintf(w, "  sinks: %s\n", strings.Join(sinks, ", "))
	tls := "plain HTTP"
	if cfg.HTTP.WebConfigFile != "" {
		tls = "web config " + cfg.HTTP.WebConfigFile
	}
	fmt.Fprintf(w, "  http: %s (%s)\n", cfg.ListenAddress(), tls)
	data := "none (nothing kept across restarts)"
	if cfg.DataDir != "" {
		data = cfg.DataDir
	}
	fmt.Fprintf(w, "  data_dir: %s\n", data)
	if len(cfg.Transcripts) > 0 {
		fmt.Fprintf(w, "  transcripts: %s on %s, %s\n", plural(snap.NumSessions(), "session"), plural(len(snap.Switches()), "switch"), plural(len(ws), "warning"))
	}
	if dataWarning != "" {
		fmt.Fprintf(w, "warning: %s\n", dataWarning)
	}
	if len(cfg.PSNs) == 0 {
		fmt.Fprintf(w, "warning: no psns: any address on the state-sync port counts as a PSN, and no dACL can be audited against one\n")
	}
	for _, wn := range ws {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
	for _, name := range cfg.Capture.Interfaces {
		if _, err := net.InterfaceByName(name); err != nil {
			fmt.Fprintf(w, "warning: capture interface %s is not on this host (%v)\n", name, err)
		}
	}
	return nil
}

// checkDataDir finds a data_dir that run could not use. A file there is
// an error; a folder (or, when it does not exist yet, the folder it would
// be created in) where this user cannot write is a warning, since run may
// run as another user or with a volume mounted there. It writes and
// removes a temporary file to know.
func checkDataDir(dir string) (warning string, err error) {
	if dir == "" {
		return "", nil
	}
	at := dir
	for {
		info, err := os.Stat(at)
		if err == nil {
			if !info.IsDir() {
				return "", fmt.Errorf("data_dir %s: %s is not a folder", dir, at)
			}
			break
		}
		parent := filepath.Dir(at)
		if !errors.Is(err, fs.ErrNotExist) || parent == at {
			return fmt.Sprintf("data_dir %s: %v", dir, err), nil
		}
		at = parent
	}
	f, err := os.CreateTemp(at, ".syncwatch-check-*")
	if err != nil {
		return fmt.Sprintf("data_dir %s: this user cannot write in %s (%v): run, as its user or with a volume there, must", dir, at, errors.Unwrap(err)), nil
	}
	f.Close()
	return "", os.Remove(f.Name())
}
