package main

import (
	"context"
	"testing"
	"time"

	"github.com/syncwatch/syncwatch/alerts"
)

// TestSeedOrder: a finding resolved between the reload's install and its
// seed must stay resolved in the new Alertmanager sink, although the
// active list seed was given still had it.
func TestSeedOrder(t *testing.T) {
	peer := newRecorder(t)
	am, err := alerts.NewAlertmanager(alerts.AlertmanagerConfig{Peers: []string{peer.url}, MinSeverity: alerts.SeverityInfo, ResendInterval: time.Hour}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer am.Close(context.Background())
	b := &builtSinks{am: am, gate: &gatedSink{Sink: am}}
	b.sinks = []alerts.Sink{b.gate}
	set := &sinkSet{}
	set.install(b, nil)
	at := time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC)
	x := alerts.Finding{Kind: alerts.KindDACLMissing, Severity: alerts.SeverityWarning, Key: "dacl-missing|X|sw1", FirstSeen: at, Summary: "s", Action: "a"}
	// The lifecycle resolves x after the active list was read...
	set.Send(alerts.Notification{Finding: x, Status: alerts.Resolved, At: at.Add(time.Minute)})
	if f, r := am.Active(); f != 0 || r != 0 {
		t.Fatalf("the gate let a notification through before the seed: %d firing, %d resolved", f, r)
	}
	// ... which still lists it.
	seed(b, []alerts.Finding{x}, at, false)
	if f, r := am.Active(); f != 0 || r != 1 {
		t.Errorf("after the seed: %d firing, %d resolved; want 0 and 1", f, r)
	}
	set.Send(alerts.Notification{Finding: alerts.Finding{Kind: alerts.KindDACLMissing, Severity: alerts.SeverityWarning, Key: "dacl-missing|Y|sw1"}, Status: alerts.Firing, At: at})
	if f, r := am.Active(); f != 1 || r != 1 {
		t.Errorf("after the gate opened: %d firing, %d resolved; want 1 and 1", f, r)
	}
}
