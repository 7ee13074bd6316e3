package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/config"
)

// analyzeSynopsis is analyze's usage line; the README shows the same.
const analyzeSynopsis = "[--port N]... [--psn ADDR]... [--answer-timeout D] [--grace D] [--max-attempts N] [--format text|json] " +
	"[--switch-output PATH]... [--config FILE] [--fail-on SEVERITY] FILE..."

func runAnalyze(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "analyze", analyzeSynopsis,
		"Classify every connection attempt to the PSN state-sync port in capture files (pcap or pcapng,\n"+
			"gzip-compressed or not, detected by content): accepted (SYN-ACK), refused (RST), prohibited\n"+
			"(ICMP unreachable) or unanswered. Several files are merged by time. Prints the attempts in order\n"+
			"of their first packet, a summary per PSN and outcome, and packet statistics. FILE - reads standard\n"+
			"input (tcpdump -w - ... | syncwatch analyze -); the same file given twice is a usage error.\n\n"+
			"With --switch-output (saved switch transcripts, as for audit) the attempts are also judged, as the\n"+
			"daemon judges them, against the sessions and dACLs the transcripts show: the same findings\n"+
			"(compliant-reached, race, sync-path-blocked, psn-down, ..., and the audit's), with packet time, so\n"+
			"the same files always give the same findings. --config gives the PSN names, ports and posture rules.\n\n"+
			"Exit codes: 0 ok, 1 a file could not be read completely or a signal stopped the read (what was\n"+
			"read is still printed), 2 usage, 3 a finding at or above --fail-on.")
	var tf trackerFlags
	tf.register(fs)
	format := fs.String("format", "text", "output `format`: text (a table for people) or json (for machines)")
	var outputs stringList
	fs.Var(&outputs, "switch-output", "saved switch output to judge the attempts against: a transcript `file` or a folder of them; repeat for several")
	configFile := fs.String("config", "", "configuration `file` (YAML): PSN names, ports, posture rules")
	failOn := fs.String("fail-on", "", "with --switch-output: exit with code 3 when a finding of this `severity` or above occurred: info, warning or critical")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var threshold alerts.Severity
	if *failOn != "" {
		sv, err := alerts.ParseSeverity(*failOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		threshold = sv
	}
	var conf *config.Config
	if *configFile != "" {
		c, err := loadConfig(*configFile)
		if err != nil {
			return err
		}
		conf = c
		// As the daemon captures: the file's ports, and only its PSN
		// addresses count as PSNs (unless the flags say otherwise).
		if len(tf.ports) == 0 {
			tf.ports = c.PortList()
		}
		if len(tf.psns) == 0 {
			tf.psns = trackerOf(c).PSNs
			tf.psnsFromConfig = true
		}
	}
	if *format != "text" && *format != "json" {
		return usagef("--format must be text or json, not %q", *format)
	}
	if fs.NArg() == 0 {
		return usagef("no capture file given (try syncwatch analyze --help)")
	}
	cfg, err := tf.config()
	if err != nil {
		return err
	}

	if err := checkInputs(env, fs.Args()); err != nil {
		return err
	}

	var srcs []capture.Source
	var files []fileReport
	var errs []error
	for _, path := range fs.Args() {
		src, name, err := openInput(ctx, env, path)
		if errors.Is(err, context.Canceled) {
			if path != stdinArg {
				// A named pipe that no program wrote to.
				return fmt.Errorf("interrupted before a packet was read: %w", err)
			}
			return errors.New("interrupted before a packet was read")
		}
		if err != nil {
			errs = append(errs, err)
			files = append(files, fileReport{File: name, Error: errString(err)})
			continue
		}
		srcs = append(srcs, src)
		files = append(files, fileReport{File: name, src: src})
	}
	if len(srcs) == 0 {
		return errors.Join(errs...)
	}
	col := capture.NewCollector()
	// Nothing reads evidence frames in analyze: skip keeping them.
	cfg.EvidenceBytes = -1
	var jd *offlineJudge
	judging := len(outputs) > 0 || conf != nil && env.newCollector != nil && len(liveSwitches(conf)) > 0
	if threshold != "" && !judging {
		return usagef("--fail-on needs --switch-output: without switch state there are no findings")
	}
	if judging {
		var pollErr error
		if jd, pollErr, err = newOfflineJudge(ctx, env, conf, tf.flagPSNs(), outputs); err != nil {
			return err
		}
		if pollErr != nil {
			// Reported after the report, which covers the others.
			errs = append(errs, fmt.Errorf("not every switch could be read: %w", pollErr))
		}
	}
	emit := col.Add
	if jd != nil {
		emit = func(a *capture.Attempt) {
			col.Add(a)
			jd.attempt(a)
		}
	}
	cls, err := capture.NewClassifier(cfg, emit)
	if err != nil {
		return usageError{err}
	}
	merged := capture.NewMerged(srcs...)
	defer merged.Close()
	if err := cls.ReadAll(ctx, merged); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("reading captures: %w", err)
	}
	// A signal (Ctrl-C on `tcpdump -w - | syncwatch analyze -` reaches
	// both) ends the read, at a frame or in a blocked read of standard
	// input, or arrives as the input ends: what was read is still
	// reported, the open attempts flushed, and the report says so.
	interrupted := ctx.Err() != nil
	if interrupted {
		errs = append(errs, fmt.Errorf("interrupted after %d packets: the report covers only what was read before", cls.Stats().Packets))
	}
	for _, ferr := range merged.Errors() {
		if errors.Is(ferr, context.Canceled) {
			continue // the interruption, reported above
		}
		errs = append(errs, ferr)
		for i := range files {
			if files[i].src != nil && strings.HasPrefix(ferr.Error(), files[i].File+":") {
				files[i].Error = errString(ferr)
			}
		}
	}
	for i := range files {
		files[i].Interfaces = []interfaceJSON{}
		if st, ok := files[i].src.(capture.InterfaceStatser); ok {
			files[i].Interfaces = interfacesJSON(st.InterfaceStats())
		}
	}
	rep := analyzeReport{Summary: col.Summary(), Stats: cls.Stats(), Files: files, col: col, Interrupted: interrupted}
	if *format != "json" {
		// JSON is written from the collector, without this copy.
		rep.Attempts = col.Attempts()
	}
	if jd != nil {
		if rep.Findings, rep.Resolved, err = jd.finish(); err != nil {
			return err
		}
		rep.Judged, rep.Warnings = true, jd.warnings
	}
	if *format == "json" {
		err = writeAnalyzeJSON(env.stdout, &rep)
	} else {
		err = writeAnalyzeText(env.stdout, &rep)
	}
	if err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if threshold != "" {
		n := 0
		for _, list := range [][]alerts.Finding{rep.Findings, rep.Resolved} {
			for _, f := range list {
				if f.Severity.Rank() >= threshold.Rank() {
					n++
				}
			}
		}
		if n > 0 {
			return findingsError{n}
		}
	}
	return nil
}

func errString(err error) *string {
	s := err.Error()
	return &s
}

// fileReport says what became of one input file.
type fileReport struct {
	File       string          `json:"file"`
	Error      *string         `json:"error"`
	Interfaces []interfaceJSON `json:"interfaces"`
	src        capture.Source
}

// interfaceJSON is what a capture file's statistics blocks say about one
// interface; counters the file did not record are null.
type interfaceJSON struct {
	Name     string  `json:"name"`
	Link     string  `json:"link"`
	Received *uint64 `json:"received"`
	Dropped  *uint64 `json:"dropped"`
}

func interfacesJSON(stats []capture.InterfaceStats) []interfaceJSON {
	out := []interfaceJSON{}
	for _, s := range stats {
		j := interfaceJSON{Name: s.Name, Link: s.Link.String()}
		if s.HasReceived {
			j.Received = &s.Received
		}
		if s.HasDropped {
			j.Dropped = &s.Dropped
		}
		out = append(out, j)
	}
	return out
}

type analyzeReport struct {
	// Attempts is filled for the text format only; the JSON writer reads
	// col.
	Attempts []capture.Attempt
	col      *capture.Collector
	Summary  capture.Summary
	Stats    capture.Stats
	Files    []fileReport
	// Interrupted reports that a signal ended the read early.
	Interrupted bool
	// With --switch-output: the findings active at the end of the capture
	// and those resolved during it, and the transcripts' warnings.
	Judged   bool
	Findings []alerts.Finding
	Resolved []alerts.Finding
	Warnings []collectors.Warning
}

// statsJSON is the "stats" object of analyze's JSON.
type statsJSON struct {
	Packets         uint64            `json:"packets"`
	Decoded         uint64            `json:"decoded"`
	Ignored         map[string]uint64 `json:"ignored"`
	Truncated       uint64            `json:"truncated"`
	Duplicates      uint64            `json:"duplicates"`
	LateCorrections uint64            `json:"late_corrections"`
	Evictions       uint64            `json:"evictions"`
	// ToPSN and FromPSN count TCP packets on the port by direction.
	ToPSN   uint64 `json:"to_psn"`
	FromPSN uint64 `json:"from_psn"`
	// ClockBackwards counts frames stamped more than a second before an
	// earlier one; MaxClockBackwards is the largest step, in seconds.
	ClockBackwards    uint64       `json:"clock_backwards"`
	MaxClockBackwards float64      `json:"max_clock_backwards_seconds"`
	Files             []fileReport `json:"files"`
	// Interrupted is true when a signal ended the read before the end of
	// the input: the report covers what was read.
	Interrupted bool `json:"interrupted"`
}

// writeAnalyzeJSON streams the report: one attempt per line inside the
// "attempts" array, so millions of attempts need no second copy in memory.
func writeAnalyzeJSON(w io.Writer, r *analyzeReport) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("{\"attempts\": ")
	if err := r.col.WriteJSONArray(bw, "  "); err != nil {
		return err
	}
	stats := statsJSON{
		Packets: r.Stats.Packets, Decoded: r.Stats.Decoded, Ignored: r.Stats.Ignored,
		Truncated: r.Stats.Truncated, Duplicates: r.Stats.Duplicates,
		LateCorrections: r.Stats.LateCorrections, Evictions: r.Stats.Evictions,
		ToPSN: r.Stats.ToPSN, FromPSN: r.Stats.FromPSN,
		ClockBackwards: r.Stats.ClockBackwards, MaxClockBackwards: r.Stats.MaxClockBackwards.Seconds(),
		Files: r.Files, Interrupted: r.Interrupted,
	}
	summary, err := json.MarshalIndent(r.Summary, "", "  ")
	if err != nil {
		return err
	}
	statsText, err := json.MarshalIndent(stats, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(bw, ",\n\"summary\": %s,\n\"stats\": %s", summary, statsText)
	if r.Judged {
		if err := writeFindingsJSON(bw, "findings", r.Findings); err != nil {
			return err
		}
		if err := writeFindingsJSON(bw, "resolved_findings", r.Resolved); err != nil {
			return err
		}
		ws := r.Warnings
		if ws == nil {
			ws = []collectors.Warning{}
		}
		wj, err := json.Marshal(ws)
		if err != nil {
			return err
		}
		fmt.Fprintf(bw, ",\n\"warnings\": %s", wj)
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

const textTime = "2006-01-02 15:04:05.000000"

// writeAnalyzeText writes the report for people, no line ending in
// whitespace.
func writeAnalyzeText(out io.Writer, r *analyzeReport) error {
	w := newLineTrimmer(out)
	if err := writeAnalyzeTable(w, r); err != nil {
		return err
	}
	return w.Flush()
}

func writeAnalyzeTable(w io.Writer, r *analyzeReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "FIRST SEEN (UTC)\tCLIENT\tCLIENT MAC\tPSN\tOUTCOME\tSYNS\tRTT\tVLANS\tINTERFACE\tNOTE\n")
	for i := range r.Attempts {
		a := &r.Attempts[i]
		mac := "-"
		if a.HasClientMAC {
			mac = fmtMAC(a.ClientMAC)
		}
		rtt := "-"
		if d, ok := a.RTT(); ok {
			rtt = fmtDuration(d)
		}
		vlans := "-"
		if a.NumVLANs > 0 {
			vlans = strings.Trim(strings.ReplaceAll(fmt.Sprint(a.VLANList()), " ", ","), "[]")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n",
			a.FirstSeen.UTC().Format(textTime), hostPort(a.Client.String(), a.ClientPort), mac,
			hostPort(a.PSN.String(), a.Port), a.Outcome, a.SYNs, rtt, vlans, a.Interface, attemptNote(a))
	}
	if len(r.Attempts) == 0 {
		fmt.Fprintf(tw, "(no attempts to the state-sync port)\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintf(w, "\nSummary: %d attempts\n", r.Summary.Attempts)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "PSN\tPORT\tACCEPTED\tREFUSED\tPROHIBITED\tUNANSWERED\tTOTAL\t\n")
	for _, s := range r.Summary.ByPSN {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.PSN, s.Port, s.Accepted, s.Refused, s.Prohibited, s.Unanswered, s.Total)
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	st := r.Stats
	fmt.Fprintf(w, "\nPackets: %d read, %d on the port, %d cut by the snaplen, %d SPAN duplicates, %d late corrections, %d evictions\n",
		st.Packets, st.Decoded, st.Truncated, st.Duplicates, st.LateCorrections, st.Evictions)
	if r.Interrupted {
		fmt.Fprintf(w, "Interrupted: a signal ended the read; this report covers only the packets read before it\n")
	}
	if len(st.Ignored) > 0 {
		var parts []string
		for _, reason := range capture.Reasons() {
			if n := st.Ignored[reason.String()]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", reason, n))
			}
		}
		fmt.Fprintf(w, "Ignored: %s\n", strings.Join(parts, ", "))
	}
	if st.ToPSN > 0 && st.FromPSN == 0 {
		fmt.Fprintf(w, "Warning: %d packets to the PSNs and none from them: the capture holds one direction only (mirror both directions; accepted attempts are then inferred from the client's ACK)\n", st.ToPSN)
	}
	if st.ClockBackwards > 0 {
		fmt.Fprintf(w, "Warning: %d frames are stamped earlier than frames before them (up to %s): the capture is out of time order and outcomes after those steps may be wrong (sort it with reordercap)\n",
			st.ClockBackwards, st.MaxClockBackwards)
	}
	if st.Ignored[capture.ReasonLinkType.String()] > 0 {
		fmt.Fprintf(w, "Warning: %d frames have link type %s, which syncwatch does not decode\n", st.Ignored[capture.ReasonLinkType.String()], st.UnsupportedLink)
	}
	for _, f := range r.Files {
		for _, s := range f.Interfaces {
			if s.Dropped != nil && *s.Dropped > 0 {
				fmt.Fprintf(w, "Warning: %s: interface %s dropped %d packets during the capture: attempts may be missing\n", f.File, s.Name, *s.Dropped)
			}
		}
	}
	if r.Judged {
		writeFindingsText(w, r)
	}
	return nil
}

// attemptNote explains what is special about an attempt.
func attemptNote(a *capture.Attempt) string {
	var notes []string
	if a.HasICMP {
		v6 := a.Client.Is6() && !a.Client.Is4In6()
		notes = append(notes, fmt.Sprintf("ICMP %d/%d from %s: %s", a.ICMPType, a.ICMPCode, a.ICMPFrom, capture.ICMPMeaning(v6, a.ICMPCode)))
	}
	if !a.SYNSeen {
		notes = append(notes, "SYN not captured")
	}
	if a.Inferred {
		notes = append(notes, "answer inferred from the client's ACK")
	}
	if a.Late {
		notes = append(notes, fmt.Sprintf("late answer after %s", fmtDuration(a.AnsweredAt.Sub(a.FirstSeen))))
	}
	if a.Incomplete {
		notes = append(notes, "reported before its answer timeout passed (end of capture or eviction)")
	}
	return strings.Join(notes, "; ")
}

func hostPort(host string, port uint16) string {
	if strings.Contains(host, ":") {
		return fmt.Sprintf("[%s]:%d", host, port)
	}
	return fmt.Sprintf("%s:%d", host, port)
}

func fmtMAC(m [6]byte) string {
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3fs", d.Seconds())
}
