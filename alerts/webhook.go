package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syncwatch/syncwatch/internal/secret"
)

// The webhook's headers (README, "Webhooks").
const (
	// SignatureHeader carries "sha256=" and the lower-case hex
	// HMAC-SHA256 of the exact body under the webhook's secret.
	SignatureHeader = "X-Syncwatch-Signature"
	// EventHeader carries the notification's status: firing or resolved.
	EventHeader = "X-Syncwatch-Event"
	// DeliveryHeader carries an ID that is the same on every retry of one
	// notification, so that a receiver can drop a duplicate.
	DeliveryHeader = "X-Syncwatch-Delivery"
)

// notificationJSON is a webhook's body and a JSON log line:
// {"status": "firing", "at": "...", "finding": {the finding schema}}.
type notificationJSON struct {
	Status  Status          `json:"status"`
	At      *string         `json:"at"`
	Finding json.RawMessage `json:"finding"`
}

// MarshalJSON renders the notification as webhooks and the JSON log carry
// it: its status, its time and the finding in the finding schema.
func (n Notification) MarshalJSON() ([]byte, error) {
	f, err := n.Finding.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("finding %s: %w", n.Finding.Key, err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(notificationJSON{Status: n.Status, At: timeStr(n.At), Finding: f}); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Sign returns the SignatureHeader value of body under secret:
// "sha256=" and the hex HMAC-SHA256.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is body's signature under
// secret, in constant time.
func VerifySignature(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// WebhookConfig configures one webhook.
type WebhookConfig struct {
	// Name names the webhook in metrics and logs, never its URL (which
	// often embeds a token).
	Name string
	// URL is where the notifications are posted.
	URL  string
	HTTP HTTPOptions
	// Secret, when set, signs every body (SignatureHeader).
	Secret *secret.Secret
	// MinSeverity is the least severe finding sent (default info: all).
	MinSeverity Severity
	// QueueSize bounds the notifications waiting (DefaultQueueSize).
	QueueSize int
	Retry     RetryPolicy
	Now       func() time.Time
	Logger    *slog.Logger
}

// Webhook is the sink that posts each notification, one per request and in
// order, to a URL; a failed post is retried with backoff until it succeeds
// or the receiver refuses the payload itself (400, 413, 422).
type Webhook struct {
	name   string
	min    Severity
	secret []byte
	log    *slog.Logger
	queue  *sinkQueue[webhookCall]
	// restored is the outbox file RestoreOutbox read: CloseToOutbox
	// removes it once everything is delivered.
	restored string
}

// webhookCall is one request ready to send: the body is encoded and signed
// once, so that every retry sends the same bytes.
type webhookCall struct {
	body   []byte
	header http.Header
}

// NewWebhook checks cfg, reads the secrets and starts the webhook's
// delivery queue.
func NewWebhook(cfg WebhookConfig, m *SinkMetrics) (*Webhook, error) {
	if cfg.Name == "" {
		return nil, errors.New("webhook: no name")
	}
	if _, err := checkURL(cfg.URL); err != nil {
		// The URL may hold a token: name the webhook, not the URL.
		return nil, fmt.Errorf("webhook %s: URL: %w", cfg.Name, err)
	}
	if cfg.MinSeverity == "" {
		cfg.MinSeverity = SeverityInfo
	}
	if cfg.MinSeverity.Rank() == 0 {
		return nil, fmt.Errorf("webhook %s: %q is not a severity", cfg.Name, cfg.MinSeverity)
	}
	var secret []byte
	if cfg.Secret != nil {
		s, err := cfg.Secret.Value()
		if err != nil {
			return nil, fmt.Errorf("webhook %s: signing secret: %w", cfg.Name, err)
		}
		secret = []byte(s)
	}
	poster, err := newHTTPPoster(cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", cfg.Name, err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Webhook{name: cfg.Name, min: cfg.MinSeverity, secret: secret, log: cfg.Logger.With("sink", "webhook", "peer", cfg.Name)}
	u := cfg.URL
	w.queue = newSinkQueue(queueConfig{
		sink: "webhook", peer: cfg.Name,
		capacity: cfg.QueueSize, maxBatch: 1, retry: cfg.Retry,
		metrics: m, log: cfg.Logger, now: cfg.Now,
	}, func(ctx context.Context, batch []webhookCall) error {
		return poster.post(ctx, u, batch[0].body, batch[0].header)
	})
	return w, nil
}

// Name returns "webhook".
func (w *Webhook) Name() string { return "webhook" }

// PeerName returns the webhook's name in the configuration.
func (w *Webhook) PeerName() string { return w.name }

// Send encodes and signs the notification and queues it, when the
// finding is at or above the webhook's severity.
func (w *Webhook) Send(n Notification) {
	sev := n.Finding.Severity
	if sev == "" {
		sev = n.Finding.Kind.Severity()
	}
	if sev.Rank() < w.min.Rank() {
		return
	}
	body, err := n.MarshalJSON()
	if err != nil {
		w.log.Error("notification not sent: encoding failed", "key", n.Finding.Key, "error", err)
		w.queue.metrics.drop(reasonOther, 1)
		return
	}
	h := http.Header{}
	h.Set(EventHeader, string(n.Status))
	h.Set(DeliveryHeader, deliveryID(&n))
	if w.secret != nil {
		h.Set(SignatureHeader, Sign(w.secret, body))
	}
	w.queue.put("", webhookCall{body: body, header: h})
}

// deliveryID identifies one notification: its finding, status, time and
// count, hashed (16 hex digits).
func deliveryID(n *Notification) string {
	h := sha256.New()
	h.Write([]byte(n.Finding.Key))
	h.Write([]byte{0})
	h.Write([]byte(n.Status))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(n.At.UnixNano(), 10)))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(n.Finding.Count)))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Close delivers what waits until ctx ends.
func (w *Webhook) Close(ctx context.Context) error { return w.queue.close(ctx) }

// HandOver stops w at once, delivering nothing more, and queues what it
// had not delivered in dst, ahead of what dst waits to send and signed
// with dst's secret: a reload replaces a webhook without losing its
// queue. It returns how many it moved; one in flight when w stopped may
// reach the peer twice, with the same delivery ID.
func (w *Webhook) HandOver(dst *Webhook) int {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	moved := 0
	_ = w.queue.halt(ctx, func(left []webhookCall) error {
		for i := range left {
			h := left[i].header.Clone()
			h.Del(SignatureHeader)
			if dst.secret != nil {
				h.Set(SignatureHeader, Sign(dst.secret, left[i].body))
			}
			left[i].header = h
		}
		moved = dst.queue.takeOver(left)
		if moved < len(left) {
			w.queue.metrics.drop(reasonShutdown, len(left)-moved) // dst is full
		}
		return nil
	})
	return moved
}
