#!/usr/bin/env bash
# Runs the network test suite N times in a row (default 20) while CPU-heavy busy loops keep every core
# busy, and counts the runs that failed: plans must not depend on the machine's load (issue 11).
# Usage: bash tests/Assay.Network.Tests/tools/repeat-under-load.sh [N] [HOGS]   (HOGS default: cores)
set -uo pipefail
cd "$(dirname "$0")/../../.."
runs="${1:-20}"
hogs="${2:-$(nproc)}"
dotnet build tests/Assay.Network.Tests -c Release -nologo -v q >/dev/null || { echo "build failed"; exit 2; }
pids=()
for _ in $(seq "$hogs"); do (while :; do :; done) & pids+=($!); done
trap 'kill "${pids[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if out=$(dotnet test tests/Assay.Network.Tests -c Release --no-build -nologo 2>&1); then status=ok; else status=FAILED; failed=$((failed + 1)); fi
  summary=$(printf '%s\n' "$out" | grep -oE '(Passed|Failed)!.*Total: +[0-9]+' | tail -1)
  echo "run $i/$runs: $status in $(( $(date +%s) - start )) s, load $(cut -d' ' -f1 /proc/loadavg): $summary"
  [ "$status" = FAILED ] && printf '%s\n' "$out" | grep -E '^\s+Failed ' | head -5
done
echo "$runs runs with $hogs busy loops beside them: $failed failed"
[ "$failed" -eq 0 ]
