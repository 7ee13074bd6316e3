package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults of AlertmanagerConfig, as Prometheus sends alerts.
const (
	DefaultResendInterval    = time.Minute
	DefaultResolvedRetention = 15 * time.Minute
	// alertLease is how many resend intervals a firing alert's endsAt
	// lies ahead: it survives missed resends, as Prometheus's 4 x
	// resend delay does, and yet ends if syncwatch dies.
	alertLease = 4
	// DefaultAlertBatch bounds the alerts of one POST.
	DefaultAlertBatch = 256
)

// AlertmanagerConfig configures the Alertmanager sink.
type AlertmanagerConfig struct {
	// Peers are the base URLs of every Alertmanager of the cluster
	// ("http://am1:9093", or with a path prefix "https://host/am"): an HA
	// cluster has no load balancer in front, every peer gets every alert.
	Peers []string
	HTTP  HTTPOptions
	// MinSeverity is the least severe finding sent (default warning).
	MinSeverity Severity
	// ResendInterval is how often firing alerts are sent again (default
	// 1 min); their endsAt lies 4 intervals ahead.
	ResendInterval time.Duration
	// ResolvedRetention is how long a resolved alert keeps being sent, so
	// that a peer that was down learns it (default 15 min).
	ResolvedRetention time.Duration
	// RunbookURL is the page whose anchors are the kinds (default
	// DefaultRunbookURL); runbook_url is RunbookURL#kind.
	RunbookURL string
	// ExternalURL is the daemon's own URL as on-call reaches it; when set,
	// generatorURL links /api/v1/findings?key=KEY and a relative evidence
	// path becomes absolute.
	ExternalURL string
	// SensorLabel makes the sensor a label too, so that alerts of
	// redundant sensors stay apart instead of deduplicating.
	SensorLabel bool
	// QueueSize bounds each peer's queue (alerts waiting to be sent;
	// default DefaultQueueSize).
	QueueSize int
	// MaxBatch bounds the alerts of one POST (default DefaultAlertBatch).
	MaxBatch int
	Retry    RetryPolicy
	// Now is the clock for endsAt and retention (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

// Alertmanager is the sink that posts findings at or above a severity to
// every peer of an Alertmanager cluster through API v2, re-sends firing
// alerts every resend interval with endsAt ahead and resolved ones for the
// retention, and queues per peer what a peer that is down misses; a peer
// that answers again after failures gets every alert again at once, since
// a restarted Alertmanager has lost them.
type Alertmanager struct {
	cfg   AlertmanagerConfig
	opts  alertOptions
	peers []*amPeer
	log   *slog.Logger

	mu     sync.Mutex
	alerts map[string]*amAlert // by finding key

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// amPeer is one Alertmanager and what it has yet to receive.
type amPeer struct {
	url   string // .../api/v2/alerts
	queue *sinkQueue[postableAlert]
}

// amAlert is the state of one finding's alert.
type amAlert struct {
	alert    postableAlert
	resolved bool
	// resolvedAt is the clock's time at the resolution, from which the
	// retention runs.
	resolvedAt time.Time
}

// NewAlertmanager checks cfg, resolves its secrets and starts the sink:
// one delivery queue per peer and the resend loop. m may be shared with
// other sinks; nil counts nowhere.
func NewAlertmanager(cfg AlertmanagerConfig, m *SinkMetrics) (*Alertmanager, error) {
	if len(cfg.Peers) == 0 {
		return nil, errors.New("alertmanager: no peers")
	}
	if cfg.MinSeverity == "" {
		cfg.MinSeverity = SeverityWarning
	}
	if cfg.MinSeverity.Rank() == 0 {
		return nil, fmt.Errorf("alertmanager: %q is not a severity", cfg.MinSeverity)
	}
	if cfg.ResendInterval <= 0 {
		cfg.ResendInterval = DefaultResendInterval
	}
	if cfg.ResolvedRetention <= 0 {
		cfg.ResolvedRetention = DefaultResolvedRetention
	}
	if cfg.RunbookURL == "" {
		cfg.RunbookURL = DefaultRunbookURL
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultAlertBatch
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ext := strings.TrimRight(cfg.ExternalURL, "/")
	if ext != "" {
		if _, err := peerURL(ext, ""); err != nil {
			return nil, fmt.Errorf("alertmanager: external URL: %w", err)
		}
	}
	poster, err := newHTTPPoster(cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("alertmanager: %w", err)
	}
	a := &Alertmanager{
		cfg:    cfg,
		opts:   alertOptions{runbookURL: cfg.RunbookURL, externalURL: ext, sensorLabel: cfg.SensorLabel},
		log:    cfg.Logger.With("sink", "alertmanager"),
		alerts: map[string]*amAlert{},
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	seen := map[string]bool{}
	for _, p := range cfg.Peers {
		u, err := peerURL(p, "/api/v2/alerts")
		if err != nil {
			a.closeQueues(context.Background())
			return nil, fmt.Errorf("alertmanager peer %q: %w", shownURL(p), err)
		}
		if seen[u] {
			a.closeQueues(context.Background())
			return nil, fmt.Errorf("alertmanager peer %q given twice", shownURL(p))
		}
		seen[u] = true
		peer := &amPeer{url: u}
		name := peerName(p)
		peer.queue = newSinkQueue(queueConfig{
			sink: "alertmanager", peer: name,
			capacity: cfg.QueueSize, maxBatch: cfg.MaxBatch, retry: cfg.Retry,
			metrics: m, log: cfg.Logger, now: cfg.Now,
			recovered: func(delivered map[string]bool) { a.requeue(peer, delivered) },
		}, func(ctx context.Context, batch []postableAlert) error {
			body, err := json.Marshal(batch)
			if err != nil {
				return &deliveryError{reason: reasonOther, permanent: true, msg: "encoding alerts: " + err.Error()}
			}
			return poster.post(ctx, peer.url, body, nil)
		})
		a.peers = append(a.peers, peer)
	}
	go a.resendLoop()
	return a, nil
}

// peerURL joins a peer's base URL and an API path, refusing what is not
// an absolute http(s) URL and credentials written into it.
func peerURL(base, path string) (string, error) {
	u, err := checkURL(base)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" || u.ForceQuery {
		return "", errors.New("a base URL has no query")
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawPath = ""
	return u.String(), nil
}

// checkURL parses an absolute http(s) URL without credentials or
// fragment; a query is the caller's to allow (a webhook's may hold its
// token).
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("not an http or https URL")
	case u.Host == "":
		return nil, errors.New("no host")
	case u.User != nil:
		return nil, errors.New("credentials in the URL: use basic auth with a password file or variable")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, errors.New("a URL sent to has no fragment")
	}
	return u, nil
}

// shownURL is a URL for an error message: without its password and its
// query, which may hold a token.
func shownURL(raw string) string {
	suffix := ""
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw, suffix = raw[:i], "?..."
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw + suffix
	}
	return u.Redacted() + suffix
}

// peerName names a peer in metrics and logs: its host and port.
func peerName(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return base
}

// Name returns "alertmanager".
func (a *Alertmanager) Name() string { return "alertmanager" }

// Send records the notification's alert state and queues it for every
// peer. Findings below the minimum severity are not sent.
func (a *Alertmanager) Send(n Notification) {
	f := &n.Finding
	sev := f.Severity
	if sev == "" {
		sev = f.Kind.Severity()
	}
	if sev.Rank() < a.cfg.MinSeverity.Rank() {
		return
	}
	key := f.Key
	if key == "" {
		key = KeyOf(string(f.Kind), f.EndpointIP.String(), f.EndpointMAC, f.PSN.String(), f.DACL, f.Switch)
	}
	now := a.cfg.Now()
	content := alertContent(f, &a.opts)

	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.alerts[key]
	if st == nil {
		st = &amAlert{}
		a.alerts[key] = st
	}
	starts := st.alert.StartsAt
	switch {
	case starts.IsZero():
		// The alert starts when the finding was first seen.
		starts = firstTime(f.FirstSeen, n.At, now)
	case st.resolved && n.Status != Resolved:
		// A new episode after a resolution starts when it fired again.
		starts = firstTime(n.At, now)
	}
	content.StartsAt = starts.UTC()
	switch n.Status {
	case Resolved:
		ends := firstTime(n.At, now)
		if ends.Before(content.StartsAt) {
			// Alertmanager refuses an alert that ends before it starts.
			ends = content.StartsAt
		}
		content.EndsAt = ends.UTC()
		st.resolved, st.resolvedAt = true, now
	default:
		content.EndsAt = now.Add(alertLease * a.cfg.ResendInterval).UTC()
		if content.StartsAt.After(content.EndsAt) {
			content.StartsAt = now.UTC()
		}
		st.resolved, st.resolvedAt = false, time.Time{}
	}
	st.alert = content
	for _, p := range a.peers {
		p.queue.put(key, content)
	}
}

// firstTime returns the first non-zero time.
func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (a *Alertmanager) resendLoop() {
	defer close(a.done)
	t := time.NewTicker(a.cfg.ResendInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			a.resend()
		case <-a.stop:
			return
		}
	}
}

// resend queues every firing alert with its lease renewed and every
// resolved one still within the retention; older resolved ones are
// forgotten.
func (a *Alertmanager) resend() {
	now := a.cfg.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for key, st := range a.alerts {
		if st.resolved {
			if now.Sub(st.resolvedAt) > a.cfg.ResolvedRetention {
				delete(a.alerts, key)
				continue
			}
		} else {
			st.alert.EndsAt = now.Add(alertLease * a.cfg.ResendInterval).UTC()
		}
		for _, p := range a.peers {
			p.queue.put(key, st.alert)
		}
	}
}

// requeue queues every alert but those just delivered for a peer that
// came back after failed deliveries: an Alertmanager that restarted has
// lost the alerts it was sent before, and would otherwise lack them until
// the next resend.
func (a *Alertmanager) requeue(p *amPeer, delivered map[string]bool) {
	select {
	case <-a.stop:
		// Closing: the queue takes nothing more.
		return
	default:
	}
	now := a.cfg.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for key, st := range a.alerts {
		if delivered[key] || st.resolved && now.Sub(st.resolvedAt) > a.cfg.ResolvedRetention {
			continue
		}
		p.queue.put(key, st.alert)
	}
}

// Active returns how many alerts are firing and how many resolved ones are
// still being sent.
func (a *Alertmanager) Active() (firing, resolved int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, st := range a.alerts {
		if st.resolved {
			resolved++
		} else {
			firing++
		}
	}
	return firing, resolved
}

// Close stops the resends and delivers what the peers' queues hold until
// ctx ends; it reports each peer left with undelivered alerts.
func (a *Alertmanager) Close(ctx context.Context) error {
	var err error
	a.closeOnce.Do(func() {
		close(a.stop)
		<-a.done
		err = a.closeQueues(ctx)
	})
	return err
}

func (a *Alertmanager) closeQueues(ctx context.Context) error {
	// Peers flush in parallel: a hanging one must not eat the deadline of
	// the others.
	errs := make([]error, len(a.peers))
	var wg sync.WaitGroup
	for i, p := range a.peers {
		wg.Go(func() { errs[i] = p.queue.close(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
