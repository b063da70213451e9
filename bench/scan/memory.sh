#!/usr/bin/env bash
# Peak RSS of `assay scan` as the input grows: mixed tar.gz files of make-mixed.sh at several
# scales (default 0.1 0.5 1, i.e. ~0.1, ~0.55 and ~1.1 GB compressed), each scanned once with
# --no-cache, under /usr/bin/time, with ASSAY_MEMORY_REPORT=1 (GC heap, large objects, committed).
# The aim (issue 12): peak RSS under 300 MB and flat as the input grows.
#
# usage: bash bench/scan/memory.sh [SCALE...]
# env:   ASSAY (binary; default the build ./assay publishes), WORK=/tmp/assay-bench-memory
#        (the generated inputs are kept there for the next run; delete it to reclaim the space),
#        KEEP_INPUTS=1, CORPUS, EXTRA (more scan options, e.g. "--jobs 1")
# output: one line per scale, appended to $WORK/memory.tsv (scale, bytes, rc, wall, user, sys, peak
#        RSS KB, load, the memory report); exit 1 if a scan fails or exits 5 (incomplete).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# what ships: the build ./assay publishes (made or refreshed here), unless ASSAY names another
[ -z "${ASSAY:-}" ] && [ -x "$ROOT/assay" ] && { "$ROOT/assay" --version >/dev/null; ASSAY=$ROOT/artifacts/publish/assay; }
ASSAY=${ASSAY:-$ROOT/artifacts/bin/Assay.Cli/release/assay}
[ -x "$ASSAY" ] || { echo "bench/scan/memory: build first: ./assay --version (or dotnet build src/Assay.Cli -c Release)" >&2; exit 2; }
WORK=${WORK:-/tmp/assay-bench-memory}
mkdir -p "$WORK"
SCALES=("$@"); [ ${#SCALES[@]} -eq 0 ] && SCALES=(0.1 0.5 1)
status=0
for s in "${SCALES[@]}"; do
  in=$WORK/mixed-$s.tar.gz
  if [ ! -s "$in" ]; then
    bash "$HERE/make-mixed.sh" "$s" "$in" || { echo "bench/scan/memory: making scale $s failed (corpus missing?)" >&2; exit 2; }
  fi
  cat "$in" > /dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2086
  ASSAY_MEMORY_REPORT=1 /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$ASSAY" scan "$in" -f json -o /dev/null --no-progress --no-vulns --no-cache ${EXTRA:-} > "$WORK/out" 2>&1
  rc=$?
  [ "$rc" -le 1 ] || { status=1; grep -v '^assay: memory' "$WORK/out" >&2; }
  read -r wall user sys rss < <(tail -n1 "$WORK/time")
  report=$(grep '^assay: memory' "$WORK/out" | sed 's/^assay: memory: //')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$(stat -L -c %s "$in")" "$rc" "$wall" "$user" "$sys" "$rss" "$load" "$report" >> "$WORK/memory.tsv"
  echo "scale $s: $(( $(stat -L -c %s "$in") / 1000000 )) MB in, rc $rc, CPU $(python3 -c "print(round($user+$sys,1))") s, wall $wall s, peak RSS $((rss / 1000)) MB (load $load); $report"
  [ "${KEEP_INPUTS:-1}" = 1 ] || rm -f "$in"
done
exit $status
