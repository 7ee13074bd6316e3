package lab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/internal/sshd"
)

// This file is the seam where the daemon, `syncwatch run`, plugs into the
// lab: its configuration (the switch read over SSH by its live collector),
// its start in the sensor namespace, and the scenario drivers that assert
// against its API and Alertmanager's. A binary without the run command
// (SYNCWATCH_LAB_BIN from an older branch) runs syncwatch watch and audit
// only, and the daemon's subtests say they are skipped.

// daemonAvailable reports whether the binary has the run command.
func daemonAvailable(bin string) bool {
	out, _ := exec.Command(bin, "run", "--help").CombinedOutput()
	return !strings.Contains(string(out), "unknown command")
}

// daemon is `syncwatch run` in the sensor namespace.
type daemon struct {
	l    *lab
	proc *process
	api  string // http://127.0.0.1:9849
}

// daemonConfig writes the lab's configuration for syncwatch run: the
// PSNs (psns, with scenario 7's extra one when asked), the switch with its
// SSH login (password from a file, the lab sshd's host key in known_hosts)
// for the live collector, and the daemon's sections with the lab's short
// timers.
func (l *lab) daemonConfig(o sensorOptions, sw *switchSSH, am *alertmanager, psns []configPSN) (string, error) {
	// The daemon runs as nobody: its folder is one nobody can reach
	// (t.TempDir's parents are private to root), its files its own.
	dir := sshd.SharedDir(l.t)
	if err := os.Chown(dir, 65534, 65534); err != nil {
		return "", err
	}
	pw := filepath.Join(dir, "switch-password")
	kh := filepath.Join(dir, "known_hosts")
	for path, data := range map[string]string{pw: sw.user.Password + "\n", kh: sw.srv.KnownHostsLine() + "\n"} {
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			return "", err
		}
		if err := os.Chown(path, 65534, 65534); err != nil {
			return "", err
		}
	}
	path := filepath.Join(dir, "syncwatch.yml")
	err := writeConfig(path, configData{
		PSNs: psns, Daemon: true, Span: o.span, AnswerTimeout: o.answerTimeout,
		Alertmanagers: []string{am.url()}, Listen: metricsListen, DataDir: filepath.Join(dir, "data"),
		Live: true, SSHUser: sw.user.Name, SSHPasswordFile: pw, KnownHosts: kh,
	})
	return path, err
}

// startDaemon is THE seam: it starts `syncwatch run --config FILE` in the
// sensor namespace as nobody with only CAP_NET_RAW, capturing on o.span,
// reading the switch at o.mgmt over SSH (the switch section of the config)
// and posting to the Alertmanager on the namespace's loopback, and returns
// once /readyz answers 200. o.config comes from daemonConfig.
func (l *lab) startDaemon(ctx context.Context, bin string, o sensorOptions) *daemon {
	l.t.Helper()
	d := &daemon{l: l, api: "http://" + metricsListen}
	d.proc = l.start(l.sensor, "daemon", nil, unprivileged(bin, "run", "--config", o.config)...)
	if err := l.waitReady(ctx, "syncwatch run", d.api+"/readyz", d.proc); err != nil {
		l.t.Fatal(err)
	}
	return d
}

// apiFinding is the part of a finding of /api/v1/findings (the one finding
// schema of syncwatch) the scenarios check.
type apiFinding struct {
	Kind       string `json:"kind"`
	Key        string `json:"key"`
	Switch     string `json:"switch"`
	Interface  string `json:"interface"`
	EndpointIP string `json:"endpoint_ip"`
	DACL       string `json:"dacl"`
	ACLLine    string `json:"acl_line"`
	PSN        string `json:"psn"`
	FirstSeen  string `json:"first_seen"`
	Count      int    `json:"count"`
	Confirm    *struct {
		At      string `json:"at"`
		Verdict string `json:"verdict"`
	} `json:"confirm"`
}

// logTail logs the daemon's log, debug lines left out, for a failed run.
func (d *daemon) logTail(t *testing.T) {
	b, err := os.ReadFile(d.proc.stderr.Name())
	if err != nil {
		t.Logf("daemon log: %v", err)
		return
	}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.Contains(line, `"level":"DEBUG"`) {
			keep = append(keep, line)
		}
	}
	t.Logf("daemon log (%d lines without debug):\n%s", len(keep), strings.Join(keep, "\n"))
}

// confirmRefreshes returns the sum and count of the daemon's confirm
// refresh times (syncwatch_confirm_refresh_duration_seconds).
func (d *daemon) confirmRefreshes(ctx context.Context) (sum float64, n int, err error) {
	code, b, err := d.l.sensorHTTP(ctx, http.MethodGet, d.api+"/metrics", nil)
	if err != nil {
		return 0, 0, err
	}
	if code != http.StatusOK {
		return 0, 0, fmt.Errorf("/metrics: HTTP %d", code)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "syncwatch_confirm_refresh_duration_seconds_sum "); ok {
			if sum, err = strconv.ParseFloat(v, 64); err != nil {
				return 0, 0, err
			}
		}
		if v, ok := strings.CutPrefix(line, "syncwatch_confirm_refresh_duration_seconds_count "); ok {
			if n, err = strconv.Atoi(v); err != nil {
				return 0, 0, err
			}
		}
	}
	return sum, n, nil
}

// polls returns how many polls of the switch the daemon's live collector
// finished successfully so far (syncwatch_collector_polls_total).
func (d *daemon) polls(ctx context.Context) (int, error) {
	code, b, err := d.l.sensorHTTP(ctx, http.MethodGet, d.api+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	if code != http.StatusOK {
		return 0, fmt.Errorf("/metrics: HTTP %d", code)
	}
	prefix := `syncwatch_collector_polls_total{result="ok",source="ssh",switch="` + switchName + `"} `
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			n, err := strconv.Atoi(v)
			return n, err
		}
	}
	return 0, fmt.Errorf("/metrics has no %s", strings.TrimSpace(prefix))
}

// waitPolled waits until the daemon's live collector has read the switch
// twice since the call (the first poll may have started before a change
// the caller just made), within an explicit deadline.
func (d *daemon) waitPolled(ctx context.Context, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	from, err := d.polls(ctx)
	if err != nil {
		return err
	}
	for {
		n, err := d.polls(ctx)
		if err == nil && n >= from+2 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the daemon did not poll the switch twice within %v (polls %d, then %d, %v)", within, from, n, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// findings returns the daemon's active findings.
func (d *daemon) findings(ctx context.Context) ([]apiFinding, error) {
	code, b, err := d.l.sensorHTTP(ctx, http.MethodGet, d.api+"/api/v1/findings", nil)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("/api/v1/findings: HTTP %d: %s", code, b)
	}
	var r struct {
		Active []apiFinding `json:"active"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("/api/v1/findings: %w", err)
	}
	return r.Active, nil
}

// waitFinding waits until the daemon has an active finding that match
// accepts, and returns it; the deadline is explicit.
func (d *daemon) waitFinding(ctx context.Context, within time.Duration, what string, match func(apiFinding) bool) (apiFinding, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		fs, err := d.findings(ctx)
		for _, f := range fs {
			if match(f) {
				return f, nil
			}
		}
		select {
		case <-ctx.Done():
			return apiFinding{}, fmt.Errorf("no finding %s within %v (last error %v, findings %+v)", what, within, err, fs)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// waitAlert waits until Alertmanager holds an alert whose labels include
// want, and returns it and when it was first seen; the deadline is
// explicit.
func (am *alertmanager) waitAlert(ctx context.Context, within time.Duration, want map[string]string) (amAlert, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		as, err := am.alerts(ctx)
		for _, a := range as {
			if labelsInclude(a.Labels, want) {
				return a, time.Now(), nil
			}
		}
		select {
		case <-ctx.Done():
			return amAlert{}, time.Time{}, fmt.Errorf("no alert %v within %v (last error %v, %d alerts)", want, within, err, len(as))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// alertsWhere returns the alerts whose labels include want.
func (am *alertmanager) alertsWhere(ctx context.Context, want map[string]string) ([]amAlert, error) {
	as, err := am.alerts(ctx)
	if err != nil {
		return nil, err
	}
	var out []amAlert
	for _, a := range as {
		if labelsInclude(a.Labels, want) {
			out = append(out, a)
		}
	}
	return out, nil
}

func labelsInclude(labels, want map[string]string) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// runRecord is what a run of the lab did, for the daemon's assertions.
type runRecord struct {
	l           *lab
	dacls       map[string]*dacl
	byEndpoint  map[string][]probe
	compliantAt time.Time
	// raceShownAt is when the daemon had surely read ep5's compliant
	// session (scenario 3): two polls after the switch's change.
	raceShownAt time.Time
	// attempts are the live capture's, for the answering packets' times.
	attempts map[attemptKey]attempt
	// seen has the alerts' first sight in Alertmanager.
	seen *alertSeen
	// received are the times from the answering packet to Alertmanager's
	// receipt (the alert's updatedAt), next to latency's to the first
	// sight: the difference is the lab's polling of the API.
	received []time.Duration
	// notes say, for each measured alert, what the daemon's finding
	// shows: its first sight, count and confirm, next to the try's
	// answering packet.
	notes []string
	// finding returns the daemon's active finding of a kind, endpoint and
	// PSN.
	finding func(kind, endpoint, psn string) (apiFinding, bool)
}

// latency is the time from the answering packet of a try (SYN-ACK, ICMP)
// to the alert's first sight in Alertmanager.
func (r *runRecord) latency(p probe, kind string) (time.Duration, error) {
	a, ok := r.attempts[attemptKey{p.Endpoint, p.LocalPort}]
	if !ok || a.AnsweredAt == nil {
		return 0, fmt.Errorf("%s:%d: no answered attempt in the capture", p.Endpoint, p.LocalPort)
	}
	at, ok := r.seen.at(kind, p.Endpoint, p.PSN)
	if !ok {
		return 0, fmt.Errorf("%s for %s and %s never seen in Alertmanager", kind, p.Endpoint, p.PSN)
	}
	rec, ok := r.seen.receivedAt(kind, p.Endpoint, p.PSN)
	if ok && !rec.IsZero() {
		r.received = append(r.received, rec.Sub(*a.AnsweredAt))
	}
	if r.finding != nil {
		if f, ok := r.finding(kind, p.Endpoint, p.PSN); ok {
			c := ""
			if f.Confirm != nil {
				c = " confirm " + f.Confirm.Verdict + " at " + f.Confirm.At
			}
			r.notes = append(r.notes, fmt.Sprintf("%s %s->%s: try answered %s, finding first seen %s (count %d)%s, Alertmanager received %s, first seen %s",
				kind, p.Endpoint, p.PSN, a.AnsweredAt.UTC().Format(time.RFC3339Nano), f.FirstSeen, f.Count, c,
				rec.UTC().Format(time.RFC3339Nano), at.UTC().Format(time.RFC3339Nano)))
		}
	}
	return at.Sub(*a.AnsweredAt), nil
}

// firstTry returns an endpoint's first try of a PSN with the result.
func (r *runRecord) firstTry(endpoint, psn, result string) (probe, bool) {
	for _, p := range r.byEndpoint[endpoint] {
		if p.PSN == psn && p.Result == result {
			return p, true
		}
	}
	return probe{}, false
}

// alertDeadline is the bound from the answering packet to the
// alert in Alertmanager.
const alertDeadline = 10 * time.Second

// checkDaemonScenarios asserts scenarios 1 to 5 against the daemon's API
// and Alertmanager's, after the run. It returns the latencies from the
// answering packet (the agent's try, which the SYN-ACK ends within a
// millisecond here) to the alert's first sight in Alertmanager.
func checkDaemonScenarios(ctx context.Context, d *daemon, am *alertmanager, r *runRecord) (latencies []time.Duration, errs []error) {
	ep := func(i int) *endpoint { return r.l.endpoints[i] }
	r.finding = func(kind, endpoint, psn string) (apiFinding, bool) {
		fs, _ := d.findings(ctx)
		for _, f := range fs {
			if f.Kind == kind && f.EndpointIP == endpoint && f.PSN == psn {
				return f, true
			}
		}
		return apiFinding{}, false
	}
	psn := func(i int) string { return r.l.psns[i].addr.String() }
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	// Scenario 2: compliant-reached for psn2 only, naming switch,
	// interface, dACL (and in the annotations the permitting line).
	ep3 := ep(2)
	try, ok := r.firstTry(ep3.name, psn(1), resultConnected)
	if !ok {
		fail("scenario 2: ep3 never reached psn2")
	} else {
		want := map[string]string{"kind": "compliant-reached", "endpoint_ip": ep3.addr.String(), "psn": psn(1),
			"switch": switchName, "interface": ep3.ifname, "dacl": r.dacls[daclContractor].full}
		a, _, err := am.waitAlert(ctx, alertDeadline, want)
		if err != nil {
			fail("scenario 2: %v", err)
		} else {
			if lat, err := r.latency(try, "compliant-reached"); err != nil {
				fail("scenario 2: %v", err)
			} else if latencies = append(latencies, lat); lat > alertDeadline {
				fail("scenario 2: compliant-reached in Alertmanager %v after the answering packet, more than %v", lat, alertDeadline)
			}
			if !strings.Contains(a.Annotations["description"], "permit ip any any") {
				fail("scenario 2: description %q does not name the permitting line", a.Annotations["description"])
			}
		}
	}
	for _, other := range []string{psn(0), psn(2)} {
		if as, err := am.alertsWhere(ctx, map[string]string{"kind": "compliant-reached", "psn": other}); err != nil || len(as) > 0 {
			fail("scenario 2: compliant-reached for %s: %v %v", other, as, err)
		}
	}
	if _, err := d.waitFinding(ctx, alertDeadline, "dacl-permits-psn for CONTRACTOR_COMPLIANT and psn2", func(f apiFinding) bool {
		return f.Key == "dacl-permits-psn|"+r.dacls[daclContractor].full+"|"+psn(1)+"|8449"
	}); err != nil {
		fail("scenario 2: %v", err)
	}
	if fs, err := d.findings(ctx); err != nil {
		fail("scenario 2: %v", err)
	} else {
		for _, f := range fs {
			if f.Kind == "dacl-permits-psn" && f.Key != "dacl-permits-psn|"+r.dacls[daclContractor].full+"|"+psn(1)+"|8449" {
				fail("scenario 2: another dacl-permits-psn: %s", f.Key)
			}
		}
	}
	if _, err := d.waitFinding(ctx, 30*time.Second, "state-sync-disabled for ep3", func(f apiFinding) bool {
		return f.Kind == "state-sync-disabled" && f.EndpointIP == ep3.addr.String()
	}); err != nil {
		fail("scenario 2: %v", err)
	}

	// Scenario 3: race, not compliant-reached. The race was in
	// Alertmanager (it may have resolved since: ep5's agent stopped, and
	// its correct dACL held for the hold time).
	ep5 := ep(4)
	if err := r.seen.wait(ctx, alertDeadline, "race", ep5.addr.String(), ""); err != nil {
		fail("scenario 3: %v", err)
	}
	for _, p := range r.l.psns {
		if _, ok := r.seen.at("compliant-reached", ep5.addr.String(), p.addr.String()); ok {
			fail("scenario 3: a compliant-reached for ep5 and %s was in Alertmanager", p.name)
		}
		// Each PSN's race is measured from the try that made it: the
		// race's first try falls somewhere in the polls the lab waits for
		// after the switch's change, so it is the last connected try of
		// ep5 to that PSN answered before Alertmanager received the race
		// (tries are a probe interval, 2 s, apart; later tries only count).
		rec, ok := r.seen.receivedAt("race", ep5.addr.String(), p.addr.String())
		if !ok {
			continue
		}
		var made *probe
		for i, try := range r.byEndpoint[ep5.name] {
			a, ok := r.attempts[attemptKey{try.Endpoint, try.LocalPort}]
			if try.PSN == p.addr.String() && try.Result == resultConnected && ok && a.AnsweredAt != nil &&
				!a.AnsweredAt.After(rec) && try.Time.After(r.raceShownAt.Add(-probeInterval)) {
				made = &r.byEndpoint[ep5.name][i]
			}
		}
		if made == nil {
			fail("scenario 3: no try of ep5 to %s answered before its race reached Alertmanager", p.name)
			continue
		}
		if lat, err := r.latency(*made, "race"); err != nil {
			fail("scenario 3: %v", err)
		} else {
			latencies = append(latencies, lat)
		}
	}

	// Scenario 4: sync-path-blocked for psn1, and the audit's
	// dacl-blocks-sync.
	ep4 := ep(3)
	if try, ok := r.firstTry(ep4.name, psn(0), resultProhibited); ok {
		_, _, err := am.waitAlert(ctx, alertDeadline, map[string]string{"kind": "sync-path-blocked", "endpoint_ip": ep4.addr.String(), "psn": psn(0)})
		if err != nil {
			fail("scenario 4: %v", err)
		} else if lat, err := r.latency(try, "sync-path-blocked"); err != nil {
			fail("scenario 4: %v", err)
		} else {
			latencies = append(latencies, lat)
		}
	} else {
		fail("scenario 4: ep4 never was refused by psn1's ACL")
	}
	if _, err := d.waitFinding(ctx, alertDeadline, "dacl-blocks-sync for BRANCH_REDIRECT and psn1", func(f apiFinding) bool {
		return f.Key == "dacl-blocks-sync|"+r.dacls[daclBranch].full+"|"+psn(0)+"|8449"
	}); err != nil {
		fail("scenario 4: %v", err)
	}

	// Scenario 5: psn-not-listening for psn3.
	if a, _, err := am.waitAlert(ctx, alertDeadline, map[string]string{"kind": "psn-not-listening", "psn": psn(2)}); err != nil {
		fail("scenario 5: %v", err)
	} else {
		for _, e := range []*endpoint{ep(1), ep(3)} {
			if try, ok := r.firstTry(e.name, psn(2), resultRefused); ok && a.Labels["endpoint_ip"] == e.addr.String() {
				if lat, err := r.latency(try, "psn-not-listening"); err == nil {
					latencies = append(latencies, lat)
				}
			}
		}
	}

	// Scenario 1: nothing about ep1 and ep2, but ep2's psn-not-listening
	// for psn3 (scenario 5).
	for _, e := range []*endpoint{ep(0), ep(1)} {
		as, err := am.alertsWhere(ctx, map[string]string{"endpoint_ip": e.addr.String()})
		if err != nil {
			fail("scenario 1: %v", err)
		}
		for _, a := range as {
			if a.Labels["kind"] != "psn-not-listening" || a.Labels["psn"] != psn(2) {
				fail("scenario 1: alert for %s: %v", e.name, a.Labels)
			}
		}
	}
	return latencies, errs
}

// amOutage is scenario 6's driver: Alertmanager stops, during makes the
// compliant endpoint e reach psn (scenario 2's fault, on its own endpoint)
// and Alertmanager starts again. With the daemon (d not nil), the finding
// must be in the daemon's API while Alertmanager is down, and the queued
// alert must arrive once it is back well before the resend interval (20 s
// in the lab's config) would send it again. Without it, only the outage
// itself is checked: Alertmanager did not answer while stopped.
func amOutage(ctx context.Context, d *daemon, am *alertmanager, e *endpoint, psn string, dc *dacl, during func()) error {
	am.stop()
	if _, err := am.alerts(ctx); err == nil {
		am.start(ctx)
		return fmt.Errorf("scenario 6: Alertmanager answers while stopped")
	}
	during()
	var errs []error
	if d != nil {
		if _, err := d.waitFinding(ctx, alertDeadline, "compliant-reached for "+e.name, func(f apiFinding) bool {
			return f.Kind == "compliant-reached" && f.EndpointIP == e.addr.String() && f.PSN == psn
		}); err != nil {
			errs = append(errs, fmt.Errorf("scenario 6: %w", err))
		}
	}
	am.start(ctx)
	if d != nil {
		want := map[string]string{"kind": "compliant-reached", "endpoint_ip": e.addr.String(), "psn": psn, "dacl": dc.full}
		if _, _, err := am.waitAlert(ctx, 10*time.Second, want); err != nil {
			errs = append(errs, fmt.Errorf("scenario 6: the queued alert: %w", err))
		}
	}
	if _, err := am.alerts(ctx); err != nil {
		errs = append(errs, fmt.Errorf("scenario 6: Alertmanager back: %w", err))
	}
	return errors.Join(errs...)
}
