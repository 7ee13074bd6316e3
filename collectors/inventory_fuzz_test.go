package collectors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzInventoryTranscript builds an inventory from arbitrary transcript
// text: no panic, every session can be found again by its MAC and
// addresses, every warning names the file and a line of it, and the JSON
// forms marshal.
func FuzzInventoryTranscript(f *testing.F) {
	for _, dir := range []string{exampleSwitches, "ios/testdata/cisco/show_access-session_details", "ios/testdata/cisco/show_device-tracking_database"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, p := range files {
			if strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yml") {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Add(fillTranscript)
	f.Add("SW#show ip access-lists\nExtended IP access list A\n 10 permit tcp any any eq\nSW#show access-session\n")
	f.Fuzz(func(t *testing.T, text string) {
		var tr Transcripts
		tr.Add("f.log", text)
		snap, ws := tr.Snapshot()
		lines := strings.Count(text, "\n") + 1
		for _, w := range ws {
			if w.File != "f.log" || w.Line < 0 || w.Line > lines || w.Message == "" {
				t.Fatalf("warning %+v (text has %d lines)", w, lines)
			}
		}
		for _, sw := range snap.Switches() {
			for i := range sw.Sessions {
				s := &sw.Sessions[i]
				if s.MAC != "" && !found(snap.LookupMAC(s.MAC), s) {
					t.Fatalf("session %+v not found by MAC", s)
				}
				if s.IPv4.IsValid() && !found(snap.LookupIP(s.IPv4), s) {
					t.Fatalf("session %+v not found by IPv4", s)
				}
				for _, a := range s.IPv6 {
					if !found(snap.LookupIP(a), s) {
						t.Fatalf("session %+v not found by %s", s, a)
					}
				}
				if _, err := json.Marshal(s.JSON(DefaultPostureRules())); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range sw.ACLs {
				if sw.ACL(a.Name, a.Family) != a {
					t.Fatalf("ACL %s not indexed", a.Name)
				}
				if _, err := json.Marshal(a.JSON()); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func found(ss []*Session, s *Session) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
