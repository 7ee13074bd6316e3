package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/secret"
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

// TestWebhookHandOver: a reload's new webhook sends what the old one had
// not delivered first, signed with its own secret, then its own.
func TestWebhookHandOver(t *testing.T) {
	got := make(chan string, 8)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ok := VerifySignature([]byte("new-secret"), b, r.Header.Get(SignatureHeader))
		var n struct{ Finding struct{ Key string } }
		json.Unmarshal(b, &n)
		got <- fmt.Sprintf("%s signed=%v", n.Finding.Key, ok)
	}))
	defer srv.Close()
	dir := t.TempDir()
	oldSecret, newSecret := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	os.WriteFile(oldSecret, []byte("old-secret\n"), 0o600)
	os.WriteFile(newSecret, []byte("new-secret\n"), 0o600)
	m, err := NewSinkMetrics(nil)
	if err != nil {
		t.Fatal(err)
	}
	// The old webhook's peer is down: its notifications wait.
	old, err := NewWebhook(WebhookConfig{Name: "chat", URL: "http://127.0.0.1:9/hook", Secret: &secret.Secret{File: oldSecret}}, m)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, k := range []string{"k1", "k2"} {
		old.Send(Notification{Status: Firing, At: now, Finding: Finding{Key: k, Kind: KindRace, Severity: SeverityWarning}})
	}
	nw, err := NewWebhook(WebhookConfig{Name: "chat", URL: srv.URL + "/hook", Secret: &secret.Secret{File: newSecret}}, m)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		nw.Close(ctx)
	}()
	if n := old.HandOver(nw); n != 2 {
		t.Errorf("moved %d, want 2", n)
	}
	nw.Send(Notification{Status: Firing, At: now, Finding: Finding{Key: "k3", Kind: KindRace, Severity: SeverityWarning}})
	var heard []string
	for len(heard) < 3 {
		select {
		case s := <-got:
			heard = append(heard, s)
		case <-time.After(10 * time.Second):
			t.Fatalf("heard %q", heard)
		}
	}
	if want := []string{"k1 signed=true", "k2 signed=true", "k3 signed=true"}; !reflect.DeepEqual(heard, want) {
		t.Errorf("heard %q, want %q", heard, want)
	}
}
