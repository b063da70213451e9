#!/usr/bin/env bash
# bench/history: the speed of assay diff and assay verify-build.
#  1. diff of two evaluations of the largest shared-corpus image (rootfs.ext4) and of the same tree as
#     rootfs.tar.gz: `assay diff A.json B.json` (the scans are done once beforehand and timed apart);
#     aim: under 1 s beyond the two scans. Skipped without ../shared.
#  2. verify-build of two generated trees of SIZE_MB each (default 1024), packed as tar, the second with one
#     byte of one ELF's .text changed, beside `sha256sum` of both tars; aim: at most 1.5x the hashing.
# Usage: bash bench/history/run.sh   (env ASSAY: the assay command; SIZE_MB; RUNS, default 3: medians)
# Inputs are generated once into artifacts/bench-history; results are printed and written to
# bench/history/results.md with the load average.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
ASSAY="${ASSAY:-$repo/assay}"
shared="${ASSAY_SHARED:-$(cd .. && pwd)/shared}"
size_mb="${SIZE_MB:-1024}"
runs="${RUNS:-3}"
dir=artifacts/bench-history
mkdir -p "$dir"
out=bench/history/results.md
"$ASSAY" --help >/dev/null

# median wall seconds of $runs runs of "$@" (output discarded)
median() {
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; t1=$(date +%s.%N)
    times+=("$(python3 -c "print($t1-$t0)")")
  done
  python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "${times[@]}"
}

{
  echo "# bench/history results"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load at start: $(cut -d' ' -f1-3 /proc/loadavg); median of $runs runs."
  echo
} > "$out"

if [ -f "$shared/corpus/debian-rootfs/rootfs.ext4" ]; then
  c="$shared/corpus/debian-rootfs"
  scan_a=$(median "$ASSAY" scan "$c/rootfs.ext4" --no-vulns -f json -o "$dir/ext4.json" --no-progress)
  scan_b=$(median "$ASSAY" scan "$c/rootfs.tar.gz" --no-vulns -f json -o "$dir/targz.json" --no-progress)
  "$ASSAY" scan "$c/rootfs.ext4" --no-vulns -f json -o "$dir/ext4.json" --no-progress >/dev/null 2>&1 || true
  "$ASSAY" scan "$c/rootfs.tar.gz" --no-vulns -f json -o "$dir/targz.json" --no-progress >/dev/null 2>&1 || true
  files=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['files']))" "$dir/ext4.json" 2>/dev/null || echo "?")
  diff_json=$(median "$ASSAY" diff "$dir/ext4.json" "$dir/targz.json" -f json -o "$dir/diff.json")
  diff_self=$(median "$ASSAY" diff "$dir/ext4.json" "$dir/ext4.json" -f json -o "$dir/diff-self.json")
  diff_summary=$(median "$ASSAY" diff "$dir/ext4.json" "$dir/targz.json")
  startup=$(median "$ASSAY" formats)
  {
    echo "## diff of two evaluations (rootfs.ext4, $(du -h --apparent-size "$c/rootfs.ext4" | cut -f1), $files entries; rootfs.tar.gz, the same tree)"
    echo
    echo "| step | seconds |"
    echo "|---|---|"
    echo "| scan rootfs.ext4 (--no-vulns, JSON) | $scan_a |"
    echo "| scan rootfs.tar.gz (--no-vulns, JSON) | $scan_b |"
    echo "| assay diff ext4.json targz.json -f json | $diff_json |"
    echo "| assay diff ext4.json ext4.json -f json | $diff_self |"
    echo "| assay diff ext4.json targz.json (terminal summary) | $diff_summary |"
    echo "| process start alone (assay formats) | $startup |"
    echo
  } >> "$out"
fi

# Two trees of SIZE_MB: random data files of 4 KiB .. 8 MiB and copies of this machine's ELF programs.
tree_a="$dir/tree-$size_mb.a.tar"; tree_b="$dir/tree-$size_mb.b.tar"
if [ ! -f "$tree_b" ]; then
  src="$dir/tree-$size_mb"; rm -rf "$src"; mkdir -p "$src/usr/bin" "$src/data"
  python3 - "$src" "$size_mb" <<'P'
import os, random, shutil, sys
root, size = sys.argv[1], int(sys.argv[2]) << 20
rng = random.Random(13)
total = 0
for name in sorted(os.listdir("/usr/bin")):  # real ELF programs, up to a tenth of the tree
    path = os.path.join("/usr/bin", name)
    if total > size // 10 or not os.path.isfile(path) or os.path.islink(path):
        continue
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            continue
    shutil.copyfile(path, os.path.join(root, "usr/bin", name)); total += os.path.getsize(path)
i = 0
while total < size:
    n = min(rng.choice([4096, 65536, 1 << 20, 8 << 20]), size - total)
    d = os.path.join(root, "data", f"{i % 64:02d}"); os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"blob-{i:05d}.bin"), "wb") as f:
        f.write(rng.randbytes(n))
    total += n; i += 1
P
  tar --sort=name --mtime=@1767225600 --owner=0 --group=0 --numeric-owner -cf "$tree_a" -C "$src" .
  # one byte of the first ELF's .text (offset from readelf), changed in a copy
  elf=$(find "$src/usr/bin" -type f | sort | head -1)
  off=$((16#$(readelf -SW "$elf" | awk '{for (i = 1; i < NF; i++) if ($i == ".text") print $(i + 3)}')))
  printf '\xcc' | dd of="$elf" bs=1 seek=$((off + 16)) conv=notrunc status=none
  tar --sort=name --mtime=@1767225600 --owner=0 --group=0 --numeric-owner -cf "$tree_b" -C "$src" .
  rm -rf "$src"
fi
hash=$(median sha256sum "$tree_a" "$tree_b")
verify=$(median "$ASSAY" verify-build "$tree_a" "$tree_b" -f json -o "$dir/verify.json" --no-progress)
verdict=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['verdict'], sum(1 for f in d['files'] if f['status']=='differs'), 'differs')" "$dir/verify.json" 2>/dev/null || echo "no report")
ratio=$(python3 -c "print(f'{$verify/$hash:.2f}')")
{
  echo "## verify-build of two ${size_mb} MiB trees (tar)"
  echo
  echo "| step | seconds |"
  echo "|---|---|"
  echo "| sha256sum both tars | $hash |"
  echo "| assay verify-build a.tar b.tar -f json | $verify ($verdict) |"
  echo "| ratio (aim <= 1.5) | $ratio |"
  echo
  echo "Load at end: $(cut -d' ' -f1-3 /proc/loadavg)."
} >> "$out"
cat "$out"
