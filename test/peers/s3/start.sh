#!/usr/bin/env bash
# Starts the S3 peer for one test run: versitygw (posix backend) on 127.0.0.1 only, on a free port,
# with fresh root keys and one bucket created with a SigV4-signed PUT.
#
# Writes into the state dir (default <repo>/.cache/peers/s3, recreated on every start):
#   env        shell-sourceable BUBU_TEST_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY, _SECRET_KEY,
#              _DATA (the posix root: <DATA>/<bucket>/<key> is the object's file), _STATE, _PID
#   data/ iam/ meta/ (sidecar metadata, only when the file system lacks user xattrs)
#   versitygw.log  versitygw.pid
# A peer left running by an earlier start is stopped first. Stop with test/peers/s3/stop.sh.
#
# Env: BUBU_S3_PEER_STATE    state dir
#      BUBU_PEER_CACHE       where install.sh put versitygw (default $HOME/.cache/bubu-sdk-ts)
#      BUBU_VERSITYGW        versitygw binary (default $BUBU_PEER_CACHE/go-bin/versitygw)
#      BUBU_S3_PEER_TIMEOUT  seconds allowed for each wait (default 30)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_S3_PEER_STATE:-$repo/.cache/peers/s3}"
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
vgw="${BUBU_VERSITYGW:-$cache/go-bin/versitygw}"
timeout_s="${BUBU_S3_PEER_TIMEOUT:-30}"
region="us-east-1"
bucket="bubu-test"

log() { printf '[s3-peer] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
t_start="$(now_ms)"

[ -x "$vgw" ] || die "versitygw not found at $vgw: run test/peers/s3/install.sh"
command -v curl >/dev/null || die "curl not found"
case "$state" in *"'"*) die "state dir must not contain a single quote: $state" ;; esac

# --- fresh state ----------------------------------------------------------------------------------
BUBU_S3_PEER_STATE="$state" "$here/stop.sh" >/dev/null 2>&1 || true
# Only a dir this script made (marker file) or an empty one is wiped: the path comes from the env.
if [ -d "$state" ] && [ ! -f "$state/.bubu-s3-peer" ] && [ -n "$(ls -A "$state")" ]; then
  die "$state exists and was not made by start.sh; refusing to delete it"
fi
rm -rf "$state"
mkdir -p "$state/data" "$state/iam"
: >"$state/.bubu-s3-peer"
chmod 700 "$state"
state="$(cd "$state" && pwd)"

started=0
on_exit() {
  local rc=$?
  [ "$started" = 1 ] && return 0
  log "start failed (exit $rc); last log lines:"
  [ -f "$state/versitygw.log" ] && tail -n 25 "$state/versitygw.log" >&2
  BUBU_S3_PEER_STATE="$state" "$here/stop.sh" >&2 || true
  exit "$((rc == 0 ? 1 : rc))"
}
trap on_exit EXIT

# The posix backend keeps object metadata in user xattrs; without them it needs a sidecar dir.
sidecar=()
if ! { command -v python3 >/dev/null && python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.bubu-probe", b"1")' "$state/data" 2>/dev/null; }; then
  mkdir -p "$state/meta"
  sidecar=(--sidecar "$state/meta")
  log "no user xattrs on $state/data: using --sidecar"
fi

# --- port -----------------------------------------------------------------------------------------
free_port port

access="bubu$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"

# --- versitygw ------------------------------------------------------------------------------------
# Keys go through the environment, not argv (visible in ps).
ROOT_ACCESS_KEY="$access" ROOT_SECRET_KEY="$secret" \
  bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$state/versitygw.pid" \
  "$vgw" --port "127.0.0.1:$port" --region "$region" --iam-dir "$state/iam" --quiet \
  posix "${sidecar[@]}" "$state/data" </dev/null >"$state/versitygw.log" 2>&1 &
for _ in $(seq 1 50); do [ -s "$state/versitygw.pid" ] && break; sleep 0.02; done
pid="$(cat "$state/versitygw.pid" 2>/dev/null)" || die "versitygw did not start"
endpoint="http://127.0.0.1:$port"

deadline=$((SECONDS + timeout_s))
# Any HTTP answer (an anonymous request gets 403) means it listens.
until code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$endpoint/")" && [ "$code" != 000 ]; do
  kill -0 "$pid" 2>/dev/null || die "versitygw exited while starting"
  [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${timeout_s}s waiting for versitygw"
  sleep 0.1
done

# curl signs the x-amz-content-sha256 header when it is present (S3 requires it).
s3curl() {
  curl -sS --max-time 10 --aws-sigv4 "aws:amz:$region:s3" --user "$access:$secret" \
    -H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" "$@"
}
code="$(s3curl -o "$state/create-bucket.xml" -w '%{http_code}' -X PUT "$endpoint/$bucket")"
[ "$code" = 200 ] || { cat "$state/create-bucket.xml" >&2; die "creating bucket $bucket: HTTP $code"; }
rm -f "$state/create-bucket.xml"

# Nothing may listen on all interfaces.
if ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | grep -vqE '^(127\.0\.0\.1|\[::1\]):'; then
  die "versitygw listens beyond 127.0.0.1: $(ss -Hltnp | grep "pid=$pid,")"
fi

umask 077
cat >"$state/env" <<ENV
BUBU_TEST_S3_ENDPOINT='$endpoint'
BUBU_TEST_S3_REGION='$region'
BUBU_TEST_S3_BUCKET='$bucket'
BUBU_TEST_S3_ACCESS_KEY='$access'
BUBU_TEST_S3_SECRET_KEY='$secret'
BUBU_TEST_S3_DATA='$state/data'
BUBU_TEST_S3_STATE='$state'
BUBU_TEST_S3_PID='$pid'
export BUBU_TEST_S3_ENDPOINT BUBU_TEST_S3_REGION BUBU_TEST_S3_BUCKET BUBU_TEST_S3_ACCESS_KEY BUBU_TEST_S3_SECRET_KEY BUBU_TEST_S3_DATA BUBU_TEST_S3_STATE BUBU_TEST_S3_PID
ENV
started=1
log "ready in $(($(now_ms) - t_start)) ms: $endpoint bucket $bucket (source $state/env)"
