package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// TestNetRawCapability checks the xattr value byte for byte, then, as
// root, that libcap's getcap reads it back as cap_net_raw=ep.
func TestNetRawCapability(t *testing.T) {
	want := []byte{0x01, 0, 0, 0x02, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	if got := netRawCapability(); !bytes.Equal(got, want) {
		t.Fatalf("netRawCapability() = % x, want % x", got, want)
	}
	testenv.Root(t)
	getcap := testenv.Command(t, "getcap")
	f := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(f, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(f, "security.capability", netRawCapability(), 0); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(getcap, f).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != f+" cap_net_raw=ep" {
		t.Errorf("getcap: %q, %v; want %s cap_net_raw=ep", out, err, f)
	}
}
