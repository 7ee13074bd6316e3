package alerts

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/capture"
)

// evidenceFinding is a compliant-reached finding of attempt id at second
// sec of labT0.
func evidenceFinding(id uint64, sec int) *Finding {
	return &Finding{Kind: KindCompliantReached, Key: fmt.Sprintf("compliant-reached|a4:bb:6d:00:00:01|10.0.0.12|8449|%d", id),
		EndpointIP: netip.MustParseAddr("10.1.0.1"),
		Attempt:    &capture.Attempt{ID: id, FirstSeen: labT0.Add(time.Duration(sec) * time.Second)}}
}

// evidenceFrames are two Ethernet frames of n bytes each, a millisecond
// apart.
func evidenceFrames(n int) []EvidenceFrame {
	at := labT0.UnixNano()
	return []EvidenceFrame{
		{Timestamp: at, Link: capture.LinkEthernet, Length: n, Data: make([]byte, n)},
		{Timestamp: at + 1e6, Link: capture.LinkEthernet, Length: n + 100, Data: make([]byte, n)},
	}
}

func openEvidence(t *testing.T, dir string, maxFiles int, maxBytes int64) *EvidenceStore {
	t.Helper()
	s, err := OpenEvidenceStore(EvidenceConfig{Dir: dir, MaxFiles: maxFiles, MaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// files lists the names in a folder.
func files(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// TestEvidenceWrite: the file has the finding's name and holds the frames
// as a pcap that syncwatch (and so Wireshark) reads back exactly; writing
// the same finding and attempt again replaces it; no frames or too many
// bytes are errors.
func TestEvidenceWrite(t *testing.T) {
	dir := t.TempDir()
	s := openEvidence(t, dir, 0, 0)
	f := evidenceFinding(7, 0)
	url, err := s.Write(f, evidenceFrames(60))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(url, DefaultEvidenceURLPrefix)
	if !strings.HasPrefix(url, DefaultEvidenceURLPrefix+"compliant-reached_10.1.0.1_20260302T090000.000000000Z_") || !strings.HasSuffix(url, ".pcap") || !evidenceName.MatchString(name) {
		t.Fatalf("url %q", url)
	}
	src, err := capture.OpenFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var fr capture.Frame
	for {
		err := src.Next(&fr)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %d %d %s", fr.Timestamp, fr.Length, len(fr.Data), fr.Link))
	}
	src.Close()
	want := []string{
		fmt.Sprintf("%d 60 60 %s", labT0.UnixNano(), capture.LinkEthernet),
		fmt.Sprintf("%d 160 60 %s", labT0.UnixNano()+1e6, capture.LinkEthernet),
	}
	if !slices.Equal(got, want) {
		t.Errorf("frames %q, want %q", got, want)
	}
	again, err := s.Write(f, evidenceFrames(80))
	if err != nil || again != url {
		t.Fatalf("again: %q %v", again, err)
	}
	if n, b := s.Stats(); n != 1 || b != 24+2*(16+80) {
		t.Errorf("stats %d files %d bytes, want 1 and %d", n, b, 24+2*(16+80))
	}
	if _, err := s.Write(f, nil); !errors.Is(err, ErrNoEvidence) {
		t.Errorf("no frames: %v", err)
	}
	small := openEvidence(t, t.TempDir(), 0, 100)
	if _, err := small.Write(f, evidenceFrames(60)); err == nil || !strings.Contains(err.Error(), "bytes exceed the folder's bound of 100") {
		t.Errorf("too big: %v", err)
	}
}

// TestEvidenceBounds: the oldest files go first to keep both bounds; the
// newest always stays; a restart takes stock of the folder, oldest first,
// removes a write cut short and leaves other files alone.
func TestEvidenceBounds(t *testing.T) {
	dir := t.TempDir()
	s := openEvidence(t, dir, 3, 0)
	var names []string
	for i := range 5 {
		url, err := s.Write(evidenceFinding(uint64(i), i), evidenceFrames(60))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, strings.TrimPrefix(url, DefaultEvidenceURLPrefix))
	}
	if got := files(t, dir); !slices.Equal(got, names[2:]) {
		t.Errorf("after 5 writes, max 3 files: %q, want %q", got, names[2:])
	}
	s.Close()

	// Stale names and mtimes as a restart finds them: the oldest by mtime
	// is trimmed first, whatever its name.
	for i, n := range names[2:] {
		mt := time.Now().Add(time.Duration(-i) * time.Hour) // names[4] oldest
		if err := os.Chtimes(filepath.Join(dir, n), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, ".tmp-"+names[0]), []byte("half"), 0o600)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600)
	byBytes := openEvidence(t, dir, 0, 2*(24+2*(16+60)))
	if got, want := files(t, dir), []string{names[2], names[3], "notes.txt"}; !slices.Equal(got, want) {
		t.Errorf("after a restart bounded to 2 files' bytes: %q, want %q", got, want)
	}
	if n, b := byBytes.Stats(); n != 2 || b != 2*(24+2*(16+60)) {
		t.Errorf("stats %d %d", n, b)
	}
	// A file bigger than what is left: the others go, it stays.
	url, err := byBytes.Write(evidenceFinding(9, 9), evidenceFrames(140))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := files(t, dir), []string{strings.TrimPrefix(url, DefaultEvidenceURLPrefix), "notes.txt"}; !slices.Equal(got, want) {
		t.Errorf("after a big write: %q, want %q", got, want)
	}
}

// TestEvidenceHandler serves only the store's files, as attachments, to
// GET and HEAD.
func TestEvidenceHandler(t *testing.T) {
	dir := t.TempDir()
	s := openEvidence(t, dir, 0, 0)
	url, err := s.Write(evidenceFinding(1, 0), evidenceFrames(60))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(url, DefaultEvidenceURLPrefix)
	outside := filepath.Join(t.TempDir(), "secret.pcap")
	os.WriteFile(outside, []byte("not yours"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "link.pcap"))
	os.Mkdir(filepath.Join(dir, "dir.pcap"), 0o700)
	srv := httptest.NewServer(http.StripPrefix("/evidence", s.Handler()))
	defer srv.Close()
	for _, tc := range []struct {
		method, path string
		code         int
		size         int
	}{
		{"GET", "/evidence/" + name, 200, 24 + 2*(16+60)},
		{"HEAD", "/evidence/" + name, 200, 0},
		{"POST", "/evidence/" + name, 405, -1},
		{"GET", "/evidence/link.pcap", 404, -1},
		{"GET", "/evidence/dir.pcap", 404, -1},
		{"GET", "/evidence/..%2Fsecret.pcap", 404, -1},
		{"GET", "/evidence/.tmp-" + name, 404, -1},
		{"GET", "/evidence/", 404, -1},
		{"GET", "/evidence/nothing-here.pcap", 404, -1},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || tc.size >= 0 && len(body) != tc.size {
			t.Errorf("%s %s: %d, %d bytes; want %d, %d", tc.method, tc.path, resp.StatusCode, len(body), tc.code, tc.size)
		}
		if tc.code == 200 && (resp.Header.Get("Content-Type") != PcapContentType ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="`+name+`"`) {
			t.Errorf("%s: headers %v", tc.method, resp.Header)
		}
	}
}

// TestEvidenceWriteAsync: queued writes give the same URLs as Write, are
// served as soon as they are written (a request waits for one still
// queued), and are all on disk after Close; past the queue's bound the
// caller writes, so nothing is lost.
func TestEvidenceWriteAsync(t *testing.T) {
	dir := t.TempDir()
	s := openEvidence(t, dir, 0, 0)
	srv := httptest.NewServer(http.StripPrefix("/evidence", s.Handler()))
	defer srv.Close()
	const n = 3 * evidenceQueue
	var urls []string
	for i := range n {
		url, err := s.WriteAsync(evidenceFinding(uint64(i), i), evidenceFrames(60))
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, url)
	}
	// The last one queued is served (after waiting for it, if need be).
	resp, err := http.Get(srv.URL + urls[n-1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(body) != 24+2*(16+60) {
		t.Errorf("GET %s: %d, %d bytes", urls[n-1], resp.StatusCode, len(body))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got := files(t, dir)
	if len(got) != n {
		t.Fatalf("%d files after Close, want %d", len(got), n)
	}
	for i, url := range urls {
		if want := evidenceFileName(evidenceFinding(uint64(i), i), evidenceFrames(60)); DefaultEvidenceURLPrefix+want != url || !slices.Contains(got, want) {
			t.Fatalf("write %d: url %q, want %q on disk", i, url, want)
		}
	}
	if _, err := s.WriteAsync(evidenceFinding(1, 1), evidenceFrames(60)); err == nil {
		t.Error("WriteAsync after Close: no error")
	}
}
