#!/usr/bin/env sh
# Answer-key evaluation of the vulnerability matcher through the CLI (eval/vulns/run.py).
# Usage: eval/vulns/run.sh [SHARED_DIR]   (default: $ASSAY_SHARED or ../shared); $ASSAY names the command.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/run.py" "$@"
