package alerts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/syncwatch/syncwatch/capture"
)

// Defaults of EvidenceConfig: a few kilobytes per finding, so the bounds
// keep weeks of findings.
const (
	DefaultEvidenceMaxBytes  = 256 << 20
	DefaultEvidenceMaxFiles  = 10_000
	DefaultEvidenceURLPrefix = "/evidence/"
)

// ErrNoEvidence is returned by Write when no frame of the attempt is left
// to write (the tracker's ring overwrote them, or evidence is disabled).
var ErrNoEvidence = errors.New("no evidence frames")

// EvidenceFrame is one captured frame of an attempt, copied out of the
// tracker's evidence ring.
type EvidenceFrame struct {
	// Timestamp is the capture time in nanoseconds since the Unix epoch.
	Timestamp int64
	Link      capture.LinkType
	// Length is the frame's length on the wire.
	Length int
	// Data is the frame as kept (at most capture.MaxEvidenceFrame bytes).
	Data []byte
}

// CopyEvidence copies the frames the tracker kept for the attempt. Call it
// where the tracker may be used (the emit callback, or the goroutine that
// feeds the classifier), soon after the attempt completed; the copy can
// then be written from anywhere.
func CopyEvidence(tr *capture.Tracker, a *capture.Attempt) []EvidenceFrame {
	var out []EvidenceFrame
	tr.Evidence(a, func(ts int64, link capture.LinkType, origLen int, data []byte) {
		out = append(out, EvidenceFrame{Timestamp: ts, Link: link, Length: origLen, Data: bytes.Clone(data)})
	})
	return out
}

// EvidenceConfig configures the evidence store.
type EvidenceConfig struct {
	// Dir is the evidence folder; created if absent. Files in it that do
	// not have the store's names are never touched.
	Dir string
	// MaxBytes and MaxFiles bound the folder: the oldest files are deleted
	// first to stay within both.
	MaxBytes int64
	MaxFiles int
	// URLPrefix is put before a file's name to make the URL findings and
	// alerts carry (DefaultEvidenceURLPrefix, the daemon's path; an
	// absolute URL works too).
	URLPrefix string
	Logger    *slog.Logger
}

// EvidenceStore writes each finding's attempt as a small pcap in a folder
// bounded in size and file count, and serves the folder over HTTP.
type EvidenceStore struct {
	cfg  EvidenceConfig
	root *os.Root
	log  *slog.Logger

	mu    sync.Mutex
	files []evidenceFile // oldest first
	total int64
	// WriteAsync's queue, its writes not yet done by name, and its
	// writer goroutine (started by the first WriteAsync or Close).
	queue      chan evidenceJob
	pending    map[string]*pendingWrite
	closed     bool
	startOnce  sync.Once
	closeOnce  sync.Once
	writerDone chan struct{}
}

// evidenceQueue bounds WriteAsync's queue; past it, writes are done at
// once by the caller, so that nothing is lost.
const evidenceQueue = 256

type evidenceJob struct {
	name   string
	frames []EvidenceFrame
}

type pendingWrite struct {
	n    int           // queued writes of the name
	done chan struct{} // closed when the last is done
}

type evidenceFile struct {
	name string
	size int64
}

// evidenceName is what the store writes and serves: no path separator,
// no leading dot, nothing a shell or a URL would need to quote.
var evidenceName = regexp.MustCompile(`^[a-z0-9][A-Za-z0-9._-]{0,200}\.pcap$`)

// OpenEvidenceStore opens (or creates) the folder and takes stock of the
// evidence already in it, from before a restart, oldest first.
func OpenEvidenceStore(cfg EvidenceConfig) (*EvidenceStore, error) {
	if cfg.Dir == "" {
		return nil, errors.New("evidence: no folder")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultEvidenceMaxBytes
	}
	if cfg.MaxFiles <= 0 {
		cfg.MaxFiles = DefaultEvidenceMaxFiles
	}
	if cfg.URLPrefix == "" {
		cfg.URLPrefix = DefaultEvidenceURLPrefix
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	root, err := os.OpenRoot(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	s := &EvidenceStore{cfg: cfg, root: root, log: cfg.Logger.With("component", "evidence"),
		queue: make(chan evidenceJob, evidenceQueue), pending: map[string]*pendingWrite{}, writerDone: make(chan struct{})}
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("evidence %s: %w", cfg.Dir, err)
	}
	type found struct {
		evidenceFile
		mod time.Time
	}
	var have []found
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".tmp-") && e.Type().IsRegular() {
			// A write cut short by a crash.
			_ = root.Remove(name)
			continue
		}
		if !evidenceName.MatchString(name) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		have = append(have, found{evidenceFile{name, info.Size()}, info.ModTime()})
	}
	sort.Slice(have, func(i, j int) bool {
		if !have[i].mod.Equal(have[j].mod) {
			return have[i].mod.Before(have[j].mod)
		}
		return have[i].name < have[j].name
	})
	for _, f := range have {
		s.files = append(s.files, f.evidenceFile)
		s.total += f.size
	}
	s.mu.Lock()
	s.trim()
	s.mu.Unlock()
	return s, nil
}

// Write saves the frames as a pcap named for the finding and its attempt
// and returns the URL to put in the finding's evidence. Writing the same
// finding and attempt again replaces the file.
func (s *EvidenceStore) Write(f *Finding, frames []EvidenceFrame) (string, error) {
	if len(frames) == 0 {
		return "", ErrNoEvidence
	}
	name := evidenceFileName(f, frames)
	if err := s.write(name, frames); err != nil {
		return "", err
	}
	return s.cfg.URLPrefix + name, nil
}

// WriteAsync is Write done on the store's own goroutine, so that the
// capture goroutine, which has the frames, never waits for the disk: it
// returns the URL at once, and the Handler holds a request for the file
// until it is written. Failures are logged. When the queue is full, the
// write is done at once, as Write does.
func (s *EvidenceStore) WriteAsync(f *Finding, frames []EvidenceFrame) (string, error) {
	if len(frames) == 0 {
		return "", ErrNoEvidence
	}
	s.startOnce.Do(func() { go s.writer() })
	name := evidenceFileName(f, frames)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", errors.New("evidence: the store is closed")
	}
	select {
	case s.queue <- evidenceJob{name, frames}:
		p := s.pending[name]
		if p == nil {
			p = &pendingWrite{done: make(chan struct{})}
			s.pending[name] = p
		}
		p.n++
		s.mu.Unlock()
		return s.cfg.URLPrefix + name, nil
	default:
		s.mu.Unlock()
		return s.Write(f, frames)
	}
}

// writer does WriteAsync's writes, in order, until Close.
func (s *EvidenceStore) writer() {
	defer close(s.writerDone)
	for job := range s.queue {
		if err := s.write(job.name, job.frames); err != nil {
			s.log.Warn("evidence not saved", "file", job.name, "error", err)
		}
		s.mu.Lock()
		if p := s.pending[job.name]; p != nil {
			if p.n--; p.n == 0 {
				close(p.done)
				delete(s.pending, job.name)
			}
		}
		s.mu.Unlock()
	}
}

// written waits, up to wait or ctx's end, for the queued writes of name.
func (s *EvidenceStore) written(ctx context.Context, name string, wait time.Duration) {
	s.mu.Lock()
	p := s.pending[name]
	s.mu.Unlock()
	if p == nil {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-p.done:
	case <-ctx.Done():
	case <-t.C:
	}
}

// write saves the frames under name.
func (s *EvidenceStore) write(name string, frames []EvidenceFrame) error {
	data, skipped, err := evidencePcap(frames)
	if err != nil {
		return fmt.Errorf("evidence %s: %w", name, err)
	}
	if skipped > 0 {
		s.log.Warn("evidence frames of another link type left out", "file", name, "frames", skipped)
	}
	if int64(len(data)) > s.cfg.MaxBytes {
		return fmt.Errorf("evidence %s: %d bytes exceed the folder's bound of %d", name, len(data), s.cfg.MaxBytes)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	tmp := ".tmp-" + name
	if err := s.root.WriteFile(tmp, data, 0o640); err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("evidence %s: %w", s.cfg.Dir, err)
	}
	// The HTTP side never sees half a file: the rename is atomic.
	if err := s.root.Rename(tmp, name); err != nil {
		_ = s.root.Remove(tmp)
		return fmt.Errorf("evidence %s: %w", s.cfg.Dir, err)
	}
	for i, e := range s.files {
		if e.name == name {
			s.total -= e.size
			s.files = append(s.files[:i], s.files[i+1:]...)
			break
		}
	}
	s.files = append(s.files, evidenceFile{name, int64(len(data))})
	s.total += int64(len(data))
	s.trim()
	return nil
}

// trim deletes the oldest files until both bounds hold; the newest file
// always stays. The caller holds s.mu.
func (s *EvidenceStore) trim() {
	drop := 0
	for len(s.files)-drop > 1 && (len(s.files)-drop > s.cfg.MaxFiles || s.total > s.cfg.MaxBytes) {
		e := s.files[drop]
		if err := s.root.Remove(e.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("old evidence not deleted", "file", e.name, "error", err)
		}
		s.total -= e.size
		drop++
	}
	if drop > 0 {
		s.files = append(s.files[:0], s.files[drop:]...)
	}
}

// Stats returns how many files and bytes the folder holds.
func (s *EvidenceStore) Stats() (files int, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files), s.total
}

// Close writes what WriteAsync queued, then releases the folder.
func (s *EvidenceStore) Close() error {
	s.closeOnce.Do(func() {
		s.startOnce.Do(func() { go s.writer() })
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.queue)
		<-s.writerDone
	})
	return s.root.Close()
}

// evidenceFileName names a finding's attempt's file:
// KIND_SUBJECT_TIME_HASH.pcap, e.g.
// compliant-reached_10.1.10.23_20261203T191838.704653000Z_3f2a1b9c0d.pcap.
// SUBJECT is the endpoint (or PSN) with ':' as '-'; HASH digests the key
// and the attempt, so that names are unique and stable for them.
func evidenceFileName(f *Finding, frames []EvidenceFrame) string {
	subject := ""
	switch {
	case f.EndpointIP.IsValid():
		subject = f.EndpointIP.String()
	case f.EndpointMAC != "":
		subject = f.EndpointMAC
	case f.PSN.IsValid():
		subject = f.PSN.String()
	}
	at := time.Unix(0, frames[0].Timestamp)
	var id uint64
	if a := f.Attempt; a != nil {
		id = a.ID
		if !a.FirstSeen.IsZero() {
			at = a.FirstSeen
		}
	}
	h := sha256.New()
	h.Write([]byte(f.Key))
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], id)
	binary.BigEndian.PutUint64(b[8:], uint64(at.UnixNano()))
	h.Write(b[:])
	parts := []string{safeName(string(f.Kind), 40), safeName(subject, 60), at.UTC().Format("20060102T150405.000000000Z"), hex.EncodeToString(h.Sum(nil)[:5])}
	name := strings.Join(nonEmpty(parts), "_") + ".pcap"
	if !evidenceName.MatchString(name) {
		// A kind that sanitises to nothing: the hash alone still names it.
		name = "finding_" + hex.EncodeToString(h.Sum(nil)[:8]) + ".pcap"
	}
	return name
}

// safeName keeps letters, digits, '.' and '-' (others become '-'), at most
// n bytes.
func safeName(s string, n int) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) > n {
		b = b[:n]
	}
	return strings.Trim(string(b), ".-")
}

func nonEmpty(parts []string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// evidencePcap renders the frames as a pcap with nanosecond timestamps.
// A pcap has one link type: frames of another than the first frame's are
// left out and counted.
func evidencePcap(frames []EvidenceFrame) ([]byte, int, error) {
	var b bytes.Buffer
	w := pcapgo.NewWriterNanos(&b)
	link := frames[0].Link
	if err := w.WriteFileHeader(capture.MaxSnaplen, layers.LinkType(link)); err != nil {
		return nil, 0, err
	}
	skipped := 0
	for _, fr := range frames {
		if fr.Link != link {
			skipped++
			continue
		}
		ci := gopacket.CaptureInfo{
			Timestamp:     time.Unix(0, fr.Timestamp),
			CaptureLength: len(fr.Data),
			Length:        max(fr.Length, len(fr.Data)),
		}
		if err := w.WritePacket(ci, fr.Data); err != nil {
			return nil, 0, err
		}
	}
	return b.Bytes(), skipped, nil
}
