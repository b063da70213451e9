#!/usr/bin/env bash
# `assay scan` vs the native extractor vs binwalk 2.3.4 -Me on the shared
# corpus, side by side in one session, plus a generated ~1 GB mixed tar.gz.
#
# usage: bash bench/scan/run.sh [corpus] [big]        (default: both phases)
# env:   RUNS=3          runs per tool and image (median reported)
#        BINWALK=run     run | baseline | skip   (baseline: numbers from
#                        ../shared/research/baselines/raw, marked as such)
#        BW_RUNS=1       binwalk runs per image (10-50 s each; keep it low)
#        BW_CAP=300      seconds before one binwalk run is stopped
#        BIG_BINWALK=baseline  run | baseline  (binwalk on the 1 GB file wrote
#                        ~10 GB/min of false carves in the baseline and was
#                        stopped; `run` repeats that, capped at BW_CAP and BIG_MAX_GB)
#        BIG_MAX_GB=10   stop binwalk on the big file at this much output
#        WORK=/dev/shm/assay-bench-scan   outputs (tmpfs)
#        BIGDIR=/tmp/assay-bench-big      where the 1 GB file is generated (deleted after)
#        ONLY="rootfs.tar.gz,config.jffs2"  restrict the corpus phase to these images
#        ASSAY, ASSAY_SLOT (default evb), CORPUS, JOBS (passed as --jobs)
# output: bench/scan/results.md (tables), $WORK/timings.tsv (every run)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SLOT=${ASSAY_SLOT:-evb}
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$ROOT/../shared/corpus"; do
    [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }
  done
fi
if [ -z "${CORPUS:-}" ] || [ ! -f "$CORPUS/ground-truth.json" ]; then
  echo "bench/scan: shared corpus not found (set CORPUS); skipping." >&2
  exit 0
fi
BASE=${BASE:-$(cd "$CORPUS/../research/baselines" 2>/dev/null && pwd)}
[ -z "${ASSAY:-}" ] && [ -z "${ASSAY_SLOT:-}" ] && [ -x "$ROOT/assay" ] && { "$ROOT/assay" --version >/dev/null; ASSAY=$ROOT/artifacts/publish/assay; }
ASSAY=${ASSAY:-$ROOT/artifacts/slot-$SLOT/bin/Assay.Cli/release/assay}
[ -x "$ASSAY" ] || { echo "bench/scan: build first: ASSAY_SLOT=$SLOT dotnet build src/Assay.Cli -c Release" >&2; exit 2; }
RUNS=${RUNS:-3}
BINWALK=${BINWALK:-run}
BW_RUNS=${BW_RUNS:-1}
BW_CAP=${BW_CAP:-300}
BIG_BINWALK=${BIG_BINWALK:-baseline}
BIG_MAX_GB=${BIG_MAX_GB:-10}
WORK=${WORK:-/dev/shm/assay-bench-scan}
BIGDIR=${BIGDIR:-/tmp/assay-bench-big}
TSV=$WORK/timings.tsv
T=/usr/bin/time
JOBARGS=()
[ -n "${JOBS:-}" ] && JOBARGS=(--jobs "$JOBS")
mkdir -p "$WORK"
: > "$TSV.new"; [ -s "$TSV" ] && mv "$TSV" "$TSV.prev"; mv "$TSV.new" "$TSV"
trap 'for d in "$WORK"/out-* "$BIGDIR"; do [ -e "$d" ] && unmount_under "$d"; done; rm -rf "$WORK"/out-* "$BIGDIR"' EXIT

D=$CORPUS/debian-rootfs N=$CORPUS/npm-binaries
# uImage multi-file layout from ground-truth.json (uimage.images, kernel.xz_offset)
read -r SQ_OFF SQ_LEN K_OFF K_LEN < <(python3 - "$CORPUS" <<'PY'
import json, sys
g = json.load(open(sys.argv[1] + "/ground-truth.json"))
f = next(x for x in g["files"] if x["path"].endswith("fw-router-armhf.uImage"))
i0, i1, x = f["uimage"]["images"][0], f["uimage"]["images"][1], f["kernel"]["xz_offset"]
print(i1["offset"], i1["size"], i0["offset"] + x, i0["size"] - x)
PY
)

# timed TOOL IMAGE RUN CMD... : one line in timings.tsv
timed() {
  local tool=$1 img=$2 run=$3; shift 3
  local tf=$WORK/time.$$ load
  load=$(cut -d' ' -f1 /proc/loadavg)
  # wall from the clock in ns around the command (time's %e has 10 ms steps: a 35 ms scan read as
  # 0.03 or 0.04 s, 12% apart); CPU and peak RSS from time
  local t0 t1 wall u s m
  t0=$(date +%s%N)
  $T -f '%e %U %S %M' -o "$tf" "$@" > "$WORK/last.out" 2>&1
  local rc=$?
  t1=$(date +%s%N)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  read -r _ u s m < <(tail -n1 "$tf")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$img" "$run" "$rc" "$wall" "$u" "$s" "$m" "$load" >> "$TSV"
  echo "[$(date +%T)] $tool $img run$run rc=$rc $wall $u $s $m load=$load" >&2
}

squash_native='dd if="$IN" of="$OUT/rootfs.sqfs" bs=1M iflag=skip_bytes,count_bytes skip='$SQ_OFF' count='$SQ_LEN' status=none && unsquashfs -q -no-progress -d "$OUT/root" "$OUT/rootfs.sqfs" >/dev/null && rm "$OUT/rootfs.sqfs" && tail -c +'$((K_OFF + 1))' "$IN" | head -c '$K_LEN' | xz -dc --single-stream > "$OUT/Image" 2>/dev/null; test -s "$OUT/Image"'

# name | input | native command (uses $IN, $OUT) or "-"
printf 'x\n' > "$WORK/startup.txt"   # .NET start + empty scan: what every row pays once
IMAGES=(
  "startup (2-byte text file)|$WORK/startup.txt|cat \"\$IN\" > /dev/null"
  "rootfs.tar.gz|$D/rootfs.tar.gz|tar -xzf \"\$IN\" -C \"\$OUT\""
  "rootfs.cpio.gz|$D/rootfs.cpio.gz|gzip -dc \"\$IN\" | (cd \"\$OUT\" && cpio -idm --quiet --no-absolute-filenames)"
  "rootfs.ext4|$D/rootfs.ext4|debugfs -R \"rdump / \$OUT\" \"\$IN\""
  "fw-router-armhf.uImage|$D/fw-router-armhf.uImage|$squash_native"
  "vendor-bundle zip|$D/vendor-bundle-EN-R100_2.4.1.zip|unzip -q \"\$IN\" -d \"\$OUT\" && IN=\$(ls \"\$OUT\"/*.uImage) && $squash_native"
  "rootfs.ubi|$D/rootfs.ubi|-"
  "config.jffs2|$D/config.jffs2|-"
  "node-v18 .tar.xz|$N/node-v18.12.1-linux-x64.tar.xz|tar -xJf \"\$IN\" -C \"\$OUT\""
  "sharp-libvips .tgz|$N/img-sharp-libvips-linux-x64-1.0.4.tgz|tar -xzf \"\$IN\" -C \"\$OUT\""
  "node 10 ELF|$N/node-10.19.0-linux-x64/node|sha256sum \"\$IN\""
  "esbuild ELF|$N/esbuild-0.19.12-linux-x64/esbuild|sha256sum \"\$IN\""
)

assay_run() {  # name input run
  # --no-cache: the result cache is on by default, and run 2 of an image would replay run 1
  timed assay "$1" "$3" "$ASSAY" scan "$2" -f json -o /dev/null --no-progress --no-cache "${JOBARGS[@]}"
}
native_run() {  # name input run cmd
  local out=$WORK/out-native
  rm -rf "$out"; mkdir -p "$out"
  timed native "$1" "$3" env IN="$2" OUT="$out" bash -c "$4"
  rm -rf "$out"
}
binwalk_run() {  # name input run
  local out=$WORK/out-binwalk
  rm -rf "$out"; mkdir -p "$out"
  timed binwalk "$1" "$3" timeout "$BW_CAP" binwalk -Me --run-as=root -q -C "$out" "$2"
  unmount_under "$out"
  rm -rf "$out"
}
# binwalk 2.3.4 as root also tries `mount` on the file systems it carves (extract.conf:
# "Try mounting the file system"); on ext4 that succeeds with a loop device and stays
# mounted after binwalk exits. Unmount before deleting, or rm -rf walks into it.
unmount_under() {
  local m
  awk -v d="$1/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount "$m" || umount -l "$m"
  done
}

phase_corpus() {
  local r spec name in cmd
  for spec in "${IMAGES[@]}"; do
    IFS='|' read -r name in cmd <<< "$spec"
    if [ -n "${ONLY:-}" ] && [[ ",$ONLY," != *",$name,"* ]]; then continue; fi
    cat "$in" > /dev/null   # page cache warm for every tool alike
    for r in $(seq 1 "$RUNS"); do   # interleaved, so load drift hits all tools alike
      assay_run "$name" "$in" "$r"
      [ "$cmd" != "-" ] && native_run "$name" "$in" "$r" "$cmd"
      if [ "$BINWALK" = run ] && [ "$r" -le "$BW_RUNS" ] && [ "${name#startup}" = "$name" ]; then binwalk_run "$name" "$in" "$r"; fi
    done
    printf 'size\t%s\t%s\n' "$name" "$(stat -c %s "$in")" >> "$TSV"
  done
}

phase_big() {
  mkdir -p "$BIGDIR"
  local B=$BIGDIR/mixed-1g.tar.gz r
  echo "[$(date +%T)] generating $B (research/baselines/make-big-targz.sh)" >&2
  CORPUS=$CORPUS bash "$BASE/make-big-targz.sh" "$B" >&2 || { echo "bench/scan: generating the big file failed" >&2; return 1; }
  printf 'size\t%s\t%s\n' "mixed 1 GB .tar.gz" "$(stat -c %s "$B")" >> "$TSV"
  cat "$B" > /dev/null
  for r in $(seq 1 "$RUNS"); do
    assay_run "mixed 1 GB .tar.gz" "$B" "$r"
    native_run "mixed 1 GB .tar.gz" "$B" "$r" 'tar -xzf "$IN" -C "$OUT"'
    timed floor "mixed 1 GB .tar.gz" "$r" bash -c 'gzip -dc "$1" > /dev/null' _ "$B"
  done
  if [ "$BIG_BINWALK" = run ]; then
    local out=$BIGDIR/bw; mkdir -p "$out"
    # binwalk 2.3.4 carves false xz streams inside the gzip data to end of file: cap time and output
    timed binwalk "mixed 1 GB .tar.gz" 1 bash -c '
      binwalk -Me --run-as=root -q -C "$1" "$2" & p=$!; t=0
      while kill -0 $p 2>/dev/null; do sleep 5; t=$((t+5))
        g=$(du -s --block-size=1G "$1" | cut -f1)
        if [ $t -ge "$3" ] || [ "$g" -ge "$4" ]; then echo "stopped at ${t}s, ${g} GB" >&2; kill $p; fi
      done; wait $p' _ "$out" "$B" "$BW_CAP" "$BIG_MAX_GB"
    unmount_under "$out"
    rm -rf "$out"
  fi
  rm -rf "$BIGDIR"
}

{
  echo "# date $(date -u +%FT%TZ)"
  echo "# machine nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') mem=$(free -g | awk '/Mem:/{print $2}')GiB"
  echo "# assay $("$ASSAY" --version 2>/dev/null) head=$(git -C "$ROOT" rev-parse --short HEAD)"
  echo "# binwalk $(dpkg-query -W -f '${Version}' binwalk 2>/dev/null) runs=$RUNS bw_runs=$BW_RUNS binwalk=$BINWALK"
} > "$WORK/env.txt"
cat "$WORK/env.txt" >&2
for p in ${*:-corpus big}; do "phase_$p"; done
python3 "$HERE/summarize.py" "$TSV" "$WORK/env.txt" ${BASE:+--baseline "$BASE/raw"} > "$HERE/results.md"
# the timings beside the table, so that results.md can be made again from raw/
mkdir -p "$HERE/raw" && cp "$TSV" "$WORK/env.txt" "$HERE/raw/"
cat "$HERE/results.md"
