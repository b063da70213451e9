#!/usr/bin/env bash
# File-list agreement of `assay scan -f json` with the shared corpus' ground
# truth and with Debian's own listers (tar, cpio, unsquashfs, debugfs).
# Writes eval/files/results.md; exit 1 when some image's path set disagrees.
#
# usage: bash eval/files/run.sh [--only NAME ...] [--no-native]
# env:   CORPUS   (default: /work/shared/corpus, else ../shared/corpus beside the repo)
#        ASSAY    (default: the Release build of slot $ASSAY_SLOT, default evb;
#                  built with `ASSAY_SLOT=evb dotnet build src/Assay.Cli -c Release`)
#        JOBS     (passed as --jobs), JSON_DIR (keep the evaluations there)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SLOT=${ASSAY_SLOT:-evb}
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$ROOT/../shared/corpus"; do
    [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }
  done
fi
if [ -z "${CORPUS:-}" ] || [ ! -f "$CORPUS/ground-truth.json" ]; then
  echo "eval/files: shared corpus not found (set CORPUS); skipping." >&2
  exit 0
fi
ASSAY=${ASSAY:-$ROOT/artifacts/slot-$SLOT/bin/Assay.Cli/release/assay}
if [ ! -x "$ASSAY" ]; then
  echo "eval/files: no assay binary at $ASSAY; build it: cd $ROOT && ASSAY_SLOT=$SLOT dotnet build src/Assay.Cli -c Release" >&2
  exit 2
fi
for t in tar cpio gzip xz unsquashfs debugfs unzip; do
  command -v "$t" >/dev/null || echo "eval/files: $t missing; its native comparison will fail (bash /work/shared/tools/peers.sh installs the peers)" >&2
done
args=(--assay "$ASSAY" --corpus "$CORPUS" --out "$HERE/results.md")
[ -n "${JOBS:-}" ] && args+=(--jobs "$JOBS")
[ -n "${JSON_DIR:-}" ] && args+=(--json-dir "$JSON_DIR")
exec python3 "$HERE/compare.py" "${args[@]}" "$@"
