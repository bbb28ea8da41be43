#!/usr/bin/env bash
# Installs the cluster peer's four programs, idempotently, each built from the Go module proxy:
#   kube-apiserver, kube-controller-manager   k8s.io/kubernetes v1.37.2
#   etcd                                      go.etcd.io/etcd/server/v3 v3.7.4
#   bobrapet                                  github.com/bubustack/bobrapet v0.1.13 (the operator)
# into $BUBU_PEER_CACHE/go-bin, each with a version stamp; a binary whose stamp matches is kept.
# None of them can be `go install`ed by path@version (replace directives, or the proxy refuses the
# command path), so each is built from a small wrapper module generated here under
# $BUBU_PEER_CACHE/cluster-src/<name> (go.mod, go.sum and a blank import; nothing in the clone).
# Builds run one at a time: the machine's cores are shared with other work. They use a Go build
# cache of their own ($BUBU_PEER_CACHE/go-build-cluster, ~5 GB while building) that is deleted
# after a successful run: only the binaries (~350 MB) are kept.
#
# Usage: install.sh [etcd|kube-apiserver|kube-controller-manager|bobrapet]...   (default: all four)
# Env:   BUBU_PEER_CACHE   cache root (default $HOME/.cache/bubu-sdk-ts)
#        BUBU_KUBE_VERSION, BUBU_ETCD_VERSION, BUBU_BOBRAPET_VERSION   override the versions below
#        BUBU_PEER_KEEP_GOCACHE=1   keep the build cache (a rebuild then relinks in seconds)
set -euo pipefail

kube_version="${BUBU_KUBE_VERSION:-v1.37.2}"
etcd_version="${BUBU_ETCD_VERSION:-v3.7.4}"
bobrapet_version="${BUBU_BOBRAPET_VERSION:-v0.1.13}"
# Bumped when the way a binary is built changes, so that cached binaries are rebuilt.
recipe=1
cache="${BUBU_PEER_CACHE:-$HOME/.cache/bubu-sdk-ts}"
gobin="$cache/go-bin"
srcroot="$cache/cluster-src"
t0=$SECONDS

log() { printf '[cluster-peer install] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# One install at a time per cache (other clones may run their test suites on the same machine):
# a second one waits, then finds the stamps in place.
mkdir -p "$cache"
exec 9>"$cache/cluster-install.lock"
if ! flock -n 9; then
  log "another install is running; waiting for it"
  flock 9
fi

command -v go >/dev/null 2>&1 || export PATH="/usr/local/go/bin:$PATH"
command -v go >/dev/null 2>&1 || die "go is not on PATH"
export GOFLAGS="${GOFLAGS:-} -trimpath -buildvcs=false"
export GOCACHE="$cache/go-build-cluster"

# present <binary> <stamp text>: true when the binary exists and was built from that recipe.
present() { [ -x "$gobin/$1" ] && [ -f "$gobin/$1.version" ] && [ "$(cat "$gobin/$1.version")" = "$2" ]; }

# wrapper <name> <go.mod text> <import path...>: a fresh module dir with a build-tagged blank import
# of each path (so that `go mod tidy` keeps the requirements), tidied. Prints the dir.
wrapper() {
  local name="$1" gomod="$2"
  shift 2
  local dir="$srcroot/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '%s\n' "$gomod" >"$dir/go.mod"
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    local p
    for p in "$@"; do printf '\t_ "%s"\n' "$p"; done
    printf ')\n'
  } >"$dir/tools.go"
  (cd "$dir" && go mod tidy) >&2 || die "go mod tidy failed in $dir"
  printf '%s' "$dir"
}

# build <binary> <wrapper dir> <package> [ldflags]: builds into a temp name, then renames, so an
# interrupted build never leaves a binary that looks installed.
build() {
  local name="$1" dir="$2" pkg="$3" ldflags="${4:-}" t=$SECONDS
  mkdir -p "$gobin"
  rm -f "$gobin/$name.version"
  (cd "$dir" && go build -ldflags "-s -w $ldflags" -o "$gobin/$name.tmp" "$pkg") >&2 || die "building $name failed"
  mv -f "$gobin/$name.tmp" "$gobin/$name"
  log "$name built in $((SECONDS - t)) s"
}

install_etcd() {
  local stamp="$etcd_version r$recipe"
  if present etcd "$stamp"; then log "etcd $etcd_version present"; return; fi
  log "building etcd $etcd_version (cold: about a minute)"
  local m=go.etcd.io/etcd dir
  dir="$(wrapper etcd "module bubu-peer/etcd

go 1.25

require $m/server/v3 $etcd_version

replace (
	$m/api/v3 => $m/api/v3 $etcd_version
	$m/client/pkg/v3 => $m/client/pkg/v3 $etcd_version
	$m/client/v3 => $m/client/v3 $etcd_version
	$m/pkg/v3 => $m/pkg/v3 $etcd_version
)" "$m/server/v3")"
  build etcd "$dir" "$m/server/v3"
  printf '%s\n' "$stamp" >"$gobin/etcd.version"
}

# k8s.io/kubernetes replaces each staging module with a local folder; outside its repo each must be
# replaced with the published module of the matching v0.x version. The two sample modules were never
# published at that version and nothing built here imports them.
kube_wrapper() {
  [ -n "${kube_dir:-}" ] && return 0
  local modfile staging minor
  mkdir -p "$srcroot"
  modfile="$(cd "$srcroot" && go mod download -json "k8s.io/kubernetes@$kube_version" |
    sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  [ -f "$modfile" ] || die "go mod download k8s.io/kubernetes@$kube_version gave no go.mod"
  minor="v0.${kube_version#v1.}"
  staging="$(sed -n 's#^\t\(k8s.io/[a-z0-9-]*\) => ./staging/.*#\1#p' "$modfile" |
    grep -vxE 'k8s.io/sample-(cli-plugin|controller)' |
    while read -r mod; do printf '\t%s => %s %s\n' "$mod" "$mod" "$minor"; done)"
  [ -n "$staging" ] || die "no staging modules found in $modfile"
  kube_dir="$(wrapper kube "module bubu-peer/kube

go 1.26

require k8s.io/kubernetes $kube_version

replace (
$staging
)" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager)"
}

install_kube() { # install_kube <kube-apiserver|kube-controller-manager>
  local name="$1" stamp="$kube_version r$recipe" minor="${kube_version#v1.}"
  if present "$name" "$stamp"; then log "$name $kube_version present"; return; fi
  log "building $name $kube_version (cold: kube-apiserver 5-10 min, kube-controller-manager 1-3 min)"
  kube_wrapper
  # Without the version the server reports v0.0.0-master, which clients cannot parse.
  local v=k8s.io/component-base/version
  build "$name" "$kube_dir" "k8s.io/kubernetes/cmd/$name" \
    "-X $v.gitVersion=$kube_version -X $v.gitMajor=1 -X $v.gitMinor=${minor%%.*} -X $v.gitTreeState=clean"
  printf '%s\n' "$stamp" >"$gobin/$name.version"
}

install_bobrapet() {
  local stamp="$bobrapet_version r$recipe"
  if present bobrapet "$stamp"; then log "bobrapet $bobrapet_version present"; return; fi
  log "building the bobrapet operator $bobrapet_version (cold: 2-4 min)"
  local dir
  dir="$(wrapper bobrapet "module bubu-peer/bobrapet

go 1.26

require github.com/bubustack/bobrapet $bobrapet_version" github.com/bubustack/bobrapet/cmd)"
  build bobrapet "$dir" github.com/bubustack/bobrapet/cmd
  printf '%s\n' "$stamp" >"$gobin/bobrapet.version"
}

[ $# -gt 0 ] || set -- etcd bobrapet kube-apiserver kube-controller-manager
for what in "$@"; do
  case "$what" in
    etcd) install_etcd ;;
    bobrapet) install_bobrapet ;;
    kube-apiserver | kube-controller-manager) install_kube "$what" ;;
    *) die "unknown program: $what" ;;
  esac
done
if [ "${BUBU_PEER_KEEP_GOCACHE:-0}" != 1 ] && [ -d "$GOCACHE" ]; then
  log "removing the build cache $GOCACHE ($(du -sh "$GOCACHE" 2>/dev/null | cut -f1))"
  rm -rf "$GOCACHE"
fi
log "done in $((SECONDS - t0)) s"
