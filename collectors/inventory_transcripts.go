package collectors

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/syncwatch/syncwatch/collectors/ios"
	"github.com/syncwatch/syncwatch/internal/openfile"
)

// MaxTranscriptSize bounds one transcript file; a campus-wide `show
// access-session details` is a few tens of megabytes.
const MaxTranscriptSize = 256 << 20

// Transcripts gathers what saved terminal sessions say about each switch:
// files holding prompts and commands followed by their output (several
// commands and several switches per file), or one bare command output,
// recognised by content.
type Transcripts struct {
	outputs  []SwitchOutput // one per file and switch, in reading order
	warnings []Warning
}

// ReadPath reads a transcript file, or every file of a folder and its
// subfolders in name order, skipping hidden files and Markdown (.md) notes
// that describe the transcripts. Symbolic links to files are read; links
// to folders, broken links and other non-regular files are warnings. A file that cannot be read is an error
// naming it; a file holding nothing syncwatch reads is a warning.
func (t *Transcripts) ReadPath(path string) error {
	return t.ReadPathContext(context.Background(), path)
}

// ReadPathContext is ReadPath whose open of a named pipe given as the path
// (a FIFO, or a shell's process substitution) gives up when ctx ends.
func (t *Transcripts) ReadPathContext(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	if !info.IsDir() {
		return t.readFile(ctx, path)
	}
	files := 0
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("transcript folder: %w", err)
		}
		if p != path && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || strings.EqualFold(filepath.Ext(p), ".md") {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A link to a transcript ("latest.log") is read; a link to a
			// folder is not followed (it may loop), and says so.
			target, err := os.Stat(p)
			switch {
			case err != nil:
				t.warnings = append(t.warnings, Warning{File: p, Message: fmt.Sprintf("symbolic link not read: %v", err)})
				return nil
			case target.IsDir():
				t.warnings = append(t.warnings, Warning{File: p, Message: "symbolic link to a folder not followed: give the folder itself"})
				return nil
			case !target.Mode().IsRegular():
				t.warnings = append(t.warnings, Warning{File: p, Message: "symbolic link to a device or pipe, not a file: skipped"})
				return nil
			}
		} else if !d.Type().IsRegular() {
			t.warnings = append(t.warnings, Warning{File: p, Message: "not a regular file: skipped"})
			return nil
		}
		files++
		return t.readFile(ctx, p)
	})
	if err != nil {
		return err
	}
	if files == 0 {
		t.warnings = append(t.warnings, Warning{File: path, Message: "folder holds no transcript file"})
	}
	return nil
}

func (t *Transcripts) readFile(ctx context.Context, path string) error {
	f, err := openfile.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("transcript: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxTranscriptSize+1))
	if err != nil {
		return fmt.Errorf("transcript %s: %w", path, err)
	}
	if len(data) > MaxTranscriptSize {
		return fmt.Errorf("transcript %s: larger than %d MiB; split it", path, MaxTranscriptSize>>20)
	}
	t.Add(path, string(data))
	return nil
}

// Add reads one transcript's text; file names it in warnings, and its base
// name without extension names the switch of output printed before any
// prompt (a file holding one bare command output).
func (t *Transcripts) Add(file, text string) {
	// Telnet sends a carriage return as CR NUL, and a log of a telnet
	// session keeps the NUL: that one is not binary.
	if strings.Contains(text, "\r\x00") {
		text = strings.ReplaceAll(text, "\r\x00", "\r")
	}
	if strings.IndexByte(text[:min(len(text), 8192)], 0) >= 0 {
		t.warnings = append(t.warnings, Warning{File: file, Message: "binary file, not a transcript: skipped"})
		return
	}
	parsed, ws := ios.ParseTranscript(text)
	for _, w := range ws {
		t.warnings = append(t.warnings, Warning{File: file, Line: w.Line, Message: w.Message})
	}
	bare := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	byName := map[string]int{}
	recognised := false
	for _, p := range parsed {
		name := p.Command.Switch
		if name == "" {
			name = bare
		}
		i, ok := byName[name]
		if !ok {
			i = len(t.outputs)
			byName[name] = i
			t.outputs = append(t.outputs, SwitchOutput{Switch: name, File: file})
		}
		o := &t.outputs[i]
		r := &p.Result
		switch r.Kind {
		case ios.KindSessionDetails:
			o.Sessions = append(o.Sessions, r.Sessions...)
		case ios.KindSessionSummary:
			o.Summary = append(o.Summary, r.Summary...)
		case ios.KindACLs:
			o.ACLs = append(o.ACLs, r.ACLs...)
		case ios.KindARP:
			o.ARP = append(o.ARP, r.Addresses...)
		case ios.KindDeviceTracking, ios.KindIPDeviceTracking:
			o.DeviceTracking = append(o.DeviceTracking, r.Addresses...)
		case ios.KindVersion:
			o.Version = r.Version
		case ios.KindMACTable:
			// Where a MAC is learnt says nothing about its session.
		default:
			continue
		}
		recognised = true
	}
	if strings.TrimSpace(text) == "" {
		// A log whose capture failed, a zero-byte copy: nothing about the
		// switch was read, which the audit must not take for a clean one.
		t.warnings = append(t.warnings, Warning{File: file, Message: "empty file: no switch output read"})
		return
	}
	if !recognised && len(ws) == 0 {
		t.warnings = append(t.warnings, Warning{File: file, Message: "no switch output syncwatch reads (sessions, access lists, ARP, device tracking, show version)"})
	}
}

// Outputs returns what was read, one entry per file and switch.
func (t *Transcripts) Outputs() []SwitchOutput { return t.outputs }

// Warnings returns what could not be read, file by file.
func (t *Transcripts) Warnings() []Warning { return t.warnings }

// Snapshot builds every switch's state from what was read and returns
// them with the warnings of reading and building.
func (t *Transcripts) Snapshot() (*Snapshot, []Warning) {
	var names []string
	bySwitch := map[string][]SwitchOutput{}
	for _, o := range t.outputs {
		if _, ok := bySwitch[o.Switch]; !ok {
			names = append(names, o.Switch)
		}
		bySwitch[o.Switch] = append(bySwitch[o.Switch], o)
	}
	ws := append([]Warning(nil), t.warnings...)
	// A line the parser already warned about (an entry that is not one)
	// is not warned about again when the switch's state is built.
	type at struct {
		file string
		line int
	}
	read := map[at]bool{}
	for _, w := range t.warnings {
		if w.Line > 0 {
			read[at{w.File, w.Line}] = true
		}
	}
	var states []*SwitchState
	for _, name := range names {
		outs := bySwitch[name]
		if empty(outs) {
			continue
		}
		st, sw := NewSwitchState(name, outs, nil)
		for _, w := range sw {
			if w.Line == 0 || !read[at{w.File, w.Line}] {
				ws = append(ws, w)
			}
		}
		states = append(states, st)
	}
	return NewSnapshot(states...), ws
}

// OutputFiles returns the files that gave switch output (sessions, ACLs,
// addresses or a version), in reading order.
func (t *Transcripts) OutputFiles() []string {
	var out []string
	seen := map[string]bool{}
	for i := range t.outputs {
		o := &t.outputs[i]
		if !seen[o.File] && !empty(t.outputs[i:i+1]) {
			seen[o.File] = true
			out = append(out, o.File)
		}
	}
	return out
}

// empty reports whether outputs hold nothing about sessions or ACLs (the
// switch only answered `terminal length 0`, say).
func empty(outs []SwitchOutput) bool {
	for _, o := range outs {
		if len(o.Sessions)+len(o.Summary)+len(o.ACLs)+len(o.ARP)+len(o.DeviceTracking) > 0 || o.Version.Release != "" {
			return false
		}
	}
	return true
}
