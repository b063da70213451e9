#!/usr/bin/env bash
# Vulnerabilities in every output, checked on the sample delivery with the bundled snapshot (as a first
# run sees it): the SARIF log passes Microsoft's SARIF validator (Sarif.Multitool, installed by
# ../shared/tools/peers.sh; skipped with a message when absent) and carries the sample's known exploited
# CVE as a result; CycloneDX and SPDX carry it too. Exits 1 on a validator error or a missing CVE.
# Usage: eval/vulns/outputs.sh   (ASSAY=path/to/assay to use another build; SARIF_MULTITOOL=path)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
assay=${ASSAY:-$repo/assay}
tool=${SARIF_MULTITOOL:-$HOME/.cache/assay-peers/bin/sarif-multitool}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
sample="$repo/samples/delivery-EX1000_1.2.0.zip"
status=0
for f in sarif cyclonedx spdx; do
  "$assay" scan "$sample" -f "$f" -o "$work/sample.$f" --no-progress 2>"$work/$f.err"
  code=$?
  if [ "$code" -ne 0 ] && [ "$code" -ne 5 ]; then echo "FAIL: scan -f $f exited $code: $(cat "$work/$f.err")"; status=1; continue; fi
  if grep -q 'CVE-2024-36971' "$work/sample.$f"; then echo "ok: $f carries CVE-2024-36971 (CISA KEV) of the sample's Linux 4.14.180"
  else echo "FAIL: $f does not carry CVE-2024-36971"; status=1; fi
done
echo "sarif: $(grep -c '"ruleId": "CVE-' "$work/sample.sarif") vulnerability results"
if [ -x "$tool" ]; then
  if "$tool" validate "$work/sample.sarif" --output "$work/validation.sarif" >"$work/validate.log" 2>&1; then
    errors=$(python3 -c "import json,sys; d=json.load(open('$work/validation.sarif')); print(sum(1 for r in d['runs'] for x in r.get('results',[]) if x.get('level')=='error'))")
    warnings=$(python3 -c "import json,sys; d=json.load(open('$work/validation.sarif')); print(sum(1 for r in d['runs'] for x in r.get('results',[]) if x.get('level', 'warning')=='warning'))")
    echo "Sarif.Multitool validate: $errors errors, $warnings warnings (style rules, not schema or spec errors: $(python3 -c "import json,collections; d=json.load(open('$work/validation.sarif')); c=collections.Counter(x['ruleId'] for r in d['runs'] for x in r.get('results',[]) if x.get('level', 'warning')=='warning'); print(', '.join(f'{k} x{v}' for k,v in sorted(c.items())))"))"
    [ "$errors" -eq 0 ] || { python3 -c "import json; d=json.load(open('$work/validation.sarif')); [print(' ', x['ruleId'], x['message'].get('text', x['message'])) for r in d['runs'] for x in r.get('results',[]) if x.get('level')=='error']"; status=1; }
  else
    echo "FAIL: Sarif.Multitool could not run: $(tail -3 "$work/validate.log")"; status=1
  fi
else
  echo "SKIP: Sarif.Multitool not found at $tool (run ../shared/tools/peers.sh)"
fi
exit $status
