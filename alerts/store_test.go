package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// restartable runs lifecycles on one data folder.
func restartable(t *testing.T, dir string) *labLifecycle {
	t.Helper()
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	return newLabLifecycle(t, LifecycleConfig{Store: st})
}

func closeNow(t *testing.T, l *labLifecycle) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.store.Close(); err != nil {
		t.Fatal(err)
	}
}

// findingsJSON renders findings in the schema, for comparison.
func findingsJSON(t *testing.T, fs []Finding) []string {
	t.Helper()
	var out []string
	for i := range fs {
		b, err := json.Marshal(&fs[i])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestRestartKeepsActiveFindings: findings active when syncwatch stops are
// active after it starts again, field for field, without a second
// notification; their lifecycle goes on (repeats are counted, evidence
// resolves them, the silent endpoint is still watched).
func TestRestartKeepsActiveFindings(t *testing.T) {
	dir := t.TempDir()
	l := restartable(t, dir)
	l.inv.set(unknownFloor(t, 8))
	l.feed(t, "10.1.0.1>10.0.0.12 accepted mac=1 at=0", "10.1.0.1>10.0.0.11 accepted at=1", "10.1.0.3>10.0.0.11 unanswered at=2",
		"10.9.9.9>10.0.0.11 refused at=3")
	for i := 1; i <= 5; i++ {
		l.feed(t, "10.2.0."+string(rune('0'+i))+">10.0.0.12 unanswered at=10")
	}
	l.Audit(Audit(l.inv.get(), AuditConfig{PSNs: labPSNs, Rules: labRules(t)}), labT0.Add(20*time.Second))
	before := l.Active()
	l.tick(20)
	closeNow(t, l)
	if len(before) < 10 {
		t.Fatalf("only %d findings: the test proves little", len(before))
	}

	l2 := restartable(t, dir)
	l2.inv.set(unknownFloor(t, 8))
	after := l2.Active()
	if got, want := findingsJSON(t, after), findingsJSON(t, before); !reflect.DeepEqual(got, want) {
		t.Errorf("after the restart:\n%s\nbefore:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	want(t, "notified at start", l2.sink.take(), nil)
	// The lifecycle goes on: a repeat counts, quietly.
	l2.feed(t, "10.9.9.9>10.0.0.11 refused at=30")
	want(t, "a repeat", l2.sink.take(), nil)
	if f := l2.activeFinding(t, "unmanaged|10.9.9.9|10.0.0.11|8449"); f.Count != 2 {
		t.Errorf("count %d", f.Count)
	}
	// psn-down still holds back its failures, and resolves on an answer.
	l2.feed(t, "10.2.0.7>10.0.0.12 unanswered at=40")
	want(t, "held back", l2.sink.take(), nil)
	l2.feed(t, "10.2.0.8>10.0.0.12 accepted at=50", "10.1.0.3>10.0.0.11 accepted at=51")
	want(t, "evidence", l2.sink.take(), []string{"resolved psn-down|10.0.0.12|8449", "resolved " + blocked3})
	// The endpoint that reached psn2 is watched from its last sighting.
	l2.tick(899)
	want(t, "not yet silent", l2.sink.take(), nil)
	l2.tick(901)
	want(t, "silent", l2.sink.take(), []string{"firing " + silent1})
	closeNow(t, l2)

	l3 := restartable(t, dir)
	l3.feed(t, "10.1.0.1>10.0.0.11 unanswered at=2000")
	want(t, "a watch restored as fired resolves on a probe", l3.sink.take(), []string{"resolved " + silent1})
}

// TestStoreBadFiles checks that a missing, damaged, foreign or empty store
// file is a clear warning (the damaged one set aside), never a crash.
func TestStoreBadFiles(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, content, warning string
		aside                  bool
	}{
		{"missing", "", "no saved findings (first start, or the data folder is new)", false},
		{"empty", " ", "empty; starting without saved findings (the file was moved to ", true},
		{"damaged", `{"version":1,"findings":[{"finding":{"Key":"x"`, "damaged: it ends at byte 46 in the middle of a value", true},
		{"not JSON", "findings: none\n", "damaged at byte offset 2: invalid character 'i' in literal false (expecting 'a')", true},
		{"another version", `{"version":7,"saved_at":"2026-03-02T09:00:00Z","findings":[]}`, "format version 7, this syncwatch reads 1", true},
		{"a wrong type", `{"version":"1"}`, "unexpected value at byte offset 14: json: cannot unmarshal string into Go struct field storeDoc.version of type int", true},
		{"an unknown field", `{"version":1,"alerts":[]}`, `unreadable: json: unknown field "alerts"`, true},
		{"a finding without key", `{"version":1,"findings":[{"finding":{"Kind":"race","Severity":"warning"}}]}`, "finding 1: no key", true},
		{"a traffic finding without attempt", `{"version":1,"findings":[{"finding":{"Key":"race|x|y|1","Kind":"race","Severity":"warning"}}]}`,
			"finding 1: race without its attempt", true},
		{"a wrong severity", `{"version":1,"findings":[{"finding":{"Key":"k","Kind":"psn-down","Severity":"info"}}]}`,
			`finding 1: kind "psn-down" with severity "info"`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := OpenStore(dir)
			if err != nil {
				t.Fatal(err)
			}
			if tc.content != "" {
				if err := os.WriteFile(st.Path(), []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, warning, err := st.Load(now)
			if err != nil || got.Len() != 0 {
				t.Fatalf("state %d, err %v", got.Len(), err)
			}
			if !strings.HasPrefix(warning, st.Path()+": ") || !strings.Contains(warning, tc.warning) {
				t.Errorf("warning %q, want it to hold %q", warning, tc.warning)
			}
			aside := st.Path() + ".bad-20260302T090000Z"
			if _, err := os.Stat(aside); (err == nil) != tc.aside {
				t.Errorf("set aside: %v, want %v", err == nil, tc.aside)
			}
			if tc.aside && !strings.HasSuffix(warning, "(the file was moved to "+aside+")") {
				t.Errorf("warning %q does not say where the file went", warning)
			}
			// A lifecycle starts on it, empty.
			l := newLabLifecycle(t, LifecycleConfig{Store: st})
			if len(l.Active()) != 0 {
				t.Error("findings from a bad file")
			}
		})
	}
	// The folder cannot be created.
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenStore(filepath.Join(file, "data")); err == nil || !strings.Contains(err.Error(), "findings store: mkdir ") {
		t.Errorf("OpenStore under a file: %v", err)
	}
}

// TestStoreAtomic checks that a save leaves no temporary file and replaces
// the old file whole.
func TestStoreAtomic(t *testing.T) {
	dir := t.TempDir()
	l := restartable(t, dir)
	l.feed(t, "10.1.0.1>10.0.0.11 accepted at=1")
	closeNow(t, l)
	want(t, "data folder", files(t, dir), []string{LockFile, StoreFile})
	data, err := os.ReadFile(filepath.Join(dir, StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	var doc storeDoc
	if err := json.Unmarshal(data, &doc); err != nil || doc.Version != 1 || len(doc.Findings) != 1 || doc.Findings[0].Finding.Key != race1 {
		t.Errorf("store file %s: %v", data, err)
	}
}

// TestStoreLock: a data folder is one sensor's: a second store on it is
// refused with the holder's process ID, until the first is closed.
func TestStoreLock(t *testing.T) {
	dir := t.TempDir()
	st, err := OpenStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenStore(dir)
	if want := fmt.Sprintf("findings store: data_dir %s is in use by another syncwatch (pid %d): give each sensor a data_dir of its own", dir, os.Getpid()); err == nil || err.Error() != want {
		t.Errorf("second store: %v\nwant %s", err, want)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := OpenStore(dir)
	if err != nil {
		t.Fatalf("after Close: %v", err)
	}
	again.Close()
}
