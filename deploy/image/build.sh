#!/usr/bin/env bash
# Builds the syncwatch image with buildah where nothing can be pulled:
# assembles a builder base from scratch (the host's Go toolchain,
# busybox-static as sh, CA certificates, /tmp), vendors the modules into a
# copy of the source so the build runs offline, and builds the top-level
# Dockerfile with --format docker (which keeps HEALTHCHECK).
#
#   deploy/image/build.sh [--out DIR] [--tag NAME] [--version V] [--archive FILE]
#
# --out DIR receives image.json (buildah inspect of the image) and rootfs/
# (the image's root filesystem, for tests and the lab to run the binary
# from); --archive FILE also writes a docker-archive for `docker load`.
# Storage is vfs under $SYNCWATCH_BUILDAH_ROOT (default: a folder in DIR or
# a temporary one, removed at the end unless --keep-storage).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out="" tag="localhost/syncwatch:dev" version="dev" archive="" keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --archive) archive=$2; shift 2 ;;
    --keep-storage) keep=1; shift ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

export PATH="/usr/local/go/bin:$PATH"
goroot=$(go env GOROOT)
gover=$(go env GOVERSION)
for f in /bin/busybox /etc/ssl/certs/ca-certificates.crt; do
  [ -e "$f" ] || { echo "build.sh: $f missing (busybox-static, ca-certificates)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/syncwatch-image.XXXXXX")
storage=${SYNCWATCH_BUILDAH_ROOT:-$work/storage}
bh() { buildah --root "$storage/root" --runroot "$storage/run" --storage-driver vfs "$@"; }
cleanup() {
  set +e
  [ -n "${mounted:-}" ] && bh umount "$mounted" >/dev/null
  [ -n "${ctr:-}" ] && bh rm "$ctr" >/dev/null
  if [ "$keep" = 0 ] && [ -z "${SYNCWATCH_BUILDAH_ROOT:-}" ]; then
    bh rm --all >/dev/null 2>&1
    bh rmi --all --force >/dev/null 2>&1
    rm -rf "$storage"
  fi
  rm -rf "$work/context" "$work/base"
  [ "$keep" = 0 ] && rm -rf "$work"
}
trap cleanup EXIT

step() { printf '%s build.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# 1. The build context: the tracked source (or everything but .git) and vendor/.
step "context"
mkdir -p "$work/context"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  revision=$(git -C "$repo" rev-parse HEAD)
  git -C "$repo" diff --quiet HEAD 2>/dev/null || revision="$revision-dirty"
  # Tracked and new files, not ignored ones (real secrets in
  # deploy/compose/secrets are ignored), and not tracked files deleted since.
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do if [ -f "$f" ]; then printf '%s\0' "$f"; fi; done |
    xargs -0 -r cp --parents -t "$work/context")
else
  revision=unknown
  (cd "$repo" && tar --exclude=.git --exclude=./deploy/compose/secrets --exclude=./deploy/compose/known_hosts -cf - .) |
    tar -C "$work/context" -xf -
fi
(cd "$work/context" && GOFLAGS=-mod=mod go mod vendor)

# 2. The builder base: Go, busybox as sh and its applets, CA certificates, /tmp.
step "builder base ($gover)"
base="localhost/syncwatch-builder-base:$gover"
mkdir -p "$work/base/bin" "$work/base/tmp" "$work/base/etc/ssl/certs" "$work/base/usr/local"
chmod 1777 "$work/base/tmp"
cp /bin/busybox "$work/base/bin/busybox"
for applet in sh cp mkdir printf cat ls rm mv ln chmod env; do ln -s busybox "$work/base/bin/$applet"; done
cp /etc/ssl/certs/ca-certificates.crt "$work/base/etc/ssl/certs/"
ctr=$(bh from scratch)
bh copy "$ctr" "$work/base" / >/dev/null
bh copy "$ctr" "$goroot" /usr/local/go >/dev/null
bh config --env PATH=/usr/local/go/bin:/bin --env HOME=/tmp --workingdir /tmp "$ctr"
bh commit --quiet --rm "$ctr" "$base" >/dev/null
ctr=""

# 3. The image.
step "image $tag"
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
bh bud --quiet --format docker --isolation chroot --pull-never \
  --build-arg BUILDER_IMAGE="$base" --build-arg VERSION="$version" \
  --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  -t "$tag" -f "$work/context/Dockerfile" "$work/context" >/dev/null

# 4. What the tests and the lab read.
if [ -n "$out" ]; then
  step "export to $out"
  mkdir -p "$out"
  bh inspect --type image "$tag" > "$out/image.json"
  ctr=$(bh from --pull-never "$tag")
  mounted=$ctr
  mnt=$(bh mount "$ctr")
  rm -rf "$out/rootfs"
  cp -a "$mnt" "$out/rootfs"
  bh umount "$ctr" >/dev/null; mounted=""
  bh rm "$ctr" >/dev/null; ctr=""
fi
if [ -n "$archive" ]; then
  step "archive $archive"
  bh push --quiet "$tag" "docker-archive:$archive:$tag" >/dev/null
fi
step "done"
