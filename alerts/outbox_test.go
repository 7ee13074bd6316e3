package alerts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRestoreOutboxBadFiles: no outbox is nothing to send; a damaged or
// foreign one is an error naming it, and is moved aside for a person to
// read (the next stop would overwrite it).
func TestRestoreOutboxBadFiles(t *testing.T) {
	m, err := NewSinkMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWebhook(WebhookConfig{Name: "chat", URL: "http://127.0.0.1:9/hook"}, m)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		w.Close(ctx)
	}()
	dir := t.TempDir()
	if n, err := w.RestoreOutbox(filepath.Join(dir, "none.json")); n != 0 || err != nil {
		t.Errorf("no outbox: %d %v", n, err)
	}
	for name, tc := range map[string]struct{ content, want string }{
		"cut.json":     {`{"version":1,"webhook":"chat","notifications":[{"event":"fir`, "webhook chat: outbox %s unreadable: unexpected EOF"},
		"version.json": {`{"version":9,"webhook":"chat","notifications":[]}`, "webhook chat: outbox %s: format version 9, this syncwatch reads 1"},
		"unknown.json": {`{"version":1,"alerts":[]}`, `webhook chat: outbox %s unreadable: json: unknown field "alerts"`},
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
			t.Fatal(err)
		}
		n, err := w.RestoreOutbox(path)
		if want := fmt.Sprintf(tc.want, path) + " (moved to " + path + ".damaged)"; n != 0 || err == nil || err.Error() != want {
			t.Errorf("%s: %d %v, want %s", name, n, err, want)
		}
		if b, err := os.ReadFile(path + ".damaged"); err != nil || string(b) != tc.content {
			t.Errorf("%s not kept aside: %v", name, err)
		}
	}
}
