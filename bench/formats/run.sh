#!/usr/bin/env bash
# bench/formats: carving a raw flash dump — `assay scan` against `binwalk -Me` (the peer of issue 19).
# Builds a 64 MiB synthetic dump (make_dump.py: the issue-19 formats of the test fixtures, a SquashFS
# root made by mksquashfs from a generated tree, erased flash, zero fill and high-entropy regions),
# then times, interleaved run by run, under /usr/bin/time (wall, user+sys, peak RSS):
#   assay scan DUMP -f json -o FILE --no-progress       (RUNS times, median)
#   binwalk -Me --run-as=root -C DIR DUMP               (BW_RUNS times; binwalk 2.3.x from Debian)
#   binwalk DUMP                                        (signature scan only, no extraction)
# and counts what each found. Writes bench/formats/results.md (and raw/ beside it).
# usage: bash bench/formats/run.sh     env: ASSAY (default ./assay), RUNS=3, BW_RUNS=1, BINWALK=run|skip,
#        BW_CAP=600 (seconds), SIZE_MIB=64, WORK (default a fresh folder under /tmp, removed after)
# Needs squashfs-tools, python3, /usr/bin/time; binwalk from ../shared/tools/peers.sh.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ASSAY=${ASSAY:-$ROOT/assay}
RUNS=${RUNS:-3}
BW_RUNS=${BW_RUNS:-1}
BINWALK=${BINWALK:-run}
BW_CAP=${BW_CAP:-600}
SIZE_MIB=${SIZE_MIB:-64}
for tool in mksquashfs python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/formats: $tool is missing (apt-get install squashfs-tools python3 time)" >&2; exit 2; }
done
if [ "$BINWALK" = run ] && ! command -v binwalk >/dev/null; then
  echo "bench/formats: binwalk is missing; run ../shared/tools/peers.sh or set BINWALK=skip" >&2; exit 2
fi
own_work=0
if [ -z "${WORK:-}" ]; then WORK=$(mktemp -d /tmp/assay-bench-formats.XXXXXX); own_work=1; fi
cleanup() { [ "$own_work" = 1 ] && rm -rf -- "$WORK"; return 0; }
trap cleanup EXIT
RAW="$HERE/raw"
mkdir -p "$RAW"

# a root filesystem of ~24 MB: text-like files (compressible), binaries (random) and many small files
python3 - "$WORK/tree" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
def chain(n, seed):
    out, h = bytearray(), seed.encode()
    while len(out) < n:
        h = hashlib.sha256(h).digest(); out += h
    return bytes(out[:n])
words = [w.encode() for w in "the router firmware config interface address netmask gateway service daemon start stop log level".split()]
def text(n, seed):
    r = chain(n // 4 + 16, seed); out = bytearray(); i = 0
    while len(out) < n:
        out += words[r[i % len(r)] % len(words)] + (b"\n" if r[(i + 1) % len(r)] % 9 == 0 else b" "); i += 1
    return bytes(out[:n])
for d in range(20):
    p = os.path.join(root, "usr/lib/mod%02d" % d); os.makedirs(p, exist_ok=True)
    open(os.path.join(p, "lib%02d.so" % d), "wb").write(chain(400_000, "bin%d" % d))
    for f in range(60):
        open(os.path.join(p, "conf%02d.txt" % f), "wb").write(text(9_000, "t%d.%d" % (d, f)))
os.makedirs(os.path.join(root, "www"), exist_ok=True)
for f in range(400):
    open(os.path.join(root, "www/page%03d.html" % f), "wb").write(text(1_500, "w%d" % f))
PY
mksquashfs "$WORK/tree" "$WORK/rootfs.sqfs" -noappend -quiet -no-progress -comp xz -b 131072 \
  -all-time 1700000000 -mkfs-time 1700000000 -all-root > /dev/null
python3 "$HERE/make_dump.py" "$WORK/dump.bin" "$WORK/rootfs.sqfs" "$SIZE_MIB" > "$RAW/layout.tsv"
"$ASSAY" --version > /dev/null   # builds the published command once, outside the timings
{ echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"; echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')";
  echo "assay: $("$ASSAY" --version 2>&1 | head -1)"; echo "binwalk: $(binwalk --help 2>&1 | sed -n 2p | tr -s ' ' || true)";
  echo "dump: $(stat -c %s "$WORK/dump.bin") bytes, sha256 $(sha256sum "$WORK/dump.bin" | cut -c1-16)"; } > "$RAW/env.txt"

printf 'tool\trun\twall_s\tcpu_s\trss_kb\trc\tload1\n' > "$RAW/timings.tsv"
timed() {  # name run command...
  local name=$1 run=$2; shift 2
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  local rc=0
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time.txt" "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || rc=$?
  read -r wall user sys rss < <(tail -1 "$WORK/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$run" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$rss" "$rc" "$load" >> "$RAW/timings.tsv"
}
for run in $(seq 1 "$RUNS"); do
  timed assay "$run" "$ASSAY" scan "$WORK/dump.bin" -f json -o "$WORK/assay.json" --no-progress
  if [ "$BINWALK" = run ] && [ "$run" -le "$BW_RUNS" ]; then
    rm -rf "$WORK/bw"; mkdir -p "$WORK/bw"
    timed binwalk-extract "$run" timeout "$BW_CAP" binwalk -Me --run-as=root -q -C "$WORK/bw" "$WORK/dump.bin"
    timed binwalk-signature "$run" binwalk "$WORK/dump.bin"
    cp "$WORK/binwalk-signature.out" "$RAW/binwalk-signature.txt"
  fi
done
python3 "$HERE/summarize.py" "$RAW" "$WORK/assay.json" "${WORK}/bw" > "$HERE/results.md"
cat "$HERE/results.md"
