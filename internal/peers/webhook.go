package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Notification is one webhook message of Alertmanager (version 4), as a
// Webhook received it.
type Notification struct {
	Version           string            `json:"version"`
	GroupKey          string            `json:"groupKey"`
	TruncatedAlerts   int               `json:"truncatedAlerts"`
	Status            string            `json:"status"`
	Receiver          string            `json:"receiver"`
	GroupLabels       map[string]string `json:"groupLabels"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	} `json:"alerts"`
	// ReceivedAt is when the Webhook received it (not part of the message).
	ReceivedAt time.Time `json:"-"`
}

// Webhook is a loopback HTTP server that records Alertmanager's webhook
// notifications.
type Webhook struct {
	// URL is where Alertmanager posts (Route.WebhookURL).
	URL string

	t    testing.TB
	mu   sync.Mutex
	got  []Notification
	wake chan struct{}
}

// StartWebhook starts a webhook receiver on loopback; the test closes it.
// A body that is not a notification fails the test.
func StartWebhook(t testing.TB) *Webhook {
	t.Helper()
	w := &Webhook{t: t, wake: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(srv.Close)
	w.URL = srv.URL + "/alerts"
	return w
}

func (w *Webhook) serve(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	var n Notification
	if r.Method != http.MethodPost || r.URL.Path != "/alerts" {
		w.t.Errorf("webhook: unexpected %s %s", r.Method, r.URL.Path)
		http.Error(rw, "not here", http.StatusNotFound)
		return
	}
	if err := json.Unmarshal(body, &n); err != nil {
		w.t.Errorf("webhook: not a notification: %v: %.300s", err, body)
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	n.ReceivedAt = time.Now()
	w.mu.Lock()
	w.got = append(w.got, n)
	close(w.wake)
	w.wake = make(chan struct{})
	w.mu.Unlock()
	rw.WriteHeader(http.StatusOK)
}

// Received returns the notifications received so far, oldest first.
func (w *Webhook) Received() []Notification {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Notification(nil), w.got...)
}

// WaitFor waits until at least n notifications were received and returns
// them all, or fails when ctx ends first.
func (w *Webhook) WaitFor(ctx context.Context, n int) ([]Notification, error) {
	for {
		w.mu.Lock()
		got, wake := append([]Notification(nil), w.got...), w.wake
		w.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return got, fmt.Errorf("webhook: %d notifications, waited for %d: %w", len(got), n, ctx.Err())
		}
	}
}
