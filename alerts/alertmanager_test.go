package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/syncwatch/syncwatch/capture"
	"github.com/syncwatch/syncwatch/collectors"
	"github.com/syncwatch/syncwatch/internal/secret"
)

// The flag has its own name so that it cannot clash with another test
// file's -update in this package.
var updateSinkGolden = flag.Bool("update-sinks", false, "rewrite the sinks' golden files in testdata/alertmanager")

// sinkT0 is the packet time of the example findings.
var sinkT0 = time.Date(2026, 12, 3, 19, 18, 38, 704653000, time.UTC)

// sinkExampleFindings returns one realistic finding of every kind, as the
// judge and the audit fill them.
func sinkExampleFindings() []Finding {
	ip := netip.MustParseAddr
	const (
		mac      = "a4:bb:6d:10:22:03"
		compl    = "xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814"
		redirect = "xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12"
	)
	accepted := &capture.Attempt{ID: 7, Client: ip("10.1.10.23"), ClientPort: 50123, ClientMAC: [6]byte{0xa4, 0xbb, 0x6d, 0x10, 0x22, 0x03}, HasClientMAC: true,
		PSN: ip("10.0.0.13"), Port: 8449, Outcome: capture.Accepted, SYNSeen: true, SYNs: 1,
		FirstSeen: sinkT0, AnsweredAt: sinkT0.Add(1200 * time.Microsecond), Interface: "span0"}
	refused := *accepted
	refused.Outcome = capture.Refused
	prohibited := *accepted
	prohibited.Client, prohibited.Outcome, prohibited.HasICMP, prohibited.ICMPType, prohibited.ICMPCode, prohibited.ICMPFrom =
		ip("10.1.10.31"), capture.Prohibited, true, 3, 13, ip("10.1.10.1")
	unanswered := *accepted
	unanswered.Client, unanswered.Outcome, unanswered.AnsweredAt = ip("2001:db8:10::31"), capture.Unanswered, time.Time{}
	unanswered.PSN = ip("2001:db8::11")

	traffic := func(kind Kind, a *capture.Attempt, f Finding) Finding {
		f.Kind, f.Severity = kind, kind.Severity()
		f.Attempt = a
		if !f.EndpointIP.IsValid() {
			f.EndpointIP = a.Client
		}
		f.PSN, f.Port = a.PSN, a.Port
		if f.PSNName == "" {
			f.PSNName = "psn3"
		}
		f.Key = KeyOf(string(kind), f.EndpointMAC, f.PSN.String(), "8449")
		f.Sensor = "span-host-1"
		f.FirstSeen, f.LastSeen, f.Count = sinkT0.Add(-10*time.Minute), sinkT0, 3
		f.Evidence = "/evidence/" + string(kind) + "_10.1.10.23_20261203T191838.704653000Z_0123456789.pcap"
		return f
	}
	session := Finding{EndpointMAC: mac, Switch: "access-sw1", Interface: "GigabitEthernet1/0/3", SessionID: "0A0114020000001B2B3C4D02", MatchedBy: collectors.MatchMAC}
	compliant := session
	compliant.Posture, compliant.PostureRule, compliant.DACL, compliant.ACL = collectors.PostureCompliant, "dacl:(?i)compliant", compl, compl
	compliant.ACLLine, compliant.ACLLineSeq = "permit ip any any", 30
	unknown := session
	unknown.EndpointMAC, unknown.Interface, unknown.SessionID = "a4:bb:6d:10:22:31", "GigabitEthernet1/0/31", "0A0114020000002A2B3C4D31"
	unknown.Posture, unknown.PostureRule, unknown.DACL, unknown.ACL = collectors.PostureUnknown, "url-redirect", redirect, redirect
	unknown.ACLLine, unknown.ACLLineSeq = "deny ip any any", 90

	out := []Finding{
		traffic("compliant-reached", accepted, with(compliant, func(f *Finding) {
			f.Confirm = &Confirm{At: sinkT0.Add(2 * time.Second), Posture: collectors.PostureCompliant, DACL: compl, Verdict: "permit"}
			f.Summary = "Compliant endpoint 10.1.10.23 reached PSN psn3 (10.0.0.13) on TCP 8449: dACL EMPLOYEE_COMPLIANT permits it at entry 30"
			f.Action = "add `deny tcp any host 10.0.0.13 eq 8449` before entry 30 (`permit ip any any`) of dACL EMPLOYEE_COMPLIANT in ISE (Policy > Policy Elements > Results > Authorization > Downloadable ACLs); then restart the endpoint's Secure Client"
		})),
		traffic("not-blocked", &refused, with(compliant, func(f *Finding) {
			f.Summary = "Compliant endpoint 10.1.10.23's SYN to PSN psn3 (10.0.0.13) TCP 8449 was not blocked (the PSN refused it)"
			f.Action = "add `deny tcp any host 10.0.0.13 eq 8449` before entry 30 of dACL EMPLOYEE_COMPLIANT in ISE"
		})),
		traffic("race", accepted, with(compliant, func(f *Finding) {
			f.ACLLine, f.ACLLineSeq = "deny tcp any host 10.0.0.13 eq 8449", 10
			f.AuthzChangedAt = sinkT0.Add(-1500 * time.Millisecond)
			f.Summary = "Compliant endpoint 10.1.10.23 reached PSN psn3 (10.0.0.13) 1.5 s after its authorization changed; its dACL now denies it"
			f.Action = "set Network transition delay = 10 s in the posture profile (Cisco bug CSCwd58316)"
		})),
		traffic("psn-not-listening", &refused, with(unknown, func(f *Finding) {
			f.EndpointIP = ip("10.1.10.31")
			f.ACLLine, f.ACLLineSeq = "permit tcp any any eq 8449", 20
			f.Summary = "PSN psn3 (10.0.0.13) refused the state-sync probe of unknown endpoint 10.1.10.31 on TCP 8449"
			f.Action = "check that posture state synchronization is enabled on the PSN and the port matches the client provisioning portal"
		})),
		traffic("sync-path-blocked", &prohibited, with(unknown, func(f *Finding) {
			f.Summary = "Unknown endpoint 10.1.10.31 cannot reach PSN psn3 (10.0.0.13) on TCP 8449: ICMP administratively prohibited"
			f.Action = "add `permit tcp any host 10.0.0.13 eq 8449` before entry 90 (`deny ip any any`) of dACL POSTURE_REDIRECT in ISE"
		})),
		traffic("state-sync-disabled", accepted, with(compliant, func(f *Finding) {
			f.Summary = "Endpoint 10.1.10.23 stopped probing PSNs after reaching psn3 (10.0.0.13): its agent disabled state sync"
			f.Action = "fix the dACL, then restart Cisco Secure Client on the endpoint"
		})),
		traffic("unclassified", accepted, with(session, func(f *Finding) {
			f.Posture, f.PostureRule, f.DACL = collectors.PostureUnclassified, "default", "xACSACLx-IP-PHONES-11aa22bb"
			f.Summary = "Endpoint 10.1.10.23 with unclassified posture (dACL PHONES) reached PSN psn3 (10.0.0.13)"
			f.Action = "add a posture rule for dACL PHONES if posture applies"
		})),
		traffic("unmanaged", &unanswered, Finding{EndpointMAC: "a4:bb:6d:10:22:03", MatchedBy: collectors.MatchNone,
			PSNName: "psn1", Summary: "Endpoint 2001:db8:10::31 has no session on any switch syncwatch reads",
			Action: "add the endpoint's switch to the configuration or its transcripts"}),
		{Kind: "psn-down", Severity: SeverityCritical, Key: KeyOf("psn-down", "10.0.0.13", "8449"), PSN: ip("10.0.0.13"), PSNName: "psn3", Port: 8449,
			Sensor: "span-host-1", FirstSeen: sinkT0.Add(-time.Minute), LastSeen: sinkT0, Count: 7,
			Summary: "PSN psn3 (10.0.0.13) unreachable on TCP 8449: 7 unknown or pending endpoints failed in 60 s, none reached it",
			Action:  "check that the PSN is up and its state-sync port open (ISE: Administration > System > Deployment)"},
		{Kind: KindDACLPermitsPSN, Severity: SeverityCritical, Key: KeyOf(string(KindDACLPermitsPSN), compl, "10.0.0.13", "8449"),
			Posture: collectors.PostureCompliant, PostureRule: "dacl:(?i)compliant", DACL: compl, ACL: compl, ACLLine: "permit ip any any", ACLLineSeq: 30,
			PSN: ip("10.0.0.13"), PSNName: "psn3", Port: 8449, Count: 2,
			Sessions: []SessionRef{
				{Switch: "access-sw1", Interface: "GigabitEthernet1/0/3", EndpointIP: ip("10.1.10.23"), EndpointMAC: mac, SessionID: "0A0114020000001B2B3C4D02"},
				{Switch: "access-sw2", Interface: "GigabitEthernet1/0/12", EndpointIP: ip("10.2.10.12"), EndpointMAC: "a4:bb:6d:20:10:12"},
			},
			Summary: "dACL xACSACLx-IP-EMPLOYEE_COMPLIANT-5f152814 permits TCP 8449 to PSN psn3 (10.0.0.13) at entry 30",
			Action:  "add `deny tcp any host 10.0.0.13 eq 8449` before entry 30 (`permit ip any any`) of dACL EMPLOYEE_COMPLIANT in ISE"},
		{Kind: KindDACLBlocksSync, Severity: SeverityWarning, Key: KeyOf(string(KindDACLBlocksSync), redirect, "10.0.0.13", "8449"),
			Posture: collectors.PostureUnknown, PostureRule: "url-redirect", DACL: redirect, ACL: redirect, ACLLine: "deny ip any any", ACLLineSeq: 90,
			PSN: ip("10.0.0.13"), PSNName: "psn3", Port: 8449, Count: 1,
			Sessions: []SessionRef{{Switch: "access-sw1", Interface: "GigabitEthernet1/0/31", EndpointIP: ip("10.1.10.31"), EndpointMAC: "a4:bb:6d:10:22:31"}},
			Summary:  "dACL xACSACLx-IP-POSTURE_REDIRECT-3c7d9e12 denies TCP 8449 to PSN psn3 (10.0.0.13) at entry 90",
			Action:   "add `permit tcp any host 10.0.0.13 eq 8449` before entry 90 (`deny ip any any`) of dACL POSTURE_REDIRECT in ISE"},
		{Kind: KindDACLMissing, Severity: SeverityWarning, Key: KeyOf(string(KindDACLMissing), "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22", "access-sw1"),
			Switch: "access-sw1", DACL: "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22", ACL: "xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22", Count: 1,
			Sessions: []SessionRef{{Switch: "access-sw1", Interface: "GigabitEthernet1/0/7", EndpointMAC: "a4:bb:6d:10:22:07"}},
			Summary:  "dACL xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22 named by 1 compliant session on access-sw1 is not in the switch's access-list output",
			Action:   "add the output of `show ip access-lists xACSACLx-IP-EMPLOYEE_COMPLIANT-6a1c0e22` on access-sw1 to the transcripts"},
		{Kind: KindDACLUnevaluable, Severity: SeverityWarning, Key: KeyOf(string(KindDACLUnevaluable), "xACSACLx-IP-OBJGRP-77aa88bb", "10.0.0.13", "8449"),
			DACL: "xACSACLx-IP-OBJGRP-77aa88bb", ACL: "xACSACLx-IP-OBJGRP-77aa88bb", ACLLine: "deny tcp any object-group ISE-PSNS eq 8449", ACLLineSeq: 10,
			PSN: ip("10.0.0.13"), PSNName: "psn3", Port: 8449, Count: 1,
			Sessions: []SessionRef{{Switch: "access-sw2", Interface: "GigabitEthernet1/0/2", EndpointIP: ip("10.2.10.2")}},
			Summary:  "dACL xACSACLx-IP-OBJGRP-77aa88bb cannot be judged for PSN psn3 (10.0.0.13): entry 10 uses an object-group",
			Action:   "check entry 10 by hand"},
		{Kind: KindPostureUnclassified, Severity: SeverityInfo, Key: KeyOf(string(KindPostureUnclassified), "PHONES"), DACL: "PHONES", Count: 1,
			Summary: "no posture rule classifies dACL PHONES (1 unclassified session)", Action: "add a posture rule"},
	}
	return out
}

func with(f Finding, edit func(*Finding)) Finding {
	edit(&f)
	return f
}

// fakeAlertmanager is an in-process Alertmanager API: it records every
// POSTed body and answers with what the test scripts.
type fakeAlertmanager struct {
	*httptest.Server
	mu     sync.Mutex
	bodies [][]byte
	answer int // 0: 200
	got    chan []byte
}

func newFakeAlertmanager(t *testing.T) *fakeAlertmanager {
	f := &fakeAlertmanager{got: make(chan []byte, 1000)}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/alerts" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad request line", http.StatusNotFound)
			return
		}
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		code := f.answer
		f.mu.Unlock()
		if code != 0 {
			http.Error(w, "scripted failure", code)
			return
		}
		f.mu.Lock()
		f.bodies = append(f.bodies, b)
		f.mu.Unlock()
		f.got <- b
	}))
	t.Cleanup(f.Close)
	return f
}

// next returns the alerts of the next POST.
func (f *fakeAlertmanager) next(t *testing.T) []postableAlert {
	t.Helper()
	select {
	case b := <-f.got:
		var out []postableAlert
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("body %s: %v", b, err)
		}
		return out
	case <-time.After(10 * time.Second):
		t.Fatal("no POST within 10 s")
	}
	return nil
}

// sinkClock is a settable clock.
type sinkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sinkClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *sinkClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestAlertmanager(t *testing.T, cfg AlertmanagerConfig, m *SinkMetrics) *Alertmanager {
	t.Helper()
	if cfg.Retry == (RetryPolicy{}) {
		cfg.Retry = fastRetry
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

func TestAlertNames(t *testing.T) {
	want := map[Kind]string{
		"compliant-reached":    "SyncwatchCompliantEndpointReachedPSN",
		"not-blocked":          "SyncwatchCompliantEndpointNotBlocked",
		"race":                 "SyncwatchPostureDACLRace",
		"psn-not-listening":    "SyncwatchPSNNotListening",
		"sync-path-blocked":    "SyncwatchStateSyncPathBlocked",
		"psn-down":             "SyncwatchPSNDown",
		"state-sync-disabled":  "SyncwatchStateSyncDisabled",
		"unmanaged":            "SyncwatchUnmanagedEndpoint",
		"unclassified":         "SyncwatchUnclassifiedEndpoint",
		"dacl-permits-psn":     "SyncwatchDACLPermitsPSN",
		"dacl-blocks-sync":     "SyncwatchDACLBlocksStateSync",
		"dacl-missing":         "SyncwatchDACLMissing",
		"dacl-unevaluable":     "SyncwatchDACLUnevaluable",
		"posture-unclassified": "SyncwatchPostureUnclassified",
		"new-kind-2":           "SyncwatchNewKind2",
		"":                     "Syncwatch",
		"ünïcode kind":         "SyncwatchNCodeKind",
	}
	for k, w := range want {
		if got := AlertName(k); got != w {
			t.Errorf("AlertName(%q) = %q, want %q", k, got, w)
		}
	}
	seen := map[string]Kind{}
	for k, n := range alertNames {
		if other, dup := seen[n]; dup {
			t.Errorf("kinds %s and %s share alertname %s", k, other, n)
		}
		seen[n] = k
	}
	if len(sinkExampleFindings()) != len(alertNames) {
		t.Errorf("%d example findings for %d kinds", len(sinkExampleFindings()), len(alertNames))
	}
}

// TestAlertmanagerPayloadGolden checks the whole POST body of every kind's
// alert against testdata/alertmanager/KIND.json (-update-sinks rewrites them).
func TestAlertmanagerPayloadGolden(t *testing.T) {
	peer := newFakeAlertmanager(t)
	clock := &sinkClock{t: sinkT0.Add(3 * time.Second)}
	a := newTestAlertmanager(t, AlertmanagerConfig{
		Peers: []string{peer.URL}, MinSeverity: SeverityInfo, ExternalURL: "https://syncwatch.example.com:9108/",
		ResendInterval: time.Hour, Now: clock.now,
	}, nil)
	for _, f := range sinkExampleFindings() {
		t.Run(string(f.Kind), func(t *testing.T) {
			a.Send(Notification{Finding: f, Status: Firing, At: f.LastSeen})
			var b []byte
			select {
			case b = <-peer.got:
			case <-time.After(10 * time.Second):
				t.Fatal("no POST")
			}
			var out bytes.Buffer
			if err := json.Indent(&out, b, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			path := filepath.Join("testdata", "alertmanager", string(f.Kind)+".json")
			if *updateSinkGolden {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("payload differs from %s:\n%s", path, out.Bytes())
			}
		})
	}
}

func TestAlertmanagerLabels(t *testing.T) {
	opts := &alertOptions{runbookURL: DefaultRunbookURL}
	for _, f := range sinkExampleFindings() {
		a := alertContent(&f, opts)
		want := map[string]string{"alertname": AlertName(f.Kind), "severity": string(f.Severity), "kind": string(f.Kind)}
		for k, v := range map[string]string{"switch": f.Switch, "interface": f.Interface, "endpoint_mac": f.EndpointMAC, "dacl": f.DACL} {
			if v != "" {
				want[k] = v
			}
		}
		if f.PSN.IsValid() {
			want["psn"] = f.PSN.String()
		}
		if f.EndpointIP.IsValid() {
			want["endpoint_ip"] = f.EndpointIP.String()
		}
		if !reflect.DeepEqual(a.Labels, want) {
			t.Errorf("%s: labels %v, want %v", f.Kind, a.Labels, want)
		}
		if _, ok := a.Labels["sensor"]; ok {
			t.Errorf("%s: sensor is a label without SensorLabel", f.Kind)
		}
		if got := a.Annotations["runbook_url"]; got != DefaultRunbookURL+"#"+string(f.Kind) {
			t.Errorf("%s: runbook_url %q", f.Kind, got)
		}
		if a.GeneratorURL != "" {
			t.Errorf("%s: generatorURL %q without an external URL", f.Kind, a.GeneratorURL)
		}
	}
	f := sinkExampleFindings()[0]
	a := alertContent(&f, &alertOptions{sensorLabel: true, externalURL: "http://sw:9108"})
	if a.Labels["sensor"] != "span-host-1" || a.Annotations["sensor"] != "span-host-1" {
		t.Errorf("SensorLabel: labels %v annotations %v", a.Labels, a.Annotations)
	}
	if a.GeneratorURL != "http://sw:9108/api/v1/findings?key=compliant-reached%7Ca4%3Abb%3A6d%3A10%3A22%3A03%7C10.0.0.13%7C8449" {
		t.Errorf("generatorURL %q", a.GeneratorURL)
	}
	if a.Annotations["evidence"] != "http://sw:9108/evidence/compliant-reached_10.1.10.23_20261203T191838.704653000Z_0123456789.pcap" {
		t.Errorf("evidence %q", a.Annotations["evidence"])
	}
	if _, ok := a.Annotations["runbook_url"]; ok {
		t.Error("runbook_url without a runbook URL")
	}
	// Bytes a switch printed that are not UTF-8 are replaced, never sent.
	bad := Finding{Kind: "race", Severity: SeverityWarning, Switch: "sw\xff1", Summary: "x\xfey"}
	a = alertContent(&bad, opts)
	if a.Labels["switch"] != "sw\uFFFD1" || a.Annotations["summary"] != "x\uFFFDy" {
		t.Errorf("invalid UTF-8: %q %q", a.Labels["switch"], a.Annotations["summary"])
	}
}

// TestAlertmanagerLifecycle follows one alert: firing with a stable
// startsAt and endsAt four resend intervals ahead, re-sent on each tick,
// resolved with endsAt at the resolution, re-sent for the retention, then
// forgotten; findings below the severity are not sent.
func TestAlertmanagerLifecycle(t *testing.T) {
	peer := newFakeAlertmanager(t)
	clock := &sinkClock{t: sinkT0.Add(time.Second)}
	a := newTestAlertmanager(t, AlertmanagerConfig{
		Peers: []string{peer.URL + "/"}, ResendInterval: time.Hour, ResolvedRetention: 15 * time.Minute, Now: clock.now,
	}, nil)
	findings := sinkExampleFindings()
	f := findings[0] // compliant-reached: critical
	info := findings[len(findings)-1]

	a.Send(Notification{Finding: info, Status: Firing, At: sinkT0})
	a.Send(Notification{Finding: f, Status: Firing, At: sinkT0})
	got := peer.next(t)
	if len(got) != 1 || got[0].Labels["kind"] != "compliant-reached" {
		t.Fatalf("first POST %+v (the info finding must not be sent)", got)
	}
	startsAt := f.FirstSeen
	if !got[0].StartsAt.Equal(startsAt) || !got[0].EndsAt.Equal(clock.now().Add(4*time.Hour)) {
		t.Errorf("firing: startsAt %v endsAt %v", got[0].StartsAt, got[0].EndsAt)
	}

	// The count changed: sent again at once, same startsAt.
	clock.add(30 * time.Second)
	f.Count, f.LastSeen = 4, sinkT0.Add(30*time.Second)
	a.Send(Notification{Finding: f, Status: Firing, At: f.LastSeen})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(startsAt) || !got[0].EndsAt.Equal(clock.now().Add(4*time.Hour)) || !strings.Contains(got[0].Annotations["description"], "Seen 4 times") {
		t.Errorf("update: %+v", got[0])
	}

	// A resend tick renews the lease.
	clock.add(time.Hour)
	a.resend()
	got = peer.next(t)
	if len(got) != 1 || !got[0].StartsAt.Equal(startsAt) || !got[0].EndsAt.Equal(clock.now().Add(4*time.Hour)) {
		t.Errorf("resend: %+v", got)
	}
	if firing, resolved := a.Active(); firing != 1 || resolved != 0 {
		t.Errorf("Active() = %d, %d", firing, resolved)
	}

	// Resolved: endsAt is the resolution's time.
	resolvedAt := sinkT0.Add(2 * time.Hour)
	a.Send(Notification{Finding: f, Status: Resolved, At: resolvedAt})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(startsAt) || !got[0].EndsAt.Equal(resolvedAt) {
		t.Errorf("resolved: startsAt %v endsAt %v", got[0].StartsAt, got[0].EndsAt)
	}
	// Re-sent unchanged within the retention...
	clock.add(10 * time.Minute)
	a.resend()
	got = peer.next(t)
	if !got[0].EndsAt.Equal(resolvedAt) {
		t.Errorf("resolved resend: endsAt %v", got[0].EndsAt)
	}
	if firing, resolved := a.Active(); firing != 0 || resolved != 1 {
		t.Errorf("Active() = %d, %d", firing, resolved)
	}
	// ...and forgotten after it.
	clock.add(6 * time.Minute)
	a.resend()
	if firing, resolved := a.Active(); firing != 0 || resolved != 0 {
		t.Errorf("after the retention: Active() = %d, %d", firing, resolved)
	}
	select {
	case b := <-peer.got:
		t.Errorf("sent after the retention: %s", b)
	case <-time.After(50 * time.Millisecond):
	}

	// Firing again is a new episode: it starts when it fired.
	refire := sinkT0.Add(3 * time.Hour)
	a.Send(Notification{Finding: f, Status: Firing, At: refire})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(f.FirstSeen) {
		// Forgotten alerts start again from the finding's first_seen.
		t.Errorf("refire after forgetting: startsAt %v", got[0].StartsAt)
	}
	a.Send(Notification{Finding: f, Status: Resolved, At: refire.Add(time.Minute)})
	peer.next(t)
	a.Send(Notification{Finding: f, Status: Firing, At: refire.Add(2 * time.Minute)})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(refire.Add(2 * time.Minute)) {
		t.Errorf("refire within the retention: startsAt %v", got[0].StartsAt)
	}
}

func TestAlertmanagerTimesAlertmanagerAccepts(t *testing.T) {
	peer := newFakeAlertmanager(t)
	clock := &sinkClock{t: sinkT0}
	a := newTestAlertmanager(t, AlertmanagerConfig{Peers: []string{peer.URL}, ResendInterval: time.Minute, Now: clock.now}, nil)
	f := sinkExampleFindings()[0]
	// Resolved before it started (clock skew between sensor and packets):
	// endsAt is clamped to startsAt, which Alertmanager accepts.
	a.Send(Notification{Finding: f, Status: Resolved, At: f.FirstSeen.Add(-time.Second)})
	got := peer.next(t)
	if !got[0].EndsAt.Equal(got[0].StartsAt) {
		t.Errorf("startsAt %v endsAt %v", got[0].StartsAt, got[0].EndsAt)
	}
	// First seen in the future of the clock beyond the lease: starts now.
	g := sinkExampleFindings()[1]
	g.FirstSeen = sinkT0.Add(24 * time.Hour)
	a.Send(Notification{Finding: g, Status: Firing, At: g.FirstSeen})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(sinkT0) || !got[0].EndsAt.Equal(sinkT0.Add(4*time.Minute)) {
		t.Errorf("startsAt %v endsAt %v", got[0].StartsAt, got[0].EndsAt)
	}
	// A finding without key or times still makes a valid alert.
	a.Send(Notification{Finding: Finding{Kind: "psn-down", Severity: SeverityCritical}, Status: Firing})
	got = peer.next(t)
	if !got[0].StartsAt.Equal(sinkT0) || got[0].Labels["alertname"] != "SyncwatchPSNDown" {
		t.Errorf("%+v", got[0])
	}
}

func TestAlertmanagerConfigErrors(t *testing.T) {
	tests := []struct {
		cfg  AlertmanagerConfig
		want string
	}{
		{AlertmanagerConfig{}, "alertmanager: no peers"},
		{AlertmanagerConfig{Peers: []string{"am1:9093"}}, `alertmanager peer "am1:9093": not an http or https URL`},
		{AlertmanagerConfig{Peers: []string{"http://"}}, `alertmanager peer "http://": no host`},
		{AlertmanagerConfig{Peers: []string{"http://u:p@am1:9093"}}, `alertmanager peer "http://u:xxxxx@am1:9093": credentials in the URL: use basic auth with a password file or variable`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093?token=T0KEN"}}, `alertmanager peer "http://am1:9093?...": a base URL has no query`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093/#top"}}, `alertmanager peer "http://am1:9093/?...": a URL sent to has no fragment`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093", "http://am1:9093/"}}, `alertmanager peer "http://am1:9093/" given twice`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, MinSeverity: "page"}, `alertmanager: "page" is not a severity`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, ExternalURL: "syncwatch:9108"}, `alertmanager: external URL: not an http or https URL`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, HTTP: HTTPOptions{BearerToken: &secret.Secret{Env: "SYNCWATCH_TEST_UNSET"}}}, `alertmanager: bearer token: environment variable SYNCWATCH_TEST_UNSET is not set or empty`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, HTTP: HTTPOptions{BearerToken: &secret.Secret{Env: "A"}, BasicAuth: &BasicAuth{}}}, `alertmanager: basic auth and a bearer token are exclusive`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, HTTP: HTTPOptions{TLS: TLSOptions{CAFile: "/nonexistent/ca.pem"}}}, `alertmanager: TLS CA file: open /nonexistent/ca.pem: no such file or directory`},
		{AlertmanagerConfig{Peers: []string{"http://am1:9093"}, HTTP: HTTPOptions{TLS: TLSOptions{CertFile: "c.pem"}}}, `alertmanager: a TLS client certificate needs both cert_file and key_file`},
	}
	for _, tc := range tests {
		a, err := NewAlertmanager(tc.cfg, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%+v: %v, want %s", tc.cfg, err, tc.want)
		}
		if a != nil {
			t.Errorf("%+v: a sink despite the error", tc.cfg)
		}
	}
}

// TestAlertmanagerAuth checks the credentials each peer receives, read
// from a file and from a variable.
func TestAlertmanagerAuth(t *testing.T) {
	var mu sync.Mutex
	var auths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer srv.Close()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := writeSecretFile(pw, "hunter2\n"); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SYNCWATCH_TEST_TOKEN", "tok-123")
	for _, h := range []HTTPOptions{
		{BasicAuth: &BasicAuth{Username: "syncwatch", Password: secret.Secret{File: pw}}},
		{BearerToken: &secret.Secret{Env: "SYNCWATCH_TEST_TOKEN"}},
	} {
		a := newTestAlertmanager(t, AlertmanagerConfig{Peers: []string{srv.URL}, HTTP: h}, nil)
		a.Send(Notification{Finding: sinkExampleFindings()[0], Status: Firing})
		if err := a.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Basic c3luY3dhdGNoOmh1bnRlcjI=", "Bearer tok-123"}
	if !reflect.DeepEqual(auths, want) {
		t.Errorf("Authorization headers %q, want %q", auths, want)
	}
}

// TestAlertmanagerHangingPeer: one peer accepts connections and never
// answers; the other peers get their alerts at once, the hanging one
// times out (counted), and Close does not wait for it beyond its deadline.
func TestAlertmanagerHangingPeer(t *testing.T) {
	hang := hangingPeer(t)
	good := newFakeAlertmanager(t)
	reg := prometheus.NewPedanticRegistry()
	m, err := NewSinkMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAlertmanager(AlertmanagerConfig{
		Peers: []string{"http://" + hang, good.URL}, HTTP: HTTPOptions{Timeout: 100 * time.Millisecond},
		Retry: RetryPolicy{Min: 10 * time.Millisecond, Max: 20 * time.Millisecond},
	}, m)
	if err != nil {
		t.Fatal(err)
	}
	a.Send(Notification{Finding: sinkExampleFindings()[0], Status: Firing})
	if got := good.next(t); len(got) != 1 {
		t.Fatalf("good peer got %v", got)
	}
	eventually(t, func() bool {
		return testutil.ToFloat64(m.failures.WithLabelValues("alertmanager", hang, reasonTimeout)) >= 1
	})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err = a.Close(ctx)
	if want := "alertmanager " + hang + ": 1 notifications not delivered before the shutdown deadline"; err == nil || err.Error() != want {
		t.Errorf("Close: %v, want %s", err, want)
	}
	if got := testutil.ToFloat64(m.notifications.WithLabelValues("alertmanager", good.Listener.Addr().String())); got != 1 {
		t.Errorf("good peer delivered %v", got)
	}
}

// hangingPeer listens on loopback, accepts connections and never answers.
func hangingPeer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestAlertmanagerQueuesWhilePeerDown: a peer answering 503 keeps its
// alerts queued (the latest state per alert), and gets them as soon as it
// answers again, with no resend tick in between.
func TestAlertmanagerQueuesWhilePeerDown(t *testing.T) {
	peer := newFakeAlertmanager(t)
	peer.answer = http.StatusServiceUnavailable
	reg := prometheus.NewPedanticRegistry()
	m, _ := NewSinkMetrics(reg)
	a := newTestAlertmanager(t, AlertmanagerConfig{Peers: []string{peer.URL}, ResendInterval: time.Hour}, m)
	fs := sinkExampleFindings()
	for _, f := range fs[:3] {
		a.Send(Notification{Finding: f, Status: Firing})
	}
	a.Send(Notification{Finding: fs[0], Status: Resolved})
	name := peer.Listener.Addr().String()
	eventually(t, func() bool {
		return testutil.ToFloat64(m.failures.WithLabelValues("alertmanager", name, reasonHTTP5xx)) >= 2
	})
	peer.mu.Lock()
	peer.answer = 0
	peer.mu.Unlock()
	var got []postableAlert
	for len(got) < 3 {
		got = append(got, peer.next(t)...)
	}
	var kinds []string
	for _, g := range got {
		state := "firing"
		if g.EndsAt.Before(time.Now()) {
			state = "resolved"
		}
		kinds = append(kinds, g.Labels["kind"]+" "+state)
	}
	sort.Strings(kinds)
	if want := []string{"compliant-reached resolved", "not-blocked firing", "race firing"}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("delivered %v, want %v", kinds, want)
	}
}

// TestAlertmanagerRequeuesAfterRecovery: a peer that failed and answers
// again may have restarted, and an Alertmanager keeps no alerts across a
// restart: after the queued alert, the peer gets every other alert again
// at once (not at the next resend), the one just delivered excepted.
func TestAlertmanagerRequeuesAfterRecovery(t *testing.T) {
	peer := newFakeAlertmanager(t)
	m, _ := NewSinkMetrics(nil)
	a := newTestAlertmanager(t, AlertmanagerConfig{Peers: []string{peer.URL}, ResendInterval: time.Hour}, m)
	fs := sinkExampleFindings()
	a.Send(Notification{Finding: fs[0], Status: Firing})
	if got := peer.next(t); len(got) != 1 || got[0].Labels["kind"] != string(fs[0].Kind) {
		t.Fatalf("first POST %+v", got)
	}
	peer.mu.Lock()
	peer.answer = http.StatusServiceUnavailable
	peer.mu.Unlock()
	a.Send(Notification{Finding: fs[1], Status: Firing})
	eventually(t, func() bool {
		return testutil.ToFloat64(m.failures.WithLabelValues("alertmanager", peer.Listener.Addr().String(), reasonHTTP5xx)) >= 2
	})
	peer.mu.Lock()
	peer.answer = 0
	peer.mu.Unlock()
	if got := peer.next(t); len(got) != 1 || got[0].Labels["kind"] != string(fs[1].Kind) {
		t.Fatalf("after the recovery, first POST %+v, want the queued alert", got)
	}
	if got := peer.next(t); len(got) != 1 || got[0].Labels["kind"] != string(fs[0].Kind) {
		t.Fatalf("after the recovery, second POST %+v, want the alert sent before the outage", got)
	}
	select {
	case b := <-peer.got:
		t.Errorf("a further POST: %s", b)
	case <-time.After(100 * time.Millisecond):
	}
}
