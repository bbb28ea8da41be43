#!/usr/bin/env bash
# Starts the Kubernetes API peer for one test run: etcd + apiextensions-apiserver on 127.0.0.1 only,
# client-certificate auth with a CA made here, the BubuStack CRDs applied, Established and served.
#
# Writes into the state dir (default <repo>/.cache/peers/k8s, recreated on every start):
#   kubeconfig   client cert/key and CA embedded, current-context set
#   env          shell-sourceable BUBU_TEST_KUBECONFIG, BUBU_TEST_K8S_URL, BUBU_TEST_K8S_CA,
#                BUBU_TEST_K8S_CLIENT_CERT, BUBU_TEST_K8S_CLIENT_KEY, pids
#   pki/  etcd/  etcd.log  apiserver.log  *.pid
# A peer left running by an earlier start is stopped first. Stop with test/peers/k8s/stop.sh.
#
# Env: BUBU_K8S_PEER_STATE   state dir
#      BUBU_TEST_CRDS_DIR    CRD folder (default: config/crd/bases of the bobrapet module, located
#                            by test/peers/cluster/crds-dir.sh)
#      BUBU_PEER_CACHE       where install.sh put the apiserver (default $HOME/.cache/bubu-sdk-ts)
#      BUBU_K8S_APISERVER    apiserver binary (default $BUBU_PEER_CACHE/go-bin/apiextensions-apiserver)
#      BUBU_ETCD             etcd binary (default: $BUBU_PEER_CACHE/go-bin/etcd built by
#                            test/peers/cluster/install.sh, else etcd on PATH)
#      BUBU_K8S_PEER_TIMEOUT seconds allowed for each wait (default 90)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_K8S_PEER_STATE:-$repo/.cache/peers/k8s}"
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
apiserver="${BUBU_K8S_APISERVER:-$cache/go-bin/apiextensions-apiserver}"
if [ -n "${BUBU_ETCD:-}" ]; then etcd="$BUBU_ETCD"
elif [ -x "$cache/go-bin/etcd" ]; then etcd="$cache/go-bin/etcd"
else etcd="$(command -v etcd || true)"; fi
timeout_s="${BUBU_K8S_PEER_TIMEOUT:-90}"

log() { printf '[k8s-peer] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
t_start="$(now_ms)"

[ -n "$etcd" ] && [ -x "$etcd" ] || die "etcd not found: run test/peers/k8s/install.sh"
crds="${BUBU_TEST_CRDS_DIR:-}"
[ -n "$crds" ] || crds="$("$here/../cluster/crds-dir.sh")" || die "could not locate the bobrapet CRDs"
[ -x "$apiserver" ] || die "apiextensions-apiserver not found at $apiserver: run test/peers/k8s/install.sh"
command -v openssl >/dev/null || die "openssl not found"
command -v curl >/dev/null || die "curl not found"
shopt -s nullglob
crd_files=("$crds"/*.yaml)
shopt -u nullglob
[ "${#crd_files[@]}" -gt 0 ] || die "no CRDs in $crds (set BUBU_TEST_CRDS_DIR)"
case "$state" in *"'"*) die "state dir must not contain a single quote: $state" ;; esac

# --- fresh state ----------------------------------------------------------------------------------
BUBU_K8S_PEER_STATE="$state" "$here/stop.sh" >/dev/null 2>&1 || true
# Only a dir this script made (marker file) or an empty one is wiped: the path comes from the env.
if [ -d "$state" ] && [ ! -f "$state/.bubu-k8s-peer" ] && [ -n "$(ls -A "$state")" ]; then
  die "$state exists and was not made by start.sh; refusing to delete it"
fi
rm -rf "$state"
mkdir -p "$state/pki" "$state/etcd"
: >"$state/.bubu-k8s-peer"
chmod 700 "$state" "$state/pki" "$state/etcd"
state="$(cd "$state" && pwd)"
pki="$state/pki"

started=0
on_exit() {
  local rc=$?
  [ "$started" = 1 ] && return 0
  log "start failed (exit $rc); last log lines:"
  for f in "$state/etcd.log" "$state/apiserver.log"; do
    [ -f "$f" ] && { printf -- '--- %s\n' "$f" >&2; tail -n 25 "$f" >&2; }
  done
  BUBU_K8S_PEER_STATE="$state" "$here/stop.sh" >&2 || true
  exit "$((rc == 0 ? 1 : rc))"
}
trap on_exit EXIT

# --- PKI: a CA, a serving cert for 127.0.0.1/localhost, a system:masters client cert ---------------
t="$(now_ms)"
pki_init "$pki" "bubu-sdk-ts test CA"
pki_sign server "/CN=127.0.0.1" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost"
pki_sign client "/O=system:masters/CN=bubu-test-admin" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
chmod 600 "$pki"/*.key
log "certificates: $(since "$t")"

# --- ports ----------------------------------------------------------------------------------------
free_port etcd_port
free_port peer_port
free_port api_port

# --- etcd -----------------------------------------------------------------------------------------
t="$(now_ms)"
etcd_url="http://127.0.0.1:$etcd_port"
spawn etcd "$etcd" --name bubu-test --data-dir "$state/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "bubu-test=http://127.0.0.1:$peer_port" --initial-cluster-state new \
  --logger zap --log-outputs stderr
wait_for "etcd /health" etcd curl -fsS --max-time 2 "$etcd_url/health"
log "etcd $etcd_url ready: $(since "$t")"

# --- apiextensions-apiserver ----------------------------------------------------------------------
# authn/authz delegation needs a kubeconfig to start; it points at a port where nothing listens and is
# never used for client-certificate requests (system:masters is always allowed).
cat >"$state/dummy-kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
users: [{name: none, user: {}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
EOF
t="$(now_ms)"
spawn apiserver "$apiserver" \
  --etcd-servers "$etcd_url" --etcd-prefix "/bubu-test-$$" \
  --bind-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" \
  --client-ca-file "$pki/ca.crt" --cert-dir "$state/apiserver-certs" \
  --authentication-skip-lookup \
  --authentication-kubeconfig "$state/dummy-kubeconfig" \
  --authorization-kubeconfig "$state/dummy-kubeconfig" \
  --kubeconfig "$state/dummy-kubeconfig" \
  --enable-priority-and-fairness=false \
  --disable-admission-plugins NamespaceLifecycle,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,MutatingAdmissionPolicy
url="https://127.0.0.1:$api_port"
# A non-curl User-Agent: the apiserver pretty-prints JSON for curl, and the checks below match compact JSON.
kcurl() { curl -fsS --max-time 5 -A bubu-test-peer --cacert "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key" "$@"; }
# /readyz stays 500 on this server (an informer waits for the absent core API): use /healthz.
wait_for "apiserver /healthz" apiserver kcurl "$url/healthz"
wait_for "apiextensions.k8s.io/v1" apiserver kcurl "$url/apis/apiextensions.k8s.io/v1"
log "apiserver $url healthy: $(since "$t")"

# --- kubeconfig + env -----------------------------------------------------------------------------
b64() { base64 -w0 "$1"; }
cat >"$state/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: bubu-test
  cluster:
    server: $url
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: bubu-test-admin
  user:
    client-certificate-data: $(b64 "$pki/client.crt")
    client-key-data: $(b64 "$pki/client.key")
contexts:
- name: bubu-test
  context:
    cluster: bubu-test
    user: bubu-test-admin
    namespace: default
current-context: bubu-test
EOF
chmod 600 "$state/kubeconfig"

# --- CRDs -----------------------------------------------------------------------------------------
t="$(now_ms)"
apply_crds "$url" "${crd_files[@]}"
log "${#crd_names[@]} CRDs applied and Established: $(since "$t")"

# Established is not yet served: CR paths answer 503 until the CRD handler has synced. Wait for a
# list on every CRD (its group's preferred version is the one storage version these CRDs have).
t="$(now_ms)"
for name in "${crd_names[@]}"; do
  plural="${name%%.*}" group="${name#*.}"
  wait_for "/apis/$group discovery" apiserver kcurl "$url/apis/$group"
  gv="$(kcurl "$url/apis/$group" | sed -n 's/.*"preferredVersion":{"groupVersion":"\([^"]*\)".*/\1/p')"
  [ -n "$gv" ] || die "no preferred version for $group"
  wait_for "/apis/$gv/$plural" apiserver kcurl "$url/apis/$gv/$plural?limit=1"
done
log "${#crd_names[@]} CR paths served: $(since "$t")"

# Nothing may listen on all interfaces.
for name in etcd apiserver; do
  pid="$(cat "$state/$name.pid")"
  if ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | grep -vqE '^(127\.0\.0\.1|\[::1\]):'; then
    die "$name listens beyond 127.0.0.1: $(ss -Hltnp | grep "pid=$pid,")"
  fi
done

cat >"$state/env" <<EOF
BUBU_TEST_KUBECONFIG='$state/kubeconfig'
BUBU_TEST_K8S_URL='$url'
BUBU_TEST_K8S_CA='$pki/ca.crt'
BUBU_TEST_K8S_CLIENT_CERT='$pki/client.crt'
BUBU_TEST_K8S_CLIENT_KEY='$pki/client.key'
BUBU_TEST_K8S_STATE='$state'
BUBU_TEST_K8S_ETCD_URL='$etcd_url'
BUBU_TEST_K8S_ETCD_PID='$(cat "$state/etcd.pid")'
BUBU_TEST_K8S_APISERVER_PID='$(cat "$state/apiserver.pid")'
export BUBU_TEST_KUBECONFIG BUBU_TEST_K8S_URL BUBU_TEST_K8S_CA BUBU_TEST_K8S_CLIENT_CERT BUBU_TEST_K8S_CLIENT_KEY BUBU_TEST_K8S_STATE BUBU_TEST_K8S_ETCD_URL BUBU_TEST_K8S_ETCD_PID BUBU_TEST_K8S_APISERVER_PID
EOF
started=1
log "ready in $(since "$t_start"): $url (source $state/env)"
