#!/usr/bin/env bash
# Drain N queued scans (default 1000) with 2 workers killed -9 at random: exit 1 on any lost,
# duplicated, fenced or unequal evaluation. See README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -n "${ASSAY:-}" ] || "$here/../../assay" --help >/dev/null
exec python3 "$here/run.py" drain "$@"
