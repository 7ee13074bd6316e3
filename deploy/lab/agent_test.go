package lab

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The results of one probe, as the agent's log names them.
const (
	resultConnected  = "connected"  // SYN-ACK: the port was reached
	resultRefused    = "refused"    // RST: reached, nothing listens
	resultProhibited = "prohibited" // ICMP admin-prohibited from an ACL that answers
	resultTimeout    = "timeout"    // nothing came back
	resultStopped    = "stopped"    // the agent read Compliant while compliant and stopped
)

// probe is one line of an agent's log: one try of one PSN, or the stop.
type probe struct {
	Time     time.Time `json:"time"`
	Endpoint string    `json:"endpoint"`
	Round    int       `json:"round"`
	PSN      string    `json:"psn,omitempty"`
	// LocalPort is the client port, chosen by the agent so that the
	// capture's attempt for the try is known even when the dial fails.
	LocalPort int    `json:"local_port,omitempty"`
	Result    string `json:"result"`
	// Posture is the X-ISE-POSTURE_STATUS header read, if any.
	Posture string `json:"posture,omitempty"`
	Error   string `json:"error,omitempty"`
}

// probePort is the client port of an agent's try of the i-th PSN in a
// round: unique in the run, so no attempt is mistaken for another.
func probePort(round, i int) int { return 30000 + round*8 + i }

// httpTimeout bounds the TLS handshake and request after a connect.
const httpTimeout = 5 * time.Second

// maxRounds bounds an agent's loop, whatever happens to the test.
const maxRounds = 400

// runAgent is the posture agent role: every LAB_INTERVAL it tries, in
// parallel, HTTPS GET /auth/StateSynch on port 8449 of its PSN and its two
// backups (LAB_PSNS) from LAB_ENDPOINT, each with LAB_TIMEOUT, and logs
// every try as a JSON line to LAB_LOG. When it reads Compliant while its
// own posture (LAB_POSTURE) is Compliant, it stops probing, as the real
// agent stops after "Incorrect configuration detected".
func runAgent() int {
	endpoint := netip.MustParseAddr(os.Getenv("LAB_ENDPOINT"))
	var psns []netip.Addr
	for _, s := range strings.Split(os.Getenv("LAB_PSNS"), ",") {
		psns = append(psns, netip.MustParseAddr(s))
	}
	interval, err1 := time.ParseDuration(os.Getenv("LAB_INTERVAL"))
	timeout, err2 := time.ParseDuration(os.Getenv("LAB_TIMEOUT"))
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		return 2
	}
	postureFile := os.Getenv("LAB_POSTURE")
	ca, err := os.ReadFile(os.Getenv("LAB_CA"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		return 2
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	logf, err := os.OpenFile(os.Getenv("LAB_LOG"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		return 2
	}
	defer logf.Close()
	var mu sync.Mutex
	write := func(p probe) {
		b, _ := json.Marshal(p)
		mu.Lock()
		defer mu.Unlock()
		logf.Write(append(b, '\n'))
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	fmt.Println("probing")
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for round := 0; round < maxRounds; round++ {
		var wg sync.WaitGroup
		results := make([]probe, len(psns))
		for i, psn := range psns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Not ctx: a stopped agent finishes its round, so that
				// every try it started is logged with its result.
				results[i] = tryPSN(context.Background(), endpoint, psn, probePort(round, i), timeout, pool)
				results[i].Round = round
				write(results[i])
			}()
		}
		wg.Wait()
		own, err := readPosture(postureFile, endpoint.String())
		if err != nil {
			fmt.Fprintln(os.Stderr, "agent:", err)
			return 1
		}
		for _, r := range results {
			if own == postureCompliant && r.Posture == postureCompliant {
				write(probe{Time: time.Now().UTC(), Endpoint: endpoint.String(), Round: round, PSN: r.PSN,
					Result: resultStopped, Posture: r.Posture})
				<-ctx.Done()
				return 0
			}
		}
		select {
		case <-ctx.Done():
			return 0
		case <-tick.C:
		}
	}
	return 0
}

// tryPSN makes one state-sync request and says what came back.
func tryPSN(ctx context.Context, from, psn netip.Addr, port int, timeout time.Duration, pool *x509.CertPool) probe {
	p := probe{Time: time.Now().UTC(), Endpoint: from.String(), PSN: psn.String(), LocalPort: port}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, uint16(port)))}
	conn, err := d.DialContext(dctx, "tcp", netip.AddrPortFrom(psn, StatePort).String())
	switch {
	case err == nil:
		p.Result = resultConnected
	case errors.Is(err, syscall.ECONNREFUSED):
		p.Result, p.Error = resultRefused, err.Error()
		return p
	case errors.Is(err, syscall.EHOSTUNREACH):
		// Linux reports ICMP "communication administratively
		// prohibited" to connect as "no route to host".
		p.Result, p.Error = resultProhibited, err.Error()
		return p
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		p.Result, p.Error = resultTimeout, err.Error()
		return p
	default:
		p.Result, p.Error = "error", err.Error()
		return p
	}
	defer conn.Close()
	// The exchange has a budget of its own: a slow machine must not turn
	// a reached PSN into a try without its answer.
	ctx, cancel = context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	tr := &http.Transport{
		DialContext:       func(context.Context, string, string) (net.Conn, error) { return conn, nil },
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+netip.AddrPortFrom(psn, StatePort).String()+"/auth/StateSynch", nil)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	resp.Body.Close()
	p.Posture = resp.Header.Get(postureHeader)
	if resp.StatusCode != http.StatusOK {
		p.Error = "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	return p
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
