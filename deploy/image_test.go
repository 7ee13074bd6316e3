package deploy

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// imageConfig is the part of `buildah inspect --type image` the tests read:
// the Docker-format config, which is the one that keeps HEALTHCHECK.
type imageConfig struct {
	Docker struct {
		Config struct {
			User         string              `json:"User"`
			ExposedPorts map[string]struct{} `json:"ExposedPorts"`
			Entrypoint   []string            `json:"Entrypoint"`
			Cmd          []string            `json:"Cmd"`
			Labels       map[string]string   `json:"Labels"`
			Healthcheck  *struct {
				Test        []string      `json:"Test"`
				Interval    time.Duration `json:"Interval"`
				Timeout     time.Duration `json:"Timeout"`
				StartPeriod time.Duration `json:"StartPeriod"`
				Retries     int           `json:"Retries"`
			} `json:"Healthcheck"`
		} `json:"config"`
	} `json:"Docker"`
}

// imageDirVar names a folder of an earlier `build.sh --out DIR` for the
// image test to check instead of building: .ci/run builds the image once
// and the image test and the lab use that build.
const imageDirVar = "SYNCWATCH_IMAGE_DIR"

// testVersion is the version the image test builds with.
const testVersion = "0.0.0-test"

// buildImage runs deploy/image/build.sh once and returns the folder with
// image.json and rootfs/. The build takes about a minute on two cores.
func buildImage(t *testing.T) string {
	t.Helper()
	testenv.Root(t)
	if d := os.Getenv(imageDirVar); d != "" {
		return d
	}
	testenv.Command(t, "buildah")
	if _, err := os.Stat("/bin/busybox"); err != nil {
		testenv.Unavailable(t, "needs /bin/busybox (Debian package busybox-static; .ci/run installs it)")
	}
	out := filepath.Join(t.TempDir(), "image")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "./image/build.sh", "--out", out, "--version", testVersion,
		"--archive", filepath.Join(out, "image.tar"))
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build.sh: %v\n%s", err, b)
	}
	t.Logf("image built in %s\n%s", time.Since(start).Round(time.Second), b)
	return out
}

// TestImage builds the image and checks what the Dockerfile promises: a
// FROM-scratch root filesystem with only the binary, CA certificates and a
// passwd/group for the non-root user; a static, stripped binary; the
// Docker config's user, entrypoint, command, port, labels and healthcheck;
// the binary's cap_net_raw+ep file capability; and that the image's
// binary, run as a runtime runs it (uid 65532, CAP_NET_RAW alone,
// no_new_privs), captures and classifies an attempt on loopback.
func TestImage(t *testing.T) {
	out := buildImage(t)
	rootfs := filepath.Join(out, "rootfs")

	b, err := os.ReadFile(filepath.Join(out, "image.json"))
	if err != nil {
		t.Fatal(err)
	}
	var img imageConfig
	if err := json.Unmarshal(b, &img); err != nil {
		t.Fatalf("image.json: %v", err)
	}
	c := img.Docker.Config
	if c.User != "65532:65532" {
		t.Errorf("User = %q, want 65532:65532", c.User)
	}
	if want := []string{"/syncwatch"}; !slices.Equal(c.Entrypoint, want) {
		t.Errorf("Entrypoint = %q, want %q", c.Entrypoint, want)
	}
	if want := []string{"run", "--config", "/etc/syncwatch/syncwatch.yml"}; !slices.Equal(c.Cmd, want) {
		t.Errorf("Cmd = %q, want %q", c.Cmd, want)
	}
	if _, ok := c.ExposedPorts["9849/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("ExposedPorts = %v, want only 9849/tcp", c.ExposedPorts)
	}
	if h := c.Healthcheck; h == nil {
		t.Error("no Healthcheck in the Docker config (built without --format docker?)")
	} else {
		if want := []string{"CMD", "/syncwatch", "healthcheck"}; !slices.Equal(h.Test, want) {
			t.Errorf("Healthcheck.Test = %q, want %q", h.Test, want)
		}
		if h.Interval != 30*time.Second || h.Timeout != 5*time.Second || h.StartPeriod != 30*time.Second || h.Retries != 3 {
			t.Errorf("Healthcheck = %+v, want interval 30s, timeout 5s, start period 30s, 3 retries", *h)
		}
	}
	version := c.Labels["org.opencontainers.image.version"]
	if os.Getenv(imageDirVar) == "" && version != testVersion || version == "" {
		t.Errorf("label org.opencontainers.image.version = %q, want %q", version, testVersion)
	}
	for k, want := range map[string]string{
		"org.opencontainers.image.title":  "syncwatch",
		"org.opencontainers.image.source": "https://github.com/syncwatch/syncwatch",
	} {
		if got := c.Labels[k]; got != want {
			t.Errorf("label %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"org.opencontainers.image.revision", "org.opencontainers.image.created", "org.opencontainers.image.description"} {
		if c.Labels[k] == "" {
			t.Errorf("label %s missing", k)
		}
	}

	// The root filesystem holds these files and nothing else.
	var files []string
	err = filepath.WalkDir(rootfs, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(rootfs, p)
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if want := []string{"etc/group", "etc/passwd", "etc/ssl/certs/ca-certificates.crt", "syncwatch"}; !slices.Equal(files, want) {
		t.Errorf("rootfs files = %q, want %q", files, want)
	}
	// The data folder is the sensor's: a named volume mounted there
	// starts with this owner (compose's syncwatch-data).
	if fi, err := os.Stat(filepath.Join(rootfs, "var/lib/syncwatch")); err != nil || !fi.IsDir() {
		t.Errorf("var/lib/syncwatch: %v, %v", fi, err)
	} else if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != imageDataOwner || st.Gid != imageDataOwner {
		t.Errorf("var/lib/syncwatch is owned by %d:%d, want %d", st.Uid, st.Gid, imageDataOwner)
	}
	passwd, _ := os.ReadFile(filepath.Join(rootfs, "etc/passwd"))
	if !strings.Contains(string(passwd), "\nsyncwatch:x:65532:65532:") {
		t.Errorf("etc/passwd has no syncwatch user with uid 65532:\n%s", passwd)
	}
	if fi, err := os.Stat(filepath.Join(rootfs, "etc/ssl/certs/ca-certificates.crt")); err != nil || fi.Size() < 10000 {
		t.Errorf("CA certificates: %v, %v", fi, err)
	}

	bin := filepath.Join(rootfs, "syncwatch")
	checkStaticStripped(t, bin)
	v, err := exec.Command(bin, "version").Output()
	if want := "syncwatch " + version + " (go"; err != nil || !strings.HasPrefix(string(v), want) {
		t.Errorf("syncwatch version = %q, %v; want %s...", v, err, want)
	}

	checkArchive(t, filepath.Join(out, "image.tar"))
	checkCaptureAsNonRoot(t, out, bin)
}

// checkArchive checks the docker-archive (`docker load`) of the image: one
// layer, whose /syncwatch keeps its cap_net_raw+ep in the tar's PAX
// records, so that a loaded image captures as non-root too.
func checkArchive(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("docker-archive: %v", err)
	}
	defer f.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == "manifest.json" || strings.HasSuffix(h.Name, ".tar") {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files[h.Name] = b
		}
	}
	var manifest []struct {
		Layers []string `json:"Layers"`
	}
	if err := json.Unmarshal(files["manifest.json"], &manifest); err != nil || len(manifest) != 1 || len(manifest[0].Layers) != 1 {
		t.Fatalf("docker-archive manifest %s: %v, want one image of one layer", files["manifest.json"], err)
	}
	layer, ok := files[manifest[0].Layers[0]]
	if !ok {
		t.Fatalf("docker-archive: no layer %s", manifest[0].Layers[0])
	}
	lr := tar.NewReader(bytes.NewReader(layer))
	for {
		h, err := lr.Next()
		if err == io.EOF {
			t.Fatal("layer has no syncwatch")
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(h.Name, "./") != "syncwatch" {
			continue
		}
		if got := h.PAXRecords["SCHILY.xattr.security.capability"]; got != string(netRawFileCap) {
			t.Errorf("layer's syncwatch: security.capability % x, want % x", got, netRawFileCap)
		}
		if h.Uid != 0 || h.Mode&0o777 != 0o755 {
			t.Errorf("layer's syncwatch: uid %d mode %o, want 0 and 755", h.Uid, h.Mode)
		}
		return
	}
}

// checkStaticStripped fails unless the ELF file has no interpreter and no
// dynamic section (static) and no symbol table or DWARF (stripped).
func checkStaticStripped(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("%s has a %v program header: not static", path, p.Type)
		}
	}
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			t.Errorf("%s has section %s: not stripped", path, s.Name)
		}
	}
	if _, err := f.DynamicSymbols(); err == nil {
		t.Errorf("%s has dynamic symbols", path)
	}
}

// capNetRaw is CAP_NET_RAW's number.
const capNetRaw = 13

// netRawFileCap is the security.capability xattr of cap_net_raw+ep
// (struct vfs_cap_data revision 2, effective, permitted CAP_NET_RAW).
var netRawFileCap = []byte{1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

// checkCaptureAsNonRoot runs the image's binary as a container runtime
// does (setpriv: uid/gid 65532, no supplementary groups, the capability
// bounding set the container was granted, no_new_privs as with
// allowPrivilegeEscalation: false or no-new-privileges): without
// CAP_NET_RAW the binary's file capability makes the exec fail; with
// CAP_NET_RAW alone the process holds exactly that capability, and a
// refused connection on loopback to a free port is classified and counted.
func checkCaptureAsNonRoot(t *testing.T, out, bin string) {
	t.Helper()
	setpriv := testenv.Command(t, "setpriv")
	buf := make([]byte, 64)
	n, err := unix.Getxattr(bin, "security.capability", buf)
	if err != nil || !bytes.Equal(buf[:n], netRawFileCap) {
		t.Errorf("security.capability of the image's binary = % x, %v; want cap_net_raw+ep % x", buf[:max(n, 0)], err, netRawFileCap)
	}
	// The test's temporary folders are 0700: let uid 65532 reach the binary.
	for d := filepath.Dir(bin); d != "/" && d != os.TempDir() && d != "."; d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	port := freePort(t)
	metrics := freePort(t)
	runtime := func(ctx context.Context, bounding string, args ...string) *exec.Cmd {
		return exec.CommandContext(ctx, setpriv, append([]string{"--reuid=65532", "--regid=65532", "--clear-groups",
			"--inh-caps=-all", "--bounding-set=" + bounding, "--no-new-privs", "--", bin}, args...)...)
	}
	args := []string{"watch", "--interface", "lo", "--port", strconv.Itoa(port), "--psn", "127.0.0.1",
		"--metrics-listen", "127.0.0.1:" + strconv.Itoa(metrics)}

	// Without CAP_NET_RAW: the exec itself is refused.
	b, err := runtime(context.Background(), "-all", "version").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 126 || !strings.Contains(string(b), "Operation not permitted") {
		t.Errorf("syncwatch version without CAP_NET_RAW: %v, want exit 126 with Operation not permitted:\n%s", err, b)
	}

	// With CAP_NET_RAW only.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := runtime(ctx, "-all,+net_raw", args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("watch stderr:\n%s", stderr.String())
		}
	}()
	url := "http://127.0.0.1:" + strconv.Itoa(metrics) + "/metrics"
	waitFor(t, 30*time.Second, "capture socket open on lo", func() bool {
		return metricValue(url, `syncwatch_capture_interface_up{interface="lo"}`) == "1"
	})
	// setpriv exec'd syncwatch in place: same pid.
	if got, want := capabilities(t, cmd.Process.Pid), fmt.Sprintf("uid 65532 gid 65532 groups [] CapPrm %016x CapEff %016x CapAmb %016x NoNewPrivs 1",
		uint64(1)<<capNetRaw, uint64(1)<<capNetRaw, 0); got != want {
		t.Errorf("watch process: %s, want %s", got, want)
	}
	// Nothing listens on port: the SYN is answered by a RST, a refused attempt.
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 5*time.Second); err == nil {
		c.Close()
		t.Fatalf("port %d unexpectedly open", port)
	}
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case l := <-lines:
		var a struct {
			PSN     string `json:"psn"`
			Port    int    `json:"port"`
			Outcome string `json:"outcome"`
		}
		if err := json.Unmarshal([]byte(l), &a); err != nil || a.PSN != "127.0.0.1" || a.Port != port || a.Outcome != "refused" {
			t.Errorf("attempt %s (%v), want 127.0.0.1:%d refused", l, err, port)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no attempt printed within 30 s")
	}
	if got := metricValue(url, `syncwatch_capture_attempts_total{outcome="refused"}`); got != "1" {
		t.Errorf(`syncwatch_capture_attempts_total{outcome="refused"} = %q, want 1`, got)
	}
}

// capabilities reads a process's effective uid and gid, supplementary
// groups, permitted, effective and ambient capabilities and no_new_privs.
func capabilities(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	v := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		k, rest, _ := strings.Cut(l, ":")
		v[k] = strings.Fields(rest)
	}
	field := func(k string, i int) string {
		if len(v[k]) > i {
			return v[k][i]
		}
		return "?"
	}
	return fmt.Sprintf("uid %s gid %s groups %v CapPrm %s CapEff %s CapAmb %s NoNewPrivs %s", field("Uid", 1), field("Gid", 1), v["Groups"],
		field("CapPrm", 0), field("CapEff", 0), field("CapAmb", 0), field("NoNewPrivs", 0))
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// metricValue scrapes url and returns the value of the sample written
// exactly as series, "" when absent or on error.
func metricValue(url, series string) string {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return v
		}
	}
	return ""
}

// waitFor polls cond every 100 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
