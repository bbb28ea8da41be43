#!/usr/bin/env bash
# Makes Node (>= 22.19), Bun and Deno usable for the repository's scripts and tests.
#
# Node: the system's when it is new enough; else the `node-<os>-<arch>` package of the version in
# .node-version, installed from npm into .cache/node (npm has them for Linux x64 and arm64, not for
# current macOS: there, install Node 22 yourself). Either way .cache/node/node_modules/.bin/node is it. It is not a devDependency because npm refuses to
# install a required package built for another platform.
# Bun and Deno come from the devDependencies; npm may skip their postinstall scripts (install
# scripts blocked), which leaves `bun` without its native binary, so they are run once here.
# Callers put .cache/node/node_modules/.bin and node_modules/.bin first on their PATH; tests that
# spawn Deno use .cache/runtimes/deno, the platform's binary itself.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_prefix="$repo/.cache/node"

node_ok() { # a node binary >= 22.19
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}

if [ -x "$node_prefix/node_modules/.bin/node" ] && node_ok "$node_prefix/node_modules/.bin/node"; then
  :
elif command -v node >/dev/null && node_ok node; then
  # One path for scripts and tests, whichever Node it is.
  mkdir -p "$node_prefix/node_modules/.bin"
  ln -sf "$(node -p process.execPath)" "$node_prefix/node_modules/.bin/node"
else
  os="$(uname -s | tr '[:upper:]' '[:lower:]')"
  case "$(uname -m)" in x86_64 | amd64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  version="$(tr -d ' \n' <"$repo/.node-version")"
  echo "ensure-runtimes: installing node-$os-$arch@$version from npm into .cache/node" >&2
  npm install --prefix "$node_prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
    "node-$os-$arch@$version" >&2 || {
    echo "ensure-runtimes: no node-$os-$arch@$version on npm; install Node >= 22.19 and run again" >&2
    exit 1
  }
fi
export PATH="$node_prefix/node_modules/.bin:$repo/node_modules/.bin:$PATH"

if ! bun --version >/dev/null 2>&1; then
  (cd "$repo/node_modules/bun" && node install.js) >/dev/null
fi
if ! deno --version >/dev/null 2>&1; then
  (cd "$repo/node_modules/deno" && node install.cjs) >/dev/null
fi
# The real Deno binary for whatever os/arch npm installed (the npm shim in between drops signals).
mkdir -p "$repo/.cache/runtimes"
ln -sf "$(deno eval --quiet 'console.log(Deno.execPath())')" "$repo/.cache/runtimes/deno"
node_ok node && bun --version >/dev/null && deno --version >/dev/null || {
  echo "ensure-runtimes: node >= 22.19, bun or deno unusable after install" >&2
  exit 1
}
