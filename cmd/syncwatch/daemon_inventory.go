package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/config"
)

// Limits of the transcripts watch: how often the files' times and sizes
// are compared, and how many files a fingerprint looks at (a folder with
// more is still read whole, but only the first ones are watched).
const (
	defaultTranscriptPoll = 5 * time.Second
	maxWatchedFiles       = 10_000
)

// liveCollector is what the daemon needs from the live SSH/SNMP collector
// (package collectors/live, whose *live.Collector it is): it polls the
// configured switches into the inventory it was given, refreshes one
// switch on demand for the confirm step, says when the inventory changed,
// and reports each switch's health.
type liveCollector interface {
	// Run polls the switches until ctx ends.
	Run(ctx context.Context) error
	// PollOnce reads every switch (or the named ones) once (analyze and
	// audit with --config).
	PollOnce(ctx context.Context, names ...string) error
	// Refresh re-reads one switch and returns the inventory with its fresh
	// state (alerts.Refresher).
	Refresh(ctx context.Context, switchName string) (*collectors.Snapshot, error)
	// OnUpdate registers fn, called with the new snapshot after each
	// change of the inventory.
	OnUpdate(fn func(*collectors.Snapshot))
	// Health is how polling each switch goes (/readyz shows it).
	Health() []live.SwitchHealth
	// Close closes the switches' connections, after Run returned.
	Close() error
}

var _ liveCollector = (*live.Collector)(nil)

// collectorFactory makes the live collector for a configuration, writing
// into inv; it returns a nil interface (not a nil pointer in one) and no
// error when no switch is read live. reg is nil in one-shot commands
// (analyze), which register no metrics.
type collectorFactory func(cfg *config.Config, inv *collectors.Inventory, reg prometheus.Registerer, log *slog.Logger) (liveCollector, error)

// liveSwitches names the switches read live: those with SSH settings of
// their own or from the collect section (a username or a credential).
// The others come from transcripts.
func liveSwitches(cfg *config.Config) []string {
	var out []string
	for i := range cfg.Switches {
		s := &cfg.Switches[i]
		if e := cfg.SwitchSSH(s); e.Username != "" || e.Password != nil || e.PrivateKey != nil {
			out = append(out, s.Name)
		}
	}
	return out
}

// checkLive checks what live collection of the switches with SSH settings
// needs, as collect checks it (its problems are usage errors), and returns
// the live collector's settings; none when no switch has SSH settings.
func checkLive(cfg *config.Config) (live.Config, error) {
	names := liveSwitches(cfg)
	if len(names) == 0 {
		return live.Config{}, nil
	}
	if err := cfg.CheckCollect(names...); err != nil {
		return live.Config{}, usageError{fmt.Errorf("configuration errors for live collection:\n%w", err)}
	}
	lc, err := liveConfig(cfg, names)
	if err != nil {
		return live.Config{}, usageError{err}
	}
	return lc, nil
}

// liveCollectorFor is the collector factory of syncwatch's commands: the live
// collector of the switches with SSH settings, checked as collect checks
// them (their problems are usage errors), or nil when there are none.
func liveCollectorFor(cfg *config.Config, inv *collectors.Inventory, reg prometheus.Registerer, log *slog.Logger) (liveCollector, error) {
	lc, err := checkLive(cfg)
	if err != nil || len(lc.Switches) == 0 {
		return nil, err
	}
	c, err := live.New(lc, inv, reg, log)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// refresher is the confirm step's alerts.Refresher: a live switch is read
// again by the collector; a switch the transcripts provide has nothing to
// re-read, its transcript is the freshest state there is, so the
// inventory as it is answers (rather than an error that would page the
// finding "unconfirmed").
type refresher struct {
	c    liveCollector
	live map[string]bool
	inv  *collectors.Inventory
}

// Refresh implements alerts.Refresher.
func (r *refresher) Refresh(ctx context.Context, switchName string) (*collectors.Snapshot, error) {
	if !r.live[switchName] {
		return r.inv.Snapshot(), nil
	}
	return r.c.Refresh(ctx, switchName)
}

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// switchesSignature sums up what live collection was started with (the
// switches, their addresses and SSH/SNMP settings, the collect section;
// secrets by where they are read, never their values), so that a reload
// can tell that it changed.
func switchesSignature(cfg *config.Config) string {
	var b strings.Builder
	col := &cfg.Collect
	fmt.Fprintf(&b, "collect %v %v %v %v %v %v %v %q %q\n", col.PollInterval, col.FullSweepInterval, derefInt(col.Concurrency),
		col.ConnectTimeout, col.HandshakeTimeout, col.CommandTimeout, derefInt(col.Retries), col.KnownHosts, col.HostKeyPolicy)
	for i := range cfg.Switches {
		s := &cfg.Switches[i]
		e := cfg.SwitchSSH(s)
		port := -1
		if e.Port != nil {
			port = int(*e.Port)
		}
		fmt.Fprintf(&b, "switch %q %q %q %v ssh %q %s %s %s %s %d %q", s.Name, s.Address, s.Platform, s.PollInterval,
			e.Username, e.Password, e.PrivateKey, e.Passphrase, e.EnableSecret, port, e.Algorithms())
		if m := cfg.SwitchSNMP(s); m != nil {
			mport := -1
			if m.Port != nil {
				mport = int(*m.Port)
			}
			fmt.Fprintf(&b, " snmp %q %s %q %q %s %q %s %d %v %d", m.Version, m.Community, m.User, m.AuthProtocol, m.AuthPassword,
				m.PrivProtocol, m.PrivPassword, mport, m.Timeout, derefInt(m.Retries))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func derefInt(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// transcriptSet is the inventory part that comes from saved transcripts.
type transcriptSet struct {
	paths       []string
	fingerprint string
	// pending is a fingerprint seen once: the files are read when it is
	// seen again, so that a file is not read while it is being written.
	pending  string
	switches map[string]bool // the switches the transcripts provided
	files    map[string]bool // the files that gave switch output
}

// underPaths reports whether file is one of paths or inside one of them
// (a file no longer configured is not a file that went empty).
func underPaths(file string, paths []string) bool {
	for _, p := range paths {
		if rel, err := filepath.Rel(p, file); err == nil && (rel == "." || rel != ".." && !strings.HasPrefix(rel, "../")) {
			return true
		}
	}
	return false
}

// readTranscripts reads every path and builds their snapshot.
func readTranscripts(ctx context.Context, paths []string) (*collectors.Snapshot, []collectors.Warning, error) {
	snap, ws, _, err := readTranscriptFiles(ctx, paths)
	return snap, ws, err
}

// readTranscriptFiles is readTranscripts that also returns the files that
// gave switch output.
func readTranscriptFiles(ctx context.Context, paths []string) (*collectors.Snapshot, []collectors.Warning, []string, error) {
	var tr collectors.Transcripts
	for _, p := range paths {
		if err := tr.ReadPathContext(ctx, p); err != nil {
			return nil, nil, nil, err
		}
	}
	snap, ws := tr.Snapshot()
	return snap, ws, tr.OutputFiles(), nil
}

// fingerprintPaths sums up the names, sizes and modification times of the
// files under paths, so that a change to any of them (or a file added or
// removed) changes it. Unreadable paths count as their error.
func fingerprintPaths(paths []string) string {
	h := sha256.New()
	n := 0
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				fmt.Fprintf(h, "%s error %v\n", p, err)
				return nil
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if n++; n > maxWatchedFiles {
				return filepath.SkipAll
			}
			info, err := d.Info()
			if err != nil {
				fmt.Fprintf(h, "%s error %v\n", p, err)
				return nil
			}
			fmt.Fprintf(h, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
			return nil
		})
		if err != nil {
			fmt.Fprintf(h, "%s error %v\n", root, err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// applyTranscripts puts a transcripts snapshot into the inventory:
// switches it has are set, switches the previous transcripts had and this
// one lacks are removed. Switches the live collector writes are left
// alone unless the transcripts name them too.
func applyTranscripts(inv *collectors.Inventory, ts *transcriptSet, snap *collectors.Snapshot) {
	now := map[string]bool{}
	for _, sw := range snap.Switches() {
		now[sw.Name] = true
		inv.SetSwitch(sw)
	}
	for name := range ts.switches {
		if !now[name] {
			inv.RemoveSwitch(name)
		}
	}
	ts.switches = now
}

// reloadTranscripts reads the transcripts again when forced or when their
// fingerprint changed, and then updates the inventory and runs the audit.
func (d *daemon) reloadTranscripts(ctx context.Context, paths []string, force bool) error {
	d.invMu.Lock()
	defer d.invMu.Unlock()
	fp := fingerprintPaths(paths)
	if !force {
		if fp == d.transcripts.fingerprint && equalStrings(paths, d.transcripts.paths) {
			return nil
		}
		if fp != d.transcripts.pending {
			// Changed since the last look: read it once it stays so.
			d.transcripts.pending = fp
			return nil
		}
	}
	snap, ws, files, err := readTranscriptFiles(ctx, paths)
	fail := func(err error) error {
		d.metrics.transcriptReads.WithLabelValues("failure").Inc()
		// Keep what was read before; try again when the files change.
		d.transcripts.paths, d.transcripts.fingerprint = append([]string(nil), paths...), fp
		return err
	}
	if err != nil {
		return fail(err)
	}
	now := map[string]bool{}
	for _, f := range files {
		now[f] = true
	}
	for f := range d.transcripts.files {
		if _, err := os.Stat(f); !now[f] && err == nil && underPaths(f, paths) {
			// Emptied or overwritten with something else (a copy cut
			// short, an editor's truncate): taken at its word, the
			// switch's sessions would vanish and their findings resolve.
			return fail(fmt.Errorf("transcript %s gives no switch output any more: keeping what was read before (remove the file if its switch is gone)", f))
		}
	}
	d.metrics.transcriptReads.WithLabelValues("success").Inc()
	for _, w := range ws {
		d.log.Warn("transcript", "file", w.File, "line", w.Line, "warning", w.Message)
	}
	d.transcripts.paths, d.transcripts.fingerprint = append([]string(nil), paths...), fp
	d.transcripts.files = now
	applyTranscripts(d.inv, &d.transcripts, snap)
	d.log.Info("transcripts read", "paths", paths, "switches", len(snap.Switches()), "sessions", snap.NumSessions(), "warnings", len(ws))
	d.inventoryChanged(d.inv.Snapshot())
	return nil
}

// inventoryChanged prepares the judge's index and runs the audit on the
// new inventory.
func (d *daemon) inventoryChanged(snap *collectors.Snapshot) {
	cfg := d.cfg.Load()
	d.judge.Load().Prepare(snap)
	findings := alerts.Audit(snap, alerts.AuditConfig{PSNs: psnsOf(cfg), Ports: cfg.PortList(), Rules: cfg.PostureRules()})
	d.lc.Audit(findings, d.now())
	d.metrics.switches.Set(float64(len(snap.Switches())))
	d.metrics.sessions.Set(float64(snap.NumSessions()))
}

// watchTranscripts re-reads the transcripts when their files change,
// until ctx ends.
func (d *daemon) watchTranscripts(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			paths := d.cfg.Load().Transcripts
			if len(paths) == 0 && len(d.transcriptPaths()) == 0 {
				continue
			}
			if err := d.reloadTranscripts(ctx, paths, false); err != nil {
				d.log.Error("transcripts not read; keeping the inventory read before", "error", err)
			}
		}
	}
}

func (d *daemon) transcriptPaths() []string {
	d.invMu.Lock()
	defer d.invMu.Unlock()
	return d.transcripts.paths
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
