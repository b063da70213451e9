#!/usr/bin/env sh
# Vulnerability database benchmark: import speed, DB size, matching 10,000 components.
# Usage: bench/vulns/run.sh [SHARED_DIR] [COPIES]   (default: $ASSAY_SHARED or ../shared; 40 copies)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${ASSAY_SHARED:-$(cd "$here/../../.." && pwd)/shared}}
copies=${2:-40}
ASSAY_SLOT=${ASSAY_SLOT:-vuln} dotnet run -c Release --project "$here/Assay.Bench.Vulns.csproj" -- "$shared" "$copies"
