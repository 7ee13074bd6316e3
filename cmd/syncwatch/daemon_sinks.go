package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/config"
)

// sinkSet is the one sink the lifecycle sends to: it forwards every
// notification to the configured sinks, which a reload replaces while the
// lifecycle runs.
type sinkSet struct {
	mu      sync.RWMutex
	sinks   []alerts.Sink
	jsonLog *alerts.JSONLog
	logPath string
	// outbox is the folder where Close keeps what the webhooks could not
	// deliver, sent at the next start ("": not kept).
	outbox string
}

// Name returns "sinks".
func (s *sinkSet) Name() string { return "sinks" }

// Send forwards n to every sink; none blocks on the network.
func (s *sinkSet) Send(n alerts.Notification) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range s.sinks {
		k.Send(n)
	}
}

// Close flushes and stops every sink within ctx's deadline; what a webhook
// could not deliver is kept in the outbox folder.
func (s *sinkSet) Close(ctx context.Context) error {
	s.mu.Lock()
	sinks, outbox := s.sinks, s.outbox
	s.sinks, s.jsonLog = nil, nil
	s.mu.Unlock()
	return closeSinksTo(ctx, sinks, outbox)
}

// setOutbox sets the outbox folder.
func (s *sinkSet) setOutbox(dir string) {
	s.mu.Lock()
	s.outbox = dir
	s.mu.Unlock()
}

// restoreOutboxes queues what the webhooks kept in the outbox folder at
// the last stop; each count and failure is logged.
func (s *sinkSet) restoreOutboxes(log *slog.Logger) {
	if s.outbox == "" {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range s.sinks {
		if w, ok := k.(*alerts.Webhook); ok {
			n, err := w.RestoreOutbox(outboxPath(s.outbox, w))
			switch {
			case err != nil:
				log.Error("undelivered notifications not restored", "webhook", w.PeerName(), "error", err)
			case n > 0:
				log.Info("notifications undelivered at the last stop queued again", "webhook", w.PeerName(), "notifications", n)
			}
		}
	}
}

// outboxPath is a webhook's outbox file.
func outboxPath(dir string, w *alerts.Webhook) string {
	return filepath.Join(dir, "webhook-"+safeName(w.PeerName())+".json")
}

// handOverWebhooks moves what each replaced webhook had not delivered to
// the new webhook of the same name, and returns the replaced sinks left to
// close.
func handOverWebhooks(replaced, installed []alerts.Sink, log *slog.Logger) []alerts.Sink {
	var rest []alerts.Sink
	for _, old := range replaced {
		ow, ok := old.(*alerts.Webhook)
		if !ok {
			rest = append(rest, old)
			continue
		}
		i := slices.IndexFunc(installed, func(k alerts.Sink) bool {
			nw, ok := k.(*alerts.Webhook)
			return ok && nw.PeerName() == ow.PeerName()
		})
		if i < 0 {
			rest = append(rest, old) // removed: it delivers what it can
			continue
		}
		if n := ow.HandOver(installed[i].(*alerts.Webhook)); n > 0 {
			log.Info("undelivered notifications moved to the reloaded webhook", "webhook", ow.PeerName(), "notifications", n)
		}
	}
	return rest
}

// closeSinks closes sinks in parallel: a hanging peer must not eat the
// others' deadline.
func closeSinks(ctx context.Context, sinks []alerts.Sink) error {
	return closeSinksTo(ctx, sinks, "")
}

// closeSinksTo is closeSinks that keeps what webhooks could not deliver
// in the outbox folder (when not "").
func closeSinksTo(ctx context.Context, sinks []alerts.Sink, outbox string) error {
	errs := make([]error, len(sinks))
	var wg sync.WaitGroup
	for i, k := range sinks {
		wg.Go(func() {
			var err error
			if w, ok := k.(*alerts.Webhook); ok && outbox != "" {
				err = w.CloseToOutbox(ctx, outboxPath(outbox, w))
			} else {
				err = k.Close(ctx)
			}
			if err != nil {
				errs[i] = fmt.Errorf("%s: %w", k.Name(), err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// builtSinks are the sinks of one configuration, not yet in use.
type builtSinks struct {
	sinks []alerts.Sink
	// am is the Alertmanager sink; its place in sinks is gate, which holds
	// the lifecycle's notifications back until seed told it of the active
	// findings.
	am      *alerts.Alertmanager
	gate    *gatedSink
	jsonLog *alerts.JSONLog
	logPath string
	// reuseLog: the running JSON log writes to the same path; it is kept
	// (and reopened) instead of a new one.
	reuseLog bool
}

// buildSinks starts the sinks cfg describes. A sink that cannot start
// (an unreadable secret, a bad TLS file) fails the whole build, so that a
// reload is all or nothing; what was started is closed again. running,
// when not nil, is the current set: its JSON log is kept when the path is
// the same.
func (d *daemon) buildSinks(cfg *config.Config, sensor string, running *sinkSet) (*builtSinks, error) {
	b := &builtSinks{}
	fail := func(err error) (*builtSinks, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		closeSinks(ctx, b.sinks)
		return nil, err
	}
	if amc := alertmanagerConfig(cfg); amc != nil {
		amc.Logger = d.log
		am, err := alerts.NewAlertmanager(*amc, d.sinkMetrics)
		if err != nil {
			return fail(err)
		}
		b.am, b.gate = am, &gatedSink{Sink: am}
		b.sinks = append(b.sinks, b.gate)
	}
	for i := range cfg.Webhooks {
		wc := webhookConfig(cfg, i)
		wc.Logger = d.log
		w, err := alerts.NewWebhook(wc, d.sinkMetrics)
		if err != nil {
			return fail(err)
		}
		b.sinks = append(b.sinks, w)
	}
	if p := cfg.FindingsLog; p != "" {
		b.logPath = p
		if running != nil && running.jsonLog != nil && running.logPath == p {
			b.reuseLog = true
		} else {
			jl, err := alerts.NewJSONLog(alerts.JSONLogConfig{Path: p, Logger: d.log}, d.env.stdout, d.sinkMetrics)
			if err != nil {
				return fail(err)
			}
			b.jsonLog = jl
			b.sinks = append(b.sinks, jl)
		}
	}
	return b, nil
}

// install makes b the running sinks and returns those it replaced.
func (s *sinkSet) install(b *builtSinks, log *slog.Logger) []alerts.Sink {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old []alerts.Sink
	for _, k := range s.sinks {
		if b.reuseLog && k == alerts.Sink(s.jsonLog) {
			continue
		}
		old = append(old, k)
	}
	sinks := b.sinks
	if b.reuseLog {
		sinks = append(sinks, s.jsonLog)
		if err := s.jsonLog.Reopen(); err != nil {
			log.Error("findings log not reopened; writing on to the old file", "file", b.logPath, "error", err)
		}
	} else {
		s.jsonLog = b.jsonLog
	}
	s.sinks, s.logPath = sinks, b.logPath
	return old
}

// seed tells a new Alertmanager sink of every active finding, so that
// their alerts keep being sent (Alertmanager deduplicates them), then lets
// the notifications held back since install through, in order: one that
// came after active was read is the newer state and wins. A
// compliant-reached still waiting for its confirm (confirming: a live
// collector refreshes switches) is left out: it is paged when confirmed.
func seed(b *builtSinks, active []alerts.Finding, at time.Time, confirming bool) {
	if b.am == nil {
		return
	}
	for _, f := range active {
		if confirming && f.Kind == alerts.KindCompliantReached && f.Confirm == nil {
			continue
		}
		b.am.Send(alerts.Notification{Finding: f, Status: alerts.Firing, At: at})
	}
	b.gate.open()
}

// maxHeld bounds the notifications a gate holds; the gate is open again
// microseconds after it closed, so this is never reached in practice.
const maxHeld = 100_000

// gatedSink holds notifications back until open, then passes them on.
type gatedSink struct {
	alerts.Sink
	mu     sync.Mutex
	opened bool
	held   []alerts.Notification
}

// Send passes n on, or holds it while the gate is closed.
func (g *gatedSink) Send(n alerts.Notification) {
	g.mu.Lock()
	if !g.opened && len(g.held) < maxHeld {
		g.held = append(g.held, n)
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	g.Sink.Send(n)
}

func (g *gatedSink) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.held {
		g.Sink.Send(n)
	}
	g.held, g.opened = nil, true
}

// checkHTTPSinks starts and at once closes the Alertmanager and webhook
// sinks of cfg, as run starts them, so that check-config finds what run
// would refuse (a URL, a secret, a TLS file); nothing is sent.
func checkHTTPSinks(cfg *config.Config) error {
	m, err := alerts.NewSinkMetrics(nil)
	if err != nil {
		return err
	}
	var started []alerts.Sink
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		closeSinks(ctx, started)
	}()
	if amc := alertmanagerConfig(cfg); amc != nil {
		am, err := alerts.NewAlertmanager(*amc, m)
		if err != nil {
			return usageError{fmt.Errorf("sinks: %w", err)}
		}
		started = append(started, am)
	}
	for i := range cfg.Webhooks {
		w, err := alerts.NewWebhook(webhookConfig(cfg, i), m)
		if err != nil {
			return usageError{fmt.Errorf("sinks: %w", err)}
		}
		started = append(started, w)
	}
	return nil
}

// alertmanagerConfig maps the alertmanager section; nil without peers.
func alertmanagerConfig(cfg *config.Config) *alerts.AlertmanagerConfig {
	am := &cfg.Alertmanager
	if len(am.Peers) == 0 {
		return nil
	}
	out := &alerts.AlertmanagerConfig{
		HTTP:           httpOptions(&am.HTTPClient),
		MinSeverity:    alerts.Severity(am.MinSeverity),
		ResendInterval: time.Duration(am.ResendInterval),
		ExternalURL:    am.ExternalURL.String(),
		RunbookURL:     am.RunbookURL.String(),
		SensorLabel:    am.SensorLabel,
	}
	for _, p := range am.Peers {
		out.Peers = append(out.Peers, p.String())
	}
	return out
}

// webhookConfig maps webhooks entry i.
func webhookConfig(cfg *config.Config, i int) alerts.WebhookConfig {
	w := &cfg.Webhooks[i]
	out := alerts.WebhookConfig{
		Name:        cfg.WebhookName(i),
		URL:         w.URL.String(),
		HTTP:        httpOptions(&w.HTTPClient),
		MinSeverity: alerts.Severity(w.MinSeverity),
	}
	if w.Secret != nil {
		s := w.Secret.Source()
		out.Secret = &s
	}
	return out
}

func httpOptions(hc *config.HTTPClient) alerts.HTTPOptions {
	o := alerts.HTTPOptions{Timeout: time.Duration(hc.Timeout)}
	if b := hc.BasicAuth; b != nil {
		o.BasicAuth = &alerts.BasicAuth{Username: b.Username, Password: b.Password.Source()}
	}
	if hc.BearerToken != nil {
		s := hc.BearerToken.Source()
		o.BearerToken = &s
	}
	if t := hc.TLS; t != nil {
		o.TLS = alerts.TLSOptions{CAFile: t.CAFile, CertFile: t.CertFile, KeyFile: t.KeyFile, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify}
	}
	return o
}
