package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// An outbox keeps the notifications a webhook could not deliver before a
// shutdown, so that the next start sends them: a webhook consumer (a chat,
// a pager) has no endsAt, and would otherwise show a finding resolved
// during the outage as firing for good. Alertmanager needs none: its
// alerts expire and are sent again.

// outboxDoc is an outbox file.
type outboxDoc struct {
	Version       int           `json:"version"`
	Webhook       string        `json:"webhook"`
	SavedAt       time.Time     `json:"saved_at"`
	Notifications []outboxEntry `json:"notifications"`
	_             struct{}      `json:"-"`
}

type outboxEntry struct {
	Event    string          `json:"event"`
	Delivery string          `json:"delivery"`
	Body     json.RawMessage `json:"body"`
}

// maxOutbox bounds an outbox file read at start.
const maxOutbox = 64 << 20

// CloseToOutbox is Close that then writes the notifications not delivered
// to the file path (atomically), for RestoreOutbox at the next start; the
// error says how many were kept. With nothing left, no file is written.
func (w *Webhook) CloseToOutbox(ctx context.Context, path string) error {
	if path == "" {
		return w.Close(ctx)
	}
	kept := false
	err := w.queue.halt(ctx, func(left []webhookCall) error {
		kept = true
		doc := outboxDoc{Version: 1, Webhook: w.name, SavedAt: w.queue.now().UTC(), Notifications: make([]outboxEntry, 0, len(left))}
		for _, c := range left {
			doc.Notifications = append(doc.Notifications, outboxEntry{Event: c.header.Get(EventHeader), Delivery: c.header.Get(DeliveryHeader), Body: c.body})
		}
		b, err := json.Marshal(&doc)
		if err == nil {
			err = writeAtomic(path, b)
		}
		if err != nil {
			// Not kept: lost, as without an outbox.
			w.queue.metrics.drop(reasonShutdown, len(left))
			return fmt.Errorf("webhook %s: %d notifications not delivered before the shutdown deadline, and not kept: outbox: %w", w.name, len(left), err)
		}
		return fmt.Errorf("webhook %s: %d notifications not delivered before the shutdown deadline, kept in %s for the next start", w.name, len(left), path)
	})
	if !kept && w.restored == path {
		// Everything delivered, what was restored from it included.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("webhook %s: outbox: %w", w.name, err)
		}
	}
	return err
}

// RestoreOutbox queues, oldest first and signed with the current secret,
// the notifications an earlier CloseToOutbox kept in path. The file stays
// until CloseToOutbox replaces or removes it, so that a crash before they
// are delivered loses none (they may then be sent twice, with the same
// delivery ID). It returns how many; no file is 0 and no error. A damaged
// file is an error naming it, and is renamed to PATH.damaged for a person
// to read.
func (w *Webhook) RestoreOutbox(path string) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("webhook %s: outbox: %w", w.name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOutbox+1))
	if err != nil {
		return 0, fmt.Errorf("webhook %s: outbox: %w", w.name, err)
	}
	if len(data) > maxOutbox {
		return 0, damaged(path, fmt.Errorf("webhook %s: outbox %s: larger than %d MiB", w.name, path, maxOutbox>>20))
	}
	var doc outboxDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return 0, damaged(path, fmt.Errorf("webhook %s: outbox %s unreadable: %w", w.name, path, err))
	}
	if doc.Version != 1 {
		return 0, damaged(path, fmt.Errorf("webhook %s: outbox %s: format version %d, this syncwatch reads 1", w.name, path, doc.Version))
	}
	n := 0
	for _, e := range doc.Notifications {
		if !json.Valid(e.Body) || e.Event == "" {
			continue
		}
		h := http.Header{}
		h.Set(EventHeader, e.Event)
		h.Set(DeliveryHeader, e.Delivery)
		if w.secret != nil {
			h.Set(SignatureHeader, Sign(w.secret, e.Body))
		}
		if w.queue.put("", webhookCall{body: e.Body, header: h}) {
			n++
		}
	}
	w.restored = path
	return n, nil
}

// damaged moves an outbox that cannot be read out of the way of the next
// stop's, and says where it went.
func damaged(path string, err error) error {
	if rerr := os.Rename(path, path+".damaged"); rerr != nil {
		return errors.Join(err, rerr)
	}
	return fmt.Errorf("%w (moved to %s.damaged)", err, path)
}

// writeAtomic writes b to path through a synced temporary file in the
// same folder renamed over it, so that a crash leaves the old file or the
// new one, never half of one; the folder is created, and synced after the
// rename (which is durable only then).
func writeAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
