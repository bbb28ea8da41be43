#!/usr/bin/env bash
# Runs the whole suite under Bun, Deno and Node (>= 22.19), with the real test servers started once.
# Usage: npm test            (or: bash scripts/test.sh [--no-peers] [--no-new-user] [--runtime bun|deno|node]...)
# Prints one summary line per runtime and a closing "N passed, N failed" line.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$repo/.cache/node/node_modules/.bin:$repo/node_modules/.bin:$PATH"
export NO_COLOR=1 FORCE_COLOR=0

peers=1
new_user=1
runtimes=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-peers) peers=0 ;;
    --no-new-user) new_user=0 ;;
    --runtime) shift; runtimes+=("$1") ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[ ${#runtimes[@]} -gt 0 ] || runtimes=(bun deno node)

bash scripts/ensure-runtimes.sh || exit 1

out="$repo/.cache/test-out"
rm -rf "$out" && mkdir -p "$out"

if [ "$peers" = 1 ]; then
  trap 'bash test/peers/cluster/stop.sh >/dev/null 2>&1 || true; bash test/peers/k8s/stop.sh >/dev/null 2>&1 || true; bash test/peers/s3/stop.sh >/dev/null 2>&1 || true' EXIT
  # First: it builds the etcd that the k8s peer uses too (a cold build takes 10-17 min).
  bash test/peers/cluster/install.sh && bash test/peers/cluster/start.sh || {
    echo "the cluster peer (kube-apiserver, operator, process kubelet) did not start; e2e tests will fail" >&2
  }
  bash test/peers/k8s/install.sh && bash test/peers/k8s/start.sh || {
    echo "the Kubernetes API peer did not start; integration tests will fail" >&2
  }
  bash test/peers/s3/install.sh && bash test/peers/s3/start.sh || {
    echo "the S3 peer (versitygw) did not start; storage integration tests will fail" >&2
  }
fi

# The Go reference engram (bubu-sdk-go v0.1.5) for test/interop/streaming, built once per source hash.
node test/interop/streaming/go-engram.ts >/dev/null || {
  echo "the Go echo engram did not build; the streaming interop tests will fail" >&2
}
# The e2e Go engrams (bubu-sdk-go v0.1.5): the retry probe and the parity/mixed-Story twin, built
# here so that no test's time budget pays for a cold build.
for program in go-probe go-engram; do
  node test/e2e/go-probe.ts "$program" >/dev/null || echo "test/e2e/$program did not build; the e2e tests that use it will fail" >&2
done

# Static checks (scripts/checks.sh, each timed): types with and without Node's, lint, format,
# folder import cycles, the API reports, and JSR's publish rules ("no slow types").
echo "=== checks ==="
check_fail=0
bash scripts/checks.sh || check_fail=1

# A new user's path, once (not per runtime): npm pack, bubu init of every kind under Node, Bun
# and Deno, install from the tarball, their tests, local runs, templates, a compiled binary.
new_user_fail=0
: >"$out/new-user.log"
if [ "$new_user" = 1 ]; then
  echo "=== new user ==="
  node test/new-user/new-user.ts 2>&1 | tee "$out/new-user.log"
  [ "${PIPESTATUS[0]}" = 0 ] || new_user_fail=1
fi

mapfile -t files < <(find test examples -name '*.test.ts' -not -path '*/node_modules/*' | sort)
total_pass=0
total_fail=0
status=0
summary=()

record() { # runtime pass fail rc
  summary+=("$1: $2 passed, $3 failed (exit $4)")
  total_pass=$((total_pass + $2))
  total_fail=$((total_fail + $3))
  if [ "$4" != 0 ] || [ "$3" != 0 ]; then status=1; fi
  if [ "$4" != 0 ] && [ "$3" = 0 ]; then total_fail=$((total_fail + 1)); fi
}

for rt in "${runtimes[@]}"; do
  echo "=== $rt ==="
  case "$rt" in
    bun)
      bun test --timeout 120000 "${files[@]/#/./}" 2>&1 | tee "$out/bun.log"; rc=${PIPESTATUS[0]}
      p=$(grep -E '^ *[0-9]+ pass$' "$out/bun.log" | tail -1 | grep -oE '[0-9]+'); f=$(grep -E '^ *[0-9]+ fail$' "$out/bun.log" | tail -1 | grep -oE '[0-9]+')
      record bun "${p:-0}" "${f:-0}" "$rc" ;;
    deno)
      deno test -A --reporter=dot --junit-path="$out/deno.xml" "${files[@]}" 2>&1 | tee "$out/deno.log"; rc=${PIPESTATUS[0]}
      read -r p f < <(node scripts/junit-leaves.mjs "$out/deno.xml" 2>/dev/null || echo "0 0")
      record deno "$p" "$f" "$rc" ;;
    node)
      node --test --test-timeout=180000 "${files[@]}" 2>&1 | tee "$out/node.log"; rc=${PIPESTATUS[0]}
      p=$(grep -E '^# pass [0-9]+' "$out/node.log" | tail -1 | grep -oE '[0-9]+'); f=$(grep -E '^# fail [0-9]+' "$out/node.log" | tail -1 | grep -oE '[0-9]+')
      record node "${p:-0}" "${f:-0}" "$rc" ;;
    *) echo "unknown runtime $rt" >&2; exit 2 ;;
  esac
done

echo
echo "=== summary ==="
if [ "$check_fail" != 0 ]; then summary+=("checks: failed"); status=1; total_fail=$((total_fail + 1)); fi
read -r nu_p nu_f < <(sed -nE 's/^new-user: ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p' "$out/new-user.log" | tail -1)
[ "$new_user" = 1 ] && summary+=("new-user: ${nu_p:-0} passed, ${nu_f:-0} failed")
total_pass=$((total_pass + ${nu_p:-0}))
total_fail=$((total_fail + ${nu_f:-0}))
if [ "$new_user_fail" != 0 ]; then status=1; [ "${nu_f:-0}" = 0 ] && total_fail=$((total_fail + 1)); fi
for line in "${summary[@]}"; do echo "$line"; done
echo "total: $total_pass passed, $total_fail failed"
exit $status
