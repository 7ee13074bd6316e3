package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/syncwatch/syncwatch/capture"
)

// StoreFile is the name of the active findings' file in the data folder.
const StoreFile = "findings.json"

// storeVersion is the store file's format; a file of another version is
// set aside, not misread.
const storeVersion = 1

// maxStoreSize bounds the file read back: 100,000 findings of a few
// kilobytes each.
const maxStoreSize = 1 << 30

// Store keeps the active findings in a data folder so that they survive a
// restart: a restarted sensor neither pages them again nor forgets them.
// Writes are atomic (a temporary file, synced, renamed over the old one),
// so a crash leaves the old file or the new one, never half of one.
type Store struct {
	dir  string
	lock *os.File // holds the folder's lock until Close
}

// errLocked is lockFile's error when another process holds the lock.
var errLocked = errors.New("locked by another process")

// LockFile is the file in the data folder whose lock tells that a
// syncwatch uses the folder; it holds that process's ID.
const LockFile = ".lock"

// OpenStore opens the data folder dir, creating it if needed, and locks
// it: two sensors sharing one folder would overwrite each other's
// findings, so a folder another process holds is an error naming it.
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("findings store: no data folder")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("findings store: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("findings store: %w", err)
	}
	if err := lockFile(f); err != nil {
		pid, _ := io.ReadAll(io.LimitReader(f, 32))
		f.Close()
		if errors.Is(err, errLocked) {
			holder := strings.TrimSpace(string(pid))
			if holder == "" || strings.ContainsFunc(holder, func(r rune) bool { return r < '0' || r > '9' }) {
				holder = "unknown"
			}
			return nil, fmt.Errorf("findings store: data_dir %s is in use by another syncwatch (pid %s): give each sensor a data_dir of its own", dir, holder)
		}
		return nil, fmt.Errorf("findings store: locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d\n", os.Getpid())
	}
	return &Store{dir: dir, lock: f}, nil
}

// Close releases the folder for another process. The store may not be
// used after.
func (s *Store) Close() error {
	if s == nil || s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the file releases its lock
	s.lock = nil
	return err
}

// Path returns the store file's path.
func (s *Store) Path() string { return filepath.Join(s.dir, StoreFile) }

// storeDoc is the store file.
type storeDoc struct {
	Version  int             `json:"version"`
	SavedAt  time.Time       `json:"saved_at"`
	Findings []storedFinding `json:"findings"`
}

// storedFinding is an active finding with the lifecycle's state. The
// finding is kept field by field (the schema's JSON renders the attempt for
// people and cannot be read back).
type storedFinding struct {
	Finding   plainFinding      `json:"finding"`
	Attempt   *plainAttempt     `json:"attempt,omitempty"`
	Sessions  []plainSessionRef `json:"sessions,omitempty"`
	Pending   bool              `json:"pending,omitempty"`
	Explained bool              `json:"explained,omitempty"`
	LastReach time.Time         `json:"last_reach,omitzero"`
}

// plainFinding is Finding without its JSON methods.
type plainFinding Finding

// plainAttempt is capture.Attempt without its JSON methods: every exported
// field by name.
type plainAttempt capture.Attempt

type plainSessionRef SessionRef

// StoredState is what Load read back: the active findings and the
// lifecycle's state of each.
type StoredState struct {
	SavedAt  time.Time
	findings []storedFinding
}

// Len returns how many findings were read back.
func (s *StoredState) Len() int {
	if s == nil {
		return 0
	}
	return len(s.findings)
}

// Load reads the active findings back. A missing file (a first start) or
// one that cannot be read (damaged, another version) is not an error that
// stops syncwatch: Load returns an empty state and a warning naming the
// file and what is wrong with it; a damaged file is set aside as
// findings.json.bad-<time> for inspection. err is for a folder that
// cannot be read at all.
func (s *Store) Load(now time.Time) (st *StoredState, warning string, err error) {
	path := s.Path()
	f, err := os.Open(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &StoredState{}, fmt.Sprintf("%s: no saved findings (first start, or the data folder is new)", path), nil
	case err != nil:
		return nil, "", fmt.Errorf("findings store: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStoreSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("findings store %s: %w", path, err)
	}
	bad := func(why string) (*StoredState, string, error) {
		aside := fmt.Sprintf("%s.bad-%s", path, now.UTC().Format("20060102T150405Z"))
		if err := os.Rename(path, aside); err != nil {
			return &StoredState{}, fmt.Sprintf("%s: %s; starting without saved findings (could not set it aside: %v)", path, why, err), nil
		}
		return &StoredState{}, fmt.Sprintf("%s: %s; starting without saved findings (the file was moved to %s)", path, why, aside), nil
	}
	if len(data) > maxStoreSize {
		return bad(fmt.Sprintf("larger than %d MiB", maxStoreSize>>20))
	}
	var doc storeDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return bad(fmt.Sprintf("damaged at byte offset %d: %v", se.Offset, err))
		case errors.As(err, &te):
			return bad(fmt.Sprintf("unexpected value at byte offset %d: %v", te.Offset, err))
		case errors.Is(err, io.EOF):
			return bad("empty")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return bad(fmt.Sprintf("damaged: it ends at byte %d in the middle of a value", len(data)))
		}
		return bad(fmt.Sprintf("unreadable: %v", err))
	}
	if doc.Version != storeVersion {
		return bad(fmt.Sprintf("format version %d, this syncwatch reads %d", doc.Version, storeVersion))
	}
	out := &StoredState{SavedAt: doc.SavedAt}
	for i, sf := range doc.Findings {
		if why := sf.check(); why != "" {
			return bad(fmt.Sprintf("finding %d: %s", i+1, why))
		}
		out.findings = append(out.findings, sf)
	}
	return out, "", nil
}

// check reports what makes a stored finding unusable.
func (sf *storedFinding) check() string {
	f := &sf.Finding
	switch {
	case f.Key == "":
		return "no key"
	case f.Kind.Severity() != f.Severity:
		return fmt.Sprintf("kind %q with severity %q", f.Kind, f.Severity)
	case f.Kind.Traffic() && f.Kind != KindPSNDown && sf.Attempt == nil:
		return fmt.Sprintf("%s without its attempt", f.Kind)
	}
	return ""
}

// Save writes the active findings atomically.
func (s *Store) Save(findings []storedFinding, now time.Time) error {
	doc := storeDoc{Version: storeVersion, SavedAt: now.UTC(), Findings: findings}
	if doc.Findings == nil {
		doc.Findings = []storedFinding{}
	}
	data, err := json.Marshal(&doc)
	if err != nil {
		return fmt.Errorf("findings store: %w", err)
	}
	if err := writeAtomic(s.Path(), data); err != nil {
		return fmt.Errorf("findings store: %w", err)
	}
	return nil
}

// stored converts an active finding for the store.
func stored(tr *tracked) storedFinding {
	sf := storedFinding{Finding: plainFinding(tr.f), Pending: tr.pending, Explained: tr.explained, LastReach: tr.lastReach}
	sf.Finding.Attempt, sf.Finding.Sessions = nil, nil
	if tr.f.Attempt != nil {
		a := plainAttempt(*tr.f.Attempt)
		sf.Attempt = &a
	}
	for _, r := range tr.f.Sessions {
		sf.Sessions = append(sf.Sessions, plainSessionRef(r))
	}
	return sf
}

// finding converts a stored finding back.
func (sf *storedFinding) finding() Finding {
	f := Finding(sf.Finding)
	if sf.Attempt != nil {
		a := capture.Attempt(*sf.Attempt)
		f.Attempt = &a
	}
	if sf.Sessions != nil || f.Kind == KindPSNDown || !f.Kind.Traffic() {
		f.Sessions = make([]SessionRef, len(sf.Sessions))
		for i, r := range sf.Sessions {
			f.Sessions[i] = SessionRef(r)
		}
	}
	return f
}

// endpointOf recovers a traffic finding's endpoint from its key
// ("kind|endpoint|psn|port").
func endpointOf(key string) endpointID {
	parts := strings.Split(key, "|")
	if len(parts) < 2 {
		return endpointID{}
	}
	if mac, ok := packColonMAC(parts[1]); ok {
		return endpointID{mac: mac | macSet}
	}
	if ip, err := netip.ParseAddr(parts[1]); err == nil {
		return endpointID{ip: ip}
	}
	return endpointID{}
}

// restore loads the store into a new lifecycle: the findings become active
// again without a notification (the sinks heard of them before the
// restart), and the endpoints that reached a PSN are watched again from
// their last sighting.
func (l *Lifecycle) restore() {
	st, warning, err := l.cfg.Store.Load(l.cfg.Now())
	if err != nil {
		l.log.Warn("findings store unreadable: starting without saved findings", "error", err)
		return
	}
	if warning != "" {
		l.log.Warn(warning)
	}
	// Key order, so that which finding an endpoint's watch restarts from
	// does not depend on the file's order.
	sort.Slice(st.findings, func(i, j int) bool { return st.findings[i].Finding.Key < st.findings[j].Finding.Key })
	for i := range st.findings {
		sf := &st.findings[i]
		f := sf.finding()
		tr := &tracked{f: f, pending: sf.Pending, explained: sf.Explained, lastReach: sf.LastReach}
		if f.PSN.IsValid() {
			tr.pp = psnPort{f.PSN, f.Port}
		}
		tr.notified = signatureOf(&tr.f)
		if f.Kind.Traffic() && f.Kind != KindPSNDown {
			tr.ep = endpointOf(f.Key)
			l.byEndpoint[tr.ep]++
		}
		l.active[f.Key] = tr
		if f.LastSeen.After(l.clock) {
			l.clock = f.LastSeen
		}
		if tr.pending {
			continue
		}
		l.metrics.findings.WithLabelValues(string(f.Kind))
		l.metrics.active.WithLabelValues(string(f.Kind)).Inc()
		switch f.Kind {
		case KindPSNDown:
			ps := l.psnDown.state(tr.pp)
			ps.active = tr
		case KindCompliantReached, KindRace:
			if f.Attempt != nil && f.Attempt.Outcome == capture.Accepted {
				l.follow.watchAfter(tr.ep, &tr.f, f.LastSeen)
			}
		}
	}
	for _, sf := range st.findings {
		tr := l.active[sf.Finding.Key]
		if tr.f.Kind == KindStateSyncDisabled {
			w := l.follow.watches[tr.ep]
			if w == nil {
				l.follow.watchAfter(tr.ep, &tr.f, tr.f.FirstSeen)
				w = l.follow.watches[tr.ep]
			}
			w.key, w.fired = tr.f.Key, true
		}
	}
	l.log.Info("findings restored", "file", l.cfg.Store.Path(), "findings", st.Len(), "saved_at", st.SavedAt)
}

// saver writes the store from its own goroutine, so that neither capture
// nor a sink waits for the disk; changes that come while it writes are
// coalesced into the next write.
type saver struct {
	l        *Lifecycle
	store    *Store
	kick     chan struct{}
	done     chan struct{}
	closed   bool      // guarded by l.mu
	lastPoke time.Time // lifecycle clock; guarded by l.mu
}

func newSaver(l *Lifecycle, s *Store) *saver {
	sv := &saver{l: l, store: s, kick: make(chan struct{}, 1), done: make(chan struct{})}
	go sv.run()
	return sv
}

// poke asks for a write. The lifecycle's lock is held.
func (sv *saver) poke() {
	if sv.closed {
		return
	}
	sv.lastPoke = sv.l.clock
	select {
	case sv.kick <- struct{}{}:
	default:
	}
}

func (sv *saver) run() {
	defer close(sv.done)
	for range sv.kick {
		sv.save()
	}
}

// save writes the active findings as they are now.
func (sv *saver) save() error {
	l := sv.l
	l.mu.Lock()
	fs := make([]storedFinding, 0, len(l.active))
	for _, tr := range l.active {
		fs = append(fs, stored(tr))
	}
	l.dirty = false
	l.mu.Unlock()
	sortStored(fs)
	if err := sv.store.Save(fs, l.cfg.Now()); err != nil {
		l.metrics.saves.WithLabelValues("failure").Inc()
		l.log.Error("saving the active findings failed", "error", err)
		l.mu.Lock()
		l.dirty = true // tried again at the next change or tick
		l.mu.Unlock()
		return err
	}
	l.metrics.saves.WithLabelValues("success").Inc()
	return nil
}

func sortStored(fs []storedFinding) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Finding.Key < fs[j].Finding.Key })
}

// close stops the saver after a last write.
func (sv *saver) close(ctx context.Context) error {
	sv.l.mu.Lock()
	if !sv.closed {
		sv.closed = true
		close(sv.kick)
	}
	sv.l.mu.Unlock()
	select {
	case <-sv.done:
	case <-ctx.Done():
		return fmt.Errorf("saving findings at shutdown: %w", ctx.Err())
	}
	return sv.save()
}
