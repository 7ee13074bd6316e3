package alerts

import (
	"context"
	"time"
)

// Status says whether a notification announces or ends a finding.
type Status string

// The statuses of a notification.
const (
	// Firing announces a finding, or repeats one whose count or evidence
	// changed.
	Firing Status = "firing"
	// Resolved ends a finding: positive evidence showed it is fixed.
	Resolved Status = "resolved"
)

// Notification is one change of a finding's state, as the lifecycle hands
// it to every sink.
type Notification struct {
	// Finding is the finding as it stands: counts, first and last seen.
	Finding Finding
	Status  Status
	// At is when the finding fired or resolved (packet time for traffic
	// findings, the clock otherwise).
	At time.Time
}

// Sink delivers notifications somewhere: Alertmanager, a webhook, a log.
// A sink that is down must lose nothing: Send queues (bounded, counting
// what a full queue refuses) and the sink delivers when its peer returns.
type Sink interface {
	// Name names the sink in logs and metrics (e.g. "alertmanager").
	Name() string
	// Send queues n for delivery. It never blocks on the network.
	Send(n Notification)
	// Close delivers what it can within ctx's deadline, then stops.
	Close(ctx context.Context) error
}
