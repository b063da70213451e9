#!/usr/bin/env bash
# Benchmark of the network engine (README.md beside this script).
#   bench/network/run.sh [WORKDIR]
# 1. NetworkBench (Release): generates ~1,020,000 elements (170,000 sites) and times load + check
#    three times (cold, warm), then plans four scenarios on 50,000 sites (~300,000 elements).
# 2. The CLI end to end (Release), under /usr/bin/time for wall time and peak memory (max RSS).
# Uses the build slot 'net' so parallel builds of others are not disturbed.
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK="${1:-${TMPDIR:-/tmp}/assay-network-bench}"
mkdir -p "$WORK"
export ASSAY_SLOT="${ASSAY_SLOT:-net}"

echo "== NetworkBench (Release)"
dotnet run -c Release --project bench/network/NetworkBench -- "$WORK" 170000 50000 2>&1 | grep -v 'warning NU'

CLI="artifacts/slot-$ASSAY_SLOT/bin/Assay.Cli/release/assay"
if [ ! -x "$CLI" ]; then
  dotnet build -c Release src/Assay.Cli >/dev/null
fi
echo "== CLI: assay network check (1,020,000 elements), wall time and max RSS"
for i in 1 2 3; do
  set +e
  /usr/bin/time -f "check: %e s wall, %U s user, %S s sys, max RSS %M KB" \
    "$CLI" network check "$WORK/network-170000.csv" --policy uk-dvd --high-risk Huawei,ZTE --at 2026-11-25 -f json -o "$WORK/check.json"
  echo "exit code $? (1 = violations)"
  set -e
done
echo "== CLI: assay network plan (50,000 sites), uk-dvd compared with two scenarios"
set +e
/usr/bin/time -f "plan: %e s wall, %U s user, %S s sys, max RSS %M KB" \
  "$CLI" network plan "$WORK/network-50000.csv" --policy uk-dvd --high-risk Huawei,ZTE --costs samples/network/costs.csv \
  --capacity 2000 --start 2026-12-01 --compare samples/network/full-removal.yaml --compare samples/network/cap-25-traffic.yaml \
  -f html -o "$WORK/plan.html"
echo "exit code $? (1 = a deadline cannot be met)"
set -e
echo "load average: $(cat /proc/loadavg)"
