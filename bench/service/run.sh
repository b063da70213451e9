#!/usr/bin/env bash
# Benchmarks of `assay serve`: concurrent uploads, a 10,000-project portfolio, the evaluation of the
# largest corpus image. Uses ./assay (built on first use) unless ASSAY names a binary. See README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../../assay" --help >/dev/null
exec python3 "$here/run.py" "$@"
