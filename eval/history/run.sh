#!/usr/bin/env bash
# eval/history: assay verify-build and assay diff side by side with diffoscope on the same pairs.
# Does Assay name the same differing files as diffoscope, does it give the planted verdict, and how long
# does each take? Pairs: the verify-build fixtures (tests/Assay.History.Tests/Fixtures/rebuild, made by
# their make.sh), the two release fixtures (…/releases), and, when ../shared is present, the shared
# corpus's one root filesystem as tar.gz, cpio.gz and ext4 (the same tree: verify-build must find it
# reproducible once mtime/owner are declared, whatever the container).
# Usage: bash eval/history/run.sh   (env ASSAY: the assay command; DIFFOSCOPE_TIMEOUT: seconds, default 900)
# Writes eval/history/results.md; exit 1 when a verdict or a content pair's file set disagrees.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
ASSAY="${ASSAY:-$repo/assay}"
shared="${ASSAY_SHARED:-$(cd .. && pwd)/shared}"
timeout_s="${DIFFOSCOPE_TIMEOUT:-900}"
command -v diffoscope >/dev/null || { echo "eval/history: diffoscope not found; run ../shared/tools/peers.sh (or apt-get install diffoscope)"; exit 2; }
"$ASSAY" --help >/dev/null || { echo "eval/history: $ASSAY does not run"; exit 2; }
fx=tests/Assay.History.Tests/Fixtures
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
out=eval/history/results.md
status=0
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2-$1:.2f}')"; }

{
  echo "# eval/history — Assay beside diffoscope"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ); load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(diffoscope --version)."
  echo
  echo "## verify-build fixtures (delivered.tar.gz against each rebuild, both tools on the same two files)"
  echo
  echo "| rebuild | --normalise | Assay verdict | expected | Assay s | diffoscope s | files Assay names | diffoscope names | only Assay | only diffoscope |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
} > "$out"

# rebuild  normalise  expected-verdict  delivered  content-pair(1: file sets must agree)
pairs="same.tar.gz - reproducible delivered.sqfs 1
same.tar.gz - reproducible delivered.tar.gz 1
debugpath.tar.gz - not-reproducible delivered.tar.gz 1
patched.tar.gz - not-reproducible delivered.tar.gz 1
extra.tar.gz - not-reproducible delivered.tar.gz 1
resigned.tar.gz - not-reproducible delivered.tar.gz 1
resigned.tar.gz signatures reproducible delivered.tar.gz 0
unsigned.tar.gz - not-reproducible delivered.tar.gz 1
unsigned.tar.gz signatures reproducible delivered.tar.gz 0
fakesig.tar.gz signatures not-reproducible delivered.tar.gz 0
fakesig.tar.gz - not-reproducible delivered.tar.gz 1
mtime.tar.gz - not-reproducible delivered.tar.gz 1
mtime.tar.gz mtime reproducible delivered.tar.gz 0
owner.tar.gz - not-reproducible delivered.tar.gz 1
owner.tar.gz owner reproducible delivered.tar.gz 0
reordered.tar.gz - not-reproducible delivered.tar.gz 0
reordered.tar.gz order reproducible delivered.tar.gz 0"

while read -r rebuilt norm expected delivered content; do
  a="$fx/rebuild/$delivered"; b="$fx/rebuild/$rebuilt"
  args=(); [ "$norm" = - ] || args=(--normalise "$norm")
  t0=$(now); "$ASSAY" verify-build "$a" "$b" "${args[@]}" -f json -o "$work/v.json" --no-progress 2>"$work/err"; rc=$?; t1=$(now)
  if [ ! -s "$work/v.json" ]; then echo "| $rebuilt | $norm | (exit $rc: $(head -1 "$work/err")) | $expected | | | | | | |" >> "$out"; status=1; continue; fi
  rm -f "$work/d.json"
  t2=$(now); timeout "$timeout_s" diffoscope --json "$work/d.json" "$a" "$b" >/dev/null 2>&1; t3=$(now)
  python3 eval/history/compare.py verify "$work/v.json" "$work/d.json" > "$work/row.json"
  python3 - "$work/row.json" "$rebuilt" "$norm" "$expected" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" "$content" "$delivered" >> "$out" <<'P' || status=1
import json, sys
row = json.load(open(sys.argv[1])); rebuilt, norm, expected, ta, td, content, delivered = sys.argv[2:]
join = lambda xs: "<br>".join(xs) if xs else "—"
bad = row["verdict"] != expected or (content == "1" and (row["onlyAssay"] or row["onlyDiffoscope"]))
name = rebuilt if delivered == "delivered.tar.gz" else f"{rebuilt} (Assay: against {delivered})"
print(f"| {name} | {norm} | {row['verdict']}{' **MISMATCH**' if bad else ''} | {expected} | {ta} | {td} | {len(row['assay'])} | {len(row['diffoscope'])} | {join(row['onlyAssay'])} | {join(row['onlyDiffoscope'])} |")
sys.exit(1 if bad else 0)
P
done <<< "$pairs"

{
  echo
  echo "## Release diff (EX2000 1.0.0 -> 1.1.0, the zips as delivered)"
  echo
} >> "$out"
a="$fx/releases/EX2000_1.0.0.zip"; b="$fx/releases/EX2000_1.1.0.zip"
t0=$(now); "$ASSAY" diff "$a" "$b" --no-vulns -f json -o "$work/r.json" --no-progress 2>/dev/null; t1=$(now)
rm -f "$work/d.json"
t2=$(now); timeout "$timeout_s" diffoscope --json "$work/d.json" "$a" "$b" >/dev/null 2>&1; t3=$(now)
python3 - "$work/r.json" "$work/d.json" "$(secs "$t0" "$t1")" "$(secs "$t2" "$t3")" >> "$out" <<'P' || status=1
import json, sys
sys.path.insert(0, "eval/history")
from compare import diffoscope_files
r = json.load(open(sys.argv[1])); ta, td = sys.argv[3:5]
try:
    members, listed = diffoscope_files(json.load(open(sys.argv[2])))
except (OSError, ValueError):
    members, listed = set(), set()
inner = lambda p: "/" + p.rsplit("!/", 1)[-1]
f = r["files"]
named = sorted({inner(x["path"]) + " (" + w + ")" for w, xs in (("added", f["added"]), ("removed", f["removed"])) for x in xs if x.get("kind") != "dir"}
               | {inner(x["path"]) + " (" + x["what"] + ")" for x in f["changed"] if x.get("kind") != "dir" and "!/" in x["path"]
                  and not any(y["path"].startswith(x["path"] + "!/") for y in f["changed"])})  # a container changes with what it holds
planted = {"/usr/sbin/httpd", "/bin/busybox", "/usr/bin/cli", "/etc/ssh/sshd_config", "/etc/inittab", "/etc/shadow", "/etc/obsolete.conf", "/etc/new-feature.conf"}
ours = {n.split(" (")[0] for n in named}
print(f"Assay {ta} s (two scans and the diff), diffoscope {td} s.\n")
print("Assay names (inner paths): " + ", ".join(named) + "\n")
print("diffoscope names: " + (", ".join(sorted(members | listed)) or "nothing") + "\n")
missing, extra = planted - ours, ours - planted
print(f"Planted changes Assay missed: {', '.join(sorted(missing)) or 'none'}; named beyond the planted: {', '.join(sorted(extra)) or 'none'}.")
sys.exit(1 if missing or extra else 0)
P

if [ -d "$shared/corpus/debian-rootfs" ]; then
  {
    echo
    echo "## Shared corpus: one root filesystem in three containers (verify-build --normalise mtime,owner; diffoscope on the same two files)"
    echo
    echo "| delivered | rebuilt | Assay verdict (only /lost+found may differ) | Assay s | diffoscope s | diffoscope names |"
    echo "|---|---|---|---|---|---|"
  } >> "$out"
  c="$shared/corpus/debian-rootfs"
  for pair in "rootfs.tar.gz rootfs.cpio.gz" "rootfs.tar.gz rootfs.ext4"; do
    set -- $pair
    t0=$(now); "$ASSAY" verify-build "$c/$1" "$c/$2" --normalise mtime,owner -f json -o "$work/v.json" --no-progress 2>"$work/err"; rc=$?; t1=$(now)
    verdict=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['verdict'])" "$work/v.json" 2>/dev/null || echo "exit $rc")
    rm -f "$work/d.json"
    t2=$(now); timeout "$timeout_s" diffoscope --json "$work/d.json" "$c/$1" "$c/$2" >/dev/null 2>&1; drc=$?; t3=$(now)
    dn=$(python3 -c "
import json,sys; sys.path.insert(0,'eval/history'); from compare import diffoscope_files
m,l=diffoscope_files(json.load(open(sys.argv[1]))); print(len(m|l))" "$work/d.json" 2>/dev/null || echo "?")
    [ $drc = 124 ] && dn="(stopped after ${timeout_s} s)"
    echo "| $1 | $2 | $verdict | $(secs "$t0" "$t1") | $(secs "$t2" "$t3") | $dn |" >> "$out"
    # The ext4 image holds /lost+found, which mke2fs makes and the archives do not: the one file it may add.
    unexplained=$(python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
print(' '.join(f['path']+':'+f['status'] for f in d['files'] if f['status'] not in ('identical','normalised') and f['path'] != '/lost+found'))" "$work/v.json" 2>/dev/null || echo "no report")
    [ -z "$unexplained" ] || { echo "  ($1 vs $2: $unexplained)" >> "$out"; status=1; }
  done
fi
cat "$out"
exit $status
