// Package deploy holds the tests of what ships beside the code: the
// container image (../Dockerfile, image/build.sh), the compose stack, the
// Prometheus rules, the Grafana dashboard and the Kubernetes manifests. It
// has no code of its own: each test runs the real tool (buildah, promtool,
// amtool, docker-compose, Prometheus, syncwatch check-config in the
// sensor's view of each deployment) or decodes into the upstream types;
// the dashboard's queries are internal/dashboard's, which the lab also
// checks against the Prometheus that scraped the real daemon.
package deploy
