#!/usr/bin/env bash
# Runs one fuzz target under AFL++ with SharpFuzz instrumentation.
#   bash fuzz/afl.sh TARGET SECONDS [SEEDS]     e.g. bash fuzz/afl.sh format:squashfs 600 tests/Assay.Formats.Tests/Fixtures/squashfs
# Needs: afl++ (Debian package), the sharpfuzz dotnet tool (restored from .config/dotnet-tools.json).
set -euo pipefail
cd "$(dirname "$0")/.."
target=$1; seconds=${2:-60}; seeds=${3:-tests/Assay.Formats.Tests/Fixtures}
command -v afl-fuzz >/dev/null || { apt-get update -qq && apt-get install -y -qq afl++ >/dev/null; }
dotnet tool restore >/dev/null
out=artifacts/fuzz/afl
dotnet build fuzz/Assay.Fuzz -c Release -o "$out/bin" -nologo -v quiet -clp:ErrorsOnly
for dll in Assay.Core.dll Assay.Formats.dll; do dotnet sharpfuzz "$out/bin/$dll" >/dev/null; done
in="$out/in-${target//[:\/]/-}"; rm -rf "$in"; mkdir -p "$in"
find "$seeds" -type f -size -1M | head -200 | while read -r f; do cp "$f" "$in/$(sha1sum "$f" | cut -c1-12)"; done
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
timeout --preserve-status "$((seconds + 30))" afl-fuzz -V "$seconds" -t 10000 -m none -i "$in" -o "$out/out-${target//[:\/]/-}" -- dotnet "$out/bin/Assay.Fuzz.dll" afl "$target" || true
echo "crashes: $(find "$out/out-${target//[:\/]/-}" -path '*crashes*' -type f ! -name README.txt | wc -l) (in $out/out-${target//[:\/]/-})"
