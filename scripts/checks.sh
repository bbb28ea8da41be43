#!/usr/bin/env bash
# The static checks, one after the other, each with its time; a failed check prints its output.
# Exits 1 when any failed. Run by scripts/test.sh ("=== checks ===") and `npm run check`.
# Usage: bash scripts/checks.sh [name...]   (names: tsc core-types lint fmt import-cycles api jsr)
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$repo/.cache/node/node_modules/.bin:$repo/node_modules/.bin:$PATH"
export NO_COLOR=1 FORCE_COLOR=0

out="$repo/.cache/checks"
mkdir -p "$out"
wanted=" $* "
failed=()
total_start=$(date +%s%N)

check() { # name description command...
  local name="$1" what="$2"
  shift 2
  if [ "$wanted" != "  " ] && [[ "$wanted" != *" $name "* ]]; then return; fi
  local status real user sys
  # Wall time, and CPU time (user + sys), which says more on a busy machine.
  if { TIMEFORMAT='%R %U %S'; time "$@" >"$out/$name.log" 2>&1; } 2>"$out/$name.time"; then
    status=ok
  else
    status=FAILED
    failed+=("$name")
  fi
  read -r real user sys <"$out/$name.time"
  printf '%-14s %-7s %6.1f s (cpu %5.1f s)  %s\n' "$name" "$status" "$real" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')" "$what"
  if [ "$status" = FAILED ]; then
    head -n 150 "$out/$name.log" | sed 's/^/    /'
    [ "$(wc -l <"$out/$name.log")" -le 150 ] || echo "    ... (the whole output: .cache/checks/$name.log)"
  fi
}

check tsc "tsc: src, test, bench, examples, scripts (with Node's types)" \
  tsc -p tsconfig.json --pretty false
check core-types "tsc: src without Node's types (process/Buffer/node:* only in src/runtime/)" \
  node scripts/check-core-types.ts
check lint "biome lint (runtime globals and node:* only in src/runtime/ and src/cli/)" \
  biome lint --max-diagnostics=50
check fmt "biome format + import order (fix: npm run fmt)" \
  biome check --linter-enabled=false --reporter=summary
check import-cycles "no folder-level import cycles in src/ beyond scripts/import-cycles.allow" \
  node scripts/check-import-cycles.ts
check api "public surface of each entry point matches api/*.api.md (update: npm run api)" \
  node scripts/api-report.ts --check
check jsr "deno publish --dry-run (JSR's rules, no slow types)" \
  deno publish --dry-run --allow-dirty

took="$(awk -v ns=$(($(date +%s%N) - total_start)) 'BEGIN { printf "%.1f s", ns / 1e9 }')"
if [ ${#failed[@]} -gt 0 ]; then
  echo "checks: ${#failed[@]} failed (${failed[*]}) in $took; logs in .cache/checks/"
  exit 1
fi
echo "checks: all passed in $took"
