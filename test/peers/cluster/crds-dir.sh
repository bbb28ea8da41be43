#!/usr/bin/env bash
# Prints the folder of the BubuStack CRDs: config/crd/bases of the bobrapet module at the version
# the cluster peer runs (downloaded into the Go module cache on first use).
# Env: BUBU_BOBRAPET_VERSION (default v0.1.13, as install.sh)
set -euo pipefail
version="${BUBU_BOBRAPET_VERSION:-v0.1.13}"
command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
# From / so that no go.mod or go.work around the caller is used.
dir="$(cd / && GOWORK=off GOFLAGS=-mod=mod go mod download -json "github.com/bubustack/bobrapet@$version" |
  sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir/config/crd/bases" ] || { echo "crds-dir.sh: no config/crd/bases in bobrapet $version ($dir)" >&2; exit 1; }
printf '%s\n' "$dir/config/crd/bases"
