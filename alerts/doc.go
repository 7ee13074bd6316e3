// Package alerts will judge attempts against switch sessions, dACLs and
// posture (the verdict table in DOMAIN.md) and deliver findings to
// Alertmanager and webhooks. It depends on capture and collectors, never the
// other way round. Nothing is implemented here yet (issue 5).
package alerts
