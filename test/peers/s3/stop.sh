#!/usr/bin/env bash
# Stops the S3 peer started by start.sh (pid from the state dir, checked against its command line
# so that a reused pid is never killed). Safe to call twice and when nothing runs.
# Env: BUBU_S3_PEER_STATE  state dir (default <repo>/.cache/peers/s3)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_S3_PEER_STATE:-$repo/.cache/peers/s3}"

runs() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -q -- "$2"; }

file="$state/versitygw.pid"
if [ -f "$file" ]; then
  pid="$(cat "$file" 2>/dev/null)"
  rm -f "$file"
  if [[ "$pid" =~ ^[0-9]+$ ]] && runs "$pid" versitygw; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do # 10 s, then SIGKILL
      runs "$pid" versitygw || { printf '[s3-peer] stopped versitygw (pid %s)\n' "$pid" >&2; break; }
      sleep 0.1
    done
    if runs "$pid" versitygw; then
      kill -KILL "$pid" 2>/dev/null || true
      printf '[s3-peer] killed versitygw (pid %s)\n' "$pid" >&2
    fi
  fi
fi
# Without the pid the env file would point tests at a dead server.
rm -f "$state/env"
exit 0
