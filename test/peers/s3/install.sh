#!/usr/bin/env bash
# Installs the S3 peer, versitygw, idempotently: `go install` into $BUBU_PEER_CACHE/go-bin, only when
# the binary is absent or was built from another version (stamp file). The cache folder lives outside
# the clone (CI runs in a fresh clone) so that .ci/run reuses it.
#
# Env: BUBU_PEER_CACHE         cache root (default $HOME/.cache/bubu-sdk-ts)
#      BUBU_VERSITYGW_VERSION  module version (default below)
set -euo pipefail

version="${BUBU_VERSITYGW_VERSION:-v1.7.0}"
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
gobin="$cache/go-bin"
bin="$gobin/versitygw"
stamp="$gobin/versitygw.version"
t0=$SECONDS

log() { printf '[s3-peer install] %s\n' "$*" >&2; }

if [ -x "$bin" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ]; then
  log "versitygw $version present: $bin"
else
  command -v go >/dev/null 2>&1 || { log "go is not on PATH"; exit 1; }
  log "go install github.com/versity/versitygw/cmd/versitygw@$version -> $gobin (a cold build takes minutes)"
  mkdir -p "$gobin"
  rm -f "$stamp"
  GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/versity/versitygw/cmd/versitygw@$version"
  printf '%s\n' "$version" >"$stamp"
fi

log "done in $((SECONDS - t0)) s"
