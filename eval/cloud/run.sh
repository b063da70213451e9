#!/usr/bin/env bash
# Cloud-native deliveries against the real tools, on the shared Debian root filesystem
# (../shared/corpus/debian-rootfs/rootfs.tar.gz, 74 Debian packages):
#   1. a two-layer OCI image built by umoci (base = the rootfs; layer 2 deletes a file and a directory,
#      replaces one file and adds others): Assay's tree below rootfs/ against `umoci unpack`'s,
#      for the oci-archive and for the docker-archive skopeo makes of it; every file must carry its layer
#   2. the image's OS packages against Trivy's SBOM of the same image (recall and precision >= 0.95)
#   3. a GPT disk (EFI FAT + ext4 root) as compressed qcow2 and stream-optimized VMDK: Assay's tree of
#      the root partition against the partition mounted read-only from `qemu-img convert -O raw` output
# Exit 1 on any difference. usage: bash eval/cloud/run.sh   (env: ASSAY_SHARED, ASSAY, TRIVY, KEEP=1)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${ASSAY_SHARED:-$ROOT/../shared}
SRC="$SHARED/corpus/debian-rootfs/rootfs.tar.gz"
[ -f "$SRC" ] || { echo "eval/cloud: $SRC not found; skipping"; exit 0; }
for t in umoci skopeo qemu-img sfdisk mkfs.ext4 mkfs.vfat python3; do
  command -v "$t" >/dev/null || { echo "eval/cloud: $t missing (bash .ci/install.sh installs it)"; exit 2; }
done
if [ -z "${ASSAY:-}" ]; then ./assay --help >/dev/null; ASSAY="$ROOT/artifacts/publish/assay"; fi
TRIVY=${TRIVY:-$(command -v trivy || echo "$HOME/.cache/assay-peers/bin/trivy")}
work=$(mktemp -d)
mounted=""
cleanup() { [ -n "$mounted" ] && umount "$mounted" 2>/dev/null; [ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT
status=0
step() { echo; echo "--- $*"; }
check() { "$@" || status=1; }

step "building the image with umoci (layer 1: the rootfs; layer 2: changes)"
L="$work/layout"
umoci init --layout "$L"
umoci new --image "$L:base"
umoci unpack --image "$L:base" "$work/b1" >/dev/null
tar -xzf "$SRC" -C "$work/b1/rootfs" --numeric-owner
umoci repack --image "$L:base" "$work/b1" >/dev/null
umoci unpack --image "$L:base" "$work/b2" >/dev/null
r="$work/b2/rootfs"
rm -f "$r/bin/cat"                                  # whiteout of a file
rm -rf "$r/usr/share/zoneinfo" "$r/usr/share/doc"   # whiteout of directories (where present)
printf 'replaced by layer 2\n' > "$r/etc/hostname"  # a changed file
mkdir -p "$r/opt/nf/bin" "$r/opt/nf/etc"
cp "$r/bin/busybox" "$r/opt/nf/bin/nfd"             # an added binary
printf 'sbi_port=8080\n' > "$r/opt/nf/etc/nf.conf"
umoci repack --image "$L:app" "$work/b2" >/dev/null
umoci config --image "$L:app" --config.user 10001 --config.exposedports 8080/tcp --config.entrypoint /opt/nf/bin/nfd >/dev/null
umoci rm --image "$L:base"   # the delivery is the one image "app"; its layer 1 stays
umoci gc --layout "$L"
tar -C "$L" -cf "$work/image-oci.tar" .
skopeo --insecure-policy copy -q "oci:$L:app" "docker-archive:$work/image-docker.tar:vendor/nf:1.0"
umoci unpack --image "$L:app" "$work/ref" >/dev/null
echo "image: $(du -h "$work/image-oci.tar" | cut -f1), $(find "$work/ref/rootfs" | wc -l) entries in umoci's tree"

step "OCI archive and docker-archive vs umoci unpack"
"$ASSAY" scan "$work/image-oci.tar" -f json -o "$work/oci.json" || true
check python3 eval/cloud/compare.py "$work/oci.json" "image-oci.tar!/rootfs/" "$work/ref/rootfs" --label "oci-archive vs umoci unpack" --layer-check
"$ASSAY" scan "$work/image-docker.tar" -f json -o "$work/docker.json" || true
check python3 eval/cloud/compare.py "$work/docker.json" "image-docker.tar!/rootfs/" "$work/ref/rootfs" --label "docker-archive vs umoci unpack" --layer-check

step "SBOM vs Trivy"
if [ -x "$TRIVY" ]; then
  "$TRIVY" image --input "$work/image-docker.tar" --format cyclonedx --offline-scan --skip-db-update --skip-java-db-update \
    --cache-dir "$work/trivy-cache" -q -o "$work/trivy.cdx.json" || true
  if [ -s "$work/trivy.cdx.json" ]; then check python3 eval/cloud/sbom.py "$work/oci.json" "$work/trivy.cdx.json"
  else echo "trivy produced no SBOM"; status=1; fi
else
  echo "trivy not found (bash ../shared/tools/peers.sh installs it); SBOM comparison skipped"
fi

step "disk images: GPT (EFI FAT + ext4 root) as compressed qcow2 and stream-optimized VMDK"
mkdir -p "$work/rootdir"
tar -xzf "$SRC" -C "$work/rootdir" --numeric-owner
mkfs.ext4 -q -F -d "$work/rootdir" "$work/root.ext4" 96M
mkfs.vfat -C "$work/efi.fat" 16384 >/dev/null
truncate -s 128M "$work/disk.img"
printf 'label: gpt\nstart=2048, size=32768, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI"\nstart=34816, size=196608, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"\n' | sfdisk -q "$work/disk.img"
dd if="$work/efi.fat" of="$work/disk.img" bs=512 seek=2048 conv=notrunc status=none
dd if="$work/root.ext4" of="$work/disk.img" bs=512 seek=34816 conv=notrunc status=none
qemu-img convert -q -c -f raw -O qcow2 "$work/disk.img" "$work/disk.qcow2"
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/disk.img" "$work/disk.vmdk"
rm -f "$work/disk.img" "$work/root.ext4"
for d in disk.qcow2 disk.vmdk; do
  fmt=${d#disk.}
  qemu-img convert -q -f "$fmt" -O raw "$work/$d" "$work/back.raw"
  mkdir -p "$work/mnt"
  if mount -o loop,ro,offset=$((34816 * 512)),sizelimit=$((196608 * 512)) "$work/back.raw" "$work/mnt" 2>/dev/null; then
    mounted="$work/mnt"; ref="$work/mnt"; how="mounted from qemu-img convert -O raw"
  else
    ref="$work/rootdir"; how="the tree the image was made from (loop mount not permitted here)"
  fi
  "$ASSAY" scan "$work/$d" -f json -o "$work/$fmt.json" || true
  check python3 eval/cloud/compare.py "$work/$fmt.json" "$d!/disk.raw!/part2!/" "$ref" --label "$d vs $how"
  # lost+found is made by mkfs, not by the tree: both sides have it when mounted
  [ -n "$mounted" ] && { umount "$mounted"; mounted=""; }
  rm -f "$work/back.raw"
done
echo
[ $status = 0 ] && echo "eval/cloud: all comparisons agree" || echo "eval/cloud: DIFFERENCES (see above)"
exit $status
