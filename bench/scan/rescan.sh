#!/usr/bin/env bash
# Rescan of the next release with the result cache (issue 12: "a rescan of a release that shares
# 90% of its files with one scanned before: at least 5x faster than the first scan").
#
# Makes release N from the shared corpus (the armhf root filesystem tree, COPIES times, plus the
# node-v18 distribution: real ELF binaries, shared libraries, scripts, configuration) and release
# N+1 from N by appending one line to every 10th regular file in path order (so 10% of the files,
# ELF binaries among them, change their content and hash; nothing else changes), each packed in two
# forms: a reproducible tar.gz (one deflate stream: a rescan must inflate and hash everything again)
# and a SquashFS 4.0 image with xz, as firmware ships a root filesystem (each file's blocks stored
# apart: unchanged files are recognised by their stored form and not decompressed; needs
# mksquashfs, from Debian's squashfs-tools, else that form is skipped). Then, per form, every
# command under /usr/bin/time:
#   first   scan N+1 with --no-cache                         (what a first scan costs)
#   fill    scan N with an empty --cache DIR                  (the earlier release, cache filled)
#   rescan  scan N+1 with that --cache DIR                    (the measured rescan)
# and checks that the rescan's evaluation equals the first scan's byte for byte, startedAt and
# finishedAt masked (eval/identity/compare.py).
#
# usage: bash bench/scan/rescan.sh
# env:   ASSAY (binary; default the build ./assay publishes), COPIES=4, RUNS=1, FORMS="tar.gz squashfs",
#        WORK=/tmp/assay-bench-rescan (kept: the two releases are made once), CORPUS
# exit:  0 evaluations identical (the speed-up is printed, with the aim), 1 evaluations differ,
#        2 setup failure. Appends its rows to $WORK/rescan.tsv.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$ROOT/../shared/corpus"; do
    [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }
  done
fi
if [ -z "${CORPUS:-}" ] || [ ! -f "$CORPUS/ground-truth.json" ]; then
  echo "bench/scan/rescan: shared corpus not found (set CORPUS); skipping." >&2
  exit 0
fi
# what ships: the build ./assay publishes (made or refreshed here), unless ASSAY names another
[ -z "${ASSAY:-}" ] && [ -x "$ROOT/assay" ] && { "$ROOT/assay" --version >/dev/null; ASSAY=$ROOT/artifacts/publish/assay; }
ASSAY=${ASSAY:-$ROOT/artifacts/bin/Assay.Cli/release/assay}
[ -x "$ASSAY" ] || { echo "bench/scan/rescan: build first: ./assay --version (or dotnet build src/Assay.Cli -c Release)" >&2; exit 2; }
COPIES=${COPIES:-4} RUNS=${RUNS:-1}
WORK=${WORK:-/tmp/assay-bench-rescan}
mkdir -p "$WORK"
FORMS=${FORMS:-tar.gz squashfs}

make_releases() {
  local st=$WORK/stage
  rm -rf "$st"; mkdir -p "$st/n/rootfs0" "$st/n/node"
  tar -xzf "$CORPUS/debian-rootfs/rootfs.tar.gz" -C "$st/n/rootfs0"
  tar -xJf "$CORPUS/npm-binaries/node-v18.12.1-linux-x64.tar.xz" -C "$st/n/node"
  for i in $(seq 1 $((COPIES - 1))); do cp -a "$st/n/rootfs0" "$st/n/rootfs$i"; done
  cp -a "$st/n" "$st/n1"
  # every 10th regular file (path order) of N+1 gets one line more
  (cd "$st/n1" && find . -type f | LC_ALL=C sort | awk 'NR % 10 == 0' | while IFS= read -r f; do
    printf '\n# release N+1 rebuild of %s\n' "$f" >> "$f"
  done)
  for r in n n1; do
    tar -C "$st/$r" --sort=name --mtime=2026-01-01 --owner=0 --group=0 --numeric-owner -cf - . | gzip -n -6 > "$WORK/release-$r-$COPIES.tar.gz.tmp"
    mv "$WORK/release-$r-$COPIES.tar.gz.tmp" "$WORK/release-$r-$COPIES.tar.gz"
    if command -v mksquashfs > /dev/null; then
      mksquashfs "$st/$r" "$WORK/release-$r-$COPIES.squashfs.tmp" -comp xz -noappend -all-root -mkfs-time 1767225600 -all-time 1767225600 -quiet > /dev/null
      mv "$WORK/release-$r-$COPIES.squashfs.tmp" "$WORK/release-$r-$COPIES.squashfs"
    fi
  done
  echo "rescan: $(cd "$st/n" && find . -type f | wc -l) regular files per release, $(cd "$st/n1" && find . -type f | LC_ALL=C sort | awk 'NR % 10 == 0' | wc -l) changed" >&2
  rm -rf "$st"
}
[ -s "$WORK/release-n-$COPIES.tar.gz" ] && [ -s "$WORK/release-n1-$COPIES.tar.gz" ] \
  && { ! command -v mksquashfs > /dev/null || [ -s "$WORK/release-n1-$COPIES.squashfs" ]; } || make_releases

TSV=$WORK/rescan.tsv
timed() {  # label out args...
  local label=$1 out=$2; shift 2
  local tf=$WORK/time.$$ load
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$tf" "$ASSAY" scan "$@" -f json -o "$out" --no-progress --no-vulns > "$WORK/last.out" 2>&1
  local rc=$?
  read -r wall user sys rss < <(tail -n1 "$tf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rc" "$wall" "$user" "$sys" "$rss" "$load" >> "$TSV"
  echo "[$(date +%T)] $label rc=$rc wall=${wall}s cpu=$(python3 -c "print(round($user+$sys,2))")s rss=$((rss / 1000))MB load=$load" >&2
  case $rc in 0|1|4|5) ;; *) echo "rescan: assay exited $rc on $label:" >&2; cat "$WORK/last.out" >&2; exit 2 ;; esac
}

status=0
for form in $FORMS; do
  N=$WORK/release-n-$COPIES.$form N1=$WORK/release-n1-$COPIES.$form
  if [ ! -s "$N1" ]; then
    echo "rescan: no $form releases (mksquashfs from Debian's squashfs-tools makes the SquashFS ones); skipped" >&2
    continue
  fi
  for r in $(seq 1 "$RUNS"); do
    cache=$WORK/cache-run$r; rm -rf "$cache" "$WORK"/eval-*; mkdir -p "$WORK/eval-first" "$WORK/eval-rescan"
    timed "$form first" "$WORK/eval-first/release.json" "$N1" --no-cache
    timed "$form fill" "$WORK/eval-fill.json" "$N" --cache "$cache"
    timed "$form rescan" "$WORK/eval-rescan/release.json" "$N1" --cache "$cache"
    python3 "$ROOT/eval/identity/compare.py" "$WORK/eval-first" "$WORK/eval-rescan" || status=1
    rm -rf "$cache"
  done
  python3 - "$TSV" "$RUNS" "$form" <<'PY'
import sys, statistics
form = sys.argv[3]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][-3 * int(sys.argv[2]):]
label = {k: f"{form} {k}" for k in ("first", "rescan")}
cpu = {k: statistics.median(float(r[3]) + float(r[4]) for r in rows if r[0] == label[k]) for k in label}
wall = {k: statistics.median(float(r[2]) for r in rows if r[0] == label[k]) for k in label}
rss = {k: max(int(r[5]) for r in rows if r[0] == label[k]) // 1000 for k in label}
x = cpu["first"] / cpu["rescan"]
print(f"{form}: first scan: CPU {cpu['first']:.2f} s, wall {wall['first']:.2f} s, RSS {rss['first']} MB; "
      f"rescan with the cache: CPU {cpu['rescan']:.2f} s, wall {wall['rescan']:.2f} s, RSS {rss['rescan']} MB; "
      f"CPU {x:.1f}x faster, wall {wall['first'] / wall['rescan']:.1f}x (aim: 5x) - load {rows[-1][6]}")
PY
done
[ $status -eq 0 ] && echo "rescan: the evaluations with and without the cache are identical (timestamps aside)" || echo "rescan: the evaluations DIFFER" >&2
exit $status
