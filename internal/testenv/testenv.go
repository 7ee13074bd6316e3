// Package testenv lets tests that need root, network namespaces or Debian
// tools skip with a clear reason on a developer's machine, and fail instead
// of skipping in CI, where SYNCWATCH_REQUIRE_ALL=1 is set by .ci/run so that
// an integration test that silently stopped running is a red build.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireAllVar is the environment variable that turns skips into failures.
const RequireAllVar = "SYNCWATCH_REQUIRE_ALL"

// Strict reports whether skips are turned into failures.
func Strict() bool { return os.Getenv(RequireAllVar) == "1" }

// Unavailable skips the test with the reason, or fails it when Strict.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if Strict() {
		t.Fatalf("required by %s=1 but unavailable: "+format, append([]any{RequireAllVar}, args...)...)
	}
	t.Skipf("skipped: "+format, args...)
}

// Root requires the test to run as root.
func Root(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Unavailable(t, "needs root (network namespaces, AF_PACKET); run as root or see .ci/run")
	}
}

// Command requires the named programs on PATH and returns the path of the first.
func Command(t testing.TB, names ...string) string {
	t.Helper()
	first := ""
	for i, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			Unavailable(t, "needs %q on PATH (Debian package; .ci/run installs it)", n)
			return ""
		}
		if i == 0 {
			first = p
		}
	}
	return first
}
