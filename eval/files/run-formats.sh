#!/usr/bin/env bash
# File-list agreement for the formats of issue 19 (CramFS, romfs, YAFFS2, vendor containers, Android
# boot, streams followed by data, a cut zip), each image made from the shared corpus' root filesystem
# by the real tool and compared with an independent reader. Writes eval/files/results-formats.md.
# usage: bash eval/files/run-formats.sh        env: CORPUS (default ../shared/corpus), ASSAY (default ./assay)
# Needs root (the tree keeps its owners and devices) and: util-linux (mkfs/fsck.cramfs), genromfs,
# unyaffs, squashfs-tools, mkbootimg, lz4, bzip2, xz-utils, zip, python3-cryptography (.ci/install.sh).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$ROOT/../shared/corpus"; do [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }; done
fi
if [ -z "${CORPUS:-}" ]; then echo "eval/files/formats: shared corpus not found (set CORPUS); skipping." >&2; exit 0; fi
ASSAY=${ASSAY:-$ROOT/assay}
exec python3 "$HERE/formats.py" --assay "$ASSAY" --corpus "$CORPUS" "$@"
