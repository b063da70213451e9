#!/usr/bin/env bash
# Virtual-disk fixtures, made with Debian's own tools and no mounting:
#   fat16.img.gz     mkfs.vfat -F 16 + mcopy: long names, a subdirectory, an empty file, a 12-cluster file
#   fat12.img.gz     mkfs.vfat -F 12, one file     fat32.img.gz  mkfs.vfat -F 32 (33 MiB, mostly zeros), two files
#   mbr.img.gz       16 MiB disk, sfdisk (dos): p1 FAT16 (4 MiB), p2 ext4 (3 MiB), p3 extended with logical p5 FAT12
#   gpt.img.gz       16 MiB disk, sfdisk (gpt): p1 "EFI" (EFI system, FAT16), p2 "root" (Linux, ext4)
#   gpt.qcow2        qemu-img convert -O qcow2 of gpt.img (v3, 64 KiB clusters)
#   gpt-c.qcow2      the same, compressed clusters (-c)       gpt-v2.qcow2  compat=0.10 (version 2)
#   overlay.qcow2    qemu-img create -b base.qcow2: a backing-file reference that must not be followed
#   mbr.vmdk         qemu-img -O vmdk (monolithicSparse)      mbr-stream.vmdk  subformat=streamOptimized
#   mbr.vhd.gz       qemu-img -O vpc (dynamic VHD)            mbr-fixed.vhd.gz subformat=fixed
#   mbr.vhdx.gz      qemu-img -O vhdx (the .gz keep the repository small; tests inflate them in memory)
# Re-run: bash make.sh (needs dosfstools, mtools, e2fsprogs, fdisk, qemu-utils).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export E2FSPROGS_FAKE_TIME=1700000000 MTOOLS_SKIP_CHECK=1 TZ=UTC

# --- FAT16 (4 MiB, 512-byte clusters): long names, nesting, an empty file, a file over twelve clusters ---
mkfs.vfat -F 16 -n ASSAYFAT -i 12345678 -S 512 -s 1 -C "$work/fat16.img" 4096 >/dev/null
printf 'hello fat\n' > "$work/hello.txt"
printf 'a file with a long name\n' > "$work/long.txt"
: > "$work/empty"
for i in $(seq 0 599); do printf 'line %04d\n' "$i"; done > "$work/three-clusters.txt"   # 6000 bytes
printf 'MZ not really an EFI binary\n' > "$work/BOOTX64.EFI"
mmd -i "$work/fat16.img" ::/EFI ::/EFI/BOOT "::/Config Files"
mcopy -i "$work/fat16.img" -m "$work/hello.txt" ::/HELLO.TXT
mcopy -i "$work/fat16.img" -m "$work/long.txt" "::/Config Files/A Rather Long File Name.conf"
mcopy -i "$work/fat16.img" -m "$work/empty" ::/empty
mcopy -i "$work/fat16.img" -m "$work/three-clusters.txt" ::/three-clusters.txt
mcopy -i "$work/fat16.img" -m "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
# --- FAT12 and FAT32 ---
mkfs.vfat -F 12 -n SMALL -i 1234abcd -C "$work/fat12.img" 256 >/dev/null
mcopy -i "$work/fat12.img" -m "$work/hello.txt" ::/hello.txt
mkfs.vfat -F 32 -n BIGFAT -i 0badcafe -C "$work/fat32.img" 33792 >/dev/null
mmd -i "$work/fat32.img" ::/boot
mcopy -i "$work/fat32.img" -m "$work/three-clusters.txt" ::/boot/grub.cfg
mcopy -i "$work/fat32.img" -m "$work/hello.txt" "::/Read Me First.txt"
for f in fat16 fat12 fat32; do gzip -9n < "$work/$f.img" > "$f.img.gz"; done

# --- an ext4 root filesystem for the disks ---
mkdir -p "$work/root/etc" "$work/root/usr/bin"
printf 'ID=debian\nVERSION_ID="12"\n' > "$work/root/etc/os-release"
printf '#!/bin/sh\necho nf\n' > "$work/root/usr/bin/nf"; chmod 755 "$work/root/usr/bin/nf"
mkfs.ext4 -q -F -b 1024 -L root -U 0a0b0c0d-0000-4000-8000-000000000001 -E root_owner=0:0 -d "$work/root" "$work/ext4.img" 3M

# --- MBR disk: FAT16, ext4, extended with a logical FAT12 ---
truncate -s 16M "$work/mbr.img"
sfdisk -q "$work/mbr.img" <<'SF'
label: dos
label-id: 0x0a55a1
start=2048, size=8192, type=6
start=10240, size=6144, type=83
start=16384, size=8192, type=5
start=18432, size=512, type=1
SF
dd if="$work/fat16.img" of="$work/mbr.img" bs=512 seek=2048 conv=notrunc status=none
dd if="$work/ext4.img" of="$work/mbr.img" bs=512 seek=10240 conv=notrunc status=none
dd if="$work/fat12.img" of="$work/mbr.img" bs=512 seek=18432 conv=notrunc status=none
# --- GPT disk: EFI system (FAT16) and Linux (ext4) ---
truncate -s 16M "$work/gpt.img"
sfdisk -q "$work/gpt.img" <<'SF'
label: gpt
label-id: 0A0B0C0D-0000-4000-8000-0000000000AA
start=2048, size=8192, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI", uuid=0A0B0C0D-0000-4000-8000-000000000011
start=10240, size=6144, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root", uuid=0A0B0C0D-0000-4000-8000-000000000012
SF
dd if="$work/fat16.img" of="$work/gpt.img" bs=512 seek=2048 conv=notrunc status=none
dd if="$work/ext4.img" of="$work/gpt.img" bs=512 seek=10240 conv=notrunc status=none
gzip -9n < "$work/mbr.img" > mbr.img.gz
gzip -9n < "$work/gpt.img" > gpt.img.gz

# --- virtual disk formats over them ---
qemu-img convert -q -f raw -O qcow2 "$work/gpt.img" gpt.qcow2
qemu-img convert -q -c -f raw -O qcow2 "$work/gpt.img" gpt-c.qcow2
qemu-img convert -q -f raw -O qcow2 -o compat=0.10 "$work/gpt.img" gpt-v2.qcow2
qemu-img create -q -f qcow2 -u -b base.qcow2 -F qcow2 overlay.qcow2 16M   # -u: the base need not exist
qemu-img convert -q -f raw -O vmdk "$work/mbr.img" mbr.vmdk
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized "$work/mbr.img" mbr-stream.vmdk
qemu-img convert -q -f raw -O vpc -o force_size=on "$work/mbr.img" "$work/mbr.vhd"   # force_size: no rounding to CHS geometry
gzip -9n < "$work/mbr.vhd" > mbr.vhd.gz
qemu-img convert -q -f raw -O vpc -o subformat=fixed,force_size=on "$work/mbr.img" "$work/mbr-fixed.vhd"
gzip -9n < "$work/mbr-fixed.vhd" > mbr-fixed.vhd.gz
qemu-img convert -q -f raw -O vhdx "$work/mbr.img" "$work/mbr.vhdx"
gzip -9n < "$work/mbr.vhdx" > mbr.vhdx.gz
# the raw disks' SHA-256, which every container format must reproduce exactly
( cd "$work" && sha256sum mbr.img gpt.img ) > raw.sha256
ls -l
