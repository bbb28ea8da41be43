#!/usr/bin/env bash
# Starts the cluster peer: a real BubuStack control plane on 127.0.0.1, with engram pods run as
# local processes.
#   etcd v3.7.4, kube-apiserver v1.37.2 (RBAC, service-account tokens, JSON audit log),
#   kube-controller-manager v1.37.2 (Jobs, Deployments and ReplicaSets, ServiceAccounts, namespaces,
#   GC, kube-root-ca.crt),
#   the bobrapet operator v0.1.13 (webhooks off) with its CRDs from the bobrapet module,
#   the process kubelet (kubelet.ts under node >= 22): runs each Pod's container as a local process
#   from an image -> command map, with the service-account files at the in-cluster path,
#   the API recorder (api-recorder.ts): a recording pass-through to the apiserver that pods may use.
#
# Writes into the state dir (default <repo>/.cache/peers/cluster, recreated on every start):
#   kubeconfig   admin (system:masters client certificate), current-context set
#   env          shell-sourceable BUBU_TEST_CLUSTER_* (see the end of this file)
#   audit.log    the apiserver's audit log (JSON lines; RequestResponse for runs.bubustack.io and
#                for every request of a service account, i.e. of a pod)
#   api-requests.log  the API recorder's log (JSON lines, with content types)
#   images.d/    image -> command maps read by the kubelet at each pod start (tests add files here)
#   pods/<namespace>_<pod>/{stdout,stderr}.log   each pod's output, kept after the pod is gone
#   pki/ etcd/ *.log *.pid
# A peer left running by an earlier start is stopped first. Stop with test/peers/cluster/stop.sh.
#
# Env: BUBU_CLUSTER_PEER_STATE    state dir
#      BUBU_PEER_CACHE            where install.sh put the binaries (default $HOME/.cache/bubu-sdk-ts)
#      BUBU_TEST_CRDS_DIR         CRD folder (default: config/crd/bases of the bobrapet module)
#      BUBU_CLUSTER_PEER_TIMEOUT  seconds allowed for each wait (default 90)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || (cd "$here/../../.." && pwd))"
state="${BUBU_CLUSTER_PEER_STATE:-$repo/.cache/peers/cluster}"
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
bin="$cache/go-bin"
timeout_s="${BUBU_CLUSTER_PEER_TIMEOUT:-90}"
export PATH="$repo/.cache/node/node_modules/.bin:$repo/node_modules/.bin:$PATH"

log() { printf '[cluster-peer] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
t_start="$(now_ms)"

for b in etcd kube-apiserver kube-controller-manager bobrapet; do
  [ -x "$bin/$b" ] || die "$bin/$b not found: run test/peers/cluster/install.sh"
done
for c in openssl curl ss unshare; do command -v "$c" >/dev/null || die "$c not found"; done
node --version 2>/dev/null | grep -qE '^v(2[2-9]|[3-9][0-9])\.' || die "node >= 22 not found (run npm ci)"
case "$state" in *"'"*) die "state dir must not contain a single quote: $state" ;; esac

if [ -n "${BUBU_TEST_CRDS_DIR:-}" ]; then
  crds="$BUBU_TEST_CRDS_DIR"
else
  crds="$("$here/crds-dir.sh")" || die "could not locate the bobrapet CRDs"
fi
shopt -s nullglob
crd_files=("$crds"/*.yaml)
shopt -u nullglob
[ "${#crd_files[@]}" -gt 0 ] || die "no CRDs in $crds"

# --- fresh state ----------------------------------------------------------------------------------
BUBU_CLUSTER_PEER_STATE="$state" "$here/stop.sh" >/dev/null 2>&1 || true
if [ -d "$state" ] && [ ! -f "$state/.bubu-cluster-peer" ] && [ -n "$(ls -A "$state")" ]; then
  die "$state exists and was not made by start.sh; refusing to delete it"
fi
rm -rf "$state"
mkdir -p "$state/pki" "$state/etcd" "$state/images.d" "$state/pods"
: >"$state/.bubu-cluster-peer"
chmod 700 "$state" "$state/pki" "$state/etcd"
state="$(cd "$state" && pwd)"
pki="$state/pki"
components=(etcd apiserver controller-manager operator kubelet recorder)

started=0
on_exit() {
  local rc=$?
  [ "$started" = 1 ] && return 0
  log "start failed (exit $rc); last log lines:"
  local c
  for c in "${components[@]}"; do
    [ -f "$state/$c.log" ] && { printf -- '--- %s\n' "$state/$c.log" >&2; tail -n 25 "$state/$c.log" >&2; }
  done
  BUBU_CLUSTER_PEER_STATE="$state" "$here/stop.sh" >&2 || true
  exit "$((rc == 0 ? 1 : rc))"
}
trap on_exit EXIT

# --- PKI ------------------------------------------------------------------------------------------
t="$(now_ms)"
pki_init "$pki" "bubu-sdk-ts cluster test CA"
# Pods reach the apiserver at KUBERNETES_SERVICE_HOST=127.0.0.1; the service names are there for
# clients that use them.
pki_sign server "/CN=kube-apiserver" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
pki_sign admin "/O=system:masters/CN=bubu-test-admin" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
pki_newkey "$pki/sa.key"
openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
chmod 600 "$pki"/*.key
log "certificates: $(since "$t")"

# --- ports ----------------------------------------------------------------------------------------
free_port etcd_port
free_port etcd_peer_port
free_port api_port
free_port metrics_port
free_port probe_port

# --- etcd -----------------------------------------------------------------------------------------
t="$(now_ms)"
etcd_url="http://127.0.0.1:$etcd_port"
spawn etcd "$bin/etcd" --name bubu-cluster --data-dir "$state/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "bubu-cluster=http://127.0.0.1:$etcd_peer_port" --initial-cluster-state new \
  --listen-metrics-urls "" --logger zap --log-outputs stderr
wait_for "etcd /health" etcd curl -fsS --max-time 2 "$etcd_url/health"
log "etcd $etcd_url ready: $(since "$t")"

# --- kube-apiserver -------------------------------------------------------------------------------
# Every request of a pod (any service account: the SDKs' lookups, status patches, claims, triggers)
# and every request on runs.bubustack.io, with their bodies; nothing else.
cat >"$state/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: RequestResponse
  userGroups: ["system:serviceaccounts"]
- level: RequestResponse
  resources:
  - group: runs.bubustack.io
- level: None
EOF
t="$(now_ms)"
url="https://127.0.0.1:$api_port"
spawn apiserver "$bin/kube-apiserver" \
  --etcd-servers "$etcd_url" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" \
  --client-ca-file "$pki/ca.crt" --cert-dir "$state/apiserver-certs" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --api-audiences https://kubernetes.default.svc \
  --service-cluster-ip-range 10.0.0.0/24 \
  --authorization-mode RBAC \
  --enable-priority-and-fairness=false --endpoint-reconciler-type none --profiling=false \
  --audit-policy-file "$state/audit-policy.yaml" --audit-log-path "$state/audit.log" \
  --audit-log-format json --audit-log-maxsize 0
kcurl() { curl -fsS --max-time 5 -A bubu-test-peer --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" "$@"; }
wait_for "apiserver /readyz" apiserver kcurl "$url/readyz"
log "apiserver $url ready: $(since "$t")"

b64() { base64 -w0 "$1"; }
cat >"$state/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: bubu-cluster
  cluster:
    server: $url
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: bubu-test-admin
  user:
    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")
contexts:
- name: bubu-cluster
  context:
    cluster: bubu-cluster
    user: bubu-test-admin
    namespace: default
current-context: bubu-cluster
EOF
chmod 600 "$state/kubeconfig"

# --- CRDs (server-side apply: the largest CRDs overflow client-side apply's annotation) ------------
t="$(now_ms)"
apply_crds "$url" "${crd_files[@]}"
# The operator's informers start at once; make sure every CR path answers first.
for name in "${crd_names[@]}"; do
  plural="${name%%.*}" group="${name#*.}"
  wait_for "/apis/$group/v1alpha1/$plural" apiserver kcurl "$url/apis/$group/v1alpha1/$plural?limit=1"
done
# The operator reads its (optional) config from this namespace. The one key we set names the S3
# credentials Secret it may copy from here into a Story's namespace (a Story's storage policy names
# the Secret; the operator copies only the one its config allows). Tests create that Secret.
kcurl -o /dev/null -X POST -H 'Content-Type: application/json' \
  --data '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"bobrapet-system"}}' "$url/api/v1/namespaces"
kcurl -o /dev/null -X POST -H 'Content-Type: application/json' \
  --data '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bobrapet-operator-config","namespace":"bobrapet-system"},"data":{"controller.storage.s3.auth-secret-name":"bubu-e2e-s3"}}' \
  "$url/api/v1/namespaces/bobrapet-system/configmaps"
log "${#crd_names[@]} CRDs applied and served: $(since "$t")"

# --- kube-controller-manager ----------------------------------------------------------------------
t="$(now_ms)"
spawn controller-manager "$bin/kube-controller-manager" \
  --kubeconfig "$state/kubeconfig" --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port 0 \
  --controllers job-controller,deployment-controller,replicaset-controller,garbage-collector-controller,serviceaccount-controller,namespace-controller,ttl-after-finished-controller,root-ca-certificate-publisher-controller \
  --root-ca-file "$pki/ca.crt" --use-service-account-credentials=false
# The serviceaccount and root-ca publisher controllers have run once these exist.
wait_for "default ServiceAccount" controller-manager kcurl "$url/api/v1/namespaces/default/serviceaccounts/default"
wait_for "kube-root-ca.crt ConfigMap" controller-manager kcurl "$url/api/v1/namespaces/default/configmaps/kube-root-ca.crt"
log "controller-manager ready: $(since "$t")"

# --- the operator ---------------------------------------------------------------------------------
t="$(now_ms)"
ENABLE_WEBHOOKS=false spawn operator "$bin/bobrapet" \
  --kubeconfig "$state/kubeconfig" --leader-elect=false \
  --metrics-bind-address "127.0.0.1:$metrics_port" --metrics-secure=false \
  --health-probe-bind-address "127.0.0.1:$probe_port"
# Objects may be created once the StepRun and StoryRun workers run.
workers() { grep -q '"Starting workers".*"controller":"'"$1"'"' "$state/operator.log"; }
wait_for "operator readyz" operator curl -fsS --max-time 2 "http://127.0.0.1:$probe_port/readyz"
wait_for "operator steprun workers" operator workers steprun
wait_for "operator storyrun workers" operator workers storyrun
log "operator ready: $(since "$t")"

# --- the process kubelet --------------------------------------------------------------------------
t="$(now_ms)"
cp "$here/images.json" "$state/images.d/00-repo.json"
BUBU_KUBELET_STATE="$state" BUBU_KUBELET_KUBECONFIG="$state/kubeconfig" \
  spawn kubelet node "$here/kubelet.ts"
wait_for "kubelet ready" kubelet test -f "$state/kubelet.ready"
log "kubelet ready: $(since "$t")"

# --- the API recorder ------------------------------------------------------------------------------
t="$(now_ms)"
BUBU_RECORDER_UPSTREAM="$url" BUBU_RECORDER_PKI="$pki" BUBU_RECORDER_LOG="$state/api-requests.log" \
  BUBU_RECORDER_READY="$state/recorder.port" spawn recorder node "$here/api-recorder.ts"
wait_for "API recorder ready" recorder test -s "$state/recorder.port"
log "API recorder on 127.0.0.1:$(cat "$state/recorder.port"): $(since "$t")"

# Nothing may listen beyond 127.0.0.1.
for c in "${components[@]}"; do
  pid="$(cat "$state/$c.pid")"
  if ss -Hltnp 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | grep -vqE '^(127\.0\.0\.1|\[::1\]):'; then
    die "$c listens beyond 127.0.0.1: $(ss -Hltnp | grep "pid=$pid,")"
  fi
done

{
  printf "BUBU_TEST_CLUSTER_KUBECONFIG='%s'\n" "$state/kubeconfig"
  printf "BUBU_TEST_CLUSTER_URL='%s'\n" "$url"
  printf "BUBU_TEST_CLUSTER_CA='%s'\n" "$pki/ca.crt"
  printf "BUBU_TEST_CLUSTER_CLIENT_CERT='%s'\n" "$pki/admin.crt"
  printf "BUBU_TEST_CLUSTER_CLIENT_KEY='%s'\n" "$pki/admin.key"
  printf "BUBU_TEST_CLUSTER_STATE='%s'\n" "$state"
  printf "BUBU_TEST_CLUSTER_AUDIT_LOG='%s'\n" "$state/audit.log"
  printf "BUBU_TEST_CLUSTER_IMAGES_DIR='%s'\n" "$state/images.d"
  printf "BUBU_TEST_CLUSTER_PODS_DIR='%s'\n" "$state/pods"
  printf "BUBU_TEST_CLUSTER_OPERATOR_LOG='%s'\n" "$state/operator.log"
  printf "BUBU_TEST_CLUSTER_RECORDER_LOG='%s'\n" "$state/api-requests.log"
  printf "BUBU_TEST_CLUSTER_RECORDER_PORT='%s'\n" "$(cat "$state/recorder.port")"
  for c in "${components[@]}"; do
    printf "BUBU_TEST_CLUSTER_%s_PID='%s'\n" "$(printf '%s' "$c" | tr 'a-z-' 'A-Z_')" "$(cat "$state/$c.pid")"
  done
} >"$state/env.tmp"
printf 'export %s\n' "$(grep -o '^BUBU_[A-Z_]*' "$state/env.tmp" | tr '\n' ' ')" >>"$state/env.tmp"
mv -f "$state/env.tmp" "$state/env"
started=1
log "ready in $(since "$t_start"): $url (source $state/env)"
