#!/usr/bin/env bash
# Installs the Kubernetes API peer's two programs, idempotently:
#   etcd                     the v3.7.4 build of test/peers/cluster/install.sh when present, else
#                            from Debian (`etcd-server`), only when `etcd` is not on PATH;
#   apiextensions-apiserver  with `go install` into $BUBU_PEER_CACHE/go-bin, only when the
#                            binary is absent or was built from another version (stamp file).
# The cache folder lives outside the clone (CI runs in a fresh clone) so that .ci/run reuses it.
#
# Env: BUBU_PEER_CACHE          cache root (default $HOME/.cache/bubu-sdk-ts)
#      BUBU_K8S_APISERVER_VERSION  module version (default below)
set -euo pipefail

version="${BUBU_K8S_APISERVER_VERSION:-v0.36.6}"
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
gobin="$cache/go-bin"
bin="$gobin/apiextensions-apiserver"
stamp="$gobin/apiextensions-apiserver.version"
t0=$SECONDS

log() { printf '[k8s-peer install] %s\n' "$*" >&2; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -x "$gobin/etcd" ]; then
  log "etcd present: $gobin/etcd (built by test/peers/cluster/install.sh)"
elif command -v etcd >/dev/null 2>&1; then
  log "etcd present: $(command -v etcd)"
else
  log "installing etcd-server from Debian"
  export DEBIAN_FRONTEND=noninteractive
  # `apt-get update` only when the package index does not know the package yet.
  if ! apt-cache show etcd-server >/dev/null 2>&1; then
    sudo_if_needed apt-get update
  fi
  sudo_if_needed apt-get install -y --no-install-recommends etcd-server
fi

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  log "apiextensions-apiserver $version present: $bin"
else
  command -v go >/dev/null 2>&1 || { log "go is not on PATH"; exit 1; }
  log "go install k8s.io/apiextensions-apiserver@$version -> $gobin (a cold build takes minutes)"
  mkdir -p "$gobin"
  rm -f "$stamp"
  GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "k8s.io/apiextensions-apiserver@$version"
  printf '%s\n' "$version" >"$stamp"
fi

log "done in $((SECONDS - t0)) s"
