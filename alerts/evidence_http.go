package alerts

import (
	"net/http"
	"strings"
	"time"
)

// PcapContentType is the media type of the evidence files.
const PcapContentType = "application/vnd.tcpdump.pcap"

// evidenceWait bounds how long a request waits for a file still queued.
const evidenceWait = 5 * time.Second

// Handler serves the evidence files by name: GET or HEAD of "/NAME" or
// "NAME" (mount it under http.StripPrefix("/evidence", ...)). Only names
// the store writes are served, from inside the folder (os.Root: no path
// traversal, no symbolic link out of it), as attachments that Wireshark
// opens; anything else is 404, and there is no listing.
func (s *EvidenceStore) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if !evidenceName.MatchString(name) {
			http.NotFound(w, r)
			return
		}
		// A finding's URL comes before its file (WriteAsync).
		s.written(r.Context(), name, evidenceWait)
		f, err := s.root.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || !info.Mode().IsRegular() {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", PcapContentType)
		h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		http.ServeContent(w, r, name, info.ModTime(), f)
	})
}
