#!/usr/bin/env bash
# Runs every evaluation against ../shared (or $ASSAY_SHARED) and prints each one's result.
# Each evaluation skips cleanly when the shared material is absent. Exit 1 if any reported a mismatch.
set -uo pipefail
cd "$(dirname "$0")/.."
export ASSAY_SHARED="${ASSAY_SHARED:-$(cd .. && pwd)/shared}"
if [ ! -d "$ASSAY_SHARED" ]; then echo "eval: $ASSAY_SHARED not found; nothing to evaluate"; exit 0; fi
if [ -z "${ASSAY:-}" ]; then ./assay --help >/dev/null; export ASSAY="$PWD/artifacts/publish/assay"; fi
# The catalog and analyzer evaluations call artifacts/bin/Assay.Cli/release/assay.dll.
dotnet build src/Assay.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >/dev/null || { echo "eval: build failed"; exit 2; }
status=0
run() { echo; echo "=== eval: $1"; shift; "$@" || { echo "=== eval: exit $? from: $*"; status=1; }; }
[ -f eval/files/run.sh ] && run "file lists vs ground truth and Debian listers" env CORPUS="$ASSAY_SHARED/corpus" bash eval/files/run.sh
[ -f eval/files/run-formats.sh ] && run "issue-19 formats vs the real tools' readers" env CORPUS="$ASSAY_SHARED/corpus" bash eval/files/run-formats.sh
[ -f eval/vulns/run.sh ] && run "vulnerability matcher known answers" sh eval/vulns/run.sh "$ASSAY_SHARED"
[ -f eval/vulns/outputs.sh ] && run "vulnerabilities in SARIF/CycloneDX/SPDX, SARIF through Microsoft's validator" bash eval/vulns/outputs.sh
[ -f eval/catalog/run.py ] && run "component catalog precision/recall" env ASSAY_CLI="$ASSAY" python3 eval/catalog/run.py --corpus "$ASSAY_SHARED/corpus" --runner assay --no-timing
[ -f eval/cloud/run.sh ] && run "container images and virtual disks vs umoci, Trivy, qemu-img + mount" env ASSAY="$ASSAY" bash eval/cloud/run.sh
[ -f eval/catalog/generalize.py ] && run "component catalog on builds no signature was written from (eval/catalog/make-set.sh; skips without the set)" env ASSAY="$ASSAY" python3 eval/catalog/generalize.py
[ -f eval/network/run.py ] && run "network plans vs published figures (FCC, Canada)" python3 eval/network/run.py
[ -f eval/analyzers/run.py ] && run "analyzers vs ELF table, hardening-check and planted findings" python3 eval/analyzers/run.py --corpus "$ASSAY_SHARED/corpus" --runner assay --no-timing
[ -f eval/history/run.sh ] && run "verify-build and diff beside diffoscope" env ASSAY="$ASSAY" bash eval/history/run.sh
exit $status
