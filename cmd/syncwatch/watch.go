package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/syncwatch/syncwatch/capture"
)

func runWatch(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "watch", "--interface IF... [--port N]... [--psn ADDR]... [--answer-timeout D] [--grace D] [--max-attempts N] [--snaplen N] [--metrics-listen ADDR] [--log-level L]",
		"Capture live on SPAN interfaces (AF_PACKET, promiscuous, with a kernel filter for the state-sync\n"+
			"ports) and print each completed attempt, and each late correction of one, as one JSON line on\n"+
			"stdout (the same object as in analyze's \"attempts\"). Logs go to stderr as JSON.\n"+
			"Needs CAP_NET_RAW (or root). Stops on SIGINT or SIGTERM.")
	var tf trackerFlags
	tf.register(fs)
	var ifaces stringList
	fs.Var(&ifaces, "interface", "capture `interface` (a SPAN destination port); repeat for several")
	snaplen := fs.Int("snaplen", capture.DefaultSnaplen, "bytes kept of each frame (at least 128)")
	metricsAddr := fs.String("metrics-listen", "", "serve Prometheus metrics on this `address` (host:port), e.g. 127.0.0.1:9849")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if len(ifaces) == 0 {
		return usagef("no --interface given (try syncwatch watch --help)")
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	if err := checkMetricsListen(*metricsAddr); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usagef("--log-level must be debug, info, warn or error, not %q", *logLevel)
	}
	log := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))
	cfg, err := tf.config()
	if err != nil {
		return err
	}

	out := bufio.NewWriter(env.stdout)
	enc := json.NewEncoder(out)
	var writeErr error
	cls, err := capture.NewClassifier(cfg, func(a *capture.Attempt) {
		if writeErr != nil {
			return
		}
		if writeErr = enc.Encode(a); writeErr == nil {
			// One line per attempt, as it happens: consumers tail this.
			writeErr = out.Flush()
		}
	})
	if err != nil {
		return usageError{err}
	}
	liveCfg := capture.LiveConfig{Interfaces: ifaces, Ports: cfg.Ports, Snaplen: *snaplen, Logger: log}
	if err := liveCfg.Check(); err != nil {
		return usageError{err}
	}
	live, err := capture.OpenLive(liveCfg)
	if err != nil {
		return fmt.Errorf("opening the capture: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *metricsAddr != "" {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		if err := capture.RegisterMetrics(reg, cls, live); err != nil {
			return err
		}
		ln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server stopped", "err", err)
			}
		}()
		defer srv.Close()
		log.Info("serving metrics", "address", ln.Addr().String())
	}

	log.Info("capturing", "interfaces", []string(ifaces), "ports", cfg.Ports, "answer_timeout", cfg.AnswerTimeout.String())
	runErr := live.Run(ctx, func(f *capture.Frame) {
		cls.Frame(f)
		if writeErr != nil {
			cancel()
		}
	}, cls.Advance)
	st := cls.Stats()
	log.Info("capture stopped", "packets", st.Packets, "decoded", st.Decoded, "attempts", st.Attempts,
		"open_not_reported", st.Open, "kernel", interfacesJSON(live.InterfaceStats()))
	if writeErr != nil {
		return fmt.Errorf("writing attempts: %w", writeErr)
	}
	// Run keeps reopening failed interfaces until the context ends, so
	// anything but the end of the context is a real error.
	if runErr != nil && !errors.Is(runErr, context.Canceled) {
		return fmt.Errorf("capture: %w", runErr)
	}
	return nil
}

// checkMetricsListen finds a --metrics-listen that is not host:port, a
// usage error (exit 2) rather than a failure to listen.
func checkMetricsListen(addr string) error {
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--metrics-listen %q is not host:port: %v", addr, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return usagef("--metrics-listen %q: %q is not a TCP port (0-65535)", addr, port)
	}
	return nil
}
