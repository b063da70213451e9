#!/usr/bin/env bash
# Runs every test project (xunit) and closes with one summary line: "N passed, N failed, N skipped".
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
log=$(mktemp)
# The tests' temporary folders (data folders, deliveries, PostgreSQL clusters) go under one folder
# of this run, deleted at the end whatever a test left behind; a cluster a killed test host left
# running is stopped first. World-readable: the clusters run as 'postgres' when the tests run as root.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/assay-tests.XXXXXX")
chmod 755 "$scratch"
cleanup() {
  for pid in "$scratch"/assay-pg-*/data/postmaster.pid; do
    [ -e "$pid" ] || continue
    kill -QUIT "$(head -n1 "$pid")" 2>/dev/null   # PostgreSQL's immediate shutdown
  done
  sleep 0.2
  rm -rf "$scratch" "$log"
}
trap cleanup EXIT
dotnet test Assay.slnx -c Release -nologo -e "TMPDIR=$scratch" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -oE 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
