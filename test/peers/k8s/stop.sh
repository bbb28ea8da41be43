#!/usr/bin/env bash
# Stops the Kubernetes API peer started by start.sh (pids from the state dir). Safe to call twice and
# when nothing runs. Checks each pid's command line so that a reused pid is never killed.
# Env: BUBU_K8S_PEER_STATE  state dir (default <repo>/.cache/peers/k8s)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_K8S_PEER_STATE:-$repo/.cache/peers/k8s}"

# True while <pid> runs <word> (a zombie has an empty command line).
runs() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q -- "$2"; }

# stop <name> <word that its command line contains>
stop() {
  local file="$state/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null)"
  rm -f "$file"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  runs "$pid" "$2" || return 0 # gone, or the pid now belongs to another program
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do # 10 s, then SIGKILL
    runs "$pid" "$2" || { printf '[k8s-peer] stopped %s (pid %s)\n' "$1" "$pid" >&2; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  printf '[k8s-peer] killed %s (pid %s)\n' "$1" "$pid" >&2
}

# The apiserver first: it holds connections to etcd.
stop apiserver apiextensions-apiserver
stop etcd etcd
# Without pids the env file would point tests at a dead server.
rm -f "$state/env"
exit 0
