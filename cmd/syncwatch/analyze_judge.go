package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/config"
)

// offlineJudge judges a capture's attempts as the daemon does, through the
// same Lifecycle, against the inventory of saved transcripts (after one
// poll of the live switches when a live collector is configured), with
// packet time only.
type offlineJudge struct {
	lc       *alerts.Lifecycle
	snap     *collectors.Snapshot
	audit    alerts.AuditConfig
	warnings []collectors.Warning
	started  bool
}

// newOfflineJudge also returns pollErr, the failures of the switches that
// could not be read live: each is a warning, and the others are judged.
func newOfflineJudge(ctx context.Context, env *environment, cfg *config.Config, psnFlags addrList, outputs []string) (j *offlineJudge, pollErr error, err error) {
	snap, ws, err := readTranscripts(ctx, outputs)
	if err != nil {
		return nil, nil, err
	}
	if cfg != nil && env.newCollector != nil {
		// Switches read live are polled once, into the same inventory.
		inv := collectors.NewInventory()
		for _, sw := range snap.Switches() {
			inv.SetSwitch(sw)
		}
		// Their failures are the report's warnings, not log lines.
		c, err := env.newCollector(cfg, inv, nil, slog.New(slog.DiscardHandler))
		if err != nil {
			return nil, nil, fmt.Errorf("live collector: %w", err)
		}
		if c != nil {
			pollErr = c.PollOnce(ctx)
			ws = append(ws, switchesNotRead(c.Health())...)
			c.Close()
			snap = inv.Snapshot()
		}
	}
	psns := auditPSNs(cfg, psnFlags)
	j = &offlineJudge{snap: snap, warnings: ws,
		audit: alerts.AuditConfig{PSNs: psns, Ports: cfg.PortList(), Rules: cfg.PostureRules()}}
	var clock func() time.Time
	lc, err := alerts.NewLifecycle(alerts.LifecycleConfig{
		Judge:     alerts.NewJudge(alerts.JudgeConfig{PSNs: psns, Rules: cfg.PostureRules()}),
		Inventory: func() *collectors.Snapshot { return snap },
		Now:       func() time.Time { return clock() },
	})
	if err != nil {
		return nil, nil, err
	}
	clock = lc.Clock
	j.lc = lc
	if cfg != nil {
		st := settingsOf(cfg, cfg.Sensor.Name)
		st.Judge = alerts.NewJudge(alerts.JudgeConfig{PSNs: psns, Rules: cfg.PostureRules()})
		lc.Reconfigure(st)
	}
	return j, pollErr, nil
}

// attempt judges one attempt and moves the lifecycle's clock to it.
func (j *offlineJudge) attempt(a *capture.Attempt) {
	j.lc.Attempt(a)
	if a.Outcome == capture.OutcomeOpen {
		return
	}
	t := a.FirstSeen
	if !a.AnsweredAt.IsZero() {
		t = a.AnsweredAt
	}
	if !j.started {
		// The audit runs at the first attempt's time: findings are then
		// timestamped by the capture, not the machine that reads it.
		j.started = true
		j.lc.Audit(alerts.Audit(j.snap, j.audit), t)
	}
	j.lc.Tick(t)
}

// finish returns the findings active at the end and those resolved.
func (j *offlineJudge) finish() (active, resolved []alerts.Finding, err error) {
	if !j.started {
		j.lc.Audit(alerts.Audit(j.snap, j.audit), time.Time{})
	}
	j.lc.Tick(j.lc.Clock())
	active, resolved = j.lc.Active(), j.lc.Recent()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	return active, resolved, j.lc.Close(ctx)
}

// writeFindingsJSON writes `,\n"name": [...]` with one finding per line.
func writeFindingsJSON(w *bufio.Writer, name string, fs []alerts.Finding) error {
	fmt.Fprintf(w, ",\n%q: [", name)
	for i := range fs {
		if i > 0 {
			w.WriteString(",")
		}
		b, err := fs[i].MarshalJSON()
		if err != nil {
			return err
		}
		w.WriteString("\n  ")
		w.Write(b)
	}
	if len(fs) > 0 {
		w.WriteString("\n")
	}
	w.WriteString("]")
	return nil
}

// writeFindingsText prints the findings after the attempts, as audit does.
func writeFindingsText(w io.Writer, r *analyzeReport) {
	counts := map[alerts.Severity]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	fmt.Fprintf(w, "\nFindings: %d active at the end of the capture (%d critical, %d warning, %d info), %d resolved during it.\n",
		len(r.Findings), counts[alerts.SeverityCritical], counts[alerts.SeverityWarning], counts[alerts.SeverityInfo], len(r.Resolved))
	line := func(f *alerts.Finding) {
		fmt.Fprintf(w, "%-8s %s: %s. Fix: %s.\n", strings.ToUpper(string(f.Severity)), f.Kind, f.Summary, f.Action)
	}
	for i := range r.Findings {
		line(&r.Findings[i])
	}
	if len(r.Resolved) > 0 {
		fmt.Fprintf(w, "\nResolved during the capture:\n")
		for i := range r.Resolved {
			line(&r.Resolved[i])
		}
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", wn)
	}
}
