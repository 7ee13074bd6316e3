package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/syncwatch/syncwatch/internal/testenv"
)

// containerFile is one file as a deployment puts it in the sensor's
// container: where, with what content, owned by whom, with what mode.
type containerFile struct {
	path     string // in the container
	content  []byte
	uid, gid int
	mode     fs.FileMode // fs.ModeDir: an empty folder (a volume)
}

// imageDataOwner owns the image's /var/lib/syncwatch (the Dockerfile's
// COPY --chown), which a new named volume mounted there starts as.
const imageDataOwner = 65532

// sensorView is what a deployment gives the sensor's process: its files,
// the configuration among them, and the user it runs as.
type sensorView struct {
	config   string // the configuration's path in the container
	files    []containerFile
	uid, gid int
	groups   []int // supplementary groups
}

// checkConfigScript builds the view in a private mount namespace (and an
// empty network namespace, so that no host interface matches one the
// configuration names): a tmpfs for the overlays' upper layers, an
// overlay over each top-level folder the view writes to (the host's
// folders stay as they are), the files of the manifest ($2, lines "PATH
// SOURCE UID:GID MODE"), the binary at /run/syncwatch-check/syncwatch;
// then it runs the binary as the view's user with the rest of the
// arguments. Setup failures exit 100.
const checkConfigScript = `set -u
ns=$1 manifest=$2 bin=$3 creds=$4 tops=$5
shift 5
fail() { echo "setup: $*" >&2; exit 100; }
mount -t tmpfs -o mode=0700 tmpfs "$ns" || fail "tmpfs on $ns"
for d in $tops; do
  mkdir "$ns/$d.up" "$ns/$d.work" || fail "mkdir $d"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$ns/$d.up,workdir=$ns/$d.work" "/$d" || fail "overlay on /$d"
done
mkdir -p /run/syncwatch-check && cp "$bin" /run/syncwatch-check/syncwatch && chmod 0755 /run/syncwatch-check/syncwatch || fail "binary"
while read -r dst src owner mode; do
  if [ "$src" = - ]; then
    mkdir -p "$dst" && chown "$owner" "$dst" && chmod "$mode" "$dst" || fail "$dst"
  else
    mkdir -p "$(dirname "$dst")" && rm -f "$dst" && cp "$src" "$dst" && chown "$owner" "$dst" && chmod "$mode" "$dst" || fail "$dst"
  fi
done < "$manifest"
exec setpriv $creds -- /run/syncwatch-check/syncwatch "$@"
`

// runInView runs the syncwatch binary bin with args in view, as root in
// private mount and network namespaces, nothing on the host changed. It
// returns stdout, stderr and the exit code.
func runInView(t *testing.T, bin string, view sensorView, args ...string) (string, string, int) {
	t.Helper()
	testenv.Root(t)
	unshare := testenv.Command(t, "unshare", "setpriv", "mount")
	dir := t.TempDir()
	var manifest strings.Builder
	tops := map[string]bool{"run": true}
	for i, f := range view.files {
		if !path.IsAbs(f.path) || path.Clean(f.path) != f.path || strings.ContainsAny(f.path, " \t\n") {
			t.Fatalf("view file %q: not a clean absolute path", f.path)
		}
		top := strings.SplitN(f.path, "/", 3)[1]
		if info, err := os.Stat("/" + top); err != nil || !info.IsDir() {
			t.Fatalf("view file %s: /%s is not a folder on this host to overlay", f.path, top)
		}
		tops[top] = true
		src := "-"
		if !f.mode.IsDir() {
			src = filepath.Join(dir, "file-"+strconv.Itoa(i))
			if err := os.WriteFile(src, f.content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&manifest, "%s %s %d:%d %04o\n", f.path, src, f.uid, f.gid, f.mode.Perm())
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest"), []byte(manifest.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ns := filepath.Join(dir, "ns")
	if err := os.Mkdir(ns, 0o700); err != nil {
		t.Fatal(err)
	}
	creds := fmt.Sprintf("--reuid=%d --regid=%d --clear-groups", view.uid, view.gid)
	if len(view.groups) > 0 {
		var gs []string
		for _, g := range view.groups {
			gs = append(gs, strconv.Itoa(g))
		}
		creds = fmt.Sprintf("--reuid=%d --regid=%d --groups=%s", view.uid, view.gid, strings.Join(gs, ","))
	}
	var topList []string
	for d := range tops {
		topList = append(topList, d)
	}
	sort.Strings(topList)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, unshare, append([]string{"--mount", "--net", "--propagation", "private", "--", "sh", "-c", checkConfigScript, "sh",
		ns, filepath.Join(dir, "manifest"), bin, creds, strings.Join(topList, " ")}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 100:
		t.Fatalf("building the view: %s", stderr.String())
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	case err != nil:
		t.Fatalf("unshare: %v\n%s", err, stderr.String())
	}
	return stdout.String(), stderr.String(), 0
}

// syncwatchBinary returns the binary the image ships when
// SYNCWATCH_IMAGE_DIR names a build (CI), else this tree's, built as the
// Dockerfile builds it.
func syncwatchBinary(t *testing.T) string {
	t.Helper()
	if d := os.Getenv(imageDirVar); d != "" {
		return filepath.Join(d, "rootfs", "syncwatch")
	}
	bin := filepath.Join(t.TempDir(), "syncwatch")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "../cmd/syncwatch")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// placeholder returns a file of the repository a deployment mounts, as
// the test gives it: its tracked .example placeholder when there is one
// (secrets, known_hosts; never a real one left in the tree), else the file.
func placeholder(t *testing.T, p string) []byte {
	t.Helper()
	if b, err := os.ReadFile(p + ".example"); err == nil {
		return b
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("mounted %s: %v", p, err)
	}
	return b
}

// composeView is the compose stack's sensor as docker-compose resolves it:
// its bind mounts of files, its compose secrets under /run/secrets (bind
// mounts of the host files, which keep the host's owner and mode: compose
// without swarm ignores uid, gid and mode), and its user. secretOwner and
// secretMode are the secret files' on the host.
func composeView(t *testing.T, secretOwner int, secretMode fs.FileMode) sensorView {
	t.Helper()
	dc := testenv.Command(t, "docker-compose")
	cf := resolvedCompose(t, dc)
	sw := cf.Services["syncwatch"]
	var v sensorView
	if _, err := fmt.Sscanf(sw.User, "%d:%d", &v.uid, &v.gid); err != nil {
		t.Fatalf("syncwatch user %q: %v", sw.User, err)
	}
	for _, vol := range sw.Volumes {
		parts := strings.Split(vol, ":")
		if !strings.HasPrefix(parts[0], "/") {
			// A named volume (the data folder): Docker fills a new one
			// from the image's folder, owned by the sensor's user.
			v.files = append(v.files, containerFile{path: parts[1], uid: imageDataOwner, gid: imageDataOwner, mode: fs.ModeDir | 0o755})
			continue
		}
		v.files = append(v.files, containerFile{path: parts[1], content: placeholder(t, parts[0]), mode: 0o644})
	}
	for _, s := range sw.Secrets {
		src, ok := cf.Secrets[s.Source]
		if !ok {
			t.Fatalf("syncwatch secret %s is not a top-level secret", s.Source)
		}
		v.files = append(v.files, containerFile{path: "/run/secrets/" + s.Target, content: placeholder(t, src.File),
			uid: secretOwner, gid: secretOwner, mode: secretMode})
	}
	v.config = "/etc/syncwatch/syncwatch.yml"
	return v
}

// kubernetesView is the DaemonSet's sensor: its ConfigMap and Secret
// volume mounts and its user. The kubelet writes a Secret volume's files
// as root with defaultMode and, with fsGroup, gives them that group and
// adds group read (read-only volume); the process gets fsGroup as a
// supplementary group.
func kubernetesView(t *testing.T) sensorView {
	t.Helper()
	m := readManifests(t)
	pod := m.daemonSet.Spec.Template.Spec
	c := pod.Containers[0]
	var v sensorView
	if sc := c.SecurityContext; sc != nil && sc.RunAsUser != nil && sc.RunAsGroup != nil {
		v.uid, v.gid = int(*sc.RunAsUser), int(*sc.RunAsGroup)
	} else {
		t.Fatal("the container has no runAsUser and runAsGroup")
	}
	fsGroup := -1
	if psc := pod.SecurityContext; psc != nil && psc.FSGroup != nil {
		fsGroup = int(*psc.FSGroup)
		v.groups = []int{fsGroup}
	}
	for _, vm := range c.VolumeMounts {
		i := slices.IndexFunc(pod.Volumes, func(vol corev1.Volume) bool { return vol.Name == vm.Name })
		if i < 0 {
			t.Fatalf("volume mount %s has no volume", vm.Name)
		}
		vol := pod.Volumes[i]
		switch {
		case vol.ConfigMap != nil:
			if vol.ConfigMap.Name != m.configMap.Name || vm.SubPath == "" {
				t.Fatalf("volume %s: ConfigMap %s mounted without subPath", vm.Name, vol.ConfigMap.Name)
			}
			mode := fs.FileMode(0o644)
			if vol.ConfigMap.DefaultMode != nil {
				mode = fs.FileMode(*vol.ConfigMap.DefaultMode)
			}
			v.files = append(v.files, containerFile{path: vm.MountPath, content: []byte(m.configMap.Data[vm.SubPath]), mode: mode})
		case vol.EmptyDir != nil && vm.MountPath == "/tmp":
			// Scratch space, which check-config does not use; the view
			// itself is built under /tmp.
		case vol.EmptyDir != nil:
			// The kubelet makes an emptyDir writable by everyone (0777);
			// with fsGroup it is that group's, set-group-ID.
			v.files = append(v.files, containerFile{path: vm.MountPath, gid: max(fsGroup, 0), mode: fs.ModeDir | fs.ModeSetgid | 0o777})
		case vol.Secret != nil:
			if vol.Secret.SecretName != m.secret.Name {
				t.Fatalf("volume %s: Secret %s, want %s", vm.Name, vol.Secret.SecretName, m.secret.Name)
			}
			mode, gid := fs.FileMode(0o644), 0
			if vol.Secret.DefaultMode != nil {
				mode = fs.FileMode(*vol.Secret.DefaultMode)
			}
			if fsGroup >= 0 {
				mode, gid = mode|0o440, fsGroup
			}
			for key, val := range m.secret.StringData {
				v.files = append(v.files, containerFile{path: path.Join(vm.MountPath, key), content: []byte(val), gid: gid, mode: mode})
			}
		}
	}
	v.config = "/etc/syncwatch/syncwatch.yml"
	return v
}

// TestShippedSensorConfigs runs the real `syncwatch check-config` (the
// image's binary in CI) on every shipped syncwatch configuration, in the
// sensor's view of its deployment: the compose stack's files, secrets
// (the .example placeholders, owned and moded as README's compose steps
// leave them) and user; the DaemonSet's ConfigMap, Secret (its
// placeholders) and user; and the examples as they are. Each must load,
// every key known, every secret readable by the sensor's user, and
// summarize exactly as expected (the port the probes, the scrape and the
// healthcheck use among it); the deployments' configurations must also
// satisfy the live collector up to dialing the switches. A compose secret
// left as cp makes it but 0400 (owned by root, unreadable by 65532) must
// fail, at its line.
func TestShippedSensorConfigs(t *testing.T) {
	testenv.Root(t)
	// The compose secrets as README's steps leave them: owned by the
	// sensor's user, 0400.
	cv := composeView(t, 65532, 0o400)
	var secrets []string
	for _, f := range cv.files {
		if name, ok := strings.CutPrefix(f.path, "/run/secrets/"); ok {
			secrets = append(secrets, "secrets/"+name)
		}
	}
	readme, err := os.ReadFile(readmeFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{fmt.Sprintf("chown %d:%d %s", cv.uid, cv.gid, strings.Join(secrets, " ")), "chmod 0400 " + strings.Join(secrets, " ")} {
		if !strings.Contains(string(readme), " "+step+"\n") {
			t.Errorf("README's compose steps lack %q", step)
		}
	}
	bin := syncwatchBinary(t)
	example := func(p string) sensorView {
		return sensorView{config: "/etc/syncwatch/syncwatch.yml", uid: 65532, gid: 65532,
			files: []containerFile{{path: "/etc/syncwatch/syncwatch.yml", content: placeholder(t, p), mode: 0o644}}}
	}
	deployed := "  PSNs: 2, ports: [8449], posture rules: 3, switches: 2\n" +
		"  capture: ens1f1\n" +
		"  live collection: 2 switches over SSH, known_hosts /etc/syncwatch/known_hosts (strict)\n" +
		"  sinks: alertmanager (2 peers)\n" +
		"  http: :9849 (plain HTTP)\n" +
		"  data_dir: /var/lib/syncwatch\n" +
		"warning: capture interface ens1f1 is not on this host (route ip+net: no such network interface)\n"
	for _, c := range []struct {
		name string
		view sensorView
		want string
	}{
		{"compose/syncwatch.yml", cv, deployed},
		{"kubernetes/configmap.yaml", kubernetesView(t), deployed},
		{"../examples/syncwatch.yml", example("../examples/syncwatch.yml"),
			"  PSNs: 3, ports: [8449], posture rules: 3, switches: 2\n" +
				"  capture: span0\n" +
				"  sinks: alertmanager (2 peers)\n" +
				"  http: :9849 (plain HTTP)\n" +
				"  data_dir: none (nothing kept across restarts)\n" +
				"warning: capture interface span0 is not on this host (route ip+net: no such network interface)\n"},
		{"../examples/lab/syncwatch.yml", example("../examples/lab/syncwatch.yml"),
			"  PSNs: 3, ports: [8449], posture rules: 3, switches: 1\n" +
				"  capture: none (audit only)\n" +
				"  sinks: none\n" +
				"  http: :9849 (plain HTTP)\n" +
				"  data_dir: none (nothing kept across restarts)\n"},
	} {
		t.Run(strings.TrimPrefix(c.name, "../"), func(t *testing.T) {
			stdout, stderr, code := runInView(t, bin, c.view, "check-config", "--config", c.view.config)
			if want := c.view.config + ": valid\n" + c.want; code != 0 || stdout != want || stderr != "" {
				t.Errorf("check-config of %s: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 0, stdout:\n%s", c.name, code, stdout, stderr, want)
			}
		})
	}
	// What the live collector needs on top (CheckCollect: known_hosts,
	// a username and password for every switch; the known_hosts
	// placeholder parsed; the secrets read as the sensor's user when it
	// logs in): an audit of the switches gets as far as dialing them,
	// which the empty network namespace refuses at once (a resolver on
	// loopback makes the name's failure the same everywhere). The
	// collector retries each switch twice (5 s, 10 s).
	for _, c := range []struct {
		name string
		view sensorView
	}{{"compose/syncwatch.yml", cv}, {"kubernetes/configmap.yaml", kubernetesView(t)}} {
		t.Run("live collection/"+c.name, func(t *testing.T) {
			t.Parallel()
			v := c.view
			v.files = append(slices.Clone(v.files), containerFile{path: "/etc/resolv.conf", content: []byte("nameserver 127.0.0.1\n"), mode: 0o644})
			stdout, stderr, code := runInView(t, bin, v, "audit", "--config", v.config)
			want := "Audited 0 sessions on 0 switches (0 ACLs) against 4 PSN addresses on port 8449: no findings.\n\n" +
				"2 warnings reading the input:\n" +
				"warning: ssh://access-sw1: switch not read: switch access-sw1: connect: network is unreachable\n" +
				"warning: ssh://access-sw2: switch not read: switch access-sw2: connect: lookup access-sw2.corp.example.com on 127.0.0.1:53: dial udp 127.0.0.1:53: connect: network is unreachable\n"
			if code != 1 || stdout != want || !strings.HasPrefix(stderr, "syncwatch audit: not every switch could be read: switch access-sw1: connect:") {
				t.Errorf("audit of %s's switches: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 1 (switches unreachable, nothing else), stdout:\n%s", c.name, code, stdout, stderr, want)
			}
		})
	}
	t.Run("compose secret unreadable", func(t *testing.T) {
		v := composeView(t, 0, 0o400)
		stdout, stderr, code := runInView(t, bin, v, "check-config", "--config", v.config)
		want := "syncwatch check-config: configuration errors:\n" +
			"/etc/syncwatch/syncwatch.yml:40: secret file: open /run/secrets/ssh_password: permission denied\n" +
			"/etc/syncwatch/syncwatch.yml:41: secret file: open /run/secrets/ssh_enable_secret: permission denied\n"
		if code != 2 || stdout != "" || stderr != want {
			t.Errorf("check-config with root's 0400 secrets: exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 2, stderr:\n%s", code, stdout, stderr, want)
		}
	})
}
