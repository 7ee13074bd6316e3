package lab

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// StatePort is ISE's posture state-synchronization port.
const StatePort = 8449

// postureHeader is the header ISE answers /auth/StateSynch with. Go would
// canonicalize it to X-Ise-Posture_status; it is written as ISE spells it.
const postureHeader = "X-ISE-POSTURE_STATUS"

// The posture values the lab's ISE knows.
const (
	postureUnknown   = "Unknown"
	postureCompliant = "Compliant"
)

// writeCert makes the lab's self-signed certificate for every PSN address
// and writes cert.pem and key.pem into dir.
func writeCert(dir string, addrs []netip.Addr) (certFile, keyFile string, err error) {
	var ips []net.IP
	for _, a := range addrs {
		ips = append(ips, a.AsSlice())
	}
	return testenv.WriteSelfSigned(dir, "ise-psn.lab.invalid", nil, ips)
}

// writePosture replaces the posture file (endpoint address to ISE
// posture) that the PSN servers and the agents read on every request, by
// renaming, so no reader sees half a file.
func writePosture(path string, posture map[string]string) error {
	b, err := json.Marshal(posture)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("posture file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("posture file: %w", err)
	}
	return nil
}

// readPosture returns an endpoint's posture from the posture file;
// Unknown when the file does not name it.
func readPosture(path, endpoint string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("posture file: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return "", fmt.Errorf("posture file %s: %w", path, err)
	}
	if p, ok := m[endpoint]; ok {
		return p, nil
	}
	return postureUnknown, nil
}

// runPSN is the PSN server role: HTTPS on LAB_LISTEN answering GET
// /auth/StateSynch with the requesting endpoint's posture from
// LAB_POSTURE, as ISE does. It prints "listening" once it accepts
// connections and serves until SIGTERM or SIGINT.
func runPSN() int {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	listen, postureFile := os.Getenv("LAB_LISTEN"), os.Getenv("LAB_POSTURE")
	cert, err := tls.LoadX509KeyPair(os.Getenv("LAB_CERT"), os.Getenv("LAB_KEY"))
	if err != nil {
		log.Error("certificate", "err", err)
		return 2
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/StateSynch", func(w http.ResponseWriter, r *http.Request) {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil {
			http.Error(w, "bad remote address", http.StatusBadRequest)
			return
		}
		posture, err := readPosture(postureFile, ap.Addr().String())
		if err != nil {
			log.Error("posture", "err", err)
			http.Error(w, "posture unavailable", http.StatusInternalServerError)
			return
		}
		w.Header()[postureHeader] = []string{posture}
		w.WriteHeader(http.StatusOK)
		log.Info("state sync", "endpoint", ap.Addr().String(), "posture", posture)
	})
	l, err := net.Listen("tcp", listen)
	if err != nil {
		log.Error("listen", "err", err)
		return 2
	}
	srv := &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Println("listening", listen)
	if err := srv.ServeTLS(l, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		return 1
	}
	return 0
}
