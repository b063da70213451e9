#!/usr/bin/env bash
# Re-match on a new vulnerability database against full scans, and the webhook outbox, on a real
# `assay serve`. Uses ./assay (built on first use) unless ASSAY names a binary. See README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/../../assay" --help >/dev/null
exec python3 "$here/run.py" "$@"
