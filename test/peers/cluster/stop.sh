#!/usr/bin/env bash
# Stops the cluster peer started by start.sh (pids from the state dir, each checked against its
# command line so that a reused pid is never signalled). Safe to call twice and when nothing runs.
# Order: the kubelet (it stops its pods), the operator, the controller-manager, the apiserver, and
# etcd last (an apiserver whose etcd is gone hangs in shutdown for over a minute).
# Env: BUBU_CLUSTER_PEER_STATE  state dir (default <repo>/.cache/peers/cluster)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_CLUSTER_PEER_STATE:-$repo/.cache/peers/cluster}"

# True while <pid> runs <word> (a zombie has an empty command line).
runs() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q -- "$2"; }

# stop <name> <word that its command line contains> [seconds before SIGKILL]
stop() {
  local file="$state/$1.pid" pid wait="${3:-10}"
  [ -f "$file" ] || return 0
  pid="$(cat "$file" 2>/dev/null)"
  rm -f "$file"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  runs "$pid" "$2" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 $((wait * 10))); do
    runs "$pid" "$2" || { printf '[cluster-peer] stopped %s (pid %s)\n' "$1" "$pid" >&2; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  printf '[cluster-peer] killed %s (pid %s)\n' "$1" "$pid" >&2
}

stop kubelet kubelet.ts 12
# A pod process the kubelet could not stop (it was killed itself): each pod is its own process group.
shopt -s nullglob
for f in "$state"/pods/*/pid; do
  pid="$(cat "$f" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || continue
  dir="$(dirname "$f")"
  # Still that pod's process: it carries the pod's HOSTNAME (<namespace>_<pod> is the dir name).
  if [ ! -f "$dir/exit" ] && tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qx "HOSTNAME=${dir##*_}"; then
    kill -KILL -- "-$pid" 2>/dev/null && printf '[cluster-peer] killed leftover pod process group %s\n' "$pid" >&2
  fi
done
shopt -u nullglob
stop recorder api-recorder.ts
stop operator bobrapet
stop controller-manager kube-controller-manager
stop apiserver kube-apiserver 30
stop etcd etcd
rm -f "$state/env" "$state/kubelet.ready" "$state/recorder.port"
exit 0
