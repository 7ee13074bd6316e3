package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	promcollectors "github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/syncwatch/syncwatch/alerts"
	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/collectors/live"
	"github.com/syncwatch/syncwatch/config"
	"github.com/syncwatch/syncwatch/internal/server"
)

// shutdownTimeout bounds what SIGTERM waits for: pending confirms, the
// sinks' queues and the store.
const shutdownTimeout = 10 * time.Second

// firstPollTimeout bounds the live collector's first poll of every switch,
// which capture waits for (frames wait in the kernel's ring meanwhile), so
// that the first attempts are judged on the switches' state rather than
// on an empty inventory. Switches not read by then are read by the
// collector's schedule.
const firstPollTimeout = 60 * time.Second

const runDescription = `Run the sensor: live capture on the configured SPAN interfaces, the inventory of the switches
(saved transcripts, re-read when they change; the live collector for the switches with ssh settings,
polled every collect.poll_interval), the audit of their dACLs on every inventory change, the judge
of every attempt, the confirm step (a compliant-reached is paged only if a fresh read of its switch
still shows it), the sinks (Alertmanager, webhooks, the findings log) and HTTP:

  /metrics            Prometheus metrics
  /healthz            200 "ok" while the process runs
  /readyz             200 when the configuration is loaded and capture runs on an interface, else 503;
                      its JSON also shows each live switch's polling health
  /api/v1/findings    active and recently resolved findings (JSON; ?key=KEY, ?kind=KIND)
  /evidence/NAME      a finding's evidence capture (pcap)

TLS and basic auth come from http.web_config_file (exporter-toolkit's web configuration). Logs are
JSON on stderr. SIGHUP reloads the configuration: a bad file is logged with its errors and the
running configuration kept; a good one replaces the judge's settings, PSN names, posture rules,
sinks and transcripts (capture, ports, http, data_dir, evidence, switches and collect need a
restart). SIGTERM or SIGINT stops capture and the live collector, flushes the sinks (up to 10 s)
and saves the active findings.

Needs CAP_NET_RAW for capture. Exit codes: 0 stopped by a signal, 1 runtime error, 2 usage or
configuration error.`

func runDaemon(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "run", "--config FILE [--log-level L]", runDescription)
	configFile := fs.String("config", "", "configuration `file` (YAML; see examples/syncwatch.yml)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if *configFile == "" {
		return usagef("no --config given (try syncwatch run --help)")
	}
	level := new(slog.LevelVar)
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level must be debug, info, warn or error, not %q", *logLevel)
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := loadConfig(*configFile)
	if err != nil {
		return err
	}
	d, err := newDaemon(env, cfg, log)
	if err != nil {
		return err
	}
	return d.run(ctx)
}

// loadConfig loads a configuration file; its problems are usage errors
// (exit 2), one per line as FILE:LINE: message.
func loadConfig(path string) (*config.Config, error) {
	c, err := config.Load(path)
	var errs config.Errors
	if errors.As(err, &errs) {
		return nil, usageError{fmt.Errorf("configuration errors:\n%w", err)}
	}
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

// daemon is a running syncwatch run.
type daemon struct {
	env  *environment
	log  *slog.Logger
	reg  *prometheus.Registry
	file string
	now  func() time.Time

	cfg atomic.Pointer[config.Config]
	// started is the configuration the daemon started with: what a reload
	// cannot change is compared with it.
	started *config.Config
	sensor  string
	judge   atomic.Pointer[alerts.Judge]
	lc      *alerts.Lifecycle
	sinks   *sinkSet

	sinkMetrics *alerts.SinkMetrics
	metrics     *daemonMetrics

	inv         *collectors.Inventory
	invMu       sync.Mutex // serializes inventory updates from transcripts
	transcripts transcriptSet
	collector   liveCollector
	// collectorDone is closed when the collector's Run returned (nil
	// until it started).
	collectorDone chan struct{}
	// firstPolling is true while the collector's first poll runs.
	firstPolling atomic.Bool

	cls      *capture.Classifier
	live     *capture.Live
	evidence *alerts.EvidenceStore
	store    *alerts.Store

	loadedAt   atomic.Pointer[time.Time]
	lastReload atomic.Pointer[reloadResult]
}

type reloadResult struct {
	At     time.Time `json:"at"`
	OK     bool      `json:"ok"`
	Errors []string  `json:"errors"`
}

// daemonMetrics are the daemon's own metrics (config reloads, inventory).
type daemonMetrics struct {
	reloads         *prometheus.CounterVec
	reloadOK        prometheus.Gauge
	reloadTime      prometheus.Gauge
	transcriptReads *prometheus.CounterVec
	switches        prometheus.Gauge
	sessions        prometheus.Gauge
}

func newDaemonMetrics(reg prometheus.Registerer) (*daemonMetrics, error) {
	m := &daemonMetrics{
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_config_reloads_total",
			Help: "Configuration reloads (SIGHUP), by result: success, or failure (the running configuration was kept).",
		}, []string{"result"}),
		reloadOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_config_last_reload_successful",
			Help: "Whether the last configuration load or reload succeeded (1) or was rejected (0).",
		}),
		reloadTime: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load or reload.",
		}),
		transcriptReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "syncwatch_transcript_reads_total",
			Help: "Readings of the configured transcripts, by result (failure: a file could not be read, the inventory read before is kept).",
		}, []string{"result"}),
		switches: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_inventory_switches",
			Help: "Switches in the inventory.",
		}),
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "syncwatch_inventory_sessions",
			Help: "Sessions in the inventory, all switches together.",
		}),
	}
	for _, r := range []string{"success", "failure"} {
		m.reloads.WithLabelValues(r)
		m.transcriptReads.WithLabelValues(r)
	}
	for _, c := range []prometheus.Collector{m.reloads, m.reloadOK, m.reloadTime, m.transcriptReads, m.switches, m.sessions} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("registering daemon metrics: %w", err)
		}
	}
	return m, nil
}

// buildInfo is syncwatch_build_info{version,revision,goversion} 1.
func buildInfo() prometheus.Collector {
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "syncwatch_build_info",
		Help:        "Always 1; the labels say which syncwatch runs.",
		ConstLabels: prometheus.Labels{"version": version, "revision": buildRevision(), "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}

// newDaemon sets up everything but starts nothing that runs on its own
// besides the sinks' queues.
func newDaemon(env *environment, cfg *config.Config, log *slog.Logger) (d *daemon, err error) {
	d = &daemon{env: env, log: log, file: cfg.File(), now: time.Now, inv: collectors.NewInventory(), sinks: &sinkSet{}}
	d.cfg.Store(cfg)
	d.started = cfg
	d.sensor = cfg.Sensor.Name
	if d.sensor == "" {
		if h, err := os.Hostname(); err == nil {
			d.sensor = h
		}
	}
	d.reg = prometheus.NewRegistry()
	d.reg.MustRegister(promcollectors.NewGoCollector(), promcollectors.NewProcessCollector(promcollectors.ProcessCollectorOpts{}), buildInfo())
	if d.metrics, err = newDaemonMetrics(d.reg); err != nil {
		return nil, err
	}
	if d.sinkMetrics, err = alerts.NewSinkMetrics(d.reg); err != nil {
		return nil, err
	}
	// The error returns below set d to nil: close what was started
	// through a copy of the pointer.
	partial := d
	defer func() {
		if err != nil {
			// Bounded: a sink whose peer is down retries until its
			// context ends, and a start that failed must exit.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			partial.closeAll(ctx)
		}
	}()

	if dir := cfg.DataDir; dir != "" {
		if d.store, err = alerts.OpenStore(dir); err != nil {
			return nil, err
		}
		d.evidence, err = alerts.OpenEvidenceStore(alerts.EvidenceConfig{
			Dir: filepath.Join(dir, "evidence"), MaxFiles: cfg.Evidence.MaxFiles, MaxBytes: cfg.Evidence.MaxBytes, Logger: log,
		})
		if err != nil {
			return nil, err
		}
	} else {
		log.Warn("no data_dir: active findings are not kept across restarts and no evidence is saved")
	}

	if d.env.newCollector != nil {
		c, err := d.env.newCollector(cfg, d.inv, d.reg, log)
		if err != nil {
			return nil, fmt.Errorf("live collector: %w", err)
		}
		d.collector = c
	}

	built, err := d.buildSinks(cfg, d.sensor, nil)
	if err != nil {
		return nil, usageError{fmt.Errorf("sinks: %w", err)}
	}
	d.sinks.install(built, log)

	judge := judgeOf(cfg)
	d.judge.Store(judge)
	lcfg := alerts.LifecycleConfig{
		Judge:      judge,
		Inventory:  d.inv.Snapshot,
		Sinks:      []alerts.Sink{d.sinks},
		Store:      d.store,
		Registerer: d.reg,
		Logger:     log,
		Sensor:     d.sensor,
	}
	st := settingsOf(cfg, d.sensor)
	lcfg.PSNDownEndpoints, lcfg.PSNDownWindow, lcfg.Hold, lcfg.SilenceFloor, lcfg.ConfirmTimeout = st.PSNDownEndpoints, st.PSNDownWindow, st.Hold, st.SilenceFloor, st.ConfirmTimeout
	if d.collector != nil {
		lcfg.Refresher = &refresher{c: d.collector, live: setOf(liveSwitches(cfg)), inv: d.inv}
	}
	if d.evidence != nil {
		lcfg.Evidence = d.saveEvidence
	}
	if d.lc, err = alerts.NewLifecycle(lcfg); err != nil {
		return nil, err
	}
	// Findings restored from the store are not notified again, but the
	// Alertmanager sink starts empty: without them its resends would stop
	// and their alerts expire in Alertmanager.
	seed(built, d.lc.Active(), d.lc.Clock(), d.collector != nil)

	if len(cfg.Capture.Interfaces) > 0 {
		tc := trackerOf(cfg)
		if d.cls, err = capture.NewClassifier(tc, d.lc.Attempt); err != nil {
			return nil, usageError{fmt.Errorf("capture: %w", err)}
		}
		d.live, err = capture.OpenLive(capture.LiveConfig{Interfaces: cfg.Capture.Interfaces, Ports: tc.Ports, Snaplen: cfg.Capture.Snaplen, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("opening the capture: %w", err)
		}
		if err = capture.RegisterMetrics(d.reg, d.cls, d.live); err != nil {
			return nil, err
		}
	} else {
		log.Warn("no capture.interfaces: judging no traffic (audit only); /readyz stays 503")
	}
	// Last, once nothing else can fail the start (a failed start must not
	// touch the outbox): what the webhooks kept at the last stop; the
	// files stay until a stop that delivered it.
	if cfg.DataDir != "" {
		d.sinks.setOutbox(filepath.Join(cfg.DataDir, "outbox"))
		d.sinks.restoreOutboxes(log)
	}
	now := d.now()
	d.loadedAt.Store(&now)
	d.lastReload.Store(&reloadResult{At: now, OK: true, Errors: []string{}})
	d.metrics.reloadOK.Set(1)
	d.metrics.reloadTime.Set(float64(now.UnixNano()) / 1e9)
	return d, nil
}

// saveEvidence copies a new traffic finding's frames and queues them to
// be written; it runs on the capture goroutine (from the tracker's emit
// callback), where the frames still are, and does not wait for the disk.
func (d *daemon) saveEvidence(f *alerts.Finding) string {
	if f.Attempt == nil || d.cls == nil {
		return ""
	}
	frames := alerts.CopyEvidence(d.cls.Tracker(), f.Attempt)
	if len(frames) == 0 {
		return ""
	}
	url, err := d.evidence.WriteAsync(f, frames)
	if err != nil {
		d.log.Warn("evidence not saved", "key", f.Key, "error", err)
		return ""
	}
	return url
}

// run runs until ctx ends (SIGTERM, SIGINT), then shuts down in order.
func (d *daemon) run(ctx context.Context) error {
	cfg := d.cfg.Load()
	hups := d.env.hups
	if hups == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		defer signal.Stop(ch)
		hups = ch
	}
	ln, err := net.Listen("tcp", cfg.ListenAddress())
	if err != nil {
		d.closeAll(context.Background())
		return fmt.Errorf("http: %w", err)
	}
	if d.env.onListen != nil {
		d.env.onListen(ln.Addr())
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	httpErr := make(chan error, 1)
	handler := server.Handler(server.Config{
		Gatherer: d.reg,
		Findings: func() server.Findings { return d.lc },
		Ready:    d.ready,
		Evidence: d.evidenceHandler(),
		Sensor:   d.sensor, Version: version,
		Logger: d.log,
	})
	wg.Go(func() {
		if err := server.Serve(ctx, ln, handler, cfg.HTTP.WebConfigFile, d.log); err != nil {
			httpErr <- err
			cancel()
		}
	})

	if err := d.reloadTranscripts(ctx, cfg.Transcripts, true); err != nil {
		d.log.Error("transcripts not read", "error", err)
	}
	if d.collector != nil {
		d.collector.OnUpdate(d.collectorUpdated)
		d.collectorDone = make(chan struct{})
		d.firstPoll(ctx, cfg)
		d.log.Info("live collector started", "switches", liveSwitches(cfg), "poll_interval", cfg.Collect.PollInterval.D(live.DefaultPollInterval).String())
		wg.Go(func() {
			defer close(d.collectorDone)
			if err := d.collector.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				d.log.Error("live collector stopped", "error", err)
			}
		})
	}
	poll := d.env.transcriptPoll
	if poll <= 0 {
		poll = defaultTranscriptPoll
	}
	wg.Go(func() { d.watchTranscripts(ctx, poll) })

	captureDone := make(chan error, 1)
	if d.live != nil {
		wg.Go(func() { d.watchCaptureHealth(ctx) })
		go func() { captureDone <- d.runCapture(ctx) }()
	} else {
		wg.Go(func() { d.tickWithoutCapture(ctx) })
		go func() { <-ctx.Done(); captureDone <- nil }()
	}
	d.log.Info("syncwatch running", "config", d.file, "sensor", d.sensor, "listen", ln.Addr().String(),
		"interfaces", cfg.Capture.Interfaces, "transcripts", cfg.Transcripts, "sinks", d.sinkNames())

	var runErr error
loop:
	for {
		select {
		case <-hups:
			d.reload(ctx)
		case err := <-captureDone:
			if err != nil && !errors.Is(err, context.Canceled) {
				runErr = fmt.Errorf("capture: %w", err)
			}
			captureDone = nil
			break loop
		case <-ctx.Done():
		}
	}
	cancel()
	d.log.Info("stopping: flushing the sinks and saving the findings")
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	findingsErr, err := d.closeAll(sctx)
	if err != nil {
		d.log.Error("shutdown", "error", err)
	}
	if findingsErr != nil && runErr == nil {
		// The next start would forget (and page again) what was active.
		runErr = fmt.Errorf("the active findings were not saved: %w", findingsErr)
	}
	wg.Wait()
	select {
	case err := <-httpErr:
		return err
	default:
	}
	return runErr
}

// runCapture feeds the live frames to the classifier, moving the
// lifecycle's clock with packet time, until ctx ends. Open attempts are
// not flushed at the end: their outcome is not known, and a restart must
// not turn them into findings.
func (d *daemon) runCapture(ctx context.Context) error {
	var lastTick int64
	const tickEvery = int64(time.Second)
	err := d.live.Run(ctx, func(f *capture.Frame) {
		d.cls.Frame(f)
		if f.Timestamp-lastTick >= tickEvery {
			lastTick = f.Timestamp
			d.lc.Tick(time.Unix(0, f.Timestamp))
		}
	}, func(now int64) {
		d.cls.Advance(now)
		lastTick = now
		d.lc.Tick(time.Unix(0, now))
	})
	st := d.cls.Stats()
	d.log.Info("capture stopped", "packets", st.Packets, "decoded", st.Decoded, "attempts", st.Attempts, "open_not_reported", st.Open)
	return err
}

// watchCaptureHealth tells the lifecycle whether capture is healthy: every
// interface up and no kernel drops since the last look.
func (d *daemon) watchCaptureHealth(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var lastDrops uint64
	was := true
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		healthy := true
		for _, h := range d.live.InterfaceHealth() {
			healthy = healthy && h.Up
		}
		var drops uint64
		for _, s := range d.live.InterfaceStats() {
			drops += s.Dropped
		}
		if drops > lastDrops {
			healthy = false
		}
		lastDrops = drops
		if healthy != was {
			d.log.Warn("capture health changed", "healthy", healthy, "kernel_drops", drops)
			was = healthy
		}
		d.lc.SetCaptureHealth(healthy, d.now())
	}
}

// tickWithoutCapture moves the lifecycle's clock when nothing is captured.
func (d *daemon) tickWithoutCapture(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d.lc.Tick(now)
		}
	}
}

// closeAll stops what the daemon started, within ctx's deadline.
func (d *daemon) closeAll(ctx context.Context) (findingsErr, err error) {
	var errs []error
	if d.live != nil {
		errs = append(errs, d.live.Close())
	}
	if d.lc != nil {
		// Pending confirms end first (their refreshes need the collector),
		// then the findings are saved.
		findingsErr = d.lc.Close(ctx)
		errs = append(errs, findingsErr)
	}
	if d.collector != nil {
		errs = append(errs, d.closeCollector(ctx))
	}
	if d.sinks != nil {
		errs = append(errs, d.sinks.Close(ctx))
	}
	if d.evidence != nil {
		errs = append(errs, d.evidence.Close())
	}
	// Last: the lifecycle's final save is done.
	errs = append(errs, d.store.Close())
	return findingsErr, errors.Join(errs...)
}

// firstPoll reads every live switch once before capture starts, within
// firstPollTimeout; the switches that failed are logged (the collector
// logged each failure) and read again on the collector's schedule.
func (d *daemon) firstPoll(ctx context.Context, cfg *config.Config) {
	d.firstPolling.Store(true)
	defer d.firstPolling.Store(false)
	start := time.Now()
	pctx, cancel := context.WithTimeout(ctx, firstPollTimeout)
	defer cancel()
	err := d.collector.PollOnce(pctx)
	took := time.Since(start)
	if err != nil {
		d.log.Warn("first poll of the live switches incomplete; capture starts, the failed switches are read again on their schedule",
			"switches", len(liveSwitches(cfg)), "failed", len(unjoin(err)), "took", took.String())
		return
	}
	d.log.Info("first poll of the live switches done", "switches", len(liveSwitches(cfg)), "took", took.String())
}

// closeCollector closes the live collector once its Run returned (ctx
// ended, at shutdown), within ctx's deadline.
func (d *daemon) closeCollector(ctx context.Context) error {
	if d.collectorDone != nil {
		select {
		case <-d.collectorDone:
		case <-ctx.Done():
			return fmt.Errorf("the live collector still polls at shutdown: %w", ctx.Err())
		}
	}
	if err := d.collector.Close(); err != nil {
		return fmt.Errorf("closing the live collector: %w", err)
	}
	return nil
}

// collectorUpdated takes the live collector's news: a switch's sessions
// or ACLs changed. It runs the audit on the inventory as it is now (not on
// the snapshot the call carries: polls of several switches end in any
// order), serialized with the transcripts' updates.
func (d *daemon) collectorUpdated(*collectors.Snapshot) {
	d.invMu.Lock()
	defer d.invMu.Unlock()
	d.inventoryChanged(d.inv.Snapshot())
}

func (d *daemon) evidenceHandler() http.Handler {
	if d.evidence == nil {
		return nil
	}
	return d.evidence.Handler()
}

func (d *daemon) sinkNames() []string {
	d.sinks.mu.RLock()
	defer d.sinks.mu.RUnlock()
	var out []string
	for _, k := range d.sinks.sinks {
		out = append(out, k.Name())
	}
	return out
}

// readiness is /readyz's answer.
type readiness struct {
	Ready      bool                 `json:"ready"`
	Reasons    []string             `json:"reasons"`
	Config     configState          `json:"config"`
	Interfaces []interfaceReadiness `json:"interfaces"`
	// Switches is the live collector's health of each switch it reads;
	// it is information, not a condition of readiness (capture is).
	Switches []switchReadiness `json:"switches"`
}

// switchReadiness is one switch's polling health.
type switchReadiness struct {
	Name        string     `json:"name"`
	Up          bool       `json:"up"`
	Connected   bool       `json:"connected"`
	Sessions    int        `json:"sessions"`
	Failures    int        `json:"failures"`
	LastPoll    *time.Time `json:"last_poll"`
	LastSuccess *time.Time `json:"last_success"`
	Reason      string     `json:"reason"`
	LastError   string     `json:"last_error"`
}

type configState struct {
	File       string        `json:"file"`
	LoadedAt   time.Time     `json:"loaded_at"`
	LastReload *reloadResult `json:"last_reload"`
}

type interfaceReadiness struct {
	Name      string `json:"name"`
	Up        bool   `json:"up"`
	Failures  uint64 `json:"failures"`
	LastError string `json:"last_error"`
}

// ready is ready when the configuration is loaded and capture runs on at
// least one interface.
func (d *daemon) ready() (bool, any) {
	r := readiness{Reasons: []string{}, Interfaces: []interfaceReadiness{}, Switches: []switchReadiness{},
		Config: configState{File: d.file, LastReload: d.lastReload.Load()}}
	if d.collector != nil {
		for _, h := range d.collector.Health() {
			sr := switchReadiness{Name: h.Name, Up: h.Up, Connected: h.Connected, Sessions: h.Sessions, Failures: h.Failures,
				Reason: h.Reason, LastError: h.Error}
			if !h.LastPoll.IsZero() {
				t := h.LastPoll.UTC()
				sr.LastPoll = &t
			}
			if !h.LastSuccess.IsZero() {
				t := h.LastSuccess.UTC()
				sr.LastSuccess = &t
			}
			r.Switches = append(r.Switches, sr)
		}
	}
	if t := d.loadedAt.Load(); t != nil {
		r.Config.LoadedAt = t.UTC()
	}
	up := 0
	if d.live != nil {
		for _, h := range d.live.InterfaceHealth() {
			r.Interfaces = append(r.Interfaces, interfaceReadiness{h.Name, h.Up, h.Failures, h.LastError})
			if h.Up {
				up++
			}
		}
	}
	switch {
	case d.live == nil:
		r.Reasons = append(r.Reasons, "no capture interface configured (capture.interfaces)")
	case up == 0:
		r.Reasons = append(r.Reasons, "capture is running on no interface")
	}
	if d.firstPolling.Load() {
		// A start-up step, not the switches' health: capture waits for it.
		r.Reasons = append(r.Reasons, "the first poll of the live switches is running (capture starts after it)")
	}
	r.Ready = len(r.Reasons) == 0
	return r.Ready, r
}

// reload reads the configuration file again (SIGHUP). A file with errors
// is logged and the running configuration kept; a good one replaces what
// can change while capture runs.
func (d *daemon) reload(ctx context.Context) {
	now := d.now()
	fail := func(msgs []string) {
		d.metrics.reloads.WithLabelValues("failure").Inc()
		d.metrics.reloadOK.Set(0)
		d.lastReload.Store(&reloadResult{At: now, OK: false, Errors: msgs})
		d.log.Error("configuration rejected; the running configuration is kept", "file", d.file, "errors", msgs)
	}
	cfg, err := config.Load(d.file)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			msgs := make([]string, len(errs))
			for i, e := range errs {
				msgs[i] = e.Error()
			}
			fail(msgs)
			return
		}
		fail([]string{err.Error()})
		return
	}
	sensor := cfg.Sensor.Name
	if sensor == "" {
		sensor = d.sensor
	}
	built, err := d.buildSinks(cfg, sensor, d.sinks)
	if err != nil {
		fail([]string{"sinks: " + err.Error()})
		return
	}
	for _, what := range restartNeeded(d.started, cfg) {
		d.log.Warn("configuration change needs a restart to take effect; the running value is kept", "section", what)
	}
	judge := judgeOf(cfg)
	d.judge.Store(judge)
	st := settingsOf(cfg, sensor)
	st.Judge = judge
	d.lc.Reconfigure(st)
	d.cfg.Store(cfg)
	replaced := handOverWebhooks(d.sinks.install(built, d.log), built.sinks, d.log)
	seed(built, d.lc.Active(), d.lc.Clock(), d.collector != nil)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := closeSinks(ctx, replaced); err != nil {
			d.log.Warn("replaced sinks left notifications undelivered", "error", err)
		}
	}()
	d.loadedAt.Store(&now)
	d.lastReload.Store(&reloadResult{At: now, OK: true, Errors: []string{}})
	d.metrics.reloads.WithLabelValues("success").Inc()
	d.metrics.reloadOK.Set(1)
	d.metrics.reloadTime.Set(float64(now.UnixNano()) / 1e9)
	d.log.Info("configuration reloaded", "file", d.file, "sinks", d.sinkNames())
	if err := d.reloadTranscripts(ctx, cfg.Transcripts, true); err != nil {
		d.log.Error("transcripts not read; keeping the inventory read before", "error", err)
	}
}

// restartNeeded names the sections whose change a reload cannot apply.
func restartNeeded(old, cfg *config.Config) []string {
	var out []string
	if !reflect.DeepEqual(trackerOf(old), trackerOf(cfg)) || !reflect.DeepEqual(old.Capture.Interfaces, cfg.Capture.Interfaces) || old.Capture.Snaplen != cfg.Capture.Snaplen {
		out = append(out, "capture, ports or the PSN addresses the capture keeps")
	}
	if old.ListenAddress() != cfg.ListenAddress() || old.HTTP.WebConfigFile != cfg.HTTP.WebConfigFile {
		out = append(out, "http")
	}
	if old.DataDir != cfg.DataDir || old.Evidence.MaxFiles != cfg.Evidence.MaxFiles || old.Evidence.MaxBytes != cfg.Evidence.MaxBytes {
		out = append(out, "data_dir or evidence")
	}
	if switchesSignature(old) != switchesSignature(cfg) {
		out = append(out, "switches or collect (live collection)")
	}
	return out
}

// psnsOf returns the configured PSNs.
func psnsOf(cfg *config.Config) []alerts.PSN {
	var out []alerts.PSN
	for _, p := range cfg.PSNs {
		ps := alerts.PSN{Name: p.Name}
		for _, a := range p.Addresses {
			ps.Addrs = append(ps.Addrs, netip.Addr(a))
		}
		out = append(out, ps)
	}
	return out
}

func judgeOf(cfg *config.Config) *alerts.Judge {
	return alerts.NewJudge(alerts.JudgeConfig{PSNs: psnsOf(cfg), Rules: cfg.PostureRules()})
}

func settingsOf(cfg *config.Config, sensor string) alerts.Settings {
	j := &cfg.Judge
	return alerts.Settings{
		PSNDownEndpoints: j.PSNDownEndpoints,
		PSNDownWindow:    time.Duration(j.PSNDownWindow),
		Hold:             time.Duration(j.Hold),
		SilenceFloor:     time.Duration(j.SilenceFloor),
		ConfirmTimeout:   time.Duration(j.ConfirmTimeout),
		Sensor:           sensor,
	}
}

// trackerOf is the capture's tracker configuration: the configured ports,
// and the PSN addresses (only they count as PSNs when any is configured).
func trackerOf(cfg *config.Config) capture.TrackerConfig {
	tc := capture.TrackerConfig{
		Ports:         cfg.PortList(),
		AnswerTimeout: time.Duration(cfg.Capture.AnswerTimeout),
		Grace:         time.Duration(cfg.Capture.Grace),
		MaxAttempts:   cfg.Capture.MaxAttempts,
	}
	for _, p := range cfg.PSNs {
		for _, a := range p.Addresses {
			tc.PSNs = append(tc.PSNs, netip.Addr(a))
		}
	}
	return tc
}
