#!/usr/bin/env bash
# Builds the vulnerability database snapshot that ships with Assay (src/Assay.Vulnerabilities/Data/snapshot/),
# which `assay scan` uses when no other database exists, so the first scan of the sample shows real CVEs.
#
# It never invents a record: it scans the sample delivery (samples/make-sample.sh) for its components,
# matches them against real NVD API 2.0 records (../shared/data/nvd, see its INDEX.md for their
# provenance), and keeps exactly the records that match, unchanged, plus the CISA KEV entries and FIRST EPSS
# rows of those CVEs when a KEV catalog / EPSS file is given.
#
# Usage: samples/vulndb/make-snapshot.sh [--kev known_exploited_vulnerabilities.json] [--epss epss_scores-YYYY-MM-DD.csv[.gz]] [SHARED_DIR]
#   --kev   the CISA KEV catalog, JSON (https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json,
#           or the git history of github.com/cisagov/kev-data)
#   --epss  a FIRST EPSS daily file (https://epss.empiricalsecurity.com/epss_scores-current.csv.gz)
# Without --kev/--epss the snapshot has no KEV/EPSS data, and PROVENANCE.md says so.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
assay="${ASSAY:-$repo/assay}"   # ASSAY="dotnet path/to/assay.dll" to use another build
kev="" epss="" kev_origin="" epss_origin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --kev) kev="$2"; kev_origin="${KEV_ORIGIN:-$2}"; shift 2 ;;
    --epss) epss="$2"; epss_origin="${EPSS_ORIGIN:-$2}"; shift 2 ;;
    *) break ;;
  esac
done
shared="${1:-${ASSAY_SHARED:-$repo/../shared}}"
out="$repo/src/Assay.Vulnerabilities/Data/snapshot"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -d "$shared/data/nvd" ] || { echo "make-snapshot: $shared/data/nvd not found (give SHARED_DIR)" >&2; exit 2; }

# 1. The sample's components, and every real NVD record of their products, in a scratch database.
$assay scan "$repo/samples/delivery-EX1000_1.2.0.zip" -f json -o "$work/sample.json" --no-vulns --no-progress
$assay db import "$shared"/data/nvd/*.jsonl.gz --db "$work/all.db" >/dev/null

# 2. The CVEs that match the sample, then those records, unchanged (deduplicated by id, newest lastModified wins).
$assay vulns "$work/sample.json" --db "$work/all.db" -f json > "$work/matched.json"
python3 - "$shared/data/nvd" "$work/matched.json" "$work" "$kev" "$epss" <<'P'
import gzip, json, os, sys
nvd, matched, work, kev, epss = sys.argv[1:6]
ids = sorted({v["id"] for v in json.load(open(matched))["vulnerabilities"]})
best = {}
for name in sorted(os.listdir(nvd)):
    if not name.endswith(".jsonl.gz"):
        continue
    with gzip.open(os.path.join(nvd, name), "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec["id"] in ids and (rec["id"] not in best or rec["lastModified"] > best[rec["id"]][0]):
                best[rec["id"]] = (rec["lastModified"], line)
with gzip.GzipFile(os.path.join(work, "nvd.jsonl.gz"), "wb", mtime=0) as g:
    for i in sorted(best):
        g.write((best[i][1] + "\n").encode("utf-8"))
print(f"nvd: {len(best)} records of {len(ids)} matched CVEs")
if kev:
    catalog = json.load(open(kev, encoding="utf-8"))
    keep = [v for v in catalog["vulnerabilities"] if v["cveID"] in best]
    sub = {k: catalog[k] for k in ("title", "catalogVersion", "dateReleased")}
    sub["count"] = len(keep)
    sub["vulnerabilities"] = sorted(keep, key=lambda v: v["cveID"])
    json.dump(sub, open(os.path.join(work, "kev.json"), "w", encoding="utf-8"), indent=2, ensure_ascii=False)
    open(os.path.join(work, "kev.version"), "w").write(f'{catalog["catalogVersion"]} {catalog["dateReleased"]} {len(catalog["vulnerabilities"])}')
    print(f"kev: {len(keep)} of the {len(best)} CVEs are listed (catalog {catalog['catalogVersion']})")
if epss:
    opener = gzip.open if epss.endswith(".gz") else open
    with opener(epss, "rt", encoding="utf-8") as f, open(os.path.join(work, "epss.csv"), "w", encoding="utf-8") as o:
        first = f.readline()
        n = 0
        if first.startswith("#"):
            o.write(first)
            header = f.readline()
        else:
            header = first
        o.write(header)
        for line in f:
            if line.split(",", 1)[0] in best:
                o.write(line); n += 1
    print(f"epss: {n} rows")
P

# 3. The snapshot files and their provenance.
rm -rf "$out"
mkdir -p "$out"
cp "$work/nvd.jsonl.gz" "$out/"
[ -f "$work/kev.json" ] && cp "$work/kev.json" "$out/"
[ -f "$work/epss.csv" ] && cp "$work/epss.csv" "$out/"
{
  echo "# Bundled vulnerability snapshot"
  echo
  echo "Made by \`samples/vulndb/make-snapshot.sh\` on $(date -u +%Y-%m-%d). Used by \`assay scan\` only when no other"
  echo "database exists (it says so); \`assay db update\` gives the complete data."
  echo
  echo "* \`nvd.jsonl.gz\`: the NVD API 2.0 records, unchanged, that match the components of"
  echo "  \`samples/delivery-EX1000_1.2.0.zip\` ($(python3 -c "import json;d=json.load(open('$work/sample.json'));print(', '.join(sorted({c['name']+' '+c['version'] for c in d['components']})))"))."
  echo "  Taken from \`shared/data/nvd\` (its INDEX.md lists the public mirrors and commits each record comes from)."
  if [ -f "$work/kev.json" ]; then
    read -r kv kd kn < "$work/kev.version" || true
    echo "* \`kev.json\`: the entries of those CVEs in the CISA KEV catalog version $kv (released $kd, $kn entries),"
    echo "  unchanged; from $kev_origin."
  else
    echo "* No CISA KEV data: no catalog could be obtained when this snapshot was made."
  fi
  if [ -f "$work/epss.csv" ]; then
    echo "* \`epss.csv\`: the EPSS rows of those CVEs; from $epss_origin."
  else
    echo "* No EPSS data: no FIRST EPSS daily file could be obtained when this snapshot was made (the network of the"
    echo "  machine that built it reaches no EPSS source). Matches from the snapshot carry no EPSS score; run \`assay db update\`."
  fi
} > "$out/PROVENANCE.md"
ls -l "$out"
