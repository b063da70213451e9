#!/usr/bin/env sh
# Vulnerability database benchmark: import speed, DB size, matching 10,000 components.
# Usage: bench/vulns/run.sh [SHARED_DIR] [COPIES] [UPDATE_RECORDS]   (default: $ASSAY_SHARED or ../shared; 40 copies; 300000)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${ASSAY_SHARED:-$(cd "$here/../../.." && pwd)/shared}}
copies=${2:-40}
records=${3:-300000}
ASSAY_SLOT=${ASSAY_SLOT:-vuln} dotnet run -c Release --project "$here/Assay.Bench.Vulns.csproj" -- "$shared" "$copies" "$records"
