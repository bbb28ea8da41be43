# shellcheck shell=bash
# Shared by the peers' start scripts (sourced): timing, background processes, free ports, a
# throwaway PKI and CRD installation. The callers define `log` and `die` (with their own prefix),
# and `state` (the state dir) and `timeout_s` before using spawn/wait_for; apply_crds needs `kcurl`.

# Every local TCP port in use now, listening or not.
_peer_ports_taken=" $(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ') "
read -r _peer_eph_lo _peer_eph_hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || {
  _peer_eph_lo=32768
  _peer_eph_hi=60999
}

# free_port VAR: sets VAR to a port on 127.0.0.1 that no socket uses and no earlier call returned.
# Drawn outside the kernel's ephemeral range, so an outgoing connection cannot take it between
# this pick and the server's bind (seen: "bind: address already in use" on a port from that range).
free_port() {
  local p lo=10000 hi=$((_peer_eph_lo - 1))
  if [ $((hi - lo)) -lt 1000 ]; then
    lo=$((_peer_eph_hi + 1))
    hi=65000
  fi
  for _ in $(seq 1 500); do
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
    case "$_peer_ports_taken" in *" $p "*) continue ;; esac
    _peer_ports_taken="$_peer_ports_taken$p "
    printf -v "$1" '%s' "$p"
    return 0
  done
  echo "no free port found in $lo-$hi" >&2
  return 1
}

# pki_init DIR CA_NAME: a fresh P-256 CA in DIR/ca.{key,crt}, valid two days.
pki_init() {
  _pki="$1"
  pki_newkey "$_pki/ca.key"
  openssl req -x509 -new -key "$_pki/ca.key" -sha256 -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$_pki/ca.crt" 2>/dev/null
}

# pki_newkey FILE: a P-256 private key.
pki_newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# pki_sign NAME SUBJECT EXTENSIONS: DIR/NAME.{key,crt} signed by the pki_init CA.
pki_sign() {
  pki_newkey "$_pki/$1.key"
  openssl req -new -key "$_pki/$1.key" -subj "$2" -out "$_pki/$1.csr" 2>/dev/null
  printf '%s\n' "$3" >"$_pki/$1.ext"
  openssl x509 -req -in "$_pki/$1.csr" -CA "$_pki/ca.crt" -CAkey "$_pki/ca.key" -CAcreateserial \
    -sha256 -days 2 -extfile "$_pki/$1.ext" -out "$_pki/$1.crt" 2>/dev/null
  rm -f "$_pki/$1.csr" "$_pki/$1.ext"
  chmod 600 "$_pki/$1.key"
}

now_ms() { local t="${EPOCHREALTIME/./}"; printf '%s' "$((t / 1000))"; }
# since <ms>: the time since then, for log lines.
since() { printf '%s ms' "$(($(now_ms) - $1))"; }

# spawn <name> <program> <args...>: background process whose pid is written by itself (exec keeps it).
spawn() {
  local name="$1"
  shift
  bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$state/$name.pid" "$@" </dev/null >"$state/$name.log" 2>&1 &
  local i
  for i in $(seq 1 50); do [ -s "$state/$name.pid" ] && return 0; sleep 0.02; done
  die "$name did not start"
}
alive() { local pid; pid="$(cat "$state/$1.pid" 2>/dev/null)" && kill -0 "$pid" 2>/dev/null; }
# wait_for <what> <process name> <command...>: polls; fails when the process dies or time runs out.
wait_for() {
  local what="$1" name="$2"
  shift 2
  local deadline=$((SECONDS + timeout_s))
  until "$@" >/dev/null 2>&1; do
    alive "$name" || die "$name exited while waiting for $what"
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${timeout_s}s waiting for $what"
    sleep 0.2
  done
}

# apply_crds <api url> <file...>: server-side apply (PATCH application/apply-patch+yaml, what
# `kubectl apply --server-side` sends; client-side apply keeps the whole object in an annotation
# limited to 256 KiB, which the largest CRDs exceed), then waits until each is Established (the
# apiserver's process is named `apiserver`). Sets crd_names.
apply_crds() {
  local url="$1" f name code
  shift
  crd_api="$url/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
  crd_names=()
  for f in "$@"; do
    name="$(awk '/^metadata:/{m=1;next} /^[^ ]/{m=0} m && /^  name: /{print $2; exit}' "$f")"
    [ -n "$name" ] || die "no metadata.name in $f"
    crd_names+=("$name")
    code="$(kcurl -o "$state/crd-apply.json" -w '%{http_code}' -X PATCH \
      -H 'Content-Type: application/apply-patch+yaml' --data-binary "@$f" \
      "$crd_api/$name?fieldManager=bubu-test-peer&force=true" || true)"
    case "$code" in 200 | 201) ;; *) cat "$state/crd-apply.json" >&2; die "applying $f: HTTP $code" ;; esac
  done
  rm -f "$state/crd-apply.json"
  for name in "${crd_names[@]}"; do wait_for "CRD $name Established" apiserver _crd_established "$name"; done
}
# (A variable, not a pipe into grep -q: with pipefail, curl's SIGPIPE would fail the check.)
_crd_established() {
  local body
  body="$(kcurl "$crd_api/$1")" && [[ "$body" == *'"type":"Established","status":"True"'* ]]
}
