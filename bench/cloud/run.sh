#!/usr/bin/env bash
# Speed on cloud-native deliveries, beside the tools a lab would otherwise use:
#   image: a two-layer OCI image of IMAGE_MB (default 1024) MiB of file data (layer 1 the shared Debian
#          rootfs when present, layer 2 generated files, gzip layers)
#          `assay scan image.tar -f json`  vs  `umoci unpack` (layers applied to a folder)
#   disk:  a DISK_GB (default 4) GiB GPT disk, ext4 root holding DISK_FILL_MB (default 1536) MiB of files, as qcow2
#          `assay scan disk.qcow2 -f json`  vs  `qemu-img convert -O raw` + loop mount + `cp -a` (debugfs rdump when
#          mounting is not permitted)
# Inputs are made once into $BENCH_DIR (default artifacts/bench-cloud) and reused. Each command runs RUNS
# times (default 3); the table gives the median wall time and the machine's load average beside it.
# usage: bash bench/cloud/run.sh            IMAGE_MB=200 DISK_GB=1 DISK_FILL_MB=300 bash bench/cloud/run.sh (quick)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
IMAGE_MB=${IMAGE_MB:-1024}; DISK_GB=${DISK_GB:-4}; DISK_FILL_MB=${DISK_FILL_MB:-1536}; RUNS=${RUNS:-3}
DIR=${BENCH_DIR:-$ROOT/artifacts/bench-cloud}
SRC=${ASSAY_SHARED:-$ROOT/../shared}/corpus/debian-rootfs/rootfs.tar.gz
for t in umoci qemu-img sfdisk mkfs.ext4 python3; do command -v "$t" >/dev/null || { echo "bench/cloud: $t missing (bash .ci/install.sh)"; exit 2; }; done
if [ -z "${ASSAY:-}" ]; then ./assay --help >/dev/null; ASSAY="$ROOT/artifacts/publish/assay"; fi
mkdir -p "$DIR"
gen() {  # gen DIR MB: files of pseudo-random (incompressible) data, 1-16 MiB each, plus many small ones
  python3 - "$1" "$2" <<'PY'
import os, random, sys
d, mb = sys.argv[1], int(sys.argv[2]); random.seed(18); os.makedirs(d, exist_ok=True)
left, i = mb << 20, 0
while left > 0:
    n = min(left, random.choice([4096, 65536, 1 << 20, 4 << 20, 16 << 20]))
    sub = os.path.join(d, f"d{i % 64:02d}"); os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, f"f{i:06d}.bin"), "wb") as f: f.write(random.randbytes(n))
    left -= n; i += 1
PY
}

image="$DIR/image-$IMAGE_MB.tar"
if [ ! -f "$image" ]; then
  echo "making $image ..." >&2
  L="$DIR/layout-$IMAGE_MB"; rm -rf "$L" "$DIR/b"
  umoci init --layout "$L"; umoci new --image "$L:x"
  umoci unpack --image "$L:x" "$DIR/b" >/dev/null
  [ -f "$SRC" ] && tar -xzf "$SRC" -C "$DIR/b/rootfs" --numeric-owner
  umoci repack --image "$L:x" "$DIR/b" >/dev/null; rm -rf "$DIR/b"
  umoci unpack --image "$L:x" "$DIR/b" >/dev/null
  gen "$DIR/b/rootfs/data" "$IMAGE_MB"
  umoci repack --image "$L:x" "$DIR/b" >/dev/null; rm -rf "$DIR/b"
  tar -C "$L" -cf "$image" .
fi
disk="$DIR/disk-${DISK_GB}g-${DISK_FILL_MB}.qcow2"
if [ ! -f "$disk" ]; then
  echo "making $disk ..." >&2
  rm -rf "$DIR/fill"; gen "$DIR/fill" "$DISK_FILL_MB"
  [ -f "$SRC" ] && tar -xzf "$SRC" -C "$DIR/fill" --numeric-owner
  sectors=$(( DISK_GB * 1024 * 2048 - 4096 ))
  mkfs.ext4 -q -F -d "$DIR/fill" "$DIR/root.ext4" "$(( sectors / 2048 ))M"; rm -rf "$DIR/fill"
  truncate -s "${DISK_GB}G" "$DIR/disk.raw"
  printf 'label: gpt\nstart=2048, size=%d, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"\n' "$sectors" | sfdisk -q "$DIR/disk.raw"
  dd if="$DIR/root.ext4" of="$DIR/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
  qemu-img convert -q -f raw -O qcow2 "$DIR/disk.raw" "$disk"; rm -f "$DIR/disk.raw" "$DIR/root.ext4"
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # timeit LABEL CMD...: median of RUNS wall times in seconds
  local label=$1; shift; local ts=()
  for _ in $(seq "$RUNS"); do
    local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "  ($label exited $?)" >&2; ts+=("$(echo "$(date +%s.%N) - $s" | bc)")
  done
  printf '| %-58s | %8.2f s | %s |\n' "$label" "$(printf '%s\n' "${ts[@]}" | median)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
umoci_unpack() { rm -rf "$DIR/u"; umoci unpack --image "$DIR/layout-$IMAGE_MB:x" "$DIR/u"; rm -rf "$DIR/u"; }
convert_extract() {
  rm -rf "$DIR/raw" "$DIR/out"; mkdir -p "$DIR/m" "$DIR/out"
  qemu-img convert -f qcow2 -O raw "$disk" "$DIR/raw"
  if mount -o loop,ro,offset=1048576 "$DIR/raw" "$DIR/m" 2>/dev/null; then cp -a "$DIR/m/." "$DIR/out/"; umount "$DIR/m"
  else dd if="$DIR/raw" of="$DIR/p" bs=1M skip=1 status=none; debugfs -R "rdump / $DIR/out" "$DIR/p"; rm -f "$DIR/p"; fi
  rm -rf "$DIR/raw" "$DIR/out"
}
echo "| command | median wall | load (1, 5, 15 min) |"
echo "| --- | ---: | --- |"
timeit "assay scan image-$IMAGE_MB.tar ($(du -m "$image" | cut -f1) MiB)" "$ASSAY" scan "$image" -f json -o /dev/null
timeit "umoci unpack (same image)" umoci_unpack
timeit "assay scan $(basename "$disk") ($(du -m "$disk" | cut -f1) MiB)" "$ASSAY" scan "$disk" -f json -o /dev/null
timeit "qemu-img convert -O raw + mount + cp -a (same disk)" convert_extract
