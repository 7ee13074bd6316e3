// Package deploy holds the tests of what ships beside the code: the
// container image (../Dockerfile, image/build.sh), the compose stack, the
// Prometheus rules, the Grafana dashboard and the Kubernetes manifests. It
// has no code of its own: each test runs the real tool (buildah, promtool,
// amtool, docker-compose, Prometheus) or decodes into the upstream types.
package deploy
