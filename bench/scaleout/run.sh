#!/usr/bin/env bash
# Scans per minute with 1, 2 and 4 worker processes on the corpus images, dispatch overhead per
# stage; then a drain of ASSAY_DRAIN_SCANS (default 1000) scans under random worker kills. See README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -n "${ASSAY:-}" ] || "$here/../../assay" --help >/dev/null
python3 "$here/run.py" throughput
exec python3 "$here/run.py" drain
