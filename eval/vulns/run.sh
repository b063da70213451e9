#!/usr/bin/env sh
# Answer-key evaluation of the vulnerability matcher against ../shared/data/nvd/known-answers.json.
# Usage: eval/vulns/run.sh [SHARED_DIR]   (default: $ASSAY_SHARED or /work/shared)
# Prints one line per case and the agreement; exits non-zero on any mismatch; skips (exit 0) when
# the shared material is absent.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${ASSAY_SHARED:-$(cd "$here/../../.." && pwd)/shared}}
if [ ! -f "$shared/data/nvd/known-answers.json" ]; then
  echo "SKIP: $shared/data/nvd/known-answers.json not found; nothing evaluated"
  exit 0
fi
ASSAY_SLOT=${ASSAY_SLOT:-vuln} dotnet run -c Release --project "$here/Assay.Eval.Vulns.csproj" -- "$shared"
