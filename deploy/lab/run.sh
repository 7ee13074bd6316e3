#!/usr/bin/env bash
# Runs the network lab (issue 6) once, as root, and tears it all down:
#   deploy/lab/run.sh                 the lab, as CI runs it
#   deploy/lab/run.sh -record DIR     and records the run into DIR (examples/lab)
# Extra arguments go to go test.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$(id -u)" -ne 0 ]; then
  echo "run.sh: the lab needs root (network namespaces, nftables, sshd, a throwaway user)" >&2
  exit 2
fi
args=()
if [ "${1:-}" = "-record" ]; then
  [ -n "${2:-}" ] || { echo "run.sh: -record needs a folder" >&2; exit 2; }
  mkdir -p "$2"
  args=(-record "$(cd "$2" && pwd)")
  shift 2
fi
SYNCWATCH_REQUIRE_ALL=1 exec go test ./deploy/lab -run 'TestLab$' -count=1 -v -timeout 10m "${args[@]}" "$@"
