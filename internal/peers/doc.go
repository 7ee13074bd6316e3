// Package peers starts real Alertmanager and Prometheus servers (the Debian
// prometheus-alertmanager and prometheus packages) for tests, on free
// loopback ports with temporary storage, and reads their HTTP APIs.
//
// Every server is bounded in time (start, readiness and stop all have
// deadlines) and cleaned up when the test ends: its process group is
// killed and its files removed. A server's output is written to the test
// log when the test fails. Through internal/testenv a test skips when a
// program is missing on a developer's machine and fails in CI.
//
// An Alertmanager can be stopped and started again on the same ports and
// data (an outage), and several can form a gossip cluster on loopback; a
// Webhook is the loopback HTTP receiver Alertmanager notifies.
//
// With the Namespace option a server runs inside a network namespace (one
// of internal/netns, say), on that namespace's loopback: it is started
// from a thread moved into the namespace, and the package's requests to it
// (readiness, the APIs) are dialled from inside it. A Webhook stays on the
// test's own loopback, which such an Alertmanager cannot reach.
//
// What the tests rely on, as Debian's Alertmanager 0.25 behaves:
// /api/v2/alerts never lists an alert whose endsAt has passed, whatever the
// filter (active=false included), so a resolved alert is seen by its
// absence and by the webhook's "resolved" notification; a restarted
// Alertmanager has no alerts (only silences and the notification log are
// kept in its storage); alerts are not gossiped between peers of a cluster
// (senders post to each), the notification log is, so that a cluster
// notifies once, the second peer after its peer timeout.
package peers
