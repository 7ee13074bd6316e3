package alerts

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/internal/peers"
)

// These tests deliver findings to real Alertmanagers (Debian's
// prometheus-alertmanager, started on loopback by internal/peers) and read
// what they hold through their API and their webhook notifications.

const (
	// realWait bounds every wait for a real Alertmanager.
	realWait = 30 * time.Second
	// realExternalURL is the daemon's URL in the alerts (never reached).
	realExternalURL = "http://syncwatch.test:9849"
)

// wantReachedLabels are the labels of endpoint 1's compliant-reached
// finding towards psn2, as the README's label table names them.
var wantReachedLabels = map[string]string{
	"alertname":    "SyncwatchCompliantEndpointReachedPSN",
	"severity":     "critical",
	"kind":         "compliant-reached",
	"switch":       "sw1",
	"interface":    "GigabitEthernet1/0/1",
	"psn":          "10.0.0.12",
	"endpoint_ip":  "10.1.0.1",
	"endpoint_mac": "a4:bb:6d:00:00:01",
	"dacl":         compliantD,
}

// liveLab is a lifecycle over an inventory whose attempts carry the wall
// clock's times, so that what Alertmanager holds is current.
type liveLab struct {
	*Lifecycle
	inv *inventory
}

// newLiveLab returns a lifecycle over snap (the lab inventory when nil)
// telling sinks, with a hold of 5 s and evidence paths /api/v1/evidence/ID.
func newLiveLab(t testing.TB, sensor string, snap *collectors.Snapshot, reg prometheus.Registerer, sinks ...Sink) *liveLab {
	t.Helper()
	if snap == nil {
		snap = labSnapshot(t)
	}
	inv := newInventory(snap)
	l, err := NewLifecycle(LifecycleConfig{
		Judge: labJudge(t), Inventory: inv.get, Sinks: sinks, Sensor: sensor, Hold: 5 * time.Second, Registerer: reg,
		Evidence: func(f *Finding) string { return "/api/v1/evidence/" + strings.ReplaceAll(f.EndpointMAC, ":", "") },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("lifecycle close: %v", err)
		}
	})
	return &liveLab{Lifecycle: l, inv: inv}
}

// liveAttempt is attemptOf's attempt moved to start at at.
func liveAttempt(t testing.TB, spec string, at time.Time) *capture.Attempt {
	a := attemptOf(t, spec)
	shift := at.Sub(labT0)
	a.FirstSeen = a.FirstSeen.Add(shift)
	if !a.AnsweredAt.IsZero() {
		a.AnsweredAt = a.AnsweredAt.Add(shift)
	}
	return a
}

// newRealSink starts an Alertmanager sink to the peers with the default
// retry policy and a resend interval of an hour, so that nothing a test
// sees comes from a resend; the test closes it.
func newRealSink(t testing.TB, m *SinkMetrics, edit func(*AlertmanagerConfig), ams ...*peers.Alertmanager) *Alertmanager {
	t.Helper()
	cfg := AlertmanagerConfig{ResendInterval: time.Hour, ExternalURL: realExternalURL}
	for _, am := range ams {
		cfg.Peers = append(cfg.Peers, am.URL)
	}
	if edit != nil {
		edit(&cfg)
	}
	a, err := NewAlertmanager(cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Close(ctx)
	})
	return a
}

// waitAlerts polls am until cond holds for its alerts, and returns them.
func waitAlerts(t testing.TB, ctx context.Context, am *peers.Alertmanager, what string, cond func([]peers.Alert) bool) []peers.Alert {
	t.Helper()
	for {
		got, err := am.Alerts(ctx)
		if err == nil && cond(got) {
			return got
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: %s: not reached (%v); alerts: %+v", am.URL, what, err, got)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func hasAlerts(n int) func([]peers.Alert) bool {
	return func(a []peers.Alert) bool { return len(a) == n }
}

// msEqual compares times to the millisecond, the precision of
// Alertmanager's API.
func msEqual(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

// within reports whether t lies within [from, to], to the millisecond.
func within(t, from, to time.Time) bool {
	t = t.Truncate(time.Millisecond)
	return !t.Before(from.Truncate(time.Millisecond)) && !t.After(to)
}

// TestRealAlertmanagerFiresAndResolves: a compliant-reached finding
// appears in a real Alertmanager's /api/v2/alerts with exactly its labels
// and annotations, is notified to the webhook receiver, then resolves:
// endsAt is the resolution's time, Alertmanager notifies "resolved" and
// lists the alert no more, not even with active=false (its API leaves out
// every alert whose endsAt has passed).
func TestRealAlertmanagerFiresAndResolves(t *testing.T) {
	hook := peers.StartWebhook(t)
	am := peers.StartAlertmanager(t, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
	sink := newRealSink(t, nil, nil, am)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()

	// The attempt happened 25 s ago, so that the hold can pass by the
	// lifecycle's clock and the resolution still be now.
	t0 := time.Now().Add(-25 * time.Second)
	sent := time.Now()
	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", t0))
	active := l.Active()
	if len(active) != 1 || active[0].Kind != KindCompliantReached {
		t.Fatalf("active %+v", active)
	}
	f := active[0]
	got := waitAlerts(t, ctx, am, "one alert", hasAlerts(1))
	a := got[0]
	if !reflect.DeepEqual(a.Labels, wantReachedLabels) {
		t.Errorf("labels:\n got %v\nwant %v", a.Labels, wantReachedLabels)
	}
	wantAnn := map[string]string{
		"summary":     f.Summary,
		"description": alertDescription(&f),
		"action":      f.Action,
		"runbook_url": DefaultRunbookURL + "#compliant-reached",
		"evidence":    realExternalURL + "/api/v1/evidence/a4bb6d000001",
		"sensor":      "span-host-1",
	}
	if !reflect.DeepEqual(a.Annotations, wantAnn) {
		t.Errorf("annotations:\n got %q\nwant %q", a.Annotations, wantAnn)
	}
	for _, want := range []string{"Endpoint 10.1.0.1 (a4:bb:6d:00:00:01) on sw1 GigabitEthernet1/0/1", "dACL " + compliantD, "PSN psn2 (10.0.0.12) port 8449"} {
		if !strings.Contains(a.Annotations["description"], want) {
			t.Errorf("description lacks %q:\n%s", want, a.Annotations["description"])
		}
	}
	if f.Summary == "" || f.Action == "" {
		t.Errorf("summary %q action %q", f.Summary, f.Action)
	}
	if wantURL := realExternalURL + "/api/v1/findings?key=" + strings.ReplaceAll(strings.ReplaceAll(f.Key, "|", "%7C"), ":", "%3A"); a.GeneratorURL != wantURL {
		t.Errorf("generatorURL %q, want %q", a.GeneratorURL, wantURL)
	}
	if !msEqual(a.StartsAt, f.FirstSeen) {
		t.Errorf("startsAt %v, want the first SYN-ACK %v", a.StartsAt, f.FirstSeen)
	}
	if !within(a.EndsAt, sent.Add(4*time.Hour), time.Now().Add(4*time.Hour)) {
		t.Errorf("endsAt %v, want four resend intervals (4 h) after the send at %v", a.EndsAt, sent)
	}
	if a.Status.State != "active" || len(a.Receivers) != 1 || a.Receivers[0].Name != "webhook" || a.Fingerprint == "" {
		t.Errorf("status %+v receivers %+v fingerprint %q", a.Status, a.Receivers, a.Fingerprint)
	}
	notes, err := hook.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := notes[0]; n.Status != "firing" || len(n.Alerts) != 1 || !reflect.DeepEqual(n.Alerts[0].Labels, wantReachedLabels) ||
		n.Alerts[0].Fingerprint != a.Fingerprint || n.Alerts[0].GeneratorURL != a.GeneratorURL {
		t.Errorf("firing notification %+v", n)
	}

	// The switch now applies the fixed dACL: two sweeps 10 s apart by the
	// lifecycle's clock (more than the hold) resolve it, now.
	l.inv.set(withSession(t, l.inv.get(), "a4:bb:6d:00:00:01", func(s *collectors.Session) { s.DACL = compliantFixed }))
	l.Tick(t0.Add(12 * time.Second))
	if len(l.Active()) != 1 {
		t.Fatal("resolved before the hold")
	}
	resolvedAt := time.Now()
	l.Tick(resolvedAt)
	if len(l.Active()) != 0 {
		t.Fatalf("not resolved after the hold: %+v", l.Active())
	}
	notes, err = hook.WaitFor(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := notes[1]
	if n.Status != "resolved" || len(n.Alerts) != 1 || n.Alerts[0].Status != "resolved" || !reflect.DeepEqual(n.Alerts[0].Labels, wantReachedLabels) {
		t.Fatalf("resolved notification %+v", n)
	}
	if !msEqual(n.Alerts[0].EndsAt, resolvedAt) || !msEqual(n.Alerts[0].StartsAt, f.FirstSeen) {
		t.Errorf("resolved: startsAt %v endsAt %v, want %v and the resolution %v", n.Alerts[0].StartsAt, n.Alerts[0].EndsAt, f.FirstSeen, resolvedAt)
	}
	for _, q := range []map[string][]string{nil, {"active": {"false"}}, {"active": {"true"}, "silenced": {"true"}, "inhibited": {"true"}, "unprocessed": {"true"}}} {
		got, err := am.AlertsWhere(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 {
			t.Errorf("resolved, /api/v2/alerts?%v still lists %+v", q, got)
		}
	}
	if firing, resolved := sink.Active(); firing != 0 || resolved != 1 {
		t.Errorf("sink Active() = %d, %d; want the resolved alert kept for its retention", firing, resolved)
	}
}

// TestRealAlertmanagerOutage: with the Alertmanager stopped, findings
// wait in the sink's bounded queue (counted: queue length 2 of 2, the
// third finding refused, failed deliveries by reason "connection");
// started again on the same port, it receives the queued alerts at the
// next retry of the backoff (at most DefaultDeliveryRetryMax later), long
// before the hour's resend, and the refused one right after them, as the
// sink sends every alert again to a peer that recovered.
func TestRealAlertmanagerOutage(t *testing.T) {
	hook := peers.StartWebhook(t)
	am := peers.StartAlertmanager(t, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
	reg := prometheus.NewPedanticRegistry()
	m, err := NewSinkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	sink := newRealSink(t, m, func(c *AlertmanagerConfig) { c.QueueSize = 2 }, am)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()
	peer := strings.TrimPrefix(am.URL, "http://")
	metric := func(c interface {
		WithLabelValues(...string) prometheus.Counter
	}) float64 {
		return testutil.ToFloat64(c.WithLabelValues("alertmanager", peer))
	}

	am.Stop(t)
	now := time.Now()
	// Endpoint 1's dACL denies psn1 only: reaching psn2, psn3 and psn4 are
	// three compliant-reached findings.
	for _, psn := range []string{"10.0.0.12", "10.0.0.13", "10.0.0.14"} {
		l.Attempt(liveAttempt(t, "10.1.0.1>"+psn+" accepted mac=1", now))
	}
	// Long enough for the backoff to reach its cap.
	outage := 8 * time.Second
	time.Sleep(outage)
	failures := testutil.ToFloat64(m.failures.WithLabelValues("alertmanager", peer, reasonConnection))
	if failures < 2 {
		t.Errorf("%v failed deliveries during the outage", failures)
	}
	if q := testutil.ToFloat64(m.queueLength.WithLabelValues("alertmanager", peer)); q != 2 {
		t.Errorf("queue length %v during the outage, want 2", q)
	}
	if c := testutil.ToFloat64(m.queueCapacity.WithLabelValues("alertmanager", peer)); c != 2 {
		t.Errorf("queue capacity %v, want 2", c)
	}
	if r := metric(m.refused); r != 1 {
		t.Errorf("%v refused by the full queue, want 1", r)
	}

	am.Start(t)
	back := time.Now()
	waitAlerts(t, ctx, am, "the queued alerts", func(a []peers.Alert) bool { return len(a) >= 2 })
	queued := time.Since(back)
	got := waitAlerts(t, ctx, am, "all three alerts", hasAlerts(3))
	all := time.Since(back)
	t.Logf("after an outage of %v (%v failed deliveries), the queued alerts were in /api/v2/alerts %v after Alertmanager was ready again, all three (the refused one too) %v after", outage, failures, queued, all)
	var psns []string
	for _, a := range got {
		if !reflect.DeepEqual(withoutKeys(a.Labels, "psn"), withoutKeys(wantReachedLabels, "psn")) {
			t.Errorf("labels %v", a.Labels)
		}
		psns = append(psns, a.Labels["psn"])
	}
	sort.Strings(psns)
	if want := []string{"10.0.0.12", "10.0.0.13", "10.0.0.14"}; !reflect.DeepEqual(psns, want) {
		t.Errorf("alerts for PSNs %v, want %v", psns, want)
	}
	if q := testutil.ToFloat64(m.queueLength.WithLabelValues("alertmanager", peer)); q != 0 {
		t.Errorf("queue length %v after the delivery", q)
	}
	if d := metric(m.notifications); d != 3 {
		t.Errorf("%v notifications delivered, want 3", d)
	}
	if _, err := hook.WaitFor(ctx, 3); err != nil {
		t.Fatal(err)
	}
}

// TestRealAlertmanagerRestartForgets: Alertmanager keeps no alerts across
// a restart. An alert delivered before an outage is gone when the peer
// comes back; the sink, which saw the peer fail while it delivered a new
// one, sends it every alert again as soon as it recovers, not at the
// hour's resend.
func TestRealAlertmanagerRestartForgets(t *testing.T) {
	am := peers.StartAlertmanager(t, peers.AlertmanagerOptions{})
	sink := newRealSink(t, nil, nil, am)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()

	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", time.Now()))
	waitAlerts(t, ctx, am, "the first alert", hasAlerts(1))
	am.Stop(t)
	l.Attempt(liveAttempt(t, "10.1.0.3>10.0.0.11 unanswered mac=3", time.Now()))
	time.Sleep(time.Second)
	am.Start(t)
	back := time.Now()
	got := waitAlerts(t, ctx, am, "both alerts", hasAlerts(2))
	t.Logf("both alerts in /api/v2/alerts %v after the restart", time.Since(back))
	var kinds []string
	for _, a := range got {
		kinds = append(kinds, a.Labels["kind"])
	}
	sort.Strings(kinds)
	if want := []string{"compliant-reached", "sync-path-blocked"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
}

// TestRealAlertmanagerResolvedDuringOutage: a finding notified as firing
// resolves while the Alertmanager is down; started again (its alerts
// lost, its notification log kept in its storage), it gets the resolved
// alert from the queue and notifies the webhook "resolved".
func TestRealAlertmanagerResolvedDuringOutage(t *testing.T) {
	hook := peers.StartWebhook(t)
	am := peers.StartAlertmanager(t, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
	sink := newRealSink(t, nil, nil, am)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()

	t0 := time.Now().Add(-25 * time.Second)
	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", t0))
	if notes, err := hook.WaitFor(ctx, 1); err != nil || notes[0].Status != "firing" {
		t.Fatalf("firing notification %+v %v", notes, err)
	}
	// Alertmanager logs a notification once the webhook has answered; a
	// stop in between would lose the entry, and with it the resolution's
	// notification.
	time.Sleep(500 * time.Millisecond)
	am.Stop(t)
	l.inv.set(withSession(t, l.inv.get(), "a4:bb:6d:00:00:01", func(s *collectors.Session) { s.DACL = compliantFixed }))
	l.Tick(t0.Add(12 * time.Second))
	resolvedAt := time.Now()
	l.Tick(resolvedAt)
	if len(l.Active()) != 0 {
		t.Fatalf("not resolved: %+v", l.Active())
	}
	time.Sleep(time.Second)
	am.Start(t)
	notes, err := hook.WaitFor(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	n := notes[1]
	if n.Status != "resolved" || len(n.Alerts) != 1 || !reflect.DeepEqual(n.Alerts[0].Labels, wantReachedLabels) || !msEqual(n.Alerts[0].EndsAt, resolvedAt) {
		t.Errorf("after the outage, notification %+v, want the resolution at %v", n, resolvedAt)
	}
	if got, err := am.Alerts(ctx); err != nil || len(got) != 0 {
		t.Errorf("alerts %+v %v", got, err)
	}
}

// TestRealAlertmanagerCluster: two Alertmanagers clustered on loopback
// both receive the alert (the sink posts to every peer; alerts are not
// gossiped), and the webhook gets one notification, not one per peer.
func TestRealAlertmanagerCluster(t *testing.T) {
	hook := peers.StartWebhook(t)
	ams := peers.StartCluster(t, 2, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
	sink := newRealSink(t, nil, nil, ams...)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()

	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", time.Now()))
	var fps []string
	for _, am := range ams {
		got := waitAlerts(t, ctx, am, "one alert", hasAlerts(1))
		if !reflect.DeepEqual(got[0].Labels, wantReachedLabels) {
			t.Errorf("%s: labels %v", am.URL, got[0].Labels)
		}
		fps = append(fps, got[0].Fingerprint)
	}
	if fps[0] != fps[1] {
		t.Errorf("fingerprints differ: %v", fps)
	}
	notes := settledNotifications(t, ctx, hook, 1)
	if len(notes) != 1 || notes[0].Status != "firing" || len(notes[0].Alerts) != 1 {
		t.Errorf("notifications %+v, want one firing with one alert", notes)
	}
}

// TestRealClusterPeerRestart: one peer of a cluster of two restarts while
// a new finding fires. It rejoins, gets both alerts from the sink (the
// queued one and, having recovered, the one it lost), and the cluster
// notifies each alert once: the restarted peer learns from the gossip
// and its storage that the first was notified already.
func TestRealClusterPeerRestart(t *testing.T) {
	hook := peers.StartWebhook(t)
	ams := peers.StartCluster(t, 2, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
	sink := newRealSink(t, nil, nil, ams...)
	l := newLiveLab(t, "span-host-1", nil, nil, sink)
	ctx, cancel := context.WithTimeout(context.Background(), realWait)
	defer cancel()

	l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", time.Now()))
	settledNotifications(t, ctx, hook, 1)
	ams[1].Stop(t)
	l.Attempt(liveAttempt(t, "10.1.0.3>10.0.0.11 unanswered mac=3", time.Now()))
	waitAlerts(t, ctx, ams[0], "both alerts on the peer that stayed", hasAlerts(2))
	time.Sleep(time.Second)
	ams[1].Start(t)
	if err := ams[1].WaitClustered(ctx, 2); err != nil {
		t.Fatal(err)
	}
	waitAlerts(t, ctx, ams[1], "both alerts on the restarted peer", hasAlerts(2))
	notes := settledNotifications(t, ctx, hook, 2)
	var kinds []string
	for _, n := range notes {
		for _, a := range n.Alerts {
			kinds = append(kinds, n.Status+" "+a.Labels["kind"])
		}
	}
	if want := []string{"firing compliant-reached", "firing sync-path-blocked"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("notifications %q, want %q", kinds, want)
	}
}

// settledNotifications waits for want notifications and then for as long
// as the second peer of a cluster waits before it notifies in place of the
// first (its peer timeout) and its group wait, twice, with a margin: what
// it returns is all the cluster sends.
func settledNotifications(t testing.TB, ctx context.Context, hook *peers.Webhook, want int) []peers.Notification {
	t.Helper()
	if _, err := hook.WaitFor(ctx, want); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2*(time.Second+200*time.Millisecond) + 2*time.Second)
	return hook.Received()
}

// TestRealRedundantSensors (issue 7): two sensors that see the same
// attempt, each with its own lifecycle and sink posting to both peers of a
// cluster, make one alert on each peer (identical labels; the sensor is an
// annotation) and one notification. With SensorLabel they make two alerts
// and two notifications, one per sensor.
func TestRealRedundantSensors(t *testing.T) {
	for _, sensorLabel := range []bool{false, true} {
		t.Run(fmt.Sprintf("SensorLabel=%v", sensorLabel), func(t *testing.T) {
			hook := peers.StartWebhook(t)
			ams := peers.StartCluster(t, 2, peers.AlertmanagerOptions{Route: peers.Route{WebhookURL: hook.URL, GroupBy: []string{"..."}}})
			sensors := []string{"span-a", "span-b"}
			var labs []*liveLab
			for _, s := range sensors {
				sink := newRealSink(t, nil, func(c *AlertmanagerConfig) { c.SensorLabel = sensorLabel }, ams...)
				labs = append(labs, newLiveLab(t, s, nil, nil, sink))
			}
			ctx, cancel := context.WithTimeout(context.Background(), realWait)
			defer cancel()

			at := time.Now()
			for _, l := range labs {
				l.Attempt(liveAttempt(t, "10.1.0.1>10.0.0.12 accepted mac=1", at))
			}
			want := 1
			if sensorLabel {
				want = 2
			}
			for _, am := range ams {
				got := waitAlerts(t, ctx, am, fmt.Sprintf("%d alerts", want), hasAlerts(want))
				var seen []string
				for _, a := range got {
					labels := withoutKeys(a.Labels, "sensor")
					if !reflect.DeepEqual(labels, wantReachedLabels) {
						t.Errorf("%s: labels %v", am.URL, a.Labels)
					}
					if sensorLabel && a.Labels["sensor"] != a.Annotations["sensor"] {
						t.Errorf("%s: sensor label %q, annotation %q", am.URL, a.Labels["sensor"], a.Annotations["sensor"])
					}
					seen = append(seen, a.Annotations["sensor"])
				}
				sort.Strings(seen)
				switch {
				case sensorLabel && !reflect.DeepEqual(seen, sensors):
					t.Errorf("%s: sensors %v", am.URL, seen)
				case !sensorLabel && (len(seen) != 1 || (seen[0] != "span-a" && seen[0] != "span-b")):
					t.Errorf("%s: sensor annotation %v", am.URL, seen)
				}
			}
			notes := settledNotifications(t, ctx, hook, want)
			var got []string
			for _, n := range notes {
				if n.Status != "firing" || len(n.Alerts) != 1 {
					t.Errorf("notification %+v", n)
					continue
				}
				got = append(got, n.Alerts[0].Labels["sensor"])
			}
			sort.Strings(got)
			wantSensors := []string{""}
			if sensorLabel {
				wantSensors = sensors
			}
			if !reflect.DeepEqual(got, wantSensors) {
				t.Errorf("notifications for sensor labels %q, want %q", got, wantSensors)
			}
		})
	}
}

// withoutKeys returns m without the keys.
func withoutKeys(m map[string]string, without ...string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range without {
		delete(out, k)
	}
	return out
}
